// Graphs of device ops: at a context's first execution, each maximal run of consecutive
// device ops (a segment) is captured into one graph of its device (Device::Capture), which
// later executions replay (Device::Replay) instead of launching the ops one by one. A
// context's device pointers do not change between executions (its memory is allocated once,
// constants are uploaded at build time), so the graph's recorded arguments stay right.
// Segments end at host ops (a ToHost copy among them: it waits for the device), at ToDevice
// copies (they read the caller's argument buffers, which may move between executions) and at
// ops marked not capturable (SetNotCapturable), which run on their own. A segment whose
// capture fails (the device cannot capture, or a kernel fails while capturing) runs op by op
// from then on. Off unless ODLA_GRAPHS=1 is in the environment: no graph has run on a GPU
// yet (docs/cuda.md).
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

// The end of the segment that starts at nodes[begin]: the index of the first node after it
// that a graph cannot hold; `begin` itself if nodes[begin] is such a node.
size_t SegmentEnd(const std::vector<OpNode>& nodes, size_t begin);

// Runs the segment that starts at node `begin` of a computation of `num_nodes` nodes on the
// context memory `m`'s stream: replays its graph, or captures one (the first time) and
// replays it, or calls run() (the capture failed once). run() runs the segment's kernels.
// The caller checks GraphsEnabled(), once per execution.
void RunSegment(Device& device, ValueMemory& m, size_t num_nodes, size_t begin,
                const std::function<void()>& run);

}  // namespace odla_rt
