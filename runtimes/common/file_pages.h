// Constants whose data a runtime has copied into a layout of its own (packed, reordered) need
// not stay in memory: ReleaseFilePages drops their pages from the resident set.
#pragma once

#include <cstddef>

namespace odla_rt {

// Drops the whole pages of [p, p + bytes) from the resident set, only where they are copies
// of a file (the weights of a compiled model, mapped read-only): touched again, they are read
// back. Other memory (the heap), and constants under 1 MiB, are left as they are.
void ReleaseFilePages(const void* p, size_t bytes);

}  // namespace odla_rt
