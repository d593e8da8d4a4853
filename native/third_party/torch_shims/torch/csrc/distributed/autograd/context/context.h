// Stands in for LibTorch's distributed-autograd context header, which Debian's LibTorch 1.13
// leaves out although its c10d/reducer.hpp includes it. The Reducer needs two names from it: the
// shared-pointer type of a member that only distributed autograd (RPC) uses, which nodetorch
// never sets (a shared_ptr's layout does not depend on its pointee), and the gradient-callback
// type its header checks its own against. Nothing of the class's layout or code is used. Used
// only where the real header is missing (CMakeLists.txt).
#pragma once
#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};
using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
