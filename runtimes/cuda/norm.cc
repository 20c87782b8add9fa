// BatchNormalization (inference form) through cuDNN's spatial batch normalisation: X [N, C,
// ...] as [N, C, D, 1] with D the product of the other dimensions. Rejected (run on the
// host): other element types, X of rank below 2, negative epsilon.
#include "cuda_rt.h"

ODLA_CUDA_FILE(norm)

using namespace odla_cuda;

ODLA_REF_DECL(BatchNormalization)

namespace {

using odla_rt::KernelArgs;

struct BatchNormPlan {
  TensorDesc x, params;
  double epsilon = 0;
};

odla_value BuildBatchNorm(odla_value X, odla_value scale, odla_value B, odla_value mean,
                          odla_value var, float epsilon, const odla_value_type& result,
                          odla_value_id id) {
  if (!X || !scale || !B || !mean || !var) Reject("missing input");
  RequireF32({X, scale, B, mean, var});
  RequireF32(result);
  auto xd = ValueDims(X);
  if (xd.size() < 2 || !odla_rt::SameType(X->type, result)) Reject("shapes");
  const int64_t c = xd[1], inner = odla_rt::NumElements(result.shape) / (xd[0] * c);
  for (odla_value v : {scale, B, mean, var})
    if (ValueDims(v) != std::vector<int64_t>{c}) Reject("parameter shape");
  if (!(epsilon >= CUDNN_BN_MIN_EPSILON)) Reject("epsilon ", epsilon);

  RequireDevice();
  auto p = std::make_shared<BatchNormPlan>();
  p->x.Set({xd[0], c, inner, 1});
  p->params.Set({1, c, 1, 1});
  p->epsilon = epsilon;
  odla_rt::Kernel kernel = [p](const KernelArgs& k) {
    const float one = 1, zero = 0;
    ODLA_CUDA_CALL(cudnnBatchNormalizationForwardInference, Cudnn(k), CUDNN_BATCHNORM_SPATIAL, &one,
                   &zero, p->x.d, k.in[0], p->x.d, k.out[0], p->params.d, k.in[1], k.in[2], k.in[3],
                   k.in[4], p->epsilon);
  };
  return AddCudaOp1("BatchNormalization", {X, scale, B, mean, var}, result, 0, id,
                    std::move(kernel));
}

}  // namespace

extern "C" odla_value odla_BatchNormalization(odla_value X, odla_value scale, odla_value B,
                                              odla_value input_mean, odla_value input_var,
                                              odla_float32 epsilon, odla_value_type result_type,
                                              odla_value_id id) {
  return Try(
      "BatchNormalization", id,
      [&] { return BuildBatchNorm(X, scale, B, input_mean, input_var, epsilon, result_type, id); },
      [&] {
        return odla_ref_BatchNormalization(X, scale, B, input_mean, input_var, epsilon, result_type,
                                           id);
      });
}
