// Opaque native objects handed to JS as type-tagged Externals: the External owns a heap copy of
// `T` (usually a smart pointer) and frees it from a basic finalizer, which touches no JS and may
// therefore run inside garbage collection. An External of another kind, or any other value,
// throws a TypeError naming the argument instead of being misread.
#pragma once
#include <napi.h>

#include <string>
#include <utility>

#include "bindings/common.h"

namespace nodetorch {

template <typename T>
Napi::Value WrapHandle(Napi::Env env, T value, const napi_type_tag& tag) {
  auto* holder = new T(std::move(value));
  napi_value external;
  napi_status status = napi_create_external(
      env, holder, [](node_api_basic_env, void* data, void*) { delete static_cast<T*>(data); }, nullptr, &external);
  if (status != napi_ok) {
    delete holder;
    NAPI_THROW_IF_FAILED(env, status, Napi::Value());
  }
  napi_type_tag_object(env, external, &tag);
  return Napi::Value(env, external);
}

template <typename T>
T& UnwrapHandle(const Napi::Value& value, const napi_type_tag& tag, const std::string& what, const char* name) {
  bool ok = false;
  if (value.IsExternal()) napi_check_object_type_tag(value.Env(), value, &tag, &ok);
  if (!ok) throw TypeErrorFor(value.Env(), what, name, value);
  return *static_cast<T*>(value.As<Napi::External<void>>().Data());
}

}  // namespace nodetorch
