/**
 * The nodetorch side of the benchmarks: `tsx bench/ts/workload.ts <workload> <mnistDir> <threads> <seed> <n>`.
 * Prints one JSON line `{"seconds", "peakRssMB", "check"}`; `seconds` covers only the timed loop.
 * The Python (bench/py/workload.py) and C++ (bench/cpp/workload.cc) programs do the same work.
 *
 * Two workloads are nodetorch's alone: `train-loop` and `evaluate-loop` run `torch.train` and
 * `torch.evaluate` while `perf_hooks.monitorEventLoopDelay` samples the event loop, and add
 * `{"delay": {p50, p99, max}, "step": {p50, p99}}` (milliseconds; `step` a batch's time).
 */
import * as fs from 'fs';
import { monitorEventLoopDelay } from 'perf_hooks';
import * as torch from '../../lib';
import { Model } from '../../scripts/mnist_cnn';

const { nn, optim, datasets, transforms, DataLoader } = torch;

const TRAIN_BATCH = 64;
const INFER_BATCH = 256;
const WARMUP = 5;

function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const now = () => process.hrtime.bigint();
const secondsSince = (t0: bigint) => Number(now() - t0) / 1e9;

function mnist(root: string): torch.datasets.MNIST {
  const trans = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
  return new datasets.MNIST({ root, train: true, transform: trans });
}

// The seed's training step through the DataLoader: forward, loss, zeroGrad, backward, step.
function train(root: string, seed: number, steps: number): { seconds: number; check: number } {
  const loader = new DataLoader(mnist(root), { batchSize: TRAIN_BATCH, shuffle: true, seed });
  const model = new Model();
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
  model.train();
  const it = loader[Symbol.iterator]();
  let t0 = now();
  let last = 0;
  for (let step = 0; step < WARMUP + steps; step++) {
    if (step === WARMUP) t0 = now();
    const [x, y] = it.next().value as torch.Batch;
    torch.tidy(() => {
      const loss = criterion.forward(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      if (step === WARMUP + steps - 1) last = loss.item() as number;
    });
    x.dispose();
    y.dispose();
  }
  return { seconds: secondsSince(t0), check: last };
}

// Forward only, under noGrad, on batches prepared before the clock starts.
function infer(root: string, batches: number): { seconds: number; check: number } {
  const loader = new DataLoader(mnist(root), { batchSize: INFER_BATCH, shuffle: false });
  const inputs: torch.Tensor[] = [];
  for (const [x, y] of loader) {
    inputs.push(x);
    y.dispose();
    if (inputs.length === batches) break;
  }
  const model = new Model();
  model.eval();
  let check = 0;
  const run = (b: torch.Tensor, keep: boolean) => torch.noGrad(() => torch.tidy(() => {
    const out = model.forward(b);
    if (keep) check = out.sum().item() as number;
  }));
  for (let i = 0; i < WARMUP; i++) run(inputs[i], false);
  const t0 = now();
  for (let i = 0; i < batches; i++) run(inputs[i], i === batches - 1);
  return { seconds: secondsSince(t0), check };
}

// Per-call overhead: a.add(b) on 4-element tensors; results freed by tidy() every 1000 ops.
function smallOps(ops: number): { seconds: number; check: number } {
  // Python's [1., 2., 3., 4.]: JS numbers do not say float, so the dtype does.
  const a = torch.tensor([1, 2, 3, 4], { dtype: torch.float32 });
  const b = torch.tensor([0.5, 0.5, 0.5, 0.5]);
  // The literal port of Python's loop: results dropped, freed by the garbage collector.
  // 50,000 calls of warm-up, in all three programs: V8 optimises the call path after thousands.
  for (let i = 0; i < WARMUP * 10_000; i++) a.add(b);
  const t0 = now();
  for (let i = 0; i < ops; i++) a.add(b);
  const seconds = secondsSince(t0);
  return { seconds, check: a.add(b).sum().item() as number };
}

interface LoopResult {
  seconds: number;
  check: number;
  /** Event-loop delay, ms. */
  delay: { p50: number; p99: number; max: number };
  /** A batch's time, ms: median and 99th percentile. */
  step: { p50: number; p99: number };
}

/** Runs `loop` while the event loop's delay is sampled (1 ms resolution, as bench/serve.ts). */
async function withDelay(loop: () => Promise<{ check: number; times: number[] }>): Promise<LoopResult> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = now();
  const { check, times } = await loop();
  const seconds = secondsSince(t0);
  h.disable();
  const steps = times.sort((a, b) => a - b);
  const q = (p: number) => steps[Math.min(steps.length - 1, Math.floor(p * steps.length))];
  return { seconds, check, delay: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 }, step: { p50: q(0.5), p99: q(0.99) } };
}

/** `loader`, recording the time of each full batch cycle (fetch, step, yield) in ms into `steps`. */
function timed(loader: torch.DataLoader, steps: number[]): Iterable<torch.Batch> & { length: number } {
  return {
    length: loader.length,
    *[Symbol.iterator]() {
      let last: bigint | null = null;
      for (const batch of loader as Iterable<torch.Batch>) {
        const t = now();
        if (last !== null) steps.push(Number(t - last) / 1e6);
        last = t;
        yield batch;
      }
    },
  };
}

// torch.train over one epoch of `steps` batches (a subset of MNIST), after a warm-up epoch.
async function trainLoop(root: string, seed: number, steps: number): Promise<LoopResult> {
  const subset = new torch.Subset(mnist(root), Array.from({ length: steps * TRAIN_BATCH }, (_, i) => i));
  const loader = new DataLoader(subset, { batchSize: TRAIN_BATCH, shuffle: true, seed });
  const model = new Model();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
  const warmup = new DataLoader(new torch.Subset(subset, Array.from({ length: WARMUP * TRAIN_BATCH }, (_, i) => i)), { batchSize: TRAIN_BATCH });
  await torch.train(model, warmup, { optimizer, progress: 'none' });
  return withDelay(async () => {
    const times: number[] = [];
    const [stats] = await torch.train(model, timed(loader, times), { optimizer, progress: 'none' });
    return { check: stats.loss, times };
  });
}

// torch.evaluate over `batches` batches of 256, after a warm-up.
async function evaluateLoop(root: string, batches: number): Promise<LoopResult> {
  const subset = new torch.Subset(mnist(root), Array.from({ length: batches * INFER_BATCH }, (_, i) => i));
  const model = new Model();
  await torch.evaluate(model, new DataLoader(new torch.Subset(subset, Array.from({ length: WARMUP * INFER_BATCH }, (_, i) => i)), { batchSize: INFER_BATCH }), { progress: 'none' });
  return withDelay(async () => {
    const times: number[] = [];
    const r = await torch.evaluate(model, timed(new DataLoader(subset, { batchSize: INFER_BATCH }), times), { progress: 'none' });
    return { check: r.loss, times };
  });
}

async function main(): Promise<void> {
  const [workload, root, threads, seed, n] = process.argv.slice(2);
  torch.setNumThreads(Number(threads));
  torch.manualSeed(Number(seed));
  let r: { seconds: number; check: number };
  if (workload === 'train') r = train(root, Number(seed), Number(n));
  else if (workload === 'infer') r = infer(root, Number(n));
  else if (workload === 'smallops') r = smallOps(Number(n));
  else if (workload === 'train-loop') r = await trainLoop(root, Number(seed), Number(n));
  else if (workload === 'evaluate-loop') r = await evaluateLoop(root, Number(n));
  else throw new RangeError(`Expected train, infer, smallops, train-loop or evaluate-loop for workload but received ${workload}`);
  console.log(JSON.stringify({ ...r, peakRssMB: peakRssMB(), threads: torch.getNumThreads() }));
}

main();
