// torch.jit: TorchScript modules for lib/jit/. A module is a type-tagged External over a
// native/core ScriptModule; JS values become IValues by the type each method's schema declares
// for the argument, and IValues come back as tensors, numbers, booleans, strings, null, arrays
// (lists and tuples), plain objects (dicts with str keys) and Maps (dicts with other keys).
// Async calls run on the libuv thread pool without autograd.
#pragma once
#include <napi.h>

namespace nodetorch {

void InitJit(Napi::Env env, Napi::Object exports);

}  // namespace nodetorch
