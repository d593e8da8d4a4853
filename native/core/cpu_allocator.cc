#include "cpu_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <sys/mman.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace nodetorch {
namespace {

constexpr size_t kMinCachedBytes = size_t(64) << 10;
constexpr size_t kMaxCachedBytes = size_t(512) << 20;
constexpr size_t kPage = 4096;
// A free block that no allocation needed for a whole trim period goes back to the system. A
// period is at least this many blocks given back and at least this long.
constexpr uint64_t kTrimGives = 1024;
constexpr auto kTrimInterval = std::chrono::seconds(1);

// Refuses as c10::alloc_cpu does, in its words, naming the size asked for.
[[noreturn]] void OutOfMemory(size_t n, int err) {
  TORCH_CHECK(false, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ", n, " bytes. Error code ", err,
              " (", std::strerror(err), ")");
}

// Blocks of cached sizes are page mappings of their own, not glibc's: unmapping one returns its
// pages to the system at once, and glibc's mmap threshold, which rises with every large block
// it frees, never moves them into its heap, where a free block in the middle keeps its pages.
void* MapBlock(size_t size, size_t n) {
#ifdef _WIN32
  void* p = VirtualAlloc(nullptr, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (p == nullptr) OutOfMemory(n, ENOMEM);
#else
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) OutOfMemory(n, errno);
#endif
  return p;
}

void UnmapBlock(void* p, size_t size) {
#ifdef _WIN32
  (void)size;
  VirtualFree(p, 0, MEM_RELEASE);
#else
  munmap(p, size);
#endif
}

// Blocks of uncached sizes come from glibc's malloc, aligned to c10's 64 bytes by hand, with
// the pointer malloc gave just below the block. posix_memalign, which c10::alloc_cpu calls,
// skips glibc's per-thread cache: each small tensor then took its block from the arena's bins,
// split it and freed the pieces, and the blocks it gave back filled cache lists nothing took from.
constexpr size_t kAlignment = 64;

void* TakeSmall(size_t n) {
  if (n == 0) return nullptr;
  void* raw = std::malloc(n + kAlignment);
  if (raw == nullptr) OutOfMemory(n, ENOMEM);
  const uintptr_t block = (reinterpret_cast<uintptr_t>(raw) + kAlignment) & ~uintptr_t(kAlignment - 1);
  reinterpret_cast<void**>(block)[-1] = raw;
  return reinterpret_cast<void*>(block);
}

void FreeSmall(void* p) {
  if (p != nullptr) std::free(static_cast<void**>(p)[-1]);
}

struct Block {
  void* p;
  size_t size;
};

void Unmap(const std::vector<Block>& blocks) {
  for (const Block& b : blocks) UnmapBlock(b.p, b.size);
}

// Free blocks by (page-rounded) size (only sizes that have some; a size's last use is when a
// block of it was last given back), and the size of every block handed out from here.
//
// Tensors die at garbage collections, so a collection that comes late frees more blocks of a
// size at once than a step needs; kept for good, they would hold the process's RSS at its
// highest point. Each size counts the fewest free blocks it held during the current trim
// period (its low water): that many were never needed in the period, and go back at its end.
class BlockCache {
 public:
  void* Take(size_t n) {
    if (n < kMinCachedBytes) return TakeSmall(n);
    if (n > std::numeric_limits<size_t>::max() - kPage) OutOfMemory(n, ENOMEM);
    const size_t size = (n + kPage - 1) / kPage * kPage;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end()) {
        Bucket& bucket = it->second;
        void* p = bucket.blocks.back();
        bucket.blocks.pop_back();
        bucket.low = std::min(bucket.low, bucket.blocks.size());
        if (bucket.blocks.empty()) free_.erase(it);  // only sizes with free blocks stay listed
        cached_bytes_ -= size;
        sizes_[p] = size;
        hits_ += 1;
        return p;
      }
      misses_ += 1;
    }
    void* p = MapBlock(size, n);
    std::lock_guard<std::mutex> lock(mutex_);
    sizes_[p] = size;
    return p;
  }

  void Give(void* p) {
    std::vector<Block> released;
    bool ours = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = sizes_.find(p);
      if (it != sizes_.end()) {
        ours = true;
        const size_t size = it->second;
        sizes_.erase(it);
        if (size > kMaxCachedBytes) {
          released.push_back({p, size});
        } else {
          // Over the bound: drop the size classes used longest ago (never this one's blocks).
          while (cached_bytes_ + size > kMaxCachedBytes) EvictOldest(size, released);
          Bucket& bucket = free_[size];  // a size new to the list held none at the period's start: low 0
          bucket.blocks.push_back(p);
          bucket.last_used = ++clock_;
          cached_bytes_ += size;
          if (++gives_ >= kTrimGives) MaybeTrim(released);
        }
      }
    }
    if (!ours) FreeSmall(p);  // a block of an uncached size
    Unmap(released);
  }

  CpuCacheStats Stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {static_cast<int64_t>(cached_bytes_), hits_, misses_};
  }

  void Empty() {
    std::vector<Block> released;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& [size, bucket] : free_) {
        for (void* q : bucket.blocks) released.push_back({q, size});
      }
      free_.clear();
      cached_bytes_ = 0;
    }
    Unmap(released);
  }

 private:
  struct Bucket {
    std::vector<void*> blocks;  // a stack: the bottom ones have waited longest
    uint64_t last_used = 0;
    size_t low = 0;  // the fewest blocks held since the trim period began
  };

  void EvictOldest(size_t keep, std::vector<Block>& out) {
    auto oldest = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->first != keep && (oldest == free_.end() || it->second.last_used < oldest->second.last_used)) oldest = it;
    }
    if (oldest == free_.end()) oldest = free_.find(keep);  // only this size is cached
    Bucket& bucket = oldest->second;
    out.push_back({bucket.blocks.back(), oldest->first});
    bucket.blocks.pop_back();
    bucket.low = std::min(bucket.low, bucket.blocks.size());
    cached_bytes_ -= oldest->first;
    if (bucket.blocks.empty()) free_.erase(oldest);
  }

  // Ends the trim period once it is long enough: each size gives back the blocks at the bottom
  // of its stack that no allocation reached in the period.
  void MaybeTrim(std::vector<Block>& out) {
    const auto now = std::chrono::steady_clock::now();
    if (now - period_start_ < kTrimInterval) return;
    period_start_ = now;
    gives_ = 0;
    for (auto it = free_.begin(); it != free_.end();) {
      Bucket& bucket = it->second;
      const auto unused = static_cast<std::ptrdiff_t>(bucket.low);
      for (auto b = bucket.blocks.begin(); b != bucket.blocks.begin() + unused; ++b) out.push_back({*b, it->first});
      bucket.blocks.erase(bucket.blocks.begin(), bucket.blocks.begin() + unused);
      cached_bytes_ -= bucket.low * it->first;
      bucket.low = bucket.blocks.size();
      it = bucket.blocks.empty() ? free_.erase(it) : std::next(it);
    }
  }

  std::mutex mutex_;
  std::unordered_map<size_t, Bucket> free_;
  std::unordered_map<void*, size_t> sizes_;
  size_t cached_bytes_ = 0;
  uint64_t clock_ = 0;
  uint64_t gives_ = 0;  // blocks given back in this trim period
  std::chrono::steady_clock::time_point period_start_ = std::chrono::steady_clock::now();
  int64_t hits_ = 0;
  int64_t misses_ = 0;
};

// Never destroyed: tensors may still be freed while the process exits.
BlockCache& cache() {
  static BlockCache* const c = new BlockCache();
  return *c;
}

void Free(void* p) { cache().Give(p); }

// LibTorch 2.3 made Allocator::allocate non-const and added copy_data.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define NODETORCH_ALLOCATE_CONST
#define NODETORCH_ALLOCATOR_COPY_DATA 1
#else
#define NODETORCH_ALLOCATE_CONST const
#define NODETORCH_ALLOCATOR_COPY_DATA 0
#endif

class CachingCpuAllocator final : public at::Allocator {
 public:
  // A block of an uncached size goes straight back to the C allocator when its tensor dies
  // (no lock or lookup: a small op's result is one of these).
  at::DataPtr allocate(size_t n) NODETORCH_ALLOCATE_CONST override {
    void* p = cache().Take(n);
    return {p, p, n < kMinCachedBytes ? &FreeSmall : &Free, at::Device(at::DeviceType::CPU)};
  }
  // Free takes any block from Take, cached size or not: raw_allocate/raw_deallocate work.
  at::DeleterFnPtr raw_deleter() const override { return &Free; }
#if NODETORCH_ALLOCATOR_COPY_DATA
  void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }
#endif
};

}  // namespace

void install_cpu_allocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* env = std::getenv("NODETORCH_CPU_CACHE");
    if (env != nullptr && std::strcmp(env, "0") == 0) return;
    static CachingCpuAllocator* const allocator = new CachingCpuAllocator();
    c10::SetCPUAllocator(allocator, /*priority=*/1);
  });
}

CpuCacheStats cpu_cache_stats() { return cache().Stats(); }

void empty_cpu_cache() { cache().Empty(); }

}  // namespace nodetorch
