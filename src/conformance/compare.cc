#include "conformance/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>

#include "ir/error.h"

namespace halo::conformance {

namespace {

double FloatAt(const Tensor& t, int64_t i) { return t.GetDouble(i); }

// How far `got` is from `expected`, beyond abs + rel * |expected|: 0 when they match.
double FloatExcess(double got, double expected, double abs, double rel) {
  if (std::isnan(expected) || std::isnan(got))
    return std::isnan(expected) && std::isnan(got) ? 0 : std::numeric_limits<double>::infinity();
  if (got == expected) return 0;  // also equal infinities
  if (std::isinf(expected) || std::isinf(got)) return std::numeric_limits<double>::infinity();
  double diff = std::fabs(got - expected);
  return diff <= abs + rel * std::fabs(expected) ? 0 : diff;
}

// The largest |x| over the finite elements of a float tensor.
double MaxAbs(const Tensor& t) {
  double m = 0;
  for (int64_t i = 0, n = t.type().NumElements(); i < n; ++i) {
    double v = std::fabs(FloatAt(t, i));
    if (std::isfinite(v)) m = std::max(m, v);
  }
  return m;
}

std::string Describe(double worst, int64_t index, const std::string& got,
                     const std::string& expected) {
  std::ostringstream os;
  os.precision(9);
  os << "worst |diff| " << worst << " at index " << index << " (got " << got << ", expected "
     << expected << ")";
  return os.str();
}

std::string Num(double v) {
  std::ostringstream os;
  os.precision(9);
  os << v;
  return os.str();
}

}  // namespace

Tolerance ParseTolerance(const std::string& spec) {
  auto bad = [&] {
    return Err("--tolerance ", spec, ": expected ABS,REL or scale:REL with numbers >= 0");
  };
  auto number = [&](const std::string& text) {
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v >= 0) || std::isinf(v)) throw bad();
    return v;
  };
  Tolerance t;
  if (spec.rfind("scale:", 0) == 0) {
    t.kind = Tolerance::kScale;
    t.abs = 0;
    t.rel = number(spec.substr(6));
    return t;
  }
  size_t comma = spec.find(',');
  if (comma == std::string::npos) throw bad();
  t.abs = number(spec.substr(0, comma));
  t.rel = number(spec.substr(comma + 1));
  return t;
}

double ScaledError(const Tensor& got, const Tensor& expected) {
  double worst = 0;
  for (int64_t i = 0, n = expected.type().NumElements(); i < n; ++i) {
    double d = std::fabs(FloatAt(got, i) - FloatAt(expected, i));
    if (std::isfinite(d)) worst = std::max(worst, d);
  }
  double scale = MaxAbs(expected);
  if (worst == 0) return 0;
  return scale == 0 ? std::numeric_limits<double>::infinity() : worst / scale;
}

std::string CompareTensors(const Tensor& got, const Tensor& expected, const Tolerance& tolerance) {
  const Type& gt = got.type();
  const Type& et = expected.type();
  if (gt.dtype != et.dtype || gt.shape != et.shape)
    return "got type " + gt.ToString() + ", expected " + et.ToString();
  int64_t n = et.NumElements();
  if (IsFloat(et.dtype)) {
    // kScale: the bound is the same for every element; non-finite values still must match.
    bool scaled = tolerance.kind == Tolerance::kScale;
    double scale = scaled ? MaxAbs(expected) : 0;
    double abs = scaled ? tolerance.rel * scale : tolerance.abs;
    double rel = scaled ? 0 : tolerance.rel;
    // A bfloat16 holds 8 significant bits: allow one unit in its last place (2^-7 relative), so
    // that truncating and round-to-nearest conversions (both in ONNX test data) match.
    if (et.dtype == DataType::kBFloat16) rel = std::max(rel, 1.0 / 128);
    double worst = 0;
    int64_t worst_i = -1;
    for (int64_t i = 0; i < n; ++i) {
      double e = FloatExcess(FloatAt(got, i), FloatAt(expected, i), abs, rel);
      if (e > worst || (e > 0 && worst_i < 0)) {
        worst = e;
        worst_i = i;
      }
    }
    if (worst_i < 0) return "";
    return Describe(worst, worst_i, Num(FloatAt(got, worst_i)), Num(FloatAt(expected, worst_i))) +
           (scaled ? ", max |expected| " + Num(scale) : "");
  }
  // Integers and bools: exact. The worst difference is measured in double, which is exact
  // enough to pick the worst element; the values print exactly.
  bool is_unsigned64 = et.dtype == DataType::kUInt64;
  double worst = 0;
  int64_t worst_i = -1;
  for (int64_t i = 0; i < n; ++i) {
    double a, b;
    bool equal;
    if (is_unsigned64) {
      uint64_t x = got.data<uint64_t>()[i], y = expected.data<uint64_t>()[i];
      equal = x == y;
      a = static_cast<double>(x);
      b = static_cast<double>(y);
    } else {
      int64_t x = got.GetInt(i), y = expected.GetInt(i);
      equal = x == y;
      a = static_cast<double>(x);
      b = static_cast<double>(y);
    }
    if (equal) continue;
    double d = std::fabs(a - b);
    if (worst_i < 0 || d > worst) {
      worst = d;
      worst_i = i;
    }
  }
  if (worst_i < 0) return "";
  auto text = [&](const Tensor& t) {
    return is_unsigned64 ? std::to_string(t.data<uint64_t>()[worst_i])
                         : std::to_string(t.GetInt(worst_i));
  };
  return Describe(worst, worst_i, text(got), text(expected));
}

}  // namespace halo::conformance
