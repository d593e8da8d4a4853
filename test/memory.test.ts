/**
 * Memory under GC, in a child process with `--expose-gc` (test/helpers/memory-child.ts):
 * 100,000 iterations of small ops with no tidy/dispose keep RSS growth under 200 MB and plateau,
 * and dropped tensors are freed by the garbage collector.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const CHILD = join(__dirname, 'helpers', 'memory-child.ts');
const MB = 1024 * 1024;

function runChild(...args: string[]): Record<string, any> {
  const out = execFileSync(process.execPath, ['--expose-gc', '-r', 'tsx/cjs', CHILD, ...args], {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
    timeout: 60_000,
    // One intra-op thread keeps the child's RSS independent of the machine's core count.
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

test('100,000 iterations of small ops with no tidy/dispose: RSS grows < 200 MB and then stays flat', () => {
  const r = runChild('leak', '100000');
  expect(r.iterations).toBe(100000);
  expect(r.finite).toBe(true);
  const growth = (r.after - r.before) / MB;
  expect(growth, `RSS grew ${growth.toFixed(1)} MB over 100,000 iterations`).toBeLessThan(200);
  // 50,000 more iterations: leaking even one 1 KiB tensor per iteration would add ~50 MB here.
  const more = (r.afterSecond - r.after) / MB;
  expect(more, `RSS grew another ${more.toFixed(1)} MB over 50,000 more iterations`).toBeLessThan(25);
}, 60_000);

test('dropped tensors are freed by GC: torch.memory() goes back to its baseline', () => {
  const r = runChild('gc');
  expect(r.whileHeld).toBe(r.baseline.tensors + 1000);
  expect(r.after).toEqual(r.baseline);
}, 30_000);
