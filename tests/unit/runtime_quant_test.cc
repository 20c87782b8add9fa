// The ref runtime's QuantizeLinear / DequantizeLinear builders called directly (below the IR's
// verifier): a zero point needs as many entries as the scale.
#include <gtest/gtest.h>
#include <odla/odla.h>
#include <odla/odla_ops.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../runtime_test_util.h"

namespace {

using odla_test::OneContext;
using odla_test::Type;

struct PerAxis {
  OneContext c;
  std::vector<float> scales{1, 2, 4};
  std::vector<uint8_t> zps{0, 10, 20};
  odla_value x = odla_CreateArgument(Type({2, 3}), "x");
  odla_value scale = odla_CreateConstant(Type({3}), scales.data(), "scale");
  odla_value zp3 = odla_CreateConstant(Type({3}, ODLA_UINT8), zps.data(), "zp3");
  odla_value zp1 = odla_CreateConstant(Type({1}, ODLA_UINT8), zps.data(), "zp1");
};

TEST(RuntimeQuant, PerAxisZeroPointNeedsAnEntryPerScale) {
  PerAxis p;
  EXPECT_EQ(odla_QuantizeLinear(p.x, p.scale, p.zp1, 1, "onnx", Type({2, 3}, ODLA_UINT8), "q"),
            nullptr);
  EXPECT_NE(std::string(odla_GetLastErrorText()).find("y_zero_point has 1 entry"),
            std::string::npos)
      << odla_GetLastErrorText();
  odla_value u8 = odla_CreateArgument(Type({2, 3}, ODLA_UINT8), "u8");
  EXPECT_EQ(odla_DequantizeLinear(u8, p.scale, p.zp1, 1, Type({2, 3}), "dq"), nullptr);
  EXPECT_NE(std::string(odla_GetLastErrorText()).find("x_zero_point has 1 entry"),
            std::string::npos)
      << odla_GetLastErrorText();
}

TEST(RuntimeQuant, PerAxisZeroPointOfScaleCountRuns) {
  PerAxis p;
  odla_value q = odla_QuantizeLinear(p.x, p.scale, p.zp3, 1, "onnx", Type({2, 3}, ODLA_UINT8), "q");
  ASSERT_NE(q, nullptr) << odla_GetLastErrorText();
  odla_value dq = odla_DequantizeLinear(q, p.scale, p.zp3, 1, Type({2, 3}), "dq");
  ASSERT_NE(dq, nullptr) << odla_GetLastErrorText();
  ASSERT_EQ(odla_SetValueAsOutput(dq), ODLA_SUCCESS);
  // Quantized per column: 1, 10 + 1, 20 + 1, then 0 (-1 saturates), 10 - 2, 20 - 4.
  auto out = p.c.Run({1, 2, 4, -1, -4, -15}, 1, 6);
  EXPECT_EQ(out[0], (std::vector<float>{1, 2, 4, 0, -4, -16}));
}

}  // namespace
