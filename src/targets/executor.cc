#include "targets/executor.h"

#include <odla/odla.h>

#include <functional>
#include <map>
#include <unordered_map>
#include <utility>

#include "ir/op_registry.h"
#include "targets/lowering.h"
#include "targets/memory_plan.h"

namespace halo {
namespace {

// One lowered argument converted to the C types of the ODLA API.
struct CArg {
  odla_value v = nullptr;
  odla_values vs{};
  odla_int64 i = 0;
  odla_float32 f = 0;
  const char* s = nullptr;
  odla_ints ints{};
  odla_floats floats{};
  odla_element_type dt = ODLA_FLOAT32;
  odla_value_type t{};
  odla_value_types ts{};
};

template <typename P>
P Pick(const CArg& a);
template <>
[[maybe_unused]] odla_value Pick(const CArg& a) {
  return a.v;
}
template <>
[[maybe_unused]] odla_values Pick(const CArg& a) {
  return a.vs;
}
template <>
[[maybe_unused]] odla_int64 Pick(const CArg& a) {
  return a.i;
}
template <>
[[maybe_unused]] odla_float32 Pick(const CArg& a) {
  return a.f;
}
template <>
[[maybe_unused]] const char* Pick(const CArg& a) {
  return a.s;
}
template <>
[[maybe_unused]] odla_ints Pick(const CArg& a) {
  return a.ints;
}
template <>
[[maybe_unused]] odla_floats Pick(const CArg& a) {
  return a.floats;
}
template <>
[[maybe_unused]] odla_element_type Pick(const CArg& a) {
  return a.dt;
}
template <>
[[maybe_unused]] odla_value_type Pick(const CArg& a) {
  return a.t;
}
template <>
[[maybe_unused]] odla_value_types Pick(const CArg& a) {
  return a.ts;
}

odla_values AsValues(odla_value v) {
  odla_values r{};
  r.size = v ? 1 : 0;
  r.values[0] = v;
  return r;
}
[[maybe_unused]] odla_values AsValues(const odla_values& v) { return v; }

using Invoker = std::function<odla_values(const std::vector<CArg>&)>;

template <typename R, typename... P, size_t... I>
odla_values CallWith(R (*f)(P...), const std::vector<CArg>& a, std::index_sequence<I...>) {
  return AsValues(f(Pick<P>(a[I])...));
}

template <typename R, typename... P>
std::pair<Invoker, size_t> MakeInvoker(R (*f)(P...)) {
  return {
      [f](const std::vector<CArg>& a) { return CallWith(f, a, std::index_sequence_for<P...>{}); },
      sizeof...(P)};
}

const std::map<std::string, std::pair<Invoker, size_t>>& Builders() {
  static const auto* table = new std::map<std::string, std::pair<Invoker, size_t>>{
#define ODLA_OP(NAME) {"odla_" #NAME, MakeInvoker(&odla_##NAME)},
#include "targets/odla_op_table.inc"
#undef ODLA_OP
  };
  return *table;
}

static_assert(kOdlaMaxDims == ODLA_MAX_DIMS && kOdlaMaxInts == ODLA_MAX_INTS &&
                  kOdlaMaxInts == ODLA_MAX_FLOATS && kOdlaMaxValues == ODLA_MAX_VALUES,
              "lowering.h's limits are odla.h's");

odla_value_type ToOdla(const Type& t) {
  CheckOdlaRank(t);
  odla_value_type r{};
  r.element_type = static_cast<odla_element_type>(t.dtype);
  r.shape.size = t.Rank();
  for (int i = 0; i < t.Rank(); ++i) r.shape.dims[i] = t.shape[i];
  return r;
}

Error OdlaError(const std::string& what) {
  std::string text = odla_GetLastErrorText();
  return Err(what, text.empty() ? "" : ": " + text);
}

// Builds the ODLA call for `call` with values looked up in `vals`.
std::vector<odla_value> Invoke(const OdlaCall& call,
                               const std::unordered_map<const Value*, odla_value>& vals) {
  auto it = Builders().find(call.func);
  if (it == Builders().end()) throw Err("the runtime has no builder ", call.func);
  auto lookup = [&](const Value* v) -> odla_value {
    if (!v) return nullptr;
    auto f = vals.find(v);
    if (f == vals.end()) throw Err("value '", v->name(), "' is used before it is defined");
    return f->second;
  };
  std::vector<CArg> args;
  for (const OdlaArg& a : call.args) {
    CArg c;
    switch (a.kind) {
      case OdlaArg::Kind::kValue:
        c.v = lookup(a.value);
        break;
      case OdlaArg::Kind::kValues:
        c.vs.size = static_cast<int32_t>(a.values.size());
        for (size_t i = 0; i < a.values.size(); ++i) c.vs.values[i] = lookup(a.values[i]);
        break;
      case OdlaArg::Kind::kInt:
        c.i = a.i;
        break;
      case OdlaArg::Kind::kDType:
        c.dt = static_cast<odla_element_type>(a.i);
        break;
      case OdlaArg::Kind::kFloat:
        c.f = static_cast<float>(a.f);
        break;
      case OdlaArg::Kind::kString:
        c.s = a.s.c_str();
        break;
      case OdlaArg::Kind::kInts:
        c.ints.size = static_cast<int32_t>(a.ints.size());
        for (size_t i = 0; i < a.ints.size(); ++i) c.ints.data[i] = a.ints[i];
        break;
      case OdlaArg::Kind::kFloats:
        c.floats.size = static_cast<int32_t>(a.floats.size());
        for (size_t i = 0; i < a.floats.size(); ++i)
          c.floats.data[i] = static_cast<float>(a.floats[i]);
        break;
      case OdlaArg::Kind::kType:
        c.t = ToOdla(a.types.at(0));
        break;
      case OdlaArg::Kind::kTypes:
        c.ts.size = static_cast<int32_t>(a.types.size());
        for (size_t i = 0; i < a.types.size(); ++i) c.ts.types[i] = ToOdla(a.types[i]);
        break;
    }
    args.push_back(c);
  }
  CArg id;
  id.s = call.id.c_str();
  args.push_back(id);
  if (args.size() != it->second.second)
    throw Err(call.func, " takes ", it->second.second, " arguments but the lowering made ",
              args.size(), " (odla_ops.h is out of date)");
  odla_values r = it->second.first(args);
  if (r.size == 0 || !r.values[0]) throw OdlaError(call.func + " failed");
  return std::vector<odla_value>(r.values, r.values + r.size);
}

// A buffer for result type `t`: for data-dependent dimensions, their bounds.
Tensor BoundBuffer(const Type& t) { return Tensor(Type(t.dtype, t.shape)); }

// Output i of the execution in `ctx` with its actual shape: its first elements in `buffer`
// (the bound) when that shape is data-dependent.
Tensor ActualOutput(odla_context ctx, int i, const Type& t, Tensor buffer) {
  if (!t.HasDynamicDims()) return buffer;
  odla_value_shape s;
  if (odla_GetOutputShape(ctx, i, &s) != ODLA_SUCCESS) throw OdlaError("odla_GetOutputShape");
  Type actual(t.dtype, Shape(s.dims, s.dims + s.size));
  if (actual.ByteSize() > buffer.byte_size())
    throw Err("the runtime reports shape ", actual.ToString(), " beyond the bound ", t.ToString());
  return Tensor(actual, std::vector<uint8_t>(buffer.bytes(), buffer.bytes() + actual.ByteSize()));
}

}  // namespace

struct Executor::Impl {
  odla_computation comp = nullptr;
  std::vector<Type> out_types;
  ~Impl() {
    if (comp) odla_DestroyComputation(comp);
  }
};

Executor::Executor(const Graph& g, Precision precision)
    : graph_(g), impl_(std::make_unique<Impl>()) {
  if (odla_CreateComputation(&impl_->comp) != ODLA_SUCCESS)
    throw OdlaError("odla_CreateComputation");
  const odla_precision requested = precision == Precision::kBf16   ? ODLA_PRECISION_BF16
                                   : precision == Precision::kTf32 ? ODLA_PRECISION_TF32
                                                                   : ODLA_PRECISION_FP32;
  if (requested != ODLA_PRECISION_FP32 &&
      odla_SetComputationPrecision(impl_->comp, requested) != ODLA_SUCCESS)
    throw OdlaError("odla_SetComputationPrecision");
  std::unordered_map<const Value*, odla_value> vals;
  for (const auto& up : g.nodes()) {
    const Node& n = *up;
    try {
      if (n.op() == "Input") {
        vals[n.output()] =
            odla_CreateArgument(ToOdla(n.output()->type()), n.output()->name().c_str());
      } else if (n.op() == "Constant") {
        const Tensor& t = n.GetTensor("value");
        vals[n.output()] =
            odla_CreateConstant(ToOdla(t.type()), t.bytes(), n.output()->name().c_str());
      } else {
        auto outs = Invoke(LowerNode(n), vals);
        for (size_t i = 0; i < outs.size() && i < n.num_outputs(); ++i) vals[n.output(i)] = outs[i];
        continue;
      }
    } catch (const Error& e) {
      throw Err("node '", n.name(), "' (", n.op(), "): ", e.what());
    }
    if (!vals[n.output()]) throw OdlaError("node '" + n.name() + "' (" + n.op() + ")");
  }
  for (const Value* o : g.outputs()) {
    if (odla_SetValueAsOutput(vals.at(o)) != ODLA_SUCCESS) throw OdlaError("odla_SetValueAsOutput");
    impl_->out_types.push_back(o->type());
  }
  MemoryPlan plan = PlanMemory(g);
  if (plan.buffers.empty()) return;
  if (odla_SetComputationArenaSize(impl_->comp, plan.arena_bytes) != ODLA_SUCCESS)
    throw OdlaError("odla_SetComputationArenaSize");
  for (const auto& [v, b] : plan.buffer_of)
    if (odla_SetValueArenaOffset(vals.at(v), plan.buffers[b].offset) != ODLA_SUCCESS)
      throw OdlaError("odla_SetValueArenaOffset");
}

Executor::~Executor() = default;

std::vector<Tensor> Executor::Run(const std::vector<Tensor>& given) {
  const auto& gin = graph_.inputs();
  // The model's states (Graph::State) start at their initial values: one call from the start.
  std::vector<Tensor> with_states;
  graph_.CheckStates();
  bool states = !graph_.states().empty() && given.size() == graph_.num_model_inputs();
  if (states) {
    with_states = given;
    for (const State& s : graph_.states()) with_states.push_back(s.initial);
  }
  const std::vector<Tensor>& inputs = states ? with_states : given;
  if (inputs.size() != gin.size())
    throw Err("the model takes ", gin.size(), " inputs, got ", inputs.size());
  odla_SetCurrentComputation(impl_->comp);
  odla_context ctx = nullptr;
  if (odla_CreateContext(&ctx) != ODLA_SUCCESS) throw OdlaError("odla_CreateContext");
  std::unique_ptr<_odla_context, odla_status (*)(odla_context)> guard(ctx, odla_DestroyContext);
  for (size_t i = 0; i < gin.size(); ++i) {
    if (inputs[i].type() != gin[i]->type())
      throw Err("input '", gin[i]->name(), "' must be ", gin[i]->type().ToString(), ", got ",
                inputs[i].type().ToString());
    odla_BindToArgument(ctx, static_cast<int>(i), inputs[i].bytes());
  }
  std::vector<Tensor> outs;
  for (size_t i = 0; i < impl_->out_types.size(); ++i) {
    outs.push_back(BoundBuffer(impl_->out_types[i]));
    odla_BindToOutput(ctx, static_cast<int>(i), outs.back().mutable_bytes());
  }
  if (odla_ExecuteComputation(impl_->comp, ctx) != ODLA_SUCCESS)
    throw OdlaError("execution failed");
  for (size_t i = 0; i < outs.size(); ++i)
    outs[i] = ActualOutput(ctx, static_cast<int>(i), impl_->out_types[i], std::move(outs[i]));
  if (states) outs.resize(graph_.num_model_outputs());  // the new states are left out
  return outs;
}

std::vector<Tensor> EvaluateNode(const Node& n, const std::vector<const Tensor*>& inputs) {
  odla_computation comp = nullptr;
  if (odla_CreateComputation(&comp) != ODLA_SUCCESS) throw OdlaError("odla_CreateComputation");
  std::unique_ptr<_odla_computation, odla_status (*)(odla_computation)> guard(
      comp, odla_DestroyComputation);
  std::unordered_map<const Value*, odla_value> vals;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) continue;
    odla_value v = odla_CreateConstant(ToOdla(inputs[i]->type()), inputs[i]->bytes(), nullptr);
    if (!v) throw OdlaError("odla_CreateConstant");
    vals[n.input(i)] = v;
  }
  auto outs = Invoke(LowerNode(n), vals);
  for (odla_value v : outs)
    if (odla_SetValueAsOutput(v) != ODLA_SUCCESS) throw OdlaError("odla_SetValueAsOutput");
  odla_context ctx = nullptr;
  if (odla_CreateContext(&ctx) != ODLA_SUCCESS) throw OdlaError("odla_CreateContext");
  std::unique_ptr<_odla_context, odla_status (*)(odla_context)> cguard(ctx, odla_DestroyContext);
  std::vector<Tensor> results;
  for (size_t i = 0; i < outs.size(); ++i) {
    results.push_back(BoundBuffer(n.output(i)->type()));
    odla_BindToOutput(ctx, static_cast<int>(i), results.back().mutable_bytes());
  }
  if (odla_ExecuteComputation(comp, ctx) != ODLA_SUCCESS) throw OdlaError("execution failed");
  for (size_t i = 0; i < results.size(); ++i)  // folding gives a static constant
    results[i] = ActualOutput(ctx, static_cast<int>(i), n.output(i)->type(), std::move(results[i]));
  return results;
}

}  // namespace halo
