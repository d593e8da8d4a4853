/**
 * `optim.lrScheduler` against real PyTorch: every scheduler under 1–4 option sets (one or two
 * parameter groups, SGD with momentum or Adam) is stepped 30 times and its learning rates (and,
 * for CyclicLR/OneCycleLR, momentum) after the constructor and each step, its state dict (keys in
 * PyTorch's order, values) and the groups' `initial_lr` match test/fixtures/schedulers/reference.json,
 * written by test/fixtures/schedulers/generate.py (torch 2.13). Plus a stateDict/loadStateDict
 * round trip that continues identically, and bad options.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { optim } from '../lib';

const { lrScheduler } = optim;

interface SchedSpec { scheduler: string; options: Record<string, unknown> }
interface Case extends SchedSpec {
  groups: number[];
  optimizer: { type: 'SGD' | 'Adam'; momentum?: number };
  lrs: number[][];
  momentum?: number[][];
  state_dict_keys: string[];
  state_dict: Record<string, unknown>;
  initial_lr: (number | null)[];
}
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'schedulers', 'reference.json'), 'utf8')) as {
  torch: string; steps: number; metrics: number[]; cases: Case[];
};

// The generator's lambdas, written identically.
const LAMBDAS: Record<string, (e: number) => number> = {
  pow95: (e) => 0.95 ** e,
  inv: (e) => 1.0 / (e + 1),
  const95: () => 0.95,
  every3: (e) => (e % 3 === 0 ? 0.8 : 1.0),
};

type Scheduler = optim.lrScheduler.LRScheduler | optim.lrScheduler.ReduceLROnPlateau;

function makeOptimizer(c: Case): optim.Optimizer {
  const groups = c.groups.map((lr) => ({ params: [torch.zeros([1], { requiresGrad: true })], lr }));
  if (c.optimizer.type === 'Adam') return new optim.Adam(groups, { lr: c.groups[0] });
  return new optim.SGD(groups, { lr: c.groups[0], momentum: c.optimizer.momentum ?? 0 });
}

function makeScheduler(spec: SchedSpec, opt: optim.Optimizer): Scheduler {
  const o: Record<string, unknown> = { ...spec.options };
  if (Array.isArray(o.schedulers)) o.schedulers = (o.schedulers as SchedSpec[]).map((s) => makeScheduler(s, opt));
  if (o.lrLambda !== undefined) o.lrLambda = Array.isArray(o.lrLambda) ? o.lrLambda.map((n: string) => LAMBDAS[n]) : LAMBDAS[o.lrLambda as string];
  if (spec.scheduler === 'ChainedScheduler') return new lrScheduler.ChainedScheduler(o.schedulers as optim.lrScheduler.LRScheduler[], { optimizer: opt });
  const Ctor = (lrScheduler as unknown as Record<string, new (opt: optim.Optimizer, o: unknown) => Scheduler>)[spec.scheduler];
  return new Ctor(opt, o);
}

function step(s: Scheduler, i: number): void {
  if (s instanceof lrScheduler.ReduceLROnPlateau) s.step(REF.metrics[i]);
  else s.step();
}

function momentumOf(opt: optim.Optimizer): number[] {
  return opt.paramGroups.map((g) => (g.betas !== undefined ? (g.betas as number[])[0] : g.momentum as number));
}

const RTOL = 1e-12;
const ATOL = 1e-9;
let worst = 0;
function expectClose(actual: number, expected: number, where: string): void {
  const err = Math.abs(actual - expected);
  if (expected !== 0) worst = Math.max(worst, err / Math.abs(expected));
  // Relative 1e-12; the absolute 1e-9 only where PyTorch's value is 0 (PolynomialLR's end).
  if (!(err <= (expected === 0 ? ATOL : RTOL * Math.abs(expected)))) {
    throw new Error(`${where}: ${actual} vs PyTorch ${expected} (difference ${err})`);
  }
}

/** A state value as the generator writes it: Map → { counter }, ±Infinity → "inf"/"-inf". */
function asJson(value: unknown): unknown {
  if (value instanceof Map) return { counter: [...value.entries()] };
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Array.isArray(value)) return value.map(asJson);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asJson(v)]));
  return value;
}

function expectSame(actual: unknown, expected: unknown, where: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') return expectClose(actual, expected, where);
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), where).toBe(true);
    expect((actual as unknown[]).length, where).toBe(expected.length);
    expected.forEach((e, i) => expectSame((actual as unknown[])[i], e, `${where}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object), `${where} keys`).toEqual(Object.keys(expected));
    for (const [k, e] of Object.entries(expected)) expectSame((actual as Record<string, unknown>)[k], e, `${where}.${k}`);
    return;
  }
  expect(actual, where).toEqual(expected);
}

function label(c: Case): string {
  const opts = JSON.stringify(c.options).replace(/"scheduler":/g, '').slice(0, 120);
  return `${c.scheduler} ${opts} groups ${JSON.stringify(c.groups)}`;
}

describe(`schedulers match PyTorch ${REF.torch}`, () => {
  test('the reference covers every scheduler', () => {
    const names = new Set(REF.cases.map((c) => c.scheduler));
    for (const name of ['StepLR', 'MultiStepLR', 'ExponentialLR', 'CosineAnnealingLR', 'CosineAnnealingWarmRestarts', 'LinearLR',
      'ConstantLR', 'LambdaLR', 'MultiplicativeLR', 'PolynomialLR', 'OneCycleLR', 'CyclicLR', 'SequentialLR', 'ChainedScheduler',
      'ReduceLROnPlateau']) {
      expect(names.has(name), name).toBe(true);
      expect(typeof (lrScheduler as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  for (const c of REF.cases) {
    test(label(c), () => {
      const opt = makeOptimizer(c);
      const sched = makeScheduler(c, opt);
      const lrs = [sched.getLastLr()];
      const momentum = [momentumOf(opt)];
      for (let i = 0; i < REF.steps; i++) {
        step(sched, i);
        lrs.push(sched.getLastLr());
        momentum.push(momentumOf(opt));
        expect(opt.paramGroups.map((g) => g.lr)).toEqual(sched.getLastLr());
      }
      expectSame(lrs, c.lrs, 'lrs');
      if (c.momentum) expectSame(momentum, c.momentum, 'momentum');
      const sd = sched.stateDict();
      expect(Object.keys(sd)).toEqual(c.state_dict_keys);
      expectSame(asJson(sd), c.state_dict, 'state_dict');
      expect(opt.paramGroups.map((g) => g.initial_lr ?? null)).toEqual(c.initial_lr);
    });
  }

  test('largest relative difference from PyTorch is at float64 rounding', () => {
    expect(worst).toBeLessThan(RTOL);
  });
});

describe('stateDict / loadStateDict', () => {
  for (const c of REF.cases) {
    test(`round trip after 12 steps continues identically: ${label(c)}`, () => {
      const optA = makeOptimizer(c);
      const a = makeScheduler(c, optA);
      for (let i = 0; i < 12; i++) step(a, i);
      const saved = structuredClone(a.stateDict());
      const optB = makeOptimizer(c);
      const b = makeScheduler(c, optB);
      optB.loadStateDict(optA.stateDict());
      b.loadStateDict(saved);
      expect(b.stateDict()).toEqual(a.stateDict());
      for (let i = 12; i < REF.steps; i++) {
        step(a, i);
        step(b, i);
        expect(b.getLastLr()).toEqual(a.getLastLr());
        expect(momentumOf(optB)).toEqual(momentumOf(optA));
      }
      expect(b.stateDict()).toEqual(a.stateDict());
      expectSame(b.getLastLr(), c.lrs[REF.steps], 'lr after the round trip');
    });
  }
});

describe('bad options', () => {
  const sgd = (groups = [0.1], momentum = 0.9) =>
    new optim.SGD(groups.map((lr) => ({ params: [torch.zeros([1], { requiresGrad: true })], lr })), { lr: 0.1, momentum });
  const S = lrScheduler;

  test('out of range → RangeError', () => {
    const cases: [string, () => unknown][] = [
      ['stepSize', () => new S.StepLR(sgd(), { stepSize: 0 })],
      ['factor', () => new S.ConstantLR(sgd(), { factor: 1.5 })],
      ['factor', () => new S.ConstantLR(sgd(), { factor: -0.1 })],
      ['startFactor', () => new S.LinearLR(sgd(), { startFactor: 0 })],
      ['endFactor', () => new S.LinearLR(sgd(), { endFactor: 1.5 })],
      ['t0', () => new S.CosineAnnealingWarmRestarts(sgd(), { t0: 0 })],
      ['tMult', () => new S.CosineAnnealingWarmRestarts(sgd(), { t0: 2, tMult: 0 })],
      ['lrLambda', () => new S.LambdaLR(sgd([0.1, 0.2]), { lrLambda: [() => 1] })],
      ['lastEpoch', () => new S.ExponentialLR(sgd(), { gamma: 0.9, lastEpoch: -2 })],
      ['initial_lr', () => new S.ExponentialLR(sgd(), { gamma: 0.9, lastEpoch: 3 })],
      ['totalSteps', () => new S.OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 0 })],
      ['epochs', () => new S.OneCycleLR(sgd(), { maxLr: 0.1, epochs: 0, stepsPerEpoch: 3 })],
      ['pctStart', () => new S.OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10, pctStart: 1.5 })],
      ['annealStrategy', () => new S.OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10, annealStrategy: 'cosine' as never })],
      ['maxLr', () => new S.OneCycleLR(sgd([0.1, 0.2]), { maxLr: [0.1], totalSteps: 10 })],
      ['optimizer', () => new S.OneCycleLR(new optim.Adagrad([torch.zeros([1], { requiresGrad: true })]), { maxLr: 0.1, totalSteps: 10 })],
      ['mode', () => new S.CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1, mode: 'triangle' as never })],
      ['baseLr', () => new S.CyclicLR(sgd([0.1, 0.2]), { baseLr: [0.01, 0.02, 0.03], maxLr: 0.1 })],
      ['optimizer', () => new S.CyclicLR(new optim.Adagrad([torch.zeros([1], { requiresGrad: true })]), { baseLr: 0.01, maxLr: 0.1 })],
      ['factor', () => new S.ReduceLROnPlateau(sgd(), { factor: 1.0 })],
      ['mode', () => new S.ReduceLROnPlateau(sgd(), { mode: 'maximum' as never })],
      ['thresholdMode', () => new S.ReduceLROnPlateau(sgd(), { thresholdMode: 'relative' as never })],
      ['minLr', () => new S.ReduceLROnPlateau(sgd([0.1, 0.2]), { minLr: [0.01] })],
    ];
    for (const [name, fn] of cases) {
      expect(fn, name).toThrow(RangeError);
      expect(fn, name).toThrow(name);
    }
    const opt = sgd();
    const other = sgd();
    const a = new S.ExponentialLR(opt, { gamma: 0.9 });
    const plateau = new S.ReduceLROnPlateau(opt);
    expect(() => new S.SequentialLR(opt, { schedulers: [], milestones: [] })).toThrow(RangeError);
    expect(() => new S.SequentialLR(opt, { schedulers: [a, new S.StepLR(opt, { stepSize: 2 })], milestones: [] })).toThrow(/milestones/);
    expect(() => new S.SequentialLR(opt, { schedulers: [a, new S.StepLR(other, { stepSize: 2 })], milestones: [3] })).toThrow(RangeError);
    expect(() => new S.SequentialLR(opt, { schedulers: [a, plateau as never], milestones: [3] })).toThrow(/ReduceLROnPlateau/);
    expect(() => new S.ChainedScheduler([])).toThrow(RangeError);
    expect(() => new S.ChainedScheduler([a, new S.StepLR(other, { stepSize: 2 })])).toThrow(RangeError);
    expect(() => new S.ChainedScheduler([a, plateau as never])).toThrow(/ReduceLROnPlateau/);
    const once = new S.OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 2 });
    once.step();
    once.step();
    expect(() => once.step()).toThrow(RangeError);
  });

  test('wrong types → TypeError in the one format', () => {
    const cases: (() => unknown)[] = [
      () => new S.StepLR(sgd(), { stepSize: 1.5 }),
      () => new S.MultiStepLR(sgd(), { milestones: 3 as never }),
      () => new S.ExponentialLR(sgd(), { gamma: '0.9' as never }),
      () => new S.ExponentialLR({} as never, { gamma: 0.9 }),
      () => new S.CosineAnnealingLR(sgd(), { tMax: 10, etaMin: '0' as never }),
      () => new S.CosineAnnealingWarmRestarts(sgd(), { t0: 2.5 }),
      () => new S.LambdaLR(sgd(), { lrLambda: 0.9 as never }),
      () => new S.MultiplicativeLR(sgd(), { lrLambda: [0.9] as never }),
      () => new S.OneCycleLR(sgd(), { maxLr: 0.1 }),
      () => new S.OneCycleLR(sgd(), { maxLr: '0.1' as never, totalSteps: 3 }),
      () => new S.CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1, cycleMomentum: 1 as never }),
      () => new S.ReduceLROnPlateau(sgd(), { patience: 1.5 }),
      () => new S.SequentialLR(sgd(), { schedulers: [{}] as never, milestones: [] }),
      () => new S.ChainedScheduler([{}] as never),
      () => new S.ReduceLROnPlateau(sgd()).step('0.5' as never),
    ];
    for (const fn of cases) {
      expect(fn).toThrow(TypeError);
      expect(fn).toThrow(/^Expected .+ for .+ but received .+$/);
    }
    expect(() => new S.CosineAnnealingLR(sgd(), { tMax: 10, t_max: 5 } as never)).toThrow(/did you mean tMax\?/);
    expect(() => new S.StepLR(sgd(), { stepSize: 1 }).loadStateDict(3 as never)).toThrow(TypeError);
  });
});
