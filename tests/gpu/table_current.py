"""cuda_table_current: the built-in `cuda` device table (src/passes/device_tables.cc) lists
exactly the operators whose builders libodla_cuda defines itself: the strong `odla_OP`
symbols of its own objects (runtimes/cuda, target odla_cuda_objs) that are operator builders
declared in include/odla/odla_ops.h (the builder of IR op OP is odla_OP). Needs no GPU.

Usage: /usr/bin/python3 table_current.py SOURCE_DIR BUILD_DIR [--print]
(--print: prints the `ops` lines of libodla_cuda's builders, to paste into kCuda)
"""
import glob
import os
import re
import subprocess
import sys


def table_ops(src):
    """The ops of the cuda table: its 'ops' lines inside the kCuda raw string."""
    with open(os.path.join(src, "src/passes/device_tables.cc")) as f:
        text = f.read()
    m = re.search(r'kCuda = R"\((.*?)\)";', text, re.S)
    if not m:
        sys.exit("table_current: no kCuda table in src/passes/device_tables.cc")
    ops = set()
    for line in m.group(1).splitlines():
        words = line.split("#")[0].split()
        if words and words[0] == "ops":
            ops.update(words[1:])
    return ops


def builders(src):
    """The operator builders the ODLA op header declares: odla_OP -> OP."""
    with open(os.path.join(src, "include/odla/odla_ops.h")) as f:
        return set(re.findall(r"\bodla_values?\s+odla_(\w+)\s*\(", f.read()))


def cuda_symbols(build):
    objs = sorted(glob.glob(os.path.join(build, "CMakeFiles/odla_cuda_objs.dir/runtimes/cuda/*.o")))
    if not objs:
        sys.exit(f"table_current: no objects in {build}/CMakeFiles/odla_cuda_objs.dir/runtimes/"
                 "cuda: build the target odla_cuda first")
    out = subprocess.run(["nm", "--defined-only"] + objs, capture_output=True, text=True,
                         check=True).stdout
    return {m.group(1) for m in re.finditer(r"^\S+ T odla_(\w+)$", out, re.M)}


def ops_lines(ops):
    lines, line = [], "ops"
    for op in sorted(ops):
        if len(line) + 1 + len(op) > 92:
            lines.append(line)
            line = "ops"
        line += " " + op
    return lines + [line]


def main(argv):
    if len(argv) not in (3, 4) or argv[3:] not in ([], ["--print"]):
        sys.exit(__doc__)
    src, build = argv[1], argv[2]
    table, ops = table_ops(src), builders(src)
    defined = cuda_symbols(build) & ops
    if argv[3:]:
        print("\n".join(ops_lines(defined)))
        return 0
    unknown = sorted(table - ops)
    missing = sorted(defined - table)
    extra = sorted(table - defined - set(unknown))
    ok = True
    if unknown:
        print(f"table_current: the cuda table names ops without a builder: {' '.join(unknown)}")
        ok = False
    if missing:
        print("table_current: libodla_cuda builds these itself, the cuda table lacks them "
              f"(add them to kCuda in src/passes/device_tables.cc; --print gives its lines): "
              f"{' '.join(missing)}")
        ok = False
    if extra:
        print("table_current: the cuda table lists ops libodla_cuda leaves to the shared "
              f"builders (remove them from kCuda): {' '.join(extra)}")
        ok = False
    if not ok:
        return 1
    print(f"table_current: the cuda table's {len(table)} ops are libodla_cuda's own builders")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
