// Discrete Fourier transforms (ONNX DFT and STFT): complex transforms of one length in double
// precision, radix-2 for powers of two, a direct sum for short other lengths and Bluestein's
// chirp-z algorithm (through radix-2 transforms) for long ones.
#pragma once

#include <algorithm>
#include <complex>
#include <cstdint>
#include <vector>

#include "../common/runtime.h"

namespace odla_rt {

using Complex = std::complex<double>;

// The transform of length n: X[k] = sum_j x[j] exp(-+2 pi i j k / n) (minus: forward, plus:
// inverse), unscaled. A plan is immutable once built; threads share it, each with its own
// scratch vector.
class FftPlan {
 public:
  enum class Method { kRadix2, kDirect, kBluestein };

  FftPlan(int64_t n, bool inverse);
  int64_t size() const { return n_; }
  // Transforms a[0, n) in place.
  void Run(Complex* a, std::vector<Complex>* scratch) const;

  // The method and its tables (below), for a device that runs the same arithmetic
  // (libodla_cuda's kernels_fft.cu).
  Method method() const { return method_; }
  bool inverse() const { return inverse_; }
  const std::vector<Complex>& roots() const { return roots_; }
  const std::vector<Complex>& half() const { return half_; }
  const std::vector<Complex>& chirp() const { return chirp_; }
  const std::vector<Complex>& kernel() const { return kernel_; }

 private:
  // In-place radix-2 transform of a[0, m), m = 2 * half.size(), with half[k] = exp(-2 pi i k
  // / m); conj: the inverse sign.
  static void Radix2(Complex* a, const std::vector<Complex>& half, bool conj);

  int64_t n_;
  bool inverse_;
  Method method_;
  std::vector<Complex> roots_;   // kDirect: exp(-+2 pi i k / n) for k < n
  std::vector<Complex> half_;    // radix-2 twiddles of length n (kRadix2) or m (kBluestein)
  std::vector<Complex> chirp_;   // kBluestein: exp(-+pi i j^2 / n) for j < n
  std::vector<Complex> kernel_;  // kBluestein: forward transform of the conjugate chirp, length m
};

// DFT of the lines along one axis of x [outer, len, inner, c] (c = 1: real, 2: complex
// interleaved) into y [outer, out_len, inner, 2]: each line is cut or zero-padded to the
// plan's length n, transformed, scaled by `scale` and its first out_len bins kept.
template <typename T>
void Dft(const FftPlan& plan, int64_t outer, int64_t len, int64_t inner, int64_t c, const T* x,
         int64_t out_len, double scale, T* y) {
  int64_t n = plan.size();
  int64_t take = std::min(len, n);
  ParallelFor(outer * inner, std::max<int64_t>(1, 8192 / std::max<int64_t>(n, 1)),
              [&](int64_t s, int64_t e) {
                std::vector<Complex> line(n), scratch;
                for (int64_t p = s; p < e; ++p) {
                  int64_t o = p / inner, i = p % inner;
                  const T* xp = x + (o * len * inner + i) * c;
                  for (int64_t j = 0; j < take; ++j) {
                    const T* v = xp + j * inner * c;
                    line[j] = Complex(v[0], c == 2 ? static_cast<double>(v[1]) : 0.0);
                  }
                  std::fill(line.begin() + take, line.end(), Complex());
                  plan.Run(line.data(), &scratch);
                  T* yp = y + (o * out_len * inner + i) * 2;
                  for (int64_t k = 0; k < out_len; ++k) {
                    yp[k * inner * 2] = static_cast<T>(line[k].real() * scale);
                    yp[k * inner * 2 + 1] = static_cast<T>(line[k].imag() * scale);
                  }
                }
              });
}

// Short-time Fourier transform of signal x [batch, len, c] (c = 1 or 2) into y [batch,
// frames, bins, 2]: frame f holds samples [f * step, f * step + n) times window[j] (or 1
// when window is null), transformed by the plan of length n; the first `bins` are kept.
template <typename T>
void Stft(const FftPlan& plan, int64_t batch, int64_t len, int64_t c, const T* x, int64_t step,
          const T* window, int64_t frames, int64_t bins, T* y) {
  int64_t n = plan.size();
  ParallelFor(batch * frames, std::max<int64_t>(1, 8192 / std::max<int64_t>(n, 1)),
              [&](int64_t s, int64_t e) {
                std::vector<Complex> line(n), scratch;
                for (int64_t p = s; p < e; ++p) {
                  int64_t b = p / frames, f = p % frames;
                  const T* xp = x + (b * len + f * step) * c;
                  for (int64_t j = 0; j < n; ++j) {
                    double w = window ? static_cast<double>(window[j]) : 1.0;
                    line[j] = Complex(xp[j * c] * w, c == 2 ? xp[j * c + 1] * w : 0.0);
                  }
                  plan.Run(line.data(), &scratch);
                  T* yp = y + p * bins * 2;
                  for (int64_t k = 0; k < bins; ++k) {
                    yp[2 * k] = static_cast<T>(line[k].real());
                    yp[2 * k + 1] = static_cast<T>(line[k].imag());
                  }
                }
              });
}

}  // namespace odla_rt
