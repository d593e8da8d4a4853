/**
 * Activation modules: `nn.ReLU`, `nn.LeakyReLU`, `nn.Sigmoid`, `nn.Tanh`, `nn.GELU`, `nn.SiLU`,
 * `nn.Softmax`, `nn.LogSoftmax`.
 */
import { Tensor } from '../tensor';
import { checkInt, checkNumber } from '../validate';
import * as F from './functional';
import { Module } from './module';

/** `max(x, 0)`. @example `const activate = new nn.ReLU(); activate(x);` */
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return F.relu(x); }
}

/** Leaky ReLU. @example `new nn.LeakyReLU(0.2)` */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); checkNumber(negativeSlope, 'negativeSlope'); }
  forward(x: Tensor): Tensor { return F.leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negative_slope=${this.negativeSlope}`; }
}

/** Logistic sigmoid. @example `new nn.Sigmoid()` */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return F.sigmoid(x); }
}

/** Hyperbolic tangent. @example `new nn.Tanh()` */
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return F.tanh(x); }
}

/** GELU. @example `new nn.GELU()` */
export class GELU extends Module {
  forward(x: Tensor): Tensor { return F.gelu(x); }
}

/** SiLU. @example `new nn.SiLU()` */
export class SiLU extends Module {
  forward(x: Tensor): Tensor { return F.silu(x); }
}

/** Softmax along `dim`. @example `new nn.Softmax(1)` */
export class Softmax extends Module {
  constructor(readonly dim: number) { super(); checkInt(dim, 'dim'); }
  forward(x: Tensor): Tensor { return F.softmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

/** Log-softmax along `dim`. @example `new nn.LogSoftmax(1)` */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) { super(); checkInt(dim, 'dim'); }
  forward(x: Tensor): Tensor { return F.logSoftmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
