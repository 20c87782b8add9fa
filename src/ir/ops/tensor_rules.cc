#include "ir/ops/tensor_rules.h"

#include <algorithm>

namespace halo {

std::vector<int64_t> IntsFromInputOrAttr(InferContext& c, size_t i, const std::string& attr) {
  if (!c.has_input(i)) return c.node()->GetInts(attr);
  const Tensor& t = c.require_const(i);
  c.check(IsInteger(t.type().dtype), "input ", i, " must hold integers, got ", t.type().ToString());
  c.check(t.type().Rank() <= 1, "input ", i, " must be a list (rank 1), got ", t.type().ToString());
  return t.ToInts();
}

std::vector<int64_t> NormalizeAxes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> r;
  for (int64_t a : axes) {
    int64_t n = NormalizeAxis(a, rank);
    if (n >= rank) throw Err("axis ", a, " is out of range for rank ", rank);
    if (std::find(r.begin(), r.end(), n) != r.end()) throw Err("axis ", a, " is repeated");
    r.push_back(n);
  }
  return r;
}

void CheckIndexType(InferContext& c, const Type& t, const char* what) {
  c.check(t.dtype == DataType::kInt32 || t.dtype == DataType::kInt64, what,
          " must be int32 or int64, got ", t.ToString());
}

int64_t ScalarInt(InferContext& c, const Tensor& t, const char* what) {
  c.check(t.type().NumElements() == 1, what, " must hold one value, got ", t.type().ToString());
  return IsFloat(t.type().dtype) ? static_cast<int64_t>(t.GetDouble(0)) : t.GetInt(0);
}

}  // namespace halo
