/**
 * The nodetorch side of `npm run bench`, run compiled (bench/setup.ts) as an installed package runs:
 *   node bench/build/js/bench/ts/workload.js <workload> key=value ...
 * Prints one JSON line last; the keys and fields are those of bench/cpp/workload.cc and
 * bench/py/workload.py.
 *
 *   config         torch.config(): which LibTorch this process loaded (bench/setup.ts reads it)
 *   mnist          the seed program's data, model and optimizer as scripts/mnist_cnn.ts makes them
 *                  (DataLoader over MNIST with ToTensor + Normalize, batch 64, shuffled), `epochs`
 *                  epochs through `torch.train`, then `torch.evaluate` over the test loader; the RSS
 *                  after each epoch and when the first batch was trained. `data=device` feeds
 *                  `torch.train` batches gathered from the whole split held on `device` instead
 *                  of the DataLoader's (the pre-made-tensor loop of the Python and C++ programs).
 *                  `modules=1` (by hand) adds `us_<submodule>`: µs a step in each submodule.
 *   smallops       `ops` × a.add(b) on 4-element tensors, results dropped (freed by the GC)
 *   resnet18       `vision.models.resnet18()` through `torch.train`: `steps` steps on one
 *                  pre-made random batch `[batch, 3, size, size]`, after `warmup` steps
 *   train-loop,    `torch.train` / `torch.evaluate` while `perf_hooks.monitorEventLoopDelay`
 *   evaluate-loop  samples the event loop: adds `{delay: {p50, p99, max}, step: {p50, p99}}` (ms)
 */
import * as fs from 'fs';
import { monitorEventLoopDelay, performance } from 'perf_hooks';
import * as torch from '../../lib';
import { DEFAULTS, Model, makeData } from '../../scripts/mnist_cnn';

const { nn, optim, DataLoader, Subset } = torch;

type Args = Record<string, string>;
type Result = Record<string, unknown>;

const BATCH = 64;
const MEAN = 0.1307;
const STD = 0.3081;

function statusMB(field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Wall-clock ms since the Unix epoch: bench/run.ts subtracts the moment it started this process. */
const wallMs = () => performance.timeOrigin + performance.now();
const now = () => process.hrtime.bigint();
const secondsSince = (t0: bigint) => Number(now() - t0) / 1e9;

function int(args: Args, key: string): number {
  const n = Number(args[key]);
  if (!Number.isInteger(n)) throw new RangeError(`Expected an integer for ${key}= but received ${args[key]}`);
  return n;
}

/**
 * The mean time of a step in the fastest run of 50 consecutive steps, ms, from times taken after
 * each step: what a step costs when nothing else disturbs it (0 when too few steps).
 */
function bestBlockMs(stamps: bigint[], block = 50): number {
  let best = 0;
  for (let i = 0; i + block < stamps.length; i++) {
    const ms = Number(stamps[i + block] - stamps[i]) / 1e6 / block;
    if (best === 0 || ms < best) best = ms;
  }
  return best;
}

/** The first `n` samples of `set`, or `set` itself when it has no more. */
function head<T>(set: torch.Dataset<T>, n: number): torch.Dataset<T> {
  return n >= set.length ? set : new Subset(set, Array.from({ length: n }, (_, i) => i));
}

/** What ToTensor + Normalize make of uint8 pixels, for a whole batch at once. */
const normalise = (pixels: torch.Tensor) => pixels.float().div_(255).sub_(MEAN).div_(STD);

/**
 * Batches of `[N, 28, 28]` uint8 `images` and int64 `labels` (already on their device) in
 * `order`: the pre-made-tensor loop of bench/py/workload.py, as an iterable `torch.train` takes.
 */
function premade(images: torch.Tensor, labels: torch.Tensor, order: torch.Tensor): Iterable<torch.Batch> & { length: number } {
  const length = Math.ceil(order.size(0) / BATCH);
  return {
    length,
    *[Symbol.iterator]() {
      for (let b = 0; b < length; b++) {
        const idx = order.slice(0, b * BATCH, (b + 1) * BATCH);
        yield [normalise(images.indexSelect(0, idx).unsqueeze(1)), labels.indexSelect(0, idx)];
        idx.dispose();
      }
    },
  };
}

async function mnist(args: Args): Promise<Result> {
  const device = args.device ?? 'cpu';
  const settings = { ...DEFAULTS, dataRoot: args.root, seed: int(args, 'seed'), progress: 'none' as const };
  const { trainSet, testSet } = makeData(settings);
  const train = head(trainSet, int(args, 'batches') * BATCH);
  const test = head(testSet, int(args, 'testBatches') * BATCH);
  let trainData: torch.BatchSource;
  let testData: torch.BatchSource;
  if (args.data === 'device') {
    const onDevice = (set: torch.Dataset<unknown>, source: typeof trainSet) => {
      const n = set.length;
      return [source.data.slice(0, 0, n).to(device), source.targets.slice(0, 0, n).to(device)] as const;
    };
    const [images, labels] = onDevice(train, trainSet);
    const [testImages, testLabels] = onDevice(test, testSet);
    trainData = premade(images, labels, torch.randperm(images.size(0), { device }));
    testData = premade(testImages, testLabels, torch.arange(testImages.size(0), { device }));
  } else {
    // scripts/mnist_cnn.ts's loaders: batch 64, shuffled, seeded.
    trainData = new DataLoader(train, { batchSize: settings.batchSize, shuffle: true, seed: settings.seed });
    testData = new DataLoader(test, { batchSize: settings.batchSize, shuffle: true, seed: settings.seed });
  }
  const model = new Model();
  const optimizer = new optim.SGD(model.parameters(), { lr: settings.lr, momentum: settings.momentum });
  const moduleTimes = args.modules === '1' ? timeModules(model) : null;
  // The first epoch's wall and CPU time, its step times, when its first batch was trained; the RSS after each epoch.
  let [seconds, cpuSeconds, firstBatchAt] = [0, 0, 0];
  const rssAfterEpochMB: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const stamps = [t0];
  const history = await torch.train(model, trainData, {
    epochs: int(args, 'epochs'), optimizer, device, progress: 'none',
    onBatch: ({ epoch, batch, loss }) => {
      if (epoch !== 0) return;
      if (moduleTimes !== null && batch + 1 === Math.min(150, Math.floor(int(args, 'batches') / 2))) moduleTimes.start();
      if (batch === 0 && device !== 'cpu') loss.item(); // the first step has run on the device
      stamps.push(now());
      if (batch === 0) firstBatchAt = wallMs();
    },
    onEpoch: ({ epoch }) => {
      if (epoch === 0) {
        seconds = secondsSince(t0);
        const cpu = process.cpuUsage(cpu0);
        cpuSeconds = (cpu.user + cpu.system) / 1e6;
      }
      rssAfterEpochMB.push(statusMB('VmRSS'));
    },
  });
  const modulesUs = moduleTimes?.stop() ?? {};
  const t1 = now();
  const evaluation = await torch.evaluate(model, testData, { device, progress: 'none' });
  return {
    seconds, cpuSeconds, evalSeconds: secondsSince(t1), firstBatchAt, blockStepMs: bestBlockMs(stamps),
    epochSeconds: history.map((h) => h.seconds), rssAfterEpochMB, check: history.at(-1)!.loss, accuracy: evaluation.accuracy,
    ...modulesUs,
  };
}

/**
 * `modules=1`: µs a training step spends in each submodule's calls (forward hooks; the hooks'
 * own cost included), as `us_<name>` fields, between `start()` and `stop()`. The C++ floor times
 * the same calls (bench/cpp/workload.cc).
 */
function timeModules(model: torch.nn.Module) {
  const sums = new Map<string, number>();
  let steps = 0;
  let on = false;
  let t0 = 0;
  for (const [name, m] of model.namedChildren()) {
    m.registerForwardPreHook(() => { t0 = performance.now(); });
    m.registerForwardHook(() => {
      if (on && model.training) sums.set(name, (sums.get(name) ?? 0) + (performance.now() - t0) * 1000);
    });
  }
  model.registerForwardHook(() => { if (on && model.training) steps += 1; });
  return {
    start() { on = true; },
    stop(): Record<string, number> {
      on = false;
      return Object.fromEntries([...sums].map(([name, us]) => [`us_${name}`, us / steps]));
    },
  };
}

function smallOps(args: Args): Result {
  const device = args.device ?? 'cpu';
  // Python's [1., 2., 3., 4.]: JS numbers do not say float, so the dtype does.
  const a = torch.tensor([1, 2, 3, 4], { dtype: torch.float32, device });
  const b = torch.tensor([0.5, 0.5, 0.5, 0.5], { device });
  // The literal port of Python's loop: results dropped, freed by the garbage collector.
  // 50,000 calls of warm-up, in all programs: V8 optimises the call path after thousands.
  for (let i = 0; i < 50_000; i++) a.add(b);
  const ops = int(args, 'ops');
  const t0 = now();
  for (let i = 0; i < ops; i++) a.add(b);
  const check = a.add(b).sum().item(); // on a GPU: waits for the queued ops
  return { seconds: secondsSince(t0), check };
}

async function resnet18(args: Args): Promise<Result> {
  const device = args.device ?? 'cpu';
  const [steps, batch, size, warmup] = [int(args, 'steps'), int(args, 'batch'), int(args, 'size'), int(args, 'warmup')];
  const model = torch.vision.models.resnet18();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = torch.randn([batch, 3, size, size]).to(device);
  const y = torch.randint(0, 1000, [batch]).to(device);
  const options = { optimizer, criterion: new nn.CrossEntropyLoss(), device, progress: 'none' as const };
  await torch.train(model, Array.from({ length: warmup }, (): torch.Batch => [x, y]), options);
  const t0 = now();
  const [stats] = await torch.train(model, Array.from({ length: steps }, (): torch.Batch => [x, y]), options);
  return { seconds: secondsSince(t0), check: stats.loss };
}

/** A batch's time and the event loop's delay while `loop` runs (1 ms resolution, as bench/serve.ts). */
async function withDelay(loop: (times: number[]) => Promise<number>): Promise<Result> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = now();
  const times: number[] = [];
  const check = await loop(times);
  const seconds = secondsSince(t0);
  h.disable();
  times.sort((p, q) => p - q);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { seconds, check, delay: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 }, step: { p50: q(0.5), p99: q(0.99) } };
}

/** `loader`, recording the time of each full batch cycle (fetch, step, yield) in ms into `times`. */
function timed(loader: torch.DataLoader, times: number[]): Iterable<torch.Batch> & { length: number } {
  return {
    length: loader.length,
    *[Symbol.iterator]() {
      let last: bigint | null = null;
      for (const batch of loader as Iterable<torch.Batch>) {
        const t = now();
        if (last !== null) times.push(Number(t - last) / 1e6);
        last = t;
        yield batch;
      }
    },
  };
}

// torch.train over an epoch of `batches` batches (after a warm-up epoch of 5), or torch.evaluate
// over `batches` batches of 256 (after a warm-up of 5).
async function eventLoop(args: Args, evaluate: boolean): Promise<Result> {
  const { trainSet } = makeData({ ...DEFAULTS, dataRoot: args.root });
  const batchSize = evaluate ? 256 : BATCH;
  const subset = head(trainSet, int(args, 'batches') * batchSize);
  const loader = new DataLoader(subset, { batchSize, shuffle: !evaluate, seed: int(args, 'seed') });
  const warmup = new DataLoader(head(subset, 5 * batchSize), { batchSize });
  const model = new Model();
  if (evaluate) {
    await torch.evaluate(model, warmup, { progress: 'none' });
    return withDelay(async (times) => (await torch.evaluate(model, timed(loader, times), { progress: 'none' })).loss);
  }
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
  await torch.train(model, warmup, { optimizer, progress: 'none' });
  return withDelay(async (times) => (await torch.train(model, timed(loader, times), { optimizer, progress: 'none' }))[0].loss);
}

const WORKLOADS: Record<string, (args: Args) => Result | Promise<Result>> = {
  config: () => ({ config: torch.config() }),
  mnist,
  smallops: smallOps,
  resnet18,
  'train-loop': (args) => eventLoop(args, false),
  'evaluate-loop': (args) => eventLoop(args, true),
};

async function main(): Promise<void> {
  const [workload, ...rest] = process.argv.slice(2);
  const args: Args = {};
  for (const kv of rest) {
    const eq = kv.indexOf('=');
    if (eq < 0) throw new RangeError(`Expected key=value but received ${kv}`);
    args[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const run = WORKLOADS[workload];
  if (run === undefined) throw new RangeError(`Expected one of ${Object.keys(WORKLOADS).join(', ')} for workload but received ${workload}`);
  if (args.threads !== undefined) torch.setNumThreads(int(args, 'threads'));
  if (args.seed !== undefined) torch.manualSeed(int(args, 'seed'));
  const r = await run(args);
  console.log(JSON.stringify({ ...r, peakRssMB: statusMB('VmHWM'), threads: torch.getNumThreads() }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
