#include "passes/placement.h"

#include <sstream>

#include "ir/error.h"
#include "ir/op_registry.h"
#include "passes/device_tables.h"

namespace halo {
namespace {

bool IsOperator(const Node& n) { return n.op() != "Input" && n.op() != "Constant"; }

double Bytes(const Value* v) { return v ? static_cast<double>(v->type().ByteSize()) : 0; }

}  // namespace

DeviceTable ParseDeviceTable(const std::string& text, const std::string& where) {
  DeviceTable t;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string key;
    if (!(words >> key)) continue;
    auto bad = [&](const std::string& why) {
      return Err(where, ":", number, ": ", why, " in '", line, "'");
    };
    if (key == "device") {
      if (!(words >> t.name)) throw bad("no device name");
    } else if (key == "ops") {
      std::string op;
      while (words >> op) {
        if (op == "*")
          t.all_ops = true;
        else if (!OpRegistry::Get().Find(op))
          throw bad("unknown op '" + op + "'");
        else
          t.ops.insert(op);
      }
    } else {
      double* field = key == "gflops"        ? &t.gflops
                      : key == "gbps"        ? &t.gbps
                      : key == "host_gflops" ? &t.host_gflops
                      : key == "host_gbps"   ? &t.host_gbps
                      : key == "link_gbps"   ? &t.link_gbps
                                             : nullptr;
      if (!field) throw bad("unknown key '" + key + "'");
      if (!(words >> *field) || *field <= 0) throw bad("'" + key + "' needs a positive number");
    }
  }
  if (t.name.empty()) throw Err(where, ": no 'device NAME' line");
  return t;
}

DeviceTable BuiltinDeviceTable(const std::string& name) {
  if (const char* text = BuiltinDeviceTableText(name))
    return ParseDeviceTable(text, "the built-in table of '" + name + "'");
  throw Err("unknown device '", name, "' (built in: ", BuiltinDeviceNames(),
            "; or give --device-table FILE)");
}

std::map<const Node*, bool> PlaceNodes(const Graph& g, const DeviceTable& device,
                                       const std::map<std::string, bool>& place) {
  std::map<std::string, const Node*> by_name;
  for (const auto& n : g.nodes())
    if (IsOperator(*n)) by_name[n->name()] = n.get();
  for (const auto& [name, dev] : place) {
    auto it = by_name.find(name);
    if (it == by_name.end()) throw Err("--place: the model has no operator node '", name, "'");
    if (dev && !device.Supports(it->second->op()))
      throw Err("--place: node '", name, "' (", it->second->op(), ") cannot run on device '",
                device.name, "': its runtime lacks the op");
  }
  std::map<const Node*, bool> on_device;
  std::set<const Value*> device_values;  // results computed on the device
  for (const auto& up : g.nodes()) {
    const Node& n = *up;
    if (!IsOperator(n)) continue;
    bool dev;
    auto forced = place.find(n.name());
    if (forced != place.end()) {
      dev = forced->second;
    } else if (!device.Supports(n.op())) {
      dev = false;
    } else {
      // Seconds on each side: compute, memory traffic, and moving the non-constant inputs
      // that live on the other side.
      double flops = n.def().flops ? n.def().flops(n) : 0, bytes = 0, to_dev = 0, to_host = 0;
      for (const Value* v : n.inputs()) {
        bytes += Bytes(v);
        if (!v || v->producer()->op() == "Constant") continue;
        (device_values.count(v) ? to_host : to_dev) += Bytes(v);
      }
      for (size_t i = 0; i < n.num_outputs(); ++i) bytes += Bytes(n.output(i));
      double on_dev = flops / (device.gflops * 1e9) + bytes / (device.gbps * 1e9) +
                      to_dev / (device.link_gbps * 1e9);
      double on_host = flops / (device.host_gflops * 1e9) + bytes / (device.host_gbps * 1e9) +
                       to_host / (device.link_gbps * 1e9);
      dev = on_dev <= on_host;
    }
    on_device[&n] = dev;
    if (dev)
      for (size_t i = 0; i < n.num_outputs(); ++i) device_values.insert(n.output(i));
  }
  return on_device;
}

Partition SplitGraph(const Graph& g, const std::string& device,
                     const std::map<const Node*, bool>& on_device) {
  Partition p;
  p.device = device;
  std::map<const Value*, size_t> part_of;  // operator results -> their part
  for (const auto& up : g.nodes()) {
    const Node& n = *up;
    if (!IsOperator(n)) continue;
    bool dev = on_device.at(&n);
    if (p.parts.empty() || p.parts.back().on_device != dev) p.parts.emplace_back().on_device = dev;
    p.parts.back().nodes.push_back(&n);
    for (size_t i = 0; i < n.num_outputs(); ++i) part_of[n.output(i)] = p.parts.size() - 1;
  }
  std::set<const Value*> outputs;
  for (const Value* v : g.outputs()) {
    if (!outputs.insert(v).second)
      throw Err("output '", v->name(), "' appears twice: the model cannot be partitioned");
    if (!part_of.count(v))
      throw Err("output '", v->name(), "' is a model input or a constant: the model cannot be ",
                "partitioned");
  }
  // The values each part needs from outside, and those later parts or the outputs need.
  std::vector<std::set<const Value*>> exported(p.parts.size());
  for (size_t k = 0; k < p.parts.size(); ++k) {
    Part& part = p.parts[k];
    std::set<const Value*> seen;
    for (const Node* n : part.nodes)
      for (const Value* v : n->inputs()) {
        if (!v || v->producer()->op() == "Constant" || !seen.insert(v).second) continue;
        auto it = part_of.find(v);
        if (it != part_of.end() && it->second == k) continue;
        if (v->type().HasDynamicDims())
          throw Err("value '", v->name(), "' has data-dependent dimensions and would cross ",
                    "parts: not supported yet (place its consumers with its producer)");
        part.inputs.push_back(v);
        if (it != part_of.end()) exported[it->second].insert(v);
      }
  }
  for (const Value* v : g.outputs()) exported[part_of.at(v)].insert(v);
  for (size_t k = 0; k < p.parts.size(); ++k) {
    Part& part = p.parts[k];
    for (const Node* n : part.nodes)  // in node order
      for (size_t i = 0; i < n->num_outputs(); ++i)
        if (exported[k].count(n->output(i))) part.outputs.push_back(n->output(i));
    if (part.on_device)
      for (const auto* list : {&part.inputs, &part.outputs})
        for (const Value* v : *list) p.transfer_bytes += v->type().ByteSize();
    // The part as a graph.
    auto sub = std::make_unique<Graph>(g.name() + "_part" + std::to_string(k));
    std::map<const Value*, Value*> map;
    for (const Value* v : part.inputs) map[v] = sub->AddInput(v->name(), v->type());
    for (const Node* n : part.nodes) {
      std::vector<Value*> ins;
      for (const Value* v : n->inputs()) {
        if (v && !map.count(v)) {  // a constant, copied into each part that uses it
          Value* c = sub->AddConstant(v->name(), v->producer()->GetTensor("value"));
          c->set_type(v->type());
          map[v] = c;
        }
        ins.push_back(v ? map.at(v) : nullptr);
      }
      Node* copy = sub->AddNode(n->op(), n->name(), ins, static_cast<int>(n->num_outputs()));
      for (const auto& [k2, a] : n->attrs()) copy->set_attr(k2, a);
      for (size_t i = 0; i < n->num_outputs(); ++i) {
        copy->output(i)->set_name(n->output(i)->name());
        copy->output(i)->set_type(n->output(i)->type());
        map[n->output(i)] = copy->output(i);
      }
    }
    for (const Value* v : part.outputs) sub->AddOutput(map.at(v));
    part.graph = std::move(sub);
  }
  return p;
}

}  // namespace halo
