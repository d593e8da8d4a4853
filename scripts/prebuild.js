#!/usr/bin/env node
'use strict';
// `npm run prebuild`: builds prebuilds/<platform>-<arch>/nodetorch.libtorch-<major>.<minor>.node for
// every LibTorch found here (Python torch and the system's), the layout node-gyp-build/prebuildify
// use, with one binary per LibTorch version. The binaries carry no rpath: the loader (lib/binding.ts)
// loads the user's LibTorch by absolute path first.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { findLibtorch, prebuiltName } = require('./find-libtorch');

const root = path.resolve(__dirname, '..');
const candidates = [{}, { LIBTORCH: '/usr' }];
if (process.env.LIBTORCH) candidates.unshift({ LIBTORCH: process.env.LIBTORCH });
const outDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
fs.mkdirSync(outDir, { recursive: true });
const done = new Set();
// Copy, then rename over the old binary: a process that has the old one loaded keeps it intact.
function install(from, to) {
  fs.copyFileSync(from, `${to}.tmp`);
  fs.renameSync(`${to}.tmp`, to);
}
for (const extra of candidates) {
  const env = { ...process.env, ...extra };
  if (extra.LIBTORCH === undefined) delete env.LIBTORCH;
  const found = findLibtorch(env);
  if (found.error || done.has(found.libDir)) continue;
  done.add(found.libDir);
  if (found.cuda) {
    console.log(`prebuild: skipping CUDA LibTorch ${found.version} at ${found.root} (CUDA builds are made from source)`);
    continue;
  }
  const buildDir = `build-prebuild-${found.version}`;
  console.log(`prebuild: LibTorch ${found.version} (${found.source}) → ${buildDir}`);
  const res = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js')], {
    cwd: root, stdio: 'inherit',
    env: { ...env, LIBTORCH: found.root, NODETORCH_BUILD_DIR: buildDir, NODETORCH_PREBUILT: '1' },
  });
  if (res.status !== 0) process.exit(res.status || 1);
  const target = path.join(outDir, prebuiltName(found));
  install(path.join(root, buildDir, 'Release', 'nodetorch.node'), target);
  console.log(`prebuild: wrote ${path.relative(root, target)}`);
  install(path.join(root, buildDir, 'Release', 'nodetorch_preload.node'), path.join(outDir, 'nodetorch-preload.node'));
}
if (done.size === 0) {
  console.error('prebuild: no LibTorch found');
  process.exit(1);
}
