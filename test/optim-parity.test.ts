/**
 * `optim` against real PyTorch: every optimizer under 2–4 option sets trains nn.Linear(3, 2) for
 * 20 steps on a fixed batch (MSE loss), and the final parameters, the state dict's layout
 * (state keys, param_groups) and, for one option set each, the state tensors match
 * test/fixtures/optim/reference.json, written by test/fixtures/optim/generate.py (torch 2.13, CPU).
 * Plus bad options of the newer optimizers.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn, optim } from '../lib';

interface TensorJson { shape: number[]; dtype: string; values: number[] }
interface Case {
  optimizer: string;
  options: Record<string, unknown>;
  weight: number[];
  bias: number[];
  param_groups: Record<string, unknown>[];
  state_keys: Record<string, string[]>;
  state?: Record<string, Record<string, TensorJson>>;
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
};
const NEW = ['AdamW', 'Adagrad', 'RMSprop', 'Adamax', 'NAdam', 'RAdam'];

function train(c: Case): { model: nn.Linear; opt: optim.Optimizer } {
  const model = new nn.Linear(3, 2);
  torch.noGrad(() => {
    model.weight.copy_(torch.tensor(REF.weight));
    model.bias!.copy_(torch.tensor(REF.bias));
  });
  const x = torch.tensor(REF.input);
  const target = torch.tensor(REF.target);
  const opt = OPTIMIZERS[c.optimizer](model.parameters(), c.options);
  for (let i = 0; i < REF.steps; i++) {
    opt.zeroGrad();
    nn.functional.mseLoss(model.forward(x), target).backward();
    opt.step();
  }
  return { model, opt };
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
    const { model, opt } = train(c);
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
    if (c.state === undefined) return;
    for (const [i, entries] of Object.entries(c.state)) {
      for (const [key, ref] of Object.entries(entries)) {
        const t = sd.state.get(Number(i))![key] as torch.Tensor;
        expect(t, `state[${i}].${key}`).toBeInstanceOf(torch.Tensor);
        expect(t.shape, `state[${i}].${key} shape`).toEqual(ref.shape);
        expect(t.dtype, `state[${i}].${key} dtype`).toBe(ref.dtype);
        expectClose(t.flatten().tolist() as number[], ref.values, `state[${i}].${key}`);
      }
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
  test.each(NEW)('%s: a stateDict() loaded into a fresh optimizer continues exactly as the original', (name) => {
    const c = REF.cases.find((k) => k.optimizer === name)!;
    const x = torch.tensor(REF.input);
    const target = torch.tensor(REF.target);
    const build = () => {
      const model = new nn.Linear(3, 2);
      torch.noGrad(() => {
        model.weight.copy_(torch.tensor(REF.weight));
        model.bias!.copy_(torch.tensor(REF.bias));
      });
      return model;
    };
    const stepOnce = (model: nn.Linear, opt: optim.Optimizer) => {
      opt.zeroGrad();
      nn.functional.mseLoss(model.forward(x), target).backward();
      opt.step();
    };
    const a = build();
    const optA = OPTIMIZERS[name](a.parameters(), c.options);
    for (let i = 0; i < 3; i++) stepOnce(a, optA);
    const saved = optA.stateDict();
    const snapshot = {
      state: new Map([...saved.state].map(([i, s]) => [i, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, (v as torch.Tensor).clone()]))])),
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
