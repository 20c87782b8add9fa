// The static memory plan: the intermediate values of a graph share one arena whose layout
// is fixed at compile time by liveness analysis over the node order.
//
// A value is planned when a node computes it (not an input or constant), it is not a graph
// output and its size is static and non-zero. Each planned value belongs to one buffer:
// a view (OpDef::view, e.g. Reshape) shares its input's buffer, and a result may take the
// buffer of an input that its op lists in OpDef::in_place when it has the input's type and
// no later node reads that buffer. A buffer lives from the step of the node that first writes
// it to the last step that reads it (steps are node positions); buffers whose lifetimes meet
// get disjoint byte ranges.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "ir/graph.h"

namespace halo {

struct MemoryPlan {
  struct Buffer {
    int64_t offset = 0;                // in the arena, a multiple of the alignment
    int64_t bytes = 0;                 // the largest of its values
    int first = 0;                     // the step of the node that first writes it
    int last = 0;                      // the last step that reads it (first if none)
    std::vector<const Value*> values;  // in the order of their nodes
  };
  std::vector<Buffer> buffers;
  std::map<const Value*, int> buffer_of;  // planned value -> index in `buffers`
  int64_t arena_bytes = 0;                // the end of the highest buffer, aligned
  // The largest total of the bytes of the buffers live at one step: no layout of these
  // buffers fits in less.
  int64_t lower_bound = 0;
  int64_t alignment = 64;

  bool Planned(const Value* v) const { return buffer_of.count(v) != 0; }
  int64_t OffsetOf(const Value* v) const { return buffers[buffer_of.at(v)].offset; }
  // The values that share a buffer with an earlier value (views and in-place results).
  size_t NumShared() const;
};

// Plans the graph in its node order; `alignment` is a power of two.
MemoryPlan PlanMemory(const Graph& g, int64_t alignment = 64);

}  // namespace halo
