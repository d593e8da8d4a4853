// The OpenMP parallel regions a process starts: an LD_PRELOAD wrapper of libgomp's GOMP_parallel,
// which ATen's at::parallel_for, oneDNN and MKL call to start one. At exit it prints how many
// regions ran and the time spent in them, in all and per outlined function (the function's
// offset in its library: addr2line -f -C -e LIBRARY 0xOFFSET names it). bench/RESULTS.md's
// section on parallel regions was measured with it:
//
//   cc -O2 -shared -fPIC -o bench/build/gomp-regions.so bench/gomp-regions.c -ldl
//   LD_PRELOAD=$PWD/bench/build/gomp-regions.so node bench/build/js/bench/ts/workload.js mnist
//     threads=2 seed=0 device=cpu epochs=1 batches=400 testBatches=1 root=bench/build/mnist
// (one command line; OMP_WAIT_POLICY=PASSIVE in front for the bench's setting)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

typedef void (*parallel_fn)(void (*)(void*), void*, unsigned, unsigned);

enum { SLOTS = 256 };
static void* fns[SLOTS];
static unsigned long calls[SLOTS];
static double seconds[SLOTS];
static unsigned long total_calls;
static double total_seconds;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

void GOMP_parallel(void (*fn)(void*), void* data, unsigned threads, unsigned flags) {
  static parallel_fn real;
  if (!real) {
    real = (parallel_fn)dlsym(RTLD_NEXT, "GOMP_parallel");
    // A libgomp loaded with the addon (RTLD_LOCAL) is not in the global scope.
    if (!real) real = (parallel_fn)dlsym(dlopen("libgomp.so.1", RTLD_NOLOAD | RTLD_LAZY), "GOMP_parallel");
  }
  const double start = now();
  real(fn, data, threads, flags);
  const double spent = now() - start;
  total_calls++;
  total_seconds += spent;
  for (int i = 0; i < SLOTS; i++) {
    if (fns[i] == NULL) fns[i] = (void*)fn;
    if (fns[i] == (void*)fn) {
      calls[i]++;
      seconds[i] += spent;
      break;
    }
  }
}

__attribute__((destructor)) static void report(void) {
  fprintf(stderr, "%lu parallel regions, %.3f s in them\n", total_calls, total_seconds);
  for (int i = 0; i < SLOTS && fns[i] != NULL; i++) {
    Dl_info info;
    if (!dladdr(fns[i], &info)) continue;
    fprintf(stderr, "%10lu %10.3f ms  %s 0x%lx\n", calls[i], seconds[i] * 1e3, info.dli_fname,
            (unsigned long)((char*)fns[i] - (char*)info.dli_fbase));
  }
}
