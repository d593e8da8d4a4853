/**
 * `torch.nn.init`: in-place initialisers, with PyTorch's formulas.
 */
import { typeError, rangeError } from '../errors';
import { Tensor, checkTensor } from '../tensor';
import { noGrad } from '../autograd';
import { checkNumber, checkOptions, optionKeys } from '../validate';

function target(t: unknown): Tensor { return checkTensor(t, 'tensor'); }

/**
 * `[fanIn, fanOut]` of a weight: `in × receptive field` and `out × receptive field`.
 * @example
 * ```ts
 * nn.init.calculateFanInAndFanOut(conv.weight); // [25, 250] for Conv2d(1, 10, 5)
 * ```
 */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  const shape = target(tensor).shape;
  if (shape.length < 2) throw rangeError('a tensor with at least 2 dimensions', 'tensor', `shape [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * receptive, shape[0] * receptive];
}

/** The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`. */
export function calculateGain(nonlinearity: 'linear' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu', param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv2d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    default: throw typeError("'linear', 'conv2d', 'sigmoid', 'tanh', 'relu' or 'leaky_relu'", 'nonlinearity', nonlinearity);
  }
}

/** Fills with U(a, b). @example `nn.init.uniform_(w, -0.1, 0.1)` */
export function uniform_(tensor: Tensor, a = 0, b = 1): Tensor { return noGrad(() => target(tensor).uniform_(a, b)); }
/** Fills with N(mean, std²). @example `nn.init.normal_(w, 0, 0.01)` */
export function normal_(tensor: Tensor, mean = 0, std = 1): Tensor { return noGrad(() => target(tensor).normal_(mean, std)); }
/** Fills with `value`. @example `nn.init.constant_(b, 0)` */
export function constant_(tensor: Tensor, value: number): Tensor { return noGrad(() => target(tensor).fill_(checkNumber(value, 'value'))); }
/** Fills with zeros. @example `nn.init.zeros_(b)` */
export function zeros_(tensor: Tensor): Tensor { return constant_(tensor, 0); }
/** Fills with ones. @example `nn.init.ones_(w)` */
export function ones_(tensor: Tensor): Tensor { return constant_(tensor, 1); }

/** Options of the Kaiming initialisers. */
export interface KaimingOptions {
  /** Negative slope of the following leaky ReLU. Default 0. */
  a?: number;
  /** Default `'fanIn'`. */
  mode?: 'fanIn' | 'fanOut';
  /** Default `'leaky_relu'`. */
  nonlinearity?: 'relu' | 'leaky_relu' | 'linear' | 'tanh' | 'sigmoid';
}

function kaimingStd(tensor: Tensor, options: KaimingOptions): number {
  const o = checkOptions(options, 'kaiming options', optionKeys<KaimingOptions>({ a: true, mode: true, nonlinearity: true })) as KaimingOptions;
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const fan = (o.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
}

/**
 * He uniform initialisation. PyTorch's Linear and Conv layers use `{ a: Math.sqrt(5) }`.
 * @example
 * ```ts
 * nn.init.kaimingUniform_(layer.weight, { a: Math.sqrt(5) });
 * ```
 */
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(tensor, options);
  return uniform_(tensor, -bound, bound);
}

/** He normal initialisation. @example `nn.init.kaimingNormal_(w, { nonlinearity: 'relu' })` */
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(tensor, 0, kaimingStd(tensor, options));
}

/** Glorot uniform initialisation. @example `nn.init.xavierUniform_(w)` */
export function xavierUniform_(tensor: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(tensor, -bound, bound);
}

/** Glorot normal initialisation. @example `nn.init.xavierNormal_(w)` */
export function xavierNormal_(tensor: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return normal_(tensor, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}
