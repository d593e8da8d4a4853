#include "core/config.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <link.h>
#include <torch/version.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>
#include <utility>

#include "core/error.h"

namespace nodetorch {

namespace {

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : path;
}

std::string real_dir(const std::string& file) {
  std::string resolved = real_path(file);
  auto slash = resolved.rfind('/');
  return slash == std::string::npos ? resolved : resolved.substr(0, slash);
}

bool is_torch_library(const std::string& path) {
  auto slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return base.rfind("libtorch", 0) == 0 || base.rfind("libc10", 0) == 0;
}

}  // namespace

int physical_cores() {
  std::set<std::pair<int, int>> cores;
  for (int cpu = 0;; ++cpu) {
    std::string base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    std::ifstream core_file(base + "core_id"), package_file(base + "physical_package_id");
    int core = 0, package = 0;
    if (!(core_file >> core)) break;
    package_file >> package;
    cores.insert({package, core});
  }
  if (!cores.empty()) return static_cast<int>(cores.size());
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::vector<std::string> loaded_torch_libraries() {
  std::vector<std::string> found;
  dl_iterate_phdr(
      [](struct dl_phdr_info* info, size_t, void* data) {
        auto* out = static_cast<std::vector<std::string>*>(data);
        if (info->dlpi_name && is_torch_library(info->dlpi_name)) {
          char buf[PATH_MAX];
          out->push_back(realpath(info->dlpi_name, buf) ? std::string(buf) : std::string(info->dlpi_name));
        }
        return 0;
      },
      &found);
  return found;
}

void check_library_roots(const std::string& expected_dir) {
  std::string expected = real_path(expected_dir);
  std::string strays;
  for (const auto& lib : loaded_torch_libraries()) {
    if (real_dir(lib) != expected) strays += "\n  " + lib;
  }
  if (!strays.empty()) {
    throw Error("LIBTORCH_MISMATCH", "nodetorch was built for the LibTorch in " + expected +
                                         " but these LibTorch libraries come from elsewhere:" + strays +
                                         "\nLoad one LibTorch only: unset LD_LIBRARY_PATH/LD_PRELOAD entries "
                                         "pointing at another LibTorch, or rebuild with LIBTORCH=<root>.");
  }
}

Config config() {
  Config c;
  c.libtorch_version = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                       std::to_string(TORCH_VERSION_PATCH);
#ifdef NODETORCH_CUDA
  c.cuda_compiled = true;
#else
  c.cuda_compiled = false;
#endif
  c.cuda_available = at::hasCUDA();
  c.cuda_device_count = c.cuda_available ? static_cast<int>(at::getNumGPUs()) : 0;
  c.root = NODETORCH_TORCH_ROOT;
  auto libs = loaded_torch_libraries();
  c.lib_dir = libs.empty() ? std::string(NODETORCH_TORCH_LIB_DIR) : real_dir(libs.front());
  c.num_threads = at::get_num_threads();
  return c;
}

}  // namespace nodetorch
