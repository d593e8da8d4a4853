/**
 * Loss modules: `nn.CrossEntropyLoss`, `nn.NLLLoss`, `nn.MSELoss`, `nn.L1Loss`, `nn.BCELoss`,
 * `nn.BCEWithLogitsLoss`.
 */
import { Tensor } from '../tensor';
import { checkOptions } from '../validate';
import * as F from './functional';
import { Module } from './module';

/**
 * Cross-entropy of logits and class indices (softmax included).
 * @example
 * ```ts
 * const criterion = new nn.CrossEntropyLoss();
 * const loss = criterion(model(imgs), labels);
 * ```
 */
export class CrossEntropyLoss extends Module {
  readonly options: F.CrossEntropyOptions;
  constructor(options: F.CrossEntropyOptions = {}) { super(); this.options = { ...checkOptions(options, 'CrossEntropyLoss options', F.CROSS_ENTROPY_KEYS) } as F.CrossEntropyOptions; }
  forward(input: Tensor, target: Tensor): Tensor { return F.crossEntropy(input, target, this.options); }
}

/**
 * Negative log-likelihood of log-probabilities.
 * @example
 * ```ts
 * new nn.NLLLoss()(F.logSoftmax(logits, 1), labels);
 * ```
 */
export class NLLLoss extends Module {
  readonly options: F.NllLossOptions;
  constructor(options: F.NllLossOptions = {}) { super(); this.options = { ...checkOptions(options, 'NLLLoss options', F.NLL_LOSS_KEYS) } as F.NllLossOptions; }
  forward(input: Tensor, target: Tensor): Tensor { return F.nllLoss(input, target, this.options); }
}

/** Mean squared error. @example `new nn.MSELoss()(pred, target)` */
export class MSELoss extends Module {
  constructor(readonly options: { reduction?: F.Reduction } = {}) { super(); checkOptions(options, 'MSELoss options', ['reduction']); }
  forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, this.options); }
}

/** Mean absolute error. @example `new nn.L1Loss()(pred, target)` */
export class L1Loss extends Module {
  constructor(readonly options: { reduction?: F.Reduction } = {}) { super(); checkOptions(options, 'L1Loss options', ['reduction']); }
  forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, this.options); }
}

/** Binary cross-entropy of probabilities. @example `new nn.BCELoss()(probs, targets)` */
export class BCELoss extends Module {
  constructor(readonly options: { weight?: Tensor | null; reduction?: F.Reduction } = {}) { super(); checkOptions(options, 'BCELoss options', ['weight', 'reduction']); }
  forward(input: Tensor, target: Tensor): Tensor { return F.binaryCrossEntropy(input, target, this.options); }
}

/** Binary cross-entropy of logits. @example `new nn.BCEWithLogitsLoss()(logits, targets)` */
export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: F.Reduction } = {}) {
    super();
    checkOptions(options, 'BCEWithLogitsLoss options', ['weight', 'posWeight', 'reduction']);
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.binaryCrossEntropyWithLogits(input, target, this.options); }
}
