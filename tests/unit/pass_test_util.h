// Helpers for tests of the optimizing passes: a graph built twice (optimized and not), run
// on the same pseudo-random inputs, and the ops that remain.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/passes.h"
#include "targets/executor.h"

namespace halo::test {

using BuildFn = std::function<void(Graph&)>;

// The graph that `build` makes, after the pipeline (all of it, or only infer-shapes).
inline std::unique_ptr<Graph> Built(const BuildFn& build, bool optimize = true,
                                    const std::set<std::string>& disabled = {}) {
  auto g = std::make_unique<Graph>("test");
  build(*g);
  RunPipeline(*g, {}, optimize, disabled);
  return g;
}

// The ops of the graph's nodes other than inputs and constants, in order.
inline std::vector<std::string> Ops(const Graph& g) {
  std::vector<std::string> ops;
  for (const auto& n : g.nodes())
    if (n->op() != "Input" && n->op() != "Constant") ops.push_back(n->op());
  return ops;
}

// Pseudo-random values in [-2, 2) for each input (float32 or float64).
inline std::vector<Tensor> RandomInputs(const Graph& g, uint32_t seed = 1) {
  std::vector<Tensor> ins;
  for (const Value* v : g.inputs()) {
    Tensor t(v->type());
    for (int64_t i = 0; i < v->type().NumElements(); ++i) {
      seed = seed * 1664525u + 1013904223u;
      double x = (seed >> 8) / double(1 << 24) * 4 - 2;
      if (v->type().dtype == DataType::kFloat64)
        t.mutable_data<double>()[i] = x;
      else
        t.mutable_data<float>()[i] = static_cast<float>(x);
    }
    ins.push_back(std::move(t));
  }
  return ins;
}

inline std::vector<double> Values(const Tensor& t) {
  std::vector<double> v(t.type().NumElements());
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.GetDouble(static_cast<int64_t>(i));
  return v;
}

// Runs the optimized and the unoptimized graph of `build` and compares every output: equal
// within `tol` times the largest magnitude of the unoptimized output (0: bit for bit).
// Returns the optimized graph.
inline std::unique_ptr<Graph> ExpectSameResults(const BuildFn& build, double tol,
                                                const std::set<std::string>& disabled = {}) {
  auto ref = Built(build, false);
  auto opt = Built(build, true, disabled);
  std::vector<Tensor> ins = RandomInputs(*ref);
  std::vector<Tensor> want = Executor(*ref).Run(ins);
  std::vector<Tensor> got = Executor(*opt).Run(ins);
  EXPECT_EQ(want.size(), got.size());
  for (size_t o = 0; o < want.size() && o < got.size(); ++o) {
    EXPECT_EQ(want[o].type(), got[o].type());
    EXPECT_EQ(ref->outputs()[o]->name(), opt->outputs()[o]->name());
    std::vector<double> a = Values(want[o]), b = Values(got[o]);
    if (a.size() != b.size()) continue;
    double scale = 0;
    for (double x : a) scale = std::max(scale, std::fabs(x));
    for (size_t i = 0; i < a.size(); ++i) {
      bool ok = tol == 0 ? a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))
                         : std::fabs(a[i] - b[i]) <= tol * scale;
      if (ok) continue;
      ADD_FAILURE() << "output " << o << " element " << i << ": " << b[i] << ", expected " << a[i]
                    << (tol == 0 ? " exactly" : "");
      break;
    }
  }
  return opt;
}

// A constant of `shape` with pseudo-random values in [lo, hi).
inline Value* RandomConst(Graph& g, const std::string& name, const Shape& shape, double lo = -1,
                          double hi = 1, DataType dt = DataType::kFloat32, uint32_t seed = 7) {
  Tensor t(Type(dt, shape));
  for (int64_t i = 0; i < t.type().NumElements(); ++i) {
    seed = seed * 1664525u + 1013904223u + static_cast<uint32_t>(name.size());
    double x = lo + (seed >> 8) / double(1 << 24) * (hi - lo);
    if (dt == DataType::kFloat64)
      t.mutable_data<double>()[i] = x;
    else
      t.mutable_data<float>()[i] = static_cast<float>(x);
  }
  return g.AddConstant(g.UniqueName(name), std::move(t));
}

// Adds a node with attributes; returns its (first) result.
inline Value* Op(Graph& g, const std::string& op, const std::vector<Value*>& in,
                 const std::map<std::string, AttrValue>& attrs = {}, const std::string& name = "") {
  Node* n = g.AddNode(op, g.UniqueName(name.empty() ? op : name), in);
  for (const auto& [k, v] : attrs) n->set_attr(k, v);
  n->output()->set_name(n->name());
  return n->output();
}

}  // namespace halo::test
