// Identity of the reference runtime.
#include <odla/odla.h>

extern "C" const char* odla_GetRuntimeName(void) { return "ref"; }
