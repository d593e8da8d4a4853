/**
 * `torch.Tensor` and the tensor functions: factories and dtypes, shape ops, math, reductions,
 * data out, printing (against strings real PyTorch 2.13 prints), autograd, seeds and memory.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';

describe('factories and dtypes', () => {
  test('float32 is the default; the shape is an array of numbers (torch.Size)', () => {
    for (const t of [torch.zeros([2, 3]), torch.ones(2, 3), torch.rand([2, 3]), torch.randn([2, 3]), torch.empty([2, 3]), torch.tensor([[1.5, 2, 3], [4, 5, 6]])]) {
      expect(t.dtype).toBe('float32');
      expect(t.shape).toEqual([2, 3]);
      expect(Array.isArray(t.shape)).toBe(true);
      expect(t.shape).toBeInstanceOf(torch.Size);
      expect(t.device).toBe('cpu');
      expect(t.requiresGrad).toBe(false);
    }
    expect(torch.full([2], 7).tolist()).toEqual([7, 7]);
    expect(torch.zeros(2, 2).sum().item()).toBe(0);
    expect(torch.ones([2, 2]).sum().item()).toBe(4);
  });

  test.each([
    ['float32', Float32Array, 4],
    ['float64', Float64Array, 8],
    ['int64', BigInt64Array, 8],
    ['int32', Int32Array, 4],
    ['uint8', Uint8Array, 1],
    ['bool', Uint8Array, 1],
    ['float16', Float32Array, 2],
    ['bfloat16', Float32Array, 2],
  ] as const)('%s: dtype, element size, toArray type and values', (dtype, ArrayType, size) => {
    const t = torch.tensor([0, 1, 2, 3], { dtype });
    expect(t.dtype).toBe(dtype);
    expect(t.elementSize()).toBe(size);
    expect(torch.DTYPE_SIZE[dtype]).toBe(size);
    const a = t.toArray();
    expect(a).toBeInstanceOf(ArrayType);
    const expected = dtype === 'bool' ? [false, true, true, true] : [0, 1, 2, 3];
    expect(t.tolist()).toEqual(expected);
    expect(t.to('float64').tolist()).toEqual([0, 1, 2, 3].map((v) => (dtype === 'bool' ? Math.min(v, 1) : v)));
  });

  test('bfloat16 and float16 round as PyTorch does', () => {
    // torch.tensor([1.1], dtype=torch.float16).item() == 1.099609375; bfloat16: 1.1015625
    expect(torch.tensor([1.1], { dtype: 'float16' }).item()).toBe(1.099609375);
    expect(torch.tensor([1.1], { dtype: 'bfloat16' }).item()).toBe(1.1015625);
  });

  test('TypedArrays keep their element type; int64 holds values beyond float precision', () => {
    expect(torch.tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(torch.tensor(new Uint8Array([1, 2])).dtype).toBe('uint8');
    expect(torch.tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    const big = torch.tensor(new BigInt64Array([2n ** 53n + 1n, -5n]));
    expect(big.dtype).toBe('int64');
    expect((big.toArray() as BigInt64Array)[0]).toBe(2n ** 53n + 1n);
    const x = torch.fromArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(x.shape).toEqual([2, 3]);
    expect(x.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  test('toArray is a copy', () => {
    const x = torch.zeros([3]);
    const a = x.toArray() as Float32Array;
    a[0] = 9;
    expect(x.tolist()).toEqual([0, 0, 0]);
    const src = new Float32Array([1, 2]);
    const y = torch.fromArray(src, [2]);
    src[0] = 42;
    expect(y.tolist()).toEqual([1, 2]);
  });

  test('arange, linspace, eye, randint, randperm, *Like', () => {
    expect(torch.arange(5).dtype).toBe('int64');
    expect(torch.arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(torch.arange(1, 7, 2).tolist()).toEqual([1, 3, 5]);
    expect(torch.arange(0, 1, 0.25).dtype).toBe('float32');
    expect(torch.arange(0, 1, 0.25).tolist()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(torch.linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(torch.eye(2).tolist()).toEqual([[1, 0], [0, 1]]);
    const r = torch.randint(3, 6, [1000]);
    expect(r.dtype).toBe('int64');
    expect(r.min().item()).toBe(3);
    expect(r.max().item()).toBe(5);
    expect(torch.randperm(6).sort().values.tolist()).toEqual([0, 1, 2, 3, 4, 5]);
    const base = torch.ones([2, 2], { dtype: 'float64' });
    expect(torch.zerosLike(base).dtype).toBe('float64');
    expect(torch.fullLike(base, 3).tolist()).toEqual([[3, 3], [3, 3]]);
  });

  test('rand is in [0, 1); randn has mean ~0 and std ~1', () => {
    const u = torch.rand([10000]);
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    expect(u.max().item()).toBeLessThan(1);
    const n = torch.randn([100000]);
    expect(Math.abs(n.mean().item() as number)).toBeLessThan(0.02);
    expect(Math.abs((n.std().item() as number) - 1)).toBeLessThan(0.02);
  });

  test('to() converts dtype and returns the same tensor when nothing changes', () => {
    const x = torch.tensor([1.7, -1.7]);
    expect(x.to('float32')).toBe(x);
    expect(x.to('int64').tolist()).toEqual([1, -1]);
    expect(x.double().dtype).toBe('float64');
    expect(x.long().dtype).toBe('int64');
    expect(x.int().dtype).toBe('int32');
    expect(x.bool().tolist()).toEqual([true, true]);
    expect(x.cpu()).toBe(x);
  });
});

describe('shape ops', () => {
  const x = () => torch.arange(24).reshape(2, 3, 4);

  test('view, reshape, flatten', () => {
    expect(x().view(6, 4).shape).toEqual([6, 4]);
    expect(x().view([4, -1]).shape).toEqual([4, 6]);
    expect(x().reshape(-1).shape).toEqual([24]);
    expect(x().flatten().shape).toEqual([24]);
    expect(x().flatten(1).shape).toEqual([2, 12]);
    expect(x().flatten(0, 1).shape).toEqual([6, 4]);
    expect(x().view(2, 12).select(1, 5).tolist()).toEqual([5, 17]);
    // A view shares storage with its base.
    const base = torch.zeros([4]);
    base.view(2, 2).fill_(3);
    expect(base.tolist()).toEqual([3, 3, 3, 3]);
  });

  test('permute, transpose, contiguous', () => {
    const p = x().permute(2, 0, 1);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.isContiguous()).toBe(false);
    expect(p.select(0, 1).tolist()).toEqual([[1, 5, 9], [13, 17, 21]]);
    expect(() => p.view(24)).toThrow(torch.TorchError);
    const c = p.contiguous();
    expect(c.isContiguous()).toBe(true);
    expect((c.view(24).tolist() as number[]).slice(0, 4)).toEqual([0, 4, 8, 12]);
    const t = torch.tensor([[1, 2, 3], [4, 5, 6]]).transpose(0, 1);
    expect(t.tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(t.stride()).toEqual([1, 3]);
  });

  test('unsqueeze and squeeze', () => {
    const y = torch.zeros([3]);
    expect(y.unsqueeze(0).shape).toEqual([1, 3]);
    expect(y.unsqueeze(-1).shape).toEqual([3, 1]);
    const z = torch.zeros([1, 3, 1]);
    expect(z.squeeze().shape).toEqual([3]);
    expect(z.squeeze(0).shape).toEqual([3, 1]);
    expect(z.squeeze(1).shape).toEqual([1, 3, 1]);
  });

  test('cat and stack', () => {
    const a = torch.tensor([[1, 2]]);
    const b = torch.tensor([[3, 4]]);
    expect(torch.cat([a, b]).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(torch.cat([a, b], 1).tolist()).toEqual([[1, 2, 3, 4]]);
    expect(torch.stack([a, b]).shape).toEqual([2, 1, 2]);
    expect(torch.stack([a, b], 2).tolist()).toEqual([[[1, 3], [2, 4]]]);
  });

  test('select, slice, indexSelect, narrow, get', () => {
    const m = torch.arange(12).reshape(3, 4);
    expect(m.select(0, 1).tolist()).toEqual([4, 5, 6, 7]);
    expect(m.select(1, -1).tolist()).toEqual([3, 7, 11]);
    expect(m.get(2).tolist()).toEqual([8, 9, 10, 11]);
    expect(m.slice(1, 1, 3).tolist()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(m.slice(0, null, null, 2).tolist()).toEqual([[0, 1, 2, 3], [8, 9, 10, 11]]);
    expect(m.slice(1, -2).tolist()).toEqual([[2, 3], [6, 7], [10, 11]]);
    expect(m.narrow(0, 1, 1).tolist()).toEqual([[4, 5, 6, 7]]);
    expect(m.indexSelect(0, torch.tensor([2, 0], { dtype: 'int64' })).tolist()).toEqual([[8, 9, 10, 11], [0, 1, 2, 3]]);
    expect(m.indexSelect(1, torch.tensor([3], { dtype: 'int64' })).tolist()).toEqual([[3], [7], [11]]);
  });
});

describe('math, comparisons, reductions', () => {
  const a = () => torch.tensor([[1, -2], [3, 4]]);

  test('element-wise math with tensors and numbers', () => {
    expect(a().add(1).tolist()).toEqual([[2, -1], [4, 5]]);
    expect(a().add(a(), { alpha: 2 }).tolist()).toEqual([[3, -6], [9, 12]]);
    expect(a().sub(1).tolist()).toEqual([[0, -3], [2, 3]]);
    expect(a().mul(a()).tolist()).toEqual([[1, 4], [9, 16]]);
    expect(a().div(2).tolist()).toEqual([[0.5, -1], [1.5, 2]]);
    expect(a().pow(2).tolist()).toEqual([[1, 4], [9, 16]]);
    expect(a().neg().tolist()).toEqual([[-1, 2], [-3, -4]]);
    expect(a().abs().tolist()).toEqual([[1, 2], [3, 4]]);
    expect(a().clamp(0, 3).tolist()).toEqual([[1, 0], [3, 3]]);
    expect(a().clamp(null, 0).tolist()).toEqual([[0, -2], [0, 0]]);
    expect(torch.tensor([0, 1]).exp().tolist()).toEqual([1, Math.fround(Math.E)]);
    // log's vectorised kernels differ by an ulp between LibTorch versions (1.13 gives 0.99999994).
    const logs = torch.tensor([1, Math.E]).log().tolist() as number[];
    expect(logs[0]).toBe(0);
    expect(Math.abs(logs[1] - 1)).toBeLessThanOrEqual(2 ** -23);
    // Broadcasting.
    expect(a().add(torch.tensor([10, 20])).tolist()).toEqual([[11, 18], [13, 24]]);
  });

  test('matmul', () => {
    const m = torch.tensor([[1, 2], [3, 4]]);
    expect(m.matmul(m).tolist()).toEqual([[7, 10], [15, 22]]);
    expect(m.matmul(torch.tensor([1, 1])).tolist()).toEqual([3, 7]);
    expect(torch.matmul(torch.ones([5, 2, 3]), torch.ones([3, 4])).shape).toEqual([5, 2, 4]);
  });

  test('comparisons give bool tensors', () => {
    const x = torch.tensor([1, 2, 3]);
    expect(x.eq(2).tolist()).toEqual([false, true, false]);
    expect(x.gt(2).tolist()).toEqual([false, false, true]);
    expect(x.lt(2).tolist()).toEqual([true, false, false]);
    expect(x.ge(2).tolist()).toEqual([false, true, true]);
    expect(x.le(2).tolist()).toEqual([true, true, false]);
    expect(x.eq(torch.tensor([1, 0, 3])).dtype).toBe('bool');
    expect(x.eq(torch.tensor([1, 0, 3])).sum().item()).toBe(2);
  });

  test('sum and mean with dim and keepdim', () => {
    const m = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: torch.float });
    expect(m.sum().item()).toBe(21);
    expect(m.sum(0).tolist()).toEqual([5, 7, 9]);
    expect(m.sum(1, true).tolist()).toEqual([[6], [15]]);
    expect(m.sum([0, 1]).item()).toBe(21);
    expect(m.mean().item()).toBe(3.5);
    expect(m.mean(1).tolist()).toEqual([2, 5]);
    expect(m.mean(0, true).shape).toEqual([1, 3]);
    expect(torch.tensor([1, 2], { dtype: 'int32' }).sum().dtype).toBe('int64');
  });

  test('max/min: whole tensor, and with dim → values/indices', () => {
    const m = torch.tensor([[1, 9, 3], [7, 5, 6]]);
    expect(m.max().item()).toBe(9);
    expect(m.min().item()).toBe(1);
    const r = m.max(1);
    expect(r.values.tolist()).toEqual([9, 7]);
    expect(r.indices.tolist()).toEqual([1, 0]);
    expect(r.indices.dtype).toBe('int64');
    const [values, indices] = m.min(0, true);
    expect(values.tolist()).toEqual([[1, 5, 3]]);
    expect(indices.tolist()).toEqual([[0, 1, 0]]);
    expect(torch.max(m, 0).indices.tolist()).toEqual([1, 0, 1]);
    expect(m.argmax().item()).toBe(1);
    expect(m.argmax(1).tolist()).toEqual([1, 0]);
    expect(m.argmin(1, true).tolist()).toEqual([[0], [1]]);
  });
});

describe('overloads picked for calls with tensors only, the second time as the first', () => {
  // lib/dispatch.ts keeps, per op and count of arguments, the overload such a call matched.
  test('the count of tensors picks the overload, whatever came before', () => {
    const c = torch.tensor([true, false, true]);
    const x = torch.tensor([1, 2, 3]);
    const y = torch.tensor([10, 20, 30]);
    for (let i = 0; i < 2; i++) {
      expect(torch.where(c, x, y).tolist()).toEqual([1, 20, 3]);
      const found = torch.where(c);
      expect(Array.isArray(found)).toBe(true);
      expect(found.map((t) => t.tolist())).toEqual([[0, 2]]);
      expect(torch.where(c, 5, y).tolist()).toEqual([5, 20, 5]);
      expect(x.add(y).tolist()).toEqual([11, 22, 33]);
      expect(x.add(1).tolist()).toEqual([2, 3, 4]);
      expect(x.add(y, { alpha: 2 }).tolist()).toEqual([21, 42, 63]);
      expect(x.max().item()).toBe(3);
      expect(x.max(y).tolist()).toEqual([10, 20, 30]);
    }
  });

  test('named results keep their names; lists given as separate arguments where Python takes them so', () => {
    const x = torch.tensor([8, 0.5]);
    const [a, b] = [torch.tensor([1, 2]), torch.tensor([3, 4, 5])];
    for (let i = 0; i < 2; i++) {
      const r = torch.frexp(x);
      expect(r.mantissa.tolist()).toEqual([0.5, 0.5]);
      expect(r.exponent.tolist()).toEqual([4, 0]);
      // torch/functional.py's `*tensors` functions, typed as such.
      expect(torch.blockDiag(torch.ones(1, 1), torch.ones(1, 1)).tolist()).toEqual([[1, 0], [0, 1]]);
      expect(torch.broadcastTensors(torch.ones(2, 1), torch.ones(3)).map((t) => t.shape)).toEqual([[2, 3], [2, 3]]);
      expect(torch.cartesianProd(a, b).shape).toEqual([6, 2]);
      const [gx, gy] = torch.meshgrid(a, b, { indexing: 'xy' });
      expect([gx.shape, gy.shape]).toEqual([[3, 2], [3, 2]]);
      expect(torch.meshgrid([a, b], { indexing: 'xy' })[0].tolist()).toEqual(gx.tolist());
      // A single positional int[] (Python's parser's rule; not int[1], as `x.std(0, 1)` would be).
      expect(torch.arange(6).reshape(2, 3).countNonzero(0, 1).item()).toBe(5);
      expect(torch.ones(2, 3).sumToSize(1, 3).tolist()).toEqual([[2, 2, 2]]);
      // @ts-expect-error std's dim is int[1]?: (0, 1) is dim 0, unbiased 1, which Python refuses
      expect(() => torch.ones(2, 3).std(0, 1)).toThrow(TypeError);
      // Other lists are lists only: Python's torch.hstack(a, b) is a TypeError.
      // @ts-expect-error the tensors of hstack are one list
      expect(() => torch.hstack(a, b)).toThrow(TypeError);
      expect(torch.hstack([a, b]).tolist()).toEqual([1, 2, 3, 4, 5]);
    }
  });
});

describe('data out', () => {
  test('item() on one element; tolist() nests like the shape', () => {
    expect(torch.tensor(2.5).item()).toBe(2.5);
    expect(torch.tensor([[7]]).item()).toBe(7);
    expect(torch.tensor([true]).item()).toBe(true);
    expect(torch.tensor(3, { dtype: 'int64' }).item()).toBe(3);
    expect(torch.tensor(1.5).tolist()).toBe(1.5);
    expect(torch.zeros([2, 0, 3]).tolist()).toEqual([[], []]);
    expect(torch.arange(8).reshape(2, 2, 2).tolist()).toEqual([[[0, 1], [2, 3]], [[4, 5], [6, 7]]]);
  });

  test('toArray of a non-contiguous view is in logical order', () => {
    const t = torch.arange(6, { dtype: 'float32' }).reshape(2, 3).t();
    expect(Array.from(t.toArray() as Float32Array)).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

describe('toString prints like PyTorch 2.13', () => {
  // Each string is what `repr()` prints in python3 with torch 2.13.
  test.each([
    ['2-D float', () => torch.tensor([[1, 2], [3, 4]], { dtype: torch.float }), 'tensor([[1., 2.],\n        [3., 4.]])'],
    ['2-D whole numbers are int64, as in Python', () => torch.tensor([[1, 2], [3, 4]]), 'tensor([[1, 2],\n        [3, 4]])'],
    ['fractions', () => torch.tensor([1.5, -2.25, 3]), 'tensor([ 1.5000, -2.2500,  3.0000])'],
    ['int64', () => torch.tensor([1, 2, 3], { dtype: 'int64' }), 'tensor([1, 2, 3])'],
    ['bool', () => torch.tensor([true, false]), 'tensor([ True, False])'],
    ['scalar', () => torch.tensor(3.5), 'tensor(3.5000)'],
    ['wide range', () => torch.tensor([0.1, 100]), 'tensor([  0.1000, 100.0000])'],
    ['small values', () => torch.tensor([1e-5, 1]), 'tensor([1.0000e-05, 1.0000e+00])'],
    ['integral floats spanning > 1000x', () => torch.tensor([123456, 1], { dtype: 'float' }), 'tensor([1.2346e+05, 1.0000e+00])'],
    ['requires grad', () => torch.tensor([1, 2], { requiresGrad: true }), 'tensor([1., 2.], requires_grad=True)'],
    ['float64', () => torch.tensor([1, 2], { dtype: 'float64' }), 'tensor([1., 2.], dtype=torch.float64)'],
    ['int32', () => torch.tensor([1, 2], { dtype: 'int32' }), 'tensor([1, 2], dtype=torch.int32)'],
    ['float16', () => torch.tensor([1, 2], { dtype: 'float16' }), 'tensor([1., 2.], dtype=torch.float16)'],
    ['empty 1-D', () => torch.zeros(0), 'tensor([])'],
    ['empty 2-D', () => torch.zeros([0, 3]), 'tensor([], size=(0, 3))'],
    ['empty int64', () => torch.zeros([0], { dtype: 'int64' }), 'tensor([], dtype=torch.int64)'],
    ['nan and inf', () => torch.tensor([NaN, Infinity, 1.5]), 'tensor([   nan,    inf, 1.5000])'],
    ['3-D', () => torch.arange(0, 24, 1, { dtype: 'float32' }).reshape(2, 3, 4),
      'tensor([[[ 0.,  1.,  2.,  3.],\n         [ 4.,  5.,  6.,  7.],\n         [ 8.,  9., 10., 11.]],\n\n' +
      '        [[12., 13., 14., 15.],\n         [16., 17., 18., 19.],\n         [20., 21., 22., 23.]]])'],
    ['wrapped at 80 columns', () => torch.arange(0, 30, 1, { dtype: 'float32' }),
      'tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n' +
      '        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n        28., 29.])'],
    ['summarised', () => torch.arange(0, 2000, 1, { dtype: 'float32' }),
      'tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])'],
    ['summarised 2-D int', () => torch.arange(4000).reshape(40, 100),
      'tensor([[   0,    1,    2,  ...,   97,   98,   99],\n        [ 100,  101,  102,  ...,  197,  198,  199],\n' +
      '        [ 200,  201,  202,  ...,  297,  298,  299],\n        ...,\n        [3700, 3701, 3702,  ..., 3797, 3798, 3799],\n' +
      '        [3800, 3801, 3802,  ..., 3897, 3898, 3899],\n        [3900, 3901, 3902,  ..., 3997, 3998, 3999]])'],
    ['grad_fn', () => torch.tensor([[1, 2], [3, 4]], { requiresGrad: true }).mul(torch.tensor(2)),
      'tensor([[2., 4.],\n        [6., 8.]], grad_fn=<MulBackward0>)'],
  ])('%s', (_name, make, expected) => {
    expect(make().toString()).toBe(expected);
  });

  test('util.inspect uses toString (console.log prints like PyTorch)', async () => {
    const { inspect } = await import('node:util');
    expect(inspect(torch.tensor([1.5, 2]))).toBe('tensor([1.5000, 2.0000])');
    expect(inspect(torch.tensor([1, 2]))).toBe('tensor([1, 2])');
    expect(inspect(torch.zeros(64, 1, 28, 28).shape)).toBe('[64, 1, 28, 28]');
  });
});

describe('autograd', () => {
  test('backward computes d(sum(x^2))/dx = 2x', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    expect(x.isLeaf).toBe(true);
    const y = x.pow(2).sum();
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn).toBe('SumBackward0');
    y.backward();
    expect(x.grad!.tolist()).toEqual([2, 4, 6]);
  });

  test('gradients accumulate across two backward calls, as in PyTorch', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    x.mul(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([3 + 2, 3 + 4]);
    x.grad = null;
    x.mul(3).sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  test('backward with an explicit gradient and retainGraph', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x);
    y.backward(torch.tensor([1, 10]), { retainGraph: true });
    expect(x.grad!.tolist()).toEqual([2, 40]);
    y.backward(torch.tensor([1, 1]));
    expect(x.grad!.tolist()).toEqual([4, 44]);
  });

  test('noGrad records nothing and restores the mode, even on throw', () => {
    const x = torch.ones([2], { requiresGrad: true });
    const y = torch.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(torch.isGradEnabled()).toBe(true);
    expect(() => torch.noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(torch.isGradEnabled()).toBe(true);
    expect(torch.noGrad(() => torch.enableGrad(() => x.mul(2)).requiresGrad)).toBe(true);
  });

  test('requiresGrad_ and detach', () => {
    const x = torch.ones([2]);
    expect(x.requiresGrad_()).toBe(x);
    expect(x.requiresGrad).toBe(true);
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    // detach shares storage.
    const e = x.detach();
    e.fill_(5);
    expect(x.tolist()).toEqual([5, 5]);
    x.requiresGrad_(false);
    expect(x.requiresGrad).toBe(false);
  });

  test('a non-leaf has no grad unless retainGrad()', () => {
    const x = torch.ones([2], { requiresGrad: true });
    const h = x.mul(2);
    h.retainGrad();
    h.sum().backward();
    expect(h.isLeaf).toBe(false);
    expect(h.grad!.tolist()).toEqual([1, 1]);
  });
});

describe('seeds', () => {
  test('same seed, same randn/rand/randint; different seed, different values', () => {
    torch.manualSeed(1234);
    const a = [torch.randn([5]).tolist(), torch.rand([3]).tolist(), torch.randint(0, 100, [4]).tolist()];
    torch.manualSeed(1234);
    const b = [torch.randn([5]).tolist(), torch.rand([3]).tolist(), torch.randint(0, 100, [4]).tolist()];
    expect(b).toEqual(a);
    torch.manualSeed(1235);
    expect(torch.randn([5]).tolist()).not.toEqual(a[0]);
  });

  test('manualSeed(0) then randn matches PyTorch\'s CPU generator', () => {
    // python3 -c 'import torch; torch.manual_seed(0); print(torch.randn(3).tolist())'
    torch.manualSeed(0);
    const v = torch.randn([3]).tolist() as number[];
    [1.5409960746765137, -0.293428897857666, -2.1787893772125244].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 6));
  });
});

describe('memory: dispose, tidy, memory()', () => {
  test('torch.memory() counts tensors and bytes going up and down', () => {
    const before = torch.memory();
    const a = torch.zeros([1000]);
    const b = torch.zeros([10], { dtype: 'float64' });
    const mid = torch.memory();
    expect(mid.tensors).toBe(before.tensors + 2);
    expect(mid.bytes).toBe(before.bytes + 4000 + 80);
    a.dispose();
    b.dispose();
    expect(torch.memory()).toEqual(before);
  });

  test('dispose is idempotent and counts once', () => {
    const before = torch.memory();
    const a = torch.ones([100]);
    a.dispose();
    a.dispose();
    expect(torch.memory()).toEqual(before);
  });

  test('tidy frees intermediates and keeps what it returns', () => {
    const before = torch.memory().tensors;
    let inner: torch.Tensor[] = [];
    const out = torch.tidy(() => {
      const x = torch.ones([4]);
      const y = x.mul(2);
      inner = [x, y];
      return y.add(1);
    });
    expect(inner.every((t) => t.isDisposed)).toBe(true);
    expect(out.isDisposed).toBe(false);
    expect(out.tolist()).toEqual([3, 3, 3, 3]);
    expect(torch.memory().tensors).toBe(before + 1);
    out.dispose();
    expect(torch.memory().tensors).toBe(before);
  });

  test('tidy keeps tensors returned in arrays and objects, and keep()', () => {
    let kept: torch.Tensor | undefined;
    let dropped: torch.Tensor | undefined;
    const r = torch.tidy(() => {
      kept = torch.keep(torch.ones([1]));
      dropped = torch.ones([1]);
      return { a: [torch.zeros([1])], b: new Map([['c', torch.zeros([2])]]) };
    });
    expect(r.a[0].isDisposed).toBe(false);
    expect(r.b.get('c')!.isDisposed).toBe(false);
    expect(kept!.isDisposed).toBe(false);
    expect(dropped!.isDisposed).toBe(true);
  });

  test('nested tidy: the inner result belongs to the outer scope', () => {
    let innerResult: torch.Tensor | undefined;
    let innerTemp: torch.Tensor | undefined;
    const outer = torch.tidy(() => {
      innerResult = torch.tidy(() => {
        innerTemp = torch.ones([2]);
        return innerTemp.mul(3);
      });
      expect(innerTemp!.isDisposed).toBe(true);
      expect(innerResult.isDisposed).toBe(false);
      return innerResult.add(1);
    });
    expect(innerResult!.isDisposed).toBe(true);
    expect(outer.tolist()).toEqual([4, 4]);
  });

  test('a collection inside a scope changes nothing: what it made is disposed, what it returns lives', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc(); // what earlier tests dropped
    const before = torch.memory().tensors;
    let dropped: torch.Tensor[] = [];
    const out = torch.tidy(() => {
      for (let i = 0; i < 200; i++) torch.ones([2]); // dropped at once
      gc();
      const made = Array.from({ length: 200 }, (_, i) => torch.full([2], i));
      dropped = made.slice(10);
      return made.slice(0, 10);
    });
    expect(torch.memory().tensors).toBe(before + 10);
    expect(dropped.every((t) => t.isDisposed)).toBe(true);
    expect(out.map((t) => t.tolist())).toEqual(Array.from({ length: 10 }, (_, i) => [i, i]));
  });

  test('tidy frees its tensors when fn throws', () => {
    const before = torch.memory().tensors;
    expect(() => torch.tidy(() => { torch.ones([3]); throw new Error('boom'); })).toThrow('boom');
    // The scope is popped; what was made inside is at worst left to GC, never tracked forever.
    const after = torch.tidy(() => torch.ones([1]));
    expect(after.isDisposed).toBe(false);
    expect(torch.memory().tensors).toBeLessThanOrEqual(before + 2);
  });
});

describe('dtypes as Python infers and names them', () => {
  test('torch.tensor: whole numbers → int64, any fraction → float32, booleans → bool, mixed bool/int → int64', () => {
    expect(torch.tensor([[1, 2], [3, 4]]).dtype).toBe('int64');
    expect(torch.tensor(3).dtype).toBe('int64');
    expect(torch.tensor([1, 2.5]).dtype).toBe('float32');
    expect(torch.tensor([1, NaN]).dtype).toBe('float32');
    expect(torch.tensor([true, false]).dtype).toBe('bool');
    expect(torch.tensor([true, 2]).dtype).toBe('int64');
    expect(torch.tensor([]).dtype).toBe('float32');
    // Whole numbers that must require grad are floats (an int64 tensor cannot require grad).
    expect(torch.tensor([1, 2], { requiresGrad: true }).dtype).toBe('float32');
    expect(torch.full([2], 7).dtype).toBe('int64');
    expect(torch.full([2], 0.5).dtype).toBe('float32');
    expect(torch.full([2], true).dtype).toBe('bool');
  });

  test("aliases and torch.float-style constants: 'float', 'double', 'long', 'int', 'half', 'bool'", () => {
    expect([torch.float, torch.double, torch.long, torch.int, torch.half, torch.bool, torch.float32, torch.int64])
      .toEqual(['float32', 'float64', 'int64', 'int32', 'float16', 'bool', 'float32', 'int64']);
    const x = torch.tensor([1, 2]);
    expect(x.to('float').dtype).toBe('float32');
    expect(x.to({ dtype: 'double' }).dtype).toBe('float64');
    expect(torch.zeros(2, { dtype: 'long' }).dtype).toBe('int64');
    expect(x.float().dtype).toBe('float32');
    expect(x.half().dtype).toBe('float16');
    expect(x.byte().dtype).toBe('uint8');
    expect(x.long().dtype).toBe('int64');
  });

  test('x.type(): the legacy name, or a conversion', () => {
    expect(torch.zeros(1).type()).toBe('torch.FloatTensor');
    expect(torch.tensor([1]).type()).toBe('torch.LongTensor');
    const f = torch.tensor([1, 2]).eq(torch.tensor([1, 3])).type(torch.float);
    expect(f.dtype).toBe('float32');
    expect(f.sum().item()).toBe(1);
  });

  test('setDefaultDtype changes factories, float inference, new layers and promotion with numbers', () => {
    expect(torch.getDefaultDtype()).toBe('float32');
    torch.setDefaultDtype('float64');
    try {
      expect(torch.zeros(2).dtype).toBe('float64');
      expect(torch.tensor([0.5]).dtype).toBe('float64');
      expect(torch.tensor([1]).dtype).toBe('int64');
      expect(new torch.nn.Linear(2, 2).weight.dtype).toBe('float64');
      expect(torch.tensor([1, 2]).mul(0.5).dtype).toBe('float64');
      expect(torch.zeros(1, { dtype: 'float32' }).toString()).toBe('tensor([0.], dtype=torch.float32)');
      expect(torch.zeros(1).toString()).toBe('tensor([0.])');
      expect(() => torch.setDefaultDtype('int64')).toThrow(TypeError);
    } finally {
      torch.setDefaultDtype('float32');
    }
    expect(torch.tensor([1, 2]).mul(0.5).dtype).toBe('float32');
  });
});

describe('Python conveniences', () => {
  test('x.shape is a torch.Size: indexable, spreadable, prints [64, 1, 28, 28]', () => {
    const x = torch.zeros(64, 1, 28, 28);
    expect(x.shape[0]).toBe(64);
    expect([...x.shape]).toEqual([64, 1, 28, 28]);
    expect(`${x.shape}`).toBe('[64, 1, 28, 28]');
    expect(x.shape.numel()).toBe(x.numel());
    expect(x.size()).toBeInstanceOf(torch.Size);
  });

  test('.T, .mT, .data, length and iteration over the first dimension', () => {
    const m = torch.arange(6).view(2, 3);
    expect(m.T.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(torch.zeros(4, 2, 3).mT.shape).toEqual([4, 3, 2]);
    expect(torch.zeros(2, 3, 4).T.shape).toEqual([4, 3, 2]);
    expect(m.length).toBe(2);
    expect(() => torch.tensor(1).length).toThrow(/len\(\) of a 0-d tensor/);
    expect([...m].map((row) => row.tolist())).toEqual([[0, 1, 2], [3, 4, 5]]);
    const p = torch.ones(3, { requiresGrad: true });
    const d = p.data;
    expect(d.requiresGrad).toBe(false);
    d.mul_(2); // shares storage
    expect(p.tolist()).toEqual([2, 2, 2]);
    p.data = torch.zeros(3);
    expect(p.tolist()).toEqual([0, 0, 0]);
    expect(p.requiresGrad).toBe(true);
  });

  test('numpy(): a TypedArray over the same memory that keeps it alive', () => {
    const x = torch.zeros(4);
    const a = x.numpy() as Float32Array;
    expect(a).toBeInstanceOf(Float32Array);
    a[1] = 5;
    x.add_(1);
    expect(x.tolist()).toEqual([1, 6, 1, 1]);
    expect(Array.from(a)).toEqual([1, 6, 1, 1]);
    x.dispose();
    expect(Array.from(a)).toEqual([1, 6, 1, 1]); // the storage outlives the disposed handle
    expect(torch.tensor([1, 2]).numpy()).toBeInstanceOf(BigInt64Array);
    expect(torch.tensor([true]).numpy()).toBeInstanceOf(Uint8Array);
    expect(torch.zeros(0).numpy().length).toBe(0);
    expect(() => torch.ones(2, { requiresGrad: true }).numpy()).toThrow(/detach\(\)\.numpy\(\)/);
    expect(() => torch.zeros(2, 3).t().numpy()).toThrow(/contiguous\(\)\.numpy\(\)/);
    expect(() => torch.zeros(2, { dtype: 'float16' }).numpy()).toThrow(/float\(\)\.numpy\(\)/);
  });

  test('item() is a number for numeric dtypes and a boolean for bool', () => {
    const n: number = torch.tensor(2.5).item();
    expect(n + 1).toBe(3.5);
    expect(torch.tensor(true).item<boolean>()).toBe(true);
  });
});

describe('grad mode across await and with using', () => {
  test('an async noGrad keeps autograd off through its awaits and restores it after', async () => {
    expect(torch.isGradEnabled()).toBe(true);
    const seen = await torch.noGrad(async () => {
      await new Promise((r) => setTimeout(r, 1));
      return torch.ones(1, { requiresGrad: true }).mul(2).requiresGrad;
    });
    expect(seen).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
  });

  test('a rejected async noGrad restores the mode too', async () => {
    await expect(torch.noGrad(async () => { await null; throw new Error('boom'); })).rejects.toThrow('boom');
    expect(torch.isGradEnabled()).toBe(true);
  });

  test('using _ = torch.noGrad() holds until the block ends, also by a throw; enableGrad nests inside', () => {
    const run = (fail: boolean) => {
      using _ = torch.noGrad();
      expect(torch.isGradEnabled()).toBe(false);
      {
        using _inner = torch.enableGrad();
        expect(torch.isGradEnabled()).toBe(true);
      }
      expect(torch.isGradEnabled()).toBe(false);
      if (fail) throw new Error('inside');
    };
    run(false);
    expect(torch.isGradEnabled()).toBe(true);
    expect(() => run(true)).toThrow('inside');
    expect(torch.isGradEnabled()).toBe(true);
  });
});

describe('torch.Generator', () => {
  test('a seeded generator gives PyTorch\'s stream and leaves the global one alone', () => {
    torch.manualSeed(1);
    const before = torch.rand(2).tolist();
    const g = new torch.Generator().manualSeed(0);
    const a = torch.randn(3, { generator: g });
    // torch.Generator().manual_seed(0); torch.randn(3, generator=g) in PyTorch 2.13:
    expect(a.tolist()).toEqual([1.5409960746765137, -0.293428897857666, -2.1787893772125244]);
    torch.manualSeed(1);
    expect(torch.rand(2).tolist()).toEqual(before);
    g.manualSeed(0);
    expect(torch.randn(3, { generator: g }).equal(a)).toBe(true);
    expect(g.initialSeed()).toBe(0);
  });

  test('generated random ops take it too; seed() reproduces', () => {
    const g = new torch.Generator();
    const s = g.seed();
    const x = torch.ones(1000).mul(0.5).bernoulli({ generator: g });
    g.manualSeed(s);
    expect(torch.ones(1000).mul(0.5).bernoulli({ generator: g }).equal(x)).toBe(true);
    expect(() => torch.randn(2, { generator: {} as never })).toThrow(TypeError);
  });
});
