#include "driver/report.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

#include "ir/op_registry.h"
#include "targets/lowering.h"
#include "targets/memory_plan.h"

namespace halo {
namespace {

// "4.09 G", "25.56 M", "812" (three significant decimals above a thousand).
std::string Scaled(double v) {
  const char* units[] = {"", " k", " M", " G", " T"};
  int u = 0;
  while (v >= 1000 && u < 4) v /= 1000, ++u;
  char buf[32];
  std::snprintf(buf, sizeof(buf), u ? "%.2f%s" : "%.0f%s", v, units[u]);
  return buf;
}

std::string MiB(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

std::string Pad(const std::string& s, size_t width, bool right) {
  if (s.size() >= width) return s;
  std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

std::string Report(const Graph& g, const std::string& model_path, ReportTotals* totals) {
  ReportTotals t;
  MemoryPlan plan = PlanMemory(g);
  t.arena_bytes = plan.arena_bytes;
  t.lower_bound = plan.lower_bound;
  std::set<const Value*> weights;
  struct Row {
    std::string cells[7];
  };
  std::vector<Row> rows = {{{"node", "op", "result", "FLOPs", "params", "bytes", "arena offset"}}};
  size_t operators = 0;
  for (const auto& up : g.nodes()) {
    const Node& n = *up;
    if (n.op() == "Input" || n.op() == "Constant") continue;
    ++operators;
    double flops = n.def().flops ? n.def().flops(n) : 0;
    int64_t params = 0, bytes = 0;
    for (size_t i = 0; i < n.num_inputs(); ++i) {
      const Value* in = n.input(i);
      if (!in || !ConstantOf(in) || !LowersInput(n.def(), i)) continue;
      params += in->type().NumElements();
      if (weights.insert(in).second) {
        t.parameters += in->type().NumElements();
        t.weight_bytes += static_cast<int64_t>(in->type().ByteSize());
      }
    }
    std::string types, offsets;
    for (size_t i = 0; i < n.num_outputs(); ++i) {
      const Value* v = n.output(i);
      bytes += static_cast<int64_t>(v->type().ByteSize());
      types += (i ? ", " : "") + v->type().ToString();
      offsets += (i ? ", " : "") + (plan.Planned(v) ? std::to_string(plan.OffsetOf(v)) : "own");
    }
    t.flops += flops;
    t.activation_bytes += bytes;
    char f[32];
    std::snprintf(f, sizeof(f), "%.0f", flops);
    rows.push_back(
        {{n.name(), n.op(), types, f, std::to_string(params), std::to_string(bytes), offsets}});
  }
  size_t width[7] = {};
  for (const Row& r : rows)
    for (int c = 0; c < 7; ++c)
      width[c] = std::max(width[c], std::min<size_t>(r.cells[c].size(), 48));
  std::ostringstream os;
  os << "Report of " << model_path << ": " << operators << " operators\n";
  for (const Row& r : rows) {
    std::string line;
    for (int c = 0; c < 7; ++c) line += (c ? "  " : "") + Pad(r.cells[c], width[c], c >= 3);
    os << line.substr(0, line.find_last_not_of(' ') + 1) << "\n";
  }
  double ratio = t.lower_bound ? static_cast<double>(t.arena_bytes) / t.lower_bound : 1.0;
  char r[32];
  std::snprintf(r, sizeof(r), "%.3f", ratio);
  os << "\nFLOPs:            " << Scaled(t.flops) << " (a multiply-add counts 2)\n"
     << "parameters:       " << t.parameters << " (" << Scaled(static_cast<double>(t.parameters))
     << ")\n"
     << "weight bytes:     " << t.weight_bytes << " (" << MiB(t.weight_bytes) << ")\n"
     << "activation bytes: " << t.activation_bytes << " (" << MiB(t.activation_bytes)
     << ", every result in memory of its own)\n"
     << "planned arena:    " << t.arena_bytes << " bytes (" << MiB(t.arena_bytes) << "; "
     << plan.buffer_of.size() << " values, " << plan.NumShared()
     << " in the place of an input; outputs keep their own)\n"
     << "lower bound:      " << t.lower_bound << " bytes (the most bytes live at one step)\n"
     << "arena / bound:    " << r << "\n";
  if (totals) *totals = t;
  return os.str();
}

}  // namespace halo
