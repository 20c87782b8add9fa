// Graphs of device ops (graphs.h).
#include "graphs.h"

#include <exception>

namespace odla_rt {

bool GraphsEnabled() { return Env("ODLA_GRAPHS") == "1"; }

static bool InGraph(const OpNode& n) { return n.on_device && n.capturable && n.op != "ToDevice"; }

size_t SegmentEnd(const std::vector<OpNode>& nodes, const ValueMemory& m, size_t begin) {
  const auto& slots = m.graphs();
  size_t end = begin;
  while (end < nodes.size() && InGraph(nodes[end]) && !(end < slots.size() && slots[end].eager))
    ++end;
  return end;
}

// The graph of nodes [begin, end), or null when it cannot be captured.
static std::shared_ptr<void> TryCapture(Device& device, ValueMemory& m, size_t begin, size_t end,
                                        const std::function<void(size_t)>& run) {
  void* graph = nullptr;
  try {
    graph = device.Capture(m.stream(), [&] {
      for (size_t j = begin; j < end; ++j) run(j);
    });
  } catch (const std::exception&) {
    graph = nullptr;  // an op-by-op run reports a kernel's own failure again
  }
  if (!graph) return nullptr;
  Device* d = &device;
  return std::shared_ptr<void>(graph, [d](void* g) { d->DestroyGraph(g); });
}

void RunSegment(Device& device, ValueMemory& m, size_t num_nodes, size_t begin, size_t end,
                const std::function<void(size_t)>& run) {
  auto& slots = m.graphs();
  if (slots.size() != num_nodes) slots.assign(num_nodes, {});  // ops were added
  ValueMemory::GraphSlot& slot = slots[begin];
  if (slot.end != end) slot = {nullptr, end, false, slot.eager};  // a new segment
  if (!slot.graph && slot.warm) {
    slot.graph = TryCapture(device, m, begin, end, run);
    if (!slot.graph) {
      // Find the ops that cannot be captured. A capture records work without doing it, so
      // the op-by-op run below is this execution's only one.
      size_t failed = 0;
      for (size_t j = begin; j < end && end - begin > 1; ++j)
        if (!TryCapture(device, m, j, j + 1, run)) slots[j].eager = true, ++failed;
      for (size_t j = begin; j < end && failed == 0; ++j) slots[j].eager = true;
    }
  }
  if (slot.graph) return device.Replay(m.stream(), slot.graph.get());
  for (size_t j = begin; j < end; ++j) run(j);
  slot.warm = true;
}

}  // namespace odla_rt
