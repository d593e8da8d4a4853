/**
 * `torch.Size`: a tensor's shape. An array of numbers (index it, spread it, `.length` is the
 * number of dimensions) that prints as `[64, 1, 28, 28]`.
 */
import { inspect } from 'util';

/**
 * The sizes of a tensor's dimensions, as `x.shape` and `x.size()` return them.
 * @example
 * ```ts
 * const x = torch.zeros(64, 1, 28, 28);
 * console.log(x.shape);     // [64, 1, 28, 28]
 * x.shape[0];               // 64
 * x.shape.numel();          // 50176
 * ```
 */
export class Size extends Array<number> {
  /** @internal A Size holding `dims` (copied). */
  static of_(dims: readonly number[]): Size {
    const s = new Size();
    for (let i = 0; i < dims.length; i++) s.push(dims[i]);
    return s;
  }

  /** The number of elements a tensor of this shape holds. */
  numel(): number {
    let n = 1;
    for (let i = 0; i < this.length; i++) n *= this[i];
    return n;
  }

  /** `[64, 1, 28, 28]`. */
  override toString(): string { return `[${this.join(', ')}]`; }

  /** @internal */
  [inspect.custom](): string { return this.toString(); }
}
