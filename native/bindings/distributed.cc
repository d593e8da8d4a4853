#include "bindings/distributed.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bindings/async_worker.h"
#include "bindings/common.h"
#include "bindings/handle.h"
#include "core/distributed.h"
#include "core/error.h"
#include "core/reducer.h"

namespace nodetorch {

namespace {

using dist::GroupPtr;
using dist::WorkPtr;
using WorldPtr = std::shared_ptr<dist::World>;

const napi_type_tag kWorldTag = {0x6e6f6465746f7263ULL, 0x6444697374576c64ULL};
const napi_type_tag kGroupTag = {0x6e6f6465746f7263ULL, 0x6444697374477270ULL};
const napi_type_tag kWorkTag = {0x6e6f6465746f7263ULL, 0x644469737457726bULL};
const napi_type_tag kReducerTag = {0x6e6f6465746f7263ULL, 0x6444697374526564ULL};
using ReducerPtr = std::shared_ptr<c10d::Reducer>;

// World and group handles can be emptied (destroyProcessGroup) while JS still holds them.
WorldPtr& ToWorld(const Napi::Value& v) { return UnwrapHandle<WorldPtr>(v, kWorldTag, "a process group world handle", "world"); }
GroupPtr& ToGroupSlot(const Napi::Value& v) { return UnwrapHandle<GroupPtr>(v, kGroupTag, "a ProcessGroup handle", "group"); }
dist::Group& ToGroup(const Napi::Value& v) {
  GroupPtr& group = ToGroupSlot(v);
  if (!group) throw Error("DIST_NOT_INITIALIZED", "the process group has been destroyed");
  return *group;
}
const WorkPtr& ToWork(const Napi::Value& v) { return UnwrapHandle<WorkPtr>(v, kWorkTag, "a Work handle", "work"); }

dist::Millis ToMillis(const Napi::Value& v, const char* name) { return dist::Millis(ToInt(v, name)); }
dist::ReduceOp ToReduceOp(const Napi::Value& v) { return static_cast<dist::ReduceOp>(ToInt(v, "op")); }

std::vector<at::Tensor> ToTensorList(const Napi::Value& v, const char* name) {
  if (!v.IsArray()) throw TypeErrorFor(v.Env(), "an array of Tensors", name, v);
  auto array = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) out.push_back(ToTensor(array.Get(i), name));
  return out;
}

Napi::Value WrapGroup(Napi::Env env, GroupPtr group) {
  if (!group) return env.Null();
  return WrapHandle(env, std::move(group), kGroupTag);
}

Napi::Value WrapWork(Napi::Env env, WorkPtr work) { return WrapHandle(env, std::move(work), kWorkTag); }

// distAvailable() → { gloo, nccl }
Napi::Value Available(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("gloo", dist::gloo_available());
  out.Set("nccl", dist::nccl_available());
  return out;
}

struct Initialized {
  WorldPtr world;
  GroupPtr group;
};

// distInit(kind 'tcp' | 'file', hostOrPath, port, worldSize, rank, timeoutMs) → Promise<[world, group]>:
// rendezvous, then the default group, on the pool (both wait for the other ranks).
Napi::Value Init(const Napi::CallbackInfo& info) {
  std::string kind = ToString(info[0], "kind");
  std::string where = ToString(info[1], "where");
  int64_t port = ToInt(info[2], "port");
  int64_t world_size = ToInt(info[3], "worldSize");
  int64_t rank = ToInt(info[4], "rank");
  dist::Millis timeout = ToMillis(info[5], "timeout");
  if (kind != "tcp" && kind != "file") throw TypeErrorFor(info.Env(), "'tcp' or 'file'", "kind", info[0]);
  return RunOnPool<Initialized>(
      info.Env(),
      [=]() {
        dist::StorePtr store = kind == "tcp" ? dist::tcp_store(where, static_cast<int>(port), world_size, rank == 0, timeout)
                                             : dist::file_store(where, world_size);
        Initialized out;
        out.world = dist::make_world(std::move(store), rank, world_size, timeout);
        out.group = dist::create_group(*out.world, dist::next_group_name(*out.world), {}, timeout);
        return out;
      },
      [](Napi::Env env, Initialized& done) {
        Napi::Array pair = Napi::Array::New(env, 2);
        pair.Set(0u, WrapHandle(env, std::move(done.world), kWorldTag));
        pair.Set(1u, WrapGroup(env, std::move(done.group)));
        return Napi::Value(pair);
      });
}

// distNewGroup(world, ranks, timeoutMs) → Promise<group | null> (null on ranks outside `ranks`).
Napi::Value NewGroup(const Napi::CallbackInfo& info) {
  WorldPtr world = ToWorld(info[0]);
  if (!world) throw Error("DIST_NOT_INITIALIZED", "the default process group has been destroyed");
  std::vector<int64_t> ranks = ToIntList(info[1], "ranks");
  dist::Millis timeout = ToMillis(info[2], "timeout");
  std::string name = dist::next_group_name(*world);  // now, in program order
  return RunOnPool<GroupPtr>(
      info.Env(), [=]() { return dist::create_group(*world, name, ranks, timeout); },
      [](Napi::Env env, GroupPtr& group) { return WrapGroup(env, std::move(group)); });
}

// distDestroy(worldOrGroup): lets go of the group (or the world's store) now; its handle then refuses use.
Napi::Value Destroy(const Napi::CallbackInfo& info) {
  bool is_world = false;
  if (info[0].IsExternal()) napi_check_object_type_tag(info.Env(), info[0], &kWorldTag, &is_world);
  if (is_world) {
    ToWorld(info[0]).reset();
  } else {
    ToGroupSlot(info[0]).reset();
  }
  return info.Env().Undefined();
}

// distGroupRank(group) / distGroupSize(group)
Napi::Value GroupRank(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(ToGroup(info[0]).rank())); }
Napi::Value GroupSize(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(ToGroup(info[0]).size())); }

// ---- collectives: each returns a Work handle; ranks are group ranks ---------------------------

Napi::Value Barrier(const Napi::CallbackInfo& info) { return WrapWork(info.Env(), ToGroup(info[0]).barrier()); }

// distAllReduce(group, tensor, op)
Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  return WrapWork(info.Env(), ToGroup(info[0]).all_reduce(ToTensor(info[1], "tensor"), ToReduceOp(info[2])));
}

// distReduce(group, tensor, dst, op)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return WrapWork(info.Env(), ToGroup(info[0]).reduce(ToTensor(info[1], "tensor"), ToInt(info[2], "dst"), ToReduceOp(info[3])));
}

// distBroadcast(group, tensor, src)
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  return WrapWork(info.Env(), ToGroup(info[0]).broadcast(ToTensor(info[1], "tensor"), ToInt(info[2], "src")));
}

// distAllGather(group, outputs, input)
Napi::Value AllGather(const Napi::CallbackInfo& info) {
  return WrapWork(info.Env(), ToGroup(info[0]).all_gather(ToTensorList(info[1], "tensorList"), ToTensor(info[2], "tensor")));
}

// distGather(group, input, outputs, dst)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  return WrapWork(info.Env(), ToGroup(info[0]).gather(ToTensor(info[1], "tensor"), ToTensorList(info[2], "gatherList"), ToInt(info[3], "dst")));
}

// distScatter(group, output, inputs, src)
Napi::Value Scatter(const Napi::CallbackInfo& info) {
  return WrapWork(info.Env(), ToGroup(info[0]).scatter(ToTensor(info[1], "tensor"), ToTensorList(info[2], "scatterList"), ToInt(info[3], "src")));
}

// distReduceScatter(group, output, inputs, op)
Napi::Value ReduceScatter(const Napi::CallbackInfo& info) {
  return WrapWork(info.Env(), ToGroup(info[0]).reduce_scatter(ToTensor(info[1], "output"), ToTensorList(info[2], "inputList"), ToReduceOp(info[3])));
}

// distSend(group, tensor, dst, tag) / distRecv(group, tensor, src (-1: any), tag)
Napi::Value Send(const Napi::CallbackInfo& info) {
  return WrapWork(info.Env(), ToGroup(info[0]).send(ToTensor(info[1], "tensor"), ToInt(info[2], "dst"), ToInt(info[3], "tag")));
}
Napi::Value Recv(const Napi::CallbackInfo& info) {
  return WrapWork(info.Env(), ToGroup(info[0]).recv(ToTensor(info[1], "tensor"), ToInt(info[2], "src"), ToInt(info[3], "tag")));
}

// ---- Work ------------------------------------------------------------------------------------

// distWait(work): blocks this thread, as Python's work.wait() does.
Napi::Value Wait(const Napi::CallbackInfo& info) {
  dist::wait(ToWork(info[0]));
  return info.Env().Undefined();
}

// distWaitAsync(work) → Promise<undefined>, waiting on the pool.
Napi::Value WaitAsync(const Napi::CallbackInfo& info) {
  WorkPtr work = ToWork(info[0]);
  return RunOnPool<bool>(
      info.Env(),
      [work]() {
        dist::wait(work);
        return true;
      },
      [](Napi::Env env, bool&) { return env.Undefined(); });
}

Napi::Value IsCompleted(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), ToWork(info[0])->isCompleted()); }

Napi::Value SourceRank(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(dist::source_rank(ToWork(info[0]))));
}

// ---- DistributedDataParallel (lib/nn/parallel/distributed.ts) --------------------------------
// Synchronous, as in Python: the constructor's checks and broadcast, and the bucket rebuild,
// wait for the other ranks on the calling thread.

c10d::Reducer& ToReducer(const Napi::Value& v) { return *UnwrapHandle<ReducerPtr>(v, kReducerTag, "a Reducer handle", "reducer"); }

// distReducer(group, params, expectSparse, bucketCapMb | null, findUnusedParameters, gradientAsBucketView)
Napi::Value MakeReducer(const Napi::CallbackInfo& info) {
  dist::Group& group = ToGroup(info[0]);
  std::vector<at::Tensor> params = ToTensorList(info[1], "params");
  if (!info[2].IsArray()) throw TypeErrorFor(info.Env(), "an array of booleans", "expectSparse", info[2]);
  auto sparse_js = info[2].As<Napi::Array>();
  std::vector<bool> expect_sparse;
  for (uint32_t i = 0; i < sparse_js.Length(); ++i) expect_sparse.push_back(ToBool(sparse_js.Get(i), "expectSparse"));
  dist::ReducerOptions options;
  if (!info[3].IsNull()) options.bucket_cap_mb = ToDouble(info[3], "bucketCapMb");
  options.find_unused_parameters = ToBool(info[4], "findUnusedParameters");
  options.gradient_as_bucket_view = ToBool(info[5], "gradientAsBucketView");
  return WrapHandle(info.Env(), dist::make_reducer(group, std::move(params), std::move(expect_sparse), options), kReducerTag);
}

Napi::Value ReducerPrepareForward(const Napi::CallbackInfo& info) {
  dist::prepare_for_forward(ToReducer(info[0]));
  return info.Env().Undefined();
}

Napi::Value ReducerRebuildBuckets(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), dist::rebuild_buckets(ToReducer(info[0])));
}

Napi::Value ReducerPrepareForBackward(const Napi::CallbackInfo& info) {
  dist::prepare_for_backward(ToReducer(info[0]), ToTensorList(info[1], "outputs"));
  return info.Env().Undefined();
}

Napi::Value VerifyParams(const Napi::CallbackInfo& info) {
  dist::verify_params(ToGroup(info[0]), ToTensorList(info[1], "params"));
  return info.Env().Undefined();
}

// distBroadcastCoalesced(group, tensors, bufferSize, src)
Napi::Value BroadcastCoalesced(const Napi::CallbackInfo& info) {
  dist::broadcast_coalesced(ToGroup(info[0]), ToTensorList(info[1], "tensors"), ToInt(info[2], "bufferSize"), ToInt(info[3], "src"));
  return info.Env().Undefined();
}

}  // namespace

void InitDistributed(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "distAvailable", Available);
  Export(env, exports, "distInit", Init);
  Export(env, exports, "distNewGroup", NewGroup);
  Export(env, exports, "distDestroy", Destroy);
  Export(env, exports, "distGroupRank", GroupRank);
  Export(env, exports, "distGroupSize", GroupSize);
  Export(env, exports, "distBarrier", Barrier);
  Export(env, exports, "distAllReduce", AllReduce);
  Export(env, exports, "distReduce", Reduce);
  Export(env, exports, "distBroadcast", Broadcast);
  Export(env, exports, "distAllGather", AllGather);
  Export(env, exports, "distGather", Gather);
  Export(env, exports, "distScatter", Scatter);
  Export(env, exports, "distReduceScatter", ReduceScatter);
  Export(env, exports, "distSend", Send);
  Export(env, exports, "distRecv", Recv);
  Export(env, exports, "distWait", Wait);
  Export(env, exports, "distWaitAsync", WaitAsync);
  Export(env, exports, "distIsCompleted", IsCompleted);
  Export(env, exports, "distSourceRank", SourceRank);
  Export(env, exports, "distReducer", MakeReducer);
  Export(env, exports, "distReducerPrepareForward", ReducerPrepareForward);
  Export(env, exports, "distReducerRebuildBuckets", ReducerRebuildBuckets);
  Export(env, exports, "distReducerPrepareForBackward", ReducerPrepareForBackward);
  Export(env, exports, "distVerifyParams", VerifyParams);
  Export(env, exports, "distBroadcastCoalesced", BroadcastCoalesced);
}

}  // namespace nodetorch
