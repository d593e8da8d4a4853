#include "bindings/dispatch.h"

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <torch/version.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bindings/common.h"
#include "bindings/generator.h"
#include "bindings/tensor.h"
#include "core/dtype.h"
#include "core/error.h"

namespace nodetorch {

namespace {

// How a JS value becomes the schema argument's IValue. Chosen once per argument from the type
// LibTorch registered (real_type: ScalarType, not the int it travels as).
enum class Kind : uint8_t {
  kTensor, kTensorList, kOptTensorList, kScalar, kInt, kIntList, kFloat, kFloatList, kBool, kBoolList, kString,
  kScalarType, kLayout, kMemoryFormat, kDevice, kGenerator, kUnsupported,
};

struct ArgSpec {
  const c10::Argument* arg = nullptr;
  Kind kind = Kind::kUnsupported;
  bool optional = false;
  int js = -1;  // position among the JS arguments, -1 when the generated schema lacks it
};

struct Op {
  std::string qualified;  // "aten::add.Tensor"
  std::string name;       // "aten::add"
  std::string overload;   // "Tensor"
  std::string display;    // "add" for messages
  std::vector<std::string> js_args;
  std::atomic<bool> resolved{false};
  c10::optional<c10::OperatorHandle> handle;
  std::vector<ArgSpec> args;       // per argument of the loaded schema
  std::vector<int> missing_js;     // JS positions the loaded schema has no argument for
  std::vector<int> return_alias;   // per return: the JS position it writes into, or -1
  std::vector<Kind> return_kind;   // per return: kScalarType etc. where an int means an enum
};

// Process-wide, like the dispatcher: every Node environment registers the same generated list.
std::mutex registry_mutex;
std::vector<std::unique_ptr<Op>> registry;

Kind Classify(const c10::TypePtr& type, bool* optional) {
  c10::TypePtr t = type;
  if (auto o = t->cast<c10::OptionalType>()) {
    *optional = true;
    t = o->getElementType();
  }
  switch (t->kind()) {
    case c10::TypeKind::TensorType: return Kind::kTensor;
    case c10::TypeKind::NumberType: return Kind::kScalar;
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType: return Kind::kInt;
    case c10::TypeKind::FloatType: return Kind::kFloat;
    case c10::TypeKind::BoolType: return Kind::kBool;
    case c10::TypeKind::StringType: return Kind::kString;
    case c10::TypeKind::ScalarTypeType: return Kind::kScalarType;
    case c10::TypeKind::LayoutType: return Kind::kLayout;
    case c10::TypeKind::MemoryFormatType: return Kind::kMemoryFormat;
    case c10::TypeKind::DeviceObjType: return Kind::kDevice;
    case c10::TypeKind::GeneratorType: return Kind::kGenerator;
    case c10::TypeKind::ListType: {
      auto elem = t->castRaw<c10::ListType>()->getElementType();
      if (auto oe = elem->cast<c10::OptionalType>()) {
        return oe->getElementType()->kind() == c10::TypeKind::TensorType ? Kind::kOptTensorList : Kind::kUnsupported;
      }
      switch (elem->kind()) {
        case c10::TypeKind::TensorType: return Kind::kTensorList;
        case c10::TypeKind::IntType:
        case c10::TypeKind::SymIntType: return Kind::kIntList;
        case c10::TypeKind::FloatType: return Kind::kFloatList;
        case c10::TypeKind::BoolType: return Kind::kBoolList;
        default: return Kind::kUnsupported;
      }
    }
    default: return Kind::kUnsupported;
  }
}

std::string LibtorchVersion() { return TORCH_VERSION; }

void Resolve(Op& op) {
  auto handle = c10::Dispatcher::singleton().findSchema({op.name, op.overload});
  if (!handle) {
    throw Error("OP_UNAVAILABLE", op.qualified + " (torch." + op.display + ") is not in the loaded LibTorch " +
                                      LibtorchVersion());
  }
  const c10::FunctionSchema& schema = handle->schema();
  std::unordered_map<std::string, int> js_index;
  for (size_t i = 0; i < op.js_args.size(); ++i) js_index[op.js_args[i]] = static_cast<int>(i);
  std::vector<bool> used(op.js_args.size(), false);
  for (const auto& a : schema.arguments()) {
    ArgSpec spec;
    spec.arg = &a;
    spec.kind = Classify(a.real_type(), &spec.optional);
    auto it = js_index.find(a.name());
    if (it != js_index.end()) {
      spec.js = it->second;
      used[it->second] = true;
    }
    op.args.push_back(spec);
  }
  for (size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) op.missing_js.push_back(static_cast<int>(i));
  }
  for (const auto& r : schema.returns()) {
    int alias = -1;
    const c10::AliasInfo* info = r.alias_info();
    if (info != nullptr && info->isWrite()) {
      for (const auto& spec : op.args) {
        const c10::AliasInfo* ai = spec.arg->alias_info();
        if (ai != nullptr && ai->isWrite() && ai->beforeSets() == info->beforeSets()) alias = spec.js;
      }
    }
    op.return_alias.push_back(alias);
    bool optional = false;
    op.return_kind.push_back(Classify(r.real_type(), &optional));
  }
  op.handle = handle;
  op.resolved.store(true, std::memory_order_release);
}

// ---- JS → IValue ------------------------------------------------------------------------------

[[noreturn]] void Refuse(const Napi::Value& v, const std::string& what, const ArgSpec& spec, const Op& op) {
  std::string name = spec.arg->name() + " (torch." + op.display + ")";
  throw TypeErrorFor(v.Env(), what, name.c_str(), v);
}

bool IsInteger(double d) { return std::isfinite(d) && std::trunc(d) == d && std::abs(d) <= 9007199254740992.0; }

int64_t Int(const Napi::Value& v, const ArgSpec& spec, const Op& op) {
  if (!v.IsNumber()) Refuse(v, "an integer", spec, op);
  double d = v.As<Napi::Number>().DoubleValue();
  if (!IsInteger(d)) Refuse(v, "an integer", spec, op);
  return static_cast<int64_t>(d);
}

c10::Scalar Scalar(const Napi::Value& v, const ArgSpec& spec, const Op& op) {
  if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    return IsInteger(d) ? c10::Scalar(static_cast<int64_t>(d)) : c10::Scalar(d);
  }
  if (TensorBase* base = TensorBase::From(v)) {
    const at::Tensor& t = base->tensor();
    if (t.numel() == 1) return t.item();
  }
  Refuse(v, "a number", spec, op);
}

at::Tensor Tensor(const Napi::Value& v, const ArgSpec& spec, const Op& op) {
  if (TensorBase* base = TensorBase::From(v)) return base->tensor();
  if (v.IsNumber() || v.IsBoolean()) {
    // A JS number where a Tensor goes: a "wrapped number", as Python's arg parser makes, which
    // takes part in type promotion as a scalar does (x.mul(2) stays float32).
    at::Tensor t = c10::scalar_to_tensor(Scalar(v, spec, op));
    t.unsafeGetTensorImpl()->set_wrapped_number(true);
    return t;
  }
  Refuse(v, "a Tensor", spec, op);
}

Napi::Array Array(const Napi::Value& v, const std::string& what, const ArgSpec& spec, const Op& op) {
  if (!v.IsArray()) Refuse(v, what, spec, op);
  return v.As<Napi::Array>();
}

c10::IValue ToIValue(const Napi::Value& v, const ArgSpec& spec, const Op& op) {
  if (v.IsUndefined() || v.IsNull()) {
    if (spec.optional) return c10::IValue();
    Refuse(v, "a value (it has no default)", spec, op);
  }
  switch (spec.kind) {
    case Kind::kTensor: return Tensor(v, spec, op);
    case Kind::kScalar: return Scalar(v, spec, op);
    case Kind::kInt: return Int(v, spec, op);
    case Kind::kFloat:
      if (!v.IsNumber()) Refuse(v, "a number", spec, op);
      return v.As<Napi::Number>().DoubleValue();
    case Kind::kBool:
      if (!v.IsBoolean()) Refuse(v, "a boolean", spec, op);
      return v.As<Napi::Boolean>().Value();
    case Kind::kString:
      if (!v.IsString()) Refuse(v, "a string", spec, op);
      return v.As<Napi::String>().Utf8Value();
    case Kind::kScalarType: {
      if (!v.IsString()) Refuse(v, "a dtype", spec, op);
      return static_cast<int64_t>(parse_dtype(v.As<Napi::String>().Utf8Value()));
    }
    case Kind::kLayout: {
      std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
      if (s == "strided") return static_cast<int64_t>(at::kStrided);
      if (s == "sparse_coo") return static_cast<int64_t>(at::kSparse);
      Refuse(v, "'strided' or 'sparse_coo'", spec, op);
    }
    case Kind::kMemoryFormat: {
      std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
      if (s == "contiguous_format") return static_cast<int64_t>(at::MemoryFormat::Contiguous);
      if (s == "preserve_format") return static_cast<int64_t>(at::MemoryFormat::Preserve);
      if (s == "channels_last") return static_cast<int64_t>(at::MemoryFormat::ChannelsLast);
      if (s == "channels_last_3d") return static_cast<int64_t>(at::MemoryFormat::ChannelsLast3d);
      Refuse(v, "'contiguous_format', 'preserve_format', 'channels_last' or 'channels_last_3d'", spec, op);
    }
    case Kind::kDevice:
      if (!v.IsString()) Refuse(v, "a device such as 'cpu' or 'cuda:0'", spec, op);
      return parse_device(v.As<Napi::String>().Utf8Value());
    case Kind::kGenerator:
      if (!v.IsExternal()) Refuse(v, "a torch.Generator", spec, op);
      return ToGenerator(v, spec.arg->name().c_str());
    case Kind::kTensorList: {
      auto a = Array(v, "an array of Tensors", spec, op);
      c10::List<at::Tensor> list;
      list.reserve(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) {
        TensorBase* base = TensorBase::From(a.Get(i));
        if (base == nullptr) Refuse(v, "an array of Tensors", spec, op);
        list.push_back(base->tensor());
      }
      return list;
    }
    case Kind::kOptTensorList: {
      auto a = Array(v, "an array of Tensors (or nulls)", spec, op);
      c10::List<c10::optional<at::Tensor>> list;
      list.reserve(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) {
        Napi::Value e = a.Get(i);
        if (e.IsNull() || e.IsUndefined()) {
          list.push_back(c10::nullopt);
          continue;
        }
        TensorBase* base = TensorBase::From(e);
        if (base == nullptr) Refuse(v, "an array of Tensors (or nulls)", spec, op);
        list.push_back(base->tensor());
      }
      return list;
    }
    case Kind::kIntList: {
      std::vector<int64_t> out;
      if (v.IsNumber() && spec.arg->N() && *spec.arg->N() > 0) {
        // int[2] given one int: Python repeats it (stride=2 → [2, 2]).
        out.assign(static_cast<size_t>(*spec.arg->N()), Int(v, spec, op));
      } else {
        auto a = Array(v, "an array of integers", spec, op);
        out.reserve(a.Length());
        for (uint32_t i = 0; i < a.Length(); ++i) {
          Napi::Value e = a.Get(i);
          if (!e.IsNumber() || !IsInteger(e.As<Napi::Number>().DoubleValue())) Refuse(v, "an array of integers", spec, op);
          out.push_back(static_cast<int64_t>(e.As<Napi::Number>().DoubleValue()));
        }
      }
      return c10::List<int64_t>(out);
    }
    case Kind::kFloatList: {
      auto a = Array(v, "an array of numbers", spec, op);
      std::vector<double> out;
      for (uint32_t i = 0; i < a.Length(); ++i) {
        Napi::Value e = a.Get(i);
        if (!e.IsNumber()) Refuse(v, "an array of numbers", spec, op);
        out.push_back(e.As<Napi::Number>().DoubleValue());
      }
      return c10::List<double>(out);
    }
    case Kind::kBoolList: {
      auto a = Array(v, "an array of booleans", spec, op);
      c10::List<bool> list;
      for (uint32_t i = 0; i < a.Length(); ++i) {
        Napi::Value e = a.Get(i);
        if (!e.IsBoolean()) Refuse(v, "an array of booleans", spec, op);
        list.push_back(e.As<Napi::Boolean>().Value());
      }
      return list;
    }
    case Kind::kUnsupported: break;
  }
  throw Error("OP_UNAVAILABLE", "argument " + spec.arg->name() + " of " + op.qualified + " has type " +
                                    spec.arg->real_type()->str() + ", which nodetorch cannot pass yet");
}

// ---- IValue → JS ------------------------------------------------------------------------------

Napi::Value FromIValue(Napi::Env env, c10::IValue&& v, Kind kind) {
  if (v.isTensor()) {
    at::Tensor t = std::move(v).toTensor();
    return t.defined() ? Wrap(env, std::move(t)) : env.Null();
  }
  if (v.isNone()) return env.Null();
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isInt()) {
    int64_t i = v.toInt();
    if (kind == Kind::kScalarType) return Napi::String::New(env, dtype_name(static_cast<c10::ScalarType>(i)));
    return Napi::Number::New(env, static_cast<double>(i));
  }
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isDevice()) return Napi::String::New(env, device_name(v.toDevice()));
  if (v.isTensorList()) {
    auto list = v.toTensorVector();
    return WrapList(env, list);
  }
  if (v.isTuple() || v.isList()) {
    const auto elements = v.isTuple() ? v.toTupleRef().elements().vec() : v.toListRef().vec();
    Napi::Array out = Napi::Array::New(env, elements.size());
    for (size_t i = 0; i < elements.size(); ++i) out.Set(static_cast<uint32_t>(i), FromIValue(env, c10::IValue(elements[i]), Kind::kUnsupported));
    return out;
  }
  throw Error("TORCH_ERROR", "an op returned a " + v.tagKind() + ", which nodetorch cannot return yet");
}

// ---- bindings ---------------------------------------------------------------------------------

Napi::Value RegisterSchemas(const Napi::CallbackInfo& info) {
  if (!info[0].IsArray()) throw TypeErrorFor(info.Env(), "an array of schemas", "schemas", info[0]);
  auto list = info[0].As<Napi::Array>();
  std::lock_guard<std::mutex> lock(registry_mutex);
  // Every environment loads the same generated file: the first registers, the others find it done.
  if (!registry.empty()) {
    if (registry.size() != list.Length()) {
      throw Error("TORCH_ERROR", "nodetorch: two different generated op tables in one process");
    }
    return info.Env().Undefined();
  }
  for (uint32_t i = 0; i < list.Length(); ++i) {
    auto entry = list.Get(i).As<Napi::Array>();
    auto op = std::make_unique<Op>();
    op->qualified = ToString(entry.Get(0u), "schema");
    auto dot = op->qualified.find('.');
    op->name = op->qualified.substr(0, dot);
    op->overload = dot == std::string::npos ? "" : op->qualified.substr(dot + 1);
    op->display = op->name.substr(op->name.find("::") + 2);
    auto names = entry.Get(1u).As<Napi::Array>();
    for (uint32_t k = 0; k < names.Length(); ++k) op->js_args.push_back(ToString(names.Get(k), "argument name"));
    registry.push_back(std::move(op));
  }
  return info.Env().Undefined();
}

// callOp(op, out, ...args): calls op `op` of the registered list with the JS arguments in its
// generated order. `out` is a fresh tensor object from JS (lib/tensor-object.ts) that becomes
// the result when the op returns one new tensor (its slot number then in the shared array's [0]).
Napi::Value CallOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t id = ToInt(info[0], "op");
  // The registry only grows while the generated module registers (before any call), so reading
  // it needs no lock; resolving an op the first time does.
  if (id < 0 || static_cast<size_t>(id) >= registry.size()) throw TypeErrorFor(env, "a registered op id", "op", info[0]);
  Op* op = registry[static_cast<size_t>(id)].get();
  if (!op->resolved.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(registry_mutex);
    if (!op->resolved.load(std::memory_order_relaxed)) Resolve(*op);
  }
  for (int js : op->missing_js) {
    Napi::Value v = info[static_cast<size_t>(js) + 2];
    if (!v.IsUndefined()) {
      throw Error("OP_UNAVAILABLE", "argument " + op->js_args[static_cast<size_t>(js)] + " of " + op->qualified +
                                        " is not in the loaded LibTorch " + LibtorchVersion());
    }
  }
  // One argument stack per thread, reused (its capacity stays): an op call allocates none.
  // A call made while it is in use (none today: ops do not call back into JS) gets its own.
  thread_local torch::jit::Stack shared;
  thread_local bool shared_in_use = false;
  torch::jit::Stack local;
  bool reuse = !shared_in_use;
  torch::jit::Stack& stack = reuse ? shared : local;
  struct Release {
    torch::jit::Stack& stack;
    bool reuse;
    ~Release() {
      stack.clear();
      if (reuse) shared_in_use = false;
    }
  } release{stack, reuse};
  if (reuse) shared_in_use = true;
  Instance& inst = instance(env);
  const size_t given = info.Length() >= 2 ? info.Length() - 2 : 0;
  for (const auto& spec : op->args) {
    // A tensor argument comes as its slot number in the shared array (lib/dispatch.ts writes one
    // for every argument it passes, -1 where it is no tensor), so no property is looked up.
    if (spec.kind == Kind::kTensor && spec.js >= 0 && static_cast<size_t>(spec.js) < given &&
        static_cast<size_t>(spec.js) + 1 < Instance::kIoLength && inst.io[spec.js + 1] >= 0) {
      TensorBase* base = TensorBase::FromHandle(inst, inst.io[spec.js + 1]);
      if (base == nullptr) Refuse(info[static_cast<size_t>(spec.js) + 2], "a Tensor", spec, *op);
      stack.push_back(base->tensor());
      continue;
    }
    Napi::Value v = spec.js >= 0 ? info[static_cast<size_t>(spec.js) + 2] : env.Undefined();
    if (v.IsUndefined() && spec.arg->default_value()) {
      stack.push_back(*spec.arg->default_value());
      continue;
    }
    stack.push_back(ToIValue(v, spec, *op));
  }
  op->handle->callBoxed(&stack);
  size_t n = op->return_alias.size();
  auto one = [&](size_t i) -> Napi::Value {
    int alias = op->return_alias[i];
    if (alias >= 0) return info[static_cast<size_t>(alias) + 2];  // the tensor written into, as the same JS object
    return FromIValue(env, std::move(stack[i]), op->return_kind[i]);
  };
  if (n == 0) return env.Undefined();
  if (n == 1 && op->return_alias[0] < 0 && stack[0].isTensor() && stack[0].toTensor().defined() && info[1].IsObject()) {
    // The object JS made for the result (an allocation inline in JS costs less than one made
    // from here).
    return Napi::Value(env, TensorBase::Into(env, inst, info[1], std::move(stack[0]).toTensor()));
  }
  if (n == 1) return one(0);
  Napi::Array out = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; ++i) out.Set(static_cast<uint32_t>(i), one(i));
  return out;
}

}  // namespace

void InitDispatch(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "registerSchemas", RegisterSchemas);
  Export(env, exports, "callOp", CallOp);
}

}  // namespace nodetorch
