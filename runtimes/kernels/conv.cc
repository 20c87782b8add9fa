#include "conv.h"

#include <cstring>
#include <vector>

#include "depthwise.h"
#include "gemm.h"

namespace odla_rt {
namespace {

// The im2col matrix of one image and channel group, produced panel by panel while the GEMM
// packs it: row p = (channel, kz, ky, kx), column j = (od, oh, ow).
class Im2ColB : public GemmB {
 public:
  Im2ColB(const float* x, const Window3& w) : x_(x), w_(w) {}

  void Pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr, float* dst) const override {
    const Window3& g = w_;
    struct Run {
      int64_t q, len, od, oh, ow;
    };
    Run runs[65];
    for (int64_t jp = 0; jp < nc; jp += nr) {
      int64_t cols = std::min<int64_t>(nr, nc - jp);
      float* d = dst + jp * kc;
      // Split the panel's columns into runs along one output row.
      int nruns = 0;
      for (int64_t q = 0, j = j0 + jp; q < cols;) {
        int64_t ow = j % g.out[2], oh = j / g.out[2] % g.out[1], od = j / (g.out[2] * g.out[1]);
        int64_t len = std::min(cols - q, g.out[2] - ow);
        runs[nruns++] = {q, len, od, oh, ow};
        q += len;
        j += len;
      }
      int64_t kx = k0 % g.k[2], ky = k0 / g.k[2] % g.k[1], kz = k0 / (g.k[2] * g.k[1]) % g.k[0];
      int64_t c = k0 / g.KSize();
      for (int64_t p = 0; p < kc; ++p) {
        float* dp = d + p * nr;
        for (int64_t q = cols; q < nr; ++q) dp[q] = 0;
        const float* xc = x_ + c * g.InSize();
        for (int r = 0; r < nruns; ++r) {
          const Run& run = runs[r];
          float* o = dp + run.q;
          int64_t iz = run.od * g.stride[0] - g.pad[0] + kz * g.dil[0];
          int64_t iy = run.oh * g.stride[1] - g.pad[1] + ky * g.dil[1];
          if (iz < 0 || iz >= g.in[0] || iy < 0 || iy >= g.in[1]) {
            std::memset(o, 0, run.len * sizeof(float));
            continue;
          }
          const float* row = xc + (iz * g.in[1] + iy) * g.in[2];
          int64_t ix0 = run.ow * g.stride[2] - g.pad[2] + kx * g.dil[2];
          if (g.stride[2] == 1) {
            int64_t lo = std::clamp<int64_t>(-ix0, 0, run.len);
            int64_t hi = std::clamp<int64_t>(g.in[2] - ix0, lo, run.len);
            for (int64_t t = 0; t < lo; ++t) o[t] = 0;
            for (int64_t t = lo; t < hi; ++t) o[t] = row[ix0 + t];
            for (int64_t t = hi; t < run.len; ++t) o[t] = 0;
          } else {
            for (int64_t t = 0; t < run.len; ++t) {
              int64_t ix = ix0 + t * g.stride[2];
              o[t] = ix >= 0 && ix < g.in[2] ? row[ix] : 0.0f;
            }
          }
        }
        if (++kx == g.k[2]) {
          kx = 0;
          if (++ky == g.k[1]) {
            ky = 0;
            if (++kz == g.k[0]) kz = 0, ++c;
          }
        }
      }
    }
  }

 private:
  const float* x_;
  Window3 w_;
};

bool IsPointwise(const Window3& g) {
  for (int a = 0; a < 3; ++a)
    if (g.k[a] != 1 || g.stride[a] != 1 || g.pad[a] != 0 || g.pad_end[a] != 0) return false;
  return true;
}

// Runs fn(n, g) over images and groups: in parallel when there are enough of them (the
// GEMM inside then runs inline), else one by one with the GEMM parallel.
template <typename F>
void ForImagesAndGroups(int64_t n, int64_t groups, F fn) {
  if (n * groups >= 2 * NumThreads() && groups > 1) {
    ParallelFor(n * groups, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) fn(i / groups, i % groups);
    });
  } else {
    for (int64_t i = 0; i < n * groups; ++i) fn(i / groups, i % groups);
  }
}

}  // namespace

std::shared_ptr<const ConvPackedWeights> PackConvWeights(const ConvShape& s, const float* w) {
  int64_t cg = s.c / s.group, mg = s.m / s.group, kdim = cg * s.w.KSize();
  if (cg == 1) return nullptr;  // depthwise
  auto packed = std::make_shared<ConvPackedWeights>();
  for (int64_t grp = 0; grp < s.group; ++grp)
    packed->groups.push_back(GemmPacked::A(false, mg, kdim, w + grp * mg * kdim, kdim));
  return packed;
}

void ConvF32(const ConvShape& s, const float* x, const float* w, const float* bias, float* y,
             const float* sum, const Activation& act, const ConvPackedWeights* packed) {
  const Window3& g = s.w;
  int64_t cg = s.c / s.group, mg = s.m / s.group, in = g.InSize(), out = g.OutSize();
  int64_t kdim = cg * g.KSize();
  Epilogue<float> ep;  // over the [m, out] product of one image: the bias per row
  ep.row_bias = bias;
  ep.ld_sum = out;
  ep.act = act;
  if (cg == 1) {  // depthwise (with any channel multiplier mg)
    // Rows of 8 outputs or fewer: kDepthwiseLanes planes at a time, vectorized across them
    // (MobileNetV2's 7 x 7 planes about twice as fast; from 14 x 14 on, DepthwisePlane is).
    const int64_t lanes = g.out[2] <= 8 ? kDepthwiseLanes : 1;
    const int64_t blocks = (s.m + lanes - 1) / lanes;
    ParallelFor(s.n * blocks, 1, [&](int64_t b, int64_t e) {
      for (int64_t nb = b; nb < e; ++nb) {
        int64_t n = nb / blocks, m0 = nb % blocks * lanes, count = std::min(lanes, s.m - m0);
        float* yb = y + (n * s.m + m0) * out;
        if (lanes == 1) {
          DepthwisePlane(g, x + (n * s.c + m0 / mg) * in, w + m0 * g.KSize(),
                         bias ? bias[m0] : 0.0f, yb);
        } else {
          const float* xs[kDepthwiseLanes];
          for (int64_t l = 0; l < count; ++l) xs[l] = x + (n * s.c + (m0 + l) / mg) * in;
          DepthwisePlanes(g, static_cast<int>(count), xs, w + m0 * g.KSize(),
                          bias ? bias + m0 : nullptr, yb);
        }
        if (!sum && act.kind == ActKind::kNone) continue;
        Epilogue<float> planes = ep;
        planes.sum = sum ? sum + (n * s.m + m0) * out : nullptr;
        planes.Post(yb, out, 0, 0, count, out);
      }
    });
    return;
  }
  bool pointwise = IsPointwise(g);
  ForImagesAndGroups(s.n, s.group, [&](int64_t n, int64_t grp) {
    const float* xg = x + (n * s.c + grp * cg) * in;
    const float* wg = w + grp * mg * kdim;
    float* yg = y + (n * s.m + grp * mg) * out;
    Epilogue<float> eg = ep;
    if (bias) eg.row_bias = bias + grp * mg;
    if (sum) eg.sum = sum + (n * s.m + grp * mg) * out;
    const Epilogue<float>* e = eg.HasBias() || eg.HasPost() ? &eg : nullptr;
    const GemmPacked* pw = packed ? packed->groups[grp].get() : nullptr;
    auto run = [&](const GemmB& b) {
      if (pw)
        SgemmPackedA(*pw, out, 1.0f, b, 0.0f, yg, out, e);
      else
        SgemmWith(false, mg, out, kdim, 1.0f, wg, kdim, b, 0.0f, yg, out, e);
    };
    if (pointwise)
      run(GemmBMatrix(xg, in, false));
    else
      run(Im2ColB(xg, g));
  });
}

void ConvTransposeF32(const ConvShape& s, const float* x, const float* w, const float* bias,
                      float* y) {
  const Window3& g = s.w;
  int64_t cg = s.c / s.group, mg = s.m / s.group, in = g.InSize(), out = g.OutSize(),
          ks = g.KSize();
  std::vector<float> col(static_cast<size_t>(mg * ks * in));
  for (int64_t n = 0; n < s.n; ++n) {
    for (int64_t grp = 0; grp < s.group; ++grp) {
      // col [mg * ks, in] = W_g^T x X_g, W_g being [cg, mg * ks].
      const float* xg = x + (n * s.c + grp * cg) * in;
      const float* wg = w + grp * cg * mg * ks;
      Sgemm(true, false, mg * ks, in, cg, 1.0f, wg, mg * ks, xg, in, 0.0f, col.data(), in);
      // Scatter-add the columns into the output planes (col2im), one plane per task.
      ParallelFor(mg, 1, [&](int64_t b, int64_t e) {
        for (int64_t ml = b; ml < e; ++ml) {
          int64_t m = grp * mg + ml;
          float* yp = y + (n * s.m + m) * out;
          std::fill(yp, yp + out, bias ? bias[m] : 0.0f);
          for (int64_t kz = 0; kz < g.k[0]; ++kz)
            for (int64_t ky = 0; ky < g.k[1]; ++ky)
              for (int64_t kx = 0; kx < g.k[2]; ++kx) {
                const float* cp =
                    col.data() + ((ml * g.k[0] + kz) * g.k[1] * g.k[2] + ky * g.k[2] + kx) * in;
                for (int64_t id = 0; id < g.in[0]; ++id) {
                  int64_t oz = id * g.stride[0] - g.pad[0] + kz * g.dil[0];
                  if (oz < 0 || oz >= g.out[0]) continue;
                  for (int64_t ih = 0; ih < g.in[1]; ++ih) {
                    int64_t oy = ih * g.stride[1] - g.pad[1] + ky * g.dil[1];
                    if (oy < 0 || oy >= g.out[1]) continue;
                    float* yr = yp + (oz * g.out[1] + oy) * g.out[2];
                    const float* cr = cp + (id * g.in[1] + ih) * g.in[2];
                    for (int64_t iw = 0; iw < g.in[2]; ++iw) {
                      int64_t ox = iw * g.stride[2] - g.pad[2] + kx * g.dil[2];
                      if (ox >= 0 && ox < g.out[2]) yr[ox] += cr[iw];
                    }
                  }
                }
              }
        }
      });
    }
  }
}

}  // namespace odla_rt
