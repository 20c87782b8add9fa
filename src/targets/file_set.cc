#include "targets/file_set.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ir/error.h"

namespace halo {

static std::string TempPath(const std::string& path) {
  static std::atomic<int> counter{0};
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + base + ".tmp" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

static Error WriteError(const std::string& path, int err) {
  return Err(path, ": cannot write the file", err ? std::string(": ") + std::strerror(err) : "");
}

FileSet::~FileSet() { RemoveTemporaries(); }

void FileSet::RemoveTemporaries() {
  for (auto& f : files_) {
    if (f->os.is_open()) f->os.close();
    if (!f->temp.empty()) std::remove(f->temp.c_str());
  }
  files_.clear();
}

std::ostream& FileSet::Add(const std::string& path) {
  auto f = std::make_unique<File>();
  f->path = path;
  f->temp = TempPath(path);
  errno = 0;
  f->os.open(f->temp, std::ios::binary | std::ios::trunc);
  if (!f->os) {
    int err = errno;
    RemoveTemporaries();
    throw WriteError(path, err);
  }
  files_.push_back(std::move(f));
  return files_.back()->os;
}

void FileSet::Commit() {
  for (auto& f : files_) {
    errno = 0;
    f->os.close();
    if (f->os.fail()) {
      int err = errno;
      std::string path = f->path;
      RemoveTemporaries();
      throw WriteError(path, err);
    }
  }
  for (size_t i = 0; i < files_.size(); ++i) {
    if (std::rename(files_[i]->temp.c_str(), files_[i]->path.c_str()) != 0) {
      int err = errno;
      std::string path = files_[i]->path;
      for (size_t j = 0; j < i; ++j) std::remove(files_[j]->path.c_str());
      for (size_t j = 0; j < i; ++j) files_[j]->temp.clear();
      RemoveTemporaries();
      throw WriteError(path, err);
    }
    files_[i]->temp.clear();
  }
  files_.clear();
}

}  // namespace halo
