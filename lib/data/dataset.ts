/**
 * `torch.utils.data` datasets: the `Dataset` shape, `TensorDataset` and `Subset`.
 */
import { typeError, rangeError } from '../errors';
import { Tensor } from '../tensor';
import type { NativeStage } from '../vision/transforms';

/**
 * Anything with a `length` and `get(i)` is a dataset (PyTorch's `__len__`/`__getitem__`).
 * @example
 * ```ts
 * const squares: Dataset<[number, number]> = { length: 10, get: (i) => [i, i * i] };
 * ```
 */
export interface Dataset<T = unknown> {
  readonly length: number;
  get(index: number): T;
}

/** @internal What a dataset offers the DataLoader's native path. */
export interface NativeSource {
  /** uint8 `[N, C, H, W]`. */
  images: Tensor;
  /** int64 `[N]`. */
  labels: Tensor;
  stages: NativeStage[];
}

/** @internal */
export function nativeSourceOf(dataset: unknown): NativeSource | null {
  const fn = (dataset as { nativeSource?: () => NativeSource | null }).nativeSource;
  return typeof fn === 'function' ? fn.call(dataset) : null;
}

/**
 * Samples are rows of tensors of equal first dimension.
 * @example
 * ```ts
 * const ds = new TensorDataset(torch.randn([100, 4]), torch.randint(0, 2, [100]));
 * const [x, y] = ds.get(0);
 * ```
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0 || !tensors.every((t) => t instanceof Tensor)) throw typeError('one or more Tensors', 'tensors', tensors);
    const n = tensors[0].size(0);
    if (!tensors.every((t) => t.size(0) === n)) throw rangeError('tensors of equal first dimension', 'tensors', tensors.map((t) => t.shape));
    this.tensors = tensors;
  }
  get length(): number { return this.tensors[0].size(0); }
  get(index: number): Tensor[] { return this.tensors.map((t) => t.select(0, index)); }
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
  get(index: number): T { return this.dataset.get(this.indices[index]); }

  /** @internal The native path over the parent's data, restricted to `indices`. */
  nativeSubset(): { source: NativeSource; indices: number[] } | null {
    const source = nativeSourceOf(this.dataset);
    return source === null ? null : { source, indices: this.indices };
  }
}
