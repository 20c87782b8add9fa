"""Numpy transcriptions of TFLite's integer kernels (tensorflow/lite/kernels/internal and
tflite-micro), on Python integers where TFLite computes in fixed point: QuantizeMultiplier,
MultiplyByQuantizedMultiplier (double rounding), the int16 SOFTMAX (gen_lut's tables in float32,
generic_int16_table_lookup, reference_ops::SoftmaxInt16), SVDF (EvalFloatSvdfReference,
EvalIntegerSvdfReference), the int8 FULLY_CONNECTED and QUANTIZE between integer types."""
import math

import numpy as np

f32 = np.float32


def quantize_multiplier(real):
    """QuantizeMultiplier: (Q31 multiplier, shift), the fraction rounded half away from zero."""
    if real == 0:
        return 0, 0
    frac, shift = math.frexp(real)
    q = int(math.floor(abs(frac) * (1 << 31) + 0.5)) * (1 if frac > 0 else -1)
    if q == 1 << 31:
        q, shift = q // 2, shift + 1
    if shift < -31:
        return 0, 0
    return q, shift


def mbqm(x, q, shift):
    """MultiplyByQuantizedMultiplier (int32): SaturatingRoundingDoublingHighMul of x shifted
    left, then RoundingDivideByPOT (ties away from zero)."""
    left, right = max(shift, 0), max(-shift, 0)
    a = int(x) * (1 << left)
    a = (a + (1 << 31)) % (1 << 32) - (1 << 31)  # the int32 shift wraps
    ab = a * q
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    v = ab + nudge
    high = abs(v) // (1 << 31) * (1 if v >= 0 else -1)  # C++ division truncates
    mask = (1 << right) - 1
    threshold = (mask >> 1) + (1 if high < 0 else 0)
    return (high >> right) + (1 if (high & mask) > threshold else 0)


def tflite_round(v):
    """TfLiteRound (std::round) of a float32: halves away from zero, exact in double."""
    v = float(v)
    return f32(math.copysign(math.floor(abs(v) + 0.5), v))


def gen_lut(f, lo, hi):
    """gen_lut<float, int16_t, int16_t>(f, lo, hi, -1, 1): 512 samples of f over [lo, hi]
    in float32, each less half its interpolation error at the midpoint, and f(hi)."""
    lo, hi = f32(lo), f32(hi)
    step = f32((hi - lo) / f32(512))
    half = f32(step / f32(2))
    scale = f32(32768)
    lut = []
    for i in range(512):
        val = f(f32(lo + f32(i) * step))
        mid = f(f32(f32(lo + f32(i) * step) + half))
        nxt = f(f32(lo + f32(i + 1) * step))
        sample = tflite_round(f32(val * scale))
        interp = tflite_round(f32(f32(f32(nxt * scale) + tflite_round(f32(val * scale))) / f32(2)))
        bias = tflite_round(f32(f32(interp - tflite_round(f32(mid * scale))) / f32(2)))
        lut.append(int(min(max(f32(sample - bias), -32768), 32767)))
    lut.append(int(min(max(tflite_round(f32(f(hi) * scale)), -32768), 32767)))
    return lut


def expf(v):
    return f32(math.exp(float(v)))  # the float exp, correctly rounded


def one_over_one_plus_x(v):
    return f32(f32(1) / f32(f32(1) + v))


EXP_LUT = gen_lut(expf, -10.0, 0.0)
RECIP_LUT = gen_lut(one_over_one_plus_x, 0.0, 1.0)


def lut_lookup(v, lut):
    """generic_int16_table_lookup: the entry of v's top 9 bits, interpolated by its low 7."""
    index, offset = 256 + (v >> 7), v & 0x7F
    base, slope = lut[index], lut[index + 1] - lut[index]
    return base + ((slope * offset + 64) >> 7)


def clz32(x):
    return 32 - int(x).bit_length()


def softmax_int16(x, scale_times_beta):
    """reference_ops::SoftmaxInt16 over the last axis of int16 x (zero points 0, output at
    scale 2^-15); the input multiplier from input_scale * beta / (10 / 65535) in double."""
    q, shift = quantize_multiplier(float(scale_times_beta) / (10.0 / 65535.0))
    x = np.asarray(x, dtype=np.int64)
    out = np.zeros(x.shape, np.int16)
    for idx in np.ndindex(x.shape[:-1]):
        row = [int(v) for v in x[idx]]
        mx = max(row)
        exps = [lut_lookup(min(max(mbqm(v - mx, q, shift) + 32767, -32768), 32767), EXP_LUT)
                for v in row]
        total = sum(exps)
        hp1 = clz32(total)
        shifted = ((total << (hp1 - 1)) + (1 << 13)) >> 14
        recip = lut_lookup(min(max(shifted - ((1 << 15) + (1 << 16)), -32768), 32767), RECIP_LUT)
        rs = 31 - hp1
        out[idx] = [min(max((e * recip + (1 << (rs - 1))) >> rs, 0), 32767) for e in exps]
    return out


def svdf_float(x, wf, wt, bias, state, rank, act="NONE"):
    """One step of EvalFloatSvdfReference (float64 sums): (y, new state)."""
    batch, filters, memory = x.shape[0], wf.shape[0], wt.shape[1]
    s = state.astype(np.float64).reshape(batch, filters, memory)
    s = np.concatenate([s[:, :, 1:], (x.astype(np.float64) @ wf.T.astype(np.float64))[:, :, None]],
                       axis=2)
    scratch = (s * wt.astype(np.float64)[None]).sum(axis=2)
    y = scratch.reshape(batch, filters // rank, rank).sum(axis=2)
    if bias is not None:
        y = y + bias
    y = {"NONE": y, "RELU": np.maximum(y, 0), "RELU6": np.clip(y, 0, 6),
         "RELU_N1_TO_1": np.clip(y, -1, 1), "TANH": np.tanh(y)}[act]
    return y.astype(np.float32), s.reshape(batch, filters * memory).astype(np.float32)


def svdf_int(x, xq, wf, wfs, wt, wts, bias, state, sq, yq, rank):
    """One step of EvalIntegerSvdfReference: x int8 (scale, zp) = xq, weights symmetric,
    state (scale, zp) = sq of wt's type, y int8 (scale, zp) = yq. Returns (y, new state).
    The effective scales are float32 expressions widened to double, as PrepareSvdf."""
    m1 = quantize_multiplier(float(f32(f32(f32(xq[0]) * f32(wfs)) / f32(sq[0]))))
    m2 = quantize_multiplier(float(f32(f32(f32(sq[0]) * f32(wts)) / f32(yq[0]))))
    info = np.iinfo(wt.dtype)
    batch, filters, memory = x.shape[0], wf.shape[0], wt.shape[1]
    s = state.astype(np.int64).reshape(batch, filters, memory)
    s = np.concatenate([s[:, :, 1:], np.zeros((batch, filters, 1), np.int64)], axis=2)
    acc = (x.astype(np.int64) - xq[1]) @ wf.T.astype(np.int64)
    for b in range(batch):
        for f in range(filters):
            s[b, f, -1] = min(max(mbqm(acc[b, f], *m1) + sq[1], info.min), info.max)
    scratch = ((s - sq[1]) * wt.astype(np.int64)[None]).sum(axis=2)
    units = scratch.reshape(batch, filters // rank, rank).sum(axis=2)
    if bias is not None:
        units = units + bias.astype(np.int64)[None]
    y = np.array([[min(max(mbqm(v, *m2) + yq[1], -128), 127) for v in row] for row in units],
                 np.int8)
    return y, s.reshape(batch, filters * memory).astype(wt.dtype)


def fully_connected_int8(x, xq, w, ws, bias, yq):
    """reference_integer_ops::FullyConnected (symmetric weights, no fused activation)."""
    q = quantize_multiplier(float(xq[0]) * float(ws) / float(yq[0]))
    acc = (x.astype(np.int64) - xq[1]) @ w.T.astype(np.int64) + bias.astype(np.int64)[None]
    return np.array([[min(max(mbqm(v, *q) + yq[1], -128), 127) for v in row] for row in acc],
                    np.int8)


def requantize(x, xq, yq, dtype):
    """QUANTIZE between integer types (reference_ops::Requantize)."""
    q = quantize_multiplier(float(xq[0]) / float(yq[0]))
    info = np.iinfo(dtype)
    flat = [min(max(mbqm(int(v) - xq[1], *q) + yq[1], info.min), info.max) for v in x.ravel()]
    return np.array(flat, dtype).reshape(x.shape)
