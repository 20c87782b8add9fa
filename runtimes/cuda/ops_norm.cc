// Softmax, LogSoftmax (any axis; one warp or block per row when the axis is innermost), Hardmax,
// InstanceNormalization, BatchNormalization in training mode, LayerNormalization, LRN,
// MeanVarianceNormalization and LpNormalization on the project's CUDA kernels, float32; CumSum
// float32, int32, int64.
// Rejected (run on the host by the shared builder, which also reports invalid arguments):
// other types, empty values, LayerNormalization's Scale or B of fewer elements than a
// normalised row (broadcast) and Mean/InvStdDev results other than float32.
#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_norm)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

ODLA_REF_DECL(Softmax)
ODLA_REF_DECL(LogSoftmax)
ODLA_REF_DECL(LRN)
ODLA_REF_DECL(LayerNormalization)
ODLA_REF_DECL(Hardmax)
ODLA_REF_DECL(InstanceNormalization)
ODLA_REF_DECL(BatchNormalizationTraining)
ODLA_REF_DECL(CumSum)
ODLA_REF_DECL(MeanVarianceNormalization)
ODLA_REF_DECL(LpNormalization)

namespace {

// The [outer, n, inner] view of x around the axis (legacy_2d: n spans the axis and after).
void AxisView(odla_value x, int64_t axis, bool legacy_2d, int64_t* outer, int64_t* n,
              int64_t* inner) {
  Ints dims = ValueDims(x);
  int64_t rank = static_cast<int64_t>(dims.size());
  if (axis < 0 || axis >= rank) Reject("axis");
  *outer = *n = *inner = 1;
  for (int64_t i = 0; i < rank; ++i)
    (i < axis ? *outer : i == axis || legacy_2d ? *n : *inner) *= dims[i];
}

odla_value BuildSoftmax(const char* op, int kind, odla_value x, int64_t axis, bool legacy_2d,
                        const odla_value_type& rt, odla_value_id id) {
  RequireF32({x});
  if (!x || !odla_rt::SameType(x->type, rt)) Reject("result type");
  int64_t outer, n, inner;
  AxisView(x, axis, legacy_2d, &outer, &n, &inner);
  return AddCudaOp1(op, {x}, rt, 0, id, [=](const KernelArgs& k) {
    Softmax(CudaStream(k), kind, k.In<float>(0), k.Out<float>(0), outer, n, inner);
  });
}

odla_value BuildCumSum(odla_value x, int64_t axis, bool exclusive, bool reverse,
                       const odla_value_type& rt, odla_value_id id) {
  if (!x || !odla_rt::SameType(x->type, rt)) Reject("result type");
  odla_element_type t = x->type.element_type;
  if (t != ODLA_FLOAT32 && t != ODLA_INT32 && t != ODLA_INT64) Reject("element type");
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty value");
  int64_t outer, n, inner;
  AxisView(x, axis, false, &outer, &n, &inner);
  return AddCudaOp1("CumSum", {x}, rt, 0, id, [=](const KernelArgs& k) {
    CumSum(CudaStream(k), t, k.in[0], k.out[0], outer, n, inner, exclusive, reverse);
  });
}

odla_value BuildInstanceNorm(odla_value x, odla_value scale, odla_value b, float epsilon,
                             const odla_value_type& rt, odla_value_id id) {
  if (!x || !scale || !b || !odla_rt::SameType(x->type, rt)) Reject("result type");
  RequireF32({x, scale, b});
  Ints xs = ValueDims(x);
  if (xs.size() < 3) Reject("rank");
  int64_t n = xs[0], c = xs[1], inner = odla_rt::NumElements(x->type.shape) / (n * c);
  if (ValueDims(scale) != Ints{c} || ValueDims(b) != Ints{c}) Reject("scale/B shape");
  double eps = epsilon;
  return AddCudaOp1("InstanceNormalization", {x, scale, b}, rt, 0, id, [=](const KernelArgs& k) {
    InstanceNorm(CudaStream(k), k.In<float>(0), k.In<float>(1), k.In<float>(2), eps,
                 k.Out<float>(0), n, c, inner);
  });
}

odla_values BuildBatchNormTraining(odla_value x, odla_value scale, odla_value b, odla_value mean,
                                   odla_value var, float epsilon, float momentum,
                                   const odla_value_types& rts, odla_value_id id) {
  if (!x || !scale || !b || !mean || !var || rts.size < 1 || rts.size > 3 ||
      !odla_rt::SameType(x->type, rts.types[0]))
    Reject("result types");
  RequireF32({x, scale, b, mean, var});
  const Ints xs = ValueDims(x);
  if (xs.size() < 2 || odla_rt::NumElements(x->type.shape) == 0) Reject("rank or empty");
  const int64_t n = xs[0], c = xs[1], inner = odla_rt::NumElements(x->type.shape) / (n * c);
  for (odla_value v : {scale, b, mean, var})
    if (ValueDims(v) != Ints{c}) Reject("parameter shapes");
  std::vector<odla_value_type> types(rts.types, rts.types + rts.size);
  for (size_t i = 1; i < types.size(); ++i)
    if (types[i].element_type != ODLA_FLOAT32 || TypeDims(types[i]) != Ints{c})
      Reject("running statistics' types");
  const double eps = epsilon, mom = momentum;
  const size_t nres = types.size();
  auto out = AddCudaOp("BatchNormalizationTraining", {x, scale, b, mean, var}, types, 0, id,
                       [=](const KernelArgs& k) {
                         BatchNormTraining(CudaStream(k), k.In<float>(0), k.In<float>(1),
                                           k.In<float>(2), k.In<float>(3), k.In<float>(4), eps, mom,
                                           k.Out<float>(0), nres > 1 ? k.Out<float>(1) : nullptr,
                                           nres > 2 ? k.Out<float>(2) : nullptr, n, c, inner);
                       });
  return odla_rt::ToValues(out);
}

// Whether v (shape s) broadcasts to the normalised shape `norm` holding all its elements in
// order (no expansion needed).
bool FullRow(odla_value v, const Ints& norm, int64_t cols) {
  Ints s = ValueDims(v);
  if (s.size() > norm.size() || odla_rt::NumElements(v->type.shape) != cols) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] != 1 && s[i] != norm[norm.size() - s.size() + i]) return false;
  return true;
}

odla_values BuildLayerNorm(odla_value x, odla_value scale, odla_value b, int64_t axis,
                           float epsilon, const odla_value_types& result_types, odla_value_id id) {
  if (!x || !scale) Reject("missing input");
  RequireF32({x, scale, b});
  auto types = odla_rt::FromTypes(result_types);
  if (types.empty() || types.size() > 3 || !odla_rt::SameType(types[0], x->type))
    Reject("result types");
  Ints xs = ValueDims(x);
  int64_t rank = static_cast<int64_t>(xs.size());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) Reject("axis");
  Ints norm(xs.begin() + axis, xs.end());
  int64_t rows = 1, cols = 1;
  for (int64_t i = 0; i < rank; ++i) (i < axis ? rows : cols) *= xs[i];
  for (size_t i = 1; i < types.size(); ++i)
    if (types[i].element_type != ODLA_FLOAT32 || odla_rt::NumElements(types[i].shape) != rows)
      Reject("Mean/InvStdDev types");
  if (!FullRow(scale, norm, cols) || (b && !FullRow(b, norm, cols))) Reject("Scale/B broadcast");
  bool has_b = b != nullptr;
  size_t nres = types.size();
  double eps = epsilon;
  return odla_rt::ToValues(
      AddCudaOp("LayerNormalization", {x, scale, b}, types, 0, id, [=](const KernelArgs& k) {
        LayerNorm(CudaStream(k), k.In<float>(0), k.In<float>(1), has_b ? k.In<float>(2) : nullptr,
                  eps, k.Out<float>(0), nres > 1 ? k.Out<float>(1) : nullptr,
                  nres > 2 ? k.Out<float>(2) : nullptr, rows, cols);
      }));
}

// LRN across dimension 1 of x (rank 2 or more).
odla_value BuildLrn(odla_value x, float alpha, float beta, float bias, int64_t size,
                    const odla_value_type& rt, odla_value_id id) {
  if (!x) Reject("missing input");
  RequireF32({x});
  if (!odla_rt::SameType(rt, x->type)) Reject("result type");
  Ints xs = ValueDims(x);
  if (xs.size() < 2 || size < 1) Reject("rank or size");
  int64_t n = xs[0], c = xs[1], inner = odla_rt::NumElements(x->type.shape) / (n * c);
  double a = alpha, b = beta, k0 = bias;
  return AddCudaOp1("LRN", {x}, rt, 0, id, [=](const KernelArgs& k) {
    Lrn(CudaStream(k), k.In<float>(0), k.Out<float>(0), n, c, inner, a, b, k0, size);
  });
}

odla_value BuildMeanVarianceNorm(odla_value x, const odla_ints& axes, const odla_value_type& rt,
                                 odla_value_id id) {
  if (!x || !odla_rt::SameType(x->type, rt)) Reject("result type");
  RequireF32({x});
  Ints xs = ValueDims(x);
  if (xs.size() > kMaxDims) Reject("rank above 8");
  const int64_t rank = static_cast<int64_t>(xs.size());
  std::vector<bool> reduced(rank, false);
  for (int64_t a : odla_rt::FromInts(axes)) {
    if (a < 0) a += rank;
    if (a < 0 || a >= rank) Reject("axis");
    reduced[a] = true;
  }
  Ints strides = DenseStrides(xs), gd, gs, md, ms;
  for (int64_t d = 0; d < rank; ++d) {
    (reduced[d] ? md : gd).push_back(xs[d]);
    (reduced[d] ? ms : gs).push_back(strides[d]);
  }
  StridedMap groups = MakeMap(gd, gs, 0, gs, 0), members = MakeMap(md, ms, 0, ms, 0);
  return AddCudaOp1("MeanVarianceNormalization", {x}, rt, 0, id, [=](const KernelArgs& k) {
    MeanVarianceNorm(CudaStream(k), k.In<float>(0), k.Out<float>(0), groups, members);
  });
}

odla_value BuildLpNorm(odla_value x, int64_t axis, int64_t p, const odla_value_type& rt,
                       odla_value_id id) {
  if (!x || !odla_rt::SameType(x->type, rt)) Reject("result type");
  RequireF32({x});
  Ints xs = ValueDims(x);
  if (axis < 0 || axis >= static_cast<int64_t>(xs.size()) || (p != 1 && p != 2))
    Reject("axis or p");
  int64_t outer = 1, inner = 1, len = xs[axis];
  for (int64_t d = 0; d < axis; ++d) outer *= xs[d];
  for (size_t d = axis + 1; d < xs.size(); ++d) inner *= xs[d];
  const int pi = static_cast<int>(p);
  return AddCudaOp1("LpNormalization", {x}, rt, 0, id, [=](const KernelArgs& k) {
    LpNormalize(CudaStream(k), k.In<float>(0), k.Out<float>(0), outer, len, inner, pi);
  });
}

}  // namespace

extern "C" {

odla_value odla_MeanVarianceNormalization(odla_value X, odla_ints axes, odla_value_type result_type,
                                          odla_value_id id) {
  return Try(
      "MeanVarianceNormalization", id,
      [&] { return BuildMeanVarianceNorm(X, axes, result_type, id); },
      [&] { return odla_ref_MeanVarianceNormalization(X, axes, result_type, id); });
}

odla_value odla_LpNormalization(odla_value input, odla_int64 axis, odla_int64 p,
                                odla_value_type result_type, odla_value_id id) {
  return Try(
      "LpNormalization", id, [&] { return BuildLpNorm(input, axis, p, result_type, id); },
      [&] { return odla_ref_LpNormalization(input, axis, p, result_type, id); });
}

odla_value odla_LRN(odla_value X, odla_float32 alpha, odla_float32 beta, odla_float32 bias,
                    odla_int64 size, odla_value_type result_type, odla_value_id id) {
  return Try(
      "LRN", id, [&] { return BuildLrn(X, alpha, beta, bias, size, result_type, id); },
      [&] { return odla_ref_LRN(X, alpha, beta, bias, size, result_type, id); });
}

odla_value odla_Softmax(odla_value input, odla_int64 axis, odla_int64 legacy_2d,
                        odla_value_type result_type, odla_value_id id) {
  return Try(
      "Softmax", id,
      [&] { return BuildSoftmax("Softmax", 0, input, axis, legacy_2d != 0, result_type, id); },
      [&] { return odla_ref_Softmax(input, axis, legacy_2d, result_type, id); });
}

odla_value odla_LogSoftmax(odla_value input, odla_int64 axis, odla_int64 legacy_2d,
                           odla_value_type result_type, odla_value_id id) {
  return Try(
      "LogSoftmax", id,
      [&] { return BuildSoftmax("LogSoftmax", 1, input, axis, legacy_2d != 0, result_type, id); },
      [&] { return odla_ref_LogSoftmax(input, axis, legacy_2d, result_type, id); });
}

odla_value odla_Hardmax(odla_value input, odla_int64 axis, odla_int64 legacy_2d,
                        odla_value_type result_type, odla_value_id id) {
  return Try(
      "Hardmax", id,
      [&] { return BuildSoftmax("Hardmax", 2, input, axis, legacy_2d != 0, result_type, id); },
      [&] { return odla_ref_Hardmax(input, axis, legacy_2d, result_type, id); });
}

odla_value odla_CumSum(odla_value x, odla_int64 axis, odla_int64 exclusive, odla_int64 reverse,
                       odla_value_type result_type, odla_value_id id) {
  return Try(
      "CumSum", id,
      [&] { return BuildCumSum(x, axis, exclusive != 0, reverse != 0, result_type, id); },
      [&] { return odla_ref_CumSum(x, axis, exclusive, reverse, result_type, id); });
}

odla_value odla_InstanceNormalization(odla_value input, odla_value scale, odla_value B,
                                      odla_float32 epsilon, odla_value_type result_type,
                                      odla_value_id id) {
  return Try(
      "InstanceNormalization", id,
      [&] { return BuildInstanceNorm(input, scale, B, epsilon, result_type, id); },
      [&] { return odla_ref_InstanceNormalization(input, scale, B, epsilon, result_type, id); });
}

odla_values odla_BatchNormalizationTraining(odla_value X, odla_value scale, odla_value B,
                                            odla_value input_mean, odla_value input_var,
                                            odla_float32 epsilon, odla_float32 momentum,
                                            odla_value_types result_types, odla_value_id id) {
  return TryN(
      "BatchNormalizationTraining", id,
      [&] {
        return BuildBatchNormTraining(X, scale, B, input_mean, input_var, epsilon, momentum,
                                      result_types, id);
      },
      [&] {
        return odla_ref_BatchNormalizationTraining(X, scale, B, input_mean, input_var, epsilon,
                                                   momentum, result_types, id);
      });
}

odla_values odla_LayerNormalization(odla_value X, odla_value Scale, odla_value B, odla_int64 axis,
                                    odla_float32 epsilon, odla_value_types result_types,
                                    odla_value_id id) {
  return TryN(
      "LayerNormalization", id,
      [&] { return BuildLayerNorm(X, Scale, B, axis, epsilon, result_types, id); },
      [&] { return odla_ref_LayerNormalization(X, Scale, B, axis, epsilon, result_types, id); });
}

}  // extern "C"
