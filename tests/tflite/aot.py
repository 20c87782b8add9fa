"""The AOT path for the tflite tests' whole-model checks: halo compiles a model (one input,
one output) to C++, a small generated main.cc is built with it against libodla_ref.a (or
another runtime's static library), and the program runs the entry function on each row it
reads from stdin, writing each output to stdout. A model with state (TFLite variable tensors: LSTM, SVDF) carries it from call to call
in the compiled code; the program calls NAME_reset() before every `reset_every`-th row (1: each
row starts from the initial state, as an independent input; 0: never, one stream)."""
import os
import subprocess

import numpy as np

C_TYPES = {np.int8: "int8_t", np.uint8: "uint8_t", np.float32: "float"}

MAIN = """#include <cstdint>
#include <cstdio>
#include "%(n)s.h"
int main() {
  static %(it)s in[%(isz)d];
  static %(ot)s out[%(osz)d];
  if (%(n)s_init() != 0) return 1;
  for (long row = 0; std::fread(in, sizeof in, 1, stdin) == 1; ++row) {
    %(reset)s
    if (%(n)s(in, out) != 0) return 1;
    std::fwrite(out, sizeof out, 1, stdout);
  }
  return 0;
}
"""


class Program:
    """`model` compiled into WORK/NAME/NAME (entry function NAME): in_type[in_size] ->
    out_type[out_size], linked with build/lib/libodla_RUNTIME.a."""

    def __init__(self, src, build, work, model, name, in_type, in_size, out_type, out_size,
                 reset_every=1, runtime="ref"):
        self.name = name
        self.d = os.path.join(work, name)
        self.exe = os.path.join(self.d, name)
        self.in_type, self.out_type, self.out_size = in_type, out_type, out_size
        d = self.d
        os.makedirs(d, exist_ok=True)
        subprocess.run([os.path.join(build, "bin", "halo"), model, "-o",
                        os.path.join(d, name + ".cc"), "--entry-func-name", name], check=True)
        with open(os.path.join(d, name + ".h")) as f:
            self.stateful = ("void %s_reset(void);" % name) in f.read()
        reset = "(void)row;"
        if self.stateful and reset_every > 0:
            reset = "if (row %% %d == 0) %s_reset();" % (reset_every, name)
        with open(os.path.join(d, "main.cc"), "w") as f:
            f.write(MAIN % {"n": name, "it": C_TYPES[in_type], "isz": in_size,
                            "ot": C_TYPES[out_type], "osz": out_size, "reset": reset})
        subprocess.run(["c++", "-O1", "-I", os.path.join(src, "include"), "-I", d,
                        os.path.join(d, "main.cc"), os.path.join(d, name + ".cc"),
                        os.path.join(d, name + ".bin"), "-L", os.path.join(build, "lib"),
                        "-l:libodla_%s.a" % runtime, "-lpthread", "-o", self.exe], check=True)

    def run(self, inputs):
        """The outputs for `inputs` (one row each), one row each."""
        data = np.ascontiguousarray(np.asarray(inputs, dtype=self.in_type)).tobytes()
        r = subprocess.run([self.exe], input=data, stdout=subprocess.PIPE, check=True)
        return np.frombuffer(r.stdout, dtype=self.out_type).reshape(len(inputs), self.out_size)


def compile_run(src, build, work, model, name, in_type, in_size, out_type, out_size, inputs):
    """Compiles `model` (see Program) and runs it on each row of `inputs`."""
    return Program(src, build, work, model, name, in_type, in_size, out_type,
                   out_size).run(inputs)
