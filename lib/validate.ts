/**
 * Argument checks shared by the TypeScript layer. TypeScript validates meaning and fills
 * defaults; native code re-checks types only.
 * @internal
 */
import { DTYPES, DTYPE_ALIASES, dtypeOf, type DType } from './dtype';
import { describe, rangeError, typeError } from './errors';

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
