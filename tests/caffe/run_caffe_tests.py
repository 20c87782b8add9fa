"""Caffe frontend tests through the AOT path (halo -> C++ -> c++ -> run with libodla_ref).

Usage: /usr/bin/python3 run_caffe_tests.py SRC BUILD {layers|nets|ssd}
  layers: OpenCV's Caffe layer tests (../shared/models/opencv_extra/caffe: NAME.prototxt,
          NAME.caffemodel if any, input NAME.INPUT.npy, NAME.input.npy or blob.npy, reference
          NAME.npy); every test in expected_pass.txt must pass.
  nets:   AlexNet and SqueezeNet v1.1 from there, layer_zoo.prototxt and v1_net.prototxt (the
          V1 format) with random weights (make_caffe_weights.py) against OpenCV's Caffe
          importer (cv2.dnn) on the same random input, output by output;
          layer_extra.prototxt (layers OpenCV lacks) against numpy.
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


def against_cv2(src, build, halo, name, proto, shape, seed):
    """Compiles PROTO with random weights and checks every output against OpenCV's by name."""
    work = os.path.join(build, "caffe-tests", "nets", name)
    os.makedirs(work, exist_ok=True)
    weights = os.path.join(work, name + ".caffemodel")
    try:
        code, log = aot.run([sys.executable, os.path.join(HERE, "make_caffe_weights.py"), build,
                             proto, weights, str(seed)])
        if code != 0:
            raise aot.Failure("weights: " + log)
        x = np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)
        ps = aot.build(halo, build, src, [proto, weights], os.path.join(work, "aot"))
        import cv2
        net = cv2.dnn.readNetFromCaffe(proto, weights)
        net.setInput(x, [n for k, _, n in ps if k == "input"][0])
        names = [n for k, _, n in ps if k == "output"]
        wants = [np.array(o) for o in net.forward(names)]
        outs = aot.execute(os.path.join(work, "aot"), ps, [x], [w.size * 4 for w in wants])
        msgs = [f"{n}: {aot.compare(g, w, atol=1e-5, rtol=1e-5)}"
                for n, (g, _), w in zip(names, outs, wants) if aot.compare(g, w, 1e-5, 1e-5)]
        if msgs:
            raise aot.Failure("; ".join(msgs))
        errs = [float(np.abs(g.reshape(w.shape) - w).max() / max(np.abs(w).max(), 1e-30))
                for (g, _), w in zip(outs, wants)]
        print(f"PASS {name}: {len(names)} outputs, max |error| / max |OpenCV| {max(errs):.2g}")
        return 0
    except (aot.Failure, cv2_error()) as e:
        print(f"FAIL {name}: {e}")
        return 1


def cv2_error():
    import cv2
    return cv2.error


def extra_layers(src, build, halo):
    """Layers OpenCV cannot import, against numpy."""
    name = "layer_extra"
    work = os.path.join(build, "caffe-tests", "nets", name)
    os.makedirs(work, exist_ok=True)
    proto = os.path.join(HERE, name + ".prototxt")
    weights = os.path.join(work, name + ".caffemodel")
    try:
        code, log = aot.run([sys.executable, os.path.join(HERE, "make_caffe_weights.py"), build,
                             proto, weights, "4"])
        if code != 0:
            raise aot.Failure("weights: " + log)
        import caffe_proto
        w = caffe_proto.load(build).NetParameter()
        w.ParseFromString(open(weights, "rb").read())
        bias = np.array([l for l in w.layer if l.name == "bias"][0].blobs[0].data, np.float32)
        x = np.random.default_rng(4).uniform(-1, 1, (1, 4, 10, 12)).astype(np.float32)
        want = {
            "argmax": np.argmax(x, axis=1)[:, None].astype(np.float32),
            "tile": np.tile(x, (1, 2, 1, 1)),
            "clip": np.clip(x, -0.3, 0.4),
            "upsample": x.repeat(2, axis=2).repeat(2, axis=3),
            "shuffle": x.reshape(1, 2, 2, 10, 12).transpose(0, 2, 1, 3, 4).reshape(x.shape),
            "bias": x + bias[None, :, None, None],
        }
        ps = aot.build(halo, build, src, [proto, weights], os.path.join(work, "aot"))
        names = [n for k, _, n in ps if k == "output"]
        outs = aot.execute(os.path.join(work, "aot"), ps, [x], [want[n].size * 4 for n in names])
        msgs = [f"{n}: {aot.compare(g, want[n])}" for n, (g, _) in zip(names, outs)
                if aot.compare(g, want[n])]
        if msgs:
            raise aot.Failure("; ".join(msgs))
        print(f"PASS {name}: {', '.join(names)} match numpy")
        return 0
    except aot.Failure as e:
        print(f"FAIL {name}: {e}")
        return 1


def nets(src, build, halo):
    data = os.path.join(src, "..", "shared", "models", "opencv_extra", "caffe")
    if not os.path.isdir(data):
        print(f"run_caffe_tests: {data} not found", file=sys.stderr)
        return 1
    cases = [("bvlc_alexnet", os.path.join(data, "bvlc_alexnet.prototxt"), (1, 3, 227, 227)),
             ("squeezenet_v1.1", os.path.join(data, "squeezenet_v1.1.prototxt"), (1, 3, 227, 227)),
             ("layer_zoo", os.path.join(HERE, "layer_zoo.prototxt"), (1, 4, 10, 12)),
             ("v1_net", os.path.join(HERE, "v1_net.prototxt"), (1, 3, 16, 16))]
    status = 0
    for i, (name, proto, shape) in enumerate(cases):
        status |= against_cv2(src, build, halo, name, proto, shape, i + 1)
    status |= extra_layers(src, build, halo)
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
