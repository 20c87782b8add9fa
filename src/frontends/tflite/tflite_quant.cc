// DEQUANTIZE of float16 constants (fp16-weight models: folded to float32 at compile time)
// and the entry point for handlers of quantized operators: RegisterQuantOps fills
// OpTable::quantized, which the importer consults for every operator that reads or writes
// an integer tensor with quantization parameters.
#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {
namespace {

using B = tflite::BuiltinOperator;

// Float DEQUANTIZE: FLOAT16 (usually a constant weight) to FLOAT32.
void DequantizeHalf(OpContext& c) {
  if (c.InType(0) != DataType::kFloat16)
    c.Fail("input of type ", DataTypeName(c.InType(0)), " without quantization parameters");
  c.SetOut(0, c.Cast(c.In(0), c.OutType(0)));
}

}  // namespace

// The handlers of quantized operators (tflite_quant_ops.cc).
void RegisterQuantizedOps(OpTable& t);

void RegisterQuantOps(OpTable& t) {
  t.builtin[static_cast<int>(B::DEQUANTIZE)] = DequantizeHalf;
  RegisterQuantizedOps(t);
}

}  // namespace halo::tflite_fe
