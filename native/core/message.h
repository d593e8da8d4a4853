// LibTorch's error messages as JS users get them.
#pragma once
#include <string>

namespace nodetorch {

// Without the C++ context some LibTorch versions append ("Exception raised from … at
// file:line"), without TORCH_ENFORCE's "[enforce fail at …] condition." lead and without
// Gloo's "[path/to/file.cc:553] " one.
inline std::string clean_message(const std::string& raw) {
  std::string msg = raw;
  for (const char* marker : {"\nException raised from", "Exception raised from"}) {
    auto pos = msg.find(marker);
    if (pos != std::string::npos) msg = msg.substr(0, pos);
  }
  if (msg.rfind("[enforce fail at ", 0) == 0) {
    auto close = msg.find("] ");
    auto sentence = close == std::string::npos ? std::string::npos : msg.find(". ", close);
    if (sentence != std::string::npos) msg = msg.substr(sentence + 2);
  }
  if (msg.rfind("[", 0) == 0) {
    auto close = msg.find("] ");
    if (close != std::string::npos && msg.rfind(".cc:", close) != std::string::npos) msg = msg.substr(close + 2);
  }
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

}  // namespace nodetorch
