/**
 * The argument checks `torch.nn.functional` and the `nn` layers share: option keys, and the
 * parsing of kernel sizes, paddings, reductions, masks and probabilities. Internal: nothing here
 * is part of `torch.nn.functional` (which holds PyTorch's names only), and every message
 * describes the received value briefly (`describe`), whatever its size.
 * @internal
 */
import { typeError, rangeError } from '../errors';
import { Tensor, checkTensor } from '../tensor';
import { checkBool, checkInt, checkNumber, checkOptions, expandInts, optionKeys } from '../validate';
import type {
  Reduction, InplaceOptions, GeluOptions, MaxPoolOptions, AvgPoolOptions, InterpolateOptions, InterpolateMode, FoldOptions,
  LpPoolOptions, CosineSimilarityOptions, PairwiseDistanceOptions, EmbeddingBagOptions, EmbeddingBagMode,
} from './functional'; // types only: erased at run time, so no import cycle

/** A tensor argument (`input` unless named). */
export function input(x: unknown, name = 'input'): Tensor { return checkTensor(x, name); }

/** A tensor argument that may be absent (`undefined` or `null`: null). */
export function optionalTensor(x: unknown, name: string): Tensor | null {
  if (x === undefined || x === null) return null;
  return input(x, name);
}

/** at::Reduction, as the native losses take it. */
export const REDUCTIONS: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

/** A loss's `reduction` (default `'mean'`) as its at::Reduction number. */
export function reduction(value: unknown): number {
  if (value === undefined) return REDUCTIONS.mean;
  if (value !== 'none' && value !== 'mean' && value !== 'sum') {
    throw (typeof value === 'string' ? rangeError : typeError)("'none', 'mean' or 'sum'", 'reduction', value);
  }
  return REDUCTIONS[value];
}

const INPLACE_KEYS = optionKeys<InplaceOptions>({ inplace: true });

/** Reads `{ inplace }` for the activation `name`. */
export function inplaceOption(options: unknown, name: string): boolean {
  const o = checkOptions(options, `${name} options`, INPLACE_KEYS);
  return checkBool(o.inplace ?? false, 'inplace');
}

export const GELU_KEYS = optionKeys<GeluOptions>({ approximate: true });

export function geluApproximate(value: unknown): 'none' | 'tanh' {
  if (value === undefined) return 'none';
  if (value !== 'none' && value !== 'tanh') throw typeError("'none' or 'tanh'", 'approximate', value);
  return value;
}

/**
 * Resolves conv padding to explicit numbers per side; for `'same'`, the padding before
 * (the one after is one more where `dilation·(k − 1)` is odd: see `convSamePadding`).
 */
export function convPadding(padding: unknown, kernel: number[], dilation: number[], stride: number[]): number[] {
  if (padding === undefined || padding === 'valid') return kernel.map(() => 0);
  if (padding === 'same') return convSamePadding(kernel, dilation, stride)[0];
  if (typeof padding === 'string') throw rangeError("an integer, one per dimension, 'valid' or 'same'", 'padding', padding);
  return expandInts(padding, kernel.length, 'padding');
}

type LossOptionKind = 'tensor' | 'number' | 'bool' | 'reduction' | 'klReduction' | 'function';

/** Checks a loss's options object: known keys, and each given value's type (reduction's value too). */
export function checkLossOptions<T extends object>(options: unknown, name: string, spec: { [K in keyof Required<T>]: LossOptionKind }): T {
  const o = checkOptions(options, name, Object.keys(spec)) as Record<string, unknown>;
  for (const [key, kind] of Object.entries(spec) as [string, LossOptionKind][]) {
    const v = o[key];
    if (v === undefined) continue;
    if (kind === 'tensor') optionalTensor(v, key);
    else if (kind === 'number') checkNumber(v, key);
    else if (kind === 'bool') checkBool(v, key);
    else if (kind === 'reduction') reduction(v);
    else if (kind === 'function') {
      if (v !== null && typeof v !== 'function') throw typeError('a function or null', key, v);
    }
    else if (v !== 'batchmean' && v !== 'none' && v !== 'mean' && v !== 'sum') {
      throw (typeof v === 'string' ? rangeError : typeError)("'none', 'batchmean', 'mean' or 'sum'", 'reduction', v);
    }
  }
  return o as T;
}

// The option specs of the losses (`checkLossOptions`), shared by F and the nn loss modules.
export const REDUCTION_SPEC = { reduction: 'reduction' } as const;

export const KL_DIV_SPEC = { reduction: 'klReduction', logTarget: 'bool' } as const;

export const HUBER_SPEC = { reduction: 'reduction', delta: 'number' } as const;

export const SMOOTH_L1_SPEC = { reduction: 'reduction', beta: 'number' } as const;

export const MULTILABEL_SOFT_MARGIN_SPEC = { reduction: 'reduction', weight: 'tensor' } as const;

export const MULTI_MARGIN_SPEC = { reduction: 'reduction', p: 'number', margin: 'number', weight: 'tensor' } as const;

export const MARGIN_SPEC = { reduction: 'reduction', margin: 'number' } as const;

export const TRIPLET_MARGIN_SPEC = { reduction: 'reduction', margin: 'number', p: 'number', eps: 'number', swap: 'bool' } as const;

export const TRIPLET_MARGIN_DISTANCE_SPEC = { reduction: 'reduction', distanceFunction: 'function', margin: 'number', swap: 'bool' } as const;

export const POISSON_NLL_SPEC = { reduction: 'reduction', logInput: 'bool', full: 'bool', eps: 'number' } as const;

export const GAUSSIAN_NLL_SPEC = { reduction: 'reduction', full: 'bool', eps: 'number' } as const;

/** PyTorch's padding_idx check: in [-n, n), negative ones from the end; null → -1 (none). */
export function embeddingPaddingIdx(value: unknown, numEmbeddings: number): number {
  if (value === undefined || value === null) return -1;
  const p = checkInt(value, 'paddingIdx');
  if (p >= numEmbeddings || p < -numEmbeddings) throw rangeError(`an integer in [-${numEmbeddings}, ${numEmbeddings})`, 'paddingIdx', value);
  return p < 0 ? numEmbeddings + p : p;
}

/** Reads `sparse`; only false is supported. */
export function embeddingSparse(value: unknown): false {
  if (checkBool(value ?? false, 'sparse')) throw rangeError('false (sparse gradients are not supported)', 'sparse', value);
  return false;
}

/** An int or a list of positive ints, as a list (`normalizedShape`). */
export function normalizedShapeArg(value: unknown): number[] {
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw typeError('an integer or a non-empty array of integers', 'normalizedShape', value);
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError('an integer or a non-empty array of integers', 'normalizedShape', value);
    if (v < 1) throw rangeError('positive sizes', 'normalizedShape', value);
  }
  return [...list] as number[];
}

export const MAX_POOL_ND_KEYS = optionKeys<MaxPoolOptions>({ stride: true, padding: true, dilation: true, ceilMode: true });

/** Checked `[kernel, stride, padding, dilation, ceilMode]` of an n-d max pool. */
export function maxPoolArgs(n: number, name: string, kernelSize: unknown, options: unknown): [number[], number[], number[], number[], boolean] {
  const o = checkOptions(options, `${name} options`, MAX_POOL_ND_KEYS) as MaxPoolOptions;
  const kernel = expandInts(kernelSize, n, 'kernelSize', 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : expandInts(o.stride, n, 'stride', 1);
  const padding = expandInts(o.padding ?? 0, n, 'padding');
  const dilation = expandInts(o.dilation ?? 1, n, 'dilation', 1);
  padding.forEach((p, i) => { if (2 * p > kernel[i]) throw rangeError('padding at most half the kernel size', 'padding', o.padding); });
  return [kernel, stride, padding, dilation, checkBool(o.ceilMode ?? false, 'ceilMode')];
}

export const AVG_POOL_ND_KEYS = optionKeys<AvgPoolOptions>({ stride: true, padding: true, ceilMode: true, countIncludePad: true, divisorOverride: true });

/** Checked `[kernel, stride, padding, ceilMode, countIncludePad, divisorOverride]` of an n-d average pool. */
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

export const INTERPOLATE_KEYS = optionKeys<InterpolateOptions>({ size: true, scaleFactor: true, mode: true, alignCorners: true, recomputeScaleFactor: true });
export const UPSAMPLE_SIZE_KEYS = optionKeys<Pick<InterpolateOptions, 'size' | 'scaleFactor'>>({ size: true, scaleFactor: true });

export const INTERPOLATE_DIMS: Record<InterpolateMode, number[]> = { nearest: [1, 2, 3], linear: [1], bilinear: [2], bicubic: [2], trilinear: [3] };

/** Checks the mode and alignCorners of `interpolate`/`Upsample`. */
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
 * `[before, after]` padding of `padding: 'same'` per spatial dimension: `dilation·(k − 1)`
 * in all, the odd one after, as PyTorch's (which has no strided 'same').
 */
export function convSamePadding(kernel: number[], dilation: number[], stride: number[]): [number[], number[]] {
  if (stride.some((s) => s !== 1)) throw rangeError("stride 1 with padding 'same'", 'stride', stride);
  const before = kernel.map((k, i) => Math.floor((dilation[i] * (k - 1)) / 2));
  return [before, kernel.map((k, i) => dilation[i] * (k - 1) - before[i])];
}

export const FOLD_KEYS = optionKeys<FoldOptions>({ dilation: true, padding: true, stride: true });

/** Checked `[kernel, dilation, padding, stride]` of `unfold`/`fold`. */
export function foldArgs(name: string, kernelSize: unknown, options: unknown): [number[], number[], number[], number[]] {
  const o = checkOptions(options, `${name} options`, FOLD_KEYS) as FoldOptions;
  return [expandInts(kernelSize, 2, 'kernelSize', 1), expandInts(o.dilation ?? 1, 2, 'dilation', 1),
    expandInts(o.padding ?? 0, 2, 'padding'), expandInts(o.stride ?? 1, 2, 'stride', 1)];
}

export const LP_POOL_KEYS = optionKeys<LpPoolOptions>({ stride: true, ceilMode: true });

/** Checked `[normType, kernel, stride, ceilMode]` of an `n`-d power-average pool. */
export function lpPoolArgs(n: number, name: string, normType: unknown, kernelSize: unknown, options: unknown): [number, number[], number[], boolean] {
  const o = checkOptions(options, `${name} options`, LP_POOL_KEYS) as LpPoolOptions;
  const p = checkNumber(normType, 'normType');
  const kernel = expandInts(kernelSize, n, 'kernelSize', 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : expandInts(o.stride, n, 'stride', 1);
  return [p, kernel, stride, checkBool(o.ceilMode ?? false, 'ceilMode')];
}

/**
 * PyTorch's `_canonical_mask`: a bool mask (`true` = masked out) becomes a float mask of
 * `dtype` with `-inf` where it was true; a float mask is returned as it is; null stays null.
 */
export function canonicalMask(mask: Tensor | null, name: string, dtype: Tensor['dtype']): Tensor | null {
  if (mask === null) return null;
  if (mask.dtype === 'bool') return mask.newZeros(mask.shape, { dtype }).maskedFill_(mask, -Infinity);
  if (!mask.isFloatingPoint()) throw typeError('a bool or floating-point mask', name, `a ${mask.dtype} tensor`);
  return mask;
}

/** A dropout probability: a number in [0, 1]. */
export function dropoutProbability(p: unknown): number {
  checkNumber(p, 'p');
  if ((p as number) < 0 || (p as number) > 1) throw rangeError('a probability in [0, 1]', 'p', p);
  return p as number;
}

export const COSINE_SIMILARITY_KEYS = optionKeys<CosineSimilarityOptions>({ dim: true, eps: true });

export const PAIRWISE_DISTANCE_KEYS = optionKeys<PairwiseDistanceOptions>({ p: true, eps: true, keepdim: true });

export const EMBEDDING_BAG_KEYS = optionKeys<EmbeddingBagOptions>({
  maxNorm: true, normType: true, scaleGradByFreq: true, mode: true, sparse: true, includeLastOffset: true, paddingIdx: true,
});

export const EMBEDDING_BAG_MODES: readonly EmbeddingBagMode[] = ['sum', 'mean', 'max'];

/** The index of `value` in `choices` (its enum in ATen), or a RangeError/TypeError naming `name`. */
export function choiceIndex(value: unknown, choices: readonly string[], name: string): number {
  const i = typeof value === 'string' ? choices.indexOf(value) : -1;
  if (i < 0) {
    const list = choices.map((c) => `'${c}'`);
    const what = `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
    throw (typeof value === 'string' ? rangeError : typeError)(what, name, value);
  }
  return i;
}

/** Checks `mode` against `scaleGradByFreq`; returns the mode. */
export function embeddingBagMode(mode: unknown, scaleGradByFreq: boolean): EmbeddingBagMode {
  const m = EMBEDDING_BAG_MODES[choiceIndex(mode ?? 'mean', EMBEDDING_BAG_MODES, 'mode')];
  if (m === 'max' && scaleGradByFreq) throw rangeError("false in mode 'max' (it has no gradient scaling by frequency)", 'scaleGradByFreq', true);
  return m;
}

export const CTC_LOSS_SPEC = { reduction: 'reduction', blank: 'number', zeroInfinity: 'bool' } as const;

/** The blank label: a non-negative integer. */
export function ctcBlank(value: unknown): number { return checkInt(value ?? 0, 'blank', 0); }

/** A fractional max pool's `outputRatio`: one number for every one of `n` dimensions, or `n` numbers. */
export function fractionalRatio(n: number, value: unknown): number[] {
  const ratio = typeof value === 'number' ? new Array(n).fill(value) : value;
  if (!Array.isArray(ratio) || ratio.length !== n) throw typeError(`a number or ${n} numbers`, 'outputRatio', value);
  return ratio.map((r) => checkNumber(r, 'outputRatio'));
}
