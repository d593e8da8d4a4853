#!/usr/bin/env node
'use strict';
// `npm pack` and `npm publish` run this first ("prepack"), so a tarball always holds dist/ and the
// prebuilt binaries, and a user without a compiler can install it:
//   - by default it compiles dist/ and runs scripts/prebuild.js, which builds a binary for every
//     supported LibTorch found here (incremental: an unchanged tree rebuilds nothing);
//   - with NODETORCH_PREPACK=release (the release workflow's publish job, whose prebuilds/ holds
//     the binaries its build jobs made) it compiles dist/ and builds nothing.
// Either way it then fails unless prebuilds/ holds what it must: every binary libtorch.json lists
// for every platform (release), or at least the preload helper and one binary for this platform.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { manifest, expectedPrebuilds, PLATFORM } = require('./find-libtorch');
const { prebuild } = require('./prebuild');

const root = path.resolve(__dirname, '..');
const release = process.env.NODETORCH_PREPACK === 'release';

function run(cmd, args) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (res.status !== 0) process.exit(res.status || 1);
}

/** The binaries a complete tarball needs: per platform folder, the file names. */
function required() {
  if (!release) return { [PLATFORM]: null };
  const platforms = [...new Set(manifest.versions.flatMap((v) => [...v.platforms, ...v.cudaPlatforms]))];
  return Object.fromEntries(platforms.map((p) => [p, expectedPrebuilds(p)]));
}

function check() {
  const missing = [];
  for (const [platform, names] of Object.entries(required())) {
    const dir = path.join(root, 'prebuilds', platform);
    const have = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    const need = ['nodetorch-preload.node', ...(names ?? [])];
    missing.push(...need.filter((n) => !have.includes(n)).map((n) => `prebuilds/${platform}/${n}`));
    if (names === null && !have.some((n) => n.startsWith('nodetorch.libtorch-'))) missing.push(`prebuilds/${platform}/nodetorch.libtorch-*.node`);
    console.log(`prepack: prebuilds/${platform}: ${have.filter((n) => n.endsWith('.node')).join(', ') || 'none'}`);
  }
  if (!fs.existsSync(path.join(root, 'dist', 'lib', 'index.js'))) missing.push('dist/lib/index.js');
  if (missing.length) {
    console.error(`prepack: the package would lack ${missing.join(', ')}; not packing.`);
    process.exit(1);
  }
}

run('npm', ['run', 'build:ts']);
if (!release) prebuild();
check();
