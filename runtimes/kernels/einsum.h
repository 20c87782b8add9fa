// Einsum on an explicit equation without ellipses ("ij,jk->ik"): operands are contracted
// left to right, each pair as a batched GEMM after arranging both into [batch, M, K] and
// [batch, K, N]; repeated letters (diagonals), letters summed early and the final order are
// handled by one strided gather-and-sum.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace odla_rt {

// out[o] (dense) = the sum over q of src[offset(o, q)]: `dims` and `strides` walk the `outer`
// kept elements first (row-major), then the `inner` summed ones; sums in order, in T.
struct EinsumGather {
  int src = 0;  // the operand, or -1: the previous stage's product
  std::vector<int64_t> dims, strides;
  int64_t outer = 1, inner = 1;
  size_t kept = 0;  // how many of dims are kept
};

// One contraction: a [nb, nm, nk] (gathered from the running operand) times b [nb, nk, nn]
// (from the next operand) into the product [nb, nm, nn].
struct EinsumStage {
  EinsumGather a, b;
  int64_t nb = 1, nm = 1, nk = 1, nn = 1;
};

class EinsumPlan {
 public:
  // Parses the equation and checks it against the operand shapes; throws on mismatch.
  EinsumPlan(const std::string& equation, const std::vector<std::vector<int64_t>>& shapes);
  const std::vector<int64_t>& out_shape() const { return out_shape_; }

  template <typename T>
  void Run(const std::vector<const T*>& in, T* out) const;

  // The stages (operands contracted left to right), then the gather into the result.
  const std::vector<EinsumStage>& stages() const { return stages_; }
  const EinsumGather& final_gather() const { return final_; }

 private:
  std::vector<std::string> terms_;
  std::string out_;
  std::vector<std::vector<int64_t>> shapes_;
  std::map<char, int64_t> size_;
  std::vector<int64_t> out_shape_;
  std::vector<EinsumStage> stages_;
  EinsumGather final_;
};

}  // namespace odla_rt
