#include "einsum.h"

#include <algorithm>
#include <cctype>

#include "../common/runtime.h"
#include "gemm.h"

namespace odla_rt {
namespace {

// A strided view of an operand with one entry per distinct letter (a repeated letter's
// strides add up: its diagonal); size-1 dimensions that broadcast have stride 0.
struct View {
  std::string letters;
  std::vector<int64_t> dims, strides;
};

View MakeView(const std::string& term, const std::vector<int64_t>& shape,
              const std::map<char, int64_t>& size) {
  std::vector<int64_t> st(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    st[i] = s;
    s *= shape[i];
  }
  View v;
  for (size_t i = 0; i < term.size(); ++i) {
    int64_t stride = shape[i] == 1 ? 0 : st[i];
    size_t pos = v.letters.find(term[i]);
    if (pos == std::string::npos) {
      v.letters += term[i];
      v.dims.push_back(size.at(term[i]));
      v.strides.push_back(stride);
    } else {
      v.strides[pos] += stride;
    }
  }
  return v;
}

bool Has(const std::string& s, char c) { return s.find(c) != std::string::npos; }

// The gather of `order` (dense) from view v of operand `src`, summed over its other letters.
EinsumGather MakeGather(int src, const View& v, const std::string& order) {
  EinsumGather g;
  g.src = src;
  for (char c : order) {
    size_t p = v.letters.find(c);
    g.dims.push_back(v.dims[p]);
    g.strides.push_back(v.strides[p]);
    g.outer *= v.dims[p];
  }
  g.kept = g.dims.size();
  for (size_t p = 0; p < v.letters.size(); ++p)
    if (!Has(order, v.letters[p])) {
      g.dims.push_back(v.dims[p]);
      g.strides.push_back(v.strides[p]);
      g.inner *= v.dims[p];
    }
  return g;
}

template <typename T>
void Gather(const T* src, const EinsumGather& g, T* out) {
  if (g.inner == 0) {
    std::fill_n(out, g.outer, T(0));
    return;
  }
  const std::vector<int64_t>& dims = g.dims;
  std::vector<int64_t> idx(dims.size(), 0);
  int64_t off = 0;
  for (int64_t o = 0; o < g.outer; ++o) {
    T acc = T(0);
    for (int64_t q = 0; q < g.inner; ++q) {
      acc = static_cast<T>(acc + src[off]);
      for (size_t d = dims.size(); d-- > 0;) {  // next index, row-major
        off += g.strides[d];
        if (++idx[d] < dims[d]) break;
        off -= dims[d] * g.strides[d];
        idx[d] = 0;
      }
    }
    out[o] = acc;
  }
}

View Dense(const std::string& letters, const std::map<char, int64_t>& size) {
  std::vector<int64_t> shape;
  for (char c : letters) shape.push_back(size.at(c));
  return MakeView(letters, shape, size);
}

int64_t Product(const std::string& letters, const std::map<char, int64_t>& size) {
  int64_t p = 1;
  for (char c : letters) p *= size.at(c);
  return p;
}

}  // namespace

EinsumPlan::EinsumPlan(const std::string& equation, const std::vector<std::vector<int64_t>>& shapes)
    : shapes_(shapes) {
  size_t arrow = equation.find("->");
  if (arrow == std::string::npos) Fail("equation '", equation, "' is not explicit");
  std::string lhs = equation.substr(0, arrow);
  for (size_t s = 0, e; s <= lhs.size(); s = e + 1) {
    e = std::min(lhs.find(',', s), lhs.size());
    terms_.push_back(lhs.substr(s, e - s));
  }
  out_ = equation.substr(arrow + 2);
  if (terms_.size() != shapes.size())
    Fail("the equation has ", terms_.size(), " terms for ", shapes.size(), " operands");
  for (size_t i = 0; i < terms_.size(); ++i) {
    if (terms_[i].size() != shapes[i].size())
      Fail("term '", terms_[i], "' does not match the rank of operand ", i);
    for (size_t d = 0; d < shapes[i].size(); ++d) {
      char c = terms_[i][d];
      if (!std::isalpha(static_cast<unsigned char>(c))) Fail("bad letter '", c, "'");
      auto it = size_.find(c);
      if (it == size_.end() || it->second == 1)
        size_[c] = shapes[i][d];
      else if (shapes[i][d] != it->second && shapes[i][d] != 1)
        Fail("letter '", c, "' has sizes ", it->second, " and ", shapes[i][d]);
    }
  }
  for (char c : out_) {
    if (!size_.count(c)) Fail("output letter '", c, "' is not in any operand");
    out_shape_.push_back(size_[c]);
  }
  View cur_view = MakeView(terms_[0], shapes_[0], size_);
  int cur = 0;
  for (size_t i = 1; i < terms_.size(); ++i) {
    std::string kept = out_;
    for (size_t j = i + 1; j < terms_.size(); ++j) kept += terms_[j];
    View bv = MakeView(terms_[i], shapes_[i], size_);
    std::string batch, m, k, n;
    for (char l : cur_view.letters) {
      bool in_b = Has(bv.letters, l), keep = Has(kept, l);
      if (in_b && keep) batch += l;
      if (in_b && !keep) k += l;
      if (!in_b && keep) m += l;
    }
    for (char l : bv.letters)
      if (!Has(cur_view.letters, l) && Has(kept, l)) n += l;
    EinsumStage st;
    st.nb = Product(batch, size_), st.nm = Product(m, size_), st.nk = Product(k, size_);
    st.nn = Product(n, size_);
    st.a = MakeGather(cur, cur_view, batch + m + k);
    st.b = MakeGather(static_cast<int>(i), bv, batch + k + n);
    stages_.push_back(st);
    cur = -1;
    cur_view = Dense(batch + m + n, size_);
  }
  final_ = MakeGather(cur, cur_view, out_);
}

template <typename T>
void EinsumPlan::Run(const std::vector<const T*>& in, T* out) const {
  std::vector<T> a, b, c, prod;
  auto src = [&](const EinsumGather& g) { return g.src < 0 ? prod.data() : in[g.src]; };
  for (const EinsumStage& st : stages_) {
    const int64_t nb = st.nb, nm = st.nm, nk = st.nk, nn = st.nn;
    a.resize(nb * nm * nk);
    b.resize(nb * nk * nn);
    Gather(src(st.a), st.a, a.data());
    Gather(src(st.b), st.b, b.data());
    c.assign(nb * nm * nn, T(0));
    if (nk > 0 && nm > 0 && nn > 0) {
      auto one = [&](int64_t s) {
        Gemm<T>(false, false, nm, nn, nk, T(1), a.data() + s * nm * nk, nk, b.data() + s * nk * nn,
                nn, T(0), c.data() + s * nm * nn, nn);
      };
      if (nb >= 2 * NumThreads() && nm * nn * nk < (1 << 20))
        ParallelFor(nb, 1, [&](int64_t s, int64_t e) {
          for (int64_t x = s; x < e; ++x) one(x);
        });
      else
        for (int64_t x = 0; x < nb; ++x) one(x);
    }
    prod.swap(c);  // dense, letters batch + m + n
  }
  Gather(src(final_), final_, out);
}

#define ODLA_EINSUM(T) template void EinsumPlan::Run<T>(const std::vector<const T*>&, T*) const;
ODLA_EINSUM(float)
ODLA_EINSUM(double)
ODLA_EINSUM(int8_t)
ODLA_EINSUM(uint8_t)
ODLA_EINSUM(int16_t)
ODLA_EINSUM(uint16_t)
ODLA_EINSUM(int32_t)
ODLA_EINSUM(uint32_t)
ODLA_EINSUM(int64_t)
ODLA_EINSUM(uint64_t)
#undef ODLA_EINSUM

}  // namespace odla_rt
