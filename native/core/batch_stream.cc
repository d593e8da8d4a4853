#include "core/batch_stream.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace nodetorch {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Inverse of torchvision's affine matrix (rotation about the centre, shear, scale, translation),
// so each output pixel reads the input pixel that maps onto it (nearest neighbour, as
// RandomAffine's default interpolation).
struct Inverse {
  double a, b, c, d, e, f;
};

Inverse inverse_affine(double angle_deg, double tx, double ty, double scale, double shear_deg, double cx, double cy) {
  double rot = angle_deg * kPi / 180.0;
  double sx = shear_deg * kPi / 180.0;
  // Forward (rotation · x-shear) has determinant 1, so its inverse is the adjugate; then
  // undo the scale. x_in = inv · (x_out - centre - t) + centre.
  double a = std::cos(rot), c = std::sin(rot);
  double b = -std::cos(rot) * std::tan(sx) - std::sin(rot);
  double d = -std::sin(rot) * std::tan(sx) + std::cos(rot);
  Inverse inv;
  inv.a = d / scale;
  inv.b = -b / scale;
  inv.c = -c / scale;
  inv.d = a / scale;
  inv.e = cx - (inv.a * (cx + tx) + inv.b * (cy + ty));
  inv.f = cy - (inv.c * (cx + tx) + inv.d * (cy + ty));
  return inv;
}

void apply_affine(float* img, float* scratch, int64_t channels, int64_t h, int64_t w, const AffineSpec& s,
                  std::mt19937_64& rng) {
  auto uniform = [&rng](double lo, double hi) {
    if (lo == hi) return lo;
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  double angle = uniform(s.degrees_min, s.degrees_max);
  double max_dx = s.translate_x * w, max_dy = s.translate_y * h;
  double tx = std::round(uniform(-max_dx, max_dx));
  double ty = std::round(uniform(-max_dy, max_dy));
  double scale = uniform(s.scale_min, s.scale_max);
  double shear = uniform(s.shear_min, s.shear_max);
  Inverse m = inverse_affine(angle, tx, ty, scale, shear, (w - 1) * 0.5, (h - 1) * 0.5);
  const int64_t plane = h * w;
  for (int64_t ch = 0; ch < channels; ++ch) {
    const float* src = img + ch * plane;
    float* dst = scratch + ch * plane;
    for (int64_t y = 0; y < h; ++y) {
      for (int64_t x = 0; x < w; ++x) {
        double xs = m.a * x + m.b * y + m.e;
        double ys = m.c * x + m.d * y + m.f;
        auto xi = static_cast<int64_t>(std::lround(xs));
        auto yi = static_cast<int64_t>(std::lround(ys));
        dst[y * w + x] = (xi >= 0 && xi < w && yi >= 0 && yi < h) ? src[yi * w + xi] : static_cast<float>(s.fill);
      }
    }
  }
  std::copy(scratch, scratch + channels * plane, img);
}

}  // namespace

void validate(const StreamSpec& spec) {
  if (!spec.images.defined() || spec.images.scalar_type() != at::kByte || spec.images.dim() != 4) {
    throw std::invalid_argument("images must be a uint8 tensor [N, C, H, W]");
  }
  if (!spec.labels.defined() || spec.labels.scalar_type() != at::kLong || spec.labels.dim() != 1 ||
      spec.labels.size(0) != spec.images.size(0)) {
    throw std::invalid_argument("labels must be an int64 tensor [N] matching the images");
  }
  if (spec.batch_size < 1) throw std::invalid_argument("batch size must be at least 1");
  int64_t channels = spec.images.size(1);
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
  std::mt19937_64 rng(spec_.seed);
  try {
    for (int64_t b = 0; b < num_batches_; ++b) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return stopping_ || static_cast<int>(ready_.size()) < spec_.prefetch; });
        if (stopping_) return;
      }
      int64_t first = b * spec_.batch_size;
      int64_t count = std::min<int64_t>(spec_.batch_size, static_cast<int64_t>(order_.size()) - first);
      auto batch = make_batch(first, count, rng);
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

std::pair<at::Tensor, at::Tensor> BatchStream::make_batch(int64_t first, int64_t count, std::mt19937_64& rng) const {
  const int64_t c = spec_.images.size(1), h = spec_.images.size(2), w = spec_.images.size(3);
  const int64_t sample = c * h * w, plane = h * w;
  at::Tensor images = at::empty({count, c, h, w}, at::TensorOptions().dtype(at::kFloat));
  at::Tensor labels = at::empty({count}, at::TensorOptions().dtype(at::kLong));
  const uint8_t* src = spec_.images.data_ptr<uint8_t>();
  const int64_t* lab = spec_.labels.data_ptr<int64_t>();
  float* out = images.data_ptr<float>();
  int64_t* out_labels = labels.data_ptr<int64_t>();
  std::vector<float> scratch(static_cast<size_t>(sample));
  for (int64_t i = 0; i < count; ++i) {
    int64_t index = order_[static_cast<size_t>(first + i)];
    const uint8_t* img = src + index * sample;
    float* dst = out + i * sample;
    for (int64_t k = 0; k < sample; ++k) dst[k] = static_cast<float>(img[k]);
    for (const auto& stage : spec_.stages) {
      switch (stage.kind) {
        case Stage::Kind::kAffine:
          apply_affine(dst, scratch.data(), c, h, w, stage.affine, rng);
          break;
        case Stage::Kind::kScale: {
          // ToTensor divides in float32; multiplying by 1/255 would round differently.
          const float divisor = static_cast<float>(stage.divisor);
          for (int64_t k = 0; k < sample; ++k) dst[k] = dst[k] / divisor;
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
          break;
      }
    }
    out_labels[i] = lab[index];
  }
  return {images, labels};
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
