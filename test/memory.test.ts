/**
 * Memory as a PyTorch user's program sees it, each scenario in a fresh child process with
 * `--expose-gc` (test/helpers/memory-child.ts): synchronous loops with no tidy, no dispose and
 * no await free what they drop while they run.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const CHILD = join(__dirname, 'helpers', 'memory-child.ts');

function runChild(...args: string[]): Record<string, any> {
  const out = execFileSync(process.execPath, ['--expose-gc', '-r', 'tsx/cjs', CHILD, ...args], {
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
