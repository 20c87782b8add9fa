// MaxPool, AveragePool (count_include_pad either way), GlobalAveragePool and GlobalMaxPool
// through cuDNN's pooling (1-D as 2-D with a unit axis, 2-D, 3-D). MaxPool's pads that
// cuDNN's descriptor cannot express (different at the two ends, as large as the window, or
// ceil_mode's extra position: cuDNN rounds down) are made by a copy of the input padded with
// the lowest float, in scratch memory. Rejected (run on the host): other element types,
// MaxPool's Indices, dilations, and those pads in AveragePool.
#include <algorithm>
#include <cfloat>

#include "../ref/nn_window.h"
#include "cuda_rt.h"
#include "pad_copy.h"

ODLA_CUDA_FILE(pool)

using namespace odla_cuda;

ODLA_REF_DECL(MaxPool)
ODLA_REF_DECL(AveragePool)
ODLA_REF_DECL(GlobalAveragePool)
ODLA_REF_DECL(GlobalMaxPool)

namespace {

using odla_rt::KernelArgs;

struct PoolDesc {
  PoolDesc() { ODLA_CUDA_CALL(cudnnCreatePoolingDescriptor, &d); }
  ~PoolDesc() { cudnnDestroyPoolingDescriptor(d); }
  PoolDesc(const PoolDesc&) = delete;
  PoolDesc& operator=(const PoolDesc&) = delete;
  cudnnPoolingDescriptor_t d = nullptr;
};

struct PoolPlan {
  TensorDesc x, y;  // the op's input (padded when `pad`) and result
  PoolDesc pool;
  bool pad = false;  // the input is copied padded into scratch memory first
  PadGeometry pad_geometry;
};

std::vector<int> Int32(const std::vector<int64_t>& v) {
  std::vector<int> r;
  for (int64_t e : v) {
    if (e > INT32_MAX) Reject("window size ", e, " beyond int");
    r.push_back(static_cast<int>(e));
  }
  return r;
}

// Checks X and the result as the ref builder does (rejecting what it would fail).
void CheckPlanes(odla_value X, const odla_value_type& result) {
  if (!X) Reject("missing input");
  RequireF32({X});
  RequireF32(result);
  auto xd = ValueDims(X), yd = TypeDims(result);
  if (xd.size() < 3 || xd.size() > 5 || yd.size() != xd.size() || yd[0] != xd[0] || yd[1] != xd[1])
    Reject("shapes");
}

// A pooling op over the window w (a Window3 with the spatial axes last).
odla_value BuildPool(const char* op, odla_value X, const odla_value_type& result,
                     cudnnPoolingMode_t mode, const odla_rt::Window3& w, odla_value_id id) {
  auto xd = ValueDims(X), yd = TypeDims(result);
  const int spatial = static_cast<int>(xd.size()) - 2, off = 3 - spatial;
  const bool max = mode == CUDNN_POOLING_MAX;
  // Per axis the padding at the end that gives the result's size by cuDNN's arithmetic
  // (rounding down): the op's, or more for ceil_mode's extra position.
  bool explicit_pad = false;
  PadGeometry geometry;
  geometry.planes = xd[0] * xd[1];
  std::vector<int64_t> win, pad, stride;
  for (int i = off; i < 3; ++i) {
    if (w.dil[i] != 1) Reject("dilations");
    int64_t end =
        std::max(w.pad_end[i], (w.out[i] - 1) * w.stride[i] + w.k[i] - w.in[i] - w.pad[i]);
    if (w.pad[i] != end || w.pad[i] >= w.k[i]) {
      if (!max) Reject("pads that differ at the two ends, as large as the window, or ceil_mode");
      explicit_pad = true;
    }
    // cuDNN's divisor with the padding counted is the window size; the ref's stops at the end
    // pad, which ceil_mode's extra position can pass even when cuDNN's arithmetic fits.
    if (mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING && w.pad_end[i] != w.pad[i])
      Reject("count_include_pad with pads that differ at the two ends");
    geometry.in[i] = w.in[i];
    geometry.begin[i] = w.pad[i];
    geometry.out[i] = w.in[i] + w.pad[i] + end;
    win.push_back(w.k[i]);
    pad.push_back(w.pad[i]);
    stride.push_back(w.stride[i]);
  }
  if (explicit_pad) {
    for (int i = off; i < 3; ++i) {
      xd[2 + i - off] = geometry.out[i];
      pad[i - off] = 0;
    }
  }
  if (spatial == 1) {
    xd.push_back(1);
    yd.push_back(1);
    win.push_back(1);
    pad.push_back(0);
    stride.push_back(1);
  }
  std::vector<int> win32 = Int32(win), pad32 = Int32(pad), stride32 = Int32(stride);

  RequireDevice();
  auto p = std::make_shared<PoolPlan>();
  p->x.Set(xd);
  p->y.Set(yd);
  const int nb = static_cast<int>(xd.size());
  CheckOrReject(cudnnSetPoolingNdDescriptor(p->pool.d, mode, CUDNN_NOT_PROPAGATE_NAN, nb - 2,
                                            win32.data(), pad32.data(), stride32.data()),
                "cudnnSetPoolingNdDescriptor");
  std::vector<int> got(nb);
  CheckOrReject(cudnnGetPoolingNdForwardOutputDim(p->pool.d, p->x.d, nb, got.data()),
                "cudnnGetPoolingNdForwardOutputDim");
  for (int i = 0; i < nb; ++i)
    if (got[i] != yd[i]) Reject("cuDNN's window arithmetic gives another shape");
  p->pad = explicit_pad;
  p->pad_geometry = geometry;
  size_t scratch = explicit_pad ? odla_rt::NumElements(odla_rt::MakeShape(xd)) * sizeof(float) : 0;
  odla_rt::Kernel kernel = [p](const KernelArgs& k) {
    const float one = 1, zero = 0;
    const void* x = k.in[0];
    if (p->pad) {  // padding never wins a maximum (the ref's maximum starts at the lowest)
      PadCopy(CudaStream(k), k.In<float>(0), static_cast<float*>(k.scratch), p->pad_geometry,
              -FLT_MAX);
      x = k.scratch;
    }
    ODLA_CUDA_CALL(cudnnPoolingForward, Cudnn(k), p->pool.d, &one, p->x.d, x, &zero, p->y.d,
                   k.out[0]);
  };
  return AddCudaOp1(op, {X}, result, scratch, id, std::move(kernel));
}

odla_value BuildGlobal(const char* op, odla_value X, const odla_value_type& result,
                       cudnnPoolingMode_t mode, odla_value_id id) {
  CheckPlanes(X, result);
  auto xd = ValueDims(X);
  if (odla_rt::NumElements(result.shape) != xd[0] * xd[1]) Reject("result shape");
  std::vector<int64_t> spatial(xd.begin() + 2, xd.end()), ones(spatial.size(), 1);
  odla_rt::Window3 w = odla_rt::Window3::Make(spatial, ones, spatial, {}, {}, {});
  return BuildPool(op, X, result, mode, w, id);
}

}  // namespace

extern "C" {

odla_values odla_MaxPool(odla_value X, odla_int64 ceil_mode, odla_ints dilations,
                         odla_ints kernel_shape, odla_ints pads, odla_int64 storage_order,
                         odla_ints strides, odla_value_types result_types, odla_value_id id) {
  return TryN(
      "MaxPool", id,
      [&] {
        auto types = odla_rt::FromTypes(result_types);
        if (types.size() != 1) Reject("Indices");
        CheckPlanes(X, types[0]);
        odla_rt::Window3 w =
            odla_rt::MakeWindow(ValueDims(X), TypeDims(types[0]), odla_rt::FromInts(kernel_shape),
                                odla_rt::FromInts(strides), odla_rt::FromInts(dilations),
                                odla_rt::FromInts(pads), false, ceil_mode != 0);
        return odla_rt::ToValues({BuildPool("MaxPool", X, types[0], CUDNN_POOLING_MAX, w, id)});
      },
      [&] {
        return odla_ref_MaxPool(X, ceil_mode, dilations, kernel_shape, pads, storage_order, strides,
                                result_types, id);
      });
}

odla_value odla_AveragePool(odla_value X, odla_int64 ceil_mode, odla_int64 count_include_pad,
                            odla_ints kernel_shape, odla_ints pads, odla_ints strides,
                            odla_value_type result_type, odla_value_id id) {
  return Try(
      "AveragePool", id,
      [&] {
        CheckPlanes(X, result_type);
        odla_rt::Window3 w = odla_rt::MakeWindow(
            ValueDims(X), TypeDims(result_type), odla_rt::FromInts(kernel_shape),
            odla_rt::FromInts(strides), {}, odla_rt::FromInts(pads), false, ceil_mode != 0);
        // Without ceil_mode's extra positions every window lies within the padded input,
        // so the ref's divisor with count_include_pad is the window size, as cuDNN's.
        cudnnPoolingMode_t mode = count_include_pad ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                                                    : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
        return BuildPool("AveragePool", X, result_type, mode, w, id);
      },
      [&] {
        return odla_ref_AveragePool(X, ceil_mode, count_include_pad, kernel_shape, pads, strides,
                                    result_type, id);
      });
}

odla_value odla_GlobalAveragePool(odla_value X, odla_value_type result_type, odla_value_id id) {
  return Try(
      "GlobalAveragePool", id,
      [&] {
        return BuildGlobal("GlobalAveragePool", X, result_type,
                           CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, id);
      },
      [&] { return odla_ref_GlobalAveragePool(X, result_type, id); });
}

odla_value odla_GlobalMaxPool(odla_value X, odla_value_type result_type, odla_value_id id) {
  return Try(
      "GlobalMaxPool", id,
      [&] { return BuildGlobal("GlobalMaxPool", X, result_type, CUDNN_POOLING_MAX, id); },
      [&] { return odla_ref_GlobalMaxPool(X, result_type, id); });
}

}  // extern "C"
