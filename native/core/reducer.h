// What DistributedDataParallel runs in C++: c10d's own Reducer (gradient buckets all-reduced as
// backward produces them), the parameter check and the coalesced broadcast, built with the
// arguments this LibTorch version's torch/nn/parallel/distributed.py passes, so that a nodetorch
// rank and a Python rank reduce the same buckets in the same order.
#pragma once
#include <ATen/ATen.h>

#include <memory>
#include <optional>
#include <vector>

#include "core/distributed.h"

namespace c10d {
class Reducer;
}

namespace nodetorch::dist {

struct ReducerOptions {
  // Python's bucket_cap_mb; unset = the default 25 MiB, which also keeps the 1 MiB first bucket.
  std::optional<double> bucket_cap_mb;
  bool find_unused_parameters = false;
  bool gradient_as_bucket_view = false;
};

// _ddp_init_helper: bucket assignment (one bucket until the first iteration's order is known,
// unless unused parameters are searched for) and the Reducer, which hooks every parameter's
// gradient accumulator. `expect_sparse[i]`: parameter i belongs to a sparse Embedding.
std::shared_ptr<c10d::Reducer> make_reducer(const Group& group, std::vector<at::Tensor> params,
                                            std::vector<bool> expect_sparse, const ReducerOptions& options);
void prepare_for_forward(c10d::Reducer& reducer);
// True when the buckets were rebuilt (once, at the second forward: a broadcast from rank 0).
bool rebuild_buckets(c10d::Reducer& reducer);
// `outputs` only when unused parameters are searched for (their graph is traversed).
void prepare_for_backward(c10d::Reducer& reducer, const std::vector<at::Tensor>& outputs);

// _verify_param_shape_across_processes: every rank has the same parameters (count, shapes,
// strides, dtypes) as rank 0, or all ranks throw.
void verify_params(const Group& group, const std::vector<at::Tensor>& params);
// _broadcast_coalesced: `tensors` from `src`, packed into buffers of at most `buffer_size` bytes.
void broadcast_coalesced(const Group& group, const std::vector<at::Tensor>& tensors, int64_t buffer_size, int64_t src);

}  // namespace nodetorch::dist
