/**
 * Padding modules: `nn.ZeroPad1d/2d/3d`, `nn.ConstantPad1d/2d/3d`, `nn.ReflectionPad1d/2d/3d`,
 * `nn.ReplicationPad1d/2d/3d`, `nn.CircularPad1d/2d/3d`. `padding` is one integer for every side or `2·N` integers, last
 * dimension first (`[left, right, top, bottom, front, back]`), as in PyTorch.
 */
import { Tensor } from '../tensor';
import { checkNumber, expandInts } from '../validate';
import { pyFloat } from '../printing';
import * as F from './functional';
import { Module } from './module';
import { pyTuple } from './pooling';

abstract class PadNd extends Module {
  readonly padding: number[];
  constructor(n: number, padding: unknown, min: number) {
    super();
    this.padding = expandInts(padding, 2 * n, 'padding', min);
  }
}

abstract class ConstantPadNd extends PadNd {
  readonly value: number;
  constructor(n: number, padding: unknown, value: unknown) {
    super(n, padding, -Infinity);
    this.value = checkNumber(value, 'value');
  }
  forward(x: Tensor): Tensor { return F.pad(x, this.padding, { mode: 'constant', value: this.value }); }
  override extraRepr(): string { return `padding=${pyTuple(this.padding)}, value=${pyFloat(this.value)}`; }
}

abstract class ZeroPadNd extends ConstantPadNd {
  constructor(n: number, padding: unknown) { super(n, padding, 0); }
  /** The text inside this module's parentheses in `toString()`, as PyTorch's `extra_repr()`. */
  override extraRepr(): string { return pyTuple(this.padding); }
}

abstract class ModePadNd extends PadNd {
  protected readonly mode: 'reflect' | 'replicate' | 'circular';
  constructor(n: number, padding: unknown, mode: 'reflect' | 'replicate' | 'circular') {
    super(n, padding, 0);
    this.mode = mode;
  }
  forward(x: Tensor): Tensor { return F.pad(x, this.padding, { mode: this.mode }); }
  override extraRepr(): string { return pyTuple(this.padding); }
}

/** Pads the last dimension with zeros. @example `new nn.ZeroPad1d(2)(x)` */
export class ZeroPad1d extends ZeroPadNd { constructor(padding: number | [number, number]) { super(1, padding); } }
/** Pads the last 2 dimensions with zeros. @example `new nn.ZeroPad2d([1, 1, 2, 0])(x)` */
export class ZeroPad2d extends ZeroPadNd { constructor(padding: number | [number, number, number, number]) { super(2, padding); } }
/** Pads the last 3 dimensions with zeros. @example `new nn.ZeroPad3d(1)(x)` */
export class ZeroPad3d extends ZeroPadNd { constructor(padding: number | number[]) { super(3, padding); } }

/** Pads the last dimension with `value`. @example `new nn.ConstantPad1d(2, 3.5)(x)` */
export class ConstantPad1d extends ConstantPadNd { constructor(padding: number | [number, number], value: number) { super(1, padding, value); } }
/** Pads the last 2 dimensions with `value`. @example `new nn.ConstantPad2d([1, 0, 2, 1], -1)(x)` */
export class ConstantPad2d extends ConstantPadNd { constructor(padding: number | [number, number, number, number], value: number) { super(2, padding, value); } }
/** Pads the last 3 dimensions with `value`. @example `new nn.ConstantPad3d(1, 0.5)(x)` */
export class ConstantPad3d extends ConstantPadNd { constructor(padding: number | number[], value: number) { super(3, padding, value); } }

/** Pads the last dimension with its reflection (edge not repeated). @example `new nn.ReflectionPad1d(2)(x)` */
export class ReflectionPad1d extends ModePadNd { constructor(padding: number | [number, number]) { super(1, padding, 'reflect'); } }
/** Pads the last 2 dimensions with their reflection. @example `new nn.ReflectionPad2d(1)(x)` */
export class ReflectionPad2d extends ModePadNd { constructor(padding: number | [number, number, number, number]) { super(2, padding, 'reflect'); } }
/** Pads the last 3 dimensions with their reflection. @example `new nn.ReflectionPad3d(1)(x)` */
export class ReflectionPad3d extends ModePadNd { constructor(padding: number | number[]) { super(3, padding, 'reflect'); } }

/** Pads the last dimension by repeating its edge. @example `new nn.ReplicationPad1d([3, 1])(x)` */
export class ReplicationPad1d extends ModePadNd { constructor(padding: number | [number, number]) { super(1, padding, 'replicate'); } }
/** Pads the last 2 dimensions by repeating their edges. @example `new nn.ReplicationPad2d(2)(x)` */
export class ReplicationPad2d extends ModePadNd { constructor(padding: number | [number, number, number, number]) { super(2, padding, 'replicate'); } }
/** Pads the last 3 dimensions by repeating their edges. @example `new nn.ReplicationPad3d(1)(x)` */
export class ReplicationPad3d extends ModePadNd { constructor(padding: number | number[]) { super(3, padding, 'replicate'); } }

/** Pads the last dimension by wrapping it around. @example `new nn.CircularPad1d([2, 1])(x)` */
export class CircularPad1d extends ModePadNd { constructor(padding: number | [number, number]) { super(1, padding, 'circular'); } }
/** Pads the last 2 dimensions by wrapping them around. @example `new nn.CircularPad2d(1)(x)` */
export class CircularPad2d extends ModePadNd { constructor(padding: number | [number, number, number, number]) { super(2, padding, 'circular'); } }
/** Pads the last 3 dimensions by wrapping them around. @example `new nn.CircularPad3d(1)(x)` */
export class CircularPad3d extends ModePadNd { constructor(padding: number | number[]) { super(3, padding, 'circular'); } }
