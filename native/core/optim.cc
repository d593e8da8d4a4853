#include "core/optim.h"

#include <cmath>
#include <stdexcept>

namespace nodetorch {

void sgd_step(const std::vector<at::Tensor>& params, std::vector<at::Tensor>& momentum_buffers,
              const SgdOptions& o) {
  if (momentum_buffers.size() != params.size()) throw std::invalid_argument("one momentum buffer per parameter");
  at::NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) {
    const at::Tensor& param = params[i];
    at::Tensor grad = param.grad();
    if (!grad.defined()) continue;
    if (o.maximize) grad = -grad;
    if (o.weight_decay != 0) grad = grad.add(param, o.weight_decay);
    if (o.momentum != 0) {
      at::Tensor& buf = momentum_buffers[i];
      if (!buf.defined()) {
        buf = grad.clone().detach();
      } else {
        buf.mul_(o.momentum).add_(grad, 1 - o.dampening);
      }
      grad = o.nesterov ? grad.add(buf, o.momentum) : buf;
    }
    param.add_(grad, -o.lr);
  }
}

void adam_step(const std::vector<at::Tensor>& params, std::vector<AdamState>& states, const AdamOptions& o) {
  if (states.size() != params.size()) throw std::invalid_argument("one Adam state per parameter");
  at::NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) {
    const at::Tensor& param = params[i];
    at::Tensor grad = param.grad();
    if (!grad.defined()) continue;
    AdamState& s = states[i];
    if (!s.step.defined()) {
      s.step = at::zeros({}, at::TensorOptions().dtype(at::kFloat));
      s.exp_avg = at::zeros_like(param, at::MemoryFormat::Preserve);
      s.exp_avg_sq = at::zeros_like(param, at::MemoryFormat::Preserve);
    }
    if (o.amsgrad && !s.max_exp_avg_sq.defined()) s.max_exp_avg_sq = at::zeros_like(param, at::MemoryFormat::Preserve);
    if (o.maximize) grad = -grad;
    s.step.add_(1);
    if (o.weight_decay != 0) grad = grad.add(param, o.weight_decay);
    s.exp_avg.lerp_(grad, 1 - o.beta1);
    s.exp_avg_sq.mul_(o.beta2).addcmul_(grad, grad, 1 - o.beta2);
    double step = s.step.item<double>();
    double bias_correction1 = 1 - std::pow(o.beta1, step);
    double bias_correction2_sqrt = std::sqrt(1 - std::pow(o.beta2, step));
    double step_size = o.lr / bias_correction1;
    at::Tensor denom;
    if (o.amsgrad) {
      at::maximum_out(s.max_exp_avg_sq, s.max_exp_avg_sq, s.exp_avg_sq);
      denom = (s.max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(o.eps);
    } else {
      denom = (s.exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(o.eps);
    }
    param.addcdiv_(s.exp_avg, denom, -step_size);
  }
}

}  // namespace nodetorch
