// Graphs of device ops: each maximal run of consecutive device ops (a segment) runs op by op
// at a context's first execution (which lets libraries make their lazy allocations and
// plans, which a capture may not), is captured into one graph of its device
// (Device::Capture) at the second and replayed (Device::Replay) from then on, instead of
// launching the ops one by one. A context's device pointers do not change between
// executions (its memory is allocated once, constants are uploaded at build time), so the
// graph's recorded arguments stay right. Segments end at host ops (a ToHost copy among them:
// it waits for the device), at ToDevice copies (they read the caller's argument buffers,
// which may move between executions), at ops marked not capturable (SetNotCapturable) and at
// ops whose own capture failed. When a segment's capture fails (the device cannot capture,
// or a kernel fails while capturing), each of its ops is captured alone once to find those
// that cannot be: they run on their own from then on, and the rest form new segments (all of
// them run on their own when none fails alone). Off unless ODLA_GRAPHS=1 is in the
// environment (docs/cuda.md).
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "arena.h"
#include "device.h"
#include "runtime.h"

namespace odla_rt {

// Whether graphs are enabled: ODLA_GRAPHS is "1" (read at each call).
bool GraphsEnabled();

// The end of the segment that starts at nodes[begin] for the context memory `m`: the index of
// the first node after it that a graph cannot hold; `begin` itself if nodes[begin] is such a
// node.
size_t SegmentEnd(const std::vector<OpNode>& nodes, const ValueMemory& m, size_t begin);

// Runs the segment [begin, end) (end > begin) of a computation of `num_nodes` nodes on the
// context memory `m`'s stream: op by op the first time, then captured and replayed (or op by
// op again where captures failed). run(j) runs node j's kernel. The caller checks
// GraphsEnabled(), once per execution.
void RunSegment(Device& device, ValueMemory& m, size_t num_nodes, size_t begin, size_t end,
                const std::function<void(size_t)>& run);

}  // namespace odla_rt
