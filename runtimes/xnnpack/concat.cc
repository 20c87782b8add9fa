// Concat of rank-4 float32 values along the channels in NHWC, when one input or more is NHWC
// (an XNNPACK result): each pixel's channels are the inputs' in turn, so the XNNPACK ops on
// both sides read and write NHWC without conversions (SqueezeNet's Fire modules). Other
// concatenations fall back to ref.
#include <cstring>

#include "xnn_rt.h"

ODLA_XNN_FILE(concat)

using namespace odla_xnn;

ODLA_REF_DECL(Concat)

namespace {

odla_value BuildConcat(const std::vector<odla_value>& ins, int64_t axis,
                       const odla_value_type& result, odla_value_id id) {
  if (axis != 1) Reject("axis ", axis, " (only the channels)");
  if (result.element_type != ODLA_FLOAT32 || result.shape.size != 4) Reject("result type");
  Dims yd = odla_rt::Dims(result.shape);
  bool any_nhwc = false;
  std::vector<int64_t> channels;
  int64_t total = 0;
  for (odla_value v : ins) {
    if (!v) Reject("an absent input");
    RequireF32x4({v});
    Dims d = ValueDims(v);
    if (d[0] != yd[0] || d[2] != yd[2] || d[3] != yd[3]) Reject("shapes");
    any_nhwc = any_nhwc || IsNhwc(v);
    channels.push_back(d[1]);
    total += d[1];
  }
  if (total != yd[1]) Reject("the channels do not add up");
  if (!any_nhwc) Reject("no input in NHWC");
  size_t scratch = 0;
  std::vector<NhwcInput> xs;
  for (size_t i = 0; i < ins.size(); ++i)
    xs.push_back(PlanInput(static_cast<int>(i), ins[i], scratch));
  const int64_t pixels = yd[0] * yd[2] * yd[3];
  auto run = [=](const odla_rt::KernelArgs& k) {
    std::vector<const float*> src;
    for (const NhwcInput& x : xs) src.push_back(x.Get(k));
    float* y = k.Out<float>(0);
    odla_rt::ParallelFor(pixels, 64, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        float* dst = y + p * total;
        for (size_t i = 0; i < src.size(); ++i) {
          std::memcpy(dst, src[i] + p * channels[i], channels[i] * sizeof(float));
          dst += channels[i];
        }
      }
    });
  };
  return AddNhwcOp("Concat", ins, result, scratch, id, run);
}

}  // namespace

extern "C" {

odla_value odla_Concat(odla_values inputs, odla_int64 axis, odla_value_type result_type,
                       odla_value_id id) {
  std::vector<odla_value> ins(inputs.values, inputs.values + std::max(inputs.size, 0));
  if (!ins.empty()) {
    odla_value v = Try("Concat", [&] { return BuildConcat(ins, axis, result_type, id); });
    if (v) return v;
  }
  return odla_ref_Concat(inputs, axis, result_type, id);
}

}  // extern "C"
