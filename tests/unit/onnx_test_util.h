// Helpers for ONNX frontend tests: ModelProtos built in code, written to the build directory.
#pragma once

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "frontends/frontend.h"
#include "ir/error.h"
#include "passes/passes.h"
#include "targets/executor.h"

namespace halo::onnx_test {

inline const std::string kSuite = "/usr/share/libonnx-testdata/data";

inline std::string TestDir() {
  std::string d = std::string(HALO_BINARY_DIR) + "/onnx_frontend_test";
  mkdir(d.c_str(), 0755);
  return d;
}

inline std::string WriteFile(const std::string& name, const std::string& bytes) {
  std::string path = TestDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

inline std::string Save(const onnx::ModelProto& m, const std::string& name) {
  return WriteFile(name, m.SerializeAsString());
}

inline onnx::ModelProto Model(int opset = 13) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.set_producer_name("halo-test");
  auto* o = m.add_opset_import();
  o->set_domain("");
  o->set_version(opset);
  m.mutable_graph()->set_name("g");
  return m;
}

// dims: -1 is a symbolic dimension "N".
inline void AddValue(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                     const std::string& name, int elem, const std::vector<int64_t>& dims) {
  auto* vi = list->Add();
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem);
  auto* shape = tt->mutable_shape();
  for (int64_t d : dims) {
    auto* dim = shape->add_dim();
    if (d < 0)
      dim->set_dim_param("N");
    else
      dim->set_dim_value(d);
  }
}

inline void In(onnx::ModelProto& m, const std::string& name, const std::vector<int64_t>& dims,
               int elem = onnx::TensorProto::FLOAT) {
  AddValue(m.mutable_graph()->mutable_input(), name, elem, dims);
}

inline void Out(onnx::ModelProto& m, const std::string& name, int elem = onnx::TensorProto::FLOAT) {
  auto* vi = m.mutable_graph()->add_output();
  vi->set_name(name);
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(elem);
}

inline onnx::NodeProto* Op(onnx::ModelProto& m, const std::string& op,
                           const std::vector<std::string>& ins,
                           const std::vector<std::string>& outs, const std::string& name = "") {
  auto* n = m.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : ins) n->add_input(i);
  for (const auto& o : outs) n->add_output(o);
  return n;
}

inline onnx::TensorProto FloatProto(const std::string& name, const std::vector<int64_t>& dims,
                                    const std::vector<float>& v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  for (float f : v) t.add_float_data(f);
  return t;
}

// An integer tensor of ONNX type `type` (any type int32_data holds: int8 to int32, uint8,
// uint16, bool).
inline onnx::TensorProto IntProto(const std::string& name, int type,
                                  const std::vector<int64_t>& dims, const std::vector<int>& v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  for (int x : v) t.add_int32_data(x);
  return t;
}

// The message of the Error the import throws ("" if it succeeds).
inline std::string ImportError(const std::string& path, const ImportOptions& opts = {}) {
  try {
    ImportOnnx(path, opts);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

inline onnx::AttributeProto* Attr(onnx::NodeProto* n, const std::string& name,
                                  onnx::AttributeProto::AttributeType type) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(type);
  return a;
}
inline void IntAttr(onnx::NodeProto* n, const std::string& name, int64_t v) {
  Attr(n, name, onnx::AttributeProto::INT)->set_i(v);
}
inline void IntsAttr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = Attr(n, name, onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
inline void FloatsAttr(onnx::NodeProto* n, const std::string& name, const std::vector<float>& v) {
  auto* a = Attr(n, name, onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}
inline void StrAttr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  Attr(n, name, onnx::AttributeProto::STRING)->set_s(v);
}

#define EXPECT_HAS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

// A model importing ONNX Runtime's com.microsoft domain (version 1) beside the default one.
inline onnx::ModelProto MsModel(int opset = 17) {
  onnx::ModelProto m = Model(opset);
  auto* o = m.add_opset_import();
  o->set_domain("com.microsoft");
  o->set_version(1);
  return m;
}

// A com.microsoft node named after its op.
inline onnx::NodeProto* MsOp(onnx::ModelProto& m, const std::string& op,
                             const std::vector<std::string>& ins,
                             const std::vector<std::string>& outs) {
  onnx::NodeProto* n = Op(m, op, ins, outs, op);
  n->set_domain("com.microsoft");
  return n;
}

// Saves m as `name`, imports it, runs the pass pipeline and executes it on `in`.
inline std::vector<Tensor> RunModel(const onnx::ModelProto& m, const std::string& name,
                                    const std::vector<Tensor>& in) {
  auto g = ImportOnnx(Save(m, name), {});
  RunPipeline(*g);
  return Executor(*g).Run(in);
}

}  // namespace halo::onnx_test
