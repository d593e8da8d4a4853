/**
 * `torchvision.utils`: `makeGrid` (a batch of images tiled into one image) and `saveImage`
 * (the grid written as a PNG, JPEG or WebP file), as torchvision's `make_grid` and `save_image`.
 * Images are encoded with `@napi-rs/canvas` (Skia), loaded on first use.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { typeError, rangeError } from '../errors';
import { Tensor } from '../tensor';
import { full } from '../factories';
import { stack, cat } from '../generated/ops';
import { noGrad } from '../autograd';
import { isFloatingDtype } from '../dtype';
import { checkBool, checkInt, checkNumber, checkOptions, optionKeys } from '../validate';
import { skia } from '../utils/canvas';

/** Options of `makeGrid` (and `saveImage`), torchvision's keyword arguments. */
export interface MakeGridOptions {
  /** Images per row. Default 8. */
  nrow?: number;
  /** Pixels between images and around the grid. Default 2. */
  padding?: number;
  /** Shift the values into [0, 1]: by `valueRange`, else by the min and max. Default false. */
  normalize?: boolean;
  /** `[min, max]` mapped to [0, 1] when normalizing (values outside are clamped). Default null. */
  valueRange?: [number, number] | null;
  /** Normalize each image by its own min and max. Default false. */
  scaleEach?: boolean;
  /** The value of the padding. Default 0. */
  padValue?: number;
}

const GRID_KEYS = optionKeys<MakeGridOptions>({ nrow: true, padding: true, normalize: true, valueRange: true, scaleEach: true, padValue: true });

/**
 * Tiles a batch `[B, C, H, W]` (or an array of `[C, H, W]` images) into one image
 * `[C, rows·(H + padding) + padding, nrow·(W + padding) + padding]`; one-channel images become
 * three-channel, as torchvision's `make_grid`.
 * @example
 * ```ts
 * const grid = vision.utils.makeGrid(images, { nrow: 4, normalize: true });
 * ```
 */
export function makeGrid(tensor: Tensor | Tensor[], options: MakeGridOptions = {}): Tensor {
  const o = checkOptions(options, 'makeGrid options', GRID_KEYS) as MakeGridOptions;
  const nrow = checkInt(o.nrow ?? 8, 'nrow', 1);
  const padding = checkInt(o.padding ?? 2, 'padding', 0);
  const normalize = checkBool(o.normalize ?? false, 'normalize');
  const scaleEach = checkBool(o.scaleEach ?? false, 'scaleEach');
  const padValue = checkNumber(o.padValue ?? 0, 'padValue');
  let valueRange: [number, number] | null = null;
  if (o.valueRange !== undefined && o.valueRange !== null) {
    const r = o.valueRange;
    if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === 'number')) throw typeError('[min, max]', 'valueRange', r);
    valueRange = [r[0], r[1]];
  }
  let t: Tensor;
  if (Array.isArray(tensor)) {
    tensor.forEach((x, i) => { if (!(x instanceof Tensor)) throw typeError('a Tensor', `tensor[${i}]`, x); });
    if (tensor.length === 0) throw rangeError('at least one image', 'tensor', tensor);
    t = stack(tensor, 0);
  } else if (tensor instanceof Tensor) {
    t = tensor;
  } else {
    throw typeError('a Tensor or an array of Tensors', 'tensor', tensor);
  }
  return noGrad(() => {
    if (t.dim() === 2) t = t.unsqueeze(0);
    if (t.dim() === 3) {
      if (t.size(0) === 1) t = cat([t, t, t], 0);
      t = t.unsqueeze(0);
    }
    if (t.dim() !== 4) throw rangeError('images [B, C, H, W], [C, H, W] or [H, W]', 'tensor', t.shape);
    if (t.size(1) === 1) t = cat([t, t, t], 1);

    if (normalize) {
      t = t.clone();
      const normRange = (img: Tensor) => {
        const [low, high] = valueRange ?? [img.min().item(), img.max().item()];
        img.clamp_(low, high);
        img.sub_(low).div_(Math.max(high - low, 1e-5));
      };
      if (scaleEach) for (const img of t) normRange(img);
      else normRange(t);
    }
    if (t.size(0) === 1) return t.squeeze(0);

    const nmaps = t.size(0);
    const xmaps = Math.min(nrow, nmaps);
    const ymaps = Math.ceil(nmaps / xmaps);
    const height = t.size(2) + padding;
    const width = t.size(3) + padding;
    const grid = full([t.size(1), height * ymaps + padding, width * xmaps + padding], padValue, { dtype: t.dtype });
    let k = 0;
    for (let y = 0; y < ymaps && k < nmaps; y++) {
      for (let x = 0; x < xmaps && k < nmaps; x++, k++) {
        grid.narrow(1, y * height + padding, height - padding).narrow(2, x * width + padding, width - padding).copy_(t.get(k));
      }
    }
    return grid;
  });
}

/** Options of `saveImage`: `makeGrid`'s, and the file format. */
export interface SaveImageOptions extends MakeGridOptions {
  /** 'png', 'jpeg' or 'webp'. Default: from the file name's extension. */
  format?: 'png' | 'jpeg' | 'webp';
}

const FORMATS: Record<string, 'png' | 'jpeg' | 'webp'> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };


/**
 * Writes images as one picture, as torchvision's `save_image`: the `makeGrid` of `tensor`, float
 * values in [0, 1] scaled to 0–255 (`x·255 + 0.5`, clamped, truncated); a uint8 grid is written
 * as it is. Three channels are RGB, four RGBA, two gray and alpha.
 * @example
 * ```ts
 * vision.utils.saveImage(fake.detach(), 'samples.png', { nrow: 8, normalize: true });
 * ```
 */
export function saveImage(tensor: Tensor | Tensor[], fp: string, options: SaveImageOptions = {}): void {
  const { format: formatOption, ...gridOptions } = checkOptions(options, 'saveImage options', [...GRID_KEYS, 'format']) as SaveImageOptions;
  if (typeof fp !== 'string' || fp.length === 0) throw typeError('a file path', 'fp', fp);
  let format = formatOption;
  if (format === undefined) {
    format = FORMATS[extname(fp).toLowerCase()];
    if (format === undefined) throw rangeError('a file name ending in .png, .jpg, .jpeg or .webp (or a format option)', 'fp', fp);
  } else if (!['png', 'jpeg', 'webp'].includes(format)) {
    throw (typeof format === 'string' ? rangeError : typeError)("'png', 'jpeg' or 'webp'", 'format', format);
  }
  const grid = makeGrid(tensor, gridOptions);
  const bytes = noGrad(() => {
    let g = grid.dim() === 2 ? grid.unsqueeze(0) : grid;
    if (isFloatingDtype(g.dtype)) g = g.mul(255).add_(0.5).clamp_(0, 255).to('uint8');
    else if (g.dtype !== 'uint8') throw typeError('a floating-point or uint8 image', 'tensor', g.dtype);
    const c = g.size(0);
    const alpha = () => full([1, g.size(1), g.size(2)], 255, { dtype: 'uint8' });
    let rgba: Tensor;
    if (c === 3) rgba = cat([g, alpha()], 0);
    else if (c === 4) rgba = g;
    else if (c === 1) rgba = cat([g, g, g, alpha()], 0);
    else if (c === 2) rgba = cat([g.get(0).unsqueeze(0).expand([3, -1, -1]), g.index({ start: 1, stop: 2 })], 0);
    else throw rangeError('an image with 1, 2, 3 or 4 channels', 'tensor', grid.shape);
    return rgba.permute(1, 2, 0).contiguous().toArray() as Uint8Array;
  });
  const [h, w] = grid.shape.slice(-2);
  const { createCanvas, ImageData } = skia('Writing image files');
  const canvas = createCanvas(w, h);
  canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.byteLength), w, h), 0, 0);
  writeFileSync(fp, format === 'png' ? canvas.encodeSync('png') : canvas.encodeSync(format));
}
