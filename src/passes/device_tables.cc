// The built-in device tables (--device NAME), in the text format of ParseDeviceTable.
#include "passes/device_tables.h"

namespace halo {
namespace {

// The simulated device runs the ref kernels: every op. Its throughputs put every operator on
// it (the link is fast), so that tests partition only through --place and tables.
constexpr const char* kSim = R"(device sim
ops *
gflops 1000
gbps 1000
host_gflops 10
host_gbps 10
link_gbps 1000
)";

// libodla_cuda (runtimes/cuda). `ops` lists exactly the builders it defines itself (the ctest
// cuda_table_current checks it against its objects; `tests/gpu/table_current.py SRC BUILD
// --print` prints these lines); it runs every other op too, on the host through the shared
// builders, but the partition then runs those in a host part instead.
// The numbers are MEASURED on the machine the GPU checks run on: one NVIDIA H100 80GB HBM3
// with a 16-core Intel Xeon host, 2026-11-26, `scripts/gpu_checks.sh gpu-pack measure`
// (halo-measure-cuda; docs/heterogeneous.md, "Measuring a device"): fp32 Gemm 51434 GFLOP/s,
// element-wise Add 1718 GB/s on the device; the host builders inside libodla_cuda (the ref
// kernels, as libodla_ref_host) 1100 GFLOP/s and 228 GB/s; copies through pageable host
// memory 2.9 GB/s (256 MiB in 171 ms, out 18 ms). On another machine, measure and use
// --device-table.
constexpr const char* kCuda = R"(device cuda
ops Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool
ops BatchNormalization BatchNormalizationTraining BitShift BitwiseAnd BitwiseNot BitwiseOr
ops BitwiseXor Cast CastLike Ceil Celu Clip Compress Concat ConstantOfShape Conv ConvInteger
ops ConvTranspose Cos Cosh CumSum DFT DepthToSpace DequantizeLinear Det Div Dropout
ops DynamicQuantizeLinear Einsum Elu Equal Erf Exp Expand EyeLike Flatten Floor FusedConv
ops FusedGemm FusedMatMul GRU Gather GatherElements GatherND Gemm GlobalAveragePool
ops GlobalMaxPool Greater GreaterOrEqual GridSample HardSigmoid HardSwish Hardmax Identity
ops InstanceNormalization IsInf IsNaN LRN LSTM LayerNormalization LeakyRelu Less LessOrEqual
ops Log LogSoftmax LpNormalization LpPool MatMul MatMulInteger MatMulNBits Max MaxPool
ops MaxRoiPool MaxUnpool Mean MeanVarianceNormalization MelWeightMatrix Min Mod Mul Neg
ops NonZero Not OneHot Or PRelu Pad Pow QLinearAdd QLinearAveragePool QLinearConv
ops QLinearLeakyRelu QLinearMatMul QLinearMul QLinearReduceMean QLinearSVDF QLinearSigmoid
ops QLinearSoftmax QLinearSub QLinearTanh QuantizeLinear RNN Range Reciprocal ReduceL1
ops ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd
ops ReduceSum ReduceSumSquare Relu Requantize Reshape Resize ReverseSequence RoiAlign Round
ops STFT SVDF Scatter ScatterElements ScatterND Selu Shape Shrink Sigmoid Sign Sin Sinh Size
ops Slice Softmax Softplus Softsign SpaceToDepth Split Sqrt Squeeze Sub Sum Tan Tanh
ops TfIdfVectorizer TfliteQuantizedLSTM ThresholdedRelu Tile TopK Transpose Trilu Unsqueeze
ops Upsample Where Xor
gflops 51434
gbps 1718
host_gflops 1100
host_gbps 228
link_gbps 2.9
)";

}  // namespace

const char* BuiltinDeviceTableText(const std::string& name) {
  if (name == "sim") return kSim;
  if (name == "cuda") return kCuda;
  return nullptr;
}

const char* BuiltinDeviceNames() { return "host, sim, cuda"; }

}  // namespace halo
