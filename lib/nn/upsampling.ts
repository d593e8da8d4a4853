/**
 * Resampling modules: `nn.Upsample`, `nn.UpsamplingNearest2d`, `nn.UpsamplingBilinear2d`,
 * `nn.PixelShuffle`, `nn.PixelUnshuffle`.
 */
import { Tensor } from '../tensor';
import { checkInt, checkOptions } from '../validate';
import { typeError } from '../errors';
import { pyFloat } from '../printing';
import * as F from './functional';
import { INTERPOLATE_KEYS, UPSAMPLE_SIZE_KEYS, interpolateMode } from './_utils';
import { Module } from './module';
import { pyTuple } from './pooling';

/**
 * Up/down-samples `[N, C, *spatial]` by `size` or `scaleFactor` (exactly one), `mode` 'nearest'
 * (default), 'linear' (3-D input), 'bilinear'/'bicubic' (4-D) or 'trilinear' (5-D).
 * @example
 * ```ts
 * new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' })(x);
 * ```
 */
export class Upsample extends Module {
  readonly size: number | number[] | null;
  readonly scaleFactor: number | number[] | null;
  readonly mode: F.InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;

  constructor(options: F.InterpolateOptions) {
    super();
    const o = checkOptions(options, 'Upsample options', INTERPOLATE_KEYS) as F.InterpolateOptions;
    [this.mode, this.alignCorners] = interpolateMode(o);
    const hasSize = o.size !== undefined && o.size !== null;
    const hasScale = o.scaleFactor !== undefined && o.scaleFactor !== null;
    if (hasSize === hasScale) throw typeError('exactly one of size and scaleFactor', 'size', o.size);
    this.size = hasSize ? (o.size as number | number[]) : null;
    this.scaleFactor = hasScale ? (o.scaleFactor as number | number[]) : null;
    this.recomputeScaleFactor = o.recomputeScaleFactor ?? null;
  }

  forward(x: Tensor): Tensor {
    return F.interpolate(x, {
      size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }

  override extraRepr(): string {
    const s = this.scaleFactor;
    const info = s !== null ? `scale_factor=${Array.isArray(s) ? `(${s.map(pyFloat).join(', ')})` : pyFloat(s)}` : `size=${pyTuple(this.size)}`;
    return `${info}, mode='${this.mode}'`;
  }
}

/**
 * Nearest-neighbour upsampling of `[N, C, H, W]`: `nn.Upsample` with mode 'nearest'.
 * @example
 * ```ts
 * new nn.UpsamplingNearest2d({ scaleFactor: 2 })(x);
 * ```
 */
export class UpsamplingNearest2d extends Upsample {
  constructor(options: F.UpsampleSize) { super({ ...(checkOptions(options, 'UpsamplingNearest2d options', UPSAMPLE_SIZE_KEYS) as F.UpsampleSize), mode: 'nearest' }); }
}

/**
 * Bilinear upsampling of `[N, C, H, W]` with the corners aligned: `nn.Upsample` with mode
 * 'bilinear' and `alignCorners: true`.
 * @example
 * ```ts
 * new nn.UpsamplingBilinear2d({ size: [4, 5] })(x);
 * ```
 */
export class UpsamplingBilinear2d extends Upsample {
  constructor(options: F.UpsampleSize) {
    super({ ...(checkOptions(options, 'UpsamplingBilinear2d options', UPSAMPLE_SIZE_KEYS) as F.UpsampleSize), mode: 'bilinear', alignCorners: true });
  }
}

/**
 * Rearranges `[*, C·r², H, W]` to `[*, C, H·r, W·r]`.
 * @example
 * ```ts
 * new nn.PixelShuffle(2)(x);
 * ```
 */
export class PixelShuffle extends Module {
  readonly upscaleFactor: number;
  constructor(upscaleFactor: number) { super(); this.upscaleFactor = checkInt(upscaleFactor, 'upscaleFactor', 1); }
  forward(x: Tensor): Tensor { return F.pixelShuffle(x, this.upscaleFactor); }
  override extraRepr(): string { return `upscale_factor=${this.upscaleFactor}`; }
}

/**
 * Rearranges `[*, C, H·r, W·r]` to `[*, C·r², H, W]`.
 * @example
 * ```ts
 * new nn.PixelUnshuffle(2)(x);
 * ```
 */
export class PixelUnshuffle extends Module {
  readonly downscaleFactor: number;
  constructor(downscaleFactor: number) { super(); this.downscaleFactor = checkInt(downscaleFactor, 'downscaleFactor', 1); }
  forward(x: Tensor): Tensor { return F.pixelUnshuffle(x, this.downscaleFactor); }
  override extraRepr(): string { return `downscale_factor=${this.downscaleFactor}`; }
}
