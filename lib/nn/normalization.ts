/**
 * `nn.BatchNorm1d` and `nn.BatchNorm2d`.
 */
import { TorchError } from '../errors';
import { Tensor } from '../tensor';
import { ones, tensor, zeros } from '../factories';
import { noGrad } from '../autograd';
import { checkBool, checkInt, checkNumber, checkOptions, optionKeys } from '../validate';
import { pyFloat } from '../printing';
import * as F from './functional';
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

abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numFeatures: number, options: BatchNormOptions) {
    super();
    const o = checkOptions(options, `${new.target.name} options`, BATCH_NORM_KEYS) as BatchNormOptions;
    this.numFeatures = checkInt(numFeatures, 'numFeatures', 1);
    this.eps = checkNumber(o.eps ?? 1e-5, 'eps');
    this.momentum = o.momentum === null ? null : checkNumber(o.momentum ?? 0.1, 'momentum');
    this.affine = checkBool(o.affine ?? true, 'affine');
    this.trackRunningStats = checkBool(o.trackRunningStats ?? true, 'trackRunningStats');
    this.weight = this.affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures])) : null;
    // State-dict keys are PyTorch's: running_mean, running_var, num_batches_tracked.
    this.registerBuffer('running_mean', this.trackRunningStats ? zeros([numFeatures]) : null);
    this.registerBuffer('running_var', this.trackRunningStats ? ones([numFeatures]) : null);
    this.registerBuffer('num_batches_tracked', this.trackRunningStats ? tensor(0, { dtype: 'int64' }) : null);
  }

  /** Running mean per channel (`running_mean` in the state dict). */
  get runningMean(): Tensor | null { return this.buffer('running_mean'); }
  /** Running variance per channel (`running_var`). */
  get runningVar(): Tensor | null { return this.buffer('running_var'); }
  /** Batches seen in training (`num_batches_tracked`). */
  get numBatchesTracked(): Tensor | null { return this.buffer('num_batches_tracked'); }

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

  override extraRepr(): string {
    // PyTorch 2.13's repr; its `bias` follows `affine` here (no separate bias option).
    const py = (b: boolean) => (b ? 'True' : 'False');
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, ` +
      `affine=${py(this.affine)}, bias=${py(this.affine)}, track_running_stats=${py(this.trackRunningStats)}`;
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
