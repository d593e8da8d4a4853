/**
 * Convolution modules: `nn.Conv1d/2d/3d` and `nn.ConvTranspose1d/2d/3d`, over one base as
 * PyTorch's `_ConvNd`. Options, defaults, initialisation, state-dict keys (`weight`, `bias`) and
 * `print(model)` follow PyTorch.
 */
import { Tensor } from '../tensor';
import { empty } from '../factories';
import { rangeError, typeError } from '../errors';
import { checkBool, checkInt, checkIntList, checkOptions, expandInts, optionKeys } from '../validate';
import * as F from './functional';
import { convPadding, convSamePadding } from './_utils';
import * as init from './init';
import { Module, Parameter } from './module';
import { pyTuple } from './pooling';

/** How `nn.Conv1d/2d/3d` pad: implicit zeros, or `F.pad`'s mode applied before an unpadded convolution. */
export type ConvPaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Options of `nn.Conv1d/2d/3d`, PyTorch's keyword arguments in camelCase (`T`: one value per spatial dimension). */
export interface ConvModuleOptions<T extends number[] = number[]> extends F.ConvOptions<T> {
  /** Default true. */
  bias?: boolean;
  /** Default 'zeros'. */
  paddingMode?: ConvPaddingMode;
}

/** Options of `nn.Conv1d`. */
export type Conv1dOptions = ConvModuleOptions<[number]>;
/** Options of `nn.Conv2d`, PyTorch's keyword arguments in camelCase. */
export type Conv2dOptions = ConvModuleOptions<[number, number]>;
/** Options of `nn.Conv3d`. */
export type Conv3dOptions = ConvModuleOptions<[number, number, number]>;

/** Options of `nn.ConvTranspose1d/2d/3d` (`T`: one value per spatial dimension). */
export interface ConvTransposeModuleOptions<T extends number[] = number[]> extends F.ConvTransposeOptions<T> {
  /** Default true. */
  bias?: boolean;
  /** Only 'zeros' (PyTorch accepts no other for transposed convolutions). */
  paddingMode?: 'zeros';
}

/** Options of `nn.ConvTranspose1d`. */
export type ConvTranspose1dOptions = ConvTransposeModuleOptions<[number]>;
/** Options of `nn.ConvTranspose2d`. */
export type ConvTranspose2dOptions = ConvTransposeModuleOptions<[number, number]>;
/** Options of `nn.ConvTranspose3d`. */
export type ConvTranspose3dOptions = ConvTransposeModuleOptions<[number, number, number]>;

const CONV_KEYS = optionKeys<ConvModuleOptions>({ stride: true, padding: true, dilation: true, groups: true, bias: true, paddingMode: true });
const CONV_TRANSPOSE_KEYS = optionKeys<ConvTransposeModuleOptions>({
  stride: true, padding: true, outputPadding: true, groups: true, bias: true, dilation: true, paddingMode: true,
});
const PADDING_MODES: readonly string[] = ['zeros', 'reflect', 'replicate', 'circular'];

type ConvFn = (x: Tensor, w: Tensor, b: Tensor | null, o: F.ConvOptions) => Tensor;
type ConvTransposeFn = (x: Tensor, w: Tensor, b: Tensor | null, o: F.ConvTransposeOptions) => Tensor;
const CONV: ConvFn[] = [F.conv1d, F.conv2d, F.conv3d] as ConvFn[];
const CONV_TRANSPOSE: ConvTransposeFn[] = [F.convTranspose1d, F.convTranspose2d, F.convTranspose3d] as ConvTransposeFn[];

/**
 * What the convolutions share, as PyTorch's `_ConvNd`: checked options, the weight
 * (`[out, in/groups, ...k]`, transposed `[in, out/groups, ...k]`) and bias, their default
 * initialisation, and the repr.
 */
abstract class ConvNd<T extends number[]> extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: T;
  readonly stride: T;
  /** One value per spatial dimension, or `'valid'`/`'same'` as given (as PyTorch keeps it). */
  readonly padding: T | 'valid' | 'same';
  readonly dilation: T;
  readonly transposed: boolean;
  /** All zeros except in a transposed convolution. */
  readonly outputPadding: T;
  readonly groups: number;
  readonly paddingMode: ConvPaddingMode;
  /** `[out, in / groups, ...kernelSize]`; transposed `[in, out / groups, ...kernelSize]`. */
  weight: Parameter;
  /** `[out]`, or null with `{ bias: false }`. */
  bias: Parameter | null;
  /** `F.pad`'s padding for the non-zero padding modes: `[before, after]`, last dimension first (PyTorch's `_reversed_padding_repeated_twice`). */
  protected readonly reversedPaddingRepeatedTwice: number[];

  constructor(n: number, name: string, transposed: boolean, inChannels: unknown, outChannels: unknown, kernelSize: unknown, options: unknown) {
    super();
    const o = checkOptions(options, `${name} options`, transposed ? CONV_TRANSPOSE_KEYS : CONV_KEYS) as
      ConvModuleOptions & ConvTransposeModuleOptions;
    this.inChannels = checkInt(inChannels, 'inChannels', 1);
    this.outChannels = checkInt(outChannels, 'outChannels', 1);
    this.kernelSize = expandInts(kernelSize, n, 'kernelSize', 1) as T;
    this.stride = expandInts(o.stride ?? 1, n, 'stride', 1) as T;
    this.dilation = expandInts(o.dilation ?? 1, n, 'dilation', 1) as T;
    this.groups = checkInt(o.groups ?? 1, 'groups', 1);
    if (this.inChannels % this.groups !== 0 || this.outChannels % this.groups !== 0) {
      throw rangeError('groups dividing inChannels and outChannels', 'groups', this.groups);
    }
    const mode = o.paddingMode ?? 'zeros';
    if (!PADDING_MODES.includes(mode as string)) {
      throw (typeof mode === 'string' ? rangeError : typeError)("'zeros', 'reflect', 'replicate' or 'circular'", 'paddingMode', mode);
    }
    if (transposed && mode !== 'zeros') throw rangeError(`'zeros' (the only padding mode of ${name})`, 'paddingMode', mode);
    this.paddingMode = mode;
    this.transposed = transposed;
    const zeros = new Array(n).fill(0) as T;
    let before: number[];
    let after: number[];
    if (transposed) {
      this.padding = expandInts(o.padding ?? 0, n, 'padding') as T;
      this.outputPadding = expandInts(o.outputPadding ?? 0, n, 'outputPadding') as T;
      before = after = this.padding;
    } else {
      const p = o.padding ?? 0;
      if (p === 'same') {
        this.padding = p;
        [before, after] = convSamePadding(this.kernelSize, this.dilation, this.stride);
      } else if (p === 'valid') {
        this.padding = p;
        before = after = zeros;
      } else {
        this.padding = convPadding(p as F.Conv2dOptions['padding'], this.kernelSize, this.dilation, this.stride) as T;
        before = after = this.padding;
      }
      this.outputPadding = zeros;
    }
    this.reversedPaddingRepeatedTwice = [];
    for (let d = n - 1; d >= 0; d--) this.reversedPaddingRepeatedTwice.push(before[d], after[d]);
    const shape = transposed ? [this.inChannels, this.outChannels / this.groups] : [this.outChannels, this.inChannels / this.groups];
    this.weight = new Parameter(empty([...shape, ...this.kernelSize]));
    this.bias = checkBool(o.bias ?? true, 'bias') ? new Parameter(empty([this.outChannels])) : null;
    this.resetParameters();
  }

  /** Re-draws the parameters as PyTorch does: Kaiming uniform (a = √5) weight, bias uniform in ±1/√fanIn. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** A convolution's forward, as PyTorch's `_conv_forward`: `F.pad` first for the non-zero padding modes. */
abstract class ConvForwardNd<T extends number[]> extends ConvNd<T> {
  forward(x: Tensor): Tensor {
    const conv = CONV[this.kernelSize.length - 1];
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== 'zeros') {
      const padded = F.pad(x, this.reversedPaddingRepeatedTwice, { mode: this.paddingMode });
      return conv(padded, this.weight, this.bias, { ...options, padding: 0 });
    }
    return conv(x, this.weight, this.bias, { ...options, padding: this.padding });
  }
}

/**
 * 1-D convolution over `[N, C, L]` (or `[C, L]`), initialised as PyTorch does (Kaiming uniform, a = √5).
 * @example
 * ```ts
 * const conv = new nn.Conv1d(16, 33, 3, { stride: 2 });       // [N, 16, 50] → [N, 33, 24]
 * const same = new nn.Conv1d(4, 6, 4, { padding: 'same', paddingMode: 'reflect' });
 * ```
 */
export class Conv1d extends ConvForwardNd<[number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number], options: Conv1dOptions = {}) {
    super(1, 'Conv1d', false, inChannels, outChannels, kernelSize, options);
  }
}

/**
 * 2-D convolution over `[N, C, H, W]` (or `[C, H, W]`), initialised as PyTorch does (Kaiming uniform, a = √5).
 * @example
 * ```ts
 * const conv1 = new nn.Conv2d(1, 10, 5);                 // [N, 1, 28, 28] → [N, 10, 24, 24]
 * const conv = new nn.Conv2d(16, 32, 3, { padding: 1, stride: 2 });
 * ```
 */
export class Conv2d extends ConvForwardNd<[number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: Conv2dOptions = {}) {
    super(2, 'Conv2d', false, inChannels, outChannels, kernelSize, options);
  }
}

/**
 * 3-D convolution over `[N, C, D, H, W]` (or `[C, D, H, W]`), initialised as PyTorch does (Kaiming uniform, a = √5).
 * @example
 * ```ts
 * const conv = new nn.Conv3d(16, 33, [3, 5, 2], { stride: [2, 1, 1], padding: [4, 2, 0] });
 * ```
 */
export class Conv3d extends ConvForwardNd<[number, number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number, number], options: Conv3dOptions = {}) {
    super(3, 'Conv3d', false, inChannels, outChannels, kernelSize, options);
  }
}

/** A transposed convolution's forward, with PyTorch's `output_size` argument. */
abstract class ConvTransposeNd<T extends number[]> extends ConvNd<T> {
  /**
   * `outputSize` (the spatial sizes, or with the batch and channel sizes in front) picks the
   * output padding among the sizes this stride allows, as PyTorch's `output_size`.
   */
  forward(x: Tensor, outputSize?: number[] | null): Tensor {
    const n = this.kernelSize.length;
    return CONV_TRANSPOSE[n - 1](x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding as T, outputPadding: this.outputPaddingFor(x, outputSize), groups: this.groups, dilation: this.dilation,
    });
  }

  /** PyTorch's `_output_padding`: `outputSize` less the smallest output size. */
  private outputPaddingFor(x: Tensor, outputSize: number[] | null | undefined): number[] {
    if (outputSize === undefined || outputSize === null) return this.outputPadding;
    const n = this.kernelSize.length;
    const lead = x.dim() === n + 2 ? 2 : 1;
    let size = checkIntList(outputSize, 'outputSize');
    if (size.length === lead + n) size = size.slice(lead);
    if (size.length !== n) throw typeError(`${n} or ${lead + n} sizes for a ${x.dim()}-D input`, 'outputSize', outputSize);
    const padding = this.padding as T;
    const min = size.map((_, d) => (x.shape[d + lead] - 1) * this.stride[d] - 2 * padding[d] + this.dilation[d] * (this.kernelSize[d] - 1) + 1);
    const max = min.map((m, d) => m + this.stride[d] - 1);
    if (size.some((s, d) => s < min[d] || s > max[d])) {
      throw rangeError(`sizes from [${min.join(', ')}] to [${max.join(', ')}] (for an input of [${x.shape.slice(lead).join(', ')}])`, 'outputSize', outputSize);
    }
    return size.map((s, d) => s - min[d]);
  }
}

/**
 * 1-D transposed convolution ("deconvolution") over `[N, C, L]` (or `[C, L]`); weight `[in, out/groups, k]`.
 * @example
 * ```ts
 * const up = new nn.ConvTranspose1d(16, 8, 3, { stride: 2 });
 * up(x, [102]); // [N, 16, 50] → [N, 8, 102]: outputPadding 1 (without it, 101)
 * ```
 */
export class ConvTranspose1d extends ConvTransposeNd<[number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number], options: ConvTranspose1dOptions = {}) {
    super(1, 'ConvTranspose1d', true, inChannels, outChannels, kernelSize, options);
  }
}

/**
 * 2-D transposed convolution over `[N, C, H, W]` (or `[C, H, W]`); weight `[in, out/groups, kH, kW]`.
 * @example
 * ```ts
 * const up = new nn.ConvTranspose2d(16, 16, 3, { stride: 2, padding: 1 });
 * up(x, [12, 12]); // [1, 16, 6, 6] → [1, 16, 12, 12]
 * ```
 */
export class ConvTranspose2d extends ConvTransposeNd<[number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: ConvTranspose2dOptions = {}) {
    super(2, 'ConvTranspose2d', true, inChannels, outChannels, kernelSize, options);
  }
}

/**
 * 3-D transposed convolution over `[N, C, D, H, W]` (or `[C, D, H, W]`); weight `[in, out/groups, kD, kH, kW]`.
 * @example
 * ```ts
 * const up = new nn.ConvTranspose3d(16, 33, [3, 5, 2], { stride: 2, padding: [0, 4, 2] });
 * ```
 */
export class ConvTranspose3d extends ConvTransposeNd<[number, number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number, number], options: ConvTranspose3dOptions = {}) {
    super(3, 'ConvTranspose3d', true, inChannels, outChannels, kernelSize, options);
  }
}
