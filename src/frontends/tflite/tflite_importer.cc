// TFLite -> IR: the subgraph walk, graph inputs and outputs, the handlers' helpers.
#include "frontends/tflite/tflite_importer.h"

#include <algorithm>
#include <sstream>

#include "passes/passes.h"

namespace halo::tflite_fe {

bool OpTable::Supports(int code, const std::string& custom_code, bool quantized) const {
  if (code == static_cast<int>(tflite::BuiltinOperator::CUSTOM)) return custom.count(custom_code);
  return quantized ? this->quantized.count(code) != 0 : builtin.count(code) != 0;
}

const OpTable& Ops() {
  static const OpTable table = [] {
    OpTable t;
    RegisterConvOps(t);
    RegisterElementwiseOps(t);
    RegisterTensorOps(t);
    RegisterIndexOps(t);
    RegisterReduceOps(t);
    RegisterSequenceOps(t);
    RegisterQuantOps(t);
    RegisterSvdfOps(t);
    return t;
  }();
  return table;
}

std::vector<int64_t> ToInts(const Tensor& t) { return t.ToInts(); }

Importer::Importer(const ModelFile& file, const tflite::SubGraph& sg, Graph& g)
    : file_(file), tensors_(file, sg), g_(g) {
  for (size_t i = 0; i < tensors_.size(); ++i)
    value_names_.push_back(g_.UniqueName(tensors_.Name(static_cast<int>(i))));
}

Value* Importer::ValueOf(int i, const std::string& user) {
  auto it = values_.find(i);
  if (it != values_.end()) return it->second;
  const Tensor* c = tensors_.Constant(i);
  if (!c) {
    if (tensors_.at(i).is_variable()) {  // a state tensor (LSTM): starts at zero
      Value* v =
          g_.AddConstant(ValueName(i), Tensor(Type(tensors_.Dtype(i), tensors_.GetShape(i))));
      values_[i] = v;
      return v;
    }
    throw Err(user, ": input tensor '", tensors_.Name(i),
              "' is neither a graph input, a constant nor the result of an earlier operator");
  }
  Value* v = g_.AddConstant(ValueName(i), *c);
  values_[i] = v;
  return v;
}

Value* Importer::StateInput(int i, Tensor initial) {
  Value* v = g_.AddInput(ValueName(i), initial.type());
  values_[i] = v;
  state_of_[i] = states_.size();
  states_.push_back({i, v, nullptr, std::move(initial)});
  return v;
}

void Importer::SetNewState(int i, Value* v) {
  PendingState& s = states_.at(state_of_.at(i));
  if (s.output)
    throw Err("variable tensor '", tensors_.Name(i), "' is the state of two operators, which is ",
              "not supported");
  s.output = v;
}

void Importer::AddStates() {
  for (PendingState& s : states_) {
    Value* v = s.output ? s.output : s.input;  // no new value: the state stays as it is
    if (v->producer()->op() == "Input" || v->producer()->op() == "Constant" ||
        std::count(g_.outputs().begin(), g_.outputs().end(), v)) {
      Node* n = g_.AddNode("Identity", g_.UniqueName(ValueName(s.tensor) + "/new"), {v});
      v = n->output();
      v->set_name(n->name());
    }
    g_.AddState(tensors_.Name(s.tensor), s.input, v, std::move(s.initial));
  }
}

bool Importer::IsQuantized(const tflite::Operator& op) const {
  auto quantized = [&](const flatbuffers::Vector<int32_t>* list) {
    if (!list) return false;
    for (int32_t i : *list) {
      if (i < 0) continue;
      tflite::TensorType t = tensors_.RawType(i);
      bool integer = t == tflite::TensorType::INT8 || t == tflite::TensorType::UINT8 ||
                     t == tflite::TensorType::INT16 || t == tflite::TensorType::INT4 ||
                     t == tflite::TensorType::INT32;
      if (integer && tensors_.Quant(i).present()) return true;
    }
    return false;
  };
  return quantized(op.inputs()) || quantized(op.outputs());
}

OpContext::OpContext(Importer& im, const tflite::Operator& op, int index, std::string op_name)
    : im_(im), op_(op), index_(index), op_name_(std::move(op_name)) {
  // Named after its first output (TFLite operators have no names of their own).
  int first = num_outputs() > 0 ? op_.outputs()->Get(0) : -1;
  node_name_ = first >= 0 && static_cast<size_t>(first) < tensors().size()
                   ? tensors().Name(first)
                   : op_name_ + "_" + std::to_string(index_);
}

int OpContext::num_inputs() const { return op_.inputs() ? op_.inputs()->size() : 0; }

int OpContext::input_index(int i) const {
  if (i < 0 || i >= num_inputs()) return -1;
  int t = op_.inputs()->Get(i);
  if (t >= 0) tensors().at(t);  // range check
  return t < 0 ? -1 : t;
}

Value* OpContext::In(int i) {
  int t = input_index(i);
  if (t < 0) Fail("input ", i, " is missing");
  try {
    return im_.ValueOf(t, "node '" + node_name_ + "' (" + op_name_ + ")");
  } catch (const Error& e) {
    std::string m = e.what();
    if (m.compare(0, 6, "node '") == 0) throw;
    Fail(m);
  }
}

const Tensor& OpContext::ConstIn(int i, const std::string& what) {
  int t = input_index(i);
  if (t < 0) Fail(what, " (input ", i, ") is missing");
  const Tensor* c = nullptr;
  try {
    c = tensors().Constant(t);
  } catch (const Error& e) {
    Fail(e.what());
  }
  if (!c) Fail(what, " (tensor '", tensors().Name(t), "') must be a constant");
  return *c;
}

int OpContext::num_outputs() const { return op_.outputs() ? op_.outputs()->size() : 0; }

int OpContext::output_index(int i) const {
  if (i < 0 || i >= num_outputs()) Fail("output ", i, " is missing");
  int t = op_.outputs()->Get(i);
  if (t < 0) Fail("output ", i, " has no tensor");
  tensors().at(t);
  return t;
}

void OpContext::SetOut(int i, Value* v) {
  int t = output_index(i);
  if (im_.IsBound(t)) Fail("tensor '", tensors().Name(t), "' is produced twice");
  v->set_name(im_.ValueName(t));
  im_.Bind(t, v);
}

Value* OpContext::StateIn(int i, Tensor initial) {
  int t = input_index(i);
  if (t < 0) Fail("input ", i, " is missing");
  if (im_.IsBound(t) || !tensors().at(t).is_variable() || tensors().Constant(t)) return In(i);
  return im_.StateInput(t, std::move(initial));
}

void OpContext::SetState(int i, Value* v) {
  int t = input_index(i);
  if (t < 0 || !im_.IsState(t)) return;
  try {
    im_.SetNewState(t, v);
  } catch (const Error& e) {
    Fail(e.what());
  }
}

Node* OpContext::Add(const std::string& ir_op, const std::vector<Value*>& inputs, int num_outputs) {
  Node* n = graph().AddNode(ir_op, im_.NewName(node_name_), inputs, num_outputs);
  for (size_t i = 0; i < n->num_outputs(); ++i)
    n->output(i)->set_name(i ? im_.NewName(n->name() + "_" + std::to_string(i)) : n->name());
  return n;
}

Value* OpContext::Const(Tensor t) {
  return graph().AddConstant(im_.NewName(node_name_ + "_c"), std::move(t));
}

Value* OpContext::Ints(const std::vector<int64_t>& v) {
  return Const(Tensor::FromInts(v, DataType::kInt64, {static_cast<int64_t>(v.size())}));
}

Value* OpContext::Scalar(DataType t, double v) { return Const(Tensor::Scalar(t, v)); }

Value* OpContext::Transpose(Value* v, const std::vector<int64_t>& perm) {
  Node* n = Add("Transpose", {v});
  n->set_attr("perm", perm);
  return n->output();
}

Value* OpContext::Reshape(Value* v, const std::vector<int64_t>& shape) {
  Node* n = Add("Reshape", {v, Ints(shape)});
  n->set_attr("allowzero", int64_t{1});  // TFLite: 0 is a zero dimension
  return n->output();
}

Value* OpContext::Cast(Value* v, DataType to) {
  Node* n = Add("Cast", {v});
  n->set_attr("to", static_cast<int64_t>(to));
  return n->output();
}

Value* OpContext::Activation(Value* v, tflite::ActivationFunctionType f) {
  using A = tflite::ActivationFunctionType;
  auto clip = [&](double lo, double hi) {
    DataType t = DataType::kFloat32;
    return Add1("Clip", {v, Scalar(t, lo), Scalar(t, hi)});
  };
  switch (f) {
    case A::NONE:
      return v;
    case A::RELU:
      return Add1("Relu", {v});
    case A::RELU6:
      return clip(0, 6);
    case A::RELU_N1_TO_1:
      return clip(-1, 1);
    case A::TANH:
      return Add1("Tanh", {v});
    default:
      Fail("fused activation ", tflite::EnumNameActivationFunctionType(f), " is not supported");
  }
}

namespace {

void ImportSubgraph(const ModelFile& file, const tflite::SubGraph& sg, const ImportOptions& opts,
                    Graph& g) {
  Importer im(file, sg, g);
  const TensorView& tv = im.tensors();
  tv.CheckBuffers();
  std::vector<Port> in_ports, out_ports;
  std::set<std::string> seen_inputs;
  if (sg.inputs())
    for (int32_t i : *sg.inputs()) {
      std::string name = tv.Name(i);
      if (tv.Constant(i)) continue;  // a constant listed as an input stays a constant
      Shape s = tv.GetShape(i);
      auto it = opts.input_shapes.find(name);
      if (it != opts.input_shapes.end()) {
        if (it->second.size() != s.size())
          throw Err("--input-shape ", name, ": rank ", it->second.size(), ", but the model's ",
                    "input has rank ", s.size());
        s = it->second;
      } else if (opts.batch_size > 0 && !s.empty()) {
        const auto* sig = tv.at(i).shape_signature();
        if (sig && sig->size() == s.size() && sig->Get(0) < 0) s[0] = opts.batch_size;
      }
      seen_inputs.insert(name);
      Value* v = g.AddInput(im.ValueName(i), Type(tv.Dtype(i), s));
      im.Bind(i, v);
      Port p;
      p.name = name;
      p.dtype = tv.Dtype(i);
      in_ports.push_back(p);
    }
  for (const auto& kv : opts.input_shapes)
    if (!seen_inputs.count(kv.first))
      throw Err("--input-shape: '", kv.first, "' is not an input of the model");
  if (!opts.const_inputs.empty()) throw Err("--const-input is not supported for TFLite models");
  const OpTable& table = Ops();
  if (sg.operators())
    for (flatbuffers::uoffset_t k = 0; k < sg.operators()->size(); ++k) {
      const tflite::Operator& op = *sg.operators()->Get(k);
      std::string name;
      int code;
      try {
        code = file.BuiltinCode(op.opcode_index());
        name = file.OpName(op.opcode_index());
      } catch (const Error& e) {
        throw Err("operator ", k, ": ", e.what());
      }
      OpContext ctx(im, op, static_cast<int>(k), name);
      Handler h = nullptr;
      if (code == static_cast<int>(tflite::BuiltinOperator::CUSTOM)) {
        auto it = table.custom.find(file.CustomCode(op.opcode_index()));
        if (it == table.custom.end()) ctx.Fail("custom operator is not supported");
        h = it->second;
      } else if (im.IsQuantized(op)) {
        auto it = table.quantized.find(code);
        if (it == table.quantized.end()) ctx.Fail("quantized ", name, " is not supported");
        h = it->second;
      } else {
        auto it = table.builtin.find(code);
        if (it == table.builtin.end()) ctx.Fail("operator is not supported");
        h = it->second;
      }
      try {
        h(ctx);
      } catch (const Error& e) {
        std::string m = e.what();
        if (m.compare(0, 6, "node '") == 0) throw;
        ctx.Fail(m);
      }
      for (int o = 0; o < ctx.num_outputs(); ++o)
        if (!im.IsBound(ctx.output_index(o))) ctx.Fail("output ", o, " was not produced");
    }
  if (!sg.outputs() || sg.outputs()->size() == 0) throw Err("the subgraph has no outputs");
  for (int32_t i : *sg.outputs()) {
    std::string name = tv.Name(i);
    Value* v = im.ValueOf(i, "output '" + name + "'");
    if (v->producer()->op() == "Input" || v->producer()->op() == "Constant" ||
        std::count(g.outputs().begin(), g.outputs().end(), v)) {
      Node* n = g.AddNode("Identity", g.UniqueName(name + "/out"), {v});
      v = n->output();
      v->set_name(n->name());
    }
    g.AddOutput(v);
    Port p;
    p.name = name;
    p.dtype = tv.Dtype(i);
    out_ports.push_back(p);
  }
  im.AddStates();
  g.set_ports(in_ports, out_ports);
  // With the model's own input shapes, each output must have the shape the model declares
  // (a wrong translation shows here, named, rather than as wrong numbers).
  if (!opts.input_shapes.empty() || opts.batch_size > 0) return;
  InferShapes(g);
  for (size_t k = 0; k < g.num_model_outputs(); ++k) {  // not the states
    int i = sg.outputs()->Get(static_cast<flatbuffers::uoffset_t>(k));
    const auto* sig = tv.at(i).shape_signature();  // -1: a dimension left open
    const Type& got = g.outputs()[k]->type();
    Shape want = tv.GetShape(i);
    if (!tv.at(i).shape() || !got.known || got.HasDynamicDims()) continue;
    bool same = got.shape.size() == want.size();
    for (size_t d = 0; same && d < want.size(); ++d)
      same = got.shape[d] == want[d] || (sig && sig->size() == want.size() && sig->Get(d) < 0);
    if (!same)
      throw Err("output '", tv.Name(i), "': HALO computes shape ", ShapeToString(got.shape),
                ", the model declares ", ShapeToString(want));
  }
}

}  // namespace
}  // namespace halo::tflite_fe

namespace halo {

std::unique_ptr<Graph> ImportTflite(const std::string& path, const ImportOptions& opts) {
  using namespace tflite_fe;
  ModelFile file(path);
  const tflite::SubGraph& sg = *file.model().subgraphs()->Get(0);
  std::string name = sg.name() && sg.name()->size() ? sg.name()->str() : "model";
  auto g = std::make_unique<Graph>(name);
  try {
    ImportSubgraph(file, sg, opts, *g);
  } catch (const Error& e) {
    throw Err(path, ": ", e.what());
  }
  return g;
}

std::string TfliteOperatorReport(const std::string& path) {
  using namespace tflite_fe;
  ModelFile file(path);
  const OpTable& table = Ops();
  struct Row {
    int count = 0;
    bool supported = true;
  };
  std::map<std::string, Row> rows;
  size_t total = 0, unsupported = 0;
  const auto* subgraphs = file.model().subgraphs();
  const tflite::SubGraph& sg = *subgraphs->Get(0);
  Graph scratch;
  Importer im(file, sg, scratch);
  if (sg.operators())
    for (const tflite::Operator* op : *sg.operators()) {
      std::string name;
      bool ok = false;
      try {
        int code = file.BuiltinCode(op->opcode_index());
        bool q = code != static_cast<int>(tflite::BuiltinOperator::CUSTOM) && im.IsQuantized(*op);
        name = file.OpName(op->opcode_index()) + (q ? " (quantized)" : "");
        ok = table.Supports(code, file.CustomCode(op->opcode_index()), q);
      } catch (const Error& e) {
        name = std::string("invalid: ") + e.what();
      }
      Row& r = rows[name];
      ++r.count;
      r.supported = ok;
      ++total;
      if (!ok) ++unsupported;
    }
  std::ostringstream os;
  os << "TFLite operators of " << path << " (subgraph 0 of " << subgraphs->size() << "): " << total
     << " operators, " << rows.size() << " kinds, " << unsupported << " not supported\n";
  size_t width = 8;
  for (const auto& kv : rows) width = std::max(width, kv.first.size());
  for (const auto& kv : rows) {
    std::string n = kv.first;
    n.resize(width, ' ');
    os << "  " << n << "  " << kv.second.count << "  "
       << (kv.second.supported ? "supported" : "NOT SUPPORTED") << "\n";
  }
  return os.str();
}

}  // namespace halo
