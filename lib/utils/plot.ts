/**
 * PNG plots for the seed program without matplotlib: the accuracy curve that `plt.plot(...); plt.show()`
 * drew, and the 5×6 `plt.subplot` grid of test images titled `p: <prediction>` that `draw()` showed.
 * Drawn with `@napi-rs/canvas` (Skia) and written to a file.
 * @module nodetorch/utils/plot
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import { skia as loadSkia } from './canvas';
import { typeError, rangeError } from '../errors';

function skia(): typeof import('@napi-rs/canvas') {
  return loadSkia('Drawing PNG plots');
}
import { checkOptions, optionKeys } from '../validate';

const FONT_FAMILY = 'DejaVu Sans';
const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
];
let fontsReady = false;
/** Skia finds system fonts itself; registering DejaVu explicitly keeps the look the same where it does not. */
function font(size: number, weight: 'normal' | 'bold' = 'normal'): string {
  if (!fontsReady) {
    fontsReady = true;
    const { GlobalFonts } = skia();
    if (!GlobalFonts.has(FONT_FAMILY)) {
      for (const f of FONT_FILES) {
        try { GlobalFonts.registerFromPath(f, FONT_FAMILY); } catch { /* try the next location */ }
      }
    }
  }
  return `${weight === 'bold' ? 'bold ' : ''}${size}px "${FONT_FAMILY}", "Liberation Sans", Arial, sans-serif`;
}

/** matplotlib's default colour cycle, so several series look as they would in Python. */
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) throw typeError('a non-empty string', 'path', path);
  return path;
}

function checkPositiveInt(value: unknown, name: string, min = 1): number {
  if (typeof value !== 'number') throw typeError('a number', name, value);
  if (!Number.isInteger(value) || value < min) throw rangeError(`an integer ≥ ${min}`, name, value);
  return value;
}

function checkOptionalString(value: unknown, name: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw typeError('a string', name, value);
  return value;
}

function writePng(canvas: Canvas, path: string): string {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, canvas.encodeSync('png'));
  return path;
}

/**
 * A "nice" tick step (1, 2, 2.5 or 5 × 10^k) giving about `target` intervals over `span`.
 * Same idea as matplotlib's MaxNLocator.
 */
function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw * 0.999) return m * mag;
  return 10 * mag;
}

function ticks(lo: number, hi: number, target: number, integer = false): { values: number[]; step: number } {
  let step = niceStep(hi - lo, target);
  if (integer) step = Math.max(1, Math.round(step));
  const values: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let i = first; i * step <= hi + step * 1e-9; i++) values.push(Number((i * step).toPrecision(12)));
  return { values, step };
}

function decimals(step: number): number {
  if (step >= 1 && Number.isInteger(step)) return 0;
  const s = step.toPrecision(6).replace(/0+$/, '');
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : Math.min(8, s.length - dot - 1);
}

/** Data limits padded by 5% of the span each side, as matplotlib's default axes margins. */
function paddedRange(lo: number, hi: number): [number, number] {
  if (hi === lo) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    return [lo - d, hi + d];
  }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/**
 * One line of a chart, for several curves in one plot (drawn with a legend).
 *
 * @example
 * ```ts
 * const s: CurveSeries = { label: 'train', values: [0.9, 0.95, 0.97] };
 * ```
 */
export interface CurveSeries {
  label: string;
  values: number[];
}

/**
 * Options of {@link plotCurve}; all optional.
 *
 * @example
 * ```ts
 * const opts: PlotCurveOptions = { title: 'accuracy (SGD)', xlabel: 'epoch', ylabel: 'accuracy' };
 * ```
 */
export interface PlotCurveOptions {
  /** Text above the axes; default none. */
  title?: string;
  /** Label under the x axis; default none. */
  xlabel?: string;
  /** Label left of the y axis (rotated); default none. */
  ylabel?: string;
  /** x coordinate of each value; default `0, 1, …, n-1` like `np.arange(len(values))`. */
  x?: number[];
  /** Image width in pixels; default 800. */
  width?: number;
  /** Image height in pixels; default 500. */
  height?: number;
  /** Draw a dot on each point; default: when there are at most 50 points. */
  markers?: boolean;
}

/**
 * Draws a line chart to a PNG file, like the seed's
 * `plt.plot(np.arange(len(acc_lst)), acc_lst); plt.show()`, but written to `path`: a framed axes box
 * with light grid lines, tick marks and tick labels on "nice" values, axis labels and a title.
 * `values` is one curve, or several `{ label, values }` drawn in matplotlib's colours with a legend.
 * Parent folders are created. Returns `path`.
 *
 * @throws TypeError if `values` is not an array of numbers (or of series), or an option has the wrong type.
 * @throws RangeError if there are no values, a value is not finite, `x` has another length, or the size is too small.
 *
 * @example
 * ```ts
 * import { plotCurve } from 'nodetorch/utils/plot';
 * const png = plotCurve([0.912, 0.968, 0.975, 0.979, 0.982, 0.984], 'models/SGD_acc.png', {
 *   title: 'training accuracy (SGD)', xlabel: 'epoch', ylabel: 'accuracy',
 * });
 * console.log(`accuracy curve saved in ${png}`);
 * ```
 */
export function plotCurve(values: number[] | CurveSeries[], path: string, options: PlotCurveOptions = {}): string {
  checkPath(path);
  checkOptions(options, 'plotCurve options', optionKeys<PlotCurveOptions>({ title: true, xlabel: true, ylabel: true, x: true, width: true, height: true, markers: true }));
  if (!Array.isArray(values)) throw typeError('an array of numbers', 'values', values);
  if (values.length === 0) throw rangeError('at least one value', 'values', values);
  // Index loops that stop at the first bad item, a hole included (never walk a huge sparse array).
  const isSeries = (v: unknown): boolean => v !== null && typeof v === 'object' && Array.isArray((v as CurveSeries).values);
  let series: CurveSeries[];
  if (typeof values[0] === 'number') {
    series = [{ label: '', values: values as number[] }];
  } else if (isSeries(values[0])) {
    for (let k = 0; k < values.length; k++) {
      if (!isSeries(values[k])) throw typeError('an array of numbers or of { label, values } series', 'values', values);
    }
    series = values as CurveSeries[];
  } else {
    throw typeError('an array of numbers or of { label, values } series', 'values', values);
  }
  series.forEach((s, k) => {
    const name = series.length === 1 && s.label === '' ? 'values' : `values[${k}].values`;
    if (s.values.length === 0) throw rangeError('at least one value', name, s.values);
    for (let i = 0; i < s.values.length; i++) {
      const v: unknown = s.values[i];
      if (typeof v !== 'number') throw typeError('a number', `${name}[${i}]`, v);
      if (!Number.isFinite(v)) throw rangeError('a finite number', `${name}[${i}]`, v);
    }
  });
  const title = checkOptionalString(options.title, 'options.title');
  const xlabel = checkOptionalString(options.xlabel, 'options.xlabel');
  const ylabel = checkOptionalString(options.ylabel, 'options.ylabel');
  const width = checkPositiveInt(options.width ?? 800, 'options.width', 200);
  const height = checkPositiveInt(options.height ?? 500, 'options.height', 150);
  const longest = Math.max(...series.map((s) => s.values.length));
  let xs: number[];
  if (options.x !== undefined) {
    if (!Array.isArray(options.x)) throw typeError('an array of numbers', 'options.x', options.x);
    if (options.x.length < longest) throw rangeError(`an array of at least ${longest} numbers`, 'options.x', options.x);
    options.x.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError('a finite number', `options.x[${i}]`, v);
    });
    xs = options.x;
  } else {
    xs = Array.from({ length: longest }, (_, i) => i);
  }
  const markers = options.markers ?? longest <= 50;
  if (typeof markers !== 'boolean') throw typeError('a boolean', 'options.markers', markers);

  // Data ranges and ticks.
  const allY = series.flatMap((s) => s.values);
  const usedX = xs.slice(0, longest);
  const [x0, x1] = paddedRange(Math.min(...usedX), Math.max(...usedX));
  const [y0, y1] = paddedRange(Math.min(...allY), Math.max(...allY));
  const integerX = usedX.every(Number.isInteger);
  const xt = ticks(x0, x1, Math.max(2, Math.min(8, Math.floor(width / 100))), integerX);
  // Integer x (epochs, steps): no ticks at positions that cannot hold a point, such as -1.
  if (integerX) xt.values = xt.values.filter((v) => v >= Math.min(...usedX) && v <= Math.max(...usedX));
  const yt = ticks(y0, y1, Math.max(2, Math.min(8, Math.floor(height / 70))));
  const xDec = decimals(xt.step);
  const yDec = decimals(yt.step);

  const canvas = skia().createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);

  // Layout: room for the y tick labels (measured), the labels and the title.
  ctx.font = font(13);
  const yLabelsWidth = Math.max(...yt.values.map((v) => ctx.measureText(v.toFixed(yDec)).width));
  const left = Math.round(12 + (ylabel ? 26 : 0) + yLabelsWidth + 10);
  const lastXLabel = ctx.measureText(xt.values[xt.values.length - 1]?.toFixed(xDec) ?? '').width;
  const right = Math.max(24, Math.ceil(lastXLabel / 2) + 6);
  const top = title ? 48 : 20;
  const bottom = 34 + (xlabel ? 28 : 0);
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => top + plotH - ((y - y0) / (y1 - y0)) * plotH;

  // Grid and ticks.
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#e5e5e5';
  for (const v of xt.values) { const x = Math.round(px(v)) + 0.5; line(ctx, x, top, x, top + plotH); }
  for (const v of yt.values) { const y = Math.round(py(v)) + 0.5; line(ctx, left, y, left + plotW, y); }
  ctx.strokeStyle = '#000000';
  ctx.fillStyle = '#000000';
  ctx.font = font(13);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of xt.values) {
    const x = Math.round(px(v)) + 0.5;
    line(ctx, x, top + plotH, x, top + plotH + 5);
    ctx.fillText(v.toFixed(xDec), x, top + plotH + 8);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of yt.values) {
    const y = Math.round(py(v)) + 0.5;
    line(ctx, left - 5, y, left, y);
    ctx.fillText(v.toFixed(yDec), left - 8, y);
  }

  // Curves, clipped to the axes box.
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, plotW, plotH);
  ctx.clip();
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    s.values.forEach((v, i) => (i === 0 ? ctx.moveTo(px(xs[i]), py(v)) : ctx.lineTo(px(xs[i]), py(v))));
    ctx.stroke();
    if (markers || s.values.length === 1) {
      for (let i = 0; i < s.values.length; i++) {
        ctx.beginPath();
        ctx.arc(px(xs[i]), py(s.values[i]), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  });
  ctx.restore();

  // Frame (all four spines, as matplotlib's default).
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, plotW - 1, plotH);

  // Labels and title.
  ctx.fillStyle = '#000000';
  if (xlabel) {
    ctx.font = font(15);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(xlabel, left + plotW / 2, height - 10);
  }
  if (ylabel) {
    ctx.save();
    ctx.font = font(15);
    ctx.translate(14, top + plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(ylabel, 0, 0);
    ctx.restore();
  }
  if (title) {
    ctx.font = font(17, 'bold');
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(title, left + plotW / 2, top / 2 + 2);
  }
  if (series.some((s) => s.label)) {
    const points = series.flatMap((s) => s.values.map((v, i) => [px(xs[i]), py(v)] as [number, number]));
    legend(ctx, series, { left, top, width: plotW, height: plotH }, points);
  }
  return writePng(canvas, path);
}

function line(ctx: SKRSContext2D, xa: number, ya: number, xb: number, yb: number): void {
  ctx.beginPath();
  ctx.moveTo(xa, ya);
  ctx.lineTo(xb, yb);
  ctx.stroke();
}

/**
 * A legend box in the corner of the axes that covers the fewest curve points (upper right first),
 * like `plt.legend(loc='best')`.
 */
function legend(
  ctx: SKRSContext2D, series: CurveSeries[],
  box: { left: number; top: number; width: number; height: number }, points: [number, number][],
): void {
  ctx.font = font(13);
  const rowH = 20;
  const textW = Math.max(...series.map((s) => ctx.measureText(s.label).width));
  const w = 12 + 24 + 8 + textW + 10;
  const h = 8 + rowH * series.length;
  const inset = 10;
  const xl = box.left + inset;
  const xr = box.left + box.width - inset - w;
  const yt = box.top + inset;
  const yb = box.top + box.height - inset - h;
  // Sample along the segments too, so a line crossing the box counts even between points.
  const samples: [number, number][] = [];
  for (let i = 0; i < points.length; i++) {
    samples.push(points[i]);
    if (i + 1 < points.length) {
      for (let t = 0.1; t < 1; t += 0.1) {
        samples.push([points[i][0] + t * (points[i + 1][0] - points[i][0]), points[i][1] + t * (points[i + 1][1] - points[i][1])]);
      }
    }
  }
  const candidates: [number, number][] = [[xr, yt], [xl, yt], [xr, yb], [xl, yb]];
  const cover = ([x, y]: [number, number]) => samples.filter(([sx, sy]) => sx >= x - 4 && sx <= x + w + 4 && sy >= y - 4 && sy <= y + h + 4).length;
  let [x, topY] = candidates[0];
  let best = cover(candidates[0]);
  for (const c of candidates.slice(1)) {
    const n = cover(c);
    if (n < best) { best = n; [x, topY] = c; }
  }
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.strokeStyle = '#cccccc';
  ctx.lineWidth = 1;
  ctx.fillRect(x, topY, w, h);
  ctx.strokeRect(x + 0.5, topY + 0.5, w, h);
  series.forEach((s, k) => {
    const y = topY + 4 + rowH * k + rowH / 2;
    ctx.strokeStyle = COLORS[k % COLORS.length];
    ctx.lineWidth = 2;
    line(ctx, x + 12, y, x + 36, y);
    ctx.fillStyle = '#000000';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(s.label, x + 44, y);
  });
}

/**
 * One grayscale image of {@link imageGrid}: `height × width` values in row-major order.
 * `Uint8Array` pixels are shown as they are (0 black, 255 white); float pixels are min-max
 * normalised per image, as matplotlib's `imshow` does (so normalised MNIST tensors look right).
 *
 * @example
 * ```ts
 * const img: GrayImage = { data: imgs.select(0, i).toArray() as Float32Array, height: 28, width: 28 };
 * ```
 */
export interface GrayImage {
  data: Float32Array | Float64Array | Uint8Array;
  height: number;
  width: number;
}

/**
 * Options of {@link imageGrid}.
 *
 * @example
 * ```ts
 * const opts: ImageGridOptions = { rows: 5, cols: 6, scale: 4 };
 * ```
 */
export interface ImageGridOptions {
  /** Rows of the grid; default 5 (the seed's `plt.subplot(5, 6, i + 1)`). */
  rows?: number;
  /** Columns of the grid; default 6. */
  cols?: number;
  /** Each image pixel becomes a `scale × scale` block (nearest neighbour, like `interpolation='none'`); default 4. */
  scale?: number;
  /** Text above the whole grid (matplotlib's `suptitle`); default none. */
  title?: string;
}

const IMAGE_GRID_KEYS = optionKeys<ImageGridOptions>({ rows: true, cols: true, scale: true, title: true });

/**
 * Layout constants of {@link imageGrid}, in pixels; exported so tests and callers can predict the size
 * and where each cell lies.
 *
 * @example
 * ```ts
 * const { margin, gap, titleHeight } = IMAGE_GRID_LAYOUT;
 * const cellX = (col: number) => margin + col * (28 * 4 + gap); // left edge of column `col` at scale 4
 * const imageTop = margin + titleHeight;                          // top of the first row's images
 * ```
 */
export const IMAGE_GRID_LAYOUT = {
  /** Blank border around the grid. */
  margin: 16,
  /** Horizontal and vertical space between cells. */
  gap: 14,
  /** Height of the title band above each image. */
  titleHeight: 26,
  /** Height of the band for `options.title`, when given. */
  suptitleHeight: 36,
} as const;

/**
 * The PNG size {@link imageGrid} produces for cells of `height × width` images.
 *
 * @example
 * ```ts
 * imageGridSize(28, 28, { rows: 5, cols: 6, scale: 4 }); // { width: 774, height: 778 }
 * ```
 */
export function imageGridSize(height: number, width: number, options: ImageGridOptions = {}): { width: number; height: number } {
  checkOptions(options, 'imageGridSize options', IMAGE_GRID_KEYS);
  const rows = options.rows ?? 5;
  const cols = options.cols ?? 6;
  const scale = options.scale ?? 4;
  const L = IMAGE_GRID_LAYOUT;
  return {
    width: 2 * L.margin + cols * width * scale + (cols - 1) * L.gap,
    height: 2 * L.margin + (options.title ? L.suptitleHeight : 0) + rows * (L.titleHeight + height * scale) + (rows - 1) * L.gap,
  };
}

/**
 * Draws grayscale images in a `rows × cols` grid, each with its title above, to a PNG file: the
 * seed's `draw()` (`plt.subplot(5, 6, i + 1)`, `plt.imshow(img, cmap='gray', interpolation='none')`,
 * `plt.title('p: 7')`, no ticks), written to `path` instead of shown. Images fill the grid row by row;
 * fewer images than cells leave the rest blank. All images must share one size. Parent folders are
 * created. Returns `path`. The PNG's size is {@link imageGridSize}.
 *
 * @throws TypeError if an image's `data` is not a `Float32Array`, `Float64Array` or `Uint8Array`, or a title is not a string.
 * @throws RangeError if there are more images than cells, `titles` has another length, sizes disagree
 *   or `data.length` is not `height × width`.
 *
 * @example
 * ```ts
 * import { imageGrid } from 'nodetorch/utils/plot';
 * const images = [], titles = [];
 * for (let i = 0; i < 30; i++) {
 *   images.push({ data: imgs.select(0, i).toArray() as Float32Array, height: 28, width: 28 });
 *   titles.push(`p: ${pred[i]}`);
 * }
 * console.log(`predictions drawn in ${imageGrid(images, titles, 'models/draw.png', { rows: 5, cols: 6 })}`);
 * ```
 */
export function imageGrid(images: GrayImage[], titles: string[], path: string, options: ImageGridOptions = {}): string {
  checkPath(path);
  if (!Array.isArray(images)) throw typeError('an array of images', 'images', images);
  if (!Array.isArray(titles)) throw typeError('an array of strings', 'titles', titles);
  checkOptions(options, 'imageGrid options', IMAGE_GRID_KEYS);
  const rows = checkPositiveInt(options.rows ?? 5, 'options.rows');
  const cols = checkPositiveInt(options.cols ?? 6, 'options.cols');
  const scale = checkPositiveInt(options.scale ?? 4, 'options.scale');
  const title = checkOptionalString(options.title, 'options.title');
  if (images.length === 0) throw rangeError('at least one image', 'images', images);
  if (images.length > rows * cols) throw rangeError(`at most ${rows * cols} images (rows × cols)`, 'images.length', images.length);
  if (titles.length !== images.length) throw rangeError(`${images.length} titles, one per image`, 'titles.length', titles.length);
  titles.forEach((t, i) => { if (typeof t !== 'string') throw typeError('a string', `titles[${i}]`, t); });
  images.forEach((img, i) => {
    if (img === null || typeof img !== 'object') throw typeError('an object { data, height, width }', `images[${i}]`, img);
    checkPositiveInt(img.height, `images[${i}].height`);
    checkPositiveInt(img.width, `images[${i}].width`);
    const d = img.data;
    if (!(d instanceof Float32Array || d instanceof Float64Array || d instanceof Uint8Array)) {
      throw typeError('a Float32Array, Float64Array or Uint8Array', `images[${i}].data`, d);
    }
    if (d.length !== img.height * img.width) {
      throw rangeError(`${img.height * img.width} values (height × width)`, `images[${i}].data.length`, d.length);
    }
    if (img.height !== images[0].height || img.width !== images[0].width) {
      throw rangeError(`${images[0].height}×${images[0].width} like images[0]`, `images[${i}] size`, `${img.height}×${img.width}`);
    }
  });

  const { height: h, width: w } = images[0];
  const size = imageGridSize(h, w, { rows, cols, scale, title });
  const L = IMAGE_GRID_LAYOUT;
  const canvas = skia().createCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size.width, size.height);
  const cellW = w * scale;
  const cellH = h * scale;
  const top0 = L.margin + (title ? L.suptitleHeight : 0);
  if (title) {
    ctx.fillStyle = '#000000';
    ctx.font = font(20, 'bold');
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(title, size.width / 2, L.margin + L.suptitleHeight / 2 - 4);
  }
  // Fit titles to the cell: shrink the font for long ones, then cut them, rather than overlap neighbours.
  const titleSize = 17;
  images.forEach((img, i) => {
    const r = Math.floor(i / cols);
    const c = i % cols;
    const x = L.margin + c * (cellW + L.gap);
    const y = top0 + r * (L.titleHeight + cellH + L.gap);
    ctx.putImageData(grayToImageData(ctx, img, scale), x, y + L.titleHeight);
    ctx.strokeStyle = '#000000';
    ctx.lineWidth = 1;
    ctx.strokeRect(x - 0.5, y + L.titleHeight - 0.5, cellW + 1, cellH + 1);
    ctx.fillStyle = '#000000';
    const room = cellW + L.gap - 4;
    let sizePx = titleSize;
    ctx.font = font(sizePx);
    while (sizePx > 11 && ctx.measureText(titles[i]).width > room) ctx.font = font(--sizePx);
    let text = titles[i];
    while (text.length > 1 && ctx.measureText(text).width > room) text = text.slice(0, -2) + '…';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(text, x + cellW / 2, y + L.titleHeight - 7);
  });
  return writePng(canvas, path);
}

function grayToImageData(ctx: SKRSContext2D, img: GrayImage, scale: number) {
  const { data, height: h, width: w } = img;
  let lo = 0;
  let span = 255;
  if (!(data instanceof Uint8Array)) {
    lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    }
    span = hi > lo ? hi - lo : 1; // a constant image shows as black, as imshow does
    if (!Number.isFinite(lo)) { lo = 0; span = 1; }
  }
  const out = ctx.createImageData(w * scale, h * scale);
  const px = out.data;
  const rowBytes = w * scale * 4;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const v = data[r * w + c];
      const g = Number.isFinite(v) ? Math.round(Math.min(1, Math.max(0, (v - lo) / span)) * 255) : 0;
      for (let dy = 0; dy < scale; dy++) {
        let o = (r * scale + dy) * rowBytes + c * scale * 4;
        for (let dx = 0; dx < scale; dx++, o += 4) {
          px[o] = g; px[o + 1] = g; px[o + 2] = g; px[o + 3] = 255;
        }
      }
    }
  }
  return out;
}
