/**
 * Pooling modules: `nn.MaxPool1d/2d/3d`, `nn.MaxUnpool1d/2d/3d`, `nn.FractionalMaxPool2d/3d`,
 * `nn.AvgPool1d/2d/3d`, `nn.AdaptiveAvgPool1d/2d/3d`, `nn.AdaptiveMaxPool1d/2d/3d`. Options, defaults and `print(model)`
 * follow PyTorch.
 */
import { Tensor } from '../tensor';
import { checkBool, checkOptions, expandInts, optionKeys } from '../validate';
import { rangeError, typeError } from '../errors';
import * as F from './functional';
import { maxPoolArgs, avgPoolArgs, lpPoolArgs, fractionalRatio } from './_utils';
import { Module } from './module';

/** A pool's output: the tensor, or `[output, indices]` where `returnIndices` is true. */
export type PoolOutput<R extends boolean> = F.PoolOutput<R>;

/** @internal A value as Python's repr writes an int, a tuple of ints (`(3,)`) or `None`. */
export function pyTuple(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return v.length === 1 ? `(${pyTuple(v[0])},)` : `(${v.map(pyTuple).join(', ')})`;
  return String(v);
}

const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** Options of `nn.MaxPool1d/2d/3d`. */
export interface MaxPoolModuleOptions<R extends boolean = boolean> extends F.MaxPoolOptions {
  /** Return `[output, indices]` instead of the output. Default false. */
  returnIndices?: R;
}

/** Options of `nn.MaxPool2d` (kept for the 2-D tuple types). */
export interface MaxPool2dOptions<R extends boolean = boolean> extends F.MaxPool2dOptions {
  /** Return `[output, indices]` instead of the output. Default false. */
  returnIndices?: R;
}

const MAX_POOL_MODULE_KEYS = optionKeys<MaxPoolModuleOptions>({ stride: true, padding: true, dilation: true, ceilMode: true, returnIndices: true });

abstract class MaxPoolNd<R extends boolean> extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly ceilMode: boolean;
  readonly returnIndices: R;
  private readonly nd: number;
  private readonly reprArgs: unknown[];

  constructor(n: number, name: string, kernelSize: unknown, options: unknown) {
    super();
    const o = checkOptions(options, `${name} options`, MAX_POOL_MODULE_KEYS) as MaxPoolModuleOptions<R>;
    const { returnIndices, ...rest } = o;
    [this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode] = maxPoolArgs(n, name, kernelSize, rest);
    this.returnIndices = checkBool(returnIndices ?? false, 'returnIndices') as R;
    this.nd = n;
    this.reprArgs = [kernelSize, o.stride ?? kernelSize, o.padding ?? 0, o.dilation ?? 1];
  }

  forward(x: Tensor): PoolOutput<R> {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    const withIdx = [F.maxPool1dWithIndices, F.maxPool2dWithIndices, F.maxPool3dWithIndices][this.nd - 1] as
      (x: Tensor, k: number[], o: F.MaxPoolOptions) => [Tensor, Tensor];
    if (this.returnIndices) return withIdx(x, this.kernelSize, opts) as PoolOutput<R>;
    const plain = [F.maxPool1d, F.maxPool2d, F.maxPool3d][this.nd - 1] as (x: Tensor, k: number[], o: F.MaxPoolOptions) => Tensor;
    return plain(x, this.kernelSize, opts) as PoolOutput<R>;
  }

  override extraRepr(): string {
    const [k, s, p, d] = this.reprArgs.map(pyTuple);
    return `kernel_size=${k}, stride=${s}, padding=${p}, dilation=${d}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 1-D max pooling over `[N, C, L]`; `stride` defaults to the kernel size.
 * @example
 * ```ts
 * new nn.MaxPool1d(3, { stride: 2 })(x);
 * ```
 */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: number | [number], options: MaxPoolModuleOptions<R> = {}) { super(1, 'MaxPool1d', kernelSize, options); }
}

/**
 * 2-D max pooling; `stride` defaults to the kernel size.
 * @example
 * ```ts
 * const mp = new nn.MaxPool2d(2); // [N, C, 24, 24] → [N, C, 12, 12]
 * const [out, idx] = new nn.MaxPool2d(2, { returnIndices: true })(x);
 * ```
 */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: number | [number, number], options: MaxPool2dOptions<R> = {}) { super(2, 'MaxPool2d', kernelSize, options); }
}

/**
 * 3-D max pooling over `[N, C, D, H, W]`; `stride` defaults to the kernel size.
 * @example
 * ```ts
 * new nn.MaxPool3d(2)(x);
 * ```
 */
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: number | [number, number, number], options: MaxPoolModuleOptions<R> = {}) { super(3, 'MaxPool3d', kernelSize, options); }
}

abstract class AvgPoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  private readonly nd: number;
  private readonly reprArgs: unknown[];

  constructor(n: number, name: string, kernelSize: unknown, options: unknown) {
    super();
    [this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride] =
      avgPoolArgs(n, name, kernelSize, options);
    this.nd = n;
    const o = (options ?? {}) as F.AvgPoolOptions;
    // AvgPool1d stores tuples; 2-D and 3-D keep what they were given.
    this.reprArgs = n === 1 ? [this.kernelSize, this.stride, this.padding] : [kernelSize, o.stride ?? kernelSize, o.padding ?? 0];
  }

  forward(x: Tensor): Tensor {
    const opts = { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad };
    if (this.nd === 1) return F.avgPool1d(x, this.kernelSize as [number], opts);
    const f = this.nd === 2 ? F.avgPool2d : F.avgPool3d;
    return (f as (x: Tensor, k: number[], o: F.AvgPoolOptions) => Tensor)(x, this.kernelSize, { ...opts, divisorOverride: this.divisorOverride });
  }

  override extraRepr(): string {
    const [k, s, p] = this.reprArgs.map(pyTuple);
    return `kernel_size=${k}, stride=${s}, padding=${p}`;
  }
}

/**
 * 1-D average pooling; `stride` defaults to the kernel size.
 * @example
 * ```ts
 * new nn.AvgPool1d(3, { stride: 2 })(x);
 * ```
 */
export class AvgPool1d extends AvgPoolNd {
  constructor(kernelSize: number | [number], options: Omit<F.AvgPoolOptions, 'divisorOverride'> = {}) { super(1, 'AvgPool1d', kernelSize, options); }
}

/** Options of `nn.AvgPool2d`. */
export type AvgPool2dOptions = F.AvgPoolOptions;

/**
 * 2-D average pooling; `stride` defaults to the kernel size.
 * @example
 * ```ts
 * new nn.AvgPool2d(2)(x);
 * ```
 */
export class AvgPool2d extends AvgPoolNd {
  constructor(kernelSize: number | [number, number], options: AvgPool2dOptions = {}) { super(2, 'AvgPool2d', kernelSize, options); }
}

/**
 * 3-D average pooling; `stride` defaults to the kernel size.
 * @example
 * ```ts
 * new nn.AvgPool3d(2, { countIncludePad: false })(x);
 * ```
 */
export class AvgPool3d extends AvgPoolNd {
  constructor(kernelSize: number | [number, number, number], options: F.AvgPoolOptions = {}) { super(3, 'AvgPool3d', kernelSize, options); }
}

function checkAdaptive(value: unknown, n: number): (number | null)[] {
  const list = typeof value === 'number' ? new Array(n).fill(value) : value;
  if (!Array.isArray(list) || list.length !== n) throw typeError(`an integer or ${n} integers (or nulls)`, 'outputSize', value);
  return list.map((v) => (v === null ? null : expandInts(v, 1, 'outputSize')[0]));
}

abstract class AdaptivePoolNd extends Module {
  readonly outputSize: (number | null)[];
  private readonly reprArgs: unknown;
  constructor(n: number, outputSize: unknown) {
    super();
    this.outputSize = checkAdaptive(outputSize, n);
    this.reprArgs = outputSize;
  }
  override extraRepr(): string { return `output_size=${pyTuple(this.reprArgs)}`; }
}

/**
 * Average pooling to a fixed output length.
 * @example
 * ```ts
 * new nn.AdaptiveAvgPool1d(4)(x); // [N, C, L] → [N, C, 4]
 * ```
 */
export class AdaptiveAvgPool1d extends AdaptivePoolNd {
  constructor(outputSize: number | [number]) { super(1, outputSize); }
  forward(x: Tensor): Tensor { return F.adaptiveAvgPool1d(x, this.outputSize as [number]); }
}

/**
 * Average pooling to a fixed output size (`null` keeps that input size).
 * @example
 * ```ts
 * new nn.AdaptiveAvgPool2d(1)(x); // [N, C, H, W] → [N, C, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends AdaptivePoolNd {
  constructor(outputSize: F.AdaptiveSize) { super(2, outputSize); }
  forward(x: Tensor): Tensor {
    const size = this.outputSize.map((s, i) => s ?? x.shape[x.dim() - 2 + i]) as [number, number];
    return F.adaptiveAvgPool2d(x, size);
  }
}

/**
 * 3-D average pooling to a fixed output size (`null` keeps that input size).
 * @example
 * ```ts
 * new nn.AdaptiveAvgPool3d([1, 2, 2])(x);
 * ```
 */
export class AdaptiveAvgPool3d extends AdaptivePoolNd {
  constructor(outputSize: F.AdaptiveSize) { super(3, outputSize); }
  forward(x: Tensor): Tensor { return F.adaptiveAvgPool3d(x, this.outputSize); }
}

/** Options of `nn.AdaptiveMaxPool1d/2d/3d`. */
export interface AdaptiveMaxPoolOptions<R extends boolean = boolean> {
  /** Return `[output, indices]` instead of the output. Default false. */
  returnIndices?: R;
}

const ADAPTIVE_MAX_KEYS = optionKeys<AdaptiveMaxPoolOptions>({ returnIndices: true });

abstract class AdaptiveMaxPoolNd<R extends boolean> extends AdaptivePoolNd {
  readonly returnIndices: R;
  private readonly nd: number;
  constructor(n: number, name: string, outputSize: unknown, options: unknown) {
    super(n, outputSize);
    const o = checkOptions(options, `${name} options`, ADAPTIVE_MAX_KEYS);
    this.returnIndices = checkBool(o.returnIndices ?? false, 'returnIndices') as R;
    this.nd = n;
  }
  forward(x: Tensor): PoolOutput<R> {
    const f = [F.adaptiveMaxPool1dWithIndices, F.adaptiveMaxPool2dWithIndices, F.adaptiveMaxPool3dWithIndices][this.nd - 1] as
      (x: Tensor, s: (number | null)[]) => [Tensor, Tensor];
    const r = f(x, this.outputSize);
    return (this.returnIndices ? r : r[0]) as PoolOutput<R>;
  }
}

/**
 * Max pooling to a fixed output length.
 * @example
 * ```ts
 * const [out, idx] = new nn.AdaptiveMaxPool1d(4, { returnIndices: true })(x);
 * ```
 */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  constructor(outputSize: number | [number], options: AdaptiveMaxPoolOptions<R> = {}) { super(1, 'AdaptiveMaxPool1d', outputSize, options); }
}

/**
 * 2-D max pooling to a fixed output size (`null` keeps that input size).
 * @example
 * ```ts
 * new nn.AdaptiveMaxPool2d([5, 7])(x);
 * ```
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  constructor(outputSize: F.AdaptiveSize, options: AdaptiveMaxPoolOptions<R> = {}) { super(2, 'AdaptiveMaxPool2d', outputSize, options); }
}

/**
 * 3-D max pooling to a fixed output size (`null` keeps that input size).
 * @example
 * ```ts
 * new nn.AdaptiveMaxPool3d(2)(x);
 * ```
 */
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  constructor(outputSize: F.AdaptiveSize, options: AdaptiveMaxPoolOptions<R> = {}) { super(3, 'AdaptiveMaxPool3d', outputSize, options); }
}

// Power-average pooling (`nn.LPPool1d/2d/3d`), over F.lpPool1d/2d/3d.
import { pyFloat } from '../printing';

/** Options of `nn.LPPool1d/2d/3d`. */
export type LPPoolOptions<T extends number[] = number[]> = F.LpPoolOptions<T>;

abstract class LPPoolNd extends Module {
  /** The power `p` (Infinity: max of |x|). */
  readonly normType: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly ceilMode: boolean;
  private readonly nd: number;
  private readonly reprArgs: unknown[];

  constructor(n: number, name: string, normType: unknown, kernelSize: unknown, options: unknown) {
    super();
    [this.normType, this.kernelSize, this.stride, this.ceilMode] = lpPoolArgs(n, name, normType, kernelSize, options);
    this.nd = n;
    this.reprArgs = [kernelSize, (options as F.LpPoolOptions | undefined)?.stride ?? null];
  }

  forward(x: Tensor): Tensor {
    const f = [F.lpPool1d, F.lpPool2d, F.lpPool3d][this.nd - 1] as (x: Tensor, p: number, k: number[], o: F.LpPoolOptions) => Tensor;
    return f(x, this.normType, this.kernelSize, { stride: this.stride, ceilMode: this.ceilMode });
  }

  /** An integral `normType` prints as Python's int (`norm_type=2`), as PyTorch prints the value it was given. */
  override extraRepr(): string {
    const p = Number.isInteger(this.normType) ? String(this.normType) : pyFloat(this.normType);
    const [k, s] = this.reprArgs.map(pyTuple);
    return `norm_type=${p}, kernel_size=${k}, stride=${s}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 1-D power-average pooling: `(Σ x^p)^(1/p)` over each window of `[N, C, L]` (or `[C, L]`);
 * `stride` defaults to the kernel size.
 * @example
 * ```ts
 * new nn.LPPool1d(2, 3, { stride: 2 })(x);
 * ```
 */
export class LPPool1d extends LPPoolNd {
  constructor(normType: number, kernelSize: number | [number], options: LPPoolOptions<[number]> = {}) { super(1, 'LPPool1d', normType, kernelSize, options); }
}

/**
 * 2-D power-average pooling over `[N, C, H, W]` (or `[C, H, W]`); `stride` defaults to the kernel size.
 * @example
 * ```ts
 * new nn.LPPool2d(1.2, [3, 2], { stride: [2, 1] })(x);
 * ```
 */
export class LPPool2d extends LPPoolNd {
  constructor(normType: number, kernelSize: number | [number, number], options: LPPoolOptions<[number, number]> = {}) { super(2, 'LPPool2d', normType, kernelSize, options); }
}

/**
 * 3-D power-average pooling over `[N, C, D, H, W]` (or `[C, D, H, W]`); `stride` defaults to the kernel size.
 * @example
 * ```ts
 * new nn.LPPool3d(2, 2)(x);
 * ```
 */
export class LPPool3d extends LPPoolNd {
  constructor(normType: number, kernelSize: number | [number, number, number], options: LPPoolOptions<[number, number, number]> = {}) { super(3, 'LPPool3d', normType, kernelSize, options); }
}

/** Options of `nn.MaxUnpool1d/2d/3d`. */
export type MaxUnpoolModuleOptions = Omit<F.MaxUnpoolOptions, 'outputSize'>;

const MAX_UNPOOL_MODULE_KEYS = optionKeys<MaxUnpoolModuleOptions>({ stride: true, padding: true });

abstract class MaxUnpoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  private readonly nd: number;

  constructor(n: number, name: string, kernelSize: unknown, options: unknown) {
    super();
    const o = checkOptions(options, `${name} options`, MAX_UNPOOL_MODULE_KEYS) as MaxUnpoolModuleOptions;
    this.kernelSize = expandInts(kernelSize, n, 'kernelSize', 1);
    this.stride = o.stride === undefined || o.stride === null ? this.kernelSize : expandInts(o.stride, n, 'stride', 1);
    this.padding = expandInts(o.padding ?? 0, n, 'padding');
    this.nd = n;
  }

  /** `x` and the `indices` its max pool returned; `outputSize` as `F.maxUnpool2d` takes it. */
  forward(x: Tensor, indices: Tensor, outputSize: number[] | null = null): Tensor {
    const unpool = [F.maxUnpool1d, F.maxUnpool2d, F.maxUnpool3d][this.nd - 1] as
      (x: Tensor, indices: Tensor, k: number[], o: F.MaxUnpoolOptions) => Tensor;
    return unpool(x, indices, this.kernelSize, { stride: this.stride, padding: this.padding, outputSize });
  }

  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}

/**
 * The partial inverse of `nn.MaxPool1d`, from the indices it returns.
 * @example
 * ```ts
 * const [y, i] = new nn.MaxPool1d(2, { returnIndices: true })(x);
 * new nn.MaxUnpool1d(2)(y, i);
 * ```
 */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: number | [number], options: MaxUnpoolModuleOptions = {}) { super(1, 'MaxUnpool1d', kernelSize, options); }
}
/** The partial inverse of `nn.MaxPool2d`. @example `new nn.MaxUnpool2d(2)(y, indices)` */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: number | [number, number], options: MaxUnpoolModuleOptions = {}) { super(2, 'MaxUnpool2d', kernelSize, options); }
}
/** The partial inverse of `nn.MaxPool3d`. @example `new nn.MaxUnpool3d(2)(y, indices)` */
export class MaxUnpool3d extends MaxUnpoolNd {
  constructor(kernelSize: number | [number, number, number], options: MaxUnpoolModuleOptions = {}) { super(3, 'MaxUnpool3d', kernelSize, options); }
}

const FRACTIONAL_KEYS = optionKeys<F.FractionalMaxPoolOptions>({ outputSize: true, outputRatio: true, returnIndices: true });

abstract class FractionalMaxPoolNd<R extends boolean> extends Module {
  readonly kernelSize: number[];
  readonly outputSize: number[] | null;
  readonly outputRatio: number[] | null;
  readonly returnIndices: R;
  private readonly nd: 2 | 3;

  constructor(n: 2 | 3, name: string, kernelSize: unknown, options: unknown) {
    super();
    const o = checkOptions(options, `${name} options`, FRACTIONAL_KEYS) as F.FractionalMaxPoolOptions<R>;
    this.kernelSize = expandInts(kernelSize, n, 'kernelSize', 1);
    const hasSize = o.outputSize !== undefined && o.outputSize !== null;
    const hasRatio = o.outputRatio !== undefined && o.outputRatio !== null;
    if (hasSize === hasRatio) throw typeError('exactly one of outputSize and outputRatio', 'outputSize', o.outputSize);
    this.outputSize = hasSize ? expandInts(o.outputSize, n, 'outputSize', 1) : null;
    this.outputRatio = null;
    if (hasRatio) {
      const ratio = fractionalRatio(n, o.outputRatio);
      if (!ratio.every((r) => r > 0 && r < 1)) throw rangeError('numbers between 0 and 1, exclusive', 'outputRatio', o.outputRatio);
      this.outputRatio = ratio;
    }
    this.returnIndices = checkBool(o.returnIndices ?? false, 'returnIndices') as R;
    this.nd = n;
  }

  forward(x: Tensor): PoolOutput<R> {
    const f = (this.nd === 2 ? F.fractionalMaxPool2dWithIndices : F.fractionalMaxPool3dWithIndices) as
      (x: Tensor, k: number[], o: F.FractionalMaxPoolOptions) => [Tensor, Tensor];
    const [out, indices] = f(x, this.kernelSize, { outputSize: this.outputSize, outputRatio: this.outputRatio });
    return (this.returnIndices ? [out, indices] : out) as PoolOutput<R>;
  }
}

/**
 * 2-D fractional max pooling to `outputSize`, or to `outputRatio` (between 0 and 1) of the input's
 * size, with pooling regions drawn from the global generator on each call.
 * @example
 * ```ts
 * new nn.FractionalMaxPool2d(3, { outputRatio: 0.5 })(x);
 * ```
 */
export class FractionalMaxPool2d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  constructor(kernelSize: number | [number, number], options: F.FractionalMaxPoolOptions<R>) { super(2, 'FractionalMaxPool2d', kernelSize, options); }
}

/** 3-D fractional max pooling. @example `new nn.FractionalMaxPool3d(2, { outputSize: [3, 4, 4] })(x)` */
export class FractionalMaxPool3d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  constructor(kernelSize: number | [number, number, number], options: F.FractionalMaxPoolOptions<R>) { super(3, 'FractionalMaxPool3d', kernelSize, options); }
}
