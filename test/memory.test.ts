/**
 * Memory as a PyTorch user's program sees it, each scenario in a fresh child process with
 * `--expose-gc` (test/helpers/memory-child.ts, compiled as a program using the installed package
 * runs): synchronous loops with no tidy, no dispose and no await free what they drop while they run.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import * as torch from '../lib';
import { buildMemoryChild } from './helpers/memory-child-build';

let child = '';
beforeAll(() => { child = buildMemoryChild(); });

function runChild(...args: string[]): Record<string, any> {
  const out = execFileSync(process.execPath, ['--expose-gc', child, ...args], {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
    timeout: 120_000,
    // One intra-op thread keeps the child's RSS independent of the machine's core count.
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

test('dropped tensors are freed by a garbage collection, without a turn of the event loop', () => {
  const r = runChild('gc');
  expect(r.whileHeld).toBe(r.baseline.tensors + 1000);
  expect(r.after).toEqual(r.baseline);
});

test('200,000 synchronous x.add(1).mul(2).sum(): RSS grows < 50 MB, dead tensors do not pile up', () => {
  const r = runChild('smallops', '200000');
  expect(r.peakGrowthMB, `peak RSS grew ${r.peakGrowthMB.toFixed(1)} MB`).toBeLessThan(50);
  // Deferred finalizers would leave all 600,000 alive here; GC-time ones leave what the last
  // collections have not reached yet.
  expect(r.liveTensors).toBeLessThan(60_000);
}, 120_000);

test("the seed CNN's literal synchronous loop over a full epoch stays within 10% of the for-await loop's RSS", () => {
  const sync = runChild('seed', 'sync', '938');
  const async = runChild('seed', 'async', '938');
  // Same data order and initial weights: the two loops compute the same thing.
  expect(sync.batches).toBe(938);
  expect(sync.TP).toBe(async.TP);
  expect(sync.loss).toBe(async.loss);
  expect(sync.peakRssMB, JSON.stringify({ sync, async })).toBeLessThan(async.peakRssMB * 1.1);
}, 120_000);

test("PyTorch's MNIST example, its own train() for 300 batches, stays within 10% of the for-await loop's RSS", () => {
  const sync = runChild('mnist', 'sync', '300');
  const async = runChild('mnist', 'async', '300');
  expect(sync.batches).toBe(300);
  // Same seed, same data, same dropout masks: the same weights come out.
  expect(sync.fc2Sum).toBe(async.fc2Sum);
  expect(sync.peakRssMB, JSON.stringify({ sync, async })).toBeLessThan(async.peakRssMB * 1.1);
  // Flat inside the loop (sampled by a forward hook): the floor of the last samples is no higher
  // than the early plateau. (A leak raises the floor; a collection that comes late only makes a spike.)
  const trace: number[] = sync.trace;
  expect(Math.min(...trace.slice(-2)), JSON.stringify(trace)).toBeLessThan(Math.max(...trace.slice(1, 3)) * 1.1);
}, 120_000);

test('the CPU allocator hands a freed block of 64 KiB or more out again for the same size; emptyCache returns them', () => {
  torch.cpu.emptyCache();
  const before = torch.cpu.memoryStats();
  expect(before.cachedBytes).toBe(0);
  torch.ones([256, 256]).dispose(); // 256 KiB
  expect(torch.cpu.memoryStats().cachedBytes).toBe(256 * 1024);
  const y = torch.zeros([256, 256]);
  expect(torch.cpu.memoryStats()).toEqual({ cachedBytes: 0, hits: before.hits + 1, misses: before.misses + 1 });
  expect(y.sum().item()).toBe(0); // the reused block holds what its new tensor wrote
  y.dispose();
  torch.ones([8]).dispose(); // small blocks go straight back to the C allocator
  expect(torch.cpu.memoryStats().cachedBytes).toBe(256 * 1024);
  torch.cpu.emptyCache();
  expect(torch.cpu.memoryStats().cachedBytes).toBe(0);
});

test('the CPU allocator returns a block that no allocation needed for a whole trim period (1,024 blocks given back, and a second)', () => {
  torch.cpu.emptyCache();
  torch.empty([(192 * 1024) / 4]).dispose(); // a size asked for once
  const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const churn = () => { for (let i = 0; i < 1100; i++) torch.empty([(64 * 1024) / 4]).dispose(); };
  // Two periods end in this (a period may have begun just before): the 192 KiB block sat
  // through the whole of the second; the 64 KiB block was taken every time.
  churn();
  sleep(1050);
  churn();
  sleep(1050);
  churn();
  expect(torch.cpu.memoryStats().cachedBytes).toBe(64 * 1024);
  torch.cpu.emptyCache();
});

test('the CPU allocator keeps at most 512 MiB, dropping the sizes used longest ago first', () => {
  torch.cpu.emptyCache();
  const MiB = 2 ** 20;
  for (const mb of [200, 204, 208]) torch.empty([(mb * MiB) / 4]).dispose();
  const s = torch.cpu.memoryStats();
  expect(s.cachedBytes).toBe(412 * MiB); // 200 went back to make room for 208
  const hits = s.hits;
  torch.empty([(208 * MiB) / 4]).dispose();
  expect(torch.cpu.memoryStats().hits).toBe(hits + 1);
  torch.empty([(200 * MiB) / 4]).dispose();
  expect(torch.cpu.memoryStats().hits).toBe(hits + 1);
  torch.cpu.emptyCache();
});
