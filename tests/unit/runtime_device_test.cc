// Device memory in the shared runtime machinery (runtimes/common/device.h), on a fake device
// whose memory is host memory that the test tracks: device ops get device pointers only,
// host ops host pointers only, values cross through the ToDevice/ToHost copies the runtime
// adds, constants are uploaded once, and each context has its memory and stream.
#include <gtest/gtest.h>
#include <odla/odla.h>
#include <odla/odla_ops.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "../../runtimes/common/device.h"
#include "../runtime_test_util.h"

namespace {

using odla_rt::KernelArgs;
using Computation = odla_test::OneContext;

odla_value_type F32(std::vector<int64_t> dims) { return odla_test::Type(dims); }

// Device memory is malloc'd, filled with 0xff (NaN) and tracked; copies check their sides.
class FakeDevice : public odla_rt::Device {
 public:
  const char* Name() const override { return "fake"; }
  void* Alloc(size_t bytes) override {
    void* p = std::malloc(bytes);
    std::memset(p, 0xff, bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    blocks_[static_cast<uint8_t*>(p)] = bytes;
    return p;
  }
  void Free(void* p) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      EXPECT_EQ(blocks_.erase(static_cast<uint8_t*>(p)), 1u) << "freed twice or not ours";
    }
    std::free(p);
  }
  void* NewStream() override {
    ++streams;
    return new int(0);
  }
  void DestroyStream(void* s) override {
    --streams;
    delete static_cast<int*>(s);
  }
  void ToDevice(void* stream, void* dst, const void* src, size_t bytes) override {
    EXPECT_NE(stream, nullptr);
    EXPECT_TRUE(Has(dst) && !Has(src)) << "ToDevice from device memory or to host memory";
    std::memcpy(dst, src, bytes);
    ++to_device;
  }
  void ToHost(void* stream, void* dst, const void* src, size_t bytes) override {
    EXPECT_NE(stream, nullptr);
    EXPECT_TRUE(Has(src) && !Has(dst)) << "ToHost from host memory or to device memory";
    std::memcpy(dst, src, bytes);
    ++to_host;
  }
  void Sync(void* stream) override {
    EXPECT_NE(stream, nullptr);
    ++syncs;
  }
  void Upload(void* dst, const void* src, size_t bytes) override {
    EXPECT_TRUE(Has(dst) && !Has(src));
    std::memcpy(dst, src, bytes);
    ++uploads;
  }
  // Whether p points into device memory.
  bool Has(const void* p) {
    auto* b = static_cast<const uint8_t*>(p);
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = blocks_.upper_bound(const_cast<uint8_t*>(b));
    if (it == blocks_.begin()) return false;
    --it;
    return b < it->first + it->second;
  }
  size_t blocks() {
    std::lock_guard<std::mutex> lock(mutex_);
    return blocks_.size();
  }
  int streams = 0, to_device = 0, to_host = 0, syncs = 0, uploads = 0;

 private:
  std::mutex mutex_;
  std::map<uint8_t*, size_t> blocks_;
};

FakeDevice& Dev() {
  static FakeDevice* d = new FakeDevice;
  return *d;
}

// A device op y = a * x + b (b: an optional second input of x's shape), checking that every
// pointer it gets is device memory.
odla_value AddAxpb(odla_value x, odla_value b, float a, const char* id, size_t scratch = 0) {
  int64_t n = odla_rt::NumElements(x->type.shape);
  bool has_b = b != nullptr;
  return odla_rt::AddDeviceOp1(
      Dev(), "Axpb", {x, b}, x->type, scratch, id, [n, a, has_b, scratch](const KernelArgs& k) {
        EXPECT_NE(k.stream, nullptr);
        EXPECT_TRUE(Dev().Has(k.in[0]) && Dev().Has(k.out[0]));
        if (has_b) {
          EXPECT_TRUE(Dev().Has(k.in[1]));
        }
        if (scratch) {
          EXPECT_TRUE(Dev().Has(k.scratch));
        }
        for (int64_t i = 0; i < n; ++i)
          k.Out<float>(0)[i] = a * k.In<float>(0)[i] + (has_b ? k.In<float>(1)[i] : 0.f);
      });
}

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

}  // namespace
