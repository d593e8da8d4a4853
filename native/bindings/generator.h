// torch.Generator: a random-number generator of its own, passed to random ops (`generator:`)
// so that their draws do not depend on, or disturb, the global generator.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

namespace nodetorch {

// The at::Generator behind a handle made by generatorNew, or a TypeError naming `name`.
at::Generator& ToGenerator(const Napi::Value& value, const char* name);

// generatorNew(device), generatorManualSeed(handle, seed), generatorSeed(handle),
// generatorInitialSeed(handle).
void InitGenerator(Napi::Env env, Napi::Object exports);

}  // namespace nodetorch
