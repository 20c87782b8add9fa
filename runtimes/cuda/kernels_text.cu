// TfIdfVectorizer (ref: CountNgrams and TfIdf in runtimes/kernels/tfidf.h): a thread per row,
// skip distance and start walks a copy of the n-gram trie (children sorted by token, found by
// binary search) and counts the n-grams it meets with integer atomics, so the counts, and the
// values made from them, are the host's whatever the order.
#include <algorithm>
#include <vector>

#include "../kernels/tfidf.h"
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

struct DeviceTrie {
  const int32_t* begin;  // node n's children are [begin[n], begin[n + 1])
  const int64_t* token;  // sorted within a node
  const int32_t* child;
  const int32_t* output;  // per node, -1 for none
};

__device__ int32_t Child(const DeviceTrie& t, int32_t node, int64_t token) {
  int32_t lo = t.begin[node], hi = t.begin[node + 1];
  while (lo < hi) {
    const int32_t mid = lo + (hi - lo) / 2;
    if (t.token[mid] < token)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < t.begin[node + 1] && t.token[lo] == token ? t.child[lo] : -1;
}

template <typename T>
__global__ void CountKernel(DeviceTrie trie, TfIdfGeometry g, const T* x, int* counts, int64_t n) {
  ODLA_CUDA_LOOP(e, n) {
    const int64_t start = e % g.len, dist = e / g.len % g.dists + 1, r = e / g.len / g.dists;
    const int64_t min_size = odla_rt::TfIdfMinSize(g.min_gram, g.max_gram, dist);
    if (min_size == 0 || start + dist * (min_size - 1) >= g.len) continue;
    const T* xr = x + r * g.len;
    int32_t node = 0;
    for (int64_t size = 1, i = start; size <= g.max_gram && i < g.len; ++size, i += dist) {
      node = Child(trie, node, static_cast<int64_t>(xr[i]));
      if (node < 0) break;
      const int32_t out = trie.output[node];
      if (size >= min_size && out >= 0) atomicAdd(&counts[r * g.out_size + out], 1);
    }
  }
}

__global__ void ValueKernel(odla_rt::TfIdfMode mode, const int* counts, const float* weights,
                            int64_t out_size, float* y, int64_t n) {
  ODLA_CUDA_LOOP(e, n) {
    const float w = weights ? weights[e % out_size] : 1.0f;
    y[e] = odla_rt::TfIdfValue(mode, static_cast<float>(counts[e]), w);
  }
}

}  // namespace

TfIdfPlan::TfIdfPlan(const odla_rt::NgramTrie& trie, const odla_rt::TfIdfSpec& spec)
    : mode_(spec.mode) {
  const int32_t nodes = trie.Nodes();
  std::vector<int32_t> begin{0}, child, output;
  std::vector<int64_t> token;
  for (int32_t n = 0; n < nodes; ++n) {
    std::vector<std::pair<int64_t, int32_t>> next(trie.Children(n).begin(), trie.Children(n).end());
    std::sort(next.begin(), next.end());
    for (const auto& [t, c] : next) token.push_back(t), child.push_back(c);
    begin.push_back(static_cast<int32_t>(token.size()));
    output.push_back(static_cast<int32_t>(trie.Output(n)));
  }
  // One upload: tokens (8-byte aligned) first, then the int32 arrays, then the weights.
  std::vector<unsigned char> bytes;
  auto put = [&](const void* p, size_t n) {
    const size_t at = bytes.size();
    bytes.insert(bytes.end(), static_cast<const unsigned char*>(p),
                 static_cast<const unsigned char*>(p) + n);
    return at;
  };
  token_at_ = put(token.data(), token.size() * sizeof(int64_t));
  begin_at_ = put(begin.data(), begin.size() * sizeof(int32_t));
  child_at_ = put(child.data(), child.size() * sizeof(int32_t));
  output_at_ = put(output.data(), output.size() * sizeof(int32_t));
  weights_at_ = put(spec.weights.data(), spec.weights.size() * sizeof(float));
  has_weights_ = !spec.weights.empty();
  tables_ = UploadTable(bytes.data(), bytes.size());
}

void TfIdfPlan::Run(cudaStream_t s, odla_element_type t, const TfIdfGeometry& g, const void* x,
                    float* y, int* counts) const {
  const int64_t outputs = g.rows * g.out_size;
  if (outputs == 0) return;
  ODLA_CUDA_CALL(cudaMemsetAsync, counts, 0, outputs * sizeof(int), s);
  const char* base = static_cast<const char*>(tables_.get());
  const DeviceTrie trie{reinterpret_cast<const int32_t*>(base + begin_at_),
                        reinterpret_cast<const int64_t*>(base + token_at_),
                        reinterpret_cast<const int32_t*>(base + child_at_),
                        reinterpret_cast<const int32_t*>(base + output_at_)};
  const int64_t walks = g.rows * g.dists * g.len;
  if (t == ODLA_INT32)
    Launch("TfIdfVectorizer", s, walks, CountKernel<int32_t>, trie, g,
           static_cast<const int32_t*>(x), counts, walks);
  else
    Launch("TfIdfVectorizer", s, walks, CountKernel<int64_t>, trie, g,
           static_cast<const int64_t*>(x), counts, walks);
  const float* weights =
      has_weights_ ? reinterpret_cast<const float*>(base + weights_at_) : nullptr;
  Launch("TfIdfVectorizer", s, outputs, ValueKernel, mode_, static_cast<const int*>(counts),
         weights, g.out_size, y, outputs);
}

}  // namespace odla_cuda
