// ODLA builders of GridSample, RoiAlign, MaxUnpool and LpNormalization.
#include <string>

#include "../common/builder.h"
#include "../kernels/dispatch.h"
#include "../kernels/sample.h"
#include "sample_spec.h"

using namespace odla_rt;

namespace {

void CheckResult(const odla_value_type& r, odla_element_type t, const std::vector<int64_t>& s) {
  if (r.element_type != t || Dims(r.shape) != s) Fail("result type ", TypeToString(r), " is wrong");
}

}  // namespace

namespace odla_rt {

GridSampleSpec MakeGridSampleSpec(odla_value X, odla_value grid, int64_t align_corners,
                                  const char* mode, const char* padding_mode,
                                  const odla_value_type& result_type) {
  CheckInput(X, "X");
  CheckInput(grid, "grid");
  CheckSameElementType(X, grid);
  auto xs = Dims(X->type.shape), gs = Dims(grid->type.shape);
  if (xs.size() != 4 || gs.size() != 4 || gs[0] != xs[0] || gs[3] != 2)
    Fail("X must be [N, C, H, W] and grid [N, H_out, W_out, 2]");
  CheckResult(result_type, X->type.element_type, {xs[0], xs[1], gs[1], gs[2]});
  std::string m = mode ? mode : "", p = padding_mode ? padding_mode : "";
  GridSampleSpec s{xs[0],
                   xs[1],
                   xs[2],
                   xs[3],
                   gs[1],
                   gs[2],
                   GridMode::kBilinear,
                   GridPad::kZeros,
                   align_corners != 0};
  if (m == "nearest")
    s.mode = GridMode::kNearest;
  else if (m == "bicubic")
    s.mode = GridMode::kBicubic;
  else if (m != "bilinear")
    Fail("unknown mode '", m, "'");
  if (p == "border")
    s.pad = GridPad::kBorder;
  else if (p == "reflection")
    s.pad = GridPad::kReflection;
  else if (p != "zeros")
    Fail("unknown padding_mode '", p, "'");
  return s;
}

RoiAlignSpec MakeRoiAlignSpec(odla_value X, odla_value rois, odla_value batch_indices,
                              const char* coordinate_transformation_mode, const char* mode,
                              int64_t output_height, int64_t output_width, int64_t sampling_ratio,
                              float spatial_scale, const odla_value_type& result_type) {
  CheckInput(X, "X");
  CheckInput(rois, "rois");
  CheckInput(batch_indices, "batch_indices");
  CheckSameElementType(X, rois);
  auto xs = Dims(X->type.shape), rs = Dims(rois->type.shape);
  if (xs.size() != 4 || rs.size() != 2 || rs[1] != 4) Fail("X must be 4-D and rois [R, 4]");
  if (batch_indices->type.element_type != ODLA_INT64 ||
      Dims(batch_indices->type.shape) != std::vector<int64_t>{rs[0]})
    Fail("batch_indices must be int64 [", rs[0], "]");
  if (output_height < 1 || output_width < 1 || sampling_ratio < 0)
    Fail("bad output size or sampling_ratio");
  CheckResult(result_type, X->type.element_type, {rs[0], xs[1], output_height, output_width});
  std::string ctm = coordinate_transformation_mode ? coordinate_transformation_mode : "";
  std::string m = mode ? mode : "";
  if (ctm != "half_pixel" && ctm != "output_half_pixel")
    Fail("unknown coordinate_transformation_mode '", ctm, "'");
  if (m != "avg" && m != "max") Fail("unknown mode '", m, "'");
  return RoiAlignSpec{xs[1],         xs[2],        xs[3],          rs[0],
                      output_height, output_width, sampling_ratio, ctm == "half_pixel",
                      m == "max",    spatial_scale};
}

}  // namespace odla_rt

extern "C" {

ODLA_WEAK odla_value odla_GridSample(odla_value X, odla_value grid, odla_int64 align_corners,
                                     const char* mode, const char* padding_mode,
                                     odla_value_type result_type, odla_value_id id) {
  return Guard("odla_GridSample", id, [&] {
    const GridSampleSpec s =
        MakeGridSampleSpec(X, grid, align_corners, mode, padding_mode, result_type);
    Kernel kernel = DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) { GridSample<T>(s, a.In<T>(0), a.In<T>(1), a.Out<T>(0)); };
    });
    return AddOp1("GridSample", {X, grid}, result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_RoiAlign(odla_value X, odla_value rois, odla_value batch_indices,
                                   const char* coordinate_transformation_mode, const char* mode,
                                   odla_int64 output_height, odla_int64 output_width,
                                   odla_int64 sampling_ratio, odla_float32 spatial_scale,
                                   odla_value_type result_type, odla_value_id id) {
  return Guard("odla_RoiAlign", id, [&] {
    const RoiAlignSpec s =
        MakeRoiAlignSpec(X, rois, batch_indices, coordinate_transformation_mode, mode,
                         output_height, output_width, sampling_ratio, spatial_scale, result_type);
    int64_t n = Dims(X->type.shape)[0];
    Kernel kernel = DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        RoiAlign<T>(s, n, a.In<T>(0), a.In<T>(1), a.In<int64_t>(2), a.Out<T>(0));
      };
    });
    return AddOp1("RoiAlign", {X, rois, batch_indices}, result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_MaxUnpool(odla_value X, odla_value I, odla_ints kernel_shape,
                                    odla_ints pads, odla_ints strides, odla_value_type result_type,
                                    odla_value_id id) {
  return Guard("odla_MaxUnpool", id, [&] {
    CheckInput(X, "X");
    CheckInput(I, "I");
    auto xs = Dims(X->type.shape), ys = Dims(result_type.shape);
    if (I->type.element_type != ODLA_INT64 || Dims(I->type.shape) != xs)
      Fail("I must be int64 of X's shape");
    if (result_type.element_type != X->type.element_type || ys.size() != xs.size() ||
        xs.size() < 3 || ys[0] != xs[0] || ys[1] != xs[1])
      Fail("result type ", TypeToString(result_type), " does not fit X");
    auto k = FromInts(kernel_shape), p = FromInts(pads), st = FromInts(strides);
    size_t n = xs.size() - 2;
    if (k.size() != n || (!p.empty() && p.size() != 2 * n) || (!st.empty() && st.size() != n))
      Fail("kernel_shape, pads and strides do not match the spatial rank");
    std::vector<int64_t> def_shape = {xs[0], xs[1]};  // the default unpooled shape
    for (size_t i = 0; i < n; ++i) {
      int64_t def =
          (xs[i + 2] - 1) * (st.empty() ? 1 : st[i]) + k[i] - (p.empty() ? 0 : p[i] + p[i + n]);
      if (ys[i + 2] < def) Fail("result spatial size ", ys[i + 2], " is below ", def);
      def_shape.push_back(def);
    }
    int64_t in_n = NumElements(X->type.shape);
    Kernel kernel = DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        MaxUnpool<T>(in_n, def_shape, ys, a.In<T>(0), a.In<int64_t>(1), a.Out<T>(0));
      };
    });
    return AddOp1("MaxUnpool", {X, I}, result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_LpNormalization(odla_value input, odla_int64 axis, odla_int64 p,
                                          odla_value_type result_type, odla_value_id id) {
  return Guard("odla_LpNormalization", id, [&] {
    CheckInput(input, "input");
    auto xs = Dims(input->type.shape);
    CheckResult(result_type, input->type.element_type, xs);
    if (axis < 0 || axis >= static_cast<int64_t>(xs.size())) Fail("axis out of range");
    if (p != 1 && p != 2) Fail("p must be 1 or 2");
    int64_t outer = 1, inner = 1, len = xs[axis];
    for (int64_t i = 0; i < axis; ++i) outer *= xs[i];
    for (size_t i = axis + 1; i < xs.size(); ++i) inner *= xs[i];
    Kernel kernel = DispatchFloat(input->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        LpNormalize<T>(outer, len, inner, p, a.In<T>(0), a.Out<T>(0));
      };
    });
    return AddOp1("LpNormalization", {input}, result_type, id, kernel);
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(LpNormalization)
ODLA_REF_ALIAS(GridSample)
ODLA_REF_ALIAS(RoiAlign)
ODLA_REF_ALIAS(MaxUnpool)
