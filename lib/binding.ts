/**
 * The one loader of the native addon. Order: a local build (`build/Release`), then a prebuilt
 * binary matching the LibTorch found (see scripts/find-libtorch.js), then one actionable error.
 * After loading it checks that every LibTorch library in the process comes from one root and
 * sets intra-op threads to the physical core count, as PyTorch Python does.
 * @internal
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Native } from './native';

// lib/ when run from source, dist/lib/ when compiled: the package root is the first parent
// holding this package's package.json.
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'nodetorch') return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..');
  }
}

const PACKAGE_ROOT = packageRoot();

/** scripts/find-libtorch.js: the LibTorch search the build and install use, and libtorch.json, the supported versions. */
interface Finder {
  findLibtorch(): { error?: string; tried: string[]; version: string; root: string; libDir: string; cuda: boolean };
  prebuiltName(found: { version: string; cuda: boolean }): string;
  supportedEntry(version: string): object | undefined;
  supportedText(): string;
  libFile(name: string): string;
  manifest: { versions: { version: string; pip?: string; debian?: string }[] };
  PLATFORM: string;
}

function finder(): Finder {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(PACKAGE_ROOT, 'scripts', 'find-libtorch.js')) as Finder;
}

/** What the loader chose; `torch.config()` reports it with the native facts. */
export interface BindingInfo {
  /** Path of the `.node` file loaded. */
  file: string;
  /** `local build` or `prebuilt`. */
  kind: 'local build' | 'prebuilt';
  /** Directory whose LibTorch libraries the addon must use. */
  libDir: string;
  /** The LibTorch root those libraries belong to. */
  root: string;
}

interface Candidate {
  file: string;
  kind: BindingInfo['kind'];
  libDir: string;
  root: string;
  libtorchVersion: string;
}

function localBuild(tried: string[]): Candidate | null {
  // NODETORCH_BUILD_DIR names another build folder, as it does for scripts/build-native.js
  // (one folder per LibTorch when testing against several).
  const dir = path.join(PACKAGE_ROOT, process.env.NODETORCH_BUILD_DIR || 'build', 'Release');
  const file = path.join(dir, 'nodetorch.node');
  const meta = path.join(dir, 'nodetorch.json');
  if (!fs.existsSync(file) || !fs.existsSync(meta)) {
    tried.push(`local build: ${file} (not built)`);
    return null;
  }
  const info = JSON.parse(fs.readFileSync(meta, 'utf8')) as { libDir: string; root: string; libtorchVersion: string };
  const libtorch = finder().libFile('torch');
  if (!fs.existsSync(path.join(info.libDir, libtorch))) {
    tried.push(`local build: ${file} was built for ${info.libDir}, which no longer holds ${libtorch}`);
    return null;
  }
  return { file, kind: 'local build', libDir: info.libDir, root: info.root, libtorchVersion: info.libtorchVersion };
}

function prebuilt(tried: string[]): Candidate | null {
  const { findLibtorch, prebuiltName, supportedEntry, supportedText, PLATFORM } = finder();
  const found = findLibtorch();
  if (found.error) {
    tried.push(`LibTorch for a prebuilt binary: ${found.error} (${found.tried.join('; ')})`);
    return null;
  }
  const dir = path.join(PACKAGE_ROOT, 'prebuilds', PLATFORM);
  const file = path.join(dir, prebuiltName(found));
  if (!fs.existsSync(file)) {
    const have = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith('nodetorch.libtorch-')) : [];
    const unsupported = supportedEntry(found.version) ? '' : `; ${found.version} is not a supported version: ${supportedText()}`;
    tried.push(`prebuilt: ${file} for LibTorch ${found.version} at ${found.root} (prebuilt here: ${have.join(', ') || 'none'}${unsupported})`);
    return null;
  }
  return { file, kind: 'prebuilt', libDir: found.libDir, root: found.root, libtorchVersion: found.version };
}

/**
 * Loads LibTorch's libraries from `libDir` by absolute path (RTLD_LOCAL, through the LibTorch-free
 * `nodetorch-preload.node`), so a prebuilt addon, which carries no rpath, finds them by soname
 * without LD_LIBRARY_PATH, and no other library sees their dependencies (native/preload.cc).
 */
function preloadLibtorch(libDir: string, prebuiltDir: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const preload = require(path.join(prebuiltDir, 'nodetorch-preload.node')) as { loadLibrary(file: string): void };
  for (const lib of ['c10', 'torch_cpu', 'c10_cuda', 'torch_cuda', 'torch']) {
    const file = path.join(libDir, finder().libFile(lib));
    if (fs.existsSync(file)) preload.loadLibrary(file);
  }
}

function fixes(): string {
  const { manifest } = finder();
  const fix = (command: string, why: string) => `  ${command.padEnd(38)} (${why})`;
  return [
    'Fix it with one of:',
    ...manifest.versions.map((v) => v.pip
      ? fix(`pip install torch==${v.pip}`, `LibTorch ${v.version} from the Python package`)
      : fix('apt-get install libtorch-dev', `Debian/Ubuntu LibTorch ${v.version}`)),
    fix('LIBTORCH=/path/to/libtorch', 'a LibTorch root: lib/, include/, share/cmake/Torch'),
    fix('npm rebuild nodetorch', 'build from source against the LibTorch found; needs cmake and g++'),
  ].join('\n');
}

/**
 * The addon's functions never throw (native/bindings/common.cc, `Fail`): a failed call returns
 * the addon's `failure` object holding the error, and the function's twin made here throws it.
 * (A throw out of a binding can abort Node.js 20 when a collection runs finalizers meanwhile.)
 */
const OWN_FRAME = /\n {4}at (?:Object\.)?nativeCall [^\n]*/;

function throwing(addon: Record<string, unknown>): Native {
  const failure = addon.failure as { error?: unknown } | undefined;
  if (typeof failure !== 'object' || failure === null) throw new Error('the addon predates this library (it exports no `failure`); rebuild it');
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(addon)) {
    if (typeof fn !== 'function') continue;
    out[name] = function nativeCall(this: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params
      const result = Reflect.apply(fn, this, arguments);
      if (result !== failure) return result;
      const error = failure.error;
      failure.error = undefined;
      // An error made by native code has this wrapper as its top frame: the caller's is the one to see.
      if (error instanceof Error && typeof error.stack === 'string') error.stack = error.stack.replace(OWN_FRAME, '');
      throw error;
    };
  }
  return out as unknown as Native;
}

function load(): { native: Native; info: BindingInfo } {
  const tried: string[] = [];
  const forced = process.env.NODETORCH_PREBUILT === '1';
  const candidate = (forced ? null : localBuild(tried)) ?? prebuilt(tried);
  if (!candidate) {
    throw new Error(`nodetorch could not load its native addon. Tried:\n  ${tried.join('\n  ')}\n${fixes()}`);
  }
  if (candidate.kind === 'prebuilt') preloadLibtorch(candidate.libDir, path.dirname(candidate.file));
  let native: Native;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    native = throwing(require(candidate.file));
  } catch (e) {
    throw new Error(
      `nodetorch could not load ${candidate.file} (${candidate.kind} for LibTorch ${candidate.libtorchVersion} in ${candidate.libDir}): ` +
        `${(e as Error).message}\nTried:\n  ${tried.join('\n  ')}\n${fixes()}`,
    );
  }
  native.checkLibraries(candidate.libDir);
  // PyTorch Python's rule: one thread per physical core unless OMP_NUM_THREADS is set, in which
  // case LibTorch applies it as that version's Python does.
  if (process.env.OMP_NUM_THREADS === undefined) native.setNumThreads(native.physicalCores());
  return { native, info: { file: candidate.file, kind: candidate.kind, libDir: candidate.libDir, root: candidate.root } };
}

const loaded = load();

/** The native addon's functions (typed in lib/native.ts, implemented in native/bindings). */
export const native: Native = loaded.native;
/** Which binary was loaded, and for which LibTorch. */
export const bindingInfo: BindingInfo = loaded.info;
