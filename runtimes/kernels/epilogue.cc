#include "epilogue.h"

#include <limits>

namespace odla_rt {

Activation ParseActivation(const std::string& name, float alpha, float beta) {
  static const struct {
    const char* name;
    ActKind kind;
  } kinds[] = {{"", ActKind::kNone},
               {"Relu", ActKind::kRelu},
               {"LeakyRelu", ActKind::kLeakyRelu},
               {"Clip", ActKind::kClip},
               {"Sigmoid", ActKind::kSigmoid},
               {"Tanh", ActKind::kTanh},
               {"HardSigmoid", ActKind::kHardSigmoid},
               {"HardSwish", ActKind::kHardSwish},
               {"Elu", ActKind::kElu},
               {"Gelu", ActKind::kGelu}};
  for (const auto& k : kinds) {
    if (name != k.name) continue;
    Activation a{k.kind, alpha, beta};
    if (k.kind == ActKind::kClip) {  // bounds at or beyond +-FLT_MAX mean none, as for Clip
      constexpr float kMax = std::numeric_limits<float>::max();
      constexpr float kInf = std::numeric_limits<float>::infinity();
      if (a.alpha <= -kMax) a.alpha = -kInf;
      if (a.beta >= kMax) a.beta = kInf;
    }
    return a;
  }
  Fail("unknown activation '", name, "'");
}

}  // namespace odla_rt
