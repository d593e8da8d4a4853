// The DataLoader's native path: a BatchStream (core/batch_stream.h) held by a type-tagged
// External, pulled synchronously (`batchStreamNext`) or from the thread pool (`batchStreamNextAsync`);
// and `randomAffine`, the per-sample RandomAffine over the same core code.
#pragma once
#include <napi.h>

namespace nodetorch {
void InitBatchStream(Napi::Env env, Napi::Object exports);
}
