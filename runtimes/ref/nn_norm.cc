// ODLA builders of the normalisation ops.
#include <memory>

#include "../common/builder.h"
#include "../kernels/broadcast.h"
#include "../kernels/dispatch.h"
#include "../kernels/norm.h"

using namespace odla_rt;

namespace {

// Checks that v is a [c] vector of X's element type.
void CheckVector(odla_value v, odla_value X, const char* what, int64_t c) {
  CheckInput(v, what);
  CheckSameElementType(X, v);
  if (Dims(v->type.shape) != std::vector<int64_t>{c}) Fail(what, " must be [", c, "]");
}

// X [n, c, inner...] with the result of the same type; returns {n, c, inner}.
std::vector<int64_t> ChannelView(odla_value X, const odla_value_type& result, size_t min_rank) {
  CheckInput(X, "X");
  if (!SameType(X->type, result)) Fail("result type must equal the input type");
  auto xs = Dims(X->type.shape);
  if (xs.size() < min_rank) Fail("input must have rank ", min_rank, " or more");
  int64_t inner = 1;
  for (size_t i = 2; i < xs.size(); ++i) inner *= xs[i];
  return {xs[0], xs.size() > 1 ? xs[1] : 1, inner};
}

// The [c] checks of BatchNormalization's vector inputs; returns {n, c, inner}.
std::vector<int64_t> BatchNormView(odla_value X, odla_value scale, odla_value B,
                                   odla_value input_mean, odla_value input_var,
                                   const odla_value_type& result) {
  auto v = ChannelView(X, result, 2);
  CheckVector(scale, X, "scale", v[1]);
  CheckVector(B, X, "B", v[1]);
  CheckVector(input_mean, X, "input_mean", v[1]);
  CheckVector(input_var, X, "input_var", v[1]);
  return v;
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_BatchNormalization(odla_value X, odla_value scale, odla_value B,
                                             odla_value input_mean, odla_value input_var,
                                             odla_float32 epsilon, odla_value_type result_type,
                                             odla_value_id id) {
  return Guard("odla_BatchNormalization", id, [&] {
    auto v = BatchNormView(X, scale, B, input_mean, input_var, result_type);
    int64_t n = v[0], c = v[1], inner = v[2];
    double eps = epsilon;
    Kernel kernel = DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& k) {
        BatchNorm<T>(n, c, inner, k.In<T>(0), k.In<T>(1), k.In<T>(2), k.In<T>(3), k.In<T>(4), eps,
                     k.Out<T>(0));
      };
    });
    return AddOp1("BatchNormalization", {X, scale, B, input_mean, input_var}, result_type, id,
                  kernel);
  });
}

ODLA_WEAK odla_values odla_BatchNormalizationTraining(odla_value X, odla_value scale, odla_value B,
                                                      odla_value input_mean, odla_value input_var,
                                                      odla_float32 epsilon, odla_float32 momentum,
                                                      odla_value_types result_types,
                                                      odla_value_id id) {
  return GuardN("odla_BatchNormalizationTraining", id, [&] {
    auto types = FromTypes(result_types);
    if (types.empty() || types.size() > 3) Fail("BatchNormalizationTraining has 1 to 3 results");
    auto v = BatchNormView(X, scale, B, input_mean, input_var, types[0]);
    int64_t n = v[0], c = v[1], inner = v[2];
    for (size_t i = 1; i < types.size(); ++i)
      if (types[i].element_type != X->type.element_type ||
          Dims(types[i].shape) != std::vector<int64_t>{c})
        Fail("running_mean and running_var must be [", c, "] of X's element type");
    double eps = epsilon, mom = momentum;
    size_t nres = types.size();
    Kernel kernel = DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& k) {
        BatchNormTraining<T>(n, c, inner, k.In<T>(0), k.In<T>(1), k.In<T>(2), k.In<T>(3),
                             k.In<T>(4), eps, mom, k.Out<T>(0), nres > 1 ? k.Out<T>(1) : nullptr,
                             nres > 2 ? k.Out<T>(2) : nullptr);
      };
    });
    return ToValues(AddOp("BatchNormalizationTraining", {X, scale, B, input_mean, input_var}, types,
                          id, kernel));
  });
}

ODLA_WEAK odla_value odla_InstanceNormalization(odla_value input, odla_value scale, odla_value B,
                                                odla_float32 epsilon, odla_value_type result_type,
                                                odla_value_id id) {
  return Guard("odla_InstanceNormalization", id, [&] {
    auto v = ChannelView(input, result_type, 3);
    int64_t n = v[0], c = v[1], inner = v[2];
    CheckVector(scale, input, "scale", c);
    CheckVector(B, input, "B", c);
    double eps = epsilon;
    return AddOp1("InstanceNormalization", {input, scale, B}, result_type, id,
                  DispatchFloat(input->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      InstanceNorm<T>(n, c, inner, k.In<T>(0), k.In<T>(1), k.In<T>(2), eps,
                                      k.Out<T>(0));
                    };
                  }));
  });
}

ODLA_WEAK odla_values odla_LayerNormalization(odla_value X, odla_value Scale, odla_value B,
                                              odla_int64 axis, odla_float32 epsilon,
                                              odla_value_types result_types, odla_value_id id) {
  return GuardN("odla_LayerNormalization", id, [&] {
    CheckInput(X, "X");
    CheckInput(Scale, "Scale");
    CheckSameElementType(X, Scale);
    if (B) CheckSameElementType(X, B);
    auto types = FromTypes(result_types);
    if (types.empty() || types.size() > 3) Fail("LayerNormalization has 1 to 3 results");
    if (!SameType(types[0], X->type)) Fail("Y must have the type of X");
    auto xs = Dims(X->type.shape);
    int64_t rank = static_cast<int64_t>(xs.size());
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) Fail("axis out of range");
    std::vector<int64_t> norm(xs.begin() + axis, xs.end());
    int64_t rows = 1, cols = 1;
    for (int64_t i = 0; i < rank; ++i) (i < axis ? rows : cols) *= xs[i];
    odla_element_type stat = types.size() > 1 ? types[1].element_type : ODLA_FLOAT32;
    for (size_t i = 1; i < types.size(); ++i)
      if (NumElements(types[i].shape) != rows || types[i].element_type != stat ||
          (stat != ODLA_FLOAT32 && stat != ODLA_FLOAT64))
        Fail("Mean and InvStdDev must be float32/64 with one value per normalised row");
    // Scale and B broadcast to the normalised shape: gather tables expand them per call.
    auto expand = [&](odla_value v) {
      auto s = Dims(v->type.shape);
      if (s.size() > norm.size())
        Fail(TypeToString(v->type), " does not broadcast to the normalised shape");
      for (size_t i = 0; i < s.size(); ++i) {
        int64_t d = norm[norm.size() - s.size() + i];
        if (s[i] != 1 && s[i] != d)
          Fail(TypeToString(v->type), " does not broadcast to the normalised shape");
      }
      std::vector<int64_t> idx;
      if (NumElements(v->type.shape) == cols) return idx;
      auto st = BroadcastStrides(s, norm);
      idx.resize(cols);
      for (int64_t j = 0; j < cols; ++j) {
        int64_t r = j, o = 0;
        for (int d = static_cast<int>(norm.size()) - 1; d >= 0; --d) {
          o += r % norm[d] * st[d];
          r /= norm[d];
        }
        idx[j] = o;
      }
      return idx;
    };
    auto sidx = std::make_shared<std::vector<int64_t>>(expand(Scale));
    auto bidx = std::make_shared<std::vector<int64_t>>(B ? expand(B) : std::vector<int64_t>{});
    size_t nres = types.size();
    double eps = epsilon;
    Kernel kernel = DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& k) {
        const T* scale = k.In<T>(1);
        const T* bias = k.In<T>(2);
        std::vector<T> se, be;
        if (!sidx->empty()) {
          for (int64_t j : *sidx) se.push_back(scale[j]);
          scale = se.data();
        }
        if (bias && !bidx->empty()) {
          for (int64_t j : *bidx) be.push_back(bias[j]);
          bias = be.data();
        }
        if (stat == ODLA_FLOAT64) {
          LayerNorm<T, double>(rows, cols, k.In<T>(0), scale, bias, eps, k.Out<T>(0),
                               nres > 1 ? k.Out<double>(1) : nullptr,
                               nres > 2 ? k.Out<double>(2) : nullptr);
        } else {
          LayerNorm<T, float>(rows, cols, k.In<T>(0), scale, bias, eps, k.Out<T>(0),
                              nres > 1 ? k.Out<float>(1) : nullptr,
                              nres > 2 ? k.Out<float>(2) : nullptr);
        }
      };
    });
    return ToValues(AddOp("LayerNormalization", {X, Scale, B}, types, id, kernel));
  });
}

ODLA_WEAK odla_value odla_LRN(odla_value X, odla_float32 alpha, odla_float32 beta,
                              odla_float32 bias, odla_int64 size, odla_value_type result_type,
                              odla_value_id id) {
  return Guard("odla_LRN", id, [&] {
    auto v = ChannelView(X, result_type, 2);
    if (size < 1) Fail("size must be positive");
    int64_t n = v[0], c = v[1], inner = v[2];
    double a = alpha, b = beta, k0 = bias;
    return AddOp1("LRN", {X}, result_type, id,
                  DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      LRN<T>(n, c, inner, k.In<T>(0), a, b, k0, size, k.Out<T>(0));
                    };
                  }));
  });
}

ODLA_WEAK odla_value odla_MeanVarianceNormalization(odla_value X, odla_ints axes,
                                                    odla_value_type result_type, odla_value_id id) {
  return Guard("odla_MeanVarianceNormalization", id, [&] {
    CheckInput(X, "X");
    if (!SameType(X->type, result_type)) Fail("result type must equal the input type");
    auto xs = Dims(X->type.shape);
    std::vector<bool> reduced(xs.size(), false);
    for (int64_t a : FromInts(axes)) {
      if (a < 0) a += static_cast<int64_t>(xs.size());
      if (a < 0 || a >= static_cast<int64_t>(xs.size())) Fail("axis out of range");
      reduced[a] = true;
    }
    return AddOp1("MeanVarianceNormalization", {X}, result_type, id,
                  DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      MeanVarianceNorm<T>(xs, reduced, k.In<T>(0), k.Out<T>(0));
                    };
                  }));
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(BatchNormalization)
ODLA_REF_ALIAS(BatchNormalizationTraining)
ODLA_REF_ALIAS(LayerNormalization)
ODLA_REF_ALIAS(InstanceNormalization)
ODLA_REF_ALIAS(LRN)
ODLA_REF_ALIAS(MeanVarianceNormalization)
