#include "core/dtype.h"

#include <stdexcept>

#include "core/error.h"

namespace nodetorch {

namespace {
struct DtypeName {
  const char* name;
  c10::ScalarType type;
};
constexpr DtypeName kDtypes[] = {
    {"float32", c10::kFloat},   {"float64", c10::kDouble},         {"float16", c10::kHalf},
    {"bfloat16", c10::kBFloat16}, {"int64", c10::kLong},           {"int32", c10::kInt},
    {"int16", c10::kShort},     {"int8", c10::kChar},              {"uint8", c10::kByte},
    {"bool", c10::kBool},       {"complex64", c10::kComplexFloat}, {"complex128", c10::kComplexDouble},
};
}  // namespace

c10::ScalarType parse_dtype(const std::string& name) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return d.type;
  }
  throw std::invalid_argument("unknown dtype '" + name + "'");
}

std::string dtype_name(c10::ScalarType type) {
  for (const auto& d : kDtypes) {
    if (type == d.type) return d.name;
  }
  return c10::toString(type);
}

c10::Device parse_device(const std::string& name) {
  c10::Device device(name);
  if (device.is_cuda() && !at::hasCUDA()) {
    throw Error("CUDA_UNAVAILABLE", "CUDA is not available: this nodetorch build links a CPU-only LibTorch " +
                             std::string(NODETORCH_TORCH_ROOT) +
                             " (or no GPU is visible). Use device 'cpu', or build against a CUDA LibTorch.");
  }
  return device;
}

std::string device_name(const c10::Device& device) {
  if (device.is_cpu()) return "cpu";
  return device.str();
}

}  // namespace nodetorch
