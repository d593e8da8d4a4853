// nodetorch-preload.node: a LibTorch-free addon that loads libraries by absolute path, so that a
// prebuilt nodetorch.node (which carries no rpath) finds the user's LibTorch by soname: the
// dynamic linker matches a library's needed sonames against every library already loaded, local
// or global. Node's own process.dlopen cannot do this for a plain library: it closes what did not
// register as an addon, which runs the library's destructors while it stays mapped.
// RTLD_LOCAL, not RTLD_GLOBAL: a global LibTorch would put its dependencies ahead of every later
// library's own when symbols are looked up. Debian's LibTorch pulls in the system's GLib (through
// OpenCV and GStreamer), and sharp's libvips, which carries its own GLib, then called the
// system's g_object_ref on its objects (GLib-GObject-CRITICAL warnings from torch.vision.io).
#include <dlfcn.h>
#include <napi.h>

namespace {

Napi::Value LoadLibrary(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "Expected a library path for path");
  std::string path = info[0].As<Napi::String>();
  // Never closed: LibTorch lives as long as the process.
  if (dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr) {
    const char* why = dlerror();
    throw Napi::Error::New(info.Env(), "cannot load " + path + ": " + (why ? why : "unknown error"));
  }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("loadLibrary", Napi::Function::New(env, LoadLibrary, "loadLibrary"));
  return exports;
}

}  // namespace

NODE_API_MODULE(nodetorch_preload, Init)
