// Identity of the XNNPACK runtime. A static libodla_xnnpack.a links a member only for a
// symbol still undefined: the table below makes every builder file's member part of any
// program that links this one (odla_CheckVersion needs it), so its builders override the
// shared weak ones.
#include <odla/odla.h>

#define ODLA_XNN_FILES(X) X(conv) X(pool) X(binary) X(gemm) X(unary) X(softmax) X(concat)
#define ODLA_XNN_DECLARE(F) extern "C" const char odla_xnn_file_##F;
#define ODLA_XNN_ENTRY(F) &odla_xnn_file_##F,
ODLA_XNN_FILES(ODLA_XNN_DECLARE)

extern "C" const char* odla_GetRuntimeName(void) {
  static const char* const keep[] __attribute__((used)) = {ODLA_XNN_FILES(ODLA_XNN_ENTRY)};
  return "xnnpack";
}
