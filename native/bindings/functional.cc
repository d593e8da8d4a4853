#include "bindings/functional.h"

#include "bindings/common.h"

namespace nodetorch {

namespace {

at::Tensor& X(const Napi::CallbackInfo& info) { return ToTensor(info[0], "input"); }

int64_t Reduction(const Napi::Value& value) {
  std::string r = ToString(value, "reduction");
  if (r == "none") return at::Reduction::None;
  if (r == "sum") return at::Reduction::Sum;
  return at::Reduction::Mean;
}

// conv2d(x, weight, bias|null, stride[], padding[], dilation[], groups); conv1d the same.
Napi::Value Conv(const Napi::CallbackInfo& info) {
  auto bias = ToOptionalTensor(info[2], "bias");
  return Wrap(info.Env(), at::convolution(X(info), ToTensor(info[1], "weight"), bias, ToIntList(info[3], "stride"),
                                          ToIntList(info[4], "padding"), ToIntList(info[5], "dilation"),
                                          /*transposed=*/false, /*output_padding=*/{0}, ToInt(info[6], "groups")));
}

Napi::Value Linear(const Napi::CallbackInfo& info) {
  auto bias = ToOptionalTensor(info[2], "bias");
  return Wrap(info.Env(), at::linear(X(info), ToTensor(info[1], "weight"), bias));
}

// maxPool2d(x, kernel[], stride[], padding[], dilation[], ceilMode)
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::max_pool2d(X(info), ToIntList(info[1], "kernelSize"), ToIntList(info[2], "stride"),
                                         ToIntList(info[3], "padding"), ToIntList(info[4], "dilation"),
                                         ToBool(info[5], "ceilMode")));
}

// avgPool2d(x, kernel[], stride[], padding[], ceilMode, countIncludePad)
Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::avg_pool2d(X(info), ToIntList(info[1], "kernelSize"), ToIntList(info[2], "stride"),
                                         ToIntList(info[3], "padding"), ToBool(info[4], "ceilMode"),
                                         ToBool(info[5], "countIncludePad")));
}

Napi::Value AdaptiveAvgPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::adaptive_avg_pool2d(X(info), ToIntList(info[1], "outputSize")));
}

// batchNorm(x, runningMean|null, runningVar|null, weight|null, bias|null, training, momentum, eps)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::batch_norm(X(info), ToOptionalTensor(info[3], "weight"), ToOptionalTensor(info[4], "bias"),
                                         ToOptionalTensor(info[1], "runningMean"), ToOptionalTensor(info[2], "runningVar"),
                                         ToBool(info[5], "training"), ToDouble(info[6], "momentum"),
                                         ToDouble(info[7], "eps"), /*cudnn_enabled=*/true));
}

// layerNorm(x, normalizedShape[], weight|null, bias|null, eps)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::layer_norm(X(info), ToIntList(info[1], "normalizedShape"), ToOptionalTensor(info[2], "weight"),
                                         ToOptionalTensor(info[3], "bias"), ToDouble(info[4], "eps")));
}

Napi::Value Dropout(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::dropout(X(info), ToDouble(info[1], "p"), ToBool(info[2], "training")));
}

Napi::Value Softmax(const Napi::CallbackInfo& info) { return Wrap(info.Env(), X(info).softmax(ToInt(info[1], "dim"))); }
Napi::Value LogSoftmax(const Napi::CallbackInfo& info) { return Wrap(info.Env(), X(info).log_softmax(ToInt(info[1], "dim"))); }
Napi::Value LeakyRelu(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::leaky_relu(X(info), ToScalar(info[1], "negativeSlope"))); }
Napi::Value Gelu(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::gelu(X(info))); }
Napi::Value Silu(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::silu(X(info))); }

// crossEntropy(x, target, weight|null, reduction, ignoreIndex, labelSmoothing)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::cross_entropy_loss(X(info), ToTensor(info[1], "target"), ToOptionalTensor(info[2], "weight"),
                                                 Reduction(info[3]), ToInt(info[4], "ignoreIndex"),
                                                 ToDouble(info[5], "labelSmoothing")));
}

// nllLoss(x, target, weight|null, reduction, ignoreIndex)
Napi::Value NllLoss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::nll_loss_nd(X(info), ToTensor(info[1], "target"), ToOptionalTensor(info[2], "weight"),
                                          Reduction(info[3]), ToInt(info[4], "ignoreIndex")));
}

Napi::Value MseLoss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::mse_loss(X(info), ToTensor(info[1], "target"), Reduction(info[2])));
}

Napi::Value L1Loss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::l1_loss(X(info), ToTensor(info[1], "target"), Reduction(info[2])));
}

// binaryCrossEntropyWithLogits(x, target, weight|null, posWeight|null, reduction)
Napi::Value BceWithLogits(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::binary_cross_entropy_with_logits(X(info), ToTensor(info[1], "target"),
                                                               ToOptionalTensor(info[2], "weight"),
                                                               ToOptionalTensor(info[3], "posWeight"), Reduction(info[4])));
}

Napi::Value Bce(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::binary_cross_entropy(X(info), ToTensor(info[1], "target"), ToOptionalTensor(info[2], "weight"),
                                                   Reduction(info[3])));
}

}  // namespace

void InitFunctional(Napi::Env env, Napi::Object exports) {
  struct {
    const char* name;
    Impl impl;
  } functions[] = {
      {"conv", Conv}, {"linear", Linear}, {"maxPool2d", MaxPool2d}, {"avgPool2d", AvgPool2d},
      {"adaptiveAvgPool2d", AdaptiveAvgPool2d}, {"batchNorm", BatchNorm}, {"layerNorm", LayerNorm},
      {"dropout", Dropout}, {"softmax", Softmax}, {"logSoftmax", LogSoftmax}, {"leakyRelu", LeakyRelu},
      {"gelu", Gelu}, {"silu", Silu}, {"crossEntropy", CrossEntropy}, {"nllLoss", NllLoss},
      {"mseLoss", MseLoss}, {"l1Loss", L1Loss}, {"binaryCrossEntropyWithLogits", BceWithLogits},
      {"binaryCrossEntropy", Bce},
  };
  for (const auto& f : functions) Export(env, exports, f.name, f.impl);
}

}  // namespace nodetorch
