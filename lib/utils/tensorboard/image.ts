/**
 * Image summaries as PyTorch's `summary.image`: a tensor in `dataformats` layout turned into one
 * `[H, W, C]` picture (`convert_to_HWC`, a batch tiled by TensorBoard's `make_grid`), scaled to
 * bytes by its dtype (uint8 as it is, anything else × 255), clipped, and PNG-encoded.
 */
import { rangeError, typeError } from '../../errors';
import { Tensor } from '../../tensor';
import { zeros } from '../../factories';
import { cat, stack } from '../../generated/ops';
import { noGrad } from '../../autograd';
import { tidy } from '../../memory';
import { encodePng } from './png';
import type { ImageProto } from './schema';

/**
 * TensorBoard's `make_grid` (torch/utils/tensorboard/_utils.py, not torchvision's): `[N, C, H, W]`
 * images with C 1 or 3 tiled without padding into `[3, rows·H, cols·W]`, `ncols` per row (at most
 * N), the empty cells zero.
 */
export function tensorboardGrid(nchw: Tensor, ncols: number, name: string): Tensor {
  const [n, c, h, w] = nchw.shape;
  if (c !== 1 && c !== 3) throw rangeError('images with 1 or 3 channels', `${name} channels`, c);
  if (n === 0) throw rangeError('at least one image', name, nchw.shape);
  let images = c === 1 ? nchw.expand([n, 3, h, w]) : nchw;
  const cols = Math.min(n, ncols);
  const rows = Math.ceil(n / cols);
  if (rows * cols > n) images = cat([images, zeros([rows * cols - n, 3, h, w], { dtype: nchw.dtype })], 0);
  return images.reshape([rows, cols, 3, h, w]).permute(2, 0, 3, 1, 4).reshape([3, rows * h, cols * w]);
}

const LAYOUTS: Record<number, string> = { 2: 'HW', 3: 'HWC', 4: 'NCHW' };

/** The dimension order `dataformats` names, checked against the tensor's dimensions. */
function permutation(dataformats: unknown, t: Tensor): number[] {
  if (typeof dataformats !== 'string') throw typeError("a layout string such as 'CHW', 'HWC', 'HW' or 'NCHW'", 'dataformats', dataformats);
  const format = dataformats.toUpperCase();
  const target = LAYOUTS[format.length];
  if (target === undefined || [...format].sort().join('') !== [...target].sort().join('')) {
    throw rangeError("each letter of 'HW', 'CHW' or 'NCHW' once, in any order", 'dataformats', dataformats);
  }
  if (t.dim() !== format.length) throw rangeError(`a ${format.length}-D tensor for dataformats '${dataformats}'`, 'img_tensor shape', t.shape);
  return [...target].map((letter) => format.indexOf(letter));
}

/** PyTorch's `convert_to_HWC`: `[H, W, C]` with C 3 (gray repeated) or as given (3 or 4). */
function toHWC(t: Tensor, dataformats: unknown): Tensor {
  const order = permutation(dataformats, t);
  const p = t.permute(order);
  if (order.length === 4) return tensorboardGrid(p, 8, 'img_tensor').permute(1, 2, 0);
  if (order.length === 2) return stack([p, p, p], 2);
  const c = p.size(2);
  if (c === 1) return p.expand([p.size(0), p.size(1), 3]);
  if (c !== 3 && c !== 4) throw rangeError('images with 1, 3 or 4 channels', 'img_tensor channels', c);
  return p;
}

/**
 * `[H, W, C]` to bytes as PyTorch's `image()`: uint8 as it is; any other dtype to float32, × 255,
 * clipped to [0, 255] and truncated.
 */
export function toBytes(hwc: Tensor): Tensor {
  if (hwc.dtype === 'uint8') return hwc;
  return hwc.to('float32').mul(255).clamp(0, 255).to('uint8');
}

/** A `Summary.Image` of `img` (a Tensor in `dataformats` layout). */
export function imageProto(img: unknown, dataformats: unknown): ImageProto {
  if (!(img instanceof Tensor)) throw typeError('a Tensor', 'img_tensor', img);
  const hwc = noGrad(() => tidy(() => toBytes(toHWC(img.detach().to('cpu'), dataformats))));
  try {
    return pngImage(hwc);
  } finally {
    hwc.dispose();
  }
}

/** A `Summary.Image` of a `[H, W, C]` uint8 image. */
export function pngImage(hwc: Tensor): ImageProto {
  const [height, width, colorspace] = hwc.shape;
  return { height, width, colorspace, encodedImageString: encodePng(hwc) };
}
