#include "bindings/config.h"

#include <ATen/Parallel.h>

#include "bindings/common.h"
#include "core/config.h"
#include "core/cpu_allocator.h"
#include "core/cpu_kernels.h"

namespace nodetorch {

namespace {

Napi::Value GetConfig(const Napi::CallbackInfo& info) {
  auto c = config();
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("libtorchVersion", c.libtorch_version);
  out.Set("cuda", c.cuda_compiled);
  out.Set("cudaAvailable", c.cuda_available);
  out.Set("cudaDeviceCount", c.cuda_device_count);
  out.Set("root", c.root);
  out.Set("libDir", c.lib_dir);
  out.Set("numThreads", c.num_threads);
  return out;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(static_cast<int>(ToInt(info[0], "n")));
  return info.Env().Undefined();
}

Napi::Value PhysicalCores(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), physical_cores()); }

// checkLibraries(expectedLibDir): throws LIBTORCH_MISMATCH when two LibTorch copies are loaded.
Napi::Value CheckLibraries(const Napi::CallbackInfo& info) {
  check_library_roots(ToString(info[0], "libDir"));
  return info.Env().Undefined();
}

// The CPU caching allocator's figures (core/cpu_allocator.h).
Napi::Value GetCpuCacheStats(const Napi::CallbackInfo& info) {
  auto s = cpu_cache_stats();
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("cachedBytes", static_cast<double>(s.cached_bytes));
  out.Set("hits", static_cast<double>(s.hits));
  out.Set("misses", static_cast<double>(s.misses));
  return out;
}

Napi::Value EmptyCpuCache(const Napi::CallbackInfo& info) {
  empty_cpu_cache();
  return info.Env().Undefined();
}

}  // namespace

void InitConfig(Napi::Env env, Napi::Object exports) {
  install_cpu_allocator();
  install_cpu_kernels();
  Export(env, exports, "config", GetConfig);
  Export(env, exports, "setNumThreads", SetNumThreads);
  Export(env, exports, "physicalCores", PhysicalCores);
  Export(env, exports, "checkLibraries", CheckLibraries);
  Export(env, exports, "cpuCacheStats", GetCpuCacheStats);
  Export(env, exports, "emptyCpuCache", EmptyCpuCache);
}

}  // namespace nodetorch
