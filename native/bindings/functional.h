// torch.nn.functional: layers and losses as ATen calls. Defaults are filled by TypeScript.
#pragma once
#include <napi.h>

namespace nodetorch {
void InitFunctional(Napi::Env env, Napi::Object exports);
}
