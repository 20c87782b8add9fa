#include "ir/ops/rules.h"

namespace halo {

void RegisterNNOps(OpRegistry& r) { (void)r; }

}  // namespace halo
