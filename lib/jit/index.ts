/**
 * `torch.jit`: models from Python as TorchScript. {@link load} reads what Python's
 * `torch.jit.save` writes (traced or scripted, control flow included) into a {@link ScriptModule},
 * {@link save} writes what Python's `torch.jit.load` reads, and {@link runAsync} /
 * `module.forwardAsync` run inference on the thread pool, off the event loop.
 *
 * @example
 * ```ts
 * const model = torch.jit.load('model.pt').eval();
 * const logits = await model.forwardAsync(x);   // the event loop keeps running meanwhile
 * ```
 * @module
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { native as N } from '../binding';
import { TorchError, describePath, fsErrorReason, typeError } from '../errors';
import { readInput, writeAtomic } from '../serialization/pth';
import { unpickle, type StorageRef } from '../serialization/unpickler';
import { crc32, isZip, readZip, type ZipArchive } from '../serialization/zip';
import { checkDevice, checkOptions } from '../validate';
import { ScriptModule, runMethodAsync } from './script-module';

export { ScriptModule } from './script-module';

/** Options for {@link load}. */
export interface JitLoadOptions {
  /**
   * Device every tensor of the module is loaded onto (`'cpu'`, `'cuda'`, `'cuda:1'`), as Python's
   * `map_location`. Default: where each tensor was saved.
   */
  mapLocation?: string;
}

/** Files up to this size are read and checked here before LibTorch sees them (Node's readFileSync limit). */
const CHECKED_MAX = 2 ** 31 - 1;

/**
 * Refuses what is not an intact TorchScript archive before LibTorch parses it: LibTorch's zip
 * reader skips CRC checks, and damaged records can crash LibTorch (a syntax error in a damaged
 * code record reported through a damaged debug record reads out of bounds, in Python too). So the
 * zip structure, every record's CRC-32 (compressed ones inflated) and every storage record's size
 * against its pickle are checked here, by the same data-only readers `torch.load` uses.
 */
function checkArchive(bytes: Uint8Array, where: string): ZipArchive {
  const refuse = (why: string) => new TorchError(`torch.jit.load could not read ${where}: ${why}`, 'JIT_INVALID');
  if (bytes.length === 0) throw refuse('the file is empty');
  if (!isZip(bytes)) throw refuse('it is not a zip archive, as TorchScript archives (torch.jit.save) are');
  let zip: ZipArchive;
  try {
    zip = readZip(bytes);
  } catch (e) {
    if (e instanceof TorchError) throw refuse(`the archive is damaged: ${e.message.replace(/^Invalid \.pth zip archive: /, '')}`);
    throw e;
  }
  for (const [name, method] of zip.compressed) {
    const record = zip.deflated.get(name);
    const full = `"${zip.prefix}/${name}"`;
    if (record === undefined) throw refuse(`record ${full} uses compression method ${method}, which PyTorch does not write`);
    let data: Buffer;
    try {
      data = zlib.inflateRawSync(record.data, { maxOutputLength: Math.max(1, record.size + 1) });
    } catch {
      throw refuse(`record ${full} does not inflate (the file is damaged)`);
    }
    if (data.length !== record.size || (crc32(data) >>> 0) !== record.crc) throw refuse(`record ${full} fails its CRC-32 check (the file is damaged)`);
  }
  const names = [...zip.records.keys(), ...zip.compressed.keys()];
  if (!names.includes('constants.pkl') && !names.some((n) => n.startsWith('code/'))) {
    if (names.includes('data.pkl')) throw refuse('this is a torch.save file (a state dict or other data), not a TorchScript archive: read it with torch.load');
    throw refuse('it is not a TorchScript archive (it has neither constants.pkl nor code/)');
  }
  // LibTorch sizes each storage by what its pickle declares, not by its record: a record cut short
  // would load as a storage larger than its memory. It reads two pickles when it loads, each
  // with its storages in a folder of its name. (PyTorch 2's traced_inputs.pkl, which it does not
  // read, names storages whose records are empty.)
  for (const name of ['constants.pkl', 'data.pkl']) {
    const pickle = zip.records.get(name);
    if (pickle === undefined) continue; // LibTorch names what is missing
    const dir = name.slice(0, -'.pkl'.length);
    let storages: StorageRef[];
    try {
      storages = unpickle(pickle, { where: `${zip.prefix}/${name}`, objects: true }).storages;
    } catch (e) {
      if (e instanceof TorchError) throw refuse(e.message);
      throw e;
    }
    for (const s of storages) {
      const record = zip.records.get(`${dir}/${s.key}`);
      const full = `"${zip.prefix}/${dir}/${s.key}"`;
      if (record === undefined) throw refuse(`${name} uses storage "${s.key}" but the archive has no stored record ${full}`);
      if (record.length !== s.nbytes) {
        throw refuse(`record ${full} has ${record.length} bytes but ${name} describes ${s.numel} ${s.dtype} elements (${s.nbytes} bytes): the file is damaged`);
      }
    }
  }
  return zip;
}

/**
 * The archive as LibTorch gets it: with its debug records (`code/….debug_pkl`, which map the
 * serialized code back to the Python source) renamed in the central directory to `….debug_pk_`,
 * so that LibTorch does not find them. LibTorch reads them when a script raises, to show the
 * Python lines, and a damaged one (its CRC rewritten to match) makes it read out of bounds there,
 * in Python too. Without them, error tracebacks show the serialized TorchScript code. `bytes` is
 * changed in place when `owned`, else copied.
 */
function withoutDebugRecords(bytes: Uint8Array, zip: ZipArchive, owned: boolean): Uint8Array {
  const debug = [...zip.centralNames.keys()].filter((name) => name.endsWith('.debug_pkl'));
  if (debug.length === 0) return bytes;
  const out = owned ? bytes : Buffer.from(bytes);
  for (const name of debug) {
    const last = zip.centralNames.get(name)! + Buffer.byteLength(`${zip.prefix}/${name}`) - 1;
    if (out[last] !== 0x6c) throw new TorchError(`record "${zip.prefix}/${name}" is not where the central directory says`, 'JIT_INVALID'); // 'l'
    out[last] = 0x5f; // '_'
  }
  return out;
}

/**
 * Loads a TorchScript archive, written by Python's `torch.jit.save(torch.jit.script(m), f)` or
 * `torch.jit.save(torch.jit.trace(m, x), f)` (or by {@link save}), from a path or from bytes.
 * The module comes back in the mode it was saved in (`training` as in Python); call `eval()` for
 * inference.
 *
 * Which files load is LibTorch's rule: a LibTorch reads files from its own version and older ones
 * (LibTorch 2.13 reads PyTorch 1.13's files); a file from a newer PyTorch loads on an older
 * LibTorch only if its format and every operator it calls are known there. Anything LibTorch
 * refuses — a newer format, an unknown operator, a damaged, truncated or foreign file — is a
 * {@link TorchError} with code `JIT_INVALID` (`ENOENT` for a missing file). Before LibTorch parses
 * a file, its zip structure and the CRC-32 of every record are checked here (files up to 2 GiB;
 * larger ones LibTorch reads unchecked).
 *
 * As in Python, loading a TorchScript archive compiles the code in it, and that code runs when
 * its methods are called: load files you trust.
 *
 * @example
 * ```ts
 * const model = torch.jit.load('models/traced_cnn.pt', { mapLocation: 'cpu' });
 * const fromBytes = torch.jit.load(fs.readFileSync('models/traced_cnn.pt'));
 * ```
 */
export function load(f: string | Buffer | Uint8Array, options: JitLoadOptions = {}): ScriptModule {
  const o = checkOptions(options, 'jit.load() options', ['mapLocation']);
  const mapLocation = o.mapLocation === undefined ? null : checkDevice(o.mapLocation, 'mapLocation');
  let source: string | Uint8Array;
  let where: string;
  if (typeof f === 'string') {
    where = describePath(f);
    let size: number;
    try {
      size = fs.statSync(f).size;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new TorchError(`Cannot read ${where}: ${fsErrorReason(err, f)}`, err.code === 'ENOENT' ? 'ENOENT' : 'PTH_IO');
    }
    // Beyond readFileSync's limit LibTorch reads the file itself, unchecked.
    source = size <= CHECKED_MAX ? readInput(f) : f;
  } else if (f instanceof Uint8Array) {
    where = `a ${f.length}-byte buffer`;
    source = f;
  } else {
    throw typeError('a path string, Buffer or Uint8Array', 'f', f);
  }
  if (typeof source !== 'string') source = withoutDebugRecords(source, checkArchive(source, where), typeof f === 'string');
  let handle: unknown;
  try {
    handle = N.jitLoad(source, mapLocation);
  } catch (e) {
    if (e instanceof TorchError && e.code === 'JIT_INVALID') throw new TorchError(`torch.jit.load could not read ${where}: ${e.message}`, 'JIT_INVALID');
    throw e;
  }
  return ScriptModule.fromHandle(handle);
}

function checkScriptModule(m: unknown): ScriptModule {
  if (!(m instanceof ScriptModule)) throw typeError('a ScriptModule (from torch.jit.load)', 'm', m);
  return m;
}

/**
 * The bytes of the TorchScript archive {@link save} writes.
 * @example
 * ```ts
 * const bytes = torch.jit.saveToBuffer(model);
 * const again = torch.jit.load(bytes);
 * ```
 */
export function saveToBuffer(m: ScriptModule): Buffer {
  return N.jitSave(ScriptModule.handleOf(checkScriptModule(m)));
}

/**
 * Saves a ScriptModule as a TorchScript archive that Python's `torch.jit.load` reads (and C++'s
 * `torch::jit::load`), with its current parameters, buffers and training flag: a model trained
 * here goes back to Python as it is. The file is written atomically (a temporary file, then a
 * rename). A file saved by LibTorch 2.13 is for PyTorch 2.x; PyTorch 1.13 reads files of LibTorch
 * 1.13.
 *
 * @example
 * ```ts
 * torch.jit.save(model, 'models/finetuned.pt');   // Python: torch.jit.load('models/finetuned.pt')
 * ```
 */
export function save(m: ScriptModule, f: string): void {
  checkScriptModule(m);
  if (typeof f !== 'string' || f.length === 0) throw typeError('a file path', 'f', f);
  writeAtomic(f, [saveToBuffer(m)], 'JIT_IO');
}

/**
 * Calls method `method` of a ScriptModule on the libuv thread pool and resolves with its result
 * (converted as {@link ScriptModule} describes); the event loop keeps running meanwhile.
 *
 * - The call never records autograd (it runs under `torch::NoGradGuard`): use it for inference;
 *   train with the synchronous `module(x)`.
 * - Arguments are converted when the call is made, and the call holds its own references to their
 *   tensors: disposing or dropping them right after the call is safe. Changing their contents in
 *   place before the promise settles is a data race, as in C++.
 * - Many calls may be in flight at once. In eval mode they run in parallel (a TorchScript module
 *   may be called concurrently when its methods only read it); in training mode calls on one
 *   module tree take turns, since they may write its state (BatchNorm's running statistics).
 *   Changing parameters (an optimizer step, `loadStateDict`, `to()`) while calls are in flight is
 *   a data race.
 * - Errors reject: a TorchError for what LibTorch or the script raised, a TypeError for an
 *   argument of the wrong type, with the caller's stack.
 *
 * @example
 * ```ts
 * const model = torch.jit.load('codec.pt').eval();
 * const [z, y] = await Promise.all([torch.jit.runAsync(model, 'encode', x), model.forwardAsync(x)]);
 * ```
 */
export function runAsync(module: ScriptModule, method: string, ...args: unknown[]): Promise<any> {
  return runMethodAsync(module, method, args);
}
