/**
 * `npm run bench:serve`: how responsive a Node server stays while it runs inference. A traced
 * resnet18 (bench/serve/make_model.py) classifies 1×3×224×224 inputs with 8 calls in flight at
 * a time for a fixed number of calls, once with `forwardAsync` (the libuv thread pool) and once
 * with the synchronous forward; `perf_hooks.monitorEventLoopDelay` samples the event loop's delay
 * throughout. Prints p50/p99/max delay and throughput per mode and exits non-zero if the async
 * mode's p99 misses the target (5 ms).
 *
 *   npm run bench:serve [-- --calls 200 --concurrency 8 --threads N]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as torch from '../lib';

const TARGET_P99_MS = 5;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function measure(run: () => Promise<void>): Promise<{ p50: number; p99: number; max: number; seconds: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  await run();
  const seconds = (performance.now() - t0) / 1000;
  h.disable();
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, seconds };
}

async function main(): Promise<void> {
  const calls = option('calls', 200);
  const concurrency = option('concurrency', 8);
  torch.setNumThreads(option('threads', torch.getNumThreads()));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-serve-')), 'resnet18.pt');
  execFileSync('/usr/bin/python3', [path.join(__dirname, 'serve', 'make_model.py'), file]);
  const model = torch.jit.load(file);
  model.eval();
  const x = torch.randn([1, 3, 224, 224]);
  await model.forwardAsync(x); // warm-up

  const inFlight = async (call: () => Promise<unknown>) => {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => { while (next++ < calls) await call(); }));
  };
  const modes: [string, () => Promise<unknown>][] = [
    ['forwardAsync', () => model.forwardAsync(x)],
    // The synchronous forward, yielding to the event loop between calls as a server would.
    ['sync forward', async () => { torch.noGrad(() => model(x)); await new Promise((r) => setImmediate(r)); }],
  ];
  console.log(`resnet18 1x3x224x224, ${calls} calls, ${concurrency} in flight, ${torch.getNumThreads()} intra-op threads, ` +
    `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 4}, LibTorch ${torch.config().libtorchVersion}, ${os.cpus().length} CPUs`);
  console.log('| mode | event-loop delay p50 | p99 | max | calls/s |');
  console.log('| --- | --- | --- | --- | --- |');
  let asyncP99 = Infinity;
  for (const [name, call] of modes) {
    const r = await measure(() => inFlight(call));
    if (name === 'forwardAsync') asyncP99 = r.p99;
    console.log(`| ${name} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.max.toFixed(2)} ms | ${(calls / r.seconds).toFixed(1)} |`);
  }
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  if (asyncP99 > TARGET_P99_MS) {
    console.log(`forwardAsync p99 ${asyncP99.toFixed(2)} ms misses the ${TARGET_P99_MS} ms target`);
    process.exitCode = 1;
  }
}

main();
