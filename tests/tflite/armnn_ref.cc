// Reference runner for float TFLite models on ArmNN's CpuRef backend (Debian's libarmnn22):
// armnn_ref MODEL.tflite DIR reads DIR/input_I.bin (raw, in the order of the subgraph's
// inputs) and writes DIR/output_I.bin. Built by the TFLite tests when ArmNN is installed.
#include <armnn/ArmNN.hpp>
#include <armnnTfLiteParser/ITfLiteParser.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: armnn_ref MODEL.tflite DIR\n";
    return 2;
  }
  try {
    std::string dir = argv[2];
    auto parser = armnnTfLiteParser::ITfLiteParser::Create();
    armnn::INetworkPtr net = parser->CreateNetworkFromBinaryFile(argv[1]);
    armnn::IRuntimePtr rt = armnn::IRuntime::Create(armnn::IRuntime::CreationOptions());
    armnn::IOptimizedNetworkPtr opt =
        armnn::Optimize(*net, {armnn::Compute::CpuRef}, rt->GetDeviceSpec());
    armnn::NetworkId id;
    if (rt->LoadNetwork(id, std::move(opt)) != armnn::Status::Success) {
      std::cerr << "armnn_ref: LoadNetwork failed\n";
      return 1;
    }
    std::vector<std::vector<char>> in_data, out_data;
    armnn::InputTensors inputs;
    armnn::OutputTensors outputs;
    auto in_names = parser->GetSubgraphInputTensorNames(0);
    for (size_t i = 0; i < in_names.size(); ++i) {
      auto b = parser->GetNetworkInputBindingInfo(0, in_names[i]);
      std::string path = dir + "/input_" + std::to_string(i) + ".bin";
      std::ifstream f(path, std::ios::binary);
      in_data.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
      if (in_data.back().size() != b.second.GetNumBytes()) {
        std::cerr << "armnn_ref: " << path << " holds " << in_data.back().size()
                  << " bytes, the input needs " << b.second.GetNumBytes() << "\n";
        return 1;
      }
      inputs.emplace_back(b.first, armnn::ConstTensor(b.second, in_data.back().data()));
    }
    auto out_names = parser->GetSubgraphOutputTensorNames(0);
    out_data.reserve(out_names.size());
    for (const auto& name : out_names) {
      auto b = parser->GetNetworkOutputBindingInfo(0, name);
      out_data.emplace_back(b.second.GetNumBytes());
      outputs.emplace_back(b.first, armnn::Tensor(b.second, out_data.back().data()));
    }
    if (rt->EnqueueWorkload(id, inputs, outputs) != armnn::Status::Success) {
      std::cerr << "armnn_ref: EnqueueWorkload failed\n";
      return 1;
    }
    for (size_t i = 0; i < out_data.size(); ++i) {
      std::ofstream f(dir + "/output_" + std::to_string(i) + ".bin", std::ios::binary);
      f.write(out_data[i].data(), static_cast<std::streamsize>(out_data[i].size()));
    }
  } catch (const std::exception& e) {
    std::cerr << "armnn_ref: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
