/**
 * `torch.utils.data.default_collate`: a list of samples into one batch.
 */
import { typeError, rangeError } from '../errors';
import { Tensor } from '../tensor';
import { tensor } from '../factories';
import { stack } from '../generated/ops';

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
  if (!Array.isArray(batch) || batch.length === 0) throw typeError('a non-empty array of samples', name, batch);
  const first = batch[0];
  if (first instanceof Tensor) {
    if (!batch.every((v) => v instanceof Tensor)) throw typeError('a Tensor in every sample', name, batch.find((v) => !(v instanceof Tensor)));
    return stack(batch as Tensor[]);
  }
  if (typeof first === 'number') {
    if (!batch.every((v) => typeof v === 'number')) throw typeError('a number in every sample', name, batch.find((v) => typeof v !== 'number'));
    const nums = batch as number[];
    return tensor(nums, { dtype: nums.every(Number.isInteger) ? 'int64' : 'float64' });
  }
  if (typeof first === 'boolean') {
    if (!batch.every((v) => typeof v === 'boolean')) throw typeError('a boolean in every sample', name, batch.find((v) => typeof v !== 'boolean'));
    return tensor(batch as boolean[] as unknown as number[], { dtype: 'bool' });
  }
  if (typeof first === 'string') {
    if (!batch.every((v) => typeof v === 'string')) throw typeError('a string in every sample', name, batch.find((v) => typeof v !== 'string'));
    return [...batch];
  }
  if (Array.isArray(first)) {
    const n = first.length;
    batch.forEach((s, k) => {
      if (!Array.isArray(s)) throw typeError('an array in every sample', `${name}[${k}]`, s);
      if (s.length !== n) throw rangeError(`an array of length ${n} (each element in list of batch should be of equal size)`, `${name}[${k}]`, s.length);
    });
    return first.map((_, i) => defaultCollate(batch.map((s) => (s as unknown[])[i]), `${name}[…][${i}]`));
  }
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    batch.forEach((s, k) => {
      if (s === null || typeof s !== 'object' || Array.isArray(s)) throw typeError('a plain object in every sample', `${name}[${k}]`, s);
    });
    for (const key of keys) out[key] = defaultCollate(batch.map((s) => (s as Record<string, unknown>)[key]), `${name}[…].${key}`);
    return out;
  }
  throw typeError('Tensors, numbers, booleans, strings, arrays or plain objects', name, first);
}
