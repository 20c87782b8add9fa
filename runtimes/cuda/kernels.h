// The project's own CUDA kernels of libodla_cuda (kernels_*.cu), behind a small C++ launch
// API that the builders (ops_*.cc) call from their kernel closures. Every launch queues its
// work on `stream`, returns at once and throws odla_rt::RtError naming the kernel when CUDA
// reports an error. Pointers are device pointers; shapes are row-major, at most 8 dims.
// Each kernel computes what the ref runtime's kernel of the same op computes (cited there).
#pragma once

#include <cuda_runtime_api.h>
#include <odla/odla.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "../kernels/conv.h"
#include "../kernels/detection.h"
#include "../kernels/fixed_point.h"
#include "../kernels/lstm_tflite.h"
#include "../kernels/nbits.h"
#include "../kernels/quant_tflite.h"
#include "../kernels/resize.h"
#include "../kernels/sample_point.h"
#include "../kernels/svdf.h"
#include "../kernels/tfidf.h"
#include "index_map.h"

namespace odla_rt {
class FftPlan;
}

namespace odla_cuda {

// The map over `dims` with the given strides; drops dimensions of size 1 and merges
// neighbours that both sides walk contiguously (same offsets, fewer divisions).
StridedMap MakeMap(const std::vector<int64_t>& dims, const std::vector<int64_t>& a_strides,
                   int64_t a_base, const std::vector<int64_t>& b_strides, int64_t b_base);
// Row-major strides of dims; broadcast strides of `in` (right-aligned) within `out`.
std::vector<int64_t> DenseStrides(const std::vector<int64_t>& dims);
std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& in,
                                      const std::vector<int64_t>& out);

// The maps (a: the dense result, b: the input) of Transpose (result dims in[perm[d]]),
// Slice (ONNX starts and steps, `out` elements per dimension) and Tile (two walked dimensions
// per input dimension: more than 8 in all throw), in ops_layout.cc.
StridedMap TransposeMap(const std::vector<int64_t>& in, const std::vector<int64_t>& perm);
StridedMap SliceMap(const std::vector<int64_t>& in, const std::vector<int64_t>& out,
                    const std::vector<int64_t>& starts, const std::vector<int64_t>& steps);
StridedMap TileMap(const std::vector<int64_t>& in, const std::vector<int64_t>& repeats);
// The maps of DepthToSpace (crd: CRD order, else DCR) and SpaceToDepth of an input [N, C, H,
// W] with block b (ops_depth_space.cc).
StridedMap DepthToSpaceMap(const std::vector<int64_t>& x, int64_t b, bool crd);
StridedMap SpaceToDepthMap(const std::vector<int64_t>& x, int64_t b);

// dst[m.a(i)] = src[m.b(i)] for every index i of m, elements of `es` bytes (1, 2, 4 or 8).
void StridedCopy(cudaStream_t s, void* dst, const void* src, size_t es, const StridedMap& m);
// A dense copy of `bytes` bytes (Identity, Reshape, ...).
void DeviceCopy(cudaStream_t s, void* dst, const void* src, size_t bytes);

// GatherElements (ref: GatherElementsCopy with LoadIndices): out[i] = data[m.a(i) + x *
// axis_stride] for i over the indices' shape, x = idx[m.b(i)] (negative ones count from the
// end of `dim`); an index out of range sets *bad and writes 0.
void GatherElements(cudaStream_t s, void* dst, const void* data, size_t es, const StridedMap& m,
                    int64_t axis_stride, int64_t dim, const void* idx, bool idx64, int* bad);

// Trilu (ref: TriluCopy) of `matrices` matrices [rows, cols]: element (i, j) is kept where
// j - i >= k (upper) or j - i <= k (lower), else 0.
void Trilu(cudaStream_t s, void* dst, const void* src, size_t es, int64_t matrices, int64_t rows,
           int64_t cols, int64_t k, bool upper);

// Pad (ref: PadCopy): out has dims in[d] + pads[d] + pads[d + rank]; mode 0 constant (the
// `es` bytes at `fill`, a device pointer, or `fill_bits` when it is null), 1 reflect, 2 edge.
void Pad(cudaStream_t s, void* dst, const void* src, size_t es, const std::vector<int64_t>& in,
         const std::vector<int64_t>& pads, int mode, const void* fill, uint64_t fill_bits);

// The input element offset each result element of Pad reads, -1 for the fill value (what
// the Pad kernel computes, on the host: for tests).
std::vector<int64_t> PadSources(const std::vector<int64_t>& in, const std::vector<int64_t>& pads,
                                int mode);

// Gather (ref: GatherCopy with LoadIndices): out[o][j][i] = data[o][idx[j]][i]; negative
// indices count from the end. An index out of range sets *bad (device int) to 1 and writes 0s.
void Gather(cudaStream_t s, void* dst, const void* data, size_t es, int64_t outer, int64_t dim,
            int64_t inner, const void* idx, bool idx64, int64_t nidx, int* bad);

// GatherND (ref: TupleOffsets and GatherNDCopy): out[t][j] = data[batch][offset(t)][j] for
// each of the `tuples` int64 index tuples of k components (dims: the first k dimensions of
// the data after the batch ones), `block` elements each, `per_batch` tuples per batch of
// `batch_elems` data elements. An index out of range sets *bad and writes 0s.
struct NdIndex {
  int k = 0;
  int64_t dims[kMaxDims] = {}, strides[kMaxDims] = {};
};
void GatherND(cudaStream_t s, void* dst, const void* data, size_t es, const int64_t* idx,
              const NdIndex& nd, int64_t tuples, int64_t per_batch, int64_t batch_elems,
              int64_t block, int* bad);

// ScatterElements and ScatterND (ref: ScatterElements and ScatterND in
// runtimes/kernels/gather.h): dst = data, then updates go in with `reduction` (0 none, 1 add,
// 2 mul, 3 max, 4 min: odla_rt::Reduction) in the ref's order: updates that meet at an
// element are applied by one thread, in turn (ScatterElements: one thread per position
// off the axis; ScatterND: one per element of a slice). An index out of range sets *bad.
// Reductions: float32, int32, int64; none: any element size.
struct ScatterGeom {
  int rank = 0, axis = 0;
  int64_t idx_dims[kMaxDims] = {}, idx_strides[kMaxDims] = {}, data_strides[kMaxDims] = {};
  int64_t bound = 0;  // the data's axis length
};
void ScatterElements(cudaStream_t s, odla_element_type t, void* dst, const void* data,
                     int64_t total, const void* updates, const void* idx, bool idx64,
                     const ScatterGeom& g, int reduction, int* bad);
void ScatterND(cudaStream_t s, odla_element_type t, void* dst, const void* data, int64_t total,
               const void* updates, const int64_t* idx, const NdIndex& nd, int64_t tuples,
               int64_t block, int reduction, int* bad);

// Einsum's gathers (ref: Gather in runtimes/kernels/einsum.cc), float32: out[o] (dense, over
// the `kept` map's indices) = the sum, in the order of the `summed` map's indices, of
// src[kept(o) + summed(q)] (the maps' a sides).
void EinsumGather(cudaStream_t s, const float* src, float* out, const StridedMap& kept,
                  const StridedMap& summed);

// GridSample and RoiAlign (ref: GridSample and RoiAlign in runtimes/kernels/sample.h), float32:
// each output value is sample_point.h's GridPoint or RoiAlignPoint, the code the ref runs.
// RoiAlign's batch indices outside [0, n) set *bad (and give 0s).
void GridSample(cudaStream_t s, const odla_rt::GridSampleSpec& spec, const float* x,
                const float* grid, float* y);
void RoiAlign(cudaStream_t s, const odla_rt::RoiAlignSpec& spec, int64_t n, const float* x,
              const float* rois, const int64_t* batch, float* y, int* bad);

// ReverseSequence (ref: odla_ReverseSequence's strided copies): dst = src with the first
// lens[b] elements along the time axis reversed for each batch index b (lens: device int64;
// one outside [0, time] sets *bad and that batch is copied unchanged). `stride_b`, `stride_t`:
// the two axes' strides, `batch`, `time` their lengths.
void ReverseSequence(cudaStream_t s, void* dst, const void* src, size_t es, int64_t n,
                     int64_t batch, int64_t stride_b, int64_t time, int64_t stride_t,
                     const int64_t* lens, int* bad);

// OneHot (ref: OneHotFill): out [outer, depth, inner] is the `es` bytes of values[1] where
// idx[o][i] (negative ones count from the end of depth) equals the depth coordinate, else of
// values[0]; indices out of range select nothing. Indices: int32, int64 or float32.
void OneHot(cudaStream_t s, void* dst, size_t es, const void* idx, odla_element_type it,
            const void* values, int64_t outer, int64_t depth, int64_t inner);

// TopK (ref: TopK) of x viewed as [outer, len, inner] along len: the k first elements in the
// order of `largest` (ties: the lower index first; NaN above every number), values and int64
// indices, in order. float32, int32, int64.
void TopK(cudaStream_t s, odla_element_type t, const void* x, void* values, int64_t* indices,
          int64_t outer, int64_t len, int64_t inner, int64_t k, bool largest);

// QuantizeLinear (ref: QuantizeLinear) of float32 or int32 x viewed as [outer, len, inner]
// into int8, uint8 or int16 (q): saturate(round(x / scale[c]) + zp[c]), halves to even or,
// with `away`, away from 0; zp may be null. DequantizeLinear: (x - zp[c]) * scale[c] of int8,
// uint8, int16 or int32 x into float32.
void QuantizeLinear(cudaStream_t s, odla_element_type xt, odla_element_type q, const void* x,
                    const float* scale, const void* zp, void* y, int64_t outer, int64_t len,
                    int64_t inner, bool away);
void DequantizeLinear(cudaStream_t s, odla_element_type xt, const void* x, const float* scale,
                      const void* zp, float* y, int64_t outer, int64_t len, int64_t inner);

// DynamicQuantizeLinear (ref: DynamicQuantizeLinear in runtimes/kernels/quant.cc) of n > 0
// float32 values: the uint8 scale and zero point over the range of x widened to 0, then x
// quantized with them (y uint8 [n], scale float32 [1], zp uint8 [1]).
void DynamicQuantizeLinear(cudaStream_t s, const float* x, int64_t n, uint8_t* y, float* scale,
                           uint8_t* zp);

// The quantized element-wise ops with per-tensor scales and zero points known at build time
// (kernels_quant.cu; ref: QLinearBinary, QLinearLeakyRelu and Requantize in
// runtimes/ref/quant_tflite.cc): TFLite's integer arithmetic (`tflite`, parameters made by
// quant_tflite.h) or ONNX Runtime's float one.
struct QElementwise {
  bool tflite = false;
  int sign = 1;  // QLinearBinary: 1 add, -1 subtract, 0 multiply
  float sa = 1, sb = 1, sy = 1, alpha = 0;
  int32_t za = 0, zb = 0, zy = 0;
  odla_rt::TfliteAddParams add;
  odla_rt::TfliteLeakyReluParams leaky;
  odla_rt::QMultiplier q;  // TFLite's MUL and Requantize
};
// y = a op b with numpy broadcasting (m walks a and b over y), a, b and y of type t (int8,
// uint8, int16).
void QLinearBinary(cudaStream_t s, odla_element_type t, const void* a, const void* b, void* y,
                   const StridedMap& m, const QElementwise& p);
// LeakyRelu of n values of type t (int8, uint8, int16); x's parameters are sa, za.
void QLinearLeakyRelu(cudaStream_t s, odla_element_type t, const void* x, void* y, int64_t n,
                      const QElementwise& p);
// n values from type xt to yt (int8, uint8, int16, int32); x's parameters are sa, za.
void Requantize(cudaStream_t s, odla_element_type xt, odla_element_type yt, const void* x, void* y,
                int64_t n, const QElementwise& p);

// More quantized ops (kernels_qlinear.cu; ref: runtimes/ref/quant_tflite.cc and the functions
// of runtimes/kernels/gemmlowp.h, fixed_point.h and quant_tflite.h it runs). y[i] =
// table[x[i] - lowest value of t] for n values of t (int8, uint8, int16): QLinearSigmoid and
// QLinearTanh, the ref's function tabulated at build time. The three forms of QLinearSoftmax
// (odla_rt::SelectQSoftmax), a thread per row of len values at stride inner: TFLite's 8-bit
// kernels (8-bit x, y of 8 or 16 bits); TFLite's int16 kernel with its two tables
// (TfliteExpLut, TfliteOneOverOnePlusXLut) on the device; the float form, exp_table[-d] being
// QSoftmaxExp(d, x's scale) for every difference d from a row's maximum. AVERAGE_POOL_2D and
// MEAN, TFLite's integer forms or (tflite false) ONNX Runtime's float ones with x's parameters
// sa, za and y's sy, zy.
void QTableLookup(cudaStream_t s, const char* op, odla_element_type t, const void* x, void* y,
                  int64_t n, const void* table);
void QSoftmax(cudaStream_t s, odla_element_type xt, odla_element_type yt, const void* x, void* y,
              int64_t outer, int64_t len, int64_t inner, const odla_rt::TfliteSoftmaxParams& p);
void QSoftmaxInt16(cudaStream_t s, const int16_t* x, int16_t* y, int64_t outer, int64_t len,
                   int64_t inner, const odla_rt::TfliteSoftmaxInt16Params& p,
                   const int16_t* exp_lut, const int16_t* recip_lut);
void QSoftmaxFloat(cudaStream_t s, odla_element_type xt, odla_element_type yt, const void* x,
                   void* y, int64_t outer, int64_t len, int64_t inner, const float* exp_table,
                   float ys, int32_t yz);
void QAveragePool(cudaStream_t s, odla_element_type t, const void* x, void* y,
                  const odla_rt::Pool2D& pool, const QElementwise& q, bool include_pad);
// MEAN over the `reduced` axes (dims and input strides) for each output, a row-major index
// over the kept axes; q_over_count as TfliteMeanMultiplier makes it.
struct QMeanPlan {
  int kept = 0, reduced = 0;
  int64_t kept_dims[kMaxDims] = {}, kept_strides[kMaxDims] = {};
  int64_t reduced_dims[kMaxDims] = {}, reduced_strides[kMaxDims] = {};
  int64_t outputs = 1, count = 1;
};
void QReduceMean(cudaStream_t s, odla_element_type t, const void* x, void* y, const QMeanPlan& m,
                 const QElementwise& q, odla_rt::QMultiplier q_over_count);

// LpPool (ref: LpPool in runtimes/kernels/pool.h: |x|^p summed in double over the window's
// taps inside the input, then the p-th root) of float32 planes, and MaxRoiPool (ref:
// runtimes/kernels/detection.h's MaxRoiPoolPoint, run on the GPU) of float32 X with r rois
// (kernels_window.cu).
void LpPool(cudaStream_t s, const odla_rt::Window3& w, int64_t planes, const float* x, float* y,
            int64_t p);
void MaxRoiPool(cudaStream_t s, const odla_rt::RoiPoolSpec& spec, const float* x, const float* rois,
                int64_t r, float* y);
// Det (ref: Det in runtimes/kernels/det.h, its DetInPlace on the device) of `batch` float32
// n x n matrices, a thread per matrix; `scratch`: batch * n * n doubles (kernels_window.cu).
void Det(cudaStream_t s, const float* x, float* y, int64_t batch, int64_t n, double* scratch);
// MaxUnpool (ref: MaxUnpool in runtimes/kernels/sample.h): y (out_n floats) = 0 except, for
// each of the n inputs, y at its index (flat in `def`, MaxPool's shape, placed at the same
// coordinates in `out`) = x; where indices meet, the last input wins, as in the ref's loop.
// `winners`: out_n 8-byte words of scratch; *bad is set for an index outside [0, def_n).
struct UnpoolMap {
  int rank = 0;
  int64_t def[kMaxDims] = {}, out[kMaxDims] = {};
  int64_t def_n = 1;
};
void MaxUnpool(cudaStream_t s, const float* x, const int64_t* idx, int64_t n, const UnpoolMap& m,
               float* y, int64_t out_n, void* winners, int* bad);
// BitShift (ref: BitShiftFn) of unsigned integers (uint8 to uint64) with numpy broadcasting:
// a shift by the type's width or more gives 0.
void BitShift(cudaStream_t s, odla_element_type t, bool left, const void* a, const void* b,
              void* out, const StridedMap& m);
// BitwiseAnd, BitwiseOr, BitwiseXor (op 0 to 2) of a and b with numpy broadcasting, or
// BitwiseNot (3) of a (b unused), on the bits of integers of element_size bytes.
void Bitwise(cudaStream_t s, int op, size_t element_size, const void* a, const void* b, void* out,
             const StridedMap& m);

// Integer matrix products and convolutions (kernels_qgemm.cu; ref: MatMulInt32, ConvInt32 and
// Requantize in runtimes/kernels/quant.h, TfliteConv in quant_tflite.h): exact sums of
// (a - a_zp) * (b - b_zp) in int32 (int64 for an int16 x), then `QOutput`.
struct QOperand {
  odla_element_type type = ODLA_INT8;  // int8, uint8; int16 for a TFLite-rounded conv's x
  const void* data = nullptr;
  const void* zp = nullptr;  // of `type`; NULL: 0
  int64_t zp_n = 1;          // 1, or one per row of A, column of B, output channel of w
};
// What the sums become, per output channel r (MatMul: the row; Conv: the output channel) and
// column c (MatMul only): kInt32, the int32 sums; kOnnx, saturate(rint(float(sum + bias[r]) *
// (row_scale[r] * col_scale[c] / y_scale)) + y_zp) (ref: QLinearMatMul, QLinearConv);
// kTflite, saturate(MultiplyByQuantizedMultiplier(sum + bias[r], QuantizeMultiplier(
// col_scale * row_scale[r] / y_scale)) + y_zp) in double (ref: TfliteConv): the row_scale_n
// multipliers made at build time from constant scales, or (`multipliers` NULL) made from the
// scales at each run in `scratch` (8 bytes each). Scales and zero points with one entry apply
// to all.
struct QOutput {
  enum Kind { kInt32, kOnnx, kTflite } kind = kInt32;
  odla_element_type type = ODLA_INT32;  // kOnnx: int8, uint8; kTflite: int8, uint8, int16
  void* y = nullptr;
  const void* bias = nullptr;  // NULL, or int32 per output channel (int64 with an int16 x)
  const float* row_scale = nullptr;
  int64_t row_scale_n = 1;
  const float* col_scale = nullptr;
  int64_t col_scale_n = 1;
  const float* y_scale = nullptr;
  const void* y_zp = nullptr;
  const odla_rt::QMultiplier* multipliers = nullptr;
  void* scratch = nullptr;
};
// y[s] = a[s] x b[s] for s < nb, a[s] [m, k] at aoff[s] elements, b[s] [k, n] at boff[s]
// (device int64 tables; NULL: 0), y[s] [m, n] dense. a's zero points per row, b's per column.
void QMatMul(cudaStream_t s, const QOperand& a, const QOperand& b, const int64_t* aoff,
             const int64_t* boff, int64_t nb, int64_t m, int64_t k, int64_t n, const QOutput& y);
// y = conv(x - x_zp, w - w_zp) over NC(D)HW data, zeros outside x (as padding with x_zp).
void QConv(cudaStream_t s, const odla_rt::ConvShape& shape, const QOperand& x, const QOperand& w,
           const QOutput& y);

// MatMulNBits (ref: runtimes/kernels/nbits.cc), the weights' pointers on the device: the
// weights dequantized into w [N, K] (for a cuBLAS product), or y [m, N] = a [m, K] x W^T
// for m <= kNBitsGemvRows, one warp per column, dequantizing as it reads.
constexpr int64_t kNBitsGemvRows = 8;
void NBitsDequantize(cudaStream_t s, const odla_rt::NBitsWeights& w, float* out);
void NBitsGemv(cudaStream_t s, const odla_rt::NBitsWeights& w, const float* a, int64_t m, float* y);

// Recurrent layers (ref: runtimes/kernels/rnn.cc; ops_rnn.cc runs the products on cuBLAS):
// the kernels of one direction `dir` of a layer, float32. lens (device int32 [batch], may be
// null: all seq) are clamped to [0, seq]; RnnCheckLens sets *bad for one outside.
struct RnnGeom {
  int64_t seq = 0, batch = 0, hidden = 0, gates = 1, num_dir = 1, dir = 0;
  bool reverse = false, batch_major = false;
};
struct RnnActs {
  int kind[3] = {};  // odla_rt::RnnActKind
  float alpha[3] = {}, beta[3] = {};
};
enum class RnnStage { kRnn, kGruGates, kGruReset, kGruOut, kLstm };
// One step's buffers: xw [rows, gates * hidden] (input projections with the biases), hr [batch,
// gates * hidden] (recurrent projections), the states h and c [batch, hidden], GRU's zr [batch,
// 2 * hidden] and r.h (rh [batch, hidden]), its h-gate recurrence bias rb_h (null unless
// linear_before_reset), LSTM's peepholes p [3 * hidden] (may be null), Y (may be null).
struct RnnStep {
  const float* xw = nullptr;
  const float* hr = nullptr;
  float* h = nullptr;
  float* c = nullptr;
  float* zr = nullptr;
  float* rh = nullptr;
  const float* rb_h = nullptr;
  const float* p = nullptr;
  float* y = nullptr;
  const int32_t* lens = nullptr;
  RnnGeom g;
  RnnActs acts;
  float clip = 0;
  bool input_forget = false, late = false;
  int64_t step = 0;
};
void RnnCheckLens(cudaStream_t s, const int32_t* lens, int64_t batch, int64_t seq, int* bad);
// xw[row][j] += wb[j] + (j < rb_until ? rb[j] : 0) for rows x gh.
void RnnAddBias(cudaStream_t s, float* xw, int64_t rows, int64_t gh, const float* wb,
                const float* rb, int64_t rb_until);
// state[b] = init ? init at b's state offset : 0 (to_layer false); or the layer's state
// result at b's offset = state[b] (to_layer true).
void RnnState(cudaStream_t s, float* state, const float* init, float* result, const RnnGeom& g,
              bool to_layer);
void RnnStepKernel(cudaStream_t s, RnnStage stage, const RnnStep& st);

enum class Unary {
  kRelu,
  kSigmoid,
  kTanh,
  kExp,
  kLog,
  kSqrt,
  kAbs,
  kNeg,
  kReciprocal,
  kErf,
  kFloor,
  kCeil,
  kRound,
  kSin,
  kCos,
  kSoftplus,
  kSign,
  kNot,
  kLeakyRelu,
  kElu,
  kSelu,
  kHardSigmoid,
  kHardSwish,
  kClip,
  kScale,
  kTan,
  kAsin,
  kAcos,
  kAtan,
  kSinh,
  kCosh,
  kAsinh,
  kAcosh,
  kAtanh,
  kSoftsign,
  kCelu,
  kThresholdedRelu,
  kShrink  // a = bias, b = lambd
};
// y = op(x) on n elements of type t. Parameters: LeakyRelu/Elu/Celu/ThresholdedRelu
// alpha=a; Selu alpha=a,
// gamma=b; HardSigmoid alpha=a, beta=b; Clip lo=a, hi=b (of t: ints through double);
// Scale y = x * a. Types: see UnarySupports.
void UnaryOp(cudaStream_t s, Unary op, odla_element_type t, const void* x, void* y, int64_t n,
             double a = 0, double b = 0);
bool UnarySupports(Unary op, odla_element_type t);
// IsNaN (kind 0) or IsInf (kind 1: -inf with `negative`, +inf with `positive`) of float32 x
// into bool y (ref: unary::IsNaN, unary::IsInf).
void Classify(cudaStream_t s, int kind, const float* x, bool* y, int64_t n, bool negative,
              bool positive);

// From kEqual on (comparisons and logic) the result is bool.
enum class Binary {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  kMax,
  kMin,
  kPRelu,
  kMod,   // Mod with fmod=0: the sign of the divisor (integers)
  kFMod,  // Mod with fmod=1: the sign of the dividend (C fmod)
  kEqual,
  kLess,
  kGreater,
  kLessOrEqual,
  kGreaterOrEqual,
  kAnd,
  kOr,
  kXor
};
// out = op(a, b) with numpy broadcasting: m.a_strides walk a, m.b_strides walk b, over the
// dense result (comparisons and logic give bool; PRelu: a is X, b the slope). Types: see
// BinarySupports.
void BinaryOp(cudaStream_t s, Binary op, odla_element_type t, const void* a, const void* b,
              void* out, const StridedMap& m);
bool BinarySupports(Binary op, odla_element_type t);

// Where: out = cond ? x : y, broadcast by the three stride lists over out's `dims`.
void Where(cudaStream_t s, size_t es, const uint8_t* cond, const void* x, const void* y, void* out,
           const std::vector<int64_t>& dims, const std::vector<int64_t>& cs,
           const std::vector<int64_t>& xs, const std::vector<int64_t>& ys);

// Cast (ref: Convert in runtimes/ref/cast.cc): float to integer saturates and NaN gives 0;
// to bool is x != 0; float16/bfloat16 through float, bit for bit as the ref.
void Cast(cudaStream_t s, odla_element_type from, odla_element_type to, const void* x, void* y,
          int64_t n);
// Between float32, float64, int8, uint8, int32, int64, bool, float16 and bfloat16, except
// to float16/bfloat16 from other types than float32 and those two.
bool CastSupports(odla_element_type from, odla_element_type to);

// Softmax (kind 0), LogSoftmax (1) or Hardmax (2) of [outer, n, inner] along n, float32.
void Softmax(cudaStream_t s, int kind, const float* x, float* y, int64_t outer, int64_t n,
             int64_t inner);

// CumSum of [outer, n, inner] along n (float32, int32, int64; integers wrap).
void CumSum(cudaStream_t s, odla_element_type t, const void* x, void* y, int64_t outer, int64_t n,
            int64_t inner, bool exclusive, bool reverse);

// BatchNormalization in training mode of x [n, c, inner] (ref: BatchNormTraining, statistics
// in double, a block per channel): y, and (each may be null) the running mean and variance.
void BatchNormTraining(cudaStream_t s, const float* x, const float* scale, const float* bias,
                       const float* mean, const float* var, double eps, double momentum, float* y,
                       float* running_mean, float* running_var, int64_t n, int64_t c,
                       int64_t inner);

// InstanceNormalization of x [n, c, inner] (ref: InstanceNorm, statistics in double): scale
// and bias of c values.
void InstanceNorm(cudaStream_t s, const float* x, const float* scale, const float* bias, double eps,
                  float* y, int64_t n, int64_t c, int64_t inner);

// LayerNormalization of x [rows, cols] (ref: LayerNorm, in double): scale and bias (may be
// null) of cols values; mean / inv_std (may be null) one float per row.
void LayerNorm(cudaStream_t s, const float* x, const float* scale, const float* bias, double eps,
               float* y, float* mean, float* inv_std, int64_t rows, int64_t cols);

enum class Reduce { kSum, kMean, kMax, kMin, kProd, kL2, kL1, kSumSquare, kLogSum, kLogSumExp };
// Reduces x of `dims` over `axes` (sorted, distinct) into out (the kept elements in order);
// ref: Reduce. float32 all kinds; int32/int64 all but L2, LogSum and LogSumExp (wrapping
// sums, truncating mean).
// LRN (ref: LRN in runtimes/kernels/norm.h) across the channels of x [n, c, inner], float32:
// sums of squares and the power in double, as the ref.
void Lrn(cudaStream_t s, const float* x, float* y, int64_t n, int64_t c, int64_t inner,
         double alpha, double beta, double bias, int64_t size);
// MeanVarianceNormalization (ref: MeanVarianceNorm in runtimes/kernels/norm.h), float32: each
// group of elements (`groups` maps a group to its first element's offset, `members` a member
// to its offset from there) becomes (x - mean) / (sqrt(max(0, E[x^2] - mean^2)) + 1e-9), the
// statistics in double.
void MeanVarianceNorm(cudaStream_t s, const float* x, float* y, const StridedMap& groups,
                      const StridedMap& members);
// LpNormalization (ref: LpNormalize in runtimes/kernels/sample.h), float32: x [outer, len,
// inner] divided along len by its L1 (p 1) or L2 norm, summed in double in order; 0 where the
// norm is 0.
void LpNormalize(cudaStream_t s, const float* x, float* y, int64_t outer, int64_t len,
                 int64_t inner, int p);

// `scratch`: kReduceScratch bytes of device memory (the partial results of few large ones).
constexpr size_t kReduceScratch = 16384;
void ReduceOp(cudaStream_t s, Reduce kind, odla_element_type t, const void* x,
              const std::vector<int64_t>& dims, const std::vector<int64_t>& axes, void* out,
              void* scratch);
bool ReduceSupports(Reduce kind, odla_element_type t);

// ArgMax (is_max) or ArgMin of x [outer, n, inner] along n into y [outer, inner] (ref:
// ArgExtreme: a sequential scan, the first extreme or with `last` the last; NaN never
// replaces a value). float32, int32, int64.
void ArgExtreme(cudaStream_t s, bool is_max, bool last, odla_element_type t, const void* x,
                int64_t* y, int64_t outer, int64_t n, int64_t inner);

// Resize of a float32 tensor `in` to `out` as the ref's Resize computes it from the same tap
// tables (kernels_resize.cu); the plan is made at build time and uploads its tables then
// (so Run copies nothing from the host and a graph can hold it), Run needs ScratchBytes() of
// device scratch.
class ResizePlan {
 public:
  ResizePlan(const std::vector<odla_rt::AxisTaps>& taps, const std::vector<int64_t>& in,
             const std::vector<int64_t>& out, double extrapolation);
  size_t ScratchBytes() const;
  void Run(cudaStream_t s, const float* x, float* y, void* scratch) const;

 private:
  struct Pass {
    int axis, n;
    int64_t outer, inner, len, olen;
    size_t index_at, weight_at, outside_at;  // byte offsets of its tables in tables_
  };
  std::vector<int64_t> in_, out_;
  double extrapolation_;
  bool exact_ = true;
  std::vector<Pass> passes_;           // from the last axis to the first
  std::vector<unsigned char> tables_;  // uploaded once to device_tables_
  std::shared_ptr<void> device_tables_;
  size_t buffer_bytes_ = 0;  // each of the two intermediate buffers
};

// Generated data (kernels_fill.cu; ref: runtimes/kernels/fill.h). Fill: n elements of `es`
// bytes (1, 2, 4 or 8), each the `es` bytes at `value` (host memory). Eye (ref: EyeFill): a
// rows x cols matrix of zero bits with the `es` bytes at `one` (host) where column - row == k.
// Range (ref: RangeFill): out[i] = start + T(i) * delta, start and delta device scalars of
// type t (the numeric types of odla_rt::DispatchNumeric, as the ref's).
void Fill(cudaStream_t s, void* dst, size_t es, int64_t n, const void* value);
void Eye(cudaStream_t s, void* dst, size_t es, int64_t rows, int64_t cols, int64_t k,
         const void* one);
void Range(cudaStream_t s, odla_element_type t, void* dst, int64_t n, const void* start,
           const void* delta);

// DFT and STFT (kernels_fft.cu; ref: FftPlan, Dft and Stft in runtimes/kernels/fft.h) of
// float32 or float64 lines. Line p of g.lines reads g.take samples of g.c components (1:
// real, 2: complex interleaved) at x + (p / inner) * in_outer + (p % inner) * in_inner + j *
// in_step elements, each times window[j] when there is a window, zero-padded to the plan's
// length; its first g.keep bins, times g.scale, go to y + (p / inner) * out_outer + (p %
// inner) * out_inner + k * out_step as (re, im). One block transforms a line with the ref's
// method and double arithmetic (tables made by the host's plan, uploaded at build time), so
// the results are the host's to the bit.
struct FftLines {
  int64_t lines = 0, inner = 1, take = 0, keep = 0, c = 1;
  int64_t in_outer = 0, in_inner = 0, in_step = 0, out_outer = 0, out_inner = 0, out_step = 0;
  double scale = 1.0;
};
class FftDevicePlan {
 public:
  explicit FftDevicePlan(const odla_rt::FftPlan& plan);
  // Device scratch memory a Run over `lines` lines needs.
  size_t ScratchBytes(int64_t lines) const;
  void Run(cudaStream_t s, odla_element_type t, const FftLines& g, const void* x,
           const void* window, void* y, void* scratch) const;

 private:
  unsigned Blocks(int64_t lines) const;
  int method_ = 0;  // odla_rt::FftPlan::Method
  bool inverse_ = false;
  int64_t n_ = 0, m_ = 0;  // the length, and Bluestein's radix-2 length (else n)
  int64_t per_block_ = 0;  // complex doubles of scratch per block
  size_t roots_at_ = 0, half_at_ = 0, chirp_at_ = 0, kernel_at_ = 0;  // table offsets
  std::shared_ptr<void> tables_;  // the plan's tables on the device
};

// One SVDF step (kernels_svdf.cu; ref: SvdfFloat and SvdfInteger in runtimes/kernels/svdf.h,
// whose per-filter and per-unit functions run here): state = state_in with each filter's
// memory shifted and the new activation last, y from the filters' time reductions (`red`:
// batch * filters values of device scratch). Integer: int8 x, weights_feature and y, state and
// weights_time of type st (int16 or int8), int32 bias; bias may be null.
void SvdfFloat(cudaStream_t s, const odla_rt::SvdfShape& d, const float* x, const float* wf,
               const float* wt, const float* bias, const float* state_in, float* y, float* state,
               float* red);
void SvdfInteger(cudaStream_t s, odla_element_type st, const odla_rt::SvdfShape& d,
                 const odla_rt::SvdfQuant& q, const int8_t* x, const int8_t* wf, const void* wt,
                 const int32_t* bias, const void* state_in, int8_t* y, void* state, int32_t* red);

// TfIdfVectorizer (kernels_text.cu; ref: TfIdf in runtimes/kernels/tfidf.h) of `rows` rows of
// `len` int32 or int64 tokens into y [rows, out_size]: the n-gram counts (in `counts`,
// rows * out_size ints of device scratch), then TF, IDF or TFIDF values. The plan uploads the
// trie and the weights at build time.
struct TfIdfGeometry {
  int64_t rows = 1, len = 0, dists = 1, min_gram = 1, max_gram = 1, out_size = 0;
};
class TfIdfPlan {
 public:
  TfIdfPlan(const odla_rt::NgramTrie& trie, const odla_rt::TfIdfSpec& spec);
  void Run(cudaStream_t s, odla_element_type t, const TfIdfGeometry& g, const void* x, float* y,
           int* counts) const;

 private:
  odla_rt::TfIdfMode mode_;
  bool has_weights_ = false;
  size_t token_at_ = 0, begin_at_ = 0, child_at_ = 0, output_at_ = 0, weights_at_ = 0;
  std::shared_ptr<void> tables_;
};

// TFLite's integer LSTM (kernels_qlstm.cu; ref: TfliteLstm in runtimes/kernels/lstm_tflite.cc)
// with the parameters Prepare derives (p: its bias pointers on the device), the tensors of d
// on the device; `scratch`: QLstmScratch(s).total bytes for the states.
struct QLstmScratch {
  explicit QLstmScratch(const odla_rt::TfliteLstmShape& s);
  size_t h = 0, c = 0, hidden = 0, total = 0;  // byte offsets, and the size
};
void QLstm(cudaStream_t st, const odla_rt::TfliteLstmShape& s, const odla_rt::TfliteLstmParams& p,
           const odla_rt::TfliteLstmData& d, void* scratch);

// NonZero (kernels_nonzero.cu; ref: NonZero in runtimes/kernels/nonzero.h) of x (type t, shape
// dims, a scalar as [1]): the coordinates of its non-zero elements (floats: -0 is zero, NaN is
// not) in row-major order as y[d * count + j], and their number, count, in scratch[0].
// `scratch`: 1 + kNonZeroParts int64 of device memory.
constexpr int64_t kNonZeroParts = 256;
void NonZero(cudaStream_t st, odla_element_type t, const void* x, const std::vector<int64_t>& dims,
             int64_t* y, int64_t* scratch);

}  // namespace odla_cuda
