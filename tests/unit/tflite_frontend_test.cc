// The TFLite schema's published codes and the operator table's coverage.
#include <gtest/gtest.h>

#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {
namespace {

using B = tflite::BuiltinOperator;
using O = tflite::BuiltinOptions;

TEST(TfliteSchema, KeepsPublishedCodes) {
  // Builtin codes and union positions as TensorFlow publishes them (a reordered schema
  // would read every model wrong).
  EXPECT_EQ(static_cast<int>(B::CONV_2D), 3);
  EXPECT_EQ(static_cast<int>(B::CUSTOM), 32);
  EXPECT_EQ(static_cast<int>(B::UNIDIRECTIONAL_SEQUENCE_LSTM), 44);
  EXPECT_EQ(static_cast<int>(B::HARD_SWISH), 117);
  EXPECT_EQ(static_cast<int>(B::DENSIFY), 124);
  EXPECT_EQ(static_cast<int>(B::GELU), 150);
  EXPECT_EQ(static_cast<int>(B::RIGHT_SHIFT), 161);
  EXPECT_EQ(static_cast<int>(O::Conv2DOptions), 1);
  EXPECT_EQ(static_cast<int>(O::FullyConnectedOptions), 8);
  EXPECT_EQ(static_cast<int>(O::UnidirectionalSequenceLSTMOptions), 71);
  EXPECT_EQ(static_cast<int>(O::HardSwishOptions), 91);
  EXPECT_EQ(static_cast<int>(O::BatchMatMulOptions), 101);
  EXPECT_EQ(static_cast<int>(O::GeluOptions), 116);
  EXPECT_EQ(static_cast<int>(O::RightShiftOptions), 126);
  EXPECT_EQ(BuiltinName(4), "DEPTHWISE_CONV_2D");
  EXPECT_EQ(BuiltinName(999), "BUILTIN_999");
}

TEST(TfliteOps, CoverTheCommonBuiltins) {
  const B required[] = {B::CONV_2D,
                        B::DEPTHWISE_CONV_2D,
                        B::TRANSPOSE_CONV,
                        B::FULLY_CONNECTED,
                        B::ADD,
                        B::SUB,
                        B::MUL,
                        B::DIV,
                        B::MAXIMUM,
                        B::MINIMUM,
                        B::SQUARED_DIFFERENCE,
                        B::POW,
                        B::RELU,
                        B::RELU6,
                        B::RELU_N1_TO_1,
                        B::LEAKY_RELU,
                        B::PRELU,
                        B::HARD_SWISH,
                        B::LOGISTIC,
                        B::TANH,
                        B::ELU,
                        B::GELU,
                        B::SOFTMAX,
                        B::LOG_SOFTMAX,
                        B::MAX_POOL_2D,
                        B::AVERAGE_POOL_2D,
                        B::L2_NORMALIZATION,
                        B::MEAN,
                        B::SUM,
                        B::REDUCE_MAX,
                        B::REDUCE_MIN,
                        B::REDUCE_PROD,
                        B::RESHAPE,
                        B::SQUEEZE,
                        B::EXPAND_DIMS,
                        B::CONCATENATION,
                        B::PACK,
                        B::UNPACK,
                        B::SPLIT,
                        B::SPLIT_V,
                        B::SLICE,
                        B::STRIDED_SLICE,
                        B::PAD,
                        B::PADV2,
                        B::MIRROR_PAD,
                        B::TRANSPOSE,
                        B::GATHER,
                        B::GATHER_ND,
                        B::RESIZE_BILINEAR,
                        B::RESIZE_NEAREST_NEIGHBOR,
                        B::DEPTH_TO_SPACE,
                        B::SPACE_TO_DEPTH,
                        B::BATCH_MATMUL,
                        B::ARG_MAX,
                        B::ARG_MIN,
                        B::CAST,
                        B::DEQUANTIZE,
                        B::SHAPE,
                        B::TILE,
                        B::SELECT,
                        B::SELECT_V2,
                        B::EQUAL,
                        B::NOT_EQUAL,
                        B::LESS,
                        B::LESS_EQUAL,
                        B::GREATER,
                        B::GREATER_EQUAL,
                        B::LOGICAL_AND,
                        B::LOGICAL_OR,
                        B::LOGICAL_NOT,
                        B::TOPK_V2,
                        B::UNIDIRECTIONAL_SEQUENCE_LSTM,
                        B::DENSIFY};
  const OpTable& t = Ops();
  for (B b : required)
    EXPECT_TRUE(t.Supports(static_cast<int>(b), "", false)) << BuiltinName(static_cast<int>(b));
  EXPECT_TRUE(t.Supports(static_cast<int>(B::CUSTOM), "Convolution2DTransposeBias", false));
  EXPECT_FALSE(t.Supports(static_cast<int>(B::CUSTOM), "SignalWindow", false));
  EXPECT_FALSE(t.Supports(static_cast<int>(B::WHILE), "", false));
}

}  // namespace
}  // namespace halo::tflite_fe
