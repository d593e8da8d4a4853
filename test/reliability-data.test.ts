/**
 * Reliability of `torch.utils.data` and the vision datasets under hostile options and files
 * (issue 12): numeric options refused before they reach C++ (a prefetch of 2^31 deadlocked the
 * main thread), gzipped IDX files inflated no further than their header declares (a 3 MB bomb
 * took 37 s and 6.5 GB), the per-sample DataLoader never disposing what a dataset returned
 * (a caching dataset's second epoch threw DISPOSED) while freeing what it made itself, and
 * unreadable dataset folders reported as what they are, not as "files not found".
 *
 * What could hang or blow up runs in a child process with a timeout, asserting its time and
 * memory.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../lib';
import { MAX_INDEX, MAX_PREFETCH } from '../lib/data/limits';
import { encodeIdx, parseIdx, readIdx } from '../lib/vision/datasets/idx';
import { pathKind } from '../lib/vision/datasets/fs';

const { DataLoader, TensorDataset } = torch;
const { RandomSampler, WeightedRandomSampler, BatchSampler, defaultCollate } = torch.utils.data;
const { datasets, transforms } = torch.vision;
const ROOT = path.join(__dirname, '..');

const temps: string[] = [];
afterAll(() => { for (const t of temps) fs.rmSync(t, { recursive: true, force: true }); });
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-reliability-data-'));
  temps.push(d);
  return d;
}

/**
 * Runs `code` (CommonJS, `torch` and `idx` in scope) in a fresh Node with `--expose-gc`; it prints
 * one JSON line last. Returns that, the exit status and the wall time.
 */
function runChild(code: string, timeoutMs: number): { result: any; status: number | null; signal: string | null; ms: number; stderr: string } {
  const prelude = `const torch = require(${JSON.stringify(path.join(ROOT, 'lib'))});\n` +
    `const idx = require(${JSON.stringify(path.join(ROOT, 'lib', 'vision', 'datasets', 'idx'))});\n`;
  const start = Date.now();
  const res = spawnSync(process.execPath, ['--expose-gc', '-r', 'tsx/cjs', '-e', prelude + code], {
    cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  const ms = Date.now() - start;
  const last = res.stdout.trim().split('\n').pop() ?? '';
  let result: any = null;
  try { result = JSON.parse(last); } catch { /* reported through status and stderr */ }
  return { result, status: res.status, signal: res.signal, ms, stderr: res.stderr };
}

const small = () => new TensorDataset(torch.arange(8).float().view(8, 1), torch.arange(8));

describe('item 6: numeric options are range-checked before they reach C++', () => {
  it('prefetch 2^31 (an int in C++) is a RangeError, not a deadlock of the main thread', () => {
    const r = runChild(`
      const ds = new torch.TensorDataset(torch.zeros([4, 2]), torch.zeros([4]));
      let error = null;
      try { for (const b of new torch.DataLoader(ds, { prefetch: 2 ** 31 })) void b; } catch (e) { error = e.name + ': ' + e.message; }
      console.log(JSON.stringify({ error }));
    `, 30_000);
    expect(r.signal, `child killed after ${r.ms} ms (deadlock)`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.result.error).toBe(`RangeError: Expected an integer from 1 to ${MAX_PREFETCH} for prefetch but received 2147483648`);
  }, 40_000);

  it('DataLoader: prefetch, batchSize, seed and the dataset length within what stores them', () => {
    const ds = small();
    for (const prefetch of [0, MAX_PREFETCH + 1, 2 ** 31, 2 ** 32 + 2]) expect(() => new DataLoader(ds, { prefetch })).toThrow(RangeError);
    for (const batchSize of [0, MAX_INDEX + 1, 2 ** 32 + 1, 1e300]) expect(() => new DataLoader(ds, { batchSize })).toThrow(RangeError);
    for (const seed of [-1, 2 ** 53, 1e300]) expect(() => new DataLoader(ds, { seed })).toThrow(RangeError);
    expect(() => new DataLoader(ds, { prefetch: 1.5 })).toThrow(TypeError);
    expect(() => new DataLoader({ length: 2 ** 31, get: (i: number) => i })).toThrow(/dataset\.length/);
    expect(() => new DataLoader({ length: -1, get: (i: number) => i })).toThrow(RangeError);
    // The bounds themselves are taken.
    expect([...new DataLoader(ds, { prefetch: MAX_PREFETCH, batchSize: MAX_INDEX })].map(([x]) => x.shape)).toEqual([[8, 1]]);
  });

  it('a seed of 2^32 gives its own order, not seed 0\'s (the order state is 32 bits)', () => {
    const order = (seed: number) => [...new DataLoader(small(), { shuffle: true, seed, batchSize: 8 })][0][1].tolist();
    expect(order(2 ** 32)).not.toEqual(order(0));
    expect(order(2 ** 32)).toEqual(order(2 ** 32));
    expect(order(Number.MAX_SAFE_INTEGER)).toHaveLength(8);
  });

  it('a sampler index beyond int32 is a RangeError on both paths, not wrapped to another sample', () => {
    const sampler = [2 ** 32 + 1]; // an Int32Array stores it as 1
    expect(() => [...new DataLoader(small(), { sampler })]).toThrow(RangeError);
    const opaque = { length: 8, get: (i: number) => small().get(i) };
    expect(() => [...new DataLoader(opaque, { sampler })]).toThrow(/sampler index 0/);
  });

  it('samplers: numSamples and batchSize within an epoch\'s order', () => {
    const ds = small();
    expect(() => new RandomSampler(ds, { numSamples: MAX_INDEX + 1 })).toThrow(RangeError);
    expect(() => new RandomSampler(ds, { numSamples: 1e300 })).toThrow(RangeError);
    expect(() => new WeightedRandomSampler([1, 2], MAX_INDEX + 1)).toThrow(RangeError);
    expect(() => new WeightedRandomSampler([1, 2], 3, { replacement: false })).toThrow(/at most 2 samples/);
    expect(() => new BatchSampler([0, 1], MAX_INDEX + 1, false)).toThrow(RangeError);
    expect([...new WeightedRandomSampler([1, 2], 2, { replacement: false })].sort()).toEqual([0, 1]);
  });

  it('TensorDataset.get checks its index in TS', () => {
    const ds = small();
    expect(() => ds.get(8)).toThrow(RangeError);
    expect(() => ds.get(1e300)).toThrow(RangeError);
    expect(ds.get(-1)[1].item()).toBe(7);
  });

  it('native transform stages: every number C++ stores as a double is checked for meaning', () => {
    const images = torch.zeros([4, 1, 2, 2], { dtype: 'uint8' });
    const labels = torch.zeros([4], { dtype: 'int64' });
    const affine = new transforms.RandomAffine(0).nativeStages()[0];
    const loader = (stage: object) => new DataLoader({ length: 4, get: () => 0, nativeSource: () => ({ inputs: images, targets: labels, stages: [stage] }) } as any);
    expect(() => loader({ kind: 'scale', divisor: 0 })).toThrow(/divisor/);
    expect(() => loader({ kind: 'scale', divisor: Infinity })).toThrow(RangeError);
    expect(() => loader({ kind: 'normalize', mean: [0, 0], std: [1, 1] })).toThrow(/one per channel/);
    expect(() => loader({ kind: 'normalize', mean: [0], std: [0] })).toThrow(/non-zero std/);
    expect(() => loader({ kind: 'normalize', mean: [NaN], std: [1] })).toThrow(RangeError);
    expect(() => loader({ ...affine, degreesMin: -Infinity })).toThrow(/degreesMin/);
    expect(() => loader({ ...affine, degreesMin: 10, degreesMax: 0 })).toThrow(/degreesMin/);
    expect(() => loader({ ...affine, translateX: 2 })).toThrow(/translateX/);
    expect(() => loader({ ...affine, scaleMin: 0, scaleMax: 1 })).toThrow(/scaleMin/);
    expect(() => loader({ ...affine, fill: NaN })).toThrow(/fill/);
    expect(() => loader({ kind: 'blur' })).toThrow(TypeError);
    expect([...loader({ kind: 'scale', divisor: 255 })]).toHaveLength(4);
  });
});

/** `gz` with a gzip comment of `n` bytes in its first member's header (FCOMMENT). */
function withComment(gz: Buffer, n: number): Buffer {
  const head = Buffer.from(gz.subarray(0, 10));
  head[3] |= 0x10;
  return Buffer.concat([head, Buffer.alloc(n, 0x41), Buffer.from([0]), gz.subarray(10)]);
}

const oneImage = () => Buffer.from(encodeIdx({ dtype: 'uint8', shape: [1, 28, 28], data: new Uint8Array(784).fill(9) }));

describe('item 8: a gzipped IDX file is inflated no further than its header declares', () => {
  it('a 1 MB gzip bomb named train-images-idx3-ubyte.gz: MNIST refuses it in milliseconds, without inflating 1 GB', () => {
    const r = runChild(`
      const fs = require('node:fs'), path = require('node:path'), zlib = require('node:zlib');
      const raw = path.join(${JSON.stringify(tempDir())}, 'MNIST', 'raw');
      fs.mkdirSync(raw, { recursive: true });
      const header = Buffer.from(idx.encodeIdx({ dtype: 'uint8', shape: [1, 28, 28], data: new Uint8Array(784) }));
      const mb = zlib.gzipSync(Buffer.alloc(1 << 20)); // ~1 KB of gzip for 1 MiB of zeros
      fs.writeFileSync(path.join(raw, 'train-images-idx3-ubyte.gz'), Buffer.concat([zlib.gzipSync(header), ...Array(1000).fill(mb)]));
      fs.writeFileSync(path.join(raw, 'train-labels-idx1-ubyte'), idx.encodeIdx({ dtype: 'uint8', shape: [1], data: [3] }));
      const rss = () => process.resourceUsage().maxRSS / 1024;
      const before = rss(), start = Date.now();
      let error = null;
      try { new torch.vision.datasets.MNIST(path.dirname(path.dirname(raw))); } catch (e) { error = { name: e.name, code: e.code, message: e.message }; }
      console.log(JSON.stringify({ error, ms: Date.now() - start, rssGrowthMB: rss() - before }));
    `, 60_000);
    expect(r.signal, `child killed after ${r.ms} ms`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const { error, ms, rssGrowthMB } = r.result;
    expect(ms).toBeLessThan(1000);
    expect(rssGrowthMB).toBeLessThan(64);
    expect(error.name).toBe('TorchError');
    expect(error.code).toBe('IDX_INVALID');
    expect(error.message).toMatch(/train-images-idx3-ubyte\.gz: gzip data inflates to more than the 800 bytes the header declares/);
  }, 70_000);

  it('a header declaring more than a gzip of its length can hold is refused before inflating', () => {
    const huge = Buffer.from([0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0x10, 0, 0, 0, 0x10, 0]); // [60000, 4096, 4096]
    const start = Date.now();
    expect(() => parseIdx(gzipSync(Buffer.concat([huge, Buffer.alloc(1 << 16)])), 'huge')).toThrow(/truncated: shape \[60000, 4096, 4096\] of uint8 needs 1006632960000 data bytes but \d+ bytes of gzip inflate to at most/);
    expect(Date.now() - start).toBeLessThan(500);
  });

  it('missing and extra inflated bytes are IDX_INVALID TorchErrors; the exact size reads', () => {
    const image = oneImage();
    const err = (bytes: Buffer) => { try { parseIdx(bytes, 'f.gz'); } catch (e) { return e as torch.TorchError; } throw new Error('no error'); };
    const short = err(gzipSync(image.subarray(0, image.length - 1)));
    expect(short).toBeInstanceOf(torch.TorchError);
    expect([short.code, short.message]).toEqual(['IDX_INVALID', 'Invalid IDX file f.gz: truncated: shape [1, 28, 28] of uint8 needs 784 data bytes but only 783 follow the header']);
    const long = err(gzipSync(Buffer.concat([image, Buffer.from([0])])));
    expect(long.code).toBe('IDX_INVALID');
    expect(long.message).toMatch(/inflates to more than the 800 bytes the header declares/);
    expect(err(gzipSync(Buffer.from([0, 0, 8]))).message).toMatch(/too short for the 4-byte magic number/);
    expect(err(gzipSync(Buffer.from([1, 2, 3, 4]))).code).toBe('IDX_INVALID');
    expect(err(gzipSync(image).subarray(0, 40)).message).toMatch(/gzip data is corrupt or truncated/);
    const ok = parseIdx(gzipSync(image), 'f.gz');
    expect([ok.shape, ok.data.length, ok.data[783]]).toEqual([[1, 28, 28], 784, 9]);
    // The header may come late (a long gzip comment) or across gzip members.
    expect(parseIdx(withComment(gzipSync(image), 300_000), 'c.gz').shape).toEqual([1, 28, 28]);
    expect(parseIdx(Buffer.concat([gzipSync(image.subarray(0, 6)), gzipSync(image.subarray(6))]), 'm.gz').data[0]).toBe(9);
  });

  it('a bomb behind a 300 KB gzip comment is refused as quickly (the header is found by bisection, output capped)', () => {
    const bomb = Buffer.concat([withComment(gzipSync(oneImage()), 300_000), ...Array(200).fill(gzipSync(Buffer.alloc(1 << 20)))]);
    const start = Date.now();
    expect(() => parseIdx(bomb, 'bomb.gz')).toThrow(/inflates to more than the 800 bytes/);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('an unreadable IDX file is a TorchError with the OS code', () => {
    const dir = tempDir();
    expect(() => readIdx(path.join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => readIdx(dir)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });
});

describe('item 13: the per-sample DataLoader frees what it made, never what the dataset returned', () => {
  /** A dataset that makes each sample once, in get(), and returns it again every epoch. */
  function caching(n: number) {
    const cache = new Map<number, [torch.Tensor, number]>();
    return {
      cache,
      length: n,
      get(i: number): [torch.Tensor, number] {
        if (!cache.has(i)) cache.set(i, [torch.full([2], i), i]);
        return cache.get(i)!;
      },
    };
  }

  it('a dataset caching what get() made works for two epochs, for…of and for await', async () => {
    const ds = caching(6);
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.isNative).toBe(false);
    for (let epoch = 0; epoch < 2; epoch++) {
      const sums = [...loader].map(([x, y]) => [x.sum().item(), y.tolist()]);
      expect(sums).toEqual([[12, [0, 1, 2, 3]], [18, [4, 5]]]);
    }
    const got: number[][] = [];
    for await (const [, y] of loader) got.push(y.tolist() as number[]);
    expect(got).toEqual([[0, 1, 2, 3], [4, 5]]);
    expect([...ds.cache.values()].every(([t]) => !t.isDisposed)).toBe(true);
  });

  it('a custom collateFn\'s result and the samples it got are never disposed', () => {
    const ds = caching(4);
    const kept: torch.Tensor[] = [];
    const loader = new DataLoader(ds, { batchSize: 2, collateFn: (samples) => { kept.push(samples[0][0]); return samples[0][0]; } });
    for (let epoch = 0; epoch < 2; epoch++) for (const x of loader) expect(x.isDisposed).toBe(false);
    expect(kept.every((t) => !t.isDisposed)).toBe(true);
  });

  it('no tensor the loader made outlives the epoch: the live count returns to its start (no GC in between)', () => {
    const r = runChild(`
      const data = Array.from({ length: 10 }, (_, i) => [torch.full([3], i), i]);
      const ds = { length: 10, get: (i) => data[i] };
      const loaders = [
        new torch.DataLoader(ds, { batchSize: 4, shuffle: true }),
        new torch.DataLoader(ds, { batchSize: 4, shuffle: true, generator: new torch.Generator().manualSeed(1) }),
        new torch.DataLoader(ds, { batchSize: 3, seed: 7 }),
      ];
      const epoch = (loader) => { for (const [x, y] of loader) { x.dispose(); y.dispose(); } };
      for (const l of loaders) epoch(l); // warm-up: one-off state (the shuffle's seed) is made here
      global.gc();
      const before = torch.memory().tensors;
      for (const l of loaders) { epoch(l); epoch(l); }
      const after = torch.memory().tensors;
      console.log(JSON.stringify({ before, after }));
    `, 60_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.result.after).toBe(r.result.before);
  }, 70_000);

  it('the default collate returns only the batch: nothing else it makes stays alive', () => {
    const samples = [[torch.zeros(2), 1, { a: 2.5 }], [torch.ones(2), 2, { a: 1 }]];
    const before = torch.memory().tensors;
    const batch = torch.tidy(() => defaultCollate(samples)) as [torch.Tensor, torch.Tensor, { a: torch.Tensor }];
    expect(torch.memory().tensors - before).toBe(3);
    expect(batch[2].a.tolist()).toEqual([2.5, 1]);
  });
});

describe('item 15: an unreadable dataset folder is reported as what it is, not as "files not found"', () => {
  it('a root that is a file: ENOTDIR naming the path, for MNIST, CIFAR10 and ImageFolder', () => {
    const file = path.join(tempDir(), 'data.tar');
    fs.writeFileSync(file, 'not a folder');
    for (const make of [() => new datasets.MNIST(file), () => new datasets.CIFAR10(file), () => new datasets.ImageFolder(file)]) {
      let error: any;
      try { make(); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(torch.TorchError);
      expect(error.code).toBe('ENOTDIR');
      expect(error.message).toContain(file);
      expect(error.message).not.toMatch(/not found/);
    }
    // Below a file: the OS's ENOTDIR, and download: true does not try to copy there.
    expect(() => new datasets.MNIST(path.join(file, 'sub'), { download: true })).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => pathKind(path.join(file, 'x'), 'thing')).toThrow(/ENOTDIR: not a directory/);
  });

  it('a missing root is still "files not found" (DATASET_NOT_FOUND), listing where it looked', () => {
    const missing = path.join(tempDir(), 'missing');
    expect(() => new datasets.MNIST(missing)).toThrow(expect.objectContaining({ code: 'DATASET_NOT_FOUND', message: expect.stringMatching(/MNIST training files not found/) }));
    expect(() => new datasets.CIFAR10(missing)).toThrow(expect.objectContaining({ code: 'DATASET_NOT_FOUND' }));
  });

  it.skipIf(process.getuid?.() === 0)('a folder without permission: EACCES naming the path (not as root, who may read anything)', () => {
    const locked = path.join(tempDir(), 'locked');
    fs.mkdirSync(locked);
    fs.chmodSync(locked, 0o000);
    try {
      for (const make of [() => new datasets.MNIST(locked), () => new datasets.CIFAR10(locked), () => new datasets.ImageFolder(locked)]) {
        expect(make).toThrow(expect.objectContaining({ code: 'EACCES', message: expect.stringContaining(locked) }));
      }
    } finally {
      fs.chmodSync(locked, 0o700);
    }
  });
});
