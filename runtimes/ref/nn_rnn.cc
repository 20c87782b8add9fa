// ODLA builders of the recurrent layers RNN, GRU and LSTM on the shared kernel, and the
// checks that make their RnnSpec (rnn_spec.h, also libodla_cuda's).
#include <cstring>

#include "../common/builder.h"
#include "../kernels/dispatch.h"
#include "../kernels/rnn.h"
#include "rnn_spec.h"

using namespace odla_rt;

namespace {

std::vector<std::string> SplitList(const char* s) {
  std::vector<std::string> v;
  std::string cur;
  for (const char* c = s ? s : ""; *c; ++c) {
    if (*c == ',') {
      v.push_back(cur);
      cur.clear();
    } else {
      cur += *c;
    }
  }
  if (!cur.empty() || !v.empty()) v.push_back(cur);
  return v;
}

}  // namespace

namespace odla_rt {

RnnSpec MakeRnnSpec(const char* op, RnnCell cell, const RnnInputs& in, const odla_floats& alpha,
                    const odla_floats& beta, const char* acts, float clip, const char* direction,
                    int64_t hidden, int64_t layout, bool input_forget, bool linear_before_reset,
                    const odla_value_types& result_types, std::vector<odla_value_type>* types) {
  CheckInput(in.x, "X");
  CheckInput(in.w, "W");
  CheckInput(in.r, "R");
  odla_element_type et = in.x->type.element_type;
  if (et != ODLA_FLOAT32 && et != ODLA_FLOAT64) Fail("X must be float32 or float64");
  RnnSpec s;
  s.cell = cell;
  int64_t G = s.gates();
  std::string dir = direction ? direction : "";
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    Fail("direction must be forward, reverse or bidirectional, got '", dir, "'");
  if (layout != 0 && layout != 1) Fail("layout must be 0 or 1");
  s.num_dir = dir == "bidirectional" ? 2 : 1;
  s.reverse = dir == "reverse";
  s.batch_major = layout == 1;
  auto xs = Dims(in.x->type.shape);
  if (xs.size() != 3) Fail("X must have rank 3");
  s.seq = xs[layout ? 1 : 0];
  s.batch = xs[layout ? 0 : 1];
  s.input = xs[2];
  s.hidden = hidden;
  s.clip = clip;
  s.input_forget = input_forget;
  s.linear_before_reset = linear_before_reset;
  if (clip < 0) Fail("clip must not be negative");
  const int64_t D = s.num_dir, H = hidden;
  auto check = [&](odla_value v, const char* what, std::vector<int64_t> want, odla_element_type t) {
    if (!v) return;
    if (v->type.element_type != t || Dims(v->type.shape) != want)
      Fail(what, " has type ", TypeToString(v->type), "; expected shape [", want.size(),
           " dims] of the right element type");
  };
  std::vector<int64_t> state =
      layout ? std::vector<int64_t>{s.batch, D, H} : std::vector<int64_t>{D, s.batch, H};
  check(in.w, "W", {D, G * H, s.input}, et);
  check(in.r, "R", {D, G * H, H}, et);
  check(in.b, "B", {D, 2 * G * H}, et);
  check(in.seq_lens, "sequence_lens", {s.batch}, ODLA_INT32);
  check(in.h0, "initial_h", state, et);
  check(in.c0, "initial_c", state, et);
  check(in.p, "P", {D, 3 * H}, et);

  auto names = SplitList(acts);
  auto al = FromFloats(alpha), be = FromFloats(beta);
  size_t per_dir = cell == RnnCell::kRnn ? 1 : cell == RnnCell::kGru ? 2 : 3;
  if (names.size() != per_dir * D || al.size() != names.size() || be.size() != names.size())
    Fail("activation_list must name ", per_dir * D,
         " activations, with one activation_alpha and activation_beta each");
  for (size_t i = 0; i < names.size(); ++i)
    s.acts.push_back({ParseRnnActivation(names[i]), al[i], be[i]});

  *types = FromTypes(result_types);
  size_t max_results = cell == RnnCell::kLstm ? 3 : 2;
  if (types->empty() || types->size() > max_results)
    Fail(op, " has 1 to ", max_results, " results, got ", types->size());
  std::vector<int64_t> y = layout ? std::vector<int64_t>{s.batch, s.seq, D, H}
                                  : std::vector<int64_t>{s.seq, D, s.batch, H};
  for (size_t i = 0; i < types->size(); ++i)
    if ((*types)[i].element_type != et || Dims((*types)[i].shape) != (i == 0 ? y : state))
      Fail("result ", i, " has type ", TypeToString((*types)[i]), "; expected ",
           i == 0 ? "Y" : "a state", " shape");
  return s;
}

}  // namespace odla_rt

namespace {

odla_values BuildRnn(const char* op, RnnCell cell, const RnnInputs& in, const odla_floats& alpha,
                     const odla_floats& beta, const char* acts, float clip, const char* direction,
                     int64_t hidden, int64_t layout, bool input_forget, bool linear_before_reset,
                     const odla_value_types& result_types, odla_value_id id) {
  std::vector<odla_value_type> types;
  const RnnSpec s = MakeRnnSpec(op, cell, in, alpha, beta, acts, clip, direction, hidden, layout,
                                input_forget, linear_before_reset, result_types, &types);
  const odla_element_type et = in.x->type.element_type;
  size_t nres = types.size();
  Kernel kernel = DispatchFloat(et, [&](auto tag) -> Kernel {
    using T = typename decltype(tag)::type;
    return [=](const KernelArgs& a) {
      RnnBuffers<T> io{a.In<T>(0),
                       a.In<T>(1),
                       a.In<T>(2),
                       a.In<T>(3),
                       a.In<int32_t>(4),
                       a.In<T>(5),
                       a.In<T>(6),
                       a.In<T>(7),
                       a.Out<T>(0),
                       nres > 1 ? a.Out<T>(1) : nullptr,
                       nres > 2 ? a.Out<T>(2) : nullptr};
      Rnn<T>(s, io);
    };
  });
  return ToValues(
      AddOp(op, {in.x, in.w, in.r, in.b, in.seq_lens, in.h0, in.c0, in.p}, types, id, kernel));
}

}  // namespace

extern "C" {

ODLA_WEAK odla_values odla_RNN(odla_value X, odla_value W, odla_value R, odla_value B,
                               odla_value sequence_lens, odla_value initial_h,
                               odla_floats activation_alpha, odla_floats activation_beta,
                               const char* activation_list, odla_float32 clip,
                               const char* direction, odla_int64 hidden_size, odla_int64 layout,
                               odla_value_types result_types, odla_value_id id) {
  return GuardN("odla_RNN", id, [&] {
    return BuildRnn("RNN", RnnCell::kRnn, {X, W, R, B, sequence_lens, initial_h, nullptr, nullptr},
                    activation_alpha, activation_beta, activation_list, clip, direction,
                    hidden_size, layout, false, false, result_types, id);
  });
}

ODLA_WEAK odla_values odla_GRU(odla_value X, odla_value W, odla_value R, odla_value B,
                               odla_value sequence_lens, odla_value initial_h,
                               odla_floats activation_alpha, odla_floats activation_beta,
                               const char* activation_list, odla_float32 clip,
                               const char* direction, odla_int64 hidden_size, odla_int64 layout,
                               odla_int64 linear_before_reset, odla_value_types result_types,
                               odla_value_id id) {
  return GuardN("odla_GRU", id, [&] {
    return BuildRnn("GRU", RnnCell::kGru, {X, W, R, B, sequence_lens, initial_h, nullptr, nullptr},
                    activation_alpha, activation_beta, activation_list, clip, direction,
                    hidden_size, layout, false, linear_before_reset != 0, result_types, id);
  });
}

ODLA_WEAK odla_values odla_LSTM(odla_value X, odla_value W, odla_value R, odla_value B,
                                odla_value sequence_lens, odla_value initial_h,
                                odla_value initial_c, odla_value P, odla_floats activation_alpha,
                                odla_floats activation_beta, const char* activation_list,
                                odla_float32 clip, const char* direction, odla_int64 hidden_size,
                                odla_int64 layout, odla_int64 input_forget,
                                odla_value_types result_types, odla_value_id id) {
  return GuardN("odla_LSTM", id, [&] {
    return BuildRnn("LSTM", RnnCell::kLstm, {X, W, R, B, sequence_lens, initial_h, initial_c, P},
                    activation_alpha, activation_beta, activation_list, clip, direction,
                    hidden_size, layout, input_forget != 0, false, result_types, id);
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(RNN)
ODLA_REF_ALIAS(GRU)
ODLA_REF_ALIAS(LSTM)
