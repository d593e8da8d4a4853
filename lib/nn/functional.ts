/**
 * `torch.nn.functional`: stateless layers and losses. Options and defaults are PyTorch's.
 *
 * @example
 * ```ts
 * import { nn } from 'nodetorch';
 * const F = nn.functional;
 * const y = F.relu(F.maxPool2d(F.conv2d(x, w, b), 2));
 * ```
 * @module
 */
import * as ops from '../generated/ops';
import { nnOps } from '../generated/internal';
import { TorchError, typeError, rangeError } from '../errors';
import { Tensor } from '../tensor';
import { noGrad } from '../autograd';
import { checkBool, checkInt, checkIntList, checkNumber, checkOptions, expandInts, optionKeys } from '../validate';
import {
  input, optionalTensor, REDUCTIONS, reduction, inplaceOption, GELU_KEYS, geluApproximate, convPadding, checkLossOptions,
  REDUCTION_SPEC, KL_DIV_SPEC, HUBER_SPEC, SMOOTH_L1_SPEC, MULTILABEL_SOFT_MARGIN_SPEC, MULTI_MARGIN_SPEC, MARGIN_SPEC,
  TRIPLET_MARGIN_SPEC, TRIPLET_MARGIN_DISTANCE_SPEC, POISSON_NLL_SPEC, GAUSSIAN_NLL_SPEC, embeddingPaddingIdx, embeddingSparse, normalizedShapeArg,
  maxPoolArgs, avgPoolArgs, INTERPOLATE_KEYS, UPSAMPLE_SIZE_KEYS, INTERPOLATE_DIMS, interpolateMode, convSamePadding, foldArgs, lpPoolArgs,
  canonicalMask, dropoutProbability, COSINE_SIMILARITY_KEYS, PAIRWISE_DISTANCE_KEYS, EMBEDDING_BAG_KEYS, EMBEDDING_BAG_MODES,
  choiceIndex, embeddingBagMode, CTC_LOSS_SPEC, ctcBlank, fractionalRatio,
} from './_utils';

/** How a loss reduces over the batch. */
export type Reduction = 'none' | 'mean' | 'sum';

/** The `inplace` option of the activations that have one (default false: a new tensor). */
export interface InplaceOptions {
  /** Overwrite the input instead of allocating the result. Default false. */
  inplace?: boolean;
}

/** ReLU: `max(x, 0)`. @example `F.relu(x)`, `F.relu(x, { inplace: true })` */
export function relu(x: Tensor, options: InplaceOptions = {}): Tensor {
  return inplaceOption(options, 'relu') ? ops.relu_(input(x)) : ops.relu(input(x));
}
/** ReLU6: `min(max(x, 0), 6)`. @example `F.relu6(x)` */
export function relu6(x: Tensor, options: InplaceOptions = {}): Tensor {
  return inplaceOption(options, 'relu6') ? nnOps.relu6_(input(x)) : nnOps.relu6(input(x));
}
/** Leaky ReLU with `negativeSlope` (default 0.01). @example `F.leakyRelu(x, 0.2)` */
export function leakyRelu(x: Tensor, negativeSlope = 0.01, options: InplaceOptions = {}): Tensor {
  checkNumber(negativeSlope, 'negativeSlope');
  return inplaceOption(options, 'leakyRelu') ? nnOps.leakyRelu_(input(x), negativeSlope) : nnOps.leakyRelu(input(x), negativeSlope);
}
/**
 * Parametric ReLU: `max(0, x) + weight * min(0, x)`, `weight` of one element or one per channel
 * (dim 1). @example `F.prelu(x, weight)`
 */
export function prelu(x: Tensor, weight: Tensor): Tensor { return ops.prelu(input(x), input(weight, 'weight')); }
/**
 * Randomized leaky ReLU: in training the negative slope is drawn uniformly from
 * `[lower, upper]` per element; otherwise it is `(lower + upper) / 2`.
 * @example `F.rrelu(x, 1 / 8, 1 / 3, model.training)`
 */
export function rrelu(x: Tensor, lower = 1 / 8, upper = 1 / 3, training = false, options: InplaceOptions = {}): Tensor {
  checkNumber(lower, 'lower');
  checkNumber(upper, 'upper');
  if (lower > upper) throw rangeError(`lower <= upper (upper is ${upper})`, 'lower', lower);
  checkBool(training, 'training');
  return inplaceOption(options, 'rrelu') ? ops.rrelu_(input(x), lower, upper, training) : ops.rrelu(input(x), lower, upper, training);
}
/** ELU: `x` if `x > 0`, else `alpha * (exp(x) - 1)`. @example `F.elu(x, 1.0)` */
export function elu(x: Tensor, alpha = 1.0, options: InplaceOptions = {}): Tensor {
  checkNumber(alpha, 'alpha');
  return inplaceOption(options, 'elu') ? nnOps.elu_(input(x), alpha) : nnOps.elu(input(x), alpha);
}
/** SELU: `scale * elu(x, alpha)` with PyTorch's fixed constants. @example `F.selu(x)` */
export function selu(x: Tensor, options: InplaceOptions = {}): Tensor {
  return inplaceOption(options, 'selu') ? ops.selu_(input(x)) : ops.selu(input(x));
}
/** CELU: `max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`. @example `F.celu(x, 1.0)` */
export function celu(x: Tensor, alpha = 1.0, options: InplaceOptions = {}): Tensor {
  checkNumber(alpha, 'alpha');
  return inplaceOption(options, 'celu') ? ops.celu_(input(x), alpha) : ops.celu(input(x), alpha);
}

/** Options of `gelu` (and `nn.GELU`). */
export interface GeluOptions {
  /** `'none'` (default): the exact erf form; `'tanh'`: the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/** GELU, exact (erf) or with `{ approximate: 'tanh' }`. @example `F.gelu(x, { approximate: 'tanh' })` */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const o = checkOptions(options, 'gelu options', GELU_KEYS);
  return nnOps.gelu(input(x), { approximate: geluApproximate(o.approximate) });
}
/** SiLU / swish: `x * sigmoid(x)`. @example `F.silu(x)` */
export function silu(x: Tensor, options: InplaceOptions = {}): Tensor {
  return inplaceOption(options, 'silu') ? nnOps.silu_(input(x)) : nnOps.silu(input(x));
}
/** Mish: `x * tanh(softplus(x))`. @example `F.mish(x)` */
export function mish(x: Tensor, options: InplaceOptions = {}): Tensor {
  return inplaceOption(options, 'mish') ? nnOps.mish_(input(x)) : nnOps.mish(input(x));
}
/** Logistic sigmoid. @example `F.sigmoid(x)` */
export function sigmoid(x: Tensor): Tensor { return ops.sigmoid(input(x)); }
/** Hyperbolic tangent. @example `F.tanh(x)` */
export function tanh(x: Tensor): Tensor { return ops.tanh(input(x)); }
/**
 * Softplus: `log(1 + exp(beta * x)) / beta`, and `x` itself where `beta * x > threshold`.
 * @example `F.softplus(x, 1, 20)`
 */
export function softplus(x: Tensor, beta = 1.0, threshold = 20.0): Tensor {
  return nnOps.softplus(input(x), checkNumber(beta, 'beta'), checkNumber(threshold, 'threshold'));
}
/** Softsign: `x / (1 + |x|)`. @example `F.softsign(x)` */
export function softsign(x: Tensor): Tensor {
  const t = input(x);
  return ops.div(t, ops.add(ops.abs(t), 1));
}
/** Soft shrinkage: `x - lambd` above `lambd`, `x + lambd` below `-lambd`, else 0. @example `F.softshrink(x, 0.5)` */
export function softshrink(x: Tensor, lambd = 0.5): Tensor { return nnOps.softshrink(input(x), checkNumber(lambd, 'lambd')); }
/** Hard shrinkage: `x` where `|x| > lambd`, else 0. @example `F.hardshrink(x, 0.5)` */
export function hardshrink(x: Tensor, lambd = 0.5): Tensor { return ops.hardshrink(input(x), checkNumber(lambd, 'lambd')); }
/** Tanh shrinkage: `x - tanh(x)`. @example `F.tanhshrink(x)` */
export function tanhshrink(x: Tensor): Tensor {
  const t = input(x);
  return ops.sub(t, ops.tanh(t));
}
/** HardTanh: `x` clamped to `[minVal, maxVal]`. @example `F.hardtanh(x, -1, 1)` */
export function hardtanh(x: Tensor, minVal = -1.0, maxVal = 1.0, options: InplaceOptions = {}): Tensor {
  checkNumber(minVal, 'minVal');
  checkNumber(maxVal, 'maxVal');
  return inplaceOption(options, 'hardtanh') ? nnOps.hardtanh_(input(x), minVal, maxVal) : nnOps.hardtanh(input(x), minVal, maxVal);
}
/** Hardswish: `x * relu6(x + 3) / 6`. @example `F.hardswish(x)` */
export function hardswish(x: Tensor, options: InplaceOptions = {}): Tensor {
  return inplaceOption(options, 'hardswish') ? nnOps.hardswish_(input(x)) : nnOps.hardswish(input(x));
}
/** Hardsigmoid: `relu6(x + 3) / 6`. @example `F.hardsigmoid(x)` */
export function hardsigmoid(x: Tensor, options: InplaceOptions = {}): Tensor {
  return inplaceOption(options, 'hardsigmoid') ? nnOps.hardsigmoid_(input(x)) : nnOps.hardsigmoid(input(x));
}
/** `log(sigmoid(x))`, computed stably (PyTorch's `F.logsigmoid`). @example `F.logsigmoid(x)` */
export function logsigmoid(x: Tensor): Tensor { return nnOps.logSigmoid(input(x)); }
/** Alias of {@link logsigmoid}. */
export const logSigmoid = logsigmoid;
/** `x` where `x > threshold`, else `value`. @example `F.threshold(x, 0.1, 20)` */
export function threshold(x: Tensor, threshold: number, value: number, options: InplaceOptions = {}): Tensor {
  checkNumber(threshold, 'threshold');
  checkNumber(value, 'value');
  return inplaceOption(options, 'threshold') ? ops.threshold_(input(x), threshold, value) : ops.threshold(input(x), threshold, value);
}
// PyTorch's in-place forms of the activations above (`F.relu_(x)` is `F.relu(x, inplace=True)`).
const thresholdOf = threshold;
/** {@link relu} in place: overwrites `x` and returns it. @example `F.relu_(x)` */
export function relu_(x: Tensor): Tensor { return relu(x, { inplace: true }); }
/** {@link leakyRelu} in place. @example `F.leakyRelu_(x, 0.2)` */
export function leakyRelu_(x: Tensor, negativeSlope = 0.01): Tensor { return leakyRelu(x, negativeSlope, { inplace: true }); }
/** {@link rrelu} in place. @example `F.rrelu_(x, 1 / 8, 1 / 3, model.training)` */
export function rrelu_(x: Tensor, lower = 1 / 8, upper = 1 / 3, training = false): Tensor { return rrelu(x, lower, upper, training, { inplace: true }); }
/** {@link elu} in place. @example `F.elu_(x)` */
export function elu_(x: Tensor, alpha = 1.0): Tensor { return elu(x, alpha, { inplace: true }); }
/** {@link selu} in place. @example `F.selu_(x)` */
export function selu_(x: Tensor): Tensor { return selu(x, { inplace: true }); }
/** {@link celu} in place. @example `F.celu_(x)` */
export function celu_(x: Tensor, alpha = 1.0): Tensor { return celu(x, alpha, { inplace: true }); }
/** {@link hardtanh} in place. @example `F.hardtanh_(x, -1, 1)` */
export function hardtanh_(x: Tensor, minVal = -1.0, maxVal = 1.0): Tensor { return hardtanh(x, minVal, maxVal, { inplace: true }); }
/** `F.threshold` in place. @example `F.threshold_(x, 0.1, 20)` */
export function threshold_(x: Tensor, threshold: number, value: number): Tensor { return thresholdOf(x, threshold, value, { inplace: true }); }

/** Gated linear unit: halves `x` along `dim` into `a, b` and returns `a * sigmoid(b)`. @example `F.glu(x, -1)` */
export function glu(x: Tensor, dim = -1): Tensor {
  const t = input(x);
  checkInt(dim, 'dim');
  if (t.dim() === 0) throw new TorchError('glu does not support scalars because halving size must be even');
  return nnOps.glu(t, dim);
}

/** PyTorch's implicit softmax dim for `dim = None` (deprecated there): 0 for 0-, 1- and 3-D input, else 1. */
function softmaxDim(t: Tensor, dim: number | null | undefined): number {
  if (dim === undefined || dim === null) { const n = t.dim(); return n === 0 || n === 1 || n === 3 ? 0 : 1; }
  return checkInt(dim, 'dim');
}

/**
 * Softmax along `dim`. Without `dim`, PyTorch's deprecated implicit choice (0 for 0-, 1- and 3-D
 * input, else 1). @example `F.softmax(logits, 1)`
 */
export function softmax(x: Tensor, dim?: number | null): Tensor { const t = input(x); return ops.softmax(t, softmaxDim(t, dim)); }
/** Log-softmax along `dim` (implicit `dim` as in {@link softmax}). @example `F.logSoftmax(logits, 1)` */
export function logSoftmax(x: Tensor, dim?: number | null): Tensor { const t = input(x); return ops.logSoftmax(t, softmaxDim(t, dim)); }
/** Softmin along `dim`: `softmax(-x, dim)` (implicit `dim` as in {@link softmax}). @example `F.softmin(x, 1)` */
export function softmin(x: Tensor, dim?: number | null): Tensor { const t = input(x); return ops.softmax(ops.neg(t), softmaxDim(t, dim)); }
/** Options of `gumbelSoftmax`. */
export interface GumbelSoftmaxOptions {
  /** The temperature, greater than 0. Default 1. */
  tau?: number;
  /** One-hot samples whose gradient is the soft sample's (straight-through). Default false. */
  hard?: boolean;
  /** Default -1. */
  dim?: number;
}

const GUMBEL_SOFTMAX_KEYS = optionKeys<GumbelSoftmaxOptions>({ tau: true, hard: true, dim: true });

/**
 * A sample from the Gumbel-softmax distribution over `logits` (unnormalised log-probabilities),
 * with the Gumbel noise drawn from the global generator as torch/nn/functional.py draws it.
 * @example
 * ```ts
 * F.gumbelSoftmax(logits, { tau: 0.5, hard: true })
 * ```
 */
export function gumbelSoftmax(logits: Tensor, options: GumbelSoftmaxOptions = {}): Tensor {
  const o = checkOptions(options, 'gumbelSoftmax options', GUMBEL_SOFTMAX_KEYS) as GumbelSoftmaxOptions;
  const t = input(logits, 'logits');
  const tau = checkNumber(o.tau ?? 1, 'tau');
  const dim = checkInt(o.dim ?? -1, 'dim');
  // contiguous, as PyTorch's legacy_contiguous_format: the noise fills memory in the same order
  const gumbels = ops.neg(ops.emptyLike(t, { memoryFormat: 'contiguous_format' }).exponential_().log());
  const soft = ops.softmax(ops.div(ops.add(t, gumbels), tau), dim);
  if (!checkBool(o.hard ?? false, 'hard')) return soft;
  const index = soft.max(dim, true)[1];
  const hard = ops.emptyLike(t, { memoryFormat: 'contiguous_format' }).zero_().scatter_(dim, index, 1);
  return ops.add(ops.sub(hard, soft.detach()), soft);
}

/** Flattens `startDim..endDim`. @example `F.flatten(x, 1)` */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor { return input(x).flatten(startDim, endDim); }

/**
 * Zeroes elements with probability `p` and scales the rest by `1/(1-p)` when `training`.
 * @example
 * ```ts
 * F.dropout(x, 0.5, this.training)
 * ```
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkNumber(p, 'p');
  if (p < 0 || p > 1) throw rangeError('a probability in [0, 1]', 'p', p);
  return ops.dropout(input(x), p, checkBool(training, 'training'));
}

/** Options of `conv2d` (and `nn.Conv2d`). */
export interface Conv2dOptions {
  /** Default 1. */
  stride?: number | [number, number];
  /** Default 0; `'valid'` is 0, `'same'` keeps the size (stride 1 only). */
  padding?: number | [number, number] | 'valid' | 'same';
  /** Default 1. */
  dilation?: number | [number, number];
  /** Default 1. */
  groups?: number;
}

/**
 * 2-D convolution over `[N, C, H, W]` input with weight `[out, in/groups, kH, kW]`.
 * @example
 * ```ts
 * F.conv2d(x, weight, bias, { stride: 1, padding: 2 })
 * ```
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  return convNd(2, 'conv2d', x, weight, bias, options);
}

/**
 * `x @ weight.T + bias`.
 * @example
 * ```ts
 * F.linear(x, weight, bias)
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return nnOps.linear(input(x), input(weight, 'weight'), optionalTensor(bias, 'bias'));
}

/** Options of `maxPool2d` (and `nn.MaxPool2d`). */
export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: number | [number, number];
  /** Default 0. */
  padding?: number | [number, number];
  /** Default 1. */
  dilation?: number | [number, number];
  /** Default false. */
  ceilMode?: boolean;
}

const MAX_POOL_KEYS = optionKeys<MaxPool2dOptions>({ stride: true, padding: true, dilation: true, ceilMode: true });

/** A max pool's output: the tensor, or `[output, indices]` where `returnIndices` is true. */
export type PoolOutput<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

/** PyTorch's `return_indices` of the functional max pools. */
export interface ReturnIndices<R extends boolean = boolean> {
  /** Return `[output, indices]` instead of the output. Default false. */
  returnIndices?: R;
}

/** Whether `options` names `returnIndices` (the common call does not, and takes no copy). */
const namesReturnIndices = (options: unknown): boolean => options !== null && typeof options === 'object' && 'returnIndices' in options;

/** `options` without `returnIndices`, and whether it was true. */
function splitReturnIndices<O>(options: O): [O, boolean] {
  const { returnIndices, ...rest } = options as O & ReturnIndices;
  return [rest as O, checkBool(returnIndices ?? false, 'returnIndices')];
}

/**
 * 2-D max pooling; with `returnIndices: true`, `[output, indices]` (as `maxPool2dWithIndices`).
 * @example
 * ```ts
 * F.maxPool2d(x, 2)
 * const [y, indices] = F.maxPool2d(x, 2, { returnIndices: true });
 * ```
 */
export function maxPool2d<R extends boolean = false>(x: Tensor, kernelSize: number | [number, number],
  options: MaxPool2dOptions & ReturnIndices<R> = {}): PoolOutput<R> {
  let rest: MaxPool2dOptions = options;
  if (namesReturnIndices(options)) {
    const [without, withIndices] = splitReturnIndices(options);
    if (withIndices) return maxPool2dWithIndices(x, kernelSize, without) as PoolOutput<R>;
    rest = without;
  }
  const o = checkOptions(rest, 'maxPool2d options', MAX_POOL_KEYS) as MaxPool2dOptions;
  const kernel = expandInts(kernelSize, 2, 'kernelSize', 1);
  return ops.maxPool2d(input(x), kernel, expandInts(o.stride ?? kernel, 2, 'stride', 1), expandInts(o.padding ?? 0, 2, 'padding'),
    expandInts(o.dilation ?? 1, 2, 'dilation', 1), checkBool(o.ceilMode ?? false, 'ceilMode')) as PoolOutput<R>;
}

/** Options of `avgPool2d` (and `nn.AvgPool2d`). */
export type AvgPool2dOptions = AvgPoolOptions;

/**
 * 2-D average pooling.
 * @example
 * ```ts
 * F.avgPool2d(x, 2)
 * ```
 */
export function avgPool2d(x: Tensor, kernelSize: number | [number, number], options: AvgPoolOptions = {}): Tensor {
  const [k, st, p, ceil, count, div] = avgPoolArgs(2, 'avgPool2d', kernelSize, options);
  return nnOps.avgPool2d(input(x), k, st, p, ceil, count, div);
}

/**
 * Average pooling to a fixed output size.
 * @example
 * ```ts
 * F.adaptiveAvgPool2d(x, 1)
 * ```
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | [number, number]): Tensor {
  return nnOps.adaptiveAvgPool2d(input(x), expandInts(outputSize, 2, 'outputSize', 1));
}

/** Options of `batchNorm`. */
export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Use batch statistics (and update the running ones). Default false. */
  training?: boolean;
  /** Default 0.1. */
  momentum?: number;
  /** Default 1e-5. */
  eps?: number;
}

/**
 * Batch normalisation over the channel dimension (1).
 * @example
 * ```ts
 * F.batchNorm(x, runningMean, runningVar, { training: true })
 * ```
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const o = checkOptions(options, 'batchNorm options', optionKeys<BatchNormOptions>({ weight: true, bias: true, training: true, momentum: true, eps: true })) as BatchNormOptions;
  return ops.batchNorm(input(x), optionalTensor(o.weight, 'weight'), optionalTensor(o.bias, 'bias'),
    optionalTensor(runningMean, 'runningMean'), optionalTensor(runningVar, 'runningVar'), checkBool(o.training ?? false, 'training'),
    checkNumber(o.momentum ?? 0.1, 'momentum'), checkNumber(o.eps ?? 1e-5, 'eps'), true);
}

/** Options of the class-index losses. */
export interface NllLossOptions {
  /** A weight per class. */
  weight?: Tensor | null;
  /** Default `'mean'`. */
  reduction?: Reduction;
  /** Targets with this value are skipped. Default -100. */
  ignoreIndex?: number;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Default 0. */
  labelSmoothing?: number;
}

// LibTorch reports a batch mismatch with the batch sizes only; users need both shapes, and
// float labels (a common port slip: labels made by torch.tensor of fractions, or .float()) need
// the hint that class indices are int64.
function checkClassTarget(x: Tensor, target: Tensor, name: string): void {
  const xs = x.shape;
  const ts = target.shape;
  const classIndices = target.dtype.startsWith('int') || target.dtype === 'uint8';
  const ok = classIndices
    ? (xs.length === ts.length + 1 && xs[0] === (ts[0] ?? xs[0])) || (xs.length === 1 && ts.length === 0)
    : xs.length === ts.length && xs.every((d, i) => d === ts[i]);
  if (ok) return;
  let why: string;
  if (classIndices) why = 'class indices need target shape [N] for input [N, C]';
  else if (ts.length === xs.length - 1) {
    why = `a ${target.dtype} target is read as class probabilities, which need the input's shape; ` +
      'class indices must be int64 (target.long())';
  } else why = "class probabilities need the input's shape";
  throw new TorchError(`${name}: the model output of shape [${xs.join(', ')}] does not match the target of shape ` +
    `[${ts.join(', ')}] (${why})`, 'SHAPE_MISMATCH');
}

const NLL_LOSS_KEYS = optionKeys<NllLossOptions>({ weight: true, reduction: true, ignoreIndex: true });
const CROSS_ENTROPY_KEYS = optionKeys<CrossEntropyOptions>({ weight: true, reduction: true, ignoreIndex: true, labelSmoothing: true });

/**
 * Cross-entropy between logits `[N, C]` and class indices `[N]` (int64) or class
 * probabilities `[N, C]`; includes the softmax.
 * @example
 * ```ts
 * const loss = F.crossEntropy(model(imgs), labels);
 * ```
 */
export function crossEntropy(x: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const o = checkOptions(options, 'crossEntropy options', CROSS_ENTROPY_KEYS) as CrossEntropyOptions;
  const xi = input(x);
  const t = input(target, 'target');
  checkClassTarget(xi, t, 'crossEntropy');
  const smoothing = checkNumber(o.labelSmoothing ?? 0, 'labelSmoothing');
  if (smoothing < 0 || smoothing > 1) throw rangeError('a value in [0, 1]', 'labelSmoothing', smoothing);
  return nnOps.crossEntropyLoss(xi, t, optionalTensor(o.weight, 'weight'), reduction(o.reduction), checkInt(o.ignoreIndex ?? -100, 'ignoreIndex'), smoothing);
}

/**
 * Negative log-likelihood of log-probabilities `[N, C]` at class indices `[N]`.
 * @example
 * ```ts
 * F.nllLoss(F.logSoftmax(logits, 1), labels)
 * ```
 */
export function nllLoss(x: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const o = checkOptions(options, 'nllLoss options', NLL_LOSS_KEYS) as NllLossOptions;
  const xi = input(x);
  const t = input(target, 'target');
  checkClassTarget(xi, t, 'nllLoss');
  return nnOps.nllLossNd(xi, t, optionalTensor(o.weight, 'weight'), reduction(o.reduction), checkInt(o.ignoreIndex ?? -100, 'ignoreIndex'));
}

/**
 * Mean squared error.
 * @example
 * ```ts
 * F.mseLoss(prediction, target)
 * ```
 */
export function mseLoss(x: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  return nnOps.mseLoss(input(x), input(target, 'target'), reduction(checkOptions(options, 'mseLoss options', ['reduction']).reduction));
}

/**
 * Mean absolute error.
 * @example
 * ```ts
 * F.l1Loss(prediction, target)
 * ```
 */
export function l1Loss(x: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  return nnOps.l1Loss(input(x), input(target, 'target'), reduction(checkOptions(options, 'l1Loss options', ['reduction']).reduction));
}

/**
 * Binary cross-entropy of probabilities.
 * @example
 * ```ts
 * F.binaryCrossEntropy(F.sigmoid(logits), targets)
 * ```
 */
export function binaryCrossEntropy(x: Tensor, target: Tensor, options: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const o = checkOptions(options, 'binaryCrossEntropy options', ['weight', 'reduction']);
  return nnOps.binaryCrossEntropy(input(x), input(target, 'target'), optionalTensor(o.weight, 'weight'), reduction(o.reduction));
}

/**
 * Binary cross-entropy of logits (sigmoid included, numerically stable).
 * @example
 * ```ts
 * F.binaryCrossEntropyWithLogits(logits, targets)
 * ```
 */
export function binaryCrossEntropyWithLogits(
  x: Tensor, target: Tensor, options: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
): Tensor {
  const o = checkOptions(options, 'binaryCrossEntropyWithLogits options', ['weight', 'posWeight', 'reduction']);
  return ops.binaryCrossEntropyWithLogits(input(x), input(target, 'target'), optionalTensor(o.weight, 'weight'),
    optionalTensor(o.posWeight, 'posWeight'), reduction(o.reduction));
}

// ---- The other losses of torch.nn.functional, composed as torch/nn/functional.py composes them.

/** Options of the losses that take only `reduction`. */
export interface ReductionOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** Options of `klDiv`. */
export interface KlDivOptions {
  /** `'mean'` (default; divides by every element), `'batchmean'` (divides by the batch size, the KL divergence), `'sum'` or `'none'`. */
  reduction?: Reduction | 'batchmean';
  /** Whether `target` holds log-probabilities. Default false. */
  logTarget?: boolean;
}

/**
 * Kullback–Leibler divergence of log-probabilities `x` from `target`.
 * @example
 * ```ts
 * F.klDiv(F.logSoftmax(logits, 1), probs, { reduction: 'batchmean' })
 * ```
 */
export function klDiv(x: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  const o = checkLossOptions<KlDivOptions>(options, 'klDiv options', KL_DIV_SPEC);
  const xi = input(x);
  const batchmean = o.reduction === 'batchmean';
  const reduced = ops.klDiv(xi, input(target, 'target'), batchmean ? REDUCTIONS.sum : reduction(o.reduction), { logTarget: o.logTarget ?? false });
  return batchmean && xi.dim() !== 0 ? ops.div(reduced, xi.shape[0]) : reduced;
}

function broadcastPair(x: unknown, target: unknown): Tensor[] {
  return ops.broadcastTensors([input(x), input(target, 'target')]);
}

/** Options of `huberLoss`. */
export interface HuberLossOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

/** Huber loss. @example `F.huberLoss(prediction, target, { delta: 0.5 })` */
export function huberLoss(x: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const o = checkLossOptions<HuberLossOptions>(options, 'huberLoss options', HUBER_SPEC);
  const [a, b] = broadcastPair(x, target);
  return nnOps.huberLoss(a, b, reduction(o.reduction), o.delta ?? 1);
}

/** Options of `smoothL1Loss`. */
export interface SmoothL1LossOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear. Default 1; 0 is the L1 loss. */
  beta?: number;
}

/** Smooth L1 loss. @example `F.smoothL1Loss(prediction, target, { beta: 0.5 })` */
export function smoothL1Loss(x: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  const o = checkLossOptions<SmoothL1LossOptions>(options, 'smoothL1Loss options', SMOOTH_L1_SPEC);
  const [a, b] = broadcastPair(x, target);
  const beta = o.beta ?? 1;
  if (beta < 0) throw rangeError('a non-negative number', 'beta', beta);
  return beta === 0 ? nnOps.l1Loss(a, b, reduction(o.reduction)) : nnOps.smoothL1Loss(a, b, reduction(o.reduction), beta);
}

/** Logistic loss of scores `x` and targets ±1. @example `F.softMarginLoss(scores, signs)` */
export function softMarginLoss(x: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const o = checkLossOptions<ReductionOptions>(options, 'softMarginLoss options', REDUCTION_SPEC);
  return nnOps.softMarginLoss(input(x), input(target, 'target'), reduction(o.reduction));
}

/** Options of `multilabelSoftMarginLoss`. */
export interface MultilabelSoftMarginLossOptions extends ReductionOptions {
  /** A weight per class. */
  weight?: Tensor | null;
}

/**
 * One-versus-all logistic loss of scores `[N, C]` and 0/1 targets `[N, C]`.
 * @example `F.multilabelSoftMarginLoss(scores, labels)`
 */
export function multilabelSoftMarginLoss(x: Tensor, target: Tensor, options: MultilabelSoftMarginLossOptions = {}): Tensor {
  const o = checkLossOptions<MultilabelSoftMarginLossOptions>(options, 'multilabelSoftMarginLoss options', MULTILABEL_SOFT_MARGIN_SPEC);
  const xi = input(x);
  const t = input(target, 'target');
  const r = reduction(o.reduction);
  let loss = ops.neg(ops.add(ops.mul(t, nnOps.logSigmoid(xi)), ops.mul(ops.rsub(t, 1), nnOps.logSigmoid(ops.neg(xi)))));
  const weight = optionalTensor(o.weight, 'weight');
  if (weight) loss = ops.mul(loss, weight);
  const classDim = xi.dim() - 1;
  loss = ops.div(ops.sum(loss, classDim), xi.size(classDim));
  return r === REDUCTIONS.none ? loss : r === REDUCTIONS.mean ? ops.mean(loss) : ops.sum(loss);
}

/**
 * Multi-class hinge loss of scores `[N, C]` and int64 targets `[N, C]` listing each sample's
 * classes, ended by -1.
 * @example `F.multilabelMarginLoss(scores, targets)`
 */
export function multilabelMarginLoss(x: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const o = checkLossOptions<ReductionOptions>(options, 'multilabelMarginLoss options', REDUCTION_SPEC);
  return nnOps.multilabelMarginLoss(input(x), input(target, 'target'), reduction(o.reduction));
}

/** Options of `multiMarginLoss`. */
export interface MultiMarginLossOptions extends ReductionOptions {
  /** 1 (default) or 2. */
  p?: number;
  /** Default 1. */
  margin?: number;
  /** A weight per class (one-dimensional). */
  weight?: Tensor | null;
}

/** Multi-class hinge loss of scores `[N, C]` and class indices `[N]`. @example `F.multiMarginLoss(scores, labels, { p: 2 })` */
export function multiMarginLoss(x: Tensor, target: Tensor, options: MultiMarginLossOptions = {}): Tensor {
  const o = checkLossOptions<MultiMarginLossOptions>(options, 'multiMarginLoss options', MULTI_MARGIN_SPEC);
  const r = reduction(o.reduction);
  const p = o.p ?? 1;
  if (p !== 1 && p !== 2) throw rangeError('1 or 2', 'p', p);
  const weight = optionalTensor(o.weight, 'weight');
  if (weight && weight.dim() !== 1) {
    throw new TorchError(`multiMarginLoss: weight must be one-dimensional but has shape [${weight.shape.join(', ')}]`, 'SHAPE_MISMATCH');
  }
  return nnOps.multiMarginLoss(input(x), input(target, 'target'), p, o.margin ?? 1, weight, r);
}

/** Options of the margin losses of pairs. */
export interface MarginOptions extends ReductionOptions {
  /** Default 0 (`marginRankingLoss`, `cosineEmbeddingLoss`) or 1 (`hingeEmbeddingLoss`). */
  margin?: number;
}

/**
 * `max(0, -target * (x1 - x2) + margin)`, targets ±1.
 * @example `F.marginRankingLoss(scoresA, scoresB, signs, { margin: 0.5 })`
 */
export function marginRankingLoss(x1: Tensor, x2: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  const o = checkLossOptions<MarginOptions>(options, 'marginRankingLoss options', MARGIN_SPEC);
  const a = input(x1, 'input1');
  const b = input(x2, 'input2');
  const t = input(target, 'target');
  const r = reduction(o.reduction);
  if (a.dim() !== b.dim() || a.dim() !== t.dim()) {
    throw new TorchError('marginRankingLoss: all input tensors should have the same number of dimensions but got shapes: ' +
      `input1 [${a.shape.join(', ')}], input2 [${b.shape.join(', ')}], target [${t.shape.join(', ')}]`, 'SHAPE_MISMATCH');
  }
  return ops.marginRankingLoss(a, b, t, o.margin ?? 0, r);
}

/** Hinge embedding loss of distances `x` and targets ±1. @example `F.hingeEmbeddingLoss(distances, signs)` */
export function hingeEmbeddingLoss(x: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  const o = checkLossOptions<MarginOptions>(options, 'hingeEmbeddingLoss options', MARGIN_SPEC);
  return ops.hingeEmbeddingLoss(input(x), input(target, 'target'), o.margin ?? 1, reduction(o.reduction));
}

/** Cosine embedding loss of pairs `[N, D]` and targets ±1 `[N]`. @example `F.cosineEmbeddingLoss(a, b, signs)` */
export function cosineEmbeddingLoss(x1: Tensor, x2: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  const o = checkLossOptions<MarginOptions>(options, 'cosineEmbeddingLoss options', MARGIN_SPEC);
  return ops.cosineEmbeddingLoss(input(x1, 'input1'), input(x2, 'input2'), input(target, 'target'), o.margin ?? 0, reduction(o.reduction));
}

/** Options of `tripletMarginLoss`. */
export interface TripletMarginLossOptions extends ReductionOptions {
  /** Greater than 0. Default 1. */
  margin?: number;
  /** The norm of the pairwise distance. Default 2. */
  p?: number;
  /** Added to the differences before the norm. Default 1e-6. */
  eps?: number;
  /** Use the distance from positive to negative when it is smaller. Default false. */
  swap?: boolean;
}

/** Triplet margin loss. @example `F.tripletMarginLoss(anchor, positive, negative, { margin: 0.5 })` */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginLossOptions = {}): Tensor {
  const o = checkLossOptions<TripletMarginLossOptions>(options, 'tripletMarginLoss options', TRIPLET_MARGIN_SPEC);
  const r = reduction(o.reduction);
  const margin = o.margin ?? 1;
  if (!(margin > 0)) throw rangeError('a margin greater than 0', 'margin', margin);
  return ops.tripletMarginLoss(input(anchor, 'anchor'), input(positive, 'positive'), input(negative, 'negative'),
    margin, o.p ?? 2, o.eps ?? 1e-6, o.swap ?? false, r);
}

/** Options of `tripletMarginWithDistanceLoss` (and `nn.TripletMarginWithDistanceLoss`). */
export interface TripletMarginWithDistanceLossOptions extends ReductionOptions {
  /** The distance between two batches of embeddings, one value per pair. Default: `pairwiseDistance`. */
  distanceFunction?: ((x1: Tensor, x2: Tensor) => Tensor) | null;
  /** Greater than 0. Default 1. */
  margin?: number;
  /** Use the distance from positive to negative when it is smaller. Default false. */
  swap?: boolean;
}

/**
 * Triplet margin loss over any distance: `max(d(a, p) - d(a, n) + margin, 0)`, with
 * `pairwiseDistance` unless `distanceFunction` is given.
 * @example
 * ```ts
 * F.tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: (x, y) => F.cosineSimilarity(x, y).neg().add(1) })
 * ```
 */
export function tripletMarginWithDistanceLoss(anchor: Tensor, positive: Tensor, negative: Tensor,
  options: TripletMarginWithDistanceLossOptions = {}): Tensor {
  const o = checkLossOptions<TripletMarginWithDistanceLossOptions>(options, 'tripletMarginWithDistanceLoss options', TRIPLET_MARGIN_DISTANCE_SPEC);
  const r = o.reduction ?? 'mean';
  reduction(r);
  const margin = o.margin ?? 1;
  if (!(margin > 0)) throw rangeError('a margin greater than 0', 'margin', margin);
  const [a, p, n] = [input(anchor, 'anchor'), input(positive, 'positive'), input(negative, 'negative')];
  if (a.dim() !== p.dim() || p.dim() !== n.dim()) {
    throw rangeError(`anchor, positive and negative of one number of dimensions (anchor ${a.dim()}-D, positive ${p.dim()}-D)`, 'negative', `${n.dim()}-D`);
  }
  const given = o.distanceFunction;
  const distance = given === undefined || given === null ? (x1: Tensor, x2: Tensor) => pairwiseDistance(x1, x2)
    : (x1: Tensor, x2: Tensor) => {
      const d = given(x1, x2);
      if (!(d instanceof Tensor)) throw typeError('a function returning a Tensor', 'distanceFunction', d);
      return d;
    };
  const positiveDistance = distance(a, p);
  let negativeDistance = distance(a, n);
  if (o.swap ?? false) negativeDistance = ops.minimum(negativeDistance, distance(p, n));
  const loss = ops.clampMin(ops.sub(ops.add(positiveDistance, margin), negativeDistance), 0);
  return r === 'sum' ? ops.sum(loss) : r === 'mean' ? ops.mean(loss) : loss;
}

/** Options of `poissonNllLoss`. */
export interface PoissonNllLossOptions extends ReductionOptions {
  /** Whether `x` is the log of the rate (default true) or the rate. */
  logInput?: boolean;
  /** Add the Stirling term. Default false. */
  full?: boolean;
  /** Added to the rate before the log when `logInput` is false. Default 1e-8. */
  eps?: number;
}

/** Poisson negative log-likelihood. @example `F.poissonNllLoss(logRate, counts)` */
export function poissonNllLoss(x: Tensor, target: Tensor, options: PoissonNllLossOptions = {}): Tensor {
  const o = checkLossOptions<PoissonNllLossOptions>(options, 'poissonNllLoss options', POISSON_NLL_SPEC);
  const r = reduction(o.reduction);
  return ops.poissonNllLoss(input(x), input(target, 'target'), o.logInput ?? true, o.full ?? false, o.eps ?? 1e-8, r);
}

/** Options of `gaussianNllLoss`. */
export interface GaussianNllLossOptions extends ReductionOptions {
  /** Add the constant `0.5 * log(2π)`. Default false. */
  full?: boolean;
  /** The variance is clamped to at least this (without changing its gradient). Default 1e-6. */
  eps?: number;
}

/**
 * Gaussian negative log-likelihood of means `x` with variances `variance` (a tensor of `x`'s
 * shape, or one dimension short of it, or with one dimension of size 1; or a number).
 * @example `F.gaussianNllLoss(mean, target, variance)`
 */
export function gaussianNllLoss(x: Tensor, target: Tensor, variance: Tensor | number, options: GaussianNllLossOptions = {}): Tensor {
  const o = checkLossOptions<GaussianNllLossOptions>(options, 'gaussianNllLoss options', GAUSSIAN_NLL_SPEC);
  const xi = input(x);
  const t = input(target, 'target');
  let v: Tensor;
  if (typeof variance === 'number') {
    if (!(variance >= 0)) throw rangeError('a non-negative variance', 'var', variance);
    v = ops.emptyLike(xi).fill_(variance);
  } else {
    v = input(variance, 'var');
    if (ops.any(ops.lt(v, 0)).item()) throw new RangeError('Expected non-negative entries for var but received a tensor with negative entries');
  }
  const xs = xi.shape;
  const vs = v.shape;
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!same(xs, vs)) {
    if (same(xs.slice(0, -1), vs)) v = ops.unsqueeze(v, -1);
    else if (!(xs.length === vs.length && xs.reduce((n, d, i) => n + (d !== vs[i] ? vs[i] : 0), 0) === 1)) {
      throw new TorchError(`gaussianNllLoss: var of shape [${vs.join(', ')}] does not fit the input of shape [${xs.join(', ')}]`, 'SHAPE_MISMATCH');
    }
  }
  const r = reduction(o.reduction);
  v = ops.clone(v);
  const eps = o.eps ?? 1e-6;
  noGrad(() => ops.clamp_(v, eps));
  let loss = ops.mul(ops.add(ops.log(v), ops.div(ops.pow(ops.sub(xi, t), 2), v)), 0.5);
  if (o.full ?? false) loss = ops.add(loss, 0.5 * Math.log(2 * Math.PI));
  return r === REDUCTIONS.mean ? ops.mean(loss) : r === REDUCTIONS.sum ? ops.sum(loss) : loss;
}

// ---- Embedding and normalisation (torch.nn.functional.embedding, layer_norm, group_norm, …) ----

/** Options of `embedding`, PyTorch's keyword arguments in camelCase. */
export interface EmbeddingOptions {
  /** Row that gets no gradient; negative counts from the end. Default none. */
  paddingIdx?: number | null;
  /** Renormalise looked-up rows of `weight` in place to at most this norm. Default none. */
  maxNorm?: number | null;
  /** The p of the `maxNorm` norm. Default 2. */
  normType?: number;
  /** Scale gradients by the inverse frequency of the indices in the batch. Default false. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients; only false is supported. */
  sparse?: boolean;
}

const EMBEDDING_KEYS = optionKeys<EmbeddingOptions>({ paddingIdx: true, maxNorm: true, normType: true, scaleGradByFreq: true, sparse: true });

/**
 * Looks up rows of `weight` `[numEmbeddings, embeddingDim]` at integer `indices`.
 * @example `F.embedding(torch.tensor([[0, 2]], { dtype: 'int64' }), weight, { paddingIdx: 0 })`
 */
export function embedding(indices: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  const o = checkOptions(options, 'embedding options', EMBEDDING_KEYS) as EmbeddingOptions;
  const idx = input(indices, 'input');
  const w = input(weight, 'weight');
  const paddingIdx = embeddingPaddingIdx(o.paddingIdx, w.shape[0]);
  const maxNorm = o.maxNorm === undefined || o.maxNorm === null ? null : checkNumber(o.maxNorm, 'maxNorm');
  const normType = checkNumber(o.normType ?? 2, 'normType');
  const scale = checkBool(o.scaleGradByFreq ?? false, 'scaleGradByFreq');
  embeddingSparse(o.sparse);
  if (maxNorm !== null) {
    const contiguous = idx.contiguous();
    noGrad(() => ops.embeddingRenorm_(w, contiguous, maxNorm, normType));
    return ops.embedding(w, contiguous, paddingIdx, scale, false);
  }
  return ops.embedding(w, idx, paddingIdx, scale, false);
}

/** Options of `layerNorm` and `groupNorm`. */
export interface AffineNormOptions {
  /** Elementwise scale. Default none. */
  weight?: Tensor | null;
  /** Elementwise shift. Default none. */
  bias?: Tensor | null;
  /** Default 1e-5. */
  eps?: number;
}

const AFFINE_NORM_KEYS = optionKeys<AffineNormOptions>({ weight: true, bias: true, eps: true });

/** Layer normalisation over the trailing `normalizedShape` dimensions. @example `F.layerNorm(x, [4], { weight, bias })` */
export function layerNorm(x: Tensor, normalizedShape: number | number[], options: AffineNormOptions = {}): Tensor {
  const o = checkOptions(options, 'layerNorm options', AFFINE_NORM_KEYS) as AffineNormOptions;
  return ops.layerNorm(input(x), normalizedShapeArg(normalizedShape), optionalTensor(o.weight, 'weight'),
    optionalTensor(o.bias, 'bias'), checkNumber(o.eps ?? 1e-5, 'eps'), true);
}

/** Options of `rmsNorm`. */
export interface RmsNormOptions {
  /** Elementwise scale. Default none. */
  weight?: Tensor | null;
  /** Added to the mean square. Default: the machine epsilon of the computation's dtype (float32 for half types). */
  eps?: number | null;
}

const RMS_NORM_KEYS = optionKeys<RmsNormOptions>({ weight: true, eps: true });

/**
 * Root-mean-square normalisation over the trailing `normalizedShape` dimensions:
 * `x / sqrt(mean(x²) + eps) * weight`, computed as ATen's `rms_norm` computes it (float16 and
 * bfloat16 in float32), so on LibTorch 1.13, which has no `rms_norm`, too.
 * @example
 * ```ts
 * F.rmsNorm(x, [512], { weight })
 * ```
 */
export function rmsNorm(x: Tensor, normalizedShape: number | number[], options: RmsNormOptions = {}): Tensor {
  const o = checkOptions(options, 'rmsNorm options', RMS_NORM_KEYS) as RmsNormOptions;
  const t = input(x);
  const shape = normalizedShapeArg(normalizedShape);
  const n = shape.length;
  if (t.dim() < n || shape.some((s, i) => t.shape[t.dim() - n + i] !== s)) {
    throw rangeError(`the trailing sizes of the input ([${t.shape.join(', ')}])`, 'normalizedShape', shape);
  }
  const weight = optionalTensor(o.weight, 'weight');
  const half = t.dtype === 'float16' || t.dtype === 'bfloat16';
  const u = half ? t.to('float32') : t;
  const eps = o.eps === undefined || o.eps === null ? (u.dtype === 'float64' ? 2 ** -52 : 2 ** -23) : checkNumber(o.eps, 'eps');
  const dims = shape.map((_, i) => i - n);
  let out = ops.mul(u, ops.rsqrt(ops.add(ops.mean(ops.pow(u, 2), dims, true), eps)));
  if (half) out = out.to(t.dtype);
  return weight === null ? out : ops.mul(out, weight);
}

/** Group normalisation of `[N, C, *]` over `numGroups` channel groups. @example `F.groupNorm(x, 2, { weight, bias })` */
export function groupNorm(x: Tensor, numGroups: number, options: AffineNormOptions = {}): Tensor {
  const o = checkOptions(options, 'groupNorm options', AFFINE_NORM_KEYS) as AffineNormOptions;
  const t = input(x);
  const g = checkInt(numGroups, 'numGroups', 1);
  if (t.dim() < 2) throw new TorchError(`Expected at least 2 dimensions for input tensor but received ${t.dim()}`);
  if (t.shape[1] % g !== 0) throw new TorchError(`Expected number of channels in input to be divisible by numGroups, but got input of shape [${t.shape.join(', ')}] and numGroups=${g}`);
  return ops.groupNorm(t, g, optionalTensor(o.weight, 'weight'), optionalTensor(o.bias, 'bias'), checkNumber(o.eps ?? 1e-5, 'eps'), true);
}

/** Options of `instanceNorm`. */
export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise with each instance's statistics (and update the running ones). Default true. */
  useInputStats?: boolean;
  /** Default 0.1. */
  momentum?: number;
  /** Default 1e-5. */
  eps?: number;
}

const INSTANCE_NORM_KEYS = optionKeys<InstanceNormOptions>({
  runningMean: true, runningVar: true, weight: true, bias: true, useInputStats: true, momentum: true, eps: true,
});

/** Instance normalisation of `[N, C, *]` per sample and channel. @example `F.instanceNorm(x)` */
export function instanceNorm(x: Tensor, options: InstanceNormOptions = {}): Tensor {
  const o = checkOptions(options, 'instanceNorm options', INSTANCE_NORM_KEYS) as InstanceNormOptions;
  return ops.instanceNorm(input(x), optionalTensor(o.weight, 'weight'), optionalTensor(o.bias, 'bias'),
    optionalTensor(o.runningMean, 'runningMean'), optionalTensor(o.runningVar, 'runningVar'),
    checkBool(o.useInputStats ?? true, 'useInputStats'), checkNumber(o.momentum ?? 0.1, 'momentum'), checkNumber(o.eps ?? 1e-5, 'eps'), true);
}

/** Options of `localResponseNorm`. */
export interface LocalResponseNormOptions {
  /** Default 1e-4. */
  alpha?: number;
  /** Default 0.75. */
  beta?: number;
  /** Default 1. */
  k?: number;
}

const LRN_KEYS = optionKeys<LocalResponseNormOptions>({ alpha: true, beta: true, k: true });

/** Local response normalisation across `size` neighbouring channels of `[N, C, *]`. @example `F.localResponseNorm(x, 2)` */
export function localResponseNorm(x: Tensor, size: number, options: LocalResponseNormOptions = {}): Tensor {
  const o = checkOptions(options, 'localResponseNorm options', LRN_KEYS) as LocalResponseNormOptions;
  const t = input(x);
  const n = checkInt(size, 'size', 1);
  const alpha = checkNumber(o.alpha ?? 1e-4, 'alpha');
  const beta = checkNumber(o.beta ?? 0.75, 'beta');
  const k = checkNumber(o.k ?? 1, 'k');
  const dim = t.dim();
  if (dim < 3) throw new TorchError(`Expected 3D or higher dimensionality input (got ${dim} dimensions)`);
  if (t.numel() === 0) return t;
  let div = t.mul(t);
  if (dim === 3) {
    div = ops.constantPadNd(div.unsqueeze(1), [0, 0, Math.floor(n / 2), Math.floor((n - 1) / 2)], 0);
    div = nnOps.avgPool2d(div, [n, 1], 1).squeeze(1);
  } else {
    const sizes = t.shape;
    div = div.reshape([sizes[0], 1, sizes[1], sizes[2], -1]);
    div = ops.constantPadNd(div, [0, 0, 0, 0, Math.floor(n / 2), Math.floor((n - 1) / 2)], 0);
    div = nnOps.avgPool3d(div, [n, 1, 1], 1).squeeze(1).reshape(sizes);
  }
  return t.div(div.mul(alpha).add(k).pow(beta));
}

/** Options of `normalize`. */
export interface NormalizeOptions {
  /** The norm's exponent. Default 2. */
  p?: number;
  /** Default 1. */
  dim?: number | number[];
  /** Lower bound of the norm. Default 1e-12. */
  eps?: number;
}

const NORMALIZE_KEYS = optionKeys<NormalizeOptions>({ p: true, dim: true, eps: true });

/** `x / max(‖x‖_p, eps)` along `dim`. @example `F.normalize(x, { dim: -1 })` */
export function normalize(x: Tensor, options: NormalizeOptions = {}): Tensor {
  const o = checkOptions(options, 'normalize options', NORMALIZE_KEYS) as NormalizeOptions;
  const t = input(x);
  const p = checkNumber(o.p ?? 2, 'p');
  const dim = o.dim ?? 1;
  if (Array.isArray(dim)) dim.forEach((d) => checkInt(d, 'dim')); else checkInt(dim, 'dim');
  const eps = checkNumber(o.eps ?? 1e-12, 'eps');
  return t.div(t.norm(p, dim, true).clampMin(eps).expandAs(t));
}

// ---------------------------------------------------------------------------------------------
// Pooling, padding and resampling (1-D/3-D pooling, indices, adaptive max, pad, pixel shuffle,
// interpolate), composed as torch/nn/functional.py composes them.

/** Options of the N-d max pools (`maxPool1d`, `maxPool3d`, `…WithIndices`). */
export interface MaxPoolOptions {
  /** Default: the kernel size. */
  stride?: number | number[];
  /** Default 0. */
  padding?: number | number[];
  /** Default 1. */
  dilation?: number | number[];
  /** Default false. */
  ceilMode?: boolean;
}

/**
 * 1-D max pooling over `[N, C, L]` (or `[C, L]`); with `returnIndices: true`, `[output, indices]`.
 * @example
 * ```ts
 * F.maxPool1d(x, 2)
 * ```
 */
export function maxPool1d<R extends boolean = false>(x: Tensor, kernelSize: number | [number], options: MaxPoolOptions & ReturnIndices<R> = {}): PoolOutput<R> {
  let rest: MaxPoolOptions = options;
  if (namesReturnIndices(options)) {
    const [without, withIndices] = splitReturnIndices(options);
    if (withIndices) return maxPool1dWithIndices(x, kernelSize, without) as PoolOutput<R>;
    rest = without;
  }
  return ops.maxPool1d(input(x), ...maxPoolArgs(1, 'maxPool1d', kernelSize, rest)) as PoolOutput<R>;
}

/** 1-D max pooling that also returns the argmax indices (PyTorch's `return_indices=True`). */
export function maxPool1dWithIndices(x: Tensor, kernelSize: number | [number], options: MaxPoolOptions = {}): [Tensor, Tensor] {
  return ops.maxPool1dWithIndices(input(x), ...maxPoolArgs(1, 'maxPool1dWithIndices', kernelSize, options)) as [Tensor, Tensor];
}

/** 2-D max pooling that also returns the argmax indices (flat over H×W, as PyTorch's). */
export function maxPool2dWithIndices(x: Tensor, kernelSize: number | [number, number], options: MaxPoolOptions = {}): [Tensor, Tensor] {
  return nnOps.maxPool2dWithIndices(input(x), ...maxPoolArgs(2, 'maxPool2dWithIndices', kernelSize, options)) as [Tensor, Tensor];
}

/**
 * 3-D max pooling over `[N, C, D, H, W]` (or `[C, D, H, W]`); with `returnIndices: true`,
 * `[output, indices]`.
 * @example
 * ```ts
 * F.maxPool3d(x, 2)
 * ```
 */
export function maxPool3d<R extends boolean = false>(x: Tensor, kernelSize: number | [number, number, number],
  options: MaxPoolOptions & ReturnIndices<R> = {}): PoolOutput<R> {
  let rest: MaxPoolOptions = options;
  if (namesReturnIndices(options)) {
    const [without, withIndices] = splitReturnIndices(options);
    if (withIndices) return maxPool3dWithIndices(x, kernelSize, without) as PoolOutput<R>;
    rest = without;
  }
  return ops.maxPool3d(input(x), ...maxPoolArgs(3, 'maxPool3d', kernelSize, rest)) as PoolOutput<R>;
}

/** 3-D max pooling that also returns the argmax indices (flat over D×H×W). */
export function maxPool3dWithIndices(x: Tensor, kernelSize: number | [number, number, number], options: MaxPoolOptions = {}): [Tensor, Tensor] {
  return nnOps.maxPool3dWithIndices(input(x), ...maxPoolArgs(3, 'maxPool3dWithIndices', kernelSize, options)) as [Tensor, Tensor];
}

/** Options of `maxUnpool1d/2d/3d` (`stride` and `padding` also those of `nn.MaxUnpool1d/2d/3d`). */
export interface MaxUnpoolOptions {
  /** The max pool's stride. Default: the kernel size. */
  stride?: number | number[] | null;
  /** The max pool's padding. Default 0. */
  padding?: number | number[];
  /**
   * The spatial size to restore (or `[N, C, ...]` in front of it), within a stride of the size
   * the pool's arguments give. Default: that size.
   */
  outputSize?: number[] | null;
}

const MAX_UNPOOL_KEYS = optionKeys<MaxUnpoolOptions>({ stride: true, padding: true, outputSize: true });

/** Checked `[stride, padding, outputSize]` of an n-d max unpool of `x`, as torch/nn/functional.py computes them. */
function maxUnpoolArgs(n: number, name: string, x: Tensor, kernelSize: unknown, options: unknown): [number[], number[], number[]] {
  const o = checkOptions(options, `${name} options`, MAX_UNPOOL_KEYS) as MaxUnpoolOptions;
  const kernel = expandInts(kernelSize, n, 'kernelSize', 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : expandInts(o.stride, n, 'stride', 1);
  const padding = expandInts(o.padding ?? 0, n, 'padding');
  const sizes = kernel.map((k, d) => (x.shape[x.dim() - n + d] - 1) * stride[d] + k - 2 * padding[d]);
  if (o.outputSize !== undefined && o.outputSize !== null) {
    let asked = checkIntList(o.outputSize, 'outputSize');
    if (asked.length === n + 2) asked = asked.slice(2);
    if (asked.length !== n) throw rangeError(`${n} or ${n + 2} sizes`, 'outputSize', o.outputSize);
    asked.forEach((v, d) => {
      const [lo, hi] = [sizes[d] - stride[d], sizes[d] + stride[d]];
      if (!(lo < v && v < hi)) throw rangeError(`sizes between ${lo} and ${hi} in dimension ${d}, exclusive`, 'outputSize', o.outputSize);
    });
    sizes.splice(0, n, ...asked);
  }
  sizes.forEach((v) => { if (v < 0) throw rangeError('non-negative sizes', 'outputSize', sizes); });
  return [stride, padding, sizes];
}

/**
 * The partial inverse of `maxPool1d`: each value of `x` put back where `indices` (from
 * `maxPool1d(…, { returnIndices: true })`) says, zeros elsewhere.
 * @example
 * ```ts
 * const [y, i] = F.maxPool1d(x, 2, { returnIndices: true });
 * F.maxUnpool1d(y, i, 2)
 * ```
 */
export function maxUnpool1d(x: Tensor, indices: Tensor, kernelSize: number | [number], options: MaxUnpoolOptions = {}): Tensor {
  const t = input(x);
  const [, , size] = maxUnpoolArgs(1, 'maxUnpool1d', t, kernelSize, options);
  return nnOps.maxUnpool2d(t.unsqueeze(-1), input(indices, 'indices').unsqueeze(-1), [...size, 1]).squeeze(-1);
}

/** The partial inverse of `maxPool2d`, from its indices. @example `F.maxUnpool2d(y, indices, 2)` */
export function maxUnpool2d(x: Tensor, indices: Tensor, kernelSize: number | [number, number], options: MaxUnpoolOptions = {}): Tensor {
  const t = input(x);
  const [, , size] = maxUnpoolArgs(2, 'maxUnpool2d', t, kernelSize, options);
  return nnOps.maxUnpool2d(t, input(indices, 'indices'), size);
}

/** The partial inverse of `maxPool3d`, from its indices. @example `F.maxUnpool3d(y, indices, 2)` */
export function maxUnpool3d(x: Tensor, indices: Tensor, kernelSize: number | [number, number, number], options: MaxUnpoolOptions = {}): Tensor {
  const t = input(x);
  const [stride, padding, size] = maxUnpoolArgs(3, 'maxUnpool3d', t, kernelSize, options);
  return nnOps.maxUnpool3d(t, input(indices, 'indices'), size, stride, padding);
}

/** Options of `fractionalMaxPool2d/3d` (and their modules): `outputSize` or `outputRatio`. */
export interface FractionalMaxPoolOptions<R extends boolean = boolean> {
  /** The output's spatial size: one integer for all, or one per dimension. */
  outputSize?: number | number[] | null;
  /** The output's spatial size as a fraction of the input's (floored): one number for all, or one per dimension. */
  outputRatio?: number | number[] | null;
  /** Return `[output, indices]` instead of the output. Default false. */
  returnIndices?: R;
}

const FRACTIONAL_MAX_POOL_KEYS = optionKeys<FractionalMaxPoolOptions>({ outputSize: true, outputRatio: true, returnIndices: true });

/**
 * Fractional max pooling of the last `n` dimensions (Graham, 2014), as torch/nn/functional.py
 * runs it: the pooling regions come from `torch.rand([N, C, n])` on the input's dtype and device,
 * drawn from the global generator (`torch.manualSeed` makes them PyTorch's).
 */
function fractionalMaxPool(n: 2 | 3, name: string, x: Tensor, kernelSize: unknown, options: unknown): [Tensor, Tensor, boolean] {
  const o = checkOptions(options, `${name} options`, FRACTIONAL_MAX_POOL_KEYS) as FractionalMaxPoolOptions;
  const withIndices = checkBool(o.returnIndices ?? false, 'returnIndices');
  const t = input(x);
  const kernel = expandInts(kernelSize, n, 'kernelSize', 1);
  let size: number[];
  if (o.outputSize !== undefined && o.outputSize !== null) {
    size = expandInts(o.outputSize, n, 'outputSize', 1);
  } else if (o.outputRatio !== undefined && o.outputRatio !== null) {
    size = fractionalRatio(n, o.outputRatio).map((r, d) => Math.floor(t.shape[t.dim() - n + d] * r));
  } else {
    throw typeError('one of outputSize and outputRatio', 'outputSize', o.outputSize);
  }
  const batch = t.dim() === n + 1 ? 1 : t.shape[0];
  const samples = t.newEmpty([batch, t.shape[t.dim() - n - 1], n]).uniform_();
  const f = n === 2 ? nnOps.fractionalMaxPool2d : nnOps.fractionalMaxPool3d;
  const [out, indices] = f(t, kernel, size, samples);
  return [out, indices, withIndices];
}

/**
 * 2-D fractional max pooling of `[N, C, H, W]` (or `[C, H, W]`) to `outputSize` or
 * `outputRatio`; `[output, indices]` where `returnIndices` is true.
 * @example
 * ```ts
 * F.fractionalMaxPool2d(x, 3, { outputRatio: 0.5 })
 * ```
 */
export function fractionalMaxPool2d<R extends boolean = false>(x: Tensor, kernelSize: number | [number, number],
  options: FractionalMaxPoolOptions<R>): PoolOutput<R> {
  const [out, indices, withIndices] = fractionalMaxPool(2, 'fractionalMaxPool2d', x, kernelSize, options);
  return (withIndices ? [out, indices] : out) as PoolOutput<R>;
}

/** {@link fractionalMaxPool2d} with its indices. @example `F.fractionalMaxPool2dWithIndices(x, 2, { outputSize: 5 })` */
export function fractionalMaxPool2dWithIndices(x: Tensor, kernelSize: number | [number, number], options: FractionalMaxPoolOptions): [Tensor, Tensor] {
  const [out, indices] = fractionalMaxPool(2, 'fractionalMaxPool2dWithIndices', x, kernelSize, options);
  return [out, indices];
}

/**
 * 3-D fractional max pooling of `[N, C, D, H, W]` (or `[C, D, H, W]`); `[output, indices]`
 * where `returnIndices` is true.
 * @example
 * ```ts
 * F.fractionalMaxPool3d(x, 2, { outputSize: [3, 4, 4] })
 * ```
 */
export function fractionalMaxPool3d<R extends boolean = false>(x: Tensor, kernelSize: number | [number, number, number],
  options: FractionalMaxPoolOptions<R>): PoolOutput<R> {
  const [out, indices, withIndices] = fractionalMaxPool(3, 'fractionalMaxPool3d', x, kernelSize, options);
  return (withIndices ? [out, indices] : out) as PoolOutput<R>;
}

/** {@link fractionalMaxPool3d} with its indices. @example `F.fractionalMaxPool3dWithIndices(x, 2, { outputRatio: 0.5 })` */
export function fractionalMaxPool3dWithIndices(x: Tensor, kernelSize: number | [number, number, number], options: FractionalMaxPoolOptions): [Tensor, Tensor] {
  const [out, indices] = fractionalMaxPool(3, 'fractionalMaxPool3dWithIndices', x, kernelSize, options);
  return [out, indices];
}

/** Options of `avgPool1d`/`avgPool2d`/`avgPool3d` (`divisorOverride` is 2-D and 3-D only, as in PyTorch). */
export interface AvgPoolOptions {
  /** Default: the kernel size. */
  stride?: number | number[];
  /** Default 0. */
  padding?: number | number[];
  /** Default false. */
  ceilMode?: boolean;
  /** Default true. */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size (2-D and 3-D only). Default null. */
  divisorOverride?: number | null;
}

/**
 * 1-D average pooling.
 * @example
 * ```ts
 * F.avgPool1d(x, 3, { stride: 2 })
 * ```
 */
export function avgPool1d(x: Tensor, kernelSize: number | [number], options: Omit<AvgPoolOptions, 'divisorOverride'> = {}): Tensor {
  const [k, s, p, ceil, count] = avgPoolArgs(1, 'avgPool1d', kernelSize, options);
  return ops.avgPool1d(input(x), k, s, p, ceil, count);
}

/**
 * 3-D average pooling.
 * @example
 * ```ts
 * F.avgPool3d(x, 2)
 * ```
 */
export function avgPool3d(x: Tensor, kernelSize: number | [number, number, number], options: AvgPoolOptions = {}): Tensor {
  const [k, s, p, ceil, count, div] = avgPoolArgs(3, 'avgPool3d', kernelSize, options);
  return nnOps.avgPool3d(input(x), k, s, p, ceil, count, div);
}

/** An adaptive pool's output size: an integer, or one per spatial dimension where `null` keeps the input's. */
export type AdaptiveSize = number | (number | null)[];

/** The adaptive output size with `null` entries replaced by the input's size. */
function adaptiveSize(x: Tensor, n: number, value: unknown): number[] {
  const list = typeof value === 'number' ? new Array(n).fill(value) : value;
  if (!Array.isArray(list) || list.length !== n) throw typeError(`an integer or ${n} integers (or nulls)`, 'outputSize', value);
  return list.map((v, i) => (v === null ? x.shape[x.dim() - n + i] : checkInt(v, 'outputSize', 0)));
}

/** 1-D adaptive average pooling to `outputSize`. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number | [number]): Tensor {
  const t = input(x);
  return ops.adaptiveAvgPool1d(t, adaptiveSize(t, 1, outputSize));
}

/** 3-D adaptive average pooling to `outputSize` (`null` entries keep the input's size). */
export function adaptiveAvgPool3d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const t = input(x);
  return nnOps.adaptiveAvgPool3d(t, adaptiveSize(t, 3, outputSize));
}

/** 1-D adaptive max pooling, with the argmax indices. */
export function adaptiveMaxPool1dWithIndices(x: Tensor, outputSize: number | [number]): [Tensor, Tensor] {
  const t = input(x);
  return ops.adaptiveMaxPool1d(t, adaptiveSize(t, 1, outputSize)) as [Tensor, Tensor];
}

/** 2-D adaptive max pooling, with the argmax indices. */
export function adaptiveMaxPool2dWithIndices(x: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] {
  const t = input(x);
  return nnOps.adaptiveMaxPool2d(t, adaptiveSize(t, 2, outputSize));
}

/** 3-D adaptive max pooling, with the argmax indices. */
export function adaptiveMaxPool3dWithIndices(x: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] {
  const t = input(x);
  return nnOps.adaptiveMaxPool3d(t, adaptiveSize(t, 3, outputSize));
}

/** The output of an adaptive max pool, with its indices when `returnIndices` is true. */
function adaptiveOutput<R extends boolean>(pair: [Tensor, Tensor], returnIndices: R | undefined): PoolOutput<R> {
  return (checkBool(returnIndices ?? false, 'returnIndices') ? pair : pair[0]) as PoolOutput<R>;
}

/** 1-D adaptive max pooling to `outputSize`; `[output, indices]` where `returnIndices` is true. */
export function adaptiveMaxPool1d<R extends boolean = false>(x: Tensor, outputSize: number | [number], returnIndices?: R): PoolOutput<R> {
  return adaptiveOutput(adaptiveMaxPool1dWithIndices(x, outputSize), returnIndices);
}
/** 2-D adaptive max pooling to `outputSize`; `[output, indices]` where `returnIndices` is true. */
export function adaptiveMaxPool2d<R extends boolean = false>(x: Tensor, outputSize: AdaptiveSize, returnIndices?: R): PoolOutput<R> {
  return adaptiveOutput(adaptiveMaxPool2dWithIndices(x, outputSize), returnIndices);
}
/** 3-D adaptive max pooling to `outputSize`; `[output, indices]` where `returnIndices` is true. */
export function adaptiveMaxPool3d<R extends boolean = false>(x: Tensor, outputSize: AdaptiveSize, returnIndices?: R): PoolOutput<R> {
  return adaptiveOutput(adaptiveMaxPool3dWithIndices(x, outputSize), returnIndices);
}

/** How `pad` fills the border. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Options of `pad`. */
export interface PadOptions {
  /** Default 'constant'. */
  mode?: PadMode;
  /** The fill of 'constant' mode. Default 0. */
  value?: number | null;
}

const PAD_KEYS = optionKeys<PadOptions>({ mode: true, value: true });

/**
 * Pads the last `pad.length / 2` dimensions: `pad` is `[left, right, top, bottom, front, back]`,
 * last dimension first, as PyTorch's. The third argument may be the mode itself.
 * @example
 * ```ts
 * F.pad(x, [1, 1, 2, 0], { mode: 'reflect' })
 * F.pad(x, [1, 1], 'replicate')
 * ```
 */
export function pad(x: Tensor, pad: number[], options: PadOptions | PadMode = {}): Tensor {
  const o = (typeof options === 'string' ? { mode: options } : checkOptions(options, 'pad options', PAD_KEYS)) as PadOptions;
  const t = input(x);
  if (!Array.isArray(pad)) throw typeError('an even-length array of integers', 'pad', pad);
  const pads = checkIntList(pad, 'pad');
  if (pads.length % 2 !== 0) throw typeError('an even-length array of integers', 'pad', pad);
  const mode = o.mode ?? 'constant';
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) {
    throw (typeof mode === 'string' ? rangeError : typeError)("'constant', 'reflect', 'replicate' or 'circular'", 'mode', mode);
  }
  const value = o.value === undefined || o.value === null ? null : checkNumber(o.value, 'value');
  if (mode !== 'constant') {
    if (value !== null && value !== 0) throw rangeError("no value (a fill is only for mode 'constant')", 'value', value);
    const n = pads.length / 2;
    if (n > 3 || t.dim() < n + 1 || t.dim() > n + 2) {
      throw rangeError(`a ${n + 1}-D or ${n + 2}-D input for ${n}-D ${mode} padding`, 'pad', pad);
    }
  }
  return nnOps.pad(t, pads, mode, value);
}

/** Rearranges `[*, C·r², H, W]` to `[*, C, H·r, W·r]`. */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  return ops.pixelShuffle(input(x), checkInt(upscaleFactor, 'upscaleFactor', 1));
}

/**
 * Splits the channels of `[N, C, *]` into `groups` groups and interleaves them (ShuffleNet's
 * channel shuffle).
 * @example
 * ```ts
 * F.channelShuffle(x, 2)
 * ```
 */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  return ops.channelShuffle(input(x), checkInt(groups, 'groups', 1));
}

/** {@link channelShuffle}, as PyTorch's `F.native_channel_shuffle`. */
export function nativeChannelShuffle(x: Tensor, groups: number): Tensor {
  return ops.nativeChannelShuffle(input(x), checkInt(groups, 'groups', 1));
}

/**
 * The `p`-norm distance between each pair of rows of `[N, M]`: the upper triangle of
 * `cdist(x, x)` row by row, `N·(N-1)/2` values.
 * @example
 * ```ts
 * F.pdist(x)
 * ```
 */
export function pdist(x: Tensor, p = 2): Tensor {
  return ops.pdist(input(x), checkNumber(p, 'p'));
}

/** Rearranges `[*, C, H·r, W·r]` to `[*, C·r², H, W]`. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  return ops.pixelUnshuffle(input(x), checkInt(downscaleFactor, 'downscaleFactor', 1));
}

/** How `interpolate` resamples. */
export type InterpolateMode = 'nearest' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear';

/** Options of `interpolate` (and `nn.Upsample`): exactly one of `size` and `scaleFactor`. */
export interface InterpolateOptions {
  /** The output's spatial size: one integer for all, or one per dimension. */
  size?: number | number[] | null;
  /** The multiplier of each spatial size: one number for all, or one per dimension. */
  scaleFactor?: number | number[] | null;
  /** Default 'nearest'. */
  mode?: InterpolateMode;
  /** Align the corner pixels (linear modes only). Default false there. */
  alignCorners?: boolean | null;
  /** Compute the output size from `scaleFactor` and then resample by that size alone. Default false. */
  recomputeScaleFactor?: boolean | null;
}

/**
 * Up/down-samples the spatial dimensions of `[N, C, *spatial]`.
 * @example
 * ```ts
 * F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' })
 * ```
 */
export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  const o = checkOptions(options, 'interpolate options', INTERPOLATE_KEYS) as InterpolateOptions;
  const t = input(x);
  const [mode, align] = interpolateMode(o);
  const n = t.dim() - 2;
  if (!INTERPOLATE_DIMS[mode].includes(n)) {
    throw rangeError(`a mode that takes ${t.dim()}-D input (${mode} takes ${INTERPOLATE_DIMS[mode].map((d) => `${d + 2}-D`).join(', ')})`, 'mode', mode);
  }
  const hasSize = o.size !== undefined && o.size !== null;
  const hasScale = o.scaleFactor !== undefined && o.scaleFactor !== null;
  if (hasSize === hasScale) throw typeError('exactly one of size and scaleFactor', 'size', o.size);
  let outputSize: number[] | null = null;
  let scales: number[] | null = null;
  if (hasSize) {
    outputSize = expandInts(o.size, n, 'size', 1);
  } else {
    const list = typeof o.scaleFactor === 'number' ? new Array(n).fill(o.scaleFactor) : o.scaleFactor;
    if (!Array.isArray(list) || list.length !== n || !list.every((s) => typeof s === 'number' && s > 0 && Number.isFinite(s))) {
      throw (Array.isArray(list) && list.length === n ? rangeError : typeError)(`a positive number or ${n} of them`, 'scaleFactor', o.scaleFactor);
    }
    scales = list as number[];
    if (o.recomputeScaleFactor !== undefined && o.recomputeScaleFactor !== null && checkBool(o.recomputeScaleFactor, 'recomputeScaleFactor')) {
      outputSize = scales.map((s, i) => Math.floor(t.shape[i + 2] * s));
      scales = null;
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = (f: any, ...rest: unknown[]): Tensor => f(t, outputSize, ...rest);
  const ac = align ?? false;
  switch (mode) {
    case 'nearest': return call(n === 1 ? nnOps.upsampleNearest1d : n === 2 ? nnOps.upsampleNearest2d : nnOps.upsampleNearest3d, scales);
    case 'linear': return call(nnOps.upsampleLinear1d, ac, scales);
    case 'bilinear': return call(nnOps.upsampleBilinear2d, ac, scales);
    case 'bicubic': return call(nnOps.upsampleBicubic2d, ac, scales);
    default: return call(nnOps.upsampleTrilinear3d, ac, scales);
  }
}

/** `size` or `scaleFactor` (exactly one) of `upsampleNearest` and `upsampleBilinear` (and their modules). */
export type UpsampleSize = Pick<InterpolateOptions, 'size' | 'scaleFactor'>;

/** {@link interpolate} under PyTorch's older name `F.upsample` (deprecated there too). */
export function upsample(x: Tensor, options: InterpolateOptions): Tensor { return interpolate(x, options); }

/** Nearest-neighbour upsampling (PyTorch's deprecated `F.upsample_nearest`): `interpolate` with mode 'nearest'. */
export function upsampleNearest(x: Tensor, options: UpsampleSize): Tensor {
  return interpolate(x, { ...(checkOptions(options, 'upsampleNearest options', UPSAMPLE_SIZE_KEYS) as UpsampleSize), mode: 'nearest' });
}

/**
 * Bilinear upsampling of `[N, C, H, W]` with the corners aligned (PyTorch's deprecated
 * `F.upsample_bilinear`): `interpolate` with mode 'bilinear' and `alignCorners: true`.
 */
export function upsampleBilinear(x: Tensor, options: UpsampleSize): Tensor {
  return interpolate(x, { ...(checkOptions(options, 'upsampleBilinear options', UPSAMPLE_SIZE_KEYS) as UpsampleSize), mode: 'bilinear', alignCorners: true });
}

// The convolution family: conv1d/conv3d (conv2d above shares their code), the transposed
// convolutions, unfold/fold and the power-average pools, composed as torch/nn/functional.py
// composes them.

/** Options of `conv1d`/`conv2d`/`conv3d` (`T`: one value per spatial dimension). */
export interface ConvOptions<T extends number[] = number[]> {
  /** Default 1. */
  stride?: number | T;
  /** Default 0; `'valid'` is 0, `'same'` keeps the size (stride 1 only; an odd total pads one more after, as PyTorch). */
  padding?: number | T | 'valid' | 'same';
  /** Default 1. */
  dilation?: number | T;
  /** Default 1. */
  groups?: number;
}

/** Options of `conv1d` (and `nn.Conv1d`). */
export type Conv1dOptions = ConvOptions<[number]>;
/** Options of `conv3d` (and `nn.Conv3d`). */
export type Conv3dOptions = ConvOptions<[number, number, number]>;

const CONV_ND_KEYS = optionKeys<ConvOptions>({ stride: true, padding: true, dilation: true, groups: true });
const CONV_INPUTS = ['[N, C, L] or [C, L]', '[N, C, H, W] or [C, H, W]', '[N, C, D, H, W] or [C, D, H, W]'];
type ConvOp = (x: Tensor, w: Tensor, b: Tensor | null, stride: number[], padding: number[], dilation: number[], groups: number) => Tensor;
type ConvTransposeOp = (x: Tensor, w: Tensor, b: Tensor | null, stride: number[], padding: number[], outputPadding: number[], groups: number, dilation: number[]) => Tensor;

/** The input and weight of an `n`-d convolution, checked: `[N, C, *spatial]` or `[C, *spatial]`, and `n + 2` weight dimensions. */
function convInputs(n: number, name: string, x: unknown, weight: unknown): [Tensor, Tensor] {
  const t = input(x);
  const w = input(weight, 'weight');
  if (t.dim() !== n + 1 && t.dim() !== n + 2) {
    throw new TorchError(`${name} expects input of shape ${CONV_INPUTS[n - 1]}, but got [${t.shape.join(', ')}]`);
  }
  if (w.dim() !== n + 2) throw new TorchError(`${name} expects a weight with ${n + 2} dimensions, but got [${w.shape.join(', ')}]`);
  return [t, w];
}

/** `conv1d`/`conv2d`/`conv3d`: options checked; an uneven 'same' padded as ATen pads it. */
function convNd(n: number, name: string, x: unknown, weight: unknown, bias: unknown, options: unknown): Tensor {
  const o = checkOptions(options, `${name} options`, CONV_ND_KEYS) as ConvOptions;
  const [xin, w] = convInputs(n, name, x, weight);
  let t = xin;
  const kernel = w.shape.slice(2);
  const stride = expandInts(o.stride ?? 1, n, 'stride', 1);
  const dilation = expandInts(o.dilation ?? 1, n, 'dilation', 1);
  const groups = checkInt(o.groups ?? 1, 'groups', 1);
  let padding: number[];
  if (o.padding === 'same') {
    const [before, after] = convSamePadding(kernel, dilation, stride);
    // As ATen's 'same': the odd extra zero after the input, the symmetric rest inside the convolution.
    if (after.some((a, i) => a !== before[i])) {
      const extra: number[] = [];
      for (let d = n - 1; d >= 0; d--) extra.push(0, after[d] - before[d]);
      t = ops.constantPadNd(t, extra, 0);
    }
    padding = before;
  } else {
    padding = convPadding(o.padding as Conv2dOptions['padding'], kernel, dilation, stride);
  }
  const conv = [ops.conv1d, ops.conv2d, ops.conv3d][n - 1] as ConvOp;
  return conv(t, w, optionalTensor(bias, 'bias'), stride, padding, dilation, groups);
}

/**
 * 1-D convolution over `[N, C, L]` (or `[C, L]`) input with weight `[out, in/groups, kL]`.
 * @example
 * ```ts
 * F.conv1d(x, weight, bias, { padding: 'same', dilation: 2 })
 * ```
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv1dOptions = {}): Tensor {
  return convNd(1, 'conv1d', x, weight, bias, options);
}

/**
 * 3-D convolution over `[N, C, D, H, W]` (or `[C, D, H, W]`) input with weight `[out, in/groups, kD, kH, kW]`.
 * @example
 * ```ts
 * F.conv3d(x, weight, bias, { stride: [1, 2, 2], padding: 1 })
 * ```
 */
export function conv3d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv3dOptions = {}): Tensor {
  return convNd(3, 'conv3d', x, weight, bias, options);
}

/** Options of `convTranspose1d/2d/3d` (`T`: one value per spatial dimension). */
export interface ConvTransposeOptions<T extends number[] = number[]> {
  /** Default 1. */
  stride?: number | T;
  /** Removes `padding` from both sides of each output dimension (`dilation·(k − 1) − padding` zeros around the input). Default 0. */
  padding?: number | T;
  /** Adds this much to one side of each output dimension; smaller than the stride or the dilation. Default 0. */
  outputPadding?: number | T;
  /** Default 1. */
  groups?: number;
  /** Default 1. */
  dilation?: number | T;
}

/** Options of `convTranspose1d` (and `nn.ConvTranspose1d`). */
export type ConvTranspose1dOptions = ConvTransposeOptions<[number]>;
/** Options of `convTranspose2d` (and `nn.ConvTranspose2d`). */
export type ConvTranspose2dOptions = ConvTransposeOptions<[number, number]>;
/** Options of `convTranspose3d` (and `nn.ConvTranspose3d`). */
export type ConvTranspose3dOptions = ConvTransposeOptions<[number, number, number]>;

const CONV_TRANSPOSE_KEYS = optionKeys<ConvTransposeOptions>({ stride: true, padding: true, outputPadding: true, groups: true, dilation: true });

/** Checked `[stride, padding, outputPadding, groups, dilation]` of an `n`-d transposed convolution. */
function convTransposeArgs(n: number, name: string, options: unknown): [number[], number[], number[], number, number[]] {
  const o = checkOptions(options, `${name} options`, CONV_TRANSPOSE_KEYS) as ConvTransposeOptions;
  const stride = expandInts(o.stride ?? 1, n, 'stride', 1);
  const padding = expandInts(o.padding ?? 0, n, 'padding');
  const outputPadding = expandInts(o.outputPadding ?? 0, n, 'outputPadding');
  const groups = checkInt(o.groups ?? 1, 'groups', 1);
  const dilation = expandInts(o.dilation ?? 1, n, 'dilation', 1);
  outputPadding.forEach((p, i) => {
    if (p >= stride[i] && p >= dilation[i]) throw rangeError('outputPadding smaller than either stride or dilation', 'outputPadding', o.outputPadding);
  });
  return [stride, padding, outputPadding, groups, dilation];
}

function convTransposeNd(n: number, name: string, x: unknown, weight: unknown, bias: unknown, options: unknown): Tensor {
  const [t, w] = convInputs(n, name, x, weight);
  const op = [ops.convTranspose1d, ops.convTranspose2d, ops.convTranspose3d][n - 1] as ConvTransposeOp;
  const [stride, padding, outputPadding, groups, dilation] = convTransposeArgs(n, name, options);
  return op(t, w, optionalTensor(bias, 'bias'), stride, padding, outputPadding, groups, dilation);
}

/**
 * 1-D transposed convolution ("deconvolution") over `[N, C, L]` (or `[C, L]`) with weight `[in, out/groups, kL]`.
 * @example
 * ```ts
 * F.convTranspose1d(x, weight, bias, { stride: 2, outputPadding: 1 })
 * ```
 */
export function convTranspose1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTranspose1dOptions = {}): Tensor {
  return convTransposeNd(1, 'convTranspose1d', x, weight, bias, options);
}

/**
 * 2-D transposed convolution over `[N, C, H, W]` (or `[C, H, W]`) with weight `[in, out/groups, kH, kW]`.
 * @example
 * ```ts
 * F.convTranspose2d(x, weight, null, { stride: 2, padding: 1 })
 * ```
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTranspose2dOptions = {}): Tensor {
  return convTransposeNd(2, 'convTranspose2d', x, weight, bias, options);
}

/**
 * 3-D transposed convolution over `[N, C, D, H, W]` (or `[C, D, H, W]`) with weight `[in, out/groups, kD, kH, kW]`.
 * @example
 * ```ts
 * F.convTranspose3d(x, weight, bias, { stride: [1, 2, 2] })
 * ```
 */
export function convTranspose3d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTranspose3dOptions = {}): Tensor {
  return convTransposeNd(3, 'convTranspose3d', x, weight, bias, options);
}

/** Options of `unfold`/`fold` (and `nn.Unfold`/`nn.Fold`). */
export interface FoldOptions {
  /** Default 1. */
  dilation?: number | [number, number];
  /** Implicit zeros on both sides of each spatial dimension. Default 0. */
  padding?: number | [number, number];
  /** Default 1. */
  stride?: number | [number, number];
}

/**
 * Extracts sliding blocks (im2col): `[N, C, H, W]` (or `[C, H, W]`) to `[N, C·kH·kW, L]`, one
 * column per block position.
 * @example
 * ```ts
 * F.unfold(x, 3, { padding: 1 }) // [1, 2, 5, 5] → [1, 18, 25]
 * ```
 */
export function unfold(x: Tensor, kernelSize: number | [number, number], options: FoldOptions = {}): Tensor {
  return nnOps.im2col(input(x), ...foldArgs('unfold', kernelSize, options));
}

/**
 * Sums sliding blocks back into an image (col2im, the adjoint of `unfold`): `[N, C·kH·kW, L]`
 * (or `[C·kH·kW, L]`) to `[N, C, *outputSize]`.
 * @example
 * ```ts
 * F.fold(cols, [5, 5], 3, { padding: 1 }) // [1, 18, 25] → [1, 2, 5, 5]
 * ```
 */
export function fold(x: Tensor, outputSize: number | [number, number], kernelSize: number | [number, number], options: FoldOptions = {}): Tensor {
  const size = expandInts(outputSize, 2, 'outputSize', 1);
  return nnOps.col2im(input(x), size, ...foldArgs('fold', kernelSize, options));
}

/** Options of `lpPool1d/2d/3d` (and `nn.LPPool1d/2d/3d`). */
export interface LpPoolOptions<T extends number[] = number[]> {
  /** Default (or null): the kernel size. */
  stride?: number | T | null;
  /** Count a last partial window. Default false. */
  ceilMode?: boolean;
}

function lpPoolNd(n: number, name: string, x: unknown, normType: unknown, kernelSize: unknown, options: unknown): Tensor {
  const [p, kernel, stride, ceil] = lpPoolArgs(n, name, normType, kernelSize, options);
  const t = input(x);
  if (p === Infinity || p === -Infinity) {
    const max = [ops.maxPool1d, ops.maxPool2d, ops.maxPool3d][n - 1] as typeof ops.maxPool1d;
    return p > 0 ? max(ops.abs(t), kernel, stride, 0, 1, ceil) : ops.neg(max(ops.neg(ops.abs(t)), kernel, stride, 0, 1, ceil));
  }
  const powered = ops.pow(t, p);
  const zeros = kernel.map(() => 0);
  const mean = n === 1 ? ops.avgPool1d(powered, kernel, stride, zeros, ceil)
    : (n === 2 ? nnOps.avgPool2d : nnOps.avgPool3d)(powered, kernel, stride, zeros, ceil);
  const windowSize = kernel.reduce((a, b) => a * b, 1);
  return ops.pow(ops.mul(ops.mul(ops.sign(mean), ops.relu(ops.abs(mean))), windowSize), 1 / p);
}

/**
 * 1-D power-average pooling: `(Σ x^p)^(1/p)` over each window (max of |x| at p = ∞); the
 * gradient is zero where the sum is zero.
 * @example
 * ```ts
 * F.lpPool1d(x, 2, 3, { stride: 2 })
 * ```
 */
export function lpPool1d(x: Tensor, normType: number, kernelSize: number | [number], options: LpPoolOptions<[number]> = {}): Tensor {
  return lpPoolNd(1, 'lpPool1d', x, normType, kernelSize, options);
}

/**
 * 2-D power-average pooling: `(Σ x^p)^(1/p)` over each window.
 * @example
 * ```ts
 * F.lpPool2d(x, 2, [3, 2])
 * ```
 */
export function lpPool2d(x: Tensor, normType: number, kernelSize: number | [number, number], options: LpPoolOptions<[number, number]> = {}): Tensor {
  return lpPoolNd(2, 'lpPool2d', x, normType, kernelSize, options);
}

/**
 * 3-D power-average pooling: `(Σ x^p)^(1/p)` over each window.
 * @example
 * ```ts
 * F.lpPool3d(x, 1.5, 2, { ceilMode: true })
 * ```
 */
export function lpPool3d(x: Tensor, normType: number, kernelSize: number | [number, number, number], options: LpPoolOptions<[number, number, number]> = {}): Tensor {
  return lpPoolNd(3, 'lpPool3d', x, normType, kernelSize, options);
}

// ---------------------------------------------------------------------------------------------
// Attention: scaled_dot_product_attention and multi_head_attention_forward, as
// torch/nn/functional.py composes them.

/** Options of `scaledDotProductAttention`, PyTorch's arguments after `value` in camelCase. */
export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcastable to `[..., L, S]`: a bool mask where `true` takes part in attention, or a float
   * mask added to the scores. Default none.
   */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (always applied when > 0). Default 0. */
  dropoutP?: number;
  /** Mask with the upper-left causal (lower-triangular) mask; not with `attnMask`. Default false. */
  isCausal?: boolean;
  /** The score scale. Default `1 / sqrt(E)`. */
  scale?: number | null;
  /** Grouped-query attention: `key`/`value` may have fewer heads (dim -3) than `query`. Default false. */
  enableGqa?: boolean;
}

const SDPA_KEYS = optionKeys<ScaledDotProductAttentionOptions>({ attnMask: true, dropoutP: true, isCausal: true, scale: true, enableGqa: true });

// Whether the loaded LibTorch has aten::scaled_dot_product_attention (2.x does, 1.13 does not);
// unknown until the first call.
let nativeSdpa: boolean | undefined;

/**
 * PyTorch's math form of attention, for a LibTorch without the fused op: softmax of the scaled
 * scores plus the mask, with a row that is masked throughout giving zeros (ATen's
 * `_safe_softmax`), then dropout, times `value`.
 */
function sdpaComposed(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, p: number, causal: boolean, scale: number | null, gqa: boolean): Tensor {
  if (gqa && q.dim() >= 3 && k.size(-3) !== q.size(-3)) {
    const groups = q.size(-3) / k.size(-3);
    k = k.repeatInterleave(groups, -3);
    v = v.repeatInterleave(groups, -3);
  }
  const L = q.size(-2);
  const S = k.size(-2);
  let scores = ops.matmul(q, k.transpose(-2, -1)).mul(scale ?? 1 / Math.sqrt(q.size(-1)));
  const masked = causal || mask !== null;
  if (causal) scores = scores.maskedFill(q.newOnes([L, S], { dtype: 'bool' }).triu(1), -Infinity);
  if (mask !== null) scores = mask.dtype === 'bool' ? scores.maskedFill(mask.logicalNot(), -Infinity) : scores.add(mask);
  let weights: Tensor;
  if (masked) {
    const emptyRows = scores.eq(-Infinity).all(-1, true);
    weights = ops.softmax(scores.maskedFill(emptyRows, 0), -1).maskedFill(emptyRows, 0);
  } else {
    weights = ops.softmax(scores, -1);
  }
  if (p > 0) weights = ops.dropout(weights, p, true);
  return ops.matmul(weights, v);
}

/**
 * Attention of `query` `[..., L, E]` over `key` `[..., S, E]` and `value` `[..., S, Ev]`:
 * `softmax(query @ keyᵀ * scale + mask) @ value`. Uses LibTorch's fused
 * `scaled_dot_product_attention` where it exists (2.x) and the same computation composed from
 * matmul and softmax on 1.13.
 * @example
 * ```ts
 * const out = F.scaledDotProductAttention(q, k, v, { isCausal: true }); // [N, heads, L, Ev]
 * ```
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const o = checkOptions(options, 'scaledDotProductAttention options', SDPA_KEYS) as ScaledDotProductAttentionOptions;
  const q = input(query, 'query');
  const k = input(key, 'key');
  const v = input(value, 'value');
  const mask = optionalTensor(o.attnMask, 'attnMask');
  const p = checkNumber(o.dropoutP ?? 0, 'dropoutP');
  if (p < 0 || p > 1) throw rangeError('a probability in [0, 1]', 'dropoutP', p);
  const causal = checkBool(o.isCausal ?? false, 'isCausal');
  if (causal && mask !== null) throw rangeError('no attnMask with isCausal (the causal mask replaces it)', 'attnMask', mask);
  const scale = o.scale === undefined || o.scale === null ? null : checkNumber(o.scale, 'scale');
  const gqa = checkBool(o.enableGqa ?? false, 'enableGqa');
  for (const [t, name] of [[q, 'query'], [k, 'key'], [v, 'value']] as const) {
    if (t.dim() < 2) throw new TorchError(`scaledDotProductAttention expects ${name} of at least 2 dimensions [..., L, E] but got shape [${t.shape.join(', ')}]`, 'SHAPE_MISMATCH');
  }
  if (q.size(-1) !== k.size(-1) || k.size(-2) !== v.size(-2)) {
    throw new TorchError(`scaledDotProductAttention expects query [..., L, E], key [..., S, E] and value [..., S, Ev] but got shapes ` +
      `[${q.shape.join(', ')}], [${k.shape.join(', ')}] and [${v.shape.join(', ')}]`, 'SHAPE_MISMATCH');
  }
  if (nativeSdpa !== false) {
    try {
      const out = nnOps.scaledDotProductAttention(q, k, v, mask, p, causal, { scale, enableGqa: gqa });
      nativeSdpa = true;
      return out;
    } catch (e) {
      if (!(e instanceof TorchError && e.code === 'OP_UNAVAILABLE')) throw e;
      nativeSdpa = false;
    }
  }
  return sdpaComposed(q, k, v, mask, p, causal, scale, gqa);
}

/** The keyword arguments of `multiHeadAttentionForward` in camelCase, PyTorch's defaults. */
export interface MultiHeadAttentionForwardOptions {
  /** Apply dropout. Default true. */
  training?: boolean;
  /** `[N, S]` (or `[S]` unbatched): bool with `true` = ignore that key, or float added to the scores. Default none. */
  keyPaddingMask?: Tensor | null;
  /** Also return the attention weights. Default true. */
  needWeights?: boolean;
  /** `[L, S]` or `[N·numHeads, L, S]`: bool with `true` = may not attend, or float added to the scores. Default none. */
  attnMask?: Tensor | null;
  /** Project with `qProjWeight`, `kProjWeight`, `vProjWeight` instead of `inProjWeight`. Default false. */
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  /** Projected keys `[N·numHeads, S, E/numHeads]` to use as they are. Default none. */
  staticK?: Tensor | null;
  /** Projected values `[N·numHeads, S, E/numHeads]` to use as they are. Default none. */
  staticV?: Tensor | null;
  /** Average the returned weights over the heads. Default true. */
  averageAttnWeights?: boolean;
  /** A hint that `attnMask` is the causal mask (which must still be given). Default false. */
  isCausal?: boolean;
}

const MHA_FORWARD_KEYS = optionKeys<MultiHeadAttentionForwardOptions>({
  training: true, keyPaddingMask: true, needWeights: true, attnMask: true, useSeparateProjWeight: true, qProjWeight: true,
  kProjWeight: true, vProjWeight: true, staticK: true, staticV: true, averageAttnWeights: true, isCausal: true,
});

const shapeOf = (t: Tensor): string => `[${t.shape.join(', ')}]`;
const sameShape = (t: Tensor, shape: number[]): boolean => t.dim() === shape.length && t.shape.every((d, i) => d === shape[i]);

function mhaShapeCheck(query: Tensor, key: Tensor, value: Tensor, keyPaddingMask: Tensor | null, attnMask: Tensor | null, numHeads: number): boolean {
  const fail = (message: string): never => { throw new TorchError(`multiHeadAttentionForward: ${message}`, 'SHAPE_MISMATCH'); };
  if (query.dim() === 3) {
    if (key.dim() !== 3 || value.dim() !== 3) fail(`for batched (3-D) query, expected key and value to be 3-D but found ${key.dim()}-D and ${value.dim()}-D tensors`);
    if (keyPaddingMask !== null && keyPaddingMask.dim() !== 2) fail(`for batched (3-D) query, expected keyPaddingMask to be null or 2-D but found a ${keyPaddingMask.dim()}-D tensor`);
    if (attnMask !== null && attnMask.dim() !== 2 && attnMask.dim() !== 3) fail(`for batched (3-D) query, expected attnMask to be null, 2-D or 3-D but found a ${attnMask.dim()}-D tensor`);
    return true;
  }
  if (query.dim() === 2) {
    if (key.dim() !== 2 || value.dim() !== 2) fail(`for unbatched (2-D) query, expected key and value to be 2-D but found ${key.dim()}-D and ${value.dim()}-D tensors`);
    if (keyPaddingMask !== null && keyPaddingMask.dim() !== 1) fail(`for unbatched (2-D) query, expected keyPaddingMask to be null or 1-D but found a ${keyPaddingMask.dim()}-D tensor`);
    if (attnMask !== null) {
      if (attnMask.dim() !== 2 && attnMask.dim() !== 3) fail(`for unbatched (2-D) query, expected attnMask to be null, 2-D or 3-D but found a ${attnMask.dim()}-D tensor`);
      const expected = [numHeads, query.shape[0], key.shape[0]];
      if (attnMask.dim() === 3 && !sameShape(attnMask, expected)) fail(`expected attnMask of shape [${expected.join(', ')}] but got ${shapeOf(attnMask)}`);
    }
    return false;
  }
  return fail(`query should be unbatched 2-D or batched 3-D but received a ${query.dim()}-D query of shape ${shapeOf(query)}`);
}

// PyTorch's _in_projection_packed: one matmul for self-attention, two when key is value.
function inProjectionPacked(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | null): [Tensor, Tensor, Tensor] {
  const E = q.size(-1);
  if (k === v) {
    if (q === k) {
      const proj = nnOps.linear(q, w, b).unflatten(-1, [3, E]).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous();
      return [proj.select(0, 0), proj.select(0, 1), proj.select(0, 2)];
    }
    const [wq, wkv] = [w.narrow(0, 0, E), w.narrow(0, E, 2 * E)];
    const [bq, bkv] = b === null ? [null, null] : [b.narrow(0, 0, E), b.narrow(0, E, 2 * E)];
    const kv = nnOps.linear(k, wkv, bkv).unflatten(-1, [2, E]).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous();
    return [nnOps.linear(q, wq, bq), kv.select(0, 0), kv.select(0, 1)];
  }
  const [wq, wk, wv] = w.chunk(3);
  const [bq, bk, bv] = b === null ? [null, null, null] : b.chunk(3);
  return [nnOps.linear(q, wq, bq), nnOps.linear(k, wk, bk), nnOps.linear(v, wv, bv)];
}

/**
 * The computation of `nn.MultiheadAttention`, as `torch.nn.functional.multi_head_attention_forward`:
 * in-projection, optional `biasK`/`biasV` and zero attention, masks, attention per head and
 * out-projection. Inputs are sequence-first: `[L, N, E]` (or unbatched `[L, E]`). Returns the
 * output and, with `needWeights`, the attention weights `[N, L, S]` (averaged) or
 * `[N, numHeads, L, S]`.
 * @example
 * ```ts
 * const [out, weights] = F.multiHeadAttentionForward(x, x, x, 8, 2, inProjWeight, inProjBias, null, null, false, 0,
 *   outProjWeight, outProjBias, { training: false });
 * ```
 */
export function multiHeadAttentionForward(
  query: Tensor, key: Tensor, value: Tensor, embedDimToCheck: number, numHeads: number,
  inProjWeight: Tensor | null, inProjBias: Tensor | null, biasK: Tensor | null, biasV: Tensor | null,
  addZeroAttn: boolean, dropoutP: number, outProjWeight: Tensor, outProjBias: Tensor | null,
  options: MultiHeadAttentionForwardOptions = {},
): [Tensor, Tensor | null] {
  const o = checkOptions(options, 'multiHeadAttentionForward options', MHA_FORWARD_KEYS) as MultiHeadAttentionForwardOptions;
  let q0 = input(query, 'query');
  let k0 = input(key, 'key');
  let v0 = input(value, 'value');
  checkInt(embedDimToCheck, 'embedDimToCheck', 1);
  checkInt(numHeads, 'numHeads', 1);
  const wIn = optionalTensor(inProjWeight, 'inProjWeight');
  const bIn = optionalTensor(inProjBias, 'inProjBias');
  const bK = optionalTensor(biasK, 'biasK');
  const bV = optionalTensor(biasV, 'biasV');
  const zeroAttn = checkBool(addZeroAttn, 'addZeroAttn');
  let p = checkNumber(dropoutP, 'dropoutP');
  if (p < 0 || p > 1) throw rangeError('a probability in [0, 1]', 'dropoutP', p);
  const wOut = input(outProjWeight, 'outProjWeight');
  const bOut = optionalTensor(outProjBias, 'outProjBias');
  const training = checkBool(o.training ?? true, 'training');
  let kpm = optionalTensor(o.keyPaddingMask, 'keyPaddingMask');
  const needWeights = checkBool(o.needWeights ?? true, 'needWeights');
  let attnMask = optionalTensor(o.attnMask, 'attnMask');
  const separate = checkBool(o.useSeparateProjWeight ?? false, 'useSeparateProjWeight');
  const staticK = optionalTensor(o.staticK, 'staticK');
  const staticV = optionalTensor(o.staticV, 'staticV');
  const average = checkBool(o.averageAttnWeights ?? true, 'averageAttnWeights');
  let isCausal = checkBool(o.isCausal ?? false, 'isCausal');

  const isBatched = mhaShapeCheck(q0, k0, v0, kpm, attnMask, numHeads);
  if (!isBatched) {
    // Unbatched input runs as a batch of one (three new tensors, as in PyTorch, so the
    // in-projection takes its general path); the batch dimension is removed again at the end.
    [q0, k0, v0] = [q0.unsqueeze(1), k0.unsqueeze(1), v0.unsqueeze(1)];
    if (kpm !== null) kpm = kpm.unsqueeze(0);
  }
  const [tgtLen, bsz, embedDim] = q0.shape;
  let srcLen = k0.shape[0];

  kpm = canonicalMask(kpm, 'keyPaddingMask', q0.dtype);
  if (isCausal && attnMask === null) {
    throw rangeError('an attnMask with isCausal (nn.Transformer.generateSquareSubsequentMask makes one)', 'attnMask', attnMask);
  }
  if (isCausal && kpm === null && !needWeights) {
    // The hint alone is enough for scaledDotProductAttention.
    attnMask = null;
  } else {
    attnMask = canonicalMask(attnMask, 'attnMask', q0.dtype);
    if (kpm !== null) isCausal = false;
  }
  if (embedDim !== embedDimToCheck) {
    throw new TorchError(`multiHeadAttentionForward: was expecting embedding dimension of ${embedDimToCheck}, but got ${embedDim}`, 'SHAPE_MISMATCH');
  }
  const headDim = Math.floor(embedDim / numHeads);
  if (headDim * numHeads !== embedDim) throw rangeError(`a divisor of the embedding dimension ${embedDim}`, 'numHeads', numHeads);
  if (separate ? k0.shape[0] !== v0.shape[0] || k0.shape[1] !== v0.shape[1] : !sameShape(k0, v0.shape)) {
    throw new TorchError(`multiHeadAttentionForward: key of shape ${shapeOf(k0)} does not match value of shape ${shapeOf(v0)}`, 'SHAPE_MISMATCH');
  }

  let q: Tensor;
  let k: Tensor;
  let v: Tensor;
  if (!separate) {
    if (wIn === null) throw typeError('a Tensor when useSeparateProjWeight is false', 'inProjWeight', wIn);
    [q, k, v] = inProjectionPacked(q0, k0, v0, wIn, bIn);
  } else {
    const wq = optionalTensor(o.qProjWeight, 'qProjWeight');
    const wk = optionalTensor(o.kProjWeight, 'kProjWeight');
    const wv = optionalTensor(o.vProjWeight, 'vProjWeight');
    if (wq === null || wk === null || wv === null) {
      throw typeError('Tensors qProjWeight, kProjWeight and vProjWeight when useSeparateProjWeight is true', 'qProjWeight', wq);
    }
    const [bq, bk, bv] = bIn === null ? [null, null, null] : bIn.chunk(3);
    const expect = (w: Tensor, shape: number[], name: string) => {
      if (!sameShape(w, shape)) throw new TorchError(`multiHeadAttentionForward: expecting ${name} of shape [${shape.join(', ')}], but got ${shapeOf(w)}`, 'SHAPE_MISMATCH');
    };
    expect(wq, [embedDim, embedDim], 'qProjWeight');
    expect(wk, [embedDim, k0.size(-1)], 'kProjWeight');
    expect(wv, [embedDim, v0.size(-1)], 'vProjWeight');
    [q, k, v] = [nnOps.linear(q0, wq, bq), nnOps.linear(k0, wk, bk), nnOps.linear(v0, wv, bv)];
  }

  if (attnMask !== null) {
    if (attnMask.dim() === 2) {
      if (!sameShape(attnMask, [tgtLen, srcLen])) {
        throw new TorchError(`multiHeadAttentionForward: the shape of the 2-D attnMask is ${shapeOf(attnMask)}, but should be [${tgtLen}, ${srcLen}]`, 'SHAPE_MISMATCH');
      }
      attnMask = attnMask.unsqueeze(0);
    } else if (!sameShape(attnMask, [bsz * numHeads, tgtLen, srcLen])) {
      throw new TorchError(`multiHeadAttentionForward: the shape of the 3-D attnMask is ${shapeOf(attnMask)}, but should be [${bsz * numHeads}, ${tgtLen}, ${srcLen}]`, 'SHAPE_MISMATCH');
    }
  }

  if (bK !== null && bV !== null) {
    if (staticK !== null || staticV !== null) throw rangeError('no staticK or staticV with biasK and biasV', 'staticK', staticK ?? staticV);
    k = ops.cat([k, bK.repeat(1, bsz, 1)]);
    v = ops.cat([v, bV.repeat(1, bsz, 1)]);
    if (attnMask !== null) attnMask = ops.constantPadNd(attnMask, [0, 1], 0);
    if (kpm !== null) kpm = ops.constantPadNd(kpm, [0, 1], 0);
  } else if (bK !== null || bV !== null) {
    throw typeError('biasK and biasV both given or both null', bK === null ? 'biasK' : 'biasV', null);
  }

  q = q.view(tgtLen, bsz * numHeads, headDim).transpose(0, 1);
  const checkStatic = (t: Tensor, name: string) => {
    if (t.size(0) !== bsz * numHeads || t.size(2) !== headDim) {
      throw new TorchError(`multiHeadAttentionForward: expecting ${name} of shape [${bsz * numHeads}, S, ${headDim}], but got ${shapeOf(t)}`, 'SHAPE_MISMATCH');
    }
    return t;
  };
  k = staticK === null ? k.view(k.shape[0], bsz * numHeads, headDim).transpose(0, 1) : checkStatic(staticK, 'staticK');
  v = staticV === null ? v.view(v.shape[0], bsz * numHeads, headDim).transpose(0, 1) : checkStatic(staticV, 'staticV');

  if (zeroAttn) {
    k = ops.cat([k, k.newZeros([bsz * numHeads, 1, headDim])], 1);
    v = ops.cat([v, v.newZeros([bsz * numHeads, 1, headDim])], 1);
    if (attnMask !== null) attnMask = ops.constantPadNd(attnMask, [0, 1], 0);
    if (kpm !== null) kpm = ops.constantPadNd(kpm, [0, 1], 0);
  }
  srcLen = k.size(1);

  if (kpm !== null) {
    if (kpm.shape[0] !== bsz || kpm.shape[1] !== srcLen) {
      throw new TorchError(`multiHeadAttentionForward: expected keyPaddingMask of shape [${bsz}, ${srcLen}] but got ${shapeOf(kpm)}`, 'SHAPE_MISMATCH');
    }
    kpm = kpm.view(bsz, 1, 1, srcLen).expand([-1, numHeads, -1, -1]).reshape(bsz * numHeads, 1, srcLen);
    attnMask = attnMask === null ? kpm : attnMask.add(kpm);
  }
  if (!training) p = 0;

  if (needWeights) {
    const qScaled = q.mul(Math.sqrt(1 / q.size(2)));
    let weights = attnMask !== null ? ops.baddbmm(attnMask, qScaled, k.transpose(-2, -1)) : ops.bmm(qScaled, k.transpose(-2, -1));
    weights = ops.softmax(weights, -1);
    if (p > 0) weights = ops.dropout(weights, p, true);
    let out = ops.bmm(weights, v).transpose(0, 1).reshape(tgtLen * bsz, embedDim);
    out = nnOps.linear(out, wOut, bOut);
    out = out.view(tgtLen, bsz, out.size(1));
    weights = weights.view(bsz, numHeads, tgtLen, srcLen);
    if (average) weights = weights.mean(1);
    if (!isBatched) return [out.squeeze(1), weights.squeeze(0)];
    return [out, weights];
  }
  if (attnMask !== null) {
    attnMask = attnMask.size(0) === 1 && attnMask.dim() === 3 ? attnMask.unsqueeze(0) : attnMask.view(bsz, numHeads, -1, srcLen);
  }
  const attended = scaledDotProductAttention(q.view(bsz, numHeads, tgtLen, headDim), k.view(bsz, numHeads, srcLen, headDim),
    v.view(bsz, numHeads, srcLen, headDim), { attnMask, dropoutP: p, isCausal });
  let out = attended.permute(2, 0, 1, 3).reshape(bsz * tgtLen, embedDim);
  out = nnOps.linear(out, wOut, bOut);
  out = out.view(tgtLen, bsz, out.size(1));
  return [isBatched ? out : out.squeeze(1), null];
}

// ---------------------------------------------------------------------------------------------
// Channel and alpha dropout, grid sampling, one-hot, distances, bilinear, embedding bags and CTC:
// torch.nn.functional's dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout, grid_sample,
// affine_grid, one_hot, cosine_similarity, pairwise_distance, bilinear, embedding_bag, ctc_loss.

/** Whole-channel dropout over `[N, C, *]`, with a batch dimension added around unbatched input. */
function channelDropout(t: Tensor, batched: boolean, p: number, training: boolean, inplace: boolean): Tensor {
  const b = batched ? t : inplace ? t.unsqueeze_(0) : t.unsqueeze(0);
  const r = inplace ? ops.featureDropout_(b, p, training) : ops.featureDropout(b, p, training);
  return batched ? r : inplace ? r.squeeze_(0) : r.squeeze(0);
}

function dropoutArgs(x: unknown, p: unknown, training: unknown, options: unknown, name: string): [Tensor, number, boolean, boolean] {
  const inplace = inplaceOption(options, name);
  return [input(x), dropoutProbability(p), checkBool(training, 'training'), inplace];
}

/**
 * Zeroes whole channels of `[N, C, L]` or `[C, L]` input with probability `p` and scales the rest
 * by `1/(1-p)` when `training`.
 * @example
 * ```ts
 * F.dropout1d(x, 0.2, this.training)
 * ```
 */
export function dropout1d(x: Tensor, p = 0.5, training = true, options: InplaceOptions = {}): Tensor {
  const [t, prob, train, inplace] = dropoutArgs(x, p, training, options, 'dropout1d');
  const n = t.dim();
  if (n !== 2 && n !== 3) {
    throw new TorchError(`dropout1d: Expected 2D or 3D input, but received a ${n}D input (channels with 1 spatial dimension and an optional batch dimension)`, 'SHAPE_MISMATCH');
  }
  return channelDropout(t, n === 3, prob, train, inplace);
}

/**
 * Zeroes whole channels of `[N, C, H, W]` input with probability `p` and scales the rest by
 * `1/(1-p)` when `training`. As in PyTorch, 3-D input is read as `[N, C, L]` (dropout1d's
 * behaviour), not as an unbatched `[C, H, W]`.
 * @example
 * ```ts
 * F.dropout2d(featureMaps, 0.1, this.training)
 * ```
 */
export function dropout2d(x: Tensor, p = 0.5, training = true, options: InplaceOptions = {}): Tensor {
  const [t, prob, train, inplace] = dropoutArgs(x, p, training, options, 'dropout2d');
  return channelDropout(t, true, prob, train, inplace);
}

/**
 * Zeroes whole channels of `[N, C, D, H, W]` or `[C, D, H, W]` input with probability `p` and
 * scales the rest by `1/(1-p)` when `training`.
 * @example
 * ```ts
 * F.dropout3d(volumes, 0.1, this.training)
 * ```
 */
export function dropout3d(x: Tensor, p = 0.5, training = true, options: InplaceOptions = {}): Tensor {
  const [t, prob, train, inplace] = dropoutArgs(x, p, training, options, 'dropout3d');
  return channelDropout(t, t.dim() === 5, prob, train, inplace);
}

/**
 * Alpha dropout (for SELU networks): dropped elements take SELU's negative saturation value and
 * an affine map keeps the mean and variance, when `training` (default false, as PyTorch's).
 * @example
 * ```ts
 * F.alphaDropout(F.selu(x), 0.1, this.training)
 * ```
 */
export function alphaDropout(x: Tensor, p = 0.5, training = false, options: InplaceOptions = {}): Tensor {
  const [t, prob, train, inplace] = dropoutArgs(x, p, training, options, 'alphaDropout');
  return inplace ? ops.alphaDropout_(t, prob, train) : ops.alphaDropout(t, prob, train);
}

/**
 * Alpha dropout of whole channels of `[N, C, *]` input, when `training` (default false).
 * @example
 * ```ts
 * F.featureAlphaDropout(F.selu(x), 0.1, this.training)
 * ```
 */
export function featureAlphaDropout(x: Tensor, p = 0.5, training = false, options: InplaceOptions = {}): Tensor {
  const [t, prob, train, inplace] = dropoutArgs(x, p, training, options, 'featureAlphaDropout');
  return inplace ? ops.featureAlphaDropout_(t, prob, train) : ops.featureAlphaDropout(t, prob, train);
}

/** How `gridSample` interpolates. */
export type GridSampleMode = 'bilinear' | 'nearest' | 'bicubic';
/** What `gridSample` reads outside the input. */
export type GridSamplePaddingMode = 'zeros' | 'border' | 'reflection';

/** Options of `gridSample`. */
export interface GridSampleOptions {
  /** Default 'bilinear' ('bicubic' takes 4-D input only). */
  mode?: GridSampleMode;
  /** Default 'zeros'. */
  paddingMode?: GridSamplePaddingMode;
  /** -1 and 1 are the centres of the corner pixels (true) or their outer edges (false). Default false. */
  alignCorners?: boolean | null;
}

const GRID_SAMPLE_KEYS = optionKeys<GridSampleOptions>({ mode: true, paddingMode: true, alignCorners: true });

function alignCornersOption(value: unknown): boolean {
  return value === undefined || value === null ? false : checkBool(value, 'alignCorners');
}

/**
 * Samples `input` `[N, C, H, W]` (or `[N, C, D, H, W]`) at the normalised `[-1, 1]` positions of
 * `grid` `[N, Hout, Wout, 2]` (or `[N, Dout, Hout, Wout, 3]`, x first).
 * @example
 * ```ts
 * const grid = F.affineGrid(theta, [n, c, h, w], { alignCorners: false });
 * const warped = F.gridSample(images, grid, { mode: 'bilinear', paddingMode: 'border', alignCorners: false });
 * ```
 */
export function gridSample(x: Tensor, grid: Tensor, options: GridSampleOptions = {}): Tensor {
  const o = checkOptions(options, 'gridSample options', GRID_SAMPLE_KEYS) as GridSampleOptions;
  const mode = choiceIndex(o.mode ?? 'bilinear', ['bilinear', 'nearest', 'bicubic'], 'mode');
  const padding = choiceIndex(o.paddingMode ?? 'zeros', ['zeros', 'border', 'reflection'], 'paddingMode');
  return ops.gridSampler(input(x), input(grid, 'grid'), mode, padding, alignCornersOption(o.alignCorners));
}

/** Options of `affineGrid`. */
export interface AffineGridOptions {
  /** As in {@link gridSample}; use the same value for both. Default false. */
  alignCorners?: boolean | null;
}

/**
 * The sampling grid of the affine maps `theta` (`[N, 2, 3]` for a 4-D `size` `[N, C, H, W]`,
 * `[N, 3, 4]` for a 5-D `size` `[N, C, D, H, W]`), for {@link gridSample}.
 * @example
 * ```ts
 * const theta = torch.tensor([[[1, 0, 0.2], [0, 1, 0]]]); // shift right
 * const grid = F.affineGrid(theta, [1, 3, 32, 32], { alignCorners: false }); // [1, 32, 32, 2]
 * ```
 */
export function affineGrid(theta: Tensor, size: number[], options: AffineGridOptions = {}): Tensor {
  const o = checkOptions(options, 'affineGrid options', optionKeys<AffineGridOptions>({ alignCorners: true })) as AffineGridOptions;
  const t = input(theta, 'theta');
  const align = alignCornersOption(o.alignCorners);
  if (!t.isFloatingPoint()) throw typeError('a floating-point Tensor', 'theta', t.dtype);
  checkIntList(size, 'size');
  if (size.length !== 4 && size.length !== 5) throw rangeError('4 sizes (2-D transforms) or 5 (3-D)', 'size', size);
  const [rows, cols] = size.length === 4 ? [2, 3] : [3, 4];
  if (t.dim() !== 3 || t.shape[1] !== rows || t.shape[2] !== cols) {
    throw new TorchError(`Expected a batch of ${size.length - 2}D affine matrices of shape Nx${rows}x${cols} for size [${size.join(', ')}]. Got [${t.shape.join(', ')}]`, 'SHAPE_MISMATCH');
  }
  const spatial = size.slice(2);
  if (!(align && Math.min(...spatial) === 1) && Math.min(...size) <= 0) throw rangeError('positive sizes', 'size', size);
  return ops.affineGridGenerator(t, size, align);
}

/**
 * One-hot encoding of the int64 `x`: `[*, numClasses]`, 1 at each index. `numClasses` -1 (the
 * default) means one more than the largest index.
 * @example
 * ```ts
 * F.oneHot(torch.tensor([0, 2]), 3); // [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export function oneHot(x: Tensor, numClasses = -1): Tensor {
  return nnOps.oneHot(input(x, 'tensor'), checkInt(numClasses, 'numClasses', -1));
}

/** Options of `cosineSimilarity` (and `nn.CosineSimilarity`). */
export interface CosineSimilarityOptions {
  /** The dimension of the vectors. Default 1. */
  dim?: number;
  /** Lower bound of each norm. Default 1e-8. */
  eps?: number;
}

/**
 * `x1·x2 / (max(‖x1‖, eps) · max(‖x2‖, eps))` along `dim`, the inputs broadcast together.
 * @example
 * ```ts
 * F.cosineSimilarity(a, b, { dim: -1 })
 * ```
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, options: CosineSimilarityOptions = {}): Tensor {
  const o = checkOptions(options, 'cosineSimilarity options', COSINE_SIMILARITY_KEYS) as CosineSimilarityOptions;
  return ops.cosineSimilarity(input(x1, 'x1'), input(x2, 'x2'), checkInt(o.dim ?? 1, 'dim'), checkNumber(o.eps ?? 1e-8, 'eps'));
}

/** Options of `pairwiseDistance` (and `nn.PairwiseDistance`). */
export interface PairwiseDistanceOptions {
  /** The norm's exponent (Infinity for the max norm). Default 2. */
  p?: number;
  /** Added to the difference, against a zero norm. Default 1e-6. */
  eps?: number;
  /** Keep the last dimension (as size 1). Default false. */
  keepdim?: boolean;
}

/**
 * `‖x1 - x2 + eps‖_p` over the last dimension, the inputs broadcast together.
 * @example
 * ```ts
 * F.pairwiseDistance(anchor, positive, { p: 1 })
 * ```
 */
export function pairwiseDistance(x1: Tensor, x2: Tensor, options: PairwiseDistanceOptions = {}): Tensor {
  const o = checkOptions(options, 'pairwiseDistance options', PAIRWISE_DISTANCE_KEYS) as PairwiseDistanceOptions;
  return ops.pairwiseDistance(input(x1, 'x1'), input(x2, 'x2'), checkNumber(o.p ?? 2, 'p'), checkNumber(o.eps ?? 1e-6, 'eps'),
    checkBool(o.keepdim ?? false, 'keepdim'));
}

/**
 * `y = x1ᵀ A x2 + b` with `weight` `[out, in1, in2]` and `bias` `[out]`.
 * @example
 * ```ts
 * F.bilinear(x1, x2, weight, bias) // [N, in1], [N, in2] → [N, out]
 * ```
 */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return ops.bilinear(input(x1, 'input1'), input(x2, 'input2'), input(weight, 'weight'), optionalTensor(bias, 'bias'));
}

/** How an embedding bag reduces its rows. */
export type EmbeddingBagMode = 'sum' | 'mean' | 'max';

/** Options of `nn.EmbeddingBag`, PyTorch's keyword arguments in camelCase. */
export interface EmbeddingBagOptions {
  /** Renormalise looked-up rows of `weight` in place to at most this norm. Default none. */
  maxNorm?: number | null;
  /** The p of the `maxNorm` norm. Default 2. */
  normType?: number;
  /** Scale gradients by the inverse frequency of the indices in the batch (not with 'max'). Default false. */
  scaleGradByFreq?: boolean;
  /** Default 'mean'. */
  mode?: EmbeddingBagMode;
  /** Sparse gradients; only false is supported. */
  sparse?: boolean;
  /** `offsets` has one more entry, the end of the last bag (the CSR format). Default false. */
  includeLastOffset?: boolean;
  /** Index whose rows are left out of every bag; negative counts from the end. Default none. */
  paddingIdx?: number | null;
}

/** Options of `embeddingBag`: those of `nn.EmbeddingBag` and the per-index weights. */
export interface EmbeddingBagFunctionOptions extends EmbeddingBagOptions {
  /** A weight per index (same shape as the input), scaling its row; 'sum' mode only. Default none. */
  perSampleWeights?: Tensor | null;
}

/**
 * Sums, averages or takes the maximum of bags of rows of `weight` `[numEmbeddings, dim]`:
 * a 1-D `input` with `offsets` (where each bag starts), or a 2-D `input` `[B, L]` (one bag per row,
 * `offsets` null). Returns `[B, dim]`; an empty bag gives zeros.
 * @example
 * ```ts
 * const indices = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]);
 * F.embeddingBag(indices, weight, torch.tensor([0, 4]), { mode: 'sum' }) // 2 bags
 * ```
 */
export function embeddingBag(indices: Tensor, weight: Tensor, offsets: Tensor | null = null, options: EmbeddingBagFunctionOptions = {}): Tensor {
  const o = checkOptions(options, 'embeddingBag options', [...EMBEDDING_BAG_KEYS, 'perSampleWeights']) as EmbeddingBagFunctionOptions;
  let idx = input(indices, 'input');
  const w = input(weight, 'weight');
  let off = optionalTensor(offsets, 'offsets');
  let psw = optionalTensor(o.perSampleWeights, 'perSampleWeights');
  const maxNorm = o.maxNorm === undefined || o.maxNorm === null ? null : checkNumber(o.maxNorm, 'maxNorm');
  const normType = checkNumber(o.normType ?? 2, 'normType');
  const scale = checkBool(o.scaleGradByFreq ?? false, 'scaleGradByFreq');
  const mode = embeddingBagMode(o.mode, scale);
  embeddingSparse(o.sparse);
  let includeLast = checkBool(o.includeLastOffset ?? false, 'includeLastOffset');
  if (w.dim() !== 2) throw new TorchError(`weight has to be a 2D Tensor, but got Tensor of dimension ${w.dim()}`, 'SHAPE_MISMATCH');
  const paddingIdx = embeddingPaddingIdx(o.paddingIdx, w.shape[0]);
  if (psw !== null) {
    if (psw.dim() !== idx.dim() || psw.shape.some((d, i) => d !== idx.shape[i])) {
      throw new TorchError(`embeddingBag: perSampleWeights of shape [${psw.shape.join(', ')}] must have the shape of the input [${idx.shape.join(', ')}]`, 'SHAPE_MISMATCH');
    }
    if (mode !== 'sum') throw rangeError("'sum' (perSampleWeights are only supported there)", 'mode', mode);
  }
  if (idx.dim() === 2) {
    if (off !== null) throw typeError('null for 2-D input (each row is a bag)', 'offsets', off);
    const [bags, length] = idx.shape;
    off = ops.cumsum(idx.newFull([bags], length), 0, { dtype: idx.dtype }).sub(length);
    includeLast = false;
    idx = idx.reshape(-1);
    if (psw !== null) psw = psw.reshape(-1);
  } else if (idx.dim() === 1) {
    if (off === null) throw typeError('a 1-D Tensor for 1-D input', 'offsets', off);
    if (off.dim() !== 1) throw new TorchError(`offsets has to be a 1D Tensor, but got Tensor of dimension ${off.dim()}`, 'SHAPE_MISMATCH');
  } else {
    throw new TorchError(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${idx.dim()}`, 'SHAPE_MISMATCH');
  }
  if (maxNorm !== null) {
    const flat = idx;
    noGrad(() => ops.embeddingRenorm_(w, flat, maxNorm, normType));
  }
  const modeEnum = EMBEDDING_BAG_MODES.indexOf(mode);
  return ops.embeddingBag(w, idx, off, scale, modeEnum, false, psw, includeLast, paddingIdx < 0 ? null : paddingIdx)[0];
}

/** Options of `ctcLoss` (and `nn.CTCLoss`). */
export interface CtcLossOptions extends ReductionOptions {
  /** The blank label. Default 0. */
  blank?: number;
  /** Infinite losses (inputs too short for their targets) and their gradients become zero. Default false. */
  zeroInfinity?: boolean;
}

function ctcLengths(value: unknown, name: string): Tensor | number[] {
  if (value instanceof Tensor) return value;
  if (!Array.isArray(value)) throw typeError('a Tensor or an array of integers', name, value);
  return checkIntList(value, name);
}

/**
 * Connectionist temporal classification loss of `logProbs` `[T, N, C]` (or `[T, C]`, log-softmax
 * outputs) against `targets` (`[N, S]` padded, or all targets concatenated), with the lengths of
 * each input and target as tensors or arrays. `'mean'` divides each loss by its target length
 * before averaging over the batch.
 * @example
 * ```ts
 * const loss = F.ctcLoss(logits.logSoftmax(2), targets, inputLengths, targetLengths, { zeroInfinity: true });
 * ```
 */
export function ctcLoss(
  logProbs: Tensor, targets: Tensor, inputLengths: Tensor | number[], targetLengths: Tensor | number[], options: CtcLossOptions = {},
): Tensor {
  const o = checkLossOptions<CtcLossOptions>(options, 'ctcLoss options', CTC_LOSS_SPEC);
  const il = ctcLengths(inputLengths, 'inputLengths');
  const tl = ctcLengths(targetLengths, 'targetLengths');
  if ((il instanceof Tensor) !== (tl instanceof Tensor)) {
    throw typeError(il instanceof Tensor ? 'a Tensor, as inputLengths is' : 'an array of integers, as inputLengths is', 'targetLengths', tl);
  }
  const lp = input(logProbs, 'logProbs');
  const tg = input(targets, 'targets');
  const blank = ctcBlank(o.blank);
  const r = reduction(o.reduction);
  const zeroInfinity = checkBool(o.zeroInfinity ?? false, 'zeroInfinity');
  return il instanceof Tensor
    ? ops.ctcLoss(lp, tg, il, tl as Tensor, blank, r, zeroInfinity)
    : ops.ctcLoss(lp, tg, il, tl as number[], blank, r, zeroInfinity);
}
