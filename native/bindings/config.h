// torch.config(), threads and the load-time library check.
#pragma once
#include <napi.h>

namespace nodetorch {
void InitConfig(Napi::Env env, Napi::Object exports);
}
