// DistributedSampler against PyTorch's own (test/fixtures/distributed/generate.py): the same
// indices on every rank for each length, replica count, shuffle, seed, epoch and dropLast.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib';
import { DistributedSampler } from '../lib/data';

interface Case {
  n: number; numReplicas: number; dropLast: boolean; shuffle: boolean; seed: number; epoch: number;
  ranks: { length: number; indices: number[] }[];
}
const REF: { cases: Case[] } = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'distributed', 'reference.json'), 'utf8'));
const dataset = (n: number) => ({ length: n });

describe('DistributedSampler', () => {
  it(`gives PyTorch's indices and lengths in all ${REF.cases.length} reference cases`, () => {
    let compared = 0;
    for (const c of REF.cases) {
      for (const [rank, expected] of c.ranks.entries()) {
        const s = new DistributedSampler(dataset(c.n), { numReplicas: c.numReplicas, rank, shuffle: c.shuffle, seed: c.seed, dropLast: c.dropLast });
        s.setEpoch(c.epoch);
        expect(s.length, JSON.stringify({ ...c, ranks: undefined, rank })).toBe(expected.length);
        expect([...s], JSON.stringify({ ...c, ranks: undefined, rank })).toEqual(expected.indices);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('a different epoch gives a different order; the same epoch the same one', () => {
    const s = new DistributedSampler(dataset(50), { numReplicas: 2, rank: 0 });
    const first = [...s];
    expect([...s]).toEqual(first);
    s.setEpoch(1);
    expect([...s]).not.toEqual(first);
  });

  it('drives a DataLoader', () => {
    const ds = new torch.TensorDataset(torch.arange(10), torch.arange(10));
    const sampler = new DistributedSampler(ds, { numReplicas: 3, rank: 1, shuffle: false });
    const loader = new torch.DataLoader(ds, { batchSize: 2, sampler });
    expect([...loader].map(([x]) => x.tolist())).toEqual([[1, 4], [7, 0]]);
  });

  it('validates its options, and needs a process group for the defaults', () => {
    expect(() => new DistributedSampler(dataset(4), { numReplicas: 2, rank: 2 })).toThrow(RangeError);
    expect(() => new DistributedSampler(dataset(4), { numReplicas: 0, rank: 0 })).toThrow(RangeError);
    expect(() => new DistributedSampler(dataset(4), { numReplicas: 2, rank: 0, drop_last: true } as never)).toThrow(/did you mean dropLast/);
    expect(() => new DistributedSampler(42 as never, { numReplicas: 1, rank: 0 })).toThrow(TypeError);
    expect(() => new DistributedSampler(dataset(4))).toThrow(expect.objectContaining({ code: 'DIST_NOT_INITIALIZED' }));
  });
});
