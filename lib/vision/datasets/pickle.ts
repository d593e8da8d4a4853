/**
 * A safe reader for pickles of plain data and numpy arrays, as the Python versions of CIFAR
 * (and many other datasets) are stored, read as Python 3 reads them with `encoding='latin1'`.
 *
 * The opcodes run on nodetorch's one safe pickle machine (lib/serialization/pickle_machine.ts),
 * which only ever constructs data: `None`, booleans, numbers, strings, bytes, lists, tuples, dicts
 * and sets. This file is its numpy profile: besides plain data, the only globals are numpy's array
 * and dtype reconstructors, which yield {@link NdArray}s; Python 2 strings decode as latin-1.
 * Every other global, every object-building opcode and persistent ids are refused with a
 * `PICKLE_UNSAFE` {@link TorchError}, malformed input is `PICKLE_INVALID`; nothing is imported or
 * run. Every length is checked against the bytes left, and an array's bytes must be exactly its
 * shape times its item size. (The `.pth` reader is the machine's other profile: torch's globals,
 * UTF-8, as `torch.load` reads.)
 */
import { TorchError } from '../../errors';
import { PyGlobal, describeValue, runPickle, type PickleProfile } from '../../serialization/pickle_machine';

/**
 * A numpy array from a pickle: its dtype, shape and raw bytes in C order (`fortran` false) or
 * Fortran order, in the byte order `dtype` names.
 *
 * @example
 * ```ts
 * const a = unpickleData(bytes).get('data') as NdArray;
 * a.dtype; // 'u1'
 * a.shape; // [10000, 3072]
 * ```
 */
export class NdArray {
  constructor(
    /** numpy's type string without byte order: `'u1'`, `'i8'`, `'f4'`, `'b1'`, … */
    readonly dtype: string,
    /** `'<'` little-endian, `'>'` big-endian, `'|'` not applicable. */
    readonly byteOrder: '<' | '>' | '|',
    readonly shape: readonly number[],
    readonly fortran: boolean,
    readonly data: Uint8Array,
  ) {}

  /** Number of elements. */
  get size(): number { return this.shape.reduce((a, b) => a * b, 1); }

  /**
   * The elements as JS numbers in C order (integers and floats of up to 8 bytes; int64 must be exact).
   * @example
   * ```ts
   * labels.toNumbers(); // [6, 9, 9, 4, …]
   * ```
   */
  toNumbers(): number[] {
    const kind = this.dtype[0];
    const item = Number(this.dtype.slice(1));
    if (this.fortran && this.shape.length > 1) throw new TorchError('Fortran-ordered numpy arrays are not supported', 'PICKLE_INVALID');
    const view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    const le = this.byteOrder !== '>';
    const out: number[] = new Array(this.size);
    for (let i = 0; i < out.length; i++) {
      const o = i * item;
      if (kind === 'u' || kind === 'b') {
        out[i] = item === 1 ? view.getUint8(o) : item === 2 ? view.getUint16(o, le) : item === 4 ? view.getUint32(o, le) : safe(view.getBigUint64(o, le));
      } else if (kind === 'i') {
        out[i] = item === 1 ? view.getInt8(o) : item === 2 ? view.getInt16(o, le) : item === 4 ? view.getInt32(o, le) : safe(view.getBigInt64(o, le));
      } else {
        out[i] = item === 4 ? view.getFloat32(o, le) : view.getFloat64(o, le);
      }
    }
    return out;
  }
}

function safe(v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new TorchError(`integer ${v} does not fit a JS number exactly`, 'PICKLE_INVALID');
  return n;
}

/** A numpy dtype while its pickle is being read (byte order arrives with BUILD). */
class DTypeValue {
  byteOrder: '<' | '>' | '|' = '|';
  constructor(readonly str: string) {}
}

/** `_reconstruct(ndarray, (0,), b'b')`: an empty array that BUILD fills. */
class PendingArray {
  array: NdArray | null = null;
}

const ITEM_SIZES: Record<string, number> = { b1: 1, u1: 1, i1: 1, u2: 2, i2: 2, u4: 4, i4: 4, u8: 8, i8: 8, f2: 2, f4: 4, f8: 8 };

const GLOBALS = new Set([
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.ndarray', 'numpy.dtype',
  'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer',
]);

function unsafe(where: string, message: string): TorchError {
  return new TorchError(`Refusing to read ${where}: ${message}`, 'PICKLE_UNSAFE');
}
function invalid(where: string, message: string): TorchError {
  return new TorchError(`Invalid pickle ${where}: ${message}`, 'PICKLE_INVALID');
}

/**
 * What {@link unpickleData} returns: `null` (None), boolean, number (int within ±2^53, or
 * float), bigint (larger int), string (Python 2 strings decoded as latin-1), `Uint8Array`
 * (bytes, views into the input), arrays (lists and tuples), `Map` (dicts), `Set`, {@link NdArray}.
 */
export type PickleValue = unknown;

/**
 * Reads one pickle of plain data and numpy arrays, safely (see the module comment). `where`
 * names the file in errors.
 *
 * @example
 * ```ts
 * const batch = unpickleData(readFileSync('cifar-10-batches-py/data_batch_1'), 'data_batch_1') as Map<string, unknown>;
 * (batch.get('data') as NdArray).shape; // [10000, 3072]
 * (batch.get('labels') as number[]).length; // 10000
 * ```
 */
export function unpickleData(bytes: Uint8Array, where = 'pickle'): PickleValue {
  return finish(runPickle(bytes, NUMPY_PROFILE, { where }).value, where);
}

/** What a numpy pickle may hold beyond plain data. Bytes stay views: a CIFAR batch is not copied. */
const NUMPY_PROFILE: PickleProfile = {
  unsafe,
  invalid,
  str: 'latin1',
  copyBytes: false,
  global(module, name, where) {
    const full = `${module}.${name}`;
    if (!GLOBALS.has(full)) {
      throw unsafe(where, `global ${full.slice(0, 200)} is not allowed (only numpy arrays and plain data may appear); nothing was executed`);
    }
    return new PyGlobal(module, name);
  },
  reduce: reduceNumpy,
  build: buildNumpy,
  // bytes keys (a dict pickled by Python 3 with bytes keys) are read as latin-1 strings
  dictKey: (k) => (k instanceof Uint8Array ? Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1') : undefined),
};

function parseDType(str: unknown, where: string): DTypeValue {
  if (typeof str !== 'string') throw invalid(where, `numpy dtype ${describeValue(str)} is not a type string`);
  const m = /^([<>|=]?)([biuf]\d)$/.exec(str);
  if (!m || ITEM_SIZES[m[2]] === undefined) throw invalid(where, `numpy dtype '${str.slice(0, 20)}' is not supported (only bool, integers and floats)`);
  const d = new DTypeValue(m[2]);
  if (m[1] === '<' || m[1] === '>') d.byteOrder = m[1];
  if (m[1] === '=') d.byteOrder = '<';
  return d;
}

function makeArray(dtype: unknown, shape: unknown, fortran: unknown, raw: unknown, w: string): NdArray {
  if (!(dtype instanceof DTypeValue)) throw invalid(w, `numpy array with dtype ${describeValue(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw invalid(w, `numpy array shape ${describeValue(shape)} is not a tuple of sizes`);
  }
  let data: Uint8Array;
  if (raw instanceof Uint8Array) data = raw;
  else if (typeof raw === 'string') data = new Uint8Array(Buffer.from(raw, 'latin1'));
  else throw unsafe(w, `numpy array data ${describeValue(raw)} is not bytes (object arrays are refused)`);
  const item = ITEM_SIZES[dtype.str];
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(size * item) || size * item !== data.length) {
    throw invalid(w, `numpy array of shape [${(shape as number[]).join(', ')}] ${dtype.str} needs ${size * item} bytes but has ${data.length}`);
  }
  const order = item === 1 ? '|' : dtype.byteOrder === '|' ? '<' : dtype.byteOrder;
  return new NdArray(dtype.str, order, [...(shape as number[])], fortran === true, data);
}

/** `REDUCE` of numpy's allowed globals (`undefined`: not callable, e.g. `numpy.ndarray` itself). */
function reduceNumpy(fn: PyGlobal, args: unknown[], w: string): unknown {
  switch (fn.qualifiedName) {
    case 'numpy.core.multiarray._reconstruct':
    case 'numpy._core.multiarray._reconstruct':
      if (!(args[0] instanceof PyGlobal) || args[0].qualifiedName !== 'numpy.ndarray') throw unsafe(w, `_reconstruct of ${describeValue(args[0])} (only numpy.ndarray)`);
      return new PendingArray();
    case 'numpy.dtype':
      if (args.length < 1) throw invalid(w, 'numpy.dtype without a type string');
      return parseDType(args[0], w);
    case 'numpy.core.numeric._frombuffer':
    case 'numpy._core.numeric._frombuffer': {
      if (args.length !== 4) throw invalid(w, `_frombuffer takes 4 arguments, got ${args.length}`);
      const [buf, dtype, shape, order] = args;
      return makeArray(dtype, shape, order === 'F', buf, w);
    }
    default:
      return undefined;
  }
}

function buildNumpy(obj: unknown, state: unknown, w: string): void {
  if (obj instanceof DTypeValue) {
    // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
    if (!Array.isArray(state) || typeof state[1] !== 'string') throw invalid(w, 'numpy dtype state is not a tuple');
    if (state[2] !== null || state[3] !== null) throw invalid(w, 'structured numpy dtypes are not supported');
    const order = state[1] === '=' ? '<' : state[1];
    if (order !== '<' && order !== '>' && order !== '|') throw invalid(w, `numpy byte order ${describeValue(state[1])}`);
    obj.byteOrder = order;
    return;
  }
  if (obj instanceof PendingArray) {
    // (version, shape, dtype, is_fortran, raw data)
    if (!Array.isArray(state) || state.length !== 5) throw invalid(w, 'numpy array state is not a 5-tuple');
    obj.array = makeArray(state[2], state[1], state[3], state[4], w);
    return;
  }
  throw unsafe(w, `BUILD on ${describeValue(obj)} (only numpy arrays and dtypes receive state)`);
}

/** Replaces finished numpy placeholders with their arrays, everywhere in the result. */
function finish(v: unknown, where: string, seen = new Set<unknown>()): unknown {
  if (v instanceof PendingArray) {
    if (v.array === null) throw invalid(where, 'a numpy array was never given its data (BUILD missing)');
    return v.array;
  }
  if (v instanceof DTypeValue || v instanceof PyGlobal) throw invalid(where, `${describeValue(v)} left in the data`);
  if (seen.has(v)) return v;
  if (Array.isArray(v)) {
    seen.add(v);
    for (let i = 0; i < v.length; i++) v[i] = finish(v[i], where, seen);
  } else if (v instanceof Map) {
    seen.add(v);
    for (const [k, x] of v) v.set(k, finish(x, where, seen));
  } else if (v instanceof Set) {
    seen.add(v);
    const items = [...v];
    v.clear();
    for (const x of items) v.add(finish(x, where, seen));
  }
  return v;
}
