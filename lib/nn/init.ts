/**
 * `torch.nn.init`: in-place initialisers, with PyTorch's formulas.
 * @module
 */
import { typeError, rangeError } from '../errors';
import { Tensor, checkTensor } from '../tensor';
import { tensor as scalarTensor } from '../factories';
import { emptyLike, where } from '../generated/ops';
import { native } from '../binding';
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
  if (target(tensor).numel() === 0) return tensor; // as PyTorch: a zero-element tensor is left as it is
  const bound = Math.sqrt(3) * kaimingStd(tensor, options);
  return uniform_(tensor, -bound, bound);
}

/** He normal initialisation. @example `nn.init.kaimingNormal_(w, { nonlinearity: 'relu' })` */
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  if (target(tensor).numel() === 0) return tensor;
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

/** The standard normal CDF, computed in float64 by LibTorch's erf. */
function normCdf(x: number): number {
  return (1 + (scalarTensor(x / Math.SQRT2, { dtype: 'float64' }).erf().item() as number)) / 2;
}

// PyTorch 2.12 replaced trunc_normal_'s inverse-CDF draw with rejection sampling (pytorch#174997);
// each LibTorch gets its own PyTorch's algorithm, so the same seed gives the same numbers.
const [MAJOR, MINOR] = native.config().libtorchVersion.split('.').map(Number);
const TRUNC_NORMAL_BY_REJECTION = MAJOR > 2 || (MAJOR === 2 && MINOR >= 12);

/**
 * Fills `tensor` from N(mean, std²) truncated to [a, b] (absolute bounds), by the algorithm of
 * the PyTorch whose LibTorch is loaded (rejection sampling from 2.12 on, the inverse CDF before),
 * so the same seed gives PyTorch's numbers.
 * @example
 * ```ts
 * nn.init.truncNormal_(layer.weight, 0, 0.02);
 * ```
 */
export function truncNormal_(tensor: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  const t = target(tensor);
  [mean, std, a, b] = [checkNumber(mean, 'mean'), checkNumber(std, 'std'), checkNumber(a, 'a'), checkNumber(b, 'b')];
  return noGrad(() => {
    const l = normCdf((a - mean) / std);
    const u = normCdf((b - mean) / std);
    if (!TRUNC_NORMAL_BY_REJECTION) {
      t.uniform_(2 * l - 1, 2 * u - 1).erfinv_().mul_(std * Math.SQRT2).add_(mean).clamp_(a, b);
    } else if (u - l > 0.3) {
      // Normal draws, redrawing those outside [a, b] (compared in the tensor's dtype).
      const lo = scalarTensor(a, { dtype: t.dtype }).item() as number;
      const hi = scalarTensor(b, { dtype: t.dtype }).item() as number;
      let result = t.normal_(mean, std);
      for (;;) {
        const mask = result.lt(lo).logicalOr(result.gt(hi));
        if (!(mask.any().item() as boolean)) break;
        result = where(mask, emptyLike(result).normal_(mean, std), result);
      }
      if (result !== t) t.copy_(result);
    } else {
      // Uniform candidates in [a, b], each accepted with probability pdf(x) / pdf(mode).
      const mode = Math.max(a, Math.min(mean, b));
      const logPeak = -0.5 * ((mode - mean) / std) ** 2;
      const candidates = emptyLike(t);
      const acceptBuf = emptyLike(t);
      t.uniform_(a, b);
      candidates.copy_(t).sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(logPeak);
      let pending = acceptBuf.uniform_().log_().gt(candidates);
      if (pending.any().item() as boolean) {
        let result = t;
        for (;;) {
          candidates.uniform_(a, b);
          result = where(pending, candidates, result);
          candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(logPeak);
          pending = where(pending, acceptBuf.uniform_().log_().gt(candidates), pending);
          if (!(pending.any().item() as boolean)) break;
        }
        t.copy_(result);
      }
    }
    return t;
  });
}
