#include "passes/layout.h"

#include "passes/rewrite.h"

namespace halo {

Layout::Layout(const Shape& shape) : src_(shape) {
  for (int64_t d : shape) {
    if (d <= 0) valid_ = false;
    if (d > 1) {
      perm_.push_back(static_cast<int>(size_.size()));
      size_.push_back(d);
    }
    src_end_.push_back(static_cast<int>(size_.size()));
  }
  out_end_ = src_end_;
}

Shape Layout::out() const {
  Shape s;
  for (size_t j = 0; j < out_end_.size(); ++j) {
    int64_t d = 1;
    for (int p = Begin(out_end_, j); p < out_end_[j]; ++p) d *= size_[perm_[p]];
    s.push_back(d);
  }
  return s;
}

void Layout::Split(int k, int64_t outer) {
  size_.insert(size_.begin() + k + 1, size_[k] / outer);
  size_[k] = outer;
  for (int& e : src_end_) e += e > k;
  int pos = 0;
  for (size_t p = 0; p < perm_.size(); ++p) {
    if (perm_[p] == k) pos = static_cast<int>(p);
    perm_[p] += perm_[p] > k;
  }
  perm_.insert(perm_.begin() + pos + 1, k + 1);
  for (int& e : out_end_) e += e > pos;
}

bool Layout::Transpose(const std::vector<int64_t>& perm) {
  if (!valid_ || perm.size() != out_end_.size()) return Fail();
  std::vector<bool> seen(perm.size());
  std::vector<int> p2, ends;
  for (int64_t j : perm) {
    if (j < 0 || j >= static_cast<int64_t>(perm.size()) || seen[j]) return Fail();
    seen[j] = true;
    p2.insert(p2.end(), perm_.begin() + Begin(out_end_, j), perm_.begin() + out_end_[j]);
    ends.push_back(static_cast<int>(p2.size()));
  }
  perm_ = p2;
  out_end_ = ends;
  return true;
}

bool Layout::Reshape(const Shape& shape) {
  if (!valid_) return false;
  std::vector<int> ends;
  size_t p = 0;
  for (int64_t d : shape) {
    if (d <= 0) return Fail();
    for (int64_t need = d; need > 1; ++p) {
      if (p >= perm_.size()) return Fail();
      int64_t f = size_[perm_[p]];
      if (f > need) {  // the dimension ends inside this factor: split it
        if (f % need) return Fail();
        Split(perm_[p], need);
        f = need;
      }
      if (need % f) return Fail();
      need /= f;
    }
    ends.push_back(static_cast<int>(p));
  }
  if (p != perm_.size()) return Fail();
  out_end_ = ends;
  return true;
}

bool Layout::KeepsLastAxis() const {
  int last = static_cast<int>(size_.size()) - 1;
  return valid_ && last >= 0 && !src_end_.empty() && !out_end_.empty() &&
         Begin(src_end_, src_end_.size() - 1) == last && src_end_.back() == last + 1 &&
         perm_.back() == last && Begin(out_end_, out_end_.size() - 1) == last &&
         out_end_.back() == last + 1;
}

void Layout::SetLastAxis(int64_t n) {
  size_.back() = n;
  src_.back() = n;
}

bool Layout::WholeAxis(int axis, int* src_axis) const {
  if (!valid_ || axis < 0 || axis >= static_cast<int>(out_end_.size())) return false;
  int p = Begin(out_end_, axis);
  if (out_end_[axis] != p + 1) return false;
  for (size_t d = 0; d < src_end_.size(); ++d) {
    if (Begin(src_end_, d) == perm_[p] && src_end_[d] == perm_[p] + 1) {
      *src_axis = static_cast<int>(d);
      return true;
    }
  }
  return false;
}

void Layout::SetAxis(int axis, int64_t n) {
  int src_axis = 0;
  WholeAxis(axis, &src_axis);
  size_[perm_[Begin(out_end_, axis)]] = n;
  src_[src_axis] = n;
}

void Layout::Runs(Shape* sizes, std::vector<int64_t>* order) const {
  std::vector<int> pos(perm_.size()), run(perm_.size());
  for (size_t p = 0; p < perm_.size(); ++p) pos[perm_[p]] = static_cast<int>(p);
  sizes->clear();
  for (size_t k = 0; k < size_.size(); ++k) {
    if (k == 0 || pos[k] != pos[k - 1] + 1) {
      sizes->push_back(1);
    }
    sizes->back() *= size_[k];
    run[k] = static_cast<int>(sizes->size()) - 1;
  }
  order->clear();
  for (size_t p = 0; p < perm_.size(); ++p)
    if (p == 0 || run[perm_[p]] != run[perm_[p - 1]]) order->push_back(run[perm_[p]]);
}

int Layout::Transposes() const {
  Shape sizes;
  std::vector<int64_t> order;
  Runs(&sizes, &order);
  return order.size() > 1 ? 1 : 0;
}

Value* Layout::Emit(Rewriter& rw, Value* x, const std::string& name, const Shape* as) const {
  Shape sizes;
  std::vector<int64_t> order;
  Runs(&sizes, &order);
  if (order.size() > 1) {
    if (x->type().shape != sizes)
      x = rw.Add("Reshape", name + "_split", {x}, ReshapeAttrs(sizes))->output();
    x = rw.Add("Transpose", name, {x}, {{"perm", order}})->output();
  }
  Shape o = as ? *as : out();
  if (x->type().shape != o) x = rw.Add("Reshape", name + "_merge", {x}, ReshapeAttrs(o))->output();
  return x;
}

}  // namespace halo
