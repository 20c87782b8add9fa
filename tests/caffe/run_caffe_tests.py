"""Caffe frontend tests through the AOT path (halo -> C++ -> c++ -> run with libodla_ref).

Usage: /usr/bin/python3 run_caffe_tests.py SRC BUILD {layers|nets|ssd}
  layers: OpenCV's Caffe layer tests (../shared/models/opencv_extra/caffe: NAME.prototxt,
          NAME.caffemodel if any, input NAME.INPUT.npy, NAME.input.npy or blob.npy, reference
          NAME.npy); every test in expected_pass.txt must pass.
  nets:   AlexNet and SqueezeNet v1.1 from there with random weights (make_caffe_weights.py)
          against OpenCV's Caffe importer (cv2.dnn) on the same random input.
  ssd:    tests/caffe/ssd_small.prototxt with random weights: OpenCV's detections.
"""
import concurrent.futures
import glob
import os
import re
import sys

import numpy as np

import aot

HERE = os.path.dirname(os.path.abspath(__file__))


def layer_tests(data):
    tests = []
    for proto in sorted(glob.glob(os.path.join(data, "*.prototxt"))):
        name = os.path.basename(proto)[:-len(".prototxt")]
        refs = [os.path.join(data, name + ".npy")]
        if not os.path.exists(refs[0]):
            refs = sorted(glob.glob(os.path.join(data, name + ".out_*.npy")))
        if refs:
            tests.append((name, proto, refs))
    return tests


def input_file(data, name, blob, count):
    for cand in (f"{name}.{blob}.npy", f"{name}.input.npy" if count == 1 else None, "blob.npy"):
        if cand and os.path.exists(os.path.join(data, cand)):
            return os.path.join(data, cand)
    raise aot.Failure(f"no input data for '{blob}'")


def run_layer(halo, src, build, data, test):
    name, proto, refs = test
    work = os.path.join(build, "caffe-tests", "layers", name)
    models = [proto]
    weights = os.path.join(data, name + ".caffemodel")
    if os.path.exists(weights):
        models.append(weights)
    try:
        ps = aot.build(halo, build, src, models, work)
        blobs = [n for k, _, n in ps if k == "input"]
        inputs = [np.load(input_file(data, name, b, len(blobs))).astype(np.float32) for b in blobs]
        wants = [np.load(r) for r in refs]
        n_out = sum(1 for k, _, _ in ps if k == "output")
        if n_out != len(wants):
            raise aot.Failure(f"{n_out} outputs, the test has {len(wants)} references")
        outs = aot.execute(work, ps, inputs, [w.size * 4 for w in wants])
        for (got, _), want in zip(outs, wants):
            msg = aot.compare(got, want)
            if msg:
                raise aot.Failure(msg)
        return name, ""
    except aot.Failure as e:
        return name, str(e).strip().splitlines()[0] if str(e).strip() else "failed"


def layers(src, build, halo):
    data = os.path.join(src, "..", "shared", "models", "opencv_extra", "caffe")
    if not os.path.isdir(data):
        print(f"run_caffe_tests: {data} not found: OpenCV's Caffe tests come from ../shared "
              "beside the repository", file=sys.stderr)
        return 1
    expected = set()
    with open(os.path.join(HERE, "expected_pass.txt")) as f:
        expected = {l.strip() for l in f if l.strip() and not l.startswith("#")}
    tests = layer_tests(data)
    only = os.environ.get("CAFFE_TEST_FILTER")
    if only:
        tests = [t for t in tests if re.search(only, t[0])]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda t: run_layer(halo, src, build, data, t), tests))
    passed = 0
    status = 0
    for name, msg in results:
        print(f"{'PASS' if not msg else 'FAIL'} {name}{': ' + msg if msg else ''}")
        passed += not msg
        if msg and name in expected:
            print(f"REGRESSION {name} is in expected_pass.txt", file=sys.stderr)
            status = 1
    missing = expected - {n for n, _ in results}
    if missing and not only:
        print(f"expected tests not found: {sorted(missing)}", file=sys.stderr)
        status = 1
    print(f"{passed}/{len(results)} Caffe layer tests pass")
    return status


def cv2_forward(proto, weights, inputs):
    import cv2
    net = cv2.dnn.readNetFromCaffe(proto, weights)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    for name, a in inputs.items():
        net.setInput(a, name)
    names = net.getUnconnectedOutLayersNames()
    return [np.array(o) for o in net.forward(names)]


def nets(src, build, halo):
    data = os.path.join(src, "..", "shared", "models", "opencv_extra", "caffe")
    if not os.path.isdir(data):
        print(f"run_caffe_tests: {data} not found", file=sys.stderr)
        return 1
    status = 0
    for name, shape in (("bvlc_alexnet", (1, 3, 227, 227)), ("squeezenet_v1.1", (1, 3, 227, 227))):
        work = os.path.join(build, "caffe-tests", "nets", name)
        os.makedirs(work, exist_ok=True)
        proto = os.path.join(data, name + ".prototxt")
        weights = os.path.join(work, name + ".caffemodel")
        code, log = aot.run([sys.executable, os.path.join(HERE, "make_caffe_weights.py"), build,
                             proto, weights, "1"])
        if code != 0:
            print(f"FAIL {name}: weights: {log}")
            status = 1
            continue
        x = np.random.default_rng(7).uniform(-1, 1, shape).astype(np.float32)
        try:
            ps = aot.build(halo, build, src, [proto, weights], os.path.join(work, "aot"))
            blob = [n for k, _, n in ps if k == "input"][0]
            wants = cv2_forward(proto, weights, {blob: x})
            outs = aot.execute(os.path.join(work, "aot"), ps, [x], [w.size * 4 for w in wants])
            msgs = [aot.compare(g, w, atol=1e-5, rtol=1e-5) for (g, _), w in zip(outs, wants)]
            msg = "; ".join(m for m in msgs if m)
            if msg:
                raise aot.Failure(msg)
            errs = [float(np.abs(g.reshape(w.shape) - w).max() / np.abs(w).max())
                    for (g, _), w in zip(outs, wants)]
            print(f"PASS {name}: outputs {[w.shape for w in wants]}, max |error| / max |OpenCV| "
                  f"{max(errs):.2g}")
        except aot.Failure as e:
            print(f"FAIL {name}: {e}")
            status = 1
    return status


def ssd(src, build, halo):
    work = os.path.join(build, "caffe-tests", "ssd")
    os.makedirs(work, exist_ok=True)
    proto = os.path.join(HERE, "ssd_small.prototxt")
    weights = os.path.join(work, "ssd_small.caffemodel")
    code, log = aot.run([sys.executable, os.path.join(HERE, "make_caffe_weights.py"), build, proto,
                         weights, "3"])
    if code != 0:
        print(f"FAIL ssd_small: weights: {log}")
        return 1
    x = np.random.default_rng(11).uniform(0, 1, (1, 3, 96, 96)).astype(np.float32)
    try:
        ps = aot.build(halo, build, src, [proto, weights], os.path.join(work, "aot"))
        want = cv2_forward(proto, weights, {"data": x})[0].reshape(-1, 7)
        want = want[want[:, 1] >= 0]  # OpenCV's empty result is one row of -1 labels
        outs = aot.execute(os.path.join(work, "aot"), ps, [x], [1 << 20])
        got, shape = outs[0]
        got = got[:int(np.prod(shape[:4]))].reshape(-1, 7)
        if len(want) == 0:
            raise aot.Failure("OpenCV finds no detections: the test checks nothing")
        key = lambda a: a[np.lexsort((a[:, 3], -a[:, 2], a[:, 1], a[:, 0]))]
        if got.shape != want.shape:
            raise aot.Failure(f"{len(got)} detections, OpenCV {len(want)}")
        msg = aot.compare(key(got), key(want), atol=1e-4, rtol=1e-4)
        if msg:
            raise aot.Failure(msg)
        print(f"PASS ssd_small: {len(got)} detections match OpenCV's")
        return 0
    except aot.Failure as e:
        print(f"FAIL ssd_small: {e}")
        return 1


def main():
    src, build, what = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
    halo = os.path.join(build, "bin", "halo")
    return {"layers": layers, "nets": nets, "ssd": ssd}[what](src, build, halo)


if __name__ == "__main__":
    sys.exit(main())
