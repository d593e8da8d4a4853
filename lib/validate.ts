/**
 * Argument checks shared by the TypeScript layer. TypeScript validates meaning and fills
 * defaults; native code re-checks types only.
 * @internal
 */
import { rangeError, typeError } from './errors';

export const DTYPES = [
  'float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool',
  'complex64', 'complex128',
] as const;

export function checkInt(value: unknown, name: string, min = -Infinity): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError('an integer', name, value);
  if (value < min) throw rangeError(`an integer >= ${min}`, name, value);
  return value;
}

export function checkNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError('a number', name, value);
  return value;
}

export function checkBool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw typeError('a boolean', name, value);
  return value;
}

/** A shape: non-negative integers, or -1 once where `allowInfer` (view/reshape). */
export function checkShape(value: unknown, name: string, allowInfer = false): number[] {
  if (!Array.isArray(value)) throw typeError('an array of integers', name, value);
  for (const d of value) {
    if (typeof d !== 'number' || !Number.isInteger(d)) throw typeError('an array of integers', name, value);
    if (d < 0 && !(allowInfer && d === -1)) throw rangeError('non-negative sizes', name, value);
  }
  return value as number[];
}

export function checkIntList(value: unknown, name: string): number[] {
  if (!Array.isArray(value) || !value.every((d) => typeof d === 'number' && Number.isInteger(d))) {
    throw typeError('an array of integers', name, value);
  }
  return value as number[];
}

/** `f(2, 3)` and `f([2, 3])` both mean the shape `[2, 3]`, as in PyTorch. */
export function shapeArgs(args: unknown[], name: string, allowInfer = false): number[] {
  const shape = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return checkShape(shape, name, allowInfer);
}

/** An int or a pair, expanded to `n` values (`kernelSize: 5` → `[5, 5]`). */
export function expandInts(value: unknown, n: number, name: string, min = 0): number[] {
  const list = typeof value === 'number' ? new Array(n).fill(value) : value;
  if (!Array.isArray(list) || list.length !== n) throw typeError(`an integer or ${n} integers`, name, value);
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(`an integer or ${n} integers`, name, value);
    if (v < min) throw rangeError(`values >= ${min}`, name, value);
  }
  return list as number[];
}

export function checkDtype(value: unknown, name = 'dtype'): (typeof DTYPES)[number] {
  if (typeof value !== 'string' || !(DTYPES as readonly string[]).includes(value)) {
    throw typeError(`one of ${DTYPES.join(', ')}`, name, value);
  }
  return value as (typeof DTYPES)[number];
}

export function checkDevice(value: unknown, name = 'device'): string {
  if (typeof value !== 'string' || !/^(cpu|cuda(:\d+)?)$/.test(value)) {
    throw typeError("a device such as 'cpu', 'cuda' or 'cuda:0'", name, value);
  }
  return value;
}

export function checkOptions(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError('an options object', name, value);
  return value as Record<string, unknown>;
}
