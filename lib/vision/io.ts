/**
 * `torchvision.io`: image files to uint8 tensors `[C, H, W]`, decoded by `sharp` (libvips) off
 * the main thread. PNG, JPEG, WebP, TIFF and GIF. `mode` is torchvision's `ImageReadMode`:
 * `'UNCHANGED'` (the file's channels; palette images come expanded to RGB(A)), `'GRAY'`, `'GRAY_ALPHA'`, `'RGB'` (grey replicated, alpha
 * dropped, palettes expanded, as the datasets' default loader's `convert('RGB')`), `'RGB_ALPHA'`.
 * Colour to grey weighs R, G and B by libpng's default (Rec. 709) weights; torchvision's decoders
 * convert to grey their own ways, so GRAY and GRAY_ALPHA values can differ from its `read_image`.
 *
 * Two ways in:
 * - {@link readImage}: synchronous, as Python's `read_image`, for a `for…of` loop. The decode
 *   still runs off the main thread, in a worker thread that this module starts on first use;
 *   the caller blocks (`Atomics.wait`) until the worker posts the pixels back.
 * - {@link readImageAsync}: a Promise, decoded on libuv's thread pool.
 * @module
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { TorchError, rangeError, typeError } from '../errors';
import type { Tensor } from '../tensor';
import { fromArray } from '../factories';
import { cat } from '../generated/ops';

/** torchvision's `ImageReadMode`: which channels `readImage` returns. */
export type ImageReadMode = 'UNCHANGED' | 'GRAY' | 'GRAY_ALPHA' | 'RGB' | 'RGB_ALPHA';
const MODES: readonly ImageReadMode[] = ['UNCHANGED', 'GRAY', 'GRAY_ALPHA', 'RGB', 'RGB_ALPHA'];

interface Decoded {
  id?: number;
  data?: Uint8Array;
  width?: number;
  height?: number;
  channels?: number;
  error?: string;
}

// sharp's steps for each mode; written so that its source also runs, as is, in the worker.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function pipeline(sharp: any, path: string, mode: string): Promise<any> {
  const image = sharp(path);
  switch (mode) {
    case 'GRAY': return image.removeAlpha().toColourspace('srgb');
    case 'GRAY_ALPHA': return image.ensureAlpha().toColourspace('srgb');
    case 'RGB': return image.removeAlpha().toColourspace('srgb');
    case 'RGB_ALPHA': return image.ensureAlpha().toColourspace('srgb');
    default: {
      // The file's own channels: grey (with its alpha, if any) stays grey.
      const { channels } = await sharp(path).metadata();
      return image.toColourspace(channels <= 2 ? 'b-w' : 'srgb');
    }
  }
}

// Kept as a string so the worker runs plain JavaScript whether nodetorch runs compiled or from
// TypeScript sources; it decodes as readImageAsync below does.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const sharp = require(workerData.sharp);
const signal = new Int32Array(workerData.signal);
${pipeline.toString()}
workerData.port.on('message', async ({ id, path, mode }) => {
  let reply;
  try {
    const { data, info } = await (await pipeline(sharp, path, mode)).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    reply = { id, data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
  } catch (e) {
    reply = { id, error: String((e && e.message) || e) };
  }
  workerData.port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

/** How long a synchronous decode waits for the worker before giving up. */
const SYNC_TIMEOUT_MS = 120_000;

/** sharp's entry point, untyped here so that nodetorch type-checks without sharp installed. */
type Sharp = (path: string) => any;

function requireFrom(): NodeRequire {
  return typeof require === 'function' ? require : createRequire(join(process.cwd(), 'noop.js'));
}

let sharpModule: { fn: Sharp; path: string } | null = null;

/** Loads `sharp` on the main thread (which its docs require before any worker loads it). */
function loadSharp(): { fn: Sharp; path: string } {
  if (sharpModule !== null) return sharpModule;
  const req = requireFrom();
  try {
    const path = req.resolve('sharp');
    sharpModule = { fn: req(path) as Sharp, path };
  } catch (e) {
    throw new TorchError(`Decoding images needs the npm package 'sharp' (npm install sharp): ${(e as Error).message}`, 'SHARP_UNAVAILABLE');
  }
  return sharpModule;
}

function fail(path: string, message: string): TorchError {
  return new TorchError(`Cannot decode image ${path}: ${message}`, 'IMAGE_DECODE');
}

// What sharp hands back per mode: GRAY and GRAY_ALPHA come as RGB and RGBA and are reduced here.
const CHANNELS: Record<ImageReadMode, number | null> = { UNCHANGED: null, GRAY: 3, GRAY_ALPHA: 4, RGB: 3, RGB_ALPHA: 4 };

// RGB → grey with libpng's default weights on the encoded values:
// (6968 R + 23434 G + 2366 B + 16384) >> 15. Grey stays grey exactly.
function luma(rgb: Tensor): Tensor {
  const w = fromArray(new Int32Array([6968, 23434, 2366]), [3, 1, 1]);
  return rgb.int().mul(w).sum(0, true).add(16384).bitwiseRightShift(15).to('uint8');
}

function toTensor(path: string, mode: ImageReadMode, d: Decoded): Tensor {
  if (d.error !== undefined || d.data === undefined) throw fail(path, d.error ?? 'no pixels');
  const want = CHANNELS[mode];
  if (want !== null && d.channels !== want) throw fail(path, `decoded ${d.channels} channels instead of ${want}`);
  const chw = fromArray(d.data, [d.height!, d.width!, d.channels!]).permute(2, 0, 1).contiguous();
  if (mode === 'GRAY') return luma(chw);
  if (mode === 'GRAY_ALPHA') return cat([luma(chw.narrow(0, 0, 3)), chw.narrow(0, 3, 1)], 0);
  return chw;
}

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) throw typeError('a file path', 'path', path);
  return path;
}

function checkMode(mode: unknown): ImageReadMode {
  if (typeof mode !== 'string') throw typeError('an ImageReadMode string', 'mode', mode);
  if (!MODES.includes(mode as ImageReadMode)) throw rangeError(`one of ${MODES.map((m) => `'${m}'`).join(', ')}`, 'mode', mode);
  return mode as ImageReadMode;
}

/**
 * Decodes an image file to a uint8 tensor `[C, H, W]` on libuv's thread pool.
 * @example
 * ```ts
 * const img = await vision.io.readImageAsync('data/cats/001.jpg', 'RGB'); // uint8 [3, H, W]
 * ```
 */
export async function readImageAsync(path: string, mode: ImageReadMode = 'UNCHANGED'): Promise<Tensor> {
  checkPath(path);
  checkMode(mode);
  const sharp = loadSharp().fn;
  let decoded: Decoded;
  try {
    const { data, info } = await (await pipeline(sharp, path, mode)).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    decoded = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
  } catch (e) {
    decoded = { error: (e as Error).message };
  }
  return toTensor(path, mode, decoded);
}

class SyncDecoder {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly replies = new Map<number, Decoded>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor() {
    const { path } = loadSharp();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sharp: path, signal: this.signal.buffer, port: port2 },
      transferList: [port2],
    });
    this.worker.on('error', (e) => { this.failure = e; });
    this.worker.unref();
    this.port.unref();
  }

  decode(path: string, mode: ImageReadMode): Decoded {
    const id = this.nextId++;
    this.port.postMessage({ id, path, mode });
    const deadline = Date.now() + SYNC_TIMEOUT_MS;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
        const reply = m.message as Decoded;
        this.replies.set(reply.id!, reply);
      }
      const reply = this.replies.get(id);
      if (reply !== undefined) {
        this.replies.delete(id);
        return reply;
      }
      if (this.failure !== null) throw fail(path, `the decoding worker failed: ${this.failure.message}`);
      const left = deadline - Date.now();
      if (left <= 0) throw fail(path, `the decoding worker gave no answer within ${SYNC_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.signal, 0, seen, left);
    }
  }
}

let syncDecoder: SyncDecoder | null = null;

/**
 * torchvision's `read_image`: decodes an image file to a uint8 tensor `[C, H, W]`,
 * synchronously; the decode runs in a worker thread (started on first use) while the caller
 * waits. `ImageFolder.get()` reads with it (mode `'RGB'`), so a `for…of` loop works; `for await`
 * over a DataLoader decodes ahead with {@link readImageAsync} instead.
 * @example
 * ```ts
 * const img = vision.io.readImage('data/cats/001.png');         // [C, H, W], the file's channels
 * const rgb = vision.io.readImage('data/cats/001.png', 'RGB');  // [3, H, W]
 * ```
 */
export function readImage(path: string, mode: ImageReadMode = 'UNCHANGED'): Tensor {
  checkPath(path);
  checkMode(mode);
  syncDecoder ??= new SyncDecoder();
  return toTensor(path, mode, syncDecoder.decode(path, mode));
}
