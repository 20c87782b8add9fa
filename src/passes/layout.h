// Layout: a value's elements as another value's, rearranged by a chain of Reshapes and
// Transposes, in one form: the source's dimensions split into factors (each dimension the
// product of consecutive factors; dimensions of size 1 hold none), the factors permuted, and
// the permuted factors grouped into the result's dimensions. Any such chain is at most one
// Transpose between two Reshapes (views, which move no data). merge-transposes composes
// chains in this form.
#pragma once

#include <string>
#include <vector>

#include "ir/types.h"

namespace halo {

class Rewriter;
class Value;

class Layout {
 public:
  // The identity on a value of `shape`; invalid when a dimension is not positive.
  explicit Layout(const Shape& shape);

  bool valid() const { return valid_; }
  const Shape& src() const { return src_; }
  Shape out() const;

  // Composes a Transpose by `perm` or a Reshape to `shape` after the layout. False (and the
  // layout invalid) when the result's dimensions and the new ones have no common split into
  // factors ([6, 4] -> [4, 6] has none).
  bool Transpose(const std::vector<int64_t>& perm);
  bool Reshape(const Shape& shape);

  // Whether the source's last dimension stays the result's last, whole and alone: an op on
  // the rows of the last axis (a product by a matrix, a bias) then commutes with the layout.
  bool KeepsLastAxis() const;
  // Sets that last dimension to n > 1 at both ends (the op's result). Needs KeepsLastAxis().
  void SetLastAxis(int64_t n);
  // Whether result dimension `axis` is a whole source dimension; *src_axis is that one.
  bool WholeAxis(int axis, int* src_axis) const;
  // Sets result dimension `axis` (a whole source dimension) to n > 1 at both ends.
  void SetAxis(int axis, int64_t n);

  // The Transposes that Emit adds: 1 when factors change order, else 0.
  int Transposes() const;
  // Adds the ops that compute the layout of x (src()'s elements in any shape): a Reshape,
  // a Transpose and a Reshape to *as (out()'s elements; out() when null), each only where
  // needed. Returns x when none is.
  Value* Emit(Rewriter& rw, Value* x, const std::string& name, const Shape* as = nullptr) const;

 private:
  bool Fail() { return valid_ = false; }
  void Split(int k, int64_t outer);  // factor k becomes outer x (size / outer)
  int Begin(const std::vector<int>& ends, size_t d) const { return d ? ends[d - 1] : 0; }
  // Runs of factors adjacent and in order at both ends: their sizes in source order and
  // their order in the result.
  void Runs(Shape* sizes, std::vector<int64_t>* order) const;

  Shape src_;
  std::vector<int64_t> size_;  // factor sizes, in source order
  std::vector<int> src_end_;   // source dimension d holds factors [Begin(d), src_end_[d])
  std::vector<int> perm_;      // permuted position p holds factor perm_[p]
  std::vector<int> out_end_;   // result dimension j holds positions [Begin(j), out_end_[j])
  bool valid_ = true;
};

}  // namespace halo
