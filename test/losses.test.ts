/**
 * Every `torch.nn` loss module and its `nn.functional` form against real PyTorch: the loss, the
 * input gradients of `loss.sum()`, `repr(module)` and the state-dict keys for 1–3 option sets each,
 * from test/fixtures/losses/reference.json, written by test/fixtures/losses/generate.py (torch 2.13,
 * CPU). Plus bad options and shape mismatches refused.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn } from '../lib';

const F = nn.functional;

interface TensorJson { dtype: string; shape: number[]; values: number[] }
interface Case {
  module: string; options: Record<string, unknown>; inputs: string[]; grads: string[]; repr: string;
  output: TensorJson; gradients: Record<string, TensorJson>; stateDictKeys: string[];
}
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'losses', 'reference.json'), 'utf8')) as {
  torch: string; inputs: Record<string, TensorJson>; cases: Case[];
};

const fromJson = (t: TensorJson): torch.Tensor =>
  torch.tensor(t.values, { dtype: t.dtype as 'float32' | 'int64' }).reshape(t.shape);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCtor = new (options?: any) => nn.Module;
const MODULES: Record<string, AnyCtor> = {
  L1Loss: nn.L1Loss, MSELoss: nn.MSELoss, CrossEntropyLoss: nn.CrossEntropyLoss, NLLLoss: nn.NLLLoss,
  BCELoss: nn.BCELoss, BCEWithLogitsLoss: nn.BCEWithLogitsLoss, KLDivLoss: nn.KLDivLoss, HuberLoss: nn.HuberLoss,
  SmoothL1Loss: nn.SmoothL1Loss, SoftMarginLoss: nn.SoftMarginLoss, MultiLabelSoftMarginLoss: nn.MultiLabelSoftMarginLoss,
  MultiLabelMarginLoss: nn.MultiLabelMarginLoss, MultiMarginLoss: nn.MultiMarginLoss, MarginRankingLoss: nn.MarginRankingLoss,
  HingeEmbeddingLoss: nn.HingeEmbeddingLoss, CosineEmbeddingLoss: nn.CosineEmbeddingLoss, TripletMarginLoss: nn.TripletMarginLoss,
  PoissonNLLLoss: nn.PoissonNLLLoss, GaussianNLLLoss: nn.GaussianNLLLoss, TripletMarginWithDistanceLoss: nn.TripletMarginWithDistanceLoss,
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const FUNCTIONAL: Record<string, (...args: any[]) => torch.Tensor> = {
  L1Loss: F.l1Loss, MSELoss: F.mseLoss, CrossEntropyLoss: F.crossEntropy, NLLLoss: F.nllLoss,
  BCELoss: F.binaryCrossEntropy, BCEWithLogitsLoss: F.binaryCrossEntropyWithLogits, KLDivLoss: F.klDiv, HuberLoss: F.huberLoss,
  SmoothL1Loss: F.smoothL1Loss, SoftMarginLoss: F.softMarginLoss, MultiLabelSoftMarginLoss: F.multilabelSoftMarginLoss,
  MultiLabelMarginLoss: F.multilabelMarginLoss, MultiMarginLoss: F.multiMarginLoss, MarginRankingLoss: F.marginRankingLoss,
  HingeEmbeddingLoss: F.hingeEmbeddingLoss, CosineEmbeddingLoss: F.cosineEmbeddingLoss, TripletMarginLoss: F.tripletMarginLoss,
  PoissonNLLLoss: F.poissonNllLoss, GaussianNLLLoss: F.gaussianNllLoss, TripletMarginWithDistanceLoss: F.tripletMarginWithDistanceLoss,
};

/** TripletMarginWithDistanceLoss's distance functions by name, as the generator's DISTANCES: a module and a function. */
const DISTANCES: Record<string, () => unknown> = {
  l1: () => new nn.PairwiseDistance({ p: 1 }),
  cosine: () => (x: torch.Tensor, y: torch.Tensor) => F.cosineSimilarity(x, y).neg().add(1),
};

/** The case's options with tensor names replaced by the stored tensors. */
function options(c: Case): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c.options).map(([k, v]) =>
    [k, typeof v === 'string' && v in REF.inputs ? fromJson(REF.inputs[v]) : k === 'distanceFunction' ? DISTANCES[v as string]() : v]));
}

function expectClose(got: number[], expected: number[], what: string): void {
  expect(got.length, what).toBe(expected.length);
  got.forEach((v, i) => {
    const tol = 1e-6 + 1e-5 * Math.abs(expected[i]);
    expect(Math.abs(v - expected[i]), `${what}[${i}] = ${v}, PyTorch ${expected[i]}`).toBeLessThanOrEqual(tol);
  });
}

function check(c: Case, apply: (inputs: torch.Tensor[]) => torch.Tensor): void {
  const inputs = c.inputs.map((n) => fromJson(REF.inputs[n]).requiresGrad_(c.grads.includes(n)));
  const out = apply(inputs);
  expect(out.shape).toEqual(c.output.shape);
  expect(out.dtype).toBe(c.output.dtype);
  expectClose(out.detach().flatten().tolist() as number[], c.output.values, 'loss');
  out.sum().backward();
  c.inputs.forEach((n, i) => {
    if (c.grads.includes(n)) expectClose(inputs[i].grad!.flatten().tolist() as number[], c.gradients[n].values, `grad of ${n}`);
  });
}

const describeCase = (c: Case): string => `${c.module}(${JSON.stringify(c.options)}) on ${c.inputs.join(', ')}`;
const rows = REF.cases.map((c) => [describeCase(c), c] as const);

test('the fixture comes from PyTorch 2.13, covers every loss module and each reduction', () => {
  expect(REF.torch).toMatch(/^2\.13/);
  expect(new Set(REF.cases.map((c) => c.module))).toEqual(new Set(Object.keys(MODULES)));
  const reductions = new Set(REF.cases.map((c) => c.options.reduction ?? 'mean'));
  for (const r of ['none', 'mean', 'sum', 'batchmean']) expect(reductions.has(r), r).toBe(true);
});

describe('modules match PyTorch (loss, input gradients, repr, state-dict keys)', () => {
  test.each(rows)('%s', (_name, c) => {
    const m = new MODULES[c.module](options(c));
    expect(String(m)).toBe(c.repr);
    expect(Object.keys(m.stateDict())).toEqual(c.stateDictKeys);
    check(c, (inputs) => m(...inputs));
  });
});

describe('functional forms match PyTorch', () => {
  test.each(rows)('%s', (_name, c) => {
    check(c, (inputs) => FUNCTIONAL[c.module](...inputs, options(c)));
  });
});

describe('bad options and shapes are refused', () => {
  const x = torch.linspace(-1, 1, 12).reshape(3, 4);
  const y = torch.linspace(1, -1, 12).reshape(3, 4);

  test('an unknown reduction is a RangeError naming reduction, in the constructor and the functional form', () => {
    for (const Ctor of Object.values(MODULES)) {
      expect(() => new Ctor({ reduction: 'avg' }), Ctor.name).toThrow(RangeError);
      expect(() => new Ctor({ reduction: 'avg' }), Ctor.name).toThrow(/reduction/);
      expect(() => new Ctor({ reduction: 1 }), Ctor.name).toThrow(TypeError);
    }
    expect(() => F.mseLoss(x, y, { reduction: 'batchmean' as never })).toThrow(/reduction/);
    expect(() => F.huberLoss(x, y, { reduction: 'avg' as never })).toThrow(RangeError);
    expect(() => new nn.KLDivLoss({ reduction: 'batchmean' })).not.toThrow();
    expect(() => new nn.MSELoss({ reduction: 'batchmean' as never })).toThrow(RangeError);
  });

  test('unknown or snake_case options and wrong types are TypeErrors naming them', () => {
    expect(() => new nn.HuberLoss({ beta: 1 } as never)).toThrow(/beta/);
    expect(() => new nn.PoissonNLLLoss({ log_input: false } as never)).toThrow(/logInput/);
    expect(() => new nn.TripletMarginLoss({ swap: 1 } as never)).toThrow(TypeError);
    expect(() => new nn.MultiMarginLoss({ weight: [1, 2] } as never)).toThrow(/weight/);
    expect(() => new nn.SmoothL1Loss({ beta: '1' } as never)).toThrow(/beta/);
  });

  test('out-of-range option values are RangeErrors naming them', () => {
    const cls = torch.tensor([0, 1, 2], { dtype: 'int64' });
    expect(() => F.multiMarginLoss(x, cls, { p: 3 })).toThrow(RangeError);
    expect(() => F.multiMarginLoss(x, cls, { p: 3 })).toThrow(/\bp\b/);
    expect(() => new nn.TripletMarginLoss({ margin: 0 })(x, y, x)).toThrow(/margin/);
    expect(() => new nn.TripletMarginWithDistanceLoss({ margin: -1 })(x, y, x)).toThrow(/margin/);
    expect(() => new nn.TripletMarginWithDistanceLoss({ distanceFunction: 3 as never })).toThrow(TypeError);
    expect(() => F.tripletMarginWithDistanceLoss(x, y, x.flatten())).toThrow(/dimensions/);
    expect(() => F.tripletMarginWithDistanceLoss(x, y, x, { distanceFunction: () => 3 as never })).toThrow(/distanceFunction/);
    expect(() => F.smoothL1Loss(x, y, { beta: -1 })).toThrow(/beta/);
    expect(() => F.gaussianNllLoss(x, y, -1)).toThrow(/var/);
    expect(() => F.gaussianNllLoss(x, y, torch.full([3, 4], -1))).toThrow(RangeError);
    expect(() => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 })(x, cls)).toThrow(/labelSmoothing/);
  });

  test('shape mismatches are TorchErrors', () => {
    const cls = torch.tensor([0, 1, 2], { dtype: 'int64' });
    expect(() => F.mseLoss(x, torch.zeros(3, 5))).toThrow(torch.TorchError);
    expect(() => F.marginRankingLoss(x, y, torch.ones(3))).toThrow(/same number of dimensions/);
    expect(() => F.gaussianNllLoss(x, y, torch.ones(2, 4))).toThrow(/var/);
    expect(() => F.multiMarginLoss(x, cls, { weight: torch.ones(2, 2) })).toThrow(/weight/);
    expect(() => new nn.CrossEntropyLoss()(x, torch.tensor([0, 1], { dtype: 'int64' }))).toThrow(torch.TorchError);
    expect(() => new nn.TripletMarginLoss()(x, y, torch.zeros(3, 5))).toThrow(torch.TorchError);
    expect(() => new nn.MultiLabelMarginLoss()(x, torch.zeros(3, 4))).toThrow(torch.TorchError);
  });

  test('weights live in buffers: loadStateDict reaches the loss', () => {
    const w = torch.tensor([1, 2, 3, 4], { dtype: 'float32' });
    const m = new nn.CrossEntropyLoss({ weight: w });
    const cls = torch.tensor([0, 1, 2], { dtype: 'int64' });
    const before = m(x, cls).item() as number;
    m.loadStateDict({ weight: torch.ones(4) });
    expect(m(x, cls).item()).toBeCloseTo(F.crossEntropy(x, cls).item() as number, 6);
    expect(before).not.toBeCloseTo(m(x, cls).item() as number, 3);
  });
});
