/**
 * What the `add*` methods accept as data, as PyTorch's `make_np`: a Tensor (detached, on the CPU),
 * or for convenience a JS array or typed array of numbers.
 */
import { rangeError, typeError } from '../../errors';
import { Tensor } from '../../tensor';
import { tensor as makeTensor } from '../../factories';

/** `value` as a CPU tensor (an array becomes a float32 tensor; a typed array keeps its type). */
export function toTensor(value: unknown, name: string): Tensor {
  if (value instanceof Tensor) return value.detach().to('cpu');
  if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) return makeTensor(value as number[]);
  throw typeError('a Tensor or an array of numbers', name, value);
}

/** One number: a number, a bigint, a boolean or a one-element Tensor (PyTorch's `float(make_np(x).squeeze())`). */
export function toNumber(value: unknown, name: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
  if (value instanceof Tensor) {
    if (value.numel() !== 1) throw rangeError('a tensor with one element', name, value.shape);
    return Number(value.item());
  }
  throw typeError('a number or a one-element Tensor', name, value);
}
