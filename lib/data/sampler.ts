/**
 * `torch.utils.data` samplers: the order (and grouping) in which a DataLoader visits a dataset.
 * Random ones draw with PyTorch's algorithms on a `torch.Generator`, so that the same seed gives
 * the same indices as Python.
 */
import { typeError, rangeError } from '../errors';
import { Generator } from '../generator';
import { empty, randint, randperm, tensor } from '../factories';
import { noGrad } from '../autograd';
import { Tensor } from '../tensor';
import { checkBool, checkInt, checkOptions, optionKeys } from '../validate';
import { MAX_INDEX } from './limits';

/** Anything iterable over dataset indices with a `length`, as PyTorch's `Sampler`. */
export interface Sampler<I = number> extends Iterable<I> {
  readonly length: number;
}

/** @internal `value` has an integer `length` (a dataset or a sampler). */
export function checkSized(value: unknown, name: string): { length: number } {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || !Number.isInteger((value as { length?: unknown }).length)) {
    throw typeError('an object with an integer length', name, value);
  }
  return value as { length: number };
}

/** @internal */
export function checkGenerator(value: unknown, name = 'generator'): Generator | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Generator)) throw typeError('a torch.Generator', name, value);
  return value;
}

// Reads a tensor the library drew and needs no more, and frees it now rather than at a GC.
function take<R>(t: Tensor, read: (t: Tensor) => R): R {
  try {
    return read(t);
  } finally {
    t.dispose();
  }
}

/** @internal The values of an int64 tensor the library drew, which is freed. */
export function takeInts(t: Tensor): number[] {
  return take(t, (x) => Array.from(x.toArray() as BigInt64Array, Number));
}

// As RandomSampler without a generator: a fresh generator seeded from torch's global one.
function freshGenerator(): Generator {
  const seed = noGrad(() => take((empty([], { dtype: 'int64' }) as Tensor & { random_(): Tensor }).random_(), (t) => (t.toArray() as BigInt64Array)[0]));
  // A 63-bit seed is not exact as a JS number; the low 53 bits keep it deterministic.
  return new Generator().manualSeed(Number(BigInt.asUintN(53, seed)));
}

/**
 * Indices `0 … n-1` in order.
 * @example
 * ```ts
 * [...new SequentialSampler(dataset)]   // [0, 1, 2, …]
 * ```
 */
export class SequentialSampler implements Sampler {
  constructor(readonly dataSource: { length: number }) { checkSized(dataSource, 'dataSource'); }
  get length(): number { return this.dataSource.length; }
  /** Yields the indices of one epoch. */
  *[Symbol.iterator](): Iterator<number> { for (let i = 0; i < this.dataSource.length; i++) yield i; }
}

/** Options of `RandomSampler`. */
export interface RandomSamplerOptions {
  /** Draw with replacement. Default false. */
  replacement?: boolean;
  /** Indices per epoch, from 1 to 2^31 − 1 (`MAX_INDEX`). Default the dataset's length. */
  numSamples?: number;
  /** Generator of the draws. Default: a fresh one seeded from torch's global generator each epoch. */
  generator?: Generator;
}
const RANDOM_SAMPLER_KEYS = optionKeys<RandomSamplerOptions>({ replacement: true, numSamples: true, generator: true });

/**
 * Random indices: a permutation (`randperm`) per epoch, or with `replacement` uniform draws
 * (`randint` in chunks of 32), exactly as PyTorch's `RandomSampler`.
 * @example
 * ```ts
 * const sampler = new RandomSampler(dataset, { generator: new torch.Generator().manualSeed(0) });
 * ```
 */
export class RandomSampler implements Sampler {
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  private readonly numSamples_: number | undefined;
  constructor(readonly dataSource: { length: number }, options: RandomSamplerOptions = {}) {
    checkSized(dataSource, 'dataSource');
    const o = checkOptions(options, 'RandomSampler options', RANDOM_SAMPLER_KEYS);
    this.replacement = checkBool(o.replacement ?? false, 'replacement');
    this.numSamples_ = o.numSamples === undefined ? undefined : checkInt(o.numSamples, 'numSamples', 1, MAX_INDEX);
    this.generator = checkGenerator(o.generator);
  }
  get numSamples(): number { return this.numSamples_ ?? this.dataSource.length; }
  get length(): number { return this.numSamples; }
  /** Yields the indices of one epoch. */
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    const generator = this.generator ?? freshGenerator();
    const m = this.numSamples;
    if (this.replacement) {
      for (let k = 0; k < Math.floor(m / 32); k++) yield* takeInts(randint(n, [32], { dtype: 'int64', generator }));
      yield* takeInts(randint(n, [m % 32], { dtype: 'int64', generator }));
    } else {
      for (let k = 0; k < Math.floor(m / n); k++) yield* takeInts(randperm(n, { generator }));
      yield* takeInts(randperm(n, { generator })).slice(0, m % n);
    }
  }
}

/**
 * The given indices in a random order (`randperm` of their count), as PyTorch's `SubsetRandomSampler`.
 * @example
 * ```ts
 * const valSampler = new SubsetRandomSampler([0, 5, 9], { generator: g });
 * ```
 */
export class SubsetRandomSampler implements Sampler {
  readonly indices: number[];
  readonly generator: Generator | undefined;
  constructor(indices: number[], options: { generator?: Generator } = {}) {
    if (!Array.isArray(indices)) throw typeError('an array of indices', 'indices', indices);
    indices.forEach((i, k) => checkInt(i, `indices[${k}]`));
    this.indices = [...indices];
    this.generator = checkGenerator(checkOptions(options, 'SubsetRandomSampler options', ['generator'] as const).generator);
  }
  get length(): number { return this.indices.length; }
  /** Yields the indices of one epoch. */
  *[Symbol.iterator](): Iterator<number> {
    for (const i of takeInts(randperm(this.indices.length, { generator: this.generator }))) yield this.indices[i];
  }
}

/**
 * Indices drawn with probabilities proportional to `weights` (`torch.multinomial` on float64
 * weights), as PyTorch's `WeightedRandomSampler`.
 * `numSamples` is from 1 to 2^31 − 1 (`MAX_INDEX`), and without `replacement` at most one per weight.
 * @example
 * ```ts
 * const sampler = new WeightedRandomSampler([0.1, 0.9], 100, { replacement: true });
 * ```
 */
export class WeightedRandomSampler implements Sampler {
  readonly weights: Tensor;
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  constructor(weights: number[] | Tensor, numSamples: number, options: { replacement?: boolean; generator?: Generator } = {}) {
    if (weights instanceof Tensor) {
      this.weights = weights.to('float64');
    } else {
      if (!Array.isArray(weights)) throw typeError('an array of numbers or a Tensor', 'weights', weights);
      // Stops at the first element that is not a number, a hole included (never walks a huge sparse array).
      for (let i = 0; i < weights.length; i++) {
        if (typeof weights[i] !== 'number') throw typeError('an array of numbers or a Tensor', 'weights', weights);
      }
      this.weights = tensor(weights, { dtype: 'float64' });
    }
    if (this.weights.dim() !== 1) throw rangeError('a 1-D sequence', 'weights', this.weights.shape);
    this.numSamples = checkInt(numSamples, 'numSamples', 1, MAX_INDEX);
    const o = checkOptions(options, 'WeightedRandomSampler options', ['replacement', 'generator'] as const);
    this.replacement = checkBool(o.replacement ?? true, 'replacement');
    if (!this.replacement && this.numSamples > this.weights.size(0)) {
      throw rangeError(`at most ${this.weights.size(0)} samples (one per weight) without replacement`, 'numSamples', numSamples);
    }
    this.generator = checkGenerator(o.generator);
  }
  get length(): number { return this.numSamples; }
  /** Yields the indices of one epoch. */
  *[Symbol.iterator](): Iterator<number> {
    yield* takeInts(this.weights.multinomial(this.numSamples, this.replacement, { generator: this.generator ?? null }));
  }
}

/**
 * Groups a sampler's indices into batches of `batchSize` (the last one smaller unless `dropLast`).
 * @example
 * ```ts
 * [...new BatchSampler(new SequentialSampler(ds), 3, false)]   // [[0,1,2], [3,4,5], [6]] for 7 samples
 * ```
 */
export class BatchSampler implements Sampler<number[]> {
  readonly batchSize: number;
  readonly dropLast: boolean;
  constructor(readonly sampler: Iterable<number> & { length?: number }, batchSize: number, dropLast: boolean) {
    if (sampler === null || typeof sampler !== 'object' || typeof (sampler as Iterable<number>)[Symbol.iterator] !== 'function') {
      throw typeError('an iterable sampler', 'sampler', sampler);
    }
    this.batchSize = checkInt(batchSize, 'batchSize', 1, MAX_INDEX);
    this.dropLast = checkBool(dropLast, 'dropLast');
  }
  get length(): number {
    const n = checkSized(this.sampler, 'sampler').length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  /** Yields the batches of indices of one epoch. */
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) { yield batch; batch = []; }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
