/**
 * `torch.config()`, threads and `torch.cuda` on this machine, checked against what the build
 * recorded (build/Release/nodetorch.json), what Python's torch reports, and the CPU topology.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';

const ROOT = join(__dirname, '..');
const BUILD_INFO = join(ROOT, 'build', 'Release', 'nodetorch.json');

/** Physical cores: distinct (core, socket) pairs, from lscpu or else /sys. */
function physicalCores(): number {
  try {
    const out = execFileSync('lscpu', ['-p=core,socket'], { encoding: 'utf8' });
    const pairs = new Set(out.split('\n').filter((l) => l && !l.startsWith('#')));
    if (pairs.size > 0) return pairs.size;
  } catch { /* fall through to /sys */ }
  const cpus = readdirSync('/sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d));
  const pairs = new Set(cpus.map((c) => {
    const topo = `/sys/devices/system/cpu/${c}/topology`;
    return `${readFileSync(`${topo}/core_id`, 'utf8').trim()},${readFileSync(`${topo}/physical_package_id`, 'utf8').trim()}`;
  }));
  return pairs.size;
}

/** Runs a snippet in a fresh Node process with `env` added; returns its stdout. */
function child(code: string, env: Record<string, string | undefined>): string {
  return execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', code], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000,
  }).trim();
}

describe('torch.config()', () => {
  test('reports the LibTorch the addon was built against', () => {
    const c = torch.config();
    expect(Object.keys(c).sort()).toEqual(['binary', 'cuda', 'libDir', 'libtorchVersion', 'numThreads', 'root']);
    expect(c.libtorchVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof c.cuda).toBe('boolean');
    expect(existsSync(c.root)).toBe(true);
    expect(existsSync(c.libDir)).toBe(true);
    expect(c.binary.file).toMatch(c.binary.kind === 'prebuilt' ? /nodetorch\.libtorch-\d+\.\d+\.node$/ : /nodetorch\.node$/);
    if (c.binary.kind === 'local build' && existsSync(BUILD_INFO)) {
      const info = JSON.parse(readFileSync(BUILD_INFO, 'utf8'));
      expect(c.libtorchVersion).toBe(info.libtorchVersion);
      expect(c.root).toBe(info.root);
      expect(c.libDir).toBe(info.libDir);
      expect(c.cuda).toBe(info.cuda);
    }
  });

  test('a build against Python\'s torch has the same major.minor as `import torch`', () => {
    const c = torch.config();
    const info = existsSync(BUILD_INFO) ? JSON.parse(readFileSync(BUILD_INFO, 'utf8')) : null;
    if (info === null || !/^Python torch/.test(info.source ?? '') || c.root !== info.root) return;
    const py = execFileSync('python3', ['-c', 'import torch, os; print(torch.__version__); print(os.path.dirname(torch.__file__))'], { encoding: 'utf8' })
      .trim().split('\n');
    const majorMinor = (v: string) => v.split('.').slice(0, 2).join('.');
    expect(majorMinor(c.libtorchVersion)).toBe(majorMinor(py[0]));
    expect(c.root).toBe(py[1]);
  });
});

describe('threads', () => {
  test('numThreads defaults to the physical cores (OMP_NUM_THREADS unset), as PyTorch does', () => {
    const cores = physicalCores();
    const n = Number(child("console.log(require('./lib').config().numThreads)", { OMP_NUM_THREADS: undefined, MKL_NUM_THREADS: undefined }));
    expect(n).toBe(cores);
    // And Python agrees on this machine.
    const py = Number(execFileSync('python3', ['-c', 'import torch; print(torch.get_num_threads())'], {
      encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: undefined } as NodeJS.ProcessEnv,
    }).trim());
    expect(n).toBe(py);
  });

  test('OMP_NUM_THREADS overrides the default', () => {
    expect(Number(child("console.log(require('./lib').getNumThreads())", { OMP_NUM_THREADS: '1' }))).toBe(1);
    // Above the core count, pip's 2.13 reports the cores and Debian's 1.13 the value asked for:
    // match the Python whose LibTorch is the one loaded.
    const python = torch.config().libtorchVersion.startsWith('1.') ? '/usr/bin/python3' : 'python3';
    const py = Number(execFileSync(python, ['-c', 'import torch; print(torch.get_num_threads())'], {
      encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '3' },
    }).trim());
    expect(Number(child("console.log(require('./lib').getNumThreads())", { OMP_NUM_THREADS: '3' }))).toBe(py);
  });

  test('setNumThreads / getNumThreads', () => {
    const before = torch.getNumThreads();
    try {
      torch.setNumThreads(1);
      expect(torch.getNumThreads()).toBe(1);
      expect(torch.config().numThreads).toBe(1);
      torch.setNumThreads(3);
      expect(torch.getNumThreads()).toBe(3);
      // Work still runs and gives the same answer.
      expect(torch.ones([64, 64]).matmul(torch.ones([64, 64])).sum().item()).toBe(64 * 64 * 64);
    } finally {
      torch.setNumThreads(before);
    }
    expect(() => torch.setNumThreads(0)).toThrow(RangeError);
    expect(() => torch.setNumThreads(1.5)).toThrow(TypeError);
  });
});

describe('torch.cuda', () => {
  const hasGpu = existsSync('/dev/nvidia0');
  test.skipIf(hasGpu)('not available on this CPU machine; zero devices', () => {
    expect(torch.cuda.isAvailable()).toBe(false);
    expect(torch.cuda.deviceCount()).toBe(0);
    expect(torch.device('cpu')).toBe('cpu');
    expect(torch.device('cuda:0')).toBe('cuda:0');
    expect(() => torch.device('tpu')).toThrow(TypeError);
  });

  test('isAvailable() implies a CUDA build and at least one device', () => {
    if (torch.cuda.isAvailable()) {
      expect(torch.config().cuda).toBe(true);
      expect(torch.cuda.deviceCount()).toBeGreaterThan(0);
    } else if (!torch.config().cuda) {
      expect(torch.cuda.deviceCount()).toBe(0);
    }
  });
});
