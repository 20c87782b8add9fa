#include "ir/ops/rules.h"

#include <algorithm>

namespace halo {

Shape BroadcastShapes(const Shape& a, const Shape& b) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      throw Err("shapes ", ShapeToString(a), " and ", ShapeToString(b), " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t NormalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    throw Err("axis ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

Shape ReducedShape(const Shape& x, const std::vector<int64_t>& axes, bool keepdims) {
  Shape s;
  for (int64_t i = 0; i < static_cast<int64_t>(x.size()); ++i) {
    if (!std::binary_search(axes.begin(), axes.end(), i))
      s.push_back(x[i]);
    else if (keepdims)
      s.push_back(1);
  }
  return s;
}

void SameAsInput0(InferContext& c) { c.set_out(c.in(0)); }

FlopsFn FlopsPerResultElement(double k) {
  return [k](const Node& n) { return k * static_cast<double>(n.output(0)->type().NumElements()); };
}

FlopsFn FlopsPerInputElement(double k) {
  return [k](const Node& n) { return k * static_cast<double>(n.input(0)->type().NumElements()); };
}

}  // namespace halo
