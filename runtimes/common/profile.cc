// Per-op profiles of executions (profile.h).
#include "profile.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "computation.h"

namespace odla_rt {

const std::string& ProfileTarget() {
  static const std::string target = [] {
    std::string v = Env("ODLA_PROFILE");
    if (v == "0") return std::string();
    if (v == "1") return std::string("stderr");
    return v;
  }();
  return target;
}

namespace {

// The profiles not written yet, written at process exit (a computation that is never
// destroyed still gets its table).
struct Registry {
  std::mutex mutex;
  std::vector<std::weak_ptr<Profile>> profiles;
  ~Registry() {
    for (auto& w : profiles)
      if (auto p = w.lock()) p->Write();
  }
};

Registry& TheRegistry() {
  static Registry registry;
  return registry;
}

std::string Format(const char* fmt, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, a);
  return buf;
}

std::string Us(double us) { return us < 0 ? "-" : Format("%.1f", us); }

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string PadLeft(const std::string& s, size_t width) {
  return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

// The name of a row's node: its first result's id, else its first input's (copies), else
// its index.
std::string NodeName(const std::vector<OpNode>& nodes, size_t i) {
  const OpNode& n = nodes[i];
  for (odla_value v : n.outputs)
    if (v && !v->id.empty()) return v->id;
  for (odla_value v : n.inputs)
    if (v && !v->id.empty()) return v->id;
  return "#" + std::to_string(i);
}

}  // namespace

static std::shared_ptr<Profile> Registered(const std::string& target) {
  auto p = std::make_shared<Profile>(target);
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.profiles.erase(std::remove_if(r.profiles.begin(), r.profiles.end(),
                                  [](const std::weak_ptr<Profile>& w) { return w.expired(); }),
                   r.profiles.end());
  r.profiles.push_back(p);
  return p;
}

std::shared_ptr<Profile> NewProfile() {
  return ProfileTarget().empty() ? nullptr : Registered(ProfileTarget());
}

void ProfileComputation(odla_computation c, const std::string& target) {
  c->profile = Registered(target);
}

Profile::Profile(std::string target) : target_(std::move(target)) {}

Profile::~Profile() { Write(); }

void Profile::Tally::Add(const std::vector<OpNode>& nodes, const std::vector<Row>& rows,
                         double wall) {
  ++executions;
  wall_us += wall;
  wall_min = std::min(wall_min, wall);
  for (const Row& r : rows) {
    auto key = std::make_pair(r.begin, r.end);
    auto it = index.find(key);
    if (it == index.end()) {
      Total t;
      if (r.begin >= nodes.size()) {
        t.op = "Outputs";
        t.node = "(copied to the caller)";
      } else if (r.end - r.begin == 1) {
        t.op = nodes[r.begin].op;
        t.node = NodeName(nodes, r.begin);
      } else {
        t.op = "Graph";
        t.node = "ops " + std::to_string(r.begin) + ".." + std::to_string(r.end - 1) + " (" +
                 NodeName(nodes, r.begin) + " .. " + NodeName(nodes, r.end - 1) + ")";
      }
      t.on_device = r.device_us >= 0;
      it = index.emplace(key, totals.size()).first;
      totals.push_back(t);
    }
    Total& t = totals[it->second];
    t.host_us += r.host_us;
    t.host_min = std::min(t.host_min, r.host_us);
    if (r.device_us >= 0) {
      t.device_us += r.device_us;
      t.device_min = std::min(t.device_min, r.device_us);
    }
  }
}

void Profile::Add(const std::vector<OpNode>& nodes, const std::vector<Row>& rows, double wall_us,
                  const char* device) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (device) device_ = device;
  (first_.executions == 0 ? first_ : rest_).Add(nodes, rows, wall_us);
}

std::string Profile::Table() const {
  const Tally& t = rest_.executions > 0 ? rest_ : first_;
  const double n = static_cast<double>(t.executions);
  std::string out = "# ODLA profile: " + std::to_string(t.totals.size()) + " rows, " +
                    std::to_string(t.executions) + " execution(s)" +
                    (rest_.executions > 0 ? " (the first left out)" : "") + ", runtime on " +
                    (device_.empty() ? std::string("the host") : "the host and " + device_) +
                    "; microseconds per execution: the mean and the least (device: between "
                    "marks on the device's stream)\n";
  double host = 0, device = 0;
  for (const Total& r : t.totals) host += r.host_us, device += r.device_us;
  out += "# wall " + Us(t.wall_us / n) + " (least " + Us(t.wall_min) + "), ops' host time " +
         Us(host / n) + ", device time " + (device_.empty() ? "-" : Us(device / n)) + "\n";
  out += "#  row  " + Pad("op", 20) + Pad("node", 48) + PadLeft("host", 10) + PadLeft("least", 10) +
         PadLeft("device", 10) + PadLeft("least", 10) + "\n";
  for (size_t i = 0; i < t.totals.size(); ++i) {
    const Total& r = t.totals[i];
    out += PadLeft(std::to_string(i), 6) + "  " + Pad(r.op, 20) + Pad(r.node, 48) +
           PadLeft(Us(r.host_us / n), 10) + PadLeft(Us(r.host_min), 10) +
           PadLeft(r.on_device ? Us(r.device_us / n) : "-", 10) +
           PadLeft(r.on_device ? Us(r.device_min) : "-", 10) + "\n";
  }
  // Per operator type, the most time first.
  struct Sum {
    std::string op;
    int64_t rows = 0;
    double host = 0, host_min = 0, device = 0, device_min = 0;
    bool on_device = false;
  };
  std::vector<Sum> sums;
  for (const Total& r : t.totals) {
    auto it = std::find_if(sums.begin(), sums.end(), [&](const Sum& s) { return s.op == r.op; });
    if (it == sums.end()) it = sums.insert(sums.end(), Sum{r.op});
    it->rows++;
    it->host += r.host_us / n;
    it->host_min += r.host_min;
    if (r.on_device) {
      it->device += r.device_us / n;
      it->device_min += r.device_min;
      it->on_device = true;
    }
  }
  std::stable_sort(sums.begin(), sums.end(), [](const Sum& a, const Sum& b) {
    return std::max(a.host, a.device) > std::max(b.host, b.device);
  });
  out += "# per op type (sums of the rows): " + Pad("op", 20) + PadLeft("rows", 6) +
         PadLeft("host", 10) + PadLeft("least", 10) + PadLeft("device", 10) + PadLeft("least", 10) +
         "\n";
  for (const Sum& s : sums)
    out += "#" + std::string(33, ' ') + Pad(s.op, 20) + PadLeft(std::to_string(s.rows), 6) +
           PadLeft(Us(s.host), 10) + PadLeft(Us(s.host_min), 10) +
           PadLeft(s.on_device ? Us(s.device) : "-", 10) +
           PadLeft(s.on_device ? Us(s.device_min) : "-", 10) + "\n";
  return out;
}

void Profile::Write() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (written_ || first_.executions == 0) return;
  written_ = true;
  std::string table = Table();
  if (target_ == "stderr") {
    std::cerr << table << std::flush;
    return;
  }
  if (FILE* f = std::fopen(target_.c_str(), "a")) {
    std::fputs(table.c_str(), f);
    std::fclose(f);
  } else {
    std::cerr << "ODLA_PROFILE: cannot write " << target_ << "\n" << table << std::flush;
  }
}

ProfileRun::ProfileRun(Profile* profile, Device* device, void* stream,
                       std::vector<std::shared_ptr<void>>* marks)
    : profile_(profile), device_(device), stream_(stream), marks_(marks) {
  if (profile_) start_ = Clock::now();
}

void* ProfileRun::Mark(size_t i) {
  if (!device_) return nullptr;
  if (i >= marks_->size()) {
    Device* d = device_;
    void* m = d->NewMark();
    if (!m) return nullptr;
    marks_->emplace_back(m, [d](void* p) { d->DestroyMark(p); });
  }
  return (*marks_)[i].get();
}

void ProfileRun::Begin(size_t begin, size_t end, bool on_device) {
  rows_.push_back(Profile::Row{begin, end, 0, -1});
  std::pair<int, int> m(-1, -1);
  if (on_device) {
    if (void* mark = Mark(used_marks_)) {
      device_->RecordMark(stream_, mark);
      m.first = used_marks_++;
    }
  }
  row_marks_.push_back(m);
  op_start_ = Clock::now();
}

void ProfileRun::End() {
  rows_.back().host_us =
      std::chrono::duration<double, std::micro>(Clock::now() - op_start_).count();
  std::pair<int, int>& m = row_marks_.back();
  if (m.first < 0) return;
  if (void* mark = Mark(used_marks_)) {
    device_->RecordMark(stream_, mark);
    m.second = used_marks_++;
  }
}

void ProfileRun::Finish(const std::vector<OpNode>& nodes) {
  for (size_t i = 0; i < rows_.size(); ++i) {
    auto [from, to] = row_marks_[i];
    if (from >= 0 && to >= 0)
      rows_[i].device_us = 1e3 * device_->ElapsedMs((*marks_)[from].get(), (*marks_)[to].get());
  }
  double wall = std::chrono::duration<double, std::micro>(Clock::now() - start_).count();
  profile_->Add(nodes, rows_, wall, device_ ? device_->Name() : nullptr);
}

}  // namespace odla_rt
