#include "type_sets.h"

namespace odla_rt {

const char* ElementTypeName(odla_element_type t) {
  static const char* names[] = {"?",   "f32", "f64", "i8",  "u8",   "i16", "u16",
                                "i32", "u32", "i64", "u64", "bool", "f16", "bf16"};
  int e = static_cast<int>(t);
  return e >= 0 && e <= 13 ? names[e] : "?";
}

}  // namespace odla_rt
