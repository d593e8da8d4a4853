/**
 * `nn.Conv2d`.
 */
import { Tensor } from '../tensor';
import { empty } from '../factories';
import { rangeError } from '../errors';
import { checkBool, checkInt, checkOptions, expandInts, optionKeys } from '../validate';
import * as F from './functional';
import * as init from './init';
import { Module, Parameter } from './module';

/** Options of `nn.Conv2d`, PyTorch's keyword arguments in camelCase. */
export interface Conv2dOptions extends F.Conv2dOptions {
  /** Default true. */
  bias?: boolean;
}

const CONV2D_KEYS = optionKeys<Conv2dOptions>({ stride: true, padding: true, dilation: true, groups: true, bias: true });

/**
 * 2-D convolution, initialised as PyTorch does (Kaiming uniform, a = √5).
 * @example
 * ```ts
 * const conv1 = new nn.Conv2d(1, 10, 5);                 // [N, 1, 28, 28] → [N, 10, 24, 24]
 * const conv = new nn.Conv2d(16, 32, 3, { padding: 1, stride: 2 });
 * ```
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  /** `[out, in / groups, kH, kW]`. */
  weight: Parameter;
  /** `[out]`, or null with `{ bias: false }`. */
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: Conv2dOptions = {}) {
    super();
    const o = checkOptions(options, 'Conv2d options', CONV2D_KEYS) as Conv2dOptions;
    this.inChannels = checkInt(inChannels, 'inChannels', 1);
    this.outChannels = checkInt(outChannels, 'outChannels', 1);
    this.kernelSize = expandInts(kernelSize, 2, 'kernelSize', 1) as [number, number];
    this.stride = expandInts(o.stride ?? 1, 2, 'stride', 1) as [number, number];
    this.dilation = expandInts(o.dilation ?? 1, 2, 'dilation', 1) as [number, number];
    this.padding = F.convPadding(o.padding, this.kernelSize, this.dilation, this.stride) as [number, number];
    this.groups = checkInt(o.groups ?? 1, 'groups', 1);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw rangeError('groups dividing inChannels and outChannels', 'groups', this.groups);
    }
    this.weight = new Parameter(empty([outChannels, inChannels / this.groups, ...this.kernelSize]));
    this.bias = checkBool(o.bias ?? true, 'bias') ? new Parameter(empty([outChannels])) : null;
    this.resetParameters();
  }

  /** Re-draws the weights with PyTorch's default initialisation. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    const pair = (p: number[]) => `(${p.join(', ')})`;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pair(this.kernelSize)}, stride=${pair(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pair(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pair(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}
