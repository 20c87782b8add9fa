// halo-cuda-probe: prints the first CUDA device's name and exits 0, or prints why there is
// none ("no CUDA device: ...") and exits 77, the skip code of the GPU tests (ctest
// SKIP_RETURN_CODE 77; tests/gpu/gpu_test.sh, tests/e2e/cuda.sh).
#include <cuda_runtime_api.h>

#include <cstdio>

int main() {
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    std::printf("no CUDA device: cudaGetDeviceCount: %s (%s)\n", cudaGetErrorName(e),
                cudaGetErrorString(e));
    return 77;
  }
  if (count == 0) {
    std::printf("no CUDA device: cudaGetDeviceCount found none\n");
    return 77;
  }
  cudaDeviceProp p{};
  e = cudaGetDeviceProperties(&p, 0);
  if (e != cudaSuccess) {
    std::printf("no CUDA device: cudaGetDeviceProperties: %s\n", cudaGetErrorString(e));
    return 77;
  }
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  std::printf("%s (compute capability %d.%d, %zu MiB, %d devices, driver %d.%d, runtime %d.%d)\n",
              p.name, p.major, p.minor, static_cast<size_t>(p.totalGlobalMem >> 20), count,
              driver / 1000, driver % 1000 / 10, runtime / 1000, runtime % 1000 / 10);
  return 0;
}
