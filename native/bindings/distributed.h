// torch.distributed for lib/distributed/: stores, Gloo process groups and their Work, over
// native/core/distributed. Collectives return a Work at once (Gloo runs them on its own threads);
// waiting is synchronous (distWait, as Python's work.wait()) or on the libuv pool (distWaitAsync),
// and so are the calls that wait for peers (distInit, distNewGroup).
#pragma once
#include <napi.h>

namespace nodetorch {

void InitDistributed(Napi::Env env, Napi::Object exports);

}  // namespace nodetorch
