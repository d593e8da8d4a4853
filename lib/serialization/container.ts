/**
 * The `.pth` file layer, without tensors: tells the zip format from the legacy one, refuses
 * TorchScript archives and big-endian files, runs the safe unpickler, checks every storage's
 * bytes against what the pickle claims, and converts the Python value tree into JS values
 * (tensors through a factory the caller supplies). Also builds the zip `torch.save` writes.
 *
 * `pth.ts` plugs real {@link Tensor}s in; tests plug in plain byte views, so this whole layer is
 * tested without the native addon.
 */
import { TorchError } from '../errors';
import type { DType } from '../tensor';
import { MAX_NESTING, PickleBudget } from './budget';
import { ITEMSIZE } from './dtypes';
import { pickle, PickleTensor } from './pickler';
import { DTypeRef, PyGlobal, StorageRef, TensorRef, unpickle } from './unpickler';
import { isZip, readZip, writeZip, WriteZipOptions } from './zip';

/** `torch.save`'s legacy magic number, the first pickle of a legacy file. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

function invalid(message: string): TorchError {
  return new TorchError(message, 'PTH_INVALID');
}

/** A decoded file: the Python value tree and the bytes of each storage, both validated. */
export interface DecodedPth {
  /** `zip` (torch >= 1.6) or `legacy`. */
  format: 'zip' | 'legacy';
  /** Top folder of a zip archive (its stem when saved to a path). */
  prefix?: string;
  /** The unpickled value, with {@link TensorRef}s for tensors. */
  value: unknown;
  /** Storage key → its raw little-endian bytes (exactly `numel × itemsize` long; a view, not a copy). */
  storages: Map<string, Uint8Array>;
}

/**
 * Reads and validates a `.pth` file's structure: everything except making tensors. The pickle
 * runs under budgets proportional to its size (./budget.ts), and a zip's `data/` records must
 * each be a storage the pickle uses. Throws `PTH_INVALID`, `PTH_UNSAFE`, `PTH_TORCHSCRIPT` or
 * `PTH_UNSUPPORTED` {@link TorchError}s.
 *
 * @example
 * ```ts
 * const { value, storages } = decodePth(fs.readFileSync('model.pth'));
 * ```
 */
export function decodePth(buf: Uint8Array): DecodedPth {
  if (isZip(buf)) return decodeZip(buf);
  return decodeLegacy(buf);
}

/**
 * The storages `value` uses, by key. A walk with its own stack (each container's items pushed
 * one by one, never spread into a call), so neither a long list nor deep nesting can exhaust
 * the call stack; each object is visited once.
 */
function collectStorages(value: unknown): Map<string, StorageRef> {
  const out = new Map<string, StorageRef>();
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof TensorRef) out.set(v.storage.key, v.storage);
    else if (v instanceof StorageRef) out.set(v.key, v);
    else if (Array.isArray(v) || v instanceof Set) for (const x of v) stack.push(x);
    else if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
  }
  return out;
}

function decodeZip(buf: Uint8Array): DecodedPth {
  const { prefix, records, compressed } = readZip(buf);
  const names = [...records.keys(), ...compressed.keys()];
  if (names.some((k) => k === 'constants.pkl' || k.startsWith('code/'))) {
    throw new TorchError(
      `this is a TorchScript archive, not a state dict (records "${prefix}/constants.pkl"/"${prefix}/code/"): ` +
        'load it with torch.jit.load(path), which gives a ScriptModule (its stateDict() is the state dict); ' +
        'or save a state dict in Python with torch.save(model.state_dict(), path)', 'PTH_TORCHSCRIPT');
  }
  const byteorder = records.get('byteorder');
  if (byteorder !== undefined) {
    const s = Buffer.from(byteorder).toString('latin1').trim();
    if (s === 'big') throw new TorchError(`record "${prefix}/byteorder" says "big": big-endian files are not supported`, 'PTH_UNSUPPORTED');
    if (s !== 'little') throw invalid(`record "${prefix}/byteorder" holds ${JSON.stringify(s.slice(0, 20))}, expected "little"`);
  }
  for (const [name, method] of compressed) {
    if (name === 'data.pkl' || name === 'byteorder' || name.startsWith('data/')) {
      throw invalid(`record "${prefix}/${name}" is compressed (method ${method}); torch.save writes stored records only`);
    }
  }
  const pkl = records.get('data.pkl');
  if (pkl === undefined) throw invalid(`the archive has no "${prefix}/data.pkl" record; it is not a torch.save file`);
  const where = `${prefix}/data.pkl`;
  const { value, end } = unpickle(pkl, { where });
  if (end !== pkl.length) throw invalid(`${where} has ${pkl.length - end} bytes after its STOP opcode`);
  const storages = new Map<string, Uint8Array>();
  for (const [key, s] of collectStorages(value)) {
    const rec = records.get(`data/${key}`);
    if (rec === undefined) throw invalid(`storage "${key}" is used in ${where} but record "${prefix}/data/${key}" is missing`);
    if (rec.length !== s.nbytes) {
      throw invalid(`record "${prefix}/data/${key}" has ${rec.length} bytes but ${where} describes ${s.numel} × ${ITEMSIZE[s.dtype]}-byte ${s.dtype} elements (${s.nbytes} bytes)`);
    }
    storages.set(key, rec);
  }
  // torch.save writes a storage record only for a storage its pickle uses.
  for (const name of records.keys()) {
    if (name.startsWith('data/') && !storages.has(name.slice('data/'.length))) {
      throw invalid(`record "${prefix}/${name}" is used by no tensor in ${where}; torch.save writes none such`);
    }
  }
  return { format: 'zip', prefix, value, storages };
}

function decodeLegacy(buf: Uint8Array): DecodedPth {
  if (buf.length === 0) throw invalid('the file is empty');
  if (buf[0] !== 0x80) {
    throw invalid('this is neither a zip .pth file nor a legacy torch.save file (no pickle header); the file may be truncated or of another format');
  }
  // The five pickles of one file share one budget, proportional to the whole file.
  const budget = new PickleBudget(buf.length, (m) => invalid(`Invalid legacy .pth file: ${m}`));
  const magic = unpickle(buf, { where: 'legacy header (magic number)', budget });
  if (magic.value !== LEGACY_MAGIC) throw invalid('the legacy pickle does not start with torch.save\'s magic number; this is not a .pth file');
  const proto = unpickle(buf, { where: 'legacy header (protocol version)', offset: magic.end, budget });
  if (proto.value !== LEGACY_PROTOCOL) throw invalid(`unsupported legacy protocol version ${String(proto.value)}`);
  const info = unpickle(buf, { where: 'legacy header (system info)', offset: proto.end, budget });
  if (!(info.value instanceof Map)) throw invalid('the legacy system-info header is not a dict');
  if (info.value.get('little_endian') === false) {
    throw new TorchError('the legacy file was written on a big-endian machine, which is not supported', 'PTH_UNSUPPORTED');
  }
  const obj = unpickle(buf, { where: 'legacy object pickle', offset: info.end, legacy: true, budget });
  const keysPickle = unpickle(buf, { where: 'legacy storage key list', offset: obj.end, budget });
  const keys = keysPickle.value;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw invalid('the legacy storage key list is not a list of strings');
  const refs = collectStorages(obj.value);
  const storages = new Map<string, Uint8Array>();
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = keysPickle.end;
  for (const key of keys as string[]) {
    const s = refs.get(key);
    if (s === undefined) throw invalid(`legacy storage key "${key}" is listed but not used by the object`);
    if (storages.has(key)) throw invalid(`legacy storage key "${key}" is listed twice`);
    if (pos + 8 > buf.length) throw invalid(`the file is truncated before the size of storage "${key}"`);
    const n = view.getBigInt64(pos, true);
    pos += 8;
    if (n !== BigInt(s.numel)) throw invalid(`legacy storage "${key}" has ${n} elements in the file but ${s.numel} in the pickle`);
    if (pos + s.nbytes > buf.length) throw invalid(`the file is truncated inside storage "${key}" (${s.nbytes} bytes expected at offset ${pos})`);
    storages.set(key, buf.subarray(pos, pos + s.nbytes));
    pos += s.nbytes;
  }
  for (const key of refs.keys()) if (!storages.has(key)) throw invalid(`storage "${key}" has no data in the legacy file`);
  if (pos !== buf.length) throw invalid(`${buf.length - pos} unexpected bytes after the last legacy storage`);
  return { format: 'legacy', value: obj.value, storages };
}

/** Makes a tensor (or anything standing for one) from a validated view and its storage bytes. */
export type TensorFactory<T> = (ref: TensorRef, storage: Uint8Array) => T;

/**
 * Converts the unpickled tree to JS values: dicts whose keys are all strings become plain objects
 * (in key order, prototype `Object.prototype`), other dicts `Map`s, lists and tuples arrays,
 * sets `Set`s, ints numbers (bigint beyond ±2^53), dtypes their name, tensors whatever `make`
 * returns. Shared and cyclic references stay shared.
 *
 * @example
 * ```ts
 * const d = decodePth(buf);
 * const obj = toJS(d, (ref, bytes) => ({ dtype: ref.dtype, shape: ref.size }));
 * ```
 */
export function toJS<T>(decoded: DecodedPth, make: TensorFactory<T>): unknown {
  const done = new Map<object, unknown>();
  const tensor = (ref: TensorRef): unknown => {
    const bytes = decoded.storages.get(ref.storage.key);
    if (bytes === undefined) throw invalid(`storage "${ref.storage.key}" has no data`);
    return make(ref, bytes);
  };
  const conv = (v: unknown, depth: number): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (depth > MAX_NESTING) throw invalid(`the pickled object is nested more than ${MAX_NESTING} levels deep`);
    if (done.has(v)) return done.get(v);
    if (v instanceof TensorRef) {
      const t = tensor(v);
      done.set(v, t);
      return t;
    }
    if (v instanceof StorageRef) {
      const t = tensor(new TensorRef(v, v.dtype, 0, [v.numel], [1], false, false));
      done.set(v, t);
      return t;
    }
    if (v instanceof DTypeRef) return v.dtype;
    if (v instanceof PyGlobal) return v.qualifiedName;
    if (v instanceof Uint8Array) return v;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      done.set(v, out);
      for (const x of v) out.push(conv(x, depth + 1));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set<unknown>();
      done.set(v, out);
      for (const x of v) out.add(conv(x, depth + 1));
      return out;
    }
    if (v instanceof Map) {
      if ([...v.keys()].every((k) => typeof k === 'string')) {
        const out: Record<string, unknown> = {};
        done.set(v, out);
        for (const [k, x] of v) {
          // defineProperty: a key such as "__proto__" stays an ordinary own property.
          Object.defineProperty(out, k as string, { value: conv(x, depth + 1), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      const out = new Map<unknown, unknown>();
      done.set(v, out);
      for (const [k, x] of v) out.set(conv(k, depth + 1), conv(x, depth + 1));
      return out;
    }
    throw invalid(`unexpected value ${String(v)} in the pickle`);
  };
  return conv(decoded.value, 0);
}

/**
 * The little-endian bytes of a tensor view laid out contiguously (row-major), computed in JS.
 * Used by tests and as the reference for what the native `asStrided` view must hold.
 *
 * @example
 * ```ts
 * const bytes = contiguousBytes(ref, storages.get(ref.storage.key)!);
 * ```
 */
export function contiguousBytes(ref: TensorRef, storage: Uint8Array): Uint8Array {
  const item = ITEMSIZE[ref.dtype];
  const n = ref.numel;
  const out = new Uint8Array(n * item);
  if (n === 0) return out;
  const dims = ref.size.length;
  const idx = new Array<number>(dims).fill(0);
  for (let i = 0; i < n; i++) {
    let off = ref.storageOffset;
    for (let d = 0; d < dims; d++) off += idx[d] * ref.stride[d];
    out.set(storage.subarray(off * item, off * item + item), i * item);
    for (let d = dims - 1; d >= 0; d--) {
      if (++idx[d] < ref.size[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** A tensor to be saved, as the writer needs it: contiguous little-endian bytes and metadata. */
export interface TensorForSave {
  dtype: DType;
  shape: readonly number[];
  requiresGrad: boolean;
  /** Contiguous little-endian bytes (`numel × itemsize`). Called once per distinct tensor. */
  bytes(): Uint8Array;
}

/**
 * Builds the zip `torch.save` writes (records `data.pkl`, `byteorder`, `data/<i>`, `version`)
 * for `value`, where `tensorOf` recognises tensors. Each distinct tensor object becomes one
 * contiguous storage record.
 *
 * @example
 * ```ts
 * const chunks = encodePth({ w: myTensor }, 'model', (v) => isTensor(v) ? describe(v) : undefined);
 * ```
 */
export function encodePth(value: unknown, prefix: string, tensorOf: (v: object) => TensorForSave | undefined,
  options: WriteZipOptions = {}): Buffer[] {
  const keys = new Map<object, PickleTensor>();
  const data: Array<[string, Uint8Array]> = [];
  const hook = (v: object): PickleTensor | undefined => {
    const known = keys.get(v);
    if (known) return known;
    const t = tensorOf(v);
    if (t === undefined) return undefined;
    const key = String(data.length);
    const bytes = t.bytes();
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (bytes.length !== numel * ITEMSIZE[t.dtype]) {
      throw new TorchError(`tensor bytes (${bytes.length}) do not match its shape ${JSON.stringify(t.shape)} and dtype ${t.dtype}`, 'PTH_INVALID');
    }
    const stride: number[] = new Array(t.shape.length);
    let s = 1;
    for (let d = t.shape.length - 1; d >= 0; d--) {
      stride[d] = s;
      s *= Math.max(t.shape[d], 1);
    }
    data.push([`data/${key}`, bytes]);
    const pt: PickleTensor = {
      storageKey: key, dtype: t.dtype, storageNumel: numel, storageOffset: 0, size: t.shape.slice(),
      stride, requiresGrad: t.requiresGrad,
    };
    keys.set(v, pt);
    return pt;
  };
  const pkl = pickle(value, { tensor: hook });
  const records: Array<[string, Uint8Array]> = [
    ['data.pkl', pkl],
    ['byteorder', Buffer.from('little')],
    ...data,
    ['version', Buffer.from('3\n')],
  ];
  return writeZip(prefix, records, options);
}
