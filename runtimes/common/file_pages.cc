#include "file_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>

namespace odla_rt {

namespace {

// A mapping as /proc/self/maps lists it.
struct Mapping {
  unsigned long lo = 0, hi = 0, inode = 0;
  unsigned major = 0, minor = 0;
  char perms[5] = {};
  bool operator==(const Mapping& o) const {
    return lo == o.lo && hi == o.hi && inode == o.inode && major == o.major && minor == o.minor &&
           std::strcmp(perms, o.perms) == 0;
  }
};

// Parses a mapping's first line in /proc/self/maps or smaps.
bool ParseMapping(const std::string& line, Mapping* m) {
  unsigned long long offset = 0;
  return std::sscanf(line.c_str(), "%lx-%lx %4s %llx %x:%x %lu", &m->lo, &m->hi, m->perms, &offset,
                     &m->major, &m->minor, &m->inode) == 7;
}

// Whether [begin, end) lies in one private, read-only mapping of a file that holds no
// anonymous (copied-on-write) pages: its pages are then copies of the file's. smaps, which
// counts those, walks the page tables of every mapping before it: the last mapping found
// (a compiled model's weights are all in one) is remembered and recognised in maps.
bool InReadOnlyFileMapping(uintptr_t begin, uintptr_t end) {
  static std::mutex mu;
  static Mapping known;
  std::lock_guard<std::mutex> lock(mu);
  Mapping m;
  bool found = false;
  std::ifstream maps("/proc/self/maps");
  for (std::string line; !found && std::getline(maps, line);)
    found = ParseMapping(line, &m) && m.lo <= begin && end <= m.hi;
  if (!found || m.perms[1] != '-' || m.perms[3] != 'p' || m.inode == 0) return false;
  if (m == known) return true;
  std::ifstream smaps("/proc/self/smaps");
  bool in = false;
  for (std::string line; std::getline(smaps, line);) {
    Mapping s;
    if (ParseMapping(line, &s)) {
      if (in) return false;
      in = s == m;
      continue;
    }
    unsigned long kb = 0;
    if (in && std::sscanf(line.c_str(), "Anonymous: %lu kB", &kb) == 1) {
      if (kb != 0) return false;
      known = m;
      return true;
    }
  }
  return false;
}

}  // namespace

void ReleaseFilePages(const void* p, size_t bytes) {
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  if (bytes < (1u << 20)) return;
  uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
  uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) / page * page;
  if (end > begin && InReadOnlyFileMapping(begin, end))
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace odla_rt
