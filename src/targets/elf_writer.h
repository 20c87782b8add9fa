// The weights of a compiled model as an ELF64 relocatable object: one read-only data symbol
// that the application links in with the generated code.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "ir/progress.h"

namespace halo {

// A blob assembled from pieces placed at given offsets; the gaps are zero.
struct Blob {
  struct Piece {
    size_t offset = 0;
    const uint8_t* data = nullptr;
    size_t size = 0;
  };
  std::vector<Piece> pieces;  // sorted by offset, not overlapping
  size_t size = 0;            // total size, at least the end of the last piece

  // Appends `size` bytes at the next multiple of `align`; returns their offset.
  size_t Append(const uint8_t* data, size_t size, size_t align);
  // Writes the bytes of the blob, reporting the bytes written so far ("emit").
  void Write(std::ostream& os, const ProgressFn& progress = {}) const;
};

// The alignment of the data section and of every constant in it.
constexpr size_t kWeightsAlign = 64;

// Writes an ELF64 little-endian relocatable object for the host machine (x86-64 or
// AArch64) with the blob in a read-only data section (aligned to kWeightsAlign), a global
// object symbol `symbol` covering it, and an empty .note.GNU-stack (no executable stack).
// On x86-64 the section is .lrodata, flagged SHF_X86_64_LARGE: linkers place it after the
// program's other data, so weights of 2 GB and more do not push the program's own data out
// of the reach of 32-bit PC-relative addressing (the default code model). Throws Error on a
// host the writer does not know.
void WriteElfObject(std::ostream& os, const std::string& symbol, const Blob& blob,
                    const ProgressFn& progress = {});

// SHF_X86_64_LARGE of the x86-64 psABI (glibc's elf.h lacks it).
constexpr uint64_t kShfX86_64Large = 0x10000000;

// The name of the section WriteElfObject puts the weights in on this host.
const char* WeightsSectionName();

}  // namespace halo
