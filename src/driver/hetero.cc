#include "driver/hetero.h"

#include <fstream>
#include <sstream>

#include "ir/error.h"

namespace halo {

std::unique_ptr<Partition> PartitionFor(const Graph& g, const Options& opts,
                                        const BatchForms* forms) {
  if (opts.device_table.empty() && (opts.device.empty() || opts.device == "host")) {
    if (!opts.place.empty()) throw Err("--place: the device is the host: nothing to place");
    return nullptr;
  }
  DeviceTable table;
  if (!opts.device_table.empty()) {
    std::ifstream in(opts.device_table);
    if (!in) throw Err(opts.device_table, ": cannot read the device table");
    std::stringstream text;
    text << in.rdbuf();
    table = ParseDeviceTable(text.str(), opts.device_table);
    if (!opts.device.empty() && opts.device != table.name)
      throw Err(opts.device_table, ": describes device '", table.name, "', not '", opts.device,
                "' (--device)");
  } else {
    table = BuiltinDeviceTable(opts.device);
  }
  return std::make_unique<Partition>(
      SplitGraph(g, table.name, PlaceNodes(g, table, opts.place), forms));
}

std::string PartitionReport(const Partition& p) {
  std::ostringstream os;
  os << "\nPartition for device '" << p.device << "': " << p.parts.size()
     << (p.parts.size() == 1 ? " part" : " parts") << ", " << p.transfer_bytes
     << " bytes moved between host and device per run\n";
  for (size_t k = 0; k < p.parts.size(); ++k) {
    const Part& part = p.parts[k];
    os << "  part " << k << " (" << (part.on_device ? "device" : "host")
       << "): " << part.nodes.size() << (part.nodes.size() == 1 ? " operator:" : " operators:");
    for (const Node* n : part.nodes) os << " " << n->name() << " (" << n->op() << ")";
    os << "\n";
    for (const Value* v : part.inputs)
      os << "    in:  " << v->name() << " " << v->type().ToString() << "\n";
    for (const Value* v : part.outputs)
      os << "    out: " << v->name() << " " << v->type().ToString() << "\n";
  }
  return os.str();
}

}  // namespace halo
