#!/usr/bin/env node
'use strict';
// `npm install` step. Uses, in order: an existing local build for the LibTorch found, a
// prebuilt binary for it (prebuilds/<platform>-<arch>/), or a build from source with cmake-js.
// It never fails the install: without LibTorch, cmake or a compiler it prints what to do, and
// `require('nodetorch')` later throws the same advice. Type definitions work regardless.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { findLibtorch, prebuiltName, manifest, sourceOf, supportedText, PLATFORM } = require('./find-libtorch');

const root = path.resolve(__dirname, '..');
const log = (msg) => console.log(`nodetorch: ${msg}`);

function has(cmd, args = ['--version']) {
  const res = spawnSync(cmd, args, { stdio: 'ignore' });
  return res.status === 0;
}

/** The supported LibTorch versions with a prebuilt binary in `dir`, e.g. `LibTorch 2.13 (pip install torch==2.13.0; CPU or CUDA)`. */
function withPrebuilt(dir) {
  const listed = manifest.versions.map((v) => {
    const built = (cuda) => fs.existsSync(path.join(dir, prebuiltName({ version: v.version, cuda })));
    const kinds = [built(false) && 'CPU', built(true) && 'CUDA'].filter(Boolean);
    return kinds.length ? `LibTorch ${v.version} (${sourceOf(v)}; ${kinds.join(' or ')})` : null;
  });
  return listed.filter(Boolean).join(', ') || 'none';
}

function main() {
  if (process.env.NODETORCH_SKIP_INSTALL === '1') return log('NODETORCH_SKIP_INSTALL=1: skipping the native addon');
  const found = findLibtorch();
  if (found.error) {
    log(`${found.error}; the native addon was not set up. Tried:\n  ${found.tried.join('\n  ')}\n` +
      `Install ${supportedText()} (or set LIBTORCH=/path/to/libtorch), then run \`npm rebuild nodetorch\`.`);
    return;
  }
  const local = path.join(root, 'build', 'Release', 'nodetorch.json');
  if (fs.existsSync(local) && JSON.parse(fs.readFileSync(local, 'utf8')).libDir === found.libDir) {
    return log(`using the local build for LibTorch ${found.version} at ${found.root}`);
  }
  const prebuiltDir = path.join(root, 'prebuilds', PLATFORM);
  const prebuilt = path.join(prebuiltDir, prebuiltName(found));
  if (fs.existsSync(prebuilt)) return log(`using the prebuilt binary ${path.relative(root, prebuilt)} for LibTorch ${found.version} at ${found.root}`);
  const cxx = process.env.CXX || 'c++';
  const missing = [!has('cmake') && 'cmake', !has(cxx) && `a C++ compiler (${cxx})`, !has('make') && !has('ninja') && 'make or ninja'].filter(Boolean);
  if (missing.length) {
    log(`no prebuilt binary matches LibTorch ${found.version}${found.cuda ? ' (CUDA)' : ''} at ${found.root}, and building from source needs ${missing.join(', ')}, ` +
      'which this machine lacks. Install them (e.g. `apt-get install cmake g++`) and run `npm rebuild nodetorch`, or use a LibTorch with a prebuilt binary ' +
      `for ${PLATFORM}: ${withPrebuilt(prebuiltDir)}.`);
    return;
  }
  log(`no prebuilt binary for LibTorch ${found.version}${found.cuda ? ' (CUDA)' : ''}; building from source`);
  const res = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js')], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) log('the build from source failed (see above); `require("nodetorch")` will explain what to do.');
}

main();
