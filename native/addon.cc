// Registers the bindings; nothing else lives here.
#include <napi.h>

#include "bindings/batch_stream.h"
#include "bindings/common.h"
#include "bindings/config.h"
#include "bindings/dispatch.h"
#include "bindings/distributed.h"
#include "bindings/generator.h"
#include "bindings/jit.h"
#include "bindings/tensor.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  nodetorch::InitCommon(env, exports);
  nodetorch::InitTensor(env, exports);
  nodetorch::InitDispatch(env, exports);
  nodetorch::InitGenerator(env, exports);
  nodetorch::InitConfig(env, exports);
  nodetorch::InitBatchStream(env, exports);
  nodetorch::InitJit(env, exports);
  nodetorch::InitDistributed(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(nodetorch, Init)
