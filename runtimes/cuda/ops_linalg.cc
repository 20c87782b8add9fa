// Einsum on the GPU, as the ref's plan (runtimes/kernels/einsum.h) runs it: per contraction,
// the two operands gathered (summed over letters only they hold) into [batch, M, K] and [batch,
// K, N], one strided batched cuBLAS product; a last gather into the result. float32. Rejected
// (run on the host by the shared builder, which also reports invalid arguments): other element
// types, equations the plan refuses, gathers of more than 8 dimensions after merging,
// dimensions beyond int.
#include <algorithm>

#include "../kernels/einsum.h"
#include "cuda_rt.h"
#include "gemm_call.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_linalg)

using namespace odla_cuda;
using odla_rt::KernelArgs;

ODLA_REF_DECL(Einsum)

namespace {

// A gather's two maps: its kept elements, and those it sums.
struct GatherMaps {
  int src = 0;
  StridedMap kept, summed;
};

GatherMaps Maps(const odla_rt::EinsumGather& g) {
  GatherMaps m;
  m.src = g.src;
  std::vector<int64_t> kd(g.dims.begin(), g.dims.begin() + g.kept),
      ks(g.strides.begin(), g.strides.begin() + g.kept);
  std::vector<int64_t> sd(g.dims.begin() + g.kept, g.dims.end()),
      ss(g.strides.begin() + g.kept, g.strides.end());
  m.kept = RejectFailures([&] { return MakeMap(kd, ks, 0, ks, 0); });
  m.summed = RejectFailures([&] { return MakeMap(sd, ss, 0, ss, 0); });
  return m;
}

struct Stage {
  GatherMaps a, b;
  GemmCall gemm;
  int64_t nb, nm, nk, nn;
};

odla_value BuildEinsum(const odla_values& inputs, const char* equation, const odla_value_type& rt,
                       odla_value_id id) {
  std::vector<odla_value> ins = odla_rt::FromValues(inputs);
  if (ins.empty()) Reject("no inputs");
  for (odla_value v : ins) RequireF32({v});
  RequireF32(rt);
  std::vector<std::vector<int64_t>> shapes;
  for (odla_value v : ins) shapes.push_back(ValueDims(v));
  const odla_rt::EinsumPlan plan =
      RejectFailures([&] { return odla_rt::EinsumPlan(equation ? equation : "", shapes); });
  if (plan.out_shape() != TypeDims(rt)) Reject("result shape");
  std::vector<Stage> stages;
  int64_t a_max = 0, b_max = 0, prod_max = 0;
  for (const odla_rt::EinsumStage& s : plan.stages()) {
    Stage st{Maps(s.a), Maps(s.b), {}, s.nb, s.nm, s.nk, s.nn};
    st.gemm.m = IntDim(s.nm), st.gemm.n = IntDim(s.nn), st.gemm.k = IntDim(s.nk);
    st.gemm.lda = IntDim(s.nk), st.gemm.ldb = IntDim(s.nn), st.gemm.batches = IntDim(s.nb);
    st.gemm.stride_a = s.nm * s.nk, st.gemm.stride_b = s.nk * s.nn;
    st.gemm.compute = CublasCompute();
    a_max = std::max(a_max, s.nb * s.nm * s.nk);
    b_max = std::max(b_max, s.nb * s.nk * s.nn);
    prod_max = std::max(prod_max, s.nb * s.nm * s.nn);
    stages.push_back(st);
  }
  const GatherMaps last = Maps(plan.final_gather());
  auto floats = [](int64_t n) { return ScratchAligned(n * sizeof(float)); };
  const size_t at_b = floats(a_max), at_p0 = at_b + floats(b_max), at_p1 = at_p0 + floats(prod_max),
               total = at_p1 + floats(prod_max);
  return AddCudaOp1("Einsum", ins, rt, total, id, [=](const KernelArgs& k) {
    cudaStream_t s = CudaStream(k);
    char* scratch = static_cast<char*>(k.scratch);
    float* a = reinterpret_cast<float*>(scratch);
    float* b = reinterpret_cast<float*>(scratch + at_b);
    float* prod[2] = {reinterpret_cast<float*>(scratch + at_p0),
                      reinterpret_cast<float*>(scratch + at_p1)};
    int cur = 0;  // prod[cur]: the last product
    auto src = [&](const GatherMaps& g) { return g.src < 0 ? prod[cur] : k.In<float>(g.src); };
    for (const Stage& st : stages) {
      EinsumGather(s, src(st.a), a, st.a.kept, st.a.summed);
      EinsumGather(s, src(st.b), b, st.b.kept, st.b.summed);
      float* c = prod[1 - cur];
      const int64_t n = st.nb * st.nm * st.nn;
      if (st.nk == 0 && n > 0)
        ODLA_CUDA_CALL(cudaMemsetAsync, c, 0, n * sizeof(float), s);
      else if (n > 0)
        st.gemm.Run(k, a, b, c, 1.f, 0.f);
      cur = 1 - cur;
    }
    EinsumGather(s, src(last), k.Out<float>(0), last.kept, last.summed);
  });
}

}  // namespace

extern "C" {

odla_value odla_Einsum(odla_values Inputs, const char* equation, odla_value_type result_type,
                       odla_value_id id) {
  return Try(
      "Einsum", id, [&] { return BuildEinsum(Inputs, equation, result_type, id); },
      [&] { return odla_ref_Einsum(Inputs, equation, result_type, id); });
}

}  // extern "C"
