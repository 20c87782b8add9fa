// libodla_cuda's Einsum (ops_linalg.cc) against the host builder, as the other CudaKernels
// tests (cuda_kernels_util.h). Without a GPU it skips.

#include <string>

#include "cuda_kernels_util.h"

ODLA_REF_DECL(Einsum)

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

void CheckEinsum(const std::string& eq, const std::vector<Dims>& shapes, const Dims& out) {
  SCOPED_TRACE(eq);
  std::vector<Arg> args;
  for (size_t i = 0; i < shapes.size(); ++i) args.push_back(F32(shapes[i], 10 + i));
  ExpectSame(args, One([=](auto a, bool c) {
               return OP(c, Einsum)(Values(a), eq.c_str(), Type(out), "y");
             }));
}

TEST_F(CudaKernels, Einsum) {
  CheckEinsum("ij,jk->ik", {{3, 4}, {4, 5}}, {3, 5});                          // a product
  CheckEinsum("bhqd,bhkd->bhqk", {{2, 3, 4, 8}, {2, 3, 5, 8}}, {2, 3, 4, 5});  // attention
  CheckEinsum("ii->i", {{4, 4}}, {4});                                         // a diagonal
  CheckEinsum("ij->", {{3, 7}}, {});                                           // a sum of all
  CheckEinsum("ij->ji", {{3, 5}}, {5, 3});                                     // a transpose
  CheckEinsum("ab,bc,cd->ad", {{2, 3}, {3, 4}, {4, 5}}, {2, 5});               // three operands
  CheckEinsum("abc,c->ab", {{2, 3, 6}, {6}}, {2, 3});                          // a vector product
  CheckEinsum("i,j->ij", {{3}, {4}}, {3, 4});                                  // an outer product
  CheckEinsum("bij,bjk->bik", {{1, 3, 4}, {2, 4, 5}}, {2, 3, 5});              // a broadcast batch
}

}  // namespace
