// The built-in device tables of --device (src/passes/device_tables.cc).
#ifndef HALO_PASSES_DEVICE_TABLES_H_
#define HALO_PASSES_DEVICE_TABLES_H_

#include <string>

namespace halo {

// The text of the built-in table of device NAME (ParseDeviceTable's format), nullptr if none.
const char* BuiltinDeviceTableText(const std::string& name);
// The names --device knows without a table, for messages: "host, sim, cuda".
const char* BuiltinDeviceNames();

}  // namespace halo

#endif  // HALO_PASSES_DEVICE_TABLES_H_
