#include "dnnl_rt.h"

#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <mutex>

#include "../common/file_pages.h"

namespace odla_dnnl {

using odla_rt::KernelArgs;

namespace {
// The shared kernels' ParallelFor runs on OpenMP's threads, those of oneDNN's primitives. On
// a pool of its own, its threads competed with OpenMP's, which spin for a while after each
// primitive (bench/nbits.py, 16 rows: 1.87x ONNX Runtime's time, 1.18x with
// OMP_WAIT_POLICY=passive).
void OpenMpRunner(int64_t chunks, const std::function<void(int64_t)>& fn) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(odla_rt::NumThreads())
  for (int64_t c = 0; c < chunks; ++c) fn(c);
}
const bool kOpenMpRunner = (odla_rt::SetParallelRunner(OpenMpRunner), true);
}  // namespace

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

static bool Verbose() {
  static const bool verbose = odla_rt::EnvFlag("ODLA_DNNL_VERBOSE");
  return verbose;
}

// oneDNN's thread count: ODLA_NUM_THREADS, as libodla_ref's pool, but 1 for ops that move
// fewer than kSerialBytes: waking the other threads (OpenMP fork-join) costs more than they
// save there. OpenMP keeps the count per thread; primitives are sized by it when created, and
// a plan runs with the count it was built with.
constexpr size_t kSerialBytes = 128 << 10;

namespace {
// Thrown by AddPlanOp when an op built for several threads is small: TryBody builds it again
// for one.
struct BuildSerially {};
}  // namespace

template <typename R>
static R TryBody(const char* op, const std::function<R()>& body, const char* to = "ref") {
  auto log = [&](const char* what, const char* why) {
    if (Verbose())
      std::cerr << "odla_dnnl: " << op << " falls back to " << to << ": " << what << why << "\n";
  };
  for (int threads : {odla_rt::NumThreads(), 1}) {
    omp_set_num_threads(threads);
    try {
      return body();
    } catch (const BuildSerially&) {
      continue;
    } catch (const Unsupported& e) {
      log("", e.what());
    } catch (const dnnl::error& e) {
      log("oneDNN: ", e.what());
    } catch (const std::exception& e) {  // the ref builder reports what is wrong
      log("", e.what());
    }
    break;
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
    omp_set_num_threads(md_.get_size() < kSerialBytes ? 1 : odla_rt::NumThreads());
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
  bool odla_constant =
      std::none_of(owned_.begin(), owned_.end(),
                   [&](const std::shared_ptr<void>& o) { return o.get() == from.ptr; });
  if (odla_constant) odla_rt::ReleaseFilePages(from.ptr, from.md.get_size());
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

namespace {

// A plan's steps with their arguments in order, the thread count and, for the runs, sets of
// memory objects (one per argument of every step) that runs take, rebind and give back:
// contexts may run at once.
struct Steps {
  struct Step {
    dnnl::primitive prim;
    std::vector<std::pair<int, Slot>> args;
  };
  std::vector<Step> steps;
  std::vector<std::shared_ptr<void>> owned;  // reordered constants
  int threads = 1;
  std::mutex mu;
  std::vector<std::unique_ptr<std::vector<memory>>> free;

  std::unique_ptr<std::vector<memory>> Take() {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!free.empty()) {
        auto m = std::move(free.back());
        free.pop_back();
        return m;
      }
    }
    auto m = std::make_unique<std::vector<memory>>();
    for (const Step& step : steps)
      for (const auto& arg : step.args) {
        const Slot& s = arg.second;
        void* p = s.kind == Slot::kConst ? const_cast<void*>(s.ptr) : DNNL_MEMORY_NONE;
        m->emplace_back(s.md, Engine(), p);
      }
    return m;
  }
  void Give(std::unique_ptr<std::vector<memory>> m) {
    std::lock_guard<std::mutex> lock(mu);
    free.push_back(std::move(m));
  }
};

}  // namespace

odla_rt::Kernel Plan::Build() const {
  auto all = std::make_shared<Steps>();
  for (const Step& step : steps_)
    all->steps.push_back({step.prim, {step.args.begin(), step.args.end()}});
  all->owned = owned_;
  all->threads = omp_get_max_threads();
  return [all](const KernelArgs& a) {
    omp_set_num_threads(all->threads);
    thread_local dnnl::stream stream(Engine());
    std::unique_ptr<std::vector<memory>> mems = all->Take();
    std::vector<dnnl_exec_arg_t> args;
    size_t m = 0;
    for (const Steps::Step& step : all->steps) {
      args.clear();
      for (const auto& [arg, slot] : step.args) {
        memory& mem = (*mems)[m++];
        switch (slot.kind) {
          case Slot::kIn:
            mem.set_data_handle(static_cast<char*>(const_cast<void*>(a.in[slot.index])) +
                                slot.offset);
            break;
          case Slot::kOut:
            mem.set_data_handle(static_cast<char*>(a.out[slot.index]) + slot.offset);
            break;
          case Slot::kScratch:
            mem.set_data_handle(static_cast<char*>(a.scratch) + slot.offset);
            break;
          case Slot::kConst:
            break;
        }
        args.push_back({arg, mem.get()});
      }
      dnnl::error::wrap_c_api(dnnl_primitive_execute(step.prim.get(), stream.get(),
                                                     static_cast<int>(args.size()), args.data()),
                              "could not execute a primitive");
    }
    stream.wait();
    all->Give(std::move(mems));
  };
}

odla_value AddPlanOp(const std::string& op, const std::vector<odla_value>& inputs,
                     const odla_value_type& result_type, const memory::desc& dst_md,
                     odla_value_id id, const Plan& plan) {
  size_t bytes = odla_rt::ByteSize(result_type);
  for (odla_value v : inputs)
    if (v) bytes += odla_rt::ByteSize(v->type);
  if (bytes < kSerialBytes && omp_get_max_threads() > 1) throw BuildSerially{};
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
