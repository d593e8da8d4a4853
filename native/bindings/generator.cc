#include "bindings/generator.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

#include "bindings/common.h"
#include "core/dtype.h"

namespace nodetorch {

namespace {

const napi_type_tag kGeneratorTag = {0x6e6f6465746f7263ULL, 0x6847656e65726174ULL};

// A fresh generator as torch.Generator(device) makes it: CPU seeded with PyTorch's default seed,
// CUDA a clone of the device's default generator (so no CUDA headers are needed here).
Napi::Value New(const Napi::CallbackInfo& info) {
  c10::Device device = parse_device(ToString(info[0], "device"));
  auto* gen = new at::Generator(device.is_cpu() ? at::detail::createCPUGenerator()
                                                : at::globalContext().defaultGenerator(device).clone());
  napi_value external;
  // Basic finalizer: deleting the generator touches no JS, so it may run inside GC.
  napi_status status = napi_create_external(
      info.Env(), gen, [](node_api_basic_env, void* data, void*) { delete static_cast<at::Generator*>(data); }, nullptr,
      &external);
  if (status != napi_ok) {
    delete gen;
    NAPI_THROW_IF_FAILED(info.Env(), status, Napi::Value());
  }
  napi_type_tag_object(info.Env(), external, &kGeneratorTag);
  return Napi::Value(info.Env(), external);
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  at::Generator& gen = ToGenerator(info[0], "generator");
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_current_seed(static_cast<uint64_t>(ToInt(info[1], "seed")));
  return info.Env().Undefined();
}

// A non-deterministic seed, kept to 53 bits so that JS numbers carry it exactly (manualSeed of
// the returned value reproduces the stream).
Napi::Value Seed(const Napi::CallbackInfo& info) {
  at::Generator& gen = ToGenerator(info[0], "generator");
  std::lock_guard<std::mutex> lock(gen.mutex());
  uint64_t seed = gen.seed() & ((uint64_t{1} << 53) - 1);
  gen.set_current_seed(seed);
  return Napi::Number::New(info.Env(), static_cast<double>(seed));
}

// The generator given, or the default CPU generator (torch.manual_seed's) for null.
at::Generator ToGeneratorOrDefault(const Napi::Value& value) {
  if (value.IsNull() || value.IsUndefined()) return at::detail::getDefaultCPUGenerator();
  return ToGenerator(value, "generator");
}

// get_state / set_state: the whole state as a uint8 tensor, as torch.Generator.get_state().
Napi::Value GetState(const Napi::CallbackInfo& info) {
  at::Generator gen = ToGeneratorOrDefault(info[0]);
  std::lock_guard<std::mutex> lock(gen.mutex());
  return Wrap(info.Env(), gen.get_state());
}

Napi::Value SetState(const Napi::CallbackInfo& info) {
  at::Generator gen = ToGeneratorOrDefault(info[0]);
  const at::Tensor& state = ToTensor(info[1], "newState");
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
  return info.Env().Undefined();
}

Napi::Value InitialSeed(const Napi::CallbackInfo& info) {
  at::Generator& gen = ToGenerator(info[0], "generator");
  return Napi::Number::New(info.Env(), static_cast<double>(gen.current_seed()));
}

}  // namespace

at::Generator& ToGenerator(const Napi::Value& value, const char* name) {
  bool ok = false;
  if (value.IsExternal()) napi_check_object_type_tag(value.Env(), value, &kGeneratorTag, &ok);
  if (!ok) throw TypeErrorFor(value.Env(), "a torch.Generator", name, value);
  return *static_cast<at::Generator*>(value.As<Napi::External<void>>().Data());
}

void InitGenerator(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "generatorNew", New);
  Export(env, exports, "generatorManualSeed", ManualSeed);
  Export(env, exports, "generatorSeed", Seed);
  Export(env, exports, "generatorInitialSeed", InitialSeed);
  Export(env, exports, "generatorGetState", GetState);
  Export(env, exports, "generatorSetState", SetState);
}

}  // namespace nodetorch
