import { describe, expect, test, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { plotCurve, imageGrid, imageGridSize, IMAGE_GRID_LAYOUT, type GrayImage } from '../lib/utils/plot';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'nodetorch-plot-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** Width and height from the PNG signature and IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  expect(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(b.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Decodes a PNG to RGBA pixels. */
async function pixels(path: string) {
  const img = await loadImage(readFileSync(path));
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, img.width, img.height);
  return {
    width: img.width,
    height: img.height,
    at: (x: number, y: number) => Array.from(data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4)),
    count: (pred: (r: number, g: number, b: number) => boolean) => {
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (pred(data[i], data[i + 1], data[i + 2])) n++;
      return n;
    },
  };
}

describe('plotCurve', () => {
  test('writes an 800×500 PNG that decodes, with the curve in matplotlib blue and dark text', async () => {
    const path = join(dir, 'nested', 'folder', 'acc.png');
    const out = plotCurve([0.889, 0.963, 0.972, 0.977, 0.98, 0.982], path, { title: 'training accuracy (SGD)', xlabel: 'epoch', ylabel: 'accuracy' });
    expect(out).toBe(path);
    expect(pngSize(path)).toEqual({ width: 800, height: 500 });
    const p = await pixels(path);
    expect([p.width, p.height]).toEqual([800, 500]);
    expect(p.at(0, 0)).toEqual([255, 255, 255, 255]);
    // the curve: a few hundred pixels close to #1f77b4
    expect(p.count((r, g, b) => Math.abs(r - 0x1f) < 12 && Math.abs(g - 0x77) < 12 && Math.abs(b - 0xb4) < 12)).toBeGreaterThan(300);
    // frame, ticks, tick labels, title: many near-black pixels
    expect(p.count((r, g, b) => r < 60 && g < 60 && b < 60)).toBeGreaterThan(2000);
  });

  test('a custom size, several labelled series, one point, a long noisy series', async () => {
    const a = plotCurve([{ label: 'train', values: [0.9, 0.95, 0.97] }, { label: 'test', values: [0.93, 0.96, 0.965] }], join(dir, 'two.png'), { width: 640, height: 360 });
    expect(pngSize(a)).toEqual({ width: 640, height: 360 });
    const p = await pixels(a);
    expect(p.count((r, g, b) => Math.abs(r - 0xff) < 12 && Math.abs(g - 0x7f) < 12 && Math.abs(b - 0x0e) < 12)).toBeGreaterThan(100); // orange
    expect(pngSize(plotCurve([0.5], join(dir, 'one.png')))).toEqual({ width: 800, height: 500 });
    const noisy = Array.from({ length: 1000 }, (_, i) => 2.3 * Math.exp(-i / 200) + 0.1 * Math.sin(i));
    expect(pngSize(plotCurve(noisy, join(dir, 'loss.png'), { x: noisy.map((_, i) => i / 100) }))).toEqual({ width: 800, height: 500 });
  });

  test('bad arguments throw TypeError / RangeError before writing', () => {
    const p = join(dir, 'never.png');
    expect(() => plotCurve('0.9' as unknown as number[], p)).toThrow(TypeError);
    expect(() => plotCurve([], p)).toThrow(RangeError);
    expect(() => plotCurve([0.1, NaN], p)).toThrow('Expected a finite number for values[1] but received NaN');
    expect(() => plotCurve([0.1, '0.2' as unknown as number], p)).toThrow(TypeError);
    expect(() => plotCurve([0.1], 42 as unknown as string)).toThrow('Expected a non-empty string for path but received 42');
    expect(() => plotCurve([0.1], p, { width: 10 })).toThrow(RangeError);
    expect(() => plotCurve([0.1], p, { width: 800.5 })).toThrow(RangeError);
    expect(() => plotCurve([0.1], p, { title: 3 as unknown as string })).toThrow(TypeError);
    expect(() => plotCurve([0.1, 0.2], p, { x: [0] })).toThrow(RangeError);
    expect(existsSync(p)).toBe(false);
  });
});

function digitLike(h: number, w: number, seed: number): Uint8Array {
  const d = new Uint8Array(h * w);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) if ((r * 3 + c * seed) % 11 < 3) d[r * w + c] = 255;
  return d;
}

describe('imageGrid', () => {
  test('a 5×6 grid of 28×28 images at 4× has the documented size and decodes', async () => {
    const images: GrayImage[] = Array.from({ length: 30 }, (_, i) => ({ data: digitLike(28, 28, i + 1), height: 28, width: 28 }));
    const titles = images.map((_, i) => `p: ${i % 10}`);
    const path = join(dir, 'grid', 'draw.png');
    expect(imageGrid(images, titles, path, { rows: 5, cols: 6 })).toBe(path);
    const size = imageGridSize(28, 28, { rows: 5, cols: 6, scale: 4 });
    const L = IMAGE_GRID_LAYOUT;
    expect(size).toEqual({ width: 2 * L.margin + 6 * 112 + 5 * L.gap, height: 2 * L.margin + 5 * (L.titleHeight + 112) + 4 * L.gap });
    expect(pngSize(path)).toEqual(size);
    const p = await pixels(path);
    expect([p.width, p.height]).toEqual([size.width, size.height]);
  });

  test('pixels: uint8 as is, each 28×28 pixel a 4×4 block; float min-max normalised per image', async () => {
    const h = 2, w = 3;
    const uint = { data: Uint8Array.from([0, 128, 255, 255, 128, 0]), height: h, width: w };
    // the same picture as floats on another scale: normalises to the same grays
    const f = Float32Array.from([-1, 0.003921568, 1, 1, 0.003921568, -1]);
    const flt = { data: f, height: h, width: w };
    const constant = { data: new Float32Array(6).fill(0.7), height: h, width: w };
    const path = imageGrid([uint, flt, constant], ['p: 1', 'p: 2', 'p: 3'], join(dir, 'px.png'), { rows: 1, cols: 3, scale: 10 });
    const p = await pixels(path);
    const L = IMAGE_GRID_LAYOUT;
    const origin = (cell: number) => [L.margin + cell * (w * 10 + L.gap), L.margin + L.titleHeight] as const;
    for (const cell of [0, 1]) {
      const [x, y] = origin(cell);
      expect(p.at(x + 5, y + 5)).toEqual([0, 0, 0, 255]);
      expect(p.at(x + 25, y + 5)).toEqual([255, 255, 255, 255]);
      expect(p.at(x + 0, y + 19)).toEqual([255, 255, 255, 255]);
      expect(p.at(x + 9, y + 10)).toEqual([255, 255, 255, 255]);
      const mid = p.at(x + 15, y + 5)[0];
      expect(Math.abs(mid - 128)).toBeLessThanOrEqual(1);
    }
    const [x2, y2] = origin(2);
    expect(p.at(x2 + 15, y2 + 10)).toEqual([0, 0, 0, 255]);
    // the title band above each image has dark text pixels
    let dark = 0;
    for (let y = L.margin; y < L.margin + L.titleHeight; y++) for (let x = L.margin; x < L.margin + w * 10; x++) if (p.at(x, y)[0] < 100) dark++;
    expect(dark).toBeGreaterThan(10);
  });

  test('fewer images than cells, a suptitle, long titles, non-square images', () => {
    const images = [0, 1, 2].map((s) => ({ data: digitLike(10, 20, s + 2), height: 10, width: 20 }));
    const path = imageGrid(images, ['p: 7', 'a much longer title than fits', ''], join(dir, 'misc.png'), { rows: 2, cols: 2, scale: 3, title: 'predictions' });
    expect(pngSize(path)).toEqual(imageGridSize(10, 20, { rows: 2, cols: 2, scale: 3, title: 'predictions' }));
    expect(imageGridSize(10, 20, { rows: 2, cols: 2, scale: 3, title: 'x' }).height)
      .toBe(imageGridSize(10, 20, { rows: 2, cols: 2, scale: 3 }).height + IMAGE_GRID_LAYOUT.suptitleHeight);
  });

  test('bad arguments throw TypeError / RangeError', () => {
    const img = { data: new Uint8Array(4), height: 2, width: 2 };
    const p = join(dir, 'never.png');
    expect(() => imageGrid([img, img], ['a'], p)).toThrow('Expected 2 titles, one per image for titles.length but received 1');
    expect(() => imageGrid(Array(31).fill(img), Array(31).fill('t'), p)).toThrow(RangeError);
    expect(() => imageGrid([], [], p)).toThrow(RangeError);
    expect(() => imageGrid([{ data: [0, 0, 0, 0] as unknown as Uint8Array, height: 2, width: 2 }], ['a'], p)).toThrow(TypeError);
    expect(() => imageGrid([{ data: new Uint8Array(5), height: 2, width: 2 }], ['a'], p)).toThrow('Expected 4 values (height × width) for images[0].data.length but received 5');
    expect(() => imageGrid([img, { data: new Uint8Array(6), height: 2, width: 3 }], ['a', 'b'], p)).toThrow(RangeError);
    expect(() => imageGrid([img], [7 as unknown as string], p)).toThrow(TypeError);
    expect(() => imageGrid([img], ['a'], p, { rows: 0 })).toThrow(RangeError);
    expect(() => imageGrid([img], ['a'], p, { scale: 2.5 })).toThrow(RangeError);
    expect(() => imageGrid([img], ['a'], p, { cols: '6' as unknown as number })).toThrow(TypeError);
    expect(() => imageGrid([{ ...img, height: -2 }], ['a'], p)).toThrow(RangeError);
    expect(existsSync(p)).toBe(false);
  });
});
