// NumPy .npy files (format versions 1.0, 2.0 and 3.0) to and from tensors: little-endian
// or byte-sized elements in C order; Fortran order, big-endian data and object arrays are
// refused with an error.
#pragma once

#include <string>

#include "ir/types.h"

namespace halo {

// Parses the contents of an .npy file. Errors name `what` (the file).
Tensor ParseNpy(const std::string& bytes, const std::string& what);
Tensor ReadNpy(const std::string& path);

// The .npy bytes of a tensor (version 1.0, or 2.0 when the header needs it).
std::string SerializeNpy(const Tensor& t);

}  // namespace halo
