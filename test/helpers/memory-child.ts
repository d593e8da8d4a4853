/**
 * Child process for test/memory.test.ts, run with `node --expose-gc -r tsx/cjs`.
 * `leak <iterations>`: small ops with no tidy/dispose; prints RSS before and after as JSON.
 * `gc`: makes tensors, drops them, runs gc; prints torch.memory() at each point as JSON.
 */
import * as torch from '../../lib';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function settle(): void {
  for (let i = 0; i < 5; i++) gc!();
}

async function leak(iterations: number): Promise<void> {
  const x = torch.randn([16, 16]);
  const w = torch.randn([16, 16], { requiresGrad: true });
  // Warm up allocators and the JIT before the baseline.
  for (let i = 0; i < 2000; i++) x.matmul(w).relu().sum().item();
  settle();
  const before = process.memoryUsage().rss;
  const start = Date.now();
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    const y = x.matmul(w).add(1).relu();
    const s = y.mean();
    if (i % 10 === 0) s.backward();
    acc += s.item() as number;
    // Let finalizers run now and then, as an event loop would.
    if (i % 10000 === 0) await new Promise((r) => setImmediate(r));
  }
  settle();
  await new Promise((r) => setImmediate(r));
  const after = process.memoryUsage().rss;
  // A second, shorter run: memory that only warms up plateaus; a leak keeps growing.
  for (let i = 0; i < iterations / 2; i++) {
    acc += x.matmul(w).add(1).relu().mean().item() as number;
    if (i % 10000 === 0) await new Promise((r) => setImmediate(r));
  }
  settle();
  await new Promise((r) => setImmediate(r));
  const afterSecond = process.memoryUsage().rss;
  process.stdout.write(JSON.stringify({
    iterations, before, after, afterSecond, ms: Date.now() - start, finite: Number.isFinite(acc), live: torch.memory().tensors,
  }) + '\n');
}

function makeAndDrop(count: number): number {
  const held: torch.Tensor[] = [];
  for (let i = 0; i < count; i++) held.push(torch.zeros([256]));
  return torch.memory().tensors;
}

async function gcCheck(): Promise<void> {
  settle();
  await new Promise((r) => setImmediate(r));
  const baseline = torch.memory();
  const whileHeld = makeAndDrop(1000);
  settle();
  await new Promise((r) => setTimeout(r, 10));
  settle();
  const after = torch.memory();
  process.stdout.write(JSON.stringify({ baseline, whileHeld, after }) + '\n');
}

const mode = process.argv[2];
(mode === 'leak' ? leak(Number(process.argv[3] ?? 100000)) : gcCheck()).catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
