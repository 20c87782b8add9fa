// All-or-nothing output: files are written to temporaries beside their final paths and
// renamed into place only when every one of them was written.
#pragma once

#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace halo {

class FileSet {
 public:
  FileSet() = default;
  FileSet(const FileSet&) = delete;
  FileSet& operator=(const FileSet&) = delete;
  // Removes the temporaries of a set that was not committed.
  ~FileSet();

  // Starts the file `path` (as a temporary in the same directory). Throws Error naming
  // `path` when it cannot be created.
  std::ostream& Add(const std::string& path);
  // Finishes every file and renames them into place. Throws Error naming the path that
  // failed; then no file of the set is left behind.
  void Commit();

 private:
  struct File {
    std::string path, temp;
    std::ofstream os;
  };
  void RemoveTemporaries();
  std::vector<std::unique_ptr<File>> files_;
};

}  // namespace halo
