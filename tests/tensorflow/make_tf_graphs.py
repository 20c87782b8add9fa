"""Small TensorFlow GraphDefs for the frontend's tests, written with the project's own
GraphDef .proto (protoc --python_out into OUT_DIR).

Usage: /usr/bin/python3 make_tf_graphs.py OUT_DIR
Writes OUT_DIR/errors/*.pb (a cycle, a missing input, an unknown operator, unfrozen
variables), OUT_DIR/convnet.pb (a NHWC conv net for the transpose count), and
OUT_DIR/ops/NAME.pb with NAME_x.npy and NAME_y.npy (numpy's result) per operator case.
"""
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "..", "src", "frontends", "tensorflow", "proto")
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
subprocess.run(["protoc", f"--python_out={OUT}", "-I", PROTO_DIR,
                os.path.join(PROTO_DIR, "graph.proto")], check=True)
sys.path.insert(0, OUT)
import graph_pb2 as tf  # noqa: E402

DT = {np.dtype(np.float32): tf.DT_FLOAT, np.dtype(np.int32): tf.DT_INT32,
      np.dtype(np.int64): tf.DT_INT64, np.dtype(np.bool_): tf.DT_BOOL}


class G:
    def __init__(self):
        self.g = tf.GraphDef()

    def node(self, name, op, inputs=(), **attrs):
        n = self.g.node.add(name=name, op=op, input=list(inputs))
        for k, v in attrs.items():
            if isinstance(v, bool):
                n.attr[k].b = v
            elif isinstance(v, int):
                n.attr[k].i = v
            elif isinstance(v, float):
                n.attr[k].f = v
            elif isinstance(v, str):
                n.attr[k].s = v.encode()
            elif isinstance(v, list):
                n.attr[k].list.i.extend(v)
            elif isinstance(v, np.dtype):
                n.attr[k].type = DT[v]
            else:
                n.attr[k].CopyFrom(v)
        return name

    def const(self, name, a):
        a = np.asarray(a)
        t = tf.TensorProto(dtype=DT[a.dtype], tensor_content=a.tobytes())
        t.tensor_shape.dim.extend(tf.TensorShapeProto.Dim(size=d) for d in a.shape)
        self.node(name, "Const", value=tf.AttrValue(tensor=t), dtype=a.dtype)
        return name

    def placeholder(self, name, shape, dtype=np.float32):
        s = tf.TensorShapeProto(dim=[tf.TensorShapeProto.Dim(size=d) for d in shape])
        return self.node(name, "Placeholder", dtype=np.dtype(dtype), shape=tf.AttrValue(shape=s))

    def save(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(self.g.SerializeToString())


F = np.dtype(np.float32)

# ---- Bad input: each names the node. ----
g = G()
g.placeholder("x", [1, 4])
g.node("a", "Add", ["x", "b"], T=F)
g.node("b", "Relu", ["a"], T=F)
g.node("out", "Relu", ["b"], T=F)
g.save(f"{OUT}/errors/cycle.pb")

g = G()
g.placeholder("x", [1, 4])
g.node("out", "Add", ["x", "ghost"], T=F)
g.save(f"{OUT}/errors/missing_input.pb")

g = G()
g.placeholder("x", [1, 4])
g.node("weird", "FancyOp", ["x"], T=F)
g.save(f"{OUT}/errors/unknown_op.pb")

for op in ("VariableV2", "VarHandleOp"):
    g = G()
    g.placeholder("x", [1, 4])
    g.node("w", op, dtype=F)
    g.node("out", "Add", ["x", "w"], T=F)
    g.save(f"{OUT}/errors/{op}.pb")

# ---- A NHWC conv net: convolutions, biases, activations, pooling, batch norm, a residual
# block, a concatenation of branches. ----
rng = np.random.default_rng(0)
g = G()
g.placeholder("input", [1, 16, 16, 3])
g.const("w1", (0.3 * rng.standard_normal((3, 3, 3, 8))).astype(np.float32))
g.const("b1", rng.standard_normal(8).astype(np.float32))
g.node("conv1", "Conv2D", ["input", "w1"], T=F, strides=[1, 1, 1, 1], padding="SAME")
g.node("bias1", "BiasAdd", ["conv1", "b1"], T=F)
g.node("relu1", "Relu", ["bias1"], T=F)
g.node("pool1", "MaxPool", ["relu1"], T=F, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1],
       padding="VALID")
g.const("dw", (0.3 * rng.standard_normal((3, 3, 8, 1))).astype(np.float32))
g.node("dconv", "DepthwiseConv2dNative", ["pool1", "dw"], T=F, strides=[1, 1, 1, 1],
       padding="SAME")
for i, p in enumerate(("scale", "offset", "mean", "var")):
    g.const(p, (rng.random(8) + (0.5 if p in ("scale", "var") else 0)).astype(np.float32))
g.node("bn", "FusedBatchNormV3", ["dconv", "scale", "offset", "mean", "var"], T=F,
       epsilon=0.001, is_training=False)
g.node("relu6", "Relu6", ["bn"], T=F)
# A residual block: relu6 feeds a convolution and the shortcut Add.
g.const("wr", (0.3 * rng.standard_normal((3, 3, 8, 8))).astype(np.float32))
g.const("br", rng.standard_normal(8).astype(np.float32))
g.node("convr", "Conv2D", ["relu6", "wr"], T=F, strides=[1, 1, 1, 1], padding="SAME")
g.node("biasr", "BiasAdd", ["convr", "br"], T=F)
g.node("residual", "AddV2", ["relu6", "biasr"], T=F)
g.node("relur", "Relu", ["residual"], T=F)
# Two branches concatenated on channels (an Inception or fire module).
g.const("wa", (0.3 * rng.standard_normal((1, 1, 8, 4))).astype(np.float32))
g.const("wb", (0.3 * rng.standard_normal((3, 3, 8, 4))).astype(np.float32))
g.node("conva", "Conv2D", ["relur", "wa"], T=F, strides=[1, 1, 1, 1], padding="VALID")
g.node("convb", "Conv2D", ["relur", "wb"], T=F, strides=[1, 1, 1, 1], padding="SAME")
g.node("relub", "Relu", ["convb"], T=F)
g.const("axis", np.array(3, np.int32))
g.node("concat", "ConcatV2", ["conva", "relub", "axis"], T=F, N=2, Tidx=np.dtype(np.int32))
g.const("w2", (0.3 * rng.standard_normal((1, 1, 8, 4))).astype(np.float32))
g.node("conv2", "Conv2D", ["concat", "w2"], T=F, strides=[1, 1, 1, 1], padding="VALID")
g.node("pool2", "AvgPool", ["conv2"], T=F, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1],
       padding="SAME")
g.node("out", "Sigmoid", ["pool2"], T=F)
g.save(f"{OUT}/convnet.pb")


# ---- Operator cases against numpy: halo run computes y from x. ----
def case(name, x, y, build):
    g = G()
    g.placeholder("x", list(x.shape), x.dtype)
    build(g)
    g.save(f"{OUT}/ops/{name}.pb")
    np.save(f"{OUT}/ops/{name}_x.npy", x)
    np.save(f"{OUT}/ops/{name}_y.npy", y)


x4 = rng.standard_normal((2, 4, 6, 8)).astype(np.float32)
I32 = np.dtype(np.int32)


def strided(name, begin, end, strides, want, **masks):
    def build(g):
        g.const("b", np.array(begin, np.int32))
        g.const("e", np.array(end, np.int32))
        g.const("s", np.array(strides, np.int32))
        g.node("y", "StridedSlice", ["x", "b", "e", "s"], T=F, Index=I32, **masks)
    case(name, x4, np.ascontiguousarray(want), build)


strided("strided_plain", [0, 1, 2, 0], [2, 3, 6, 8], [1, 1, 2, 3], x4[0:2, 1:3, 2:6:2, 0:8:3])
strided("strided_masks", [1, 3, 0, 0], [0, 0, 5, 0], [1, -1, 1, 1], x4[:, 3::-1, :5, 0],
        begin_mask=1, end_mask=3, shrink_axis_mask=8)
strided("strided_ellipsis", [0, 0, 1], [0, 0, 5], [1, 1, 2], x4[..., np.newaxis, 1:5:2],
        ellipsis_mask=1, new_axis_mask=2)
strided("strided_shrink_neg", [-1, 0], [0, 2], [1, 1], x4[-1, 0:2], shrink_axis_mask=1)


def simple(name, x, y, build):
    case(name, x, np.ascontiguousarray(y), build)


def space_to_batch(g):
    g.const("bs", np.array([2, 2], np.int32))
    g.const("p", np.array([[1, 1], [0, 2]], np.int32))
    g.node("y", "SpaceToBatchND", ["x", "bs", "p"], T=F, Tblock_shape=I32, Tpaddings=I32)


xp = np.pad(x4, [(0, 0), (1, 1), (0, 2), (0, 0)])
s2b = xp.reshape(2, 3, 2, 4, 2, 8).transpose(2, 4, 0, 1, 3, 5).reshape(8, 3, 4, 8)
simple("space_to_batch", x4, s2b, space_to_batch)


def batch_to_space(g):
    g.const("bs", np.array([2, 2], np.int32))
    g.const("c", np.array([[1, 0], [0, 1]], np.int32))
    g.node("y", "BatchToSpaceND", ["x", "bs", "c"], T=F, Tblock_shape=I32, Tcrops=I32)


xb = rng.standard_normal((8, 3, 4, 2)).astype(np.float32)
b2s = xb.reshape(2, 2, 2, 3, 4, 2).transpose(2, 3, 0, 4, 1, 5).reshape(2, 6, 8, 2)[:, 1:, :7]
simple("batch_to_space", xb, b2s, batch_to_space)

d2s = x4.reshape(2, 4, 6, 2, 2, 2).transpose(0, 1, 3, 2, 4, 5).reshape(2, 8, 12, 2)
simple("depth_to_space", x4, d2s,
       lambda g: g.node("y", "DepthToSpace", ["x"], T=F, block_size=2))
simple("space_to_depth", d2s, x4,
       lambda g: g.node("y", "SpaceToDepth", ["x"], T=F, block_size=2))


def pack_unpack(g):
    g.node("u", "Unpack", ["x"], T=F, num=4, axis=1)
    g.node("y", "Pack", ["u:3", "u:0"], T=F, N=2, axis=-1)


simple("pack_unpack", x4, np.stack([x4[:, 3], x4[:, 0]], axis=-1), pack_unpack)


def split_concat(g):
    g.const("axis", np.array(3, np.int32))
    g.const("sizes", np.array([3, -1], np.int32))
    g.node("s", "SplitV", ["x", "sizes", "axis"], T=F, Tlen=I32, num_split=2)
    g.node("y", "ConcatV2", ["s:1", "s", "axis"], T=F, N=2, Tidx=I32)


simple("split_concat", x4, np.concatenate([x4[..., 3:], x4[..., :3]], axis=3), split_concat)


def pad_mean(g):
    g.const("p", np.array([[0, 0], [1, 2], [0, 0], [3, 0]], np.int32))
    g.const("axes", np.array([1, 2], np.int32))
    g.node("pad", "MirrorPad", ["x", "p"], T=F, mode="REFLECT", Tpaddings=I32)
    g.node("y", "Mean", ["pad", "axes"], T=F, Tidx=I32, keep_dims=True)


xm = np.pad(x4, [(0, 0), (1, 2), (0, 0), (3, 0)], mode="reflect")
simple("mirror_pad_mean", x4, xm.mean(axis=(1, 2), keepdims=True), pad_mean)


def gather_tile(g):
    g.const("i", np.array([2, 0, 2], np.int32))
    g.const("a", np.array(2, np.int32))
    g.const("m", np.array([1, 2, 1, 1], np.int32))
    g.node("gt", "GatherV2", ["x", "i", "a"], Tparams=F, Tindices=I32, Taxis=I32)
    g.node("y", "Tile", ["gt", "m"], T=F, Tmultiples=I32)


simple("gather_tile", x4, np.tile(x4[:, :, [2, 0, 2]], (1, 2, 1, 1)), gather_tile)


def matmul(g):
    g.const("w", np.arange(48, dtype=np.float32).reshape(6, 8) / 10)
    g.node("r", "Reshape", ["x", g.const("shape", np.array([-1, 8], np.int32))], T=F)
    g.node("y", "MatMul", ["r", "w"], T=F, transpose_b=True)


simple("matmul_transpose_b", x4, x4.reshape(-1, 8) @ (np.arange(48).reshape(6, 8) / 10).T,
       matmul)


def argmax_select(g):
    g.const("a", np.array(-1, np.int32))
    g.const("zero", np.zeros((), np.float32))
    g.node("gt", "Greater", ["x", "zero"], T=F)
    g.node("sel", "SelectV2", ["gt", "x", "zero"], T=F)
    g.node("y", "ArgMax", ["sel", "a"], T=F, Tidx=I32, output_type=np.dtype(np.int64))


simple("argmax_select", x4, np.maximum(x4, 0).argmax(axis=-1), argmax_select)


def batch_matmul(g):
    g.node("y", "BatchMatMulV2", ["x", "x"], T=F, adj_y=True)


simple("batch_matmul_adj_y", x4, x4 @ x4.transpose(0, 1, 3, 2), batch_matmul)


def fill_range_cast(g):
    g.const("start", np.array(0, np.int32))
    g.const("limit", np.array(8, np.int32))
    g.const("delta", np.array(1, np.int32))
    g.node("r", "Range", ["start", "limit", "delta"], Tidx=I32)
    g.node("c", "Cast", ["r"], SrcT=I32, DstT=F)
    g.const("dims", np.array([8], np.int32))
    g.const("half", np.array(0.5, np.float32))
    g.node("f", "Fill", ["dims", "half"], T=F, index_type=I32)
    g.node("a", "AddV2", ["x", "c"], T=F)
    g.node("y", "Mul", ["a", "f"], T=F)


simple("fill_range_cast", x4, (x4 + np.arange(8, dtype=np.float32)) * 0.5, fill_range_cast)


def leaky_softmax(g):
    g.node("l", "LeakyRelu", ["x"], T=F, alpha=0.1)
    g.node("y", "Softmax", ["l"], T=F)


lr = np.where(x4 > 0, x4, 0.1 * x4)
simple("leaky_relu_softmax", x4, np.exp(lr) / np.exp(lr).sum(axis=-1, keepdims=True),
       leaky_softmax)


def split_expand_squeeze(g):
    g.const("axis", np.array(3, np.int32))
    g.const("zero", np.array(0, np.int32))
    g.node("s", "Split", ["axis", "x"], T=F, num_split=2)
    g.node("e", "ExpandDims", ["s:1", "zero"], T=F, Tdim=I32)
    g.node("y", "Squeeze", ["e"], T=F, squeeze_dims=[0])


simple("split_expand_squeeze", x4, x4[..., 4:], split_expand_squeeze)


def padv2_max(g):
    g.const("p", np.array([[0, 0], [0, 0], [1, 1], [0, 2]], np.int32))
    g.const("v", np.array(1.5, np.float32))
    g.const("axes", np.array([3], np.int32))
    g.node("pad", "PadV2", ["x", "p", "v"], T=F, Tpaddings=I32)
    g.node("y", "Max", ["pad", "axes"], T=F, Tidx=I32, keep_dims=False)


xv = np.pad(x4, [(0, 0), (0, 0), (1, 1), (0, 2)], constant_values=1.5)
simple("padv2_max", x4, xv.max(axis=3), padv2_max)


def switch_merge(g):
    g.const("pred", np.array(False))
    g.node("sw", "Switch", ["x", "pred"], T=F)
    g.node("taken", "Neg", ["sw"], T=F)  # output_false
    g.node("not_taken", "FancyOp", ["sw:1"], T=F)  # never built
    g.node("y", "Merge", ["not_taken", "taken"], T=F, N=2)


simple("switch_merge", x4, -x4, switch_merge)
