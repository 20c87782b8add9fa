// Shared pieces of type/shape rules.
#pragma once

#include "ir/op_registry.h"

namespace halo {

// Numpy-style broadcast of two shapes; throws on mismatch.
Shape BroadcastShapes(const Shape& a, const Shape& b);
// Normalises a possibly negative axis for a given rank; throws when out of range.
int64_t NormalizeAxis(int64_t axis, int64_t rank);
// The shape left by reducing the (sorted, normalised) axes of x: each dropped, or kept as 1.
Shape ReducedShape(const Shape& x, const std::vector<int64_t>& axes, bool keepdims);
// Rule for ops whose result has the type of input 0.
void SameAsInput0(InferContext& c);
// For convolutions with X [N, C, spatial...] as input 0 and the given kernel: canonicalises
// strides, dilations, pads (resolving auto_pad) and kernel_shape; returns the output's
// spatial dimensions.
std::vector<int64_t> ResolveConvWindow(InferContext& c, const std::vector<int64_t>& kernel);
// The rules of Conv, Gemm and MatMul (the fused ops extend them).
void ConvRule(InferContext& c);
void GemmRule(InferContext& c);
void MatMulRule(InferContext& c);

// FLOPs hooks (OpDef::Flops): k per element of result 0, or of input 0; those of Conv,
// Gemm and MatMul (the fused ops add their epilogue's).
FlopsFn FlopsPerResultElement(double k);
FlopsFn FlopsPerInputElement(double k);
double ConvFlops(const Node& n);
double GemmFlops(const Node& n);
double MatMulFlops(const Node& n);

}  // namespace halo
