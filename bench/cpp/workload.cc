// The C++ LibTorch side of `npm run bench`: the floor for the LibTorch it is built against.
//   workload <mnist|smallops|resnet18> key=value ...
// Keys (all given by bench/run.ts): data (MNIST IDX folder), threads, seed, batches and
// testBatches (mnist), ops (smallops), steps, warmup, batch and size (resnet18). By hand:
// modules=1 (mnist) adds us_<submodule>, µs a step in each submodule's calls after step 150;
// boxed=1 (smallops) calls through the dispatcher's boxed path.
// Prints one JSON line; the same work and fields as bench/ts/workload.ts and bench/py/workload.py.
#include <sys/resource.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr int64_t kBatch = 64;
constexpr double kMean = 0.1307, kStd = 0.3081;

// The seed's CNN: conv1 1->10 k5, conv2 10->20 k5, linear 320->10.
struct SeedModelImpl : torch::nn::Module {
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::Linear linear{nullptr};
  torch::nn::MaxPool2d mp{nullptr};
  torch::nn::ReLU activate{nullptr};
  SeedModelImpl() {
    conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 10, 5)));
    conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(10, 20, 5)));
    linear = register_module("linear", torch::nn::Linear(320, 10));
    mp = register_module("mp", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
    activate = register_module("activate", torch::nn::ReLU());
  }
  // With `modules=1`: µs spent in each submodule's calls, summed (bench/ts/workload.ts's hooks).
  std::map<std::string, double>* times = nullptr;
  template <typename M>
  torch::Tensor timed(const char* name, M& m, const torch::Tensor& x) {
    if (times == nullptr) return m(x);
    const auto t0 = std::chrono::steady_clock::now();
    auto y = m(x);
    (*times)[name] += std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    return y;
  }
  torch::Tensor forward(torch::Tensor x) {
    const auto batch = x.size(0);
    x = timed("activate", activate, timed("mp", mp, timed("conv1", conv1, x)));
    x = timed("activate", activate, timed("mp", mp, timed("conv2", conv2, x)));
    x = x.view({batch, -1});
    return timed("linear", linear, x);
  }
};
TORCH_MODULE(SeedModel);

// torchvision's resnet18 (BasicBlock, [2, 2, 2, 2]) with its initialisation: Kaiming normal
// (fan-out) convolutions, BatchNorm weight 1 and bias 0.
torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t padding) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k).stride(stride).padding(padding).bias(false));
}

struct BasicBlockImpl : torch::nn::Module {
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};
  BasicBlockImpl(int64_t in, int64_t planes, int64_t stride) {
    conv1 = register_module("conv1", conv(in, planes, 3, stride, 1));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
    conv2 = register_module("conv2", conv(planes, planes, 3, 1, 1));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
    if (stride != 1 || in != planes) {
      downsample = register_module("downsample", torch::nn::Sequential(conv(in, planes, 1, stride, 0), torch::nn::BatchNorm2d(planes)));
    }
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto out = torch::relu(bn1(conv1(x)));
    out = bn2(conv2(out));
    out += downsample ? downsample->forward(x) : x;
    return torch::relu(out);
  }
};
TORCH_MODULE(BasicBlock);

struct ResNet18Impl : torch::nn::Module {
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::Linear fc{nullptr};
  ResNet18Impl() {
    conv1 = register_module("conv1", conv(3, 64, 7, 2, 3));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
    int64_t in = 64;
    const auto layer = [&](const char* name, int64_t planes, int64_t stride) {
      torch::nn::Sequential s(BasicBlock(in, planes, stride), BasicBlock(planes, planes, 1));
      in = planes;
      return register_module(name, s);
    };
    layer1 = layer("layer1", 64, 1);
    layer2 = layer("layer2", 128, 2);
    layer3 = layer("layer3", 256, 2);
    layer4 = layer("layer4", 512, 2);
    fc = register_module("fc", torch::nn::Linear(512, 1000));
    torch::NoGradGuard noGrad;
    for (auto& m : modules(/*include_self=*/false)) {
      if (auto* c = m->as<torch::nn::Conv2d>()) torch::nn::init::kaiming_normal_(c->weight, 0, torch::kFanOut, torch::kReLU);
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::max_pool2d(torch::relu(bn1(conv1(x))), 3, 2, 1);
    x = layer4->forward(layer3->forward(layer2->forward(layer1->forward(x))));
    return fc(torch::flatten(torch::adaptive_avg_pool2d(x, {1, 1}), 1));
  }
};
TORCH_MODULE(ResNet18);

double peakRssMB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

// An IDX file as a uint8 tensor of its stated dims.
torch::Tensor readIdx(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::vector<unsigned char> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const int ndim = data.at(3);
  std::vector<int64_t> dims;
  for (int i = 0; i < ndim; i++) {
    const unsigned char* p = &data.at(4 + 4 * i);
    dims.push_back((int64_t(p[0]) << 24) | (int64_t(p[1]) << 16) | (int64_t(p[2]) << 8) | int64_t(p[3]));
  }
  const size_t offset = 4 + 4 * ndim;
  return torch::from_blob(data.data() + offset, dims, torch::kUInt8).clone();
}

// A split's images (uint8 [N, 1, 28, 28]) and labels (int64 [N]); `prefix` "train" or "t10k".
std::pair<torch::Tensor, torch::Tensor> loadSplit(const std::string& root, const std::string& prefix) {
  return {readIdx(root + "/" + prefix + "-images-idx3-ubyte").unsqueeze(1), readIdx(root + "/" + prefix + "-labels-idx1-ubyte").to(torch::kInt64)};
}

// What ToTensor + Normalize make of uint8 pixels, for a whole batch at once.
torch::Tensor normalise(const torch::Tensor& pixels) { return pixels.to(torch::kFloat32).div_(255).sub_(kMean).div_(kStd); }

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
// CPU seconds (user + system) the process has used, all threads.
double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}
double wallMs() {
  return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The mean time of a step in the fastest run of kBlock consecutive steps, ms: what the step
// costs when nothing else disturbs it, from times taken after each step (0 when too few steps).
constexpr size_t kBlock = 50;
double bestBlockMs(const std::vector<Clock::time_point>& stamps) {
  double best = 0;
  for (size_t i = 0; i + kBlock < stamps.size(); i++) {
    const double ms = std::chrono::duration<double, std::milli>(stamps[i + kBlock] - stamps[i]).count() / kBlock;
    if (best == 0 || ms < best) best = ms;
  }
  return best;
}

using Args = std::map<std::string, std::string>;
int64_t intArg(const Args& args, const std::string& key) {
  const auto it = args.find(key);
  if (it == args.end()) throw std::invalid_argument("missing argument " + key + "=");
  return std::stoll(it->second);
}

// The result line's fields, in order.
using Fields = std::vector<std::pair<std::string, double>>;

// One epoch of `batches` shuffled batches of 64 gathered from the pre-made training tensors, then
// the test set's first `testBatches` batches of 64 under no_grad (loss and correct count summed
// on the device, as torch.evaluate does).
Fields mnist(const Args& args) {
  const std::string root = args.at("data");
  auto [images, labels] = loadSplit(root, "train");
  auto [testImages, testLabels] = loadSplit(root, "t10k");
  const int64_t n = images.size(0);
  const int64_t batches = std::min(intArg(args, "batches"), (n + kBatch - 1) / kBatch);
  auto order = torch::randperm(std::min(n, batches * kBatch));
  SeedModel model;
  torch::nn::CrossEntropyLoss criterion;
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.5));
  model->train();
  double firstBatchAt = 0;
  const double cpu0 = cpuSeconds();
  auto t0 = Clock::now();
  std::vector<Clock::time_point> stamps{t0};
  torch::Tensor loss;
  // `modules=1`: each submodule's time per step, over the steps after the first 150 (warm).
  const bool modules = args.count("modules") && args.at("modules") == "1";
  std::map<std::string, double> moduleTimes;
  for (int64_t b = 0; b < batches; b++) {
    if (modules && b == std::min<int64_t>(150, batches / 2)) model->times = &moduleTimes;
    const auto idx = order.slice(0, b * kBatch, (b + 1) * kBatch);
    loss = criterion(model->forward(normalise(images.index_select(0, idx))), labels.index_select(0, idx));
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    if (b == 0) firstBatchAt = wallMs();
    stamps.push_back(Clock::now());
  }
  const double check = loss.item<double>();
  const double seconds = since(t0);
  model->times = nullptr;
  const double cpu = cpuSeconds() - cpu0;

  model->eval();
  torch::NoGradGuard noGrad;
  const int64_t testBatches = std::min(intArg(args, "testBatches"), (testImages.size(0) + kBatch - 1) / kBatch);
  auto lossSum = torch::zeros({}, torch::kFloat64);
  auto correct = torch::zeros({}, torch::kInt64);
  t0 = Clock::now();
  for (int64_t b = 0; b < testBatches; b++) {
    const auto y = testLabels.slice(0, b * kBatch, (b + 1) * kBatch);
    const auto out = model->forward(normalise(testImages.slice(0, b * kBatch, (b + 1) * kBatch)));
    lossSum.add_(criterion(out, y));
    correct.add_(out.argmax(1).eq(y).sum());
  }
  const double accuracy = correct.item<double>() / double(std::min(testImages.size(0), testBatches * kBatch));
  const double evalSeconds = since(t0);
  Fields out{{"seconds", seconds}, {"evalSeconds", evalSeconds}, {"firstBatchAt", firstBatchAt}, {"blockStepMs", bestBlockMs(stamps)},
             {"cpuSeconds", cpu}, {"check", check}, {"accuracy", accuracy}};
  const double timedSteps = static_cast<double>(batches - std::min<int64_t>(150, batches / 2));
  for (const auto& [name, us] : moduleTimes) out.emplace_back("us_" + name, us / timedSteps);
  return out;
}

// Per-call overhead: a.add(b) on 4-element float tensors, results dropped, after 50,000 of warm-up.
// boxed=1 (by hand): each call through the dispatcher's boxed path, as nodetorch's generated op
// layer calls every op (native/bindings/dispatch.cc).
Fields smallOps(const Args& args) {
  const int64_t ops = intArg(args, "ops");
  const bool boxed = args.count("boxed") != 0 && intArg(args, "boxed") == 1;
  auto a = torch::tensor({1.f, 2.f, 3.f, 4.f});
  auto b = torch::tensor({0.5f, 0.5f, 0.5f, 0.5f});
  const auto op = c10::Dispatcher::singleton().findSchemaOrThrow("aten::add", "Tensor");
  torch::jit::Stack stack;
  const auto call = [&] {
    if (!boxed) {
      a.add(b);
      return;
    }
    stack.clear();
    stack.emplace_back(a);
    stack.emplace_back(b);
    stack.emplace_back(c10::Scalar(1));
    op.callBoxed(&stack);
  };
  for (int i = 0; i < 50000; i++) call();
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < ops; i++) call();
  const double seconds = since(t0);
  return {{"seconds", seconds}, {"check", a.add(b).sum().item<double>()}};
}

// resnet18 training steps (SGD 0.01, momentum 0.9) on one pre-made random batch, after `warmup` steps.
Fields resnet18(const Args& args) {
  const int64_t steps = intArg(args, "steps"), batch = intArg(args, "batch"), size = intArg(args, "size");
  const int64_t warmup = intArg(args, "warmup");
  ResNet18 model;
  torch::nn::CrossEntropyLoss criterion;
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  model->train();
  const auto x = torch::randn({batch, 3, size, size});
  const auto y = torch::randint(0, 1000, {batch});
  torch::Tensor loss;
  const auto step = [&] {
    loss = criterion(model->forward(x), y);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  };
  for (int64_t i = 0; i < warmup; i++) step();
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < steps; i++) step();
  const double seconds = since(t0);
  return {{"seconds", seconds}, {"check", loss.item<double>()}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <mnist|smallops|resnet18> key=value ...\n", argv[0]);
    return 2;
  }
  const std::string workload = argv[1];
  Args args;
  for (int i = 2; i < argc; i++) {
    const std::string kv = argv[i];
    const auto eq = kv.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "Expected key=value but received %s\n", argv[i]);
      return 2;
    }
    args[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  try {
    at::set_num_threads(static_cast<int>(intArg(args, "threads")));
    torch::manual_seed(intArg(args, "seed"));
    Fields r;
    if (workload == "mnist") r = mnist(args);
    else if (workload == "smallops") r = smallOps(args);
    else if (workload == "resnet18") r = resnet18(args);
    else throw std::invalid_argument("Expected mnist, smallops or resnet18 for workload but received " + workload);
    std::printf("{");
    for (const auto& [key, value] : r) std::printf("\"%s\": %.17g, ", key.c_str(), value);
    std::printf("\"peakRssMB\": %.3f, \"threads\": %d}\n", peakRssMB(), at::get_num_threads());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
