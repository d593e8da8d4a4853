/**
 * The numeric limits of `torch.utils.data`, where a JS number meets what stores it: an epoch's
 * sample order is an `Int32Array` (and the native stream's `int64` indices are read from it),
 * the native stream keeps its prefetch depth in a C++ `int`. Options beyond them are refused
 * with a RangeError up front (`checkInt(value, name, min, max)`), never wrapped or truncated on the way.
 */

/**
 * The largest sample index, batch size, sample count or dataset length a DataLoader or sampler
 * takes, 2^31 − 1: an epoch's order is an `Int32Array`.
 * @example
 * ```ts
 * new DataLoader(ds, { batchSize: MAX_INDEX + 1 }); // RangeError
 * ```
 */
export const MAX_INDEX = 2 ** 31 - 1;

/**
 * The most batches the DataLoader's native path prepares ahead (`prefetch`), 1024: each one holds
 * a whole batch in memory, and more than a few never make training faster.
 * @example
 * ```ts
 * new DataLoader(ds, { prefetch: MAX_PREFETCH }); // the deepest queue allowed
 * ```
 */
export const MAX_PREFETCH = 1024;

/**
 * The largest `seed` of a DataLoader, 2^53 − 1: larger JS numbers are not exact integers.
 * @example
 * ```ts
 * new DataLoader(ds, { shuffle: true, seed: MAX_SEED });
 * ```
 */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;
