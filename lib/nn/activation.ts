/**
 * Activation modules, as `torch.nn` has them: `ReLU`, `ReLU6`, `LeakyReLU`, `PReLU`, `RReLU`,
 * `ELU`, `SELU`, `CELU`, `GELU`, `SiLU`, `Mish`, `Sigmoid`, `Tanh`, `Softplus`, `Softsign`,
 * `Softshrink`, `Hardshrink`, `Tanhshrink`, `Hardtanh`, `Hardswish`, `Hardsigmoid`, `LogSigmoid`,
 * `Threshold`, `GLU`, `Softmax`, `LogSoftmax`, `Softmin`, `Softmax2d`.
 *
 * Constructor arguments are PyTorch's, in PyTorch's order and with its defaults; `inplace` goes in
 * a trailing options object (`new nn.ELU(0.5, { inplace: true })`). `toString()` is PyTorch's
 * `print(model)` text.
 */
import { TorchError, rangeError } from '../errors';
import { empty } from '../factories';
import { Tensor } from '../tensor';
import { checkInt, checkNumber, checkOptions } from '../validate';
import { pyFloat } from '../printing';
import * as F from './functional';
import { inplaceOption, GELU_KEYS, geluApproximate } from './_utils';
import * as init from './init';
import { Module, Parameter } from './module';

const inplaceRepr = (inplace: boolean, sep = ', '): string => (inplace ? `${sep}inplace=True` : '');

/** `max(x, 0)`. @example `const activate = new nn.ReLU(); activate(x);` */
export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(options: F.InplaceOptions = {}) { super(); this.inplace = inplaceOption(options, 'ReLU'); }
  forward(x: Tensor): Tensor { return F.relu(x, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceRepr(this.inplace, ''); }
}

/**
 * `x` clamped to `[minVal, maxVal]` (defaults -1, 1; `maxVal` must exceed `minVal`).
 * @example `new nn.Hardtanh(-2, 2)`
 */
export class Hardtanh extends Module {
  readonly inplace: boolean;
  constructor(readonly minVal = -1.0, readonly maxVal = 1.0, options: F.InplaceOptions = {}) {
    super();
    checkNumber(minVal, 'minVal');
    checkNumber(maxVal, 'maxVal');
    if (!(maxVal > minVal)) throw rangeError(`a maxVal greater than minVal (${minVal})`, 'maxVal', maxVal);
    this.inplace = inplaceOption(options, new.target.name);
  }
  forward(x: Tensor): Tensor { return F.hardtanh(x, this.minVal, this.maxVal, { inplace: this.inplace }); }
  override extraRepr(): string { return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${inplaceRepr(this.inplace)}`; }
}

/** `min(max(x, 0), 6)` (PyTorch's ReLU6 is a Hardtanh(0, 6)). @example `new nn.ReLU6()` */
export class ReLU6 extends Hardtanh {
  constructor(options: F.InplaceOptions = {}) { super(0.0, 6.0, options); }
  override extraRepr(): string { return inplaceRepr(this.inplace, ''); }
}

/** Leaky ReLU: `x` if positive, else `negativeSlope * x` (default 0.01). @example `new nn.LeakyReLU(0.2)` */
export class LeakyReLU extends Module {
  readonly inplace: boolean;
  constructor(readonly negativeSlope = 0.01, options: F.InplaceOptions = {}) {
    super();
    checkNumber(negativeSlope, 'negativeSlope');
    this.inplace = inplaceOption(options, 'LeakyReLU');
  }
  forward(x: Tensor): Tensor { return F.leakyRelu(x, this.negativeSlope, { inplace: this.inplace }); }
  override extraRepr(): string { return `negative_slope=${pyFloat(this.negativeSlope)}${inplaceRepr(this.inplace)}`; }
}

/**
 * Parametric ReLU: `max(0, x) + weight * min(0, x)` with a learnt `weight` of `numParameters`
 * elements (1, or the number of channels, dim 1), each initialised to `init`.
 * @example `new nn.PReLU(64)`
 */
export class PReLU extends Module {
  /** `[numParameters]`. */
  weight: Parameter;
  constructor(readonly numParameters = 1, readonly init = 0.25) {
    super();
    checkInt(numParameters, 'numParameters', 1);
    checkNumber(init, 'init');
    this.weight = new Parameter(empty([numParameters]));
    this.resetParameters();
  }
  /** Fills `weight` with `init`. */
  resetParameters(): void { init.constant_(this.weight, this.init); }
  forward(x: Tensor): Tensor { return F.prelu(x, this.weight); }
  override extraRepr(): string { return `num_parameters=${this.numParameters}`; }
}

/**
 * Randomized leaky ReLU: in training mode each negative element gets a slope drawn uniformly from
 * `[lower, upper]` (defaults 1/8, 1/3); in `eval()` mode the slope is `(lower + upper) / 2`.
 * @example `new nn.RReLU(0.1, 0.3)`
 */
export class RReLU extends Module {
  readonly inplace: boolean;
  constructor(readonly lower = 1 / 8, readonly upper = 1 / 3, options: F.InplaceOptions = {}) {
    super();
    checkNumber(lower, 'lower');
    checkNumber(upper, 'upper');
    if (lower > upper) throw rangeError(`lower <= upper (upper is ${upper})`, 'lower', lower);
    this.inplace = inplaceOption(options, 'RReLU');
  }
  forward(x: Tensor): Tensor { return F.rrelu(x, this.lower, this.upper, this.training, { inplace: this.inplace }); }
  override extraRepr(): string { return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}${inplaceRepr(this.inplace)}`; }
}

/** ELU: `x` if positive, else `alpha * (exp(x) - 1)` (default alpha 1). @example `new nn.ELU(0.5)` */
export class ELU extends Module {
  readonly inplace: boolean;
  constructor(readonly alpha = 1.0, options: F.InplaceOptions = {}) {
    super();
    checkNumber(alpha, 'alpha');
    this.inplace = inplaceOption(options, 'ELU');
  }
  forward(x: Tensor): Tensor { return F.elu(x, this.alpha, { inplace: this.inplace }); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}${inplaceRepr(this.inplace)}`; }
}

/** SELU: `scale * elu(x, alpha)` with PyTorch's fixed constants. @example `new nn.SELU()` */
export class SELU extends Module {
  readonly inplace: boolean;
  constructor(options: F.InplaceOptions = {}) { super(); this.inplace = inplaceOption(options, 'SELU'); }
  forward(x: Tensor): Tensor { return F.selu(x, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceRepr(this.inplace, ''); }
}

/** CELU: `max(0, x) + min(0, alpha * (exp(x / alpha) - 1))` (default alpha 1). @example `new nn.CELU(2)` */
export class CELU extends Module {
  readonly inplace: boolean;
  constructor(readonly alpha = 1.0, options: F.InplaceOptions = {}) {
    super();
    checkNumber(alpha, 'alpha');
    this.inplace = inplaceOption(options, 'CELU');
  }
  forward(x: Tensor): Tensor { return F.celu(x, this.alpha, { inplace: this.inplace }); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}${inplaceRepr(this.inplace)}`; }
}

/**
 * GELU, exact (erf) or with the tanh approximation; `approximate` as PyTorch's positional string or
 * in an options object. @example `new nn.GELU({ approximate: 'tanh' })`, `new nn.GELU('tanh')`
 */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(options: F.GeluOptions | 'none' | 'tanh' = {}) {
    super();
    const o = typeof options === 'string' ? { approximate: options } : checkOptions(options, 'GELU options', GELU_KEYS);
    this.approximate = geluApproximate(o.approximate);
  }
  forward(x: Tensor): Tensor { return F.gelu(x, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

/** SiLU / swish: `x * sigmoid(x)`. @example `new nn.SiLU()` */
export class SiLU extends Module {
  readonly inplace: boolean;
  constructor(options: F.InplaceOptions = {}) { super(); this.inplace = inplaceOption(options, 'SiLU'); }
  forward(x: Tensor): Tensor { return F.silu(x, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceRepr(this.inplace, ''); }
}

/** Mish: `x * tanh(softplus(x))`. @example `new nn.Mish()` */
export class Mish extends Module {
  readonly inplace: boolean;
  constructor(options: F.InplaceOptions = {}) { super(); this.inplace = inplaceOption(options, 'Mish'); }
  forward(x: Tensor): Tensor { return F.mish(x, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceRepr(this.inplace, ''); }
}

/** Logistic sigmoid. @example `new nn.Sigmoid()` */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return F.sigmoid(x); }
}

/** Hyperbolic tangent. @example `new nn.Tanh()` */
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return F.tanh(x); }
}

/**
 * Softplus: `log(1 + exp(beta * x)) / beta`, linear where `beta * x > threshold` (defaults 1, 20).
 * @example `new nn.Softplus(2, 10)`
 */
export class Softplus extends Module {
  constructor(readonly beta = 1.0, readonly threshold = 20.0) {
    super();
    checkNumber(beta, 'beta');
    checkNumber(threshold, 'threshold');
  }
  forward(x: Tensor): Tensor { return F.softplus(x, this.beta, this.threshold); }
  override extraRepr(): string { return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`; }
}

/** Softsign: `x / (1 + |x|)`. @example `new nn.Softsign()` */
export class Softsign extends Module {
  forward(x: Tensor): Tensor { return F.softsign(x); }
}

/** Soft shrinkage by `lambd` (default 0.5, must be >= 0). @example `new nn.Softshrink(1)` */
export class Softshrink extends Module {
  constructor(readonly lambd = 0.5) {
    super();
    checkNumber(lambd, 'lambd');
    if (lambd < 0) throw rangeError('a lambd >= 0', 'lambd', lambd);
  }
  forward(x: Tensor): Tensor { return F.softshrink(x, this.lambd); }
  override extraRepr(): string { return pyFloat(this.lambd); }
}

/** Hard shrinkage: `x` where `|x| > lambd` (default 0.5), else 0. @example `new nn.Hardshrink(1)` */
export class Hardshrink extends Module {
  constructor(readonly lambd = 0.5) { super(); checkNumber(lambd, 'lambd'); }
  forward(x: Tensor): Tensor { return F.hardshrink(x, this.lambd); }
  override extraRepr(): string { return pyFloat(this.lambd); }
}

/** Tanh shrinkage: `x - tanh(x)`. @example `new nn.Tanhshrink()` */
export class Tanhshrink extends Module {
  forward(x: Tensor): Tensor { return F.tanhshrink(x); }
}

/** Hardswish: `x * relu6(x + 3) / 6`. @example `new nn.Hardswish()` */
export class Hardswish extends Module {
  readonly inplace: boolean;
  constructor(options: F.InplaceOptions = {}) { super(); this.inplace = inplaceOption(options, 'Hardswish'); }
  forward(x: Tensor): Tensor { return F.hardswish(x, { inplace: this.inplace }); }
}

/** Hardsigmoid: `relu6(x + 3) / 6`. @example `new nn.Hardsigmoid()` */
export class Hardsigmoid extends Module {
  readonly inplace: boolean;
  constructor(options: F.InplaceOptions = {}) { super(); this.inplace = inplaceOption(options, 'Hardsigmoid'); }
  forward(x: Tensor): Tensor { return F.hardsigmoid(x, { inplace: this.inplace }); }
}

/** `log(sigmoid(x))`. @example `new nn.LogSigmoid()` */
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor { return F.logsigmoid(x); }
}

/** `x` where `x > threshold`, else `value`. @example `new nn.Threshold(0.1, 20)` */
export class Threshold extends Module {
  readonly inplace: boolean;
  constructor(readonly threshold: number, readonly value: number, options: F.InplaceOptions = {}) {
    super();
    checkNumber(threshold, 'threshold');
    checkNumber(value, 'value');
    this.inplace = inplaceOption(options, 'Threshold');
  }
  forward(x: Tensor): Tensor { return F.threshold(x, this.threshold, this.value, { inplace: this.inplace }); }
  override extraRepr(): string { return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}${inplaceRepr(this.inplace)}`; }
}

/** Gated linear unit along `dim` (default -1): `a * sigmoid(b)` of the two halves. @example `new nn.GLU(1)` */
export class GLU extends Module {
  constructor(readonly dim = -1) { super(); checkInt(dim, 'dim'); }
  forward(x: Tensor): Tensor { return F.glu(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

const dimRepr = (dim: number | null): string => `dim=${dim === null ? 'None' : dim}`;
function checkDim(dim: unknown): number | null { return dim === undefined || dim === null ? null : checkInt(dim, 'dim'); }

/**
 * Softmax along `dim`. Without `dim`, PyTorch's deprecated implicit choice (0 for 0-, 1- and 3-D
 * input, else 1). @example `new nn.Softmax(1)`
 */
export class Softmax extends Module {
  readonly dim: number | null;
  constructor(dim: number | null = null) { super(); this.dim = checkDim(dim); }
  forward(x: Tensor): Tensor { return F.softmax(x, this.dim); }
  override extraRepr(): string { return dimRepr(this.dim); }
}

/** Log-softmax along `dim` (implicit `dim` as in {@link Softmax}). @example `new nn.LogSoftmax(1)` */
export class LogSoftmax extends Module {
  readonly dim: number | null;
  constructor(dim: number | null = null) { super(); this.dim = checkDim(dim); }
  forward(x: Tensor): Tensor { return F.logSoftmax(x, this.dim); }
  override extraRepr(): string { return dimRepr(this.dim); }
}

/** Softmin along `dim`: `softmax(-x)` (implicit `dim` as in {@link Softmax}). @example `new nn.Softmin(1)` */
export class Softmin extends Module {
  readonly dim: number | null;
  constructor(dim: number | null = null) { super(); this.dim = checkDim(dim); }
  forward(x: Tensor): Tensor { return F.softmin(x, this.dim); }
  override extraRepr(): string { return dimRepr(this.dim); }
}

/** Softmax over the channels of `[N, C, H, W]` or `[C, H, W]` input (dim -3). @example `new nn.Softmax2d()` */
export class Softmax2d extends Module {
  forward(x: Tensor): Tensor {
    const n = x.dim();
    if (n !== 3 && n !== 4) throw new TorchError(`Softmax2d: expected input to be 3D or 4D, got ${n}D instead`);
    return F.softmax(x, -3);
  }
}
