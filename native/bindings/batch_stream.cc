#include "bindings/batch_stream.h"

#include <memory>

#include "bindings/async_worker.h"
#include "bindings/common.h"
#include "bindings/generator.h"
#include "core/batch_stream.h"

namespace nodetorch {

namespace {

const napi_type_tag kStreamTag = {0x6e6f6465746f7263ULL, 0x6842617463685321ULL};

using StreamPtr = std::shared_ptr<BatchStream>;

StreamPtr& ToStream(const Napi::Value& value) {
  bool ok = false;
  if (value.IsExternal()) napi_check_object_type_tag(value.Env(), value, &kStreamTag, &ok);
  if (!ok) throw TypeErrorFor(value.Env(), "a batch stream", "stream", value);
  return *value.As<Napi::External<StreamPtr>>().Data();
}

AffineSpec ToAffine(const Napi::Object& o) {
  AffineSpec a;
  a.degrees_min = ToDouble(o.Get("degreesMin"), "degreesMin");
  a.degrees_max = ToDouble(o.Get("degreesMax"), "degreesMax");
  a.translate_x = ToDouble(o.Get("translateX"), "translateX");
  a.translate_y = ToDouble(o.Get("translateY"), "translateY");
  a.scale_min = ToDouble(o.Get("scaleMin"), "scaleMin");
  a.scale_max = ToDouble(o.Get("scaleMax"), "scaleMax");
  a.shear_min = ToDouble(o.Get("shearMin"), "shearMin");
  a.shear_max = ToDouble(o.Get("shearMax"), "shearMax");
  a.fill = ToDouble(o.Get("fill"), "fill");
  return a;
}

Napi::Object ToObject(const Napi::Value& value, const char* name) {
  if (!value.IsObject()) throw TypeErrorFor(value.Env(), "a stage object", name, value);
  return value.As<Napi::Object>();
}

Stage ToStage(const Napi::Object& o) {
  Stage stage;
  std::string kind = ToString(o.Get("kind"), "kind");
  if (kind == "affine") {
    stage.kind = Stage::Kind::kAffine;
    stage.affine = ToAffine(o);
  } else if (kind == "scale") {
    stage.kind = Stage::Kind::kScale;
    stage.divisor = ToDouble(o.Get("divisor"), "divisor");
  } else if (kind == "normalize") {
    stage.kind = Stage::Kind::kNormalize;
    if (!o.Get("mean").IsArray() || !o.Get("std").IsArray()) throw TypeErrorFor(o.Env(), "arrays mean and std", "normalize stage", o);
    auto mean = o.Get("mean").As<Napi::Array>();
    auto std = o.Get("std").As<Napi::Array>();
    for (uint32_t i = 0; i < mean.Length(); ++i) stage.mean.push_back(ToDouble(mean.Get(i), "mean"));
    for (uint32_t i = 0; i < std.Length(); ++i) stage.std.push_back(ToDouble(std.Get(i), "std"));
  } else {
    throw TypeErrorFor(o.Env(), "'affine', 'scale' or 'normalize'", "kind", o.Get("kind"));
  }
  return stage;
}

// batchStream(inputs, targets, stages, batchSize, dropLast, order: Int32Array, seed, prefetch)
Napi::Value Create(const Napi::CallbackInfo& info) {
  StreamSpec spec;
  spec.images = ToTensor(info[0], "images").contiguous();
  spec.labels = ToTensor(info[1], "labels").contiguous();
  if (!info[2].IsArray()) throw TypeErrorFor(info.Env(), "an array of stages", "stages", info[2]);
  auto stages = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < stages.Length(); ++i) spec.stages.push_back(ToStage(ToObject(stages.Get(i), "stages")));
  spec.batch_size = ToInt(info[3], "batchSize");
  spec.drop_last = ToBool(info[4], "dropLast");
  if (!info[5].IsTypedArray() || info[5].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw TypeErrorFor(info.Env(), "an Int32Array", "order", info[5]);
  }
  auto order_js = info[5].As<Napi::Int32Array>();
  std::vector<int64_t> order(order_js.Data(), order_js.Data() + order_js.ElementLength());
  spec.seed = static_cast<uint64_t>(ToInt(info[6], "seed"));
  spec.prefetch = static_cast<int>(ToInt(info[7], "prefetch"));
  auto stream = std::make_shared<BatchStream>(std::move(spec), std::move(order));
  auto external = Napi::External<StreamPtr>::New(info.Env(), new StreamPtr(std::move(stream)),
                                                 [](Napi::Env, StreamPtr* p) { delete p; });
  napi_type_tag_object(info.Env(), external, &kStreamTag);
  return external;
}

Napi::Value Next(const Napi::CallbackInfo& info) {
  at::Tensor images, labels;
  if (!ToStream(info[0])->next(images, labels)) return info.Env().Null();
  return WrapList(info.Env(), {images, labels});
}

// Waits for the next batch on the thread pool. The stream is shared with the job, so closing
// or collecting the JS handle cannot free it mid-wait.
struct NextBatch {
  bool has_batch = false;
  at::Tensor images, labels;
};

Napi::Value NextAsync(const Napi::CallbackInfo& info) {
  StreamPtr stream = ToStream(info[0]);
  return RunOnPool<NextBatch>(
      info.Env(),
      [stream]() {
        NextBatch b;
        b.has_batch = stream->next(b.images, b.labels);
        return b;
      },
      [](Napi::Env env, NextBatch& b) { return b.has_batch ? Napi::Value(WrapList(env, {b.images, b.labels})) : env.Null(); });
}

// randomAffine(image, affineStage, generator | null): the per-sample RandomAffine, the same
// code the stream runs; null draws from the default CPU generator (torch.manual_seed's).
Napi::Value RandomAffine(const Napi::CallbackInfo& info) {
  const at::Tensor& image = ToTensor(info[0], "img");
  AffineSpec spec = ToAffine(ToObject(info[1], "stage"));
  at::Generator gen = info[2].IsNull() || info[2].IsUndefined() ? at::detail::getDefaultCPUGenerator()
                                                                : ToGenerator(info[2], "generator");
  return Wrap(info.Env(), random_affine(image, spec, gen));
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  ToStream(info[0])->stop();
  return info.Env().Undefined();
}

}  // namespace

void InitBatchStream(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "batchStream", Create);
  Export(env, exports, "batchStreamNext", Next);
  Export(env, exports, "batchStreamNextAsync", NextAsync);
  Export(env, exports, "batchStreamClose", Close);
  Export(env, exports, "randomAffine", RandomAffine);
}

}  // namespace nodetorch
