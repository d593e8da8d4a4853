/**
 * `torch.utils.data.DataLoader`: batches of a dataset, shuffled per epoch.
 *
 * With the built-in datasets and transforms, a batch is gathered, converted and normalised in
 * C++ and the next batches are prepared on a background thread while the current one trains.
 * Other datasets (or a `Lambda` transform) are batched in JS, one sample at a time.
 */
import { native as N } from '../binding';
import { typeError } from '../errors';
import { Tensor } from '../tensor';
import { randint, tensor } from '../factories';
import { stack } from '../generated/ops';
import { noGrad } from '../autograd';
import { tidy } from '../memory';
import { checkBool, checkInt, checkOptions, optionKeys } from '../validate';
import { nativeSourceOf, Subset, type Dataset, type NativeSource } from './dataset';

/** Options of `DataLoader`, PyTorch's keyword arguments in camelCase. */
export interface DataLoaderOptions {
  /** Samples per batch. Default 1. */
  batchSize?: number;
  /** Reshuffle the order every epoch. Default false. */
  shuffle?: boolean;
  /** Drop the last batch if smaller than `batchSize`. Default false. */
  dropLast?: boolean;
  /**
   * Seed of the shuffling (and random-transform) generator: the same seed gives the same order
   * in every run. Default: drawn from torch's global generator, so `torch.manualSeed()` fixes it.
   */
  seed?: number;
  /** Batches prepared ahead on the background thread (native path). Default 2. */
  prefetch?: number;
}

const DATALOADER_KEYS = optionKeys<DataLoaderOptions>({ batchSize: true, shuffle: true, dropLast: true, seed: true, prefetch: true });

// A small, fast, seedable generator (mulberry32) for the sample order; every index appears once
// per epoch through a Fisher–Yates shuffle.
class OrderGenerator {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }
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

function collate(samples: unknown[][]): Batch {
  const columns = samples[0].map((_, k) => samples.map((s) => s[k]));
  const out = columns.map((col, k) => {
    if (col.every((v) => v instanceof Tensor)) return stack(col as Tensor[]);
    if (col.every((v) => typeof v === 'number')) {
      const nums = col as number[];
      return tensor(nums, { dtype: nums.every(Number.isInteger) ? 'int64' : 'float64' });
    }
    throw typeError('Tensors or numbers in every sample', `sample field ${k}`, col[0]);
  });
  return out as Batch;
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
export class DataLoader<T = unknown> implements Iterable<Batch>, AsyncIterable<Batch> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly prefetch: number;
  private generator_: OrderGenerator | null = null;
  private readonly native: { source: NativeSource; indices: number[] | null } | null;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions = {}) {
    if (dataset === null || typeof dataset !== 'object' || typeof dataset.get !== 'function' || !Number.isInteger(dataset.length)) {
      throw typeError('a dataset with length and get(index)', 'dataset', dataset);
    }
    const o = checkOptions(options, 'DataLoader options', DATALOADER_KEYS);
    this.dataset = dataset;
    this.batchSize = checkInt(o.batchSize ?? 1, 'batchSize', 1);
    this.shuffle = checkBool(o.shuffle ?? false, 'shuffle');
    this.dropLast = checkBool(o.dropLast ?? false, 'dropLast');
    this.prefetch = checkInt(o.prefetch ?? 2, 'prefetch', 1);
    if (o.seed !== undefined) this.generator_ = new OrderGenerator(checkInt(o.seed, 'seed', 0));
    if (dataset instanceof Subset) {
      this.native = dataset.nativeSubset();
    } else {
      const source = nativeSourceOf(dataset);
      this.native = source === null ? null : { source, indices: null };
    }
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Whether batches are made in C++ on a background thread (built-in dataset and transforms). */
  get isNative(): boolean { return this.native !== null; }

  // Seeded from torch's global generator the first time randomness is needed (shuffling, random
  // transforms), as PyTorch's sampler draws its seed when iteration starts: a loader that needs
  // none leaves the global generator alone, so the model's initial weights and dropout masks
  // come out as in Python.
  private get generator(): OrderGenerator {
    if (this.generator_ === null) this.generator_ = new OrderGenerator(noGrad(() => randint(0, 2 ** 31 - 1, [1]).item()));
    return this.generator_;
  }

  /** The sample order of the next epoch (advances the generator when shuffling). */
  private nextOrder(): Int32Array {
    const order = new Int32Array(this.dataset.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return this.shuffle ? this.generator.shuffle(order) : order;
  }

  private openStream(): unknown {
    const { source, indices } = this.native!;
    let order = this.nextOrder();
    if (indices !== null) order = Int32Array.from(order, (i) => indices[i]);
    // A seeded (or shuffling) loader draws the stream's seed every epoch, so its batches depend
    // on its seed alone; an unseeded one without randomness leaves torch's generator alone.
    const random = source.stages.some((stage) => stage.kind === 'affine');
    const seed = random || this.generator_ !== null ? Math.floor(this.generator.next() * 2 ** 31) : 0;
    return N.batchStream(source.images, source.labels, source.stages, this.batchSize, this.dropLast, order, seed, this.prefetch);
  }

  private *jsBatches(): Generator<Batch> {
    const order = this.nextOrder();
    for (let b = 0; b < this.length; b++) {
      const idx = order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize));
      yield tidy(() => collate(Array.from(idx, (i) => {
        const sample = this.dataset.get(i);
        if (!Array.isArray(sample)) throw typeError('samples that are arrays [input, target]', 'dataset.get()', sample);
        return sample;
      })));
    }
  }

  /**
   * One epoch, synchronously.
   * @example
   * ```ts
   * for (const [imgs, labels] of loader) model(imgs);
   * ```
   */
  *[Symbol.iterator](): Iterator<Batch> {
    if (this.native === null) {
      yield* this.jsBatches();
      return;
    }
    const stream = this.openStream();
    try {
      for (;;) {
        const batch = N.batchStreamNext(stream) as Batch | null;
        if (batch === null) return;
        yield batch;
      }
    } finally {
      N.batchStreamClose(stream);
    }
  }

  /**
   * One epoch, waiting for batches off the main thread.
   * @example
   * ```ts
   * for await (const [imgs, labels] of loader) await step(imgs, labels);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    if (this.native === null) {
      for (const batch of this.jsBatches()) {
        yield batch;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return;
    }
    const stream = this.openStream();
    try {
      for (;;) {
        const batch = (await N.batchStreamNextAsync(stream)) as Batch | null;
        if (batch === null) return;
        yield batch;
      }
    } finally {
      N.batchStreamClose(stream);
    }
  }
}

