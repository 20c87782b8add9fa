// Helpers for op tests: typed tensors and running a single-op graph through the executor.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "passes/passes.h"
#include "targets/executor.h"

namespace halo::test {

template <typename T>
Tensor Make(DataType dt, const Shape& s, const std::vector<T>& v) {
  Tensor t(Type(dt, s));
  if (static_cast<int64_t>(v.size()) != t.type().NumElements())
    throw Err("Make: wrong element count");
  for (size_t i = 0; i < v.size(); ++i) {
    switch (dt) {
      case DataType::kFloat32:
        t.mutable_data<float>()[i] = static_cast<float>(v[i]);
        break;
      case DataType::kFloat64:
        t.mutable_data<double>()[i] = static_cast<double>(v[i]);
        break;
      case DataType::kInt8:
        t.mutable_data<int8_t>()[i] = static_cast<int8_t>(v[i]);
        break;
      case DataType::kUInt8:
        t.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(v[i]);
        break;
      case DataType::kInt16:
        t.mutable_data<int16_t>()[i] = static_cast<int16_t>(v[i]);
        break;
      case DataType::kUInt16:
        t.mutable_data<uint16_t>()[i] = static_cast<uint16_t>(v[i]);
        break;
      case DataType::kInt32:
        t.mutable_data<int32_t>()[i] = static_cast<int32_t>(v[i]);
        break;
      case DataType::kUInt32:
        t.mutable_data<uint32_t>()[i] = static_cast<uint32_t>(v[i]);
        break;
      case DataType::kInt64:
        t.mutable_data<int64_t>()[i] = static_cast<int64_t>(v[i]);
        break;
      case DataType::kUInt64:
        t.mutable_data<uint64_t>()[i] = static_cast<uint64_t>(v[i]);
        break;
      case DataType::kBool:
        t.mutable_data<uint8_t>()[i] = v[i] != T(0);
        break;
      case DataType::kFloat16:  // the bits
      case DataType::kBFloat16:
        t.mutable_data<uint16_t>()[i] = static_cast<uint16_t>(v[i]);
        break;
      default:
        throw Err("Make: bad type");
    }
  }
  return t;
}

inline Tensor F32s(const Shape& s, const std::vector<double>& v) {
  return Make(DataType::kFloat32, s, v);
}
inline Tensor I64s(const Shape& s, const std::vector<int64_t>& v) {
  return Make(DataType::kInt64, s, v);
}
inline Tensor Bools(const Shape& s, const std::vector<int>& v) {
  return Make(DataType::kBool, s, v);
}

// Elements as doubles whatever the type.
inline std::vector<double> Doubles(const Tensor& t) { return t.ToDoubles(); }

// One input of a test op: a model input (computed at run time), a constant, or absent.
struct Arg {
  Tensor t;
  enum Kind { kInput, kConst, kAbsent } kind = kInput;
  Arg(Tensor x) : t(std::move(x)) {}  // NOLINT: implicit on purpose
  static Arg Const(Tensor x) {
    Arg a(std::move(x));
    a.kind = kConst;
    return a;
  }
  static Arg Absent() {
    Arg a{Tensor()};
    a.kind = kAbsent;
    return a;
  }
};

// Builds a graph with one `op` node, runs shape inference on it and returns it.
struct OpGraph {
  Graph g;
  Node* node = nullptr;
  std::vector<Tensor> feeds;

  OpGraph(const std::string& op, const std::vector<Arg>& args,
          const std::map<std::string, AttrValue>& attrs = {}, int num_outputs = 1) {
    std::vector<Value*> ins;
    for (size_t i = 0; i < args.size(); ++i) {
      const Arg& a = args[i];
      std::string name = "in" + std::to_string(i);
      if (a.kind == Arg::kAbsent) {
        ins.push_back(nullptr);
      } else if (a.kind == Arg::kConst) {
        ins.push_back(g.AddConstant(name, a.t));
      } else {
        ins.push_back(g.AddInput(name, a.t.type()));
        feeds.push_back(a.t);
      }
    }
    node = g.AddNode(op, "op", ins, num_outputs);
    for (const auto& kv : attrs) node->set_attr(kv.first, kv.second);
    for (int i = 0; i < num_outputs; ++i) g.AddOutput(node->output(i));
  }
  const Type& Infer() {
    VerifyAndInfer(node);
    return node->output()->type();
  }
  std::vector<Tensor> Run() {
    RunPipeline(g);
    Executor ex(g);
    return ex.Run(feeds);
  }
};

// Runs one op and returns its first result.
inline Tensor RunOp(const std::string& op, const std::vector<Arg>& args,
                    const std::map<std::string, AttrValue>& attrs = {}) {
  OpGraph og(op, args, attrs);
  return og.Run().at(0);
}

// The message of the error shape inference of the op raises ("" if none).
inline std::string InferError(const std::string& op, const std::vector<Arg>& args,
                              const std::map<std::string, AttrValue>& attrs = {}) {
  OpGraph og(op, args, attrs);
  try {
    og.Infer();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace halo::test
