#include "conformance/runner.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "conformance/compare.h"
#include "conformance/compile_model.h"
#include "conformance/files.h"
#include "conformance/hash.h"
#include "conformance/process.h"
#include "conformance/test_inputs.h"
#include "frontends/onnx/onnx_tensor.h"
#include "ir/error.h"

namespace fs = std::filesystem;

namespace halo::conformance {

namespace {

// A test's model: DIR/model.onnx, else DIR/model.tflite; "" when it has neither.
std::string ModelOf(const std::string& dir) {
  for (const char* name : {"/model.onnx", "/model.tflite"})
    if (fs::exists(dir + name)) return dir + name;
  return "";
}

std::string Basename(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

std::string ReadIfExists(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return "";
  return ReadFileBytes(path);
}

// The line of a log that says what went wrong: the first non-empty one, or for compiler
// logs (which start with "In function ..." context lines) the first that mentions an error.
// Paths inside the work directory are shortened to file names.
std::string KeyLine(const std::string& log, const std::string& work, bool compiler = false) {
  std::istringstream is(log);
  std::string line, first, error;
  while (std::getline(is, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (first.empty()) first = line;
    if (!compiler) break;
    if (line.find("error") != std::string::npos ||
        line.find("undefined reference") != std::string::npos) {
      error = line;
      break;
    }
  }
  std::string r = error.empty() ? first : error;
  for (size_t p; !work.empty() && (p = r.find(work + "/")) != std::string::npos;)
    r.erase(p, work.size() + 1);
  if (r.size() > 400) r = r.substr(0, 400) + "...";
  return r;
}

std::string Join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

// The ONNX 1.12 test data store bfloat16 tensors as uint16 tensors of the same bits: read them
// as the bfloat16 the model has.
Tensor AsModelType(Tensor t, const Type& model) {
  if (model.dtype == DataType::kBFloat16 && t.type().dtype == DataType::kUInt16 &&
      t.type().shape == model.shape)
    return Tensor(model, std::vector<uint8_t>(t.bytes(), t.bytes() + t.byte_size()));
  return t;
}

// Replaces `type`, the bound of an output with data-dependent dimensions, by its actual type
// read from the harness's shape file. "" or what is wrong with it.
std::string ActualType(const std::string& shape_file, Type& type) {
  std::string bytes = ReadFileBytes(shape_file);
  if (bytes.size() != type.shape.size() * sizeof(int64_t))
    return "the shape file has " + std::to_string(bytes.size()) + " bytes for rank " +
           std::to_string(type.Rank());
  Shape shape(type.Rank());
  std::memcpy(shape.data(), bytes.data(), bytes.size());
  for (int i = 0; i < type.Rank(); ++i)
    if (shape[i] < 0 || shape[i] > type.shape[i] ||
        (!type.IsDynamicDim(i) && shape[i] != type.shape[i]))
      return "the actual shape " + ShapeToString(shape) + " does not fit " + type.ToString();
  type = Type(type.dtype, shape);
  return "";
}

Outcome MakeOutcome(Outcome::Kind kind, std::string message, std::string detail,
                    const std::set<std::string>& specialised) {
  Outcome o;
  o.kind = kind;
  o.message = std::move(message);
  o.detail = std::move(detail);
  o.specialised.assign(specialised.begin(), specialised.end());
  return o;
}

std::vector<std::string> DataSets(const std::string& dir) {
  std::vector<std::string> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path().string());
  std::sort(sets.begin(), sets.end());
  return sets;
}

// How many NAME_N.pb files a data set holds (N = 0, 1, ... without gaps).
size_t CountFiles(const std::string& set, const std::string& name) {
  size_t n = 0;
  while (fs::exists(set + "/" + name + "_" + std::to_string(n) + ".pb")) ++n;
  return n;
}

}  // namespace

std::vector<TestCase> DiscoverTests(const std::vector<std::string>& dirs) {
  std::vector<TestCase> tests;
  std::set<std::string> seen;
  auto add = [&](const std::string& suite, const fs::path& dir) {
    std::string name = suite + "/" + dir.filename().string();
    if (seen.insert(name).second) tests.push_back({name, dir.string()});
  };
  for (const std::string& d : dirs) {
    fs::path dir = fs::path(d).lexically_normal();
    if (dir.filename().empty()) dir = dir.parent_path();
    if (!fs::is_directory(dir))
      throw Err(d,
                ": no such test directory. The ONNX backend tests come with the Debian package "
                "libonnx-testdata (apt-get install libonnx-testdata), in "
                "/usr/share/libonnx-testdata/data/{node,pytorch-converted,pytorch-operator,"
                "simple}");
    if (!ModelOf(dir.string()).empty()) {
      add(Basename(fs::absolute(dir).parent_path().string()), dir);
      continue;
    }
    std::vector<fs::path> subs;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && !ModelOf(e.path().string()).empty()) subs.push_back(e.path());
    if (subs.empty())
      throw Err(d,
                ": holds no ONNX backend test (a directory with model.onnx or model.tflite and "
                "test_data_set_*)");
    std::sort(subs.begin(), subs.end());
    std::string suite = Basename(fs::absolute(dir).string());
    for (const auto& s : subs) add(suite, s);
  }
  return tests;
}

Runner::Runner(RunnerConfig config) : config_(std::move(config)) {
  if (!fs::exists(config_.runtime_lib))
    throw Err(config_.runtime_lib, ": the runtime library does not exist (build it first)");
  fs::create_directories(config_.cache_dir + "/exe");
  fs::create_directories(config_.work_dir);

  std::string log = config_.work_dir + "/cxx-version.log";
  fs::remove(log);
  ProcessResult r = RunProcess({config_.cxx, "--version"}, log, 60);
  if (!r.ok()) throw Err("cannot run the C++ compiler '", config_.cxx, "': ", r.Describe(60));
  Hasher h;
  h.Add(ReadFileBytes(log));
  h.Add(Join(config_.cxx_flags));
  h.Add(ReadFileBytes(config_.include_dir + "/odla/odla.h"));
  // A shared runtime is loaded when a test runs, so rebuilding it keeps the cache; a static
  // one is linked into every executable.
  if (fs::path(config_.runtime_lib).extension() != ".so") h.Add(ReadFileBytes(config_.runtime_lib));
  // An executable links its runtime by name (libodla_ref's keys predate the others).
  std::string lib_name = fs::path(config_.runtime_lib).filename().string();
  if (lib_name != "libodla_ref.so") h.Add(lib_name);
  toolchain_stamp_ = h.Hex();

  // odla_ops.h grows whenever an operator is added: the key of an executable only covers
  // the declarations of the builders its code calls, so unrelated changes keep the cache.
  std::string ops = ReadIfExists(config_.include_dir + "/odla/odla_ops.h");
  std::regex call(R"(\b(odla_\w+)\s*\()");
  size_t start = 0;
  while (start < ops.size()) {
    size_t end = ops.find(';', start);
    if (end == std::string::npos) end = ops.size();
    std::string stmt = ops.substr(start, end - start + 1);
    for (std::sregex_iterator it(stmt.begin(), stmt.end(), call), e; it != e; ++it)
      odla_decls_[(*it)[1]] += stmt;
    start = end + 1;
  }
}

std::string Runner::ExecutableKey(const std::string& work, const std::string& frozen_key) const {
  Hasher h;
  h.Add(toolchain_stamp_);
  // The frozen values are in the generated code already; an unspecialised compile's key
  // stays what it was before specialisation existed.
  if (!frozen_key.empty()) h.Add(frozen_key);
  std::set<std::string> used;
  std::regex ident(R"(\bodla_\w+)");
  for (const char* f : {".h", ".cc", ".bin"}) {
    std::string text = ReadIfExists(work + "/" + kModelName + f);
    h.Add(text);
    if (std::string(f) == ".bin") continue;
    for (std::sregex_iterator it(text.begin(), text.end(), ident), e; it != e; ++it)
      used.insert(it->str());
  }
  h.Add(ReadFileBytes(work + "/" + kHarnessName));
  for (const auto& u : used) {
    auto it = odla_decls_.find(u);
    if (it != odla_decls_.end()) h.Add(it->second);
  }
  return h.Hex();
}

Outcome Runner::Run(const TestCase& test) const {
  Outcome o = RunSteps(test);
  // The test's name says which model and data: drop their paths from messages.
  for (const std::string& prefix : {ModelOf(test.dir) + ": ", test.dir + "/"})
    for (size_t p; (p = o.message.find(prefix)) != std::string::npos;)
      o.message.erase(p, prefix.size());
  return o;
}

std::string Runner::Compile(const TestCase& test, const std::string& set, const std::string& work,
                            std::ostringstream& detail) const {
  fs::create_directories(work);
  std::string log = work + "/compile.log";
  std::vector<std::string> cmd = {config_.self_exe, "--internal-compile", ModelOf(test.dir), set,
                                  work};
  if (!config_.specialise) cmd.push_back("--no-specialise");
  if (config_.verbose) detail << "$ " << Join(cmd) << "\n";
  ProcessResult r = RunProcess(cmd, log, config_.compile_timeout_s);
  if (r.ok()) return "";
  std::string text = ReadIfExists(log);
  detail << text;
  std::string line = KeyLine(text, work);
  if (r.exit_code == 1 && !line.empty()) return line;
  return "halo " + r.Describe(config_.compile_timeout_s) + (line.empty() ? "" : ": " + line);
}

std::string Runner::Build(const std::string& work, const std::string& frozen_key, std::string& exe,
                          std::ostringstream& detail) const {
  exe = config_.cache_dir + "/exe/" + ExecutableKey(work, frozen_key);
  std::string err_file = exe + ".err";
  if (fs::exists(exe)) {
    fs::last_write_time(exe, fs::file_time_type::clock::now());
    return "";
  }
  if (fs::exists(err_file)) return ReadFileBytes(err_file);
  std::ostringstream tmp_name;  // unique across processes sharing the cache
  tmp_name << exe << ".tmp" << getpid() << "-" << std::this_thread::get_id();
  std::string tmp = tmp_name.str();
  std::string lib_dir = fs::path(config_.runtime_lib).parent_path().string();
  std::vector<std::string> cmd = {config_.cxx};
  cmd.insert(cmd.end(), config_.cxx_flags.begin(), config_.cxx_flags.end());
  cmd.insert(cmd.end(), {"-I" + config_.include_dir, "-I" + work, work + "/" + kModelName + ".cc",
                         work + "/" + kHarnessName, work + "/" + kModelName + ".bin", "-o", tmp,
                         config_.runtime_lib, "-Wl,-rpath," + lib_dir, "-lpthread"});
  if (config_.verbose) detail << "$ " << Join(cmd) << "\n";
  std::string log = work + "/build.log";
  ProcessResult r = RunProcess(cmd, log, config_.build_timeout_s);
  if (r.ok()) {
    fs::rename(tmp, exe);
    return "";
  }
  fs::remove(tmp);
  std::string text = ReadIfExists(log);
  detail << text;
  std::string line = KeyLine(text, work, true);
  std::string msg =
      "c++ " + r.Describe(config_.build_timeout_s) + (line.empty() ? "" : ": " + line);
  if (r.started && !r.timed_out && r.signal == 0) {  // it would fail again: remember
    WriteFileBytes(tmp, msg);
    fs::rename(tmp, err_file);
  }
  return msg;
}

Outcome Runner::RunSteps(const TestCase& test) const {
  std::string dir_name = test.name;
  std::replace(dir_name.begin(), dir_name.end(), '/', '_');
  std::string work = config_.work_dir + "/" + dir_name;
  std::ostringstream detail;
  std::set<std::string> specialised;
  auto error = [&](const std::string& message) {
    return MakeOutcome(Outcome::kError, message, detail.str(), specialised);
  };
  try {
    fs::remove_all(work);
    fs::create_directories(work);
    std::vector<std::string> sets = DataSets(test.dir);
    if (sets.empty()) return error("no test_data_set_* directory");

    // A compile serves the data sets whose values of its frozen inputs are its own.
    struct Compiled {
      ModelTypes types;
      std::string frozen_key;
      std::string exe;
    };
    std::vector<Compiled> compiles;
    double scaled_error = 0;  // the worst, for a kScale tolerance
    for (size_t s = 0; s < sets.size(); ++s) {
      std::string where = sets.size() > 1 ? fs::path(sets[s]).filename().string() + " " : "";
      InputData data;
      size_t c = 0;
      // The key also covers the structure of sequences and optionals, which a compile fixes.
      auto key = [&](const ModelTypes& t) {
        return FrozenKey(t.frozen, data.tensors) + StructureKey(data);
      };
      if (!compiles.empty()) {
        data = LoadInputs(sets[s], compiles[0].types.model_inputs,
                          compiles[0].types.model_input_kinds);
        while (c < compiles.size() && key(compiles[c].types) != compiles[c].frozen_key) ++c;
      }
      if (c == compiles.size()) {
        // 1. halo: model.onnx -> model.{h,cc,bin} and the harness, in a child process.
        std::string cwork = work + "/compile_" + std::to_string(c);
        std::string msg = Compile(test, sets[s], cwork, detail);
        if (!msg.empty()) return error(where + msg);
        Compiled compiled;
        compiled.types = ReadModelTypes(cwork + "/" + kMetaName);
        if (compiles.empty())
          data = LoadInputs(sets[s], compiled.types.model_inputs, compiled.types.model_input_kinds);
        compiled.frozen_key = key(compiled.types);
        specialised.insert(compiled.types.frozen.begin(), compiled.types.frozen.end());
        // 2. The C++ compiler: generated code + harness -> an executable, cached by content.
        msg = Build(cwork, compiled.frozen_key, compiled.exe, detail);
        if (!msg.empty()) return error(where + msg);
        compiles.push_back(std::move(compiled));
      }
      const ModelTypes& types = compiles[c].types;

      // 3. Run on the data set's runtime inputs and compare.
      std::vector<Port> ports = types.output_ports;
      if (ports.empty())
        for (const Type& t : types.outputs) {
          ports.emplace_back();
          ports.back().dtype = t.dtype;
        }
      size_t n_out = CountFiles(sets[s], "output");
      if (n_out != ports.size())
        return error(where + "the test has " + std::to_string(n_out) +
                     " outputs, the compiled model " + std::to_string(ports.size()));
      std::string run_dir = work + "/set_" + std::to_string(s);
      fs::create_directories(run_dir);
      for (size_t i = 0; i < types.inputs.size(); ++i) {
        const std::string& name = types.input_names[i];
        auto it = data.tensors.find(name);
        if (data.unreadable.count(name)) return error(where + data.unreadable.at(name));
        if (it == data.tensors.end())
          return error(where + "no input_N.pb feeds the model input '" + name + "'");
        Tensor t = AsModelType(it->second, types.inputs[i]);
        if (t.type() != types.inputs[i])
          return error(where + "input '" + name + "' is " + t.type().ToString() +
                       ", the compiled model takes " + types.inputs[i].ToString());
        WriteFileBytes(run_dir + "/input_" + std::to_string(i) + ".bin",
                       std::string(reinterpret_cast<const char*>(t.bytes()), t.byte_size()));
      }
      std::string log = work + "/run_" + std::to_string(s) + ".log";
      std::vector<std::string> cmd = {compiles[c].exe, run_dir};
      if (config_.verbose) detail << "$ " << Join(cmd) << "\n";
      ProcessResult r = RunProcess(cmd, log, config_.run_timeout_s);
      if (!r.ok()) {
        std::string text = ReadIfExists(log);
        detail << text;
        std::string line = KeyLine(text, work);
        return error(where + "run " + r.Describe(config_.run_timeout_s) +
                     (line.empty() ? "" : ": " + line));
      }
      // Output o of the model is the program's outputs [first, first + its count).
      size_t first = 0;
      for (size_t o = 0; o < n_out; ++o) {
        const Port& port = ports[o];
        std::string file = "output_" + std::to_string(o) + ".pb";
        std::string prefix = n_out > 1 ? "output " + std::to_string(o) + ": " : "";
        TestValue expected;
        try {
          expected = LoadTestValue(sets[s] + "/" + file, port.kind);
        } catch (const Error& e) {
          return error(where + file + ": " + e.what());
        }
        // The program's value has the structure the compile fixed: it must be the test's.
        TestValue got_value = expected;
        got_value.present = port.present;
        got_value.content = port.content;
        got_value.tensors.resize(port.count);
        if (expected.present != port.present || expected.tensors.size() != port.count ||
            (expected.kind == Port::Kind::kOptional && expected.present &&
             expected.content != port.content))
          return MakeOutcome(Outcome::kFail,
                             where + prefix + "got " + DescribeValue(got_value) + ", expected " +
                                 DescribeValue(expected),
                             detail.str(), specialised);
        for (size_t k = 0; k < port.count; ++k, ++first) {
          Type type = types.outputs.at(first);
          if (type.HasDynamicDims()) {
            std::string msg =
                ActualType(run_dir + "/output_shape_" + std::to_string(first) + ".bin", type);
            if (!msg.empty()) return error(where + prefix + msg);
          }
          Tensor want = AsModelType(expected.tensors[k], type);
          std::string bin = run_dir + "/output_" + std::to_string(first) + ".bin";
          std::string bytes = ReadFileBytes(bin);
          std::string element = prefix + (expected.kind == Port::Kind::kTensor ||
                                                  (expected.kind == Port::Kind::kOptional &&
                                                   expected.content == Port::Kind::kTensor)
                                              ? ""
                                              : "element " + std::to_string(k) + ": ");
          if (bytes.size() != type.ByteSize())
            return error(where + element + "the program wrote " + std::to_string(bytes.size()) +
                         " bytes, expected " + std::to_string(type.ByteSize()));
          Tensor got(type, std::vector<uint8_t>(bytes.begin(), bytes.end()));
          std::string diff = CompareTensors(got, want, config_.tolerance);
          if (!diff.empty())
            return MakeOutcome(Outcome::kFail, where + element + diff, detail.str(), specialised);
          if (IsFloat(type.dtype)) scaled_error = std::max(scaled_error, ScaledError(got, want));
        }
      }
    }
    std::string measured;
    if (config_.tolerance.kind == Tolerance::kScale) {
      std::ostringstream os;
      os.precision(3);
      os << "max |diff| / max |expected| " << scaled_error;
      measured = os.str();
    }
    return MakeOutcome(Outcome::kPass, measured, detail.str(), specialised);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    for (size_t p; (p = msg.find('\n')) != std::string::npos;) msg[p] = ' ';
    return error(msg);
  }
}

}  // namespace halo::conformance
