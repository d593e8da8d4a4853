/**
 * A safe pickle reader for `.pth` files: the same idea as Python's `weights_only=True` loader.
 *
 * The opcodes (protocols 0–5) run on the one safe pickle machine (./pickle_machine.ts), which only
 * ever *constructs data*: dicts, lists, tuples, numbers, strings, bytes, sets. This file is its
 * `.pth` profile: the globals besides plain data are a short allow-list (`collections.OrderedDict`,
 * the tensor/parameter rebuild functions, storage classes, dtypes, `torch.Size`, `torch.device`)
 * that yields descriptions of tensors and storages; persistent ids must be storages; Python 2
 * strings decode as UTF-8. Any other global, any object-building opcode (`NEWOBJ`, `INST`, `OBJ`,
 * `EXT*`) and any `BUILD` on something other than a dict is refused with a `PTH_UNSAFE`
 * {@link TorchError}; malformed input is `PTH_INVALID`. Nothing is ever evaluated or imported.
 * Every length is checked against the bytes left, every tensor view against its storage, and what
 * a pickle builds is charged to budgets proportional to its size (./budget.ts): a pickle asking
 * for more memory, objects or nesting than its size allows is `PTH_INVALID` too.
 *
 * The result is a "Python value" tree (see {@link PyValue}); `pth.ts` turns it into JS values and
 * tensors. This layer needs no native addon.
 */
import { TorchError, describe } from '../errors';
import type { DType } from '../tensor';
import { ITEMSIZE, storageClassDType, torchDTypeName } from './dtypes';
import type { PickleBudget } from './budget';
import { PyGlobal, describeValue as describePyValue, dictKey, runPickle, type PickleProfile } from './pickle_machine';

export { PyGlobal };

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
 * What the unpickler produces: `null` (None), boolean, number (int within ±2^53, or float),
 * bigint (int beyond), string, `Uint8Array` (bytes), arrays (list/tuple), `Map` (dict /
 * OrderedDict, keys as found), `Set`, {@link TensorRef}, {@link StorageRef}, {@link DTypeRef},
 * {@link PyGlobal}.
 */
export type PyValue = unknown;

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
  /**
   * The budget to charge, shared by the pickles of one file (see ./budget.ts). Default: one
   * proportional to `data`'s length; exceeding it is `PTH_INVALID`.
   */
  budget?: PickleBudget;
}

/** Result of {@link unpickle}: the value and the offset just after its `STOP`. */
export interface UnpickleResult {
  value: PyValue;
  end: number;
  /** Every storage a persistent id named, each once (also those inside dropped object state). */
  storages: StorageRef[];
}

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

/**
 * The allow-list beyond plain data: returns the resolved global or throws `PTH_UNSAFE` naming it.
 * `os`, `posix`, `nt`, `sys`, `subprocess`, `builtins.eval` and everything else not listed are refused.
 */
function resolveGlobal(module: string, name: string, where: string): PyGlobal | DTypeRef {
  if (module === 'torch') {
    const dt = torchDTypeName(name);
    if (dt !== undefined) return new DTypeRef(dt, name);
    if (storageClassDType(name) !== undefined || TORCH_NAMES.has(name)) return new PyGlobal(module, name);
  } else if ((module === 'collections' && name === 'OrderedDict') || (module === 'torch._utils' && TORCH_UTILS_NAMES.has(name))) {
    return new PyGlobal(module, name);
  }
  const shown = `${module}.${name}`.slice(0, 200);
  throw unsafe(where, `global ${shown} is not allowed (only tensors, storages, dtypes, OrderedDict and plain data may appear in a .pth file); nothing was executed`);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function describeTorch(v: unknown): string | undefined {
  if (v instanceof TensorRef) return 'a tensor';
  if (v instanceof StorageRef) return 'a storage';
  return undefined;
}

function describeValue(v: unknown): string {
  return describePyValue(v, describeTorch);
}

function checkShape(where: string, what: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw invalid(where, `expected a tuple of ints for the tensor ${what} but received ${describeValue(v)}`);
  for (const x of v) {
    if (!isInt(x)) throw invalid(where, `expected ints in the tensor ${what} but received ${describeValue(x)}`);
    if (x < 0) throw invalid(where, `negative tensor ${what} ${describe(v)}`);
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
  if (sz.length !== st.length) throw invalid(where, `tensor size ${describe(sz)} and stride ${describe(st)} differ in length`);
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
        throw invalid(where, `tensor of size ${describe(sz)} and stride ${describe(st)} is too large`);
      }
      last += step;
    }
    if (last >= storageElems) {
      throw invalid(where, `tensor view (offset ${offset}, size ${describe(sz)}, stride ${describe(st)}) reaches element ${last} but storage "${storage.key}" has only ${storageElems} elements`);
    }
  } else if (offset > storageElems) {
    throw invalid(where, `storage offset ${offset} is past the end of storage "${storage.key}" (${storageElems} elements)`);
  }
  const numel = sz.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(numel)) throw invalid(where, `tensor size ${describe(sz)} is too large`);
  // Overlapping views (stride 0, as from expand()) can name far more elements than the file
  // holds; anything that later makes them contiguous would allocate that much. Allow small ones.
  if (numel > storageElems && numel * ITEMSIZE[dt] > MAX_OVERLAPPING_VIEW_BYTES) {
    throw invalid(where, `tensor of size ${describe(sz)} overlaps itself over storage "${storage.key}" of ${storageElems} elements; such views are limited to ${MAX_OVERLAPPING_VIEW_BYTES} bytes`);
  }
  return new TensorRef(storage, dt, offset, sz, st, requiresGrad, false);
}

/**
 * Runs one pickle safely (lib/serialization/pickle_machine.ts with torch's globals). Persistent
 * ids must be PyTorch storage ids (`('storage', torch.XStorage, key, location, numel)`, plus
 * `view_metadata=None` in the legacy format); several ids with the same key give the same
 * {@link StorageRef}.
 *
 * @example
 * ```ts
 * const { records } = readZip(fs.readFileSync('model.pth'));
 * const { value } = unpickle(records.get('data.pkl')!, { where: 'model/data.pkl' });
 * // value: Map { 'fc.weight' => TensorRef { dtype: 'float32', size: [10, 84], … }, … }
 * ```
 */
export function unpickle(data: Uint8Array, options: UnpickleOptions = {}): UnpickleResult {
  const storages = new Map<string, StorageRef>();
  const profile: PickleProfile = {
    ...TORCH_PROFILE, ...(options.objects === true ? OBJECTS_PROFILE : {}), persistentLoad: storageLoader(options.legacy === true, storages),
  };
  const { value, end } = runPickle(data, profile, { where: options.where ?? 'data.pkl', offset: options.offset, budget: options.budget });
  return { value, end, storages: [...storages.values()] };
}

const placeholder = (cls: unknown): PyObject => new PyObject(cls instanceof PyGlobal || cls instanceof PyObject ? cls : null);

/** What `objects: true` changes: any class resolves, and making or calling one gives a {@link PyObject}. */
const OBJECTS_PROFILE: Partial<PickleProfile> = {
  global(module, name, where) {
    try {
      return resolveGlobal(module, name, where);
    } catch (e) {
      if (e instanceof TorchError && e.code === 'PTH_UNSAFE') return new PyGlobal(module === '__builtin__' ? 'builtins' : module, name);
      throw e;
    }
  },
  reduce: (fn, args, where) => reduceTorch(fn, args, where) ?? placeholder(fn),
  build() { /* the state of an object nobody builds is dropped */ },
  dictKey: (k) => k,
  newObject: (cls) => placeholder(cls),
  callValue: (fn) => (fn instanceof PyObject ? placeholder(fn) : undefined),
};

/** What a `.pth` pickle may hold beyond plain data; Python 2 strings decode as UTF-8, like `torch.load`'s default. */
const TORCH_PROFILE: PickleProfile = {
  unsafe,
  invalid,
  str: 'utf-8',
  copyBytes: true,
  global: resolveGlobal,
  reduce: reduceTorch,
  build(obj, state, where) {
    if (!(obj instanceof Map)) throw unsafe(where, `BUILD on ${describeValue(obj)} (only a dict such as an OrderedDict may receive state)`);
    if (!(state instanceof Map) && state !== null) throw unsafe(where, `BUILD with state ${describeValue(state)} (only a dict of attributes is allowed)`);
    // The state is the dict's attributes (e.g. a state dict's `_metadata`); it is dropped.
  },
  dictKey: (k) => (k instanceof DTypeRef ? k : undefined),
  describe: describeTorch,
};

/** `REDUCE` of torch's allowed globals (`undefined`: not callable). */
function reduceTorch(fn: PyGlobal, args: unknown[], w: string): unknown {
  const name = fn.qualifiedName;
  switch (name) {
    case 'collections.OrderedDict': {
      const m = new Map<unknown, unknown>();
      if (args.length === 0) return m;
      if (args.length === 1 && Array.isArray(args[0])) {
        for (const kv of args[0]) {
          if (!Array.isArray(kv) || kv.length !== 2) throw invalid(w, 'OrderedDict items must be pairs');
          m.set(dictKey(kv[0], TORCH_PROFILE, w), kv[1]);
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
    default:
      return undefined;
  }
}

/** `persistent_load` for one pickle: storage ids, the same key giving the same {@link StorageRef}. */
function storageLoader(legacy: boolean, storages: Map<string, StorageRef>): (pid: unknown, where: string) => StorageRef {
  return (pid, w) => {
    const fields = legacy ? 6 : 5;
    if (!Array.isArray(pid) || pid[0] !== 'storage' || (pid.length !== fields && !(legacy && pid.length === 5))) {
      throw invalid(w, `malformed persistent id ${describeValue(pid)}; expected ('storage', torch.XStorage, key, location, numel${legacy ? ', view_metadata' : ''})`);
    }
    const [, cls, key, location, numel] = pid;
    if (!(cls instanceof PyGlobal) || cls.module !== 'torch' || storageClassDType(cls.name) === undefined) {
      throw invalid(w, `persistent id names ${describeValue(cls)} where a storage class was expected`);
    }
    if (typeof key !== 'string' || key.length === 0 || key.length > 256) throw invalid(w, `bad storage key ${describeValue(key)}`);
    if (typeof location !== 'string') throw invalid(w, `bad storage location ${describeValue(location)}`);
    if (!isInt(numel) || numel < 0) throw invalid(w, `bad storage size ${describeValue(numel)} for storage "${key}"`);
    if (legacy && pid.length === 6 && pid[5] !== null) {
      throw invalid(w, `storage "${key}" is a legacy storage view (view_metadata), which is not supported`);
    }
    const dtype = storageClassDType(cls.name)!;
    if (!Number.isSafeInteger(numel * ITEMSIZE[dtype])) throw invalid(w, `storage "${key}" is too large`);
    const prev = storages.get(key);
    if (prev) {
      if (prev.dtype !== dtype || prev.numel !== numel) {
        throw invalid(w, `storage "${key}" is described twice with different types or sizes`);
      }
      return prev;
    }
    const s = new StorageRef(key, dtype, location, numel);
    storages.set(key, s);
    return s;
  };
}
