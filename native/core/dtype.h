// Names shared with TypeScript: dtype strings ('float32', …) and device strings ('cpu', 'cuda:0').
#pragma once
#include <ATen/ATen.h>
#include <string>

namespace nodetorch {

// Throws std::invalid_argument for an unknown name; TypeScript validates first, so this
// only guards against a binding called directly.
c10::ScalarType parse_dtype(const std::string& name);
std::string dtype_name(c10::ScalarType type);

// 'cpu', 'cuda', 'cuda:N'. CUDA devices are refused when CUDA is unavailable, with one message.
c10::Device parse_device(const std::string& name);
std::string device_name(const c10::Device& device);

}  // namespace nodetorch
