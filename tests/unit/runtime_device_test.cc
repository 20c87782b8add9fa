// Device memory in the shared runtime machinery (runtimes/common/device.h), on the fake
// device of fake_device.h: device ops get device pointers only, host ops host pointers
// only, values cross through the ToDevice/ToHost copies the runtime adds, constants are
// uploaded once, and each context has its memory and stream. The Graphs* tests check the
// segments of graphs (graphs.h), their capture and replay.

#include <gtest/gtest.h>
#include <odla/odla.h>
#include <odla/odla_ops.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

#include "../runtime_test_util.h"
#include "fake_device.h"

namespace {

using odla_rt::KernelArgs;
using odla_test::AddAxpb;
using odla_test::Dev;
using odla_test::FakeDevice;
using Computation = odla_test::OneContext;

odla_value_type F32(std::vector<int64_t> dims) { return odla_test::Type(dims); }

TEST(RuntimeDevice, ValuesCrossThroughCopies) {
  FakeDevice& d = Dev();
  int uploads = d.uploads, to_device = d.to_device, to_host = d.to_host;
  const std::vector<float> c_data = {10, 20, 30, 40};
  {
    Computation c;
    odla_value x = odla_CreateArgument(F32({4}), "x");
    odla_value k = odla_CreateConstant(F32({4}), c_data.data(), "k");
    odla_value t = AddAxpb(x, nullptr, 2, "t", 100);  // device: 2x
    EXPECT_TRUE(odla_rt::OnDevice(t));
    odla_value r = odla_Neg(t, F32({4}), "r");  // host, reads t's host copy
    EXPECT_FALSE(odla_rt::OnDevice(r));
    odla_value u = AddAxpb(r, k, 1, "u");          // device: -2x + k
    odla_value w = odla_Add(r, k, F32({4}), "w");  // host: the constant as it is
    EXPECT_EQ(odla_SetValueAsOutput(u), ODLA_SUCCESS);
    EXPECT_EQ(odla_SetValueAsOutput(r), ODLA_SUCCESS);
    EXPECT_EQ(odla_SetValueAsOutput(w), ODLA_SUCCESS);
    EXPECT_EQ(d.uploads, uploads + 1);  // k, at build time
    for (int run = 1; run <= 2; ++run) {
      auto out = c.Run({1, 2, 3, 4}, 3, 4);
      EXPECT_EQ(out[0], (std::vector<float>{8, 16, 24, 32}));
      EXPECT_EQ(out[1], (std::vector<float>{-2, -4, -6, -8}));
      EXPECT_EQ(out[2], (std::vector<float>{8, 16, 24, 32}));
      // Per run: x and r to the device; t to the host for Neg, u into the caller's buffer.
      EXPECT_EQ(d.to_device, to_device + 2 * run);
      EXPECT_EQ(d.to_host, to_host + 2 * run);
    }
    EXPECT_EQ(d.uploads, uploads + 1);
  }
  EXPECT_EQ(d.streams, 0);
  EXPECT_EQ(d.blocks(), 0u) << "device memory left after the computation was destroyed";
}

TEST(RuntimeDevice, SharedConstantAndArgumentAreCopiedOnce) {
  FakeDevice& d = Dev();
  int uploads = d.uploads, to_device = d.to_device;
  const std::vector<float> c_data = {1, 1, 1, 1};
  Computation c;
  odla_value x = odla_CreateArgument(F32({4}), "x");
  odla_value k = odla_CreateConstant(F32({4}), c_data.data(), "k");
  odla_value a = AddAxpb(x, k, 3, "a");
  odla_value b = AddAxpb(x, k, 5, "b");
  odla_value s = AddAxpb(a, b, 1, "s");
  EXPECT_EQ(odla_SetValueAsOutput(s), ODLA_SUCCESS);
  EXPECT_EQ(d.uploads, uploads + 1);
  EXPECT_EQ(c.Run({1, 2, 3, 4}, 1, 4)[0], (std::vector<float>{10, 18, 26, 34}));
  EXPECT_EQ(d.to_device, to_device + 1);
}

TEST(RuntimeDevice, ArenaOffsetsOnBothSides) {
  FakeDevice& d = Dev();
  Computation c;
  odla_value x = odla_CreateArgument(F32({16}), "x");
  odla_value t = AddAxpb(x, nullptr, 2, "t");   // device
  odla_value r = odla_Relu(t, F32({16}), "r");  // host
  odla_value u = AddAxpb(r, nullptr, 1, "u");   // device
  EXPECT_EQ(odla_SetValueAsOutput(u), ODLA_SUCCESS);
  ASSERT_EQ(odla_SetComputationArenaSize(c.comp, 128), ODLA_SUCCESS);
  // Overlapping offsets, as a plan of a host-only run could give them: the device and the
  // host results live in arenas of their own.
  ASSERT_EQ(odla_SetValueArenaOffset(t, 0), ODLA_SUCCESS);
  ASSERT_EQ(odla_SetValueArenaOffset(r, 64), ODLA_SUCCESS);
  std::vector<float> in(16);
  for (int i = 0; i < 16; ++i) in[i] = static_cast<float>(i - 8);
  auto out = c.Run(in, 1, 16);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(out[0][i], std::max(0.f, 2 * in[i])) << i;
  EXPECT_GE(d.syncs, 1);
}

TEST(RuntimeDevice, OneStreamPerContextAndMemoryReused) {
  FakeDevice& d = Dev();
  Computation c;
  odla_value x = odla_CreateArgument(F32({4}), "x");
  odla_value y = AddAxpb(x, nullptr, -1, "y");
  EXPECT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
  std::vector<float> in = {1, 2, 3, 4}, out1(4), out2(4);
  odla_context c1 = nullptr, c2 = nullptr;
  ASSERT_EQ(odla_CreateContext(&c1), ODLA_SUCCESS);
  ASSERT_EQ(odla_CreateContext(&c2), ODLA_SUCCESS);
  int streams = d.streams;
  for (auto [ctx, out] : {std::pair{c1, &out1}, std::pair{c2, &out2}}) {
    ASSERT_EQ(odla_BindToArgument(ctx, 0, in.data()), ODLA_SUCCESS);
    ASSERT_EQ(odla_BindToOutput(ctx, 0, out->data()), ODLA_SUCCESS);
    ASSERT_EQ(odla_ExecuteComputation(c.comp, ctx), ODLA_SUCCESS) << odla_GetLastErrorText();
  }
  EXPECT_EQ(d.streams, streams + 2);
  EXPECT_EQ(out1, (std::vector<float>{-1, -2, -3, -4}));
  EXPECT_EQ(out2, out1);
  odla_DestroyContext(c1);
  odla_DestroyContext(c2);
  EXPECT_EQ(d.streams, streams + 2);  // kept with their memory for the next contexts
  auto out = c.Run(in, 1, 4);
  EXPECT_EQ(out[0], out1);
  EXPECT_EQ(d.streams, streams + 2);
}

class OtherDevice : public FakeDevice {
  const char* Name() const override { return "other"; }
};

TEST(RuntimeDevice, OneDevicePerComputation) {
  static OtherDevice other;
  Computation c;
  odla_value x = odla_CreateArgument(F32({4}), "x");
  AddAxpb(x, nullptr, 2, "t");
  auto k = [](const KernelArgs&) {};
  EXPECT_EQ(odla_rt::Guard(
                "Other", "o",
                [&] { return odla_rt::AddDeviceOp1(other, "Other", {x}, F32({4}), 0, "o", k); }),
            nullptr);
  EXPECT_NE(std::string(odla_GetLastErrorText()).find("two devices (fake and other)"),
            std::string::npos)
      << odla_GetLastErrorText();
}

// A device op y = x + 1 that waits for the device (like a Gather that checks its indices):
// not capturable, it works at once.
odla_value AddWaiting(odla_value x, const char* id) {
  int64_t n = odla_rt::NumElements(x->type.shape);
  odla_value y =
      odla_rt::AddDeviceOp1(Dev(), "Waiting", {x}, x->type, 0, id, [n](const KernelArgs& k) {
        ++Dev().kernel_calls;
        EXPECT_FALSE(Dev().Capturing(k.stream));
        for (int64_t i = 0; i < n; ++i) k.Out<float>(0)[i] = k.In<float>(0)[i] + 1;
      });
  odla_rt::SetNotCapturable(y);
  return y;
}

// A device op y = x that fails while its stream is captured (as a CUDA call that breaks a
// capture does) and works otherwise.
odla_value AddFragile(odla_value x, const char* id) {
  int64_t n = odla_rt::NumElements(x->type.shape);
  return odla_rt::AddDeviceOp1(Dev(), "Fragile", {x}, x->type, 0, id, [n](const KernelArgs& k) {
    ++Dev().kernel_calls;
    if (Dev().Capturing(k.stream)) throw odla_rt::RtError("Fragile: not while capturing");
    std::memcpy(k.out[0], k.in[0], n * sizeof(float));
  });
}

std::vector<float> Affine(const std::vector<float>& x, float a, float b) {
  std::vector<float> y;
  for (float v : x) y.push_back(a * v + b);
  return y;
}

// Snapshot of the fake device's graph counters.
struct GraphCounts {
  GraphCounts()
      : d(Dev()),
        attempts(d.capture_attempts),
        captures(d.captures),
        replays(d.replays),
        calls(d.kernel_calls) {}
  FakeDevice& d;
  int attempts, captures, replays, calls;
};

TEST(RuntimeDevice, GraphsSplitAtHostOpsAndToDevice) {
  GraphCounts n0;
  FakeDevice& d = Dev();
  int graphs = d.graphs;
  {
    Computation c;
    odla_value x = odla_CreateArgument(F32({4}), "x");
    odla_value a = AddAxpb(x, nullptr, 2, "a");  // ToDevice(x), then segment 1: a, b
    odla_value b = AddAxpb(a, nullptr, 3, "b");
    odla_value r = odla_Neg(b, F32({4}), "r");   // ToHost(b) and Neg: host ops
    odla_value e = AddAxpb(r, nullptr, 1, "e");  // ToDevice(r), then segment 2: e, f
    odla_value f = AddAxpb(e, x, 1, "f");        // x's device copy: made before segment 1
    EXPECT_EQ(odla_SetValueAsOutput(f), ODLA_SUCCESS);
    for (int run = 1; run <= 3; ++run) {
      std::vector<float> in = {1.f * run, 2, 3, -4};
      EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, -5, 0)) << run;
      const int captured = run >= 2 ? 2 : 0;  // the first run warms up, op by op
      EXPECT_EQ(d.captures, n0.captures + captured) << "each segment is captured once";
      EXPECT_EQ(d.replays, n0.replays + 2 * (run - 1)) << "and replayed from its capture on";
      EXPECT_EQ(d.kernel_calls, n0.calls + 4 * std::min(run, 2))
          << "a replay calls no kernel closure";
      EXPECT_EQ(d.graphs, graphs + captured);
    }
  }
  EXPECT_EQ(d.graphs, graphs) << "graphs left after the computation was destroyed";
  EXPECT_EQ(d.capture_attempts, n0.attempts + 2);
}

TEST(RuntimeDevice, GraphsPerContextKeptWithItsMemory) {
  GraphCounts n0;
  FakeDevice& d = Dev();
  int graphs = d.graphs;
  {
    Computation c;
    odla_value x = odla_CreateArgument(F32({4}), "x");
    odla_value y = AddAxpb(AddAxpb(x, nullptr, 2, "a"), nullptr, 3, "y");
    EXPECT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
    std::vector<float> in = {1, 2, 3, 4};
    std::vector<std::vector<float>> out(2, std::vector<float>(4));
    odla_context ctx[2] = {nullptr, nullptr};
    for (int run = 0; run < 2; ++run) {
      for (int i = 0; i < 2; ++i) {
        if (!ctx[i]) {
          ASSERT_EQ(odla_CreateContext(&ctx[i]), ODLA_SUCCESS);
        }
        ASSERT_EQ(odla_BindToArgument(ctx[i], 0, in.data()), ODLA_SUCCESS);
        ASSERT_EQ(odla_BindToOutput(ctx[i], 0, out[i].data()), ODLA_SUCCESS);
        ASSERT_EQ(odla_ExecuteComputation(c.comp, ctx[i]), ODLA_SUCCESS);
        EXPECT_EQ(out[i], Affine(in, 6, 0));
      }
    }
    EXPECT_EQ(d.captures, n0.captures + 2) << "one graph per context";
    EXPECT_EQ(d.replays, n0.replays + 2);
    odla_DestroyContext(ctx[0]);
    odla_DestroyContext(ctx[1]);
    EXPECT_EQ(d.graphs, graphs + 2) << "kept with the contexts' memory";
    // A new context reuses a kept memory, and its graph.
    EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, 6, 0));
    EXPECT_EQ(d.captures, n0.captures + 2);
    EXPECT_EQ(d.replays, n0.replays + 3);
  }
  EXPECT_EQ(d.graphs, graphs);
}

TEST(RuntimeDevice, GraphsSplitAroundOpsNotCapturable) {
  GraphCounts n0;
  FakeDevice& d = Dev();
  Computation c;
  odla_value x = odla_CreateArgument(F32({4}), "x");
  odla_value a = AddAxpb(x, nullptr, 2, "a");  // segment 1: a, b
  odla_value b = AddAxpb(a, nullptr, 1, "b");
  odla_value w = AddWaiting(b, "w");           // on its own
  odla_value y = AddAxpb(w, nullptr, 3, "y");  // segment 2: y
  EXPECT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
  const int calls[] = {4, 8, 9};  // op by op; captures (3) and w; w
  for (int run = 1; run <= 3; ++run) {
    std::vector<float> in = {1, 2, 3, 4.f * run};
    EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, 6, 3));
    EXPECT_EQ(d.captures, n0.captures + (run >= 2 ? 2 : 0));
    EXPECT_EQ(d.replays, n0.replays + 2 * (run - 1));
    EXPECT_EQ(d.kernel_calls, n0.calls + calls[run - 1]) << "the op not capturable runs each time";
  }
  odla_value h = odla_Neg(x, F32({4}), "h");
  auto mark = [&] {
    odla_rt::SetNotCapturable(h);
    return h;
  };
  EXPECT_EQ(odla_rt::Guard("SetNotCapturable", "h", mark), nullptr) << "a host op's result";
  EXPECT_NE(std::string(odla_GetLastErrorText()).find("not a device op's result"),
            std::string::npos)
      << odla_GetLastErrorText();
}

// A device op y = x that fails when its stream is captured before it has run once (as a
// library call that allocates or plans at its first call does), and works otherwise.
odla_value AddLazy(odla_value x, const char* id) {
  int64_t n = odla_rt::NumElements(x->type.shape);
  auto ran = std::make_shared<bool>(false);
  return odla_rt::AddDeviceOp1(Dev(), "Lazy", {x}, x->type, 0, id, [n, ran](const KernelArgs& k) {
    ++Dev().kernel_calls;
    if (Dev().Capturing(k.stream) && !*ran) throw odla_rt::RtError("Lazy: first call captured");
    *ran = true;
    void* out = k.out[0];
    const void* in = k.in[0];
    Dev().Launch(k.stream, [=] { std::memcpy(out, in, n * sizeof(float)); });
  });
}

TEST(RuntimeDevice, GraphsCapturedAfterAWarmUpRun) {
  GraphCounts n0;
  FakeDevice& d = Dev();
  Computation c;
  odla_value x = odla_CreateArgument(F32({4}), "x");
  odla_value y = AddAxpb(AddLazy(AddAxpb(x, nullptr, 2, "a"), "l"), nullptr, 3, "y");
  EXPECT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
  for (int run = 1; run <= 3; ++run) {
    std::vector<float> in = {1, 2, 3, 4.f * run};
    EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, 6, 0));
  }
  EXPECT_EQ(d.capture_attempts, n0.attempts + 1);
  EXPECT_EQ(d.captures, n0.captures + 1) << "the whole segment, at the second run";
  EXPECT_EQ(d.replays, n0.replays + 2);
  EXPECT_EQ(d.kernel_calls, n0.calls + 6);
}

TEST(RuntimeDevice, GraphsFailedCaptureRunsOpByOp) {
  FakeDevice& d = Dev();
  {  // The device cannot capture: each op is tried alone once, then all run op by op.
    GraphCounts n0;
    Computation c;
    odla_value x = odla_CreateArgument(F32({4}), "x");
    odla_value y = AddAxpb(AddAxpb(x, nullptr, 2, "a"), nullptr, 3, "y");
    EXPECT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
    d.cannot_capture = true;
    for (int run = 1; run <= 4; ++run) {
      std::vector<float> in = {1, 2, 3, 4.f * run};
      EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, 6, 0));
      EXPECT_EQ(d.capture_attempts, n0.attempts + (run >= 2 ? 3 : 0)) << "not tried again";
      EXPECT_EQ(d.kernel_calls, n0.calls + 2 * run);
    }
    d.cannot_capture = false;
    EXPECT_EQ(d.captures, n0.captures);
    EXPECT_EQ(d.replays, n0.replays);
  }
  {  // A kernel fails while capturing: it runs on its own, the ops around it in graphs.
    GraphCounts n0;
    int graphs = d.graphs;
    {
      Computation c;
      odla_value x = odla_CreateArgument(F32({4}), "x");
      odla_value a = AddAxpb(x, nullptr, 2, "a");
      odla_value y = AddAxpb(AddFragile(a, "f"), nullptr, 3, "y");
      EXPECT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
      for (int run = 1; run <= 6; ++run) {
        std::vector<float> in = {1, 2, 3, 4.f * run};
        EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, 6, 0)) << run;
      }
      // Run 2: the segment's capture fails and a, f and y are tried alone; run 3 warms up the
      // new segments [a] and [y]; run 4 captures them.
      EXPECT_EQ(d.capture_attempts, n0.attempts + 6);
      EXPECT_EQ(d.captures, n0.captures + 2 + 2) << "a and y alone twice: tried, then kept";
      EXPECT_EQ(d.graphs, graphs + 2);
      GraphCounts n1;
      std::vector<float> in = {5, 6, 7, 8};
      EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, 6, 0));
      EXPECT_EQ(d.capture_attempts, n1.attempts);
      EXPECT_EQ(d.replays, n1.replays + 2);
      EXPECT_EQ(d.kernel_calls, n1.calls + 1) << "only f runs its kernel";
    }
    EXPECT_EQ(d.graphs, graphs);
  }
}

TEST(RuntimeDevice, GraphsDisabledByEnvironment) {
  FakeDevice& d = Dev();
  GraphCounts n0;
  Computation c;
  odla_value x = odla_CreateArgument(F32({4}), "x");
  odla_value y = AddAxpb(AddAxpb(x, nullptr, 2, "a"), nullptr, 3, "y");
  EXPECT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
  std::vector<float> in = {1, 2, 3, 4};
  ASSERT_EQ(setenv("ODLA_GRAPHS", "0", 1), 0);
  EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, 6, 0));
  EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, 6, 0));
  EXPECT_EQ(d.capture_attempts, n0.attempts);
  EXPECT_EQ(d.kernel_calls, n0.calls + 4);
  ASSERT_EQ(setenv("ODLA_GRAPHS", "1", 1), 0);
  EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, 6, 0));  // the warm-up run
  EXPECT_EQ(d.capture_attempts, n0.attempts);
  EXPECT_EQ(c.Run(in, 1, 4)[0], Affine(in, 6, 0));
  EXPECT_EQ(d.captures, n0.captures + 1);
  EXPECT_EQ(d.replays, n0.replays + 1);
  EXPECT_EQ(d.kernel_calls, n0.calls + 8);
}

// A device op with a data-dependent result (the positive elements of x, in order): its kernel
// reads the count back from the device and sets the shape, so it runs at every execution,
// outside graphs, while the ops before it are captured.
TEST(RuntimeDevice, DataDependentResultsAreNeverCaptured) {
  FakeDevice& d = Dev();
  GraphCounts n0;
  Computation c;
  odla_value x = odla_CreateArgument(F32({4}), "x");
  odla_value a = AddAxpb(x, nullptr, 2, "a");
  odla_value p = odla_rt::AddDeviceOp(
      Dev(), "Positives", {a}, {F32({4})}, sizeof(int64_t), "p",
      [](const KernelArgs& k) {
        ++Dev().kernel_calls;
        EXPECT_FALSE(Dev().Capturing(k.stream));
        const float* in = k.In<float>(0);
        float* out = k.Out<float>(0);
        int64_t* count = static_cast<int64_t*>(k.scratch);
        Dev().Launch(k.stream, [=] {
          *count = 0;
          for (int i = 0; i < 4; ++i)
            if (in[i] > 0) out[(*count)++] = in[i];
        });
        k.SetOutShape(0, {*count});  // read back (the fake device's memory is the host's)
      },
      {true})[0];
  ASSERT_NE(p, nullptr) << odla_GetLastErrorText();
  EXPECT_TRUE(p->data_dependent);
  EXPECT_EQ(odla_SetValueAsOutput(p), ODLA_SUCCESS);
  const std::vector<std::vector<float>> ins = {{1, -2, 3, -4}, {-1, -1, -1, 5}, {1, 2, 3, 4}};
  const std::vector<std::vector<float>> want = {{2, 6}, {10}, {2, 4, 6, 8}};
  for (int run = 0; run < 3; ++run) {
    std::vector<float> out = c.Run(ins[run], 1, 4)[0];
    odla_value_shape shape{};
    ASSERT_EQ(odla_GetOutputShape(c.ctx, 0, &shape), ODLA_SUCCESS);
    ASSERT_EQ(shape.size, 1);
    ASSERT_EQ(shape.dims[0], static_cast<int64_t>(want[run].size()));
    EXPECT_EQ(std::vector<float>(out.begin(), out.begin() + shape.dims[0]), want[run]);
  }
  EXPECT_EQ(d.captures, n0.captures + 1) << "a, captured once at the second run";
  EXPECT_EQ(d.kernel_calls, n0.calls + 2 + 3) << "a at its warm-up and its capture, p at each run";
}

// Graphs are off unless ODLA_GRAPHS=1 (graphs.h): these tests turn them on.
struct GraphsOn : ::testing::Environment {
  void SetUp() override { ASSERT_EQ(setenv("ODLA_GRAPHS", "1", 1), 0); }
};
const auto* const kGraphsOn = ::testing::AddGlobalTestEnvironment(new GraphsOn);

}  // namespace
