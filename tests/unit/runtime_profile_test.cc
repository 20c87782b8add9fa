// Per-op profiles (runtimes/common/profile.h): the table of a computation's executions, on
// the host and on the fake device of fake_device.h, whose clock advances 1 ms per kernel.
#include <gtest/gtest.h>
#include <odla/odla.h>
#include <odla/odla_ops.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../../runtimes/common/profile.h"
#include "../runtime_test_util.h"
#include "fake_device.h"

namespace {

using odla_test::AddAxpb;
using odla_test::Dev;

odla_value_type F32(std::vector<int64_t> dims) { return odla_test::Type(dims); }

// A fresh file for a profile table, removed at the end of the test; named by the process and
// the test, since ctest runs tests in parallel processes.
struct TableFile {
  TableFile()
      : path(::testing::TempDir() + "odla_profile_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    std::remove(path.c_str());
  }
  ~TableFile() { std::remove(path.c_str()); }
  std::string Read() const {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  std::string path;
};

// Sets ODLA_GRAPHS for a test; restores the value it had (the RuntimeDevice tests set it).
struct Graphs {
  explicit Graphs(const char* value) {
    const char* old = std::getenv("ODLA_GRAPHS");
    had = old != nullptr;
    if (had) before = old;
    EXPECT_EQ(setenv("ODLA_GRAPHS", value, 1), 0);
  }
  ~Graphs() { had ? setenv("ODLA_GRAPHS", before.c_str(), 1) : unsetenv("ODLA_GRAPHS"); }
  bool had = false;
  std::string before;
};

// The line of `table` that starts with `start` (after leading spaces), or "".
std::string Line(const std::string& table, const std::string& start) {
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) {
    size_t b = line.find_first_not_of(' ');
    if (b != std::string::npos && line.compare(b, start.size(), start) == 0) return line;
  }
  return "";
}

// The whitespace-separated fields of a line.
std::vector<std::string> Fields(const std::string& line) {
  std::istringstream s(line);
  std::vector<std::string> f;
  for (std::string w; s >> w;) f.push_back(w);
  return f;
}

// A computation's node list of one Relu, whose result is "y".
struct ReluNode {
  ReluNode() : nodes(1) {
    y.id = "y";
    nodes[0].op = "Relu";
    nodes[0].outputs = {&y};
  }
  _odla_value y{};
  std::vector<odla_rt::OpNode> nodes;
};

TEST(RuntimeProfile, MeansLeaveTheFirstExecutionOut) {
  ReluNode relu;
  const auto& nodes = relu.nodes;
  TableFile file;
  {
    odla_rt::Profile p(file.path);
    p.Add(nodes, {{0, 1, 500, -1}, {1, 1, 7, -1}}, 1000, nullptr);  // the first: left out
    p.Add(nodes, {{0, 1, 10, -1}, {1, 1, 2, -1}}, 20, nullptr);
    p.Add(nodes, {{0, 1, 30, -1}, {1, 1, 4, -1}}, 40, nullptr);
  }  // written when destroyed
  std::string t = file.Read();
  EXPECT_NE(t.find("2 execution(s) (the first left out)"), std::string::npos) << t;
  EXPECT_NE(t.find("# wall 30.0 (least 20.0), ops' host time 23.0, device time -"),
            std::string::npos)
      << t;
  EXPECT_EQ(Fields(Line(t, "0  Relu")),
            (std::vector<std::string>{"0", "Relu", "y", "20.0", "10.0", "-", "-"}))
      << t;
  std::vector<std::string> outputs = Fields(Line(t, "1  Outputs"));
  ASSERT_GE(outputs.size(), 4u) << t;
  EXPECT_EQ(outputs[outputs.size() - 4], "3.0") << "the output copies' host time" << t;
  EXPECT_EQ(outputs[outputs.size() - 3], "2.0") << "the least" << t;
  EXPECT_EQ(outputs.back(), "-") << t;
}

TEST(RuntimeProfile, OneExecutionIsShownAlone) {
  ReluNode relu;
  const auto& nodes = relu.nodes;
  TableFile file;
  odla_rt::Profile p(file.path);
  p.Add(nodes, {{0, 1, 8, -1}}, 9, nullptr);
  p.Write();
  p.Write();  // once only
  std::string t = file.Read();
  EXPECT_NE(t.find("1 execution(s), runtime on the host;"), std::string::npos) << t;
  EXPECT_EQ(t.find("ODLA profile", t.find("ODLA profile") + 1), std::string::npos) << t;
  EXPECT_EQ(Fields(Line(t, "0  Relu")),
            (std::vector<std::string>{"0", "Relu", "y", "8.0", "8.0", "-", "-"}));
}

// x -> a, b (device) -> r (host) -> y (device): ToDevice, a, b, ToHost, r, ToDevice, y.
struct Model {
  odla_test::OneContext c;
  Model() {
    odla_value x = odla_CreateArgument(F32({4}), "x");
    odla_value b = AddAxpb(AddAxpb(x, nullptr, 2, "a"), nullptr, 3, "b");
    odla_value r = odla_Neg(b, F32({4}), "r");
    odla_value y = AddAxpb(r, nullptr, 1, "y");
    EXPECT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
  }
};

TEST(RuntimeProfile, DeviceOpsTimedBetweenMarks) {
  Graphs off("0");
  TableFile file;
  int marks = Dev().marks;
  {
    Model m;
    odla_rt::ProfileComputation(m.c.comp, file.path);
    for (int run = 0; run < 3; ++run)
      EXPECT_EQ(m.c.Run({1, 2, 3, 4}, 1, 4)[0], (std::vector<float>{-6, -12, -18, -24}));
    EXPECT_EQ(Dev().marks, marks + 2 * 5) << "two marks per device op, made once per context";
  }
  EXPECT_EQ(Dev().marks, marks) << "marks left after the context was destroyed";
  std::string t = file.Read();
  EXPECT_NE(t.find("2 execution(s) (the first left out), runtime on the host and fake"),
            std::string::npos)
      << t;
  // One fake millisecond per kernel, none for the copies (the fake device does them at once).
  EXPECT_EQ(Fields(Line(t, "1  Axpb"))[5], "1000.0") << t;
  EXPECT_EQ(Fields(Line(t, "2  Axpb"))[5], "1000.0") << t;
  EXPECT_EQ(Fields(Line(t, "0  ToDevice"))[5], "0.0") << t;
  EXPECT_EQ(Fields(Line(t, "3  ToHost"))[5], "-") << "ToHost is a host op" << t;
  EXPECT_EQ(Fields(Line(t, "4  Neg"))[2], "r") << t;
  EXPECT_EQ(Fields(Line(t, "6  Axpb"))[2], "y") << t;
  EXPECT_NE(Line(t, "7  Outputs"), "") << t;
  EXPECT_NE(t.find("device time 3000.0"), std::string::npos) << t;
  std::vector<std::string> axpb = Fields(Line(t, "#" + std::string(33, ' ') + "Axpb"));
  ASSERT_EQ(axpb.size(), 7u) << t;
  EXPECT_EQ(axpb[2], "3") << "three Axpb rows";
  EXPECT_EQ(axpb[5], "3000.0");
  EXPECT_EQ(axpb[6], "3000.0");
}

TEST(RuntimeProfile, GraphIsOneRow) {
  Graphs on("1");
  TableFile file;
  {
    Model m;
    odla_rt::ProfileComputation(m.c.comp, file.path);
    for (int run = 0; run < 2; ++run)
      EXPECT_EQ(m.c.Run({1, 2, 3, 4}, 1, 4)[0], (std::vector<float>{-6, -12, -18, -24}));
  }
  std::string t = file.Read();
  std::vector<std::string> graph = Fields(Line(t, "1  Graph"));
  ASSERT_GE(graph.size(), 6u) << t;
  EXPECT_EQ(graph[2], "ops") << t;
  EXPECT_EQ(graph[3], "1..2") << "a and b, replayed as one graph" << t;
  EXPECT_EQ(graph.back(), "2000.0") << t;
  EXPECT_EQ(Fields(Line(t, "5  Axpb"))[2], "y") << "y alone: a graph of one op" << t;
}

}  // namespace
