// Optimizer steps (core/optim.h) over parameter Tensors; state tensors stay in TypeScript.
#pragma once
#include <napi.h>

namespace nodetorch {
void InitOptim(Napi::Env env, Napi::Object exports);
}
