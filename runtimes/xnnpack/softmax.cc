// Softmax over the contiguous last axes of a plain value (the last axis, or with legacy_2d
// all from `axis` on) as XNNPACK's softmax_nc_f32. Other axes fall back to ref.
#include <cstring>

#include "xnn_rt.h"

ODLA_XNN_FILE(softmax)

using namespace odla_xnn;

ODLA_REF_DECL(Softmax)

namespace {

odla_value BuildSoftmax(odla_value X, int64_t axis, bool legacy_2d, const odla_value_type& result,
                        odla_value_id id) {
  if (X->type.element_type != ODLA_FLOAT32 || X->layout || !odla_rt::SameType(X->type, result))
    Reject("type or layout");
  Dims d = ValueDims(X);
  int64_t rank = static_cast<int64_t>(d.size());
  if (axis < 0) axis += rank;
  if (rank == 0 || axis < 0 || axis >= rank || (!legacy_2d && axis != rank - 1)) Reject("axis");
  size_t channels = 1, total = odla_rt::NumElements(X->type.shape);
  for (int64_t i = axis; i < rank; ++i) channels *= d[i];
  if (total == 0) Reject("empty");
  XOpPtr op = NewOp();
  Check(xnn_create_softmax_nc_f32(channels, channels, channels, 0, &op->op),
        "xnn_create_softmax_nc_f32");
  // The input is copied into padded scratch memory (XNNPACK may read past its end).
  size_t bytes = total * sizeof(float), batch = total / channels;
  auto run = [=](const odla_rt::KernelArgs& a) {
    std::memcpy(a.scratch, a.in[0], bytes);
    const float* in = static_cast<const float*>(a.scratch);
    Run(*op, "softmax", [&](xnn_operator_t o) {
      return xnn_setup_softmax_nc_f32(o, batch, in, a.Out<float>(0), Pool());
    });
  };
  return odla_rt::AddLayoutOp("Softmax", {X}, {result}, {nullptr}, bytes + XNN_EXTRA_BYTES, id,
                              run)[0];
}

}  // namespace

extern "C" odla_value odla_Softmax(odla_value input, odla_int64 axis, odla_int64 legacy_2d,
                                   odla_value_type result_type, odla_value_id id) {
  if (input) {
    odla_value v =
        Try("Softmax", [&] { return BuildSoftmax(input, axis, legacy_2d, result_type, id); });
    if (v) return v;
  }
  return odla_ref_Softmax(input, axis, legacy_2d, result_type, id);
}
