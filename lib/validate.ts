/**
 * Argument checks shared by the TypeScript layer. TypeScript validates meaning and fills
 * defaults; native code re-checks types only.
 * @internal
 */
import { DTYPES, DTYPE_ALIASES, dtypeOf, type DType } from './dtype';
import { describe, rangeError, typeError } from './errors';

// ---- integers: one rule for every size, dim and int argument ----------------------------------
//
// An integer is a whole JS number or a bigint, as a Python int is. A JS number is an exact integer
// only up to Number.MAX_SAFE_INTEGER (2^53 - 1): beyond it one number stands for several
// integers. So an integer argument (a size, a dim, a count) must lie within ±MAX_SAFE_INTEGER,
// else a RangeError (Python's overflow, at the bound where JS numbers stop being exact); a bigint
// within it is taken as the number it equals. Scalars (fill values, `x.add(n)`) are exact over the
// whole int64 range: lib/dispatch.ts passes larger integers as int64 (see `scalarArg`).

/** The bound of an integer argument: ±(2^53 - 1), where JS numbers are exact. */
export const MAX_INT = Number.MAX_SAFE_INTEGER;

/** Whether `value` is an integer: a whole number or a bigint (of any size). */
export function isInteger(value: unknown): value is number | bigint {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
}

const MAX_INT_BIG = BigInt(MAX_INT);

/** Whether `value` is an integer an integer argument can take: within ±(2^53 - 1). */
export function isIntArg(value: unknown): value is number | bigint {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  return typeof value === 'bigint' && value <= MAX_INT_BIG && value >= -MAX_INT_BIG;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Whether `value` is an integer (a whole number or a bigint) that fits int64, as a Python int must to become one. */
export function isInt64(value: unknown): value is number | bigint {
  if (typeof value === 'bigint') return value >= INT64_MIN && value <= INT64_MAX;
  // Doubles in [-2^63, 2^63) are the whole numbers that fit: 2^63 itself is the first that does not.
  return typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63;
}

/**
 * An integer argument as a number: a whole number or a bigint within ±(2^53 - 1), at least `min`.
 * TypeError for anything else, RangeError for an integer out of range.
 */
export function checkInt(value: unknown, name: string, min = -Infinity): number {
  if (!isInteger(value)) throw typeError('an integer', name, value);
  if (!isIntArg(value)) throw intArgError('an integer', name, value);
  const n = Number(value);
  if (n < min) throw rangeError(`an integer >= ${min}`, name, value);
  return n;
}

/** The error for an integer argument that is not one (`what` names the expected form). */
export function intArgError(what: string, name: string, value: unknown, element: unknown = value): TypeError | RangeError {
  return isInteger(element) ? rangeError(`${what} within ±(2^53 - 1)`, name, value) : typeError(what, name, value);
}

export function checkNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError('a number', name, value);
  return value;
}

export function checkBool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw typeError('a boolean', name, value);
  return value;
}

/**
 * A list of integer arguments, copied into a new array of numbers (so a later change to the
 * caller's array, or a Proxy answering differently, cannot reach native code).
 */
export function checkIntList(value: unknown, name: string): number[] {
  if (!Array.isArray(value)) throw typeError('an array of integers', name, value);
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const d: unknown = value[i];
    if (!isIntArg(d)) throw intArgError('an array of integers', name, value, d);
    out.push(Number(d));
  }
  return out;
}

/** A shape: non-negative integers, or -1 once where `allowInfer` (view/reshape). */
export function checkShape(value: unknown, name: string, allowInfer = false): number[] {
  const shape = checkIntList(value, name);
  for (const d of shape) {
    if (d < 0 && !(allowInfer && d === -1)) throw rangeError('non-negative sizes', name, value);
  }
  return shape;
}

/** `f(2, 3)` and `f([2, 3])` both mean the shape `[2, 3]`, as in PyTorch. */
export function shapeArgs(args: unknown[], name: string, allowInfer = false): number[] {
  const shape = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return checkShape(shape, name, allowInfer);
}

/** An int or a pair, expanded to `n` values (`kernelSize: 5` → `[5, 5]`). */
export function expandInts(value: unknown, n: number, name: string, min = 0): number[] {
  const what = `an integer or ${n} integers`;
  if (isInteger(value)) return new Array(n).fill(checkIntIn(value, what, name, value, min));
  if (!Array.isArray(value) || value.length !== n) throw typeError(what, name, value);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(checkIntIn(value[i], what, name, value, min));
  return out;
}

function checkIntIn(v: unknown, what: string, name: string, whole: unknown, min: number): number {
  if (!isIntArg(v)) throw intArgError(what, name, whole, v);
  if (Number(v) < min) throw rangeError(`values >= ${min}`, name, whole);
  return Number(v);
}

/** A dtype or an alias (`'float'`, `'long'`, …), resolved to the dtype. */
export function checkDtype(value: unknown, name = 'dtype'): DType {
  const dtype = dtypeOf(value);
  if (dtype === undefined) {
    throw typeError(`a dtype (one of ${DTYPES.join(', ')}, or an alias: ${Object.keys(DTYPE_ALIASES).join(', ')})`, name, value);
  }
  return dtype;
}

export function checkDevice(value: unknown, name = 'device'): string {
  if (typeof value !== 'string' || !/^(cpu|cuda(:\d+)?)$/.test(value)) {
    throw typeError("a device such as 'cpu', 'cuda' or 'cuda:0'", name, value);
  }
  return value;
}

/**
 * The keys of an options interface as a runtime list. The object literal must name exactly the
 * interface's keys (the compiler rejects a missing or an extra one), so the list cannot drift.
 * @example
 * ```ts
 * const KEYS = optionKeys<DataLoaderOptions>({ batchSize: true, shuffle: true, dropLast: true, seed: true, prefetch: true });
 * ```
 */
export function optionKeys<T>(keys: { [K in keyof Required<T>]: true }): (keyof T & string)[] {
  return Object.keys(keys) as (keyof T & string)[];
}

/**
 * An options object whose keys are all among `keys` (undefined means `{}`). An unknown key
 * throws a TypeError naming it, the options there are, and the likely intended one: PyTorch's
 * `batch_size` hints `batchSize`, a misspelt `wieght_decay` hints `weightDecay`.
 */
export function checkOptions<K extends string>(value: unknown, name: string, keys: readonly K[]): { [P in K]?: unknown } {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError('an options object', name, value);
  for (const key in value) {
    if (!(keys as readonly string[]).includes(key)) throw unknownOption(key, name, keys);
  }
  return value as { [P in K]?: unknown };
}

function unknownOption(key: string, name: string, keys: readonly string[]): TypeError {
  const what = keys.length ? `only the options ${keys.join(', ')}` : 'no options';
  const hint = closestOption(key, keys);
  const snake = key.includes('_') ? ' (options are camelCase)' : '';
  return new TypeError(`Expected ${what} for ${name} but received ${describe(key)}${hint ? `: did you mean ${hint}?` : ''}${snake}`);
}

/** The option `key` was probably meant to be: its camelCase form, or the nearest by edit distance. */
function closestOption(key: string, keys: readonly string[]): string | undefined {
  const camel = key.replace(/_+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
  const lower = camel.toLowerCase();
  const exact = keys.find((k) => k.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of keys) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  return bestDistance <= Math.max(2, Math.floor(lower.length / 4)) ? best : undefined;
}

/** Damerau–Levenshtein distance (adjacent transpositions count 1), for option hints. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
