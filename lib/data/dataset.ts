/**
 * `torch.utils.data` datasets: the `Dataset` shape, `TensorDataset`, `ConcatDataset`, `Subset`
 * and `randomSplit`.
 */
import { typeError, rangeError } from '../errors';
import { Tensor } from '../tensor';
import { randperm } from '../factories';
import { checkInt, checkOptions } from '../validate';
import { Generator } from '../generator';
import { checkGenerator } from './sampler';
import { nativeSourceOf, tensorSource, type NativeSource } from './native';

/**
 * Anything with a `length` and `get(i)` is a dataset (PyTorch's `__len__`/`__getitem__`).
 * @example
 * ```ts
 * const squares: Dataset<[number, number]> = { length: 10, get: (i) => [i, i * i] };
 * ```
 */
export interface Dataset<T = unknown> {
  readonly length: number;
  /** Sample `index` (0 ≤ index < length), as PyTorch's `dataset[index]`. */
  get(index: number): T;
  /**
   * Optional: loads the raw data of these samples off the main thread (e.g. decodes image
   * files), so that `get()` of each is quick. The DataLoader's `for await` calls it for the
   * next batch while the current one trains; `get()` must still work without it.
   */
  loadAsync?(indices: number[]): Promise<void>;
}

// An index of a sequence of `n` samples, negative ones counting from the end, as Python's.
function checkIndex(index: unknown, n: number): number {
  const i = checkInt(index, 'index');
  if (i < -n || i >= n) throw rangeError(`an index in [-${n}, ${n})`, 'index', index);
  return i;
}

/**
 * Samples are rows of tensors of equal first dimension. Two tensors, inputs (uint8 or float32)
 * and targets (int64, float32 or float64) on the CPU, take the DataLoader's native path
 * (lib/data/native.ts); other dtypes and counts are batched per sample.
 * @example
 * ```ts
 * const ds = new TensorDataset(torch.randn([100, 4]), torch.randint(0, 2, [100]));
 * const [x, y] = ds.get(0);
 * ```
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw typeError('one or more Tensors', 'tensors', tensors);
    // One pass that stops at the first bad tensor (a hole included), and a message naming only it.
    for (let i = 0; i < tensors.length; i++) {
      const t: unknown = tensors[i];
      if (!(t instanceof Tensor)) throw typeError('a Tensor', `tensors[${i}]`, t);
      if (t.size(0) !== tensors[0].size(0)) throw rangeError(`a first dimension of ${tensors[0].size(0)}, as tensors[0]`, `tensors[${i}]`, t.shape);
    }
    this.tensors = tensors;
  }
  get length(): number { return this.tensors[0].size(0); }
  /** Row `index` of every tensor; a negative `index` counts from the end, as tensor indexing does. */
  get(index: number): Tensor[] {
    const i = checkIndex(index, this.length);
    return this.tensors.map((t) => t.select(0, i));
  }

  /** @internal The DataLoader's native path over `[inputs, targets]` (lib/data/native.ts). */
  nativeSource(): NativeSource | null {
    return this.tensors.length === 2 ? tensorSource(this.tensors[0], this.tensors[1]) : null;
  }
}

/**
 * The samples of `dataset` at `indices`.
 * @example
 * ```ts
 * const small = new Subset(trainSet, Array.from({ length: 2000 }, (_, i) => i));
 * ```
 */
export class Subset<T> implements Dataset<T> {
  readonly indices: number[];
  constructor(readonly dataset: Dataset<T>, indices: number[]) {
    if (!Array.isArray(indices)) throw typeError('an array of indices', 'indices', indices);
    indices.forEach((i, k) => {
      if (!Number.isInteger(i) || i < 0 || i >= dataset.length) throw rangeError(`an index in [0, ${dataset.length})`, `indices[${k}]`, i);
    });
    this.indices = [...indices];
  }
  get length(): number { return this.indices.length; }
  /** The sample at `indices[index]`; a negative `index` counts from the end, as a Python list. */
  get(index: number): T {
    const i = checkIndex(index, this.indices.length);
    return this.dataset.get(this.indices[i < 0 ? i + this.indices.length : i]);
  }

  /** @internal The native path over the parent's data, restricted to `indices`. */
  nativeSubset(): { source: NativeSource; indices: number[] } | null {
    const source = nativeSourceOf(this.dataset);
    return source === null ? null : { source, indices: this.indices };
  }
}

function checkDataset(value: unknown, name: string): Dataset {
  if (value === null || typeof value !== 'object' || typeof (value as Dataset).get !== 'function' || !Number.isInteger((value as Dataset).length)) {
    throw typeError('a dataset with length and get(index)', name, value);
  }
  return value as Dataset;
}

/**
 * Several datasets one after another, as PyTorch's `ConcatDataset`.
 * @example
 * ```ts
 * const both = new ConcatDataset([trainA, trainB]);
 * both.get(-1);   // the last sample of trainB
 * ```
 */
export class ConcatDataset<T> implements Dataset<T> {
  readonly datasets: Dataset<T>[];
  /** Running totals of the lengths, as PyTorch's `cumulative_sizes`. */
  readonly cumulativeSizes: number[];
  constructor(datasets: Dataset<T>[]) {
    if (!Array.isArray(datasets) || datasets.length === 0) throw typeError('a non-empty array of datasets', 'datasets', datasets);
    datasets.forEach((d, k) => checkDataset(d, `datasets[${k}]`));
    this.datasets = [...datasets];
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
  }
  get length(): number { return this.cumulativeSizes[this.cumulativeSizes.length - 1]; }
  /** A negative `index` counts from the end. */
  get(index: number): T {
    const n = this.length;
    let i = checkIndex(index, n);
    if (i < 0) i += n;
    // bisect_right over the running totals
    let d = 0;
    while (this.cumulativeSizes[d] <= i) d++;
    return this.datasets[d].get(d === 0 ? i : i - this.cumulativeSizes[d - 1]);
  }
}

/**
 * Splits a dataset into non-overlapping `Subset`s of the given lengths, from one `randperm` of
 * the whole, as PyTorch's `random_split`. Fractions summing to 1 become `floor(frac · n)` each,
 * with the remainder handed out one by one from the first split on.
 * @example
 * ```ts
 * const [train, val] = randomSplit(dataset, [0.8, 0.2], { generator: new torch.Generator().manualSeed(42) });
 * ```
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: number[], options: { generator?: Generator } = {}): Subset<T>[] {
  checkDataset(dataset, 'dataset');
  if (!Array.isArray(lengths) || lengths.length === 0) throw typeError('a non-empty array of lengths or fractions', 'lengths', lengths);
  // Stops at the first element that is not a finite number, a hole included (never walks a huge sparse array).
  for (let i = 0; i < lengths.length; i++) {
    if (typeof lengths[i] !== 'number' || !Number.isFinite(lengths[i])) throw typeError('a non-empty array of lengths or fractions', 'lengths', lengths);
  }
  const generator = checkGenerator(checkOptions(options, 'randomSplit options', ['generator'] as const).generator);
  const n = dataset.length;
  const sum = lengths.reduce((a, b) => a + b, 0);
  let counts: number[];
  // math.isclose(sum, 1) with its default rel_tol 1e-9, and sum <= 1
  if (Math.abs(sum - 1) <= 1e-9 * Math.max(Math.abs(sum), 1) && sum <= 1) {
    counts = lengths.map((f, k) => {
      if (f < 0 || f > 1) throw rangeError('a fraction in [0, 1]', `lengths[${k}]`, f);
      return Math.floor(n * f);
    });
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length] += 1;
  } else {
    counts = lengths.map((l, k) => checkInt(l, `lengths[${k}]`, 0));
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== n) throw rangeError(`lengths summing to the dataset's length ${n}`, 'lengths', lengths);
  const perm = Array.from(randperm(total, { generator }).toArray() as BigInt64Array, Number);
  let offset = 0;
  return counts.map((c) => new Subset(dataset, perm.slice(offset, (offset += c))));
}
