// Placement (docs/heterogeneous.md): which operators of a graph run on the device and which
// on the host, and the graph split into parts, one computation each, in node order.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ir/batch_forms.h"
#include "ir/graph.h"

namespace halo {

// What the compiler knows of a device runtime: the ops it implements and the throughputs of
// the cost model (compute in GFLOP/s, memory in GB/s, for the device and the host, and the
// host <-> device link in GB/s).
struct DeviceTable {
  std::string name;
  bool all_ops = false;       // "ops *": every op
  std::set<std::string> ops;  // else these
  double gflops = 1, gbps = 1, host_gflops = 1, host_gbps = 1, link_gbps = 1;
  bool Supports(const std::string& op) const { return all_ops || ops.count(op) != 0; }
};

// Parses a device table (lines "KEY VALUE...", '#' comments; keys: device, ops, gflops, gbps,
// host_gflops, host_gbps, link_gbps). `where` names the source in errors. Throws Error.
DeviceTable ParseDeviceTable(const std::string& text, const std::string& where);
// The built-in table of device NAME ("sim", "cuda"); throws Error naming the known ones.
DeviceTable BuiltinDeviceTable(const std::string& name);

// One part: consecutive operators on one side, and the values that cross into and out of it
// (graph inputs and results of earlier parts; results that later parts or the graph's
// outputs use), as values of the whole graph.
struct Part {
  bool on_device = false;
  std::vector<const Node*> nodes;
  std::vector<const Value*> inputs, outputs;
  // The part as a graph of its own: inputs and outputs in the orders above, constants
  // copied in, nodes and values named as in the whole graph.
  std::unique_ptr<Graph> graph;
  // --dynamic-batch: the whole graph's batch forms of the part graph's values and nodes.
  BatchForms forms;
};

struct Partition {
  std::string device;
  std::vector<Part> parts;
  // Bytes copied between host and device memory per run: the values that cross parts live
  // in host memory, so every input and output of a device part.
  int64_t transfer_bytes = 0;
};

// The placement pass: every operator on the device unless the table lacks its op, or the
// cost model finds it cheaper on the host (its FLOPs and bytes at the host's throughputs
// against the device's plus moving its inputs that are on the host), or `place` (node name
// -> true for the device) says otherwise. Throws Error for a node in `place` that the graph
// lacks, or one forced onto a device that lacks its op.
std::map<const Node*, bool> PlaceNodes(const Graph& g, const DeviceTable& device,
                                       const std::map<std::string, bool>& place);

// Splits `g` into parts of consecutive operators with the same placement. A graph output
// that is not the result of an operator (an input or a constant) is no part's output: the
// caller copies it. With `forms` (--dynamic-batch: g's), each part gets them for its graph.
Partition SplitGraph(const Graph& g, const std::string& device,
                     const std::map<const Node*, bool>& on_device,
                     const BatchForms* forms = nullptr);

}  // namespace halo
