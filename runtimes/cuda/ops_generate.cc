// Builders of the ops that generate data on the GPU: ConstantOfShape and EyeLike (fill
// kernels), Range (a kernel over the device scalars start and delta), and Shape, Size and
// MelWeightMatrix, whose results are known at build time: the host computes them as the ref
// does, they are uploaded once, and each run copies them into the result (ref:
// runtimes/ref/tensor_shape.cc, signal.cc). None reads its data input. Rejected (run on the
// host by the shared builder, which also reports invalid arguments): empty results, element
// types the ref refuses, arguments the ref would refuse.
#include <cstring>
#include <vector>

#include "../kernels/dispatch.h"
#include "../kernels/mel.h"
#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_generate)

using namespace odla_cuda;
using odla_rt::KernelArgs;

ODLA_REF_DECL(ConstantOfShape)
ODLA_REF_DECL(EyeLike)
ODLA_REF_DECL(Range)
ODLA_REF_DECL(Shape)
ODLA_REF_DECL(Size)
ODLA_REF_DECL(MelWeightMatrix)

namespace {

void RequireResult(const odla_value_type& rt) {
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty result");
}

// The bytes of one element of type t: value_float for floats, else value_int, as the ref's
// ConstantOfShape converts them.
std::vector<unsigned char> ElementBytes(odla_element_type t, double value_float,
                                        int64_t value_int) {
  return RejectFailures([&] {
    return odla_rt::Dispatch(t, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T v = std::is_floating_point<T>::value ? static_cast<T>(value_float)
                                             : static_cast<T>(value_int);
      std::vector<unsigned char> b(sizeof(T));
      std::memcpy(b.data(), &v, sizeof(T));
      return b;
    });
  });
}

// An op whose result, `bytes` known now, is uploaded once and copied at each run.
odla_value AddKnownResult(const char* op, const odla_value_type& rt, odla_value_id id,
                          const void* bytes) {
  RequireResult(rt);
  const size_t n = odla_rt::ByteSize(rt);
  RequireDevice();
  std::shared_ptr<void> table = UploadTable(bytes, n);
  return AddCudaOp1(op, {}, rt, 0, id, [table, n](const KernelArgs& a) {
    DeviceCopy(CudaStream(a), a.out[0], table.get(), n);
  });
}

odla_value BuildConstantOfShape(double value_float, int64_t value_int, const odla_value_type& rt,
                                odla_value_id id) {
  RequireResult(rt);
  const std::vector<unsigned char> v = ElementBytes(rt.element_type, value_float, value_int);
  const int64_t n = odla_rt::NumElements(rt.shape);
  return AddCudaOp1("ConstantOfShape", {}, rt, 0, id, [v, n](const KernelArgs& a) {
    Fill(CudaStream(a), a.out[0], v.size(), n, v.data());
  });
}

odla_value BuildEyeLike(odla_value input, odla_element_type dtype, int64_t k,
                        const odla_value_type& rt, odla_value_id id) {
  if (!input || input->type.shape.size != 2 || rt.element_type != dtype ||
      TypeDims(rt) != ValueDims(input))
    Reject("shapes or types");
  RequireResult(rt);
  const std::vector<unsigned char> one = ElementBytes(dtype, 1.0, 1);
  const int64_t rows = rt.shape.dims[0], cols = rt.shape.dims[1];
  return AddCudaOp1("EyeLike", {}, rt, 0, id, [one, rows, cols, k](const KernelArgs& a) {
    Eye(CudaStream(a), a.out[0], one.size(), rows, cols, k, one.data());
  });
}

odla_value BuildRange(odla_value start, odla_value limit, odla_value delta,
                      const odla_value_type& rt, odla_value_id id) {
  for (odla_value v : {start, limit, delta})
    if (!v || v->type.element_type != rt.element_type || odla_rt::NumElements(v->type.shape) != 1)
      Reject("start, limit and delta must be scalars of the result's type");
  if (rt.shape.size != 1) Reject("the result must be a list");
  // The types of the ref's Range, which the kernel takes too.
  RejectFailures([&] { odla_rt::DispatchNumeric(rt.element_type, [](auto) {}); });
  RequireResult(rt);
  const int64_t n = rt.shape.dims[0];
  const odla_element_type t = rt.element_type;
  // limit only decided the length, which the result type holds.
  return AddCudaOp1("Range", {start, delta}, rt, 0, id, [t, n](const KernelArgs& a) {
    Range(CudaStream(a), t, a.out[0], n, a.in[0], a.in[1]);
  });
}

odla_value BuildShape(odla_value data, int64_t start, int64_t end, const odla_value_type& rt,
                      odla_value_id id) {
  if (!data) Reject("no data");
  const std::vector<int64_t> in = ValueDims(data);
  if (start < 0 || end > static_cast<int64_t>(in.size()) || start > end) Reject("range");
  const std::vector<int64_t> dims(in.begin() + start, in.begin() + end);
  if (rt.element_type != ODLA_INT64 || TypeDims(rt) != std::vector<int64_t>{end - start})
    Reject("result type");
  return AddKnownResult("Shape", rt, id, dims.data());
}

odla_value BuildSize(odla_value data, const odla_value_type& rt, odla_value_id id) {
  if (!data || rt.element_type != ODLA_INT64 || odla_rt::NumElements(rt.shape) != 1)
    Reject("result type");
  const int64_t n = odla_rt::NumElements(data->type.shape);
  return AddKnownResult("Size", rt, id, &n);
}

odla_value BuildMelWeightMatrix(int64_t bins, int64_t dft_length, int64_t sample_rate, float lower,
                                float upper, odla_element_type t, const odla_value_type& rt,
                                odla_value_id id) {
  const std::vector<double> w = RejectFailures(
      [&] { return odla_rt::MelWeights(bins, dft_length, sample_rate, lower, upper); });
  if (rt.element_type != t || TypeDims(rt) != std::vector<int64_t>{dft_length / 2 + 1, bins})
    Reject("result type");
  const std::vector<unsigned char> bytes = RejectFailures([&] {
    return odla_rt::DispatchNumeric(t, [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::vector<unsigned char> b(w.size() * sizeof(T));
      for (size_t i = 0; i < w.size(); ++i) {
        const T v = static_cast<T>(w[i]);
        std::memcpy(b.data() + i * sizeof(T), &v, sizeof(T));
      }
      return b;
    });
  });
  if (bytes.size() != odla_rt::ByteSize(rt)) Reject("result size");
  return AddKnownResult("MelWeightMatrix", rt, id, bytes.data());
}

}  // namespace

extern "C" {

odla_value odla_ConstantOfShape(odla_float32 value_float, odla_int64 value_int,
                                odla_value_type result_type, odla_value_id id) {
  return Try(
      "ConstantOfShape", id,
      [&] { return BuildConstantOfShape(value_float, value_int, result_type, id); },
      [&] { return odla_ref_ConstantOfShape(value_float, value_int, result_type, id); });
}

odla_value odla_EyeLike(odla_value input, odla_element_type dtype, odla_int64 k,
                        odla_value_type result_type, odla_value_id id) {
  return Try(
      "EyeLike", id, [&] { return BuildEyeLike(input, dtype, k, result_type, id); },
      [&] { return odla_ref_EyeLike(input, dtype, k, result_type, id); });
}

odla_value odla_Range(odla_value start, odla_value limit, odla_value delta,
                      odla_value_type result_type, odla_value_id id) {
  return Try(
      "Range", id, [&] { return BuildRange(start, limit, delta, result_type, id); },
      [&] { return odla_ref_Range(start, limit, delta, result_type, id); });
}

odla_value odla_Shape(odla_value data, odla_int64 start, odla_int64 end,
                      odla_value_type result_type, odla_value_id id) {
  return Try(
      "Shape", id, [&] { return BuildShape(data, start, end, result_type, id); },
      [&] { return odla_ref_Shape(data, start, end, result_type, id); });
}

odla_value odla_Size(odla_value data, odla_value_type result_type, odla_value_id id) {
  return Try(
      "Size", id, [&] { return BuildSize(data, result_type, id); },
      [&] { return odla_ref_Size(data, result_type, id); });
}

odla_value odla_MelWeightMatrix(odla_int64 num_mel_bins, odla_int64 dft_length,
                                odla_int64 sample_rate, odla_float32 lower_edge_hertz,
                                odla_float32 upper_edge_hertz, odla_element_type output_datatype,
                                odla_value_type result_type, odla_value_id id) {
  return Try(
      "MelWeightMatrix", id,
      [&] {
        return BuildMelWeightMatrix(num_mel_bins, dft_length, sample_rate, lower_edge_hertz,
                                    upper_edge_hertz, output_datatype, result_type, id);
      },
      [&] {
        return odla_ref_MelWeightMatrix(num_mel_bins, dft_length, sample_rate, lower_edge_hertz,
                                        upper_edge_hertz, output_datatype, result_type, id);
      });
}

}  // extern "C"
