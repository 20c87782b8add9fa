// odla_SetComputationPrecision: bf16 where oneDNN's instruction set has bf16 instructions
// (AVX512-BF16, AMX), else fp32 with the shared one-line notice.
#include "dnnl_rt.h"

ODLA_DNNL_FILE(precision)

namespace odla_dnnl {

namespace {

std::string IsaName(unsigned isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41:
      return "SSE41";
    case dnnl_cpu_isa_avx:
      return "AVX";
    case dnnl_cpu_isa_avx2:
      return "AVX2";
    case dnnl_cpu_isa_avx2_vnni:
      return "AVX2_VNNI";
    case dnnl_cpu_isa_avx512_core:
      return "AVX512_CORE";
    case dnnl_cpu_isa_avx512_core_vnni:
      return "AVX512_CORE_VNNI";
    case dnnl_cpu_isa_avx512_core_bf16:
      return "AVX512_CORE_BF16";
    case dnnl_cpu_isa_avx512_core_amx:
      return "AVX512_CORE_AMX";
    default:
      return "0x" + [isa] {
        std::ostringstream os;
        os << std::hex << isa;
        return os.str();
      }();
  }
}

}  // namespace

bool CpuHasBf16() {
  const unsigned bf16 = dnnl_cpu_isa_avx512_core_bf16;
  return (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & bf16) == bf16;
}

bool UseBf16() { return odla_rt::CurrentPrecision() == ODLA_PRECISION_BF16; }

}  // namespace odla_dnnl

extern "C" odla_status odla_SetComputationPrecision(odla_computation computation,
                                                    odla_precision precision) {
  return odla_rt::GuardStatus([&] {
    odla_rt::SetPrecision(computation, precision);  // checks the arguments
    if (precision == ODLA_PRECISION_TF32) {
      odla_rt::SetPrecision(computation, ODLA_PRECISION_FP32);
      odla_rt::PrecisionNotice("tf32 is not supported by this runtime");
      return;
    }
    if (precision != ODLA_PRECISION_BF16 || odla_dnnl::CpuHasBf16()) return;
    odla_rt::SetPrecision(computation, ODLA_PRECISION_FP32);
    odla_rt::PrecisionNotice(
        "bf16 needs AVX512-BF16 or AMX, oneDNN's instruction set here is " +
        odla_dnnl::IsaName(static_cast<unsigned>(dnnl::get_effective_cpu_isa())));
  });
}
