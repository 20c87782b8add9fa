// cuda-emu-translate IN OUT: a file of runtimes/cuda as the CUDA emulation compiles it
// (cuda_emu.h): each kernel launch `k<<<config>>>(args)` becomes
// `::cuda_emu::Config(config) << [=] { k(args); }` (a body every emulated thread runs), and
// the code for nvcc (__CUDACC__) and for the device (__CUDA_ARCH__) is taken.
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

[[noreturn]] void Fail(const std::string& file, const std::string& why) {
  std::cerr << "cuda-emu-translate: " << file << ": " << why << "\n";
  std::exit(1);
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
}

// The start of the kernel expression that ends before `end` (a name, maybe qualified, with
// template arguments).
size_t KernelStart(const std::string& s, size_t end, const std::string& file) {
  size_t i = end;
  while (i > 0 && std::isspace(static_cast<unsigned char>(s[i - 1]))) --i;
  if (i > 0 && s[i - 1] == '>') {
    int depth = 0;
    do {
      if (i == 0) Fail(file, "unbalanced template arguments before <<<");
      char c = s[--i];
      depth += c == '>' ? 1 : c == '<' ? -1 : 0;
    } while (depth > 0);
  }
  while (i > 0 &&
         (std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_' || s[i - 1] == ':'))
    --i;
  return i;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) Fail("", "usage: cuda-emu-translate IN OUT");
  const std::string in = argv[1];
  std::ifstream f(in);
  if (!f) Fail(in, "cannot read");
  std::stringstream buf;
  buf << f.rdbuf();
  std::string s = buf.str();
  for (size_t p = s.find("<<<"); p != std::string::npos; p = s.find("<<<", p)) {
    size_t start = KernelStart(s, p, in);
    size_t cfg_end = s.find(">>>", p);
    if (cfg_end == std::string::npos) Fail(in, "<<< without >>>");
    size_t open = cfg_end + 3;
    while (open < s.size() && std::isspace(static_cast<unsigned char>(s[open]))) ++open;
    if (open >= s.size() || s[open] != '(') Fail(in, ">>> not followed by (");
    size_t close = open;
    for (int depth = 0;; ++close) {
      if (close >= s.size()) Fail(in, "unbalanced launch arguments");
      depth += s[close] == '(' ? 1 : s[close] == ')' ? -1 : 0;
      if (depth == 0) break;
    }
    const std::string kernel = s.substr(start, p - start);
    const std::string config = s.substr(p + 3, cfg_end - p - 3);
    const std::string args = s.substr(open, close + 1 - open);
    const std::string launch =
        "::cuda_emu::Config(" + config + ") << [=] { " + kernel + args + "; }";
    s.replace(start, close + 1 - start, launch);
    p = start + launch.size();
  }
  ReplaceAll(s, "__CUDACC__", "ODLA_CUDA_EMU");
  ReplaceAll(s, "__CUDA_ARCH__", "ODLA_CUDA_EMU");
  std::ofstream out(argv[2]);
  out << "#line 1 \"" << in << "\"\n" << s;
  if (!out) Fail(argv[2], "cannot write");
  return 0;
}
