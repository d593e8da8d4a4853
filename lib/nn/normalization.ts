/**
 * `torch.nn` normalisation layers: `BatchNorm1d/2d/3d`, `InstanceNorm1d/2d/3d`, `LayerNorm`,
 * `GroupNorm` and `LocalResponseNorm`.
 */
import { TorchError, rangeError } from '../errors';
import { Tensor } from '../tensor';
import { ones, tensor, zeros } from '../factories';
import { noGrad } from '../autograd';
import { checkBool, checkInt, checkNumber, checkOptions, optionKeys } from '../validate';
import { pyFloat } from '../printing';
import * as F from './functional';
import { normalizedShapeArg } from './_utils';
import { Module, Parameter } from './module';

/** Options of the BatchNorm layers, PyTorch's keyword arguments in camelCase. */
export interface BatchNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Running-statistics momentum; null for a cumulative average. Default 0.1. */
  momentum?: number | null;
  /** Learnable `weight` and `bias`. Default true. */
  affine?: boolean;
  /** Keep `running_mean`, `running_var` and `num_batches_tracked`. Default true. */
  trackRunningStats?: boolean;
}

const BATCH_NORM_KEYS = optionKeys<BatchNormOptions>({ eps: true, momentum: true, affine: true, trackRunningStats: true });

const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/**
 * What BatchNorm and InstanceNorm share, as PyTorch's `_NormBase`: the options, `weight` and
 * `bias` when affine, the running statistics when tracked (state-dict keys `running_mean`,
 * `running_var`, `num_batches_tracked`), and the repr. Only the defaults of `affine` and
 * `trackRunningStats` differ.
 */
abstract class NormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numFeatures: number, options: BatchNormOptions, byDefault: boolean) {
    super();
    const o = checkOptions(options, `${new.target.name} options`, BATCH_NORM_KEYS) as BatchNormOptions;
    this.numFeatures = checkInt(numFeatures, 'numFeatures', 1);
    this.eps = checkNumber(o.eps ?? 1e-5, 'eps');
    this.momentum = o.momentum === null ? null : checkNumber(o.momentum ?? 0.1, 'momentum');
    this.affine = checkBool(o.affine ?? byDefault, 'affine');
    this.trackRunningStats = checkBool(o.trackRunningStats ?? byDefault, 'trackRunningStats');
    this.weight = this.affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures])) : null;
    this.registerBuffer('running_mean', this.trackRunningStats ? zeros([numFeatures]) : null);
    this.registerBuffer('running_var', this.trackRunningStats ? ones([numFeatures]) : null);
    this.registerBuffer('num_batches_tracked', this.trackRunningStats ? tensor(0, { dtype: 'int64' }) : null);
  }

  /** Running mean per channel (`running_mean` in the state dict), when tracked. */
  get runningMean(): Tensor | null { return this.buffer('running_mean'); }
  /** Running variance per channel (`running_var`), when tracked. */
  get runningVar(): Tensor | null { return this.buffer('running_var'); }
  /** Batches seen in training (`num_batches_tracked`), when tracked. */
  get numBatchesTracked(): Tensor | null { return this.buffer('num_batches_tracked'); }

  override extraRepr(): string {
    // PyTorch 2.13's repr; its `bias` follows `affine` here (no separate bias option).
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, bias=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

abstract class BatchNorm extends NormBase {
  constructor(numFeatures: number, options: BatchNormOptions) { super(numFeatures, options, true); }

  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    let momentum = this.momentum ?? 0;
    const tracked = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && tracked !== null) {
      noGrad(() => tracked.add_(1));
      if (this.momentum === null) momentum = 1 / (tracked.item() as number);
    }
    const useBatchStats = this.training || !this.trackRunningStats;
    return F.batchNorm(x, this.trackRunningStats ? this.runningMean : null, this.trackRunningStats ? this.runningVar : null, {
      weight: this.weight, bias: this.bias, training: useBatchStats, momentum, eps: this.eps,
    });
  }
}

/**
 * Batch normalisation over `[N, C, H, W]`.
 * @example
 * ```ts
 * const bn = new nn.BatchNorm2d(16);
 * Object.keys(bn.stateDict()); // weight, bias, running_mean, running_var, num_batches_tracked
 * ```
 */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) { super(numFeatures, options); }
  protected checkInput(x: Tensor): void {
    if (x.dim() !== 4) throw new TorchError(`BatchNorm2d expected 4D input [N, C, H, W] but got shape [${x.shape.join(', ')}]`);
  }
}

/**
 * Batch normalisation over `[N, C]` or `[N, C, L]`.
 * @example
 * ```ts
 * const bn = new nn.BatchNorm1d(64);
 * ```
 */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) { super(numFeatures, options); }
  protected checkInput(x: Tensor): void {
    if (x.dim() !== 2 && x.dim() !== 3) throw new TorchError(`BatchNorm1d expected 2D or 3D input but got shape [${x.shape.join(', ')}]`);
  }
}

/**
 * Batch normalisation over `[N, C, D, H, W]`.
 * @example
 * ```ts
 * const bn = new nn.BatchNorm3d(8);
 * ```
 */
export class BatchNorm3d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) { super(numFeatures, options); }
  protected checkInput(x: Tensor): void {
    if (x.dim() !== 5) throw new TorchError(`BatchNorm3d expected 5D input [N, C, D, H, W] but got shape [${x.shape.join(', ')}]`);
  }
}


/** Options of the InstanceNorm layers; PyTorch's defaults (no affine, no running statistics). */
export interface InstanceNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Running-statistics momentum; null for a cumulative average. Default 0.1. */
  momentum?: number | null;
  /** Learnable `weight` and `bias`. Default false. */
  affine?: boolean;
  /** Keep `running_mean`, `running_var` and `num_batches_tracked`. Default false. */
  trackRunningStats?: boolean;
}

abstract class InstanceNorm extends NormBase {
  /** Dimensions of an unbatched input (`[C, L]` → 2 for InstanceNorm1d). */
  protected abstract readonly noBatchDim: number;

  constructor(numFeatures: number, options: InstanceNormOptions) { super(numFeatures, options, false); }

  forward(x: Tensor): Tensor {
    const d = x.dim();
    const name = this.constructor.name;
    if (d !== this.noBatchDim && d !== this.noBatchDim + 1) {
      throw new TorchError(`${name} expected ${this.noBatchDim}D or ${this.noBatchDim + 1}D input but got shape [${x.shape.join(', ')}]`);
    }
    const channels = x.shape[d - this.noBatchDim];
    if (channels !== this.numFeatures && this.affine) {
      throw new TorchError(`${name} expected input's size at dim=${d - this.noBatchDim} to match numFeatures (${this.numFeatures}), but got: ${channels}.`);
    }
    const batched = d === this.noBatchDim ? x.unsqueeze(0) : x;
    const y = F.instanceNorm(batched, {
      runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum ?? 0, eps: this.eps,
    });
    return d === this.noBatchDim ? y.squeeze(0) : y;
  }
}

/** Instance normalisation over `[N, C, L]` (or unbatched `[C, L]`). @example `new nn.InstanceNorm1d(3, { affine: true })` */
export class InstanceNorm1d extends InstanceNorm {
  protected readonly noBatchDim = 2;
  constructor(numFeatures: number, options: InstanceNormOptions = {}) { super(numFeatures, options); }
}
/** Instance normalisation over `[N, C, H, W]` (or `[C, H, W]`). @example `new nn.InstanceNorm2d(16)` */
export class InstanceNorm2d extends InstanceNorm {
  protected readonly noBatchDim = 3;
  constructor(numFeatures: number, options: InstanceNormOptions = {}) { super(numFeatures, options); }
}
/** Instance normalisation over `[N, C, D, H, W]` (or `[C, D, H, W]`). @example `new nn.InstanceNorm3d(8)` */
export class InstanceNorm3d extends InstanceNorm {
  protected readonly noBatchDim = 4;
  constructor(numFeatures: number, options: InstanceNormOptions = {}) { super(numFeatures, options); }
}

/** Options of `LayerNorm`, PyTorch's keyword arguments in camelCase. */
export interface LayerNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learnable `weight` (and `bias`). Default true. */
  elementwiseAffine?: boolean;
  /** Learnable `bias` where `elementwiseAffine`. Default true. */
  bias?: boolean;
}

/**
 * Layer normalisation over the trailing `normalizedShape` dimensions.
 * @example
 * ```ts
 * const ln = new nn.LayerNorm(512);           // or new nn.LayerNorm([C, H, W])
 * ```
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) {
    super();
    const o = checkOptions(options, 'LayerNorm options', optionKeys<LayerNormOptions>({ eps: true, elementwiseAffine: true, bias: true })) as LayerNormOptions;
    this.normalizedShape = normalizedShapeArg(normalizedShape);
    this.eps = checkNumber(o.eps ?? 1e-5, 'eps');
    this.elementwiseAffine = checkBool(o.elementwiseAffine ?? true, 'elementwiseAffine');
    const bias = checkBool(o.bias ?? true, 'bias');
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = this.elementwiseAffine && bias ? new Parameter(zeros(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    const shape = this.normalizedShape.length === 1 ? `(${this.normalizedShape[0]},)` : `(${this.normalizedShape.join(', ')})`;
    return `${shape}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Options of `RMSNorm`, PyTorch's keyword arguments in camelCase. */
export interface RMSNormOptions {
  /** Default null: the machine epsilon of the input's dtype. */
  eps?: number | null;
  /** A learnable elementwise `weight` (ones at first). Default true. */
  elementwiseAffine?: boolean;
}

/**
 * Root-mean-square normalisation over the trailing `normalizedShape` dimensions, with a learnable
 * `weight` (`F.rmsNorm`).
 * @example
 * ```ts
 * const norm = new nn.RMSNorm(512);
 * ```
 */
export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;

  constructor(normalizedShape: number | number[], options: RMSNormOptions = {}) {
    super();
    const o = checkOptions(options, 'RMSNorm options', optionKeys<RMSNormOptions>({ eps: true, elementwiseAffine: true })) as RMSNormOptions;
    this.normalizedShape = normalizedShapeArg(normalizedShape);
    this.eps = o.eps === undefined || o.eps === null ? null : checkNumber(o.eps, 'eps');
    this.elementwiseAffine = checkBool(o.elementwiseAffine ?? true, 'elementwiseAffine');
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.rmsNorm(x, this.normalizedShape, { weight: this.weight, eps: this.eps });
  }

  override extraRepr(): string {
    const shape = this.normalizedShape.length === 1 ? `(${this.normalizedShape[0]},)` : `(${this.normalizedShape.join(', ')})`;
    return `${shape}, eps=${this.eps === null ? 'None' : pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** Options of `GroupNorm`. */
export interface GroupNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learnable per-channel `weight` and `bias`. Default true. */
  affine?: boolean;
}

/**
 * Group normalisation of `[N, C, *]` over `numGroups` groups of channels.
 * @example
 * ```ts
 * const gn = new nn.GroupNorm(4, 32);
 * ```
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    const o = checkOptions(options, 'GroupNorm options', optionKeys<GroupNormOptions>({ eps: true, affine: true })) as GroupNormOptions;
    this.numGroups = checkInt(numGroups, 'numGroups', 1);
    this.numChannels = checkInt(numChannels, 'numChannels', 1);
    if (this.numChannels % this.numGroups !== 0) {
      throw rangeError(`a multiple of numGroups (${this.numGroups})`, 'numChannels', numChannels);
    }
    this.eps = checkNumber(o.eps ?? 1e-5, 'eps');
    this.affine = checkBool(o.affine ?? true, 'affine');
    this.weight = this.affine ? new Parameter(ones([this.numChannels])) : null;
    this.bias = this.affine ? new Parameter(zeros([this.numChannels])) : null;
  }

  forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}, bias=${pyBool(this.affine)}`;
  }
}

/**
 * Local response normalisation across `size` neighbouring channels.
 * @example
 * ```ts
 * const lrn = new nn.LocalResponseNorm(2);
 * ```
 */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(size: number, options: F.LocalResponseNormOptions = {}) {
    super();
    const o = checkOptions(options, 'LocalResponseNorm options', optionKeys<F.LocalResponseNormOptions>({ alpha: true, beta: true, k: true })) as F.LocalResponseNormOptions;
    this.size = checkInt(size, 'size', 1);
    this.alpha = checkNumber(o.alpha ?? 1e-4, 'alpha');
    this.beta = checkNumber(o.beta ?? 0.75, 'beta');
    this.k = checkNumber(o.k ?? 1, 'k');
  }

  forward(x: Tensor): Tensor {
    return F.localResponseNorm(x, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
