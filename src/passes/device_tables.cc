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
// The device and link numbers are NOT measured yet: an H100 SXM's datasheet figures, rounded
// down (fp32 without tensor cores about 67 TFLOP/s, HBM3 3.35 TB/s: say 40000 and 2500), and
// PCIe 5 x16's practical rate (about 25 GB/s of its 64). On a GPU machine
// `scripts/gpu_checks.sh gpu-pack measure` (halo-measure-cuda) prints all five measured: put
// them here with the date, GPU and host. The host's ARE measured, for the host parts'
// libodla_ref_host (the ref kernels): `nice build/bin/halo-measure-ref`, median of 7 runs,
// 2026-11-26 13:21-13:23 UTC on this 2-core AMD EPYC build machine (shared; >= 90% idle before
// each run, load average 1.4-1.7): Gemm 1024^3 133 GFLOP/s, element-wise Add 26.8 GB/s
// (halo-measure-dnnl: 196 GFLOP/s, 25.3 GB/s). docs/heterogeneous.md, "Measuring a device".
constexpr const char* kCuda = R"(device cuda
ops Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool
ops BatchNormalization Cast Ceil Celu Clip Concat Conv ConvTranspose Cos Cosh CumSum
ops DepthToSpace Div Elu Equal Erf Exp Expand Flatten Floor FusedConv FusedGemm FusedMatMul
ops Gather Gemm GlobalAveragePool GlobalMaxPool Greater GreaterOrEqual HardSigmoid HardSwish
ops Hardmax Identity InstanceNormalization LayerNormalization LeakyRelu Less LessOrEqual Log
ops LogSoftmax MatMul Max MaxPool Mean Min Mod Mul Neg Not Or PRelu Pad Pow Reciprocal
ops ReduceL1 ReduceL2 ReduceLogSum ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum
ops ReduceSumSquare Relu Reshape Resize Round Selu Sigmoid Sign Sin Sinh Slice Softmax
ops Softplus Softsign SpaceToDepth Split Sqrt Squeeze Sub Sum Tan Tanh ThresholdedRelu Tile
ops Transpose Unsqueeze Upsample Where Xor
gflops 40000
gbps 2500
host_gflops 133
host_gbps 27
link_gbps 25
)";

}  // namespace

const char* BuiltinDeviceTableText(const std::string& name) {
  if (name == "sim") return kSim;
  if (name == "cuda") return kCuda;
  return nullptr;
}

const char* BuiltinDeviceNames() { return "host, sim, cuda"; }

}  // namespace halo
