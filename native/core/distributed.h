// torch.distributed over LibTorch's c10d: rendezvous stores (TCPStore, FileStore) and Gloo
// process groups, created with the same store layout, prefixes and handshakes as this LibTorch
// version's torch/distributed/distributed_c10d.py, so that Python ranks and nodetorch ranks can
// share one process group. Every call here may block (network, peers); callers that must not
// block run them on a worker thread. Failing to reach or hear from peers (lost connections,
// timeouts, rendezvous) throws nodetorch::Error with code DIST_ERROR; LibTorch refusing a call
// (an op Gloo lacks, mismatched tensors) throws its own c10::Error.
#pragma once
#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nodetorch::dist {

using StorePtr = c10::intrusive_ptr<c10d::Store>;
using WorkPtr = c10::intrusive_ptr<c10d::Work>;
using Millis = std::chrono::milliseconds;

// c10d::ReduceOp's members that Python exposes (PREMUL_SUM aside), with c10d's values.
enum class ReduceOp { SUM = 0, AVG = 1, PRODUCT = 2, MIN = 3, MAX = 4, BAND = 5, BOR = 6, BXOR = 7 };

// Python's rendezvous stores. `tcp_store` connects (and, on the server, waits for
// `world_size` clients) before it returns.
StorePtr tcp_store(const std::string& host, int port, int64_t world_size, bool is_server, Millis timeout);
StorePtr file_store(const std::string& path, int64_t world_size);

// The state init_process_group leaves in Python's `_world`: the store every group is made
// from (under the "default_pg" prefix) and the count that names groups "0", "1", ….
struct World {
  StorePtr store;
  int64_t rank;
  int64_t size;
  int64_t group_count = 0;
};

class Group;
using GroupPtr = std::shared_ptr<Group>;

// `timeout` bounds every later store operation (Python's store.set_timeout).
std::shared_ptr<World> make_world(StorePtr rendezvous, int64_t rank, int64_t size, Millis timeout);

// Python's _process_group_name for a group without an explicit name. Called on the JS thread,
// in program order, so that every rank names its groups alike.
std::string next_group_name(World& world);

// _new_process_group_helper plus what init_process_group/new_group do after it (store-based
// barrier, sequence numbers), for this LibTorch's Python. `ranks` are the group's global ranks
// (empty: the whole world). Every rank of the world calls it; a rank outside `ranks` gets null.
GroupPtr create_group(const World& world, const std::string& name, const std::vector<int64_t>& ranks, Millis timeout);

// A Gloo process group. Ranks passed here are group ranks.
class Group {
 public:
  virtual ~Group() = default;
  virtual int64_t rank() const = 0;
  virtual int64_t size() const = 0;
  virtual WorkPtr barrier() = 0;
  virtual WorkPtr all_reduce(const at::Tensor& tensor, ReduceOp op) = 0;
  virtual WorkPtr reduce(const at::Tensor& tensor, int64_t dst, ReduceOp op) = 0;
  virtual WorkPtr broadcast(const at::Tensor& tensor, int64_t src) = 0;
  virtual WorkPtr all_gather(const std::vector<at::Tensor>& outputs, const at::Tensor& input) = 0;
  // `outputs` only on `dst`, `inputs` only on `src` (empty elsewhere), as Python passes them.
  virtual WorkPtr gather(const at::Tensor& input, const std::vector<at::Tensor>& outputs, int64_t dst) = 0;
  virtual WorkPtr scatter(const at::Tensor& output, const std::vector<at::Tensor>& inputs, int64_t src) = 0;
  virtual WorkPtr reduce_scatter(const at::Tensor& output, const std::vector<at::Tensor>& inputs, ReduceOp op) = 0;
  virtual WorkPtr send(const at::Tensor& tensor, int64_t dst, int64_t tag) = 0;
  // src < 0: from any rank (Work::sourceRank() names it once done).
  virtual WorkPtr recv(const at::Tensor& tensor, int64_t src, int64_t tag) = 0;
  // The group as c10d's own code takes it (the Reducer, broadcast_coalesced): in 2.x a
  // ProcessGroup with the Gloo backend registered for CPU and CUDA, as Python builds it.
  virtual c10::intrusive_ptr<c10d::ProcessGroup> process_group() const = 0;
};

// Waits for `work` (without a limit of its own: the group's timeout bounds every collective)
// and rethrows its error.
void wait(const WorkPtr& work);
// The rank a finished receive came from.
int64_t source_rank(const WorkPtr& work);

// Whether this LibTorch was built with Gloo / NCCL (c10d itself is always present here).
bool gloo_available();
bool nccl_available();

}  // namespace nodetorch::dist
