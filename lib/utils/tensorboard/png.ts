/**
 * PNG encoding and decoding for TensorBoard images, with `@napi-rs/canvas` (Skia), loaded on the
 * first image: synchronous, as PIL is in PyTorch's `add_image`, so a record is complete when it
 * is queued and `close()` or a normal exit never waits on an encoder.
 */
import { typeError, rangeError } from '../../errors';
import { Tensor } from '../../tensor';
import { full, fromArray } from '../../factories';
import { cat } from '../../generated/ops';
import { noGrad } from '../../autograd';
import { tidy } from '../../memory';
import { skia } from '../canvas';

const FEATURE = 'PNG-encoding TensorBoard images';

/**
 * A `[H, W, 3]` (RGB) or `[H, W, 4]` (RGBA) uint8 image as PNG bytes. Opaque pixels are stored
 * exactly; Skia keeps colours premultiplied by alpha, so translucent RGBA pixels may come back
 * with their colour rounded.
 */
export function encodePng(hwc: Tensor): Buffer {
  const [h, w, c] = hwc.shape;
  const rgba = noGrad(() => tidy(() => {
    const t = c === 3 ? cat([hwc, full([h, w, 1], 255, { dtype: 'uint8' })], 2) : hwc;
    return t.contiguous().toArray() as Uint8Array;
  }));
  const { createCanvas, ImageData } = skia(FEATURE);
  const canvas = createCanvas(w, h);
  canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), w, h), 0, 0);
  return canvas.encodeSync('png');
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Channels by PNG colour type: gray, RGB, palette (shown as RGB), gray + alpha, RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

/** A PNG's size and channels, from its header; a RangeError for bytes that are not a PNG. */
export function pngInfo(png: Uint8Array, name: string): { width: number; height: number; channels: number } {
  const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (b.length < 33 || !b.subarray(0, 8).equals(SIGNATURE) || b.toString('latin1', 12, 16) !== 'IHDR' || CHANNELS[b[25]] === undefined) {
    throw rangeError('PNG bytes', name, png);
  }
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), channels: CHANNELS[b[25]] };
}

/** A PNG decoded to a `[H, W, 3]` uint8 RGB tensor (its alpha dropped, as PyTorch's `figure_to_image`). */
export function decodePngRgb(png: Uint8Array, name: string): Tensor {
  if (!(png instanceof Uint8Array)) throw typeError('PNG bytes', name, png);
  const { width, height } = pngInfo(png, name);
  const { createCanvas, Image } = skia(FEATURE);
  const image = new Image();
  image.src = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const bytes = new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return noGrad(() => tidy(() => fromArray(bytes, [height, width, 4]).narrow(2, 0, 3).contiguous()));
}
