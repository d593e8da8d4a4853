'use strict';
// Finds the LibTorch to build against and to load at run time, in one order:
//   1. LIBTORCH (a LibTorch root: lib/, include/, share/cmake/Torch),
//   2. the Python `torch` package (its torch/ directory is a LibTorch root),
//   3. the system (Debian/Ubuntu libtorch-dev).
// Used by scripts/build-native.js and by lib/binding.ts, so both choose the same root. Also the
// one reader of libtorch.json, the manifest of supported versions.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const SYSTEM_ROOTS = ['/usr', '/usr/local'];
const TRIPLETS = ['x86_64-linux-gnu', 'aarch64-linux-gnu'];

/** libtorch.json: `versions`, each { version: 'major.minor', pip?, debian?, cuda?, platforms, cudaPlatforms }. */
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'libtorch.json'), 'utf8'));

/** This machine's prebuilds/ folder name, e.g. `linux-x64`. */
const PLATFORM = `${process.platform}-${process.arch}`;

/** A LibTorch library's file name on this platform: `torch` → libtorch.so, libtorch.dylib or torch.dll. */
function libFile(name) {
  if (process.platform === 'darwin') return `lib${name}.dylib`;
  if (process.platform === 'win32') return `${name}.dll`;
  return `lib${name}.so`;
}

function readVersion(includeDirs) {
  for (const dir of includeDirs) {
    for (const rel of ['torch/headeronly/version.h', 'torch/csrc/api/include/torch/version.h']) {
      const file = path.join(dir, rel);
      if (!fs.existsSync(file)) continue;
      const text = fs.readFileSync(file, 'utf8');
      const part = (name) => (text.match(new RegExp(`#define TORCH_VERSION_${name} (\\d+)`)) || [])[1];
      if (part('MAJOR') !== undefined) return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
    }
  }
  return null;
}

/** Describes a LibTorch root, or returns null with `why` filled when it is not one. */
function describeRoot(root, source, why) {
  // A LibTorch archive or the Python package keeps everything under lib/ and share/; a
  // distribution package splits it over lib/<triplet>/ and include/.
  const libDirs = [path.join(root, 'lib'), ...TRIPLETS.map((t) => path.join(root, 'lib', t))];
  for (const libDir of libDirs) {
    if (!fs.existsSync(path.join(libDir, libFile('torch')))) continue;
    const cmakeDir = [path.join(root, 'share', 'cmake', 'Torch'), path.join(libDir, 'cmake', 'Torch')]
      .find((dir) => fs.existsSync(path.join(dir, 'TorchConfig.cmake')));
    if (!cmakeDir) continue;
    return finish({ source, root, cmakeDir, libDir, includeDir: path.join(root, 'include') });
  }
  why.push(`${source}: ${root} has no ${libFile('torch')} with a TorchConfig.cmake beside it`);
  return null;
}

function finish(found) {
  found.libDir = fs.realpathSync(found.libDir);
  found.version = readVersion([found.includeDir]);
  found.cuda = fs.existsSync(path.join(found.libDir, libFile('torch_cuda')));
  return found;
}

function fromPython(why, env) {
  const pythons = env.PYTHON ? [env.PYTHON] : ['python3', 'python'];
  for (const py of pythons) {
    let out;
    try {
      out = execFileSync(py, ['-c', 'import os, torch; print(os.path.dirname(torch.__file__))'], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000, env,
      }).trim();
    } catch {
      why.push(`Python torch: \`${py} -c "import torch"\` failed`);
      continue;
    }
    return describeRoot(out, `Python torch (${py})`, why);
  }
  return null;
}

function fromSystem(why, env) {
  // NODETORCH_SYSTEM_ROOTS (colon-separated) replaces the default system prefixes, e.g. for a
  // LibTorch under /opt; an empty value searches none.
  const roots = env.NODETORCH_SYSTEM_ROOTS !== undefined ? env.NODETORCH_SYSTEM_ROOTS.split(':').filter(Boolean) : SYSTEM_ROOTS;
  for (const root of roots) {
    const found = describeRoot(root, 'system', why);
    if (found) return found;
  }
  return null;
}

/**
 * Returns { source, root, cmakeDir, libDir, includeDir, version, cuda } for the first LibTorch found,
 * or { error, tried } listing every place looked at.
 */
function findLibtorch(env = process.env) {
  const tried = [];
  if (env.LIBTORCH) {
    const found = describeRoot(path.resolve(env.LIBTORCH), 'LIBTORCH', tried);
    // An explicit choice that is wrong is an error, not a reason to fall through silently.
    return found || { error: `LIBTORCH=${env.LIBTORCH} is not a LibTorch root`, tried };
  }
  const found = fromPython(tried, env) || fromSystem(tried, env);
  return found || { error: 'no LibTorch found', tried };
}

/** `2.13.0` → `2.13`. */
function majorMinor(version) {
  return String(version).split('.').slice(0, 2).join('.');
}

/** The prebuilt binary's file name for a LibTorch: one per major.minor (and CUDA or not). */
function prebuiltName(found) {
  return `nodetorch.libtorch-${majorMinor(found.version)}${found.cuda ? '-cuda' : ''}.node`;
}

/** The manifest's entry for a LibTorch version (`2.13.0` or `2.13`), or undefined if it is not supported. */
function supportedEntry(version) {
  return manifest.versions.find((v) => v.version === majorMinor(version));
}

/** Where a supported version comes from, for messages: `pip install torch==2.13.0`, `Debian libtorch-dev 1.13.1`. */
function sourceOf(entry) {
  return entry.pip ? `pip install torch==${entry.pip}` : `Debian libtorch-dev ${entry.debian}`;
}

/** `LibTorch 2.13 (pip install torch==2.13.0) or 1.13 (Debian libtorch-dev 1.13.1)`, for messages. */
function supportedText() {
  return `LibTorch ${manifest.versions.map((v) => `${v.version} (${sourceOf(v)})`).join(' or ')}`;
}

/** The prebuilt binaries a complete package holds for `platform`, from the manifest (one CPU, one CUDA where built). */
function expectedPrebuilds(platform = PLATFORM) {
  return manifest.versions.flatMap((v) => [
    ...(v.platforms.includes(platform) ? [prebuiltName({ version: v.version, cuda: false })] : []),
    ...(v.cudaPlatforms.includes(platform) ? [prebuiltName({ version: v.version, cuda: true })] : []),
  ]);
}

module.exports = {
  findLibtorch, readVersion, prebuiltName, manifest, PLATFORM, libFile, majorMinor, supportedEntry, sourceOf, supportedText, expectedPrebuilds,
};

if (require.main === module) {
  process.stdout.write(JSON.stringify(findLibtorch(), null, 2) + '\n');
}
