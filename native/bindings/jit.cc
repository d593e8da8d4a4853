#include "bindings/jit.h"

#include <torch/script.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bindings/async_worker.h"
#include "bindings/common.h"
#include "bindings/handle.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/script_module.h"

namespace nodetorch {

namespace {

const napi_type_tag kScriptModuleTag = {0x6e6f6465746f7263ULL, 0x684a69744d6f6431ULL};
constexpr double kMaxSafeInteger = 9007199254740991.0;

Napi::Value WrapModule(Napi::Env env, ScriptModulePtr m) {
  // A call in flight holds its own reference, so collecting the handle cannot end the module under it.
  return WrapHandle(env, std::move(m), kScriptModuleTag);
}

const ScriptModulePtr& ToModule(const Napi::Value& value) {
  return UnwrapHandle<ScriptModulePtr>(value, kScriptModuleTag, "a ScriptModule handle", "module");
}

// ---- JS → IValue, by the type the method declares ---------------------------------------------

bool IsInteger(double d) { return std::isfinite(d) && std::trunc(d) == d && std::abs(d) <= kMaxSafeInteger; }

bool IsPlainObject(const Napi::Value& v) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction() || IsTensor(v)) return false;
  Napi::Env env = v.Env();
  Napi::Object object_proto = env.Global().Get("Object").As<Napi::Object>().Get("prototype").As<Napi::Object>();
  napi_value proto;
  if (napi_get_prototype(env, v, &proto) != napi_ok) {
    ThrowIfPending(env);
    return false;
  }
  Napi::Value p(env, proto);
  return p.IsNull() || p.StrictEquals(object_proto);
}

bool IsMap(const Napi::Value& v) {
  if (!v.IsObject()) return false;
  return v.As<Napi::Object>().InstanceOf(v.Env().Global().Get("Map").As<Napi::Function>());
}

c10::IValue ToIValue(const Napi::Value& v, const c10::TypePtr& type, const std::string& name);

// `Any` (and the element of an unannotated container): what the JS value itself says.
c10::IValue Infer(const Napi::Value& v, const std::string& name) {
  if (v.IsNull() || v.IsUndefined()) return c10::IValue();
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    return IsInteger(d) ? c10::IValue(static_cast<int64_t>(d)) : c10::IValue(d);
  }
  if (v.IsBigInt()) return ToIValue(v, c10::IntType::get(), name);
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  if (TensorBase* base = TensorBase::From(v)) return base->tensor();
  if (v.IsArray()) {
    auto a = v.As<Napi::Array>();
    bool tensors = a.Length() > 0;
    for (uint32_t i = 0; i < a.Length() && tensors; ++i) tensors = IsTensor(a.Get(i));
    if (tensors) return ToIValue(v, c10::ListType::ofTensors(), name);
  }
  throw TypeErrorFor(v.Env(), "a Tensor, number, boolean, string, null or an array of Tensors", name.c_str(), v);
}

c10::IValue ToIValue(const Napi::Value& v, const c10::TypePtr& type, const std::string& name) {
  Napi::Env env = v.Env();
  auto refuse = [&](const std::string& what) { return TypeErrorFor(env, what, name.c_str(), v); };
  switch (type->kind()) {
    case c10::TypeKind::OptionalType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      return ToIValue(v, type->castRaw<c10::OptionalType>()->getElementType(), name);
    case c10::TypeKind::NoneType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      throw refuse("null");
    case c10::TypeKind::TensorType: {
      TensorBase* base = TensorBase::From(v);
      if (base == nullptr) throw refuse("a Tensor");
      return base->tensor();
    }
    case c10::TypeKind::IntType: {
      if (v.IsBigInt()) {
        bool lossless = false;
        int64_t i = v.As<Napi::BigInt>().Int64Value(&lossless);
        if (!lossless) throw refuse("an integer within int64");
        return i;
      }
      if (!v.IsNumber() || !IsInteger(v.As<Napi::Number>().DoubleValue())) throw refuse("an integer");
      return static_cast<int64_t>(v.As<Napi::Number>().DoubleValue());
    }
    case c10::TypeKind::FloatType:
      if (!v.IsNumber()) throw refuse("a number");
      return v.As<Napi::Number>().DoubleValue();
    case c10::TypeKind::NumberType: {
      if (!v.IsNumber()) throw refuse("a number");
      double d = v.As<Napi::Number>().DoubleValue();
      return IsInteger(d) ? c10::IValue(static_cast<int64_t>(d)) : c10::IValue(d);
    }
    case c10::TypeKind::BoolType:
      if (!v.IsBoolean()) throw refuse("a boolean");
      return v.As<Napi::Boolean>().Value();
    case c10::TypeKind::StringType:
      if (!v.IsString()) throw refuse("a string");
      return v.As<Napi::String>().Utf8Value();
    case c10::TypeKind::DeviceObjType:
      if (!v.IsString()) throw refuse("a device such as 'cpu' or 'cuda:0'");
      return parse_device(v.As<Napi::String>().Utf8Value());
    case c10::TypeKind::ListType: {
      if (!v.IsArray()) throw refuse("an array (" + type->str() + ")");
      auto elem = type->castRaw<c10::ListType>()->getElementType();
      auto a = v.As<Napi::Array>();
      c10::impl::GenericList list(elem);
      list.reserve(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) list.push_back(ToIValue(a.Get(i), elem, name + "[" + std::to_string(i) + "]"));
      return list;
    }
    case c10::TypeKind::TupleType: {
      auto tuple = type->cast<c10::TupleType>();
      const auto& elems = tuple->elements();
      std::vector<c10::IValue> out;
      if (v.IsArray()) {
        auto a = v.As<Napi::Array>();
        if (a.Length() != elems.size()) throw refuse("an array of " + std::to_string(elems.size()) + " (" + type->str() + ")");
        for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(ToIValue(a.Get(i), elems[i], name + "[" + std::to_string(i) + "]"));
      } else if (tuple->schema() && IsPlainObject(v)) {
        // A NamedTuple may come as an object of its fields.
        auto o = v.As<Napi::Object>();
        const auto& fields = tuple->schema()->arguments();
        for (size_t i = 0; i < elems.size(); ++i) out.push_back(ToIValue(o.Get(fields[i].name()), elems[i], name + "." + fields[i].name()));
      } else {
        throw refuse("an array (" + type->str() + ")");
      }
      if (tuple->schema()) return c10::ivalue::Tuple::createNamed(std::move(out), tuple);
      return c10::ivalue::Tuple::create(std::move(out));
    }
    case c10::TypeKind::DictType: {
      auto key_type = type->castRaw<c10::DictType>()->getKeyType();
      auto value_type = type->castRaw<c10::DictType>()->getValueType();
      c10::impl::GenericDict dict(key_type, value_type);
      if (IsMap(v)) {
        // Map → [[k, v], …] through Array.from, the one way Node-API iterates a Map.
        auto entries = env.Global().Get("Array").As<Napi::Object>().Get("from").As<Napi::Function>().Call({v}).As<Napi::Array>();
        for (uint32_t i = 0; i < entries.Length(); ++i) {
          auto kv = entries.Get(i).As<Napi::Array>();
          std::string where = name + ".get(" + std::to_string(i) + ")";
          dict.insert_or_assign(ToIValue(kv.Get(0u), key_type, where + " key"), ToIValue(kv.Get(1u), value_type, where));
        }
      } else if (IsPlainObject(v)) {
        auto o = v.As<Napi::Object>();
        auto keys = o.GetPropertyNames();
        for (uint32_t i = 0; i < keys.Length(); ++i) {
          Napi::Value key = keys.Get(i);
          std::string k = key.ToString().Utf8Value();
          c10::IValue ikey;
          if (key_type->kind() == c10::TypeKind::StringType) {
            ikey = k;
          } else if (key_type->kind() == c10::TypeKind::IntType) {
            // An object's keys are strings: '10' names the int key 10.
            char* end = nullptr;
            long long parsed = std::strtoll(k.c_str(), &end, 10);
            if (k.empty() || *end != '\0') throw TypeErrorFor(env, "integer keys (or a Map)", (name + " key").c_str(), key);
            ikey = static_cast<int64_t>(parsed);
          } else {
            throw refuse("a Map (" + type->str() + ")");
          }
          dict.insert_or_assign(std::move(ikey), ToIValue(o.Get(key), value_type, name + "." + k));
        }
      } else {
        throw refuse("an object or a Map (" + type->str() + ")");
      }
      return dict;
    }
    case c10::TypeKind::UnionType: {
      if ((v.IsNull() || v.IsUndefined()) && type->castRaw<c10::UnionType>()->canHoldType(*c10::NoneType::get())) return c10::IValue();
      for (const auto& option : type->containedTypes()) {
        try {
          return ToIValue(v, option, name);
        } catch (const Napi::Error&) {
          // not this member of the union: try the next
        } catch (const Error&) {
        }
      }
      throw refuse("a value of type " + type->str());
    }
    case c10::TypeKind::AnyType:
      return Infer(v, name);
    default:
      throw Error("JIT_UNSUPPORTED", name + " has type " + type->str() + ", which nodetorch cannot pass from JavaScript");
  }
}

// The JS arguments as the method's stack (self excluded), checked against its schema; arguments
// left undefined at the end take their defaults.
std::vector<c10::IValue> ToArguments(const ScriptModule& m, const std::string& method, const Napi::Value& value) {
  Napi::Env env = value.Env();
  if (!value.IsArray()) throw TypeErrorFor(env, "an array of arguments", "args", value);
  auto args = value.As<Napi::Array>();
  const c10::FunctionSchema& schema = method_schema(m, method);
  const auto& params = schema.arguments();
  size_t n = params.empty() ? 0 : params.size() - 1;  // params[0] is self
  if (args.Length() > n) {
    throw Napi::TypeError::New(env, method + "() takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s") + " but " +
                                        std::to_string(args.Length()) + " were given");
  }
  std::vector<c10::IValue> stack;
  stack.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const c10::Argument& param = params[i + 1];
    Napi::Value v = i < args.Length() ? args.Get(static_cast<uint32_t>(i)) : env.Undefined();
    std::string where = "argument '" + param.name() + "' of " + method + "()";
    if (v.IsUndefined() && param.default_value()) {
      stack.push_back(*param.default_value());
      continue;
    }
    if (v.IsUndefined() && param.type()->kind() != c10::TypeKind::OptionalType && param.type()->kind() != c10::TypeKind::NoneType) {
      throw TypeErrorFor(env, "a value (" + param.type()->str() + ")", where.c_str(), v);
    }
    stack.push_back(ToIValue(v, param.type(), where));
  }
  return stack;
}

// ---- IValue → JS ------------------------------------------------------------------------------

Napi::Value FromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) return WrapOptional(env, v.toTensor());
  if (v.isNone()) return env.Null();
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isInt()) {
    int64_t i = v.toInt();
    if (static_cast<double>(std::abs(i)) > kMaxSafeInteger) return Napi::BigInt::New(env, i);
    return Napi::Number::New(env, static_cast<double>(i));
  }
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isDevice()) return Napi::String::New(env, device_name(v.toDevice()));
  if (v.isList() || v.isTuple()) {
    c10::ArrayRef<c10::IValue> elements = v.isList() ? v.toListRef() : v.toTupleRef().elements();
    Napi::Array out = Napi::Array::New(env, elements.size());
    for (size_t i = 0; i < elements.size(); ++i) out.Set(static_cast<uint32_t>(i), FromIValue(env, elements[i]));
    return out;
  }
  if (v.isGenericDict()) {
    auto dict = v.toGenericDict();
    if (dict.keyType()->kind() == c10::TypeKind::StringType) {
      Napi::Object out = Napi::Object::New(env);
      for (const auto& entry : dict) out.Set(entry.key().toStringRef(), FromIValue(env, entry.value()));
      return out;
    }
    Napi::Object map = env.Global().Get("Map").As<Napi::Function>().New({});
    Napi::Function set = map.Get("set").As<Napi::Function>();
    for (const auto& entry : dict) set.Call(map, {FromIValue(env, entry.key()), FromIValue(env, entry.value())});
    return map;
  }
  std::string what = v.isObject() ? "an object of class " + v.type()->str() : "a " + v.tagKind();
  throw Error("JIT_UNSUPPORTED", "the method returned " + what + ", which nodetorch cannot convert to JavaScript");
}

// ---- bindings ---------------------------------------------------------------------------------

c10::optional<c10::Device> ToOptionalDevice(const Napi::Value& v) {
  if (v.IsNull() || v.IsUndefined()) return c10::nullopt;
  return parse_device(ToString(v, "mapLocation"));
}

// jitLoad(pathOrBytes, mapLocation | null)
Napi::Value Load(const Napi::CallbackInfo& info) {
  auto device = ToOptionalDevice(info[1]);
  if (info[0].IsString()) return WrapModule(info.Env(), load_script_module(info[0].As<Napi::String>().Utf8Value(), device));
  if (!info[0].IsTypedArray()) throw TypeErrorFor(info.Env(), "a path or a Uint8Array", "f", info[0]);
  auto bytes = info[0].As<Napi::TypedArray>();
  const auto* data = static_cast<const uint8_t*>(bytes.ArrayBuffer().Data()) + bytes.ByteOffset();
  return WrapModule(info.Env(), load_script_module(data, bytes.ByteLength(), device));
}

// A tensor's identity (its TensorImpl), so that TypeScript makes one Parameter per tensor even
// where modules share one (tied weights), as Python's named_parameters() lists it once.
Napi::Value Identity(Napi::Env env, const at::Tensor& t) {
  return Napi::Number::New(env, static_cast<double>(reinterpret_cast<uintptr_t>(t.unsafeGetTensorImpl())));
}

// jitInfo(m) → { typeName, training, methods, parameters: [name, Tensor, id][], buffers: …, children: [name, handle][] }
// Parameters and buffers are the module's own tensors (the same TensorImpl, not a copy or a detached
// alias), so gradients, in-place updates and set_data reach the module.
Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const ScriptModulePtr& m = ToModule(info[0]);
  Napi::Object out = Napi::Object::New(env);
  out.Set("typeName", type_name(*m));
  out.Set("training", m->module.is_training());
  auto names = method_names(*m);
  Napi::Array methods = Napi::Array::New(env, names.size());
  for (uint32_t i = 0; i < names.size(); ++i) methods.Set(i, names[i]);
  out.Set("methods", methods);
  auto tensors = [&](const auto& list) {
    Napi::Array a = Napi::Array::New(env);
    uint32_t i = 0;
    for (const auto& item : list) {
      Napi::Array entry = Napi::Array::New(env, 3);
      entry.Set(0u, item.name);
      entry.Set(1u, Wrap(env, item.value));
      entry.Set(2u, Identity(env, item.value));
      a.Set(i++, entry);
    }
    return a;
  };
  out.Set("parameters", tensors(m->module.named_parameters(/*recurse=*/false)));
  out.Set("buffers", tensors(m->module.named_buffers(/*recurse=*/false)));
  Napi::Array children = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& child : m->module.named_children()) {
    Napi::Array entry = Napi::Array::New(env, 2);
    entry.Set(0u, child.name);
    entry.Set(1u, WrapModule(env, child_of(*m, child.value)));
    children.Set(i++, entry);
  }
  out.Set("children", children);
  return out;
}

Napi::Value SetTraining(const Napi::CallbackInfo& info) {
  set_training(*ToModule(info[0]), ToBool(info[1], "mode"));
  return info.Env().Undefined();
}

Napi::Value Training(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), ToModule(info[0])->module.is_training()); }

// jitSchema(m, method) → the method's schema, e.g. "forward(__torch__.CNN self, Tensor x) -> Tensor".
Napi::Value Schema(const Napi::CallbackInfo& info) {
  const c10::FunctionSchema& schema = method_schema(*ToModule(info[0]), ToString(info[1], "method"));
  std::ostringstream out;
  out << schema;
  return Napi::String::New(info.Env(), out.str());
}

// jitGraph(m, method) → [{ kind, scope, inputs: [name], outputs: [{ name, type, sizes }], attributes }]
Napi::Value Graph(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto nodes = method_graph(*ToModule(info[0]), ToString(info[1], "method"));
  Napi::Array out = Napi::Array::New(env, nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const GraphNode& n = nodes[i];
    Napi::Object node = Napi::Object::New(env);
    node.Set("kind", n.kind);
    node.Set("scope", n.scope);
    Napi::Array inputs = Napi::Array::New(env, n.inputs.size());
    for (size_t k = 0; k < n.inputs.size(); ++k) inputs.Set(static_cast<uint32_t>(k), n.inputs[k]);
    node.Set("inputs", inputs);
    Napi::Array outputs = Napi::Array::New(env, n.outputs.size());
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      Napi::Object value = Napi::Object::New(env);
      value.Set("name", n.outputs[k].name);
      value.Set("type", n.outputs[k].type);
      value.Set("sizes", IntArray(env, n.outputs[k].sizes));
      outputs.Set(static_cast<uint32_t>(k), value);
    }
    node.Set("outputs", outputs);
    node.Set("attributes", n.attributes);
    out.Set(static_cast<uint32_t>(i), node);
  }
  return out;
}

// jitRun(m, method, args): on this thread, in its grad mode (training works through it).
Napi::Value Run(const Napi::CallbackInfo& info) {
  const ScriptModulePtr& m = ToModule(info[0]);
  std::string method = ToString(info[1], "method");
  auto args = ToArguments(*m, method, info[2]);
  return FromIValue(info.Env(), run_method(*m, method, std::move(args), any_training(*m)));
}

// jitRunAsync(m, method, args) → Promise. Arguments are converted now, on the JS thread, into
// IValues that hold their tensors (so the JS objects may be disposed or collected meanwhile); the
// module is held by reference count. The result becomes JS values on the JS thread.
Napi::Value RunAsync(const Napi::CallbackInfo& info) {
  ScriptModulePtr m = ToModule(info[0]);
  std::string method = ToString(info[1], "method");
  auto args = ToArguments(*m, method, info[2]);
  bool exclusive = any_training(*m);
  return RunOnPool<c10::IValue>(
      info.Env(),
      [m, method, args, exclusive]() mutable {
        // Grad mode is per thread; an async call never records autograd (inference only).
        torch::NoGradGuard no_grad;
        return run_method(*m, method, std::move(args), exclusive);
      },
      [](Napi::Env env, c10::IValue& result) { return FromIValue(env, result); });
}

// jitSave(m) → the bytes of the archive torch.jit.save writes.
Napi::Value Save(const Napi::CallbackInfo& info) {
  std::string bytes = save_script_module(*ToModule(info[0]));
  return Napi::Buffer<char>::Copy(info.Env(), bytes.data(), bytes.size());
}

}  // namespace

void InitJit(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "jitLoad", Load);
  Export(env, exports, "jitInfo", Info);
  Export(env, exports, "jitSetTraining", SetTraining);
  Export(env, exports, "jitTraining", Training);
  Export(env, exports, "jitSchema", Schema);
  Export(env, exports, "jitGraph", Graph);
  Export(env, exports, "jitRun", Run);
  Export(env, exports, "jitRunAsync", RunAsync);
  Export(env, exports, "jitSave", Save);
}

}  // namespace nodetorch
