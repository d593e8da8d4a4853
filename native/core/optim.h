// One optimisation step of PyTorch's SGD and Adam (the single-tensor algorithms of
// torch/optim/sgd.py and adam.py). State tensors live with the caller so that a state dict
// with PyTorch's layout (momentum_buffer, exp_avg, exp_avg_sq, max_exp_avg_sq, step) is direct.
#pragma once
#include <ATen/ATen.h>

#include <vector>

namespace nodetorch {

struct SgdOptions {
  double lr = 1e-3;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
  bool maximize = false;
};

// Parameters without a gradient are skipped. `momentum_buffers[i]` may be undefined: it is then
// created on the first step with momentum, as PyTorch does.
void sgd_step(const std::vector<at::Tensor>& params, std::vector<at::Tensor>& momentum_buffers,
              const SgdOptions& options);

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
  bool maximize = false;
};

struct AdamState {
  at::Tensor step;  // float32 scalar, as PyTorch keeps it
  at::Tensor exp_avg;
  at::Tensor exp_avg_sq;
  at::Tensor max_exp_avg_sq;  // only with amsgrad
};

void adam_step(const std::vector<at::Tensor>& params, std::vector<AdamState>& states, const AdamOptions& options);

}  // namespace nodetorch
