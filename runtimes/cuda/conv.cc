// Conv, FusedConv and ConvTranspose through cuDNN (1-D as 2-D with a unit axis, 2-D, 3-D;
// groups and depthwise through the group count): the convolution (ConvTranspose: cuDNN's
// backward-data convolution), then bias, residual sum and activation in one epilogue kernel.
// A 1x1 convolution of one image (stride 1, no padding, one group) is a cuBLAS product.
// The algorithm is chosen once at build time by cuDNN's heuristics (or, with
// ODLA_CUDA_CONV_ALGO=find, by timing them); its workspace is the op's scratch memory. Pads that
// differ at the two ends of an axis (which cuDNN's descriptor cannot express) are made by copying
// the input zero-padded into scratch memory first. Rejected (run on the host): other element types,
// ConvTranspose with such pads, shapes cuDNN's window arithmetic does not give.
#include "../ref/nn_window.h"
#include "cuda_rt.h"
#include "gemm_call.h"
#include "pad_copy.h"

ODLA_CUDA_FILE(conv)

using namespace odla_cuda;

ODLA_REF_DECL(Conv)
ODLA_REF_DECL(FusedConv)
ODLA_REF_DECL(ConvTranspose)

namespace {

using odla_rt::ConvArgs;
using odla_rt::KernelArgs;

// The most device scratch memory an algorithm may use (per context).
constexpr size_t kMaxWorkspace = size_t(256) << 20;

struct FilterDesc {
  FilterDesc() { ODLA_CUDA_CALL(cudnnCreateFilterDescriptor, &d); }
  ~FilterDesc() { cudnnDestroyFilterDescriptor(d); }
  FilterDesc(const FilterDesc&) = delete;
  FilterDesc& operator=(const FilterDesc&) = delete;
  cudnnFilterDescriptor_t d = nullptr;
};

struct ConvDesc {
  ConvDesc() { ODLA_CUDA_CALL(cudnnCreateConvolutionDescriptor, &d); }
  ~ConvDesc() { cudnnDestroyConvolutionDescriptor(d); }
  ConvDesc(const ConvDesc&) = delete;
  ConvDesc& operator=(const ConvDesc&) = delete;
  cudnnConvolutionDescriptor_t d = nullptr;
};

// A convolution as cuDNN runs it: descriptors and algorithm, made at build time and only
// read by the kernels (of every context).
struct ConvPlan {
  TensorDesc x, y;  // the op's input (zero-padded when `pad`) and result
  FilterDesc w;
  ConvDesc conv;
  bool transposed = false;
  cudnnConvolutionFwdAlgo_t fwd = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  cudnnConvolutionBwdDataAlgo_t bwd = CUDNN_CONVOLUTION_BWD_DATA_ALGO_0;
  size_t workspace = 0;
  bool pad = false;  // the input is copied zero-padded into scratch memory first
  PadGeometry pad_geometry;
  size_t pad_bytes = 0;  // that copy's scratch memory (the workspace follows)
};

// 1-D windows as 2-D ones with a trailing unit axis.
std::vector<int64_t> As2D(std::vector<int64_t> d) {
  if (d.size() == 3) d.push_back(1);
  return d;
}

std::vector<int> Int32(const std::vector<int64_t>& v) {
  std::vector<int> r;
  for (int64_t e : v) {
    if (e > INT32_MAX || e < INT32_MIN) Reject("dimension ", e, " beyond int");
    r.push_back(static_cast<int>(e));
  }
  return r;
}

// Whether an algorithm's math type is allowed: strict fp32 takes none with tensor-op math,
// TF32 none that converts float32 down (to half).
bool MathAllowed(cudnnMathType_t m) {
  if (m == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) return false;
  return UseTf32() || m != CUDNN_TENSOR_OP_MATH;
}

// Takes candidate `algo` if cuDNN gives its workspace size for the descriptor in the
// precision's math type (strict fp32: FMA math whatever the ranking said) within the limit.
template <typename Algo, typename SizeFn>
bool TakeAlgorithm(ConvPlan& p, Algo algo, cudnnMathType_t math, Algo* chosen, SizeFn size) {
  ODLA_CUDA_CALL(cudnnSetConvolutionMathType, p.conv.d, UseTf32() ? math : CUDNN_FMA_MATH);
  size_t bytes = 0;
  if (size(algo, &bytes) != CUDNN_STATUS_SUCCESS || bytes > kMaxWorkspace) return false;
  *chosen = algo;
  p.workspace = bytes;
  return true;
}

// Whether algorithms are ranked by timing them (ODLA_CUDA_CONV_ALGO=find: cuDNN runs each on
// this GPU at build time, in memory of its own) rather than by cuDNN's heuristics (default).
bool FindAlgorithms() {
  static const bool find = odla_rt::Env("ODLA_CUDA_CONV_ALGO") == "find";
  return find;
}

// The first algorithm of cuDNN's ranking that works in the precision and the workspace
// limit, else the implicit GEMM one (no workspace); sets the plan's algorithm, math type and
// workspace.
void ChooseAlgorithm(ConvPlan& p) {
  BuildCudnn h;
  // Timing the algorithms synchronizes the device: no capture may run meanwhile.
  std::unique_lock<std::shared_mutex> timing;
  if (FindAlgorithms()) timing = std::unique_lock<std::shared_mutex>(CaptureLock());
  if (!p.transposed) {
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    int n = 0;
    if (FindAlgorithms())
      CheckOrReject(
          cudnnFindConvolutionForwardAlgorithm(h.get(), p.x.d, p.w.d, p.conv.d, p.y.d,
                                               CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n, perf),
          "cudnnFindConvolutionForwardAlgorithm");
    else
      CheckOrReject(
          cudnnGetConvolutionForwardAlgorithm_v7(h.get(), p.x.d, p.w.d, p.conv.d, p.y.d,
                                                 CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n, perf),
          "cudnnGetConvolutionForwardAlgorithm_v7");
    auto size = [&](cudnnConvolutionFwdAlgo_t algo, size_t* bytes) {
      return cudnnGetConvolutionForwardWorkspaceSize(h.get(), p.x.d, p.w.d, p.conv.d, p.y.d, algo,
                                                     bytes);
    };
    for (int i = 0; i < n; ++i)
      if (perf[i].status == CUDNN_STATUS_SUCCESS && MathAllowed(perf[i].mathType) &&
          TakeAlgorithm(p, perf[i].algo, perf[i].mathType, &p.fwd, size))
        return;
    if (TakeAlgorithm(p, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, CUDNN_FMA_MATH, &p.fwd, size))
      return;
  } else {
    // Backward data: dy is the op's input X, dx its result Y.
    cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    int n = 0;
    if (FindAlgorithms())
      CheckOrReject(cudnnFindConvolutionBackwardDataAlgorithm(
                        h.get(), p.w.d, p.x.d, p.conv.d, p.y.d,
                        CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &n, perf),
                    "cudnnFindConvolutionBackwardDataAlgorithm");
    else
      CheckOrReject(cudnnGetConvolutionBackwardDataAlgorithm_v7(
                        h.get(), p.w.d, p.x.d, p.conv.d, p.y.d,
                        CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &n, perf),
                    "cudnnGetConvolutionBackwardDataAlgorithm_v7");
    auto size = [&](cudnnConvolutionBwdDataAlgo_t algo, size_t* bytes) {
      return cudnnGetConvolutionBackwardDataWorkspaceSize(h.get(), p.w.d, p.x.d, p.conv.d, p.y.d,
                                                          algo, bytes);
    };
    for (int i = 0; i < n; ++i)
      if (perf[i].status == CUDNN_STATUS_SUCCESS && MathAllowed(perf[i].mathType) &&
          TakeAlgorithm(p, perf[i].algo, perf[i].mathType, &p.bwd, size))
        return;
    if (TakeAlgorithm(p, CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, CUDNN_FMA_MATH, &p.bwd, size)) return;
  }
  Reject("no cuDNN algorithm in this precision within ", kMaxWorkspace >> 20, " MiB of workspace");
}

// A 1x1 convolution of one image with stride 1, no padding and one group: Y [M, HW] =
// W [M, C] X [C, HW], one cuBLAS product (a cheaper call than cuDNN's, and one a CUDA graph
// surely captures).
bool Pointwise(const odla_rt::ConvShape& s, bool transposed) {
  if (transposed || s.n != 1 || s.group != 1) return false;
  for (int i = 0; i < 3; ++i)
    if (s.w.k[i] != 1 || s.w.stride[i] != 1 || s.w.pad[i] != 0 || s.w.pad_end[i] != 0) return false;
  return true;
}

odla_value BuildPointwise(const char* op, const ConvArgs& a, const odla_rt::ConvShape& s,
                          const CudaAct& act) {
  const int64_t hw = s.w.in[0] * s.w.in[1] * s.w.in[2];
  if (s.m > INT32_MAX || s.c > INT32_MAX || hw > INT32_MAX) Reject("dimensions beyond int");
  GemmCall g;
  g.m = static_cast<int>(s.m);
  g.n = static_cast<int>(hw);
  g.k = static_cast<int>(s.c);
  g.lda = g.k;
  g.ldb = g.n;
  g.compute = CublasCompute();
  const int64_t n = s.m * hw;
  odla_rt::Kernel kernel = [g, n, channels = s.m, hw, act](const KernelArgs& k) {
    g.Run(k, k.In<float>(1), k.In<float>(0), k.Out<float>(0), 1.f, 0.f);
    Epilogue(CudaStream(k), k.Out<float>(0), n, k.In<float>(2), channels, hw, k.In<float>(3), act);
  };
  return AddCudaOp1(op, {a.X, a.W, a.B, a.Sum}, a.result, 0, a.id, std::move(kernel));
}

odla_value BuildConv(const char* op, const ConvArgs& a, bool transposed, const CudaAct& act) {
  RequireF32({a.X, a.W, a.B, a.Sum});
  RequireF32(a.result);
  // The ref builder's checks, with its errors.
  odla_rt::ConvShape s = odla_rt::ConvGeometry(a.X, a.W, a.B, a.result, a.group, a.strides,
                                               a.dilations, a.pads, transposed);
  if (a.Sum && !odla_rt::SameType(a.Sum->type, a.result)) Reject("Sum's type");
  if (Pointwise(s, transposed)) return BuildPointwise(op, a, s, act);
  std::vector<int64_t> xd = ValueDims(a.X), wd = ValueDims(a.W), yd = TypeDims(a.result);
  const int spatial = static_cast<int>(xd.size()) - 2, off = 3 - spatial;
  if (transposed) {  // the ref's output size check
    std::vector<int64_t> extra = odla_rt::FromInts(a.output_padding);
    if (!extra.empty() && static_cast<int>(extra.size()) != spatial) Reject("output_padding");
    for (int i = off; i < 3; ++i) {
      int64_t want = s.w.stride[i] * (s.w.in[i] - 1) + (extra.empty() ? 0 : extra[i - off]) +
                     (s.w.k[i] - 1) * s.w.dil[i] + 1 - s.w.pad[i] - s.w.pad_end[i];
      if (s.w.out[i] != want) Reject("output size");
    }
  }
  // Pads that differ at the two ends: all pads explicit, by a zero-padded copy of X.
  bool explicit_pad = false;
  for (int i = off; i < 3; ++i) explicit_pad = explicit_pad || s.w.pad[i] != s.w.pad_end[i];
  if (explicit_pad && transposed) Reject("pads that differ at the two ends");
  PadGeometry geometry;
  if (explicit_pad) {
    geometry.planes = s.n * s.c;
    for (int i = off; i < 3; ++i) {
      geometry.in[i] = s.w.in[i];
      geometry.begin[i] = s.w.pad[i];
      geometry.out[i] = s.w.in[i] + s.w.pad[i] + s.w.pad_end[i];
      xd[2 + i - off] = geometry.out[i];
    }
  }
  std::vector<int64_t> pad, stride, dil;
  for (int i = off; i < 3; ++i) {
    pad.push_back(explicit_pad ? 0 : s.w.pad[i]);
    stride.push_back(s.w.stride[i]);
    dil.push_back(s.w.dil[i]);
  }
  if (spatial == 1) {
    pad.push_back(0);
    stride.push_back(1);
    dil.push_back(1);
  }
  xd = As2D(xd);
  wd = As2D(wd);
  yd = As2D(yd);
  std::vector<int> w32 = Int32(wd), pad32 = Int32(pad), stride32 = Int32(stride),
                   dil32 = Int32(dil);
  if (s.group > INT32_MAX) Reject("group ", s.group);

  RequireDevice();
  auto p = std::make_shared<ConvPlan>();
  p->transposed = transposed;
  p->x.Set(xd);
  p->y.Set(yd);
  const int nb = static_cast<int>(wd.size());
  CheckOrReject(
      cudnnSetFilterNdDescriptor(p->w.d, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, nb, w32.data()),
      "cudnnSetFilterNdDescriptor");
  CheckOrReject(
      cudnnSetConvolutionNdDescriptor(p->conv.d, nb - 2, pad32.data(), stride32.data(),
                                      dil32.data(), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
      "cudnnSetConvolutionNdDescriptor");
  CheckOrReject(cudnnSetConvolutionGroupCount(p->conv.d, static_cast<int>(s.group)),
                "cudnnSetConvolutionGroupCount");
  ODLA_CUDA_CALL(cudnnSetConvolutionMathType, p->conv.d, CudnnMath());
  // cuDNN's forward arithmetic must give the forward result: Y (Conv) or X (ConvTranspose,
  // whose output padding cuDNN cannot express beyond what the rounding absorbs).
  const TensorDesc& fwd_in = transposed ? p->y : p->x;
  const std::vector<int64_t>& fwd_out = transposed ? xd : yd;
  std::vector<int> got(nb);
  CheckOrReject(cudnnGetConvolutionNdForwardOutputDim(p->conv.d, fwd_in.d, p->w.d, nb, got.data()),
                "cudnnGetConvolutionNdForwardOutputDim");
  for (int i = 0; i < nb; ++i)
    if (got[i] != fwd_out[i]) Reject("cuDNN's window arithmetic gives another shape");
  ChooseAlgorithm(*p);
  if (explicit_pad) {
    p->pad = true;
    p->pad_geometry = geometry;
    p->pad_bytes = ScratchAligned(odla_rt::NumElements(odla_rt::MakeShape(xd)) * sizeof(float));
  }

  int64_t n = odla_rt::NumElements(a.result.shape), channels = s.m, inner = n / (s.n * s.m);
  odla_rt::Kernel kernel = [p, n, channels, inner, act](const KernelArgs& k) {
    const float one = 1, zero = 0;
    const void* x = k.in[0];
    void* workspace = k.scratch;
    if (p->pad) {
      float* padded = static_cast<float*>(k.scratch);
      PadCopy(CudaStream(k), k.In<float>(0), padded, p->pad_geometry, 0.f);
      x = padded;
      workspace = static_cast<char*>(k.scratch) + p->pad_bytes;
    }
    if (!p->transposed)
      ODLA_CUDA_CALL(cudnnConvolutionForward, Cudnn(k), &one, p->x.d, x, p->w.d, k.in[1], p->conv.d,
                     p->fwd, workspace, p->workspace, &zero, p->y.d, k.out[0]);
    else
      ODLA_CUDA_CALL(cudnnConvolutionBackwardData, Cudnn(k), &one, p->w.d, k.in[1], p->x.d, k.in[0],
                     p->conv.d, p->bwd, workspace, p->workspace, &zero, p->y.d, k.out[0]);
    Epilogue(CudaStream(k), k.Out<float>(0), n, k.In<float>(2), channels, inner, k.In<float>(3),
             act);
  };
  return AddCudaOp1(op, {a.X, a.W, a.B, a.Sum}, a.result, p->pad_bytes + p->workspace, a.id,
                    std::move(kernel));
}

}  // namespace

extern "C" {

odla_value odla_Conv(odla_value X, odla_value W, odla_value B, odla_ints dilations,
                     odla_int64 group, odla_ints pads, odla_ints strides,
                     odla_value_type result_type, odla_value_id id) {
  return Try(
      "Conv", id,
      [&] {
        if (!X || !W) Reject("missing input");
        ConvArgs a{X, W, B, nullptr, dilations, group, pads, strides, {}, result_type, id};
        return BuildConv("Conv", a, false, CudaAct{});
      },
      [&] { return odla_ref_Conv(X, W, B, dilations, group, pads, strides, result_type, id); });
}

odla_value odla_FusedConv(odla_value X, odla_value W, odla_value B, odla_value Sum,
                          odla_ints dilations, odla_int64 group, odla_ints pads, odla_ints strides,
                          const char* activation, odla_float32 activation_alpha,
                          odla_float32 activation_beta, odla_value_type result_type,
                          odla_value_id id) {
  return Try(
      "FusedConv", id,
      [&] {
        if (!X || !W) Reject("missing input");
        ConvArgs a{X, W, B, Sum, dilations, group, pads, strides, {}, result_type, id};
        return BuildConv("FusedConv", a, false,
                         ParseCudaAct(activation, activation_alpha, activation_beta));
      },
      [&] {
        return odla_ref_FusedConv(X, W, B, Sum, dilations, group, pads, strides, activation,
                                  activation_alpha, activation_beta, result_type, id);
      });
}

odla_value odla_ConvTranspose(odla_value X, odla_value W, odla_value B, odla_ints dilations,
                              odla_int64 group, odla_ints output_padding, odla_ints pads,
                              odla_ints strides, odla_value_type result_type, odla_value_id id) {
  return Try(
      "ConvTranspose", id,
      [&] {
        if (!X || !W) Reject("missing input");
        ConvArgs a{X,           W, B, nullptr, dilations, group, pads, strides, output_padding,
                   result_type, id};
        return BuildConv("ConvTranspose", a, true, CudaAct{});
      },
      [&] {
        return odla_ref_ConvTranspose(X, W, B, dilations, group, output_padding, pads, strides,
                                      result_type, id);
      });
}

}  // extern "C"
