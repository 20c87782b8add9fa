// Helpers of the rewriting passes (simplify, cse, fold-batchnorm, cancel-transposes,
// merge-transposes, fuse-*): a Rewriter that adds nodes and replaces values while keeping
// the users of every value current, and small tensor helpers.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/graph.h"

namespace halo {

// A graph under rewriting. It knows the users of each value among the live nodes (those the
// graph's inputs and outputs depend on) and keeps that current through Add*, Replace and
// the nodes a Replace leaves unused (dead at once; removed by Finish). Passes visit
// g.nodes() by index: nodes added on the way come last and are visited too.
class Rewriter {
 public:
  explicit Rewriter(Graph& g);
  Graph& graph() { return g_; }

  bool Live(const Node* n) const { return live_.count(n) != 0; }
  // Live nodes using v, once per input that is v.
  const std::vector<Node*>& Users(const Value* v) const;
  bool IsOutput(const Value* v) const { return outputs_.count(v) != 0; }
  // The node that is v's only use (v not a graph output), else nullptr.
  Node* Sole(const Value* v) const;

  // Adds a node (its results named after `name`) and infers its types; errors name it. It
  // has `results` results, or all of the op's when 0.
  Node* Add(const std::string& op, const std::string& name, const std::vector<Value*>& inputs,
            const std::map<std::string, AttrValue>& attrs = {}, int results = 0);
  // Add, then folded to a constant when its inputs are constants (single-result ops): its
  // result.
  Value* AddFolded(const std::string& op, const std::string& name,
                   const std::vector<Value*>& inputs,
                   const std::map<std::string, AttrValue>& attrs = {});
  // A new constant named after `base`.
  Value* AddConst(const std::string& base, Tensor t);

  // Whether `from` may be replaced by `to`: a graph output keeps its name, so `to` must not
  // be a graph input or output then (their names are fixed).
  bool CanReplace(const Value* from, const Value* to) const;
  // Makes every user of `from` (and the graph outputs) use `to`. `to` takes over from's
  // name when from is a graph output or with `take_name` (for a value the pass made),
  // unless it is a graph input or output itself. Requires CanReplace.
  void Replace(Value* from, Value* to, bool take_name = false);

  // After a change: removes the dead nodes and re-sorts the graph topologically. Returns
  // whether anything changed.
  bool Finish();

 private:
  void Register(Node* n);
  // Marks n dead when nothing uses its results, then its producers likewise.
  void Release(Node* n);

  Graph& g_;
  std::unordered_map<const Value*, std::vector<Node*>> users_;
  std::unordered_map<const Value*, int> outputs_;
  std::unordered_set<const Value*> inputs_;
  std::unordered_set<const Node*> live_;
  bool changed_ = false;
};

// A pass's walk: `f` on each node of g that is live when its turn comes, in order, those it
// adds included; then Finish. Returns whether anything changed.
bool RewriteEach(Graph& g, const std::function<void(Rewriter&, Node*)>& f);

// The attributes of `attrs` that op `op` declares.
std::map<std::string, AttrValue> AttrsFor(const std::string& op,
                                          const std::map<std::string, AttrValue>& attrs);

// When v is a constant that, broadcast to `out`, varies along `axis` only (and leaves
// `out`'s shape as it is): its values along that axis (out.shape[axis] of them).
bool ChannelValues(const Value* v, const Type& out, int axis, std::vector<double>* values);
// A float32 or float64 tensor of the given shape holding `values`.
Tensor FloatTensor(DataType t, Shape shape, const std::vector<double>& values);
// The elements of a float tensor as doubles.
std::vector<double> Doubles(const Tensor& t);

// Ops that only reshape their input 0: Reshape, Flatten, Squeeze, Unsqueeze.
bool IsReshape(const std::string& op);
// The attributes of a Reshape to `shape` (0 is a zero dimension, not a copied one).
std::map<std::string, AttrValue> ReshapeAttrs(const Shape& shape);
// Element-wise ops: unary ones (their extra inputs are scalar parameters) and binary ones.
bool IsUnary(const std::string& op);
bool IsBinary(const std::string& op);

// Whether optional input i of n is missing (past its inputs, or null).
inline bool Absent(const Node& n, size_t i) { return i >= n.num_inputs() || !n.input(i); }

// The op of the node producing v ("" for none).
const std::string& ProducerOp(const Value* v);

}  // namespace halo
