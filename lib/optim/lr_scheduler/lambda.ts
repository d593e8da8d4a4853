/**
 * Schedulers driven by a user function of the epoch: LambdaLR and MultiplicativeLR (ports of
 * PyTorch 2.13's). The functions are not part of the state dict (PyTorch stores `null` for them).
 */
import { rangeError, typeError } from '../../errors';
import { checkOptions, optionKeys } from '../../validate';
import { Optimizer } from '../optimizer';
import { LRScheduler, groupValues, lastEpochOf } from './base';

/** A function of the epoch index that returns a factor. */
export type LrLambda = (epoch: number) => number;

/** Options of {@link LambdaLR}, as PyTorch's `LambdaLR` arguments (camelCase). */
export interface LambdaLROptions { lrLambda: LrLambda | LrLambda[]; lastEpoch?: number }
const LAMBDA_KEYS = optionKeys<LambdaLROptions>({ lrLambda: true, lastEpoch: true });

function lambdasOf(value: unknown, optimizer: Optimizer): LrLambda[] {
  const n = optimizer.paramGroups.length;
  const list = Array.isArray(value) ? value : new Array<unknown>(n).fill(value);
  if (list.length !== n) throw rangeError(`${n} functions (one per parameter group)`, 'lrLambda', value);
  list.forEach((f, i) => { if (typeof f !== 'function') throw typeError('a function or an array of functions', Array.isArray(value) ? `lrLambda[${i}]` : 'lrLambda', f); });
  return list as LrLambda[];
}

abstract class LambdaScheduler extends LRScheduler {
  lrLambdas: LrLambda[];

  protected constructor(optimizer: Optimizer, options: LambdaLROptions, name: string) {
    super(optimizer);
    const o = checkOptions(options, `${name} options`, LAMBDA_KEYS);
    this.lrLambdas = lambdasOf(o.lrLambda, optimizer);
    this.attach(lastEpochOf(o.lastEpoch));
  }

  /** PyTorch's keys; `lr_lambdas` holds one `null` per function (functions are not saved). */
  override stateDict(): Record<string, unknown> {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/**
 * Sets each group's learning rate to its base value times `lrLambda(epoch)` (one function, or
 * one per group).
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.LambdaLR(optimizer, { lrLambda: (epoch) => 0.95 ** epoch });
 * ```
 */
export class LambdaLR extends LambdaScheduler {
  constructor(optimizer: Optimizer, options: LambdaLROptions) {
    super(optimizer, options, 'LambdaLR');
  }

  getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch));
  }
}

/**
 * Multiplies each group's learning rate by `lrLambda(epoch)` every epoch (one function, or one
 * per group).
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.MultiplicativeLR(optimizer, { lrLambda: () => 0.95 });
 * ```
 */
export class MultiplicativeLR extends LambdaScheduler {
  constructor(optimizer: Optimizer, options: LambdaLROptions) {
    super(optimizer, options, 'MultiplicativeLR');
  }

  getLr(): number[] {
    if (this._isInitial) return groupValues(this.optimizer, 'lr');
    return this.optimizer.paramGroups.map((g, i) => (g.lr as number) * this.lrLambdas[i](this.lastEpoch));
  }
}
