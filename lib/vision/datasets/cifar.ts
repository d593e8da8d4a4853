/**
 * `torchvision.datasets.CIFAR10` and `CIFAR100`, read offline from the Python versions' pickled
 * batches (`cifar-10-batches-py/`, `cifar-100-python/`), as torchvision reads them.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rangeError, TorchError } from '../../errors';
import { Tensor } from '../../tensor';
import { fromArray } from '../../factories';
import { checkBool, optionKeys } from '../../validate';
import { tensorSource, type NativeSource } from '../../data/native';
import { NdArray, unpickleData } from './pickle';
import { VisionDataset, datasetOptions, type VisionDatasetOptions } from './vision';
import { checkRootDir, fsError, pathKind } from './fs';

/**
 * Options of `CIFAR10` and `CIFAR100`, torchvision's arguments; `transform` gets each image as a
 * uint8 tensor `[3, 32, 32]` (torchvision's PIL image), `targetTransform` each label.
 */
export interface CIFAROptions extends Omit<VisionDatasetOptions<Tensor, number>, 'transforms'> {
  /** Directory holding `cifar-10-batches-py/` (or `cifar-100-python/`). */
  root: string;
  /** The training batches (default) or the test batch. */
  train?: boolean;
  /** nodetorch works offline: with the files missing, `true` throws a `TorchError` (`DOWNLOAD_UNAVAILABLE`). */
  download?: boolean;
}

/** Options of `CIFAR100`: CIFAR's, plus which labels to use. */
export interface CIFAR100Options extends CIFAROptions {
  /**
   * `'fine'` (default, torchvision's): the 100 classes; `'coarse'`: the 20 superclasses, for
   * `targets`, `classes` and `get()` alike. Both stay available as `fineTargets`/`coarseTargets`.
   */
  targetType?: 'fine' | 'coarse';
}

interface Layout {
  name: string;
  folder: string;
  url: string;
  train: string[];
  test: string[];
  meta: string;
}

const CIFAR10_LAYOUT: Layout = {
  name: 'CIFAR10', folder: 'cifar-10-batches-py', url: 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz',
  train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], test: ['test_batch'], meta: 'batches.meta',
};
const CIFAR100_LAYOUT: Layout = {
  name: 'CIFAR100', folder: 'cifar-100-python', url: 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz',
  train: ['train'], test: ['test'], meta: 'meta',
};

const KEYS = optionKeys<CIFAR100Options>({ root: true, train: true, transform: true, targetTransform: true, download: true, targetType: true });
const PIXELS = 3 * 32 * 32;

function readPickleDict(path: string): Map<unknown, unknown> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fsError(e, 'CIFAR file', path);
  }
  const value = unpickleData(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  if (!(value instanceof Map)) throw new TorchError(`Invalid CIFAR file ${path}: holds ${Array.isArray(value) ? 'a list' : typeof value}, not a dict`, 'PICKLE_INVALID');
  return value;
}

function field(dict: Map<unknown, unknown>, key: string, path: string): unknown {
  if (!dict.has(key)) throw new TorchError(`Invalid CIFAR file ${path}: no '${key}' entry (has ${[...dict.keys()].map(String).join(', ')})`, 'PICKLE_INVALID');
  return dict.get(key);
}

/** A list of ints (or a 1-d integer numpy array) as numbers, each in [0, classes). */
function labelList(value: unknown, key: string, path: string, classes: number): number[] {
  const list = value instanceof NdArray && value.shape.length === 1 && /^[iu]/.test(value.dtype) ? value.toNumbers() : value;
  if (!Array.isArray(list) || !list.every((v) => Number.isInteger(v))) throw new TorchError(`Invalid CIFAR file ${path}: '${key}' is not a list of ints`, 'PICKLE_INVALID');
  list.forEach((v, i) => {
    if (v < 0 || v >= classes) throw new TorchError(`Invalid CIFAR file ${path}: ${key}[${i}] = ${v} is not a class from 0 to ${classes - 1}`, 'PICKLE_INVALID');
  });
  return list as number[];
}

function nameList(value: unknown, key: string, path: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new TorchError(`Invalid CIFAR file ${path}: '${key}' is not a list of names`, 'PICKLE_INVALID');
  return value as string[];
}

class CifarLike extends VisionDataset<Tensor, number> {
  /** All images, uint8 `[N, 32, 32, 3]` (height, width, channel: torchvision's `.data`). */
  readonly data: Tensor;
  /** Each image's class, torchvision's `.targets` (a list). */
  readonly targets: number[];
  /** Class names, index = label. */
  override readonly classes: string[];
  readonly train: boolean;
  /** The batch files read, in order. */
  readonly files: string[];
  /** The images as stored, uint8 `[N, 3, 32, 32]`: what `get()` and the DataLoader read. */
  protected readonly chw: Tensor;
  private readonly targetTensor: Tensor;

  constructor(o: CIFAROptions, layout: Layout, labels: { key: string; metaKey: string; count: number }, extra?: { key: string; metaKey: string; count: number }) {
    super(o);
    this.train = checkBool(o.train ?? true, 'train');
    const download = checkBool(o.download ?? false, 'download');
    checkRootDir(resolve(this.root), `${layout.name} root`);
    const dir = join(resolve(this.root), layout.folder);
    const names = [...(this.train ? layout.train : layout.test), layout.meta];
    // Missing is "not found"; a folder the OS will not let us search is its own error (./fs.ts).
    const missing = names.filter((n) => pathKind(join(dir, n), `${layout.name} file`) !== 'file');
    if (missing.length > 0) {
      const where = `${layout.name} files not found in ${dir}: ${missing.join(', ')}`;
      if (download) {
        throw new TorchError(`${where}. ${layout.name} cannot be downloaded: nodetorch works offline. Extract ${layout.url} into ${resolve(this.root)} and leave download false.`, 'DOWNLOAD_UNAVAILABLE');
      }
      throw new TorchError(`${where}. Extract ${layout.url} into ${resolve(this.root)}.`, 'DATASET_NOT_FOUND');
    }
    this.files = names.slice(0, -1).map((n) => join(dir, n));
    const metaPath = join(dir, layout.meta);
    const meta = readPickleDict(metaPath);
    this.classes = nameList(field(meta, labels.metaKey, metaPath), labels.metaKey, metaPath);
    const parts: Uint8Array[] = [];
    const targets: number[] = [];
    const extraTargets: number[] = [];
    for (const path of this.files) {
      const batch = readPickleDict(path);
      const data = field(batch, 'data', path);
      if (!(data instanceof NdArray) || data.dtype !== 'u1' || data.shape.length !== 2 || data.shape[1] !== PIXELS || data.fortran) {
        throw new TorchError(`Invalid CIFAR file ${path}: 'data' must be a uint8 numpy array [N, ${PIXELS}]`, 'PICKLE_INVALID');
      }
      const ys = labelList(field(batch, labels.key, path), labels.key, path, labels.count);
      if (ys.length !== data.shape[0]) throw new TorchError(`Invalid CIFAR file ${path}: ${data.shape[0]} images but ${ys.length} labels`, 'PICKLE_INVALID');
      parts.push(data.data);
      targets.push(...ys);
      if (extra) extraTargets.push(...labelList(field(batch, extra.key, path), extra.key, path, extra.count));
    }
    const all = new Uint8Array(targets.length * PIXELS);
    let offset = 0;
    for (const p of parts) {
      all.set(p, offset);
      offset += p.length;
    }
    this.targets = targets;
    this.extraTargets = extraTargets;
    this.chw = fromArray(all, [targets.length, 3, 32, 32]);
    this.data = this.chw.permute(0, 2, 3, 1);
    this.targetTensor = fromArray(Int32Array.from(targets), [targets.length]).long();
  }

  /** @internal The second label list (CIFAR100's coarse labels when reading fine ones). */
  protected readonly extraTargets: number[];

  /** Number of samples. */
  get length(): number { return this.targets.length; }

  /** Sample `i`: a uint8 `[3, 32, 32]` image (before `transform`) and its label. */
  protected getRaw(i: number): [Tensor, number] {
    return [this.chw.select(0, i), this.targets[i]];
  }

  /** `Split: Train` or `Split: Test`, as torchvision. */
  override extraRepr(): string { return `Split: ${this.train ? 'Train' : 'Test'}`; }

  /** @internal The DataLoader's native path (lib/data/native.ts). */
  nativeSource(): NativeSource | null {
    return tensorSource(this.chw, this.targetTensor, { transform: this.transform, targetTransform: this.targetTransform });
  }
}

/**
 * CIFAR-10 (60,000 32×32 colour images in 10 classes), as `torchvision.datasets.CIFAR10`, from
 * `root/cifar-10-batches-py/` (`data_batch_1`…`5`, `test_batch`, `batches.meta`). The files'
 * structure is checked (shapes, dtypes, label ranges); their MD5 sums are not. Missing files are a
 * `TorchError` with code `DATASET_NOT_FOUND`; a `root` that is a file, or a folder the OS will
 * not let it read, a `TorchError` with the OS's code (`ENOTDIR`, `EACCES`) naming the path.
 * @example
 * ```ts
 * const trainSet = new datasets.CIFAR10('./data', { train: true, transform: new transforms.ToTensor() });
 * trainSet.classes[3]; // 'cat'
 * ```
 */
export class CIFAR10 extends CifarLike {
  constructor(root: string, options?: Omit<CIFAROptions, 'root'>);
  constructor(options: CIFAROptions);
  constructor(rootOrOptions: string | CIFAROptions, options?: Omit<CIFAROptions, 'root'>) {
    const o = datasetOptions<CIFAROptions>(rootOrOptions, options, 'CIFAR10', KEYS.filter((k) => k !== 'targetType'));
    super(o, CIFAR10_LAYOUT, { key: 'labels', metaKey: 'label_names', count: 10 });
  }
}

/**
 * CIFAR-100 (100 classes in 20 superclasses), as `torchvision.datasets.CIFAR100`, from
 * `root/cifar-100-python/` (`train`, `test`, `meta`). Labels are the fine ones, as in torchvision,
 * unless `targetType: 'coarse'`.
 * @example
 * ```ts
 * const fine = new datasets.CIFAR100('./data', { train: false });
 * fine.coarseTargets[0]; // the superclass of sample 0
 * fine.coarseClasses[fine.coarseTargets[0]];
 * ```
 */
export class CIFAR100 extends CifarLike {
  /** `'fine'` or `'coarse'`: which labels `targets`, `classes` and `get()` use. */
  readonly targetType: 'fine' | 'coarse';
  /** The 100 fine labels of every sample. */
  readonly fineTargets: number[];
  /** The 20 coarse labels (superclasses) of every sample. */
  readonly coarseTargets: number[];
  /** The 100 fine class names. */
  readonly fineClasses: string[];
  /** The 20 coarse class names. */
  readonly coarseClasses: string[];

  constructor(root: string, options?: Omit<CIFAR100Options, 'root'>);
  constructor(options: CIFAR100Options);
  constructor(rootOrOptions: string | CIFAR100Options, options?: Omit<CIFAR100Options, 'root'>) {
    const o = datasetOptions(rootOrOptions, options, 'CIFAR100', KEYS);
    const targetType = o.targetType ?? 'fine';
    if (targetType !== 'fine' && targetType !== 'coarse') throw rangeError("'fine' or 'coarse'", 'targetType', o.targetType);
    const fine = { key: 'fine_labels', metaKey: 'fine_label_names', count: 100 };
    const coarse = { key: 'coarse_labels', metaKey: 'coarse_label_names', count: 20 };
    if (targetType === 'fine') super(o, CIFAR100_LAYOUT, fine, coarse);
    else super(o, CIFAR100_LAYOUT, coarse, fine);
    this.targetType = targetType;
    const metaPath = join(resolve(this.root), CIFAR100_LAYOUT.folder, CIFAR100_LAYOUT.meta);
    const meta = readPickleDict(metaPath);
    this.fineClasses = nameList(field(meta, fine.metaKey, metaPath), fine.metaKey, metaPath);
    this.coarseClasses = nameList(field(meta, coarse.metaKey, metaPath), coarse.metaKey, metaPath);
    this.fineTargets = targetType === 'fine' ? this.targets : this.extraTargets;
    this.coarseTargets = targetType === 'fine' ? this.extraTargets : this.targets;
  }
}
