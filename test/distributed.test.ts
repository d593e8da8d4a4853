// torch.distributed on LibTorch's c10d: process groups of 2 and 3 node processes on loopback
// (test/helpers/dist-worker.ts), every collective against values computed here, the async forms,
// timeouts and a killed rank, and one group shared by a nodetorch rank and a Python PyTorch rank
// of the same LibTorch version (test/helpers/dist_rank.py).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib';
import { LIBTORCH, collect, freePort, pythonForThisLibtorch, type RankResult } from './helpers/processes';

const dist = torch.distributed;
const WORKER = path.join(__dirname, 'helpers', 'dist-worker.ts');
const PY_RANK = path.join(__dirname, 'helpers', 'dist_rank.py');
const V2 = Number(LIBTORCH.split('.')[0]) >= 2;

function nodeRank(scenario: string, initMethod: string, rank: number, worldSize: number, timeoutMs: number, env: NodeJS.ProcessEnv = process.env) {
  return spawn(process.execPath, ['--import', 'tsx', WORKER, scenario, initMethod, String(rank), String(worldSize), String(timeoutMs)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function runRanks(scenario: string, initMethod: string, worldSize: number, timeoutMs = 20_000, limitMs = 50_000): Promise<RankResult[]> {
  return Promise.all(Array.from({ length: worldSize }, (_, r) => collect(nodeRank(scenario, initMethod, r, worldSize, timeoutMs), limitMs)));
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** What each collective of the `collectives` scenario leaves on rank r of n. */
function expectedCollectives(r: number, n: number): Record<string, unknown> {
  const a = range(n).map((k) => k + 1);
  const b = range(n).map((k) => 2 * k - 1);
  const prev = (r + n - 1) % n;
  const e: Record<string, unknown> = {
    rank: r, worldSize: n, initialized: true,
    'allReduce.SUM': [sum(a), sum(b)],
    'allReduce.PRODUCT': [prod(a), prod(b)],
    'allReduce.MIN': [1, -1],
    'allReduce.MAX': [n, 2 * n - 3],
    'allReduce.async.wait': true,
    'allReduce.async': [sum(range(n)), n],
    'allReduce.async.isCompleted': true,
    broadcast: [7, 8, 9],
    'broadcast.async': [0, 1, 2, 3],
    allGather: range(n).map((k) => [k, 10 * k]),
    'allGather.async': range(n).map((k) => [k * k]),
    gather: r === 0 ? range(n).map((k) => [k + 0.5]) : null,
    scatter: [r, 10 - r],
    'recv.from': prev,
    recv: [prev, 42],
    'irecv.any': [100 + prev],
    'irecv.any.source': prev,
    'destroyed.isInitialized': false,
  };
  if (r === 1) e.reduce = [sum(a)];
  if (r <= 1) Object.assign(e, { 'group.allReduce': [3], 'group.rank': r, 'group.size': 2, 'group.broadcast': [5] });
  else Object.assign(e, { 'group.nonMember': true, 'group.rank': -1 });
  return e;
}

function checkCollectives(results: RankResult[]): void {
  const n = results.length;
  for (const [r, res] of results.entries()) {
    expect(res.code, res.stderr).toBe(0);
    const out = res.out;
    expect(out).toMatchObject(expectedCollectives(r, n));
    // AVG and reduce_scatter on Gloo: what this LibTorch does, as Python on it does.
    if (V2) {
      expect(out['allReduce.AVG']).toEqual([sum(range(n).map((k) => k + 1)) / n, sum(range(n).map((k) => 2 * k - 1)) / n]);
      expect(out.reduceScatter).toEqual([sum(range(n)) + n * r, 100 * r * n]);
    } else {
      expect(out['allReduce.AVG']).toMatchObject({ name: 'TorchError', message: expect.stringMatching(/AVG/) });
      expect(out.reduceScatter).toMatchObject({ name: 'TorchError', message: expect.stringMatching(/reduce_scatter/) });
    }
    expect(out['misuse.notTensor']).toMatchObject({ name: 'TypeError', message: 'Expected a Tensor for tensor but received [1,2]' });
    expect(out['misuse.op']).toMatchObject({ name: 'TypeError', message: expect.stringMatching(/^Expected a ReduceOp .* for op but received "MEAN"$/) });
    expect(out['misuse.src']).toMatchObject({ name: 'RangeError', message: expect.stringMatching(/for src but received \d/) });
    expect(out['misuse.option']).toMatchObject({ name: 'TypeError', message: expect.stringMatching(/async_op.*did you mean async\?/) });
    expect(out['destroyed.allReduce']).toMatchObject({ name: 'TorchError', code: 'DIST_NOT_INITIALIZED' });
  }
}

describe('torch.distributed in one process', () => {
  it('is available with Gloo, not NCCL on a CPU LibTorch', () => {
    expect(dist.isAvailable()).toBe(true);
    expect(dist.isGlooAvailable()).toBe(true);
    expect(dist.isNcclAvailable()).toBe(torch.config().cuda && dist.isNcclAvailable());
    expect(dist.isInitialized()).toBe(false);
  });

  it('refuses calls before initProcessGroup, as Python does', () => {
    expect(() => dist.getRank()).toThrow(/Default process group has not been initialized/);
    expect(() => dist.allReduce(torch.ones(1))).toThrow(expect.objectContaining({ code: 'DIST_NOT_INITIALIZED' }));
  });

  it('validates initProcessGroup options and the rendezvous', async () => {
    const env = { ...process.env };
    delete process.env.MASTER_ADDR;
    try {
      await expect(dist.initProcessGroup({ rank: 0, worldSize: 1 })).rejects.toThrow(/environment variable MASTER_ADDR expected, but not set/);
    } finally {
      process.env = env;
    }
    await expect(dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1', rank: 2, worldSize: 2 })).rejects.toThrow(RangeError);
    await expect(dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1', rank: 0, worldSize: 1 })).rejects.toThrow(TypeError);
    await expect(dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1', worldSize: 1 })).rejects.toThrow(/rank parameter missing/);
    await expect(dist.initProcessGroup({ initMethod: 'redis://x:1', rank: 0, worldSize: 1 })).rejects.toThrow(/No rendezvous handler for redis:/);
    await expect(dist.initProcessGroup({ timeout: 0 })).rejects.toThrow(RangeError);
    await expect(dist.initProcessGroup({ backend: 'mpi' as never })).rejects.toThrow(TypeError);
    if (!dist.isNcclAvailable()) {
      await expect(dist.initProcessGroup({ backend: 'nccl' })).rejects.toMatchObject({ name: 'TorchError', code: 'DIST_BACKEND_UNAVAILABLE' });
    }
    expect(dist.isInitialized()).toBe(false);
  });

  it('a rendezvous the other ranks never join fails after the timeout, off the event loop', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-dist-'));
    const timeout = 2000;
    // Rank 0 waits for the other rank to connect, rank 1 for a store server, file:// for the file to fill.
    const cases = [[`tcp://127.0.0.1:${await freePort()}`, 0], [`tcp://127.0.0.1:${await freePort()}`, 1], [`file://${path.join(dir, 'store')}`, 0]] as const;
    for (const [initMethod, rank] of cases) {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const start = Date.now();
      const err = await dist.initProcessGroup({ initMethod, rank, worldSize: 2, timeout }).catch((e) => e);
      clearInterval(timer);
      const ms = Date.now() - start;
      expect(err, initMethod).toMatchObject({ name: 'TorchError', code: 'DIST_ERROR' });
      // LibTorch 1.13's TCPStore client gives up a second early, as Python 1.13's does (a 5 s
      // timeout fails after 4.0 s there; one under 2 s fails at once).
      const early = !V2 && rank === 1 ? 1000 : 0;
      expect(ms, `${initMethod} rank ${rank}: ${err.message}`).toBeGreaterThanOrEqual(timeout - early - 100);
      expect(ms, `${initMethod} rank ${rank}: ${err.message}`).toBeLessThan(timeout + 5000);
      expect(ticks, initMethod).toBeGreaterThan(ms / 10 / 3);  // the loop ran while the pool waited
      expect(dist.isInitialized()).toBe(false);
    }
  });

  it('runs a world of one through file://, and refuses a second init', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-dist-'));
    await dist.initProcessGroup({ initMethod: `file://${path.join(dir, 'store')}`, rank: 0, worldSize: 1, timeout: 10_000 });
    try {
      expect([dist.getRank(), dist.getWorldSize(), dist.getBackend()]).toEqual([0, 1, 'gloo']);
      await expect(dist.initProcessGroup({ initMethod: `file://${path.join(dir, 'other')}`, rank: 0, worldSize: 1 })).rejects.toMatchObject({ code: 'DIST_ALREADY_INITIALIZED' });
      const t = torch.tensor([1.5, 2]);
      dist.allReduce(t);
      expect(t.tolist()).toEqual([1.5, 2]);
      const g = await dist.newGroup([0]);
      expect(g.size()).toBe(1);
      await expect(dist.newGroup([0, 1])).rejects.toThrow(RangeError);
    } finally {
      dist.destroyProcessGroup();
    }
    expect(dist.isInitialized()).toBe(false);
  });
});

describe('torch.distributed across processes (Gloo on loopback)', () => {
  it('2 ranks over tcp://: every collective, sync and async, and a subgroup', async () => {
    checkCollectives(await runRanks('collectives', `tcp://127.0.0.1:${await freePort()}`, 2));
  });

  it('3 ranks over file://: every collective, and a rank outside a subgroup', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-dist-'));
    checkCollectives(await runRanks('collectives', `file://${path.join(dir, 'store')}`, 3));
  });

  it('env:// reads MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE as torchrun sets them', async () => {
    const port = await freePort();
    const results = await Promise.all([0, 1].map((r) => collect(spawn(process.execPath, ['--import', 'tsx', WORKER, 'interop', 'env://', '-', '-'], {
      env: { ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), RANK: String(r), WORLD_SIZE: '2', LOCAL_RANK: String(r) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }), 50_000)));
    for (const res of results) {
      expect(res.code, res.stderr).toBe(0);
      expect(res.out.allReduce).toEqual([0, 3, 6, 9, 12, 15]);
    }
  });

  it('Work.wait() leaves the event loop running while peers are late', async () => {
    const [r0, r1] = await runRanks('eventLoop', `tcp://127.0.0.1:${await freePort()}`, 2);
    expect(r0.code, r0.stderr).toBe(0);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r0.out.completedAtStart).toBe(false);
    expect(r0.out.ticks).toBeGreaterThan(20);  // rank 1 joins after 1 s; 10 ms ticks
    expect(r0.out.value).toEqual([3]);
    expect(r1.out.value).toEqual([3]);
  });

  it('a collective a peer never joins fails with a TorchError after the timeout, sync and async', async () => {
    const timeout = 2000;
    const [[sync], [async]] = await Promise.all([
      runRanks('timeout', `tcp://127.0.0.1:${await freePort()}`, 2, timeout),
      runRanks('timeoutAsync', `tcp://127.0.0.1:${await freePort()}`, 2, timeout),
    ]);
    for (const r0 of [sync, async]) {
      expect(r0.code, r0.stderr).toBe(0);
      expect(r0.out.error).toMatchObject({ isTorchError: true, code: 'DIST_ERROR', message: expect.stringMatching(/^Timed out waiting 2000ms/) });
      expect(r0.out.ms).toBeGreaterThanOrEqual(timeout - 100);
      expect(r0.out.ms).toBeLessThan(timeout + 5000);
    }
    expect(async.out.ticks).toBeGreaterThan(50);  // the event loop ran while waiting
    expect(async.out.error.stack).toMatch(/dist-worker\.ts/);  // the stack names the caller
  });

  it('a killed rank makes the others fail with a clear error, not hang', async () => {
    const timeout = 10_000;
    const [r0, r1] = await runRanks('killed', `tcp://127.0.0.1:${await freePort()}`, 2, timeout);
    expect(r1.signal).toBe('SIGKILL');
    expect(r0.code, r0.stderr).toBe(0);
    expect(r0.out.error).toMatchObject({ isTorchError: true, code: 'DIST_ERROR', message: expect.stringMatching(/^Connection closed by peer \[127\.0\.0\.1\]:\d+/) });
    expect(r0.out.ms).toBeLessThan(timeout + 5000);
  });
});

const PYTHON = pythonForThisLibtorch();

describe.skipIf(PYTHON === null)(`one process group with Python PyTorch ${LIBTORCH}`, () => {
  const expected = {
    allReduce: [0, 3, 6, 9, 12, 15],
    'allReduce.MAX': [1, 1],
    broadcast: [3.5, -1, 2],
    allGather: [[0, 0.25], [1, 1.25]],
    'allReduce.async': [3, 3],
  };
  for (const nodeIs of [0, 1]) {
    it(`nodetorch as rank ${nodeIs}, Python as rank ${1 - nodeIs}: equal results on both sides`, async () => {
      const init = `tcp://127.0.0.1:${await freePort()}`;
      const py = collect(spawn(PYTHON!, [PY_RANK, init, String(1 - nodeIs), '2'], { stdio: ['ignore', 'pipe', 'pipe'] }), 50_000);
      const node = collect(nodeRank('interop', init, nodeIs, 2, 20_000), 50_000);
      const [p, n] = await Promise.all([py, node]);
      expect(p.code, p.stderr).toBe(0);
      expect(n.code, n.stderr).toBe(0);
      expect(n.out).toEqual(expected);
      expect(p.out).toEqual(expected);
    });
  }
});
