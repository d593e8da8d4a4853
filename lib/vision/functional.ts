/**
 * `torchvision.transforms.functional`: the stateless image operations behind the transforms, as
 * torchvision 0.14 computes them for tensor images. An image is a tensor `[..., C, H, W]` (or
 * `[H, W]`), uint8 with values 0–255 (the role of torchvision's PIL image) or floating point with
 * values in [0, 1]; leading dimensions are a batch. Every operation runs as ATen ops.
 *
 * @example
 * ```ts
 * import { transforms } from 'nodetorch';
 * const TF = transforms.functional;
 * const small = TF.resize(img, [32, 32]);
 * const flipped = TF.hflip(TF.centerCrop(img, 24));
 * ```
 */
import * as ops from '../generated/ops';
import { nnOps } from '../generated/internal';
import { TorchError, typeError, rangeError } from '../errors';
import { Tensor } from '../tensor';
import { arange, tensor, fromArray, linspace, onesLike, zerosLike } from '../factories';
import { isFloatingDtype, type DType, type DTypeName } from '../dtype';
import { checkBool, checkDtype, checkInt, checkNumber, checkOptions, optionKeys } from '../validate';

/**
 * How `resize` samples, torchvision's `InterpolationMode` (its values are the mode names). Tensor
 * images take `NEAREST`, `BILINEAR` and `BICUBIC`; the others are PIL's only.
 * @example
 * ```ts
 * TF.resize(img, 16, { interpolation: transforms.InterpolationMode.NEAREST });
 * ```
 */
export const InterpolationMode = Object.freeze({
  NEAREST: 'nearest', BILINEAR: 'bilinear', BICUBIC: 'bicubic', BOX: 'box', HAMMING: 'hamming', LANCZOS: 'lanczos',
} as const);
/** One of `InterpolationMode`'s values: `'nearest'`, `'bilinear'`, `'bicubic'`, … */
export type InterpolationMode = (typeof InterpolationMode)[keyof typeof InterpolationMode];

type TensorMode = 'nearest' | 'bilinear' | 'bicubic';
const MODES = Object.values(InterpolationMode) as string[];

/** @internal Checks an interpolation mode that a tensor image can use. */
export function interpolationMode(value: unknown, name = 'interpolation'): TensorMode {
  if (value === 'nearest' || value === 'bilinear' || value === 'bicubic') return value;
  if (typeof value === 'string' && MODES.includes(value)) {
    throw rangeError("'nearest', 'bilinear' or 'bicubic' (the others are for PIL images only)", name, value);
  }
  throw (typeof value === 'string' ? rangeError : typeError)("an InterpolationMode: 'nearest', 'bilinear' or 'bicubic'", name, value);
}

/** @internal Python's `round()` (half to even), as torchvision's crop arithmetic uses it. */
export function pyRound(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** @internal A tensor image: a Tensor with at least 2 dimensions. */
export function checkImage(img: unknown, name = 'img'): Tensor {
  if (!(img instanceof Tensor)) throw typeError('a Tensor image', name, img);
  if (img.dim() < 2) throw typeError('a tensor image [..., H, W]', name, `a ${img.dim()}-D tensor`);
  return img;
}

/** `[channels, height, width]` of an image (one channel for `[H, W]`). @example `TF.getDimensions(img)` */
export function getDimensions(img: Tensor): [number, number, number] {
  const t = checkImage(img);
  const s = t.shape;
  const n = s.length;
  return [n === 2 ? 1 : s[n - 3], s[n - 2], s[n - 1]];
}

/** `[width, height]` of an image, as torchvision's `get_image_size`. @example `TF.getImageSize(img)` */
export function getImageSize(img: Tensor): [number, number] {
  const [, h, w] = getDimensions(img);
  return [w, h];
}

/** The number of channels of an image. @example `TF.getImageNumChannels(img)` */
export function getImageNumChannels(img: Tensor): number { return getDimensions(img)[0]; }

function checkChannels(img: Tensor, permitted: number[]): number {
  const c = getDimensions(img)[0];
  if (!permitted.includes(c)) {
    throw new TorchError(`Input image tensor permitted channel values are [${permitted.join(', ')}], but found ${c}`, 'SHAPE_MISMATCH');
  }
  return c;
}

function maxValue(dtype: DType): number {
  switch (dtype) {
    case 'uint8': return 255;
    case 'int8': return 127;
    case 'int16': return 32767;
    case 'int32': return 2147483647;
    case 'int64': return 9223372036854775807;
    default: return 1;
  }
}

const isFloat = (t: Tensor): boolean => isFloatingDtype(t.dtype);

// A JS whole number travels as an integer Scalar; one beyond 2^53 (int64's maximum, say) goes as
// a 0-dim float64 tensor instead, the float Python passes there.
const scalarArg = (v: number): number | Tensor => (Number.isSafeInteger(v) || !Number.isInteger(v) ? v : tensor(v, { dtype: 'float64' }));
// And an integer factor beyond 2^53 (a power of two, exact as a double) as a 0-dim int64 tensor.
const intArg = (v: number): number | Tensor => (Number.isSafeInteger(v) ? v : tensor(v, { dtype: 'int64' }));

// torchvision's _cast_squeeze_in/_cast_squeeze_out: run a float-only op on a [B, C, H, W] float view
// of the image, then round back to an integer dtype. Leading dimensions fold into B.
function viaFloat(img: Tensor, floats: DType[], op: (x: Tensor) => Tensor, after?: (x: Tensor) => Tensor): Tensor {
  const [c, h, w] = getDimensions(img);
  const outDtype = img.dtype;
  let x = img.reshape([-1, c, h, w]);
  const cast = !floats.includes(outDtype);
  if (cast) x = x.to(floats[0]);
  x = op(x);
  if (after) x = after(x);
  if (cast) {
    if (!isFloatingDtype(outDtype) && outDtype !== 'bool') x = x.round();
    x = x.to(outDtype);
  }
  const shape = img.shape;
  return x.reshape([...shape.slice(0, -2), x.shape[2], x.shape[3]]);
}

// ---- dtype ---------------------------------------------------------------------------------

/**
 * Converts an image to `dtype`, scaling its values: integers span 0…max of their type, floats
 * 0…1. Float to int multiplies by `max + 1 - 1e-3` and truncates, as torchvision.
 * @example
 * ```ts
 * TF.convertImageDtype(uint8Image);            // float32 in [0, 1]
 * TF.convertImageDtype(floatImage, 'uint8');   // 0…255
 * ```
 */
export function convertImageDtype(image: Tensor, dtype: DTypeName = 'float32'): Tensor {
  const t = checkImage(image, 'image');
  const to = checkDtype(dtype);
  if (t.dtype === to) return t;
  if (isFloat(t)) {
    if (isFloatingDtype(to)) return t.to(to);
    if ((t.dtype === 'float32' && (to === 'int32' || to === 'int64')) || (t.dtype === 'float64' && to === 'int64')) {
      throw new TorchError(`The cast from ${t.dtype} to ${to} cannot be performed safely.`, 'UNSAFE_CAST');
    }
    return t.mul(scalarArg(maxValue(to) + 1.0 - 1e-3)).to(to);
  }
  const inputMax = maxValue(t.dtype);
  if (isFloatingDtype(to)) return t.to(to).div(scalarArg(inputMax));
  const outputMax = maxValue(to);
  if (inputMax > outputMax) {
    const factor = Math.floor((inputMax + 1) / (outputMax + 1));
    return t.div(intArg(factor), { roundingMode: 'floor' }).to(to);
  }
  const factor = Math.floor((outputMax + 1) / (inputMax + 1));
  return t.to(to).mul(intArg(factor));
}

/** Options of `toDtype`. */
export interface ToDtypeOptions {
  /** Rescale the values to the new dtype's range (as `convertImageDtype`). Default false: a plain cast. */
  scale?: boolean;
}

const VALUE_BITS: Partial<Record<DType, number>> = { uint8: 8, int8: 7, int16: 15, int32: 31, int64: 63 };

/**
 * Casts an image to `dtype`, with `{ scale: true }` also rescaling values between the integer
 * range and [0, 1], as torchvision.transforms.v2's `to_dtype` (integer to integer by bit shifts).
 * @example
 * ```ts
 * TF.toDtype(uint8Image, 'float32', { scale: true }); // [0, 1]
 * TF.toDtype(uint8Image, 'float32');                  // 0…255 as floats
 * ```
 */
export function toDtype(image: Tensor, dtype: DTypeName = 'float32', options: ToDtypeOptions = {}): Tensor {
  const o = checkOptions(options, 'toDtype options', optionKeys<ToDtypeOptions>({ scale: true }));
  const t = checkImage(image, 'image');
  const to = checkDtype(dtype);
  const scale = checkBool(o.scale ?? false, 'scale');
  if (t.dtype === to) return t;
  if (!scale) return t.to(to);
  if (isFloat(t)) {
    if (isFloatingDtype(to)) return t.to(to);
    if ((t.dtype === 'float32' && (to === 'int32' || to === 'int64')) || (t.dtype === 'float64' && to === 'int64')) {
      throw new TorchError(`The conversion from ${t.dtype} to ${to} cannot be performed safely.`, 'UNSAFE_CAST');
    }
    return t.mul(scalarArg(maxValue(to) + 1.0 - 1e-3)).to(to);
  }
  if (isFloatingDtype(to)) return t.to(to).mul_(1.0 / maxValue(t.dtype));
  const bitsIn = VALUE_BITS[t.dtype];
  const bitsOut = VALUE_BITS[to];
  if (bitsIn === undefined || bitsOut === undefined) throw typeError('an integer or floating-point dtype', 'dtype', bitsIn === undefined ? t.dtype : to);
  if (bitsIn > bitsOut) return t.bitwiseRightShift(bitsIn - bitsOut).to(to);
  return t.to(to).bitwiseLeftShift_(bitsOut - bitsIn);
}

/** Options of `normalize`. */
export interface NormalizeOptions {
  /** Overwrite the input. Default false. */
  inplace?: boolean;
}

/**
 * `(x - mean[c]) / std[c]` per channel of a float image `[..., C, H, W]`.
 * @example
 * ```ts
 * TF.normalize(img, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
 * ```
 */
export function normalize(x: Tensor, mean: number | number[], std: number | number[], options: NormalizeOptions = {}): Tensor {
  const o = checkOptions(options, 'normalize options', optionKeys<NormalizeOptions>({ inplace: true }));
  const t = checkImage(x, 'tensor');
  if (!isFloat(t)) throw typeError('a floating-point tensor', 'tensor', t.dtype);
  if (t.dim() < 3) throw new TorchError(`Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${t.shape.join(', ')}]`, 'SHAPE_MISMATCH');
  const numbers = (v: unknown, name: string): number[] => {
    const list = typeof v === 'number' ? [v] : v;
    if (!Array.isArray(list) || list.length === 0) throw typeError('a number or an array of numbers', name, v);
    return list.map((e, i) => checkNumber(e, `${name}[${i}]`));
  };
  const m = tensor(numbers(mean, 'mean'), { dtype: t.dtype });
  const s = tensor(numbers(std, 'std'), { dtype: t.dtype });
  if (s.eq(0).any().item()) throw rangeError(`non-zero std values (after conversion to ${t.dtype})`, 'std', std);
  const out = checkBool(o.inplace ?? false, 'inplace') ? t : t.clone();
  return out.sub_(m.view([-1, 1, 1])).div_(s.view([-1, 1, 1]));
}

// ---- geometry --------------------------------------------------------------------------------

/** Flips an image left to right. @example `TF.hflip(img)` */
export function hflip(img: Tensor): Tensor { return checkImage(img).flip(-1); }

/** Flips an image upside down. @example `TF.vflip(img)` */
export function vflip(img: Tensor): Tensor { return checkImage(img).flip(-2); }

/** How `pad` fills the border. */
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

/** Options of `pad`. */
export interface PadOptions {
  /** The value of the new pixels in mode 'constant'. Default 0. */
  fill?: number | null;
  /**
   * 'constant' (fill), 'edge' (repeat the border pixel), 'reflect' (mirror without repeating the
   * border: 1 2 3 4 → 3 2 1 2 3 4 3 2) or 'symmetric' (mirror repeating it: 2 1 1 2 3 4 4 3).
   * Default 'constant'.
   */
  paddingMode?: PaddingMode;
}

const PAD_KEYS = optionKeys<PadOptions>({ fill: true, paddingMode: true });
const PADDING_MODES: readonly string[] = ['constant', 'edge', 'reflect', 'symmetric'];

/** @internal Checks a padding: an int, or 1, 2 (left/right, top/bottom) or 4 (left, top, right, bottom) ints. */
export function checkPadding(padding: unknown, name = 'padding'): number | number[] {
  if (typeof padding === 'number') return checkInt(padding, name);
  const p = intArray(padding, 'an integer or an array of 1, 2 or 4 integers', name);
  if (![1, 2, 4].includes(p.length)) throw rangeError('an integer or an array of 1, 2 or 4 integers', name, padding);
  return p;
}

/**
 * An array of whole numbers, copied; a TypeError (`what`) at the first element that is not one, a
 * hole included, so a huge sparse array (`new Array(2 ** 32 - 1)`) is refused at once. The error
 * shows `shown` (the argument as given).
 */
function intArray(value: unknown, what: string, name: string, shown: unknown = value): number[] {
  if (!Array.isArray(value)) throw typeError(what, name, shown);
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(what, name, shown);
    out.push(v);
  }
  return out;
}

/** @internal Checks a padding mode. */
export function checkPaddingMode(value: unknown, name = 'paddingMode'): PaddingMode {
  if (typeof value === 'string' && PADDING_MODES.includes(value)) return value as PaddingMode;
  throw (typeof value === 'string' ? rangeError : typeError)("'constant', 'edge', 'reflect' or 'symmetric'", name, value);
}

// [left, right, top, bottom] from torchvision's padding forms.
function parsePadding(p: number | number[]): [number, number, number, number] {
  if (typeof p === 'number') return [p, p, p, p];
  if (p.length === 1) return [p[0], p[0], p[0], p[0]];
  if (p.length === 2) return [p[0], p[0], p[1], p[1]];
  return [p[0], p[2], p[1], p[3]];
}

function padSymmetric(img: Tensor, p: [number, number, number, number]): Tensor {
  let t = img;
  if (p.some((v) => v < 0)) {
    const [cl, cr, ct, cb] = p.map((v) => -Math.min(v, 0));
    const h = t.shape[t.dim() - 2];
    const w = t.shape[t.dim() - 1];
    t = t.index('...', { start: ct, stop: h - cb }, { start: cl, stop: w - cr });
    p = p.map((v) => Math.max(v, 0)) as [number, number, number, number];
  }
  const h = t.shape[t.dim() - 2];
  const w = t.shape[t.dim() - 1];
  // Mirror indices, the border pixel repeated; Python's negative indices counted from the end.
  const along = (n: number, before: number, after: number): Tensor => {
    const idx: number[] = [];
    for (let i = before - 1; i >= 0; i--) idx.push(i);
    for (let i = 0; i < n; i++) idx.push(i);
    for (let i = 0; i < after; i++) idx.push(n - 1 - i);
    return tensor(idx, { dtype: 'int64' });
  };
  return t.indexSelect(-2, along(h, p[2], p[3])).indexSelect(-1, along(w, p[0], p[1]));
}

/**
 * Pads the borders of an image: `padding` is one int for all sides, `[leftRight, topBottom]` or
 * `[left, top, right, bottom]`.
 * @example
 * ```ts
 * TF.pad(img, 4);                                   // zeros
 * TF.pad(img, [1, 2, 3, 4], { paddingMode: 'reflect' });
 * ```
 */
export function pad(img: Tensor, padding: number | number[], options: PadOptions = {}): Tensor {
  const o = checkOptions(options, 'pad options', PAD_KEYS) as PadOptions;
  const t = checkImage(img);
  const p = parsePadding(checkPadding(padding));
  const fill = o.fill === undefined || o.fill === null ? 0 : checkNumber(o.fill, 'fill');
  const mode = checkPaddingMode(o.paddingMode ?? 'constant');
  if (mode === 'symmetric') return padSymmetric(t, p);
  if (mode === 'constant') return ops.constantPadNd(t, p, fill);
  const padNd = mode === 'reflect' ? nnOps.reflectionPad2d : nnOps.replicationPad2d;
  return viaFloat(t, ['float32', 'float64'], (x) => padNd(x, p));
}

/**
 * The `height × width` window at `(top, left)`; parts outside the image are zeros.
 * @example
 * ```ts
 * TF.crop(img, 2, 3, 16, 16);
 * ```
 */
export function crop(img: Tensor, top: number, left: number, height: number, width: number): Tensor {
  const t = checkImage(img);
  checkInt(top, 'top');
  checkInt(left, 'left');
  checkInt(height, 'height');
  checkInt(width, 'width');
  const [, h, w] = getDimensions(t);
  const right = left + width;
  const bottom = top + height;
  if (left < 0 || top < 0 || right > w || bottom > h) {
    const paddingLtrb = [
      Math.max(-left + Math.min(0, right), 0),
      Math.max(-top + Math.min(0, bottom), 0),
      Math.max(right - Math.max(w, left), 0),
      Math.max(bottom - Math.max(h, top), 0),
    ];
    return pad(t.index('...', { start: Math.max(top, 0), stop: bottom }, { start: Math.max(left, 0), stop: right }), paddingLtrb, { fill: 0 });
  }
  return t.index('...', { start: top, stop: bottom }, { start: left, stop: right });
}

/** @internal A size as torchvision's `_setup_size`: an int or one int for both sides, or [h, w]. */
export function pairSize(size: unknown, name: string, min = 0): [number, number] {
  if (typeof size === 'number') {
    const s = checkInt(size, name, min);
    return [s, s];
  }
  if (!Array.isArray(size) || (size.length !== 1 && size.length !== 2)) throw typeError('an integer or an array of 1 or 2 integers', name, size);
  size.forEach((s, i) => checkInt(s, `${name}[${i}]`, min));
  return size.length === 1 ? [size[0], size[0]] : [size[0], size[1]];
}

/**
 * The central `[height, width]` window (an int for a square); a window larger than the image
 * is padded with zeros.
 * @example
 * ```ts
 * TF.centerCrop(img, 224);
 * TF.centerCrop(img, [24, 32]);
 * ```
 */
export function centerCrop(img: Tensor, outputSize: number | number[]): Tensor {
  let t = checkImage(img);
  const [cropHeight, cropWidth] = pairSize(outputSize, 'outputSize');
  let [, imageHeight, imageWidth] = getDimensions(t);
  if (cropWidth > imageWidth || cropHeight > imageHeight) {
    const paddingLtrb = [
      cropWidth > imageWidth ? Math.floor((cropWidth - imageWidth) / 2) : 0,
      cropHeight > imageHeight ? Math.floor((cropHeight - imageHeight) / 2) : 0,
      cropWidth > imageWidth ? Math.floor((cropWidth - imageWidth + 1) / 2) : 0,
      cropHeight > imageHeight ? Math.floor((cropHeight - imageHeight + 1) / 2) : 0,
    ];
    t = pad(t, paddingLtrb, { fill: 0 });
    [, imageHeight, imageWidth] = getDimensions(t);
    if (cropWidth === imageWidth && cropHeight === imageHeight) return t;
  }
  const cropTop = pyRound((imageHeight - cropHeight) / 2.0);
  const cropLeft = pyRound((imageWidth - cropWidth) / 2.0);
  return crop(t, cropTop, cropLeft, cropHeight, cropWidth);
}

/** Options of `resize`. */
export interface ResizeOptions {
  /** Default 'bilinear'. */
  interpolation?: InterpolationMode;
  /** With a single `size`: the longest the longer side may become. Default null (no limit). */
  maxSize?: number | null;
  /**
   * Low-pass filter when shrinking (bilinear and bicubic only), as PIL does. Default null, which
   * for tensor images means false, as in torchvision 0.14.
   */
  antialias?: boolean | null;
}

const RESIZE_KEYS = optionKeys<ResizeOptions>({ interpolation: true, maxSize: true, antialias: true });

/** @internal A resize target: an int (the shorter side) or [h] or [h, w]. */
export function checkResizeSize(size: unknown, name = 'size'): number[] {
  if (typeof size === 'number') return [checkInt(size, name, 1)];
  const s = intArray(size, 'an integer or an array of 1 or 2 integers', name);
  if (s.length !== 1 && s.length !== 2) throw rangeError('an integer or an array of 1 or 2 integers', name, size);
  s.forEach((d, i) => checkInt(d, `${name}[${i}]`, 1));
  return s;
}

/** @internal Checks `maxSize` against a size. */
export function checkMaxSize(maxSize: unknown, size: number[]): number | null {
  if (maxSize === undefined || maxSize === null) return null;
  const m = checkInt(maxSize, 'maxSize', 1);
  if (size.length !== 1) throw rangeError('no maxSize when size gives both sides (only with a single size)', 'maxSize', m);
  if (m <= size[0]) throw rangeError(`a maxSize greater than the requested size of the smaller edge (${size[0]})`, 'maxSize', m);
  return m;
}

/** @internal Checks `antialias` against the mode. */
export function checkAntialias(value: unknown, mode: TensorMode): boolean | null {
  if (value === undefined || value === null) return null;
  const a = checkBool(value, 'antialias');
  if (a && mode === 'nearest') throw rangeError("antialias only with 'bilinear' or 'bicubic' interpolation", 'antialias', a);
  return a;
}

function resizedOutputSize(h: number, w: number, size: number[], maxSize: number | null): [number, number] {
  if (size.length === 2) return [size[0], size[1]];
  const [short, long] = w <= h ? [w, h] : [h, w];
  let newShort = size[0];
  let newLong = Math.trunc((size[0] * long) / short);
  if (maxSize !== null && newLong > maxSize) {
    newShort = Math.trunc((maxSize * newShort) / newLong);
    newLong = maxSize;
  }
  return w <= h ? [newLong, newShort] : [newShort, newLong];
}

// ATen's antialiased resampling (_upsample_bilinear2d_aa / _upsample_bicubic2d_aa, from PIL): one
// row of weights per output index, the filter widened by the scale when shrinking, each row
// normalised to sum 1; in the image's precision, as ATen's kernel for that dtype. The weights form
// an [outSize, inSize] matrix applied with one matmul per axis.
function aaWeights(inSize: number, outSize: number, mode: 'bilinear' | 'bicubic', dtype: DType): Tensor {
  const f = dtype === 'float64' ? (v: number): number => v : Math.fround;
  // PIL's triangle filter, and Keys' cubic with a = -0.5 (ATen's cubic_convolution1/2 in float).
  const filter = mode === 'bilinear'
    ? (x: number): number => { const a = Math.abs(x); return a < 1 ? f(1 - a) : 0; }
    : (x: number): number => {
      const v = Math.abs(x);
      if (v < 1) return f(f(f(f(f(1.5 * v) - 2.5) * v) * v) + 1);
      if (v < 2) return f(f(f(f(f(f(-0.5 * v) + 2.5) * v) - 4) * v) + 2);
      return 0;
    };
  const interp = mode === 'bilinear' ? 2 : 4;
  const scale = f(inSize / outSize);
  const support = f(scale >= 1 ? interp * 0.5 * scale : interp * 0.5);
  const invscale = f(scale >= 1 ? 1 / scale : 1);
  const maxInterp = Math.ceil(support) * 2 + 1;
  const out = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const center = f(scale * (i + 0.5));
    const xmin = Math.max(Math.trunc(f(center - support) + 0.5), 0);
    const xsize = Math.min(Math.max(Math.min(Math.trunc(f(center + support) + 0.5), inSize) - xmin, 0), maxInterp);
    const ws: number[] = [];
    let total = 0;
    for (let j = 0; j < xsize; j++) {
      const w = filter(f((f(j + xmin - center) + 0.5) * invscale));
      ws.push(w);
      total = f(total + w);
    }
    for (let j = 0; j < xsize; j++) out[i * inSize + xmin + j] = total !== 0 ? f(ws[j] / total) : ws[j];
  }
  return fromArray(out, [outSize, inSize]).to(dtype);
}

function resampleAa(x: Tensor, oh: number, ow: number, mode: 'bilinear' | 'bicubic'): Tensor {
  const [, , h, w] = x.shape;
  let y = x;
  if (w !== ow) y = ops.matmul(y, aaWeights(w, ow, mode, x.dtype).t());
  if (h !== oh) y = ops.matmul(aaWeights(h, oh, mode, x.dtype), y);
  return y.contiguous();
}

function resampleTo(img: Tensor, oh: number, ow: number, mode: TensorMode, antialias: boolean): Tensor {
  return viaFloat(img, ['float32', 'float64'], (x) => {
    if (antialias) return resampleAa(x, oh, ow, mode as 'bilinear' | 'bicubic');
    if (mode === 'nearest') return nnOps.upsampleNearest2d(x, [oh, ow], null);
    if (mode === 'bilinear') return nnOps.upsampleBilinear2d(x, [oh, ow], false, null);
    return nnOps.upsampleBicubic2d(x, [oh, ow], false, null);
  }, mode === 'bicubic' && img.dtype === 'uint8' ? (x) => x.clamp(0, 255) : undefined);
}

/**
 * Resizes an image to `[height, width]`, or (one int) its shorter side to `size` keeping the
 * aspect ratio. Returns the image itself when the size is unchanged.
 * @example
 * ```ts
 * TF.resize(img, 256);                                        // shorter side 256
 * TF.resize(img, [32, 48], { interpolation: 'bicubic', antialias: true });
 * ```
 */
export function resize(img: Tensor, size: number | number[], options: ResizeOptions = {}): Tensor {
  const o = checkOptions(options, 'resize options', RESIZE_KEYS) as ResizeOptions;
  const t = checkImage(img);
  const mode = interpolationMode(o.interpolation ?? 'bilinear');
  const sz = checkResizeSize(size);
  const maxSize = checkMaxSize(o.maxSize, sz);
  const antialias = checkAntialias(o.antialias, mode) ?? false;
  const [, h, w] = getDimensions(t);
  const [oh, ow] = resizedOutputSize(h, w, sz, maxSize);
  if (oh === h && ow === w) return t;
  return resampleTo(t, oh, ow, mode, antialias);
}

/** Options of `resizedCrop`. */
export interface ResizedCropOptions {
  /** Default 'bilinear'. */
  interpolation?: InterpolationMode;
  /** As `resize`'s. Default null (false for tensor images). */
  antialias?: boolean | null;
}

/**
 * `crop` then `resize`, as `RandomResizedCrop` uses them.
 * @example
 * ```ts
 * TF.resizedCrop(img, 0, 0, 20, 20, [10, 10]);
 * ```
 */
export function resizedCrop(img: Tensor, top: number, left: number, height: number, width: number, size: number | number[], options: ResizedCropOptions = {}): Tensor {
  const o = checkOptions(options, 'resizedCrop options', optionKeys<ResizedCropOptions>({ interpolation: true, antialias: true })) as ResizedCropOptions;
  return resize(crop(img, top, left, height, width), size, { interpolation: o.interpolation, antialias: o.antialias });
}

// ---- colour ----------------------------------------------------------------------------------

// torchvision's _blend: ratio·a + (1 − ratio)·b, clamped to the dtype's range and cast back.
function blend(a: Tensor, b: Tensor, ratio: number): Tensor {
  const bound = isFloat(a) ? 1.0 : 255.0;
  // Python multiplies by a float, which makes an integer image float32; a JS whole number would not.
  const fa = isFloat(a) ? a : a.to('float32');
  const fb = isFloat(b) ? b : b.to('float32');
  return fa.mul(ratio).add(fb.mul(1.0 - ratio)).clamp(0, bound).to(a.dtype);
}

function checkFactor(value: unknown, name: string): number {
  const v = checkNumber(value, name);
  if (v < 0) throw rangeError('a non-negative number', name, v);
  return v;
}

/**
 * Converts an RGB image `[..., 3, H, W]` to grayscale (0.2989 R + 0.587 G + 0.114 B), with 1
 * or 3 (equal) output channels. A one-channel image is returned as a copy.
 * @example
 * ```ts
 * TF.rgbToGrayscale(img);      // [..., 1, H, W]
 * TF.rgbToGrayscale(img, 3);   // [..., 3, H, W]
 * ```
 */
export function rgbToGrayscale(img: Tensor, numOutputChannels: 1 | 3 = 1): Tensor {
  const t = checkImage(img);
  if (t.dim() < 3) throw new TorchError(`Input image tensor should have at least 3 dimensions, but found ${t.dim()}`, 'SHAPE_MISMATCH');
  const c = checkChannels(t, [1, 3]);
  if (numOutputChannels !== 1 && numOutputChannels !== 3) throw rangeError('1 or 3', 'numOutputChannels', numOutputChannels);
  let l: Tensor;
  if (c === 3) {
    const [r, g, b] = t.unbind(-3);
    const [fr, fg, fb] = isFloat(t) ? [r, g, b] : [r, g, b].map((x) => x.to('float32'));
    l = fr.mul(0.2989).add(fg.mul(0.587)).add(fb.mul(0.114)).to(t.dtype).unsqueeze(-3);
  } else {
    l = t.clone();
  }
  return numOutputChannels === 3 ? l.expand(t.shape) : l;
}

/**
 * Scales brightness: 0 gives black, 1 the original, 2 twice as bright (clamped).
 * @example `TF.adjustBrightness(img, 1.5)`
 */
export function adjustBrightness(img: Tensor, brightnessFactor: number): Tensor {
  const f = checkFactor(brightnessFactor, 'brightnessFactor');
  const t = checkImage(img);
  checkChannels(t, [1, 3]);
  return blend(t, zerosLike(t), f);
}

/**
 * Scales contrast around the mean gray level: 0 gives a solid gray image, 1 the original.
 * @example `TF.adjustContrast(img, 0.5)`
 */
export function adjustContrast(img: Tensor, contrastFactor: number): Tensor {
  const f = checkFactor(contrastFactor, 'contrastFactor');
  const t = checkImage(img);
  const c = checkChannels(t, [1, 3]);
  const dtype = isFloat(t) ? t.dtype : 'float32';
  const gray = c === 3 ? rgbToGrayscale(t) : t;
  const mean = gray.to(dtype).mean([-3, -2, -1], true);
  return blend(t, mean, f);
}

/**
 * Scales saturation: 0 gives grayscale, 1 the original, 2 doubles it.
 * @example `TF.adjustSaturation(img, 2)`
 */
export function adjustSaturation(img: Tensor, saturationFactor: number): Tensor {
  const f = checkFactor(saturationFactor, 'saturationFactor');
  const t = checkImage(img);
  if (checkChannels(t, [1, 3]) === 1) return t;
  return blend(t, rgbToGrayscale(t), f);
}

function rgbToHsv(img: Tensor): Tensor {
  const [r, g, b] = img.unbind(-3);
  const maxc = img.max(-3).values;
  const minc = img.min(-3).values;
  const eqc = maxc.eq(minc);
  const cr = maxc.sub(minc);
  const ones = onesLike(maxc);
  const s = cr.div(ops.where(eqc, ones, maxc));
  const crDivisor = ops.where(eqc, ones, cr);
  const rc = maxc.sub(r).div(crDivisor);
  const gc = maxc.sub(g).div(crDivisor);
  const bc = maxc.sub(b).div(crDivisor);
  const hr = maxc.eq(r).mul(bc.sub(gc));
  const hg = maxc.eq(g).logicalAnd(maxc.ne(r)).mul(rc.add(2.0).sub(bc));
  const hb = maxc.ne(g).logicalAnd(maxc.ne(r)).mul(gc.add(4.0).sub(rc));
  const h = hr.add(hg).add(hb);
  return ops.stack([ops.fmod(h.div(6.0).add(1.0), 1.0), s, maxc], -3);
}

function hsvToRgb(img: Tensor): Tensor {
  const [h, s, v] = img.unbind(-3);
  const i0 = h.mul(6.0).floor();
  const f = h.mul(6.0).sub(i0);
  const i = i0.to('int32').remainder(6);
  const p = v.mul(s.neg().add(1.0)).clamp(0.0, 1.0);
  const q = v.mul(s.mul(f).neg().add(1.0)).clamp(0.0, 1.0);
  const t = v.mul(s.mul(f.neg().add(1.0)).neg().add(1.0)).clamp(0.0, 1.0);
  const mask = i.unsqueeze(-3).eq(arange(6).view([-1, 1, 1]));
  const a1 = ops.stack([v, q, p, p, t, v], -3);
  const a2 = ops.stack([t, v, v, q, p, p], -3);
  const a3 = ops.stack([p, p, t, v, v, q], -3);
  const a4 = ops.stack([a1, a2, a3], -4);
  // The one-hot mask picks one of the six candidates: torchvision's einsum, as a masked sum.
  return a4.mul(mask.to(img.dtype).unsqueeze(-4)).sum(-3);
}

/**
 * Shifts the hue by `hueFactor` of a full turn, in [-0.5, 0.5], through HSV. A one-channel image
 * is returned unchanged.
 * @example `TF.adjustHue(img, 0.1)`
 */
export function adjustHue(img: Tensor, hueFactor: number): Tensor {
  const f = checkNumber(hueFactor, 'hueFactor');
  if (!(f >= -0.5 && f <= 0.5)) throw rangeError('a number in [-0.5, 0.5]', 'hueFactor', f);
  const t = checkImage(img);
  if (checkChannels(t, [1, 3]) === 1) return t;
  const orig = t.dtype;
  const x = orig === 'uint8' ? t.to('float32').div(255.0) : t;
  const [h, s, v] = rgbToHsv(x).unbind(-3);
  const out = hsvToRgb(ops.stack([h.add(f).remainder(1.0), s, v], -3));
  return orig === 'uint8' ? out.mul(255.0).to(orig) : out;
}

// ---- filters and erasing -------------------------------------------------------------------

function gaussianKernel1d(kernelSize: number, sigma: number): Tensor {
  const half = (kernelSize - 1) * 0.5;
  const x = linspace(-half, half, kernelSize);
  const pdf = x.div(sigma).pow(2).mul(-0.5).exp();
  return pdf.div(pdf.sum());
}

/**
 * Blurs with a Gaussian kernel `[kx, ky]` (odd, positive; an int for both) of standard deviation
 * `sigma` (a number or `[sx, sy]`; default `0.3·((k − 1)/2 − 1) + 0.8` per side), the borders
 * reflected.
 * @example
 * ```ts
 * TF.gaussianBlur(img, 5);
 * TF.gaussianBlur(img, [3, 5], [0.8, 1.2]);
 * ```
 */
export function gaussianBlur(img: Tensor, kernelSize: number | number[], sigma: number | number[] | null = null): Tensor {
  const t = checkImage(img);
  const ks = intArray(typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize, 'an integer or an array of 2 integers', 'kernelSize', kernelSize);
  if (ks.length !== 2) throw rangeError('an integer or an array of 2 integers', 'kernelSize', kernelSize);
  if (ks.some((k) => k % 2 === 0 || k < 0)) throw rangeError('odd positive integers', 'kernelSize', kernelSize);
  let sg: number[];
  if (sigma === null || sigma === undefined) sg = ks.map((k) => k * 0.15 + 0.35);
  else if (typeof sigma === 'number') sg = [sigma, sigma];
  else if (Array.isArray(sigma) && sigma.length === 1) sg = [sigma[0], sigma[0]];
  else if (Array.isArray(sigma) && sigma.length === 2) sg = [...sigma];
  else throw typeError('a number or an array of 1 or 2 numbers', 'sigma', sigma);
  sg.forEach((s, i) => checkNumber(s, `sigma[${i}]`));
  if (sg.some((s) => s <= 0)) throw rangeError('positive values', 'sigma', sigma);
  const dtype = isFloat(t) ? t.dtype : 'float32';
  const kx = gaussianKernel1d(ks[0], sg[0]).to(dtype);
  const ky = gaussianKernel1d(ks[1], sg[1]).to(dtype);
  const kernel2d = ky.unsqueeze(1).mm(kx.unsqueeze(0));
  const c = getDimensions(t)[0];
  const kernel = kernel2d.expand([c, 1, ks[1], ks[0]]);
  const padding = [Math.floor(ks[0] / 2), Math.floor(ks[0] / 2), Math.floor(ks[1] / 2), Math.floor(ks[1] / 2)];
  return viaFloat(t, [dtype as DType], (x) => ops.conv2d(nnOps.reflectionPad2d(x, padding), kernel, null, 1, 0, 1, c));
}

/** Options of `erase`. */
export interface EraseOptions {
  /** Overwrite the input. Default false. */
  inplace?: boolean;
}

/**
 * Sets the `h × w` region at `(i, j)` to `v` (a value, or a tensor broadcast over the region).
 * @example
 * ```ts
 * TF.erase(img, 1, 2, 3, 4, torch.tensor([0.5]).view(-1, 1, 1));
 * ```
 */
export function erase(img: Tensor, i: number, j: number, h: number, w: number, v: Tensor | number, options: EraseOptions = {}): Tensor {
  const o = checkOptions(options, 'erase options', optionKeys<EraseOptions>({ inplace: true }));
  const t = checkImage(img);
  [i, j, h, w].forEach((n, k) => checkInt(n, ['i', 'j', 'h', 'w'][k]));
  const out = checkBool(o.inplace ?? false, 'inplace') ? t : t.clone();
  const region = out.index('...', { start: i, stop: i + h }, { start: j, stop: j + w });
  if (v instanceof Tensor) region.copy_(v);
  else region.fill_(checkNumber(v, 'v'));
  return out;
}
