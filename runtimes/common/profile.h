// Per-op profiles of executions: with ODLA_PROFILE in the environment, every execution of a
// computation times each op it runs: the host time of its kernel call (for a device op, the
// time to queue its work), and for device ops the device time between marks queued on the
// context's stream before and after it (Device::NewMark; a segment replayed as one graph,
// graphs.h, is one row; so is the copying of the outputs). The computation adds them up; when it is
// destroyed, or at process exit, the table is written: one row per op in execution order (the mean
// per execution, the first execution left out when there are more, since it allocates memory,
// captures graphs and warms caches), then the totals per operator type. ODLA_PROFILE=1 (or
// "stderr") writes to stderr; any other value is a file the table is appended to. Unset or "0": no
// profiling, and no cost.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "device.h"
#include "runtime.h"

namespace odla_rt {

// Where profiles go: "" (off), "stderr" or a file path (ODLA_PROFILE, read once).
const std::string& ProfileTarget();

class Profile;
// A new profile when ODLA_PROFILE asks for one (else NULL), written at process exit unless
// destroyed (and so written) before.
std::shared_ptr<Profile> NewProfile();

// Profiles computation c into `target` ("stderr" or a file), whatever ODLA_PROFILE says
// (tests, tools).
void ProfileComputation(odla_computation c, const std::string& target);

// The profile of one computation: accumulated by its executions, written once.
class Profile {
 public:
  explicit Profile(std::string target);
  ~Profile();  // writes the table if it was not written yet
  Profile(const Profile&) = delete;
  Profile& operator=(const Profile&) = delete;

  // One execution's times: per row (an op, a graph of ops [begin, end), or with begin = the
  // number of nodes the outputs' copies), host and device microseconds (device < 0: none),
  // and the execution's wall time.
  struct Row {
    size_t begin = 0, end = 0;  // node indices
    double host_us = 0, device_us = -1;
  };
  void Add(const std::vector<OpNode>& nodes, const std::vector<Row>& rows, double wall_us,
           const char* device);
  // Writes the table (once); later calls do nothing.
  void Write();

 private:
  struct Total {
    std::string op, node;
    double host_us = 0, device_us = 0;  // sums
    double host_min = 1e300, device_min = 1e300;
    bool on_device = false;
  };
  struct Tally {
    int64_t executions = 0;
    double wall_us = 0, wall_min = 1e300;
    std::vector<Total> totals;                          // per row, in first-seen order
    std::map<std::pair<size_t, size_t>, size_t> index;  // a row's [begin, end) -> totals
    void Add(const std::vector<OpNode>& nodes, const std::vector<Row>& rows, double wall_us);
  };
  std::string Table() const;

  std::mutex mutex_;
  std::string target_;
  std::string device_;  // the device's name, if an op ran on one
  bool written_ = false;
  // The first execution, and the later ones (the table shows these once there are any).
  Tally first_, rest_;
};

// One execution's recorder: the executor calls Begin/End around each op (or graph) it runs;
// Finish, after the stream has been waited for, reads the device marks and hands the times to
// the Profile. Marks are the context's (kept across executions in `marks`).
class ProfileRun {
 public:
  // `profile` NULL: records nothing (the executor does not call it then).
  ProfileRun(Profile* profile, Device* device, void* stream,
             std::vector<std::shared_ptr<void>>* marks);
  void Begin(size_t begin, size_t end, bool on_device);
  void End();
  void Finish(const std::vector<OpNode>& nodes);

 private:
  using Clock = std::chrono::steady_clock;
  void* Mark(size_t i);
  Profile* profile_;
  Device* device_;
  void* stream_;
  std::vector<std::shared_ptr<void>>* marks_;
  std::vector<Profile::Row> rows_;
  std::vector<std::pair<int, int>> row_marks_;  // per row: its two marks, or -1
  int used_marks_ = 0;
  Clock::time_point start_, op_start_;
};

}  // namespace odla_rt
