/**
 * `optim` against real PyTorch: every optimizer under 2–4 option sets trains nn.Linear(3, 2) for
 * 20 steps on a fixed batch (MSE loss), and the final parameters, the state dict's layout
 * (state keys, param_groups) and, for one option set each, the state tensors match
 * test/fixtures/optim/reference.json, written by test/fixtures/optim/generate.py (torch 2.13, CPU).
 * LBFGS steps with a closure; its losses per step, its counters (func_evals, n_iter) and its
 * state of numbers and tensor lists match too. Plus bad options of the newer optimizers and
 * Optimizer.addParamGroup as PyTorch's add_param_group.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn, optim } from '../lib';

interface TensorJson { shape: number[]; dtype: string; values: number[] }
type StateJson = TensorJson | number | null | StateJson[];
interface Case {
  optimizer: string;
  options: Record<string, unknown>;
  weight: number[];
  bias: number[];
  param_groups: Record<string, unknown>[];
  state_keys: Record<string, string[]>;
  state?: Record<string, Record<string, StateJson>>;
  losses?: number[];
  counters?: { func_evals: number; n_iter: number };
}
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'optim', 'reference.json'), 'utf8')) as {
  torch: string; steps: number; weight: number[][]; bias: number[]; input: number[][]; target: number[][]; cases: Case[];
};

type Make = (params: Iterable<torch.Tensor>, options: Record<string, unknown>) => optim.Optimizer;
const OPTIMIZERS: Record<string, Make> = {
  SGD: (p, o) => new optim.SGD(p, o),
  Adam: (p, o) => new optim.Adam(p, o),
  Adadelta: (p, o) => new optim.Adadelta(p, o),
  AdamW: (p, o) => new optim.AdamW(p, o),
  Adagrad: (p, o) => new optim.Adagrad(p, o),
  RMSprop: (p, o) => new optim.RMSprop(p, o),
  Adamax: (p, o) => new optim.Adamax(p, o),
  NAdam: (p, o) => new optim.NAdam(p, o),
  RAdam: (p, o) => new optim.RAdam(p, o),
  ASGD: (p, o) => new optim.ASGD(p, o),
  Rprop: (p, o) => new optim.Rprop(p, o),
  LBFGS: (p, o) => new optim.LBFGS(p, o),
};
const NEW = ['AdamW', 'Adagrad', 'RMSprop', 'Adamax', 'NAdam', 'RAdam', 'ASGD', 'Rprop'];

function build(): nn.Linear {
  const model = new nn.Linear(3, 2);
  torch.noGrad(() => {
    model.weight.copy_(torch.tensor(REF.weight));
    model.bias!.copy_(torch.tensor(REF.bias));
  });
  return model;
}

/** One step as the generator takes it: LBFGS with a closure, the others after backward(). */
function stepOnce(model: nn.Linear, opt: optim.Optimizer): number | null {
  const x = torch.tensor(REF.input);
  const target = torch.tensor(REF.target);
  const closure = () => {
    opt.zeroGrad();
    const loss = nn.functional.mseLoss(model.forward(x), target);
    loss.backward();
    return loss;
  };
  if (opt instanceof optim.LBFGS) return (opt.step(closure) as torch.Tensor).item<number>();
  closure();
  opt.step();
  return null;
}

function train(c: Case): { model: nn.Linear; opt: optim.Optimizer; losses: (number | null)[] } {
  const model = build();
  const opt = OPTIMIZERS[c.optimizer](model.parameters(), c.options);
  const losses: (number | null)[] = [];
  for (let i = 0; i < REF.steps; i++) losses.push(stepOnce(model, opt));
  return { model, opt, losses };
}

/** A state value against its JSON form: tensors by shape, dtype and values; numbers, nulls and lists as they are. */
function expectState(got: unknown, ref: StateJson, what: string): void {
  if (ref === null || typeof ref === 'number') {
    if (typeof ref === 'number' && !Number.isInteger(ref)) expectClose([got as number], [ref], what);
    else expect(got, what).toBe(ref);
  } else if (Array.isArray(ref)) {
    expect(Array.isArray(got), `${what} is a list`).toBe(true);
    expect((got as unknown[]).length, `${what} length`).toBe(ref.length);
    ref.forEach((r, k) => expectState((got as unknown[])[k], r, `${what}[${k}]`));
  } else {
    const t = got as torch.Tensor;
    expect(t, what).toBeInstanceOf(torch.Tensor);
    expect(t.shape, `${what} shape`).toEqual(ref.shape);
    expect(t.dtype, `${what} dtype`).toBe(ref.dtype);
    expectClose(t.flatten().tolist() as number[], ref.values, what);
  }
}

function expectClose(got: number[], expected: number[], what: string): void {
  expect(got.length, what).toBe(expected.length);
  got.forEach((v, i) => {
    const tol = 1e-6 + 1e-5 * Math.abs(expected[i]);
    expect(Math.abs(v - expected[i]), `${what}[${i}] = ${v}, PyTorch ${expected[i]}`).toBeLessThanOrEqual(tol);
  });
}

test('the fixture covers every optimizer, the six newer ones included', () => {
  expect(REF.torch).toMatch(/^2\.13/);
  expect(new Set(REF.cases.map((c) => c.optimizer))).toEqual(new Set(Object.keys(OPTIMIZERS)));
  for (const name of Object.keys(OPTIMIZERS)) {
    const n = REF.cases.filter((c) => c.optimizer === name).length;
    expect(n, name).toBeGreaterThanOrEqual(2);
    expect(REF.cases.filter((c) => c.optimizer === name && c.state !== undefined).length, name).toBe(1);
  }
});

describe('20 steps on nn.Linear(3, 2) match PyTorch', () => {
  test.each(REF.cases.map((c) => [c.optimizer, c.options, c] as const))('%s %j', (_name, _options, c) => {
    const { model, opt, losses } = train(c);
    expectClose(model.weight.flatten().tolist() as number[], c.weight, 'weight');
    expectClose(model.bias!.tolist() as number[], c.bias, 'bias');

    const sd = opt.stateDict();
    // param_groups: the same keys and values as Python's (betas as a list).
    expect(sd.param_groups).toEqual(c.param_groups);
    expect(Object.keys(sd.param_groups[0]).sort()).toEqual(Object.keys(c.param_groups[0]).sort());
    // state: the same parameters, with PyTorch's keys.
    expect([...sd.state.keys()].map(String).sort()).toEqual(Object.keys(c.state_keys).sort());
    for (const [i, keys] of Object.entries(c.state_keys)) {
      expect(Object.keys(sd.state.get(Number(i))!).sort(), `state[${i}]`).toEqual(keys);
    }
    if (c.losses !== undefined) expectClose(losses as number[], c.losses, 'loss returned by step()');
    if (c.counters !== undefined) {
      const s = sd.state.get(0)!;
      expect({ func_evals: s.func_evals, n_iter: s.n_iter }).toEqual(c.counters);
    }
    if (c.state === undefined) return;
    for (const [i, entries] of Object.entries(c.state)) {
      for (const [key, ref] of Object.entries(entries)) expectState(sd.state.get(Number(i))![key], ref, `state[${i}].${key}`);
    }
  });

  test('the option sets of each optimizer really lead to different parameters', () => {
    for (const name of Object.keys(OPTIMIZERS)) {
      const weights = REF.cases.filter((c) => c.optimizer === name).map((c) => c.weight[0].toFixed(4));
      expect(new Set(weights).size, name).toBe(weights.length);
    }
  });
});

describe('state dicts of the newer optimizers', () => {
  // A deep copy, as torch.save + torch.load would give: tensors cloned, lists copied.
  const copy = (v: optim.StateValue): optim.StateValue => (v instanceof torch.Tensor ? v.clone() : Array.isArray(v) ? v.map(copy) : v);
  test.each([...NEW, 'LBFGS'])('%s: a stateDict() loaded into a fresh optimizer continues exactly as the original', (name) => {
    const c = REF.cases.find((k) => k.optimizer === name)!;
    const a = build();
    const optA = OPTIMIZERS[name](a.parameters(), c.options);
    for (let i = 0; i < 3; i++) stepOnce(a, optA);
    const saved = optA.stateDict();
    const snapshot = {
      state: new Map([...saved.state].map(([i, s]) => [i, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, copy(v)]))])),
      param_groups: saved.param_groups.map((g) => ({ ...g })),
    };
    const b = build();
    b.loadStateDict(Object.fromEntries(Object.entries(a.stateDict()).map(([k, v]) => [k, v.clone()])));
    for (let i = 0; i < 3; i++) stepOnce(a, optA);
    const optB = OPTIMIZERS[name](b.parameters(), c.options);
    optB.loadStateDict(snapshot);
    for (let i = 0; i < 3; i++) stepOnce(b, optB);
    expect(b.weight.equal(a.weight)).toBe(true);
    expect(b.bias!.equal(a.bias!)).toBe(true);
  });

  test('Adagrad creates its state in the constructor, as PyTorch does', () => {
    const w = torch.ones([2], { requiresGrad: true });
    const opt = new optim.Adagrad([w], { initialAccumulatorValue: 0.25 });
    const s = opt.stateDict().state.get(0)!;
    expect(Object.keys(s).sort()).toEqual(['step', 'sum']);
    expect((s.step as torch.Tensor).dtype).toBe('float32');
    expect((s.step as torch.Tensor).shape).toEqual([]);
    expect((s.sum as torch.Tensor).tolist()).toEqual([0.25, 0.25]);
  });

  test('step is a float32 scalar tensor counting the steps', () => {
    for (const name of NEW) {
      const c = REF.cases.find((k) => k.optimizer === name)!;
      const { opt } = train(c);
      const step = opt.stateDict().state.get(0)!.step as torch.Tensor;
      expect(step, name).toBeInstanceOf(torch.Tensor);
      expect(step.shape, name).toEqual([]);
      expect(step.dtype, name).toBe('float32');
      expect(step.item(), name).toBe(REF.steps);
    }
  });
});

describe('bad options of the newer optimizers', () => {
  const p = () => [torch.ones([1], { requiresGrad: true })];
  // [optimizer, options, error class, the option the message names]
  const CASES: [string, Record<string, unknown>, typeof RangeError | typeof TypeError, string][] = [
    ['AdamW', { lr: -1 }, RangeError, 'lr'],
    ['AdamW', { betas: [0.9, 1] }, RangeError, 'betas[1]'],
    ['AdamW', { amsgrad: 1 }, TypeError, 'amsgrad'],
    ['AdamW', { decoupledWeightDecay: false }, RangeError, 'decoupledWeightDecay'],
    ['Adagrad', { lrDecay: -0.1 }, RangeError, 'lrDecay'],
    ['Adagrad', { initialAccumulatorValue: -1 }, RangeError, 'initialAccumulatorValue'],
    ['Adagrad', { eps: '1e-10' }, TypeError, 'eps'],
    ['RMSprop', { alpha: -0.5 }, RangeError, 'alpha'],
    ['RMSprop', { momentum: -0.1 }, RangeError, 'momentum'],
    ['RMSprop', { centered: 'yes' }, TypeError, 'centered'],
    ['Adamax', { betas: [-0.1, 0.999] }, RangeError, 'betas[0]'],
    ['Adamax', { weightDecay: -1 }, RangeError, 'weightDecay'],
    ['Adamax', { betas: 0.9 }, TypeError, 'betas'],
    ['NAdam', { momentumDecay: -0.004 }, RangeError, 'momentumDecay'],
    ['NAdam', { decoupledWeightDecay: 'true' }, TypeError, 'decoupledWeightDecay'],
    ['NAdam', { momentum_decay: 0.004 }, TypeError, 'momentumDecay'],
    ['RAdam', { eps: -1e-8 }, RangeError, 'eps'],
    ['RAdam', { maximize: 0 }, TypeError, 'maximize'],
    ['RAdam', { weight_decay: 0.1 }, TypeError, 'weightDecay'],
    ['ASGD', { lr: -0.01 }, RangeError, 'lr'],
    ['ASGD', { weightDecay: -1 }, RangeError, 'weightDecay'],
    ['ASGD', { t0: '1e6' }, TypeError, 't0'],
    ['ASGD', { lambd: Number.NaN }, TypeError, 'lambd'],
    ['Rprop', { etas: [1.2, 0.5] }, RangeError, 'etas'],
    ['Rprop', { etas: [0.5, 1] }, RangeError, 'etas'],
    ['Rprop', { etas: [0.5] }, TypeError, 'etas'],
    ['Rprop', { stepSizes: [1e-6, '50'] }, TypeError, 'stepSizes[1]'],
    ['Rprop', { step_sizes: [1e-6, 50] }, TypeError, 'stepSizes'],
    ['LBFGS', { lr: -1 }, RangeError, 'lr'],
    ['LBFGS', { maxIter: 2.5 }, TypeError, 'maxIter'],
    ['LBFGS', { maxEval: 0 }, RangeError, 'maxEval'],
    ['LBFGS', { historySize: 0 }, RangeError, 'historySize'],
    ['LBFGS', { toleranceGrad: '1e-7' }, TypeError, 'toleranceGrad'],
    ['LBFGS', { lineSearchFn: 'backtracking' }, RangeError, 'lineSearchFn'],
    ['LBFGS', { lineSearchFn: true }, TypeError, 'lineSearchFn'],
    ['LBFGS', { line_search_fn: 'strong_wolfe' }, TypeError, 'lineSearchFn'],
  ];
  test.each(CASES)('%s %j → %o naming %s', (name, options, cls, option) => {
    const fn = () => OPTIMIZERS[name](p(), options);
    expect(fn).toThrow(cls);
    let message = '';
    try { fn(); } catch (e) { message = (e as Error).message; }
    expect(message).toContain(option);
    // A group's own options are checked the same way.
    const opt = OPTIMIZERS[name](p(), {});
    expect(() => opt.addParamGroup({ params: p(), ...options })).toThrow(cls);
  });
});

describe('closures', () => {
  const setup = () => {
    const model = build();
    const x = torch.tensor(REF.input);
    const target = torch.tensor(REF.target);
    return { model, loss: () => nn.functional.mseLoss(model.forward(x), target) };
  };

  test('ASGD and Rprop call a closure before their step and return its loss, as PyTorch', () => {
    for (const name of ['ASGD', 'Rprop']) {
      const { model, loss } = setup();
      const opt = OPTIMIZERS[name](model.parameters(), {});
      const before = loss().item();
      const got = opt.step(() => { opt.zeroGrad(); const l = loss(); l.backward(); return l; }) as torch.Tensor;
      expect(got.item(), name).toBeCloseTo(before, 6);
      expect(loss().item(), name).toBeLessThan(before);
      expect(opt.step(), name).toBeNull();
      expect(() => opt.step('closure' as never), name).toThrow(TypeError);
    }
  });

  test('LBFGS needs a closure, returns the first loss, and takes a closure returning a number', () => {
    const { model, loss } = setup();
    const opt = new optim.LBFGS(model.parameters(), { maxIter: 3 });
    expect(() => (opt.step as () => unknown)()).toThrow(TypeError);
    const first = loss().item();
    const got = opt.step(() => { opt.zeroGrad(); const l = loss(); l.backward(); return l.item<number>(); });
    expect(got).toBe(first);
    expect(loss().item()).toBeLessThan(first);
    const s = opt.state.get(model.weight) as unknown as optim.LBFGSState;
    // maxEval = floor(3 * 5 / 4) = 3 evaluations end the step after 2 iterations, as in PyTorch.
    expect(s.n_iter).toBe(2);
    expect(s.func_evals).toBe(3);
    expect(opt.state.has(model.bias!)).toBe(false);
  });

  test('LBFGS stops at once where the gradient is below toleranceGrad', () => {
    const w = torch.zeros([3], { requiresGrad: true });
    const opt = new optim.LBFGS([w]);
    const closure = () => { opt.zeroGrad(); const l = w.sub(1e-9).pow(2).sum(); l.backward(); return l; };
    opt.step(closure);
    expect(Object.keys(opt.stateDict().state.get(0)!).sort()).toEqual(['func_evals', 'n_iter']);
    expect(opt.stateDict().state.get(0)!.func_evals).toBe(1);
  });

  test('LBFGS takes one parameter group only', () => {
    const a = torch.ones([2], { requiresGrad: true });
    const b = torch.ones([2], { requiresGrad: true });
    expect(() => new optim.LBFGS([{ params: [a] }, { params: [b] }])).toThrow(/LBFGS doesn't support per-parameter options/);
    const opt = new optim.LBFGS([a]);
    opt.addParamGroup({ params: [b] });
    expect(() => opt.step(() => 0)).toThrow(/exactly one param_group/);
  });

  test('LBFGS fills maxEval from maxIter as PyTorch (max_iter * 5 // 4)', () => {
    const p = [torch.ones([1], { requiresGrad: true })];
    expect(new optim.LBFGS(p).paramGroups[0].max_eval).toBe(25);
    expect(new optim.LBFGS(p, { maxIter: 7 }).paramGroups[0].max_eval).toBe(8);
    expect(new optim.LBFGS(p, { maxIter: 7, maxEval: null }).paramGroups[0].max_eval).toBe(8);
    expect(new optim.LBFGS(p, { maxIter: 7, maxEval: 3 }).paramGroups[0].max_eval).toBe(3);
  });
});

describe('Optimizer.addParamGroup, as PyTorch add_param_group', () => {
  const leaf = (n = 2) => torch.ones([n], { requiresGrad: true });

  test('fills every hyperparameter the group leaves out with the defaults', () => {
    const opt = new optim.Rprop([leaf()], { lr: 0.05, etas: [0.4, 1.3] });
    opt.addParamGroup({ params: [leaf()], lr: 0.1 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.1, etas: [0.4, 1.3], step_sizes: [1e-6, 50], maximize: false, foreach: null });
    expect(Object.keys(opt.paramGroups[1]).sort()).toEqual(Object.keys(opt.paramGroups[0]).sort());
  });

  test('takes one tensor, an array, a generator or a Set', () => {
    const opt = new optim.ASGD([leaf()]);
    const single = torch.ones([3, 2], { requiresGrad: true });
    const same = (got: torch.Tensor[], expected: torch.Tensor[]) => {
      expect(got.length).toBe(expected.length);
      got.forEach((t, i) => expect(t).toBe(expected[i]));
    };
    opt.addParamGroup({ params: single });
    same(opt.paramGroups[1].params, [single]);
    const [a, b] = [leaf(), leaf()];
    opt.addParamGroup({ params: (function* () { yield a; yield b; })() });
    same(opt.paramGroups[2].params, [a, b]);
    const c = leaf();
    // PyTorch refuses a set for its unstable order; a JS Set keeps insertion order.
    opt.addParamGroup({ params: new Set([c]) });
    same(opt.paramGroups[3].params, [c]);
  });

  test('a parameter in two groups is an error', () => {
    const p = leaf();
    const opt = new optim.ASGD([p]);
    expect(() => opt.addParamGroup({ params: [leaf(), p] })).toThrow(/some parameters appear in more than one parameter group/);
    expect(opt.paramGroups.length).toBe(1);
    expect(() => new optim.Rprop([{ params: [p] }, { params: p }])).toThrow(RangeError);
  });

  test('refuses what PyTorch refuses: a lone tensor as params, non-tensors, non-leaf tensors', () => {
    expect(() => new optim.ASGD(leaf() as never)).toThrow(TypeError);
    expect(() => new optim.ASGD([])).toThrow(RangeError);
    const opt = new optim.ASGD([leaf()]);
    expect(() => opt.addParamGroup({ params: [1, 2] as never })).toThrow(TypeError);
    expect(() => opt.addParamGroup({ params: 5 as never })).toThrow(TypeError);
    expect(() => opt.addParamGroup(null as never)).toThrow(TypeError);
    const nonLeaf = leaf().mul(2);
    expect(() => opt.addParamGroup({ params: [nonLeaf] })).toThrow(/non-leaf/);
    expect(() => new optim.SGD([nonLeaf])).toThrow(RangeError);
  });
});
