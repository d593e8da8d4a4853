// The C++ LibTorch side of the benchmarks:
//   workload <train|infer|smallops> <mnistDir> [threads] [seed] [n]
// Prints one JSON line {"seconds", "peakRssMB", "check"}; `seconds` covers only the timed loop.
// Same work as bench/ts/workload.ts and bench/py/workload.py.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr int64_t kTrainBatch = 64;
constexpr int64_t kInferBatch = 256;
constexpr int kWarmup = 5;
constexpr double kMean = 0.1307, kStd = 0.3081;

// The seed's CNN: conv1 1->10 k5, conv2 10->20 k5, linear 320->10.
struct ModelImpl : torch::nn::Module {
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::Linear linear{nullptr};
  torch::nn::MaxPool2d mp{nullptr};
  torch::nn::ReLU activate{nullptr};
  ModelImpl() {
    conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 10, 5)));
    conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(10, 20, 5)));
    linear = register_module("linear", torch::nn::Linear(320, 10));
    mp = register_module("mp", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
    activate = register_module("activate", torch::nn::ReLU());
  }
  torch::Tensor forward(torch::Tensor x) {
    const auto batch = x.size(0);
    x = activate(mp(conv1(x)));
    x = activate(mp(conv2(x)));
    x = x.view({batch, -1});
    return linear(x);
  }
};
TORCH_MODULE(Model);

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

std::pair<torch::Tensor, torch::Tensor> loadTrain(const std::string& root) {
  auto images = readIdx(root + "/train-images-idx3-ubyte").unsqueeze(1);
  auto labels = readIdx(root + "/train-labels-idx1-ubyte").to(torch::kInt64);
  return {images, labels};
}

std::pair<torch::Tensor, torch::Tensor> toBatch(const torch::Tensor& images, const torch::Tensor& labels, const torch::Tensor& idx) {
  auto x = images.index_select(0, idx).to(torch::kFloat32).div_(255).sub_(kMean).div_(kStd);
  return {x, labels.index_select(0, idx)};
}

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::pair<double, double> train(const std::string& root, int64_t steps) {
  auto [images, labels] = loadTrain(root);
  auto order = torch::randperm(images.size(0));
  Model model;
  torch::nn::CrossEntropyLoss criterion;
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.5));
  model->train();
  auto t0 = Clock::now();
  double last = 0;
  for (int64_t step = 0; step < kWarmup + steps; step++) {
    if (step == kWarmup) t0 = Clock::now();
    auto [x, y] = toBatch(images, labels, order.slice(0, step * kTrainBatch, (step + 1) * kTrainBatch));
    auto loss = criterion(model->forward(x), y);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    if (step == kWarmup + steps - 1) last = loss.item<double>();
  }
  return {since(t0), last};
}

std::pair<double, double> infer(const std::string& root, int64_t batches) {
  auto [images, labels] = loadTrain(root);
  std::vector<torch::Tensor> xs;
  for (int64_t i = 0; i < batches; i++) {
    xs.push_back(toBatch(images, labels, torch::arange(i * kInferBatch, (i + 1) * kInferBatch)).first);
  }
  Model model;
  model->eval();
  torch::NoGradGuard noGrad;
  for (int i = 0; i < kWarmup; i++) model->forward(xs[i]);
  double check = 0;
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < batches; i++) {
    auto out = model->forward(xs[i]);
    if (i == batches - 1) check = out.sum().item<double>();
  }
  return {since(t0), check};
}

std::pair<double, double> smallOps(int64_t ops) {
  auto a = torch::tensor({1.f, 2.f, 3.f, 4.f});
  auto b = torch::tensor({0.5f, 0.5f, 0.5f, 0.5f});
  for (int i = 0; i < kWarmup * 10000; i++) a.add(b);
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < ops; i++) a.add(b);
  const double seconds = since(t0);
  return {seconds, a.add(b).sum().item<double>()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <train|infer|smallops> <mnistDir> [threads] [seed] [n]\n", argv[0]);
    return 2;
  }
  const std::string workload = argv[1], root = argv[2];
  const int threads = argc > 3 ? std::stoi(argv[3]) : 2;
  const uint64_t seed = argc > 4 ? std::stoull(argv[4]) : 0;
  const int64_t n = argc > 5 ? std::stoll(argv[5]) : (workload == "train" ? 200 : workload == "infer" ? 100 : 100000);
  try {
    at::set_num_threads(threads);
    torch::manual_seed(seed);
    std::pair<double, double> r;
    if (workload == "train") r = train(root, n);
    else if (workload == "infer") r = infer(root, n);
    else if (workload == "smallops") r = smallOps(n);
    else throw std::invalid_argument("Expected train, infer or smallops for workload but received " + workload);
    std::printf("{\"seconds\": %.9f, \"peakRssMB\": %.3f, \"threads\": %d, \"check\": %.9g}\n", r.first, peakRssMB(),
                at::get_num_threads(), r.second);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
