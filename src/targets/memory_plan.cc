#include "targets/memory_plan.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "ir/op_registry.h"
#include "targets/lowering.h"

namespace halo {
namespace {

int64_t AlignUp(int64_t n, int64_t a) { return (n + a - 1) / a * a; }

bool IsSource(const Node& n) { return n.op() == "Input" || n.op() == "Constant"; }

// Whether a value of node `n` gets a place in the arena.
bool Plannable(const Value* v, const std::set<const Value*>& outputs) {
  const Type& t = v->type();
  return t.known && !t.HasDynamicDims() && t.ByteSize() > 0 && !outputs.count(v);
}

// The buffer of result 0 of `n` (step `step`) if it can share one of its inputs', else -1.
int SharedBuffer(const Node& n, int step, const MemoryPlan& plan) {
  const OpDef& d = n.def();
  const Value* out = n.output(0);
  if (d.view && n.input(0) && plan.Planned(n.input(0)) &&
      n.input(0)->type().ByteSize() == out->type().ByteSize())
    return plan.buffer_of.at(n.input(0));
  for (int i : d.in_place) {
    const Value* in = n.input(i);
    if (!in || !plan.Planned(in) || !(in->type() == out->type())) continue;
    int b = plan.buffer_of.at(in);
    if (plan.buffers[b].last <= step) return b;  // nothing reads the buffer after this node
  }
  return -1;
}

// Places the buffers in `order` (greedy first fit): each goes at the lowest offset where it
// overlaps no already placed buffer whose lifetime meets its own. Returns the arena size.
int64_t Place(std::vector<MemoryPlan::Buffer>& bufs, const std::vector<int>& order, int64_t align) {
  std::vector<int> placed;
  int64_t arena = 0;
  for (int b : order) {
    MemoryPlan::Buffer& buf = bufs[b];
    std::vector<int> meet;
    for (int p : placed)
      if (bufs[p].first <= buf.last && buf.first <= bufs[p].last) meet.push_back(p);
    std::sort(meet.begin(), meet.end(),
              [&](int x, int y) { return bufs[x].offset < bufs[y].offset; });
    int64_t at = 0, size = AlignUp(buf.bytes, align);
    for (int p : meet) {
      if (bufs[p].offset >= at + size) break;
      at = std::max(at, AlignUp(bufs[p].offset + bufs[p].bytes, align));
    }
    buf.offset = at;
    arena = std::max(arena, AlignUp(at + buf.bytes, align));
    placed.push_back(b);
  }
  return arena;
}

}  // namespace

size_t MemoryPlan::NumShared() const {
  size_t n = 0;
  for (const Buffer& b : buffers) n += b.values.size() - 1;
  return n;
}

MemoryPlan PlanMemory(const Graph& g, int64_t alignment) {
  MemoryPlan plan;
  plan.alignment = alignment;
  const auto& nodes = g.nodes();
  const std::set<const Value*> outputs(g.outputs().begin(), g.outputs().end());
  std::map<const Value*, int> last_read;
  for (size_t s = 0; s < nodes.size(); ++s)
    for (size_t i = 0; i < nodes[s]->num_inputs(); ++i)
      if (nodes[s]->input(i) && LowersInput(nodes[s]->def(), i))
        last_read[nodes[s]->input(i)] = static_cast<int>(s);

  for (size_t s = 0; s < nodes.size(); ++s) {
    const Node& n = *nodes[s];
    if (IsSource(n) || !n.def().lowered) continue;
    int step = static_cast<int>(s);
    for (size_t k = 0; k < n.num_outputs(); ++k) {
      const Value* v = n.output(k);
      if (!Plannable(v, outputs)) continue;
      int b = k == 0 ? SharedBuffer(n, step, plan) : -1;
      if (b < 0) {
        b = static_cast<int>(plan.buffers.size());
        plan.buffers.emplace_back();
        plan.buffers.back().first = plan.buffers.back().last = step;
      }
      MemoryPlan::Buffer& buf = plan.buffers[b];
      auto r = last_read.find(v);
      buf.last = std::max(buf.last, r == last_read.end() ? step : r->second);
      buf.bytes = std::max(buf.bytes, static_cast<int64_t>(v->type().ByteSize()));
      buf.values.push_back(v);
      plan.buffer_of[v] = b;
    }
  }

  std::vector<int64_t> delta(nodes.size() + 1, 0);
  for (const auto& b : plan.buffers) {
    delta[b.first] += b.bytes;
    delta[b.last + 1] -= b.bytes;
  }
  int64_t live = 0;
  for (int64_t d : delta) plan.lower_bound = std::max(plan.lower_bound, live += d);

  // Largest first; among equals, the earlier first.
  std::vector<int> order(plan.buffers.size());
  std::iota(order.begin(), order.end(), 0);
  const auto& bufs = plan.buffers;
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
    if (bufs[x].bytes != bufs[y].bytes) return bufs[x].bytes > bufs[y].bytes;
    return bufs[x].first < bufs[y].first;
  });
  plan.arena_bytes = Place(plan.buffers, order, alignment);
  return plan;
}

}  // namespace halo
