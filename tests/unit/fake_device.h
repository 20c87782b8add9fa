// A fake device for the tests of the shared runtime's device machinery
// (runtimes/common/device.h): its memory is host memory that it tracks, so that tests can
// check that device ops get device pointers only and host ops host pointers only. Kernels
// queue their work on the fake stream (Launch), which records it while a graph is captured
// (graphs.h). Each piece of work done advances the device's clock by 1 ms, which its marks
// (profile.h) read.
#pragma once

#include <gtest/gtest.h>
#include <odla/odla.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "../../runtimes/common/device.h"
#include "../../runtimes/common/runtime.h"

namespace odla_test {

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
    EXPECT_FALSE(Capturing(stream)) << "a copy from the host in a graph";
    EXPECT_TRUE(Has(dst) && !Has(src)) << "ToDevice from device memory or to host memory";
    std::memcpy(dst, src, bytes);
    ++to_device;
  }
  void ToHost(void* stream, void* dst, const void* src, size_t bytes) override {
    EXPECT_NE(stream, nullptr);
    EXPECT_FALSE(Capturing(stream)) << "a copy to the host in a graph";
    EXPECT_TRUE(Has(src) && !Has(dst)) << "ToHost from host memory or to device memory";
    std::memcpy(dst, src, bytes);
    ++to_host;
  }
  void Sync(void* stream) override {
    EXPECT_NE(stream, nullptr);
    EXPECT_FALSE(Capturing(stream)) << "a wait in a graph";
    ++syncs;
  }
  void Upload(void* dst, const void* src, size_t bytes) override {
    EXPECT_TRUE(Has(dst) && !Has(src));
    std::memcpy(dst, src, bytes);
    ++uploads;
  }
  // Graphs: a graph is the work recorded while its stream was captured.
  using Graph = std::vector<std::function<void()>>;
  void* Capture(void* stream, const std::function<void()>& run) override {
    ++capture_attempts;
    if (cannot_capture) return nullptr;
    auto g = std::make_unique<Graph>();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      capturing_[stream] = g.get();
    }
    try {
      run();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      capturing_.erase(stream);
      throw;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    capturing_.erase(stream);
    ++captures, ++graphs;
    return g.release();
  }
  void Replay(void* stream, void* graph) override {
    EXPECT_FALSE(Capturing(stream));
    ++replays;
    for (const auto& work : *static_cast<Graph*>(graph)) Do(work);
  }
  void DestroyGraph(void* graph) override {
    --graphs;
    delete static_cast<Graph*>(graph);
  }
  // A kernel's work on `stream`: done now, or recorded while the stream is captured.
  void Launch(void* stream, std::function<void()> work) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = capturing_.find(stream);
      if (it != capturing_.end()) return it->second->push_back(std::move(work));
    }
    Do(work);
  }
  // Marks: the clock when the stream reached them.
  void* NewMark() override {
    ++marks;
    return new double(-1);
  }
  void DestroyMark(void* mark) override {
    --marks;
    delete static_cast<double*>(mark);
  }
  void RecordMark(void* stream, void* mark) override {
    EXPECT_FALSE(Capturing(stream)) << "a mark in a graph";
    *static_cast<double*>(mark) = static_cast<double>(clock_ms.load());
  }
  double ElapsedMs(void* from, void* to) override {
    double a = *static_cast<double*>(from), b = *static_cast<double*>(to);
    EXPECT_TRUE(a >= 0 && b >= a) << "marks not recorded, or out of order";
    return b - a;
  }
  bool Capturing(void* stream) {
    std::lock_guard<std::mutex> lock(mutex_);
    return capturing_.count(stream) > 0;
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
  int capture_attempts = 0, captures = 0, replays = 0, graphs = 0;  // graphs: alive now
  int kernel_calls = 0;              // kernel closures called (queuing work, not doing it)
  int marks = 0;                     // alive now
  std::atomic<int64_t> clock_ms{0};  // 1 per piece of work done
  bool cannot_capture = false;       // Capture returns NULL

 private:
  void Do(const std::function<void()>& work) {
    work();
    clock_ms += 1;
  }
  std::mutex mutex_;
  std::map<uint8_t*, size_t> blocks_;
  std::map<void*, Graph*> capturing_;  // stream -> the graph it records
};

inline FakeDevice& Dev() {
  static FakeDevice* d = new FakeDevice;
  return *d;
}

// A device op y = a * x + b (b: an optional second input of x's shape), checking that every
// pointer it gets is device memory.
inline odla_value AddAxpb(odla_value x, odla_value b, float a, const char* id, size_t scratch = 0) {
  int64_t n = odla_rt::NumElements(x->type.shape);
  bool has_b = b != nullptr;
  return odla_rt::AddDeviceOp1(Dev(), "Axpb", {x, b}, x->type, scratch, id,
                               [n, a, has_b, scratch](const odla_rt::KernelArgs& k) {
                                 ++Dev().kernel_calls;
                                 EXPECT_NE(k.stream, nullptr);
                                 EXPECT_TRUE(Dev().Has(k.in[0]) && Dev().Has(k.out[0]));
                                 if (has_b) {
                                   EXPECT_TRUE(Dev().Has(k.in[1]));
                                 }
                                 if (scratch) {
                                   EXPECT_TRUE(Dev().Has(k.scratch));
                                 }
                                 const float* in0 = k.In<float>(0);
                                 const float* in1 = has_b ? k.In<float>(1) : nullptr;
                                 float* out = k.Out<float>(0);
                                 Dev().Launch(k.stream, [=] {
                                   for (int64_t i = 0; i < n; ++i)
                                     out[i] = a * in0[i] + (in1 ? in1[i] : 0.f);
                                 });
                               });
}

}  // namespace odla_test
