// Add, Sub, Mul, Div and the two-input Sum, Max and Min as oneDNN binary operations: the
// first source has the result's shape (and keeps its layout), the second broadcasts to it.
#include "dnnl_rt.h"

ODLA_DNNL_FILE(binary)

using namespace odla_dnnl;
using dnnl::algorithm;

namespace {

bool Broadcasts(const Dims& from, const Dims& to) {
  if (from.size() > to.size()) return false;
  size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[lead + i]) return false;
  return true;
}

bool IsFull(odla_value v, const Dims& to) {
  Dims d = ValueDims(v);
  d.insert(d.begin(), to.size() - std::min(to.size(), d.size()), 1);
  return d == to;
}

// A per-channel operand ([1, C, 1...]) of a src0 in channel blocks gets the same blocking
// (oneDNN's optimised code wants it); any other, the plain layout.
memory::desc BroadcastMd(const memory::desc& src0, const Dims& dims) {
  using tag = memory::format_tag;
  static const tag kTags[3][3] = {{tag::aBc4b, tag::aBc8b, tag::aBc16b},
                                  {tag::aBcd4b, tag::aBcd8b, tag::aBcd16b},
                                  {tag::aBcde4b, tag::aBcde8b, tag::aBcde16b}};
  const auto& blk = src0.data.format_desc.blocking;
  int rank = static_cast<int>(dims.size());
  bool per_channel = rank >= 3 && rank <= 5;
  for (int i = 0; per_channel && i < rank; ++i)
    per_channel = dims[i] == (i == 1 ? src0.dims()[1] : 1);
  if (per_channel && src0.data.format_kind == dnnl_blocked && blk.inner_nblks == 1 &&
      blk.inner_idxs[0] == 1) {
    for (int b = 0; b < 3; ++b) {
      tag t = kTags[rank - 3][b];
      if (memory::desc(src0.dims(), memory::data_type::f32, t) == src0)
        return memory::desc(dims, memory::data_type::f32, t);
    }
  }
  return PlainMd(dims);
}

odla_value BuildBinary(const char* op, algorithm alg, bool commutative, odla_value A, odla_value B,
                       const odla_value_type& result, odla_value_id id) {
  RequireF32({A, B});
  if (result.element_type != ODLA_FLOAT32) Reject("result type");
  Dims yd = TypeDims(result);
  if (yd.empty() || !Broadcasts(ValueDims(A), yd) || !Broadcasts(ValueDims(B), yd))
    Reject("shapes");
  int rank = static_cast<int>(yd.size());
  bool a_full = IsFull(A, yd), b_full = IsFull(B, yd);
  // src0 must have the result's shape; with both full, the blocked one keeps its layout.
  bool swap = commutative && b_full && (!a_full || (!A->layout && B->layout));
  if (swap) std::swap(A, B), std::swap(a_full, b_full);
  if (!a_full) Reject("the first operand broadcasts");
  memory::desc src0 = MdOfRank(A, rank);
  Dims b_dims = ValueDims(B);
  b_dims.insert(b_dims.begin(), rank - b_dims.size(), 1);
  memory::desc dst(yd, memory::data_type::f32, memory::format_tag::any);
  memory::desc src1 = b_full ? src0 : BroadcastMd(src0, b_dims);
  dnnl::binary::desc d(alg, src0, src1, dst);
  dnnl::binary::primitive_desc pd(d, ScratchAttr(), Engine());
  Plan plan;
  Slot s0 = plan.Input(0, A), s1 = plan.Input(1, B);
  s0.md = src0;
  if (static_cast<int>(ValueDims(B).size()) != rank) s1.md = MdOfRank(B, rank);
  std::unordered_map<int, Slot> args{{DNNL_ARG_SRC_0, s0},
                                     {DNNL_ARG_SRC_1, plan.As(s1, src1)},
                                     {DNNL_ARG_DST, plan.Out(0, pd.dst_desc())}};
  plan.AddScratchpad(pd, args);
  plan.Run(dnnl::binary(pd), args);
  return AddPlanOp(op, {A, B}, result, pd.dst_desc(), id, plan);
}

}  // namespace

#define ODLA_DNNL_BINARY(NAME, ALG, COMMUTATIVE)                                             \
  ODLA_REF_DECL(NAME)                                                                        \
  extern "C" odla_value odla_##NAME(odla_value A, odla_value B, odla_value_type result_type, \
                                    odla_value_id id) {                                      \
    if (A && B) {                                                                            \
      odla_value v = Try(#NAME, [&] {                                                        \
        return BuildBinary(#NAME, algorithm::ALG, COMMUTATIVE, A, B, result_type, id);       \
      });                                                                                    \
      if (v) return v;                                                                       \
    }                                                                                        \
    return odla_ref_##NAME(A, B, result_type, id);                                           \
  }

ODLA_DNNL_BINARY(Add, binary_add, true)
ODLA_DNNL_BINARY(Sub, binary_sub, false)
ODLA_DNNL_BINARY(Mul, binary_mul, true)
ODLA_DNNL_BINARY(Div, binary_div, false)

// The variadic ones with two inputs.
#define ODLA_DNNL_VARIADIC(NAME, ALG)                                                       \
  ODLA_REF_DECL(NAME)                                                                       \
  extern "C" odla_value odla_##NAME(odla_values data_0, odla_value_type result_type,        \
                                    odla_value_id id) {                                     \
    if (data_0.size >= 1 && data_0.size <= ODLA_MAX_VALUES) {                               \
      odla_value v = Try(#NAME, [&] {                                                       \
        if (data_0.size != 2 || !data_0.values[0] || !data_0.values[1]) Reject("inputs");   \
        return BuildBinary(#NAME, algorithm::ALG, true, data_0.values[0], data_0.values[1], \
                           result_type, id);                                                \
      });                                                                                   \
      if (v) return v;                                                                      \
    }                                                                                       \
    return odla_ref_##NAME(data_0, result_type, id);                                        \
  }

ODLA_DNNL_VARIADIC(Sum, binary_add)
ODLA_DNNL_VARIADIC(Max, binary_max)
ODLA_DNNL_VARIADIC(Min, binary_min)
