// halo: compiles a model to C++ calling the ODLA API, or runs it (`halo run`). See --help.
#include <unistd.h>

#include <iostream>

#include "driver/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return halo::HaloMain(args, std::cout, std::cerr, isatty(STDERR_FILENO) != 0);
}
