// One output plane of a depthwise convolution, compiled for the instruction set
// KernelIsaOfCpu picks, without FMA contraction (the same bits on every one).
#pragma once

#include "window.h"

namespace odla_rt {

// y = bias + w * x for each tap in (z, y, x) order, x zero-padded as ONNX's Conv pads it (a tap
// in the pads adds w * 0): one plane of x (g.in) and of y (g.out), w the plane's g.k taps.
void DepthwisePlane(const Window3& g, const float* x, const float* w, float bias, float* y);

// The planes at a time DepthwisePlanes takes.
constexpr int kDepthwiseLanes = 16;

// count (at most kDepthwiseLanes) planes at once, as DepthwisePlane would each (the same bits):
// plane l reads x[l], its taps w + l * g.KSize() and bias[l] (bias may be null: 0), and writes
// y + l * g.OutSize(). For rows too short to vectorize along: it vectorizes across the planes.
void DepthwisePlanes(const Window3& g, int count, const float* const* x, const float* w,
                     const float* bias, float* y);

}  // namespace odla_rt
