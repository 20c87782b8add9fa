// The TensorFlow frontend: reads a frozen GraphDef (binary .pb or text .pbtxt), picks the
// sub-graph between the inputs and outputs, orders it topologically (rejecting cycles,
// missing inputs, unfrozen variables and unknown operators, each naming the node) and
// translates node by node into HALO IR. A Switch whose predicate is a constant (a frozen
// tf.cond, Keras' learning phase) takes one branch: the nodes of the other are not built.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "frontends/frontend.h"
#include "frontends/tensorflow/tf_importer.h"

namespace halo {
namespace tf_fe {
namespace {

bool EndsWith(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}

// A reference to a node's result: "node" (result 0), "node:N", "^node" (control).
struct Ref {
  std::string node;
  int index = 0;
  bool control = false;
};

Ref ParseRef(const std::string& s) {
  Ref r;
  r.control = !s.empty() && s[0] == '^';
  r.node = r.control ? s.substr(1) : s;
  size_t colon = r.node.rfind(':');
  if (!r.control && colon != std::string::npos && colon + 1 < r.node.size() &&
      r.node.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    r.index = std::stoi(r.node.substr(colon + 1));
    r.node.resize(colon);
  }
  return r;
}

// Text format: the file is not binary protobuf. Decided by the extension, else by content.
bool LooksLikeText(const std::string& path, const std::string& bytes) {
  if (EndsWith(path, ".pbtxt") || EndsWith(path, ".txt")) return true;
  if (EndsWith(path, ".pb")) return false;
  size_t i = bytes.find_first_not_of(" \t\r\n");
  return i != std::string::npos && bytes.compare(i, 4, "node") == 0;
}

halo_tf::GraphDef ReadGraph(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Err(path, ": cannot open the file");
  std::stringstream ss;
  ss << f.rdbuf();
  std::string bytes = ss.str();
  if (bytes.empty()) throw Err(path, ": not a TensorFlow GraphDef (the file is empty)");
  if (bytes.size() > INT_MAX) throw Err(path, ": the file is over 2 GB, more than protobuf reads");
  halo_tf::GraphDef g;
  if (LooksLikeText(path, bytes)) {
    google::protobuf::TextFormat::Parser parser;
    parser.AllowUnknownField(true);
    parser.AllowUnknownExtension(true);
    struct Collector : google::protobuf::io::ErrorCollector {
      std::string first;
      void AddError(int line, int col, const std::string& msg) override {
        if (first.empty())
          first = "line " + std::to_string(line + 1) + ":" + std::to_string(col + 1) + ": " + msg;
      }
    } errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(bytes, &g))
      throw Err(path, ": not a TensorFlow text GraphDef (", errors.first, ")");
  } else {
    google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                              static_cast<int>(bytes.size()));
    in.SetTotalBytesLimit(INT_MAX);
    if (!g.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
      throw Err(path, ": not a TensorFlow GraphDef (protobuf parsing failed: truncated or not a ",
                "GraphDef)");
  }
  if (g.node_size() == 0) throw Err(path, ": the GraphDef has no nodes");
  return g;
}

// Operators that only hold state: a graph using them is not frozen.
bool IsVariable(const std::string& op) {
  return op == "VariableV2" || op == "Variable" || op == "VarHandleOp" || op == "ReadVariableOp" ||
         op == "AssignVariableOp" || op == "Assign" || op == "VarIsInitializedOp";
}

// Glue without data results: never an output by default.
bool IsGlue(const std::string& op) {
  return op == "NoOp" || op == "Const" || op == "Placeholder" || op == "Assert" || op == "SaveV2" ||
         op == "RestoreV2";
}

class GraphImport {
 public:
  GraphImport(const std::string& path, const halo_tf::GraphDef& gd, const ImportOptions& opts,
              Graph& g)
      : path_(path), gd_(gd), opts_(opts), im_(g, path) {}

  void Run() {
    for (const auto& n : gd_.node()) {
      if (!by_name_.emplace(n.name(), &n).second)
        throw Err(path_, ": node '", n.name(), "' (", n.op(), "): the name is used twice");
    }
    for (const std::string& s : opts_.input_names) {
      if (!by_name_.count(s)) throw Err(path_, ": --inputs: no node '", s, "' in the graph");
      given_inputs_.insert(s);
    }
    std::vector<Ref> outputs = Outputs();
    Order(outputs);
    // The inputs first, in graph order (they depend on nothing), then the rest.
    auto is_input = [&](const halo_tf::NodeDef* n) {
      return n->op() == "Placeholder" || given_inputs_.count(n->name()) != 0;
    };
    std::stable_partition(order_.begin(), order_.end(), is_input);
    auto inputs_end = std::find_if_not(order_.begin(), order_.end(), is_input);
    std::unordered_map<const halo_tf::NodeDef*, int> position;
    for (int i = 0; i < gd_.node_size(); ++i) position[&gd_.node(i)] = i;
    std::sort(order_.begin(), inputs_end,
              [&](const auto* a, const auto* b) { return position.at(a) < position.at(b); });
    for (const halo_tf::NodeDef* n : order_) Translate(*n);
    for (const auto& [name, shape] : opts_.input_shapes) {
      bool found = false;
      for (const Value* v : im_.graph().inputs()) found = found || v->name() == name;
      if (!found) throw Err(path_, ": --input-shape: '", name, "' is not an input of the graph");
    }
    std::vector<Port> in_ports, out_ports;
    for (Value* v : im_.graph().inputs()) in_ports.push_back({v->name()});
    for (const Ref& r : outputs) {
      const auto& vals = values_.at(r.node);
      if (dead_.count(r.node) || (r.index < static_cast<int>(vals.size()) && !vals[r.index]))
        throw Err(path_, ": node '", r.node, "' (", by_name_.at(r.node)->op(), "): the output ",
                  "is on a branch its Switch does not take");
      if (r.index >= static_cast<int>(vals.size()))
        throw Err(path_, ": node '", r.node, "' (", by_name_.at(r.node)->op(), ") has no result ",
                  r.index);
      Value* v = vals[r.index];
      std::string name = r.index == 0 ? r.node : r.node + ":" + std::to_string(r.index);
      if (v->producer()->op() == "Input" || v->producer()->op() == "Constant" ||
          outputs_seen_.count(v)) {  // an output needs a node of its own
        TfNode tn{*by_name_.at(r.node), {}};
        tn.im = &im_;
        v = im_.Add(tn, "Identity", {v});
        name = im_.graph().UniqueName(name + "/output");
      }
      // A value passed through (Identity, Merge) takes the name of the node asked for.
      v->set_name(name);
      outputs_seen_.insert(v);
      im_.graph().AddOutput(v);
      out_ports.push_back({name});
    }
    im_.graph().set_ports(std::move(in_ports), std::move(out_ports));
  }

 private:
  const halo_tf::NodeDef& NodeOf(const std::string& name, const halo_tf::NodeDef* user) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) {
      if (!user) throw Err(path_, ": --outputs: no node '", name, "' in the graph");
      throw Err(path_, ": node '", user->name(), "' (", user->op(), "): its input '", name,
                "' is not a node of the graph");
    }
    return *it->second;
  }

  // --outputs, else the nodes whose results no other node reads.
  std::vector<Ref> Outputs() {
    std::vector<Ref> out;
    for (const std::string& s : opts_.output_names) {
      Ref r = ParseRef(s);
      NodeOf(r.node, nullptr);
      out.push_back(r);
    }
    if (!out.empty()) return out;
    std::set<std::string> read;
    for (const auto& n : gd_.node())
      for (const auto& i : n.input()) read.insert(ParseRef(i).node);
    for (const auto& n : gd_.node())
      if (!read.count(n.name()) && !IsGlue(n.op())) out.push_back({n.name()});
    if (out.empty()) throw Err(path_, ": the graph has no output (give --outputs)");
    return out;
  }

  // Depth-first from the outputs along data edges, stopping at --inputs: a topological
  // order of the nodes needed; a node met again while on the path closes a cycle.
  void Order(const std::vector<Ref>& outputs) {
    enum State { kNew, kOnPath, kDone };
    std::unordered_map<const halo_tf::NodeDef*, State> state;
    std::vector<std::pair<const halo_tf::NodeDef*, int>> stack;
    for (const Ref& r : outputs) {
      const halo_tf::NodeDef* root = &NodeOf(r.node, nullptr);
      if (state[root] == kDone) continue;
      stack.emplace_back(root, 0);
      state[root] = kOnPath;
      while (!stack.empty()) {
        auto& [n, next] = stack.back();
        bool leaf = given_inputs_.count(n->name()) != 0;
        if (!leaf && next < n->input_size()) {
          Ref in = ParseRef(n->input(next++));
          if (in.control) continue;
          const halo_tf::NodeDef* m = &NodeOf(in.node, n);
          if (state[m] == kOnPath)
            throw Err(path_, ": node '", m->name(), "' (", m->op(), "): the graph has a cycle ",
                      "through it (via node '", n->name(), "'); control flow loops are not ",
                      "supported");
          if (state[m] == kNew) {
            state[m] = kOnPath;
            stack.emplace_back(m, 0);
          }
          continue;
        }
        state[n] = kDone;
        order_.push_back(n);
        stack.pop_back();
      }
    }
    // Unfrozen variables are reported before translating any node.
    for (const halo_tf::NodeDef* n : order_) {
      if (given_inputs_.count(n->name())) continue;
      if (IsVariable(n->op()))
        throw Err(path_, ": node '", n->name(), "' (", n->op(), "): the graph is not frozen: ",
                  "variables hold state HALO cannot read; freeze it first (TensorFlow's ",
                  "freeze_graph or convert_variables_to_constants)");
    }
  }

  Shape InputShape(const TfNode& n) {
    auto given = opts_.input_shapes.find(n.name());
    if (given != opts_.input_shapes.end()) return given->second;
    const halo_tf::AttrValue* a = n.Find("shape");
    if (!a || a->value_case() != halo_tf::AttrValue::kShape || a->shape().unknown_rank())
      im_.Fail(n, "the input's shape is unknown; give it with --input-shape ", n.name(), ":DIMS");
    Shape s;
    for (const auto& d : a->shape().dim()) s.push_back(d.size());
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] >= 0) continue;
      if (i == 0 && opts_.batch_size > 0) {
        s[i] = opts_.batch_size;
        continue;
      }
      im_.Fail(n, "dimension ", i, " of the input's shape is unknown; give the shape with ",
               "--input-shape ", n.name(), ":DIMS", i == 0 ? " or --batch-size N" : "");
    }
    return s;
  }

  void Translate(const halo_tf::NodeDef& def) {
    TfNode n{def, {}};
    n.im = &im_;
    std::vector<Value*> results;
    auto frozen = opts_.const_inputs.find(def.name());
    if (frozen != opts_.const_inputs.end() &&
        (given_inputs_.count(def.name()) || def.op() == "Placeholder")) {
      results.push_back(im_.graph().AddConstant(def.name(), frozen->second));
    } else if (given_inputs_.count(def.name()) || def.op() == "Placeholder") {
      DataType t = n.Find("dtype") ? n.Type("dtype")
                   : n.Find("T")   ? n.Type("T")
                                   : DataType::kFloat32;
      results.push_back(im_.graph().AddInput(def.name(), halo::Type(t, InputShape(n))));
    } else if (def.op() == "Const") {
      const halo_tf::AttrValue* a = n.Find("value");
      if (!a || a->value_case() != halo_tf::AttrValue::kTensor)
        im_.Fail(n, "attribute 'value' (a tensor) is missing");
      try {
        results.push_back(im_.graph().AddConstant(im_.graph().UniqueName(def.name()),
                                                  TensorFromProto(a->tensor())));
      } catch (const Error& e) {
        im_.Fail(n, e.what());
      }
    } else {
      for (const auto& s : def.input()) {
        Ref r = ParseRef(s);
        if (r.control) continue;
        const auto& vals = values_.at(r.node);
        bool dead =
            dead_.count(r.node) || (r.index < static_cast<int>(vals.size()) && !vals[r.index]);
        if (dead && def.op() == "Merge") continue;  // Merge takes the branch taken
        if (dead) {  // on the branch a Switch does not take: not computed at all
          dead_.insert(def.name());
          values_[def.name()] = {};
          return;
        }
        if (r.index >= static_cast<int>(vals.size()))
          im_.Fail(n, "its input '", s, "' names result ", r.index, " of a node that has ",
                   vals.size());
        n.in.push_back(vals[r.index]);
      }
      auto translate = Translators().find(def.op());
      if (translate == Translators().end()) im_.Fail(n, "unsupported operator");
      size_t first = im_.graph().nodes().size();
      results = translate->second(im_, n);
      NameResults(def.name(), first, results);
    }
    values_[def.name()] = std::move(results);
  }

  // Result i of the node `name` takes the value name "name" (i = 0) or "name:i", swapping
  // names with the value of the nodes built for it (those from `first` on) that had it.
  void NameResults(const std::string& name, size_t first, const std::vector<Value*>& results) {
    const auto& nodes = im_.graph().nodes();
    for (size_t i = 0; i < results.size(); ++i) {
      Value* r = results[i];
      std::string want = i == 0 ? name : name + ":" + std::to_string(i);
      if (!r || r->name() == want) continue;
      bool own = false;
      for (size_t k = first; k < nodes.size() && !own; ++k) own = nodes[k].get() == r->producer();
      if (!own) continue;  // a value of an earlier node passed through (Identity)
      for (size_t k = first; k < nodes.size(); ++k)
        for (size_t o = 0; o < nodes[k]->num_outputs(); ++o)
          if (nodes[k]->output(o)->name() == want) nodes[k]->output(o)->set_name(r->name());
      r->set_name(want);
    }
  }

  const std::string& path_;
  const halo_tf::GraphDef& gd_;
  const ImportOptions& opts_;
  Importer im_;
  std::unordered_map<std::string, const halo_tf::NodeDef*> by_name_;
  std::set<std::string> given_inputs_;
  std::vector<const halo_tf::NodeDef*> order_;
  std::unordered_map<std::string, std::vector<Value*>> values_;
  std::set<std::string> dead_;  // nodes on branches their Switch does not take
  std::set<const Value*> outputs_seen_;
};

}  // namespace

const TranslatorMap& Translators() {
  static const TranslatorMap m = [] {
    TranslatorMap t;
    AddMathTranslators(t);
    AddNnTranslators(t);
    AddArrayTranslators(t);
    AddRnnTranslators(t);
    return t;
  }();
  return m;
}

}  // namespace tf_fe

bool LooksLikeTensorFlow(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char head[64] = {};
  f.read(head, sizeof(head));
  std::string b(head, static_cast<size_t>(f.gcount()));
  size_t i = b.find_first_not_of(" \t\r\n");
  if (i != std::string::npos && b.compare(i, 4, "node") == 0) return true;
  // Binary: field 1 (node), a length varint, then field 1 of the NodeDef (name).
  if (b.size() < 3 || b[0] != 0x0a) return false;
  size_t k = 1;
  while (k < b.size() && k < 6 && (static_cast<unsigned char>(b[k]) & 0x80)) ++k;
  return k + 1 < b.size() && b[k + 1] == 0x0a;
}

std::unique_ptr<Graph> ImportTensorFlow(const std::string& path, const ImportOptions& opts) {
  halo_tf::GraphDef gd = tf_fe::ReadGraph(path);
  std::string base = path.substr(path.find_last_of('/') + 1);
  auto g = std::make_unique<Graph>(base.substr(0, base.find('.')));
  try {
    tf_fe::GraphImport(path, gd, opts, *g).Run();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Err(path, ": ", e.what());
  }
  return g;
}

}  // namespace halo
