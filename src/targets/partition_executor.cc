#include "targets/partition_executor.h"

#include <map>

#include "ir/error.h"

namespace halo {

PartitionedExecutor::PartitionedExecutor(const Graph& g, const Partition& p, Precision precision)
    : graph_(g), partition_(p) {
  for (size_t k = 0; k < p.parts.size(); ++k) {
    try {
      parts_.push_back(std::make_unique<Executor>(
          *p.parts[k].graph, p.parts[k].on_device ? precision : Precision::kFp32));
    } catch (const Error& e) {
      throw Err("part ", k, ": ", e.what());
    }
  }
}

std::vector<Tensor> PartitionedExecutor::Run(const std::vector<Tensor>& inputs) {
  const auto& gin = graph_.inputs();
  if (inputs.size() != gin.size())
    throw Err("the model takes ", gin.size(), " inputs, got ", inputs.size());
  std::map<const Value*, Tensor> values;
  for (size_t i = 0; i < gin.size(); ++i) values[gin[i]] = inputs[i];
  for (size_t k = 0; k < parts_.size(); ++k) {
    const Part& part = partition_.parts[k];
    std::vector<Tensor> ins;
    for (const Value* v : part.inputs) ins.push_back(values.at(v));
    std::vector<Tensor> outs = parts_[k]->Run(ins);
    for (size_t i = 0; i < outs.size(); ++i) values[part.outputs[i]] = std::move(outs[i]);
  }
  std::vector<Tensor> outs;
  for (const Value* v : graph_.outputs()) {
    auto it = values.find(v);  // else a constant
    outs.push_back(it != values.end() ? it->second : v->producer()->GetTensor("value"));
  }
  return outs;
}

}  // namespace halo
