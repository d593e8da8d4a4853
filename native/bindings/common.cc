#include "bindings/common.h"

#include <cmath>

#include "bindings/tensor.h"
#include "core/error.h"
#include "core/message.h"

namespace nodetorch {

Instance& instance(Napi::Env env) {
  Instance* data = env.GetInstanceData<Instance>();
  if (data == nullptr) {
    data = new Instance();
    env.SetInstanceData(data);
  }
  return *data;
}

namespace {

Napi::Error TorchError(Napi::Env env, const std::string& message, const std::string& code) {
  Instance& inst = instance(env);
  if (inst.torch_error.IsEmpty()) {
    Napi::Error err = Napi::Error::New(env, message);
    err.Set("code", code);
    return err;
  }
  Napi::Object obj = inst.torch_error.New({Napi::String::New(env, message), Napi::String::New(env, code)});
  return Napi::Error(env, obj);
}

// Node.js 20 runs basic finalizers inside garbage collection, and aborts if one runs while the
// environment holds an exception on its way out of a binding: a collection at the moment the
// callback wrapper rethrows it (its message object is an allocation) finds the exception
// pending and takes it for the finalizer's own. So no binding throws: a failure is handed back
// as the `failure` object with the error in its `error` property, and lib/binding.ts throws it
// from JavaScript.
Napi::Value Fail(Napi::Env env, napi_value error) {
  Instance& inst = instance(env);
  if (error == nullptr || inst.failure.IsEmpty()) return Napi::Value();
  Napi::Object failure = inst.failure.Value();
  if (napi_set_named_property(env, failure, "error", error) != napi_ok) return Napi::Value();
  return failure;
}

// A JS exception left pending by a raw Node-API call (a Proxy trap, a getter, the error
// constructor itself), taken off the environment.
napi_value TakePending(napi_env env) {
  bool pending = false;
  napi_value error = nullptr;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) napi_get_and_clear_last_exception(env, &error);
  return error;
}

napi_value ErrorValue(const Napi::Error& e) { return e.IsEmpty() ? nullptr : static_cast<napi_value>(e.Value()); }

Napi::Value Trampoline(const Napi::CallbackInfo& info) {
  auto impl = reinterpret_cast<Impl>(info.Data());
  Napi::Env env = info.Env();
  napi_value error = nullptr;
  try {
    Napi::Value result = impl(info);
    error = TakePending(env);
    if (error == nullptr) return result;
  } catch (const Napi::Error& e) {
    error = ErrorValue(e);
  } catch (...) {
    try {
      error = ErrorValue(ToJsError(env, std::current_exception()));
    } catch (const Napi::Error& e) {
      error = ErrorValue(e);
    }
  }
  napi_value pending = TakePending(env);
  return Fail(env, pending != nullptr ? pending : error);
}

std::string TypeOf(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return value.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: return std::to_string(value.As<Napi::Number>().DoubleValue());
    case napi_string: return "a string";
    case napi_function: return "a function";
    default: return value.IsArray() ? "an array" : "an object";
  }
}

}  // namespace

Napi::Error ToJsError(Napi::Env env, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Napi::Error& e) {
    return e;
  } catch (const nodetorch::Error& e) {
    return TorchError(env, e.what(), e.code());
  } catch (const c10::Error& e) {
    return TorchError(env, clean_message(e.what_without_backtrace()), "TORCH_ERROR");
  } catch (const std::bad_alloc&) {
    return TorchError(env, "out of memory", "OUT_OF_MEMORY");
  } catch (const std::exception& e) {
    return TorchError(env, clean_message(e.what()), "TORCH_ERROR");
  } catch (...) {
    return TorchError(env, "unknown native error", "TORCH_ERROR");
  }
}

Napi::Error TypeErrorFor(Napi::Env env, const std::string& what, const char* name, const Napi::Value& value) {
  return Napi::TypeError::New(env, "Expected " + what + " for " + name + " but received " + TypeOf(value));
}

void ThrowIfPending(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) throw Napi::Error::New(env);
}

void InitCommon(Napi::Env env, Napi::Object exports) {
  Napi::Object failure = Napi::Object::New(env);
  instance(env).failure = Napi::Persistent(failure);
  exports.Set("failure", failure);
}

void Export(Napi::Env env, Napi::Object target, const char* name, Impl impl) {
  target.Set(name, Napi::Function::New(env, Trampoline, name, reinterpret_cast<void*>(impl)));
}

Napi::Array IntArray(Napi::Env env, c10::IntArrayRef values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(values[i])));
  return out;
}

bool IsTensor(const Napi::Value& value) { return TensorBase::From(value) != nullptr; }

at::Tensor& ToTensor(const Napi::Value& value, const char* name) {
  TensorBase* base = TensorBase::From(value);
  if (base == nullptr) throw TypeErrorFor(value.Env(), "a Tensor", name, value);
  return base->tensor();
}

c10::optional<at::Tensor> ToOptionalTensor(const Napi::Value& value, const char* name) {
  if (value.IsNull() || value.IsUndefined()) return c10::nullopt;
  return ToTensor(value, name);
}

int64_t ToInt(const Napi::Value& value, const char* name) {
  if (!value.IsNumber()) throw TypeErrorFor(value.Env(), "an integer", name, value);
  double d = value.As<Napi::Number>().DoubleValue();
  if (std::trunc(d) != d || std::abs(d) > 9007199254740992.0) throw TypeErrorFor(value.Env(), "an integer", name, value);
  return static_cast<int64_t>(d);
}

c10::optional<int64_t> ToOptionalInt(const Napi::Value& value, const char* name) {
  if (value.IsNull() || value.IsUndefined()) return c10::nullopt;
  return ToInt(value, name);
}

std::vector<int64_t> ToIntList(const Napi::Value& value, const char* name) {
  if (!value.IsArray()) throw TypeErrorFor(value.Env(), "an array of integers", name, value);
  auto array = value.As<Napi::Array>();
  std::vector<int64_t> out;
  out.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) out.push_back(ToInt(array.Get(i), name));
  return out;
}

c10::optional<std::vector<int64_t>> ToOptionalIntList(const Napi::Value& value, const char* name) {
  if (value.IsNull() || value.IsUndefined()) return c10::nullopt;
  return ToIntList(value, name);
}

double ToDouble(const Napi::Value& value, const char* name) {
  if (!value.IsNumber()) throw TypeErrorFor(value.Env(), "a number", name, value);
  return value.As<Napi::Number>().DoubleValue();
}

c10::optional<double> ToOptionalDouble(const Napi::Value& value, const char* name) {
  if (value.IsNull() || value.IsUndefined()) return c10::nullopt;
  return ToDouble(value, name);
}

bool ToBool(const Napi::Value& value, const char* name) {
  if (!value.IsBoolean()) throw TypeErrorFor(value.Env(), "a boolean", name, value);
  return value.As<Napi::Boolean>().Value();
}

std::string ToString(const Napi::Value& value, const char* name) {
  if (!value.IsString()) throw TypeErrorFor(value.Env(), "a string", name, value);
  return value.As<Napi::String>().Utf8Value();
}

c10::Scalar ToScalar(const Napi::Value& value, const char* name) {
  if (value.IsBoolean()) return c10::Scalar(value.As<Napi::Boolean>().Value());
  if (!value.IsNumber()) throw TypeErrorFor(value.Env(), "a number", name, value);
  double d = value.As<Napi::Number>().DoubleValue();
  if (std::isfinite(d) && std::trunc(d) == d && std::abs(d) <= 9007199254740992.0) {
    return c10::Scalar(static_cast<int64_t>(d));
  }
  return c10::Scalar(d);
}

Napi::Value Wrap(Napi::Env env, at::Tensor tensor) {
  return Napi::Value(env, TensorBase::New(env, instance(env), std::move(tensor)));
}

Napi::Value WrapOptional(Napi::Env env, const at::Tensor& tensor) {
  if (!tensor.defined()) return env.Null();
  return Wrap(env, tensor);
}

Napi::Array WrapList(Napi::Env env, const std::vector<at::Tensor>& tensors) {
  Napi::Array out = Napi::Array::New(env, tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) out.Set(static_cast<uint32_t>(i), Wrap(env, tensors[i]));
  return out;
}

Napi::Value WrapPair(Napi::Env env, const std::tuple<at::Tensor, at::Tensor>& pair) {
  return WrapList(env, {std::get<0>(pair), std::get<1>(pair)});
}

}  // namespace nodetorch
