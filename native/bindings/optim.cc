#include "bindings/optim.h"

#include "bindings/common.h"
#include "core/optim.h"

namespace nodetorch {

namespace {

std::vector<at::Tensor> OptionalTensors(const Napi::Value& value, size_t n, const char* name) {
  if (!value.IsArray()) throw TypeErrorFor(value.Env(), "an array", name, value);
  auto array = value.As<Napi::Array>();
  if (array.Length() != n) throw Napi::RangeError::New(value.Env(), std::string("Expected one entry per parameter for ") + name);
  std::vector<at::Tensor> out(n);
  for (uint32_t i = 0; i < n; ++i) {
    auto t = ToOptionalTensor(array.Get(i), name);
    if (t) out[i] = *t;
  }
  return out;
}

// Entries that the step created are returned as Tensors; the rest are null (unchanged).
Napi::Array Created(Napi::Env env, const std::vector<at::Tensor>& before, const std::vector<at::Tensor>& after) {
  Napi::Array out = Napi::Array::New(env, after.size());
  for (uint32_t i = 0; i < after.size(); ++i) {
    bool created = after[i].defined() && (!before[i].defined() || !before[i].is_same(after[i]));
    out.Set(i, created ? Wrap(env, after[i]) : env.Null());
  }
  return out;
}

// sgdStep(params, momentumBuffers, {lr, momentum, dampening, weightDecay, nesterov, maximize})
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  auto params = ToTensorList(info[0], "params");
  auto buffers = OptionalTensors(info[1], params.size(), "momentumBuffers");
  auto before = buffers;
  auto o = info[2].As<Napi::Object>();
  SgdOptions options;
  options.lr = ToDouble(o.Get("lr"), "lr");
  options.momentum = ToDouble(o.Get("momentum"), "momentum");
  options.dampening = ToDouble(o.Get("dampening"), "dampening");
  options.weight_decay = ToDouble(o.Get("weightDecay"), "weightDecay");
  options.nesterov = ToBool(o.Get("nesterov"), "nesterov");
  options.maximize = ToBool(o.Get("maximize"), "maximize");
  sgd_step(params, buffers, options);
  return Created(info.Env(), before, buffers);
}

// adamStep(params, steps, expAvgs, expAvgSqs, maxExpAvgSqs, {lr, beta1, beta2, eps, weightDecay, amsgrad, maximize})
// → [steps, expAvgs, expAvgSqs, maxExpAvgSqs] with created entries (null = unchanged).
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  auto params = ToTensorList(info[0], "params");
  size_t n = params.size();
  auto steps = OptionalTensors(info[1], n, "step");
  auto avgs = OptionalTensors(info[2], n, "expAvg");
  auto sqs = OptionalTensors(info[3], n, "expAvgSq");
  auto maxs = OptionalTensors(info[4], n, "maxExpAvgSq");
  std::vector<AdamState> states(n);
  for (size_t i = 0; i < n; ++i) states[i] = {steps[i], avgs[i], sqs[i], maxs[i]};
  auto o = info[5].As<Napi::Object>();
  AdamOptions options;
  options.lr = ToDouble(o.Get("lr"), "lr");
  options.beta1 = ToDouble(o.Get("beta1"), "beta1");
  options.beta2 = ToDouble(o.Get("beta2"), "beta2");
  options.eps = ToDouble(o.Get("eps"), "eps");
  options.weight_decay = ToDouble(o.Get("weightDecay"), "weightDecay");
  options.amsgrad = ToBool(o.Get("amsgrad"), "amsgrad");
  options.maximize = ToBool(o.Get("maximize"), "maximize");
  adam_step(params, states, options);
  std::vector<at::Tensor> s2(n), a2(n), q2(n), m2(n);
  for (size_t i = 0; i < n; ++i) {
    s2[i] = states[i].step;
    a2[i] = states[i].exp_avg;
    q2[i] = states[i].exp_avg_sq;
    m2[i] = states[i].max_exp_avg_sq;
  }
  Napi::Array out = Napi::Array::New(info.Env(), 4);
  out.Set(0u, Created(info.Env(), steps, s2));
  out.Set(1u, Created(info.Env(), avgs, a2));
  out.Set(2u, Created(info.Env(), sqs, q2));
  out.Set(3u, Created(info.Env(), maxs, m2));
  return out;
}

}  // namespace

void InitOptim(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "sgdStep", SgdStep);
  Export(env, exports, "adamStep", AdamStep);
}

}  // namespace nodetorch
