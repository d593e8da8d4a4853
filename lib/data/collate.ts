/**
 * `torch.utils.data.default_collate`: a list of samples into one batch.
 */
import { typeError, rangeError } from '../errors';
import { Tensor } from '../tensor';
import { tensor } from '../factories';
import { stack } from '../generated/ops';
import { MAX_NESTING } from '../validate';

/**
 * Collates samples as PyTorch's `default_collate`: Tensors are stacked along a new first
 * dimension; numbers become one tensor (int64 when every number is an integer, else float64 —
 * JS has no separate float type, so `1.0` counts as the integer 1); booleans a bool tensor;
 * strings stay a list; arrays (tuples) are collated element-wise and plain objects key-wise,
 * recursively.
 * @example
 * ```ts
 * defaultCollate([[torch.zeros(2), 1], [torch.ones(2), 0]])   // [Tensor [2, 2], int64 Tensor [2]]
 * ```
 */
export function defaultCollate(batch: unknown[], name = 'batch'): unknown {
  return collate(batch, name, new Set());
}

/**
 * `defaultCollate` at one nesting level: `outer` holds the arrays and objects of the first sample
 * around this level, so a sample that contains itself is refused, and nesting deeper than
 * {@link MAX_NESTING} is a RangeError before the stack runs out.
 */
function collate(batch: unknown[], name: string, outer: Set<unknown>): unknown {
  if (!Array.isArray(batch) || batch.length === 0) throw typeError('a non-empty array of samples', name, batch);
  const first = batch[0];
  if (first instanceof Tensor) {
    expectEvery(batch, (v) => v instanceof Tensor, 'a Tensor in every sample', name);
    return stack(batch as Tensor[]);
  }
  if (typeof first === 'number') {
    expectEvery(batch, (v) => typeof v === 'number', 'a number in every sample', name);
    const nums = batch as number[];
    return tensor(nums, { dtype: nums.every(Number.isInteger) ? 'int64' : 'float64' });
  }
  if (typeof first === 'boolean') {
    expectEvery(batch, (v) => typeof v === 'boolean', 'a boolean in every sample', name);
    return tensor(batch as boolean[] as unknown as number[], { dtype: 'bool' });
  }
  if (typeof first === 'string') {
    expectEvery(batch, (v) => typeof v === 'string', 'a string in every sample', name);
    return [...batch];
  }
  const isArray = Array.isArray(first);
  const isObject = first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype;
  if (!isArray && !isObject) throw typeError('Tensors, numbers, booleans, strings, arrays or plain objects', name, first);
  if (outer.has(first)) throw typeError('samples without a cycle (an array or object that contains itself)', name, first);
  if (outer.size === MAX_NESTING) throw rangeError(`samples nested at most ${MAX_NESTING} deep`, name, first);
  const inner = new Set(outer).add(first);
  if (isArray) {
    const n = (first as unknown[]).length;
    expectEvery(batch, Array.isArray, 'an array in every sample', name);
    const k = batch.findIndex((s) => (s as unknown[]).length !== n);
    if (k >= 0) throw rangeError(`an array of length ${n} (each element in list of batch should be of equal size)`, `${name}[${k}]`, (batch[k] as unknown[]).length);
    return (first as unknown[]).map((_, i) => collate(batch.map((s) => (s as unknown[])[i]), `${name}[…][${i}]`, inner));
  }
  expectEvery(batch, (s) => s !== null && typeof s === 'object' && !Array.isArray(s), 'a plain object in every sample', name);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(first as object)) {
    out[key] = collate(batch.map((s) => (s as Record<string, unknown>)[key]), `${name}[…].${key}`, inner);
  }
  return out;
}

/** A TypeError naming the first sample that fails `ok` (a hole fails it: the walk stops there, however long the array). */
function expectEvery(batch: unknown[], ok: (v: unknown) => boolean, what: string, name: string): void {
  for (let k = 0; k < batch.length; k++) {
    if (!ok(batch[k])) throw typeError(what, `${name}[${k}]`, batch[k]);
  }
}
