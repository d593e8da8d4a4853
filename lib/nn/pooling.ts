/**
 * `nn.MaxPool2d`, `nn.AvgPool2d`, `nn.AdaptiveAvgPool2d`.
 */
import { Tensor } from '../tensor';
import { checkBool, checkOptions, expandInts } from '../validate';
import * as F from './functional';
import { Module } from './module';

/**
 * 2-D max pooling; `stride` defaults to the kernel size.
 * @example
 * ```ts
 * const mp = new nn.MaxPool2d(2); // [N, C, 24, 24] → [N, C, 12, 12]
 * ```
 */
export class MaxPool2d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly ceilMode: boolean;

  constructor(kernelSize: number | [number, number], options: F.MaxPool2dOptions = {}) {
    super();
    const o = checkOptions(options, 'MaxPool2d options', F.MAX_POOL_KEYS) as F.MaxPool2dOptions;
    this.kernelSize = expandInts(kernelSize, 2, 'kernelSize', 1);
    this.stride = expandInts(o.stride ?? this.kernelSize, 2, 'stride', 1);
    this.padding = expandInts(o.padding ?? 0, 2, 'padding');
    this.dilation = expandInts(o.dilation ?? 1, 2, 'dilation', 1);
    this.ceilMode = checkBool(o.ceilMode ?? false, 'ceilMode');
  }

  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize as [number, number], {
      stride: this.stride as [number, number], padding: this.padding as [number, number],
      dilation: this.dilation as [number, number], ceilMode: this.ceilMode,
    });
  }

  override extraRepr(): string {
    const one = (v: number[]) => (v[0] === v[1] ? String(v[0]) : `(${v.join(', ')})`);
    return `kernel_size=${one(this.kernelSize)}, stride=${one(this.stride)}, padding=${one(this.padding)}, ` +
      `dilation=${one(this.dilation)}, ceil_mode=${this.ceilMode ? 'True' : 'False'}`;
  }
}

/**
 * 2-D average pooling; `stride` defaults to the kernel size.
 * @example
 * ```ts
 * new nn.AvgPool2d(2)(x);
 * ```
 */
export class AvgPool2d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: number | [number, number], options: F.AvgPool2dOptions = {}) {
    super();
    const o = checkOptions(options, 'AvgPool2d options', F.AVG_POOL_KEYS) as F.AvgPool2dOptions;
    this.kernelSize = expandInts(kernelSize, 2, 'kernelSize', 1);
    this.stride = expandInts(o.stride ?? this.kernelSize, 2, 'stride', 1);
    this.padding = expandInts(o.padding ?? 0, 2, 'padding');
    this.ceilMode = checkBool(o.ceilMode ?? false, 'ceilMode');
    this.countIncludePad = checkBool(o.countIncludePad ?? true, 'countIncludePad');
  }

  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize as [number, number], {
      stride: this.stride as [number, number], padding: this.padding as [number, number],
      ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
    });
  }

  override extraRepr(): string {
    const one = (v: number[]) => (v[0] === v[1] ? String(v[0]) : `(${v.join(', ')})`);
    return `kernel_size=${one(this.kernelSize)}, stride=${one(this.stride)}, padding=${one(this.padding)}`;
  }
}

/**
 * Average pooling to a fixed output size.
 * @example
 * ```ts
 * new nn.AdaptiveAvgPool2d(1)(x); // [N, C, H, W] → [N, C, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: number[];
  constructor(outputSize: number | [number, number]) {
    super();
    this.outputSize = expandInts(outputSize, 2, 'outputSize', 1);
  }
  forward(x: Tensor): Tensor { return F.adaptiveAvgPool2d(x, this.outputSize as [number, number]); }
  override extraRepr(): string { return `output_size=(${this.outputSize.join(', ')})`; }
}
