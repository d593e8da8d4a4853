// Facts about the LibTorch this process runs on, and the process-wide settings nodetorch makes.
#pragma once
#include <string>
#include <vector>

namespace nodetorch {

struct Config {
  std::string libtorch_version;  // the headers the addon was compiled with, e.g. "2.13.0"
  bool cuda_compiled;            // linked against a CUDA LibTorch
  bool cuda_available;           // ... and a GPU is usable now
  int cuda_device_count;
  std::string root;              // the LibTorch root chosen at build time
  std::string lib_dir;           // the directory its libraries were loaded from
  int num_threads;
};

Config config();

// Physical cores (not hyper-threads), as PyTorch Python uses for its intra-op pool.
int physical_cores();

// Throws nodetorch::Error("LIBTORCH_MISMATCH") when the LibTorch libraries mapped into this
// process do not all come from `expected_dir`: two LibTorch copies in one process abort later
// in ways no message explains.
void check_library_roots(const std::string& expected_dir);

// The LibTorch libraries mapped into this process (libtorch*.so, libc10*.so), resolved paths.
std::vector<std::string> loaded_torch_libraries();

}  // namespace nodetorch
