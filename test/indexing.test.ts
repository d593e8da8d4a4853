/**
 * Indexing as Python's `x[...]` and `x[...] = v`: values, shapes and gradients against PyTorch
 * (test/fixtures/indexing/generate.py), plus views, errors and PyTorch's own index_put_.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';

const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'indexing', 'index.json'), 'utf8'));
const GETS: [string, any][] = REF.get.map((c: any) => [c.python, c]);
const SETS: [string, any][] = REF.set.map((c: any) => [c.python, c]);
const base = () => torch.arange(24, { dtype: torch.float }).view(2, 3, 4);
const NAMED: Record<string, () => torch.Tensor> = {
  mask: () => base().gt(13),
  idx0: () => torch.tensor([1, 0, 1]),
  idx1: () => torch.tensor([2, 0, 1]),
};
const items = (list: unknown[]): torch.IndexItem[] =>
  list.map((v) => (typeof v === 'string' && v in NAMED ? NAMED[v]() : v)) as torch.IndexItem[];

describe('x.index(...) is Python\'s x[...]', () => {
  test.each(GETS)('%s', (_src, c) => {
    const x = base().requiresGrad_(true);
    const out = x.index(...items(c.items));
    expect([...out.shape]).toEqual(c.shape);
    expect(Array.from(out.detach().flatten().toArray() as Float32Array)).toEqual(c.values);
    out.pow(2).sum().backward();
    expect(Array.from(x.grad!.flatten().toArray() as Float32Array)).toEqual(c.grad);
  });

  test('basic indexing gives views that share storage; advanced indexing copies', () => {
    const x = base();
    const view = x.index(1, ':', '::2');
    view.fill_(-1);
    expect(x.index(1, 0, 0).item()).toBe(-1);
    const copy = x.index([0, 1]);
    copy.fill_(99);
    expect(x.max().item()).toBeLessThan(99);
  });

  test('slice objects, negative steps refused, bad items named', () => {
    const x = base();
    expect(x.index({ start: 1, stop: null }).equal(x.index('1:'))).toBe(true);
    expect(() => x.index('::-1')).toThrow(torch.TorchError);
    expect(() => x.index('1:2:3:4')).toThrow(/^Expected a slice such as ':', '1:3' or '::2', or '\.\.\.' for index 0 but received "1:2:3:4"$/);
    expect(() => x.index(0.5)).toThrow(/for index 0 but received 0\.5/);
    expect(() => x.index(5)).toThrow(torch.TorchError);
  });
});

describe('x.indexPut_(...) is Python\'s x[...] = v', () => {
  test.each(SETS)('%s', (_src, c) => {
    const y = base();
    expect(y.indexPut_(items(c.items), c.value)).toBe(y);
    expect(Array.from(y.flatten().toArray() as Float32Array)).toEqual(c.values);
  });

  test('a Tensor value broadcasts; autograd flows through the assignment', () => {
    const w = torch.ones(4, { requiresGrad: true });
    const y = torch.zeros(2, 3, 4);
    y.indexPut_([0, 1], w.mul(3));
    expect(y.index(0, 1).tolist()).toEqual([3, 3, 3, 3]);
    y.sum().backward();
    expect(w.grad!.tolist()).toEqual([3, 3, 3, 3]);
  });

  test('a list of tensors is PyTorch\'s index_put_, accumulate included', () => {
    const counts = torch.zeros(3);
    counts.indexPut_([torch.tensor([0, 2, 0])], torch.ones(3), true);
    expect(counts.tolist()).toEqual([2, 0, 1]);
    expect(() => counts.indexPut_([0], 1, true)).toThrow(TypeError);
  });
});
