// Builder of TfIdfVectorizer on the GPU: the ref's spec and n-gram trie, made at build time
// and uploaded; a thread per row, skip distance and start counts n-grams with integer
// atomics, then a thread per output weighs its count (kernels_text.cu): the host's results.
// Rejected (run on the host by the shared builder, which also reports invalid arguments):
// empty inputs or results, the arguments the ref refuses.
#include <memory>
#include <string>

#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_text)

using namespace odla_cuda;
using odla_rt::KernelArgs;

ODLA_REF_DECL(TfIdfVectorizer)

namespace {

odla_value BuildTfIdf(odla_value X, int64_t min_gram, int64_t max_gram, int64_t max_skip,
                      const char* mode, const odla_ints& counts, const odla_ints& indexes,
                      const odla_ints& pool, const odla_floats& weights, const odla_value_type& rt,
                      odla_value_id id) {
  if (!X) Reject("no input");
  const odla_element_type et = X->type.element_type;
  if (et != ODLA_INT32 && et != ODLA_INT64) Reject("element type");
  const std::vector<int64_t> xs = ValueDims(X);
  if (xs.size() != 1 && xs.size() != 2) Reject("input rank");
  const std::vector<int64_t> idx = odla_rt::FromInts(indexes);
  const odla_rt::TfIdfSpec spec = RejectFailures([&] {
    return odla_rt::MakeTfIdfSpec(min_gram, max_gram, max_skip, mode ? mode : "", idx,
                                  odla_rt::FromFloats(weights));
  });
  const odla_rt::NgramTrie trie = RejectFailures([&] {
    return odla_rt::NgramTrie(odla_rt::FromInts(pool), odla_rt::FromInts(counts), idx, min_gram,
                              max_gram);
  });
  TfIdfGeometry g;
  g.rows = xs.size() == 2 ? xs[0] : 1, g.len = xs.back();
  g.dists = odla_rt::TfIdfDistances(max_skip, max_gram, g.len);
  g.min_gram = min_gram, g.max_gram = max_gram, g.out_size = spec.out_size;
  std::vector<int64_t> ys = {spec.out_size};
  if (xs.size() == 2) ys.insert(ys.begin(), g.rows);
  if (rt.element_type != ODLA_FLOAT32 || TypeDims(rt) != ys) Reject("result type");
  if (g.rows * g.len == 0 || g.rows * g.out_size == 0) Reject("empty");
  if (spec.out_size > INT32_MAX || trie.Nodes() == INT32_MAX) Reject("too many n-grams");
  // A count is at most a row's walks (len > 0 here), which must fit the kernel's int counters.
  if (g.dists > INT32_MAX / g.len || g.rows > INT64_MAX / (g.dists * g.len))
    Reject("too many n-gram walks");
  RequireDevice();
  auto plan = std::make_shared<const TfIdfPlan>(trie, spec);
  const size_t scratch = ScratchAligned(g.rows * g.out_size * sizeof(int));
  return AddCudaOp1("TfIdfVectorizer", {X}, rt, scratch, id, [plan, g, et](const KernelArgs& a) {
    plan->Run(CudaStream(a), et, g, a.in[0], a.Out<float>(0), static_cast<int*>(a.scratch));
  });
}

}  // namespace

extern "C" {

odla_value odla_TfIdfVectorizer(odla_value X, odla_int64 min_gram_length,
                                odla_int64 max_gram_length, odla_int64 max_skip_count,
                                const char* mode, odla_ints ngram_counts, odla_ints ngram_indexes,
                                odla_ints pool_int64s, odla_floats weights,
                                odla_value_type result_type, odla_value_id id) {
  return Try(
      "TfIdfVectorizer", id,
      [&] {
        return BuildTfIdf(X, min_gram_length, max_gram_length, max_skip_count, mode, ngram_counts,
                          ngram_indexes, pool_int64s, weights, result_type, id);
      },
      [&] {
        return odla_ref_TfIdfVectorizer(X, min_gram_length, max_gram_length, max_skip_count, mode,
                                        ngram_counts, ngram_indexes, pool_int64s, weights,
                                        result_type, id);
      });
}

}  // extern "C"
