#include "core/reducer.h"

#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#include <torch/version.h>

#include <limits>
#include <string>
#include <unordered_map>

#include "core/error.h"
#include "core/message.h"

namespace nodetorch::dist {

namespace {

constexpr int64_t kMiB = 1024 * 1024;
constexpr int64_t kFirstBucketBytes = kMiB;  // dist._DEFAULT_FIRST_BUCKET_BYTES
constexpr double kDefaultBucketCapMb = 25;   // DDP's bucket_cap_mb default

// Peers failing (a rank gone, a timeout) surface here as LibTorch errors naming the collective.
template <typename F>
auto communicating(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const c10::Error& e) {
    throw Error("DIST_ERROR", clean_message(e.what_without_backtrace()));
  }
}

}  // namespace

std::shared_ptr<c10d::Reducer> make_reducer(const Group& group, std::vector<at::Tensor> params,
                                            std::vector<bool> expect_sparse, const ReducerOptions& options) {
  auto bucket_bytes_cap = static_cast<int64_t>(options.bucket_cap_mb.value_or(kDefaultBucketCapMb) * kMiB);
  // One bucket for everything until the first backward has shown the order gradients come in
  // (then rebuild_buckets), except when unused parameters are searched for: no rebuild then.
  std::vector<size_t> limits{std::numeric_limits<size_t>::max()};
#if TORCH_VERSION_MAJOR >= 2
  // 2.x: a bucket_cap_mb of the user's own makes the first bucket that size too.
  int64_t first_bucket_bytes = options.bucket_cap_mb ? bucket_bytes_cap : kFirstBucketBytes;
#else
  int64_t first_bucket_bytes = kFirstBucketBytes;
#endif
  if (options.find_unused_parameters) {
    limits = first_bucket_bytes < bucket_bytes_cap
                 ? std::vector<size_t>{static_cast<size_t>(first_bucket_bytes), static_cast<size_t>(bucket_bytes_cap)}
                 : std::vector<size_t>{static_cast<size_t>(bucket_bytes_cap)};
  }
  auto [indices, per_bucket_limits] = c10d::compute_bucket_assignment_by_size(params, limits, expect_sparse);
  std::reverse(indices.begin(), indices.end());
  std::reverse(per_bucket_limits.begin(), per_bucket_limits.end());
  std::unordered_map<size_t, std::string> names;  // Python fills it only with TORCH_DISTRIBUTED_DEBUG
#if TORCH_VERSION_MAJOR >= 2
  return std::make_shared<c10d::Reducer>(std::move(params), std::move(indices), group.process_group(),
                                         std::move(expect_sparse), bucket_bytes_cap, options.find_unused_parameters,
                                         options.gradient_as_bucket_view, std::move(names), first_bucket_bytes,
                                         /*skip_all_reduce_unused_params=*/false, /*use_python_reducer=*/false,
                                         /*bucket_bytes_cap_list=*/std::vector<int64_t>{});
#else
  return std::make_shared<c10d::Reducer>(std::move(params), std::move(indices), std::move(per_bucket_limits),
                                         group.process_group(), std::move(expect_sparse), bucket_bytes_cap,
                                         options.find_unused_parameters, options.gradient_as_bucket_view,
                                         std::move(names), first_bucket_bytes);
#endif
}

void prepare_for_forward(c10d::Reducer& reducer) { reducer.prepare_for_forward(); }

bool rebuild_buckets(c10d::Reducer& reducer) {
  return communicating([&] { return reducer.rebuild_buckets(); });
}

void prepare_for_backward(c10d::Reducer& reducer, const std::vector<at::Tensor>& outputs) {
  reducer.prepare_for_backward(outputs);
}

void verify_params(const Group& group, const std::vector<at::Tensor>& params) {
  communicating([&] { c10d::verify_params_across_processes(group.process_group(), params, {}); });
}

void broadcast_coalesced(const Group& group, const std::vector<at::Tensor>& tensors, int64_t buffer_size, int64_t src) {
  communicating([&] {
    c10d::broadcast_coalesced(group.process_group(), tensors, static_cast<size_t>(buffer_size), static_cast<int>(src));
  });
}

}  // namespace nodetorch::dist
