/**
 * The nodetorch side of the benchmarks: `tsx bench/ts/workload.ts <workload> <mnistDir> <threads> <seed> <n>`.
 * Prints one JSON line `{"seconds", "peakRssMB", "check"}`; `seconds` covers only the timed loop.
 * The Python (bench/py/workload.py) and C++ (bench/cpp/workload.cc) programs do the same work.
 */
import * as fs from 'fs';
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

function main(): void {
  const [workload, root, threads, seed, n] = process.argv.slice(2);
  torch.setNumThreads(Number(threads));
  torch.manualSeed(Number(seed));
  let r: { seconds: number; check: number };
  if (workload === 'train') r = train(root, Number(seed), Number(n));
  else if (workload === 'infer') r = infer(root, Number(n));
  else if (workload === 'smallops') r = smallOps(Number(n));
  else throw new RangeError(`Expected train, infer or smallops for workload but received ${workload}`);
  console.log(JSON.stringify({ seconds: r.seconds, peakRssMB: peakRssMB(), threads: torch.getNumThreads(), check: r.check }));
}

main();
