/**
 * nn.Embedding and the normalisation layers (LayerNorm, GroupNorm, InstanceNorm1d/2d/3d,
 * BatchNorm1d/3d, LocalResponseNorm) and F.normalize against real PyTorch: output, input gradient
 * of (out * w).sum(), parameter gradients, buffers after one training forward, state-dict keys and
 * repr, from test/fixtures/norms/reference.json (test/fixtures/norms/generate.py, torch 2.13, CPU).
 * Plus the functional forms, Embedding.fromPretrained and bad options.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn } from '../lib';

const F = nn.functional;

interface TensorJson { shape: number[]; values: number[] }
interface Case {
  module: string; args: unknown[]; options: Record<string, unknown>; python: string;
  input: TensorJson; params: Record<string, number[]>; outWeights: number[]; repr: string; stateKeys: string[];
  output: TensorJson; grad: number[] | null; paramGrads: Record<string, number[]>;
  buffers: Record<string, number[] | number>; paramsAfter: Record<string, number[]>;
}
interface NormalizeCase { options: Record<string, number>; input: TensorJson; outWeights: number[]; output: TensorJson; grad: number[] }
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'norms', 'reference.json'), 'utf8')) as {
  torch: string; cases: Case[]; normalize: NormalizeCase[];
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCtor = new (...args: any[]) => nn.Module;
const MODULES: Record<string, AnyCtor> = {
  Embedding: nn.Embedding, LayerNorm: nn.LayerNorm, GroupNorm: nn.GroupNorm, InstanceNorm1d: nn.InstanceNorm1d,
  InstanceNorm2d: nn.InstanceNorm2d, InstanceNorm3d: nn.InstanceNorm3d, BatchNorm1d: nn.BatchNorm1d,
  BatchNorm3d: nn.BatchNorm3d, LocalResponseNorm: nn.LocalResponseNorm, RMSNorm: nn.RMSNorm,
};

function close(actual: torch.Tensor | number[], expected: number[]): void {
  const a = Array.isArray(actual) ? actual : Array.from(actual.detach().reshape([-1]).toArray() as unknown as ArrayLike<number>, Number);
  expect(a.length).toBe(expected.length);
  for (let i = 0; i < a.length; i++) {
    const tol = 1e-6 + 1e-5 * Math.abs(expected[i]);
    if (!(Math.abs(a[i] - expected[i]) <= tol)) throw new Error(`index ${i}: ${a[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

const ctorArgs = (c: Case): unknown[] => (Object.keys(c.options).length > 0 ? [...c.args, c.options] : c.args);

describe('modules match PyTorch 2.13', () => {
  test.each(REF.cases.map((c) => [c.python, c] as const))('%s', (_name, c) => {
    const m = new MODULES[c.module](...ctorArgs(c));
    expect(String(m)).toBe(c.repr);
    expect(Object.keys(m.stateDict())).toEqual(c.stateKeys);
    torch.noGrad(() => {
      for (const [name, p] of m.namedParameters()) p.copy_(torch.tensor(c.params[name]).reshape(p.shape));
    });
    const isIndex = c.module === 'Embedding';
    const x = isIndex
      ? torch.tensor(c.input.values, { dtype: 'int64' }).reshape(c.input.shape)
      : torch.tensor(c.input.values).reshape(c.input.shape).requiresGrad_(true);
    const out = m.forward(x) as torch.Tensor;
    expect(out.shape).toEqual(c.output.shape);
    close(out, c.output.values);
    out.mul(torch.tensor(c.outWeights).reshape(out.shape)).sum().backward();
    if (c.grad !== null) close(x.grad!, c.grad);
    for (const [name, p] of m.namedParameters()) {
      close(p.grad!, c.paramGrads[name]);
      close(p, c.paramsAfter[name]);
    }
    const buffers = Object.fromEntries(m.namedBuffers());
    expect(Object.keys(buffers).sort()).toEqual(Object.keys(c.buffers).sort());
    for (const [name, v] of Object.entries(c.buffers)) {
      if (typeof v === 'number') expect(buffers[name].item()).toBe(v);
      else close(buffers[name], v);
    }
  });
});

describe('functional forms', () => {
  const byModule = (name: string) => REF.cases.filter((c) => c.module === name);
  const inputOf = (c: Case) => torch.tensor(c.input.values).reshape(c.input.shape);
  const paramOf = (c: Case, name: string, shape: number[]) => torch.tensor(c.params[name]).reshape(shape);

  test('F.layerNorm, F.groupNorm, F.localResponseNorm, F.instanceNorm equal the recorded outputs', () => {
    const ln = byModule('LayerNorm')[0];
    close(F.layerNorm(inputOf(ln), 4, { weight: paramOf(ln, 'weight', [4]), bias: paramOf(ln, 'bias', [4]) }), ln.output.values);
    const gn = byModule('GroupNorm')[1];
    close(F.groupNorm(inputOf(gn), 1, { eps: 1e-3 }), gn.output.values);
    const lrn = byModule('LocalResponseNorm')[1];
    close(F.localResponseNorm(inputOf(lrn), 3, { alpha: 1e-2, beta: 0.5, k: 2 }), lrn.output.values);
    const inn = byModule('InstanceNorm1d')[0];
    close(F.instanceNorm(inputOf(inn)), inn.output.values);
  });

  test('F.rmsNorm equals the recorded output, and on 2.13 ATen\'s own rms_norm bit for bit (1.13 has none)', () => {
    const c = byModule('RMSNorm')[0];
    const w = paramOf(c, 'weight', [4]);
    close(F.rmsNorm(inputOf(c), 4, { weight: w }), c.output.values);
    if (!torch.config().libtorchVersion.startsWith('1.')) {
      const x = torch.randn([5, 6, 8], { dtype: 'float64' });
      const w8 = torch.randn([8], { dtype: 'float64' });
      for (const [t, weight, eps] of [[x, w8, null], [x.float(), w8.float(), 1e-3], [x.to('bfloat16'), null, null]] as const) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        expect(F.rmsNorm(t, [8], { weight, eps }).equal((torch as any).rmsNorm(t, [8], weight, eps))).toBe(true);
      }
    }
  });

  test('F.embedding equals the recorded lookup', () => {
    const c = byModule('Embedding')[1];
    const w = paramOf(c, 'weight', [5, 3]);
    const idx = torch.tensor(c.input.values, { dtype: 'int64' }).reshape(c.input.shape);
    close(F.embedding(idx, w, { paddingIdx: -1 }), c.output.values);
  });

  test.each(REF.normalize.map((c) => [JSON.stringify(c.options), c] as const))('F.normalize %s', (_n, c) => {
    const x = torch.tensor(c.input.values).reshape(c.input.shape).requiresGrad_(true);
    const out = F.normalize(x, c.options);
    close(out, c.output.values);
    out.mul(torch.tensor(c.outWeights).reshape(out.shape)).sum().backward();
    close(x.grad!, c.grad);
  });
});

describe('Embedding specifics', () => {
  test('default init zeroes the padding row; state dict is weight', () => {
    const e = new nn.Embedding(4, 3, { paddingIdx: -2 });
    expect(e.paddingIdx).toBe(2);
    expect(Array.from(e.weight.select(0, 2).toArray() as Float32Array)).toEqual([0, 0, 0]);
    expect(Object.keys(e.stateDict())).toEqual(['weight']);
  });

  test('fromPretrained freezes by default and keeps the values', () => {
    const w = torch.tensor([[1.5, 2], [3, 4], [5, 6]]);
    const e = nn.Embedding.fromPretrained(w, { paddingIdx: 0 });
    expect(e.weight.requiresGrad).toBe(false);
    expect(Array.from(e.weight.toArray() as Float32Array)).toEqual([1.5, 2, 3, 4, 5, 6]);
    expect(String(e)).toBe('Embedding(3, 2, padding_idx=0)');
    const t = nn.Embedding.fromPretrained(w, { freeze: false });
    expect(t.weight.requiresGrad).toBe(true);
    expect(Array.from(t.forward(torch.tensor([2, 0], { dtype: 'int64' })).toArray() as Float32Array)).toEqual([5, 6, 1.5, 2]);
  });
});

describe('bad options are refused, naming the option', () => {
  test.each([
    ['Embedding paddingIdx out of range', () => new nn.Embedding(3, 2, { paddingIdx: 3 }), RangeError, /paddingIdx/],
    ['Embedding negative paddingIdx out of range', () => new nn.Embedding(3, 2, { paddingIdx: -4 }), RangeError, /paddingIdx/],
    ['Embedding sparse', () => new nn.Embedding(3, 2, { sparse: true }), RangeError, /sparse/],
    ['Embedding unknown option', () => new nn.Embedding(3, 2, { padding: 1 } as never), TypeError, /padding/],
    ['LayerNorm normalizedShape', () => new nn.LayerNorm('4' as never), TypeError, /normalizedShape/],
    ['LayerNorm eps', () => new nn.LayerNorm(4, { eps: 'x' as never }), TypeError, /eps/],
    ['GroupNorm numChannels not divisible', () => new nn.GroupNorm(3, 4), RangeError, /numChannels/],
    ['InstanceNorm1d affine', () => new nn.InstanceNorm1d(3, { affine: 1 as never }), TypeError, /affine/],
    ['LocalResponseNorm size', () => new nn.LocalResponseNorm(0), RangeError, /size/],
    ['F.normalize p', () => F.normalize(torch.ones([2, 2]), { p: 'two' as never }), TypeError, /\bp\b/],
  ] as const)('%s', (_n, fn, Err, re) => {
    expect(fn).toThrow(Err);
    expect(fn).toThrow(re);
  });
});
