// The shared runtime's computations and contexts, for the files of runtimes/common only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "arena.h"
#include "device.h"
#include "profile.h"
#include "runtime.h"

struct _odla_computation {
  std::vector<std::unique_ptr<_odla_value>> values;
  std::vector<odla_value> args;
  std::vector<odla_value> outputs;
  std::vector<odla_value> output_src;  // per output: the value to copy (its plain form)
  std::vector<odla_rt::OpNode> nodes;
  std::map<std::string, odla_value> by_id;
  std::string first_error;   // the first builder failure; the computation is unusable then
  uint64_t arena_bytes = 0;  // odla_SetComputationArenaSize
  odla_precision precision = ODLA_PRECISION_FP32;  // the one the runtime honours
  std::shared_ptr<odla_rt::MemoryCache> memory_cache = std::make_shared<odla_rt::MemoryCache>();
  odla_rt::Device* device = nullptr;                 // set by the first AddDeviceOp
  std::vector<std::shared_ptr<void>> device_consts;  // constants' device copies
  // ODLA_PROFILE's table (profile.h); last, so that it is written while the nodes live.
  std::shared_ptr<odla_rt::Profile> profile = odla_rt::NewProfile();
};

struct _odla_context {
  odla_computation comp;
  std::vector<const void*> arg_data;
  std::vector<void*> out_data;
  // Op results and the kernels' scratch memory (shared: they run one at a time), from the
  // cache or allocated at the first execution.
  odla_rt::ValueMemory memory;
  std::shared_ptr<odla_rt::MemoryCache> memory_cache;  // the computation's
  std::vector<odla_value_shape> shapes;                // per value: its shape in the last execution
  std::vector<std::shared_ptr<void>> profile_marks;    // ODLA_PROFILE's device marks
};

namespace odla_rt {

// A new value of computation c (registered under `id` unless it is empty or NULL).
odla_value NewValue(odla_computation c, const odla_value_type& t, odla_value_id id);
// Appends `node` to the current computation with results of `types`; returns them.
std::vector<odla_value> AddNode(OpNode node, const std::vector<odla_value_type>& types,
                                odla_value_id id, const std::vector<bool>& data_dependent,
                                const std::vector<LayoutPtr>& layouts);
// The host form of v: v, or the ToHost copy of a device value (added on first use).
odla_value HostCopy(odla_value v);

}  // namespace odla_rt
