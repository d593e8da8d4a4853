#include "bindings/tensor.h"

#include <ATen/TensorIndexing.h>

#include <cmath>
#include <cstring>

#include "bindings/common.h"
#include "core/dtype.h"
#include "core/error.h"

namespace nodetorch {

namespace {

int64_t StorageBytes(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage()) return 0;
  return static_cast<int64_t>(t.storage().nbytes());
}

at::Tensor WithGrad(at::Tensor t, const Napi::Value& requires_grad) {
  if (!requires_grad.IsUndefined() && ToBool(requires_grad, "requiresGrad")) t.requires_grad_(true);
  return t;
}

at::Tensor& Self(const Napi::CallbackInfo& info) { return ToTensor(info[0], "tensor"); }

// A getter's tensor result, in the object JS made for it when it passed one as argument `out`
// (as lib/dispatch.ts does for op results: its slot number goes back in the shared array).
Napi::Value WrapInto(const Napi::CallbackInfo& info, size_t out, at::Tensor tensor) {
  napi_env env = info.Env();
  if (!info[out].IsObject()) return Wrap(info.Env(), std::move(tensor));
  return Napi::Value(env, TensorBase::Into(env, instance(env), info[out], std::move(tensor)));
}

}  // namespace

// Raw calls: this runs once per tensor an op returns.
napi_value TensorBase::New(napi_env env, Instance& inst, at::Tensor tensor) {
  if (inst.tensor_object.IsEmpty()) throw Napi::Error::New(env, "nodetorch: lib/tensor.ts has not called setup()");
  napi_value cls;
  napi_value object;
  napi_status status = napi_get_reference_value(env, inst.tensor_object, &cls);
  if (status == napi_ok) status = napi_new_instance(env, cls, 0, nullptr, &object);
  NAPI_THROW_IF_FAILED(env, status, nullptr);
  Adopt(env, inst, object, std::move(tensor));
  if (!inst.track.IsEmpty()) inst.track.Call({Napi::Value(env, object)});
  return object;
}

napi_value TensorBase::Into(napi_env env, Instance& inst, napi_value object, at::Tensor tensor) {
  int32_t handle;
  Attach(env, inst, object, std::move(tensor), &handle);
  inst.io[0] = handle;
  if (!inst.track.IsEmpty()) inst.track.Call({Napi::Value(env, object)});
  return object;
}

void TensorBase::Adopt(napi_env env, Instance& inst, napi_value object, at::Tensor tensor) {
  int32_t handle;
  TensorBase* base = Attach(env, inst, object, std::move(tensor), &handle);
  napi_value key;
  napi_value number;
  napi_status status = napi_get_reference_value(env, inst.handle_key, &key);
  if (status == napi_ok) status = napi_create_int32(env, handle, &number);
  if (status == napi_ok) status = napi_set_property(env, object, key, number);
  if (status != napi_ok) {
    base->Release();  // the finalizer frees the slot
    throw Napi::Error::New(env, "nodetorch: could not store a tensor's handle");
  }
}

// No napi_ref is asked for: the JS object alone owns the slot, and the basic finalizer may run
// inside GC.
TensorBase* TensorBase::Attach(napi_env env, Instance& inst, napi_value object, at::Tensor tensor, int32_t* handle) {
  TensorBase* base = inst.tensor_slots.New(handle, env, &inst, std::move(tensor));
  if (napi_add_finalizer(env, object, base, Finalize, nullptr, nullptr) != napi_ok) {
    base->Release();
    inst.tensor_slots.Delete(base);
    throw Napi::Error::New(env, "nodetorch: could not attach a tensor to its object");
  }
  return base;
}

// A slot number names a live TensorBase of this environment or nothing: a forged or stale number
// gets nullptr (and so a TypeError), never memory outside the pool.
TensorBase* TensorBase::FromHandle(Instance& inst, int64_t handle) { return inst.tensor_slots.Get(handle); }

TensorBase* TensorBase::From(const Napi::Value& value) {
  napi_env env = value.Env();
  Instance& inst = instance(value.Env());
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_object || inst.handle_key.IsEmpty()) return nullptr;
  napi_value key;
  napi_value number;
  double handle;
  if (napi_get_reference_value(env, inst.handle_key, &key) != napi_ok ||
      napi_get_property(env, value, key, &number) != napi_ok ||
      napi_get_value_double(env, number, &handle) != napi_ok || handle != std::trunc(handle) || handle < 0 ||
      handle > 2147483647.0) {
    ThrowIfPending(env);
    return nullptr;
  }
  return FromHandle(inst, static_cast<int64_t>(handle));
}

TensorBase::TensorBase(node_api_basic_env env, Instance* inst, at::Tensor tensor)
    : tensor_(std::move(tensor)), env_(env), inst_(inst) {
  inst_->live_tensors += 1;
  Report(StorageBytes(tensor_));
}

// GC-safe: drops the at::Tensor (LibTorch frees it here) and adjusts counters; no call into V8.
void TensorBase::Finalize(node_api_basic_env, void* data, void*) {
  auto* base = static_cast<TensorBase*>(data);
  base->inst_->in_gc = true;
  base->Release();
  base->inst_->in_gc = false;
  base->inst_->tensor_slots.Delete(base);
}

void TensorBase::Release() {
  if (!tensor_.defined()) return;
  tensor_ = at::Tensor();
  inst_->live_tensors -= 1;
  Report(-bytes_);
}

void TensorBase::Remeasure() {
  if (!tensor_.defined()) return;
  Report(StorageBytes(tensor_) - bytes_);
}

// V8 hears of storage in steps of 64 KiB or more, so that tensors of a few elements cost no
// call while large ones still push the garbage collector as their memory grows. Never from a
// finalizer: V8 must not be called inside its own collection (it aborts when the call starts
// one); what a finalizer frees is reported by the next call outside it.
void TensorBase::Report(int64_t delta) {
  bytes_ += delta;
  inst_->live_bytes += delta;
  inst_->unreported_bytes += delta;
  if (!inst_->in_gc && (inst_->unreported_bytes >= 65536 || inst_->unreported_bytes <= -65536)) {
    int64_t total;
    napi_adjust_external_memory(env_, inst_->unreported_bytes, &total);
    inst_->unreported_bytes = 0;
  }
}

at::Tensor& TensorBase::tensor() {
  if (!tensor_.defined()) {
    throw Error("DISPOSED", "This tensor was disposed (by dispose() or a tidy() scope) and can no longer be used");
  }
  return tensor_;
}

namespace {

// ---- lifetimes -------------------------------------------------------------------------------

// setup(TensorObject, HANDLE, TorchError): the function tensor objects are made from, the symbol
// they hold their slot number under (lib/tensor-object.ts) and the class of the errors this addon
// throws. Returns the Int32Array shared with lib/dispatch.ts (Instance::io).
Napi::Value Setup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Instance& inst = instance(env);
  inst.tensor_object = Napi::Persistent(info[0].As<Napi::Function>());
  inst.handle_key = Napi::Persistent(info[1].As<Napi::Symbol>());
  inst.torch_error = Napi::Persistent(info[2].As<Napi::Function>());
  auto buffer = Napi::ArrayBuffer::New(env, Instance::kIoLength * sizeof(int32_t));
  inst.io_buffer = Napi::Persistent(buffer);
  inst.io = static_cast<int32_t*>(buffer.Data());
  for (size_t i = 0; i < Instance::kIoLength; ++i) inst.io[i] = -1;
  return Napi::Int32Array::New(env, Instance::kIoLength, buffer, 0);
}

// setTrack(fn | null): torch.tidy() asks to hear of every tensor made while a scope is open.
Napi::Value SetTrack(const Napi::CallbackInfo& info) {
  Instance& inst = instance(info.Env());
  if (info[0].IsFunction()) {
    inst.track = Napi::Persistent(info[0].As<Napi::Function>());
  } else {
    inst.track.Reset();
  }
  return info.Env().Undefined();
}

TensorBase* Base(const Napi::Value& value) {
  TensorBase* base = TensorBase::From(value);
  if (base == nullptr) throw TypeErrorFor(value.Env(), "a Tensor", "tensor", value);
  return base;
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Base(info[0])->Release();
  return info.Env().Undefined();
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Base(info[0])->disposed());
}

Napi::Value Memory(const Napi::CallbackInfo& info) {
  Instance& inst = instance(info.Env());
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("tensors", Napi::Number::New(info.Env(), static_cast<double>(inst.live_tensors)));
  out.Set("bytes", Napi::Number::New(info.Env(), static_cast<double>(inst.live_bytes)));
  return out;
}

// Makes the next JS-constructed Tensor (a Parameter) share `data`'s storage as a new leaf.
Napi::Value PrepareShare(const Napi::CallbackInfo& info) {
  instance(info.Env()).pending = Self(info).detach();
  return info.Env().Undefined();
}

// Makes the next JS-constructed Tensor (a Parameter) `t` itself: the same TensorImpl, so its
// gradient, in-place updates and set_data are those of whatever else holds it (a TorchScript
// module's parameter slot).
Napi::Value PrepareAlias(const Napi::CallbackInfo& info) {
  instance(info.Env()).pending = Self(info);
  return info.Env().Undefined();
}

// adopt(t): Tensor's constructor takes the handle PrepareShare left; without one it is user
// code calling `new Tensor()`, which is refused.
Napi::Value Adopt(const Napi::CallbackInfo& info) {
  Instance& inst = instance(info.Env());
  if (!inst.pending) {
    throw Napi::TypeError::New(info.Env(), "Tensors are made by torch functions (torch.tensor, torch.zeros, …), not by new Tensor()");
  }
  at::Tensor t = std::move(*inst.pending);
  inst.pending.reset();
  TensorBase::Adopt(info.Env(), inst, info[0], std::move(t));
  return info.Env().Undefined();
}

// setData(t, src): `t.data = src` in PyTorch. The handle (and so every optimizer or module
// holding it) keeps its identity while its storage, dtype or device change.
Napi::Value SetData(const Napi::CallbackInfo& info) {
  at::Tensor& t = Self(info);
  at::Tensor& src = ToTensor(info[1], "data");
  t.set_data(src);
  Base(info[0])->Remeasure();
  return info.Env().Undefined();
}

// ---- creation --------------------------------------------------------------------------------

// fromData(view, shape, srcDtype, dstDtype, device, requiresGrad): copies a TypedArray whose
// element type is srcDtype, then converts.
Napi::Value FromData(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray()) throw TypeErrorFor(info.Env(), "a TypedArray", "data", info[0]);
  auto view = info[0].As<Napi::TypedArray>();
  auto shape = ToIntList(info[1], "shape");
  auto src = parse_dtype(ToString(info[2], "dtype"));
  auto dst = parse_dtype(ToString(info[3], "dtype"));
  auto device = parse_device(ToString(info[4], "device"));
  int64_t numel = 1;
  for (auto d : shape) numel *= d;
  size_t nbytes = static_cast<size_t>(numel) * c10::elementSize(src);
  if (nbytes != view.ByteLength()) {
    throw Error("SHAPE_MISMATCH", "data has " + std::to_string(view.ByteLength()) + " bytes but shape needs " +
                                      std::to_string(nbytes));
  }
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(src));
  if (nbytes > 0) {
    auto* bytes = static_cast<uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
    std::memcpy(t.data_ptr(), bytes, nbytes);
  }
  if (src != dst || !device.is_cpu()) t = t.to(device, dst);
  return Wrap(info.Env(), WithGrad(t, info[5]));
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  auto seed = static_cast<uint64_t>(ToInt(info[0], "seed"));
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  }
  if (at::hasCUDA()) {
    for (int i = 0; i < static_cast<int>(at::getNumGPUs()); ++i) {
      auto gen = at::globalContext().defaultGenerator(c10::Device(c10::DeviceType::CUDA, i));
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
  }
  return info.Env().Undefined();
}

// ---- data out --------------------------------------------------------------------------------

Napi::Value Item(const Napi::CallbackInfo& info) {
  at::Tensor& t = Self(info);
  if (t.numel() != 1) {
    throw Error("TORCH_ERROR", "item() needs a tensor with one element, but this one has " +
                                   std::to_string(t.numel()) + " (shape " + c10::str(t.sizes()) + ")");
  }
  auto s = t.item();
  if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
  if (s.isComplex()) throw Error("TORCH_ERROR", "item() of a complex tensor is not supported; use toArray()");
  return Napi::Number::New(info.Env(), s.toDouble());
}

// A contiguous CPU copy of the tensor's elements in a TypedArray of the matching type.
// float16/bfloat16 widen to Float32Array, bool becomes Uint8Array, complex interleaves.
Napi::Value ToTypedArray(const Napi::CallbackInfo& info) {
  at::Tensor t = Self(info).detach();
  auto type = t.scalar_type();
  if (type == at::kHalf || type == at::kBFloat16) t = t.to(at::kFloat);
  t = t.to(at::kCPU).contiguous();
  size_t nbytes = t.numel() * t.element_size();
  auto buffer = Napi::ArrayBuffer::New(info.Env(), nbytes);
  if (nbytes > 0) std::memcpy(buffer.Data(), t.data_ptr(), nbytes);
  size_t n = static_cast<size_t>(t.numel());
  Napi::Env env = info.Env();
  switch (t.scalar_type()) {
    case at::kFloat: return Napi::Float32Array::New(env, n, buffer, 0);
    case at::kDouble: return Napi::Float64Array::New(env, n, buffer, 0);
    case at::kLong: return Napi::BigInt64Array::New(env, n, buffer, 0);
    case at::kInt: return Napi::Int32Array::New(env, n, buffer, 0);
    case at::kShort: return Napi::Int16Array::New(env, n, buffer, 0);
    case at::kChar: return Napi::Int8Array::New(env, n, buffer, 0);
    case at::kByte:
    case at::kBool: return Napi::Uint8Array::New(env, n, buffer, 0);
    case at::kComplexFloat: return Napi::Float32Array::New(env, 2 * n, buffer, 0);
    case at::kComplexDouble: return Napi::Float64Array::New(env, 2 * n, buffer, 0);
    default: throw Error("TORCH_ERROR", "toArray() does not support dtype " + dtype_name(type));
  }
}

// numpy(): a TypedArray over the tensor's own memory. The ArrayBuffer's finalizer holds a
// reference to the tensor, so the storage lives as long as the array does; the storage stops
// being resizable so that no in-place growth can move the memory out from under the array.
Napi::Value NumpyView(const Napi::CallbackInfo& info) {
  const at::Tensor& t = Self(info);
  if (!t.device().is_cpu()) {
    throw Error("TORCH_ERROR", "can't convert " + device_name(t.device()) +
                                   " device type tensor to a TypedArray; use x.cpu().numpy() to copy the tensor to host memory first");
  }
  if (t.requires_grad()) {
    throw Error("TORCH_ERROR", "Can't call numpy() on a tensor that requires grad; use x.detach().numpy() instead");
  }
  if (!t.is_contiguous()) {
    throw Error("TORCH_ERROR", "numpy() needs a contiguous tensor (a TypedArray has no strides); use x.contiguous().numpy()");
  }
  napi_typedarray_type type;
  switch (t.scalar_type()) {
    case at::kFloat: type = napi_float32_array; break;
    case at::kDouble: type = napi_float64_array; break;
    case at::kLong: type = napi_bigint64_array; break;
    case at::kInt: type = napi_int32_array; break;
    case at::kShort: type = napi_int16_array; break;
    case at::kChar: type = napi_int8_array; break;
    case at::kByte:
    case at::kBool: type = napi_uint8_array; break;
    default:
      throw Error("TORCH_ERROR", "numpy() has no TypedArray for dtype " + dtype_name(t.scalar_type()) +
                                     "; convert first, e.g. x.float().numpy()");
  }
  Napi::Env env = info.Env();
  size_t n = static_cast<size_t>(t.numel());
  napi_value buffer;
  napi_value array;
  if (n == 0) {
    void* data;
    NAPI_THROW_IF_FAILED(env, napi_create_arraybuffer(env, 0, &data, &buffer), Napi::Value());
    NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, 0, buffer, 0, &array), Napi::Value());
    return Napi::Value(env, array);
  }
  t.storage().unsafeGetStorageImpl()->set_resizable(false);
  auto* keep = new at::Tensor(t);
  napi_status status = napi_create_external_arraybuffer(
      env, t.data_ptr(), n * t.element_size(),
      [](node_api_basic_env, void*, void* hint) { delete static_cast<at::Tensor*>(hint); }, keep, &buffer);
  if (status != napi_ok) {
    delete keep;
    NAPI_THROW_IF_FAILED(env, status, Napi::Value());
  }
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, n, buffer, 0, &array), Napi::Value());
  return Napi::Value(env, array);
}

// setDefaultDtype(dtype): LibTorch's default dtype, used when it promotes a tensor with a
// wrapped JS number.
Napi::Value SetDefaultDtype(const Napi::CallbackInfo& info) {
  c10::set_default_dtype(caffe2::TypeMeta::fromScalarType(parse_dtype(ToString(info[0], "dtype"))));
  return info.Env().Undefined();
}

// The raw little-endian bytes of a contiguous CPU copy (what a .pth storage record holds).
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  at::Tensor t = Self(info).detach().to(at::kCPU).contiguous();
  size_t nbytes = t.numel() * t.element_size();
  auto buffer = Napi::Buffer<uint8_t>::New(info.Env(), nbytes);
  if (nbytes > 0) std::memcpy(buffer.Data(), t.data_ptr(), nbytes);
  return buffer;
}

// ---- properties ------------------------------------------------------------------------------

Napi::Value Shape(const Napi::CallbackInfo& info) { return IntArray(info.Env(), Self(info).sizes()); }
Napi::Value Stride(const Napi::CallbackInfo& info) { return IntArray(info.Env(), Self(info).strides()); }
Napi::Value Dtype(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), dtype_name(Self(info).scalar_type())); }
Napi::Value Device(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), device_name(Self(info).device())); }
Napi::Value Numel(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(Self(info).numel())); }
Napi::Value Dim(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(Self(info).dim())); }
Napi::Value ElementSize(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(Self(info).element_size())); }
Napi::Value StorageOffset(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(Self(info).storage_offset())); }
Napi::Value IsContiguous(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), Self(info).is_contiguous()); }
Napi::Value IsLeaf(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), Self(info).is_leaf()); }
Napi::Value RequiresGrad(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), Self(info).requires_grad()); }

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  Self(info).requires_grad_(ToBool(info[1], "requiresGrad"));
  return info.Env().Undefined();
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  const at::Tensor& grad = Self(info).grad();
  return grad.defined() ? WrapInto(info, 1, grad) : info.Env().Null();
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  auto grad = ToOptionalTensor(info[1], "grad");
  Self(info).mutable_grad() = grad ? *grad : at::Tensor();
  return info.Env().Undefined();
}

Napi::Value GradFn(const Napi::CallbackInfo& info) {
  auto fn = Self(info).grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());
}

// ---- conversion and autograd -----------------------------------------------------------------

// to(t, dtype|null, device|null, copy)
Napi::Value To(const Napi::CallbackInfo& info) {
  at::Tensor& t = Self(info);
  auto dtype = info[1].IsString() ? parse_dtype(info[1].As<Napi::String>()) : t.scalar_type();
  auto device = info[2].IsString() ? parse_device(info[2].As<Napi::String>()) : t.device();
  bool copy = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  at::Tensor out = t.to(device, dtype, /*non_blocking=*/false, copy);
  // As in PyTorch, `x.to(x.dtype) is x`: hand back the same JS object, not a second wrapper.
  if (out.is_same(t)) return info[0];
  return Wrap(info.Env(), std::move(out));
}

Napi::Value Backward(const Napi::CallbackInfo& info) {
  at::Tensor& t = Self(info);
  auto gradient = ToOptionalTensor(info[1], "gradient");
  bool retain_graph = info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
  bool create_graph = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  if (!gradient && t.numel() != 1) {
    throw Error("TORCH_ERROR", "grad can be implicitly created only for scalar outputs: backward() was called on a "
                               "tensor of shape " + c10::str(t.sizes()) + "; pass a gradient of that shape");
  }
  if (!t.requires_grad()) {
    throw Error("TORCH_ERROR", "element 0 of tensors does not require grad and does not have a grad_fn");
  }
  t.backward(gradient ? *gradient : at::Tensor(), retain_graph, create_graph);
  return info.Env().Undefined();
}

Napi::Value Detach(const Napi::CallbackInfo& info) { return WrapInto(info, 1, Self(info).detach()); }
Napi::Value Contiguous(const Napi::CallbackInfo& info) {
  at::Tensor& t = Self(info);
  if (t.is_contiguous()) return info[0];  // as in PyTorch, the same tensor
  return WrapInto(info, 1, t.contiguous());
}

// ---- indexing: x[...] and x[...] = v, with Python's semantics (at::indexing) -----------------

// One JS index item: an integer, null (None: a new axis), '...', a boolean, a slice object
// { start, stop, step } (each null for "open"), or a Tensor. lib/tensor.ts has already turned
// strings like '::2' and JS arrays into these.
c10::optional<int64_t> OptionalIndex(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (v.IsNull() || v.IsUndefined()) return c10::nullopt;
  return ToInt(v, key);
}

std::vector<at::indexing::TensorIndex> ToIndices(const Napi::Value& value) {
  if (!value.IsArray()) throw TypeErrorFor(value.Env(), "an array of indices", "indices", value);
  auto array = value.As<Napi::Array>();
  std::vector<at::indexing::TensorIndex> out;
  out.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value v = array.Get(i);
    if (v.IsNull()) {
      out.emplace_back(at::indexing::None);
    } else if (v.IsBoolean()) {
      out.emplace_back(v.As<Napi::Boolean>().Value());
    } else if (v.IsNumber()) {
      out.emplace_back(ToInt(v, "index"));
    } else if (v.IsString() && v.As<Napi::String>().Utf8Value() == "...") {
      out.emplace_back(at::indexing::Ellipsis);
    } else if (TensorBase* base = TensorBase::From(v)) {
      out.emplace_back(base->tensor());
    } else if (v.IsObject() && !v.IsArray()) {
      auto o = v.As<Napi::Object>();
      out.emplace_back(at::indexing::Slice(OptionalIndex(o, "start"), OptionalIndex(o, "stop"), OptionalIndex(o, "step")));
    } else {
      throw TypeErrorFor(value.Env(), "an integer, null, '...', a boolean, a slice or a Tensor", "index", v);
    }
  }
  return out;
}

Napi::Value IndexGet(const Napi::CallbackInfo& info) {
  at::Tensor& t = Self(info);
  at::Tensor out = t.index(ToIndices(info[1]));
  if (out.is_same(t)) return info[0];
  return Wrap(info.Env(), std::move(out));
}

Napi::Value IndexSet(const Napi::CallbackInfo& info) {
  at::Tensor& t = Self(info);
  auto indices = ToIndices(info[1]);
  if (IsTensor(info[2])) {
    t.index_put_(indices, ToTensor(info[2], "value"));
  } else {
    t.index_put_(indices, ToScalar(info[2], "value"));
  }
  return info[0];
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool previous = at::GradMode::is_enabled();
  at::GradMode::set_enabled(ToBool(info[0], "enabled"));
  return Napi::Boolean::New(info.Env(), previous);
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled()); }

Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  Self(info).retain_grad();
  return info.Env().Undefined();
}

}  // namespace

void InitTensor(Napi::Env env, Napi::Object exports) {
  struct {
    const char* name;
    Impl impl;
  } functions[] = {
      {"setup", Setup}, {"setTrack", SetTrack}, {"adopt", Adopt}, {"dispose", Dispose}, {"isDisposed", IsDisposed}, {"memory", Memory},
      {"prepareShare", PrepareShare}, {"prepareAlias", PrepareAlias}, {"setData", SetData}, {"fromData", FromData}, {"manualSeed", ManualSeed},
      {"item", Item}, {"detach", Detach}, {"contiguous", Contiguous}, {"indexGet", IndexGet}, {"indexSet", IndexSet},
      {"toTypedArray", ToTypedArray}, {"toBuffer", ToBuffer}, {"numpyView", NumpyView}, {"setDefaultDtype", SetDefaultDtype}, {"shape", Shape}, {"stride", Stride},
      {"dtype", Dtype}, {"device", Device}, {"numel", Numel}, {"dim", Dim}, {"elementSize", ElementSize},
      {"storageOffset", StorageOffset}, {"isContiguous", IsContiguous}, {"isLeaf", IsLeaf},
      {"requiresGrad", RequiresGrad}, {"setRequiresGrad", SetRequiresGrad}, {"grad", Grad},
      {"setGrad", SetGrad}, {"gradFn", GradFn}, {"to", To}, {"backward", Backward},
      {"setGradEnabled", SetGradEnabled}, {"isGradEnabled", IsGradEnabled}, {"retainGrad", RetainGrad},
  };
  for (const auto& f : functions) Export(env, exports, f.name, f.impl);
}

}  // namespace nodetorch
