// Device ops and the copies between host and device memory (device.h).
#include "device.h"

#include "computation.h"

namespace odla_rt {

bool OnDevice(odla_value v) { return v && v->on_device; }

odla_value HostCopy(odla_value v) {
  if (!v || !v->on_device) return v;
  if (!v->host_copy) {
    Device* device = Current()->device;
    size_t bytes = ByteSize(v->type);
    OpNode node{"ToHost", {v}, {}, [device, bytes](const KernelArgs& a) {
                  if (bytes) device->ToHost(a.stream, a.out[0], a.in[0], bytes);
                }};
    v->host_copy = AddNode(std::move(node), {v->type}, nullptr, {}, {})[0];
  }
  return v->host_copy;
}

// The device form of v: v, or its copy in device memory (added on first use): a constant is
// uploaded now, any other value is copied by a ToDevice op at each execution.
static odla_value DeviceCopy(odla_computation c, odla_value v) {
  if (!v || v->on_device) return v;
  if (v->device_copy) return v->device_copy;
  v = Plain(v);
  if (v->device_copy) return v->device_copy;
  Device* device = c->device;
  size_t bytes = ByteSize(v->type);
  if (v->const_data) {
    std::shared_ptr<void> data(bytes ? device->Alloc(bytes) : nullptr,
                               [device](void* p) { device->Free(p); });
    if (bytes) device->Upload(data.get(), v->const_data, bytes);
    c->device_consts.push_back(data);
    odla_value d = NewValue(c, v->type, nullptr);
    static const uint8_t kEmpty[8] = {0};
    d->const_data = bytes ? data.get() : kEmpty;
    d->on_device = true;
    d->host_copy = v;
    v->device_copy = d;
    return d;
  }
  OpNode node{"ToDevice", {v}, {}, [device, bytes](const KernelArgs& a) {
                if (bytes) device->ToDevice(a.stream, a.out[0], a.in[0], bytes);
              }};
  node.on_device = true;
  odla_value d = AddNode(std::move(node), {v->type}, nullptr, {}, {})[0];
  d->on_device = true;
  d->host_copy = v;
  v->device_copy = d;
  return d;
}

std::vector<odla_value> AddDeviceOp(Device& device, const std::string& op,
                                    const std::vector<odla_value>& inputs,
                                    const std::vector<odla_value_type>& result_types,
                                    size_t scratch_bytes, odla_value_id id, Kernel kernel,
                                    const std::vector<bool>& data_dependent) {
  odla_computation c = Current();
  if (c->device && c->device != &device)
    Fail("a computation cannot use two devices (", c->device->Name(), " and ", device.Name(), ")");
  c->device = &device;
  OpNode node{op, inputs, {}, std::move(kernel), scratch_bytes};
  node.on_device = true;
  for (bool d : data_dependent) node.capturable = node.capturable && !d;
  for (odla_value& in : node.inputs) in = DeviceCopy(c, in);
  std::vector<odla_value> results = AddNode(std::move(node), result_types, id, data_dependent, {});
  for (odla_value r : results) r->on_device = true;
  return results;
}

void SetNotCapturable(odla_value result) {
  auto& nodes = Current()->nodes;
  for (auto n = nodes.rbegin(); n != nodes.rend(); ++n) {
    for (odla_value v : n->outputs) {
      if (v != result) continue;
      if (!n->on_device) Fail("SetNotCapturable: '", result->id, "' is not a device op's result");
      n->capturable = false;
      return;
    }
  }
  Fail("SetNotCapturable: '", result ? result->id : "NULL", "' is not an op result");
}

}  // namespace odla_rt
