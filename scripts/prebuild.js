#!/usr/bin/env node
'use strict';
// `npm run prebuild`: builds prebuilds/<platform>-<arch>/nodetorch.libtorch-<major>.<minor>[-cuda].node
// for every supported LibTorch (libtorch.json) found here — LIBTORCH if set, the Python torch
// package, the system's (Debian libtorch-dev) — the layout node-gyp-build/prebuildify use, with one
// binary per LibTorch version and variant. The binaries carry no rpath: the loader (lib/binding.ts)
// loads the user's LibTorch by absolute path first. `npm pack` runs this through scripts/prepack.js.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { findLibtorch, prebuiltName, supportedEntry, supportedText, PLATFORM } = require('./find-libtorch');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'prebuilds', PLATFORM);

// Copy, then rename over the old binary: a process that has the old one loaded keeps it intact.
function install(from, to) {
  fs.copyFileSync(from, `${to}.tmp`);
  fs.renameSync(`${to}.tmp`, to);
}

/** The LibTorch roots to build for: LIBTORCH if set, then the Python torch package and the system's. */
function candidates() {
  const list = [{}, { LIBTORCH: '/usr' }];
  if (process.env.LIBTORCH) list.unshift({ LIBTORCH: process.env.LIBTORCH });
  return list.map((extra) => {
    const env = { ...process.env, ...extra };
    if (extra.LIBTORCH === undefined) delete env.LIBTORCH;
    return env;
  });
}

/** Builds every supported LibTorch found; returns the paths written. */
function prebuild() {
  fs.mkdirSync(outDir, { recursive: true });
  const done = new Set();
  const written = [];
  for (const env of candidates()) {
    const found = findLibtorch(env);
    if (found.error || done.has(found.libDir)) continue;
    done.add(found.libDir);
    if (!supportedEntry(found.version)) {
      console.log(`prebuild: skipping LibTorch ${found.version} at ${found.root}: libtorch.json supports ${supportedText()}`);
      continue;
    }
    const buildDir = `build-prebuild-${found.version}${found.cuda ? '-cuda' : ''}`;
    console.log(`prebuild: LibTorch ${found.version}${found.cuda ? ' (CUDA)' : ''} (${found.source}) → ${buildDir}`);
    const res = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js')], {
      cwd: root, stdio: 'inherit',
      env: { ...env, LIBTORCH: found.root, NODETORCH_BUILD_DIR: buildDir, NODETORCH_PREBUILT: '1' },
    });
    if (res.status !== 0) process.exit(res.status || 1);
    const target = path.join(outDir, prebuiltName(found));
    install(path.join(root, buildDir, 'Release', 'nodetorch.node'), target);
    install(path.join(root, buildDir, 'Release', 'nodetorch_preload.node'), path.join(outDir, 'nodetorch-preload.node'));
    console.log(`prebuild: wrote ${path.relative(root, target)}`);
    written.push(target);
  }
  if (written.length === 0) {
    console.error(`prebuild: no supported LibTorch found (${supportedText()})`);
    process.exit(1);
  }
  return written;
}

module.exports = { prebuild };

if (require.main === module) prebuild();
