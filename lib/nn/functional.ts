/**
 * `torch.nn.functional`: stateless layers and losses. Options and defaults are PyTorch's.
 *
 * @example
 * ```ts
 * import { nn } from 'nodetorch';
 * const F = nn.functional;
 * const y = F.relu(F.maxPool2d(F.conv2d(x, w, b), 2));
 * ```
 */
import * as ops from '../generated/ops';
import { nnOps } from '../generated/internal';
import { TorchError, typeError, rangeError } from '../errors';
import { Tensor, checkTensor } from '../tensor';
import { noGrad } from '../autograd';
import { checkBool, checkInt, checkNumber, checkOptions, expandInts, optionKeys } from '../validate';

/** How a loss reduces over the batch. */
export type Reduction = 'none' | 'mean' | 'sum';

function input(x: unknown, name = 'input'): Tensor { return checkTensor(x, name); }

function optionalTensor(x: unknown, name: string): Tensor | null {
  if (x === undefined || x === null) return null;
  return input(x, name);
}

// at::Reduction, as the native losses take it.
const REDUCTIONS: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

function reduction(value: unknown): number {
  if (value === undefined) return REDUCTIONS.mean;
  if (value !== 'none' && value !== 'mean' && value !== 'sum') {
    throw (typeof value === 'string' ? rangeError : typeError)("'none', 'mean' or 'sum'", 'reduction', value);
  }
  return REDUCTIONS[value];
}

/** The `inplace` option of the activations that have one (default false: a new tensor). */
export interface InplaceOptions {
  /** Overwrite the input instead of allocating the result. Default false. */
  inplace?: boolean;
}

const INPLACE_KEYS = optionKeys<InplaceOptions>({ inplace: true });

/** @internal Reads `{ inplace }` for the activation `name`. */
export function inplaceOption(options: unknown, name: string): boolean {
  const o = checkOptions(options, `${name} options`, INPLACE_KEYS);
  return checkBool(o.inplace ?? false, 'inplace');
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

/** @internal */
export const GELU_KEYS = optionKeys<GeluOptions>({ approximate: true });

/** @internal */
export function geluApproximate(value: unknown): 'none' | 'tanh' {
  if (value === undefined) return 'none';
  if (value !== 'none' && value !== 'tanh') throw typeError("'none' or 'tanh'", 'approximate', value);
  return value;
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

/** @internal Resolves conv padding, `'same'` included, to explicit numbers. */
export function convPadding(padding: Conv2dOptions['padding'], kernel: number[], dilation: number[], stride: number[]): number[] {
  if (padding === undefined || padding === 'valid') return kernel.map(() => 0);
  if (padding === 'same') {
    if (stride.some((s) => s !== 1)) throw rangeError("stride 1 with padding 'same'", 'stride', stride);
    return kernel.map((k, i) => {
      const total = dilation[i] * (k - 1);
      if (total % 2 !== 0) throw rangeError("an odd effective kernel size for padding 'same'", 'kernelSize', kernel);
      return total / 2;
    });
  }
  return expandInts(padding, kernel.length, 'padding');
}

/**
 * 2-D convolution over `[N, C, H, W]` input with weight `[out, in/groups, kH, kW]`.
 * @example
 * ```ts
 * F.conv2d(x, weight, bias, { stride: 1, padding: 2 })
 * ```
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const o = checkOptions(options, 'conv2d options', optionKeys<Conv2dOptions>({ stride: true, padding: true, dilation: true, groups: true })) as Conv2dOptions;
  const w = input(weight, 'weight');
  const kernel = w.shape.slice(2);
  const stride = expandInts(o.stride ?? 1, 2, 'stride', 1);
  const dilation = expandInts(o.dilation ?? 1, 2, 'dilation', 1);
  const padding = convPadding(o.padding, kernel, dilation, stride);
  const xin = input(x);
  if (xin.dim() !== 3 && xin.dim() !== 4) {
    throw new TorchError(`conv2d expects input of shape [N, C, H, W] or [C, H, W], but got [${xin.shape.join(', ')}]`);
  }
  const groups = checkInt(o.groups ?? 1, 'groups', 1);
  return ops.conv2d(xin, w, optionalTensor(bias, 'bias'), stride, padding, dilation, groups);
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

/** @internal */
export const MAX_POOL_KEYS = optionKeys<MaxPool2dOptions>({ stride: true, padding: true, dilation: true, ceilMode: true });

/**
 * 2-D max pooling.
 * @example
 * ```ts
 * F.maxPool2d(x, 2)
 * ```
 */
export function maxPool2d(x: Tensor, kernelSize: number | [number, number], options: MaxPool2dOptions = {}): Tensor {
  const o = checkOptions(options, 'maxPool2d options', MAX_POOL_KEYS) as MaxPool2dOptions;
  const kernel = expandInts(kernelSize, 2, 'kernelSize', 1);
  return ops.maxPool2d(input(x), kernel, expandInts(o.stride ?? kernel, 2, 'stride', 1), expandInts(o.padding ?? 0, 2, 'padding'),
    expandInts(o.dilation ?? 1, 2, 'dilation', 1), checkBool(o.ceilMode ?? false, 'ceilMode'));
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

/** @internal */
export const NLL_LOSS_KEYS = optionKeys<NllLossOptions>({ weight: true, reduction: true, ignoreIndex: true });
/** @internal */
export const CROSS_ENTROPY_KEYS = optionKeys<CrossEntropyOptions>({ weight: true, reduction: true, ignoreIndex: true, labelSmoothing: true });

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

type LossOptionKind = 'tensor' | 'number' | 'bool' | 'reduction' | 'klReduction';

/** @internal Checks a loss's options object: known keys, and each given value's type (reduction's value too). */
export function checkLossOptions<T extends object>(options: unknown, name: string, spec: { [K in keyof Required<T>]: LossOptionKind }): T {
  const o = checkOptions(options, name, Object.keys(spec)) as Record<string, unknown>;
  for (const [key, kind] of Object.entries(spec) as [string, LossOptionKind][]) {
    const v = o[key];
    if (v === undefined) continue;
    if (kind === 'tensor') optionalTensor(v, key);
    else if (kind === 'number') checkNumber(v, key);
    else if (kind === 'bool') checkBool(v, key);
    else if (kind === 'reduction') reduction(v);
    else if (v !== 'batchmean' && v !== 'none' && v !== 'mean' && v !== 'sum') {
      throw (typeof v === 'string' ? rangeError : typeError)("'none', 'batchmean', 'mean' or 'sum'", 'reduction', v);
    }
  }
  return o as T;
}

/** Options of the losses that take only `reduction`. */
export interface ReductionOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}
/** @internal */
export const REDUCTION_SPEC = { reduction: 'reduction' } as const;

/** Options of `klDiv`. */
export interface KlDivOptions {
  /** `'mean'` (default; divides by every element), `'batchmean'` (divides by the batch size, the KL divergence), `'sum'` or `'none'`. */
  reduction?: Reduction | 'batchmean';
  /** Whether `target` holds log-probabilities. Default false. */
  logTarget?: boolean;
}
/** @internal */
export const KL_DIV_SPEC = { reduction: 'klReduction', logTarget: 'bool' } as const;

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
/** @internal */
export const HUBER_SPEC = { reduction: 'reduction', delta: 'number' } as const;

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
/** @internal */
export const SMOOTH_L1_SPEC = { reduction: 'reduction', beta: 'number' } as const;

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
/** @internal */
export const MULTILABEL_SOFT_MARGIN_SPEC = { reduction: 'reduction', weight: 'tensor' } as const;

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
/** @internal */
export const MULTI_MARGIN_SPEC = { reduction: 'reduction', p: 'number', margin: 'number', weight: 'tensor' } as const;

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
/** @internal */
export const MARGIN_SPEC = { reduction: 'reduction', margin: 'number' } as const;

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
/** @internal */
export const TRIPLET_MARGIN_SPEC = { reduction: 'reduction', margin: 'number', p: 'number', eps: 'number', swap: 'bool' } as const;

/** Triplet margin loss. @example `F.tripletMarginLoss(anchor, positive, negative, { margin: 0.5 })` */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginLossOptions = {}): Tensor {
  const o = checkLossOptions<TripletMarginLossOptions>(options, 'tripletMarginLoss options', TRIPLET_MARGIN_SPEC);
  const r = reduction(o.reduction);
  const margin = o.margin ?? 1;
  if (!(margin > 0)) throw rangeError('a margin greater than 0', 'margin', margin);
  return ops.tripletMarginLoss(input(anchor, 'anchor'), input(positive, 'positive'), input(negative, 'negative'),
    margin, o.p ?? 2, o.eps ?? 1e-6, o.swap ?? false, r);
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
/** @internal */
export const POISSON_NLL_SPEC = { reduction: 'reduction', logInput: 'bool', full: 'bool', eps: 'number' } as const;

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
/** @internal */
export const GAUSSIAN_NLL_SPEC = { reduction: 'reduction', full: 'bool', eps: 'number' } as const;

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

/** @internal PyTorch's padding_idx check: in [-n, n), negative ones from the end; null → -1 (none). */
export function embeddingPaddingIdx(value: unknown, numEmbeddings: number): number {
  if (value === undefined || value === null) return -1;
  const p = checkInt(value, 'paddingIdx');
  if (p >= numEmbeddings || p < -numEmbeddings) throw rangeError(`an integer in [-${numEmbeddings}, ${numEmbeddings})`, 'paddingIdx', value);
  return p < 0 ? numEmbeddings + p : p;
}

/** @internal Reads `sparse`; only false is supported. */
export function embeddingSparse(value: unknown): false {
  if (checkBool(value ?? false, 'sparse')) throw rangeError('false (sparse gradients are not supported)', 'sparse', value);
  return false;
}

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

/** @internal An int or a list of positive ints, as a list (`normalizedShape`). */
export function normalizedShapeArg(value: unknown): number[] {
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw typeError('an integer or a non-empty array of integers', 'normalizedShape', value);
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError('an integer or a non-empty array of integers', 'normalizedShape', value);
    if (v < 1) throw rangeError('positive sizes', 'normalizedShape', value);
  }
  return [...list] as number[];
}

/** Layer normalisation over the trailing `normalizedShape` dimensions. @example `F.layerNorm(x, [4], { weight, bias })` */
export function layerNorm(x: Tensor, normalizedShape: number | number[], options: AffineNormOptions = {}): Tensor {
  const o = checkOptions(options, 'layerNorm options', AFFINE_NORM_KEYS) as AffineNormOptions;
  return ops.layerNorm(input(x), normalizedShapeArg(normalizedShape), optionalTensor(o.weight, 'weight'),
    optionalTensor(o.bias, 'bias'), checkNumber(o.eps ?? 1e-5, 'eps'), true);
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

/** @internal */
export const MAX_POOL_ND_KEYS = optionKeys<MaxPoolOptions>({ stride: true, padding: true, dilation: true, ceilMode: true });

/** @internal Checked `[kernel, stride, padding, dilation, ceilMode]` of an n-d max pool. */
export function maxPoolArgs(n: number, name: string, kernelSize: unknown, options: unknown): [number[], number[], number[], number[], boolean] {
  const o = checkOptions(options, `${name} options`, MAX_POOL_ND_KEYS) as MaxPoolOptions;
  const kernel = expandInts(kernelSize, n, 'kernelSize', 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : expandInts(o.stride, n, 'stride', 1);
  const padding = expandInts(o.padding ?? 0, n, 'padding');
  const dilation = expandInts(o.dilation ?? 1, n, 'dilation', 1);
  padding.forEach((p, i) => { if (2 * p > kernel[i]) throw rangeError('padding at most half the kernel size', 'padding', o.padding); });
  return [kernel, stride, padding, dilation, checkBool(o.ceilMode ?? false, 'ceilMode')];
}

/**
 * 1-D max pooling over `[N, C, L]` (or `[C, L]`).
 * @example
 * ```ts
 * F.maxPool1d(x, 2)
 * ```
 */
export function maxPool1d(x: Tensor, kernelSize: number | [number], options: MaxPoolOptions = {}): Tensor {
  return ops.maxPool1d(input(x), ...maxPoolArgs(1, 'maxPool1d', kernelSize, options));
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
 * 3-D max pooling over `[N, C, D, H, W]` (or `[C, D, H, W]`).
 * @example
 * ```ts
 * F.maxPool3d(x, 2)
 * ```
 */
export function maxPool3d(x: Tensor, kernelSize: number | [number, number, number], options: MaxPoolOptions = {}): Tensor {
  return ops.maxPool3d(input(x), ...maxPoolArgs(3, 'maxPool3d', kernelSize, options));
}

/** 3-D max pooling that also returns the argmax indices (flat over D×H×W). */
export function maxPool3dWithIndices(x: Tensor, kernelSize: number | [number, number, number], options: MaxPoolOptions = {}): [Tensor, Tensor] {
  return nnOps.maxPool3dWithIndices(input(x), ...maxPoolArgs(3, 'maxPool3dWithIndices', kernelSize, options)) as [Tensor, Tensor];
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

/** @internal */
export const AVG_POOL_ND_KEYS = optionKeys<AvgPoolOptions>({ stride: true, padding: true, ceilMode: true, countIncludePad: true, divisorOverride: true });

/** @internal Checked `[kernel, stride, padding, ceilMode, countIncludePad, divisorOverride]` of an n-d average pool. */
export function avgPoolArgs(n: number, name: string, kernelSize: unknown, options: unknown): [number[], number[], number[], boolean, boolean, number | null] {
  const keys = n === 1 ? AVG_POOL_ND_KEYS.filter((k) => k !== 'divisorOverride') : AVG_POOL_ND_KEYS;
  const o = checkOptions(options, `${name} options`, keys) as AvgPoolOptions;
  const kernel = expandInts(kernelSize, n, 'kernelSize', 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : expandInts(o.stride, n, 'stride', 1);
  const padding = expandInts(o.padding ?? 0, n, 'padding');
  padding.forEach((p, i) => { if (2 * p > kernel[i]) throw rangeError('padding at most half the kernel size', 'padding', o.padding); });
  const divisor = o.divisorOverride === undefined || o.divisorOverride === null ? null : checkInt(o.divisorOverride, 'divisorOverride', 1);
  return [kernel, stride, padding, checkBool(o.ceilMode ?? false, 'ceilMode'), checkBool(o.countIncludePad ?? true, 'countIncludePad'), divisor];
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

/** @internal The adaptive output size with `null` entries replaced by the input's size. */
export function adaptiveSize(x: Tensor, n: number, value: unknown): number[] {
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

/** 1-D adaptive max pooling to `outputSize`. */
export function adaptiveMaxPool1d(x: Tensor, outputSize: number | [number]): Tensor { return adaptiveMaxPool1dWithIndices(x, outputSize)[0]; }
/** 2-D adaptive max pooling to `outputSize`. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor { return adaptiveMaxPool2dWithIndices(x, outputSize)[0]; }
/** 3-D adaptive max pooling to `outputSize`. */
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize): Tensor { return adaptiveMaxPool3dWithIndices(x, outputSize)[0]; }

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
  if (!Array.isArray(pad) || pad.length % 2 !== 0 || !pad.every((p) => Number.isInteger(p))) {
    throw typeError('an even-length array of integers', 'pad', pad);
  }
  const mode = o.mode ?? 'constant';
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) {
    throw (typeof mode === 'string' ? rangeError : typeError)("'constant', 'reflect', 'replicate' or 'circular'", 'mode', mode);
  }
  const value = o.value === undefined || o.value === null ? null : checkNumber(o.value, 'value');
  if (mode !== 'constant') {
    if (value !== null && value !== 0) throw rangeError("no value (a fill is only for mode 'constant')", 'value', value);
    const n = pad.length / 2;
    if (n > 3 || t.dim() < n + 1 || t.dim() > n + 2) {
      throw rangeError(`a ${n + 1}-D or ${n + 2}-D input for ${n}-D ${mode} padding`, 'pad', pad);
    }
  }
  return nnOps.pad(t, pad, mode, value);
}

/** Rearranges `[*, C·r², H, W]` to `[*, C, H·r, W·r]`. */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  return ops.pixelShuffle(input(x), checkInt(upscaleFactor, 'upscaleFactor', 1));
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

/** @internal */
export const INTERPOLATE_KEYS = optionKeys<InterpolateOptions>({ size: true, scaleFactor: true, mode: true, alignCorners: true, recomputeScaleFactor: true });
const INTERPOLATE_DIMS: Record<InterpolateMode, number[]> = { nearest: [1, 2, 3], linear: [1], bilinear: [2], bicubic: [2], trilinear: [3] };

/** @internal Checks the mode and alignCorners of `interpolate`/`Upsample`. */
export function interpolateMode(o: InterpolateOptions): [InterpolateMode, boolean | null] {
  const mode = o.mode ?? 'nearest';
  if (!Object.prototype.hasOwnProperty.call(INTERPOLATE_DIMS, mode)) {
    throw (typeof mode === 'string' ? rangeError : typeError)("'nearest', 'linear', 'bilinear', 'bicubic' or 'trilinear'", 'mode', mode);
  }
  const align = o.alignCorners === undefined || o.alignCorners === null ? null : checkBool(o.alignCorners, 'alignCorners');
  if (mode === 'nearest' && align !== null) throw rangeError("no alignCorners for mode 'nearest' (only the interpolating modes)", 'alignCorners', align);
  return [mode, align];
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
