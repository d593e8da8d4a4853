/**
 * `torch.load` / `torch.save` for `.pth` files, interoperable with Python PyTorch both ways.
 *
 * Reading is safe by construction: the pickle is run by a data-only unpickler with an allow-list
 * like Python's `weights_only=True`, every size and offset is checked against the file, and
 * tensors are made from the checked bytes. Writing produces the zip format of `torch.save`, which
 * Python's `torch.load(path)` and `torch.load(path, weights_only=True)` read (1.13 and 2.x).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TorchError, typeError } from '../errors';
import { Tensor } from '../tensor';
import { frombuffer, isTensor } from '../factories';
import { DecodedPth, decodePth, encodePth, toJS } from './container';
import { ITEMSIZE } from './dtypes';
import { checkBool, checkOptions } from '../validate';
import { TensorRef } from './unpickler';
import { writeAtomic } from './write_file';

export { writeAtomic };

/** Options for {@link load}. */
export interface LoadOptions {
  /**
   * Device to move every tensor to (`'cpu'`, `'cuda'`, `'cuda:1'`, …). The location recorded in
   * the file is ignored: tensors saved on `cuda:0` load on a CPU-only machine.
   * Default: tensors stay on the CPU.
   */
  mapLocation?: string;
  /**
   * Accepted for Python's `torch.load(f, weights_only=True)`. nodetorch's loader only ever reads
   * data (tensors, numbers, strings, containers) and refuses anything that would run code, so
   * both values load the same way.
   */
  weightsOnly?: boolean;
}

/** @internal The bytes of a path, Buffer or Uint8Array; an unreadable path is a TorchError (`ENOENT` or `PTH_IO`). */
export function readInput(pathOrBuffer: string | Buffer | Uint8Array): Uint8Array {
  if (typeof pathOrBuffer === 'string') {
    try {
      return fs.readFileSync(pathOrBuffer);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new TorchError(`Cannot read ${JSON.stringify(pathOrBuffer)}: ${err.message}`, err.code === 'ENOENT' ? 'ENOENT' : 'PTH_IO');
    }
  }
  if (pathOrBuffer instanceof Uint8Array) return pathOrBuffer;
  throw typeError('a path string, Buffer or Uint8Array', 'pathOrBuffer', pathOrBuffer);
}

/**
 * Makes real tensors: one base tensor per storage (copied from the checked bytes) and a strided
 * view of it per tensor, so tensors that shared a storage in Python share it here too.
 */
function materialize(decoded: DecodedPth, mapLocation: string | undefined): unknown {
  const bases = new Map<string, Tensor>();
  const made: Tensor[] = [];
  const make = (ref: TensorRef, bytes: Uint8Array): Tensor => {
    const baseKey = `${ref.storage.key}\0${ref.dtype}`;
    let base = bases.get(baseKey);
    if (base === undefined) {
      // An untyped storage read as another dtype: use whole elements only.
      const usable = bytes.length - (bytes.length % ITEMSIZE[ref.dtype]);
      base = frombuffer(bytes.subarray(0, usable), ref.dtype);
      bases.set(baseKey, base);
    }
    let t = base.asStrided(ref.size.slice(), ref.stride.slice(), ref.storageOffset);
    if (mapLocation !== undefined) t = t.to(mapLocation);
    if (ref.requiresGrad) t = t.detach().requiresGrad_(true);
    made.push(t);
    return t;
  };
  return toJS(decoded, make);
}

/**
 * Loads a file written by Python's `torch.save` (zip format, or the legacy format of torch < 1.6)
 * or by {@link save}. Returns the saved object: a state dict comes back as a plain object of
 * tensors in the file's key order; dicts with non-string keys (an optimizer's `state`) as `Map`s;
 * lists and tuples as arrays; ints as numbers (bigint beyond ±2^53).
 *
 * Refuses, with a {@link TorchError} and without running anything: globals outside the allow-list
 * (`PTH_UNSAFE`), TorchScript archives (`PTH_TORCHSCRIPT`: read those with `torch.jit.load`),
 * damaged or truncated files, overlapping zip records, storage records no tensor uses, records
 * whose size does not match their tensors, views past their storage, and pickles that would need
 * more memory, objects or nesting than their size allows (`PTH_INVALID`). Time and memory are
 * bounded by the file's size (about 16 bytes of memory per byte of pickle, plus 32 MiB, besides
 * the tensors themselves), whatever the file holds.
 *
 * @example
 * ```ts
 * const sd = torch.load('models/SGD_acc_0.99.pth');          // { 'conv1.weight': Tensor, … }
 * model.loadStateDict(sd);
 * const onGpu = torch.load(buffer, { mapLocation: 'cuda' });
 * ```
 */
export function load(pathOrBuffer: string | Buffer | Uint8Array, options: LoadOptions = {}): any {
  const { mapLocation, weightsOnly } = checkOptions(options, 'load() options', ['mapLocation', 'weightsOnly']);
  if (mapLocation !== undefined && typeof mapLocation !== 'string') throw typeError('a device string', 'options.mapLocation', mapLocation);
  if (weightsOnly !== undefined) checkBool(weightsOnly, 'weightsOnly');
  const buf = readInput(pathOrBuffer);
  return materialize(decodePth(buf), mapLocation);
}

function forSave(v: object) {
  if (!isTensor(v)) return undefined;
  const t = v as Tensor;
  return {
    dtype: t.dtype,
    shape: t.shape.slice(),
    requiresGrad: t.requiresGrad,
    bytes: () => t.toBuffer(),
  };
}

/**
 * Serializes `obj` to the bytes of a zip `.pth` file (what {@link save} writes).
 *
 * @example
 * ```ts
 * const bytes = torch.saveToBuffer(model.stateDict());
 * const again = torch.load(bytes);
 * ```
 */
export function saveToBuffer(obj: unknown, stem = 'archive'): Buffer {
  return Buffer.concat(encodePth(obj, stem, forSave));
}

/**
 * Saves `obj` (a state dict, a checkpoint such as `{ model, optimizer, epoch }`, a tensor, or plain
 * data) as a zip `.pth` file that Python reads with `torch.load(path)` and
 * `torch.load(path, weights_only=True)`. Plain objects become dicts (an object of tensors becomes
 * an `OrderedDict`, like `state_dict()`), `Map`s dicts with their keys, arrays lists, integers
 * `int`, other numbers `float`. Every tensor is written contiguous, from CPU, location `cpu`.
 *
 * The file is written as Python's `torch.save` writes it, but atomically: to a temporary file in
 * the same directory, then renamed over `file` (./write_file.ts). A symlink is followed and its
 * target written, an existing file keeps its mode, a read-only file is refused with `EACCES` as
 * Python's `open` refuses it (root may write it, as in Python), and a destination that is not a
 * regular file (a directory, a FIFO, a device) is refused, never replaced. Temporary files a
 * killed save left behind are removed by the next save of the same file. I/O failures are
 * `PTH_IO` {@link TorchError}s naming the reason.
 *
 * One limit is PyTorch 1.13's, not this writer's: its `weights_only=True` loader has no opcode for
 * floats, so on 1.13 a file holding JS non-integer numbers (an optimizer's `lr`) loads with a plain
 * `torch.load` only, exactly like a checkpoint Python itself saved. State dicts load either way.
 *
 * @example
 * ```ts
 * torch.save(model.stateDict(), 'models/SGD_acc_0.99.pth');
 * torch.save({ model: model.stateDict(), optimizer: optimizer.stateDict(), epoch: 3 }, 'ckpt.pth');
 * ```
 */
export function save(obj: unknown, file: string): void {
  if (typeof file !== 'string' || file.length === 0) throw typeError('a file path', 'path', file);
  const stem = path.basename(file).replace(/\.[^.]*$/, '') || 'archive';
  writeAtomic(file, encodePth(obj, stem, forSave), 'PTH_IO');
}
