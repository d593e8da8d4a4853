#include "core/distributed.h"

// ProcessGroupGloo.hpp declares its class only where LibTorch was built with Gloo, which its own
// build says with this macro; both supported LibTorch builds carry Gloo in libtorch_cpu.
#define USE_C10D_GLOO 1
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/version.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/message.h"

namespace nodetorch::dist {

namespace {

// Failures to reach or hear from peers (connection lost, timeouts, a store that never fills)
// become DIST_ERROR; LibTorch refusing a call's arguments stays a plain LibTorch error.
template <typename F>
auto communicating(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Error("DIST_ERROR", clean_message(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw Error("DIST_ERROR", clean_message(e.what()));
  }
}

constexpr const char* kBarrierPrefix = "store_based_barrier_key";  // Python's STORE_BASED_BARRIER_PREFIX

c10d::ReduceOp to_c10d(ReduceOp op) { return c10d::ReduceOp(static_cast<c10d::ReduceOp::RedOpType>(op)); }

StorePtr prefixed(const std::string& prefix, StorePtr store) {
  return c10::make_intrusive<c10d::PrefixStore>(prefix, std::move(store));
}

// Python's ProcessGroupGloo(store, rank, size, timeout) constructor (torch/csrc/distributed/c10d/init.cpp):
// one device per interface in GLOO_SOCKET_IFNAME, else the one the hostname resolves to.
c10::intrusive_ptr<c10d::ProcessGroupGloo> make_gloo(const StorePtr& store, int64_t rank, int64_t size, Millis timeout) {
  auto options = c10d::ProcessGroupGloo::Options::create();
  const char* ifnames = std::getenv("GLOO_SOCKET_IFNAME");
  if (ifnames != nullptr && std::strlen(ifnames) > 1) {
    std::stringstream list(ifnames);
    std::string iface;
    while (std::getline(list, iface, ',')) options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
  } else {
    options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  options->timeout = timeout;
  options->threads = static_cast<int>(options->devices.size() * 2);
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, static_cast<int>(rank), static_cast<int>(size), options);
}

#if TORCH_VERSION_MAJOR >= 2
// 2.x's _store_based_barrier: check in, then wait for the last rank to announce itself.
void store_based_barrier(c10d::Store& store, const std::string& group_name, int64_t world_size, Millis timeout) {
  std::string key = std::string(kBarrierPrefix) + ":" + group_name;
  std::string last_worker = key + ":last_worker";
  store.add(key, 1);
  if (store.add(key, 0) == world_size) store.set(last_worker, std::vector<uint8_t>{'1'});
  store.wait({last_worker}, timeout);
}
#else
// 1.13's _store_based_barrier: check in under the group count, then poll the count.
void store_based_barrier(c10d::Store& store, int64_t group_count, int64_t world_size, Millis timeout) {
  std::string key = std::string(kBarrierPrefix) + ":" + std::to_string(group_count);
  store.add(key, 1);
  auto start = std::chrono::steady_clock::now();
  int64_t count = store.add(key, 0);
  while (count != world_size) {
    std::this_thread::sleep_for(Millis(10));
    count = store.add(key, 0);
    if (std::chrono::steady_clock::now() - start > timeout) {
      throw Error("DIST_ERROR", "Timed out initializing process group in store based barrier for key: " + key +
                                      " (world_size=" + std::to_string(world_size) +
                                      ", worker_count=" + std::to_string(count) + ")");
    }
  }
}
#endif

// 2.x's _new_process_group_helper: a ProcessGroup over the group's store, the one Gloo backend
// registered for every device Gloo serves (cpu and cuda), Gloo the default.
#if TORCH_VERSION_MAJOR >= 2
c10::intrusive_ptr<c10d::ProcessGroup> wrap(const c10::intrusive_ptr<c10d::ProcessGroupGloo>& gloo, const StorePtr& store) {
  auto pg = c10::make_intrusive<c10d::ProcessGroup>(store, gloo->getRank(), gloo->getSize());
  for (auto device : {c10::DeviceType::CPU, c10::DeviceType::CUDA}) pg->setBackend(device, c10d::ProcessGroup::BackendType::GLOO, gloo);
  pg->setDefaultBackend(c10d::ProcessGroup::BackendType::GLOO);
  return pg;
}
#else
c10::intrusive_ptr<c10d::ProcessGroup> wrap(const c10::intrusive_ptr<c10d::ProcessGroupGloo>& gloo, const StorePtr&) { return gloo; }
#endif

class GlooGroup final : public Group {
 public:
  GlooGroup(c10::intrusive_ptr<c10d::ProcessGroupGloo> pg, const StorePtr& store) : pg_(std::move(pg)), wrapped_(wrap(pg_, store)) {}
  c10::intrusive_ptr<c10d::ProcessGroup> process_group() const override { return wrapped_; }
  int64_t rank() const override { return pg_->getRank(); }
  int64_t size() const override { return pg_->getSize(); }

  WorkPtr barrier() override { return pg_->barrier(c10d::BarrierOptions()); }
  WorkPtr all_reduce(const at::Tensor& tensor, ReduceOp op) override {
    std::vector<at::Tensor> tensors{tensor};
    c10d::AllreduceOptions opts;
    opts.reduceOp = to_c10d(op);
    return pg_->allreduce(tensors, opts);
  }
  WorkPtr reduce(const at::Tensor& tensor, int64_t dst, ReduceOp op) override {
    std::vector<at::Tensor> tensors{tensor};
    c10d::ReduceOptions opts;
    opts.reduceOp = to_c10d(op);
    opts.rootRank = dst;
    return pg_->reduce(tensors, opts);
  }
  WorkPtr broadcast(const at::Tensor& tensor, int64_t src) override {
    std::vector<at::Tensor> tensors{tensor};
    c10d::BroadcastOptions opts;
    opts.rootRank = src;
    return pg_->broadcast(tensors, opts);
  }
  WorkPtr all_gather(const std::vector<at::Tensor>& outputs, const at::Tensor& input) override {
    std::vector<std::vector<at::Tensor>> out{outputs};
    std::vector<at::Tensor> in{input};
    return pg_->allgather(out, in, c10d::AllgatherOptions());
  }
  WorkPtr gather(const at::Tensor& input, const std::vector<at::Tensor>& outputs, int64_t dst) override {
    std::vector<std::vector<at::Tensor>> out;
    if (rank() == dst) out.push_back(outputs);
    std::vector<at::Tensor> in{input};
    c10d::GatherOptions opts;
    opts.rootRank = dst;
    return pg_->gather(out, in, opts);
  }
  WorkPtr scatter(const at::Tensor& output, const std::vector<at::Tensor>& inputs, int64_t src) override {
    std::vector<at::Tensor> out{output};
    std::vector<std::vector<at::Tensor>> in;
    if (rank() == src) in.push_back(inputs);
    c10d::ScatterOptions opts;
    opts.rootRank = src;
    return pg_->scatter(out, in, opts);
  }
  WorkPtr reduce_scatter(const at::Tensor& output, const std::vector<at::Tensor>& inputs, ReduceOp op) override {
    std::vector<at::Tensor> out{output};
    std::vector<std::vector<at::Tensor>> in{inputs};
    c10d::ReduceScatterOptions opts;
    opts.reduceOp = to_c10d(op);
    return pg_->reduce_scatter(out, in, opts);
  }
  WorkPtr send(const at::Tensor& tensor, int64_t dst, int64_t tag) override {
    std::vector<at::Tensor> tensors{tensor};
    return pg_->send(tensors, static_cast<int>(dst), static_cast<int>(tag));
  }
  WorkPtr recv(const at::Tensor& tensor, int64_t src, int64_t tag) override {
    std::vector<at::Tensor> tensors{tensor};
    if (src < 0) return pg_->recvAnysource(tensors, static_cast<int>(tag));
    return pg_->recv(tensors, static_cast<int>(src), static_cast<int>(tag));
  }

 private:
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg_;
  c10::intrusive_ptr<c10d::ProcessGroup> wrapped_;
};

}  // namespace

StorePtr tcp_store(const std::string& host, int port, int64_t world_size, bool is_server, Millis timeout) {
  // Python's _create_c10d_store: a multi-tenant store that waits for every worker.
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<std::uint16_t>(port);
  opts.isServer = is_server;
  opts.numWorkers = static_cast<std::size_t>(world_size);
  opts.waitWorkers = true;
  opts.timeout = timeout;
  opts.multiTenant = true;
  return communicating([&]() -> StorePtr { return c10::make_intrusive<c10d::TCPStore>(host, opts); });
}

StorePtr file_store(const std::string& path, int64_t world_size) {
  return communicating([&]() -> StorePtr { return c10::make_intrusive<c10d::FileStore>(path, static_cast<int>(world_size)); });
}

std::shared_ptr<World> make_world(StorePtr rendezvous, int64_t rank, int64_t size, Millis timeout) {
  // init_process_group: store.set_timeout(timeout), then "Use a PrefixStore to avoid accidental
  // overrides of keys used by different systems (e.g. RPC) in case the store is multi-tenant."
  rendezvous->setTimeout(timeout);
  auto world = std::make_shared<World>();
  world->store = prefixed("default_pg", std::move(rendezvous));
  world->rank = rank;
  world->size = size;
  return world;
}

std::string next_group_name(World& world) { return std::to_string(world.group_count++); }

namespace {

GroupPtr create_group_now(const World& world, const std::string& name, const std::vector<int64_t>& ranks, Millis timeout) {
  bool whole = ranks.empty();
  int64_t group_rank = world.rank;
  int64_t group_size = world.size;
  if (!whole) {
    auto it = std::find(ranks.begin(), ranks.end(), world.rank);
    group_rank = it == ranks.end() ? -1 : static_cast<int64_t>(it - ranks.begin());
    group_size = static_cast<int64_t>(ranks.size());
  }
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  StorePtr store;
#if TORCH_VERSION_MAJOR >= 2
  // 2.x: the group's store is "<name>/" then the device's "cpu/" under default_pg; the
  // sequence number is set at creation; a barrier follows only with TORCH_DIST_INIT_BARRIER=1.
  if (group_rank >= 0) {
    store = prefixed(name + "/", world.store);
    pg = make_gloo(prefixed("cpu/", store), group_rank, group_size, timeout);
    pg->setSequenceNumberForGroup();
  }
  const char* init_barrier = std::getenv("TORCH_DIST_INIT_BARRIER");
  if (init_barrier != nullptr && std::atoi(init_barrier) == 1) store_based_barrier(*world.store, name, world.size, timeout);
#else
  // 1.13: the group's store is "<name>" under default_pg; every rank of the world then meets in
  // a store-based barrier keyed by the group count, after which members set sequence numbers.
  if (group_rank >= 0) pg = make_gloo(store = prefixed(name, world.store), group_rank, group_size, timeout);
  store_based_barrier(*world.store, std::stoll(name) + 1, world.size, timeout);
  if (pg) pg->setSequenceNumberForGroup();
#endif
  if (!pg) return nullptr;
  return std::make_shared<GlooGroup>(std::move(pg), store);
}

}  // namespace

GroupPtr create_group(const World& world, const std::string& name, const std::vector<int64_t>& ranks, Millis timeout) {
  return communicating([&] { return create_group_now(world, name, ranks, timeout); });
}

void wait(const WorkPtr& work) {
  communicating([&] { work->wait(); });
}

int64_t source_rank(const WorkPtr& work) { return work->sourceRank(); }

bool gloo_available() { return true; }

// ProcessGroupNCCL is compiled only into CUDA LibTorch builds; nodetorch binds none yet.
bool nccl_available() { return false; }

}  // namespace nodetorch::dist
