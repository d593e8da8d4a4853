/**
 * `torch.utils.data.distributed.DistributedSampler`: each rank of a process group visits its own
 * share of a dataset, with the same index order as PyTorch for the same seed and epoch (one
 * permutation from a generator seeded with `seed + epoch`, padded or cut to a multiple of the
 * number of replicas, then every `numReplicas`-th index from `rank`).
 */
import { Generator } from '../generator';
import { randperm } from '../factories';
import { getRank, getWorldSize } from '../distributed';
import { rangeError } from '../errors';
import { checkBool, checkInt, checkOptions, optionKeys } from '../validate';
import { MAX_SEED } from './limits';
import { checkSized, takeInts, type Sampler } from './sampler';

/** Options of {@link DistributedSampler}, Python's constructor arguments. */
export interface DistributedSamplerOptions {
  /** The number of ranks sharing the dataset. Default: the default group's world size. */
  numReplicas?: number;
  /** This rank, in [0, numReplicas). Default: the default group's rank. */
  rank?: number;
  /** A new permutation each epoch (`setEpoch`). Default true. */
  shuffle?: boolean;
  /** Base seed of the permutations; must be the same on every rank. Default 0. */
  seed?: number;
  /** Drop the tail that does not divide evenly instead of padding with repeated indices. Default false. */
  dropLast?: boolean;
}
const KEYS = optionKeys<DistributedSamplerOptions>({ numReplicas: true, rank: true, shuffle: true, seed: true, dropLast: true });

/**
 * Restricts a DataLoader to this rank's share of the dataset. Call `setEpoch(epoch)` before each
 * epoch so that shuffling differs between epochs, as in PyTorch.
 *
 * @example
 * ```ts
 * const sampler = new DistributedSampler(trainSet, { shuffle: true, seed: 0 });
 * const loader = new DataLoader(trainSet, { batchSize: 64, sampler });
 * for (let epoch = 0; epoch < epochs; epoch++) {
 *   sampler.setEpoch(epoch);
 *   for (const [x, y] of loader) { … }
 * }
 * ```
 */
export class DistributedSampler implements Sampler {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Indices this rank visits per epoch (Python's `num_samples`). */
  readonly numSamples: number;
  /** Indices all ranks visit together per epoch (Python's `total_size`). */
  readonly totalSize: number;
  private epoch = 0;

  constructor(readonly dataset: { length: number }, options: DistributedSamplerOptions = {}) {
    const n = checkSized(dataset, 'dataset').length;
    const o = checkOptions(options, 'DistributedSampler options', KEYS);
    this.numReplicas = o.numReplicas === undefined ? getWorldSize() : checkInt(o.numReplicas, 'numReplicas', 1);
    this.rank = o.rank === undefined ? getRank() : checkInt(o.rank, 'rank');
    if (this.rank < 0 || this.rank >= this.numReplicas) {
      throw rangeError(`a rank in the interval [0, ${this.numReplicas - 1}]`, 'rank', this.rank);
    }
    this.shuffle = checkBool(o.shuffle ?? true, 'shuffle');
    this.seed = o.seed === undefined ? 0 : checkInt(o.seed, 'seed', 0, MAX_SEED);
    this.dropLast = checkBool(o.dropLast ?? false, 'dropLast');
    this.numSamples = this.dropLast && n % this.numReplicas !== 0
      ? Math.max(0, Math.ceil((n - this.numReplicas) / this.numReplicas))  // Python's ceil(-0.5) is 0, not -0
      : Math.ceil(n / this.numReplicas);
    this.totalSize = this.numSamples * this.numReplicas;
  }

  get length(): number { return this.numSamples; }

  /**
   * The epoch whose permutation the next iteration uses (`seed + epoch`).
   *
   * @example `sampler.setEpoch(3);`
   */
  setEpoch(epoch: number): void {
    this.epoch = checkInt(epoch, 'epoch', 0, MAX_SEED - this.seed);
  }

  /** Yields the indices of one epoch. */
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataset.length;
    let indices: number[];
    if (this.shuffle) {
      const generator = new Generator().manualSeed(this.seed + this.epoch);
      indices = takeInts(randperm(n, { generator }));
    } else {
      indices = Array.from({ length: n }, (_, i) => i);
    }
    if (!this.dropLast) {
      // Pad with the first indices, repeated as often as needed, to a multiple of numReplicas.
      const padding = this.totalSize - indices.length;
      for (let k = 0; k < padding; k++) indices.push(indices[k % n]);
    } else {
      indices = indices.slice(0, this.totalSize);
    }
    for (let i = this.rank; i < this.totalSize; i += this.numReplicas) yield indices[i];
  }
}
