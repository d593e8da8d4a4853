// Errors raised by nodetorch's own C++ (as opposed to LibTorch's c10::Error). The binding layer
// turns both into a JS TorchError; `code` becomes its `code`.
#pragma once
#include <stdexcept>
#include <string>

namespace nodetorch {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

}  // namespace nodetorch
