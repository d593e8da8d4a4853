#!/usr/bin/env node
'use strict';
// Builds build/Release/nodetorch.node against the LibTorch that find-libtorch chooses, and
// records that choice beside the binary (build/Release/nodetorch.json) for the loader.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { findLibtorch, supportedEntry, supportedText } = require('./find-libtorch');

function main() {
  const found = findLibtorch();
  if (found.error) {
    console.error(`nodetorch: ${found.error}. Tried:\n  ${found.tried.join('\n  ')}`);
    console.error(`Install ${supportedText()}, or set LIBTORCH=/path/to/libtorch.`);
    process.exit(1);
  }
  console.log(`nodetorch: building against LibTorch ${found.version} (${found.source}) at ${found.root}${found.cuda ? ' with CUDA' : ''}`);
  if (!supportedEntry(found.version)) {
    console.warn(`nodetorch: LibTorch ${found.version} is not a supported version (libtorch.json: ${supportedText()}); building anyway`);
  }
  const pkgRoot = path.resolve(__dirname, '..');
  const out = process.env.NODETORCH_BUILD_DIR || 'build';
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const args = [cmakeJs, 'compile', '--out', out,
    `--CDNODETORCH_TORCH_ROOT=${found.root}`,
    `--CDNODETORCH_TORCH_CMAKE_DIR=${found.cmakeDir}`,
    `--CDNODETORCH_TORCH_LIB_DIR=${found.libDir}`,
    `--CDNODETORCH_PREBUILT=${process.env.NODETORCH_PREBUILT === '1' ? 'ON' : 'OFF'}`,
    `--CDNODETORCH_SANITIZE=${process.env.NODETORCH_SANITIZE || ''}`];
  if (found.cuda && process.env.CUDACXX === undefined && fs.existsSync('/usr/local/cuda/bin/nvcc')) {
    process.env.CUDACXX = '/usr/local/cuda/bin/nvcc';
  }
  const res = spawnSync(process.execPath, args, { cwd: pkgRoot, stdio: 'inherit', env: { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: process.env.CMAKE_BUILD_PARALLEL_LEVEL || String(require('os').cpus().length) } });
  if (res.status !== 0) process.exit(res.status || 1);
  const info = { libtorchVersion: found.version, source: found.source, root: found.root, libDir: found.libDir, cuda: found.cuda };
  if (process.env.NODETORCH_PREBUILT !== '1') {
    fs.writeFileSync(path.join(pkgRoot, out, 'Release', 'nodetorch.json'), JSON.stringify(info, null, 2) + '\n');
  }
}

main();
