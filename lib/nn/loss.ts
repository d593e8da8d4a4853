/**
 * Loss modules: every loss of `torch.nn`, each a thin module over its `nn.functional` form, with
 * PyTorch's constructor options in a trailing camelCase options object. Class weights are
 * registered as buffers (`weight`, `pos_weight`), so they are in the state dict as in PyTorch.
 */
import { Tensor } from '../tensor';
import * as F from './functional';
import {
  checkLossOptions, REDUCTION_SPEC, KL_DIV_SPEC, HUBER_SPEC, SMOOTH_L1_SPEC, MULTILABEL_SOFT_MARGIN_SPEC,
  MULTI_MARGIN_SPEC, MARGIN_SPEC, TRIPLET_MARGIN_SPEC, TRIPLET_MARGIN_DISTANCE_SPEC, POISSON_NLL_SPEC, GAUSSIAN_NLL_SPEC,
  CTC_LOSS_SPEC, ctcBlank,
} from './_utils';
import { PairwiseDistance } from './distance';
import { Module } from './module';

/** The base of the loss modules: checked options, weights as buffers, and PyTorch's `Name()` printout. */
abstract class Loss<O extends object> extends Module {
  readonly options: O;
  constructor(options: O | undefined, name: string, spec: Record<string, string>, buffers: [keyof O & string, string][] = []) {
    super();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    this.options = { ...checkLossOptions(options, `${name} options`, spec as any) } as O;
    for (const [key, bufferName] of buffers) {
      const t = (this.options as Record<string, unknown>)[key];
      if (t !== undefined && t !== null) this.registerBuffer(bufferName, t as Tensor);
    }
  }
  /** The options with the tensor options read back from their buffers (which `to()` and `loadStateDict` update). */
  protected resolved(buffers: [keyof O & string, string][]): O {
    const o = { ...this.options } as Record<string, unknown>;
    for (const [key, bufferName] of buffers) if (o[key] !== undefined && o[key] !== null) o[key] = this.buffer(bufferName);
    return o as O;
  }
}

const WEIGHT: [string, string][] = [['weight', 'weight']];

/**
 * Cross-entropy of logits and class indices or class probabilities (softmax included).
 * @example
 * ```ts
 * const criterion = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = criterion(model(imgs), labels);
 * ```
 */
export class CrossEntropyLoss extends Loss<F.CrossEntropyOptions> {
  constructor(options: F.CrossEntropyOptions = {}) {
    super(options, 'CrossEntropyLoss', { weight: 'tensor', reduction: 'reduction', ignoreIndex: 'number', labelSmoothing: 'number' }, WEIGHT as never);
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.crossEntropy(input, target, this.resolved(WEIGHT as never)); }
}

/**
 * Negative log-likelihood of log-probabilities.
 * @example
 * ```ts
 * new nn.NLLLoss()(F.logSoftmax(logits, 1), labels);
 * ```
 */
export class NLLLoss extends Loss<F.NllLossOptions> {
  constructor(options: F.NllLossOptions = {}) {
    super(options, 'NLLLoss', { weight: 'tensor', reduction: 'reduction', ignoreIndex: 'number' }, WEIGHT as never);
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.nllLoss(input, target, this.resolved(WEIGHT as never)); }
}

/** Mean squared error. @example `new nn.MSELoss()(pred, target)` */
export class MSELoss extends Loss<F.ReductionOptions> {
  constructor(options: F.ReductionOptions = {}) { super(options, 'MSELoss', REDUCTION_SPEC); }
  forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, this.options); }
}

/** Mean absolute error. @example `new nn.L1Loss()(pred, target)` */
export class L1Loss extends Loss<F.ReductionOptions> {
  constructor(options: F.ReductionOptions = {}) { super(options, 'L1Loss', REDUCTION_SPEC); }
  forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, this.options); }
}

/** Options of `BCELoss`. */
export interface BCELossOptions extends F.ReductionOptions {
  /** A weight per element, broadcast over the batch. */
  weight?: Tensor | null;
}

/** Binary cross-entropy of probabilities. @example `new nn.BCELoss()(probs, targets)` */
export class BCELoss extends Loss<BCELossOptions> {
  constructor(options: BCELossOptions = {}) { super(options, 'BCELoss', { weight: 'tensor', reduction: 'reduction' }, WEIGHT as never); }
  forward(input: Tensor, target: Tensor): Tensor { return F.binaryCrossEntropy(input, target, this.resolved(WEIGHT as never)); }
}

/** Options of `BCEWithLogitsLoss`. */
export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** A weight of the positive examples per class. */
  posWeight?: Tensor | null;
}
const BCE_LOGITS_BUFFERS: [string, string][] = [['weight', 'weight'], ['posWeight', 'pos_weight']];

/** Binary cross-entropy of logits. @example `new nn.BCEWithLogitsLoss({ posWeight })(logits, targets)` */
export class BCEWithLogitsLoss extends Loss<BCEWithLogitsLossOptions> {
  constructor(options: BCEWithLogitsLossOptions = {}) {
    super(options, 'BCEWithLogitsLoss', { weight: 'tensor', posWeight: 'tensor', reduction: 'reduction' }, BCE_LOGITS_BUFFERS as never);
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.binaryCrossEntropyWithLogits(input, target, this.resolved(BCE_LOGITS_BUFFERS as never)); }
}

/** KL divergence of log-probabilities from a target. @example `new nn.KLDivLoss({ reduction: 'batchmean' })(logProbs, probs)` */
export class KLDivLoss extends Loss<F.KlDivOptions> {
  constructor(options: F.KlDivOptions = {}) { super(options, 'KLDivLoss', KL_DIV_SPEC); }
  forward(input: Tensor, target: Tensor): Tensor { return F.klDiv(input, target, this.options); }
}

/** Huber loss. @example `new nn.HuberLoss({ delta: 0.5 })(pred, target)` */
export class HuberLoss extends Loss<F.HuberLossOptions> {
  constructor(options: F.HuberLossOptions = {}) { super(options, 'HuberLoss', HUBER_SPEC); }
  forward(input: Tensor, target: Tensor): Tensor { return F.huberLoss(input, target, this.options); }
}

/** Smooth L1 loss. @example `new nn.SmoothL1Loss({ beta: 0.5 })(pred, target)` */
export class SmoothL1Loss extends Loss<F.SmoothL1LossOptions> {
  constructor(options: F.SmoothL1LossOptions = {}) { super(options, 'SmoothL1Loss', SMOOTH_L1_SPEC); }
  forward(input: Tensor, target: Tensor): Tensor { return F.smoothL1Loss(input, target, this.options); }
}

/** Two-class logistic loss. @example `new nn.SoftMarginLoss()(scores, signs)` */
export class SoftMarginLoss extends Loss<F.ReductionOptions> {
  constructor(options: F.ReductionOptions = {}) { super(options, 'SoftMarginLoss', REDUCTION_SPEC); }
  forward(input: Tensor, target: Tensor): Tensor { return F.softMarginLoss(input, target, this.options); }
}

/** Multi-label one-versus-all logistic loss. @example `new nn.MultiLabelSoftMarginLoss()(scores, labels)` */
export class MultiLabelSoftMarginLoss extends Loss<F.MultilabelSoftMarginLossOptions> {
  constructor(options: F.MultilabelSoftMarginLossOptions = {}) { super(options, 'MultiLabelSoftMarginLoss', MULTILABEL_SOFT_MARGIN_SPEC, WEIGHT as never); }
  forward(input: Tensor, target: Tensor): Tensor { return F.multilabelSoftMarginLoss(input, target, this.resolved(WEIGHT as never)); }
}

/** Multi-class multi-label hinge loss. @example `new nn.MultiLabelMarginLoss()(scores, targets)` */
export class MultiLabelMarginLoss extends Loss<F.ReductionOptions> {
  constructor(options: F.ReductionOptions = {}) { super(options, 'MultiLabelMarginLoss', REDUCTION_SPEC); }
  forward(input: Tensor, target: Tensor): Tensor { return F.multilabelMarginLoss(input, target, this.options); }
}

/** Multi-class hinge loss. @example `new nn.MultiMarginLoss({ p: 2, margin: 0.5 })(scores, labels)` */
export class MultiMarginLoss extends Loss<F.MultiMarginLossOptions> {
  constructor(options: F.MultiMarginLossOptions = {}) { super(options, 'MultiMarginLoss', MULTI_MARGIN_SPEC, WEIGHT as never); }
  forward(input: Tensor, target: Tensor): Tensor { return F.multiMarginLoss(input, target, this.resolved(WEIGHT as never)); }
}

/** Margin ranking loss. @example `new nn.MarginRankingLoss({ margin: 0.5 })(scoresA, scoresB, signs)` */
export class MarginRankingLoss extends Loss<F.MarginOptions> {
  constructor(options: F.MarginOptions = {}) { super(options, 'MarginRankingLoss', MARGIN_SPEC); }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor { return F.marginRankingLoss(input1, input2, target, this.options); }
}

/** Hinge embedding loss. @example `new nn.HingeEmbeddingLoss({ margin: 2 })(distances, signs)` */
export class HingeEmbeddingLoss extends Loss<F.MarginOptions> {
  constructor(options: F.MarginOptions = {}) { super(options, 'HingeEmbeddingLoss', MARGIN_SPEC); }
  forward(input: Tensor, target: Tensor): Tensor { return F.hingeEmbeddingLoss(input, target, this.options); }
}

/** Cosine embedding loss. @example `new nn.CosineEmbeddingLoss({ margin: 0.2 })(a, b, signs)` */
export class CosineEmbeddingLoss extends Loss<F.MarginOptions> {
  constructor(options: F.MarginOptions = {}) { super(options, 'CosineEmbeddingLoss', MARGIN_SPEC); }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor { return F.cosineEmbeddingLoss(input1, input2, target, this.options); }
}

/** Triplet margin loss. @example `new nn.TripletMarginLoss({ margin: 0.5, swap: true })(anchor, positive, negative)` */
export class TripletMarginLoss extends Loss<F.TripletMarginLossOptions> {
  constructor(options: F.TripletMarginLossOptions = {}) { super(options, 'TripletMarginLoss', TRIPLET_MARGIN_SPEC); }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor { return F.tripletMarginLoss(anchor, positive, negative, this.options); }
}

/**
 * Triplet margin loss over any distance; the distance is a submodule (`distance_function`, as in
 * PyTorch) when it is a module, `nn.PairwiseDistance()` by default.
 * @example
 * ```ts
 * new nn.TripletMarginWithDistanceLoss({ distanceFunction: (x, y) => F.pairwiseDistance(x, y, { p: 1 }) })(a, p, n)
 * ```
 */
export class TripletMarginWithDistanceLoss extends Loss<F.TripletMarginWithDistanceLossOptions> {
  constructor(options: F.TripletMarginWithDistanceLossOptions = {}) {
    super(options, 'TripletMarginWithDistanceLoss', TRIPLET_MARGIN_DISTANCE_SPEC);
    const d = this.options.distanceFunction;
    if (d === undefined || d === null || d instanceof Module) this.registerModule('distance_function', d ?? new PairwiseDistance());
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    const module = (this as unknown as Record<string, F.TripletMarginWithDistanceLossOptions['distanceFunction']>).distance_function;
    return F.tripletMarginWithDistanceLoss(anchor, positive, negative, { ...this.options, distanceFunction: module ?? this.options.distanceFunction });
  }
}

/** Poisson negative log-likelihood. @example `new nn.PoissonNLLLoss({ logInput: false })(rate, counts)` */
export class PoissonNLLLoss extends Loss<F.PoissonNllLossOptions> {
  constructor(options: F.PoissonNllLossOptions = {}) { super(options, 'PoissonNLLLoss', POISSON_NLL_SPEC); }
  forward(input: Tensor, target: Tensor): Tensor { return F.poissonNllLoss(input, target, this.options); }
}

/** Gaussian negative log-likelihood. @example `new nn.GaussianNLLLoss()(mean, target, variance)` */
export class GaussianNLLLoss extends Loss<F.GaussianNllLossOptions> {
  constructor(options: F.GaussianNllLossOptions = {}) { super(options, 'GaussianNLLLoss', GAUSSIAN_NLL_SPEC); }
  forward(input: Tensor, target: Tensor, variance: Tensor | number): Tensor { return F.gaussianNllLoss(input, target, variance, this.options); }
}

/**
 * Connectionist temporal classification loss: `logProbs` `[T, N, C]` (log-softmax outputs),
 * `targets` (`[N, S]` padded or concatenated), and the input and target lengths as tensors or
 * arrays. Options: `blank` (default 0), `reduction` (`'mean'` divides each loss by its target
 * length, then averages), `zeroInfinity`.
 * @example
 * ```ts
 * const ctc = new nn.CTCLoss({ blank: 0, zeroInfinity: true });
 * const loss = ctc(logits.logSoftmax(2), targets, inputLengths, targetLengths);
 * ```
 */
export class CTCLoss extends Loss<F.CtcLossOptions> {
  /** The blank label. */
  readonly blank: number;
  readonly zeroInfinity: boolean;
  constructor(options: F.CtcLossOptions = {}) {
    super(options, 'CTCLoss', CTC_LOSS_SPEC);
    this.blank = ctcBlank(this.options.blank);
    this.zeroInfinity = this.options.zeroInfinity ?? false;
  }
  forward(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | number[], targetLengths: Tensor | number[]): Tensor {
    return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, this.options);
  }
}
