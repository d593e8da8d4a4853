/**
 * Image files to uint8 tensors `[3, H, W]`, RGB, as torchvision's default loader makes them
 * (`PIL.Image.open(path).convert('RGB')`: grey replicated, alpha dropped, palettes expanded),
 * decoded by `sharp` (libvips) off the main thread. PNG, JPEG, WebP, TIFF and GIF.
 *
 * Two ways in:
 * - {@link readImage}: a Promise, decoded on libuv's thread pool.
 * - {@link readImageSync}: for synchronous code such as a `for…of` loop over a DataLoader. The
 *   decode still runs off the main thread, in a worker thread that this module starts on first
 *   use; the caller blocks (`Atomics.wait`) until the worker posts the pixels back.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { TorchError, typeError } from '../../errors';
import type { Tensor } from '../../tensor';
import { fromArray } from '../../factories';

interface Decoded {
  id?: number;
  data?: Uint8Array;
  width?: number;
  height?: number;
  error?: string;
}

// Kept as a string so the worker runs plain JavaScript whether nodetorch runs compiled or from
// TypeScript sources; it decodes as decodeAsync below does.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const sharp = require(workerData.sharp);
const signal = new Int32Array(workerData.signal);
workerData.port.on('message', async ({ id, path }) => {
  let reply;
  try {
    const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error('decoded ' + info.channels + ' channels instead of 3');
    reply = { id, data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
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

function toTensor(path: string, d: Decoded): Tensor {
  if (d.error !== undefined || d.data === undefined) throw fail(path, d.error ?? 'no pixels');
  return fromArray(d.data, [d.height!, d.width!, 3]).permute(2, 0, 1).contiguous();
}

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) throw typeError('a file path', 'path', path);
  return path;
}

/**
 * Decodes an image file to a uint8 RGB tensor `[3, H, W]` on libuv's thread pool.
 * @example
 * ```ts
 * const img = await readImage('data/cats/001.jpg'); // uint8 [3, H, W]
 * ```
 */
export async function readImage(path: string): Promise<Tensor> {
  checkPath(path);
  const sharp = loadSharp().fn;
  let decoded: Decoded;
  try {
    const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    decoded = info.channels === 3
      ? { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }
      : { error: `decoded ${info.channels} channels instead of 3` };
  } catch (e) {
    decoded = { error: (e as Error).message };
  }
  return toTensor(path, decoded);
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

  decode(path: string): Decoded {
    const id = this.nextId++;
    this.port.postMessage({ id, path });
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
 * Decodes an image file to a uint8 RGB tensor `[3, H, W]`, synchronously: the decode runs in a
 * worker thread (started on first use) while the caller waits. This is what `ImageFolder.get()`
 * uses, so that a `for…of` loop works; `for await` over a DataLoader decodes ahead with
 * {@link readImage} instead.
 * @example
 * ```ts
 * const img = readImageSync('data/cats/001.png');
 * img.shape; // [3, H, W]
 * ```
 */
export function readImageSync(path: string): Tensor {
  checkPath(path);
  syncDecoder ??= new SyncDecoder();
  return toTensor(path, syncDecoder.decode(path));
}
