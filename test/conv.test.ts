/**
 * The torch.nn convolution family (Conv1d/2d/3d in every padding mode and 'same' with even
 * kernels, ConvTranspose1d/2d/3d with outputPadding and forward's outputSize, Fold, Unfold,
 * LPPool1d/2d/3d) and their nn.functional forms against real PyTorch: output, input gradient of
 * (out * w).sum(), parameter gradients, repr and state-dict keys, from
 * test/fixtures/conv/reference.json (test/fixtures/conv/generate.py, torch 2.13, CPU). Plus
 * PyTorch's default initialisation bounds and bad options.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn } from '../lib';

const F = nn.functional;

type Json = unknown;
interface Case {
  module: string; args: Json[]; options: Record<string, Json>; python: string; inputShape: number[];
  inputKind: 'signed' | 'positive'; outputSize: number[] | null; repr: string; stateKeys: string[];
  shape: number[]; output: number[]; grad: number[]; paramGrads: Record<string, number[]>;
}
interface InitCase { module: string; args: Json[]; options: Record<string, Json>; weightShape: number[]; fanIn: number; bound: number }
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'conv', 'reference.json'), 'utf8')) as {
  torch: string; cases: Case[]; init: InitCase[];
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCtor = new (...args: any[]) => nn.Module;
const MODULES: Record<string, AnyCtor> = {
  Conv1d: nn.Conv1d, Conv2d: nn.Conv2d, Conv3d: nn.Conv3d,
  ConvTranspose1d: nn.ConvTranspose1d, ConvTranspose2d: nn.ConvTranspose2d, ConvTranspose3d: nn.ConvTranspose3d,
  Fold: nn.Fold, Unfold: nn.Unfold, LPPool1d: nn.LPPool1d, LPPool2d: nn.LPPool2d, LPPool3d: nn.LPPool3d,
};

/** The fixture's 'inf' back to Infinity (JSON has none). */
const fromJson = (v: Json): Json => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Array.isArray(v) ? v.map(fromJson) : v);
const argsOf = (c: { args: Json[]; options: Record<string, Json> }): Json[] =>
  (Object.keys(c.options).length > 0 ? [...c.args.map(fromJson), c.options] : c.args.map(fromJson));

const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const fromIndex = (shape: number[], f: (i: number) => number): torch.Tensor =>
  torch.tensor(Array.from({ length: numel(shape) }, (_, i) => f(i)), { dtype: 'float32' }).reshape(shape);
/** The generator's exact float32 expressions of the flat index. */
const inputOf = (shape: number[], kind: Case['inputKind']): torch.Tensor =>
  fromIndex(shape, (i) => (((7 * i + 2) % 11) + (kind === 'signed' ? -5 : 1)) / 8);
const paramOf = (name: string, shape: number[]): torch.Tensor =>
  fromIndex(shape, (i) => (name === 'weight' ? (((5 * i + 3) % 13) - 6) / 16 : (((3 * i + 1) % 7) - 3) / 8));
const lossWeights = (shape: number[]): torch.Tensor => fromIndex(shape, (i) => (i % 5) + 1);
const values = (t: torch.Tensor): number[] => t.detach().flatten().tolist() as number[];

function expectClose(got: number[], expected: number[], what: string): void {
  expect(got.length, what).toBe(expected.length);
  got.forEach((v, i) => {
    const tol = 1e-6 + 1e-5 * Math.abs(expected[i]);
    if (!(Math.abs(v - expected[i]) <= tol)) throw new Error(`${what}[${i}] = ${v}, PyTorch ${expected[i]} (tol ${tol})`);
  });
}

const without = (o: Record<string, Json>, ...keys: string[]): Record<string, Json> =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
const isConv = (c: Case): boolean => /^Conv\dd$/.test(c.module);
const isTransposed = (c: Case): boolean => c.module.startsWith('ConvTranspose');

/** The nn.functional form of a case, called with the parameters the module holds; null where PyTorch's module adds more (F.pad first, output_size). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const f = F as any;
function functional(c: Case, x: torch.Tensor, m: nn.Module): torch.Tensor | null {
  const d = c.module.slice(-2);
  const params = Object.fromEntries(m.namedParameters());
  if (isConv(c)) {
    if ((c.options.paddingMode ?? 'zeros') !== 'zeros') return null;
    return f[`conv${d}`](x, params.weight, params.bias ?? null, without(c.options, 'bias', 'paddingMode'));
  }
  if (isTransposed(c)) {
    if (c.outputSize !== null) return null;
    return f[`convTranspose${d}`](x, params.weight, params.bias ?? null, without(c.options, 'bias'));
  }
  if (c.module === 'Fold') return F.fold(x, c.args[0] as number, c.args[1] as number, c.options);
  if (c.module === 'Unfold') return F.unfold(x, c.args[0] as number, c.options);
  return f[`lpPool${d}`](x, fromJson(c.args[0]), c.args[1], c.options);
}

function setParams(m: nn.Module): void {
  torch.noGrad(() => {
    for (const [name, p] of m.namedParameters()) p.copy_(paramOf(name, p.shape));
  });
}

test('the fixture comes from PyTorch 2.13 and covers every module', () => {
  expect(REF.torch).toMatch(/^2\.13/);
  expect(new Set(REF.cases.map((c) => c.module))).toEqual(new Set(Object.keys(MODULES)));
});

const LIBTORCH = torch.config().libtorchVersion;
/** Why a case cannot run on the loaded LibTorch (null: it runs). */
function unsupported(c: Case): string | null {
  const unbatched = isConv(c) && c.inputShape.length === Number(c.module[4]) + 1;
  if (LIBTORCH.startsWith('1.') && unbatched && c.options.paddingMode === 'circular') {
    return `LibTorch ${LIBTORCH} pads circularly batched input only (PyTorch 1.13 refuses this case too)`;
  }
  return null;
}
const rows = REF.cases.filter((c) => unsupported(c) === null).map((c) => [c.python, c] as const);
const skipped = REF.cases.filter((c) => unsupported(c) !== null).map((c) => [`${c.python}: ${unsupported(c)}`] as const);

describe('modules match PyTorch (output, gradients, repr, state-dict keys)', () => {
  if (skipped.length > 0) test.skip.each(skipped)('%s', () => {});
  test.each(rows)('%s', (_name, c) => {
    const m = new MODULES[c.module](...argsOf(c));
    expect(String(m)).toBe(c.repr);
    expect(Object.keys(m.stateDict())).toEqual(c.stateKeys);
    setParams(m);
    const x = inputOf(c.inputShape, c.inputKind).requiresGrad_(true);
    const out = (c.outputSize === null ? m(x) : m(x, c.outputSize)) as torch.Tensor;
    expect(out.shape).toEqual(c.shape);
    expectClose(values(out), c.output, 'output');
    out.mul(lossWeights(out.shape)).sum().backward();
    expectClose(values(x.grad!), c.grad, 'input grad');
    const params = m.namedParameters();
    expect(params.map(([n]) => n)).toEqual(Object.keys(c.paramGrads));
    for (const [name, p] of params) expectClose(values(p.grad!), c.paramGrads[name], `${name} grad`);
  });
});

describe('functional forms match PyTorch', () => {
  // The one case 1.13 skips is padded (no functional form here), so the count holds on both versions.
  const covered = rows.filter(([, c]) => functional(c, inputOf(c.inputShape, c.inputKind), new MODULES[c.module](...argsOf(c))) !== null);
  test('every module but the padded and output-size cases has its functional form checked', () => {
    expect(covered.length).toBe(REF.cases.length - 7);
  });
  test.each(covered)('%s', (_name, c) => {
    const m = new MODULES[c.module](...argsOf(c));
    setParams(m);
    const x = inputOf(c.inputShape, c.inputKind).requiresGrad_(true);
    const out = functional(c, x, m)!;
    expect(out.shape).toEqual(c.shape);
    expectClose(values(out), c.output, 'output');
    out.mul(lossWeights(out.shape)).sum().backward();
    expectClose(values(x.grad!), c.grad, 'input grad');
  });
});

describe("default initialisation has PyTorch's bounds", () => {
  // Kaiming uniform with a = √5 draws the weight from U(±1/√fanIn), and the bias from the same
  // range; fanIn counts weight.shape[1] (out/groups for a transposed convolution) times the kernel.
  test.each(REF.init.map((c) => [`${c.module}(${c.args.join(', ')}) ${JSON.stringify(c.options)}`, c] as const))('%s', (_name, c) => {
    torch.manualSeed(7);
    const m = new MODULES[c.module](...argsOf(c));
    const { weight, bias } = Object.fromEntries(m.namedParameters());
    expect(weight.shape).toEqual(c.weightShape);
    expect(nn.init.calculateFanInAndFanOut(weight)[0]).toBe(c.fanIn);
    const w = values(weight);
    const b = values(bias);
    const bound = c.bound * (1 + 1e-6);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    // Uniform over the whole range: the extremes near ±bound, mean ≈ 0 and variance ≈ bound²/3.
    expect(Math.max(...w)).toBeGreaterThan(0.9 * c.bound);
    expect(Math.min(...w)).toBeLessThan(-0.9 * c.bound);
    const mean = w.reduce((a, v) => a + v, 0) / w.length;
    const variance = w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan((5 * c.bound) / Math.sqrt(3 * w.length));
    expect(variance / (c.bound ** 2 / 3)).toBeGreaterThan(0.75);
    expect(variance / (c.bound ** 2 / 3)).toBeLessThan(1.25);
  });
});

describe('module fields as PyTorch keeps them', () => {
  test('Conv2d keeps its tuple fields; padding strings stay strings', () => {
    const c = new nn.Conv2d(16, 32, 3, { padding: 1, stride: 2 });
    expect([c.kernelSize, c.stride, c.padding, c.dilation, c.groups, c.paddingMode, c.transposed]).toEqual([[3, 3], [2, 2], [1, 1], [1, 1], 1, 'zeros', false]);
    expect(new nn.Conv1d(2, 2, 4, { padding: 'same' }).padding).toBe('same');
    expect(new nn.Conv3d(2, 2, 1, { padding: 'valid' }).padding).toBe('valid');
    const t = new nn.ConvTranspose2d(4, 6, 3, { groups: 2, outputPadding: 1, stride: 2 });
    expect([t.weight.shape, t.outputPadding, t.transposed]).toEqual([[4, 3, 3, 3], [1, 1], true]);
  });

  test("'same' keeps the size with an even kernel and dilation, padding one more after", () => {
    const x = inputOf([1, 1, 7], 'positive');
    const w = torch.ones([1, 1, 2]);
    const y = F.conv1d(x, w, null, { padding: 'same', dilation: 3 });
    expect(y.shape).toEqual([1, 1, 7]);
    // total padding 3: one zero before, two after, so y[i] = x[i-1] + x[i+2].
    const xs = values(x);
    expect(values(y)).toEqual(xs.map((_, i) => (xs[i - 1] ?? 0) + (xs[i + 2] ?? 0)));
  });

  test('ConvTranspose forward accepts outputSize with or without the leading sizes', () => {
    const m = new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1 });
    const x = inputOf([1, 2, 3, 3], 'signed');
    expect(m(x, [6, 6]).shape).toEqual([1, 3, 6, 6]);
    expect(m(x, [1, 3, 5, 6]).shape).toEqual([1, 3, 5, 6]);
    expect(m(x.squeeze(0), [3, 6, 5]).shape).toEqual([3, 6, 5]);
  });
});

describe('bad options are refused, naming the option', () => {
  const x4 = inputOf([1, 2, 3, 3], 'signed');
  test.each([
    ['Conv1d paddingMode wrap', () => new nn.Conv1d(2, 2, 3, { paddingMode: 'wrap' as never }), RangeError, /paddingMode/],
    ['Conv1d paddingMode 0', () => new nn.Conv1d(2, 2, 3, { paddingMode: 0 as never }), TypeError, /paddingMode/],
    ['Conv1d padding_mode (snake case)', () => new nn.Conv1d(2, 2, 3, { padding_mode: 'reflect' } as never), TypeError, /did you mean paddingMode/],
    ['Conv2d padding full', () => new nn.Conv2d(2, 2, 3, { padding: 'full' as never }), RangeError, /padding/],
    ['Conv2d negative padding', () => new nn.Conv2d(2, 2, 3, { padding: -1 }), RangeError, /padding/],
    ["Conv1d 'same' with stride 2", () => new nn.Conv1d(2, 2, 3, { padding: 'same', stride: 2 }), RangeError, /stride/],
    ["F.conv2d 'same' with stride 2", () => F.conv2d(x4, torch.ones([1, 2, 2, 2]), null, { padding: 'same', stride: 2 }), RangeError, /stride/],
    ['Conv3d groups not dividing inChannels', () => new nn.Conv3d(4, 6, 3, { groups: 3 }), RangeError, /groups/],
    ['Conv2d kernelSize of 3 values', () => new nn.Conv2d(2, 2, [3, 3, 3] as never), TypeError, /kernelSize/],
    ['Conv1d bias "yes"', () => new nn.Conv1d(2, 2, 3, { bias: 'yes' as never }), TypeError, /bias/],
    ['Conv2d dilation 0', () => new nn.Conv2d(2, 2, 3, { dilation: 0 }), RangeError, /dilation/],
    ['ConvTranspose2d paddingMode reflect', () => new nn.ConvTranspose2d(2, 2, 3, { paddingMode: 'reflect' as never }), RangeError, /paddingMode/],
    ["ConvTranspose1d padding 'same'", () => new nn.ConvTranspose1d(2, 2, 3, { padding: 'same' as never }), TypeError, /padding/],
    ['ConvTranspose1d outputPadding not below stride or dilation', () => new nn.ConvTranspose1d(2, 2, 3, { outputPadding: 1 })(inputOf([1, 2, 4], 'signed')), RangeError, /outputPadding/],
    ['F.convTranspose2d outputPadding 2 with stride 2', () => F.convTranspose2d(x4, torch.ones([2, 1, 3, 3]), null, { stride: 2, outputPadding: 2 }), RangeError, /outputPadding/],
    ['ConvTranspose2d outputSize out of range', () => new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1 })(x4, [7, 6]), RangeError, /sizes from \[5, 5\] to \[6, 6\] .*for outputSize/],
    ['ConvTranspose2d outputSize of 3 sizes for 4-D input', () => new nn.ConvTranspose2d(2, 3, 3)(x4, [1, 5, 5]), TypeError, /outputSize/],
    ['F.conv1d on 4-D input', () => F.conv1d(x4, torch.ones([1, 2, 2])), torch.TorchError, /conv1d expects input of shape \[N, C, L\] or \[C, L\]/],
    ['F.conv3d with a 4-D weight', () => F.conv3d(inputOf([1, 2, 2, 2, 2], 'signed'), torch.ones([1, 2, 2, 2])), torch.TorchError, /weight with 5 dimensions/],
    ['Fold outputSize 0', () => new nn.Fold(0, 2), RangeError, /outputSize/],
    ['Unfold stride 0', () => new nn.Unfold(2, { stride: 0 }), RangeError, /stride/],
    ['Unfold unknown option', () => new nn.Unfold(2, { ceilMode: true } as never), TypeError, /ceilMode/],
    ['F.unfold kernelSize of 3 values', () => F.unfold(x4, [1, 2, 3] as never), TypeError, /kernelSize/],
    ['LPPool2d normType "two"', () => new nn.LPPool2d('two' as never, 2), TypeError, /normType/],
    ['LPPool1d ceilMode 1', () => new nn.LPPool1d(2, 2, { ceilMode: 1 as never }), TypeError, /ceilMode/],
    ['LPPool3d stride 0', () => new nn.LPPool3d(2, 2, { stride: 0 }), RangeError, /stride/],
    ['F.lpPool1d padding (LPPool has none)', () => F.lpPool1d(x4, 2, 2, { padding: 1 } as never), TypeError, /padding/],
  ] as const)('%s', (_name, fn, kind, message) => {
    expect(fn).toThrow(kind);
    expect(fn).toThrow(message);
  });
});
