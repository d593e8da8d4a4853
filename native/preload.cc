// nodetorch-preload.node: a LibTorch-free addon that loads libraries by absolute path with
// RTLD_GLOBAL, so that a prebuilt nodetorch.node (which carries no rpath) finds the user's
// LibTorch by soname. Node's own process.dlopen cannot do this for a plain library: it closes
// what did not register as an addon, which runs the library's destructors while it stays mapped.
#include <dlfcn.h>
#include <napi.h>

namespace {

Napi::Value DlopenGlobal(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "Expected a library path for path");
  std::string path = info[0].As<Napi::String>();
  // Never closed: LibTorch lives as long as the process.
  if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
    const char* why = dlerror();
    throw Napi::Error::New(info.Env(), "cannot load " + path + ": " + (why ? why : "unknown error"));
  }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("dlopenGlobal", Napi::Function::New(env, DlopenGlobal, "dlopenGlobal"));
  return exports;
}

}  // namespace

NODE_API_MODULE(nodetorch_preload, Init)
