#include "quant.h"

namespace odla_rt {

void DynamicQuantizeLinear(int64_t n, const float* x, uint8_t* y, float* scale, uint8_t* zp) {
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  float s = (hi - lo) / 255.0f;
  // An all-zero input has scale 0: every value quantizes to the zero point 0.
  float z = s == 0 ? 0.0f : std::nearbyint(std::max(0.0f, std::min(255.0f, -lo / s)));
  *scale = s;
  *zp = static_cast<uint8_t>(z);
  for (int64_t i = 0; i < n; ++i)
    y[i] = s == 0 ? uint8_t{0} : RoundToQ<uint8_t>(x[i] / s, static_cast<int32_t>(z));
}

MatMulBatches PlanMatMul(std::vector<int64_t> as, std::vector<int64_t> bs) {
  if (as.empty() || bs.empty()) Fail("operands must have rank 1 or more");
  bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  MatMulBatches p;
  p.m = as[as.size() - 2];
  p.k = as.back();
  p.n = bs.back();
  if (bs[bs.size() - 2] != p.k) Fail("inner dimensions differ: ", p.k, " and ", bs[bs.size() - 2]);
  size_t rank = std::max(as.size(), bs.size());
  std::vector<int64_t> ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  ab.insert(ab.begin(), rank - as.size(), 1);
  bb.insert(bb.begin(), rank - bs.size(), 1);
  std::vector<int64_t> batch(rank - 2);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (ab[i] != bb[i] && ab[i] != 1 && bb[i] != 1) Fail("batch dimensions do not broadcast");
    batch[i] = std::max(ab[i], bb[i]);
  }
  p.nb = 1;
  for (int64_t d : batch) p.nb *= d;
  for (int64_t i = 0; i < p.nb; ++i) {
    int64_t r = i, oa = 0, ob = 0, sa = 1, sb = 1;
    for (size_t d = batch.size(); d-- > 0;) {
      int64_t idx = r % batch[d];
      r /= batch[d];
      oa += (ab[d] == 1 ? 0 : idx) * sa;
      ob += (bb[d] == 1 ? 0 : idx) * sb;
      sa *= ab[d];
      sb *= bb[d];
    }
    p.aoff.push_back(oa * p.m * p.k);
    p.boff.push_back(ob * p.k * p.n);
  }
  p.out_shape = batch;
  if (!a_vec) p.out_shape.push_back(p.m);
  if (!b_vec) p.out_shape.push_back(p.n);
  return p;
}

}  // namespace odla_rt
