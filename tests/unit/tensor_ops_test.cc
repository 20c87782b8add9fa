// The tensor-manipulation ops: type/shape rules and numbers through the executor.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <map>

#include "ir/op_registry.h"
#include "passes/passes.h"
#include "targets/executor.h"
#include "test_util.h"

namespace halo {

static void PrintTo(const Type& t, std::ostream* os) { *os << t.ToString(); }

namespace {

using test::F32;
using test::Floats;

template <typename T>
Tensor Make(DataType dt, const Shape& s, const std::vector<T>& v) {
  Tensor t{Type(dt, s)};
  EXPECT_EQ(static_cast<int64_t>(v.size()), t.type().NumElements());
  for (size_t i = 0; i < v.size(); ++i) t.mutable_data<T>()[i] = v[i];
  return t;
}
Tensor I64(const Shape& s, const std::vector<int64_t>& v) { return Make(DataType::kInt64, s, v); }
Tensor I32(const Shape& s, const std::vector<int32_t>& v) { return Make(DataType::kInt32, s, v); }
Tensor I8(const Shape& s, const std::vector<int8_t>& v) { return Make(DataType::kInt8, s, v); }
Tensor Bool(const Shape& s, const std::vector<uint8_t>& v) { return Make(DataType::kBool, s, v); }
Tensor List(const std::vector<int64_t>& v) { return I64({static_cast<int64_t>(v.size())}, v); }
Tensor Iota(DataType dt, const Shape& s) {
  Tensor t{Type(dt, s)};
  for (int64_t i = 0; i < t.type().NumElements(); ++i) {
    Tensor one = Tensor::Scalar(dt, static_cast<double>(i % 120));
    std::memcpy(t.mutable_bytes() + i * DataTypeSize(dt), one.bytes(), DataTypeSize(dt));
  }
  return t;
}
std::vector<int64_t> Ints(const Tensor& t) { return t.ToInts(); }

// One input of the node under test: a graph input (run-time data), a constant, or absent.
struct In {
  enum Kind { kData, kConst, kAbsent } kind;
  Tensor t;
};
In Data(Tensor t) { return {In::kData, std::move(t)}; }
In Const(Tensor t) { return {In::kConst, std::move(t)}; }
In Absent() { return {In::kAbsent, Tensor()}; }

using Attrs = std::map<std::string, AttrValue>;

// A graph of one `op` node whose results are the graph outputs.
struct OneOp {
  Graph g;
  std::vector<Tensor> feeds;
  OneOp(const std::string& op, const std::vector<In>& ins, const Attrs& attrs, int outs) {
    std::vector<Value*> vals;
    for (size_t i = 0; i < ins.size(); ++i) {
      std::string name = "in" + std::to_string(i);
      if (ins[i].kind == In::kAbsent) {
        vals.push_back(nullptr);
      } else if (ins[i].kind == In::kConst) {
        vals.push_back(g.AddConstant(name, ins[i].t));
      } else {
        vals.push_back(g.AddInput(name, ins[i].t.type()));
        feeds.push_back(ins[i].t);
      }
    }
    Node* n = g.AddNode(op, "node", vals, outs);
    for (const auto& kv : attrs) n->set_attr(kv.first, kv.second);
    for (int i = 0; i < outs; ++i) g.AddOutput(n->output(i));
  }
  std::vector<Type> Infer() {
    InferShapes(g);
    std::vector<Type> types;
    for (Value* v : g.outputs()) types.push_back(v->type());
    return types;
  }
  std::vector<Tensor> Run() {
    RunPipeline(g);
    Executor ex(g);
    return ex.Run(feeds);
  }
};

std::vector<Tensor> RunOp(const std::string& op, const std::vector<In>& ins,
                          const Attrs& attrs = {}, int outs = 1) {
  return OneOp(op, ins, attrs, outs).Run();
}

Type InferOp(const std::string& op, const std::vector<In>& ins, const Attrs& attrs = {}) {
  return OneOp(op, ins, attrs, 1).Infer().at(0);
}

// The error message shape inference gives, or "" when it succeeds.
std::string InferError(const std::string& op, const std::vector<In>& ins, const Attrs& attrs = {},
                       int outs = 1) {
  try {
    OneOp(op, ins, attrs, outs).Infer();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR(expr, text)                                                  \
  do {                                                                            \
    std::string msg_ = (expr);                                                    \
    EXPECT_NE(msg_.find(text), std::string::npos) << "message: '" << msg_ << "'"; \
  } while (0)

Type T(DataType dt, const Shape& s) { return Type(dt, s); }
constexpr DataType kF32 = DataType::kFloat32;
constexpr DataType kI64 = DataType::kInt64;

// ---- Rules ----

TEST(TensorRules, Reshape) {
  Tensor x(T(kF32, {2, 3, 4}));
  EXPECT_EQ(InferOp("Reshape", {Data(x), Const(List({0, -1}))}), T(kF32, {2, 12}));
  EXPECT_EQ(InferOp("Reshape", {Data(x), Const(List({-1}))}), T(kF32, {24}));
  EXPECT_EQ(InferOp("Reshape", {Data(Tensor(T(kF32, {0, 3}))), Const(List({3, 0}))},
                    {{"allowzero", int64_t{1}}}),
            T(kF32, {3, 0}));
  EXPECT_ERROR(InferError("Reshape", {Data(x), Const(List({-1, -1}))}), "more than one -1");
  EXPECT_ERROR(InferError("Reshape", {Data(x), Const(List({5, -1}))}), "cannot reshape");
  EXPECT_ERROR(InferError("Reshape", {Data(x), Data(List({2, 12}))}), "must be a constant");
  // Opset 1 form: the shape as an attribute.
  EXPECT_EQ(InferOp("Reshape", {Data(x)}, {{"shape", std::vector<int64_t>{4, 6}}}),
            T(kF32, {4, 6}));
}

TEST(TensorRules, SqueezeUnsqueeze) {
  Tensor x(T(kF32, {1, 3, 1, 2}));
  EXPECT_EQ(InferOp("Squeeze", {Data(x)}), T(kF32, {3, 2}));
  EXPECT_EQ(InferOp("Squeeze", {Data(x), Const(List({-2}))}), T(kF32, {1, 3, 2}));
  EXPECT_EQ(InferOp("Squeeze", {Data(x)}, {{"axes", std::vector<int64_t>{0}}}), T(kF32, {3, 1, 2}));
  EXPECT_ERROR(InferError("Squeeze", {Data(x), Const(List({1}))}), "not 1");
  EXPECT_EQ(InferOp("Unsqueeze", {Data(x), Const(List({0, -1}))}), T(kF32, {1, 1, 3, 1, 2, 1}));
  EXPECT_EQ(InferOp("Unsqueeze", {Data(Tensor(T(kF32, {})))}, {{"axes", std::vector<int64_t>{0}}}),
            T(kF32, {1}));
  EXPECT_ERROR(InferError("Unsqueeze", {Data(x), Const(List({1, 1}))}), "repeated");
  EXPECT_ERROR(InferError("Unsqueeze", {Data(x)}), "'axes' is required");
}

TEST(TensorRules, TransposeConcatSplit) {
  Tensor x(T(kF32, {2, 3, 4}));
  EXPECT_EQ(InferOp("Transpose", {Data(x)}), T(kF32, {4, 3, 2}));
  EXPECT_EQ(InferOp("Transpose", {Data(x)}, {{"perm", std::vector<int64_t>{1, 2, 0}}}),
            T(kF32, {3, 4, 2}));
  EXPECT_ERROR(InferError("Transpose", {Data(x)}, {{"perm", std::vector<int64_t>{0, 0, 1}}}),
               "not a permutation");
  Tensor y(T(kF32, {2, 5, 4}));
  EXPECT_EQ(InferOp("Concat", {Data(x), Data(y)}, {{"axis", int64_t{-2}}}), T(kF32, {2, 8, 4}));
  EXPECT_ERROR(InferError("Concat", {Data(x), Data(y)}, {{"axis", int64_t{0}}}), "does not match");
  EXPECT_ERROR(InferError("Concat", {Data(x), Data(y)}), "'axis' is required");

  OneOp even("Split", {Data(x)}, {{"axis", int64_t{2}}}, 2);
  EXPECT_EQ(even.Infer(), (std::vector<Type>{T(kF32, {2, 3, 2}), T(kF32, {2, 3, 2})}));
  OneOp sized("Split", {Data(x), Const(List({1, 2}))}, {{"axis", int64_t{1}}}, 2);
  EXPECT_EQ(sized.Infer(), (std::vector<Type>{T(kF32, {2, 1, 4}), T(kF32, {2, 2, 4})}));
  OneOp parts("Split", {Data(x)}, {{"axis", int64_t{1}}, {"num_outputs", int64_t{2}}}, 2);
  EXPECT_EQ(parts.Infer(), (std::vector<Type>{T(kF32, {2, 2, 4}), T(kF32, {2, 1, 4})}));
  EXPECT_ERROR(InferError("Split", {Data(x)}, {{"axis", int64_t{1}}}, 2), "equal parts");
  EXPECT_ERROR(InferError("Split", {Data(x), Const(List({1, 1}))}, {{"axis", int64_t{1}}}, 2),
               "sums to 2");
}

TEST(TensorRules, Slice) {
  Tensor x(T(kF32, {10, 8, 6}));
  int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(InferOp("Slice", {Data(x), Const(List({1, -3})), Const(List({big, 100})),
                              Const(List({0, 2})), Const(List({3, 1}))}),
            T(kF32, {3, 8, 3}));
  // Negative steps, clamping on both ends.
  EXPECT_EQ(InferOp("Slice", {Data(x), Const(List({-1, 20})), Const(List({-big, -100})),
                              Const(List({0, 1})), Const(List({-1, -3}))}),
            T(kF32, {10, 3, 6}));
  EXPECT_EQ(InferOp("Slice", {Data(x), Const(List({5})), Const(List({2}))}), T(kF32, {0, 8, 6}));
  EXPECT_EQ(InferOp("Slice", {Data(x), Const(List({1, -1})), Const(List({big, -big})),
                              Const(List({1, 2})), Const(List({big, -big}))}),
            T(kF32, {10, 1, 1}));
  // Opset 1 attributes.
  EXPECT_EQ(InferOp("Slice", {Data(x)},
                    {{"starts", std::vector<int64_t>{2}},
                     {"ends", std::vector<int64_t>{-1}},
                     {"axes", std::vector<int64_t>{-1}}}),
            T(kF32, {10, 8, 3}));
  EXPECT_ERROR(InferError("Slice", {Data(x), Const(List({0})), Const(List({1})), Absent(),
                                    Const(List({0}))}),
               "zero entry");
  EXPECT_ERROR(InferError("Slice", {Data(x), Const(List({0, 0})), Const(List({1}))}),
               "'ends' has 1");
}

// Rules run again on canonicalised attributes must give the same result.
TEST(TensorRules, CanonicalAttributesAreStable) {
  Graph g;
  Value* x = g.AddInput("x", T(kF32, {7, 5}));
  Node* s = g.AddNode("Slice", "s", {x});
  s->set_attr("starts", std::vector<int64_t>{6, -2});
  s->set_attr("ends", std::vector<int64_t>{-100, 1});
  s->set_attr("axes", std::vector<int64_t>{0, 1});
  s->set_attr("steps", std::vector<int64_t>{-2, -1});
  Node* sq = g.AddNode("Squeeze", "q", {g.AddNode("Unsqueeze", "u", {x})->output()});
  sq->input(0)->producer()->set_attr("axes", std::vector<int64_t>{-1});
  g.AddOutput(s->output());
  g.AddOutput(sq->output());
  for (int pass = 0; pass < 2; ++pass) {
    VerifyAndInfer(s);
    VerifyAndInfer(sq->input(0)->producer());
    VerifyAndInfer(sq);
    EXPECT_EQ(s->output()->type(), T(kF32, {4, 2})) << "pass " << pass;
    EXPECT_EQ(s->GetInts("starts"), (std::vector<int64_t>{6, 3}));
    EXPECT_EQ(sq->output()->type(), T(kF32, {7, 5})) << "pass " << pass;
  }
}

TEST(TensorRules, PadTileExpand) {
  Tensor x(T(kF32, {2, 3}));
  EXPECT_EQ(InferOp("Pad", {Data(x), Const(List({1, 0, 2, -1}))}), T(kF32, {5, 2}));
  EXPECT_EQ(InferOp("Pad", {Data(x)}, {{"pads", std::vector<int64_t>{0, 1, 0, 1}}}),
            T(kF32, {2, 5}));
  EXPECT_ERROR(
      InferError("Pad", {Data(x), Const(List({0, 3, 0, 0}))}, {{"mode", std::string("reflect")}}),
      "more than it can mirror");
  EXPECT_ERROR(InferError("Pad", {Data(x), Const(List({1, 1}))}), "needs 4");
  EXPECT_ERROR(
      InferError("Pad", {Data(x), Const(List({0, 0, 0, 0}))}, {{"mode", std::string("wrap")}}),
      "unsupported mode");
  EXPECT_EQ(InferOp("Tile", {Data(x), Const(List({3, 2}))}), T(kF32, {6, 6}));
  EXPECT_ERROR(InferError("Tile", {Data(x), Const(List({3}))}), "'repeats' has 1");
  EXPECT_EQ(InferOp("Expand", {Data(Tensor(T(kF32, {3, 1}))), Const(List({2, 1, 4}))}),
            T(kF32, {2, 3, 4}));
  EXPECT_ERROR(InferError("Expand", {Data(x), Const(List({4}))}), "do not broadcast");
}

TEST(TensorRules, ShapeSizeFoldToConstants) {
  Tensor x(T(kF32, {2, 3, 4, 5}));
  OneOp shape("Shape", {Data(x)}, {{"start", int64_t{1}}, {"end", int64_t{-1}}}, 1);
  shape.Infer();
  const Tensor* k = ConstantOf(shape.g.outputs()[0]);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(Ints(*k), (std::vector<int64_t>{3, 4}));
  OneOp full("Shape", {Data(x)}, {}, 1);
  full.Infer();
  EXPECT_EQ(Ints(*ConstantOf(full.g.outputs()[0])), (std::vector<int64_t>{2, 3, 4, 5}));
  OneOp size("Size", {Data(x)}, {}, 1);
  size.Infer();
  EXPECT_EQ(Ints(*ConstantOf(size.g.outputs()[0])), (std::vector<int64_t>{120}));
}

TEST(TensorRules, GeneratorsAndIndexing) {
  EXPECT_EQ(InferOp("ConstantOfShape", {Const(List({2, 3}))}, {{"value", I64({1}, {7})}}),
            T(kI64, {2, 3}));
  EXPECT_EQ(InferOp("ConstantOfShape", {Const(List({}))}), T(kF32, {}));
  auto range = [](double s, double l, double d, DataType dt) {
    return InferOp("Range", {Const(Tensor::Scalar(dt, s)), Const(Tensor::Scalar(dt, l)),
                             Const(Tensor::Scalar(dt, d))});
  };
  EXPECT_EQ(range(1, 10, 3, kI64), T(kI64, {3}));
  EXPECT_EQ(range(10, 1, -3, kI64), T(kI64, {3}));
  EXPECT_EQ(range(10, 1, 3, kI64), T(kI64, {0}));
  EXPECT_EQ(range(0, 1, 0.3, kF32), T(kF32, {4}));
  EXPECT_ERROR(InferError("Range", {Data(Tensor::Scalar(kI64, 0)), Const(Tensor::Scalar(kI64, 3)),
                                    Const(Tensor::Scalar(kI64, 1))}),
               "must be a constant");
  EXPECT_EQ(
      InferOp("OneHot",
              {Data(I64({2, 3}, {0, 1, 2, 0, 1, 2})), Const(I64({}, {5})), Data(F32({2}, {0, 1}))},
              {{"axis", int64_t{1}}}),
      T(kF32, {2, 5, 3}));
  EXPECT_EQ(InferOp("EyeLike", {Data(Tensor(T(kF32, {3, 4})))},
                    {{"dtype", static_cast<int64_t>(DataType::kInt32)}}),
            T(DataType::kInt32, {3, 4}));
  Tensor d(T(kF32, {4, 5, 6}));
  EXPECT_EQ(InferOp("Gather", {Data(d), Data(I32({2, 2}, {0, 1, 2, 3}))}, {{"axis", int64_t{1}}}),
            T(kF32, {4, 2, 2, 6}));
  EXPECT_ERROR(InferError("Gather", {Data(d), Const(I64({1}, {5}))}, {{"axis", int64_t{1}}}),
               "out of range");
  EXPECT_EQ(InferOp("GatherND", {Data(d), Data(I64({4, 3, 1}, std::vector<int64_t>(12)))},
                    {{"batch_dims", int64_t{1}}}),
            T(kF32, {4, 3, 6}));
  EXPECT_ERROR(InferError("GatherND", {Data(d), Data(I64({4, 3}, std::vector<int64_t>(12)))},
                          {{"batch_dims", int64_t{1}}}),
               "last dimension");
  EXPECT_ERROR(
      InferError("ScatterND", {Data(d), Data(I64({2, 1}, {0, 1})), Data(Tensor(T(kF32, {2, 5})))}),
      "'updates' must be 2x5x6");
  EXPECT_ERROR(InferError("ScatterElements",
                          {Data(d), Data(I64({1, 1, 1}, {0})), Data(Tensor(T(kF32, {1, 1, 1})))},
                          {{"reduction", std::string("avg")}}),
               "unsupported reduction");
  EXPECT_EQ(InferOp("Compress", {Data(d), Const(Bool({3}, {1, 0, 1}))}), T(kF32, {2}));
  EXPECT_EQ(
      InferOp("Compress", {Data(d), Const(Bool({5}, {1, 0, 1, 1, 0}))}, {{"axis", int64_t{-2}}}),
      T(kF32, {4, 3, 6}));
}

// ---- Numbers ----

// A reference transpose by index arithmetic.
template <typename E>
std::vector<E> NaiveTranspose(const E* x, const Shape& s, const std::vector<int64_t>& perm) {
  int r = static_cast<int>(s.size());
  Shape os(r), str(r, 1);
  for (int d = r - 2; d >= 0; --d) str[d] = str[d + 1] * s[d + 1];
  for (int d = 0; d < r; ++d) os[d] = s[perm[d]];
  std::vector<E> out(NumElements(s));
  std::vector<int64_t> idx(r, 0);
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t off = 0;
    for (int d = 0; d < r; ++d) off += idx[d] * str[perm[d]];
    out[i] = x[off];
    for (int d = r - 1; d >= 0 && ++idx[d] == os[d]; --d) idx[d] = 0;
  }
  return out;
}

TEST(TensorNumbers, TransposeAllElementSizes) {
  for (DataType dt : {DataType::kInt8, DataType::kInt16, kF32, kI64, DataType::kBool}) {
    Shape s = {3, 4, 5, 2};
    Tensor x = Iota(dt, s);
    if (dt == DataType::kBool)
      for (int64_t i = 0; i < x.type().NumElements(); ++i) x.mutable_bytes()[i] = i % 3 == 0;
    std::vector<int64_t> perm = {2, 0, 3, 1};
    auto out = RunOp("Transpose", {Data(x)}, {{"perm", perm}});
    size_t es = DataTypeSize(dt);
    std::vector<uint8_t> got(out[0].bytes(), out[0].bytes() + out[0].byte_size()), want;
    // Compare as raw elements of the right size.
    if (es == 1) {
      auto w = NaiveTranspose(x.data<uint8_t>(), s, perm);
      want.assign(w.begin(), w.end());
    } else if (es == 2) {
      auto w = NaiveTranspose(x.data<uint16_t>(), s, perm);
      want.resize(w.size() * 2);
      std::memcpy(want.data(), w.data(), want.size());
    } else if (es == 4) {
      auto w = NaiveTranspose(x.data<uint32_t>(), s, perm);
      want.resize(w.size() * 4);
      std::memcpy(want.data(), w.data(), want.size());
    } else {
      auto w = NaiveTranspose(x.data<uint64_t>(), s, perm);
      want.resize(w.size() * 8);
      std::memcpy(want.data(), w.data(), want.size());
    }
    EXPECT_EQ(out[0].type(), T(dt, {5, 3, 2, 4}));
    EXPECT_EQ(got, want) << DataTypeName(dt);
  }
}

TEST(TensorNumbers, LargeTransposeRunsInParallel) {
  Shape s = {64, 96, 33};
  Tensor x(T(kF32, s));
  for (int64_t i = 0; i < x.type().NumElements(); ++i) x.mutable_data<float>()[i] = float(i);
  for (std::vector<int64_t> perm : {std::vector<int64_t>{2, 1, 0}, {1, 0, 2}, {0, 2, 1}}) {
    auto out = RunOp("Transpose", {Data(x)}, {{"perm", perm}});
    EXPECT_EQ(Floats(out[0]), NaiveTranspose(x.data<float>(), s, perm));
  }
}

TEST(TensorNumbers, ReshapeSqueezeUnsqueeze) {
  Tensor x = I64({2, 3}, {1, 2, 3, 4, 5, 6});
  auto r = RunOp("Reshape", {Data(x), Const(List({3, -1}))});
  EXPECT_EQ(r[0].type(), T(kI64, {3, 2}));
  EXPECT_EQ(Ints(r[0]), Ints(x));
  auto u = RunOp("Unsqueeze", {Data(x), Const(List({1}))});
  EXPECT_EQ(u[0].type(), T(kI64, {2, 1, 3}));
  EXPECT_EQ(Ints(u[0]), Ints(x));
  auto q = RunOp("Squeeze", {Data(I64({1, 3, 1}, {7, 8, 9}))});
  EXPECT_EQ(q[0].type(), T(kI64, {3}));
  EXPECT_EQ(Ints(q[0]), (std::vector<int64_t>{7, 8, 9}));
}

TEST(TensorNumbers, SliceNegativeSteps) {
  Tensor x = Iota(kI64, {2, 3, 4});
  auto out = RunOp("Slice", {Data(x), Const(List({-1, 2, -1})), Const(List({-100, 0, -5})),
                             Absent(), Const(List({-1, -1, -2}))});
  EXPECT_EQ(out[0].type(), T(kI64, {2, 2, 2}));
  EXPECT_EQ(Ints(out[0]), (std::vector<int64_t>{23, 21, 19, 17, 11, 9, 7, 5}));
  int64_t big = std::numeric_limits<int64_t>::max();
  auto huge = RunOp("Slice", {Data(x), Const(List({1, -1})), Const(List({big, -big})),
                              Const(List({1, 2})), Const(List({big, -big}))});
  EXPECT_EQ(Ints(huge[0]), (std::vector<int64_t>{7, 19}));
  auto old = RunOp("Slice", {Data(x)},
                   {{"starts", std::vector<int64_t>{1}},
                    {"ends", std::vector<int64_t>{3}},
                    {"axes", std::vector<int64_t>{2}}});
  EXPECT_EQ(Ints(old[0]), (std::vector<int64_t>{1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22}));
}

TEST(TensorNumbers, ConcatSplit) {
  Tensor a = I32({2, 2}, {1, 2, 3, 4}), b = I32({2, 1}, {5, 6});
  auto c = RunOp("Concat", {Data(a), Data(b), Data(a)}, {{"axis", int64_t{1}}});
  EXPECT_EQ(c[0].type(), T(DataType::kInt32, {2, 5}));
  EXPECT_EQ(Ints(c[0]), (std::vector<int64_t>{1, 2, 5, 1, 2, 3, 4, 6, 3, 4}));
  auto c0 = RunOp("Concat", {Data(a), Data(a)}, {{"axis", int64_t{0}}});
  EXPECT_EQ(Ints(c0[0]), (std::vector<int64_t>{1, 2, 3, 4, 1, 2, 3, 4}));
  auto s = RunOp("Split", {Data(Iota(kI64, {2, 5})), Const(List({1, 3, 1}))},
                 {{"axis", int64_t{-1}}}, 3);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(Ints(s[0]), (std::vector<int64_t>{0, 5}));
  EXPECT_EQ(Ints(s[1]), (std::vector<int64_t>{1, 2, 3, 6, 7, 8}));
  EXPECT_EQ(Ints(s[2]), (std::vector<int64_t>{4, 9}));
  auto e = RunOp("Split", {Data(Iota(kI64, {4}))}, {}, 2);  // opset < 13: equal parts
  EXPECT_EQ(Ints(e[1]), (std::vector<int64_t>{2, 3}));
}

TEST(TensorNumbers, PadModes) {
  Tensor x = I64({2, 3}, {0, 1, 2, 3, 4, 5});
  auto reflect =
      RunOp("Pad", {Data(x), Const(List({1, 2, 1, 2}))}, {{"mode", std::string("reflect")}});
  EXPECT_EQ(reflect[0].type(), T(kI64, {4, 7}));
  EXPECT_EQ(Ints(reflect[0]), (std::vector<int64_t>{5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0,
                                                    5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0}));
  auto edge = RunOp("Pad", {Data(x), Const(List({1, 0, 0, 2}))}, {{"mode", std::string("edge")}});
  EXPECT_EQ(Ints(edge[0]), (std::vector<int64_t>{0, 1, 2, 2, 2, 0, 1, 2, 2, 2, 3, 4, 5, 5, 5}));
  auto crop = RunOp("Pad", {Data(x), Const(List({0, -1, 1, 1})), Data(I64({}, {9}))});
  EXPECT_EQ(crop[0].type(), T(kI64, {3, 3}));
  EXPECT_EQ(Ints(crop[0]), (std::vector<int64_t>{1, 2, 9, 4, 5, 9, 9, 9, 9}));
  auto old = RunOp("Pad", {Data(F32({2}, {1, 2}))},
                   {{"pads", std::vector<int64_t>{1, 2}}, {"value", 0.5}});
  EXPECT_EQ(Floats(old[0]), (std::vector<float>{0.5f, 1, 2, 0.5f, 0.5f}));
}

TEST(TensorNumbers, TileExpand) {
  Tensor x = I8({2, 3}, {0, 1, 2, 3, 4, 5});
  auto t = RunOp("Tile", {Data(x), Const(List({2, 1}))});
  EXPECT_EQ(Ints(t[0]), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}));
  auto t2 = RunOp("Tile", {Data(x), Const(List({1, 2}))});
  EXPECT_EQ(Ints(t2[0]), (std::vector<int64_t>{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));
  auto e = RunOp("Expand", {Data(I8({3, 1}, {1, 2, 3})), Const(List({2, 1, 2}))});
  EXPECT_EQ(e[0].type(), T(DataType::kInt8, {2, 3, 2}));
  EXPECT_EQ(Ints(e[0]), (std::vector<int64_t>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
}

TEST(TensorNumbers, Gathers) {
  Tensor d = Iota(kF32, {3, 4});
  auto g = RunOp("Gather", {Data(d), Data(I64({2}, {-1, 0}))}, {{"axis", int64_t{1}}});
  EXPECT_EQ(Floats(g[0]), (std::vector<float>{3, 0, 7, 4, 11, 8}));
  auto g0 = RunOp("Gather", {Data(d), Data(I32({}, {2}))});
  EXPECT_EQ(g0[0].type(), T(kF32, {4}));
  EXPECT_EQ(Floats(g0[0]), (std::vector<float>{8, 9, 10, 11}));
  auto ge = RunOp("GatherElements", {Data(d), Data(I64({3, 2}, {0, -1, 2, 1, 1, 0}))},
                  {{"axis", int64_t{1}}});
  EXPECT_EQ(Floats(ge[0]), (std::vector<float>{0, 3, 6, 5, 9, 8}));
  auto ge0 = RunOp("GatherElements", {Data(d), Data(I32({1, 3}, {2, 0, 1}))});
  EXPECT_EQ(Floats(ge0[0]), (std::vector<float>{8, 1, 6}));
  auto nd = RunOp("GatherND", {Data(Iota(kF32, {2, 2, 2})), Data(I64({2, 1}, {1, 0}))},
                  {{"batch_dims", int64_t{1}}});
  EXPECT_EQ(Floats(nd[0]), (std::vector<float>{2, 3, 4, 5}));
  auto nd0 = RunOp("GatherND", {Data(Iota(kF32, {2, 2})), Data(I64({2, 2}, {0, 0, 1, 1}))});
  EXPECT_EQ(Floats(nd0[0]), (std::vector<float>{0, 3}));
}

TEST(TensorNumbers, GatherRejectsBadIndexAtRunTime) {
  OneOp op("Gather", {Data(Iota(kF32, {3})), Data(I64({1}, {3}))}, {}, 1);
  RunPipeline(op.g);
  Executor ex(op.g);
  try {
    ex.Run(op.feeds);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
  }
}

TEST(TensorNumbers, Scatters) {
  Tensor d = F32({3, 3}, {0, 0, 0, 0, 0, 0, 0, 0, 0});
  Tensor idx = I64({2, 3}, {1, 0, 2, 0, 2, 1});
  Tensor upd = F32({2, 3}, {1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f});
  auto s = RunOp("ScatterElements", {Data(d), Data(idx), Data(upd)});
  EXPECT_EQ(Floats(s[0]), (std::vector<float>{2.0f, 1.1f, 0, 1.0f, 0, 2.2f, 0, 2.1f, 1.2f}));
  auto old = RunOp("Scatter", {Data(d), Data(idx), Data(upd)});
  EXPECT_EQ(Floats(old[0]), Floats(s[0]));
  auto add = RunOp("ScatterElements",
                   {Data(F32({1, 5}, {1, 2, 3, 4, 5})), Data(I32({1, 2}, {1, 1})),
                    Data(F32({1, 2}, {1.1f, 2.1f}))},
                   {{"axis", int64_t{1}}, {"reduction", std::string("add")}});
  EXPECT_EQ(Floats(add[0]), (std::vector<float>{1, 5.2f, 3, 4, 5}));
  auto nd = RunOp("ScatterND",
                  {Data(I64({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8})), Data(I64({2, 1}, {2, 0})),
                   Data(I64({2, 2}, {10, 20, 30, 40}))},
                  {{"reduction", std::string("mul")}});
  EXPECT_EQ(Ints(nd[0]), (std::vector<int64_t>{30, 80, 3, 4, 50, 120, 7, 8}));
  auto nd1 =
      RunOp("ScatterND", {Data(Iota(kI64, {4})), Data(I64({1, 1}, {-1})), Data(I64({1}, {9}))});
  EXPECT_EQ(Ints(nd1[0]), (std::vector<int64_t>{0, 1, 2, 9}));
}

TEST(TensorNumbers, OneHotTriluEyeLike) {
  auto oh =
      RunOp("OneHot", {Data(I64({3}, {0, -1, 7})), Const(I64({}, {3})), Data(I64({2}, {5, 8}))});
  EXPECT_EQ(oh[0].type(), T(kI64, {3, 3}));
  EXPECT_EQ(Ints(oh[0]), (std::vector<int64_t>{8, 5, 5, 5, 5, 8, 5, 5, 5}));
  auto oh0 =
      RunOp("OneHot", {Data(F32({2}, {1.f, 0.f})), Const(F32({1}, {2.f})), Data(F32({2}, {0, 1}))},
            {{"axis", int64_t{0}}});
  EXPECT_EQ(Floats(oh0[0]), (std::vector<float>{0, 1, 1, 0}));
  Tensor m = Iota(kI64, {3, 4});
  auto up = RunOp("Trilu", {Data(m), Const(I64({}, {1}))});
  EXPECT_EQ(Ints(up[0]), (std::vector<int64_t>{0, 1, 2, 3, 0, 0, 6, 7, 0, 0, 0, 11}));
  auto lo = RunOp("Trilu", {Data(m), Const(I64({}, {-1}))}, {{"upper", int64_t{0}}});
  EXPECT_EQ(Ints(lo[0]), (std::vector<int64_t>{0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0}));
  auto eye = RunOp("EyeLike", {Data(Tensor(T(kF32, {2, 3})))},
                   {{"k", int64_t{1}}, {"dtype", static_cast<int64_t>(DataType::kInt32)}});
  EXPECT_EQ(eye[0].type(), T(DataType::kInt32, {2, 3}));
  EXPECT_EQ(Ints(eye[0]), (std::vector<int64_t>{0, 1, 0, 0, 0, 1}));
}

TEST(TensorNumbers, Generators) {
  // Constant inputs fold during shape inference: the folded constant is the result.
  auto r = RunOp("Range", {Const(Tensor::Scalar(kI64, 10)), Const(Tensor::Scalar(kI64, 1)),
                           Const(Tensor::Scalar(kI64, -3))});
  EXPECT_EQ(Ints(r[0]), (std::vector<int64_t>{10, 7, 4}));
  auto rf = RunOp("Range", {Const(Tensor::Scalar(kF32, 1)), Const(Tensor::Scalar(kF32, 2)),
                            Const(Tensor::Scalar(kF32, 0.25))});
  EXPECT_EQ(Floats(rf[0]), (std::vector<float>{1, 1.25f, 1.5f, 1.75f}));
  auto c = RunOp("ConstantOfShape", {Const(List({2, 2}))}, {{"value", I64({1}, {-4})}});
  EXPECT_EQ(c[0].type(), T(kI64, {2, 2}));
  EXPECT_EQ(Ints(c[0]), (std::vector<int64_t>{-4, -4, -4, -4}));
  auto cb = RunOp("ConstantOfShape", {Const(List({3}))}, {{"value", Bool({1}, {1})}});
  EXPECT_EQ(Ints(cb[0]), (std::vector<int64_t>{1, 1, 1}));
}

TEST(TensorNumbers, ReverseSequenceCompress) {
  Tensor x = Iota(kI64, {4, 3});  // time x batch
  auto r = RunOp("ReverseSequence", {Data(x), Data(I64({3}, {4, 1, 2}))});
  EXPECT_EQ(Ints(r[0]), (std::vector<int64_t>{9, 1, 5, 6, 4, 2, 3, 7, 8, 0, 10, 11}));
  auto rb = RunOp("ReverseSequence", {Data(Iota(kI64, {2, 3})), Data(I64({2}, {3, 2}))},
                  {{"batch_axis", int64_t{0}}, {"time_axis", int64_t{1}}});
  EXPECT_EQ(Ints(rb[0]), (std::vector<int64_t>{2, 1, 0, 4, 3, 5}));
  Tensor d = Iota(kI64, {3, 2});
  auto c = RunOp("Compress", {Data(d), Const(Bool({3}, {0, 1, 1}))}, {{"axis", int64_t{0}}});
  EXPECT_EQ(Ints(c[0]), (std::vector<int64_t>{2, 3, 4, 5}));
  auto cf = RunOp("Compress", {Data(d), Const(Bool({4}, {0, 1, 0, 1}))});
  EXPECT_EQ(Ints(cf[0]), (std::vector<int64_t>{1, 3}));
}

}  // namespace
}  // namespace halo
