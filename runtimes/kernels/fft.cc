#include "fft.h"

#include <cmath>

namespace odla_rt {
namespace {

// Non-power-of-two lengths below this are summed directly (O(n^2) but exact twiddles).
constexpr int64_t kDirectBelow = 32;

bool IsPow2(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// exp(i * pi * num / den), num reduced modulo 2 den first so that the angle stays small.
Complex UnitRoot(int64_t num, int64_t den) {
  double a = M_PI * static_cast<double>(num % (2 * den)) / static_cast<double>(den);
  return Complex(std::cos(a), std::sin(a));
}

// std::complex's operator* checks for NaN and infinity on every product; plain arithmetic.
inline Complex Mul(Complex a, Complex b) {
  return Complex(a.real() * b.real() - a.imag() * b.imag(),
                 a.real() * b.imag() + a.imag() * b.real());
}

// Twiddles exp(-2 pi i k / m) for k < m / 2.
std::vector<Complex> HalfRoots(int64_t m) {
  std::vector<Complex> h(m / 2);
  for (int64_t k = 0; k < m / 2; ++k) h[k] = UnitRoot(-2 * k, m);
  return h;
}

}  // namespace

FftPlan::FftPlan(int64_t n, bool inverse) : n_(n), inverse_(inverse) {
  if (n < 1) Fail("transform length must be positive, got ", n);
  int64_t sign = inverse ? 1 : -1;
  if (IsPow2(n)) {
    method_ = Method::kRadix2;
    half_ = HalfRoots(n);
  } else if (n < kDirectBelow) {
    method_ = Method::kDirect;
    roots_.resize(n);
    for (int64_t k = 0; k < n; ++k) roots_[k] = UnitRoot(sign * 2 * k, n);
  } else {
    // X[k] = c[k] * sum_j (x[j] c[j]) conj(c[k - j]) with c[j] = exp(-+pi i j^2 / n): a
    // circular convolution of length m >= 2n - 1, done with radix-2 transforms.
    method_ = Method::kBluestein;
    int64_t m = 1;
    while (m < 2 * n - 1) m *= 2;
    half_ = HalfRoots(m);
    chirp_.resize(n);
    for (int64_t j = 0; j < n; ++j) chirp_[j] = UnitRoot(sign * (j * j % (2 * n)), n);
    kernel_.assign(m, Complex());
    kernel_[0] = std::conj(chirp_[0]);
    for (int64_t j = 1; j < n; ++j) kernel_[j] = kernel_[m - j] = std::conj(chirp_[j]);
    Radix2(kernel_.data(), half_, false);
  }
}

void FftPlan::Radix2(Complex* a, const std::vector<Complex>& half, bool conj) {
  int64_t m = static_cast<int64_t>(half.size()) * 2;
  for (int64_t i = 1, j = 0; i < m; ++i) {  // bit-reversal permutation
    int64_t bit = m >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (int64_t len = 2; len <= m; len <<= 1) {
    int64_t h = len / 2, stride = m / len;
    for (int64_t s = 0; s < m; s += len) {
      for (int64_t k = 0; k < h; ++k) {
        Complex w = half[k * stride];
        if (conj) w = std::conj(w);
        Complex u = a[s + k], v = Mul(a[s + k + h], w);
        a[s + k] = u + v;
        a[s + k + h] = u - v;
      }
    }
  }
}

void FftPlan::Run(Complex* a, std::vector<Complex>* scratch) const {
  switch (method_) {
    case Method::kRadix2:
      Radix2(a, half_, inverse_);
      return;
    case Method::kDirect: {
      scratch->assign(a, a + n_);
      const Complex* x = scratch->data();
      for (int64_t k = 0; k < n_; ++k) {
        Complex sum;
        for (int64_t j = 0, r = 0; j < n_; ++j, r = (r + k) % n_) sum += Mul(x[j], roots_[r]);
        a[k] = sum;
      }
      return;
    }
    case Method::kBluestein: {
      int64_t m = static_cast<int64_t>(kernel_.size());
      scratch->assign(m, Complex());
      Complex* s = scratch->data();
      for (int64_t j = 0; j < n_; ++j) s[j] = Mul(a[j], chirp_[j]);
      Radix2(s, half_, false);
      for (int64_t k = 0; k < m; ++k) s[k] = Mul(s[k], kernel_[k]);
      Radix2(s, half_, true);
      double inv_m = 1.0 / static_cast<double>(m);
      for (int64_t k = 0; k < n_; ++k) a[k] = Mul(s[k], chirp_[k]) * inv_m;
      return;
    }
  }
}

}  // namespace odla_rt
