/**
 * `nn.Linear`, `nn.Identity` and `nn.Flatten`.
 */
import { Tensor } from '../tensor';
import { empty } from '../factories';
import { checkBool, checkInt, checkOptions } from '../validate';
import * as F from './functional';
import * as init from './init';
import { Module, Parameter } from './module';

/**
 * `y = x Aᵀ + b`, initialised as PyTorch does (Kaiming uniform, a = √5).
 * @example
 * ```ts
 * const linear = new nn.Linear(320, 10);
 * const y = linear(x); // [N, 320] → [N, 10]
 * ```
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `[outFeatures, inFeatures]`. */
  weight: Parameter;
  /** `[outFeatures]`, or null with `{ bias: false }`. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    const o = checkOptions(options, 'Linear options', ['bias']);
    this.inFeatures = checkInt(inFeatures, 'inFeatures', 1);
    this.outFeatures = checkInt(outFeatures, 'outFeatures', 1);
    this.weight = new Parameter(empty([outFeatures, inFeatures]));
    this.bias = checkBool(o.bias ?? true, 'bias') ? new Parameter(empty([outFeatures])) : null;
    this.resetParameters();
  }

  /** Re-draws the weights with PyTorch's default initialisation. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const bound = 1 / Math.sqrt(this.inFeatures);
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor { return F.linear(x, this.weight, this.bias); }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}

/**
 * Returns its input.
 * @example
 * ```ts
 * const head = useHead ? new nn.Linear(64, 10) : new nn.Identity();
 * ```
 */
export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}

/**
 * Flattens `startDim..endDim` (default 1..-1: everything but the batch).
 * @example
 * ```ts
 * new nn.Flatten()(torch.zeros([64, 20, 4, 4])).shape; // [64, 320]
 * ```
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    checkInt(startDim, 'startDim');
    checkInt(endDim, 'endDim');
  }
  forward(x: Tensor): Tensor { return F.flatten(x, this.startDim, this.endDim); }
  override extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}
