#include "mel.h"

#include <cmath>

namespace odla_rt {
namespace {

// a // b on floats as numpy computes it (from fmod, the quotient rounded to an integer).
double FloorDiv(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
  double f = std::floor(div);
  return div - f > 0.5 ? f + 1 : f;
}

double HzToMel(double hz) { return 2595 * std::log10(1 + hz / 700); }
double MelToHz(double mel) { return 700 * (std::pow(10.0, mel / 2595) - 1); }

}  // namespace

std::vector<double> MelWeights(int64_t num_mel_bins, int64_t dft_length, int64_t sample_rate,
                               double lower_edge_hertz, double upper_edge_hertz) {
  if (num_mel_bins < 1 || dft_length < 1 || sample_rate < 1)
    Fail("num_mel_bins, dft_length and sample_rate must be positive");
  int64_t rows = dft_length / 2 + 1;
  // num_mel_bins + 2 edges evenly spaced in mel from lower to upper (the last one short of
  // upper), each turned into the spectrum bin floor((dft_length + 1) * hz / sample_rate).
  double low = HzToMel(lower_edge_hertz), high = HzToMel(upper_edge_hertz);
  double step = (high - low) / static_cast<double>(num_mel_bins + 2);
  std::vector<int64_t> edge(num_mel_bins + 2);
  for (int64_t i = 0; i < num_mel_bins + 2; ++i) {
    double hz = MelToHz(static_cast<double>(i) * step + low);
    edge[i] = static_cast<int64_t>(
        FloorDiv(static_cast<double>(dft_length + 1) * hz, static_cast<double>(sample_rate)));
  }
  std::vector<double> w(rows * num_mel_bins, 0.0);
  auto at = [&](int64_t bin, int64_t mel) -> double& {
    if (bin < 0 || bin >= rows)
      Fail("mel filter ", mel, " reaches spectrum bin ", bin, ", outside [0, ", rows,
           "): the edge frequencies must lie within [0, sample_rate / 2]");
    return w[bin * num_mel_bins + mel];
  };
  for (int64_t i = 0; i < num_mel_bins; ++i) {
    int64_t lo = edge[i], center = edge[i + 1], hi = edge[i + 2];
    if (center == lo) {
      at(center, i) = 1;
    } else {
      for (int64_t j = lo; j <= center; ++j)
        at(j, i) = static_cast<double>(j - lo) / static_cast<double>(center - lo);
    }
    for (int64_t j = center; j < hi; ++j)
      at(j, i) = static_cast<double>(hi - j) / static_cast<double>(hi - center);
  }
  return w;
}

}  // namespace odla_rt
