// Resize and Upsample of float32 on the GPU exactly as the ref's Resize (runtimes/kernels/
// resize.cc) computes them: the same per-axis tap tables (ResizeTaps, built on the host), axes
// resized from the last to the first, intermediates in double (float for nearest), each
// output a sum over its taps in tap order, outside positions the extrapolation value.
#include <cstring>

#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

template <typename In, typename Out>
__global__ void ResizePass(const In* src, Out* dst, int64_t len, int64_t olen, int64_t inner, int n,
                           const int64_t* index, const double* weight, const char* outside,
                           double extrapolation, int64_t total) {
  ODLA_CUDA_LOOP(e, total) {
    int64_t i = e % inner, r = e / inner, xo = r % olen, o = r / olen;
    if (outside[xo]) {
      dst[e] = static_cast<Out>(extrapolation);
      continue;
    }
    const int64_t* idx = index + xo * n;
    if (n == 1) {
      dst[e] = static_cast<Out>(src[(o * len + idx[0]) * inner + i]);
      continue;
    }
    const double* w = weight + xo * n;
    double acc = 0;
    for (int k = 0; k < n; ++k) acc += w[k] * src[(o * len + idx[k]) * inner + i];
    dst[e] = static_cast<Out>(acc);
  }
}

size_t Align8(size_t n) { return (n + 7) / 8 * 8; }

}  // namespace

ResizePlan::ResizePlan(const std::vector<odla_rt::AxisTaps>& taps, const std::vector<int64_t>& in,
                       const std::vector<int64_t>& out, double extrapolation)
    : in_(in), out_(out), extrapolation_(extrapolation) {
  int rank = static_cast<int>(in.size());
  exact_ = true;
  for (const auto& t : taps) exact_ = exact_ && t.n <= 1;
  size_t elem = exact_ ? sizeof(float) : sizeof(double);
  std::vector<int64_t> cur = in;
  int64_t biggest = 0;
  for (int a = rank - 1; a >= 0; --a) {
    const odla_rt::AxisTaps& t = taps[a];
    if (t.identity) continue;
    Pass p;
    p.axis = a;
    p.n = t.n;
    p.outer = p.inner = 1;
    for (int d = 0; d < a; ++d) p.outer *= cur[d];
    for (int d = a + 1; d < rank; ++d) p.inner *= cur[d];
    p.len = cur[a];
    p.olen = out[a];
    // The tables in the blob: index, weight, outside.
    p.index_at = tables_.size();
    size_t bytes =
        Align8(t.index.size() * 8) + Align8(t.weight.size() * 8) + Align8(t.outside.size());
    tables_.resize(tables_.size() + bytes);
    std::memcpy(tables_.data() + p.index_at, t.index.data(), t.index.size() * 8);
    p.weight_at = p.index_at + Align8(t.index.size() * 8);
    std::memcpy(tables_.data() + p.weight_at, t.weight.data(), t.weight.size() * 8);
    p.outside_at = p.weight_at + Align8(t.weight.size() * 8);
    std::memcpy(tables_.data() + p.outside_at, t.outside.data(), t.outside.size());
    passes_.push_back(p);
    cur[a] = out[a];
    biggest = std::max(biggest, p.outer * p.olen * p.inner);
  }
  buffer_bytes_ = Align8(static_cast<size_t>(biggest) * elem);
  if (tables_.empty()) return;
  device_tables_ = UploadTable(tables_.data(), tables_.size());
}

size_t ResizePlan::ScratchBytes() const { return 2 * buffer_bytes_; }

void ResizePlan::Run(cudaStream_t s, const float* x, float* y, void* scratch) const {
  int64_t total = 1;
  for (int64_t d : out_) total *= d;
  if (total == 0) return;
  if (passes_.empty()) return DeviceCopy(s, y, x, sizeof(float) * total);
  char* base = static_cast<char*>(scratch);
  const char* tables = static_cast<const char*>(device_tables_.get());
  const void* src = x;
  bool src_is_x = true;
  for (size_t k = 0; k < passes_.size(); ++k) {
    const Pass& p = passes_[k];
    bool final_pass = k + 1 == passes_.size();
    void* dst = final_pass ? static_cast<void*>(y) : base + (k % 2) * buffer_bytes_;
    int64_t n = p.outer * p.olen * p.inner;
    auto run = [&](auto* out_ptr, auto in_tag) {
      using In = decltype(in_tag);
      using Out = std::remove_pointer_t<decltype(out_ptr)>;
      ResizePass<In, Out><<<GridFor(n), kBlock, 0, s>>>(
          static_cast<const In*>(src), out_ptr, p.len, p.olen, p.inner, p.n,
          reinterpret_cast<const int64_t*>(tables + p.index_at),
          reinterpret_cast<const double*>(tables + p.weight_at), tables + p.outside_at,
          extrapolation_, n);
    };
    if (exact_ || (src_is_x && final_pass))
      run(static_cast<float*>(dst), float{});
    else if (src_is_x)
      run(static_cast<double*>(dst), float{});
    else if (final_pass)
      run(static_cast<float*>(dst), double{});
    else
      run(static_cast<double*>(dst), double{});
    CheckLaunch("Resize");
    src = dst;
    src_is_x = false;
  }
}

}  // namespace odla_cuda
