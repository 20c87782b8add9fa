// The ODLA API edge shared by every runtime: computations and values (contexts and
// execution: context.cc).
#include "runtime.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>

#include "builder.h"
#include "computation.h"

namespace odla_rt {

static thread_local odla_computation tls_current = nullptr;
static thread_local std::string tls_error;

void SetLastError(const std::string& s) { tls_error = s; }

odla_computation Current() {
  if (!tls_current) throw RtError("no current computation: call odla_CreateComputation first");
  return tls_current;
}

odla_precision CurrentPrecision() { return Current()->precision; }

void SetPrecision(odla_computation c, odla_precision p) {
  if (!c) Fail("odla_SetComputationPrecision: NULL computation");
  if (p != ODLA_PRECISION_FP32 && p != ODLA_PRECISION_BF16 && p != ODLA_PRECISION_TF32)
    Fail("odla_SetComputationPrecision: unknown precision ", static_cast<int>(p));
  if (!c->nodes.empty()) Fail("odla_SetComputationPrecision: operators were added already");
  c->precision = p;
}

void PrecisionNotice(const std::string& why) {
  static std::once_flag once;
  std::call_once(once, [&] {
    std::cerr << "libodla_" << odla_GetRuntimeName() << ": " << why << "; computing in fp32\n";
  });
}

std::string Env(const char* name) {
  const char* e = std::getenv(name);
  return e ? e : "";
}

bool EnvFlag(const char* name) {
  std::string v = Env(name);
  return !v.empty() && v != "0";
}

size_t ElementSize(odla_element_type t) {
  switch (t) {
    case ODLA_INT8:
    case ODLA_UINT8:
    case ODLA_BOOL:
      return 1;
    case ODLA_INT16:
    case ODLA_UINT16:
    case ODLA_FLOAT16:
    case ODLA_BFLOAT16:
      return 2;
    case ODLA_FLOAT32:
    case ODLA_INT32:
    case ODLA_UINT32:
      return 4;
    case ODLA_FLOAT64:
    case ODLA_INT64:
    case ODLA_UINT64:
      return 8;
  }
  throw RtError("unknown element type " + std::to_string(static_cast<int>(t)), ODLA_INVALID_PARAM);
}

int64_t NumElements(const odla_value_shape& s) {
  int64_t n = 1;
  for (int i = 0; i < s.size; ++i) n *= s.dims[i];
  return n;
}

std::vector<int64_t> Dims(const odla_value_shape& s) {
  return std::vector<int64_t>(s.dims, s.dims + s.size);
}

odla_value_shape MakeShape(const std::vector<int64_t>& d) {
  if (d.size() > ODLA_MAX_DIMS) Fail("rank ", d.size(), " exceeds ODLA_MAX_DIMS");
  odla_value_shape s{};
  s.size = static_cast<int32_t>(d.size());
  for (size_t i = 0; i < d.size(); ++i) s.dims[i] = d[i];
  return s;
}

std::string TypeToString(const odla_value_type& t) {
  static const char* names[] = {"?",   "f32", "f64", "i8",  "u8",   "i16", "u16",
                                "i32", "u32", "i64", "u64", "bool", "f16", "bf16"};
  int e = static_cast<int>(t.element_type);
  std::ostringstream os;
  os << (e >= 0 && e <= 13 ? names[e] : "?") << "[";
  for (int i = 0; i < t.shape.size; ++i) os << (i ? "x" : "") << t.shape.dims[i];
  os << "]";
  return os.str();
}

static void CheckType(const odla_value_type& t) {
  ElementSize(t.element_type);
  if (t.shape.size < 0 || t.shape.size > ODLA_MAX_DIMS) Fail("bad rank ", t.shape.size);
  for (int i = 0; i < t.shape.size; ++i)
    if (t.shape.dims[i] < 0) Fail("negative dimension in ", TypeToString(t));
}

odla_value NewValue(odla_computation c, const odla_value_type& t, odla_value_id id) {
  CheckType(t);
  auto v = std::make_unique<_odla_value>();
  v->type = t;
  v->id = id ? id : "";
  v->index = static_cast<int>(c->values.size());
  if (!v->id.empty()) {
    if (c->by_id.count(v->id)) Fail("value id '", v->id, "' is used twice");
    c->by_id[v->id] = v.get();
  }
  c->values.push_back(std::move(v));
  return c->values.back().get();
}

void CheckInput(odla_value v, const char* what) {
  if (!v) Fail("input '", what, "' is NULL");
}

void CheckSameElementType(odla_value a, odla_value b) {
  if (a->type.element_type != b->type.element_type)
    Fail("element types differ: ", TypeToString(a->type), " and ", TypeToString(b->type));
}

void KernelArgs::SetOutShape(int i, const std::vector<int64_t>& dims) const {
  odla_value_shape& s = out_shapes[i];
  bool ok = static_cast<int>(dims.size()) == s.size;
  for (int d = 0; ok && d < s.size; ++d) ok = dims[d] >= 0 && dims[d] <= s.dims[d];
  if (!ok) throw RtError("a kernel set a result shape outside its bound");
  for (int d = 0; d < s.size; ++d) s.dims[d] = dims[d];
}

std::vector<odla_value> AddNode(OpNode node, const std::vector<odla_value_type>& types,
                                odla_value_id id, const std::vector<bool>& data_dependent,
                                const std::vector<LayoutPtr>& layouts) {
  odla_computation c = Current();
  for (odla_value in : node.inputs)
    if (in && in->data_dependent)
      Fail("input '", in->id, "' has a data-dependent shape: it can only be an output");
  for (size_t i = 0; i < types.size(); ++i) {
    std::string rid = id ? id : "";
    if (i > 0 && !rid.empty()) rid += ":" + std::to_string(i);
    odla_value v = NewValue(c, types[i], rid.c_str());
    v->data_dependent = i < data_dependent.size() && data_dependent[i];
    if (i < layouts.size()) v->layout = layouts[i];
    node.outputs.push_back(v);
  }
  c->nodes.push_back(std::move(node));
  return c->nodes.back().outputs;
}

odla_value Plain(odla_value v) {
  if (!v || !v->layout) return v;
  if (!v->plain) {
    OpNode node{"ToPlain", {v}, {}, v->layout->ToPlain(v->type)};
    v->plain = AddNode(std::move(node), {v->type}, nullptr, {}, {})[0];
  }
  return v->plain;
}

std::vector<odla_value> AddOp(const std::string& op, const std::vector<odla_value>& inputs,
                              const std::vector<odla_value_type>& result_types, odla_value_id id,
                              Kernel kernel, const std::vector<bool>& data_dependent) {
  OpNode node{op, inputs, {}, std::move(kernel)};
  for (odla_value& in : node.inputs) in = Plain(HostCopy(in));
  return AddNode(std::move(node), result_types, id, data_dependent, {});
}

std::vector<odla_value> AddLayoutOp(const std::string& op, const std::vector<odla_value>& inputs,
                                    const std::vector<odla_value_type>& result_types,
                                    const std::vector<LayoutPtr>& result_layouts,
                                    size_t scratch_bytes, odla_value_id id, Kernel kernel) {
  OpNode node{op, inputs, {}, std::move(kernel), scratch_bytes};
  for (odla_value& in : node.inputs) in = HostCopy(in);
  return AddNode(std::move(node), result_types, id, {}, result_layouts);
}

static void Record(const char* op, odla_value_id id, const std::exception& e) {
  std::string msg =
      std::string(op) + (id && *id ? std::string(" '") + id + "'" : "") + ": " + e.what();
  SetLastError(msg);
  if (tls_current && tls_current->first_error.empty()) tls_current->first_error = msg;
}

odla_value Guard(const char* op, odla_value_id id, const std::function<odla_value()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    Record(op, id, e);
    return nullptr;
  }
}

odla_values GuardN(const char* op, odla_value_id id, const std::function<odla_values()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    Record(op, id, e);
    odla_values r{};
    return r;
  }
}

odla_status GuardStatus(const std::function<void()>& body) {
  try {
    body();
    return ODLA_SUCCESS;
  } catch (const RtError& e) {
    SetLastError(e.what());
    return e.status;
  } catch (const std::bad_alloc&) {
    SetLastError("out of memory");
    return ODLA_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    SetLastError(e.what());
    return ODLA_FAILURE;
  }
}

odla_values ToValues(const std::vector<odla_value>& v) {
  if (v.size() > ODLA_MAX_VALUES) Fail("too many values (", v.size(), ")");
  odla_values r{};
  r.size = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) r.values[i] = v[i];
  return r;
}

std::vector<odla_value> FromValues(const odla_values& v) {
  if (v.size < 0 || v.size > ODLA_MAX_VALUES) Fail("bad odla_values size ", v.size);
  return std::vector<odla_value>(v.values, v.values + v.size);
}

std::vector<odla_value_type> FromTypes(const odla_value_types& t) {
  if (t.size < 0 || t.size > ODLA_MAX_VALUES) Fail("bad odla_value_types size ", t.size);
  return std::vector<odla_value_type>(t.types, t.types + t.size);
}

std::vector<int64_t> FromInts(const odla_ints& v) {
  if (v.size < 0 || v.size > ODLA_MAX_INTS) Fail("bad odla_ints size ", v.size);
  return std::vector<int64_t>(v.data, v.data + v.size);
}

std::vector<float> FromFloats(const odla_floats& v) {
  if (v.size < 0 || v.size > ODLA_MAX_FLOATS) Fail("bad odla_floats size ", v.size);
  return std::vector<float>(v.data, v.data + v.size);
}

}  // namespace odla_rt

using namespace odla_rt;

extern "C" {

int odla_GetVersion(void) { return ODLA_VERSION_MAJOR * 1000 + ODLA_VERSION_MINOR; }

const char* odla_GetLastErrorText(void) { return tls_error.c_str(); }

odla_status odla_CheckVersion(int major, int minor) {
  if (major == ODLA_VERSION_MAJOR && minor <= ODLA_VERSION_MINOR) return ODLA_SUCCESS;
  std::ostringstream os;
  os << "the code was generated for ODLA API " << major << "." << minor << " but runtime '"
     << odla_GetRuntimeName() << "' implements ODLA API " << ODLA_VERSION_MAJOR << "."
     << ODLA_VERSION_MINOR
     << "; regenerate the code with a matching halo or link a matching runtime";
  SetLastError(os.str());
  return ODLA_VERSION_MISMATCH;
}

odla_status odla_CreateComputation(odla_computation* computation) {
  return GuardStatus([&] {
    if (!computation) Fail("odla_CreateComputation: NULL pointer");
    *computation = new _odla_computation();
    tls_current = *computation;
  });
}

odla_status odla_SetCurrentComputation(odla_computation computation) {
  tls_current = computation;
  return ODLA_SUCCESS;
}

odla_status odla_DestroyComputation(odla_computation computation) {
  if (tls_current == computation) tls_current = nullptr;
  delete computation;
  return ODLA_SUCCESS;
}

odla_value odla_CreateArgument(odla_value_type type, odla_value_id id) {
  return Guard("odla_CreateArgument", id, [&] {
    odla_computation c = Current();
    odla_value v = NewValue(c, type, id);
    v->arg_index = static_cast<int>(c->args.size());
    c->args.push_back(v);
    return v;
  });
}

odla_value odla_CreateConstant(odla_value_type type, const void* data, odla_value_id id) {
  return Guard("odla_CreateConstant", id, [&] {
    if (!data && NumElements(type.shape) > 0) Fail("NULL data");
    odla_value v = NewValue(Current(), type, id);
    static const uint8_t kEmpty[8] = {0};
    v->const_data = data ? data : kEmpty;
    return v;
  });
}

odla_status odla_SetValueAsOutput(odla_value value) {
  return GuardStatus([&] {
    odla_computation c = Current();
    if (!c->first_error.empty()) throw RtError(c->first_error);
    if (!value) Fail("odla_SetValueAsOutput: NULL value");
    if (value->arena_offset >= 0)
      Fail("odla_SetValueAsOutput: '", value->id, "' has an arena offset; outputs cannot");
    c->output_src.push_back(Plain(value));
    c->outputs.push_back(value);
  });
}

// Runtimes that compute in bf16 override this; the shared one honours fp32 only.
ODLA_WEAK odla_status odla_SetComputationPrecision(odla_computation computation,
                                                   odla_precision precision) {
  return GuardStatus([&] {
    SetPrecision(computation, precision);  // checks the arguments
    if (precision == ODLA_PRECISION_FP32) return;
    computation->precision = ODLA_PRECISION_FP32;
    PrecisionNotice(std::string(precision == ODLA_PRECISION_BF16 ? "bf16" : "tf32") +
                    " is not supported by this runtime");
  });
}

odla_status odla_SetComputationArenaSize(odla_computation computation, odla_uint64 bytes) {
  return GuardStatus([&] {
    if (!computation) Fail("odla_SetComputationArenaSize: NULL computation");
    for (const auto& v : computation->values)
      if (v->arena_offset >= 0) Fail("odla_SetComputationArenaSize: values are placed already");
    computation->arena_bytes = bytes;
    computation->memory_cache->Clear();
  });
}

odla_status odla_SetValueArenaOffset(odla_value value, odla_uint64 offset) {
  return GuardStatus([&] {
    odla_computation c = Current();
    if (!value || value->index < 0 || value->index >= static_cast<int>(c->values.size()) ||
        c->values[value->index].get() != value)
      Fail("odla_SetValueArenaOffset: the value is not of the current computation");
    if (value->const_data || value->arg_index >= 0 || value->data_dependent)
      Fail("odla_SetValueArenaOffset: '", value->id, "' is not an op result of a static shape");
    for (odla_value o : c->outputs)
      if (o == value) Fail("odla_SetValueArenaOffset: '", value->id, "' is an output");
    uint64_t bytes = ByteSize(value->type);
    if (offset % ElementSize(value->type.element_type) != 0 || offset > c->arena_bytes ||
        bytes > c->arena_bytes - offset)
      Fail("odla_SetValueArenaOffset: '", value->id, "' (", bytes, " bytes) at offset ", offset,
           " is misaligned or outside the arena of ", c->arena_bytes, " bytes");
    value->arena_offset = static_cast<int64_t>(offset);
    c->memory_cache->Clear();
  });
}

odla_value_type odla_GetValueType(odla_value value) {
  odla_value_type t{};
  if (value) t = value->type;
  return t;
}

}  // extern "C"
