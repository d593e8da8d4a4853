// Tensor math, comparisons, reductions, shape and indexing ops: thin calls into ATen.
#pragma once
#include <napi.h>

namespace nodetorch {
void InitOps(Napi::Env env, Napi::Object exports);
}
