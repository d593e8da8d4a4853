/**
 * Every `torch.nn` activation module and its `nn.functional` form against real PyTorch: output,
 * input gradient (and PReLU's weight gradient) and `repr(module)` for 1–2 option sets each, from
 * test/fixtures/activations/reference.json, written by test/fixtures/activations/generate.py
 * (torch 2.13, CPU). Plus RReLU's random training mode, bad options, and nodetorch's CPU kernels
 * for the softmax family against ATen's.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn } from '../lib';
import { smallOpCases, type SmallOpCase } from './helpers/small-op-cases';

const F = nn.functional;

interface TensorJson { shape: number[]; values: number[] }
interface Case {
  module: string; args: (number | null)[]; options: Record<string, unknown>; python: string;
  input: 'x' | 'x4'; weighted: boolean; repr: string;
  shape: number[]; output: number[]; grad: number[]; weightGrad?: number[];
}
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'activations', 'reference.json'), 'utf8')) as {
  torch: string; inputs: Record<string, TensorJson>; weights: Record<string, TensorJson>; cases: Case[];
};

const fromJson = (t: TensorJson): torch.Tensor => torch.tensor(t.values).reshape(t.shape);
const hasOptions = (c: Case): boolean => Object.keys(c.options).length > 0;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCtor = new (...args: any[]) => nn.Module;
const MODULES: Record<string, AnyCtor> = {
  ReLU: nn.ReLU, ReLU6: nn.ReLU6, LeakyReLU: nn.LeakyReLU, PReLU: nn.PReLU, RReLU: nn.RReLU, ELU: nn.ELU,
  SELU: nn.SELU, CELU: nn.CELU, GELU: nn.GELU, SiLU: nn.SiLU, Mish: nn.Mish, Sigmoid: nn.Sigmoid, Tanh: nn.Tanh,
  Softplus: nn.Softplus, Softsign: nn.Softsign, Softshrink: nn.Softshrink, Hardshrink: nn.Hardshrink,
  Tanhshrink: nn.Tanhshrink, Hardtanh: nn.Hardtanh, Hardswish: nn.Hardswish, Hardsigmoid: nn.Hardsigmoid,
  LogSigmoid: nn.LogSigmoid, Threshold: nn.Threshold, GLU: nn.GLU, Softmax: nn.Softmax, LogSoftmax: nn.LogSoftmax,
  Softmin: nn.Softmin, Softmax2d: nn.Softmax2d,
};

/** The functional form of each module, called as the module's forward calls it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fn = (x: torch.Tensor, c: Case, m: any) => torch.Tensor;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const plain = (f: (...a: any[]) => torch.Tensor): Fn => (x, c) => (hasOptions(c) ? f(x, ...c.args, c.options) : f(x, ...c.args));
const FUNCTIONAL: Record<string, Fn> = {
  ReLU: plain(F.relu), ReLU6: plain(F.relu6), LeakyReLU: (x, c) => F.leakyRelu(x, (c.args[0] ?? 0.01) as number, c.options),
  PReLU: (x, _c, m) => F.prelu(x, m.weight),
  RReLU: (x, c) => F.rrelu(x, (c.args[0] ?? 1 / 8) as number, (c.args[1] ?? 1 / 3) as number, false, c.options),
  ELU: (x, c) => F.elu(x, (c.args[0] ?? 1) as number, c.options), SELU: plain(F.selu),
  CELU: (x, c) => F.celu(x, (c.args[0] ?? 1) as number, c.options), GELU: plain(F.gelu), SiLU: plain(F.silu),
  Mish: plain(F.mish), Sigmoid: plain(F.sigmoid), Tanh: plain(F.tanh), Softplus: plain(F.softplus),
  Softsign: plain(F.softsign), Softshrink: plain(F.softshrink), Hardshrink: plain(F.hardshrink),
  Tanhshrink: plain(F.tanhshrink), Hardtanh: (x, c) => F.hardtanh(x, (c.args[0] ?? -1) as number, (c.args[1] ?? 1) as number, c.options),
  Hardswish: plain(F.hardswish), Hardsigmoid: plain(F.hardsigmoid), LogSigmoid: plain(F.logsigmoid),
  Threshold: plain(F.threshold), GLU: plain(F.glu), Softmax: plain(F.softmax), LogSoftmax: plain(F.logSoftmax),
  Softmin: plain(F.softmin), Softmax2d: (x) => F.softmax(x, -3),
};

function expectClose(got: number[], expected: number[], what: string): void {
  expect(got.length, what).toBe(expected.length);
  got.forEach((v, i) => {
    const tol = 1e-6 + 1e-6 * Math.abs(expected[i]);
    expect(Math.abs(v - expected[i]), `${what}[${i}] = ${v}, PyTorch ${expected[i]}`).toBeLessThanOrEqual(tol);
  });
}

function make(c: Case): nn.Module {
  const m = hasOptions(c) ? new MODULES[c.module](...c.args, c.options) : new MODULES[c.module](...c.args);
  m.eval(); // RReLU's deterministic form; the generator does the same
  return m;
}

/** Runs `apply` on a non-leaf copy of the input (so inplace variants work under autograd). */
function run(c: Case, apply: (x: torch.Tensor) => torch.Tensor): { out: number[]; shape: number[]; grad: number[] } {
  const x = fromJson(REF.inputs[c.input]).requiresGrad_(true);
  const out = apply(x.clone());
  const loss = c.weighted ? out.mul(fromJson(REF.weights[c.input])).sum() : out.sum();
  loss.backward();
  return { out: out.detach().flatten().tolist() as number[], shape: out.shape, grad: x.grad!.flatten().tolist() as number[] };
}

test('the fixture comes from PyTorch 2.13 and covers every activation module', () => {
  expect(REF.torch).toMatch(/^2\.13/);
  expect(new Set(REF.cases.map((c) => c.module))).toEqual(new Set(Object.keys(MODULES)));
});

// The gradient the loaded LibTorch computes where it differs from 2.13's. Hardswish: LibTorch
// 1.13 takes the middle piece's slope x/3 + 1/2 at x = -3 and 3 themselves, where 2.13 takes the
// outer pieces' 0 and 1 (Python 1.13 gives nodetorch's numbers on 1.13: -0.5 and 1.5).
const LIBTORCH = torch.config().libtorchVersion;
function expectedGrad(c: Case): number[] {
  if (c.module !== 'Hardswish' || !LIBTORCH.startsWith('1.')) return c.grad;
  const x = REF.inputs[c.input].values;
  return c.grad.map((g, i) => (Math.abs(x[i]) === 3 ? x[i] / 3 + 0.5 : g));
}

const rows = REF.cases.map((c) => [c.python, c] as const);

describe('modules match PyTorch (output, input gradient, repr)', () => {
  test.each(rows)('%s', (_name, c) => {
    const m = make(c);
    expect(String(m)).toBe(c.repr);
    const r = run(c, (x) => m.forward(x));
    expect(r.shape).toEqual(c.shape);
    expectClose(r.out, c.output, 'output');
    expectClose(r.grad, expectedGrad(c), 'input grad');
    if (c.weightGrad) expectClose((m as nn.PReLU).weight.grad!.flatten().tolist() as number[], c.weightGrad, 'weight grad');
  });
});

describe('functional forms match PyTorch', () => {
  test.each(rows)('%s', (_name, c) => {
    const m = make(c);
    const r = run(c, (x) => FUNCTIONAL[c.module](x, c, m));
    expect(r.shape).toEqual(c.shape);
    expectClose(r.out, c.output, 'output');
    expectClose(r.grad, expectedGrad(c), 'input grad');
  });
});

test('inplace variants overwrite their input and return it', () => {
  const x = fromJson(REF.inputs.x);
  const y = x.clone();
  const out = new nn.ELU(0.5, { inplace: true }).forward(y);
  expect(out.tolist()).toEqual(y.tolist());
  expect(y.allclose(F.elu(x, 0.5))).toBe(true);
  const z = x.clone();
  F.relu(z, { inplace: true });
  expect(z.allclose(F.relu(x))).toBe(true);
});

test("PyTorch's F.relu_, F.elu_ and the other in-place forms overwrite their input with the out-of-place result", () => {
  const x = fromJson(REF.inputs.x);
  const cases: [string, (t: torch.Tensor) => torch.Tensor, (t: torch.Tensor) => torch.Tensor][] = [
    ['relu_', (t) => F.relu_(t), (t) => F.relu(t)],
    ['leakyRelu_', (t) => F.leakyRelu_(t, 0.2), (t) => F.leakyRelu(t, 0.2)],
    ['rrelu_ (eval)', (t) => F.rrelu_(t, 0.1, 0.3), (t) => F.rrelu(t, 0.1, 0.3)],
    ['elu_', (t) => F.elu_(t, 0.5), (t) => F.elu(t, 0.5)],
    ['selu_', (t) => F.selu_(t), (t) => F.selu(t)],
    ['celu_', (t) => F.celu_(t, 2), (t) => F.celu(t, 2)],
    ['hardtanh_', (t) => F.hardtanh_(t, -0.5, 0.5), (t) => F.hardtanh(t, -0.5, 0.5)],
    ['threshold_', (t) => F.threshold_(t, 0.1, 20), (t) => F.threshold(t, 0.1, 20)],
  ];
  for (const [name, inPlace, outOfPlace] of cases) {
    const y = x.clone();
    const out = inPlace(y);
    expect(y.equal(outOfPlace(x)), name).toBe(true);
    expect(out.equal(y), name).toBe(true);
    expect(y.equal(x), name).toBe(false);
  }
});

test('RReLU in training mode draws slopes within [lower, upper]', () => {
  const m = new nn.RReLU(0.1, 0.3);
  expect(m.training).toBe(true);
  const x = torch.linspace(-3, -0.5, 50);
  const ratio = m.forward(x).div(x).tolist() as number[];
  for (const r of ratio) { expect(r).toBeGreaterThanOrEqual(0.1 - 1e-6); expect(r).toBeLessThanOrEqual(0.3 + 1e-6); }
  expect(new Set(ratio.map((r) => r.toFixed(6))).size).toBeGreaterThan(1);
  const pos = torch.linspace(0.5, 3, 10);
  expect(m.forward(pos).tolist()).toEqual(pos.tolist());
});

test('implicit softmax dim (dim=None) follows PyTorch for 1-, 2- and 4-D input too', () => {
  const x = fromJson(REF.inputs.x4);
  expect(new nn.Softmax().forward(x).allclose(F.softmax(x, 1))).toBe(true);
  expect(new nn.Softmax().forward(x.flatten(1)).allclose(F.softmax(x.flatten(1), 1))).toBe(true);
  expect(new nn.LogSoftmax().forward(x.flatten()).allclose(F.logSoftmax(x.flatten(), 0))).toBe(true);
});

test('float options print as Python does', () => {
  expect(String(new nn.LeakyReLU(1))).toBe('LeakyReLU(negative_slope=1.0)');
  expect(String(new nn.ELU(1e-5))).toBe('ELU(alpha=1e-05)');
  expect(String(new nn.GELU('tanh'))).toBe("GELU(approximate='tanh')");
  expect(String(new nn.Threshold(0.1, 20))).toBe('Threshold(threshold=0.1, value=20.0)');
  expect(String(new nn.Sequential(new nn.Linear(2, 2), new nn.GELU({ approximate: 'tanh' }))))
    .toBe("Sequential(\n  (0): Linear(in_features=2, out_features=2, bias=True)\n  (1): GELU(approximate='tanh')\n)");
});

describe('bad options are refused, naming the option', () => {
  const x = fromJson(REF.inputs.x);
  test.each([
    ['LeakyReLU slope', () => new nn.LeakyReLU('0.2' as unknown as number), TypeError, /negativeSlope/],
    ['ReLU inplace', () => new nn.ReLU({ inplace: 1 as unknown as boolean }), TypeError, /inplace/],
    ['ReLU snake_case', () => new nn.ReLU({ in_place: true } as never), TypeError, /inplace/],
    ['GELU approximate', () => new nn.GELU({ approximate: 'erf' as 'none' }), TypeError, /approximate/],
    ['GELU positional approximate', () => new nn.GELU('erf' as 'none'), TypeError, /approximate/],
    ['F.gelu approximate', () => F.gelu(x, { approximate: 'fast' as 'none' }), TypeError, /approximate/],
    ['Hardtanh range', () => new nn.Hardtanh(1, -1), RangeError, /maxVal/],
    ['PReLU numParameters', () => new nn.PReLU(0), RangeError, /numParameters/],
    ['PReLU numParameters int', () => new nn.PReLU(1.5), TypeError, /numParameters/],
    ['RReLU bounds', () => new nn.RReLU(0.5, 0.1), RangeError, /lower/],
    ['Softshrink lambd', () => new nn.Softshrink(-1), RangeError, /lambd/],
    ['Softmax dim', () => new nn.Softmax(1.5), TypeError, /dim/],
    ['GLU dim', () => new nn.GLU('1' as unknown as number), TypeError, /dim/],
    ['Threshold value', () => new nn.Threshold(0.1, undefined as unknown as number), TypeError, /value/],
    ['F.elu alpha', () => F.elu(x, NaN), TypeError, /alpha/],
    ['F.softplus beta', () => F.softplus(x, 'x' as unknown as number), TypeError, /beta/],
  ] as const)('%s', (_name, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });
  test('shape errors', () => {
    expect(() => new nn.Softmax2d().forward(x.flatten())).toThrow(/Softmax2d: expected input to be 3D or 4D, got 1D/);
    expect(() => new nn.GLU(1).forward(x)).toThrow(/even/);
  });
});

/** small-op-cases.ts run in a child with `env` added: its digests. */
function childCases(env: Record<string, string>): SmallOpCase[] {
  const child = spawnSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'helpers', 'small-op-cases.ts')], {
    cwd: join(__dirname, '..'), encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24,
  });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as SmallOpCase[];
}

describe("small ops on one thread give ATen's results, forward and backward", () => {
  // ATen's kernels split them between two threads in a child that did not register nodetorch's
  // (NODETORCH_CPU_KERNELS=0). Each row or element is computed alone, so the digests must match,
  // and the thread count must be what it was after every call.
  let aten: SmallOpCase[] = [];
  beforeAll(() => {
    aten = childCases({ NODETORCH_CPU_KERNELS: '0' });
  });
  test("softmax, log-softmax and NLL loss under ATen's grain, on the calling thread", () => {
    const threads = torch.getNumThreads();
    try {
      const ours = smallOpCases();
      expect(torch.getNumThreads()).toBe(2);
      expect(() => F.logSoftmax(torch.randn([4, 3]), 5)).toThrow(/dim/i);
      expect(torch.getNumThreads()).toBe(2);
      expect(ours.length).toBe(aten.length);
      expect(ours.filter((c, i) => c.digest !== aten[i].digest).map((c) => c.what)).toEqual([]);
      expect(ours.map((c) => c.what)).toEqual(aten.map((c) => c.what));
    } finally {
      torch.setNumThreads(threads);
    }
  });
  test('with OMP_WAIT_POLICY=PASSIVE, ReLU, products and max pooling under sixteen grains too', () => {
    // There each parallel region waits for a sleeping thread to wake, so more ops stay on one.
    const passive = childCases({ OMP_WAIT_POLICY: 'passive ' });
    expect(passive.map((c) => c.what)).toEqual(aten.map((c) => c.what));
    expect(passive.filter((c, i) => c.digest !== aten[i].digest).map((c) => c.what)).toEqual([]);
    expect(passive.at(-1)).toEqual({ what: 'threads after', digest: '2' });
  });
});
