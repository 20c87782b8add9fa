#include "driver/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace halo {
namespace {

using std::chrono::milliseconds;

TEST(ProgressLine, NothingWhenDisabledOrEarly) {
  std::ostringstream out;
  {
    ProgressLine off(out, false, milliseconds(0));
    EXPECT_FALSE(off.Fn());
    off.Update("import", "tensors", 1, 2);
    ProgressLine early(out, true, std::chrono::hours(1));
    early.Fn()("import", "tensors", 1, 2);
  }
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressLine, RewritesOneLineAndClearsIt) {
  std::ostringstream out;
  ProgressLine line(out, true, milliseconds(0));
  ProgressFn fn = line.Fn();
  fn("import", "tensors", 3, 10);
  EXPECT_EQ(out.str(), "\rhalo: import: 3/10 tensors (0 s)");
  fn("import", "tensors", 4, 10);  // within 100 ms of the last: skipped
  EXPECT_EQ(out.str(), "\rhalo: import: 3/10 tensors (0 s)");
  out.str("");
  fn("emit", "bytes", size_t{5} << 20, size_t{300} << 20);  // a new phase shows at once
  EXPECT_EQ(out.str(), "\rhalo: emit: 5/300 MB (0 s)      ");
  out.str("");
  line.Clear();
  EXPECT_EQ(out.str(), "\r" + std::string(26, ' ') + "\r");
  out.str("");
  line.Clear();
  EXPECT_EQ(out.str(), "") << "cleared once";
}

}  // namespace
}  // namespace halo
