"""A numpy reference of TFLite's integer UNIDIRECTIONAL_SEQUENCE_LSTM (int8 activations and
weights, int16 cell state: the "8x8_16" LSTM), written from TFLite's reference code:
tensorflow/lite/kernels/lstm_eval.cc (LstmStepInteger8x8_16 and the functions it calls),
the primitives of kernels/internal/reference/portable_tensor_utils.cc (integer
MatrixBatchVectorMultiplyAccumulate, CwiseMul, CwiseAdd, CwiseClipping, ApplySigmoid,
ApplyTanh), gemmlowp's fixedpoint.h on int16 (logistic, tanh, exp_on_negative_values), and the
parameters of the Prepare step (PopulateQuantizedLstmParams8x8_16, effective scales computed
in float32; PopulatePrecomputedZPTimesWeightsWithBias). Everything is int64 numpy arithmetic
with explicit int16 / int32 wrapping and rounding; no layer normalisation.

  lstm(x, p) -> y     x: int8 [batch, steps, input] (time_major: [steps, batch, input])
"""
import math

import numpy as np

from int_ref import quantize_multiplier

I64 = np.int64


def wrap(v, bits):
    v = np.asarray(v, I64)
    half = 1 << (bits - 1)
    return ((v + half) & ((1 << bits) - 1)) - half


def sat(v, lo, hi):
    return np.clip(np.asarray(v, I64), lo, hi)


def tdiv(x, d):
    """C integer division (truncating toward zero)."""
    x = np.asarray(x, I64)
    return np.where(x >= 0, x // d, -((-x) // d))


def rdbpot(x, e):
    """gemmlowp's RoundingDivideByPOT (ties away from zero)."""
    x = np.asarray(x, I64)
    mask = (1 << e) - 1
    rem = x & mask
    thr = (mask >> 1) + (x < 0)
    return (x >> e) + (rem > thr)


def srdhm(a, b, bits):
    """gemmlowp's SaturatingRoundingDoublingHighMul for `bits`-bit raw values."""
    a, b = np.asarray(a, I64), np.asarray(b, I64)
    lo = -(1 << (bits - 1))
    ab = a * b
    nudge = np.where(ab >= 0, 1 << (bits - 2), 1 - (1 << (bits - 2)))
    r = tdiv(ab + nudge, 1 << (bits - 1))
    return np.where((a == lo) & (b == lo), -lo - 1, r)


def mbqm(x, m):
    """TFLite's MultiplyByQuantizedMultiplier (int32, two roundings)."""
    mult, shift = m
    left, right = max(shift, 0), max(-shift, 0)
    return rdbpot(srdhm(wrap(np.asarray(x, I64) << left, 32), mult, 32), right)


# ---- gemmlowp fixed point on int16 ----

def k16(v):
    """A gemmlowp constant (Q0.31 int32) for an int16 raw type (RescaleConstantInitializer)."""
    return int(rdbpot(v, 16))


def mul16(a, b):
    return srdhm(a, b, 16)


def pot16(x, e):
    """SaturatingRoundingMultiplyByPOT on int16."""
    x = np.asarray(x, I64)
    if e == 0:
        return x
    if e < 0:
        return rdbpot(x, -e)
    thr = (1 << (15 - e)) - 1
    return np.where(x > thr, 32767, np.where(x < -thr, -32768, wrap(x << e, 16)))


def exp_quarter16(a):
    x = wrap(a + (1 << 12), 16)
    x2 = mul16(x, x)
    x3 = mul16(x2, x)
    x4 = mul16(x2, x2)
    poly = pot16(wrap(mul16(wrap(pot16(x4, -2) + x3, 16), k16(715827883)) + x2, 16), -1)
    c = k16(1895147668)
    return sat(c + mul16(c, wrap(x + poly, 16)), -32768, 32767)


def exp_neg16(a, bits):
    a = np.asarray(a, I64)
    frac = 15 - bits
    quarter = 1 << (frac - 2)
    a_mod = wrap((a & (quarter - 1)) - quarter, 16)
    r = exp_quarter16(pot16(a_mod, bits))
    rem = wrap(a_mod - a, 16)
    mults = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242]
    for e in range(-2, min(4, bits - 1) + 1):
        r = np.where(rem & (1 << (frac + e)) != 0, mul16(r, k16(mults[e + 2])), r)
    if bits > 5:
        r = np.where(a < k16(-(1 << (36 - bits))), 0, r)
    return np.where(a == 0, 32767, r)


def newton16(a):
    """x ~ 2 / (1 + a) in Q2.13 (gemmlowp's Newton-Raphson division)."""
    s = np.asarray(a, I64) + 32767
    half = tdiv(s + np.where(s >= 0, 1, -1), 2)
    x = wrap(k16(1515870810) + mul16(half, k16(-1010580540)), 16)
    for _ in range(3):
        x = wrap(x + pot16(mul16(x, wrap((1 << 13) - mul16(half, x), 16)), 2), 16)
    return x


def logistic16(a):
    """gemmlowp::logistic, FixedPoint<int16, 3> -> Q0.15."""
    a = np.asarray(a, I64)
    absx = np.where(a > 0, a, wrap(-a, 16))
    pos = pot16(newton16(exp_neg16(wrap(-absx, 16), 3)), 1)
    return np.where(a == 0, k16(1 << 30), np.where(a > 0, pos, wrap(32767 - pos, 16)))


def tanh16(a, bits):
    """gemmlowp::tanh, FixedPoint<int16, bits> -> Q0.15."""
    a = np.asarray(a, I64)
    n = np.where(a < 0, a, wrap(-a, 16))
    t = pot16(wrap(newton16(exp_neg16(n, bits + 1)) - (1 << 13), 16), 2)
    return np.where(a == 0, 0, np.where(a < 0, wrap(-t, 16), t))


# ---- the LSTM ----

def f32(v):
    return np.float32(v)


def lstm(x, p, with_state=False):
    """with_state: also the output and cell states after the sequence (int8, int16).
    p: dict with w[4], r[4] (int8; w[0], r[0] None for CIFG), b[4] (int32 or None),
    peep[3] (int16 or None), proj_w, proj_b, h0 (int8 [batch, out]), c0 (int16), the scales
    x_scale, w_scale[4], r_scale[4], p_scale[3], proj_scale, h_scale, c_scale, hidden_scale,
    the zero points x_zp, h_zp, hidden_zp, and cell_clip, proj_clip, time_major."""
    x = np.asarray(x, I64)
    if not p.get("time_major", False):
        x = x.transpose(1, 0, 2)
    steps, batch, _ = x.shape
    cifg = p["w"][0] is None
    peep = p["peep"][2] is not None
    gate_scale = f32(2.0 ** -12)
    cell_log2 = int(round(math.log2(p["c_scale"])))
    cell_scale = f32(2.0 ** cell_log2)
    m_in, m_rec, m_peep, b_in, b_rec = {}, {}, {}, {}, {}
    for k in range(4):
        if k == 0 and cifg:
            continue
        m_in[k] = quantize_multiplier(float(f32(p["w_scale"][k]) * f32(p["x_scale"]) /
                                            gate_scale))
        m_rec[k] = quantize_multiplier(float(f32(p["r_scale"][k]) * f32(p["h_scale"]) /
                                             gate_scale))
        w, r = np.asarray(p["w"][k], I64), np.asarray(p["r"][k], I64)
        bias = np.zeros(w.shape[0], I64) if p["b"][k] is None else np.asarray(p["b"][k], I64)
        b_in[k] = bias - p["x_zp"] * w.sum(1)
        b_rec[k] = -p["h_zp"] * r.sum(1)
    pk = {0: 0, 1: 1, 3: 2}
    if peep:
        for k, j in pk.items():
            if not (k == 0 and cifg):
                m_peep[k] = quantize_multiplier(float(cell_scale * f32(p["p_scale"][j]) /
                                                      gate_scale))
    two15 = f32(2.0 ** -15)
    m_hidden = quantize_multiplier(float(two15 / f32(p["hidden_scale"]) * two15))
    proj = p.get("proj_w") is not None
    if proj:
        m_proj = quantize_multiplier(float(f32(p["proj_scale"]) * f32(p["hidden_scale"]) /
                                           f32(p["h_scale"])))
        pw = np.asarray(p["proj_w"], I64)
        pb = np.zeros(pw.shape[0], I64) if p.get("proj_b") is None else \
            np.asarray(p["proj_b"], I64)
        b_proj = pb + p["hidden_zp"] * pw.sum(1)
    cell_clip = int(min(max(f32(p["cell_clip"]) / f32(p["c_scale"]), -32768), 32767)) \
        if p["cell_clip"] > 0 else 0
    proj_clip = int(min(max(f32(p["proj_clip"]) / f32(p["h_scale"]), -128), 127)) \
        if p.get("proj_clip", 0) > 0 else 0

    def matvec(w, bias, v, m, zp, acc, lo, hi):
        s = np.asarray(v, I64) @ np.asarray(w, I64).T + bias
        return sat(mbqm(wrap(s, 32), m) + zp + acc, lo, hi)

    h = np.asarray(p["h0"], I64).reshape(batch, -1)
    c = np.asarray(p["c0"], I64).reshape(batch, -1)
    ys = []
    for t in range(steps):
        def gate(k):
            g = np.zeros_like(c)
            g = matvec(p["w"][k], b_in[k], x[t], m_in[k], 0, g, -32768, 32767)
            g = matvec(p["r"][k], b_rec[k], h, m_rec[k], 0, g, -32768, 32767)
            if peep and k in pk:
                prod = np.asarray(p["peep"][pk[k]], I64) * c
                g = sat(mbqm(prod, m_peep[k]) + g, -32768, 32767)
            return tanh16(g, 3) if k == 2 else logistic16(g)
        i = None if cifg else gate(0)
        f = gate(1)
        g = gate(2)
        if cifg:
            i = wrap(32767 - f, 16)
        c = sat(wrap(rdbpot(f * c, 15), 16) + wrap(rdbpot(i * g, 30 + cell_log2), 16),
                -32768, 32767)
        if cell_clip > 0:
            c = np.clip(c, -cell_clip, cell_clip)
        o = gate(3)
        hid = sat(mbqm(o * tanh16(c, 15 + cell_log2), m_hidden) - p["hidden_zp"], -128, 127)
        if proj:
            h = matvec(pw, b_proj, hid, m_proj, p["h_zp"], np.zeros_like(h), -128, 127)
            if proj_clip > 0:
                h = np.clip(h, -proj_clip, proj_clip)
        else:
            h = hid
        ys.append(h)
    y = np.stack(ys).astype(np.int8)
    y = y if p.get("time_major", False) else y.transpose(1, 0, 2)
    return (y, h.astype(np.int8), c.astype(np.int16)) if with_state else y
