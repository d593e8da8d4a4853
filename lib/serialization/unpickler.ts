/**
 * A safe pickle reader for `.pth` files: the same idea as Python's `weights_only=True` loader.
 *
 * It runs the pickle opcodes PyTorch emits (protocols 0–5), but only ever *constructs data*:
 * dicts, lists, tuples, numbers, strings, bytes, sets, and descriptions of tensors and storages.
 * Globals are looked up in a short allow-list (`collections.OrderedDict`, the tensor/parameter
 * rebuild functions, storage classes, dtypes, `torch.Size`, `torch.device`, …); any other global,
 * any object-building opcode (`NEWOBJ`, `INST`, `OBJ`, `EXT*`) and any `BUILD` on something other
 * than a dict is refused with a `PTH_UNSAFE` {@link TorchError}. Nothing is ever evaluated or
 * imported. Every length is checked against the bytes left, so no allocation exceeds the input.
 *
 * The result is a "Python value" tree (see {@link PyValue}); `pth.ts` turns it into JS values and
 * tensors. This layer needs no native addon.
 */
import { TorchError } from '../errors';
import type { DType } from '../tensor';
import { ITEMSIZE, storageClassDType, torchDTypeName } from './dtypes';

/**
 * An allowed global, resolved by module and name (never imported).
 *
 * @example
 * ```ts
 * const { value } = unpickle(Buffer.from('\x80\x02ctorch\nSize\n.', 'latin1'));
 * (value as PyGlobal).qualifiedName; // 'torch.Size'
 * ```
 */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * A `torch.<dtype>` global, e.g. `torch.float32`.
 *
 * @example
 * ```ts
 * const { value } = unpickle(Buffer.from('\x80\x02ctorch\nhalf\n.', 'latin1'));
 * (value as DTypeRef).dtype; // 'float16'
 * ```
 */
export class DTypeRef {
  constructor(readonly dtype: DType, readonly pythonName: string) {}
}

/**
 * A storage named by a persistent id: its bytes live elsewhere (a zip record or after a legacy stream).
 *
 * @example
 * ```ts
 * const s = new StorageRef('0', 'float32', 'cpu', 6);
 * s.nbytes; // 24: record `data/0` must be exactly this long
 * ```
 */
export class StorageRef {
  constructor(
    /** Record key (`data/<key>` in a zip). */
    readonly key: string,
    /** Element dtype of the storage (`uint8` for an untyped storage). */
    readonly dtype: DType,
    /** Location recorded in the file (`cpu`, `cuda:0`, …); ignored when loading. */
    readonly location: string,
    /** Number of elements (bytes for an untyped storage). */
    readonly numel: number,
  ) {}
  /** Size in bytes the storage's record must have. */
  get nbytes(): number {
    return this.numel * ITEMSIZE[this.dtype];
  }
}

/**
 * A tensor described by `_rebuild_tensor_v2/v3` (or `_rebuild_parameter`): a strided view of a storage.
 *
 * @example
 * ```ts
 * const t = new TensorRef(new StorageRef('0', 'float32', 'cpu', 6), 'float32', 0, [2, 3], [3, 1], false, false);
 * t.numel; // 6
 * ```
 */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly dtype: DType,
    readonly storageOffset: number,
    readonly size: readonly number[],
    readonly stride: readonly number[],
    readonly requiresGrad: boolean,
    /** True when it was pickled as an `nn.Parameter` (`state_dict(keep_vars=True)`). */
    readonly parameter: boolean,
  ) {}
  /** Number of elements of the view. */
  get numel(): number {
    return this.size.reduce((a, b) => a * b, 1);
  }
}

/**
 * An object of a class outside the allow-list, in a pickle read with `objects: true`
 * (TorchScript archives pickle their modules as `__torch__.Net` objects): a placeholder naming
 * the class. Nothing was constructed or run; its state is not kept.
 *
 * @example
 * ```ts
 * const { value, storages } = unpickle(records.get('data.pkl')!, { objects: true });
 * (value as PyObject).cls; // PyGlobal { module: '__torch__', name: 'Net' }
 * ```
 */
export class PyObject {
  constructor(readonly cls: PyGlobal | PyObject | null) {}
}

/**
 * What the unpickler produces: `null` (None), boolean, number (int within ±2^53, or float),
 * bigint (int beyond), string, `Uint8Array` (bytes), arrays (list/tuple), `Map` (dict /
 * OrderedDict, keys as found), `Set`, {@link TensorRef}, {@link StorageRef}, {@link DTypeRef},
 * {@link PyGlobal}.
 */
export type PyValue = unknown;

/** Options for {@link unpickle}. */
export interface UnpickleOptions {
  /** Name of the record being read, for error messages (e.g. `model/data.pkl`). */
  where?: string;
  /** Byte offset to start at (for streams of several pickles, like the legacy format). */
  offset?: number;
  /**
   * Legacy persistent ids have 6 fields (`view_metadata` last); zip ones have 5.
   * Default: `false` (zip).
   */
  legacy?: boolean;
  /**
   * Accept objects of classes outside the allow-list, as {@link PyObject} placeholders: a global
   * not on the list becomes a {@link PyGlobal}, calling it (REDUCE, NEWOBJ) a placeholder, BUILD
   * drops the state it is given, and any value may be a dict key. For pickles whose objects are
   * not wanted, only their storages and tensors (TorchScript's `data.pkl`), which are checked as
   * always. Nothing is ever executed either way. Default: `false` (such globals are refused,
   * `PTH_UNSAFE`).
   */
  objects?: boolean;
}

/** Result of {@link unpickle}: the value and the offset just after its `STOP`. */
export interface UnpickleResult {
  value: PyValue;
  end: number;
  /** Every storage a persistent id named, each once (also those inside dropped object state). */
  storages: StorageRef[];
}

const MAX_LONG_BYTES = 1 << 16;
/** Largest view with more elements than its storage (an expanded tensor) that is accepted. */
const MAX_OVERLAPPING_VIEW_BYTES = 16 << 20;

function unsafe(where: string, message: string): TorchError {
  return new TorchError(`Refusing to load ${where}: ${message}`, 'PTH_UNSAFE');
}
function invalid(where: string, message: string): TorchError {
  return new TorchError(`Invalid pickle in ${where}: ${message}`, 'PTH_INVALID');
}

/** Allowed `torch.*` names besides dtypes and storage classes. */
const TORCH_NAMES = new Set(['Size', 'device']);
const TORCH_UTILS_NAMES = new Set([
  '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter', '_rebuild_parameter_with_state',
]);

/** Module aliases Python's protocol-2 `fix_imports` writes. */
function canonicalModule(module: string): string {
  return module === '__builtin__' ? 'builtins' : module;
}

/**
 * The allow-list: returns the resolved global or throws `PTH_UNSAFE` naming it.
 * `os`, `posix`, `nt`, `sys`, `subprocess`, `builtins.eval` and everything else not listed are refused.
 */
function resolveGlobal(module: string, name: string, where: string): PyGlobal | DTypeRef {
  const mod = canonicalModule(module);
  if (mod === 'torch') {
    const dt = torchDTypeName(name);
    if (dt !== undefined) return new DTypeRef(dt, name);
    if (storageClassDType(name) !== undefined || TORCH_NAMES.has(name)) return new PyGlobal(mod, name);
  } else if (mod === 'collections' && name === 'OrderedDict') {
    return new PyGlobal(mod, name);
  } else if (mod === 'torch._utils' && TORCH_UTILS_NAMES.has(name)) {
    return new PyGlobal(mod, name);
  } else if (mod === '_codecs' && name === 'encode') {
    return new PyGlobal(mod, name);
  } else if (mod === 'builtins' && (name === 'set' || name === 'frozenset')) {
    return new PyGlobal(mod, name);
  }
  const shown = `${module}.${name}`.slice(0, 200);
  throw unsafe(where, `global ${shown} is not allowed (only tensors, storages, dtypes, OrderedDict and plain data may appear in a .pth file); nothing was executed`);
}

/** Whether `g` is a function the allow-list lets REDUCE call. */
function isAllowed(g: PyGlobal): boolean {
  try {
    return resolveGlobal(g.module, g.name, '') instanceof PyGlobal;
  } catch {
    return false;
  }
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function describeValue(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return `a tuple/list of length ${v.length}`;
  if (v instanceof Map) return 'a dict';
  if (v instanceof PyGlobal) return `global ${v.qualifiedName}`;
  if (v instanceof TensorRef) return 'a tensor';
  if (v instanceof StorageRef) return 'a storage';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return String(v);
}

function checkShape(where: string, what: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw invalid(where, `expected a tuple of ints for the tensor ${what} but received ${describeValue(v)}`);
  for (const x of v) {
    if (!isInt(x)) throw invalid(where, `expected ints in the tensor ${what} but received ${describeValue(x)}`);
    if (x < 0) throw invalid(where, `negative tensor ${what} ${JSON.stringify(v)}`);
  }
  return v as number[];
}

/**
 * Builds a {@link TensorRef} and checks the view fits its storage: non-negative sizes and strides,
 * and the furthest element (computed without overflow) inside the storage.
 */
function makeTensor(where: string, storage: unknown, offset: unknown, size: unknown, stride: unknown,
  requiresGrad: unknown, dtype: DType | undefined): TensorRef {
  if (!(storage instanceof StorageRef)) throw invalid(where, `expected a storage as the first argument of _rebuild_tensor but received ${describeValue(storage)}`);
  if (!isInt(offset) || offset < 0) throw invalid(where, `bad storage offset ${describeValue(offset)}`);
  const sz = checkShape(where, 'size', size);
  const st = checkShape(where, 'stride', stride);
  if (sz.length !== st.length) throw invalid(where, `tensor size ${JSON.stringify(sz)} and stride ${JSON.stringify(st)} differ in length`);
  if (typeof requiresGrad !== 'boolean') throw invalid(where, `expected a bool for requires_grad but received ${describeValue(requiresGrad)}`);
  const dt = dtype ?? storage.dtype;
  // Element offsets are in units of the tensor's dtype; an untyped storage counts bytes.
  const storageElems = storage.dtype === dt ? storage.numel : Math.floor(storage.nbytes / ITEMSIZE[dt]);
  if (storage.dtype !== dt && storage.dtype !== 'uint8') {
    throw invalid(where, `tensor of dtype ${dt} on a ${storage.dtype} storage`);
  }
  let empty = false;
  let last = offset; // index of the furthest element; kept exact with BigInt-free checks
  for (let i = 0; i < sz.length; i++) {
    if (sz[i] === 0) empty = true;
  }
  if (!empty) {
    for (let i = 0; i < sz.length; i++) {
      const step = (sz[i] - 1) * st[i];
      if (!Number.isSafeInteger(step) || !Number.isSafeInteger(last + step)) {
        throw invalid(where, `tensor of size ${JSON.stringify(sz)} and stride ${JSON.stringify(st)} is too large`);
      }
      last += step;
    }
    if (last >= storageElems) {
      throw invalid(where, `tensor view (offset ${offset}, size ${JSON.stringify(sz)}, stride ${JSON.stringify(st)}) reaches element ${last} but storage "${storage.key}" has only ${storageElems} elements`);
    }
  } else if (offset > storageElems) {
    throw invalid(where, `storage offset ${offset} is past the end of storage "${storage.key}" (${storageElems} elements)`);
  }
  const numel = sz.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(numel)) throw invalid(where, `tensor size ${JSON.stringify(sz)} is too large`);
  // Overlapping views (stride 0, as from expand()) can name far more elements than the file
  // holds; anything that later makes them contiguous would allocate that much. Allow small ones.
  if (numel > storageElems && numel * ITEMSIZE[dt] > MAX_OVERLAPPING_VIEW_BYTES) {
    throw invalid(where, `tensor of size ${JSON.stringify(sz)} overlaps itself over storage "${storage.key}" of ${storageElems} elements; such views are limited to ${MAX_OVERLAPPING_VIEW_BYTES} bytes`);
  }
  return new TensorRef(storage, dt, offset, sz, st, requiresGrad, false);
}

/**
 * Runs one pickle safely. Persistent ids must be PyTorch storage ids
 * (`('storage', torch.XStorage, key, location, numel)`, plus `view_metadata=None` in the legacy
 * format); several ids with the same key give the same {@link StorageRef}.
 *
 * @example
 * ```ts
 * const { records } = readZip(fs.readFileSync('model.pth'));
 * const { value } = unpickle(records.get('data.pkl')!, { where: 'model/data.pkl' });
 * // value: Map { 'fc.weight' => TensorRef { dtype: 'float32', size: [10, 84], … }, … }
 * ```
 */
export function unpickle(data: Uint8Array, options: UnpickleOptions = {}): UnpickleResult {
  return new Unpickler(data, options).run();
}

class Unpickler {
  private pos: number;
  private readonly where: string;
  private readonly legacy: boolean;
  private readonly objects: boolean;
  private readonly view: DataView;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly storages = new Map<string, StorageRef>();
  private readonly utf8 = new TextDecoder('utf-8');

  constructor(private readonly data: Uint8Array, options: UnpickleOptions) {
    this.pos = options.offset ?? 0;
    this.where = options.where ?? 'data.pkl';
    this.legacy = options.legacy === true;
    this.objects = options.objects === true;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.data.length) {
      throw invalid(this.where, `${what} needs ${n} bytes at offset ${this.pos} but the pickle ends at ${this.data.length} (truncated)`);
    }
  }
  private u8(): number {
    this.need(1, 'an opcode argument');
    return this.data[this.pos++];
  }
  private u16(): number {
    this.need(2, 'an opcode argument');
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  private u32(): number {
    this.need(4, 'an opcode argument');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  private i32(): number {
    this.need(4, 'an opcode argument');
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  private u64(): number {
    this.need(8, 'an opcode argument');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(this.data.length)) throw invalid(this.where, `length ${v} is larger than the whole pickle`);
    return Number(v);
  }
  private bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  private line(what: string): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0) throw invalid(this.where, `${what} is not terminated by a newline (truncated)`);
    const s = this.utf8.decode(this.data.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  private pop(): unknown {
    if (this.stack.length === 0) throw invalid(this.where, `stack underflow at offset ${this.pos - 1}`);
    return this.stack.pop();
  }
  private top(): unknown {
    if (this.stack.length === 0) throw invalid(this.where, `stack underflow at offset ${this.pos - 1}`);
    return this.stack[this.stack.length - 1];
  }
  private popMark(): unknown[] {
    const items = this.stack;
    const prev = this.metastack.pop();
    if (prev === undefined) throw invalid(this.where, `no MARK to pop to at offset ${this.pos - 1}`);
    this.stack = prev;
    return items;
  }
  private popN(n: number): unknown[] {
    if (this.stack.length < n) throw invalid(this.where, `stack underflow at offset ${this.pos - 1}`);
    return this.stack.splice(this.stack.length - n, n);
  }

  private int(v: bigint): number | bigint {
    return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  private long(n: number): number | bigint {
    if (n > MAX_LONG_BYTES) throw invalid(this.where, `an integer of ${n} bytes is too large`);
    const b = this.bytes(n, 'LONG');
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return this.int(v);
  }

  private dictOf(v: unknown, op: string): Map<unknown, unknown> {
    if (!(v instanceof Map)) throw unsafe(this.where, `${op} on ${describeValue(v)} (only dicts may receive items)`);
    return v;
  }
  private listOf(v: unknown, op: string): unknown[] {
    if (!Array.isArray(v)) throw unsafe(this.where, `${op} on ${describeValue(v)} (only lists may receive items)`);
    return v;
  }
  private dictKey(k: unknown): unknown {
    if (this.objects) return k;
    if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' ||
        k instanceof DTypeRef || Array.isArray(k)) return k;
    throw invalid(this.where, `unhashable or unsupported dict key ${describeValue(k)}`);
  }

  private persistentLoad(pid: unknown): StorageRef {
    const w = this.where;
    const fields = this.legacy ? 6 : 5;
    if (!Array.isArray(pid) || pid[0] !== 'storage' || (pid.length !== fields && !(this.legacy && pid.length === 5))) {
      throw invalid(w, `malformed persistent id ${describeValue(pid)}; expected ('storage', torch.XStorage, key, location, numel${this.legacy ? ', view_metadata' : ''})`);
    }
    const [, cls, key, location, numel] = pid;
    if (!(cls instanceof PyGlobal) || cls.module !== 'torch' || storageClassDType(cls.name) === undefined) {
      throw invalid(w, `persistent id names ${describeValue(cls)} where a storage class was expected`);
    }
    if (typeof key !== 'string' || key.length === 0 || key.length > 256) throw invalid(w, `bad storage key ${describeValue(key)}`);
    if (typeof location !== 'string') throw invalid(w, `bad storage location ${describeValue(location)}`);
    if (!isInt(numel) || numel < 0) throw invalid(w, `bad storage size ${describeValue(numel)} for storage "${key}"`);
    if (this.legacy && pid.length === 6 && pid[5] !== null) {
      throw invalid(w, `storage "${key}" is a legacy storage view (view_metadata), which is not supported`);
    }
    const dtype = storageClassDType(cls.name)!;
    if (!Number.isSafeInteger(numel * ITEMSIZE[dtype])) throw invalid(w, `storage "${key}" is too large`);
    const prev = this.storages.get(key);
    if (prev) {
      if (prev.dtype !== dtype || prev.numel !== numel) {
        throw invalid(w, `storage "${key}" is described twice with different types or sizes`);
      }
      return prev;
    }
    const s = new StorageRef(key, dtype, location, numel);
    this.storages.set(key, s);
    return s;
  }

  private reduce(fn: unknown, args: unknown): unknown {
    const w = this.where;
    if (this.objects && (fn instanceof PyObject || (fn instanceof PyGlobal && !isAllowed(fn)))) return new PyObject(fn);
    if (!(fn instanceof PyGlobal)) throw unsafe(w, `REDUCE calls ${describeValue(fn)}, which is not an allowed function`);
    if (!Array.isArray(args)) throw invalid(w, `REDUCE arguments for ${fn.qualifiedName} are ${describeValue(args)}, not a tuple`);
    const name = fn.qualifiedName;
    switch (name) {
      case 'collections.OrderedDict': {
        const m = new Map<unknown, unknown>();
        if (args.length === 0) return m;
        if (args.length === 1 && Array.isArray(args[0])) {
          for (const kv of args[0]) {
            if (!Array.isArray(kv) || kv.length !== 2) throw invalid(w, 'OrderedDict items must be pairs');
            m.set(this.dictKey(kv[0]), kv[1]);
          }
          return m;
        }
        throw invalid(w, 'unexpected arguments for OrderedDict');
      }
      case 'torch._utils._rebuild_tensor_v2':
        if (args.length < 6 || args.length > 7) throw invalid(w, `_rebuild_tensor_v2 takes 6 or 7 arguments, got ${args.length}`);
        return makeTensor(w, args[0], args[1], args[2], args[3], args[4], undefined);
      case 'torch._utils._rebuild_tensor_v3': {
        if (args.length < 7 || args.length > 8) throw invalid(w, `_rebuild_tensor_v3 takes 7 or 8 arguments, got ${args.length}`);
        if (!(args[6] instanceof DTypeRef)) throw invalid(w, `_rebuild_tensor_v3 needs a dtype, got ${describeValue(args[6])}`);
        return makeTensor(w, args[0], args[1], args[2], args[3], args[4], args[6].dtype);
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state': {
        const n = name.endsWith('with_state') ? 4 : 3;
        if (args.length !== n) throw invalid(w, `${fn.name} takes ${n} arguments, got ${args.length}`);
        const [t, rg] = args;
        if (!(t instanceof TensorRef)) throw invalid(w, `${fn.name} needs a tensor, got ${describeValue(t)}`);
        if (typeof rg !== 'boolean') throw invalid(w, `${fn.name} needs a bool requires_grad, got ${describeValue(rg)}`);
        return new TensorRef(t.storage, t.dtype, t.storageOffset, t.size, t.stride, rg, true);
      }
      case 'torch.Size': {
        if (args.length === 0) return [];
        if (args.length !== 1) throw invalid(w, 'torch.Size takes one tuple');
        return checkShape(w, 'torch.Size', args[0]).slice();
      }
      case 'torch.device': {
        if (args.length >= 1 && args.length <= 2 && typeof args[0] === 'string' && (args.length === 1 || isInt(args[1]) || args[1] === null)) {
          return args.length === 2 && args[1] !== null ? `${args[0]}:${args[1]}` : args[0];
        }
        throw invalid(w, 'unexpected arguments for torch.device');
      }
      case '_codecs.encode': {
        if (args.length === 2 && typeof args[0] === 'string' && (args[1] === 'latin1' || args[1] === 'latin-1')) {
          return new Uint8Array(Buffer.from(args[0], 'latin1'));
        }
        throw invalid(w, "_codecs.encode is only allowed as encode(str, 'latin1') for bytes");
      }
      case 'builtins.set':
      case 'builtins.frozenset': {
        if (args.length === 0) return new Set();
        if (args.length === 1 && Array.isArray(args[0])) return new Set(args[0]);
        throw invalid(w, `unexpected arguments for ${name}`);
      }
      default:
        throw unsafe(w, `REDUCE calls ${name}, which is not an allowed function`);
    }
  }

  run(): UnpickleResult {
    const w = this.where;
    const d = this.data;
    for (;;) {
      if (this.pos >= d.length) throw invalid(w, 'the pickle ends without STOP (truncated)');
      const at = this.pos;
      const op = d[this.pos++];
      switch (op) {
        case 0x80: { // PROTO
          const p = this.u8();
          if (p > 5) throw invalid(w, `unsupported pickle protocol ${p}`);
          break;
        }
        case 0x95: // FRAME
          this.u64();
          break;
        case 0x2e: { // STOP
          const v = this.pop();
          return { value: v, end: this.pos, storages: [...this.storages.values()] };
        }
        case 0x28: // MARK
          this.metastack.push(this.stack);
          this.stack = [];
          break;
        case 0x30: // POP
          if (this.stack.length === 0) {
            this.popMark(); // Python pops a MARK when the stack is empty
          } else {
            this.pop();
          }
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.stack.push(this.top());
          break;
        case 0x4e: // NONE
          this.stack.push(null);
          break;
        case 0x88: // NEWTRUE
          this.stack.push(true);
          break;
        case 0x89: // NEWFALSE
          this.stack.push(false);
          break;
        case 0x4b: // BININT1
          this.stack.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.stack.push(this.u16());
          break;
        case 0x4a: // BININT
          this.stack.push(this.i32());
          break;
        case 0x8a: // LONG1
          this.stack.push(this.long(this.u8()));
          break;
        case 0x8b: { // LONG4
          const n = this.i32();
          if (n < 0) throw invalid(w, 'LONG4 with a negative length');
          this.stack.push(this.long(n));
          break;
        }
        case 0x49: { // INT (text)
          const s = this.line('INT');
          if (s === '01') this.stack.push(true);
          else if (s === '00') this.stack.push(false);
          else if (/^[+-]?\d{1,400}$/.test(s)) this.stack.push(this.int(BigInt(s)));
          else throw invalid(w, `bad INT ${JSON.stringify(s.slice(0, 40))}`);
          break;
        }
        case 0x4c: { // LONG (text)
          const s = this.line('LONG').replace(/L$/, '');
          if (!/^[+-]?\d{1,400}$/.test(s)) throw invalid(w, `bad LONG ${JSON.stringify(s.slice(0, 40))}`);
          this.stack.push(this.int(BigInt(s)));
          break;
        }
        case 0x46: { // FLOAT (text)
          const s = this.line('FLOAT').trim();
          const v = Number(s);
          if (s === '' || (Number.isNaN(v) && !/^[+-]?nan$/i.test(s))) throw invalid(w, `bad FLOAT ${JSON.stringify(s.slice(0, 40))}`);
          this.stack.push(v);
          break;
        }
        case 0x47: { // BINFLOAT (big-endian double)
          this.need(8, 'BINFLOAT');
          this.stack.push(this.view.getFloat64(this.pos, false));
          this.pos += 8;
          break;
        }
        case 0x58: // BINUNICODE
          this.stack.push(this.utf8.decode(this.bytes(this.u32(), 'BINUNICODE')));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.stack.push(this.utf8.decode(this.bytes(this.u8(), 'SHORT_BINUNICODE')));
          break;
        case 0x8d: // BINUNICODE8
          this.stack.push(this.utf8.decode(this.bytes(this.u64(), 'BINUNICODE8')));
          break;
        case 0x56: // UNICODE (raw-unicode-escape text; only plain text accepted)
          this.stack.push(this.line('UNICODE'));
          break;
        case 0x54: { // BINSTRING (Python 2 str, decoded as UTF-8 like torch.load's default)
          const n = this.i32();
          if (n < 0) throw invalid(w, 'BINSTRING with a negative length');
          this.stack.push(this.utf8.decode(this.bytes(n, 'BINSTRING')));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.stack.push(this.utf8.decode(this.bytes(this.u8(), 'SHORT_BINSTRING')));
          break;
        case 0x42: // BINBYTES
          this.stack.push(this.bytes(this.u32(), 'BINBYTES').slice());
          break;
        case 0x43: // SHORT_BINBYTES
          this.stack.push(this.bytes(this.u8(), 'SHORT_BINBYTES').slice());
          break;
        case 0x8e: // BINBYTES8
          this.stack.push(this.bytes(this.u64(), 'BINBYTES8').slice());
          break;
        case 0x96: // BYTEARRAY8
          this.stack.push(this.bytes(this.u64(), 'BYTEARRAY8').slice());
          break;
        case 0x29: // EMPTY_TUPLE
          this.stack.push([]);
          break;
        case 0x74: { // TUPLE
          const items = this.popMark(); // replaces this.stack, so evaluate it before pushing
          this.stack.push(items);
          break;
        }
        case 0x85: // TUPLE1
          this.stack.push(this.popN(1));
          break;
        case 0x86: // TUPLE2
          this.stack.push(this.popN(2));
          break;
        case 0x87: // TUPLE3
          this.stack.push(this.popN(3));
          break;
        case 0x5d: // EMPTY_LIST
          this.stack.push([]);
          break;
        case 0x6c: { // LIST
          const items = this.popMark();
          this.stack.push(items);
          break;
        }
        case 0x61: { // APPEND
          const v = this.pop();
          this.listOf(this.top(), 'APPEND').push(v);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          const list = this.listOf(this.top(), 'APPENDS');
          for (const v of items) list.push(v);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.stack.push(new Map());
          break;
        case 0x64: { // DICT
          const items = this.popMark();
          if (items.length % 2) throw invalid(w, 'DICT with an odd number of items');
          const m = new Map<unknown, unknown>();
          for (let i = 0; i < items.length; i += 2) m.set(this.dictKey(items[i]), items[i + 1]);
          this.stack.push(m);
          break;
        }
        case 0x73: { // SETITEM
          const v = this.pop();
          const k = this.pop();
          this.dictOf(this.top(), 'SETITEM').set(this.dictKey(k), v);
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.popMark();
          if (items.length % 2) throw invalid(w, 'SETITEMS with an odd number of items');
          const m = this.dictOf(this.top(), 'SETITEMS');
          for (let i = 0; i < items.length; i += 2) m.set(this.dictKey(items[i]), items[i + 1]);
          break;
        }
        case 0x8f: // EMPTY_SET
          this.stack.push(new Set());
          break;
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const s = this.top();
          if (!(s instanceof Set)) throw unsafe(w, `ADDITEMS on ${describeValue(s)}`);
          for (const v of items) s.add(v);
          break;
        }
        case 0x91: { // FROZENSET
          const items = this.popMark();
          this.stack.push(new Set(items));
          break;
        }
        case 0x67: { // GET
          const s = this.line('GET');
          if (!/^\d{1,10}$/.test(s)) throw invalid(w, 'bad GET index');
          this.stack.push(this.memoGet(Number(s)));
          break;
        }
        case 0x68: // BINGET
          this.stack.push(this.memoGet(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.stack.push(this.memoGet(this.u32()));
          break;
        case 0x70: { // PUT
          const s = this.line('PUT');
          if (!/^\d{1,10}$/.test(s)) throw invalid(w, 'bad PUT index');
          this.memo.set(Number(s), this.top());
          break;
        }
        case 0x71: // BINPUT
          this.memo.set(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(this.u32(), this.top());
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x63: { // GLOBAL
          const module = this.line('GLOBAL module');
          const name = this.line('GLOBAL name');
          this.stack.push(this.global(module, name));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw invalid(w, 'STACK_GLOBAL needs two strings');
          this.stack.push(this.global(module, name));
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop();
          const fn = this.pop();
          this.stack.push(this.reduce(fn, args));
          break;
        }
        case 0x62: { // BUILD
          const state = this.pop();
          const obj = this.top();
          if (this.objects) break; // the state of an object nobody builds is dropped
          if (!(obj instanceof Map)) throw unsafe(w, `BUILD on ${describeValue(obj)} (only a dict such as an OrderedDict may receive state)`);
          if (!(state instanceof Map) && state !== null) throw unsafe(w, `BUILD with state ${describeValue(state)} (only a dict of attributes is allowed)`);
          // The state is the dict's attributes (e.g. a state dict's `_metadata`); it is dropped.
          break;
        }
        case 0x51: // BINPERSID
          this.stack.push(this.persistentLoad(this.pop()));
          break;
        case 0x50: // PERSID (text ids are not what torch writes)
          throw invalid(w, 'text persistent ids (PERSID) are not PyTorch storages');
        case 0x81: { // NEWOBJ
          if (!this.objects) throw unsafe(w, 'opcode NEWOBJ (object construction) is not allowed');
          this.pop(); // args
          const cls = this.pop();
          this.stack.push(new PyObject(cls instanceof PyGlobal || cls instanceof PyObject ? cls : null));
          break;
        }
        case 0x92: { // NEWOBJ_EX
          if (!this.objects) throw unsafe(w, 'opcode NEWOBJ_EX (object construction) is not allowed');
          this.popN(2); // args, kwargs
          const cls = this.pop();
          this.stack.push(new PyObject(cls instanceof PyGlobal || cls instanceof PyObject ? cls : null));
          break;
        }
        case 0x69: throw unsafe(w, 'opcode INST (object construction) is not allowed');
        case 0x6f: throw unsafe(w, 'opcode OBJ (object construction) is not allowed');
        case 0x82: case 0x83: case 0x84: throw unsafe(w, 'opcode EXT (extension registry) is not allowed');
        case 0x97: case 0x98: throw unsafe(w, 'out-of-band buffers (NEXT_BUFFER/READONLY_BUFFER) are not allowed');
        default:
          throw invalid(w, `unknown or unsupported opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
      }
    }
  }

  /** A global by the allow-list; with `objects`, one outside it is a plain {@link PyGlobal}. */
  private global(module: string, name: string): PyGlobal | DTypeRef {
    try {
      return resolveGlobal(module, name, this.where);
    } catch (e) {
      if (this.objects && e instanceof TorchError && e.code === 'PTH_UNSAFE') return new PyGlobal(canonicalModule(module), name);
      throw e;
    }
  }

  private memoGet(i: number): unknown {
    if (!this.memo.has(i)) throw invalid(this.where, `memo entry ${i} is read before it is written`);
    return this.memo.get(i);
  }
}
