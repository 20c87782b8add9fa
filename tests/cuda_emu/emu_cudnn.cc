// The cuDNN calls libodla_cuda makes, as naive host loops over float32 tensors of 2-D or 3-D
// images (NCHW, NCDHW, any strides): convolution forward and backward data, pooling and batch
// normalization inference. Sums accumulate in double and round once. Descriptors are checked
// as cuDNN does; a failing call's reason is what cudnnGetLastErrorString returns.
#include <cudnn.h>

#include <cstdio>

#include "cuda_emu.h"

struct cudnnContext {
  cudaStream_t stream = nullptr;
};
struct cudnnTensorStruct {
  int nb = 0;  // 0: not set
  int dims[CUDNN_DIM_MAX], strides[CUDNN_DIM_MAX];
};
struct cudnnFilterStruct {
  int nb = 0;
  int dims[CUDNN_DIM_MAX];  // K, C / groups, window (dense)
};
struct cudnnConvolutionStruct {
  int spatial = 0;
  int pad[CUDNN_DIM_MAX], stride[CUDNN_DIM_MAX], dil[CUDNN_DIM_MAX];
  bool flip = false;  // CUDNN_CONVOLUTION rather than cross-correlation
  int groups = 1;
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
};
struct cudnnPoolingStruct {
  int spatial = 0;
  int window[CUDNN_DIM_MAX], pad[CUDNN_DIM_MAX], stride[CUDNN_DIM_MAX];
  cudnnPoolingMode_t mode = CUDNN_POOLING_MAX;
  bool propagate_nan = false;
};

namespace {

thread_local std::string last_error;

cudnnStatus_t Fail(cudnnStatus_t status, const std::string& why) {
  last_error = why;
  return status;
}

#define CHECK(cond, status, why) \
  if (!(cond)) return Fail(status, why)
#define TRY(call) \
  if (cudnnStatus_t s = (call); s != CUDNN_STATUS_SUCCESS) return s

// A tensor as N, C and three spatial axes (2-D images with a leading unit depth).
struct View {
  int64_t dim[5] = {1, 1, 1, 1, 1}, stride[5] = {0, 0, 0, 0, 0};
  int64_t At(int64_t n, int64_t c, const int64_t* s) const {
    return n * stride[0] + c * stride[1] + s[0] * stride[2] + s[1] * stride[3] + s[2] * stride[4];
  }
  const int64_t* Spatial() const { return dim + 2; }
};

cudnnStatus_t ToView(const cudnnTensorStruct* t, View* v) {
  CHECK(t && t->nb, CUDNN_STATUS_BAD_PARAM, "tensor descriptor not set");
  CHECK(t->nb == 4 || t->nb == 5, CUDNN_STATUS_NOT_SUPPORTED, "tensors of 4 or 5 dimensions only");
  for (int i = 0; i < t->nb; ++i) {
    int axis = i < 2 ? i : i + 5 - t->nb;
    v->dim[axis] = t->dims[i];
    v->stride[axis] = t->strides[i];
  }
  return CUDNN_STATUS_SUCCESS;
}

// Calls f(i) for every index i of a 3-D box.
template <typename F>
void Each(const int64_t* ext, F f) {
  int64_t i[3];
  for (i[0] = 0; i[0] < ext[0]; ++i[0])
    for (i[1] = 0; i[1] < ext[1]; ++i[1])
      for (i[2] = 0; i[2] < ext[2]; ++i[2]) f(static_cast<const int64_t*>(i));
}

// alpha * v + beta * old, not reading old when beta is 0.
void Store(float* out, double v, float alpha, float beta) {
  double r = alpha * v;
  if (beta != 0) r += static_cast<double>(beta) * *out;
  *out = static_cast<float>(r);
}

// One convolution's shapes, the forward direction's x [n, c] and y [n, k].
struct Conv {
  View x, y;
  int64_t cg, kg;  // channels of a group in x and y
  int64_t win[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, stride[3] = {1, 1, 1}, dil[3] = {1, 1, 1};
  bool flip;
  bool tf32;  // tensor-op math: operands rounded to TF32

  double Product(float a, float b) const {
    return tf32 ? static_cast<double>(cuda_emu::Tf32(a)) * cuda_emu::Tf32(b)
                : static_cast<double>(a) * b;
  }

  int64_t Weight(int64_t k, int64_t c, const int64_t* q) const {
    int64_t r = k * cg + c;
    for (int a = 0; a < 3; ++a) r = r * win[a] + (flip ? win[a] - 1 - q[a] : q[a]);
    return r;
  }

  void Forward(const float* x_data, const float* w, float* y_data, float alpha, float beta) const {
    for (int64_t n = 0; n < y.dim[0]; ++n)
      for (int64_t k = 0; k < y.dim[1]; ++k)
        Each(y.Spatial(), [&](const int64_t* o) {
          double acc = 0;
          for (int64_t c = 0; c < cg; ++c)
            Each(win, [&](const int64_t* q) {
              int64_t i[3];
              for (int a = 0; a < 3; ++a) {
                i[a] = o[a] * stride[a] - pad[a] + q[a] * dil[a];
                if (i[a] < 0 || i[a] >= x.Spatial()[a]) return;
              }
              acc += Product(x_data[x.At(n, k / kg * cg + c, i)], w[Weight(k, c, q)]);
            });
          Store(y_data + y.At(n, k, o), acc, alpha, beta);
        });
  }

  // dx = the forward's gradient with respect to x, given dy.
  void BackwardData(const float* dy, const float* w, float* dx, float alpha, float beta) const {
    for (int64_t n = 0; n < x.dim[0]; ++n)
      for (int64_t c = 0; c < x.dim[1]; ++c)
        Each(x.Spatial(), [&](const int64_t* i) {
          double acc = 0;
          for (int64_t k = c / cg * kg; k < (c / cg + 1) * kg; ++k)
            Each(win, [&](const int64_t* q) {
              int64_t o[3];
              for (int a = 0; a < 3; ++a) {
                int64_t t = i[a] + pad[a] - q[a] * dil[a];
                if (t < 0 || t % stride[a] != 0 || t / stride[a] >= y.Spatial()[a]) return;
                o[a] = t / stride[a];
              }
              acc += Product(dy[y.At(n, k, o)], w[Weight(k, c % cg, q)]);
            });
          Store(dx + x.At(n, c, i), acc, alpha, beta);
        });
  }
};

// out = (in + 2 * pad - window) / stride + 1, where the window fits the padded input.
cudnnStatus_t WindowOut(int in, int pad, int window, int stride, int* out) {
  CHECK(in + 2 * pad >= window, CUDNN_STATUS_BAD_PARAM, "window larger than the padded input");
  *out = (in + 2 * pad - window) / stride + 1;
  return CUDNN_STATUS_SUCCESS;
}

// The forward output dimensions of x convolved with w (nb of them).
cudnnStatus_t ConvOut(const cudnnConvolutionStruct* conv, const cudnnTensorStruct* x,
                      const cudnnFilterStruct* w, int nb, int* out) {
  CHECK(conv && conv->spatial && x && x->nb && w && w->nb, CUDNN_STATUS_BAD_PARAM,
        "descriptor not set");
  CHECK(x->nb == conv->spatial + 2 && w->nb == x->nb && nb == x->nb, CUDNN_STATUS_BAD_PARAM,
        "ranks of the tensor, filter and convolution differ");
  CHECK(x->dims[1] == w->dims[1] * conv->groups && w->dims[0] % conv->groups == 0,
        CUDNN_STATUS_BAD_PARAM, "channels do not match the filter and group count");
  out[0] = x->dims[0];
  out[1] = w->dims[0];
  for (int a = 0; a < conv->spatial; ++a)
    TRY(WindowOut(x->dims[a + 2], conv->pad[a], (w->dims[a + 2] - 1) * conv->dil[a] + 1,
                  conv->stride[a], &out[a + 2]));
  return CUDNN_STATUS_SUCCESS;
}

// Checks x, w, conv and y as one forward convolution.
cudnnStatus_t MakeConv(const cudnnTensorStruct* x, const cudnnFilterStruct* w,
                       const cudnnConvolutionStruct* conv, const cudnnTensorStruct* y, Conv* c) {
  int out[CUDNN_DIM_MAX];
  TRY(ConvOut(conv, x, w, x ? x->nb : 0, out));
  CHECK(y && y->nb == x->nb && std::equal(out, out + x->nb, y->dims), CUDNN_STATUS_BAD_PARAM,
        "output tensor dimensions differ from the convolution's");
  TRY(ToView(x, &c->x));
  TRY(ToView(y, &c->y));
  c->cg = w->dims[1];
  c->kg = w->dims[0] / conv->groups;
  c->flip = conv->flip;
  c->tf32 = conv->math != CUDNN_FMA_MATH;  // on Ampere and later, every other math type allows TF32
  for (int a = 0; a < conv->spatial; ++a) {
    int axis = a + 3 - conv->spatial;
    c->win[axis] = w->dims[a + 2];
    c->pad[axis] = conv->pad[a];
    c->stride[axis] = conv->stride[a];
    c->dil[axis] = conv->dil[a];
  }
  return CUDNN_STATUS_SUCCESS;
}

// The algorithms run here: one without workspace (`plain`), one (`fast`) with some.
template <typename Algo>
cudnnStatus_t Workspace(Algo algo, Algo plain, Algo fast, size_t* bytes) {
  CHECK(bytes, CUDNN_STATUS_BAD_PARAM, "null size");
  CHECK(algo == plain || algo == fast, CUDNN_STATUS_NOT_SUPPORTED, "algorithm not emulated");
  *bytes = algo == plain ? 0 : 1024;
  return CUDNN_STATUS_SUCCESS;
}

// cuDNN's ranking: the fast algorithm with tensor-op math first, then in FMA math, then the
// plain one, then an algorithm that does not apply.
template <typename Perf, typename Algo>
cudnnStatus_t Rank(Algo plain, Algo fast, Algo unsupported, int requested, int* returned,
                   Perf* perf) {
  CHECK(requested > 0 && returned && perf, CUDNN_STATUS_BAD_PARAM, "bad result array");
  const Perf all[] = {
      {fast, CUDNN_STATUS_SUCCESS, 0.1f, 1024, CUDNN_DETERMINISTIC, CUDNN_TENSOR_OP_MATH, {}},
      {fast, CUDNN_STATUS_SUCCESS, 0.2f, 1024, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH, {}},
      {plain, CUDNN_STATUS_SUCCESS, 0.3f, 0, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH, {}},
      {unsupported, CUDNN_STATUS_NOT_SUPPORTED, -1.f, 0, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH, {}},
  };
  *returned = std::min(requested, static_cast<int>(std::size(all)));
  std::copy(all, all + *returned, perf);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t FwdBytes(cudnnConvolutionFwdAlgo_t algo, size_t* bytes) {
  return Workspace(algo, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                   CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, bytes);
}

cudnnStatus_t BwdBytes(cudnnConvolutionBwdDataAlgo_t algo, size_t* bytes) {
  return Workspace(algo, CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, CUDNN_CONVOLUTION_BWD_DATA_ALGO_1,
                   bytes);
}

// Checks the workspace against the algorithm's need; the work then fills it with garbage.
cudnnStatus_t CheckWorkspace(size_t need, void* workspace, size_t bytes) {
  CHECK(bytes >= need && (workspace || !need), CUDNN_STATUS_BAD_PARAM,
        "workspace smaller than the algorithm needs");
  return CUDNN_STATUS_SUCCESS;
}

void Garbage(void* workspace, size_t bytes) {
  if (workspace && bytes) std::memset(workspace, 0xFF, bytes);
}

float Scalar(const void* p) { return *static_cast<const float*>(p); }

}  // namespace

const char* cudnnGetErrorString(cudnnStatus_t status) {
  // A specific code of no case here takes its category's name.
  for (int code : {static_cast<int>(status), CUDNN_STATUS_CATEGORY(static_cast<int>(status))}) {
    switch (code) {
#define NAME(s) \
  case s:       \
    return #s;
      NAME(CUDNN_STATUS_SUCCESS)
      NAME(CUDNN_STATUS_NOT_INITIALIZED)
      NAME(CUDNN_STATUS_BAD_PARAM)
      NAME(CUDNN_STATUS_BAD_PARAM_NULL_POINTER)
      NAME(CUDNN_STATUS_NOT_SUPPORTED)
      NAME(CUDNN_STATUS_NOT_SUPPORTED_SHAPE)
      NAME(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE)
      NAME(CUDNN_STATUS_NOT_SUPPORTED_LAYOUT)
      NAME(CUDNN_STATUS_INTERNAL_ERROR)
      NAME(CUDNN_STATUS_EXECUTION_FAILED)
#undef NAME
    }
  }
  return "CUDNN_STATUS_UNKNOWN";
}

void cudnnGetLastErrorString(char* message, size_t max_size) {
  if (!message || !max_size) return;
  std::snprintf(message, max_size, "%s", last_error.c_str());
  last_error.clear();
}

cudnnStatus_t cudnnCreate(cudnnHandle_t* handle) {
  CHECK(handle, CUDNN_STATUS_BAD_PARAM, "null handle pointer");
  *handle = new cudnnContext;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnDestroy(cudnnHandle_t handle) {
  delete handle;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId) {
  CHECK(handle, CUDNN_STATUS_BAD_PARAM, "null handle");
  handle->stream = streamId;
  return CUDNN_STATUS_SUCCESS;
}

#define CREATE_DESTROY(Name, Type)                               \
  cudnnStatus_t cudnnCreate##Name##Descriptor(Type* d) {         \
    CHECK(d, CUDNN_STATUS_BAD_PARAM, "null descriptor pointer"); \
    *d = new std::remove_pointer_t<Type>;                        \
    return CUDNN_STATUS_SUCCESS;                                 \
  }                                                              \
  cudnnStatus_t cudnnDestroy##Name##Descriptor(Type d) {         \
    delete d;                                                    \
    return CUDNN_STATUS_SUCCESS;                                 \
  }
CREATE_DESTROY(Tensor, cudnnTensorDescriptor_t)
CREATE_DESTROY(Filter, cudnnFilterDescriptor_t)
CREATE_DESTROY(Convolution, cudnnConvolutionDescriptor_t)
CREATE_DESTROY(Pooling, cudnnPoolingDescriptor_t)
#undef CREATE_DESTROY

cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t tensorDesc,
                                         cudnnDataType_t dataType, int nbDims, const int dimA[],
                                         const int strideA[]) {
  CHECK(tensorDesc && dimA && strideA, CUDNN_STATUS_BAD_PARAM, "null argument");
  CHECK(nbDims >= 3 && nbDims <= CUDNN_DIM_MAX, CUDNN_STATUS_BAD_PARAM, "nbDims out of range");
  CHECK(dataType == CUDNN_DATA_FLOAT, CUDNN_STATUS_NOT_SUPPORTED, "float32 only");
  for (int i = 0; i < nbDims; ++i)
    CHECK(dimA[i] > 0 && strideA[i] > 0, CUDNN_STATUS_BAD_PARAM,
          "non-positive dimension or stride");
  tensorDesc->nb = nbDims;
  std::copy(dimA, dimA + nbDims, tensorDesc->dims);
  std::copy(strideA, strideA + nbDims, tensorDesc->strides);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetFilterNdDescriptor(cudnnFilterDescriptor_t filterDesc,
                                         cudnnDataType_t dataType, cudnnTensorFormat_t format,
                                         int nbDims, const int filterDimA[]) {
  CHECK(filterDesc && filterDimA, CUDNN_STATUS_BAD_PARAM, "null argument");
  CHECK(nbDims >= 3 && nbDims <= CUDNN_DIM_MAX, CUDNN_STATUS_BAD_PARAM, "nbDims out of range");
  CHECK(dataType == CUDNN_DATA_FLOAT && format == CUDNN_TENSOR_NCHW, CUDNN_STATUS_NOT_SUPPORTED,
        "float32 NCHW filters only");
  for (int i = 0; i < nbDims; ++i)
    CHECK(filterDimA[i] > 0, CUDNN_STATUS_BAD_PARAM, "non-positive dimension");
  filterDesc->nb = nbDims;
  std::copy(filterDimA, filterDimA + nbDims, filterDesc->dims);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetConvolutionNdDescriptor(cudnnConvolutionDescriptor_t convDesc,
                                              int arrayLength, const int padA[],
                                              const int filterStrideA[], const int dilationA[],
                                              cudnnConvolutionMode_t mode,
                                              cudnnDataType_t computeType) {
  CHECK(convDesc && padA && filterStrideA && dilationA, CUDNN_STATUS_BAD_PARAM, "null argument");
  CHECK(arrayLength > 0 && arrayLength <= CUDNN_DIM_MAX - 2, CUDNN_STATUS_BAD_PARAM,
        "arrayLength out of range");
  CHECK(mode == CUDNN_CONVOLUTION || mode == CUDNN_CROSS_CORRELATION, CUDNN_STATUS_BAD_PARAM,
        "mode");
  CHECK(computeType == CUDNN_DATA_FLOAT, CUDNN_STATUS_NOT_SUPPORTED, "float32 only");
  for (int i = 0; i < arrayLength; ++i)
    CHECK(padA[i] >= 0 && filterStrideA[i] > 0 && dilationA[i] > 0, CUDNN_STATUS_BAD_PARAM,
          "negative pad or non-positive stride or dilation");
  convDesc->spatial = arrayLength;
  std::copy(padA, padA + arrayLength, convDesc->pad);
  std::copy(filterStrideA, filterStrideA + arrayLength, convDesc->stride);
  std::copy(dilationA, dilationA + arrayLength, convDesc->dil);
  convDesc->flip = mode == CUDNN_CONVOLUTION;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t convDesc, int groupCount) {
  CHECK(convDesc && groupCount > 0, CUDNN_STATUS_BAD_PARAM, "group count");
  convDesc->groups = groupCount;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc,
                                          cudnnMathType_t mathType) {
  CHECK(convDesc && mathType >= CUDNN_DEFAULT_MATH && mathType <= CUDNN_FMA_MATH,
        CUDNN_STATUS_BAD_PARAM, "math type");
  convDesc->math = mathType;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnGetConvolutionNdForwardOutputDim(const cudnnConvolutionDescriptor_t convDesc,
                                                    const cudnnTensorDescriptor_t inputTensorDesc,
                                                    const cudnnFilterDescriptor_t filterDesc,
                                                    int nbDims, int tensorOuputDimA[]) {
  CHECK(tensorOuputDimA, CUDNN_STATUS_BAD_PARAM, "null argument");
  return ConvOut(convDesc, inputTensorDesc, filterDesc, nbDims, tensorOuputDimA);
}

cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(
    cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc,
    const cudnnFilterDescriptor_t filterDesc, const cudnnConvolutionDescriptor_t convDesc,
    const cudnnTensorDescriptor_t destDesc, const int requestedAlgoCount, int* returnedAlgoCount,
    cudnnConvolutionFwdAlgoPerf_t* perfResults) {
  Conv c;
  CHECK(handle, CUDNN_STATUS_BAD_PARAM, "null handle");
  TRY(MakeConv(srcDesc, filterDesc, convDesc, destDesc, &c));
  return Rank(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
              CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, CUDNN_CONVOLUTION_FWD_ALGO_FFT,
              requestedAlgoCount, returnedAlgoCount, perfResults);
}

cudnnStatus_t cudnnFindConvolutionForwardAlgorithm(
    cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnFilterDescriptor_t wDesc,
    const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t yDesc,
    const int requestedAlgoCount, int* returnedAlgoCount,
    cudnnConvolutionFwdAlgoPerf_t* perfResults) {
  return cudnnGetConvolutionForwardAlgorithm_v7(handle, xDesc, wDesc, convDesc, yDesc,
                                                requestedAlgoCount, returnedAlgoCount, perfResults);
}

cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(
    cudnnHandle_t handle, const cudnnFilterDescriptor_t filterDesc,
    const cudnnTensorDescriptor_t diffDesc, const cudnnConvolutionDescriptor_t convDesc,
    const cudnnTensorDescriptor_t gradDesc, const int requestedAlgoCount, int* returnedAlgoCount,
    cudnnConvolutionBwdDataAlgoPerf_t* perfResults) {
  Conv c;
  CHECK(handle, CUDNN_STATUS_BAD_PARAM, "null handle");
  TRY(MakeConv(gradDesc, filterDesc, convDesc, diffDesc, &c));
  return Rank(CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, CUDNN_CONVOLUTION_BWD_DATA_ALGO_1,
              CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT, requestedAlgoCount, returnedAlgoCount,
              perfResults);
}

cudnnStatus_t cudnnFindConvolutionBackwardDataAlgorithm(
    cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc,
    const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc,
    const int requestedAlgoCount, int* returnedAlgoCount,
    cudnnConvolutionBwdDataAlgoPerf_t* perfResults) {
  return cudnnGetConvolutionBackwardDataAlgorithm_v7(
      handle, wDesc, dyDesc, convDesc, dxDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
}

cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(
    cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnFilterDescriptor_t wDesc,
    const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t yDesc,
    cudnnConvolutionFwdAlgo_t algo, size_t* sizeInBytes) {
  Conv c;
  CHECK(handle, CUDNN_STATUS_BAD_PARAM, "null handle");
  TRY(MakeConv(xDesc, wDesc, convDesc, yDesc, &c));
  return FwdBytes(algo, sizeInBytes);
}

cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(
    cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc,
    const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc,
    cudnnConvolutionBwdDataAlgo_t algo, size_t* sizeInBytes) {
  Conv c;
  CHECK(handle, CUDNN_STATUS_BAD_PARAM, "null handle");
  TRY(MakeConv(dxDesc, wDesc, convDesc, dyDesc, &c));
  return BwdBytes(algo, sizeInBytes);
}

cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void* alpha,
                                      const cudnnTensorDescriptor_t xDesc, const void* x,
                                      const cudnnFilterDescriptor_t wDesc, const void* w,
                                      const cudnnConvolutionDescriptor_t convDesc,
                                      cudnnConvolutionFwdAlgo_t algo, void* workSpace,
                                      size_t workSpaceSizeInBytes, const void* beta,
                                      const cudnnTensorDescriptor_t yDesc, void* y) {
  Conv c;
  size_t need = 0;
  CHECK(handle && alpha && beta && x && w && y, CUDNN_STATUS_BAD_PARAM, "null argument");
  TRY(MakeConv(xDesc, wDesc, convDesc, yDesc, &c));
  TRY(FwdBytes(algo, &need));
  TRY(CheckWorkspace(need, workSpace, workSpaceSizeInBytes));
  auto xf = static_cast<const float*>(x), wf = static_cast<const float*>(w);
  auto yf = static_cast<float*>(y);
  float a = Scalar(alpha), b = Scalar(beta);
  cuda_emu::Enqueue(handle->stream, [=] {
    Garbage(workSpace, workSpaceSizeInBytes);
    c.Forward(xf, wf, yf, a, b);
  });
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void* alpha,
                                           const cudnnFilterDescriptor_t wDesc, const void* w,
                                           const cudnnTensorDescriptor_t dyDesc, const void* dy,
                                           const cudnnConvolutionDescriptor_t convDesc,
                                           cudnnConvolutionBwdDataAlgo_t algo, void* workSpace,
                                           size_t workSpaceSizeInBytes, const void* beta,
                                           const cudnnTensorDescriptor_t dxDesc, void* dx) {
  Conv c;
  size_t need = 0;
  CHECK(handle && alpha && beta && w && dy && dx, CUDNN_STATUS_BAD_PARAM, "null argument");
  TRY(MakeConv(dxDesc, wDesc, convDesc, dyDesc, &c));
  TRY(BwdBytes(algo, &need));
  TRY(CheckWorkspace(need, workSpace, workSpaceSizeInBytes));
  auto dyf = static_cast<const float*>(dy), wf = static_cast<const float*>(w);
  auto dxf = static_cast<float*>(dx);
  float a = Scalar(alpha), b = Scalar(beta);
  cuda_emu::Enqueue(handle->stream, [=] {
    Garbage(workSpace, workSpaceSizeInBytes);
    c.BackwardData(dyf, wf, dxf, a, b);
  });
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetPoolingNdDescriptor(cudnnPoolingDescriptor_t poolingDesc,
                                          const cudnnPoolingMode_t mode,
                                          const cudnnNanPropagation_t maxpoolingNanOpt, int nbDims,
                                          const int windowDimA[], const int paddingA[],
                                          const int strideA[]) {
  CHECK(poolingDesc && windowDimA && paddingA && strideA, CUDNN_STATUS_BAD_PARAM, "null argument");
  CHECK(mode >= CUDNN_POOLING_MAX && mode <= CUDNN_POOLING_MAX_DETERMINISTIC,
        CUDNN_STATUS_BAD_PARAM, "pooling mode");
  CHECK(maxpoolingNanOpt == CUDNN_NOT_PROPAGATE_NAN || maxpoolingNanOpt == CUDNN_PROPAGATE_NAN,
        CUDNN_STATUS_BAD_PARAM, "NaN propagation");
  CHECK(nbDims > 0 && nbDims <= CUDNN_DIM_MAX - 2, CUDNN_STATUS_BAD_PARAM, "nbDims out of range");
  for (int i = 0; i < nbDims; ++i)
    CHECK(windowDimA[i] > 0 && paddingA[i] >= 0 && strideA[i] > 0, CUDNN_STATUS_BAD_PARAM,
          "non-positive window or stride, or negative pad");
  poolingDesc->spatial = nbDims;
  std::copy(windowDimA, windowDimA + nbDims, poolingDesc->window);
  std::copy(paddingA, paddingA + nbDims, poolingDesc->pad);
  std::copy(strideA, strideA + nbDims, poolingDesc->stride);
  poolingDesc->mode = mode;
  poolingDesc->propagate_nan = maxpoolingNanOpt == CUDNN_PROPAGATE_NAN;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnGetPoolingNdForwardOutputDim(const cudnnPoolingDescriptor_t poolingDesc,
                                                const cudnnTensorDescriptor_t inputTensorDesc,
                                                int nbDims, int outputTensorDimA[]) {
  const cudnnPoolingStruct* p = poolingDesc;
  const cudnnTensorStruct* x = inputTensorDesc;
  CHECK(p && p->spatial && x && x->nb && outputTensorDimA, CUDNN_STATUS_BAD_PARAM,
        "descriptor not set");
  CHECK(x->nb == p->spatial + 2 && nbDims == x->nb, CUDNN_STATUS_BAD_PARAM,
        "ranks of the tensor and pooling differ");
  outputTensorDimA[0] = x->dims[0];
  outputTensorDimA[1] = x->dims[1];
  for (int a = 0; a < p->spatial; ++a)
    TRY(WindowOut(x->dims[a + 2], p->pad[a], p->window[a], p->stride[a], &outputTensorDimA[a + 2]));
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnPoolingForward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t poolingDesc,
                                  const void* alpha, const cudnnTensorDescriptor_t xDesc,
                                  const void* x, const void* beta,
                                  const cudnnTensorDescriptor_t yDesc, void* y) {
  CHECK(handle && alpha && beta && x && y, CUDNN_STATUS_BAD_PARAM, "null argument");
  int out[CUDNN_DIM_MAX];
  TRY(cudnnGetPoolingNdForwardOutputDim(poolingDesc, xDesc, xDesc ? xDesc->nb : 0, out));
  CHECK(yDesc && yDesc->nb == xDesc->nb && std::equal(out, out + xDesc->nb, yDesc->dims),
        CUDNN_STATUS_BAD_PARAM, "output tensor dimensions differ from the pooling's");
  View xv, yv;
  TRY(ToView(xDesc, &xv));
  TRY(ToView(yDesc, &yv));
  const cudnnPoolingStruct p = *poolingDesc;
  int64_t win[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, stride[3] = {1, 1, 1};
  for (int a = 0; a < p.spatial; ++a) {
    int axis = a + 3 - p.spatial;
    CHECK(p.pad[a] < p.window[a], CUDNN_STATUS_NOT_SUPPORTED, "padding as large as the window");
    win[axis] = p.window[a], pad[axis] = p.pad[a], stride[axis] = p.stride[a];
  }
  auto xf = static_cast<const float*>(x);
  auto yf = static_cast<float*>(y);
  float a = Scalar(alpha), b = Scalar(beta);
  cuda_emu::Enqueue(handle->stream, [=] {
    const bool is_max = p.mode == CUDNN_POOLING_MAX || p.mode == CUDNN_POOLING_MAX_DETERMINISTIC;
    for (int64_t n = 0; n < yv.dim[0]; ++n)
      for (int64_t c = 0; c < yv.dim[1]; ++c)
        Each(yv.Spatial(), [&](const int64_t* o) {
          double sum = 0, m = -INFINITY;
          int64_t count = 0, nans = 0;
          Each(win, [&](const int64_t* q) {
            int64_t i[3];
            for (int d = 0; d < 3; ++d) {
              i[d] = o[d] * stride[d] - pad[d] + q[d];
              if (i[d] < 0 || i[d] >= xv.Spatial()[d]) return;  // padding
            }
            float v = xf[xv.At(n, c, i)];
            ++count;
            sum += v;
            nans += std::isnan(v);
            if (v > m) m = v;
          });
          double r = sum / (p.mode == CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING
                                ? count
                                : win[0] * win[1] * win[2]);
          // A maximum skips NaNs unless they propagate (or all are NaN).
          if (is_max) r = nans && (p.propagate_nan || nans == count) ? NAN : m;
          Store(yf + yv.At(n, c, o), r, a, b);
        });
  });
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnBatchNormalizationForwardInference(
    cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void* alpha, const void* beta,
    const cudnnTensorDescriptor_t xDesc, const void* x, const cudnnTensorDescriptor_t yDesc,
    void* y, const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc, const void* bnScale,
    const void* bnBias, const void* estimatedMean, const void* estimatedVariance, double epsilon) {
  CHECK(
      handle && alpha && beta && x && y && bnScale && bnBias && estimatedMean && estimatedVariance,
      CUDNN_STATUS_BAD_PARAM, "null argument");
  CHECK(mode == CUDNN_BATCHNORM_SPATIAL || mode == CUDNN_BATCHNORM_PER_ACTIVATION,
        CUDNN_STATUS_BAD_PARAM, "batch normalization mode");
  CHECK(epsilon >= CUDNN_BN_MIN_EPSILON, CUDNN_STATUS_BAD_PARAM, "epsilon below the minimum");
  View xv, yv, pv;
  TRY(ToView(xDesc, &xv));
  TRY(ToView(yDesc, &yv));
  TRY(ToView(bnScaleBiasMeanVarDesc, &pv));
  CHECK(xDesc->nb == yDesc->nb && std::equal(xv.dim, xv.dim + 5, yv.dim) &&
            bnScaleBiasMeanVarDesc->nb == xDesc->nb,
        CUDNN_STATUS_BAD_PARAM, "tensor dimensions differ");
  const bool spatial = mode == CUDNN_BATCHNORM_SPATIAL;
  for (int d = 0; d < 5; ++d)
    CHECK(pv.dim[d] == (d == 1 || (d > 1 && !spatial) ? xv.dim[d] : 1), CUDNN_STATUS_BAD_PARAM,
          "parameter tensor dimensions do not match the mode");
  auto xf = static_cast<const float*>(x), scale = static_cast<const float*>(bnScale),
       bias = static_cast<const float*>(bnBias), mean = static_cast<const float*>(estimatedMean),
       var = static_cast<const float*>(estimatedVariance);
  auto yf = static_cast<float*>(y);
  float a = Scalar(alpha), b = Scalar(beta);
  cuda_emu::Enqueue(handle->stream, [=] {
    const int64_t zero[3] = {0, 0, 0};
    for (int64_t n = 0; n < xv.dim[0]; ++n)
      for (int64_t c = 0; c < xv.dim[1]; ++c)
        Each(xv.Spatial(), [&](const int64_t* s) {
          int64_t i = pv.At(0, c, spatial ? zero : s);
          double v = (xf[xv.At(n, c, s)] - static_cast<double>(mean[i])) /
                     std::sqrt(static_cast<double>(var[i]) + epsilon);
          Store(yf + yv.At(n, c, s), static_cast<double>(scale[i]) * v + bias[i], a, b);
        });
  });
  return CUDNN_STATUS_SUCCESS;
}
