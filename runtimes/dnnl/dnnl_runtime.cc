// Identity of the oneDNN runtime. A static libodla_dnnl.a links a member only for a symbol
// still undefined: the table below makes every builder file's member part of any program
// that links this one (odla_CheckVersion needs it), so its builders override the shared
// weak ones.
#include <odla/odla.h>

#define ODLA_DNNL_FILES(X) \
  X(conv) X(matmul) X(pool) X(norm) X(eltwise) X(binary) X(reorder) X(precision)
#define ODLA_DNNL_DECLARE(F) extern "C" const char odla_dnnl_file_##F;
#define ODLA_DNNL_ENTRY(F) &odla_dnnl_file_##F,
ODLA_DNNL_FILES(ODLA_DNNL_DECLARE)

extern "C" const char* odla_GetRuntimeName(void) {
  static const char* const keep[] __attribute__((used)) = {ODLA_DNNL_FILES(ODLA_DNNL_ENTRY)};
  return "dnnl";
}
