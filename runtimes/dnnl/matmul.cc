// Gemm, MatMul, FusedGemm and FusedMatMul as oneDNN matmuls: constant weights reordered
// once into the layout oneDNN prefers, batches broadcast, bias, alpha, sum and activation
// fused.
#include "post_ops.h"

ODLA_DNNL_FILE(matmul)

using namespace odla_dnnl;

ODLA_REF_DECL(Gemm)
ODLA_REF_DECL(FusedGemm)
ODLA_REF_DECL(MatMul)
ODLA_REF_DECL(FusedMatMul)

namespace {

struct MatMulArgs {
  odla_value A, B, Bias, Sum;
  memory::desc a_md, b_md, bias_md;  // A and B as [..., M, K] and [..., K, N]
  float scale = 1;                   // of the product and the bias
  std::shared_ptr<void> bias_data;   // replaces Bias's data (a scaled constant) when set
  const odla_value_type& result;
  odla_value_id id;
  bool bf16 = false;  // A and B as bfloat16 (converted by reorders); bias, result float32
  Dims flat_dst;      // when set, the product's plain 2-D result (a_md, b_md 2-D too)
};

memory::desc Any(const memory::desc& md, memory::data_type t = memory::data_type::f32) {
  return memory::desc(md.dims(), t, memory::format_tag::any);
}

odla_value BuildMatMul(const char* op, const MatMulArgs& a, const std::vector<EltOp>& post) {
  RequireF32({a.A, a.B, a.Bias, a.Sum});
  if (a.result.element_type != ODLA_FLOAT32) Reject("result type");
  Dims yd = TypeDims(a.result);
  memory::desc dst_md = PlainMd(yd);
  dnnl::primitive_attr attr = PostOpsAttr(a.Sum != nullptr, post);
  if (a.scale != 1) attr.set_output_scales(0, {a.scale});
  // Constant weights go into the layout oneDNN prefers once; computed plain ones are read
  // as they are (a reorder on every run would cost more than it saves).
  bool any_b = a.B->const_data || a.B->layout;
  const memory::data_type t = a.bf16 ? memory::data_type::bf16 : memory::data_type::f32;
  dnnl::matmul::desc d(a.A->layout ? Any(a.a_md, t) : WithType(a.a_md, t),
                       any_b ? Any(a.b_md, t) : WithType(a.b_md, t), a.bias_md,
                       a.flat_dst.empty() ? Any(dst_md) : PlainMd(a.flat_dst));
  dnnl::matmul::primitive_desc pd(d, attr, Engine());

  Plan plan;
  std::unordered_map<int, Slot> args;
  Slot as = plan.Input(0, a.A), bs = plan.Input(1, a.B);
  as.md = a.a_md;
  bs.md = a.b_md;
  args[DNNL_ARG_SRC] = plan.As(as, pd.src_desc());
  args[DNNL_ARG_WEIGHTS] = plan.As(bs, pd.weights_desc());
  if (a.Bias) {
    Slot s = a.bias_data ? plan.Own(a.bias_data, a.bias_md) : plan.Input(2, a.Bias);
    s.md = a.bias_md;
    args[DNNL_ARG_BIAS] = plan.As(s, pd.bias_desc());
  }
  memory::desc dst = pd.dst_desc();
  if (a.flat_dst.empty()) dst_md = dst;  // else plain: the same bytes as the flat result
  if (a.Sum) CopySum(plan, 3, a.Sum, a.result, dst_md);
  args[DNNL_ARG_DST] = plan.Out(0, dst);
  plan.AddScratchpad(pd, args);
  plan.Run(dnnl::matmul(pd), args);
  return AddPlanOp(op, {a.A, a.B, a.Bias, a.Sum}, a.result, dst_md, a.id, plan);
}

// Gemm's operands; C scaled by beta / alpha (alpha scales the bias too) when not 1.
odla_value BuildGemm(const char* op, odla_value A, odla_value B, odla_value C, odla_value Sum,
                     float alpha, float beta, bool ta, bool tb, const odla_value_type& result,
                     odla_value_id id, const std::vector<EltOp>& post, bool bf16) {
  Dims ad = ValueDims(A), bd = ValueDims(B);
  if (ad.size() != 2 || bd.size() != 2) Reject("A and B must be matrices");
  if ((ta && A->layout) || (tb && B->layout)) Reject("transposed blocked operand");
  int64_t m = ad[ta ? 1 : 0], k = ad[ta ? 0 : 1], n = bd[tb ? 0 : 1];
  if (bd[tb ? 1 : 0] != k || TypeDims(result) != Dims{m, n}) Reject("shapes");
  std::vector<int> tr{1, 0};
  MatMulArgs a{A,
               B,
               C,
               Sum,
               ta ? PlainMd({m, k}, tr) : MdOf(A),
               tb ? PlainMd({k, n}, tr) : MdOf(B),
               memory::desc(),
               alpha,
               nullptr,
               result,
               id,
               bf16,
               {}};
  if (alpha == 0) Reject("alpha 0");
  if (C) {
    Dims cd = ValueDims(C);
    if (cd.size() > 2 || C->layout) Reject("C");
    cd.insert(cd.begin(), 2 - cd.size(), 1);
    if ((cd[0] != 1 && cd[0] != m) || (cd[1] != 1 && cd[1] != n)) Reject("C's shape");
    a.bias_md = PlainMd(cd);
    float f = beta / alpha;
    if (f != 1) {
      if (!C->const_data) Reject("beta / alpha != 1 with a computed C");
      const float* c = static_cast<const float*>(C->const_data);
      auto scaled = std::make_shared<std::vector<float>>(c, c + cd[0] * cd[1]);
      for (float& x : *scaled) x *= f;
      a.bias_data = std::shared_ptr<void>(scaled, scaled->data());
    }
  }
  return BuildMatMul(op, a, post);
}

// MatMul's operands as [..., M, K] and [..., K, N] of the result's rank.
odla_value BuildNumpyMatMul(const char* op, odla_value A, odla_value B, odla_value Bias,
                            odla_value Sum, const odla_value_type& result, odla_value_id id,
                            const std::vector<EltOp>& post, bool bf16) {
  Dims ad = ValueDims(A), bd = ValueDims(B), yd = TypeDims(result);
  int rank = static_cast<int>(yd.size());
  if (ad.size() < 2 || bd.size() < 2 || rank < 2) Reject("vector operand");
  MatMulArgs a{
      A,      B,  Bias, Sum, MdOfRank(A, rank), MdOfRank(B, rank), memory::desc(), 1, nullptr,
      result, id, bf16, {}};
  if (Bias) {
    if (ValueDims(Bias) != Dims{yd.back()} || Bias->layout) Reject("Bias");
    Dims bias_dims(rank, 1);
    bias_dims.back() = yd.back();
    a.bias_md = PlainMd(bias_dims);
  }
  // A plain [..., M, K] times a B without batches ([K, N] or leading 1s): one [P*M, K] x
  // [K, N] product on the same bytes, for which oneDNN gives constant weights its blocked
  // layout (with batch dimensions it keeps them plain, which is several times slower).
  bool b_batched = false;
  for (size_t i = 0; i + 2 < bd.size(); ++i) b_batched = b_batched || bd[i] != 1;
  if (rank > 2 && !A->layout && !B->layout && !b_batched) {
    int64_t rows = 1;
    for (int i = 0; i + 1 < rank; ++i) rows *= yd[i];
    a.a_md = PlainMd({rows, ad.back()});
    a.b_md = PlainMd({bd[bd.size() - 2], bd.back()});
    if (Bias) a.bias_md = PlainMd({1, yd.back()});
    a.flat_dst = {rows, yd.back()};
  }
  return BuildMatMul(op, a, post);
}

}  // namespace

extern "C" {

odla_value odla_Gemm(odla_value A, odla_value B, odla_value C, odla_float32 alpha,
                     odla_float32 beta, odla_int64 transA, odla_int64 transB,
                     odla_value_type result_type, odla_value_id id) {
  if (A && B) {
    odla_value v = TryPrecision("Gemm", [&](bool bf16) {
      return BuildGemm("Gemm", A, B, C, nullptr, alpha, beta, transA, transB, result_type, id, {},
                       bf16);
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
  if (A && B) {
    odla_value v = TryPrecision("FusedGemm", [&](bool bf16) {
      return BuildGemm("FusedGemm", A, B, C, Sum, alpha, beta, transA, transB, result_type, id,
                       EltOpsOf(activation, activation_alpha, activation_beta), bf16);
    });
    if (v) return v;
  }
  return odla_ref_FusedGemm(A, B, C, Sum, alpha, beta, transA, transB, activation, activation_alpha,
                            activation_beta, result_type, id);
}

odla_value odla_MatMul(odla_value A, odla_value B, odla_value_type result_type, odla_value_id id) {
  if (A && B) {
    odla_value v = TryPrecision("MatMul", [&](bool bf16) {
      return BuildNumpyMatMul("MatMul", A, B, nullptr, nullptr, result_type, id, {}, bf16);
    });
    if (v) return v;
  }
  return odla_ref_MatMul(A, B, result_type, id);
}

odla_value odla_FusedMatMul(odla_value A, odla_value B, odla_value Bias, odla_value Sum,
                            const char* activation, odla_float32 activation_alpha,
                            odla_float32 activation_beta, odla_value_type result_type,
                            odla_value_id id) {
  if (A && B) {
    odla_value v = TryPrecision("FusedMatMul", [&](bool bf16) {
      return BuildNumpyMatMul("FusedMatMul", A, B, Bias, Sum, result_type, id,
                              EltOpsOf(activation, activation_alpha, activation_beta), bf16);
    });
    if (v) return v;
  }
  return odla_ref_FusedMatMul(A, B, Bias, Sum, activation, activation_alpha, activation_beta,
                              result_type, id);
}

}  // extern "C"
