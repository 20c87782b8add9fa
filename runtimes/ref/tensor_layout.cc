// ODLA builders of the data-movement ops on the shared copy kernels. They move bytes, so
// every element type works (dispatch is on the element size).
#include <array>
#include <cstring>
#include <string>

#include "../common/builder.h"
#include "../kernels/copy.h"
#include "../kernels/dispatch.h"
#include "../kernels/fill.h"
#include "../kernels/gather.h"

using namespace odla_rt;

namespace {

// Checks that `x` and the result have the same element type.
void CheckResultElementType(odla_value x, const odla_value_type& rt) {
  if (x->type.element_type != rt.element_type)
    Fail("the result type ", TypeToString(rt), " does not match the input ", TypeToString(x->type));
}

// An op whose result holds the input's elements unchanged (Reshape, Squeeze, Unsqueeze).
odla_value CopyOp(const char* op, odla_value x, const odla_value_type& rt, odla_value_id id) {
  CheckInput(x, "data");
  CheckResultElementType(x, rt);
  if (NumElements(x->type.shape) != NumElements(rt.shape))
    Fail("cannot give ", TypeToString(x->type), " the shape of ", TypeToString(rt));
  size_t bytes = ByteSize(x->type);
  return AddOp1(op, {x}, rt, id,
                [bytes](const KernelArgs& k) { CopyBytes(k.out[0], k.in[0], bytes); });
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_Reshape(odla_value data, odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Reshape", id, [&] { return CopyOp("Reshape", data, result_type, id); });
}

ODLA_WEAK odla_value odla_Squeeze(odla_value data, odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Squeeze", id, [&] { return CopyOp("Squeeze", data, result_type, id); });
}

ODLA_WEAK odla_value odla_Unsqueeze(odla_value data, odla_value_type result_type,
                                    odla_value_id id) {
  return Guard("odla_Unsqueeze", id, [&] { return CopyOp("Unsqueeze", data, result_type, id); });
}

ODLA_WEAK odla_value odla_Transpose(odla_value data, odla_ints perm, odla_value_type result_type,
                                    odla_value_id id) {
  return Guard("odla_Transpose", id, [&] {
    CheckInput(data, "data");
    CheckResultElementType(data, result_type);
    auto in = Dims(data->type.shape), p = FromInts(perm), out = Dims(result_type.shape);
    if (p.size() != in.size()) Fail("'perm' has ", p.size(), " entries for rank ", in.size());
    std::vector<bool> seen(in.size());
    for (size_t d = 0; d < p.size(); ++d) {
      if (p[d] < 0 || p[d] >= static_cast<int64_t>(in.size()) || seen[p[d]])
        Fail("'perm' is not a permutation");
      seen[p[d]] = true;
      if (out[d] != in[p[d]]) Fail("the result type ", TypeToString(result_type), " is wrong");
    }
    size_t es = ElementSize(data->type.element_type);
    return AddOp1("Transpose", {data}, result_type, id,
                  [=](const KernelArgs& k) { TransposeCopy(k.out[0], k.in[0], es, in, p); });
  });
}

ODLA_WEAK odla_value odla_Concat(odla_values inputs, odla_int64 axis, odla_value_type result_type,
                                 odla_value_id id) {
  return Guard("odla_Concat", id, [&] {
    auto ins = FromValues(inputs);
    if (ins.empty()) Fail("no inputs");
    auto out = Dims(result_type.shape);
    if (axis < 0 || axis >= static_cast<int64_t>(out.size())) Fail("bad axis ", axis);
    std::vector<std::vector<int64_t>> shapes;
    std::vector<int64_t> offsets;
    int64_t at = 0;
    for (odla_value v : ins) {
      CheckInput(v, "inputs");
      CheckResultElementType(v, result_type);
      auto s = Dims(v->type.shape);
      bool fits = s.size() == out.size();
      for (size_t d = 0; fits && d < s.size(); ++d)
        fits = static_cast<int64_t>(d) == axis || s[d] == out[d];
      if (!fits) Fail("input ", TypeToString(v->type), " does not fit ", TypeToString(result_type));
      offsets.push_back(at);
      at += s[axis];
      shapes.push_back(s);
    }
    if (at != out[axis]) Fail("the inputs do not add up to ", TypeToString(result_type));
    size_t es = ElementSize(result_type.element_type);
    int ax = static_cast<int>(axis);
    return AddOp1("Concat", ins, result_type, id, [=](const KernelArgs& k) {
      for (size_t i = 0; i < shapes.size(); ++i)
        CopyToWindow(k.out[0], out, k.in[i], shapes[i], ax, offsets[i], es);
    });
  });
}

ODLA_WEAK odla_values odla_Split(odla_value input, odla_int64 axis, odla_value_types result_types,
                                 odla_value_id id) {
  return GuardN("odla_Split", id, [&] {
    CheckInput(input, "input");
    auto in = Dims(input->type.shape);
    auto types = FromTypes(result_types);
    if (types.empty()) Fail("no results");
    if (axis < 0 || axis >= static_cast<int64_t>(in.size())) Fail("bad axis ", axis);
    std::vector<std::vector<int64_t>> shapes;
    std::vector<int64_t> offsets;
    int64_t at = 0;
    for (const auto& t : types) {
      CheckResultElementType(input, t);
      auto s = Dims(t.shape);
      bool fits = s.size() == in.size();
      for (size_t d = 0; fits && d < s.size(); ++d)
        fits = static_cast<int64_t>(d) == axis || s[d] == in[d];
      if (!fits) Fail("result ", TypeToString(t), " does not fit ", TypeToString(input->type));
      offsets.push_back(at);
      at += s[axis];
      shapes.push_back(s);
    }
    if (at != in[axis]) Fail("the results do not add up to ", TypeToString(input->type));
    size_t es = ElementSize(input->type.element_type);
    int ax = static_cast<int>(axis);
    return ToValues(AddOp("Split", {input}, types, id, [=](const KernelArgs& k) {
      for (size_t i = 0; i < shapes.size(); ++i)
        CopyFromWindow(k.out[i], shapes[i], k.in[0], in, ax, offsets[i], es);
    }));
  });
}

ODLA_WEAK odla_value odla_Slice(odla_value data, odla_ints starts, odla_ints steps,
                                odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Slice", id, [&] {
    CheckInput(data, "data");
    CheckResultElementType(data, result_type);
    auto in = Dims(data->type.shape), out = Dims(result_type.shape);
    auto s = FromInts(starts), st = FromInts(steps);
    if (s.size() != in.size() || st.size() != in.size() || out.size() != in.size())
      Fail("'starts', 'steps' and the result need one entry per dimension of ",
           TypeToString(data->type));
    for (size_t d = 0; d < in.size(); ++d) {
      if (out[d] == 0) continue;
      if (out[d] > in[d] || (out[d] > 1 && (st[d] > in[d] || st[d] < -in[d])))
        Fail("dimension ", d, ": ", out[d], " elements by ", st[d], " do not fit in ", in[d]);
      int64_t last = s[d] + (out[d] - 1) * st[d];
      if (st[d] == 0 || s[d] < 0 || s[d] >= in[d] || last < 0 || last >= in[d])
        Fail("dimension ", d, ": ", out[d], " elements from ", s[d], " by ", st[d], " leave 0..",
             in[d] - 1);
    }
    size_t es = ElementSize(data->type.element_type);
    return AddOp1("Slice", {data}, result_type, id,
                  [=](const KernelArgs& k) { SliceCopy(k.out[0], k.in[0], es, in, out, s, st); });
  });
}

ODLA_WEAK odla_value odla_Pad(odla_value data, odla_value constant_value, const char* mode,
                              odla_ints pads, odla_float32 value, odla_value_type result_type,
                              odla_value_id id) {
  return Guard("odla_Pad", id, [&] {
    CheckInput(data, "data");
    CheckResultElementType(data, result_type);
    auto in = Dims(data->type.shape), out = Dims(result_type.shape), p = FromInts(pads);
    size_t rank = in.size();
    if (p.size() != 2 * rank || out.size() != rank) Fail("'pads' needs ", 2 * rank, " entries");
    std::string m = mode ? mode : "";
    if (m != "constant" && m != "reflect" && m != "edge") Fail("unsupported mode '", m, "'");
    PadMode pm = m == "constant"  ? PadMode::kConstant
                 : m == "reflect" ? PadMode::kReflect
                                  : PadMode::kEdge;
    for (size_t d = 0; d < rank; ++d) {
      if (out[d] != in[d] + p[d] + p[d + rank]) Fail("the result type does not match 'pads'");
      int64_t kept = in[d] + std::min<int64_t>(p[d], 0) + std::min<int64_t>(p[d + rank], 0);
      if (pm != PadMode::kConstant && (p[d] > 0 || p[d + rank] > 0) &&
          (kept < 1 || (pm == PadMode::kReflect && (p[d] >= kept || p[d + rank] >= kept))))
        Fail("mode '", m, "' cannot pad dimension ", d, " that much");
    }
    size_t es = ElementSize(data->type.element_type);
    if (constant_value) {
      CheckSameElementType(data, constant_value);
      if (NumElements(constant_value->type.shape) != 1) Fail("'constant_value' is not one element");
      return AddOp1("Pad", {data, constant_value}, result_type, id, [=](const KernelArgs& k) {
        PadCopy(k.out[0], k.in[0], es, in, p, pm, k.in[1]);
      });
    }
    std::array<uint8_t, 8> fill{};
    Dispatch(data->type.element_type, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T v = static_cast<T>(value);
      std::memcpy(fill.data(), &v, sizeof(T));
    });
    return AddOp1("Pad", {data}, result_type, id, [=](const KernelArgs& k) {
      PadCopy(k.out[0], k.in[0], es, in, p, pm, fill.data());
    });
  });
}

ODLA_WEAK odla_value odla_Tile(odla_value input, odla_ints repeats, odla_value_type result_type,
                               odla_value_id id) {
  return Guard("odla_Tile", id, [&] {
    CheckInput(input, "input");
    CheckResultElementType(input, result_type);
    auto in = Dims(input->type.shape), out = Dims(result_type.shape), r = FromInts(repeats);
    if (r.size() != in.size() || out.size() != in.size())
      Fail("'repeats' needs ", in.size(), " entries");
    for (size_t d = 0; d < in.size(); ++d)
      if (r[d] < 0 || out[d] != in[d] * r[d]) Fail("the result type does not match 'repeats'");
    size_t es = ElementSize(input->type.element_type);
    return AddOp1("Tile", {input}, result_type, id,
                  [=](const KernelArgs& k) { TileCopy(k.out[0], k.in[0], es, in, r); });
  });
}

ODLA_WEAK odla_value odla_Expand(odla_value input, odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Expand", id, [&] {
    CheckInput(input, "input");
    CheckResultElementType(input, result_type);
    auto in = Dims(input->type.shape), out = Dims(result_type.shape);
    bool ok = in.size() <= out.size();
    for (size_t d = 0; ok && d < in.size(); ++d)
      ok = in[d] == 1 || in[d] == out[out.size() - in.size() + d];
    if (!ok) Fail(TypeToString(input->type), " does not broadcast to ", TypeToString(result_type));
    size_t es = ElementSize(input->type.element_type);
    return AddOp1("Expand", {input}, result_type, id,
                  [=](const KernelArgs& k) { ExpandCopy(k.out[0], k.in[0], es, in, out); });
  });
}

ODLA_WEAK odla_value odla_Trilu(odla_value input, odla_int64 upper, odla_int64 k,
                                odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Trilu", id, [&] {
    CheckInput(input, "input");
    if (!SameType(input->type, result_type)) Fail("the result type must be the input's");
    auto in = Dims(input->type.shape);
    if (in.size() < 2) Fail("needs rank 2 or more");
    int64_t rows = in[in.size() - 2], cols = in.back();
    int64_t mats = rows * cols > 0 ? NumElements(input->type.shape) / (rows * cols) : 0;
    size_t es = ElementSize(input->type.element_type);
    bool up = upper != 0;
    return AddOp1("Trilu", {input}, result_type, id, [=](const KernelArgs& a) {
      TriluCopy(a.out[0], a.in[0], es, mats, rows, cols, k, up);
    });
  });
}

ODLA_WEAK odla_value odla_ReverseSequence(odla_value input, odla_value sequence_lens,
                                          odla_int64 batch_axis, odla_int64 time_axis,
                                          odla_value_type result_type, odla_value_id id) {
  return Guard("odla_ReverseSequence", id, [&] {
    CheckInput(input, "input");
    CheckInput(sequence_lens, "sequence_lens");
    if (!SameType(input->type, result_type)) Fail("the result type must be the input's");
    auto in = Dims(input->type.shape);
    if (in.size() < 2 ||
        !((batch_axis == 0 && time_axis == 1) || (batch_axis == 1 && time_axis == 0)))
      Fail("needs rank 2 or more and batch/time axes 0 and 1");
    if (sequence_lens->type.element_type != ODLA_INT64 ||
        NumElements(sequence_lens->type.shape) != in[batch_axis])
      Fail("'sequence_lens' must be ", in[batch_axis], " int64 values");
    size_t es = ElementSize(input->type.element_type);
    size_t bytes = ByteSize(input->type);
    int b = static_cast<int>(batch_axis), t = static_cast<int>(time_axis);
    return AddOp1("ReverseSequence", {input, sequence_lens}, result_type, id,
                  [=](const KernelArgs& k) {
                    CopyBytes(k.out[0], k.in[0], bytes);
                    auto str = ContiguousStrides(in);
                    auto shape = in, sstr = str;
                    shape[b] = 1;
                    sstr[t] = -str[t];
                    const int64_t* lens = k.In<int64_t>(1);
                    for (int64_t i = 0; i < in[b]; ++i) {
                      if (lens[i] < 0 || lens[i] > in[t])
                        Fail("sequence length ", lens[i], " is out of range 0..", in[t]);
                      if (lens[i] < 2) continue;
                      shape[t] = lens[i];
                      CopyStrided(k.out[0], k.in[0], es, shape, str, i * str[b], sstr,
                                  i * str[b] + (lens[i] - 1) * str[t]);
                    }
                  });
  });
}

ODLA_WEAK odla_value odla_Compress(odla_value input, odla_value condition, odla_int64 axis,
                                   odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Compress", id, [&] {
    CheckInput(input, "input");
    CheckInput(condition, "condition");
    CheckResultElementType(input, result_type);
    auto in = Dims(input->type.shape), out = Dims(result_type.shape);
    if (condition->type.element_type != ODLA_BOOL || condition->type.shape.size != 1)
      Fail("'condition' must be a bool list");
    bool flat = axis == -2147483648LL;
    if (!flat && (axis < 0 || axis >= static_cast<int64_t>(in.size()))) Fail("bad axis ", axis);
    int64_t outer = 1, inner = 1, dim = NumElements(input->type.shape);
    if (!flat) {
      dim = in[axis];
      for (int64_t d = 0; d < axis; ++d) outer *= in[d];
      for (size_t d = axis + 1; d < in.size(); ++d) inner *= in[d];
    }
    int64_t len = condition->type.shape.dims[0];
    if (len > dim) Fail("'condition' has ", len, " entries for ", dim, " slices");
    int64_t kept = flat ? (out.size() == 1 ? out[0] : -1) : out[axis];
    if (kept < 0 || NumElements(result_type.shape) != outer * kept * inner)
      Fail("the result type ", TypeToString(result_type), " does not fit the input");
    size_t es = ElementSize(input->type.element_type);
    return AddOp1("Compress", {input, condition}, result_type, id, [=](const KernelArgs& k) {
      const uint8_t* c = k.In<uint8_t>(1);
      int64_t n = 0;
      for (int64_t i = 0; i < len; ++i) n += c[i] != 0;
      if (n != kept) Fail("'condition' keeps ", n, " slices but the result has room for ", kept);
      CompressCopy(k.out[0], k.in[0], es, outer, dim, inner, c, len);
    });
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Transpose)
ODLA_REF_ALIAS(Concat)
ODLA_REF_ALIAS(Trilu)
ODLA_REF_ALIAS(Reshape)
ODLA_REF_ALIAS(Squeeze)
ODLA_REF_ALIAS(Unsqueeze)
ODLA_REF_ALIAS(Slice)
ODLA_REF_ALIAS(Split)
ODLA_REF_ALIAS(Expand)
ODLA_REF_ALIAS(Pad)
ODLA_REF_ALIAS(Tile)
ODLA_REF_ALIAS(ReverseSequence)
ODLA_REF_ALIAS(Compress)
