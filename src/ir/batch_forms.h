// A model compiled for a batch size chosen at run time (--dynamic-batch): the graph at batch
// size 1, plus each of its integers that depends on the batch size, as scale * batch + offset.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ir/graph.h"

namespace halo {

struct BatchAffine {
  int64_t scale = 0;
  int64_t offset = 0;
  int64_t At(int64_t batch) const { return scale * batch + offset; }
  bool operator==(const BatchAffine& o) const { return scale == o.scale && offset == o.offset; }
};

// The integers of a graph that depend on the batch size (scale != 0); all others are the
// graph's own numbers. Keys point into the graph the forms were computed for.
struct BatchForms {
  // The dimensions of value types: value -> dimension -> form.
  std::map<const Value*, std::map<int, BatchAffine>> dims;
  // Lowered int and ints attributes: node -> attribute -> element (0 for an int) -> form.
  std::map<const Node*, std::map<std::string, std::map<size_t, BatchAffine>>> attrs;

  // The forms of `v`'s dimensions (empty when none depends on the batch size).
  const std::map<int, BatchAffine>& DimsOf(const Value* v) const {
    static const std::map<int, BatchAffine> kNone;
    auto it = dims.find(v);
    return it == dims.end() ? kNone : it->second;
  }
  // The forms of the elements of `n`'s attribute `attr`.
  const std::map<size_t, BatchAffine>& AttrOf(const Node* n, const std::string& attr) const {
    static const std::map<size_t, BatchAffine> kNone;
    auto it = attrs.find(n);
    if (it == attrs.end()) return kNone;
    auto a = it->second.find(attr);
    return a == it->second.end() ? kNone : a->second;
  }
};

}  // namespace halo
