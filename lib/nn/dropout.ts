/**
 * `nn.Dropout`.
 */
import { rangeError } from '../errors';
import { Tensor } from '../tensor';
import { checkNumber } from '../validate';
import { pyFloat } from '../printing';
import * as F from './functional';
import { Module } from './module';

/**
 * Zeroes elements with probability `p` in training mode; the identity in `eval()` mode.
 * @example
 * ```ts
 * const drop = new nn.Dropout(0.5);
 * ```
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkNumber(p, 'p');
    if (p < 0 || p > 1) throw rangeError('a probability in [0, 1]', 'p', p);
  }
  forward(x: Tensor): Tensor { return F.dropout(x, this.p, this.training); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=False`; }
}
