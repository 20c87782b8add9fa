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

class EinsumPlan {
 public:
  // Parses the equation and checks it against the operand shapes; throws on mismatch.
  EinsumPlan(const std::string& equation, const std::vector<std::vector<int64_t>>& shapes);
  const std::vector<int64_t>& out_shape() const { return out_shape_; }

  template <typename T>
  void Run(const std::vector<const T*>& in, T* out) const;

 private:
  std::vector<std::string> terms_;
  std::string out_;
  std::vector<std::vector<int64_t>> shapes_;
  std::map<char, int64_t> size_;
  std::vector<int64_t> out_shape_;
};

}  // namespace odla_rt
