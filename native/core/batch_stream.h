// Batches for the DataLoader's native path: gather uint8 images by index, apply the
// transform stages (random affine, ToTensor's 1/255, Normalize) into one float32 batch, and
// gather labels — on a background thread that stays `prefetch` batches ahead of the consumer.
#pragma once
#include <ATen/ATen.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <random>
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

struct Stage {
  enum class Kind { kAffine, kScale, kNormalize };
  Kind kind;
  AffineSpec affine;
  double divisor = 1;  // kScale: x / divisor (ToTensor's 255)
  std::vector<double> mean, std;  // one per channel (or one for all)
};

struct StreamSpec {
  at::Tensor images;  // uint8 [N, C, H, W], contiguous, CPU
  at::Tensor labels;  // int64 [N], contiguous, CPU
  std::vector<Stage> stages;
  int64_t batch_size = 1;
  bool drop_last = false;
  int prefetch = 2;
  uint64_t seed = 0;  // for random transforms
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
  std::pair<at::Tensor, at::Tensor> make_batch(int64_t first, int64_t count, std::mt19937_64& rng) const;

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
