// TensorBase: the native half of every Tensor. The TypeScript Tensor class extends it, so one
// JS object owns one at::Tensor handle. Its memory is reported to V8 once on creation and
// released once, by dispose() or by the garbage collector, whichever comes first.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

namespace nodetorch {

class TensorBase : public Napi::ObjectWrap<TensorBase> {
 public:
  static Napi::Function Init(Napi::Env env);
  static bool HasTag(const Napi::Value& value);

  explicit TensorBase(const Napi::CallbackInfo& info);
  ~TensorBase() override;

  // Throws TorchError DISPOSED after dispose().
  at::Tensor& tensor();
  bool disposed() const { return !tensor_.defined(); }
  void Release();
  // Re-reports the storage size to V8 after the handle's data was replaced (Module.to()).
  void Remeasure();

 private:
  at::Tensor tensor_;
  int64_t bytes_ = 0;
  Napi::Env env_;
};

// Tensor creation, data access, properties, lifetimes and autograd.
void InitTensor(Napi::Env env, Napi::Object exports);

}  // namespace nodetorch
