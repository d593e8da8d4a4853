#include "core/batch_stream.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <ATen/Dispatch.h>

namespace nodetorch {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Uniform in [lo, hi) from the generator's next 64 bits (53 of them, as a double holds). A
// range with equal ends draws nothing, so fixed parameters do not shift later draws.
double uniform(at::CPUGeneratorImpl* gen, double lo, double hi) {
  if (lo == hi) return lo;
  const uint64_t bits = gen->random64() & ((uint64_t{1} << 53) - 1);
  return lo + (hi - lo) * (static_cast<double>(bits) * (1.0 / static_cast<double>(uint64_t{1} << 53)));
}

// Inverse of torchvision's affine matrix (rotation about the centre, shear, scale, translation),
// so each output pixel reads the input pixel that maps onto it (nearest neighbour, as
// RandomAffine's default interpolation).
struct Inverse {
  double a, b, c, d, e, f;
};

Inverse inverse_affine(const AffineParams& p, double cx, double cy) {
  double rot = p.angle * kPi / 180.0;
  double sx = p.shear * kPi / 180.0;
  // Forward (rotation · x-shear) has determinant 1, so its inverse is the adjugate; then
  // undo the scale. x_in = inv · (x_out - centre - t) + centre.
  double a = std::cos(rot), c = std::sin(rot);
  double b = -std::cos(rot) * std::tan(sx) - std::sin(rot);
  double d = -std::sin(rot) * std::tan(sx) + std::cos(rot);
  Inverse inv;
  inv.a = d / p.scale;
  inv.b = -b / p.scale;
  inv.c = -c / p.scale;
  inv.d = a / p.scale;
  inv.e = cx - (inv.a * (cx + p.tx) + inv.b * (cy + p.ty));
  inv.f = cy - (inv.c * (cx + p.tx) + inv.d * (cy + p.ty));
  return inv;
}

// `fill` in the image's dtype: integer images get it rounded (half to even, as torch.round)
// and clamped, as torchvision rounds its output before casting back.
template <typename T>
T fill_as(double fill) {
  if constexpr (std::is_integral_v<T>) {
    double r = std::nearbyint(fill);
    r = std::min<double>(std::max<double>(r, static_cast<double>(std::numeric_limits<T>::lowest())),
                         static_cast<double>(std::numeric_limits<T>::max()));
    return static_cast<T>(r);
  } else {
    return static_cast<T>(fill);
  }
}

// dst = src warped by `m`: each output pixel copies its nearest source pixel, in every channel.
template <typename T>
void warp_nearest(const T* src, T* dst, int64_t channels, int64_t h, int64_t w, const Inverse& m, T fill) {
  const int64_t plane = h * w;
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      const double xs = m.a * x + m.b * y + m.e;
      const double ys = m.c * x + m.d * y + m.f;
      const auto xi = static_cast<int64_t>(std::lround(xs));
      const auto yi = static_cast<int64_t>(std::lround(ys));
      const int64_t out = y * w + x;
      if (xi >= 0 && xi < w && yi >= 0 && yi < h) {
        const int64_t in = yi * w + xi;
        for (int64_t ch = 0; ch < channels; ++ch) dst[ch * plane + out] = src[ch * plane + in];
      } else {
        for (int64_t ch = 0; ch < channels; ++ch) dst[ch * plane + out] = fill;
      }
    }
  }
}

// Rows `order[first .. first + count)` of `src` [N, ...], copied into a new [count, ...] tensor.
at::Tensor gather_rows(const at::Tensor& src, const std::vector<int64_t>& order, int64_t first, int64_t count) {
  std::vector<int64_t> sizes = src.sizes().vec();
  sizes[0] = count;
  at::Tensor out = at::empty(sizes, src.options());
  int64_t row = 1;
  for (size_t k = 1; k < sizes.size(); ++k) row *= sizes[k];
  const size_t bytes = static_cast<size_t>(row) * src.element_size();
  if (bytes == 0) return out;
  const char* from = static_cast<const char*>(src.data_ptr());
  char* to = static_cast<char*>(out.data_ptr());
  for (int64_t i = 0; i < count; ++i) {
    std::memcpy(to + i * bytes, from + order[static_cast<size_t>(first + i)] * bytes, bytes);
  }
  return out;
}

}  // namespace

AffineParams sample_affine(const AffineSpec& s, int64_t h, int64_t w, at::CPUGeneratorImpl* gen) {
  AffineParams p;
  p.angle = uniform(gen, s.degrees_min, s.degrees_max);
  const double max_dx = s.translate_x * static_cast<double>(w), max_dy = s.translate_y * static_cast<double>(h);
  p.tx = std::round(uniform(gen, -max_dx, max_dx));
  p.ty = std::round(uniform(gen, -max_dy, max_dy));
  p.scale = uniform(gen, s.scale_min, s.scale_max);
  p.shear = uniform(gen, s.shear_min, s.shear_max);
  return p;
}

at::Tensor random_affine(const at::Tensor& image, const AffineSpec& spec, const at::Generator& generator) {
  if (!image.defined() || (image.dim() != 2 && image.dim() != 3)) {
    throw std::invalid_argument("RandomAffine needs an image [C, H, W] or [H, W]");
  }
  if (!image.device().is_cpu()) throw std::invalid_argument("RandomAffine needs an image on the CPU");
  if (!generator.device().is_cpu()) throw std::invalid_argument("RandomAffine needs a CPU generator");
  const int64_t h = image.size(-2), w = image.size(-1);
  const int64_t channels = image.dim() == 3 ? image.size(0) : 1;
  at::Generator gen = generator;  // shares the generator; a handle whose mutex can be taken
  AffineParams p;
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    p = sample_affine(spec, h, w, gen.get<at::CPUGeneratorImpl>());
  }
  const Inverse m = inverse_affine(p, (w - 1) * 0.5, (h - 1) * 0.5);
  at::Tensor src = image.contiguous();
  at::Tensor out = at::empty(src.sizes(), src.options());
  AT_DISPATCH_ALL_TYPES(src.scalar_type(), "random_affine", [&] {
    warp_nearest<scalar_t>(src.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), channels, h, w, m, fill_as<scalar_t>(spec.fill));
  });
  return out;
}

void validate(const StreamSpec& spec) {
  if (!spec.images.defined() || spec.images.dim() < 1) throw std::invalid_argument("inputs must be a tensor [N, ...]");
  if (!spec.labels.defined() || spec.labels.dim() < 1 || spec.labels.size(0) != spec.images.size(0)) {
    throw std::invalid_argument("targets must be a tensor [N, ...] with one row per input");
  }
  if (!spec.images.device().is_cpu() || !spec.labels.device().is_cpu()) {
    throw std::invalid_argument("inputs and targets must be on the CPU");
  }
  if (spec.batch_size < 1) throw std::invalid_argument("batch size must be at least 1");
  if (spec.stages.empty()) return;
  const auto type = spec.images.scalar_type();
  if ((type != at::kByte && type != at::kFloat) || spec.images.dim() != 4) {
    throw std::invalid_argument("transform stages need uint8 or float32 images [N, C, H, W]");
  }
  const int64_t channels = spec.images.size(1);
  for (const auto& stage : spec.stages) {
    if (stage.kind != Stage::Kind::kNormalize) continue;
    if (stage.mean.size() != stage.std.size() ||
        (stage.mean.size() != 1 && static_cast<int64_t>(stage.mean.size()) != channels)) {
      throw std::invalid_argument("Normalize needs one mean and std per channel (" + std::to_string(channels) + ")");
    }
    for (double s : stage.std) {
      if (s == 0) throw std::invalid_argument("Normalize std must not be 0");
    }
  }
}

BatchStream::BatchStream(StreamSpec spec, std::vector<int64_t> order) : spec_(std::move(spec)), order_(std::move(order)) {
  validate(spec_);
  int64_t n = spec_.images.size(0);
  for (int64_t i : order_) {
    if (i < 0 || i >= n) throw std::out_of_range("sample index " + std::to_string(i) + " out of range for " + std::to_string(n) + " samples");
  }
  int64_t count = static_cast<int64_t>(order_.size());
  num_batches_ = spec_.drop_last ? count / spec_.batch_size : (count + spec_.batch_size - 1) / spec_.batch_size;
  worker_ = std::thread([this] { run(); });
}

BatchStream::~BatchStream() { stop(); }

void BatchStream::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void BatchStream::run() {
  try {
    // The generator torch.Generator().manual_seed(seed) is: the per-sample path seeds one the same way.
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(spec_.seed);
    at::CPUGeneratorImpl* impl = gen.get<at::CPUGeneratorImpl>();
    for (int64_t b = 0; b < num_batches_; ++b) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return stopping_ || static_cast<int>(ready_.size()) < spec_.prefetch; });
        if (stopping_) return;
      }
      int64_t first = b * spec_.batch_size;
      int64_t count = std::min<int64_t>(spec_.batch_size, static_cast<int64_t>(order_.size()) - first);
      auto batch = make_batch(first, count, impl);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ready_.push_back(std::move(batch));
        produced_ += 1;
      }
      cv_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::current_exception();
  }
  cv_.notify_all();
}

std::pair<at::Tensor, at::Tensor> BatchStream::make_batch(int64_t first, int64_t count, at::CPUGeneratorImpl* gen) const {
  at::Tensor images = spec_.stages.empty() ? gather_rows(spec_.images, order_, first, count)
                                           : transformed_images(first, count, gen);
  return {images, gather_rows(spec_.labels, order_, first, count)};
}

// Each stage does what its per-sample transform does to the sample it is given: ToTensor
// divides uint8 pixels and passes floats through; Normalize and RandomAffine work on either.
// Pixels still in uint8 units when the stages end come back as uint8, as the transforms keep them.
at::Tensor BatchStream::transformed_images(int64_t first, int64_t count, at::CPUGeneratorImpl* gen) const {
  const int64_t c = spec_.images.size(1), h = spec_.images.size(2), w = spec_.images.size(3);
  const int64_t sample = c * h * w, plane = h * w;
  const bool from_bytes = spec_.images.scalar_type() == at::kByte;
  at::Tensor images = at::empty({count, c, h, w}, at::TensorOptions().dtype(at::kFloat));
  float* out = images.data_ptr<float>();
  std::vector<float> scratch(static_cast<size_t>(sample));
  bool bytes_out = from_bytes;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t index = order_[static_cast<size_t>(first + i)];
    float* dst = out + i * sample;
    if (from_bytes) {
      const uint8_t* img = spec_.images.data_ptr<uint8_t>() + index * sample;
      for (int64_t k = 0; k < sample; ++k) dst[k] = static_cast<float>(img[k]);
    } else {
      std::memcpy(dst, spec_.images.data_ptr<float>() + index * sample, static_cast<size_t>(sample) * sizeof(float));
    }
    bool in_bytes = from_bytes;  // values are uint8 pixels, as the per-sample transforms would hold them
    for (const auto& stage : spec_.stages) {
      switch (stage.kind) {
        case Stage::Kind::kAffine: {
          const AffineParams p = sample_affine(stage.affine, h, w, gen);
          const Inverse m = inverse_affine(p, (w - 1) * 0.5, (h - 1) * 0.5);
          const float fill = in_bytes ? static_cast<float>(fill_as<uint8_t>(stage.affine.fill)) : static_cast<float>(stage.affine.fill);
          warp_nearest<float>(dst, scratch.data(), c, h, w, m, fill);
          std::copy(scratch.begin(), scratch.end(), dst);
          break;
        }
        case Stage::Kind::kScale: {
          if (!in_bytes) break;
          // ToTensor divides in float32; multiplying by 1/255 would round differently.
          const float divisor = static_cast<float>(stage.divisor);
          for (int64_t k = 0; k < sample; ++k) dst[k] = dst[k] / divisor;
          in_bytes = false;
          break;
        }
        case Stage::Kind::kNormalize:
          for (int64_t ch = 0; ch < c; ++ch) {
            size_t j = stage.mean.size() == 1 ? 0 : static_cast<size_t>(ch);
            // (x - mean) / std in float, as torchvision's Normalize computes it.
            const float mean = static_cast<float>(stage.mean[j]), sd = static_cast<float>(stage.std[j]);
            float* p = dst + ch * plane;
            for (int64_t k = 0; k < plane; ++k) p[k] = (p[k] - mean) / sd;
          }
          in_bytes = false;
          break;
      }
    }
    bytes_out = in_bytes;
  }
  return bytes_out ? images.to(at::kByte) : images;
}

bool BatchStream::next(at::Tensor& images, at::Tensor& labels) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [this] { return !ready_.empty() || error_ || produced_ == num_batches_ || stopping_; });
  if (!ready_.empty()) {
    images = std::move(ready_.front().first);
    labels = std::move(ready_.front().second);
    ready_.pop_front();
    lock.unlock();
    cv_.notify_all();
    return true;
  }
  if (error_) std::rethrow_exception(error_);
  return false;
}

}  // namespace nodetorch
