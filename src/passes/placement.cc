#include "passes/placement.h"

#include <array>
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

namespace {

// The cost model: the seconds of one run for an assignment of the operators to the device or
// the host. Each operator costs its FLOPs and bytes at its side's throughputs; a value (not a
// constant: each part gets its own copy) costs one copy over the link to each side other than
// its producer's that uses it (graph inputs and outputs live on the host).
class CostModel {
 public:
  CostModel(const Graph& g, const std::vector<const Node*>& ops, const DeviceTable& t) : ops_(ops) {
    std::map<const Value*, size_t> index;
    auto value = [&](const Value* v) -> int {
      if (!v || v->producer()->op() == "Constant") return -1;
      auto [it, added] = index.emplace(v, values_.size());
      if (added) values_.push_back({Bytes(v) / (t.link_gbps * 1e9), -1, {}, false});
      return static_cast<int>(it->second);
    };
    for (size_t i = 0; i < ops.size(); ++i) {
      const Node& n = *ops[i];
      double flops = n.def().flops ? n.def().flops(n) : 0, bytes = 0;
      std::vector<int> touched;
      for (const Value* v : n.inputs()) {
        bytes += Bytes(v);
        int k = value(v);
        if (k >= 0) values_[k].consumers.push_back(static_cast<int>(i)), touched.push_back(k);
      }
      for (size_t o = 0; o < n.num_outputs(); ++o) {
        bytes += Bytes(n.output(o));
        int k = value(n.output(o));
        values_[k].producer = static_cast<int>(i);
        touched.push_back(k);
      }
      compute_.push_back({flops / (t.host_gflops * 1e9) + bytes / (t.host_gbps * 1e9),
                          flops / (t.gflops * 1e9) + bytes / (t.gbps * 1e9)});
      touches_.push_back(touched);
    }
    for (const Value* v : g.outputs())
      if (index.count(v)) values_[index[v]].output = true;
  }

  // Local search from `dev` (`fixed` operators keep their side): flips one operator at a
  // time while that lowers the cost. Returns the final cost.
  double Improve(std::vector<char>& dev, const std::vector<char>& fixed) const {
    for (bool better = true; better;) {
      better = false;
      for (size_t i = 0; i < ops_.size(); ++i) {
        if (fixed[i]) continue;
        double before = Local(dev, i);
        dev[i] = !dev[i];
        if (Local(dev, i) < before - 1e-15)
          better = true;
        else
          dev[i] = !dev[i];
      }
    }
    double total = 0;
    for (size_t i = 0; i < ops_.size(); ++i) total += compute_[i][dev[i]];
    for (const Val& v : values_) total += Moves(v, dev);
    return total;
  }

 private:
  struct Val {
    double link_s;  // one copy over the link
    int producer;   // operator index, -1 for a graph input
    std::vector<int> consumers;
    bool output;  // a graph output
  };
  double Moves(const Val& v, const std::vector<char>& dev) const {
    bool from_dev = v.producer >= 0 && dev[v.producer];
    bool to_host = from_dev && v.output, to_dev = false;
    for (int c : v.consumers) (dev[c] ? to_dev : to_host) = true;
    return v.link_s * ((from_dev ? to_host : to_dev) ? 1 : 0);
  }
  // The costs that operator i's side changes: its compute and the moves of its values.
  double Local(const std::vector<char>& dev, size_t i) const {
    double s = compute_[i][dev[i]];
    for (int k : touches_[i]) s += Moves(values_[k], dev);
    return s;
  }
  const std::vector<const Node*>& ops_;
  std::vector<std::array<double, 2>> compute_;  // per operator: host, device seconds
  std::vector<std::vector<int>> touches_;       // per operator: its values (may repeat)
  std::vector<Val> values_;
};

}  // namespace

std::map<const Node*, bool> PlaceNodes(const Graph& g, const DeviceTable& device,
                                       const std::map<std::string, bool>& place) {
  std::vector<const Node*> ops;
  std::map<std::string, const Node*> by_name;
  for (const auto& n : g.nodes())
    if (IsOperator(*n)) ops.push_back(n.get()), by_name[n->name()] = n.get();
  for (const auto& [name, dev] : place) {
    auto it = by_name.find(name);
    if (it == by_name.end()) throw Err("--place: the model has no operator node '", name, "'");
    if (dev && !device.Supports(it->second->op()))
      throw Err("--place: node '", name, "' (", it->second->op(), ") cannot run on device '",
                device.name, "': its runtime lacks the op");
  }
  // Two starts, all on the device (what it supports) and all on the host, each improved one
  // operator at a time; the cheaper wins, the device on a tie.
  std::vector<char> fixed(ops.size()), on_dev(ops.size()), on_host(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    auto forced = place.find(ops[i]->name());
    fixed[i] = forced != place.end() || !device.Supports(ops[i]->op());
    bool side = forced != place.end() ? forced->second : device.Supports(ops[i]->op());
    on_dev[i] = side;
    on_host[i] = fixed[i] && side;
  }
  CostModel model(g, ops, device);
  double dev_cost = model.Improve(on_dev, fixed), host_cost = model.Improve(on_host, fixed);
  const std::vector<char>& best = dev_cost <= host_cost ? on_dev : on_host;
  std::map<const Node*, bool> on_device;
  for (size_t i = 0; i < ops.size(); ++i) on_device[ops[i]] = best[i];
  return on_device;
}

Partition SplitGraph(const Graph& g, const std::string& device,
                     const std::map<const Node*, bool>& on_device, const BatchForms* forms) {
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
  // Outputs that are model inputs or constants come from the caller's or the weights' bytes.
  for (const Value* v : g.outputs())
    if (part_of.count(v)) exported[part_of.at(v)].insert(v);
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
      if (forms && forms->attrs.count(n)) part.forms.attrs[copy] = forms->attrs.at(n);
      for (size_t i = 0; i < n->num_outputs(); ++i) {
        copy->output(i)->set_name(n->output(i)->name());
        copy->output(i)->set_type(n->output(i)->type());
        map[n->output(i)] = copy->output(i);
      }
    }
    for (const Value* v : part.outputs) sub->AddOutput(map.at(v));
    if (forms)
      for (const auto& [v, copy] : map)
        if (forms->dims.count(v)) part.forms.dims[copy] = forms->dims.at(v);
    part.graph = std::move(sub);
  }
  return p;
}

}  // namespace halo
