// Add, Sub, Mul and Div of a value in NHWC (an XNNPACK result) with another of rank <= 4 as
// XNNPACK broadcasting ops in NHWC, and Relu and Clip of a value in NHWC as XNNPACK clamps
// (the result keeps the layout). The same ops of plain values stay with ref.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "xnn_rt.h"

ODLA_XNN_FILE(binary)

using namespace odla_xnn;

ODLA_REF_DECL(Add)
ODLA_REF_DECL(Sub)
ODLA_REF_DECL(Mul)
ODLA_REF_DECL(Div)
ODLA_REF_DECL(Relu)
ODLA_REF_DECL(Clip)

namespace {

using Create = xnn_status (*)(float, float, uint32_t, xnn_operator_t*);
using Setup = xnn_status (*)(xnn_operator_t, size_t, const size_t*, size_t, const size_t*,
                             const float*, const float*, float*, pthreadpool_t);

// A binary op's operand in NHWC at run time.
struct Operand {
  NhwcInput nhwc;     // a full-rank operand
  bool copy = false;  // else: a plain one whose elements NHWC keeps in place, copied padded
  size_t offset = 0, bytes = 0;
  size_t shape[4];  // NHWC
  const float* Get(const odla_rt::KernelArgs& a) const {
    if (!copy) return nhwc.Get(a);
    char* dst = static_cast<char*>(a.scratch) + offset;
    std::memcpy(dst, a.in[nhwc.index], bytes);
    return reinterpret_cast<const float*>(dst);
  }
};

Operand PlanOperand(int index, odla_value v, size_t& scratch) {
  Dims d = ValueDims(v);
  if (d.size() > 4) Reject("rank");
  d.insert(d.begin(), 4 - d.size(), 1);
  Operand o;
  o.shape[0] = d[0], o.shape[1] = d[2], o.shape[2] = d[3], o.shape[3] = d[1];
  if (IsNhwc(v) || (d[1] > 1 && d[2] * d[3] > 1)) {
    if (v->type.shape.size != 4) Reject("rank ", v->type.shape.size, " needs a transposition");
    o.nhwc = PlanInput(index, v, scratch);
    return o;
  }
  if (v->layout) Reject("an input in another layout");
  o.nhwc.index = index;
  o.copy = true;
  o.offset = scratch;
  o.bytes = odla_rt::ByteSize(v->type);
  scratch += (o.bytes + XNN_EXTRA_BYTES + 63) / 64 * 64;
  return o;
}

odla_value BuildBinary(const char* op, Create create, Setup setup, odla_value A, odla_value B,
                       const odla_value_type& result, odla_value_id id) {
  if (!IsNhwc(A) && !IsNhwc(B)) Reject("no input in NHWC");
  for (odla_value v : {A, B})
    if (v->type.element_type != ODLA_FLOAT32 || odla_rt::NumElements(v->type.shape) == 0)
      Reject("input type");
  if (result.element_type != ODLA_FLOAT32 || result.shape.size != 4) Reject("result type");
  size_t scratch = 0;
  Operand a = PlanOperand(0, A, scratch), b = PlanOperand(1, B, scratch);
  Dims yd = odla_rt::Dims(result.shape);
  for (int i = 0; i < 4; ++i) {
    size_t m = std::max(a.shape[i], b.shape[i]), want = yd[i == 0 ? 0 : i == 3 ? 1 : i + 1];
    if ((a.shape[i] != m && a.shape[i] != 1) || (b.shape[i] != m && b.shape[i] != 1) || m != want)
      Reject("shapes do not broadcast to the result");
  }
  XOpPtr x = NewOp();
  Check(create(-INFINITY, INFINITY, 0, &x->op), op);
  auto run = [=](const odla_rt::KernelArgs& k) {
    const float *pa = a.Get(k), *pb = b.Get(k);
    float* y = k.Out<float>(0);
    Run(*x, "binary op",
        [&](xnn_operator_t o) { return setup(o, 4, a.shape, 4, b.shape, pa, pb, y, Pool()); });
  };
  return AddNhwcOp(op, {A, B}, result, scratch, id, run);
}

odla_value BuildClamp(const char* op, odla_value X, float lo, float hi,
                      const odla_value_type& result, odla_value_id id) {
  if (!IsNhwc(X)) Reject("input not in NHWC");
  if (!odla_rt::SameType(X->type, result)) Reject("result type");
  if (!(lo < hi)) Reject("range");
  XOpPtr x = NewOp();
  Check(xnn_create_clamp_nc_f32(1, 1, 1, lo, hi, 0, &x->op), "xnn_create_clamp_nc_f32");
  size_t count = odla_rt::NumElements(result.shape);
  auto run = [=](const odla_rt::KernelArgs& k) {
    Run(*x, "clamp", [&](xnn_operator_t o) {
      return xnn_setup_clamp_nc_f32(o, count, k.In<float>(0), k.Out<float>(0), Pool());
    });
  };
  return AddNhwcOp(op, {X}, result, 0, id, run);
}

}  // namespace

extern "C" {

#define ODLA_XNN_BINARY(OP, NAME)                                                            \
  odla_value odla_##OP(odla_value A, odla_value B, odla_value_type result_type,              \
                       odla_value_id id) {                                                   \
    if (A && B) {                                                                            \
      odla_value v = Try(#OP, [&] {                                                          \
        return BuildBinary(#OP, xnn_create_##NAME##_nd_f32, xnn_setup_##NAME##_nd_f32, A, B, \
                           result_type, id);                                                 \
      });                                                                                    \
      if (v) return v;                                                                       \
    }                                                                                        \
    return odla_ref_##OP(A, B, result_type, id);                                             \
  }

ODLA_XNN_BINARY(Add, add)
ODLA_XNN_BINARY(Sub, subtract)
ODLA_XNN_BINARY(Mul, multiply)
ODLA_XNN_BINARY(Div, divide)

odla_value odla_Relu(odla_value X, odla_value_type result_type, odla_value_id id) {
  if (X) {
    odla_value v = Try("Relu", [&] { return BuildClamp("Relu", X, 0, INFINITY, result_type, id); });
    if (v) return v;
  }
  return odla_ref_Relu(X, result_type, id);
}

odla_value odla_Clip(odla_value input, odla_float32 min, odla_float32 max,
                     odla_value_type result_type, odla_value_id id) {
  if (input) {
    odla_value v =
        Try("Clip", [&] { return BuildClamp("Clip", input, min, max, result_type, id); });
    if (v) return v;
  }
  return odla_ref_Clip(input, min, max, result_type, id);
}

}  // extern "C"
