/**
 * `nn.Linear`, `nn.Identity`, `nn.Flatten`, `nn.Unflatten` and `nn.Bilinear`.
 */
import { Tensor } from '../tensor';
import { empty } from '../factories';
import { checkBool, checkInt, checkIntList, checkOptions } from '../validate';
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
    this.inFeatures = checkInt(inFeatures, 'inFeatures', 0);
    this.outFeatures = checkInt(outFeatures, 'outFeatures', 0);
    this.weight = new Parameter(empty([outFeatures, inFeatures]));
    this.bias = checkBool(o.bias ?? true, 'bias') ? new Parameter(empty([outFeatures])) : null;
    this.resetParameters();
  }

  /** Re-draws the weights with PyTorch's default initialisation. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      // Without inputs PyTorch's bound is the integer 0, whose negation is 0, not -0.
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      init.uniform_(this.bias, bound === 0 ? 0 : -bound, bound);
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

/** Python's repr of a tuple of integers: `(2, 3)`, `(6,)`, `()`. */
const pyTuple = (values: readonly number[]): string => `(${values.join(', ')}${values.length === 1 ? ',' : ''})`;

/**
 * Expands dimension `dim` into `unflattenedSize` (one entry may be -1), the inverse of `Flatten`.
 * @example
 * ```ts
 * new nn.Unflatten(1, [20, 4, 4])(torch.zeros([64, 320])).shape; // [64, 20, 4, 4]
 * ```
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];
  constructor(dim: number, unflattenedSize: number[]) {
    super();
    this.dim = checkInt(dim, 'dim');
    this.unflattenedSize = [...checkIntList(unflattenedSize, 'unflattenedSize')];
  }
  forward(x: Tensor): Tensor { return x.unflatten(this.dim, [...this.unflattenedSize]); }
  override extraRepr(): string { return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`; }
}

/**
 * `y = x1ᵀ A x2 + b` over the last dimension of two inputs, initialised as PyTorch does: weight
 * and bias uniform in ±1/√in1Features.
 * @example
 * ```ts
 * const bilinear = new nn.Bilinear(20, 30, 40);
 * bilinear(torch.randn([128, 20]), torch.randn([128, 30])); // [128, 40]
 * ```
 */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  /** `[outFeatures, in1Features, in2Features]`. */
  weight: Parameter;
  /** `[outFeatures]`, or null with `{ bias: false }`. */
  bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    const o = checkOptions(options, 'Bilinear options', ['bias']);
    this.in1Features = checkInt(in1Features, 'in1Features', 1);
    this.in2Features = checkInt(in2Features, 'in2Features', 0);
    this.outFeatures = checkInt(outFeatures, 'outFeatures', 0);
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features]));
    this.bias = checkBool(o.bias ?? true, 'bias') ? new Parameter(empty([outFeatures])) : null;
    this.resetParameters();
  }

  /** Re-draws weight and bias uniformly in ±1/√in1Features, as PyTorch's `reset_parameters`. */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]);
    init.uniform_(this.weight, -bound, bound);
    if (this.bias !== null) init.uniform_(this.bias, -bound, bound);
  }

  forward(x1: Tensor, x2: Tensor): Tensor { return F.bilinear(x1, x2, this.weight, this.bias); }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}
