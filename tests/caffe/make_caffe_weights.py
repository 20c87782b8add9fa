"""Writes a .caffemodel of random weights for a .prototxt (the learned blobs of its
Convolution, Deconvolution, InnerProduct, PReLU, Scale, Bias, BatchNorm and Normalize
layers; a V1-format network gets V1-format weights),
with python3-protobuf and HALO's caffe.proto.

Usage: /usr/bin/python3 make_caffe_weights.py BUILD_DIR NET.prototxt OUT.caffemodel [SEED]
The blob shapes follow from the input shapes, propagated through the layers that change
them (Convolution, Pooling with Caffe's ceil rounding, InnerProduct, Concat, ...)."""
import math
import sys

import numpy as np
from google.protobuf import text_format

import caffe_proto


def pool_size(n, k, p, s):
    out = -(-(n + 2 * p - k) // s) + 1
    if p > 0 and (out - 1) * s >= n + p:
        out -= 1
    return out


def pair(rep, h, w, has_h, default):
    if has_h:
        return h, w
    if len(rep) == 0:
        return default, default
    return rep[0], rep[-1]


def main():
    build, proto_path, out_path = sys.argv[1:4]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    pb = caffe_proto.load(build)
    net = pb.NetParameter()
    with open(proto_path) as f:
        text_format.Merge(f.read(), net)
    v1 = len(net.layers) > 0
    if v1:  # read as the current format; the weights are written in V1's
        names = {"CONVOLUTION": "Convolution", "INNER_PRODUCT": "InnerProduct",
                 "POOLING": "Pooling", "DECONVOLUTION": "Deconvolution"}
        for old in net.layers:
            layer = net.layer.add()
            layer.name, layer.bottom[:], layer.top[:] = old.name, old.bottom, old.top
            layer.type = names.get(pb.V1LayerParameter.LayerType.Name(old.type), "Other")
            for field in ("convolution_param", "inner_product_param", "pooling_param"):
                if old.HasField(field):
                    getattr(layer, field).CopyFrom(getattr(old, field))
    rng = np.random.default_rng(seed)
    shapes = {}
    for i, name in enumerate(net.input):
        if net.input_shape:
            shapes[name] = list(net.input_shape[i].dim)
        else:
            shapes[name] = list(net.input_dim[4 * i:4 * i + 4])
    weights = pb.NetParameter()
    weights.name = net.name

    def add(layer, arrays):
        if v1:
            lw = weights.layers.add()
            lw.name = layer.name
            lw.type = [old.type for old in net.layers if old.name == layer.name][0]
        else:
            lw = weights.layer.add()
            lw.name, lw.type = layer.name, layer.type
        for a in arrays:
            b = lw.blobs.add()
            b.shape.dim.extend(a.shape)
            b.data.extend(a.astype(np.float32).ravel().tolist())

    def normal(shape, fan_in):
        return rng.standard_normal(shape) * math.sqrt(2.0 / max(fan_in, 1))

    for layer in net.layer:
        bottoms = [shapes.get(b) for b in layer.bottom]
        x = bottoms[0] if bottoms else None
        t = layer.type
        out = x
        if t == "Input":
            for k, top in enumerate(layer.top):
                sp = layer.input_param.shape[min(k, len(layer.input_param.shape) - 1)]
                shapes[top] = list(sp.dim)
            continue
        if t in ("Convolution", "Deconvolution"):
            p = layer.convolution_param
            kh, kw = pair(p.kernel_size, p.kernel_h, p.kernel_w, p.HasField("kernel_h"), 0)
            ph, pw = pair(p.pad, p.pad_h, p.pad_w, p.HasField("pad_h"), 0)
            sh, sw = pair(p.stride, p.stride_h, p.stride_w, p.HasField("stride_h"), 1)
            dh, dw = pair(p.dilation, 0, 0, False, 1)
            g, o, c = p.group, p.num_output, x[1]
            if t == "Convolution":
                w = normal((o, c // g, kh, kw), c // g * kh * kw)
                oh = (x[2] + 2 * ph - (dh * (kh - 1) + 1)) // sh + 1
                ow = (x[3] + 2 * pw - (dw * (kw - 1) + 1)) // sw + 1
            else:
                w = normal((c, o // g, kh, kw), c // g * kh * kw)
                oh = (x[2] - 1) * sh - 2 * ph + dh * (kh - 1) + 1
                ow = (x[3] - 1) * sw - 2 * pw + dw * (kw - 1) + 1
            arrays = [w] + ([rng.standard_normal(o) * 0.1] if p.bias_term else [])
            add(layer, arrays)
            out = [x[0], o, oh, ow]
        elif t == "InnerProduct":
            p = layer.inner_product_param
            axis = p.axis % len(x)
            k = int(np.prod(x[axis:]))
            w = normal((k, p.num_output) if p.transpose else (p.num_output, k), k)
            add(layer, [w] + ([rng.standard_normal(p.num_output) * 0.1] if p.bias_term else []))
            out = x[:axis] + [p.num_output]
        elif t == "Pooling":
            p = layer.pooling_param
            if p.global_pooling:
                out = x[:2] + [1, 1]
            else:
                kh = p.kernel_h if p.HasField("kernel_h") else p.kernel_size
                kw = p.kernel_w if p.HasField("kernel_w") else p.kernel_size
                ph = p.pad_h if p.HasField("pad_h") else p.pad
                pw = p.pad_w if p.HasField("pad_w") else p.pad
                sh = p.stride_h if p.HasField("stride_h") else p.stride
                sw = p.stride_w if p.HasField("stride_w") else p.stride
                out = x[:2] + [pool_size(x[2], kh, ph, sh), pool_size(x[3], kw, pw, sw)]
        elif t == "Concat" and all(bottoms):
            axis = layer.concat_param.axis % len(x)
            out = list(x)
            out[axis] = sum(b[axis] for b in bottoms)
        elif t == "PReLU":
            c = 1 if layer.prelu_param.channel_shared else x[1]
            add(layer, [rng.uniform(0.05, 0.3, c)])
        elif t == "Normalize":
            c = 1 if layer.norm_param.channel_shared else x[1]
            add(layer, [rng.uniform(5, 20, c)])
        elif t == "Scale" and len(layer.bottom) == 1:
            c = x[1]
            arrays = [rng.uniform(0.5, 1.5, c)]
            if layer.scale_param.bias_term:
                arrays.append(rng.standard_normal(c) * 0.1)
            add(layer, arrays)
        elif t == "Bias" and len(layer.bottom) == 1:
            add(layer, [rng.standard_normal(x[1])])
        elif t == "BatchNorm":
            c = x[1]
            add(layer, [rng.standard_normal(c) * 0.1, rng.uniform(0.5, 1.5, c), np.ones(1)])
        elif t in ("Flatten", "Permute", "PriorBox", "Reshape", "DetectionOutput", "Concat"):
            out = None  # not needed by later learned layers of the test networks
        for top in layer.top:
            shapes[top] = out
    with open(out_path, "wb") as f:
        f.write(weights.SerializeToString())


if __name__ == "__main__":
    main()
