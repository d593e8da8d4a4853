// Batches for the DataLoader's native path (the contract is lib/data/native.ts): gather the
// samples of an in-memory dataset by index — inputs [N, ...] and targets [N, ...] — and, for
// image inputs [N, C, H, W], apply the transform stages (RandomAffine, ToTensor's 1/255,
// Normalize) as the per-sample transforms would; on a background thread that stays `prefetch`
// batches ahead of the consumer.
//
// RandomAffine has one implementation, here: the stream calls it per sample, and the per-sample
// transform (lib/vision/transforms.ts) calls `random_affine`, both drawing from a CPU
// torch.Generator, so one seed gives the same pixels on either path.
#pragma once
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace nodetorch {

// torchvision's RandomAffine parameters; RandomRotation is the rotation-only case.
struct AffineSpec {
  double degrees_min = 0, degrees_max = 0;
  double translate_x = 0, translate_y = 0;  // max fraction of width/height
  double scale_min = 1, scale_max = 1;
  double shear_min = 0, shear_max = 0;      // x shear, degrees
  double fill = 0;                          // in the image's current units
};

// One draw of RandomAffine's parameters: degrees, whole pixels, a factor, degrees.
struct AffineParams {
  double angle = 0, tx = 0, ty = 0, scale = 1, shear = 0;
};

// Draws angle, x and y translation, scale and shear, in that order, each uniform in its range
// from 53 random bits of `gen` (a range with equal ends draws nothing); translations are
// rounded to whole pixels of an h × w image. The caller holds the generator's mutex if it is shared.
AffineParams sample_affine(const AffineSpec& spec, int64_t h, int64_t w, at::CPUGeneratorImpl* gen);

// RandomAffine on one image [C, H, W] or [H, W] of a real dtype, drawing its parameters from
// `gen` (a CPU generator; locked while drawing). Returns a new tensor of the image's dtype and
// shape: nearest neighbour, pixels from outside the image set to `fill` (rounded and clamped
// for integer dtypes, as torchvision casts its output).
at::Tensor random_affine(const at::Tensor& image, const AffineSpec& spec, const at::Generator& gen);

struct Stage {
  enum class Kind { kAffine, kScale, kNormalize };
  Kind kind;
  AffineSpec affine;
  double divisor = 1;  // kScale: x / divisor (ToTensor's 255), on uint8 input only, as ToTensor
  std::vector<double> mean, std;  // one per channel (or one for all)
};

struct StreamSpec {
  // [N, ...] any dtype without stages (batches keep it); uint8 or float32 [N, C, H, W] with
  // stages (batches are float32, or uint8 when no stage leaves the uint8 range). Contiguous, CPU.
  at::Tensor images;
  at::Tensor labels;  // [N, ...] any dtype, contiguous, CPU; gathered as they are
  std::vector<Stage> stages;
  int64_t batch_size = 1;
  bool drop_last = false;
  int prefetch = 2;
  uint64_t seed = 0;  // of the CPU generator random stages draw from
};

// Throws std::invalid_argument when the spec is inconsistent (checked once, up front).
void validate(const StreamSpec& spec);

class BatchStream {
 public:
  // `order` lists sample indices for one epoch; each appears in exactly one batch.
  BatchStream(StreamSpec spec, std::vector<int64_t> order);
  ~BatchStream();
  BatchStream(const BatchStream&) = delete;
  BatchStream& operator=(const BatchStream&) = delete;

  // Blocks until the next batch is ready. Returns false after the last batch. Rethrows an
  // error raised while preparing a batch.
  bool next(at::Tensor& images, at::Tensor& labels);
  void stop();

 private:
  void run();
  std::pair<at::Tensor, at::Tensor> make_batch(int64_t first, int64_t count, at::CPUGeneratorImpl* gen) const;
  at::Tensor transformed_images(int64_t first, int64_t count, at::CPUGeneratorImpl* gen) const;

  StreamSpec spec_;
  std::vector<int64_t> order_;
  int64_t num_batches_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<at::Tensor, at::Tensor>> ready_;
  int64_t produced_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::thread worker_;
};

}  // namespace nodetorch
