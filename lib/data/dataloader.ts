/**
 * `torch.utils.data.DataLoader`: batches of a dataset, shuffled per epoch.
 *
 * A dataset that offers a native source (lib/data/native.ts: `TensorDataset`, the built-in
 * datasets with built-in transforms) has each batch gathered, converted and normalised in C++,
 * the next batches prepared on a background thread while the current one trains. Other datasets
 * (or a `Lambda` transform), a `collateFn` or a `batchSampler` are batched in JS, one sample at a
 * time; a `sampler` or `generator` only sets the order, so works on either path. Random
 * transforms draw from the loader's per-epoch generator on both paths, so one seed gives the
 * same batches on either.
 */
import { native as N } from '../binding';
import { typeError, rangeError } from '../errors';
import { Generator as TorchGenerator } from '../generator';
import { Tensor } from '../tensor';
import { empty, randint } from '../factories';
import { noGrad } from '../autograd';
import { tidy } from '../memory';
import { checkBool, checkInt, checkOptions, optionKeys } from '../validate';
import { MAX_INDEX, MAX_PREFETCH, MAX_SEED } from './limits';
import { Subset, type Dataset } from './dataset';
import { nativeSourceOf, withTransformGenerator, type NativeSource } from './native';
import { checkGenerator, RandomSampler, SequentialSampler, takeInts } from './sampler';
import { defaultCollate } from './collate';

/** Options of `DataLoader`, PyTorch's keyword arguments in camelCase. */
export interface DataLoaderOptions<T = unknown, B = Batch> {
  /** Samples per batch, from 1 to 2^31 − 1 (`MAX_INDEX`). Default 1. */
  batchSize?: number;
  /** Reshuffle the order every epoch. Default false. */
  shuffle?: boolean;
  /** Drop the last batch if smaller than `batchSize`. Default false. */
  dropLast?: boolean;
  /**
   * Seed of the shuffling (and random-transform) generator: the same seed gives the same order
   * and the same random transforms in every run, on the native and the per-sample path alike.
   * Default: drawn from torch's global generator, so `torch.manualSeed()` fixes it. An integer
   * from 0 to 2^53 − 1 (`MAX_SEED`); seeds below 2^32 each give their own order.
   */
  seed?: number;
  /** Batches prepared ahead on the background thread (native path), from 1 to 1024 (`MAX_PREFETCH`). Default 2. */
  prefetch?: number;
  /** The order of the indices (excludes `shuffle`). */
  sampler?: Iterable<number> & { length?: number };
  /** Yields each batch's indices (excludes `batchSize`, `shuffle`, `sampler`, `dropLast`); batches are made in JS. */
  batchSampler?: Iterable<number[]> & { length?: number };
  /** Makes a batch from a list of samples. Default `defaultCollate` (PyTorch's `default_collate`); batches are made in JS. */
  collateFn?: (samples: T[]) => B;
  /**
   * With `shuffle`, a `RandomSampler` on this generator: the same indices as PyTorch's
   * `DataLoader(shuffle=True, generator=g)` for the same seed (excludes `seed`).
   */
  generator?: TorchGenerator;
}

const DATALOADER_KEYS = optionKeys<DataLoaderOptions>({
  batchSize: true, shuffle: true, dropLast: true, seed: true, prefetch: true,
  sampler: true, batchSampler: true, collateFn: true, generator: true,
});

// A small, fast, seedable generator (mulberry32) for the sample order; every index appears once
// per epoch through a Fisher–Yates shuffle. Its state is 32 bits: a seed's bits above them are
// mixed in (seeds below 2^32 keep their own state), not dropped, so 2^32 is not seed 0 again.
/** @internal {@link DataLoader.state}. */
export interface LoaderState { order: number | null; generator: Tensor | null }

class OrderGenerator {
  /** Where the stream stands (a uint32): {@link DataLoader.state} saves it. */
  state: number;
  constructor(seed: number) { this.state = ((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b1)) >>> 0; }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  shuffle(order: Int32Array): Int32Array {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }
}

/** A batch: inputs and targets, as PyTorch's default collate makes them. */
export type Batch = [Tensor, Tensor];

/** One batch of the per-sample path: its indices, and the call that gets and collates them. */
interface JsBatch<B> {
  indices: ArrayLike<number>;
  collate(): B;
}

function isIterable(value: unknown): boolean {
  return value !== null && typeof value === 'object' && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
}

// An epoch's order is an Int32Array: a longer dataset would wrap its indices.
function datasetLength(dataset: { length: number }): number {
  return checkInt(dataset.length, 'dataset.length', 0, MAX_INDEX);
}

function lengthOf(value: { length?: unknown }, name: string): number {
  if (!Number.isInteger(value.length)) throw typeError('an integer length', `${name}.length`, value.length);
  return value.length as number;
}

/**
 * Iterates over a dataset in batches.
 *
 * @example
 * ```ts
 * const trainLoader = new DataLoader(trainSet, { batchSize: 64, shuffle: true });
 * for (const [imgs, labels] of trainLoader) { … }      // or: for await (const … of trainLoader)
 * console.log(trainLoader.length);                     // batches per epoch (938 for MNIST)
 * ```
 */
export class DataLoader<T = unknown, B = Batch> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly prefetch: number;
  /**
   * The index order, as PyTorch's `loader.sampler`: the one given, a `RandomSampler` on
   * `generator` when shuffling with one, a `SequentialSampler` without shuffling; `null` when
   * shuffling without a generator (nodetorch's seeded per-epoch shuffle, see `seed`).
   */
  readonly sampler: (Iterable<number> & { length?: number }) | null;
  /** The `batchSampler` given, or null (batches of `batchSize` from `sampler`). */
  readonly batchSampler: (Iterable<number[]> & { length?: number }) | null;
  // `any[]`, not `T[]`, so that a DataLoader<X> is still a DataLoader<unknown> (as train() takes).
  /** The `collateFn` option, or null for the built-in collation. */
  readonly collateFn: ((samples: any[]) => B) | null;
  private generator_: OrderGenerator | null = null;
  private readonly native: { source: NativeSource; indices: number[] | null } | null;
  private readonly torchGenerator: TorchGenerator | null;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    if (dataset === null || typeof dataset !== 'object' || typeof dataset.get !== 'function' || !Number.isInteger(dataset.length)) {
      throw typeError('a dataset with length and get(index)', 'dataset', dataset);
    }
    datasetLength(dataset);
    const o = checkOptions(options, 'DataLoader options', DATALOADER_KEYS);
    this.dataset = dataset;
    this.batchSize = checkInt(o.batchSize ?? 1, 'batchSize', 1, MAX_INDEX);
    this.shuffle = checkBool(o.shuffle ?? false, 'shuffle');
    this.dropLast = checkBool(o.dropLast ?? false, 'dropLast');
    this.prefetch = checkInt(o.prefetch ?? 2, 'prefetch', 1, MAX_PREFETCH);
    const generator = checkGenerator(o.generator);
    if (o.sampler !== undefined && !isIterable(o.sampler)) throw typeError('an iterable of indices', 'sampler', o.sampler);
    if (o.batchSampler !== undefined && !isIterable(o.batchSampler)) throw typeError('an iterable of index arrays', 'batchSampler', o.batchSampler);
    if (o.collateFn !== undefined && typeof o.collateFn !== 'function') throw typeError('a function', 'collateFn', o.collateFn);
    if (o.sampler !== undefined && this.shuffle) throw rangeError('shuffle false with a sampler (they are mutually exclusive)', 'shuffle', true);
    if (o.batchSampler !== undefined && (this.batchSize !== 1 || this.shuffle || o.sampler !== undefined || this.dropLast)) {
      throw rangeError('no batchSize, shuffle, sampler or dropLast with a batchSampler (they are mutually exclusive)', 'batchSampler', o.batchSampler);
    }
    if (o.seed !== undefined && generator !== undefined) throw rangeError('either seed or generator, not both', 'seed', o.seed);
    if (o.seed !== undefined) this.generator_ = new OrderGenerator(checkInt(o.seed, 'seed', 0, MAX_SEED));
    this.torchGenerator = generator ?? null;
    this.sampler = (o.sampler as DataLoader['sampler']) ?? (this.shuffle
      ? (generator !== undefined ? new RandomSampler(dataset, { generator }) : null)
      : new SequentialSampler(dataset));
    this.batchSampler = (o.batchSampler as DataLoader['batchSampler']) ?? null;
    this.collateFn = (o.collateFn as (samples: T[]) => B) ?? null;
    if (this.batchSampler !== null || this.collateFn !== null) {
      this.native = null;
    } else if (dataset instanceof Subset) {
      this.native = dataset.nativeSubset();
    } else {
      const source = nativeSourceOf(dataset);
      this.native = source === null ? null : { source, indices: null };
    }
  }

  /** Batches per epoch. */
  get length(): number {
    if (this.batchSampler !== null) return lengthOf(this.batchSampler, 'batchSampler');
    const n = this.sampler === null ? this.dataset.length : lengthOf(this.sampler, 'sampler');
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * @internal Where the loader's random streams stand between epochs: its order generator
   * (null until first seeded from torch's global one) and the `generator` option's state.
   * `torch.train` checkpoints it, so that a fresh loader built alike resumes the same epoch order.
   */
  get state(): LoaderState {
    return { order: this.generator_?.state ?? null, generator: this.torchGenerator?.getState() ?? null };
  }

  set state(s: LoaderState) {
    if (s.order === null) {
      this.generator_ = null;
    } else {
      this.generator_ = new OrderGenerator(0);
      this.generator_.state = s.order >>> 0;
    }
    if (s.generator !== null) this.torchGenerator?.setState(s.generator);
  }

  /** Whether batches are made in C++ on a background thread: the dataset offers a native source (lib/data/native.ts). */
  get isNative(): boolean { return this.native !== null; }

  // Seeded from torch's global generator the first time randomness is needed (shuffling, random
  // transforms), as PyTorch's sampler draws its seed when iteration starts: a loader that needs
  // none leaves the global generator alone, so the model's initial weights and dropout masks
  // come out as in Python.
  private get generator(): OrderGenerator {
    if (this.generator_ === null) this.generator_ = new OrderGenerator(noGrad(() => takeInts(randint(0, 2 ** 31 - 1, [1]))[0]));
    return this.generator_;
  }

  /**
   * The seed of an epoch's random transforms, drawn right after the epoch's order on both paths:
   * the native stream seeds its generator with it, the per-sample path a torch.Generator.
   */
  private transformSeed(): number { return Math.floor(this.generator.next() * 2 ** 31); }

  /**
   * Every epoch of PyTorch's DataLoader starts by drawing its workers' base seed, one int64
   * `random_()` from the loader's `generator` or torch's global one, even without workers. So
   * does this one, so that what a program draws after it (dropout masks) is what Python draws.
   */
  private drawBaseSeed(): void {
    noGrad(() => empty([], { dtype: 'int64' }).random_(this.torchGenerator === null ? {} : { generator: this.torchGenerator }).dispose());
  }

  /** The sample order of the next epoch (advances the generator when shuffling). */
  private nextOrder(): Int32Array {
    if (this.sampler !== null && !(this.sampler instanceof SequentialSampler && this.sampler.dataSource === this.dataset)) {
      return Int32Array.from(this.sampler, (i, k) => {
        if (!Number.isInteger(i)) throw typeError('integer indices', `sampler index ${k}`, i);
        if (i < -MAX_INDEX - 1 || i > MAX_INDEX) throw rangeError(`an index from ${-MAX_INDEX - 1} to ${MAX_INDEX}`, `sampler index ${k}`, i);
        return i;
      });
    }
    const order = new Int32Array(datasetLength(this.dataset));
    for (let i = 0; i < order.length; i++) order[i] = i;
    return this.shuffle ? this.generator.shuffle(order) : order;
  }

  private openStream(): unknown {
    const { source, indices } = this.native!;
    const { inputs, targets, stages } = source;
    this.drawBaseSeed();
    let order = this.nextOrder();
    const n = this.dataset.length;
    order.forEach((i, k) => { if (i < 0 || i >= n) throw rangeError(`an index in [0, ${n})`, `sampler index ${k}`, i); });
    if (indices !== null) order = Int32Array.from(order, (i) => indices[i]);
    // A seeded (or shuffling) loader draws the stream's seed every epoch, so its batches depend
    // on its seed alone; an unseeded one without randomness leaves torch's generator alone.
    const random = stages.some((stage) => stage.kind === 'affine');
    const seed = random || this.generator_ !== null ? this.transformSeed() : 0;
    return N.batchStream(inputs, targets, [...stages], this.batchSize, this.dropLast, order, seed, this.prefetch);
  }

  private *indexBatches(order: Int32Array | null): Generator<ArrayLike<number>> {
    if (order === null) {
      for (const idx of this.batchSampler!) {
        if (!Array.isArray(idx)) throw typeError('an array of indices', 'batchSampler batch', idx);
        yield idx;
      }
      return;
    }
    const count = this.dropLast ? Math.floor(order.length / this.batchSize) : Math.ceil(order.length / this.batchSize);
    for (let b = 0; b < count; b++) yield order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize));
  }

  // One epoch of the per-sample path. Its random transforms draw from a torch.Generator seeded
  // as the native stream's would be (lib/data/native.ts, transformGenerator): drawn at the start
  // when the loader is seeded, else when a transform first asks (a loader whose transforms draw
  // nothing leaves torch's global generator alone, as the native path does).
  private *jsEpoch(): Generator<JsBatch<B>> {
    this.drawBaseSeed();
    const order = this.batchSampler === null ? this.nextOrder() : null;
    let generator: TorchGenerator | null = null;
    const lend = () => (generator ??= new TorchGenerator().manualSeed(this.transformSeed()));
    if (this.generator_ !== null) lend();
    for (const indices of this.indexBatches(order)) {
      // The samples belong to the dataset (it may cache them) and a custom collate owns what it
      // makes: only the default collate runs in a tidy() scope, which frees what it makes besides
      // the batch and never the samples, made before the scope opened.
      const collate = () => {
        const samples = withTransformGenerator(lend, () => Array.from(indices, (i) => this.dataset.get(i)));
        return this.collateFn !== null ? this.collateFn(samples) : tidy(() => defaultCollate(samples) as B);
      };
      yield { indices, collate };
    }
  }

  /**
   * One epoch, synchronously.
   * @example
   * ```ts
   * for (const [imgs, labels] of loader) model(imgs);
   * ```
   */
  *[Symbol.iterator](): Iterator<B> {
    if (this.native === null) {
      for (const batch of this.jsEpoch()) yield batch.collate();
      return;
    }
    const stream = this.openStream();
    try {
      for (;;) {
        const batch = N.batchStreamNext(stream) as B | null;
        if (batch === null) return;
        yield batch;
      }
    } finally {
      N.batchStreamClose(stream);
    }
  }

  /**
   * One epoch, waiting for batches off the main thread. On the per-sample path, a dataset with
   * `loadAsync` (e.g. `ImageFolder`, decoding files) loads each batch's samples off the main
   * thread while the batch before it trains.
   * @example
   * ```ts
   * for await (const [imgs, labels] of loader) await step(imgs, labels);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.native === null) {
      const load = typeof this.dataset.loadAsync === 'function'
        ? (b: JsBatch<B>) => {
          const p = this.dataset.loadAsync!(Array.from(b.indices));
          p.catch(() => undefined); // awaited below; handled if the loop stops first
          return p;
        }
        : null;
      const epoch = this.jsEpoch();
      let next = epoch.next();
      let loading = next.done || load === null ? null : load(next.value);
      while (!next.done) {
        const batch = next.value;
        await loading;
        next = epoch.next();
        loading = next.done || load === null ? null : load(next.value);
        yield batch.collate();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return;
    }
    const stream = this.openStream();
    try {
      for (;;) {
        const batch = (await N.batchStreamNextAsync(stream)) as B | null;
        if (batch === null) return;
        yield batch;
      }
    } finally {
      N.batchStreamClose(stream);
    }
  }
}

