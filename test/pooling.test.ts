/**
 * The torch.nn pooling, padding and resampling modules and their nn.functional forms against real
 * PyTorch: output, input gradient of (out * w).sum(), indices and repr(module), from
 * test/fixtures/pooling/reference.json, written by test/fixtures/pooling/generate.py (torch 2.13,
 * CPU). Plus F.pad in every mode, bad options, and nodetorch's CPU max-pool kernel against ATen's.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn } from '../lib';
import { maxPoolCases } from './helpers/max-pool-cases';

const F = nn.functional;

type Json = unknown;
interface Case {
  module: string; args: Json[]; options: Record<string, Json>; python: string; inputShape: number[];
  repr: string; shape: number[]; output: number[]; grad: number[]; indices?: number[];
}
interface PadCase {
  pad: number[]; mode: 'constant' | 'reflect' | 'replicate' | 'circular'; value: number | null;
  inputShape: number[]; shape: number[]; output: number[]; grad: number[];
}
interface UnpoolCase {
  module: string; args: Json[]; options: Record<string, Json>; python: string; outputSize: number[] | null; repr: string;
  inputShape: number[]; input: number[]; indices: number[]; shape: number[]; output: number[]; grad: number[];
}
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'pooling', 'reference.json'), 'utf8')) as {
  torch: string; cases: Case[]; pad: PadCase[]; unpool: UnpoolCase[]; fractional: (Case & { seed: number })[];
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCtor = new (...args: any[]) => nn.Module;
const MODULES: Record<string, AnyCtor> = {
  MaxPool1d: nn.MaxPool1d, MaxPool2d: nn.MaxPool2d, MaxPool3d: nn.MaxPool3d,
  AvgPool1d: nn.AvgPool1d, AvgPool2d: nn.AvgPool2d, AvgPool3d: nn.AvgPool3d,
  AdaptiveAvgPool1d: nn.AdaptiveAvgPool1d, AdaptiveAvgPool2d: nn.AdaptiveAvgPool2d, AdaptiveAvgPool3d: nn.AdaptiveAvgPool3d,
  AdaptiveMaxPool1d: nn.AdaptiveMaxPool1d, AdaptiveMaxPool2d: nn.AdaptiveMaxPool2d, AdaptiveMaxPool3d: nn.AdaptiveMaxPool3d,
  ZeroPad1d: nn.ZeroPad1d, ZeroPad2d: nn.ZeroPad2d, ZeroPad3d: nn.ZeroPad3d,
  ConstantPad1d: nn.ConstantPad1d, ConstantPad2d: nn.ConstantPad2d, ConstantPad3d: nn.ConstantPad3d,
  ReflectionPad1d: nn.ReflectionPad1d, ReflectionPad2d: nn.ReflectionPad2d, ReflectionPad3d: nn.ReflectionPad3d,
  ReplicationPad1d: nn.ReplicationPad1d, ReplicationPad2d: nn.ReplicationPad2d, ReplicationPad3d: nn.ReplicationPad3d,
  CircularPad1d: nn.CircularPad1d, CircularPad2d: nn.CircularPad2d, CircularPad3d: nn.CircularPad3d,
  PixelShuffle: nn.PixelShuffle, PixelUnshuffle: nn.PixelUnshuffle, Upsample: nn.Upsample,
  UpsamplingNearest2d: nn.UpsamplingNearest2d, UpsamplingBilinear2d: nn.UpsamplingBilinear2d,
};

type Out = torch.Tensor | [torch.Tensor, torch.Tensor];
const hasOptions = (c: Case): boolean => Object.keys(c.options).length > 0;
const padSize = (n: number, p: Json): number[] => (typeof p === 'number' ? new Array(2 * n).fill(p) : (p as number[]));

/** The nn.functional form of each module, called as PyTorch's functional API would be. */
const FUNCTIONAL: Record<string, (x: torch.Tensor, c: Case) => Out> = {};
for (const d of [1, 2, 3]) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const f = F as any;
  FUNCTIONAL[`MaxPool${d}d`] = (x, c) => f[`maxPool${d}d`](x, c.args[0], c.options);
  FUNCTIONAL[`AvgPool${d}d`] = (x, c) => (d === 2 && 'divisorOverride' in c.options
    ? F.avgPool2d(x, c.args[0] as number, c.options)
    : f[`avgPool${d}d`](x, c.args[0], c.options));
  // F.adaptiveAvgPool2d predates `null` sizes (it takes integers only), so those are resolved here.
  FUNCTIONAL[`AdaptiveAvgPool${d}d`] = (x, c) => f[`adaptiveAvgPool${d}d`](x, d === 2 && Array.isArray(c.args[0])
    ? (c.args[0] as (number | null)[]).map((s, i) => s ?? x.shape[x.dim() - 2 + i]) : c.args[0]);
  FUNCTIONAL[`AdaptiveMaxPool${d}d`] = (x, c) => f[`adaptiveMaxPool${d}d`](x, c.args[0], c.options.returnIndices);
  FUNCTIONAL[`ZeroPad${d}d`] = (x, c) => F.pad(x, padSize(d, c.args[0]));
  FUNCTIONAL[`ConstantPad${d}d`] = (x, c) => F.pad(x, padSize(d, c.args[0]), { mode: 'constant', value: c.args[1] as number });
  FUNCTIONAL[`ReflectionPad${d}d`] = (x, c) => F.pad(x, padSize(d, c.args[0]), 'reflect');
  FUNCTIONAL[`ReplicationPad${d}d`] = (x, c) => F.pad(x, padSize(d, c.args[0]), { mode: 'replicate' });
  FUNCTIONAL[`CircularPad${d}d`] = (x, c) => F.pad(x, padSize(d, c.args[0]), { mode: 'circular' });
}
FUNCTIONAL.UpsamplingNearest2d = (x, c) => F.upsampleNearest(x, c.options);
FUNCTIONAL.UpsamplingBilinear2d = (x, c) => F.upsampleBilinear(x, c.options);
FUNCTIONAL.PixelShuffle = (x, c) => F.pixelShuffle(x, c.args[0] as number);
FUNCTIONAL.PixelUnshuffle = (x, c) => F.pixelUnshuffle(x, c.args[0] as number);
FUNCTIONAL.Upsample = (x, c) => F.interpolate(x, c.options);

function expectClose(got: number[], expected: number[], what: string): void {
  expect(got.length, what).toBe(expected.length);
  got.forEach((v, i) => {
    const tol = 1e-6 + 1e-5 * Math.abs(expected[i]);
    expect(Math.abs(v - expected[i]), `${what}[${i}] = ${v}, PyTorch ${expected[i]}`).toBeLessThanOrEqual(tol);
  });
}

const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
/** torch.arange(numel).float().reshape(shape), as the generator builds it. */
const inputOf = (shape: number[]): torch.Tensor => torch.tensor(Array.from({ length: numel(shape) }, (_, i) => i), { dtype: 'float32' }).reshape(shape);
/** (arange(numel) % 5 + 1).float(), as the generator builds it. */
const weightsOf = (shape: number[]): torch.Tensor => torch.tensor(Array.from({ length: numel(shape) }, (_, i) => (i % 5) + 1), { dtype: 'float32' }).reshape(shape);

function run(shape: number[], apply: (x: torch.Tensor) => Out, of = inputOf): { out: number[]; shape: number[]; grad: number[]; indices?: number[] } {
  const x = of(shape).requiresGrad_(true);
  const res = apply(x);
  const [out, idx] = Array.isArray(res) ? res : [res, undefined];
  out.mul(weightsOf(out.shape)).sum().backward();
  return {
    out: out.detach().flatten().tolist() as number[], shape: out.shape, grad: x.grad!.flatten().tolist() as number[],
    indices: idx === undefined ? undefined : (idx.flatten().tolist() as number[]),
  };
}

function check(c: Case, r: ReturnType<typeof run>): void {
  expect(r.shape).toEqual(c.shape);
  expectClose(r.out, c.output, 'output');
  expectClose(r.grad, c.grad, 'input grad');
  expect(r.indices).toEqual(c.indices);
}

// The upsampling modules take options alone.
const OPTIONS_ONLY = new Set(['Upsample', 'UpsamplingNearest2d', 'UpsamplingBilinear2d']);
const make = (c: Case): nn.Module => (OPTIONS_ONLY.has(c.module) ? new MODULES[c.module](c.options)
  : hasOptions(c) ? new MODULES[c.module](...c.args, c.options) : new MODULES[c.module](...c.args));

test('the fixture comes from PyTorch 2.13 and covers every module', () => {
  expect(REF.torch).toMatch(/^2\.13/);
  expect(new Set(REF.cases.map((c) => c.module))).toEqual(new Set(Object.keys(MODULES)));
});

const rows = REF.cases.map((c) => [c.python, c] as const);

describe('modules match PyTorch (output, input gradient, indices, repr)', () => {
  test.each(rows)('%s', (_name, c) => {
    const m = make(c);
    expect(String(m)).toBe(c.repr);
    check(c, run(c.inputShape, (x) => m.forward(x)));
  });
});

describe('functional forms match PyTorch', () => {
  test.each(rows)('%s', (_name, c) => {
    check(c, run(c.inputShape, (x) => FUNCTIONAL[c.module](x, c)));
  });
});

describe('F.pad matches PyTorch in every mode', () => {
  test.each(REF.pad.map((p) => [`${p.mode} ${JSON.stringify(p.pad)} on [${p.inputShape}]`, p] as const))('%s', (_name, p) => {
    const r = run(p.inputShape, (x) => F.pad(x, p.pad, { mode: p.mode, value: p.value }));
    expect(r.shape).toEqual(p.shape);
    expectClose(r.out, p.output, 'output');
    expectClose(r.grad, p.grad, 'input grad');
  });
});

describe('nn.MaxUnpool1d/2d/3d and F.maxUnpool1d/2d/3d match PyTorch (output, input gradient, repr)', () => {
  const UNPOOL: Record<string, AnyCtor> = { MaxUnpool1d: nn.MaxUnpool1d, MaxUnpool2d: nn.MaxUnpool2d, MaxUnpool3d: nn.MaxUnpool3d };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const FNS = F as unknown as Record<string, (...a: any[]) => torch.Tensor>;
  test.each(REF.unpool.map((c) => [`${c.python}, outputSize ${JSON.stringify(c.outputSize)}`, c] as const))('%s', (_name, c) => {
    const m = new UNPOOL[c.module](...c.args, c.options);
    expect(String(m)).toBe(c.repr);
    const indices = torch.tensor(c.indices, { dtype: 'int64' }).reshape(c.inputShape);
    const forms = [
      (y: torch.Tensor) => (m.forward as (...a: unknown[]) => torch.Tensor)(y, indices, c.outputSize),
      (y: torch.Tensor) => FNS[`maxUnpool${c.module.slice(-2)}`](y, indices, c.args[0], { ...c.options, outputSize: c.outputSize }),
    ];
    for (const form of forms) {
      const y = torch.tensor(c.input, { dtype: 'float32' }).reshape(c.inputShape).requiresGrad_(true);
      const out = form(y);
      expect(out.shape).toEqual(c.shape);
      expect(out.flatten().tolist()).toEqual(c.output);
      out.mul(weightsOf(out.shape)).sum().backward();
      expect(y.grad!.flatten().tolist()).toEqual(c.grad);
    }
  });
  test('outputSize out of range, or of the wrong length, is a RangeError naming it', () => {
    const [y, i] = F.maxPool2d(inputOf([1, 1, 4, 4]), 2, { returnIndices: true });
    expect(F.maxUnpool2d(y, i, 2, { outputSize: [1, 1, 5, 5] }).shape).toEqual([1, 1, 5, 5]);
    expect(() => F.maxUnpool2d(y, i, 2, { outputSize: [6, 4] })).toThrow(RangeError);
    expect(() => F.maxUnpool2d(y, i, 2, { outputSize: [4, 4, 4] })).toThrow(/outputSize/);
    expect(() => new nn.MaxUnpool2d(2, { outputSize: [4, 4] } as never)).toThrow(/outputSize/);
  });
});

describe('nn.FractionalMaxPool2d/3d and their functional forms match PyTorch after the same manualSeed', () => {
  const FRACTIONAL: Record<string, AnyCtor> = { FractionalMaxPool2d: nn.FractionalMaxPool2d, FractionalMaxPool3d: nn.FractionalMaxPool3d };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const FNS = F as unknown as Record<string, (...a: any[]) => Out>;
  test.each(REF.fractional.map((c) => [`${c.python}, seed ${c.seed}`, c] as const))('%s', (_name, c) => {
    const m = new FRACTIONAL[c.module](...c.args, c.options);
    expect(String(m)).toBe(c.repr);
    // ((arange(numel) * 37) % 11).float(), as the generator builds it: ties, and maxima everywhere.
    const of = (shape: number[]) => torch.tensor(Array.from({ length: numel(shape) }, (_, i) => (i * 37) % 11), { dtype: 'float32' }).reshape(shape);
    torch.manualSeed(c.seed);
    check(c, run(c.inputShape, (x) => m.forward(x) as Out, of));
    torch.manualSeed(c.seed);
    check(c, run(c.inputShape, (x) => FNS[`fractionalMaxPool${c.module.slice(-2)}`](x, c.args[0], c.options), of));
  });
  test('exactly one of outputSize and outputRatio; a ratio between 0 and 1', () => {
    expect(() => new nn.FractionalMaxPool2d(2, {})).toThrow(/outputSize/);
    expect(() => new nn.FractionalMaxPool2d(2, { outputSize: 3, outputRatio: 0.5 })).toThrow(/outputSize/);
    expect(() => new nn.FractionalMaxPool3d(2, { outputRatio: 1.5 })).toThrow(RangeError);
    expect(() => F.fractionalMaxPool2d(inputOf([1, 1, 4, 4]), 2, {})).toThrow(/outputSize/);
    expect(() => F.fractionalMaxPool2d(inputOf([1, 1, 4, 4]), 2, { outputSize: 2, returnIndices: 1 as never })).toThrow(/returnIndices/);
  });
});

test('MaxPool2d keeps its API: number[] fields, a tensor from forward, indices on request', () => {
  const m = new nn.MaxPool2d(2);
  expect([m.kernelSize, m.stride, m.padding, m.dilation, m.ceilMode, m.returnIndices]).toEqual([[2, 2], [2, 2], [0, 0], [1, 1], false, false]);
  const x = inputOf([1, 1, 4, 4]);
  const y: torch.Tensor = m(x);
  const [out, idx] = new nn.MaxPool2d(2, { returnIndices: true })(x);
  expect(out.tolist()).toEqual(y.tolist());
  expect(idx.tolist()).toEqual([[[[5, 7], [13, 15]]]]);
  expect(String(new nn.MaxPool2d([2, 2]))).toBe('MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=0, dilation=1, ceil_mode=False)');
});

test('the functional max pools take returnIndices as PyTorch does, typed by its value', () => {
  const x = inputOf([1, 1, 4, 4]);
  const plain: torch.Tensor = F.maxPool2d(x, 2, { stride: 2 });
  const [out, idx]: [torch.Tensor, torch.Tensor] = F.maxPool2d(x, 2, { stride: 2, returnIndices: true });
  expect(out.tolist()).toEqual(plain.tolist());
  expect(idx.tolist()).toEqual([[[[5, 7], [13, 15]]]]);
  // @ts-expect-error without returnIndices: true the result is one tensor
  const notPair: [torch.Tensor, torch.Tensor] = F.maxPool2d(x, 2, { returnIndices: false });
  expect(notPair).toBeInstanceOf(torch.Tensor);
  const [a, ai]: [torch.Tensor, torch.Tensor] = F.adaptiveMaxPool2d(x, 1, true);
  expect([a.tolist(), ai.tolist()]).toEqual([[[[[15]]]], [[[[15]]]]]);
  expect(F.adaptiveMaxPool2d(x, 1)).toBeInstanceOf(torch.Tensor);
  const [y1, i1] = F.maxPool1d(x.flatten(2), 4, { returnIndices: true });
  expect([y1.tolist(), i1.tolist()]).toEqual([[[[3, 7, 11, 15]]], [[[3, 7, 11, 15]]]]);
  expect(() => F.maxPool2d(x, 2, { returnIndices: 1 as unknown as boolean })).toThrow(/returnIndices/);
  expect(() => F.adaptiveMaxPool1d(x.flatten(2), 1, 'yes' as unknown as boolean)).toThrow(/returnIndices/);
});

test('recomputeScaleFactor resamples by the computed size', () => {
  const x = inputOf([1, 1, 3, 3]);
  const a = F.interpolate(x, { scaleFactor: 1.7, mode: 'bilinear', recomputeScaleFactor: true });
  const b = F.interpolate(x, { size: [5, 5], mode: 'bilinear' });
  expect(a.shape).toEqual([1, 1, 5, 5]);
  expect(a.allclose(b)).toBe(true);
});

describe('bad options are refused, naming the option', () => {
  const x = inputOf([1, 1, 4, 4]);
  test.each([
    ['MaxPool2d kernelSize 0', () => new nn.MaxPool2d(0), RangeError, /kernelSize/],
    ['MaxPool1d stride string', () => new nn.MaxPool1d(2, { stride: 'a' as unknown as number }), TypeError, /stride/],
    ['MaxPool3d unknown option', () => new nn.MaxPool3d(2, { return_indices: true } as never), TypeError, /return_indices.*returnIndices/],
    ['MaxPool2d padding over half', () => new nn.MaxPool2d(2, { padding: 2 }), RangeError, /padding/],
    ['AvgPool1d divisorOverride (none in 1-D)', () => new nn.AvgPool1d(2, { divisorOverride: 2 } as never), TypeError, /divisorOverride/],
    ['AvgPool2d divisorOverride 0', () => new nn.AvgPool2d(2, { divisorOverride: 0 }), RangeError, /divisorOverride/],
    ['AvgPool3d countIncludePad 1', () => new nn.AvgPool3d(2, { countIncludePad: 1 as unknown as boolean }), TypeError, /countIncludePad/],
    ['AdaptiveAvgPool2d 3 sizes', () => new nn.AdaptiveAvgPool2d([1, 2, 3]), TypeError, /outputSize/],
    ['AdaptiveMaxPool1d returnIndices "yes"', () => new nn.AdaptiveMaxPool1d(2, { returnIndices: 'yes' as unknown as boolean }), TypeError, /returnIndices/],
    ['ZeroPad2d 3 sides', () => new nn.ZeroPad2d([1, 2, 3] as never), TypeError, /padding/],
    ['ReflectionPad1d negative', () => new nn.ReflectionPad1d(-1), RangeError, /padding/],
    ['ConstantPad1d value string', () => new nn.ConstantPad1d(1, 'a' as unknown as number), TypeError, /value/],
    ['PixelShuffle 0', () => new nn.PixelShuffle(0), RangeError, /upscaleFactor/],
    ['Upsample both size and scaleFactor', () => new nn.Upsample({ size: 2, scaleFactor: 2 }), TypeError, /size/],
    ['UpsamplingNearest2d with a mode', () => new nn.UpsamplingNearest2d({ scaleFactor: 2, mode: 'bilinear' } as never), TypeError, /mode/],
    ['F.upsampleBilinear with alignCorners', () => F.upsampleBilinear(x, { size: 5, alignCorners: false } as never), TypeError, /alignCorners/],
    ['CircularPad2d 3 sides', () => new nn.CircularPad2d([1, 2, 3] as never), TypeError, /padding/],
    ['ChannelShuffle 0 groups', () => new nn.ChannelShuffle(0), RangeError, /groups/],
    ['Upsample mode area', () => new nn.Upsample({ scaleFactor: 2, mode: 'area' as never }), RangeError, /mode/],
    ['Upsample alignCorners with nearest', () => new nn.Upsample({ scaleFactor: 2, alignCorners: true }), RangeError, /alignCorners/],
    ['interpolate linear on 4-D', () => F.interpolate(x, { scaleFactor: 2, mode: 'linear' }), RangeError, /mode/],
    ['interpolate negative scaleFactor', () => F.interpolate(x, { scaleFactor: -2 }), RangeError, /scaleFactor/],
    ['pad mode wrap', () => F.pad(x, [1, 1], { mode: 'wrap' as never }), RangeError, /mode/],
    ['pad odd length', () => F.pad(x, [1, 1, 1]), TypeError, /pad/],
    ['pad reflect with a value', () => F.pad(x, [1, 1], { mode: 'reflect', value: 2 }), RangeError, /value/],
  ] as const)('%s', (_name, f, kind, message) => {
    expect(f).toThrow(kind);
    expect(f).toThrow(message);
  });
});

test("nodetorch's CPU max-pool kernels give ATen's values, indices and gradients, ties, NaN and ±inf included", () => {
  // ATen's own kernels run in a child that did not register nodetorch's (NODETORCH_CPU_KERNELS=0).
  const count = 1500;
  const child = spawnSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'helpers', 'max-pool-cases.ts'), String(count)], {
    cwd: join(__dirname, '..'), encoding: 'utf8', env: { ...process.env, NODETORCH_CPU_KERNELS: '0' }, maxBuffer: 1 << 26,
  });
  expect(child.stderr).toBe('');
  const aten = JSON.parse(child.stdout) as ReturnType<typeof maxPoolCases>;
  const ours = maxPoolCases(count);
  expect(ours.length).toBe(count + 9);
  expect(ours.filter((c, i) => c.digest !== aten[i].digest).map((c) => c.what)).toEqual([]);
  expect(ours.map((c) => c.what)).toEqual(aten.map((c) => c.what));
});
