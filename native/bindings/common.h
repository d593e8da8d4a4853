// What every binding shares: the error boundary, per-environment state and JS⇄LibTorch
// conversions. Bindings check JS types only; TypeScript has already checked meaning.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

#include <exception>
#include <c10/util/Optional.h>
#include <string>
#include <vector>

#include "bindings/slot_pool.h"
#include "bindings/tensor.h"

namespace nodetorch {

// Per-environment state (one per Node main thread or worker), owned by the environment.
struct Instance {
  Napi::FunctionReference tensor_object;  // what every native tensor object is made from (lib/tensor-object.ts)
  Napi::FunctionReference torch_error;    // the TypeScript TorchError class
  Napi::FunctionReference track;          // torch.tidy()'s tracker while a scope is open, else empty
  Napi::ObjectReference failure;          // what a binding returns when it fails (common.cc: Fail)
  Napi::Reference<Napi::Symbol> handle_key;  // the symbol tensor objects hold their slot number under
  // Shared with lib/dispatch.ts as an Int32Array: [0] the slot of the tensor an op call put in the
  // object JS gave it; [1 + k] the slot of the tensor given as the op's JS argument k, or -1.
  static constexpr size_t kIoLength = 64;
  Napi::Reference<Napi::ArrayBuffer> io_buffer;
  int32_t* io = nullptr;
  // The tensor the next JS-constructed Tensor (an nn.Parameter) adopts. JS cannot set it, so
  // `new Tensor()` from user code finds it empty and throws.
  c10::optional<at::Tensor> pending;
  bool in_gc = false;  // a finalizer is running inside a garbage collection
  int64_t live_tensors = 0;
  int64_t live_bytes = 0;
  // Storage bytes not yet reported to V8 (reported once they pass a threshold, so small tensors
  // cost no call).
  int64_t unreported_bytes = 0;
  // Every TensorBase of this environment lives here, in the slot its JS object names.
  SlotPool<TensorBase> tensor_slots;
  // Deletes the references now, at environment teardown, rather than posting their deletion
  // to a loop that is going away.
  ~Instance() {
    tensor_object.Reset();
    torch_error.Reset();
    track.Reset();
    failure.Reset();
    handle_key.Reset();
    io_buffer.Reset();
  }
};
Instance& instance(Napi::Env env);

using Impl = Napi::Value (*)(const Napi::CallbackInfo&);

// Exports `impl` as `target[name]`, run inside the one error boundary: c10::Error,
// nodetorch::Error and std::exception become a TorchError; nothing reaches std::terminate.
// A failed call returns `failure` (exported by InitCommon) holding the error, never throws.
void InitCommon(Napi::Env env, Napi::Object exports);
void Export(Napi::Env env, Napi::Object target, const char* name, Impl impl);

// Conversions. Each throws a TypeError naming the argument when the JS type is wrong.
at::Tensor& ToTensor(const Napi::Value& value, const char* name);
c10::optional<at::Tensor> ToOptionalTensor(const Napi::Value& value, const char* name);
std::vector<int64_t> ToIntList(const Napi::Value& value, const char* name);
c10::optional<std::vector<int64_t>> ToOptionalIntList(const Napi::Value& value, const char* name);
int64_t ToInt(const Napi::Value& value, const char* name);
c10::optional<int64_t> ToOptionalInt(const Napi::Value& value, const char* name);
double ToDouble(const Napi::Value& value, const char* name);
c10::optional<double> ToOptionalDouble(const Napi::Value& value, const char* name);
bool ToBool(const Napi::Value& value, const char* name);
std::string ToString(const Napi::Value& value, const char* name);
// A JS number is an integral Scalar when it is a whole number, so int tensors stay int.
c10::Scalar ToScalar(const Napi::Value& value, const char* name);
bool IsTensor(const Napi::Value& value);

// Sizes or strides as a JS array of numbers.
Napi::Array IntArray(Napi::Env env, c10::IntArrayRef values);
Napi::Value Wrap(Napi::Env env, at::Tensor tensor);
Napi::Value WrapOptional(Napi::Env env, const at::Tensor& tensor);  // undefined tensor → null
Napi::Array WrapList(Napi::Env env, const std::vector<at::Tensor>& tensors);
Napi::Value WrapPair(Napi::Env env, const std::tuple<at::Tensor, at::Tensor>& pair);

// After a raw Node-API call on a user's value failed: rethrows the JS exception it left pending
// (a Proxy trap or a getter that threw) as it is, so nothing else runs with it pending.
void ThrowIfPending(napi_env env);

// The JS error for a C++ exception: TorchError (with `code`) for LibTorch and nodetorch errors.
// Also used by async workers, whose errors surface on the main thread.
Napi::Error ToJsError(Napi::Env env, std::exception_ptr error);

Napi::Error TypeErrorFor(Napi::Env env, const std::string& what, const char* name, const Napi::Value& value);

}  // namespace nodetorch
