#include "half_float.h"

#include "elementwise.h"
#include "type_sets.h"

namespace odla_rt {

namespace {

void Widen(odla_element_type t, const uint16_t* x, float* y, int64_t n) {
  ParallelFor(n, 1 << 14, [&](int64_t s, int64_t e) {
    if (t == ODLA_FLOAT16)
      for (int64_t i = s; i < e; ++i) y[i] = HalfToFloat(x[i]);
    else
      for (int64_t i = s; i < e; ++i) y[i] = BFloat16ToFloat(x[i]);
  });
}

void Narrow(odla_element_type t, const float* x, uint16_t* y, int64_t n) {
  ParallelFor(n, 1 << 14, [&](int64_t s, int64_t e) {
    if (t == ODLA_FLOAT16)
      for (int64_t i = s; i < e; ++i) y[i] = FloatToHalf(x[i]);
    else
      for (int64_t i = s; i < e; ++i) y[i] = FloatToBFloat16(x[i]);
  });
}

}  // namespace

Kernel ThroughFloat(odla_element_type t, Kernel float_kernel, std::vector<odla_value_type> inputs,
                    std::vector<odla_value_type> outputs) {
  if (!Is16BitFloat(t)) Fail("ThroughFloat: ", ElementTypeName(t), " is not a 16-bit float");
  std::vector<int64_t> in_n, out_n;
  std::vector<bool> in_conv, out_conv;
  for (const auto& v : inputs) {
    in_n.push_back(NumElements(v.shape));
    in_conv.push_back(v.element_type == t);
  }
  for (const auto& v : outputs) {
    out_n.push_back(NumElements(v.shape));
    out_conv.push_back(v.element_type == t);
  }
  return [=](const KernelArgs& a) {
    std::vector<std::vector<float>> in_buf(in_n.size()), out_buf(out_n.size());
    std::vector<const void*> in(in_n.size());
    std::vector<void*> out(out_n.size());
    for (size_t i = 0; i < in_n.size(); ++i) {
      in[i] = a.in[i];
      if (!in_conv[i] || !a.in[i]) continue;
      in_buf[i].resize(in_n[i]);
      Widen(t, static_cast<const uint16_t*>(a.in[i]), in_buf[i].data(), in_n[i]);
      in[i] = in_buf[i].data();
    }
    for (size_t i = 0; i < out_n.size(); ++i) {
      out[i] = a.out[i];
      if (!out_conv[i]) continue;
      out_buf[i].resize(out_n[i]);
      out[i] = out_buf[i].data();
    }
    float_kernel(KernelArgs{in.data(), out.data(), a.out_shapes, a.scratch});
    for (size_t i = 0; i < out_n.size(); ++i)
      if (out_conv[i]) Narrow(t, out_buf[i].data(), static_cast<uint16_t*>(a.out[i]), out_n[i]);
  };
}

}  // namespace odla_rt
