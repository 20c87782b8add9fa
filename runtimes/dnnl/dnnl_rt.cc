#include "dnnl_rt.h"

#include <omp.h>

#include <cstdlib>
#include <iostream>

namespace odla_dnnl {

using odla_rt::KernelArgs;

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

static bool Verbose() {
  static const bool verbose = [] {
    const char* e = std::getenv("ODLA_DNNL_VERBOSE");
    return e && *e && std::string(e) != "0";
  }();
  return verbose;
}

// oneDNN's thread count: ODLA_NUM_THREADS, as libodla_ref's pool. OpenMP keeps it per
// thread; primitives are sized by it when created, and run with it.
static void SetThreads() { omp_set_num_threads(odla_rt::NumThreads()); }

template <typename R>
static R TryBody(const char* op, const std::function<R()>& body, const char* to = "ref") {
  SetThreads();
  auto log = [&](const char* what, const char* why) {
    if (Verbose())
      std::cerr << "odla_dnnl: " << op << " falls back to " << to << ": " << what << why << "\n";
  };
  try {
    return body();
  } catch (const Unsupported& e) {
    log("", e.what());
  } catch (const dnnl::error& e) {
    log("oneDNN: ", e.what());
  } catch (const std::exception& e) {  // the ref builder reports what is wrong
    log("", e.what());
  }
  return R{};
}

odla_value TryPrecision(const char* op, const std::function<odla_value(bool bf16)>& body) {
  if (UseBf16()) {
    std::string what = std::string(op) + " in bf16";
    odla_value v = TryBody<odla_value>(
        what.c_str(), [&] { return body(true); }, "fp32");
    if (v) return v;
  }
  return TryBody<odla_value>(op, [&] { return body(false); });
}

odla_value Try(const char* op, const std::function<odla_value()>& body) {
  return TryBody<odla_value>(op, body);
}

odla_values TryN(const char* op, const std::function<odla_values()>& body) {
  return TryBody<odla_values>(op, body);
}

void RequireF32(std::initializer_list<odla_value> values) {
  for (odla_value v : values) {
    if (!v) continue;
    if (v->type.element_type != ODLA_FLOAT32)
      Reject("element type ", odla_rt::TypeToString(v->type));
    if (odla_rt::NumElements(v->type.shape) == 0)
      Reject("empty value ", odla_rt::TypeToString(v->type));
  }
}

Dims ValueDims(odla_value v) { return TypeDims(v->type); }

Dims TypeDims(const odla_value_type& t) { return odla_rt::Dims(t.shape); }

memory::desc PlainMd(const Dims& dims_in, const std::vector<int>& order) {
  Dims dims = dims_in.empty() ? Dims{1} : dims_in;
  int rank = static_cast<int>(dims.size());
  Dims strides(rank);
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; --i) {
    int d = order.empty() ? i : order[i];
    strides[d] = s;
    s *= dims[d];
  }
  return memory::desc(dims, memory::data_type::f32, strides);
}

memory::desc WithType(const memory::desc& md, memory::data_type t) {
  dnnl_memory_desc_t d = md.data;
  d.data_type = static_cast<dnnl_data_type_t>(t);
  return memory::desc(d);
}

namespace {

// A value in a oneDNN layout (blocked, padded).
class DnnlLayout : public odla_rt::Layout {
 public:
  explicit DnnlLayout(const memory::desc& md) : md_(md) {}
  size_t Bytes() const override { return md_.get_size(); }
  odla_rt::Kernel ToPlain(const odla_value_type& type) const override {
    Plan plan;
    memory::desc plain = PlainMd(TypeDims(type));
    dnnl::reorder r(dnnl::reorder::primitive_desc(Engine(), md_, Engine(), plain));
    plan.Run(r, {{DNNL_ARG_SRC, Slot{Slot::kIn, 0, 0, nullptr, md_}},
                 {DNNL_ARG_DST, plan.Out(0, plain)}});
    return plan.Build();
  }
  const memory::desc& md() const { return md_; }

 private:
  memory::desc md_;
};

}  // namespace

memory::desc MdOf(odla_value v) {
  if (auto* l = dynamic_cast<const DnnlLayout*>(v->layout.get())) return l->md();
  return PlainMd(ValueDims(v));
}

memory::desc MdOfRank(odla_value v, int rank) {
  Dims d = ValueDims(v);
  if (static_cast<int>(d.size()) > rank) Reject("rank ", d.size(), " above ", rank);
  if (static_cast<int>(d.size()) == rank) return MdOf(v);
  if (v->layout) Reject("a blocked value cannot be reshaped");
  d.insert(d.begin(), rank - d.size(), 1);
  return PlainMd(d);
}

// Whether md places every element where the plain descriptor does (strides of dimensions of
// size 1 do not matter: [N, C, 1, 1] is the same in NCHW and NHWC).
static bool IsPlain(const memory::desc& md, const memory::desc& plain) {
  if (md == plain) return true;
  const dnnl_memory_desc_t &a = md.data, &b = plain.data;
  if (a.format_kind != dnnl_blocked || a.ndims != b.ndims || a.offset0 != 0 ||
      a.format_desc.blocking.inner_nblks != 0)
    return false;
  for (int i = 0; i < a.ndims; ++i)
    if (a.dims[i] != b.dims[i] || a.padded_dims[i] != a.dims[i] ||
        (a.dims[i] > 1 && a.format_desc.blocking.strides[i] != b.format_desc.blocking.strides[i]))
      return false;
  return true;
}

odla_rt::LayoutPtr LayoutOf(const memory::desc& md, const odla_value_type& type) {
  if (IsPlain(md, PlainMd(TypeDims(type)))) return nullptr;
  return std::make_shared<DnnlLayout>(md);
}

Slot Plan::Input(int i, odla_value v) {
  if (v->const_data) return Slot{Slot::kConst, i, 0, v->const_data, PlainMd(ValueDims(v))};
  return Slot{Slot::kIn, i, 0, nullptr, MdOf(v)};
}

Slot Plan::Scratch(const memory::desc& md) {
  Slot s{Slot::kScratch, 0, scratch_, nullptr, md};
  scratch_ += (md.get_size() + 63) / 64 * 64;
  return s;
}

Slot Plan::Own(std::shared_ptr<void> data, const memory::desc& md) {
  owned_.push_back(data);
  return Slot{Slot::kConst, 0, 0, data.get(), md};
}

Slot Plan::As(const Slot& from, const memory::desc& want) {
  if (from.md == want) return from;
  dnnl::reorder::primitive_desc pd(Engine(), from.md, Engine(), want);
  if (from.kind != Slot::kConst) {
    Slot to = Scratch(want);
    Run(dnnl::reorder(pd), {{DNNL_ARG_SRC, from}, {DNNL_ARG_DST, to}});
    return to;
  }
  std::shared_ptr<void> data(std::aligned_alloc(64, (want.get_size() + 63) / 64 * 64), std::free);
  if (!data) throw std::bad_alloc();
  memory src(from.md, Engine(), const_cast<void*>(from.ptr)), dst(want, Engine(), data.get());
  dnnl::stream s(Engine());
  dnnl::reorder(pd).execute(s, src, dst);
  s.wait();
  return Own(data, want);
}

dnnl::primitive_attr ScratchAttr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

void Plan::AddScratchpad(const dnnl::primitive_desc_base& pd, std::unordered_map<int, Slot>& args) {
  memory::desc md = pd.scratchpad_desc();
  if (md.get_size() > 0) args[DNNL_ARG_SCRATCHPAD] = Scratch(md);
}

void Plan::Run(const dnnl::primitive& p, std::unordered_map<int, Slot> args) {
  steps_.push_back(Step{p, std::move(args)});
}

odla_rt::Kernel Plan::Build() const {
  auto steps = std::make_shared<const std::vector<Step>>(steps_);
  auto owned = owned_;
  return [steps, owned](const KernelArgs& a) {
    SetThreads();
    thread_local dnnl::stream stream(Engine());
    std::unordered_map<int, memory> mems;
    for (const Step& step : *steps) {
      mems.clear();
      for (const auto& [arg, slot] : step.args) {
        void* p = nullptr;
        switch (slot.kind) {
          case Slot::kIn:
            p = static_cast<char*>(const_cast<void*>(a.in[slot.index])) + slot.offset;
            break;
          case Slot::kOut:
            p = static_cast<char*>(a.out[slot.index]) + slot.offset;
            break;
          case Slot::kScratch:
            p = static_cast<char*>(a.scratch) + slot.offset;
            break;
          case Slot::kConst:
            p = const_cast<void*>(slot.ptr);
            break;
        }
        mems.emplace(arg, memory(slot.md, Engine(), p));
      }
      step.prim.execute(stream, mems);
    }
    stream.wait();
  };
}

odla_value AddPlanOp(const std::string& op, const std::vector<odla_value>& inputs,
                     const odla_value_type& result_type, const memory::desc& dst_md,
                     odla_value_id id, const Plan& plan) {
  return odla_rt::AddLayoutOp(op, inputs, {result_type}, {LayoutOf(dst_md, result_type)},
                              plan.ScratchBytes(), id, plan.Build())[0];
}

Window MakeWindow(int spatial, const odla_ints& strides, const odla_ints& dilations,
                  const odla_ints& pads) {
  auto list = [&](const odla_ints& v, size_t n, int64_t def, int64_t sub) {
    if (v.size != 0 && static_cast<size_t>(v.size) != n) Reject("attribute list of ", v.size);
    Dims r(n, def - sub);
    for (int i = 0; i < v.size; ++i) r[i] = v.data[i] - sub;
    return r;
  };
  Window w;
  w.strides = list(strides, spatial, 1, 0);
  w.dilates = list(dilations, spatial, 1, 1);
  Dims p = list(pads, 2 * spatial, 0, 0);
  w.pad_l.assign(p.begin(), p.begin() + spatial);
  w.pad_r.assign(p.begin() + spatial, p.end());
  for (int64_t s : w.strides)
    if (s < 1) Reject("stride ", s);
  for (int64_t d : w.dilates)
    if (d < 0) Reject("dilation ", d + 1);
  return w;
}

}  // namespace odla_dnnl
