/**
 * Reliability of the native boundary: no abort, no unbounded memory, no hang:
 * - `worker.terminate()` while the worker is inside a nodetorch call ends only that worker
 *   (it used to abort the whole process: an exception node-addon-api could not throw during
 *   teardown reached std::terminate), and the worker's tensors are freed with it;
 * - `torch.setNumThreads` refuses counts LibTorch's thread pool cannot take.
 * The abort cases run in child processes so a failure is an exit status, not a dead test run.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib';

const CHILD = path.join(__dirname, 'helpers', 'worker-terminate.ts');

function terminate(mode: string, delayMs: number, rounds: number) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', CHILD, mode, String(delayMs), String(rounds)], {
    encoding: 'utf8', timeout: 90_000,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, signal: r.signal, stderr: r.stderr, result: last.startsWith('{') ? JSON.parse(last) : null };
}

describe('worker.terminate() during a nodetorch call', () => {
  // Several rounds and delays: the abort used to happen on most of them.
  for (const [mode, delays] of [['ops', [20, 150]], ['loader', [50, 300]], ['train', [100, 400]]] as const) {
    it(`ends only the worker (${mode})`, () => {
      for (const delay of delays) {
        const r = terminate(mode, delay, 3);
        expect(r.stderr).not.toMatch(/terminate called|Aborted|FATAL/);
        expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
        expect(r.result).toMatchObject({ terminated: 3, mainOk: true });
      }
    });
  }

  it("frees the worker's tensors", () => {
    // Each round's worker holds 512 MiB; rounds 2 to 5 would add 2 GiB if teardown leaked them.
    const r = terminate('hold', 100, 5);
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
    expect(r.result.terminated).toBe(5);
    expect(r.result.rssAfterMb - r.result.rssAfterFirstMb).toBeLessThan(400);
  });
});

describe('hostile JS values at the native boundary', () => {
  it('a Proxy whose traps throw gets its own error back, not an abort (in a child process)', () => {
    const program = `
      const torch = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
      const hostile = new Proxy({}, { get() { throw new Error('get trap'); }, getPrototypeOf() { throw new Error('prototype trap'); } });
      const out = [];
      for (const f of [() => torch.Tensor.prototype.numel.call(hostile), () => torch.add(torch.ones([2]), hostile),
                       () => torch.ones([2]).mul(hostile), () => torch.stack([torch.ones([1]), hostile])]) {
        try { f(); out.push('returned'); } catch (e) { out.push(e.message); }
      }
      out.push(String(torch.ones([3]).sum().item()));
      console.log(JSON.stringify(out));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', program], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/terminate called|FATAL/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.at(-1)).toBe('3');
    for (const m of out.slice(0, -1)) expect(m).toMatch(/trap|Expected/);
  });
});

describe('errors thrown while finalizers are due', () => {
  it('a native error during a collection that frees tensors is an error, not an abort (in a child process)', () => {
    // Node.js 20 runs the tensors' finalizers inside garbage collection and used to abort
    // (`AllowJavascriptExecution::IsAllowed`) when a collection hit the moment a binding's
    // exception was being rethrown. Global collections on a 1 MB young generation make that
    // moment likely: the loop below aborted within a few thousand iterations. The errors are
    // made in C++: a LibTorch error (matmul) and a binding's TypeError (numel of a non-tensor).
    const program = `
      const torch = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
      const a = torch.ones([2, 3]);
      const numel = torch.Tensor.prototype.numel;
      let caught = 0;
      for (let i = 0; i < 20000; i++) {
        torch.ones([4]).add(1);
        try { i % 100 === 0 ? a.matmul(a) : numel.call({}); } catch (e) { if (e.code === 'TORCH_ERROR' || e instanceof TypeError) caught++; }
      }
      console.log(JSON.stringify({ caught }));
    `;
    const r = spawnSync(process.execPath, ['--gc-global', '--max-semi-space-size=1', '--import', 'tsx', '-e', program], {
      encoding: 'utf8', timeout: 120_000,
    });
    expect(r.stderr).not.toMatch(/Fatal error|Check failed/);
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ caught: 20000 });
  });
});

describe('torch.setNumThreads', () => {
  const max = 4 * os.availableParallelism();

  it('accepts 1 to 4 × the logical CPUs', () => {
    const before = torch.getNumThreads();
    try {
      torch.setNumThreads(max);
      expect(torch.getNumThreads()).toBe(max);
      expect(torch.ones([1000]).sum().item()).toBe(1000);
    } finally {
      torch.setNumThreads(before);
    }
  });

  it('refuses counts that crash LibTorch or wrap around in C++', () => {
    expect(() => torch.setNumThreads(100000)).toThrow(RangeError);
    expect(() => torch.setNumThreads(2 ** 32 + 1)).toThrow(RangeError);
    expect(() => torch.setNumThreads(max + 1)).toThrow(/from 1 to/);
    expect(() => torch.setNumThreads(0)).toThrow(RangeError);
    expect(() => torch.setNumThreads(1.5)).toThrow(TypeError);
    expect(torch.ones([3]).sum().item()).toBe(3);
  });
});

describe('generator state (what a checkpoint saves to resume bit for bit)', () => {
  it('torch.getRngState / setRngState replay the global stream', () => {
    torch.manualSeed(7);
    torch.rand(5);
    const state = torch.getRngState();
    expect(state.dtype).toBe('uint8');
    const a = torch.randn([4]).add(torch.rand([2, 2]).flatten());
    torch.setRngState(state);
    const b = torch.randn([4]).add(torch.rand([2, 2]).flatten());
    expect(torch.equal(a, b)).toBe(true);
  });

  it('Generator.getState / setState replay a generator of its own', () => {
    const g = new torch.Generator().manualSeed(3);
    const state = g.getState();
    const a = torch.rand(3, { generator: g });
    g.setState(state);
    expect(torch.equal(torch.rand(3, { generator: g }), a)).toBe(true);
    // CPU mt19937 state: 5056 bytes in both LibTorch builds (PyTorch's get_state().numel()).
    expect(state.numel()).toBe(5056);
    expect(() => g.setState(torch.zeros([3], { dtype: torch.uint8 }))).toThrow(torch.TorchError);
    expect(() => g.setState('state' as never)).toThrow(TypeError);
  });
});
