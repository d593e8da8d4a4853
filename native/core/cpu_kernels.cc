#include "core/cpu_kernels.h"

#include <ATen/ATen.h>
#include <ATen/Config.h>
#include <ATen/Parallel.h>
#include <ATen/ops/_log_softmax_backward_data_cpu_dispatch.h>
#include <ATen/ops/_log_softmax_cpu_dispatch.h>
#include <ATen/ops/_softmax_backward_data_cpu_dispatch.h>
#include <ATen/ops/_softmax_cpu_dispatch.h>
#include <ATen/ops/max_pool2d_with_indices_backward_cpu_dispatch.h>
#include <ATen/ops/mul_cpu_dispatch.h>
#include <ATen/ops/nll_loss_backward_cpu_dispatch.h>
#include <ATen/ops/relu_cpu_dispatch.h>
#include <ATen/ops/threshold_backward_cpu_dispatch.h>
#include <c10/util/Exception.h>
#include <torch/library.h>
#include <torch/version.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>

#if defined(_OPENMP) && AT_PARALLEL_OPENMP
#include <omp.h>
#endif

namespace nodetorch {

namespace {

// Whether libgomp puts the other intra-op threads to sleep as soon as a parallel region ends
// (OMP_WAIT_POLICY=PASSIVE, or GOMP_SPINCOUNT=0; both read once, as libgomp reads them at start).
// Then every region waits for a sleeping thread to wake: ~5-10 µs on bare metal, ~40 µs on a VM
// whose idle vCPUs halt, against a microsecond when it spins.
bool threads_sleep() {
  static const bool sleep = [] {
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    if (policy != nullptr) {
      std::string p;
      for (const char* c = policy; *c != '\0'; ++c) {
        if (!std::isspace(static_cast<unsigned char>(*c))) p += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
      }
      if (p == "passive") return true;
      if (p == "active") return false;
    }
    const char* spin = std::getenv("GOMP_SPINCOUNT");
    if (spin == nullptr) return false;
    char* end = nullptr;
    const long long count = std::strtoll(spin, &end, 10);
    while (end != spin && std::isspace(static_cast<unsigned char>(*end))) ++end;
    return end != spin && *end == '\0' && count == 0;
  }();
  return sleep;
}

// The fewest elements worth a parallel region. ATen's grain (32,768) assumes threads that spin
// between regions; when they sleep, a region costs a wake, and an elementwise op over 92,160
// floats (the seed CNN's first ReLU) takes 9.4 µs on one thread against ~50 µs on two
// (OMP_WAIT_POLICY=PASSIVE, 2 vCPUs). Sixteen grains is where splitting pays again.
int64_t parallel_grain() {
  static const int64_t grain = threads_sleep() ? 16 * at::internal::GRAIN_SIZE : at::internal::GRAIN_SIZE;
  return grain;
}

// The unsigned integer as wide as T, to select between two values without a branch.
template <typename T>
using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;

template <typename T>
inline Bits<T> bits_of(T v) {
  Bits<T> b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

template <typename T>
inline T of_bits(Bits<T> b) {
  T v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// One step of ATen's window scan, `if (v > max || isnan(v)) { max = v; slot = s; }`, as masks.
template <typename T, typename S>
inline void take(T v, S s, T& max, S& slot) {
  const bool hit = (v > max) | (v != v);
  const Bits<T> vm = static_cast<Bits<T>>(0) - static_cast<Bits<T>>(hit);
  max = of_bits<T>((bits_of(v) & vm) | (bits_of(max) & ~vm));
  const S sm = static_cast<S>(0) - static_cast<S>(hit);
  slot = (s & sm) | (slot & ~sm);
}

struct Pool2d {
  int64_t kh, kw, sh, sw, ph, pw, dh, dw;
  int64_t oh, ow;  // the output's height and width
};

// ATen's pooling_output_shape.
int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation, bool ceil) {
  const int64_t num = in + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil && (out - 1) * stride >= in + pad) --out;
  return out;
}

// 16 bytes of T, and the integers as wide: GCC and Clang vector types, SSE2 or NEON registers.
template <typename T>
struct Lanes;
template <>
struct Lanes<float> {
  typedef float Vec __attribute__((vector_size(16)));
  typedef int32_t Mask __attribute__((vector_size(16)));
  typedef int32_t Slot;
  typedef int64_t Index __attribute__((vector_size(32)));  // two SSE2 registers
  static constexpr Index kEvenSteps = {0, 2, 4, 6};
};
template <>
struct Lanes<double> {
  typedef double Vec __attribute__((vector_size(16)));
  typedef int64_t Mask __attribute__((vector_size(16)));
  typedef int64_t Slot;
  typedef int64_t Index __attribute__((vector_size(16)));
  static constexpr Index kEvenSteps = {0, 2};
};
template <typename T>
using Vec = typename Lanes<T>::Vec;
// A register's lanes as int64 indices.
template <typename T>
using Index = typename Lanes<T>::Index;

template <typename T>
using Mask = typename Lanes<T>::Mask;

// take() for one register of windows: where `v > max || isnan(v)`, max = v and slot = s.
// `s`: one slot for every lane, or a Mask of slots.
template <typename T, typename S>
inline void take_lanes(Vec<T> v, S s, Vec<T>& max, Mask<T>& slot) {
  const Mask<T> hit = (v > max) | (v != v);
  max = reinterpret_cast<Vec<T>>((reinterpret_cast<Mask<T>>(v) & hit) | (reinterpret_cast<Mask<T>>(max) & ~hit));
  slot = (s & hit) | (slot & ~hit);
}

// 2 × 2 windows of stride 2, no padding or dilation: one output row from input rows r0 and r1.
// Starting from the window's first element is ATen's start from -inf: it is taken unless it is
// -inf, and then the maximum is -inf and the slot the first either way. A register of windows
// at a time: a row's 2k elements split into the windows' left and right columns.
template <typename T>
void pool_row_2x2(const T* r0, const T* r1, T* out, int64_t* index, int64_t first, int64_t width, int64_t ow_end) {
  using S = Bits<T>;
  constexpr int kLanes = 16 / sizeof(T);
  int64_t ow = 0;
  for (; ow + kLanes <= ow_end; ow += kLanes) {
    Vec<T> top[2], bottom[2];
    std::memcpy(top, r0 + 2 * ow, sizeof top);
    std::memcpy(bottom, r1 + 2 * ow, sizeof bottom);
    Vec<T> max, right, bottom_left, bottom_right;
    if constexpr (kLanes == 4) {
      max = __builtin_shufflevector(top[0], top[1], 0, 2, 4, 6);
      right = __builtin_shufflevector(top[0], top[1], 1, 3, 5, 7);
      bottom_left = __builtin_shufflevector(bottom[0], bottom[1], 0, 2, 4, 6);
      bottom_right = __builtin_shufflevector(bottom[0], bottom[1], 1, 3, 5, 7);
    } else {
      max = __builtin_shufflevector(top[0], top[1], 0, 2);
      right = __builtin_shufflevector(top[0], top[1], 1, 3);
      bottom_left = __builtin_shufflevector(bottom[0], bottom[1], 0, 2);
      bottom_right = __builtin_shufflevector(bottom[0], bottom[1], 1, 3);
    }
    Mask<T> slot = {};
    take_lanes<T, typename Lanes<T>::Slot>(right, 1, max, slot);
    take_lanes<T, typename Lanes<T>::Slot>(bottom_left, 2, max, slot);
    take_lanes<T, typename Lanes<T>::Slot>(bottom_right, 3, max, slot);
    std::memcpy(out + ow, &max, sizeof max);
    // Slot s is at column s & 1 of row s >> 1: the lanes' offsets side by side, then widened.
    const Mask<T> offset = (slot & 1) + (-(slot >> 1) & static_cast<typename Lanes<T>::Slot>(width));
    const Index<T> at = __builtin_convertvector(offset, Index<T>) + (first + 2 * ow) + Lanes<T>::kEvenSteps;
    std::memcpy(index + ow, &at, sizeof at);
  }
  for (; ow < ow_end; ++ow) {
    T max = r0[2 * ow];
    S slot = 0;
    take<T, S>(r0[2 * ow + 1], 1, max, slot);
    take<T, S>(r1[2 * ow], 2, max, slot);
    take<T, S>(r1[2 * ow + 1], 3, max, slot);
    out[ow] = max;
    index[ow] = first + 2 * ow + static_cast<int64_t>(slot & 1) + static_cast<int64_t>(slot >> 1) * width;
  }
}

// kLanes outputs of one row whose windows lie inside the input's columns (rows [ih0, ih1)):
// each lane scans its window as ATen's loop does, the lanes side by side.
template <typename T>
void pool_lanes(const T* in, T* out, int64_t* index, int64_t w, int64_t ih0, int64_t ih1, int64_t ow, const Pool2d& p) {
  using S = typename Lanes<T>::Slot;
  constexpr int kLanes = 16 / sizeof(T);
  Vec<T> max;
  Mask<T> slot;
  for (int j = 0; j < kLanes; ++j) {
    max[j] = -std::numeric_limits<T>::infinity();
    slot[j] = static_cast<S>(ih0 * w + (ow + j) * p.sw - p.pw);
  }
  for (int64_t ih = ih0; ih < ih1; ih += p.dh) {
    for (int64_t kx = 0; kx < p.kw; ++kx) {
      T lane[kLanes];
      Mask<T> at;
      for (int j = 0; j < kLanes; ++j) {
        const int64_t i = ih * w + (ow + j) * p.sw - p.pw + kx * p.dw;
        lane[j] = in[i];
        at[j] = static_cast<S>(i);
      }
      Vec<T> v;
      std::memcpy(&v, lane, sizeof v);
      take_lanes<T, Mask<T>>(v, at, max, slot);
    }
  }
  std::memcpy(out, &max, sizeof max);
  for (int j = 0; j < kLanes; ++j) index[j] = static_cast<int64_t>(slot[j]);
}

// One [H, W] plane, any window: ATen's cpu_max_pool loop (window clipped to the input, the
// first in-bounds element its initial index), selecting without branches; outputs whose
// windows need no clipping in width a register at a time.
template <typename T>
void pool_plane(const T* in, T* out, int64_t* index, int64_t h, int64_t w, int64_t oh_end, int64_t ow_end, const Pool2d& p) {
  if (p.kh == 2 && p.kw == 2 && p.sh == 2 && p.sw == 2 && p.ph == 0 && p.pw == 0 && p.dh == 1 && p.dw == 1 &&
      2 * oh_end <= h && 2 * ow_end <= w &&  // (ceil mode can add a window the input cuts short)
      w <= std::numeric_limits<typename Lanes<T>::Slot>::max()) {
    for (int64_t oh = 0; oh < oh_end; ++oh) {
      const T* r0 = in + 2 * oh * w;
      pool_row_2x2<T>(r0, r0 + w, out + oh * ow_end, index + oh * ow_end, 2 * oh * w, w, ow_end);
    }
    return;
  }
  constexpr int kLanes = 16 / sizeof(T);
  const int64_t span = (p.kw - 1) * p.dw + 1;  // a window's width
  for (int64_t oh = 0; oh < oh_end; ++oh) {
    int64_t ih0 = oh * p.sh - p.ph;
    const int64_t ih1 = std::min(ih0 + (p.kh - 1) * p.dh + 1, h);
    while (ih0 < 0) ih0 += p.dh;
    int64_t ow = 0;
    while (ow < ow_end) {
      const int64_t iw_first = ow * p.sw - p.pw;
      if (iw_first >= 0 && ow + kLanes <= ow_end && (ow + kLanes - 1) * p.sw - p.pw + span <= w) {
        pool_lanes<T>(in, out + oh * ow_end + ow, index + oh * ow_end + ow, w, ih0, ih1, ow, p);
        ow += kLanes;
        continue;
      }
      int64_t iw0 = iw_first;
      const int64_t iw1 = std::min(iw0 + span, w);
      while (iw0 < 0) iw0 += p.dw;
      T max = -std::numeric_limits<T>::infinity();
      uint64_t slot = static_cast<uint64_t>(ih0 * w + iw0);
      for (int64_t ih = ih0; ih < ih1; ih += p.dh) {
        for (int64_t iw = iw0; iw < iw1; iw += p.dw) take<T, uint64_t>(in[ih * w + iw], static_cast<uint64_t>(ih * w + iw), max, slot);
      }
      out[oh * ow_end + ow] = max;
      index[oh * ow_end + ow] = static_cast<int64_t>(slot);
      ++ow;
    }
  }
}

// The pooling geometry when this kernel takes the call: a contiguous float or double
// [N, C, H, W] or [C, H, W] and arguments ATen accepts. Anything else (including arguments
// ATen refuses, so that its message is the one raised) goes to ATen's kernel.
bool fast_case(const at::Tensor& self, at::IntArrayRef k, at::IntArrayRef s, at::IntArrayRef pad, at::IntArrayRef d, bool ceil, Pool2d& p) {
  if (!self.device().is_cpu() || (self.scalar_type() != at::kFloat && self.scalar_type() != at::kDouble)) return false;
  if ((self.dim() != 3 && self.dim() != 4) || self.numel() == 0 || !self.is_contiguous()) return false;
  if (self.dim() == 4 && self.suggest_memory_format() != at::MemoryFormat::Contiguous) return false;
  if ((k.size() != 1 && k.size() != 2) || (s.size() > 2) || (pad.size() != 1 && pad.size() != 2) || (d.size() != 1 && d.size() != 2)) return false;
  p.kh = k[0];
  p.kw = k.size() == 2 ? k[1] : k[0];
  p.sh = s.empty() ? p.kh : s[0];
  p.sw = s.empty() ? p.kw : s.size() == 2 ? s[1] : s[0];
  p.ph = pad[0];
  p.pw = pad.size() == 2 ? pad[1] : pad[0];
  p.dh = d[0];
  p.dw = d.size() == 2 ? d[1] : d[0];
  if (p.kh <= 0 || p.kw <= 0 || p.sh <= 0 || p.sw <= 0 || p.dh <= 0 || p.dw <= 0) return false;
  if (p.ph < 0 || p.pw < 0 || p.ph > p.kh / 2 || p.pw > p.kw / 2) return false;
  p.oh = pooled_size(self.size(-2), p.kh, p.ph, p.sh, p.dh, ceil);
  p.ow = pooled_size(self.size(-1), p.kw, p.pw, p.sw, p.dw, ceil);
  return p.oh >= 1 && p.ow >= 1;
}

std::tuple<at::Tensor, at::Tensor> max_pool2d_with_indices(const at::Tensor& self, at::IntArrayRef kernel_size, at::IntArrayRef stride,
                                                           at::IntArrayRef padding, at::IntArrayRef dilation, bool ceil_mode) {
  Pool2d p;
  if (!fast_case(self, kernel_size, stride, padding, dilation, ceil_mode, p)) {
    at::Tensor out = at::empty({0}, self.options());
    at::Tensor indices = at::empty({0}, self.options().dtype(at::kLong));
    at::max_pool2d_with_indices_out(out, indices, self, kernel_size, stride, padding, dilation, ceil_mode);
    return {out, indices};
  }
  const int64_t h = self.size(-2), w = self.size(-1), oh = p.oh, ow = p.ow;
  std::vector<int64_t> sizes = self.sizes().vec();
  sizes[sizes.size() - 2] = oh;
  sizes[sizes.size() - 1] = ow;
  at::Tensor out = at::empty(sizes, self.options());
  at::Tensor indices = at::empty(sizes, self.options().dtype(at::kLong));
  const int64_t planes = self.numel() / (h * w);
  // Whole planes per task, about parallel_grain() elements: small poolings stay on one thread.
  const int64_t grain = std::max<int64_t>(1, parallel_grain() / (h * w));
  AT_DISPATCH_FLOATING_TYPES(self.scalar_type(), "max_pool2d_with_indices", [&] {
    const scalar_t* in = self.data_ptr<scalar_t>();
    scalar_t* o = out.data_ptr<scalar_t>();
    int64_t* ix = indices.data_ptr<int64_t>();
    at::parallel_for(0, planes, grain, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) pool_plane<scalar_t>(in + c * h * w, o + c * oh * ow, ix + c * oh * ow, h, w, oh, ow, p);
    });
  });
  return {out, indices};
}

// The gradient of max_pool2d_with_indices: ATen's kernel zeroes the whole input gradient in one
// parallel loop, then adds each output's gradient where its index points in another. Here each
// task zeroes its planes and adds into them while they are in cache, in one parallel loop. The
// additions run in ATen's order (a plane's outputs row by row), so the bits are ATen's.
at::Tensor max_pool2d_with_indices_backward(const at::Tensor& grad_output, const at::Tensor& self, at::IntArrayRef kernel_size,
                                            at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef dilation,
                                            bool ceil_mode, const at::Tensor& indices) {
  Pool2d p;
  if (!fast_case(self, kernel_size, stride, padding, dilation, ceil_mode, p) || grad_output.scalar_type() != self.scalar_type() ||
      indices.scalar_type() != at::kLong || !grad_output.device().is_cpu() || !indices.device().is_cpu() ||
      !grad_output.is_contiguous() || !indices.is_contiguous() || grad_output.sizes() != indices.sizes() ||
      grad_output.dim() != self.dim() || grad_output.size(-2) != p.oh || grad_output.size(-1) != p.ow ||
      !std::equal(self.sizes().begin(), self.sizes().end() - 2, grad_output.sizes().begin())) {
    return at::cpu::max_pool2d_with_indices_backward(grad_output, self, kernel_size, stride, padding, dilation, ceil_mode, indices);
  }
  const int64_t area = self.size(-2) * self.size(-1), out_area = p.oh * p.ow;
  const int64_t planes = self.numel() / area;
  at::Tensor grad_input = at::empty(self.sizes(), self.options());
  const int64_t grain = std::max<int64_t>(1, parallel_grain() / area);
  std::atomic<bool> out_of_range{false};
  AT_DISPATCH_FLOATING_TYPES(self.scalar_type(), "max_pool2d_with_indices_backward", [&] {
    const scalar_t* go = grad_output.data_ptr<scalar_t>();
    const int64_t* ix = indices.data_ptr<int64_t>();
    scalar_t* gi = grad_input.data_ptr<scalar_t>();
    at::parallel_for(0, planes, grain, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        scalar_t* plane = gi + c * area;
        std::fill(plane, plane + area, scalar_t(0));
        const scalar_t* g = go + c * out_area;
        const int64_t* slot = ix + c * out_area;
        for (int64_t i = 0; i < out_area; ++i) {
          const int64_t at = slot[i];
          if (at == -1) continue;
          if (static_cast<uint64_t>(at) >= static_cast<uint64_t>(area)) {
            out_of_range = true;
            continue;
          }
          plane[at] += g[i];
        }
      }
    });
  });
  TORCH_CHECK(!out_of_range, "max_pool2d_with_indices_backward: an index lies outside its plane of the input");
  return grad_input;
}

// While it lives, and when `small`, ATen's parallel loops on this thread run inline: at::parallel_for
// asks OpenMP how many threads this thread may use, and that is set to 1 here and restored after.
class OneThreadIf {
 public:
  explicit OneThreadIf(bool small) {
#if defined(_OPENMP) && AT_PARALLEL_OPENMP
    if (small && !omp_in_parallel()) {
      const int threads = omp_get_max_threads();
      if (threads > 1) {
        omp_set_num_threads(1);
        threads_ = threads;
      }
    }
#else
    (void)small;
#endif
  }
  ~OneThreadIf() {
#if defined(_OPENMP) && AT_PARALLEL_OPENMP
    if (threads_ > 0) omp_set_num_threads(threads_);
#endif
  }
  OneThreadIf(const OneThreadIf&) = delete;
  OneThreadIf& operator=(const OneThreadIf&) = delete;

 private:
  int threads_ = 0;
};

// Softmax over the innermost dimension, under ATen's grain: there ATen's kernel computes each row
// alone, so one thread gives the same bits as two. Past the grain it does not (the gradient of
// float32 [64, 10, 24, 24] over its last dimension differs on one thread), and over other
// dimensions it vectorises across rows in chunks that follow the split: those keep ATen's split.
bool small_rows(const at::Tensor& t, int64_t dim) {
  const int64_t n = t.dim();
  if (t.numel() >= at::internal::GRAIN_SIZE || dim < -std::max<int64_t>(n, 1) || dim >= std::max<int64_t>(n, 1)) return false;
  for (int64_t d = (dim < 0 ? dim + n : dim) + 1; d < n; ++d) {
    if (t.size(d) != 1) return false;
  }
  return true;
}

// ATen's own kernels (at::cpu:: calls them without going through the dispatcher again): Forward
// is _softmax or _log_softmax, Backward their _backward_data.
template <at::Tensor (*Forward)(const at::Tensor&, int64_t, bool)>
at::Tensor softmax_rows(const at::Tensor& self, int64_t dim, bool half_to_float) {
  OneThreadIf small(small_rows(self, dim));
  return Forward(self, dim, half_to_float);
}

template <at::Tensor (*Backward)(const at::Tensor&, const at::Tensor&, int64_t, at::ScalarType)>
at::Tensor softmax_rows_backward(const at::Tensor& grad_output, const at::Tensor& output, int64_t dim, at::ScalarType input_dtype) {
  OneThreadIf small(small_rows(output, dim));
  return Backward(grad_output, output, dim, input_dtype);
}

// Each element of the gradient is written alone.
at::Tensor nll_loss_backward(const at::Tensor& grad_output, const at::Tensor& self, const at::Tensor& target,
                             const c10::optional<at::Tensor>& weight, int64_t reduction, int64_t ignore_index,
                             const at::Tensor& total_weight) {
  OneThreadIf small(self.numel() < parallel_grain());
  return at::cpu::nll_loss_backward(grad_output, self, target, weight, reduction, ignore_index, total_weight);
}

// ATen's elementwise kernels, on one thread when threads sleep and the op is under
// parallel_grain() elements (ATen already keeps it on one thread under its own grain). Each
// element is computed alone, so the bits are the same on one thread or two.
bool split_by_aten_only(int64_t numel) { return numel >= at::internal::GRAIN_SIZE && numel < parallel_grain(); }

at::Tensor relu(const at::Tensor& self) {
  OneThreadIf small(split_by_aten_only(self.numel()));
  return at::cpu::relu(self);
}

at::Tensor& relu_(at::Tensor& self) {
  OneThreadIf small(split_by_aten_only(self.numel()));
  return at::cpu::relu_(self);
}

at::Tensor threshold_backward(const at::Tensor& grad_output, const at::Tensor& self, const at::Scalar& threshold) {
  OneThreadIf small(split_by_aten_only(std::max(grad_output.numel(), self.numel())));
  return at::cpu::threshold_backward(grad_output, self, threshold);
}

at::Tensor mul(const at::Tensor& self, const at::Tensor& other) {
  OneThreadIf small(split_by_aten_only(std::max(self.numel(), other.numel())));
  return at::cpu::mul(self, other);
}

// Registering over an ATen kernel makes LibTorch warn that it was overridden; that is the point
// here, so the warning is not passed on.
#if TORCH_VERSION_MAJOR >= 2
struct Quiet : c10::WarningHandler {
  void process(const c10::Warning&) override {}
};
using QuietGuard = c10::WarningUtils::WarningHandlerGuard;
#else
struct Quiet : c10::WarningHandler {
  void process(const c10::SourceLocation&, const std::string&, const bool) override {}
};
using QuietGuard = c10::Warning::WarningHandlerGuard;
#endif

}  // namespace

void install_cpu_kernels() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* env = std::getenv("NODETORCH_CPU_KERNELS");
    if (env != nullptr && std::strcmp(env, "0") == 0) return;
    static Quiet quiet;
    QuietGuard guard(&quiet);
    // Never destroyed: the registration lasts as long as the process.
    auto* library = new torch::Library(torch::Library::IMPL, "aten", c10::DispatchKey::CPU, __FILE__, __LINE__);
    library->impl("max_pool2d_with_indices", TORCH_FN(max_pool2d_with_indices));
    library->impl("max_pool2d_with_indices_backward", TORCH_FN(max_pool2d_with_indices_backward));
    library->impl("_log_softmax", TORCH_FN(softmax_rows<&at::cpu::_log_softmax>));
    library->impl("_log_softmax_backward_data", TORCH_FN(softmax_rows_backward<&at::cpu::_log_softmax_backward_data>));
    library->impl("_softmax", TORCH_FN(softmax_rows<&at::cpu::_softmax>));
    library->impl("_softmax_backward_data", TORCH_FN(softmax_rows_backward<&at::cpu::_softmax_backward_data>));
    library->impl("nll_loss_backward", TORCH_FN(nll_loss_backward));
    if (threads_sleep()) {
      library->impl("relu", TORCH_FN(relu));
      library->impl("relu_", TORCH_FN(relu_));
      library->impl("threshold_backward", TORCH_FN(threshold_backward));
      library->impl("mul.Tensor", TORCH_FN(mul));
    }
  });
}

}  // namespace nodetorch
