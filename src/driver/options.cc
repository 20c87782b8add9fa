#include "driver/options.h"

#include <odla/odla.h>

#include <algorithm>
#include <functional>
#include <sstream>

#include "passes/passes.h"
#include "targets/c_names.h"

namespace halo {
namespace {

enum Where { kCompile = 1, kRun = 2, kBoth = 3 };

struct OptionDef {
  std::vector<std::string> names;  // "-o", "--output"
  std::string arg;                 // "" for a flag
  int where;
  std::string help;
  std::function<void(Options&, const std::string&)> apply;
};

int64_t ParseCount(const std::string& s, const std::string& what) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError(what + ": expected a non-negative integer, got '" + s + "'");
  return std::stoll(s);
}

// "1x3x224x224"; a first dimension "N" (-1) is the batch size (--batch-size, --dynamic-batch).
Shape ParseDims(const std::string& s, const std::string& what) {
  Shape shape;
  if (s == "scalar") return shape;
  size_t start = 0;
  while (true) {
    size_t x = s.find('x', start);
    std::string d = s.substr(start, x - start);
    shape.push_back(start == 0 && d == "N" ? -1 : ParseCount(d, what));
    if (x == std::string::npos) break;
    start = x + 1;
  }
  return shape;
}

// --inputs/--outputs A,B,C: non-empty names.
std::vector<std::string> SplitNames(const std::string& v, const std::string& what) {
  std::vector<std::string> names;
  size_t start = 0;
  while (true) {
    size_t comma = v.find(',', start);
    std::string n = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (n.empty())
      throw UsageError(what + ": expected comma-separated node names, got '" + v + "'");
    names.push_back(n);
    if (comma == std::string::npos) return names;
    start = comma + 1;
  }
}

// --input-shape NAME:DIMS, NAME:[DIMS,DIMS,...] (a sequence) or NAME:none (an empty
// optional), each NAME once.
void AddInputShape(ImportOptions& o, const std::string& v) {
  size_t colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size())
    throw UsageError("--input-shape: expected NAME:DIMS like x:1x3x224x224, got '" + v + "'");
  std::string name = v.substr(0, colon), spec = v.substr(colon + 1);
  if (o.input_shapes.count(name) || o.sequence_shapes.count(name) || o.absent_inputs.count(name))
    throw UsageError("--input-shape: input '" + name + "' is given twice");
  std::string what = "--input-shape " + v;
  if (spec == "none") {
    o.absent_inputs.insert(name);
  } else if (spec.front() == '[') {
    if (spec.back() != ']') throw UsageError(what + ": expected a list of shapes like [2x3,2x3]");
    std::vector<Shape>& shapes = o.sequence_shapes[name];
    std::string list = spec.substr(1, spec.size() - 2);
    for (size_t start = 0; !list.empty();) {
      size_t comma = list.find(',', start);
      shapes.push_back(ParseDims(list.substr(start, comma - start), what));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else {
    o.input_shapes[name] = ParseDims(spec, what);
  }
}

// NAME=FILE for --input and --const-input, each NAME once.
void AddNamedFile(std::vector<std::pair<std::string, std::string>>& list, const std::string& opt,
                  const std::string& v) {
  size_t eq = v.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
    throw UsageError(opt + ": expected NAME=FILE.npy, got '" + v + "'");
  for (const auto& in : list)
    if (in.first == v.substr(0, eq))
      throw UsageError(opt + ": input '" + in.first + "' is given twice");
  list.emplace_back(v.substr(0, eq), v.substr(eq + 1));
}

// "simplify, cse, ...": the optimizing passes in pipeline order.
std::string PassList() {
  std::string s;
  for (const std::string& n : OptimizingPassNames()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

const std::vector<OptionDef>& Table() {
  static const std::vector<OptionDef> table = {
      {{"-o"},
       "FILE",
       kCompile,
       "write the C++ code to FILE (NAME.cc); NAME.h and NAME.bin go beside it",
       [](Options& o, const std::string& v) { o.output = v; }},
      {{"--entry-func-name"},
       "NAME",
       kCompile,
       "name of the generated C function (default: the model file's stem)",
       [](Options& o, const std::string& v) {
         if (v.empty() || CIdentifier(v) != v)
           throw UsageError("--entry-func-name: '" + v + "' is not a plain C identifier");
         o.entry_func_name = v;
       }},
      {{"--emit-data-as-c"},
       "",
       kCompile,
       "write the weights as C (NAME_weights.c), not as an ELF object",
       [](Options& o, const std::string&) { o.emit_data_as_c = true; }},
      {{"--print-ir"},
       "",
       kBoth,
       "print the IR after the optimisation pipeline to stdout",
       [](Options& o, const std::string&) { o.print_ir = true; }},
      {{"--report"},
       "",
       kBoth,
       "print a table of the operators (result types, FLOPs with a multiply-add as 2, "
       "parameters, result bytes, place in the memory arena) and the totals: FLOPs, "
       "parameters, weight bytes, the planned arena of the intermediate values and its lower "
       "bound (the most bytes live at once); compiles nothing else without -o. For a .tflite "
       "model it first lists the model's operators with their counts and whether each is "
       "supported (printed even when the model then fails to import)",
       [](Options& o, const std::string&) { o.report = true; }},
      {{"-x"},
       "FORMAT",
       kBoth,
       "read the model as FORMAT whatever its file name: onnx, tensorflow (GraphDef .pb or "
       ".pbtxt), caffe (NET.prototxt [WEIGHTS.caffemodel]) or tflite",
       [](Options& o, const std::string& v) {
         if (v != "onnx" && v != "tensorflow" && v != "caffe" && v != "tflite")
           throw UsageError("-x: unknown model format '" + v +
                            "' (known: onnx, tensorflow, caffe, tflite)");
         o.format = v;
       }},
      {{"--inputs"},
       "NAMES",
       kBoth,
       "TensorFlow: the comma-separated nodes that become the inputs (their shapes by "
       "--input-shape), cutting the graph above them; default: the Placeholders",
       [](Options& o, const std::string& v) { o.import.input_names = SplitNames(v, "--inputs"); }},
      {{"--outputs"},
       "NAMES",
       kBoth,
       "TensorFlow: the comma-separated nodes (NODE or NODE:N for result N) whose results are "
       "the outputs; default: the nodes whose results no node reads",
       [](Options& o, const std::string& v) {
         o.import.output_names = SplitNames(v, "--outputs");
       }},
      {{"--input-shape"},
       "NAME:DIMS",
       kBoth,
       "set the shape of input NAME, e.g. data:1x3x224x224, data:Nx3x224x224 with "
       "--batch-size or --dynamic-batch, scalar for rank 0; for an ONNX sequence input, its "
       "length and element shapes, e.g. seq:[2x3,4x3] ([] when empty), which make the inputs "
       "seq.0, seq.1, ... (outputs likewise); NAME:none leaves an optional input empty "
       "(repeatable)",
       [](Options& o, const std::string& v) { AddInputShape(o.import, v); }},
      {{"--batch-size"},
       "N",
       kBoth,
       "use N for the unknown first dimension of the inputs",
       [](Options& o, const std::string& v) {
         o.import.batch_size = ParseCount(v, "--batch-size");
         if (o.import.batch_size == 0) throw UsageError("--batch-size: must be at least 1");
       }},
      {{"--dynamic-batch"},
       "",
       kBoth,
       "compile once for any batch size: the inputs' unknown first dimension becomes the "
       "generated functions' first parameter, int64_t batch (halo run: the batch size of "
       "the input files)",
       [](Options& o, const std::string&) { o.dynamic_batch = true; }},
      {{"--precision"},
       "P",
       kBoth,
       "arithmetic precision, fp32 (default), bf16 or tf32: bf16 asks the runtime (ODLA 1.3) to "
       "compute convolutions and matrix products with bfloat16 operands and float32 "
       "accumulation (libodla_dnnl on CPUs with AVX512-BF16 or AMX); tf32 (ODLA 1.4) asks "
       "for them on TF32 tensor cores (libodla_cuda); other runtimes and CPUs print one "
       "notice and compute in fp32; inputs and outputs stay float32",
       [](Options& o, const std::string& v) {
         if (v != "fp32" && v != "bf16" && v != "tf32")
           throw UsageError("--precision: unknown precision '" + v + "' (known: fp32, bf16, tf32)");
         o.precision = ParsePrecision(v);
       }},
      {{"--const-input"},
       "NAME=FILE",
       kBoth,
       "fix input NAME to the tensor in FILE.npy at compile time; the generated function "
       "(and halo run) then no longer takes it (repeatable)",
       [](Options& o, const std::string& v) { AddNamedFile(o.const_inputs, "--const-input", v); }},
      {{"--no-opt"},
       "",
       kBoth,
       "only infer types (which folds the nodes of constants) and split nodes wider than "
       "ODLA's lists (split-wide-ops): skip the optimizing passes",
       [](Options& o, const std::string&) { o.optimize = false; }},
      {{"--disable-pass"},
       "NAME",
       kBoth,
       "skip the optimizing pass NAME (repeatable), one of: " + PassList(),
       [](Options& o, const std::string& v) {
         std::vector<std::string> names = OptimizingPassNames();
         if (std::find(names.begin(), names.end(), v) == names.end())
           throw UsageError("--disable-pass: unknown pass '" + v + "' (known: " + PassList() + ")");
         o.disabled_passes.insert(v);
       }},
      {{"--device"},
       "NAME",
       kBoth,
       "the main device: host (default: the whole model on the linked runtime), sim (the "
       "simulated device, libodla_sim) or cuda (libodla_cuda); operators it lacks or that its cost "
       "model finds "
       "cheaper on the host run on the host (libodla_ref_host), see docs/heterogeneous.md",
       [](Options& o, const std::string& v) { o.device = v; }},
      {{"--device-table"},
       "FILE",
       kBoth,
       "describe the main device by FILE (its name, ops, throughputs; see "
       "docs/heterogeneous.md) instead of a built-in table",
       [](Options& o, const std::string& v) { o.device_table = v; }},
      {{"--place"},
       "NODE=host|device",
       kBoth,
       "run operator node NODE on the host or on the device, whatever the cost model says "
       "(repeatable; needs --device or --device-table)",
       [](Options& o, const std::string& v) {
         size_t eq = v.rfind('=');
         std::string where = eq == std::string::npos ? "" : v.substr(eq + 1);
         if (eq == std::string::npos || eq == 0 || (where != "host" && where != "device"))
           throw UsageError("--place: expected NODE=host or NODE=device, got '" + v + "'");
         o.place[v.substr(0, eq)] = where == "device";
       }},
      {{"--input"},
       "NAME=FILE",
       kRun,
       "(run) read model input NAME from FILE.npy (repeatable)",
       [](Options& o, const std::string& v) { AddNamedFile(o.inputs, "--input", v); }},
      {{"--output-dir"},
       "DIR",
       kRun,
       "(run) write each model output to DIR/NAME.npy (DIR is created if missing)",
       [](Options& o, const std::string& v) { o.output_dir = v; }},
      {{"-h", "--help"},
       "",
       kBoth,
       "print this help and exit",
       [](Options& o, const std::string&) { o.help = true; }},
      {{"--version"},
       "",
       kBoth,
       "print the version and exit",
       [](Options& o, const std::string&) { o.version = true; }},
  };
  return table;
}

const OptionDef* Find(const std::string& name) {
  for (const OptionDef& d : Table())
    for (const std::string& n : d.names)
      if (n == name) return &d;
  return nullptr;
}

}  // namespace

Options ParseOptions(const std::vector<std::string>& args) {
  Options o;
  size_t i = 0;
  if (!args.empty() && args[0] == "run") {
    o.command = Options::Command::kRun;
    i = 1;
  }
  const int mode = o.command == Options::Command::kRun ? kRun : kCompile;
  bool only_files = false;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_files || a.size() < 2 || a[0] != '-') {
      o.models.push_back(a);
      continue;
    }
    if (a == "--") {
      only_files = true;
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    const OptionDef* d = nullptr;
    if (a.compare(0, 2, "--") == 0) {
      size_t eq = a.find('=');
      if (eq != std::string::npos)
        name = a.substr(0, eq), value = a.substr(eq + 1), has_value = true;
      d = Find(name);
    } else {
      d = Find(a.substr(0, 2));  // short options: "-o FILE" or "-oFILE"
      name = a.substr(0, 2);
      if (d && a.size() > 2) value = a.substr(2), has_value = true;
    }
    if (!d) throw UsageError("unknown option '" + a + "'");
    if (!d->arg.empty() && !has_value) {
      if (i + 1 >= args.size()) throw UsageError("option " + name + " needs " + d->arg);
      value = args[++i];
    } else if (d->arg.empty() && has_value) {
      throw UsageError("option " + name + " takes no value");
    }
    if (!(d->where & mode))
      throw UsageError("option " + name +
                       (mode == kRun ? " is not for 'halo run'" : " is only for 'halo run'"));
    d->apply(o, value);
  }
  if (o.help || o.version) return o;
  if (o.models.empty()) throw UsageError("no model file given");
  if (o.dynamic_batch && o.import.batch_size)
    throw UsageError("--batch-size and --dynamic-batch exclude each other");
  if (!o.place.empty() && o.device.empty() && o.device_table.empty())
    throw UsageError("--place needs --device or --device-table");
  if (o.command == Options::Command::kCompile) {
    if (o.output.empty() && !o.print_ir && !o.report)
      throw UsageError("no output: give -o NAME.cc, --print-ir or --report");
    if (!o.output.empty()) {
      size_t slash = o.output.rfind('/');
      std::string file = slash == std::string::npos ? o.output : o.output.substr(slash + 1);
      if (file.size() < 4 || file.compare(file.size() - 3, 3, ".cc") != 0)
        throw UsageError("-o: the output must be named NAME.cc, got '" + o.output + "'");
    }
  } else if (o.output_dir.empty()) {
    throw UsageError("halo run needs --output-dir DIR");
  }
  for (const auto& c : o.const_inputs)
    for (const auto& in : o.inputs)
      if (in.first == c.first)
        throw UsageError("input '" + c.first + "' is given both as --input and --const-input");
  return o;
}

std::string HelpText() {
  std::ostringstream os;
  os << "Usage: halo [options] MODEL... -o DIR/NAME.cc\n"
        "         compile a model to C++ that calls the ODLA API: writes NAME.cc, NAME.h\n"
        "         (int NAME(inputs..., outputs...)) and NAME.bin (the weights, an ELF\n"
        "         object); build with: c++ -c NAME.cc && cc app.c NAME.o NAME.bin -lodla_ref\n"
        "       halo run [options] MODEL... --input NAME=FILE.npy... --output-dir DIR\n"
        "         run a model in process and write its outputs as .npy files\n"
        "\nOptions:\n";
  for (const OptionDef& d : Table()) {
    std::string names;
    for (const std::string& n : d.names) names += (names.empty() ? "" : ", ") + n;
    if (!d.arg.empty()) names += " " + d.arg;
    os << "  " << names << std::string(names.size() < 26 ? 26 - names.size() : 1, ' ');
    // The description, wrapped at 80 columns under its first line.
    size_t col = 28 + (names.size() < 26 ? 0 : names.size() - 25);
    std::istringstream words(d.help);
    std::string w;
    bool first = true;
    while (words >> w) {
      if (!first && col + 1 + w.size() > 80) {
        os << "\n" << std::string(28, ' ');
        col = 28;
      } else if (!first) {
        os << ' ';
        ++col;
      }
      os << w;
      col += w.size();
      first = false;
    }
    os << "\n";
  }
  os << "\nErrors are reported on stderr as 'halo: FILE: node 'NAME' (Op): reason'; the exit\n"
        "code is 1 (2 for a wrong command line) and no output file is written.\n"
        "\nThe runtimes read (in generated programs and in halo run):\n"
        "  ODLA_NUM_THREADS=N        threads of the CPU runtimes (default: all CPUs)\n"
        "  ODLA_PROFILE=1|FILE       time each operator; the table goes to stderr (or is\n"
        "                            appended to FILE) at exit\n"
        "  ODLA_DNNL_VERBOSE=1, ODLA_XNN_VERBOSE=1, ODLA_CUDA_VERBOSE=1\n"
        "                            print each operator a fast runtime leaves to the\n"
        "                            reference kernels, and why\n"
        "  ODLA_GEMM_ISA=generic|avx2|avx512\n"
        "                            force the reference GEMM's instruction set\n"
        "  ODLA_GRAPHS=1             libodla_cuda: replay runs of GPU operators as CUDA\n"
        "                            graphs\n"
        "  ODLA_CUDA_CONV_ALGO=find  libodla_cuda: choose convolution algorithms by timing\n"
        "                            them at build\n"
        "  ODLA_CUDA_PINNED=1        libodla_cuda: copy inputs through page-locked\n"
        "                            staging buffers\n"
        "  ODLA_CUDA_HOST_OPS=OP,... libodla_cuda: run these operators on the host\n";
  return os.str();
}

std::string VersionText() {
  std::ostringstream os;
  os << "halo: generates code for ODLA API " << ODLA_VERSION_MAJOR << "." << ODLA_VERSION_MINOR
     << "; runs models on the linked ODLA runtime '" << odla_GetRuntimeName() << "'\n";
  return os.str();
}

std::vector<std::string> OptionNames() {
  std::vector<std::string> r;
  for (const OptionDef& d : Table()) r.insert(r.end(), d.names.begin(), d.names.end());
  return r;
}

std::string DefaultEntryName(const std::string& model_path) {
  size_t slash = model_path.rfind('/');
  std::string file = slash == std::string::npos ? model_path : model_path.substr(slash + 1);
  size_t dot = file.rfind('.');
  if (dot != std::string::npos && dot > 0) file = file.substr(0, dot);
  return CIdentifier(file);
}

}  // namespace halo
