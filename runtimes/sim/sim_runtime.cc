// libodla_sim: a simulated device for testing heterogeneous execution without one
// (docs/heterogeneous.md). The ref runtime's builders and kernels behind the plain odla_
// names, but with memory of its own: constants and bound arguments are copied in (as to a
// device), outputs are copied out (the ref runtime already does). A value that the compiler
// moves between parts without a copy, or an aliasing mistake, shows as wrong results.
// scripts/odla_rename.sh renames the ref runtime's versions of the functions below to
// halo_sim_base_NAME and joins this file. (odla_BindToArgumentById keeps the ref runtime's
// binding without a copy: generated code binds by index.)
#include <odla/odla.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

extern "C" {
odla_status halo_sim_base_BindToArgument(odla_context, int, const void*);
odla_value halo_sim_base_CreateArgument(odla_value_type, odla_value_id);
odla_status halo_sim_base_CreateContext(odla_context*);
odla_value halo_sim_base_CreateConstant(odla_value_type, const void*, odla_value_id);
odla_status halo_sim_base_DestroyComputation(odla_computation);
odla_status halo_sim_base_DestroyContext(odla_context);
odla_status halo_sim_base_CreateComputation(odla_computation*);
odla_status halo_sim_base_SetCurrentComputation(odla_computation);
}

namespace {

using Bytes = std::unique_ptr<uint8_t[]>;

// The device's memory: copies of constants per computation, of arguments per context; and
// what copying needs: the argument types of each computation, the computation of a context.
struct Memory {
  std::mutex mutex;
  std::map<odla_computation, std::vector<odla_value_type>> arg_types;
  std::map<odla_context, odla_computation> comp_of;
  std::map<odla_computation, std::vector<Bytes>> constants;
  std::map<odla_context, std::map<int, Bytes>> arguments;
};
thread_local odla_computation tls_current = nullptr;
Memory& Mem() {
  static Memory* m = new Memory;
  return *m;
}

size_t ByteSize(const odla_value_type& t) {
  static const size_t kSizes[] = {0, 4, 8, 1, 1, 2, 2, 4, 4, 8, 8, 1, 2, 2};
  size_t e = static_cast<size_t>(t.element_type) < sizeof(kSizes) / sizeof(kSizes[0])
                 ? kSizes[t.element_type]
                 : 8;
  size_t n = 1;
  for (int i = 0; i < t.shape.size; ++i) n *= static_cast<size_t>(t.shape.dims[i]);
  return e * n;
}

}  // namespace

extern "C" {

const char* odla_GetRuntimeName(void) { return "sim"; }

odla_value odla_CreateConstant(odla_value_type type, const void* data, odla_value_id id) {
  size_t bytes = ByteSize(type);
  Bytes copy(new uint8_t[bytes ? bytes : 1]);
  if (data && bytes) std::memcpy(copy.get(), data, bytes);
  odla_value v = halo_sim_base_CreateConstant(type, data ? copy.get() : nullptr, id);
  if (!v) return v;
  std::lock_guard<std::mutex> lock(Mem().mutex);
  Mem().constants[tls_current].push_back(std::move(copy));
  return v;
}

odla_value odla_CreateArgument(odla_value_type type, odla_value_id id) {
  odla_value v = halo_sim_base_CreateArgument(type, id);
  std::lock_guard<std::mutex> lock(Mem().mutex);
  if (v) Mem().arg_types[tls_current].push_back(type);
  return v;
}

odla_status odla_CreateContext(odla_context* context) {
  odla_status s = halo_sim_base_CreateContext(context);
  std::lock_guard<std::mutex> lock(Mem().mutex);
  if (s == ODLA_SUCCESS) Mem().comp_of[*context] = tls_current;
  return s;
}

odla_status odla_DestroyComputation(odla_computation computation) {
  {
    std::lock_guard<std::mutex> lock(Mem().mutex);
    Mem().constants.erase(computation);
    Mem().arg_types.erase(computation);
  }
  return halo_sim_base_DestroyComputation(computation);
}

odla_status odla_CreateComputation(odla_computation* computation) {
  odla_status s = halo_sim_base_CreateComputation(computation);
  if (s == ODLA_SUCCESS) tls_current = *computation;
  return s;
}

odla_status odla_SetCurrentComputation(odla_computation computation) {
  odla_status s = halo_sim_base_SetCurrentComputation(computation);
  if (s == ODLA_SUCCESS) tls_current = computation;
  return s;
}

// The argument's bytes are copied into the device's memory now: the caller may reuse its
// buffer at once.
odla_status odla_BindToArgument(odla_context context, int index, const void* data) {
  odla_status s = halo_sim_base_BindToArgument(context, index, data);
  if (s != ODLA_SUCCESS || !data) return s;
  std::lock_guard<std::mutex> lock(Mem().mutex);
  const auto& types = Mem().arg_types[Mem().comp_of[context]];
  size_t bytes = static_cast<size_t>(index) < types.size() ? ByteSize(types[index]) : 0;
  Bytes copy(new uint8_t[bytes ? bytes : 1]);
  if (bytes) std::memcpy(copy.get(), data, bytes);
  s = halo_sim_base_BindToArgument(context, index, copy.get());
  Mem().arguments[context][index] = std::move(copy);
  return s;
}

odla_status odla_DestroyContext(odla_context context) {
  {
    std::lock_guard<std::mutex> lock(Mem().mutex);
    Mem().arguments.erase(context);
    Mem().comp_of.erase(context);
  }
  return halo_sim_base_DestroyContext(context);
}

}  // extern "C"
