// Gemm, FusedGemm, MatMul and FusedMatMul with a constant B as XNNPACK fully connected ops
// (weights packed once; bias, alpha and beta folded into them; Relu and Clip as the output
// range). Transposed A, a Sum input, C of more than one row and variable B fall back to ref.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "xnn_rt.h"

ODLA_XNN_FILE(gemm)

using namespace odla_xnn;

ODLA_REF_DECL(Gemm)
ODLA_REF_DECL(FusedGemm)
ODLA_REF_DECL(MatMul)
ODLA_REF_DECL(FusedMatMul)

namespace {

bool IsF32(odla_value v) { return !v || v->type.element_type == ODLA_FLOAT32; }

// Y [M, N] = act(alpha * A [M, K] * B + beta * C), B [K, N] ([N, K] when transB).
odla_value BuildFc(const char* op, odla_value A, odla_value B, odla_value C, float alpha,
                   float beta, bool transB, float lo, float hi, const odla_value_type& result,
                   odla_value_id id) {
  if (!IsF32(A) || !IsF32(B) || !IsF32(C) || result.element_type != ODLA_FLOAT32)
    Reject("element type");
  if (!B->const_data || (C && !C->const_data)) Reject("variable B or C");
  if (A->layout) Reject("A in a layout");
  Dims ad = ValueDims(A), bd = ValueDims(B), yd = odla_rt::Dims(result.shape);
  if (ad.size() < 2 || bd.size() != 2 || yd.size() != ad.size()) Reject("ranks");
  int64_t k = ad.back(), n = transB ? bd[0] : bd[1], m = odla_rt::NumElements(A->type.shape) / k;
  if ((transB ? bd[1] : bd[0]) != k || yd.back() != n || k == 0 || n == 0 || m == 0 ||
      !std::equal(ad.begin(), ad.end() - 1, yd.begin()))
    Reject("shapes");
  // XNNPACK's weights: [N, K].
  const float* b = static_cast<const float*>(B->const_data);
  std::vector<float> w(n * k);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < k; ++i) w[j * k + i] = alpha * (transB ? b[j * k + i] : b[i * n + j]);
  std::vector<float> bias;
  if (C) {
    Dims cd = ValueDims(C);
    int64_t cn = cd.empty() ? 1 : cd.back();
    if (odla_rt::NumElements(C->type.shape) != cn || (cn != n && cn != 1)) Reject("C shape");
    const float* c = static_cast<const float*>(C->const_data);
    for (int64_t j = 0; j < n; ++j) bias.push_back(beta * c[cn == 1 ? 0 : j]);
  }
  XOpPtr fc = NewOp();
  Check(xnn_create_fully_connected_nc_f32(k, n, k, n, w.data(), C ? bias.data() : nullptr, lo, hi,
                                          0, &fc->op),
        "xnn_create_fully_connected_nc_f32");
  // A is copied into padded scratch memory (XNNPACK may read past its end).
  size_t a_bytes = m * k * sizeof(float), batch = m;
  auto run = [=](const odla_rt::KernelArgs& a) {
    std::memcpy(a.scratch, a.in[0], a_bytes);
    const float* in = static_cast<const float*>(a.scratch);
    Run(*fc, "fully connected", [&](xnn_operator_t o) {
      return xnn_setup_fully_connected_nc_f32(o, batch, in, a.Out<float>(0), Pool());
    });
  };
  return odla_rt::AddLayoutOp(op, {A, B, C}, {result}, {nullptr}, a_bytes + XNN_EXTRA_BYTES, id,
                              run)[0];
}

}  // namespace

extern "C" {

odla_value odla_Gemm(odla_value A, odla_value B, odla_value C, odla_float32 alpha,
                     odla_float32 beta, odla_int64 transA, odla_int64 transB,
                     odla_value_type result_type, odla_value_id id) {
  if (A && B && !transA && A->type.shape.size == 2) {
    odla_value v = Try("Gemm", [&] {
      return BuildFc("Gemm", A, B, C, alpha, beta, transB, -INFINITY, INFINITY, result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_Gemm(A, B, C, alpha, beta, transA, transB, result_type, id);
}

odla_value odla_FusedGemm(odla_value A, odla_value B, odla_value C, odla_value Sum,
                          odla_float32 alpha, odla_float32 beta, odla_int64 transA,
                          odla_int64 transB, const char* activation, odla_float32 activation_alpha,
                          odla_float32 activation_beta, odla_value_type result_type,
                          odla_value_id id) {
  if (A && B && !Sum && !transA && A->type.shape.size == 2) {
    odla_value v = Try("FusedGemm", [&] {
      float lo, hi;
      OutputRange(activation, activation_alpha, activation_beta, lo, hi);
      return BuildFc("FusedGemm", A, B, C, alpha, beta, transB, lo, hi, result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_FusedGemm(A, B, C, Sum, alpha, beta, transA, transB, activation, activation_alpha,
                            activation_beta, result_type, id);
}

odla_value odla_MatMul(odla_value A, odla_value B, odla_value_type result_type, odla_value_id id) {
  if (A && B) {
    odla_value v = Try("MatMul", [&] {
      return BuildFc("MatMul", A, B, nullptr, 1, 1, false, -INFINITY, INFINITY, result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_MatMul(A, B, result_type, id);
}

odla_value odla_FusedMatMul(odla_value A, odla_value B, odla_value Bias, odla_value Sum,
                            const char* activation, odla_float32 activation_alpha,
                            odla_float32 activation_beta, odla_value_type result_type,
                            odla_value_id id) {
  if (A && B && !Sum) {
    odla_value v = Try("FusedMatMul", [&] {
      float lo, hi;
      OutputRange(activation, activation_alpha, activation_beta, lo, hi);
      return BuildFc("FusedMatMul", A, B, Bias, 1, 1, false, lo, hi, result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_FusedMatMul(A, B, Bias, Sum, activation, activation_alpha, activation_beta,
                              result_type, id);
}

}  // extern "C"
