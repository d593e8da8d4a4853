// TensorBase: the native half of every Tensor: one at::Tensor handle per JS tensor object,
// kept in a numbered slot of the environment's pool. The JS object holds its slot number under
// a symbol (lib/tensor-object.ts, HANDLE), which generated op calls pass through a shared
// Int32Array (no property lookup in native code), and owns the slot through a Node-API finalizer.
// Its memory is reported to V8 once on creation and released once, by dispose() or by the garbage
// collector, whichever comes first.
//
// Tensor objects are made from an empty JavaScript function whose prototype is Tensor.prototype
// (lib/tensor-object.ts): no constructor code beyond one store runs. Op results go into an object
// JS made before the call; only nn.Parameter is constructed by Tensor's constructor, which adopts
// the handle prepared for it.
//
// The handle is freed inside garbage collection, not at the next turn of the event loop: the
// finalizer is a basic (GC-safe) one that only drops the at::Tensor and adjusts counters, and no
// napi_ref is kept to the JS object. A synchronous training loop therefore frees what it no
// longer references as it goes, as Python's reference counting does. On a Node.js that runs every
// finalizer from the event loop, the same code frees at the next turn instead.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

namespace nodetorch {

struct Instance;

class TensorBase {
 public:
  // A new JS tensor object owning `tensor`.
  static napi_value New(napi_env env, Instance& inst, at::Tensor tensor);
  // Makes `object`, fresh from lib/tensor-object.ts's function, the JS tensor owning `tensor`;
  // its slot number goes to the shared array's first element, for JS to store.
  static napi_value Into(napi_env env, Instance& inst, napi_value object, at::Tensor tensor);
  // Attaches `tensor` to `object`, a Tensor constructed in JavaScript, storing its slot number.
  static void Adopt(napi_env env, Instance& inst, napi_value object, at::Tensor tensor);
  // The TensorBase of a Tensor, or nullptr for any other value.
  static TensorBase* From(const Napi::Value& value);
  // The TensorBase in slot `handle`, or nullptr.
  static TensorBase* FromHandle(Instance& inst, int64_t handle);

  TensorBase(node_api_basic_env env, Instance* inst, at::Tensor tensor);
  // Throws TorchError DISPOSED after dispose().
  at::Tensor& tensor();
  bool disposed() const { return !tensor_.defined(); }
  void Release();
  // Re-reports the storage size to V8 after the handle's data was replaced (Module.to()).
  void Remeasure();

 private:
  static TensorBase* Attach(napi_env env, Instance& inst, napi_value object, at::Tensor tensor, int32_t* handle);
  static void Finalize(node_api_basic_env env, void* data, void* hint);
  void Report(int64_t delta);

  at::Tensor tensor_;
  int64_t bytes_ = 0;
  node_api_basic_env env_;
  Instance* inst_;
};

// Tensor creation, data access, properties, lifetimes and autograd.
void InitTensor(Napi::Env env, Napi::Object exports);

}  // namespace nodetorch
