/**
 * `torchvision.transforms`: image transforms for `[C, H, W]` tensors. A uint8 tensor plays the
 * role of torchvision's PIL image. Built-in transforms also run natively inside the
 * DataLoader (no per-sample JS); `Lambda` runs your function per sample in JS, which is slower.
 */
import { typeError, rangeError, TorchError } from '../errors';
import { Tensor, checkTensor } from '../tensor';
import { rand, tensor, fromArray } from '../factories';
import { noGrad } from '../autograd';
import { checkNumber, checkOptions, optionKeys } from '../validate';

/** @internal One step of the native batch pipeline (native/core/batch_stream.h). */
export type NativeStage =
  | { kind: 'scale'; divisor: number }
  | { kind: 'normalize'; mean: number[]; std: number[] }
  | {
      kind: 'affine'; degreesMin: number; degreesMax: number; translateX: number; translateY: number;
      scaleMin: number; scaleMax: number; shearMin: number; shearMax: number; fill: number;
    };

/** A transform: `forward(x)` maps one sample. */
export interface Transform<I = Tensor, O = Tensor> {
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
    if (symmetric) {
      if (value < 0) throw rangeError('a non-negative number', name, value);
      return [-value, value];
    }
    return [value, value];
  }
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number') || value[0] > value[1]) {
    throw typeError('a number or [min, max]', name, value);
  }
  return [value[0], value[1]];
}

/** Options of `RandomAffine`, torchvision's keyword arguments. */
export interface RandomAffineOptions {
  /** Max fractions of width and height to shift by. */
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
    this.translate = o.translate === undefined ? [0, 0] : range(o.translate, 'translate', false);
    if (this.translate.some((t) => t < 0 || t > 1)) throw rangeError('fractions in [0, 1]', 'translate', o.translate);
    this.scale = o.scale === undefined ? [1, 1] : range(o.scale, 'scale', false);
    if (this.scale[0] <= 0) throw rangeError('positive scales', 'scale', o.scale);
    this.shear = o.shear === undefined ? [0, 0] : range(o.shear, 'shear', true);
    this.fill = checkNumber(o.fill ?? 0, 'fill');
  }

  nativeStages(): NativeStage[] {
    return [{
      kind: 'affine', degreesMin: this.degrees[0], degreesMax: this.degrees[1], translateX: this.translate[0],
      translateY: this.translate[1], scaleMin: this.scale[0], scaleMax: this.scale[1], shearMin: this.shear[0],
      shearMax: this.shear[1], fill: this.fill,
    }];
  }

  /** The per-sample JS form; the same sampling and geometry as the native path. */
  forward(img: Tensor): Tensor {
    if (!(img instanceof Tensor)) throw typeError('a Tensor image', 'img', img);
    const x = img.dim() === 2 ? img.unsqueeze(0) : img;
    const [c, h, w] = x.shape;
    const u = (lo: number, hi: number) => (lo === hi ? lo : lo + (hi - lo) * (noGrad(() => rand([1]).item()) as number));
    const angle = u(this.degrees[0], this.degrees[1]) * Math.PI / 180;
    const tx = Math.round(u(-this.translate[0] * w, this.translate[0] * w));
    const ty = Math.round(u(-this.translate[1] * h, this.translate[1] * h));
    const s = u(this.scale[0], this.scale[1]);
    const sh = u(this.shear[0], this.shear[1]) * Math.PI / 180;
    const a = Math.cos(angle), cc = Math.sin(angle);
    const b = -Math.cos(angle) * Math.tan(sh) - Math.sin(angle);
    const d = -Math.sin(angle) * Math.tan(sh) + Math.cos(angle);
    const ia = d / s, ib = -b / s, ic = -cc / s, id = a / s;
    const cx = (w - 1) / 2, cy = (h - 1) / 2;
    const e = cx - (ia * (cx + tx) + ib * (cy + ty));
    const f = cy - (ic * (cx + tx) + id * (cy + ty));
    const src = Float32Array.from(x.float().toArray() as Float32Array);
    const out = new Float32Array(src.length);
    for (let ch = 0; ch < c; ch++) {
      for (let yy = 0; yy < h; yy++) {
        for (let xx = 0; xx < w; xx++) {
          const xi = Math.round(ia * xx + ib * yy + e);
          const yi = Math.round(ic * xx + id * yy + f);
          out[ch * h * w + yy * w + xx] = xi >= 0 && xi < w && yi >= 0 && yi < h ? src[ch * h * w + yi * w + xi] : this.fill;
        }
      }
    }
    return fromArray(out, [c, h, w], { dtype: x.dtype });
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
