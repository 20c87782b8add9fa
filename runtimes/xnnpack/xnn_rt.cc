#include "xnn_rt.h"

#include <cmath>
#include <functional>
#include <iostream>

#include "../kernels/epilogue.h"

namespace odla_xnn {

void Check(xnn_status s, const char* what) {
  if (s != xnn_status_success) Reject(what, " failed (status ", static_cast<int>(s), ")");
}

static bool Verbose() {
  static const bool verbose = odla_rt::EnvFlag("ODLA_XNN_VERBOSE");
  return verbose;
}

odla_value Try(const char* op, const std::function<odla_value()>& body) {
  try {
    static const xnn_status init = xnn_initialize(nullptr);
    Check(init, "xnn_initialize");
    return body();
  } catch (const std::exception& e) {  // the ref builder reports what is wrong
    if (Verbose())
      std::cerr << "odla_xnnpack: " << op << " falls back to ref: " << e.what() << "\n";
  }
  return nullptr;
}

void RequireF32x4(std::initializer_list<odla_value> values) {
  for (odla_value v : values) {
    if (!v) continue;
    if (v->type.element_type != ODLA_FLOAT32 || v->type.shape.size != 4 ||
        odla_rt::NumElements(v->type.shape) == 0)
      Reject("value type ", odla_rt::TypeToString(v->type));
  }
}

pthreadpool_t Pool() {
  static const std::unique_ptr<pthreadpool, void (*)(pthreadpool_t)> pool(
      odla_rt::NumThreads() > 1 ? pthreadpool_create(odla_rt::NumThreads()) : nullptr,
      [](pthreadpool_t p) {
        if (p) pthreadpool_destroy(p);
      });
  return pool.get();
}

namespace {
// The shared kernels' ParallelFor runs on Pool()'s threads, those of the XNNPACK operators,
// which spin for a while after each operator: on a pool of its own, their threads competed
// for the cores (docs/xnnpack.md).
void PthreadpoolRunner(int64_t chunks, const std::function<void(int64_t)>& fn) {
  auto task = [](void* f, size_t c) {
    (*static_cast<const std::function<void(int64_t)>*>(f))(static_cast<int64_t>(c));
  };
  pthreadpool_parallelize_1d(Pool(), task, const_cast<std::function<void(int64_t)>*>(&fn),
                             static_cast<size_t>(chunks), 0);
}
const bool kPthreadpoolRunner = (odla_rt::SetParallelRunner(PthreadpoolRunner), true);
}  // namespace

Dims ValueDims(odla_value v) { return odla_rt::Dims(v->type.shape); }

static size_t Padded(const Dims& d) {
  return static_cast<size_t>(d[0] * d[1] * d[2] * d[3]) * sizeof(float) + XNN_EXTRA_BYTES;
}

size_t NhwcLayout::Bytes() const { return Padded(dims_); }

odla_rt::Kernel NhwcLayout::ToPlain(const odla_value_type&) const {
  int64_t n = dims_[0], c = dims_[1], hw = dims_[2] * dims_[3];
  return [n, c, hw](const odla_rt::KernelArgs& a) {
    NhwcToNchw(a.In<float>(0), a.Out<float>(0), n, c, hw);
  };
}

bool IsNhwc(odla_value v) { return dynamic_cast<const NhwcLayout*>(v->layout.get()) != nullptr; }

odla_rt::LayoutPtr Nhwc(const odla_value_type& t) {
  return std::make_shared<NhwcLayout>(odla_rt::Dims(t.shape));
}

size_t NhwcBytes(odla_value v) { return (Padded(ValueDims(v)) + 63) / 64 * 64; }

void NchwToNhwc(const float* src, float* dst, int64_t n, int64_t c, int64_t hw) {
  odla_rt::ParallelFor(n * hw, 64, [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float* s = src + i / hw * c * hw + i % hw;
      float* d = dst + i * c;
      for (int64_t k = 0; k < c; ++k) d[k] = s[k * hw];
    }
  });
}

void NhwcToNchw(const float* src, float* dst, int64_t n, int64_t c, int64_t hw) {
  odla_rt::ParallelFor(n * c, 16, [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float* s = src + i / c * hw * c + i % c;
      float* d = dst + i * hw;
      for (int64_t p = 0; p < hw; ++p) d[p] = s[p * c];
    }
  });
}

const float* NhwcInput::Get(const odla_rt::KernelArgs& a) const {
  const float* in = a.In<float>(index);
  if (!copy) return in;
  float* dst = reinterpret_cast<float*>(static_cast<char*>(a.scratch) + offset);
  NchwToNhwc(in, dst, dims[0], dims[1], dims[2] * dims[3]);
  return dst;
}

NhwcInput PlanInput(int index, odla_value v, size_t& scratch) {
  NhwcInput in;
  in.index = index;
  in.dims = ValueDims(v);
  if (v->layout && !IsNhwc(v)) Reject("an input in another layout");
  in.copy = !IsNhwc(v);
  if (in.copy) {
    in.offset = scratch;
    scratch += NhwcBytes(v);
  }
  return in;
}

XOpPtr NewOp() { return std::make_shared<XOp>(); }

}  // namespace odla_xnn

namespace odla_xnn {

odla_value AddNhwcOp(const std::string& op, const std::vector<odla_value>& inputs,
                     const odla_value_type& result, size_t scratch, odla_value_id id,
                     odla_rt::Kernel kernel) {
  return odla_rt::AddLayoutOp(op, inputs, {result}, {Nhwc(result)}, scratch, id,
                              std::move(kernel))[0];
}

Window MakeWindow(const odla_ints& strides, const odla_ints& dilations, const odla_ints& pads) {
  auto list = [](const odla_ints& v, int n, int64_t def, int64_t min, uint32_t* out) {
    if (v.size != 0 && v.size != n) Reject("attribute list of ", v.size);
    for (int i = 0; i < n; ++i) {
      int64_t x = v.size ? v.data[i] : def;
      if (x < min || x > (1 << 20)) Reject("attribute value ", x);
      out[i] = static_cast<uint32_t>(x);
    }
  };
  Window w;
  list(strides, 2, 1, 1, w.stride);
  list(dilations, 2, 1, 1, w.dilation);
  list(pads, 4, 0, 0, w.pad);
  return w;
}

void OutputRange(const char* activation, float alpha, float beta, float& lo, float& hi) {
  odla_rt::Activation act = odla_rt::ParseActivation(activation ? activation : "", alpha, beta);
  lo = -INFINITY;
  hi = INFINITY;
  if (act.kind == odla_rt::ActKind::kRelu) {
    lo = 0;
  } else if (act.kind == odla_rt::ActKind::kClip) {
    lo = act.alpha;
    hi = act.beta;
    if (!(lo < hi)) Reject("clip range");
  } else if (act.kind != odla_rt::ActKind::kNone) {
    Reject("activation ", activation);
  }
}

void UnaryOp::Run(size_t n, const float* x, float* y) const {
  odla_xnn::Run(*op, "element-wise op",
                [&](xnn_operator_t o) { return setup(o, n, x, y, Pool()); });
}

UnaryOp MakeUnary(int kind, float alpha, float beta) {
  UnaryOp u;
  u.op = NewOp();
  xnn_operator_t* o = &u.op->op;
  switch (static_cast<odla_rt::ActKind>(kind)) {
    case odla_rt::ActKind::kSigmoid:
      Check(xnn_create_sigmoid_nc_f32(1, 1, 1, 0, o), "xnn_create_sigmoid_nc_f32");
      u.setup = xnn_setup_sigmoid_nc_f32;
      break;
    case odla_rt::ActKind::kHardSwish:
      if (std::fabs(alpha - 1.0f / 6) > 1e-7f || beta != 0.5f) Reject("HardSwish coefficients");
      Check(xnn_create_hardswish_nc_f32(1, 1, 1, 0, o), "xnn_create_hardswish_nc_f32");
      u.setup = xnn_setup_hardswish_nc_f32;
      break;
    case odla_rt::ActKind::kLeakyRelu:
      Check(xnn_create_leaky_relu_nc_f32(1, 1, 1, alpha, 0, o), "xnn_create_leaky_relu_nc_f32");
      u.setup = xnn_setup_leaky_relu_nc_f32;
      break;
    case odla_rt::ActKind::kElu:
      Check(xnn_create_elu_nc_f32(1, 1, 1, alpha, 0, o), "xnn_create_elu_nc_f32");
      u.setup = xnn_setup_elu_nc_f32;
      break;
    default:
      Reject("no XNNPACK op for activation kind ", kind);
  }
  return u;
}

UnaryOp ActivationOp(const char* activation, float alpha, float beta) {
  odla_rt::Activation act = odla_rt::ParseActivation(activation ? activation : "", alpha, beta);
  if (act.kind == odla_rt::ActKind::kNone || act.kind == odla_rt::ActKind::kRelu ||
      act.kind == odla_rt::ActKind::kClip)
    return {};
  return MakeUnary(static_cast<int>(act.kind), act.alpha, act.beta);
}

}  // namespace odla_xnn
