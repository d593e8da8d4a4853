/**
 * The one loader of `@napi-rs/canvas` (Skia), which draws and encodes the PNG plots
 * (`utils.plot`), image files (`vision.utils.saveImage`) and TensorBoard images. It is an optional
 * peer dependency: loaded on the first picture, so importing nodetorch never needs it.
 * @internal
 */
import { requireOptional } from '../optional';

type Canvas = typeof import('@napi-rs/canvas');

let canvasModule: Canvas | undefined;

/**
 * `@napi-rs/canvas`, loaded on first use; without it, a `TorchError` (code `CANVAS_UNAVAILABLE`)
 * that names `feature` and the package to install.
 * @example
 * ```ts
 * const canvas = skia('Drawing PNG plots').createCanvas(640, 480);
 * ```
 */
export function skia(feature: string): Canvas {
  canvasModule ??= requireOptional<Canvas>({ name: '@napi-rs/canvas', feature, code: 'CANVAS_UNAVAILABLE' });
  return canvasModule;
}
