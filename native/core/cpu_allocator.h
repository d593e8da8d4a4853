// The CPU allocator nodetorch installs in LibTorch: it keeps freed large blocks for reuse.
#pragma once
#include <cstdint>

namespace nodetorch {

// Makes LibTorch's CPU tensors come from a caching allocator (once per process; not when the
// environment sets NODETORCH_CPU_CACHE=0). Tensors here die at garbage collections, in batches
// and at any point of a training step, not in the order Python's reference counting frees them,
// and glibc's heap then fragments: a synchronous loop's RSS crept ~15% over 300 batches of the
// MNIST example. A training loop asks for the same sizes every step, so freed blocks of at least
// 64 KiB are kept by size and handed out again. They are page mappings of their own, so what
// goes back returns its memory to the system: a kept block that no allocation needed for a
// whole trim period (at least 1,024 blocks given back and a second), and past 512 MiB kept,
// the sizes used longest ago. Smaller blocks come from malloc, which keeps recently freed
// blocks of a size per thread for the next ask (posix_memalign, c10's way, does not).
void install_cpu_allocator();

struct CpuCacheStats {
  int64_t cached_bytes;  // free blocks held for reuse
  int64_t hits;          // allocations served from them
  int64_t misses;        // allocations of 64 KiB or more that needed a new block
};
CpuCacheStats cpu_cache_stats();

// Returns every cached block to the system.
void empty_cpu_cache();

}  // namespace nodetorch
