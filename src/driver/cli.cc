#include "driver/cli.h"

#include <filesystem>
#include <map>
#include <set>

#include "driver/driver.h"
#include "driver/hetero.h"
#include "driver/npy.h"
#include "driver/progress.h"
#include "driver/report.h"
#include "ir/printer.h"
#include "targets/c_names.h"
#include "targets/cpp_emitter.h"
#include "targets/executor.h"
#include "targets/file_set.h"
#include "targets/partition_executor.h"

namespace halo {
namespace {

// Removes the directories `made` (parents first) if they are empty, children first.
void RemoveDirectories(const std::vector<std::filesystem::path>& made) {
  std::error_code ec;
  for (auto it = made.rbegin(); it != made.rend(); ++it) std::filesystem::remove(*it, ec);
}

// Creates `dir` and its missing parents; returns those it created, parents first.
std::vector<std::filesystem::path> MakeDirectories(const std::string& dir) {
  std::vector<std::filesystem::path> missing;
  std::error_code ec;
  for (std::filesystem::path p = dir; !p.empty() && !std::filesystem::exists(p, ec);
       p = p.parent_path()) {
    missing.insert(missing.begin(), p);
    if (p == p.parent_path()) break;
  }
  std::vector<std::filesystem::path> made;
  for (const auto& p : missing) {
    if (!std::filesystem::create_directory(p, ec) && ec) {
      RemoveDirectories(made);
      throw Err(p.string(), ": cannot create the directory: ", ec.message());
    }
    made.push_back(p);
  }
  return made;
}

}  // namespace

void RunAndSave(const Graph& g, const Options& opts, const Partition* partition) {
  const std::string& model = opts.models.at(0);
  std::map<std::string, std::string> files(opts.inputs.begin(), opts.inputs.end());
  std::set<std::string> names;
  std::string known;
  // The model's own inputs: its states (Graph::State) start at their initial values.
  std::vector<const Value*> model_inputs(g.inputs().begin(),
                                         g.inputs().begin() + g.num_model_inputs());
  for (const Value* v : model_inputs) {
    names.insert(v->name());
    known += (known.empty() ? "" : ", ") + v->name();
  }
  for (const auto& [name, file] : opts.inputs)
    if (!names.count(name))
      throw Err(model, ": the model has no input '", name,
                "' (its inputs: ", known.empty() ? "none" : known, ")");
  std::vector<Tensor> inputs;
  for (const Value* v : model_inputs) {
    auto it = files.find(v->name());
    if (it == files.end())
      throw Err(model, ": no data for input '", v->name(), "' (", v->type().ToString(),
                "): give --input ", v->name(), "=FILE.npy");
    Tensor t = ReadNpy(it->second);
    if (t.type() != v->type())
      throw Err(it->second, ": input '", v->name(), "' must be ", v->type().ToString(),
                ", the file holds ", t.type().ToString());
    inputs.push_back(std::move(t));
  }
  std::vector<Tensor> outputs;
  try {
    if (partition && !g.states().empty())
      throw Err("a partitioned model (--device) with state is not supported");
    if (partition) {
      PartitionedExecutor ex(g, *partition, opts.precision);
      outputs = ex.Run(inputs);
    } else {
      Executor ex(g, opts.precision);
      outputs = ex.Run(inputs);
    }
  } catch (const Error& e) {
    throw Err(model, ": ", e.what());
  }
  std::vector<std::filesystem::path> made = MakeDirectories(opts.output_dir);
  try {
    CNameScope scope;
    FileSet set;
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string dir = opts.output_dir;
      if (dir.back() != '/') dir += '/';
      set.Add(dir + scope.Make(g.outputs()[i]->name()) + ".npy") << SerializeNpy(outputs[i]);
    }
    set.Commit();
  } catch (const Error&) {
    RemoveDirectories(made);
    throw;
  }
}

namespace {

// halo run --dynamic-batch: the batch size of the input files, checked against the model at
// all batch sizes; every input that depends on it must have the same first dimension.
int64_t BatchOfInputs(const Options& opts) {
  BatchGraph bg =
      LoadBatchModel(opts.models, opts.import, opts.format, opts.optimize, opts.disabled_passes);
  std::map<std::string, std::string> files(opts.inputs.begin(), opts.inputs.end());
  int64_t batch = 0;
  std::string first;
  for (const Value* v : bg.graph->inputs()) {
    if (!bg.forms.DimsOf(v).count(0)) continue;
    auto it = files.find(v->name());
    if (it == files.end())
      throw Err(opts.models[0], ": no data for input '", v->name(), "': give --input ", v->name(),
                "=FILE.npy");
    Tensor t = ReadNpy(it->second);
    if (t.type().Rank() == 0)
      throw Err(it->second, ": input '", v->name(), "' must have a batch dimension, the file ",
                "holds a scalar");
    if (batch && t.type().shape[0] != batch)
      throw Err(it->second, ": input '", v->name(), "' has batch size ", t.type().shape[0],
                " but input '", first, "' has ", batch);
    if (t.type().shape[0] < 1)
      throw Err(it->second, ": input '", v->name(), "' has batch size 0; --dynamic-batch needs ",
                "at least 1");
    batch = t.type().shape[0], first = v->name();
  }
  return batch;
}

}  // namespace

int HaloMain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             bool err_is_terminal) {
  Options opts;
  try {
    opts = ParseOptions(args);
  } catch (const UsageError& e) {
    err << "halo: " << e.what() << " (see 'halo --help')\n";
    return 2;
  }
  if (opts.help) {
    out << HelpText();
    return 0;
  }
  if (opts.version) {
    out << VersionText();
    return 0;
  }
  ProgressLine progress(err, err_is_terminal);
  try {
    for (const auto& [name, file] : opts.const_inputs)
      opts.import.const_inputs[name] = ReadNpy(file);
    opts.import.progress = progress.Fn();
    if (opts.report && DetectFormat(opts.models[0], opts.format) == ModelFormat::kTflite)
      out << TfliteOperatorReport(opts.models[0]) << std::flush;  // even if the import fails
    BatchGraph bg;  // --dynamic-batch: the graph at batch size 1 and its batch forms
    if (opts.dynamic_batch && opts.command == Options::Command::kRun)
      opts.import.batch_size = BatchOfInputs(opts);
    else if (opts.dynamic_batch)
      bg = LoadBatchModel(opts.models, opts.import, opts.format, opts.optimize,
                          opts.disabled_passes);
    auto g = bg.graph ? std::move(bg.graph)
                      : LoadModel(opts.models, opts.import, opts.format, opts.optimize,
                                  opts.disabled_passes);
    progress.Clear();
    if (opts.print_ir) out << PrintGraph(*g) << std::flush;
    std::unique_ptr<Partition> partition =
        PartitionFor(*g, opts, bg.forms.dims.empty() ? nullptr : &bg.forms);
    if (opts.report)
      out << Report(*g, opts.models[0]) << (partition ? PartitionReport(*partition) : "")
          << std::flush;
    if (opts.command == Options::Command::kRun) {
      RunAndSave(*g, opts, partition.get());
    } else if (!opts.output.empty()) {
      EmitOptions eo;
      eo.output_cc = opts.output;
      eo.entry_func_name =
          opts.entry_func_name.empty() ? DefaultEntryName(opts.models[0]) : opts.entry_func_name;
      eo.emit_data_as_c = opts.emit_data_as_c;
      eo.model_path = opts.models[0];
      eo.progress = progress.Fn();
      if (opts.dynamic_batch) eo.batch_forms = &bg.forms;
      eo.partition = partition.get();
      eo.precision = opts.precision;
      EmitCpp(*g, eo);
      progress.Clear();
    }
  } catch (const Error& e) {
    progress.Clear();
    err << "halo: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    progress.Clear();
    err << "halo: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace halo
