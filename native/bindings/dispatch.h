// The generated op layer's native half: every op is called through the c10 dispatcher by its
// schema name. lib/generated/ops.ts registers the schema names (and argument names) it was
// generated from; each op is resolved in the loaded LibTorch on first use, and its arguments are
// converted from JS by the types of the schema LibTorch registered — so one source serves
// LibTorch 1.13 and 2.x, and an op or argument the loaded LibTorch lacks is a TorchError
// (OP_UNAVAILABLE), never a load failure.
#pragma once
#include <napi.h>

namespace nodetorch {

// registerSchemas([[name, [argNames…]], …]): op ids are the positions in this list.
// callOp(id, …args): args in the generated schema's order; undefined means "the default".
void InitDispatch(Napi::Env env, Napi::Object exports);

}  // namespace nodetorch
