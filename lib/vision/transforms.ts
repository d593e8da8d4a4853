/**
 * `torchvision.transforms`: image transforms for `[..., C, H, W]` tensors. A uint8 tensor plays
 * the role of torchvision's PIL image. `ToTensor`, `Normalize`, `RandomAffine` and
 * `RandomRotation` also run as native stages inside the DataLoader (no per-sample JS; the
 * contract is lib/data/native.ts); the others, and `Lambda`, run per sample. Random transforms
 * draw as torchvision's do, from torch's global generator or, inside a DataLoader, from the
 * loader's per-epoch generator.
 * @module
 */
import { typeError, rangeError, TorchError } from '../errors';
import { Tensor, checkTensor } from '../tensor';
import { rand, tensor, fromArray } from '../factories';
import { noGrad } from '../autograd';
import { checkNumber, checkOptions, optionKeys } from '../validate';
import { native as N } from '../binding';
import { transformGenerator, type AffineStage, type NativeStage } from '../data/native';
import type { Generator } from '../generator';
import * as TF from './functional';
import * as factory from '../factories';
import * as validate from '../validate';
import { pyFloat as pyFloatRepr } from '../printing';
import type { DTypeName } from '../dtype';
export type { NativeStage };

/** A transform: `forward(x)` maps one sample. */
export interface Transform<I = Tensor, O = Tensor> {
  /** Applies the transform to one sample `x`. */
  forward(x: I): O;
  /** @internal The native stages equal to this transform, or null if it has none. */
  nativeStages?(): NativeStage[] | null;
}

/**
 * Converts a uint8 image `[C, H, W]` (or `[H, W]`) with values 0–255 to float32 in [0, 1], as
 * torchvision's `ToTensor` does for a PIL image. Float input passes through.
 * @example
 * ```ts
 * new transforms.ToTensor().forward(img); // uint8 [1, 28, 28] → float32 [1, 28, 28]
 * ```
 */
export class ToTensor implements Transform {
  forward(img: Tensor): Tensor {
    if (!(img instanceof Tensor)) throw typeError('a Tensor image', 'img', img);
    const x = img.dim() === 2 ? img.unsqueeze(0) : img;
    if (x.dtype !== 'uint8') return x.float();
    return x.float().div(255);
  }
  nativeStages(): NativeStage[] { return [{ kind: 'scale', divisor: 255 }]; }
  toString(): string { return 'ToTensor()'; }
}

/**
 * `(x - mean[c]) / std[c]` per channel.
 * @example
 * ```ts
 * new transforms.Normalize([0.1307], [0.3081]);
 * ```
 */
export class Normalize implements Transform {
  readonly mean: number[];
  readonly std: number[];
  constructor(mean: number[], std: number[]) {
    if (!Array.isArray(mean) || mean.length === 0) throw typeError('an array of numbers', 'mean', mean);
    if (!Array.isArray(std) || std.length !== mean.length) throw typeError(`an array of ${mean.length} numbers`, 'std', std);
    mean.forEach((m, i) => checkNumber(m, `mean[${i}]`));
    std.forEach((s, i) => { if (checkNumber(s, `std[${i}]`) === 0) throw rangeError('a non-zero std', `std[${i}]`, s); });
    this.mean = [...mean];
    this.std = [...std];
  }
  forward(x: Tensor): Tensor {
    checkTensor(x, 'x');
    const c = x.size(0);
    if (this.mean.length !== 1 && this.mean.length !== c) {
      throw new TorchError(`Normalize has ${this.mean.length} means but the image has ${c} channels`, 'SHAPE_MISMATCH');
    }
    const shape = [this.mean.length, 1, 1];
    return x.sub(tensor(this.mean).view(shape)).div(tensor(this.std).view(shape));
  }
  nativeStages(): NativeStage[] { return [{ kind: 'normalize', mean: this.mean, std: this.std }]; }
  toString(): string { return `Normalize(mean=(${this.mean.join(', ')}), std=(${this.std.join(', ')}))`; }
}

/**
 * Runs your function per sample (in JS, so a DataLoader using it is slower than the native path).
 * @example
 * ```ts
 * new transforms.Lambda((x) => x.mul(2));
 * ```
 */
export class Lambda<I = Tensor, O = Tensor> implements Transform<I, O> {
  /** @param fn The function applied to each sample. */
  constructor(readonly fn: (x: I) => O) {
    if (typeof fn !== 'function') throw typeError('a function', 'fn', fn);
  }
  forward(x: I): O { return this.fn(x); }
  nativeStages(): null { return null; }
  toString(): string { return 'Lambda()'; }
}

/**
 * Applies transforms in order.
 * @example
 * ```ts
 * const trans = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
 * ```
 */
export class Compose implements Transform<any, any> {
  readonly transforms: Transform<any, any>[];
  constructor(transforms: Transform<any, any>[]) {
    if (!Array.isArray(transforms)) throw typeError('an array of transforms', 'transforms', transforms);
    transforms.forEach((t, i) => {
      if (t === null || typeof t !== 'object' || typeof t.forward !== 'function') throw typeError('a transform', `transforms[${i}]`, t);
    });
    this.transforms = [...transforms];
  }
  forward(x: any): any {
    for (const t of this.transforms) x = t.forward(x);
    return x;
  }
  nativeStages(): NativeStage[] | null {
    const stages: NativeStage[] = [];
    for (const t of this.transforms) {
      const s = t.nativeStages?.() ?? null;
      if (s === null) return null;
      stages.push(...s);
    }
    return stages;
  }
  toString(): string { return `Compose(\n${this.transforms.map((t) => `    ${String(t)}`).join('\n')}\n)`; }
}

function range(value: unknown, name: string, symmetric: boolean): [number, number] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw rangeError('a finite number', name, value);
    if (symmetric) {
      if (value < 0) throw rangeError('a non-negative number', name, value);
      return [-value, value];
    }
    return [value, value];
  }
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number') || value[0] > value[1]) {
    throw typeError('a number or [min, max]', name, value);
  }
  if (!value.every(Number.isFinite)) throw rangeError('finite numbers', name, value);
  return [value[0], value[1]];
}

/** Options of `RandomAffine`, torchvision's keyword arguments. */
export interface RandomAffineOptions {
  /** Max fractions `[a, b]` of width and height to shift by: `|dx| <= a·W`, `|dy| <= b·H`. */
  translate?: [number, number];
  /** Scale range. */
  scale?: [number, number];
  /** Shear in degrees (x): a number s for [-s, s], or [min, max]. */
  shear?: number | [number, number];
  /** Value for pixels outside the image, in the image's current units. Default 0. */
  fill?: number;
}

/**
 * A random affine transform (rotation, translation, scale, shear), nearest-neighbour, as
 * torchvision's `RandomAffine`.
 * @example
 * ```ts
 * new transforms.RandomAffine(10, { translate: [0.1, 0.1], scale: [0.9, 1.1] });
 * ```
 */
export class RandomAffine implements Transform {
  readonly degrees: [number, number];
  readonly translate: [number, number];
  readonly scale: [number, number];
  readonly shear: [number, number];
  readonly fill: number;
  constructor(degrees: number | [number, number], options: RandomAffineOptions = {}) {
    const o = checkOptions(options, 'RandomAffine options', optionKeys<RandomAffineOptions>({ translate: true, scale: true, shear: true, fill: true })) as RandomAffineOptions;
    this.degrees = range(degrees, 'degrees', true);
    const t = o.translate ?? [0, 0];
    if (!Array.isArray(t) || t.length !== 2 || !t.every((v) => typeof v === 'number')) throw typeError('[maxFractionX, maxFractionY]', 'translate', t);
    if (t.some((v) => !(v >= 0 && v <= 1))) throw rangeError('fractions in [0, 1]', 'translate', t);
    this.translate = [t[0], t[1]];
    this.scale = o.scale === undefined ? [1, 1] : range(o.scale, 'scale', false);
    if (this.scale[0] <= 0) throw rangeError('positive scales', 'scale', o.scale);
    this.shear = o.shear === undefined ? [0, 0] : range(o.shear, 'shear', true);
    this.fill = checkNumber(o.fill ?? 0, 'fill');
    if (!Number.isFinite(this.fill)) throw rangeError('a finite number', 'fill', this.fill);
  }

  nativeStages(): NativeStage[] { return [this.stage()]; }

  private stage(): AffineStage {
    return {
      kind: 'affine', degreesMin: this.degrees[0], degreesMax: this.degrees[1], translateX: this.translate[0],
      translateY: this.translate[1], scaleMin: this.scale[0], scaleMax: this.scale[1], shearMin: this.shear[0],
      shearMax: this.shear[1], fill: this.fill,
    };
  }

  /**
   * One sample `[C, H, W]` or `[H, W]` (any real dtype, CPU): the native path's own code
   * (native/core/batch_stream.cc), drawing from the DataLoader's generator inside a loader
   * (`transformGenerator()`), else from torch's global generator, so `torch.manualSeed()` fixes it.
   */
  forward(img: Tensor): Tensor {
    checkTensor(img, 'img');
    if (img.dim() !== 2 && img.dim() !== 3) throw rangeError('an image [C, H, W] or [H, W]', 'img', img.shape);
    const x = img.dim() === 2 ? img.unsqueeze(0) : img;
    return N.randomAffine(x, this.stage(), transformGenerator()?.handle ?? null);
  }
  toString(): string { return `RandomAffine(degrees=[${this.degrees.join(', ')}])`; }
}

/**
 * A random rotation by an angle in `[-degrees, degrees]` (or `[min, max]`), nearest-neighbour.
 * @example
 * ```ts
 * new transforms.RandomRotation(15);
 * ```
 */
export class RandomRotation extends RandomAffine {
  constructor(degrees: number | [number, number], options: { fill?: number } = {}) {
    super(degrees, { fill: checkOptions(options, 'RandomRotation options', ['fill']).fill as number | undefined });
  }
  override toString(): string { return `RandomRotation(degrees=[${this.degrees.join(', ')}])`; }
}

// ---- torchvision's tensor transforms, over ./functional --------------------------------------

export { InterpolationMode } from './functional';
/** `torchvision.transforms.functional`, as `transforms.functional`. */
export * as functional from './functional';

// Python's reprs of the values torchvision stores: tuples, lists, None, booleans.
const pyTuple = (xs: readonly number[], fmt: (v: number) => string = String): string => `(${xs.map(fmt).join(', ')})`;
const pyList = (xs: readonly number[], fmt: (v: number) => string = String): string => `[${xs.map(fmt).join(', ')}]`;
const pyOptional = (v: boolean | number | null): string => (v === null ? 'None' : v === true ? 'True' : v === false ? 'False' : String(v));
// Python's round(x, 4), half to even on the exact value.
const round4 = (x: number): number => {
  const y = x * 1e4;
  return (y - Math.floor(y) === 0.5 ? TF.pyRound(y) : Math.round(y)) / 1e4;
};

// torchvision's _setup_size: an int (or [s]) means a square and is stored as a tuple; [h, w] is kept as given.
function setupSize(size: unknown, name: string): { size: [number, number]; repr: string } {
  const s = TF.pairSize(size, name, 1);
  return { size: s, repr: Array.isArray(size) && size.length === 2 ? pyList(s) : pyTuple(s) };
}

function checkProbability(p: unknown, name = 'p'): number {
  const v = validate.checkNumber(p, name);
  if (v < 0 || v > 1) throw rangeError('a probability in [0, 1]', name, v);
  return v;
}

function checkRange(value: unknown, name: string, positive = false): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number' && !Number.isNaN(v))) {
    throw typeError('[min, max]', name, value);
  }
  if (value[0] > value[1] || (positive && value[0] <= 0)) throw rangeError(`[min, max] with ${positive ? '0 < ' : ''}min <= max`, name, value);
  return [value[0], value[1]];
}

// The draws of torchvision's random transforms, in its order, from torch's global generator, or
// inside a DataLoader from the loader's per-epoch one (transformGenerator), as RandomAffine's.
const gen = (): { generator?: Generator } => {
  const generator = transformGenerator();
  return generator === undefined ? {} : { generator };
};
// torch.rand(1) < p, as torchvision flips its coins.
const coin = (p: number): boolean => factory.rand([1], gen()).lt(p).item<boolean>();
const randomInt = (low: number, high: number): number => factory.randint(low, high, [1], gen()).item();
const uniform = (low: number, high: number): number => factory.empty([1]).uniform_(low, high, gen()).item();

/**
 * Resizes to `[h, w]`, or the shorter side to `size` keeping the aspect ratio, as torchvision's
 * `Resize` (bilinear by default).
 * @example
 * ```ts
 * new transforms.Resize(256);
 * new transforms.Resize([32, 32], { interpolation: 'nearest' });
 * ```
 */
export class Resize implements Transform {
  readonly size: number | number[];
  readonly interpolation: TF.InterpolationMode;
  readonly maxSize: number | null;
  readonly antialias: boolean | null;
  constructor(size: number | number[], options: TF.ResizeOptions = {}) {
    const o = validate.checkOptions(options, 'Resize options', validate.optionKeys<TF.ResizeOptions>({ interpolation: true, maxSize: true, antialias: true })) as TF.ResizeOptions;
    const sz = TF.checkResizeSize(size);
    this.size = typeof size === 'number' ? size : sz;
    const mode = TF.interpolationMode(o.interpolation ?? 'bilinear');
    this.interpolation = mode;
    this.maxSize = TF.checkMaxSize(o.maxSize, sz);
    this.antialias = TF.checkAntialias(o.antialias, mode);
  }
  forward(img: Tensor): Tensor {
    return TF.resize(img, this.size, { interpolation: this.interpolation, maxSize: this.maxSize, antialias: this.antialias });
  }
  toString(): string {
    const size = typeof this.size === 'number' ? String(this.size) : pyList(this.size);
    return `Resize(size=${size}, interpolation=${this.interpolation}, max_size=${pyOptional(this.maxSize)}, antialias=${pyOptional(this.antialias)})`;
  }
}

/**
 * Crops the center `[h, w]` (an int for a square), padding with zeros where the image is smaller.
 * @example
 * ```ts
 * new transforms.CenterCrop(224);
 * ```
 */
export class CenterCrop implements Transform {
  readonly size: [number, number];
  private readonly sizeRepr: string;
  constructor(size: number | number[]) {
    ({ size: this.size, repr: this.sizeRepr } = setupSize(size, 'size'));
  }
  forward(img: Tensor): Tensor { return TF.centerCrop(img, this.size); }
  toString(): string { return `CenterCrop(size=${this.sizeRepr})`; }
}

/** Options of `Pad`. */
export interface PadOptions {
  /** Value of the new pixels in mode 'constant'. Default 0. */
  fill?: number;
  /** 'constant', 'edge', 'reflect' or 'symmetric' (see `functional.pad`). Default 'constant'. */
  paddingMode?: TF.PaddingMode;
}

/**
 * Pads the borders: one int for all sides, `[leftRight, topBottom]` or `[left, top, right, bottom]`.
 * @example
 * ```ts
 * new transforms.Pad(4, { paddingMode: 'reflect' });
 * ```
 */
export class Pad implements Transform {
  readonly padding: number | number[];
  readonly fill: number;
  readonly paddingMode: TF.PaddingMode;
  constructor(padding: number | number[], options: PadOptions = {}) {
    const o = validate.checkOptions(options, 'Pad options', validate.optionKeys<PadOptions>({ fill: true, paddingMode: true }));
    this.padding = TF.checkPadding(padding);
    this.fill = validate.checkNumber(o.fill ?? 0, 'fill');
    this.paddingMode = TF.checkPaddingMode(o.paddingMode ?? 'constant');
  }
  forward(img: Tensor): Tensor { return TF.pad(img, this.padding, { fill: this.fill, paddingMode: this.paddingMode }); }
  toString(): string {
    const padding = typeof this.padding === 'number' ? String(this.padding) : pyList(this.padding);
    return `Pad(padding=${padding}, fill=${this.fill}, padding_mode=${this.paddingMode})`;
  }
}

/** Options of `RandomCrop`, torchvision's keyword arguments. */
export interface RandomCropOptions {
  /** Padding applied first (as `Pad`'s). Default null: none. */
  padding?: number | number[] | null;
  /** Pad an image smaller than the crop up to its size. Default false. */
  padIfNeeded?: boolean;
  /** Value of padded pixels in mode 'constant'. Default 0. */
  fill?: number;
  /** As `Pad`'s. Default 'constant'. */
  paddingMode?: TF.PaddingMode;
}

/**
 * Crops a random `[h, w]` window (an int for a square), the position drawn with `torch.randint`
 * from the global generator as torchvision does.
 * @example
 * ```ts
 * new transforms.RandomCrop(32, { padding: 4 });
 * ```
 */
export class RandomCrop implements Transform {
  readonly size: [number, number];
  readonly padding: number | number[] | null;
  readonly padIfNeeded: boolean;
  readonly fill: number;
  readonly paddingMode: TF.PaddingMode;
  constructor(size: number | number[], options: RandomCropOptions = {}) {
    const o = validate.checkOptions(options, 'RandomCrop options', validate.optionKeys<RandomCropOptions>({ padding: true, padIfNeeded: true, fill: true, paddingMode: true }));
    this.size = TF.pairSize(size, 'size', 1);
    this.padding = o.padding === undefined || o.padding === null ? null : TF.checkPadding(o.padding);
    this.padIfNeeded = validate.checkBool(o.padIfNeeded ?? false, 'padIfNeeded');
    this.fill = validate.checkNumber(o.fill ?? 0, 'fill');
    this.paddingMode = TF.checkPaddingMode(o.paddingMode ?? 'constant');
  }

  /**
   * The window `[top, left, height, width]`: two `torch.randint` draws, none when the crop is the
   * whole image.
   */
  static getParams(img: Tensor, outputSize: [number, number]): [number, number, number, number] {
    const [, h, w] = TF.getDimensions(img);
    const [th, tw] = TF.pairSize(outputSize, 'outputSize');
    if (h < th || w < tw) throw rangeError(`a crop size no larger than the image (${h}, ${w})`, 'outputSize', outputSize);
    if (w === tw && h === th) return [0, 0, h, w];
    const i = randomInt(0, h - th + 1);
    const j = randomInt(0, w - tw + 1);
    return [i, j, th, tw];
  }

  forward(img: Tensor): Tensor {
    let x = TF.checkImage(img);
    const padOptions = { fill: this.fill, paddingMode: this.paddingMode };
    if (this.padding !== null) x = TF.pad(x, this.padding, padOptions);
    const [, height, width] = TF.getDimensions(x);
    if (this.padIfNeeded && width < this.size[1]) x = TF.pad(x, [this.size[1] - width, 0], padOptions);
    if (this.padIfNeeded && height < this.size[0]) x = TF.pad(x, [0, this.size[0] - height], padOptions);
    const [i, j, h, w] = RandomCrop.getParams(x, this.size);
    return TF.crop(x, i, j, h, w);
  }
  toString(): string {
    const padding = this.padding === null ? 'None' : typeof this.padding === 'number' ? String(this.padding) : pyList(this.padding);
    return `RandomCrop(size=${pyTuple(this.size)}, padding=${padding})`;
  }
}

/** Options of `RandomResizedCrop`, torchvision's keyword arguments. */
export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image's. Default [0.08, 1.0]. */
  scale?: [number, number];
  /** Range of the crop's aspect ratio (width / height), drawn log-uniformly. Default [3/4, 4/3]. */
  ratio?: [number, number];
  /** Default 'bilinear'. */
  interpolation?: TF.InterpolationMode;
  /** As `Resize`'s. Default null (false for tensor images). */
  antialias?: boolean | null;
}

/**
 * Crops a random area and aspect ratio, then resizes to `size`, as torchvision's
 * `RandomResizedCrop` (the Inception crop).
 * @example
 * ```ts
 * new transforms.RandomResizedCrop(224);
 * new transforms.RandomResizedCrop([32, 32], { scale: [0.5, 1.0] });
 * ```
 */
export class RandomResizedCrop implements Transform {
  readonly size: [number, number];
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly interpolation: TF.InterpolationMode;
  readonly antialias: boolean | null;
  private readonly sizeRepr: string;
  constructor(size: number | number[], options: RandomResizedCropOptions = {}) {
    const o = validate.checkOptions(options, 'RandomResizedCrop options', validate.optionKeys<RandomResizedCropOptions>({ scale: true, ratio: true, interpolation: true, antialias: true }));
    ({ size: this.size, repr: this.sizeRepr } = setupSize(size, 'size'));
    this.scale = checkRange(o.scale ?? [0.08, 1.0], 'scale');
    this.ratio = checkRange(o.ratio ?? [3.0 / 4.0, 4.0 / 3.0], 'ratio', true);
    const mode = TF.interpolationMode(o.interpolation ?? 'bilinear');
    this.interpolation = mode;
    this.antialias = TF.checkAntialias(o.antialias, mode);
  }

  /**
   * The crop `[top, left, height, width]`: up to ten tries of an area (`uniform_` over `scale`)
   * and a log-uniform ratio, then `randint` for the position; else a central crop.
   */
  static getParams(img: Tensor, scale: [number, number], ratio: [number, number]): [number, number, number, number] {
    const [, height, width] = TF.getDimensions(img);
    const area = height * width;
    const logRatio = Array.from(factory.tensor(ratio, { dtype: 'float32' }).log().toArray() as Float32Array);
    for (let k = 0; k < 10; k++) {
      const targetArea = area * uniform(scale[0], scale[1]);
      const aspectRatio = factory.empty([1]).uniform_(logRatio[0], logRatio[1], gen()).exp().item();
      const w = TF.pyRound(Math.sqrt(targetArea * aspectRatio));
      const h = TF.pyRound(Math.sqrt(targetArea / aspectRatio));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        const i = randomInt(0, height - h + 1);
        const j = randomInt(0, width - w + 1);
        return [i, j, h, w];
      }
    }
    // Fall back to a central crop.
    const inRatio = width / height;
    let w = width;
    let h = height;
    if (inRatio < Math.min(...ratio)) h = TF.pyRound(w / Math.min(...ratio));
    else if (inRatio > Math.max(...ratio)) w = TF.pyRound(h * Math.max(...ratio));
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }

  forward(img: Tensor): Tensor {
    const [i, j, h, w] = RandomResizedCrop.getParams(TF.checkImage(img), this.scale, this.ratio);
    return TF.resizedCrop(img, i, j, h, w, this.size, { interpolation: this.interpolation, antialias: this.antialias });
  }
  toString(): string {
    // torchvision 0.14's repr, its stray parenthesis included.
    return `RandomResizedCrop(size=${this.sizeRepr}, scale=${pyTuple(this.scale.map(round4), pyFloatRepr)}, ` +
      `ratio=${pyTuple(this.ratio.map(round4), pyFloatRepr)}, interpolation=${this.interpolation}), antialias=${pyOptional(this.antialias)})`;
  }
}

/**
 * Flips left to right with probability `p` (a `torch.rand(1)` draw per call).
 * @example
 * ```ts
 * new transforms.RandomHorizontalFlip();
 * ```
 */
export class RandomHorizontalFlip implements Transform {
  readonly p: number;
  constructor(p = 0.5) { this.p = checkProbability(p); }
  forward(img: Tensor): Tensor { return coin(this.p) ? TF.hflip(img) : TF.checkImage(img); }
  toString(): string { return `RandomHorizontalFlip(p=${pyFloatRepr(this.p)})`; }
}

/**
 * Flips upside down with probability `p` (a `torch.rand(1)` draw per call).
 * @example
 * ```ts
 * new transforms.RandomVerticalFlip(0.3);
 * ```
 */
export class RandomVerticalFlip implements Transform {
  readonly p: number;
  constructor(p = 0.5) { this.p = checkProbability(p); }
  forward(img: Tensor): Tensor { return coin(this.p) ? TF.vflip(img) : TF.checkImage(img); }
  toString(): string { return `RandomVerticalFlip(p=${pyFloatRepr(this.p)})`; }
}

/** Options of `ColorJitter`: each a number `v` (for `[max(0, 1 − v), 1 + v]`, hue `[−v, v]`) or `[min, max]`. */
export interface ColorJitterOptions {
  /** Default 0 (unchanged). */
  brightness?: number | [number, number];
  /** Default 0 (unchanged). */
  contrast?: number | [number, number];
  /** Default 0 (unchanged). */
  saturation?: number | [number, number];
  /** Within [-0.5, 0.5]. Default 0 (unchanged). */
  hue?: number | [number, number];
}

interface JitterRange { range: [number, number] | null; repr: string }

function jitterRange(value: unknown, name: string, center: number, bound: [number, number], clipFirstOnZero: boolean): JitterRange {
  let range: [number, number];
  let repr: (r: [number, number]) => string;
  if (typeof value === 'number') {
    if (Number.isNaN(value) || value < 0) throw rangeError('a non-negative number', name, value);
    range = [center - value, center + value];
    if (clipFirstOnZero) range[0] = Math.max(range[0], 0.0);
    repr = (r) => pyList(r, pyFloatRepr);
  } else if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
    if (!(bound[0] <= value[0] && value[0] <= value[1] && value[1] <= bound[1])) {
      throw rangeError(`[min, max] within [${bound.map(pyFloatRepr).join(', ')}]`, name, value);
    }
    range = [value[0], value[1]];
    repr = (r) => pyTuple(r, pyFloatRepr);
  } else {
    throw typeError('a number or [min, max]', name, value);
  }
  if (range[0] === center && range[1] === center) return { range: null, repr: 'None' };
  return { range, repr: repr(range) };
}

/**
 * Randomly changes brightness, contrast, saturation and hue, in a random order (`torch.randperm(4)`),
 * each factor drawn uniformly from its range, as torchvision's `ColorJitter`.
 * @example
 * ```ts
 * new transforms.ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 });
 * ```
 */
export class ColorJitter implements Transform {
  readonly brightness: [number, number] | null;
  readonly contrast: [number, number] | null;
  readonly saturation: [number, number] | null;
  readonly hue: [number, number] | null;
  private readonly reprs: string[];
  constructor(options: ColorJitterOptions = {}) {
    const o = validate.checkOptions(options, 'ColorJitter options', validate.optionKeys<ColorJitterOptions>({ brightness: true, contrast: true, saturation: true, hue: true }));
    const inf: [number, number] = [0, Infinity];
    const b = jitterRange(o.brightness ?? 0, 'brightness', 1, inf, true);
    const c = jitterRange(o.contrast ?? 0, 'contrast', 1, inf, true);
    const s = jitterRange(o.saturation ?? 0, 'saturation', 1, inf, true);
    const h = jitterRange(o.hue ?? 0, 'hue', 0, [-0.5, 0.5], false);
    if (h.range !== null && (h.range[0] < -0.5 || h.range[1] > 0.5)) throw rangeError('a hue within [-0.5, 0.5]', 'hue', o.hue);
    [this.brightness, this.contrast, this.saturation, this.hue] = [b.range, c.range, s.range, h.range];
    this.reprs = [b.repr, c.repr, s.repr, h.repr];
  }

  /**
   * The order `torch.randperm(4)` (0 brightness, 1 contrast, 2 saturation, 3 hue) and one factor
   * per given range (`uniform_`), null for the others.
   */
  static getParams(
    brightness: [number, number] | null, contrast: [number, number] | null,
    saturation: [number, number] | null, hue: [number, number] | null,
  ): [Tensor, number | null, number | null, number | null, number | null] {
    const fnIdx = factory.randperm(4, gen());
    const draw = (r: [number, number] | null) => (r === null ? null : uniform(r[0], r[1]));
    const b = draw(brightness);
    const c = draw(contrast);
    const s = draw(saturation);
    const h = draw(hue);
    return [fnIdx, b, c, s, h];
  }

  forward(img: Tensor): Tensor {
    const [fnIdx, b, c, s, h] = ColorJitter.getParams(this.brightness, this.contrast, this.saturation, this.hue);
    let x = TF.checkImage(img);
    for (const fn of fnIdx.tolist() as number[]) {
      if (fn === 0 && b !== null) x = TF.adjustBrightness(x, b);
      else if (fn === 1 && c !== null) x = TF.adjustContrast(x, c);
      else if (fn === 2 && s !== null) x = TF.adjustSaturation(x, s);
      else if (fn === 3 && h !== null) x = TF.adjustHue(x, h);
    }
    return x;
  }
  toString(): string {
    const [b, c, s, h] = this.reprs;
    return `ColorJitter(brightness=${b}, contrast=${c}, saturation=${s}, hue=${h})`;
  }
}

/**
 * Converts RGB to grayscale with 1 or 3 output channels.
 * @example
 * ```ts
 * new transforms.Grayscale(3);
 * ```
 */
export class Grayscale implements Transform {
  readonly numOutputChannels: 1 | 3;
  constructor(numOutputChannels: 1 | 3 = 1) {
    if (numOutputChannels !== 1 && numOutputChannels !== 3) throw rangeError('1 or 3', 'numOutputChannels', numOutputChannels);
    this.numOutputChannels = numOutputChannels;
  }
  forward(img: Tensor): Tensor { return TF.rgbToGrayscale(img, this.numOutputChannels); }
  toString(): string { return `Grayscale(num_output_channels=${this.numOutputChannels})`; }
}

/**
 * Converts to grayscale with probability `p`, keeping the number of channels.
 * @example
 * ```ts
 * new transforms.RandomGrayscale(0.2);
 * ```
 */
export class RandomGrayscale implements Transform {
  readonly p: number;
  constructor(p = 0.1) { this.p = checkProbability(p); }
  forward(img: Tensor): Tensor {
    const c = TF.getDimensions(img)[0];
    return coin(this.p) ? TF.rgbToGrayscale(img, c as 1 | 3) : img;
  }
  toString(): string { return `RandomGrayscale(p=${pyFloatRepr(this.p)})`; }
}

/**
 * Gaussian blur with a kernel `[kx, ky]` (odd; an int for both) and a standard deviation drawn
 * uniformly from `sigma` (`[min, max]`, or one number) per call.
 * @example
 * ```ts
 * new transforms.GaussianBlur(5, [0.1, 2.0]);
 * ```
 */
export class GaussianBlur implements Transform {
  readonly kernelSize: [number, number];
  readonly sigma: [number, number];
  private readonly kernelRepr: string;
  constructor(kernelSize: number | number[], sigma: number | [number, number] = [0.1, 2.0]) {
    ({ size: this.kernelSize, repr: this.kernelRepr } = setupSize(kernelSize, 'kernelSize'));
    if (this.kernelSize.some((k) => k % 2 === 0)) throw rangeError('odd positive kernel sizes', 'kernelSize', kernelSize);
    if (typeof sigma === 'number') {
      if (validate.checkNumber(sigma, 'sigma') <= 0) throw rangeError('a positive number', 'sigma', sigma);
      this.sigma = [sigma, sigma];
    } else {
      this.sigma = checkRange(sigma, 'sigma', true);
    }
  }

  /** The standard deviation: `uniform_(sigmaMin, sigmaMax)`. */
  static getParams(sigmaMin: number, sigmaMax: number): number { return uniform(sigmaMin, sigmaMax); }

  forward(img: Tensor): Tensor {
    const sigma = GaussianBlur.getParams(this.sigma[0], this.sigma[1]);
    return TF.gaussianBlur(img, this.kernelSize, [sigma, sigma]);
  }
  toString(): string { return `GaussianBlur(kernel_size=${this.kernelRepr}, sigma=${pyTuple(this.sigma, pyFloatRepr)})`; }
}

/** Options of `RandomErasing`, torchvision's keyword arguments. */
export interface RandomErasingOptions {
  /** Probability of erasing. Default 0.5. */
  p?: number;
  /** Range of the erased area as a fraction of the image's. Default [0.02, 0.33]. */
  scale?: [number, number];
  /** Range of the erased region's aspect ratio, drawn log-uniformly. Default [0.3, 3.3]. */
  ratio?: [number, number];
  /** The value written: a number, one per channel, or 'random' (standard normal noise). Default 0. */
  value?: number | number[] | 'random';
  /** Erase in the input itself. Default false. */
  inplace?: boolean;
}

/**
 * Erases a random rectangle of a tensor image with probability `p` (Zhong et al., Random Erasing),
 * as torchvision's `RandomErasing`.
 * @example
 * ```ts
 * new transforms.RandomErasing({ p: 0.5, value: 'random' });
 * ```
 */
export class RandomErasing implements Transform {
  readonly p: number;
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly value: number | number[] | 'random';
  readonly inplace: boolean;
  constructor(options: RandomErasingOptions = {}) {
    const o = validate.checkOptions(options, 'RandomErasing options', validate.optionKeys<RandomErasingOptions>({ p: true, scale: true, ratio: true, value: true, inplace: true }));
    this.p = checkProbability(o.p ?? 0.5);
    this.scale = checkRange(o.scale ?? [0.02, 0.33], 'scale');
    if (this.scale[0] < 0 || this.scale[1] > 1) throw rangeError('a scale range within [0, 1]', 'scale', o.scale);
    this.ratio = checkRange(o.ratio ?? [0.3, 3.3], 'ratio', true);
    const value = o.value ?? 0;
    if (typeof value === 'string') {
      if (value !== 'random') throw rangeError("a number, an array of numbers or 'random'", 'value', value);
      this.value = value;
    } else if (typeof value === 'number') {
      this.value = validate.checkNumber(value, 'value');
    } else if (Array.isArray(value) && value.length > 0) {
      this.value = value.map((v, i) => validate.checkNumber(v, `value[${i}]`));
    } else {
      throw typeError("a number, an array of numbers or 'random'", 'value', value);
    }
    this.inplace = validate.checkBool(o.inplace ?? false, 'inplace');
  }

  /**
   * The region `[top, left, height, width, v]`: up to ten tries of an area and a log-uniform
   * ratio, then the noise (`normal_`, when `value` is null) and `randint` for the position; after
   * ten misses `[0, 0, H, W, img]`. `v` is `torch.tensor(value)[:, None, None]`.
   */
  static getParams(img: Tensor, scale: [number, number], ratio: [number, number], value: number[] | null = null): [number, number, number, number, Tensor] {
    const t = TF.checkImage(img);
    const n = t.dim();
    if (n < 3) throw rangeError('an image [..., C, H, W]', 'img', t.shape);
    const [imgC, imgH, imgW] = [t.shape[n - 3], t.shape[n - 2], t.shape[n - 1]];
    const area = imgH * imgW;
    const logRatio = Array.from(factory.tensor(ratio, { dtype: 'float32' }).log().toArray() as Float32Array);
    for (let k = 0; k < 10; k++) {
      const eraseArea = area * uniform(scale[0], scale[1]);
      const aspectRatio = factory.empty([1]).uniform_(logRatio[0], logRatio[1], gen()).exp().item();
      const h = TF.pyRound(Math.sqrt(eraseArea * aspectRatio));
      const w = TF.pyRound(Math.sqrt(eraseArea / aspectRatio));
      if (!(h < imgH && w < imgW)) continue;
      const v = value === null ? factory.empty([imgC, h, w], { dtype: 'float32' }).normal_(0, 1, gen()) : factory.tensor(value).view([-1, 1, 1]);
      const i = randomInt(0, imgH - h + 1);
      const j = randomInt(0, imgW - w + 1);
      return [i, j, h, w, v];
    }
    return [0, 0, imgH, imgW, t];
  }

  forward(img: Tensor): Tensor {
    const t = TF.checkImage(img);
    if (!coin(this.p)) return t;
    const value = this.value === 'random' ? null : typeof this.value === 'number' ? [this.value] : this.value;
    const c = TF.getDimensions(t)[0];
    if (value !== null && value.length !== 1 && value.length !== c) {
      throw rangeError(`a single value or ${c} (one per channel)`, 'value', this.value);
    }
    const [x, y, h, w, v] = RandomErasing.getParams(t, this.scale, this.ratio, value);
    return TF.erase(t, x, y, h, w, v, { inplace: this.inplace });
  }
  toString(): string {
    const value = this.value === 'random' ? 'random' : typeof this.value === 'number' ? String(this.value) : pyList(this.value);
    return `RandomErasing(p=${pyFloatRepr(this.p)}, scale=${pyTuple(this.scale, pyFloatRepr)}, ratio=${pyTuple(this.ratio, pyFloatRepr)}, ` +
      `value=${value}, inplace=${this.inplace ? 'True' : 'False'})`;
  }
}

/**
 * Converts to `dtype` rescaling the values (integers 0…max, floats 0…1), as `convertImageDtype`.
 * @example
 * ```ts
 * new transforms.ConvertImageDtype('float32');
 * ```
 */
export class ConvertImageDtype implements Transform {
  readonly dtype: DTypeName;
  constructor(dtype: DTypeName = 'float32') { this.dtype = validate.checkDtype(dtype); }
  forward(img: Tensor): Tensor { return TF.convertImageDtype(img, this.dtype); }
  toString(): string { return 'ConvertImageDtype()'; }
}

/**
 * Casts to `dtype`, with `{ scale: true }` also rescaling the value range, as
 * torchvision.transforms.v2's `ToDtype` (its repr leaves the dtype out, as v2's does).
 * @example
 * ```ts
 * new transforms.ToDtype('float32', { scale: true });
 * ```
 */
export class ToDtype implements Transform {
  readonly dtype: DTypeName;
  readonly scale: boolean;
  constructor(dtype: DTypeName = 'float32', options: TF.ToDtypeOptions = {}) {
    const o = validate.checkOptions(options, 'ToDtype options', validate.optionKeys<TF.ToDtypeOptions>({ scale: true }));
    this.dtype = validate.checkDtype(dtype);
    this.scale = validate.checkBool(o.scale ?? false, 'scale');
  }
  forward(img: Tensor): Tensor { return TF.toDtype(img, this.dtype, { scale: this.scale }); }
  toString(): string { return `ToDtype(scale=${this.scale ? 'True' : 'False'})`; }
}
