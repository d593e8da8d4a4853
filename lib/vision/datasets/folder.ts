/**
 * `torchvision.datasets.DatasetFolder` and `ImageFolder`: samples as files in one folder per
 * class (`root/<class>/…/<file>`), with torchvision's `find_classes`, `make_dataset`,
 * `IMG_EXTENSIONS` and ordering rules, so classes, labels and sample order match Python's.
 */
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { typeError, rangeError } from '../../errors';
import { checkInt, optionKeys } from '../../validate';
import type { Tensor } from '../../tensor';
import type { Transform } from '../transforms';
import { readImage, readImageAsync } from '../io';

/** torchvision's `default_loader`: the file as a uint8 RGB tensor `[3, H, W]` (`vision.io.readImage(path, 'RGB')`). */
export function defaultLoader(path: string): Tensor { return readImage(path, 'RGB'); }

/** {@link defaultLoader}, decoded on libuv's thread pool. */
export function defaultLoaderAsync(path: string): Promise<Tensor> { return readImageAsync(path, 'RGB'); }
import { VisionDataset, datasetOptions, expandUser } from './vision';
import { fsError } from './fs';

/**
 * torchvision's `IMG_EXTENSIONS`: the files `ImageFolder` takes. (Decoding covers PNG, JPEG,
 * WebP and TIFF; a `.bmp`, `.ppm` or `.pgm` sample fails when read, naming the file.)
 *
 * @example
 * ```ts
 * IMG_EXTENSIONS.includes('.png'); // true
 * ```
 */
export const IMG_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'];

/** Python's string order: by code point (JS's default compares UTF-16 units). */
function pyCompare(a: string, b: string): number {
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** `os.path.join(a, b)` for POSIX paths: no normalisation, so paths read as Python prints them. */
function pyJoin(a: string, b: string): string {
  return a === '' || a.endsWith('/') ? a + b : `${a}/${b}`;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory(); // follows symbolic links, as Python's is_dir()
  } catch {
    return false;
  }
}

function entryIsDir(dir: string, e: Dirent): boolean {
  return e.isDirectory() || (e.isSymbolicLink() && isDir(pyJoin(dir, e.name)));
}

/**
 * Whether `filename` ends with one of `extensions`, case-insensitively (torchvision's
 * `has_file_allowed_extension`).
 *
 * @example
 * ```ts
 * hasFileAllowedExtension('a/B.PNG', ['.png']); // true
 * ```
 */
export function hasFileAllowedExtension(filename: string, extensions: string | readonly string[]): boolean {
  const lower = filename.toLowerCase();
  return (typeof extensions === 'string' ? [extensions] : extensions).some((e) => lower.endsWith(e));
}

/**
 * Whether `filename` has one of {@link IMG_EXTENSIONS} (torchvision's `is_image_file`).
 *
 * @example
 * ```ts
 * isImageFile('cat.jpeg'); // true
 * ```
 */
export function isImageFile(filename: string): boolean {
  return hasFileAllowedExtension(filename, IMG_EXTENSIONS);
}

/**
 * The class folders of `directory`, sorted as Python sorts them, and each one's index
 * (torchvision's `find_classes`). Throws if there are none, and a `TorchError` with the OS's
 * code (`ENOENT`, `ENOTDIR`, `EACCES`) naming `directory` if it cannot be listed.
 *
 * @example
 * ```ts
 * const [classes, classToIdx] = findClasses('data/train'); // [['cat', 'dog'], { cat: 0, dog: 1 }]
 * ```
 */
export function findClasses(directory: string): [string[], Record<string, number>] {
  if (typeof directory !== 'string') throw typeError('a directory path', 'directory', directory);
  let entries: Dirent[];
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (e) {
    throw fsError(e, 'dataset folder', directory);
  }
  const classes = entries.filter((e) => entryIsDir(directory, e)).map((e) => e.name).sort(pyCompare);
  if (classes.length === 0) throw new Error(`Couldn't find any class folder in ${directory}.`);
  return [classes, Object.fromEntries(classes.map((c, i) => [c, i]))];
}

/** `os.walk(top, followlinks=True)` as a list of [folder, file names], in `sorted()` order of the folders. */
function walk(top: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  const seen = new Set<string>();
  const visit = (dir: string) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (seen.has(real)) return; // a link cycle: Python would loop until the path is too long
    seen.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // os.walk ignores folders it cannot list
    }
    const files: string[] = [];
    const dirs: string[] = [];
    for (const e of entries) (entryIsDir(dir, e) ? dirs : files).push(e.name);
    out.push([dir, files]);
    for (const d of dirs) visit(pyJoin(dir, d));
    seen.delete(real);
  };
  visit(top);
  return out.sort((a, b) => pyCompare(a[0], b[0]));
}

/**
 * The samples under `directory` as `[path, classIndex]` pairs (torchvision's `make_dataset`):
 * for each class in sorted order, every file below its folder (links followed) that has one of
 * `extensions` or passes `isValidFile` (give exactly one), folders and files in sorted order.
 * Throws if a class has no such file.
 *
 * @example
 * ```ts
 * makeDataset('data/train', { cat: 0, dog: 1 }, IMG_EXTENSIONS); // [['data/train/cat/1.png', 0], …]
 * ```
 */
export function makeDataset(
  directory: string,
  classToIdx?: Record<string, number>,
  extensions?: string | readonly string[],
  isValidFile?: (path: string) => boolean,
): [string, number][] {
  const dir = expandUser(directory);
  const mapping = classToIdx ?? findClasses(dir)[1];
  if (Object.keys(mapping).length === 0) throw rangeError('at least one class', 'classToIdx', mapping);
  if ((extensions === undefined) === (isValidFile === undefined)) {
    throw new TypeError('Expected either extensions or isValidFile for makeDataset but received both or neither');
  }
  const valid = isValidFile ?? ((p: string) => hasFileAllowedExtension(p, extensions!));
  const samples: [string, number][] = [];
  const found = new Set<string>();
  for (const target of Object.keys(mapping).sort(pyCompare)) {
    const targetDir = pyJoin(dir, target);
    if (!isDir(targetDir)) continue;
    for (const [root, files] of walk(targetDir)) {
      for (const name of files.sort(pyCompare)) {
        const path = pyJoin(root, name);
        if (valid(path)) {
          samples.push([path, mapping[target]]);
          found.add(target);
        }
      }
    }
  }
  const empty = Object.keys(mapping).filter((c) => !found.has(c)).sort(pyCompare);
  if (empty.length > 0) {
    let msg = `Found no valid file for the classes ${empty.join(', ')}. `;
    if (extensions !== undefined) msg += `Supported extensions are: ${typeof extensions === 'string' ? extensions : extensions.join(', ')}`;
    throw new Error(msg);
  }
  return samples;
}

/**
 * Options of {@link DatasetFolder}, torchvision's arguments.
 *
 * @example
 * ```ts
 * const opts: DatasetFolderOptions<Buffer> = { root: 'data', loader: (p) => fs.readFileSync(p), extensions: ['.bin'] };
 * ```
 */
export interface DatasetFolderOptions<S = any> {
  /** The folder holding one folder per class. */
  root: string;
  /** Reads one sample from its path (synchronously: `get()` is synchronous). */
  loader: (path: string) => S;
  /**
   * Optional, nodetorch's: reads one sample without blocking, for the DataLoader's `for await`,
   * which loads the next batch with it while the current one trains.
   */
  loaderAsync?: (path: string) => Promise<S>;
  /** The file endings that are samples (give this or `isValidFile`). */
  extensions?: string | readonly string[];
  /** Applied to each sample. */
  transform?: Transform<S, any>;
  /** Applied to each class index. */
  targetTransform?: Transform<number, any>;
  /** Whether a path is a sample (give this or `extensions`). */
  isValidFile?: (path: string) => boolean;
}

const FOLDER_KEYS = optionKeys<DatasetFolderOptions>({
  root: true, loader: true, loaderAsync: true, extensions: true, transform: true, targetTransform: true, isValidFile: true,
});

function checkFn(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') throw typeError('a function', name, value);
}

/** `extensions`: undefined, a string or an array of strings; stops at the first non-string, a hole included. */
function checkExtensions(value: unknown): void {
  if (value === undefined || typeof value === 'string') return;
  if (!Array.isArray(value)) throw typeError('a string or an array of strings', 'extensions', value);
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'string') throw typeError('a string or an array of strings', 'extensions', value);
  }
}

/**
 * A dataset of files in one folder per class, as `torchvision.datasets.DatasetFolder`: the
 * classes are the sorted folder names, each sample `[loader(path), classIndex]`.
 * @example
 * ```ts
 * const ds = new datasets.DatasetFolder('data/train', { loader: (p) => torch.load(p), extensions: ['.pt'] });
 * ds.classes;   // ['cat', 'dog']
 * ds.samples[0]; // ['data/train/cat/0001.pt', 0]
 * ```
 */
export class DatasetFolder<S = any> extends VisionDataset<S, number> {
  /** Reads one sample from its path (the `loader` option). */
  readonly loader: (path: string) => S;
  /** Reads one sample without blocking (the `loaderAsync` option), if given. */
  readonly loaderAsync: ((path: string) => Promise<S>) | undefined;
  readonly extensions: string | readonly string[] | undefined;
  /** Class names, sorted. */
  override readonly classes: string[];
  private readonly classIndex: Record<string, number>;
  /** `[path, classIndex]` per sample. */
  readonly samples: [string, number][];
  /** The class index of every sample. */
  readonly targets: number[];
  private readonly loaded = new Map<number, S>();

  constructor(root: string, options: Omit<DatasetFolderOptions<S>, 'root'>);
  constructor(options: DatasetFolderOptions<S>);
  constructor(rootOrOptions: string | DatasetFolderOptions<S>, options?: Omit<DatasetFolderOptions<S>, 'root'>) {
    const name = new.target.name;
    const o = datasetOptions(rootOrOptions, options, name, FOLDER_KEYS);
    super(o);
    if (typeof o.loader !== 'function') throw typeError('a function', 'loader', o.loader);
    checkFn(o.loaderAsync, 'loaderAsync');
    checkFn(o.isValidFile, 'isValidFile');
    checkExtensions(o.extensions);
    this.loader = o.loader;
    this.loaderAsync = o.loaderAsync;
    this.extensions = o.extensions;
    [this.classes, this.classIndex] = this.findClasses(this.root);
    this.samples = makeDataset(this.root, this.classIndex, o.extensions, o.isValidFile);
    this.targets = this.samples.map((s) => s[1]);
  }

  /**
   * The classes of `directory` (override to change the layout), as torchvision's `find_classes`.
   * @example
   * ```ts
   * class Flat extends DatasetFolder { override findClasses() { return [['all'], { all: 0 }]; } }
   * ```
   */
  findClasses(directory: string): [string[], Record<string, number>] {
    return findClasses(directory);
  }

  /**
   * Class name → index, as `findClasses` gave it.
   * @example
   * ```ts
   * ds.classToIdx; // { cat: 0, dog: 1 }
   * ```
   */
  override get classToIdx(): Record<string, number> { return this.classIndex; }

  /** Number of samples. */
  get length(): number { return this.samples.length; }

  /** Sample `i`: `loader(path)` (or what `loadAsync` read ahead) and its class index. */
  protected getRaw(i: number): [S, number] {
    const [path, target] = this.samples[i];
    if (!this.loaded.has(i)) return [this.loader(path), target];
    const sample = this.loaded.get(i) as S;
    this.loaded.delete(i);
    return [sample, target];
  }

  /**
   * Reads these samples with `loaderAsync` (when given) so that the next `get()` of each is
   * quick; the DataLoader's `for await` calls it one batch ahead.
   * @example
   * ```ts
   * await ds.loadAsync([0, 1, 2]);
   * ```
   */
  async loadAsync(indices: number[]): Promise<void> {
    const load = this.loaderAsync;
    if (load === undefined) return;
    await Promise.all(indices.map(async (i) => {
      if (this.loaded.has(i)) return;
      const path = this.samples[checkInt(i, 'index')]?.[0];
      if (path === undefined) throw rangeError(`an index in [0, ${this.length})`, 'index', i);
      this.loaded.set(i, await load(path));
    }));
  }
}

/**
 * Options of {@link ImageFolder}: those of `DatasetFolder`, with images decoded by default.
 *
 * @example
 * ```ts
 * const opts: ImageFolderOptions = { root: 'data/train', transform: new transforms.ToTensor() };
 * ```
 */
export interface ImageFolderOptions extends Omit<DatasetFolderOptions<Tensor>, 'loader' | 'extensions'> {
  /** Default: decode the file to a uint8 RGB tensor `[3, H, W]` (torchvision's `default_loader`: `vision.io.readImage(path, 'RGB')`). */
  loader?: (path: string) => any;
}

/**
 * Images in one folder per class, as `torchvision.datasets.ImageFolder`: files with an
 * {@link IMG_EXTENSIONS} ending (or passing `isValidFile`), each decoded with `sharp` to a uint8
 * RGB tensor `[3, H, W]` (torchvision's PIL image converted to RGB). Decoding runs off the main
 * thread: a worker thread for `get()` (so `for…of` works), libuv's pool for `for await`, which
 * decodes the next batch while the current one trains.
 * @example
 * ```ts
 * const trainSet = new datasets.ImageFolder('data/train', { transform: new transforms.Compose([new transforms.ToTensor()]) });
 * trainSet.classToIdx; // { cat: 0, dog: 1 }
 * for await (const [x, y] of new DataLoader(trainSet, { batchSize: 32, shuffle: true })) …
 * ```
 */
export class ImageFolder extends DatasetFolder<any> {
  constructor(root: string, options?: Omit<ImageFolderOptions, 'root'>);
  constructor(options: ImageFolderOptions);
  constructor(rootOrOptions: string | ImageFolderOptions, options: Omit<ImageFolderOptions, 'root'> = {}) {
    const o = datasetOptions(rootOrOptions, options, 'ImageFolder', FOLDER_KEYS.filter((k) => k !== 'extensions'));
    const custom = o.loader !== undefined;
    super({
      ...o,
      loader: o.loader ?? defaultLoader,
      loaderAsync: o.loaderAsync ?? (custom ? undefined : defaultLoaderAsync),
      extensions: o.isValidFile === undefined ? IMG_EXTENSIONS : undefined,
    });
  }

  /** The samples, as torchvision's `imgs`. */
  get imgs(): [string, number][] { return this.samples; }
}
