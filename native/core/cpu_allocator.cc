#include "cpu_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <torch/version.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace nodetorch {
namespace {

constexpr size_t kMinCachedBytes = size_t(64) << 10;
constexpr size_t kMaxCachedBytes = size_t(512) << 20;
constexpr size_t kPage = 4096;

// Free blocks by (page-rounded) size (only sizes that have some; a size's last use is when a
// block of it was last given back), and the size of every block handed out from here.
class BlockCache {
 public:
  void* Take(size_t n) {
    if (n < kMinCachedBytes) return c10::alloc_cpu(n);
    const size_t size = (n + kPage - 1) / kPage * kPage;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end()) {
        void* p = it->second.blocks.back();
        it->second.blocks.pop_back();
        if (it->second.blocks.empty()) free_.erase(it);  // only sizes with free blocks stay listed
        cached_bytes_ -= size;
        sizes_[p] = size;
        hits_ += 1;
        return p;
      }
      misses_ += 1;
    }
    void* p = c10::alloc_cpu(size);
    std::lock_guard<std::mutex> lock(mutex_);
    sizes_[p] = size;
    return p;
  }

  void Give(void* p) {
    std::vector<void*> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = sizes_.find(p);
      if (it != sizes_.end()) {
        const size_t size = it->second;
        sizes_.erase(it);
        if (size <= kMaxCachedBytes) {
          // Over the bound: drop the size classes used longest ago (never this one's blocks).
          while (cached_bytes_ + size > kMaxCachedBytes) EvictOldest(size, evicted);
          Bucket& bucket = free_[size];
          bucket.blocks.push_back(p);
          bucket.last_used = ++clock_;
          cached_bytes_ += size;
          p = nullptr;
        }
      }
    }
    for (void* q : evicted) c10::free_cpu(q);
    if (p != nullptr) c10::free_cpu(p);
  }

  CpuCacheStats Stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {static_cast<int64_t>(cached_bytes_), hits_, misses_};
  }

  void Empty() {
    std::vector<void*> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& [size, bucket] : free_) evicted.insert(evicted.end(), bucket.blocks.begin(), bucket.blocks.end());
      free_.clear();
      cached_bytes_ = 0;
    }
    for (void* q : evicted) c10::free_cpu(q);
  }

 private:
  struct Bucket {
    std::vector<void*> blocks;
    uint64_t last_used = 0;
  };

  void EvictOldest(size_t keep, std::vector<void*>& out) {
    auto oldest = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->first != keep && (oldest == free_.end() || it->second.last_used < oldest->second.last_used)) oldest = it;
    }
    if (oldest == free_.end()) oldest = free_.find(keep);  // only this size is cached
    Bucket& bucket = oldest->second;
    out.push_back(bucket.blocks.back());
    bucket.blocks.pop_back();
    cached_bytes_ -= oldest->first;
    if (bucket.blocks.empty()) free_.erase(oldest);
  }

  std::mutex mutex_;
  std::unordered_map<size_t, Bucket> free_;
  std::unordered_map<void*, size_t> sizes_;
  size_t cached_bytes_ = 0;
  uint64_t clock_ = 0;
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
    return {p, p, n < kMinCachedBytes ? &c10::free_cpu : &Free, at::Device(at::DeviceType::CPU)};
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
