// Graphs of device ops (graphs.h).
#include "graphs.h"

#include <exception>

namespace odla_rt {

bool GraphsEnabled() { return Env("ODLA_GRAPHS") == "1"; }

static bool InGraph(const OpNode& n) { return n.on_device && n.capturable && n.op != "ToDevice"; }

size_t SegmentEnd(const std::vector<OpNode>& nodes, size_t begin) {
  size_t end = begin;
  while (end < nodes.size() && InGraph(nodes[end])) ++end;
  return end;
}

void RunSegment(Device& device, ValueMemory& m, size_t num_nodes, size_t begin,
                const std::function<void()>& run) {
  auto& slots = m.graphs();
  if (slots.size() != num_nodes) slots.assign(num_nodes, {});  // ops were added
  ValueMemory::GraphSlot& slot = slots[begin];
  if (!slot.graph && !slot.eager) {
    void* graph = nullptr;
    try {
      graph = device.Capture(m.stream(), run);
    } catch (const std::exception&) {
      graph = nullptr;  // the op-by-op run below reports a kernel's own failure again
    }
    if (graph) {
      Device* d = &device;
      slot.graph = std::shared_ptr<void>(graph, [d](void* g) { d->DestroyGraph(g); });
    } else {
      slot.eager = true;
    }
  }
  if (slot.graph)
    device.Replay(m.stream(), slot.graph.get());
  else
    run();
}

}  // namespace odla_rt
