// Helpers for writing ODLA operator builders.
#pragma once

#include <sstream>
#include <stdexcept>

#include "runtime.h"

// Shared builders are weak so that a runtime can override any of them with its own.
#define ODLA_WEAK __attribute__((weak))

// A strong second name, odla_ref_OP, for the shared builder odla_OP defined above it in the
// same file: a runtime that overrides odla_OP calls odla_ref_OP where it does not handle a
// case (declared with ODLA_REF_DECL). The alias binds to this definition, not to the override.
#define ODLA_REF_ALIAS(OP) \
  extern "C" decltype(odla_##OP) odla_ref_##OP __attribute__((alias("odla_" #OP)));
#define ODLA_REF_DECL(OP) extern "C" decltype(odla_##OP) odla_ref_##OP;

namespace odla_rt {

// A runtime builder's way of saying "not this case": it throws Unsupported (Reject), and its
// Try wrapper runs the shared builder (odla_ref_OP) instead.
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};
template <typename... A>
[[noreturn]] void Reject(const A&... a) {
  std::ostringstream os;
  (os << ... << a);
  throw Unsupported(os.str());
}

// Adds a single-result op; checks that the result type the compiler computed is sane.
inline odla_value AddOp1(const std::string& op, const std::vector<odla_value>& inputs,
                         const odla_value_type& result_type, odla_value_id id, Kernel kernel) {
  return AddOp(op, inputs, {result_type}, id, std::move(kernel))[0];
}

// The arguments of the ODLA convolution builders (Conv, FusedConv, ConvTranspose), for the
// runtimes that build them with their own library.
struct ConvArgs {
  odla_value X, W, B, Sum;  // Sum: FusedConv's residual (else nullptr)
  odla_ints dilations;
  odla_int64 group;
  odla_ints pads, strides;
  odla_ints output_padding;  // ConvTranspose's (else empty)
  const odla_value_type& result;
  odla_value_id id;
};

}  // namespace odla_rt
