// halo-measure (src/tools/measure_main.cc) prints a table that ParseDeviceTable reads, and the
// measured host numbers of the built-in `cuda` table place operators as the chosen ones did.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "passes/passes.h"
#include "passes/placement.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;

// Runs halo-measure-ref with `args` and tiny sizes; returns its standard output.
std::string MeasureRef(const std::string& args) {
  std::string cmd = std::string(HALO_BINARY_DIR) + "/bin/halo-measure-ref --quick " + args;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    ADD_FAILURE() << "cannot run " << cmd;
    return "";
  }
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << cmd << " failed (build it: make halo-measure-ref):\n"
      << out;
  return out;
}

void ExpectMeasured(const std::string& out, const DeviceTable& t) {
  // Every number is printed (the parser's default is 1) and positive (the parser checks).
  for (const char* key : {"\ngflops ", "\ngbps ", "\nhost_gflops ", "\nhost_gbps ", "\nlink_gbps "})
    EXPECT_NE(out.find(key), std::string::npos) << key << " missing in\n" << out;
  for (double v : {t.gflops, t.gbps, t.host_gflops, t.host_gbps, t.link_gbps}) EXPECT_GT(v, 0);
  // A CPU runtime is the host: its device and host numbers are the same measurements.
  EXPECT_EQ(t.gflops, t.host_gflops);
  EXPECT_EQ(t.gbps, t.host_gbps);
}

TEST(Measure, RefPrintsATable) {
  std::string out = MeasureRef("");
  DeviceTable t = ParseDeviceTable(out, "halo-measure-ref");
  EXPECT_EQ(t.name, "ref");
  EXPECT_TRUE(t.all_ops);  // no built-in table of that name: every op
  ExpectMeasured(out, t);
}

// --device NAME of a built-in table takes that table's ops.
TEST(Measure, RefPrintsTheBuiltinOps) {
  std::string out = MeasureRef("--device cuda");
  DeviceTable t = ParseDeviceTable(out, "halo-measure-ref --device cuda");
  DeviceTable cuda = BuiltinDeviceTable("cuda");
  EXPECT_EQ(t.name, "cuda");
  EXPECT_FALSE(t.all_ops);
  EXPECT_EQ(t.ops, cuda.ops);
  ExpectMeasured(out, t);
}

}  // namespace
}  // namespace halo
