/**
 * `torchvision.datasets.VisionDataset` and `StandardTransform`: what torchvision's datasets share
 * (`root`, `transform`/`targetTransform`/`transforms`, and the repr), plus nodetorch's index check
 * in `get()` and `classToIdx`.
 */
import { homedir } from 'node:os';
import { typeError, rangeError } from '../../errors';
import { checkInt, checkOptions } from '../../validate';
import type { Dataset } from '../../data/dataset';
import type { Transform } from '../transforms';

/**
 * `os.path.expanduser` for `~` and `~/…` (torchvision expands `root` this way).
 * @internal
 * @example
 * ```ts
 * expandUser('~/data'); // '/home/me/data'
 * ```
 */
export function expandUser(p: string): string {
  return p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p;
}

/**
 * A dataset's options from either way of constructing it, `(root, options)` or `(options)` with
 * `root` inside: checked against `keys` (which include `root`), `root` put in.
 * @internal
 * @example
 * ```ts
 * datasetOptions('data', { train: false }, 'MNIST', ['root', 'train']); // { train: false, root: 'data' }
 * ```
 */
export function datasetOptions<O extends { root: string }>(rootOrOptions: string | O, options: Omit<O, 'root'> | undefined, name: string, keys: readonly string[]): O {
  return (typeof rootOrOptions === 'string'
    ? { ...checkOptions(options ?? {}, `${name} options`, keys.filter((k) => k !== 'root')), root: rootOrOptions }
    : checkOptions(rootOrOptions, `${name} options`, keys)) as unknown as O;
}

/** Python's `str.splitlines()` (without keeping the ends). */
function splitLines(s: string): string[] {
  const lines = s.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** torchvision's `_format_transform_repr`: `head` before the first line, the others indented under it. */
function formatTransformRepr(transform: unknown, head: string): string[] {
  const lines = splitLines(String(transform));
  return [`${head}${lines[0] ?? ''}`, ...lines.slice(1).map((l) => ' '.repeat(head.length) + l)];
}

/**
 * A transform of a whole sample, input and target together (torchvision's `transforms` argument).
 *
 * @example
 * ```ts
 * const flipBoth: JointTransform = { forward: (img, mask) => [img.flip(-1), mask.flip(-1)] };
 * ```
 */
export interface JointTransform<I = any, T = any> {
  /** Transforms one sample and its target together. */
  forward(input: I, target: T): [any, any];
}

/**
 * `torchvision.datasets.vision.StandardTransform`: `transform` on the input and
 * `targetTransform` on the target; what a dataset's `transforms` is when it was given those.
 *
 * @example
 * ```ts
 * const t = new StandardTransform(new transforms.ToTensor());
 * const [x, y] = t.forward(img, 3); // [ToTensor()(img), 3]
 * String(t); // 'StandardTransform\nTransform: ToTensor()'
 * ```
 */
export class StandardTransform<I = any, T = any> implements JointTransform<I, T> {
  constructor(readonly transform?: Transform<I, any>, readonly targetTransform?: Transform<T, any>) {}

  forward(input: I, target: T): [any, any] {
    return [
      this.transform !== undefined ? this.transform.forward(input) : input,
      this.targetTransform !== undefined ? this.targetTransform.forward(target) : target,
    ];
  }

  toString(): string {
    const body = ['StandardTransform'];
    if (this.transform !== undefined) body.push(...formatTransformRepr(this.transform, 'Transform: '));
    if (this.targetTransform !== undefined) body.push(...formatTransformRepr(this.targetTransform, 'Target transform: '));
    return body.join('\n');
  }
}

/**
 * Options of {@link VisionDataset}, torchvision's arguments.
 *
 * @example
 * ```ts
 * const opts: VisionDatasetOptions = { root: 'data', transform: new transforms.ToTensor() };
 * ```
 */
export interface VisionDatasetOptions<S = any, T = number> {
  /** Directory of the dataset (`~` is expanded, as torchvision does). */
  root: string;
  /** Applied to each `[input, target]` together; not with `transform`/`targetTransform`. */
  transforms?: JointTransform<S, T>;
  /** Applied to each input. */
  transform?: Transform<S, any>;
  /** Applied to each target. */
  targetTransform?: Transform<T, any>;
}

function checkTransform(value: unknown, name: string, arity: string): void {
  if (value !== undefined && (value === null || typeof (value as { forward?: unknown }).forward !== 'function')) {
    throw typeError(arity, name, value);
  }
}

/**
 * The base of the vision datasets, as `torchvision.datasets.VisionDataset`: it keeps `root` and
 * the transforms (given `transform`/`targetTransform`, `transforms` is their
 * {@link StandardTransform}), checks the index in `get()`, applies `transforms` to what
 * `getRaw()` returns, and prints as torchvision does. A subclass provides `length` and `getRaw`,
 * and optionally `classes` and `extraRepr()`.
 *
 * @example
 * ```ts
 * class Squares extends VisionDataset<number, number> {
 *   get length() { return 10; }
 *   protected getRaw(i: number): [number, number] { return [i, i * i]; }
 * }
 * const ds = new Squares({ root: 'unused' });
 * ds.get(3); // [3, 9]
 * String(ds); // 'Dataset Squares\n    Number of datapoints: 10\n    Root location: unused'
 * ```
 */
export abstract class VisionDataset<S = any, T = number> implements Dataset<[any, any]> {
  /** The dataset's directory, as given with `~` expanded (torchvision's `root`). */
  readonly root: string;
  /** Applied to each input (torchvision's `transform`). */
  readonly transform: Transform<S, any> | undefined;
  /** Applied to each target (torchvision's `target_transform`). */
  readonly targetTransform: Transform<T, any> | undefined;
  /** What `get()` applies to `[input, target]`: the given `transforms`, or `transform`/`targetTransform` as a {@link StandardTransform}. */
  readonly transforms: JointTransform<S, T> | undefined;
  /** Class names, index = label, in datasets that have classes (torchvision's `classes`). */
  declare readonly classes?: readonly string[];

  constructor(options: VisionDatasetOptions<S, T>) {
    const { root, transforms, transform, targetTransform } = options;
    if (typeof root !== 'string' || root.length === 0) throw typeError('a directory path', 'root', root);
    checkTransform(transforms, 'transforms', 'a transform of (input, target)');
    checkTransform(transform, 'transform', 'a transform');
    checkTransform(targetTransform, 'targetTransform', 'a transform');
    if (transforms !== undefined && (transform !== undefined || targetTransform !== undefined)) {
      throw new TypeError('Expected either transforms or transform/targetTransform for the dataset but received both');
    }
    this.root = expandUser(root);
    this.transform = transform;
    this.targetTransform = targetTransform;
    this.transforms = transform !== undefined || targetTransform !== undefined ? new StandardTransform(transform, targetTransform) : transforms;
  }

  /** Number of samples. */
  abstract get length(): number;

  /**
   * Sample `index` (already checked to be in `[0, length)`) before any transform.
   * @example
   * ```ts
   * protected getRaw(i: number): [Tensor, number] { return [this.images.select(0, i), this.labels[i]]; }
   * ```
   */
  protected abstract getRaw(index: number): [S, T];

  /**
   * Sample `index`: `[input, target]` after the transforms.
   * @example
   * ```ts
   * const [img, label] = trainSet.get(0);
   * ```
   */
  get(index: number): [any, any] {
    const i = checkInt(index, 'index');
    if (i < 0 || i >= this.length) throw rangeError(`an index in [0, ${this.length})`, 'index', index);
    const [input, target] = this.getRaw(i);
    return this.transforms !== undefined ? this.transforms.forward(input, target) : [input, target];
  }

  /**
   * Class name → label, as torchvision's `class_to_idx` (empty without `classes`).
   * @example
   * ```ts
   * trainSet.classToIdx['7 - seven']; // 7
   * ```
   */
  get classToIdx(): Record<string, number> {
    return Object.fromEntries((this.classes ?? []).map((c, i) => [c, i]));
  }

  /**
   * Lines the repr adds after the root, as torchvision's `extra_repr` (e.g. `Split: Train`).
   * @example
   * ```ts
   * new datasets.MNIST('data').extraRepr(); // 'Split: Train'
   * ```
   */
  extraRepr(): string {
    return '';
  }

  /**
   * torchvision's `repr(dataset)`.
   * @example
   * ```ts
   * String(new datasets.MNIST('data', { transform: new transforms.ToTensor() }));
   * // Dataset MNIST
   * //     Number of datapoints: 60000
   * //     Root location: data
   * //     Split: Train
   * //     StandardTransform
   * // Transform: ToTensor()
   * ```
   */
  toString(): string {
    const body = [`Number of datapoints: ${this.length}`, `Root location: ${this.root}`, ...splitLines(this.extraRepr())];
    // As torchvision, the transforms' repr is one entry: only its first line is indented.
    if (this.transforms !== undefined) body.push(String(this.transforms));
    return [`Dataset ${this.constructor.name}`, ...body.map((line) => `    ${line}`)].join('\n');
  }
}
