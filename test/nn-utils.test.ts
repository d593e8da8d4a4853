/**
 * nn.utils gradient clipping (clipGradNorm_, getTotalNorm, clipGradsWithNorm_, clipGradValue_)
 * and parametersToVector / vectorToParameters against real PyTorch: the total norm (value and
 * dtype) and the gradients after clipping for norm types 2, 1, inf, -inf and 0.5, mixed dtypes,
 * no parameters and non-finite gradients (with the error errorIfNonfinite raises), and the
 * vector and the parameters after vectorToParameters, from test/fixtures/nn_utils/reference.json
 * (test/fixtures/nn_utils/generate.py, torch 2.13, CPU). Plus bad arguments.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn } from '../lib';

type Num = number | 'nan' | 'inf' | '-inf';
interface TensorJson { shape: number[]; dtype: string; values: Num[] }
type ParamSpec = [string, number[], 'float32' | 'float64', boolean];
interface Case {
  fn: 'clipGradNorm_' | 'getTotalNorm+clipGradsWithNorm_' | 'clipGradValue_';
  maxNorm?: number; normType?: Num; clipValue?: number; single?: boolean; empty?: boolean;
  params?: ParamSpec[]; poison?: [number, number, Num]; error?: string;
  total?: TensorJson; grads: (TensorJson | null)[];
}
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'nn_utils', 'reference.json'), 'utf8')) as {
  torch: string; params: ParamSpec[]; values: number[][]; grads: number[][]; cases: Case[];
  vector: { vector: TensorJson; new: TensorJson; after: TensorJson[]; afterDoubling: TensorJson[] };
};

const num = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

/** The fixture's parameters: stored values and gradients (the last one without), `poison` written into one gradient. */
function makeParams(specs: ParamSpec[] = REF.params, poison?: [number, number, Num]): torch.Tensor[] {
  return specs.map(([, shape, dtype, hasGrad], i) => {
    const p = torch.tensor(REF.values[i], { dtype }).reshape(shape).requiresGrad_(true);
    if (hasGrad) {
      const g = [...REF.grads[i]];
      if (poison !== undefined && poison[0] === i) g[poison[1]] = num(poison[2]);
      p.grad = torch.tensor(g, { dtype }).reshape(shape);
    }
    return p;
  });
}

function expectTensor(t: torch.Tensor, ref: TensorJson, what: string): void {
  expect(t.shape, `${what} shape`).toEqual(ref.shape);
  expect(t.dtype, `${what} dtype`).toBe(ref.dtype);
  const got = Array.from(t.detach().reshape([-1]).toArray() as unknown as ArrayLike<number>, Number);
  expect(got.length, what).toBe(ref.values.length);
  ref.values.forEach((r, i) => {
    const e = num(r);
    if (!Number.isFinite(e)) {
      expect(Object.is(got[i], e) || (Number.isNaN(e) && Number.isNaN(got[i])), `${what}[${i}] = ${got[i]}, PyTorch ${e}`).toBe(true);
      return;
    }
    const tol = 1e-6 + 1e-5 * Math.abs(e);
    expect(Math.abs(got[i] - e), `${what}[${i}] = ${got[i]}, PyTorch ${e}`).toBeLessThanOrEqual(tol);
  });
}

function expectGrads(params: torch.Tensor[], grads: (TensorJson | null)[]): void {
  expect(params.length).toBe(grads.length);
  params.forEach((p, i) => {
    const ref = grads[i];
    if (ref === null) expect(p.grad, `grad ${i}`).toBeNull();
    else expectTensor(p.grad!, ref, `grad ${i}`);
  });
}

const label = (c: Case): string => JSON.stringify({ ...c, total: undefined, grads: undefined, error: undefined });

describe('gradient clipping matches PyTorch 2.13', () => {
  test('the fixture covers every norm type asked for, both error cases and every function', () => {
    expect(REF.torch).toMatch(/^2\.13/);
    const norms = new Set(REF.cases.filter((c) => c.fn === 'clipGradNorm_').map((c) => c.normType));
    for (const n of [2, 1, 'inf', 0.5]) expect(norms.has(n as Num), String(n)).toBe(true);
    expect(REF.cases.filter((c) => c.error !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(new Set(REF.cases.map((c) => c.fn)).size).toBe(3);
  });

  test.each(REF.cases.map((c) => [label(c), c] as const))('%s', (_name, c) => {
    if (c.fn === 'clipGradValue_') {
      for (const foreach of [undefined, true, false]) {
        const params = makeParams();
        nn.utils.clipGradValue_(c.single === true ? params[0] : params, c.clipValue!, { foreach });
        expectGrads(c.single === true ? [params[0]] : params, c.single === true ? c.grads.slice(0, 1) : c.grads);
      }
      return;
    }
    if (c.fn === 'getTotalNorm+clipGradsWithNorm_') {
      const params = makeParams();
      const total = nn.utils.getTotalNorm(params.map((p) => p.grad).filter((g) => g !== null), num(c.normType!));
      expectTensor(total, c.total!, 'total norm');
      nn.utils.clipGradsWithNorm_(params, c.maxNorm!, total);
      expectGrads(params, c.grads);
      return;
    }
    for (const foreach of [undefined, true, false]) {
      const params = c.empty === true ? [] : makeParams(c.params, c.poison);
      // normType as the fixture writes it: a number or 'inf' / '-inf', which the API takes too.
      const total = nn.utils.clipGradNorm_(c.single === true ? params[0] : params, c.maxNorm!, c.normType as never, { foreach });
      expectTensor(total, c.total!, 'total norm');
      expectGrads(params, c.grads);
    }
    if (c.error !== undefined) {
      const params = makeParams(c.params, c.poison);
      const before = params.map((p) => p.grad?.clone() ?? null);
      let err: unknown;
      try { nn.utils.clipGradNorm_(params, c.maxNorm!, num(c.normType!), { errorIfNonfinite: true }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(torch.TorchError);
      // PyTorch's message, naming the option as the TypeScript API spells it.
      expect((err as Error).message.replace('`errorIfNonfinite: false`', '`error_if_nonfinite=False`')).toBe(c.error);
      // Nothing was clipped.
      params.forEach((p, i) => { if (before[i] !== null) expect(p.grad!.equal(before[i]!) || p.grad!.isnan().any().item()).toBe(true); });
    }
  });

  test('errorIfNonfinite leaves finite gradients alone', () => {
    const params = makeParams();
    const total = nn.utils.clipGradNorm_(params, 1.0, 2, { errorIfNonfinite: true });
    expectTensor(total, REF.cases[0].total!, 'total norm');
  });

  test('clipping is in place, under noGrad, and parameters without a gradient stay without one', () => {
    const params = makeParams();
    const grads = params.map((p) => p.grad);
    const before = grads.map((g) => g?.clone() ?? null);
    const total = nn.utils.clipGradNorm_(params, 0.1);
    expect(total.requiresGrad).toBe(false);
    params.forEach((p, i) => {
      if (grads[i] === null) { expect(p.grad).toBeNull(); return; }
      // The gradient tensors held before are the ones clipped.
      expect(grads[i]!.equal(p.grad!)).toBe(true);
      expect(grads[i]!.equal(before[i]!)).toBe(false);
      expect(grads[i]!.requiresGrad).toBe(false);
    });
    expect(params[3].grad).toBeNull();
  });
});

describe('parametersToVector / vectorToParameters match PyTorch 2.13', () => {
  test('the vector of the parameters', () => {
    const params = makeParams();
    const vec = nn.utils.parametersToVector(params);
    expectTensor(vec, REF.vector.vector, 'vector');
    // It is a copy autograd tracks, as torch.cat's is.
    expect(vec.requiresGrad).toBe(true);
    vec.sum().backward();
    expect(params[3].grad!.tolist()).toEqual([1, 1]);
  });

  test('vectorToParameters points each parameter at its slice of the vector', () => {
    const params = makeParams();
    const vec = torch.linspace(-1, 1, REF.vector.new.values.length);
    expectTensor(vec, REF.vector.new, 'new');
    nn.utils.vectorToParameters(vec, params);
    params.forEach((p, i) => expectTensor(p, REF.vector.after[i], `param ${i}`));
    // They share the vector's storage, as after PyTorch's `param.data = …`.
    vec.mul_(2);
    params.forEach((p, i) => expectTensor(p, REF.vector.afterDoubling[i], `param ${i} after doubling the vector`));
    // Same tensors, still leaves that require grad.
    expect(params.every((p) => p.isLeaf && p.requiresGrad)).toBe(true);
  });

  test('a module round trip', () => {
    const model = new nn.Linear(3, 2);
    const flat = nn.utils.parametersToVector(model.parameters()).detach();
    expect(flat.shape).toEqual([8]);
    nn.utils.vectorToParameters(flat.mul(0.5), model.parameters());
    expect(nn.utils.parametersToVector(model.parameters()).detach().equal(flat.mul(0.5))).toBe(true);
  });
});

describe('bad arguments', () => {
  test('clipping', () => {
    const params = makeParams();
    expect(() => nn.utils.clipGradNorm_(params, '1' as never)).toThrow(TypeError);
    expect(() => nn.utils.clipGradNorm_(params, 1, 'fro' as never)).toThrow(TypeError);
    expect(() => nn.utils.clipGradNorm_(params, 1, 2, { errorIfNonFinite: true } as never)).toThrow(/errorIfNonfinite/);
    expect(() => nn.utils.clipGradNorm_(params, 1, 2, { foreach: 'yes' } as never)).toThrow(TypeError);
    expect(() => nn.utils.clipGradNorm_(5 as never, 1)).toThrow(TypeError);
    expect(() => nn.utils.clipGradNorm_([params[0], 'w'] as never, 1)).toThrow(/parameters\[1\]/);
    expect(() => nn.utils.clipGradValue_(params, Number.NaN)).toThrow(TypeError);
    expect(() => nn.utils.clipGradValue_(params, 1, { max: 1 } as never)).toThrow(TypeError);
    expect(() => nn.utils.clipGradsWithNorm_(params, 1, 2 as never)).toThrow(TypeError);
    expect(() => nn.utils.getTotalNorm(null as never)).toThrow(TypeError);
  });

  test('vectors', () => {
    const params = makeParams();
    expect(() => nn.utils.vectorToParameters([1, 2] as never, params)).toThrow(TypeError);
    expect(() => nn.utils.parametersToVector(params[0] as never)).toThrow(TypeError);
    // Too short a vector: PyTorch's view_as error.
    expect(() => nn.utils.vectorToParameters(torch.zeros([5]), params)).toThrow(torch.TorchError);
    // A non-contiguous parameter cannot be viewed as 1-D, as in PyTorch.
    expect(() => nn.utils.parametersToVector([torch.ones([2, 3]).t()])).toThrow(torch.TorchError);
  });
});
