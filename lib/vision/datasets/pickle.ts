/**
 * A safe reader for pickles of plain data and numpy arrays, as the Python versions of CIFAR
 * (and many other datasets) are stored, read as Python 3 reads them with `encoding='latin1'`.
 *
 * It runs pickle protocols 0–5 but only ever constructs data: `None`, booleans, numbers, strings,
 * bytes, lists, tuples, dicts and numpy arrays ({@link NdArray}). The only globals it knows are
 * numpy's array and dtype reconstructors and `_codecs.encode` (how protocol 2 writes bytes);
 * every other global, and every object-building opcode, is refused with a `PICKLE_UNSAFE`
 * {@link TorchError}; nothing is imported or run. Every length is checked against the bytes left,
 * and an array's bytes must be exactly its shape times its item size.
 *
 * (The `.pth` reader in lib/serialization allows torch's globals instead of numpy's and decodes
 * Python 2 strings as UTF-8, as `torch.load` does; CIFAR needs numpy and latin-1, hence this one.)
 */
import { TorchError } from '../../errors';

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

class Global {
  constructor(readonly name: string) {}
}

const ITEM_SIZES: Record<string, number> = { b1: 1, u1: 1, i1: 1, u2: 2, i2: 2, u4: 4, i4: 4, u8: 8, i8: 8, f2: 2, f4: 4, f8: 8 };

const GLOBALS = new Set([
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.ndarray', 'numpy.dtype',
  'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer',
  '_codecs.encode',
]);

function unsafe(where: string, message: string): TorchError {
  return new TorchError(`Refusing to read ${where}: ${message}`, 'PICKLE_UNSAFE');
}
function invalid(where: string, message: string): TorchError {
  return new TorchError(`Invalid pickle ${where}: ${message}`, 'PICKLE_INVALID');
}

function describeValue(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return `a tuple/list of length ${v.length}`;
  if (v instanceof Map) return 'a dict';
  if (v instanceof Global) return `global ${v.name}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return String(v);
}

/**
 * What {@link unpickleData} returns: `null` (None), boolean, number (int within ±2^53, or
 * float), bigint (larger int), string (Python 2 strings decoded as latin-1), `Uint8Array`
 * (bytes), arrays (lists and tuples), `Map` (dicts), {@link NdArray}.
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
  return new Reader(bytes, where).run();
}

class Reader {
  private pos = 0;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;
  private readonly utf8 = new TextDecoder('utf-8');

  constructor(private readonly data: Uint8Array, private readonly where: string) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.data.length) {
      throw invalid(this.where, `${what} needs ${n} bytes at offset ${this.pos} but the file ends at ${this.data.length} (truncated)`);
    }
  }
  private u8(): number { this.need(1, 'an opcode argument'); return this.data[this.pos++]; }
  private u16(): number { this.need(2, 'an opcode argument'); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  private u32(): number { this.need(4, 'an opcode argument'); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  private i32(): number { this.need(4, 'an opcode argument'); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  private u64(): number {
    this.need(8, 'an opcode argument');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(this.data.length)) throw invalid(this.where, `length ${v} is larger than the whole file`);
    return Number(v);
  }
  private bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  private latin1(n: number, what: string): string {
    const b = this.bytes(n, what);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
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
    if (n > 1 << 16) throw invalid(this.where, `an integer of ${n} bytes is too large`);
    const b = this.bytes(n, 'LONG');
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return this.int(v);
  }
  private key(k: unknown): unknown {
    if (k === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof k) || Array.isArray(k)) return k;
    // bytes keys (a dict pickled by Python 3 with bytes keys) are read as latin-1 strings
    if (k instanceof Uint8Array) return Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1');
    throw invalid(this.where, `unsupported dict key ${describeValue(k)}`);
  }
  private dict(v: unknown, op: string): Map<unknown, unknown> {
    if (!(v instanceof Map)) throw unsafe(this.where, `${op} on ${describeValue(v)} (only dicts may receive items)`);
    return v;
  }
  private list(v: unknown, op: string): unknown[] {
    if (!Array.isArray(v)) throw unsafe(this.where, `${op} on ${describeValue(v)} (only lists may receive items)`);
    return v;
  }
  private memoGet(i: number): unknown {
    if (!this.memo.has(i)) throw invalid(this.where, `memo entry ${i} is read before it is written`);
    return this.memo.get(i);
  }

  private global(module: string, name: string): Global {
    const full = `${module}.${name}`;
    if (!GLOBALS.has(full)) {
      throw unsafe(this.where, `global ${full.slice(0, 200)} is not allowed (only numpy arrays and plain data may appear); nothing was executed`);
    }
    return new Global(full);
  }

  private dtype(str: unknown): DTypeValue {
    if (typeof str !== 'string') throw invalid(this.where, `numpy dtype ${describeValue(str)} is not a type string`);
    const m = /^([<>|=]?)([biuf]\d)$/.exec(str);
    if (!m || ITEM_SIZES[m[2]] === undefined) throw invalid(this.where, `numpy dtype '${str.slice(0, 20)}' is not supported (only bool, integers and floats)`);
    const d = new DTypeValue(m[2]);
    if (m[1] === '<' || m[1] === '>') d.byteOrder = m[1];
    if (m[1] === '=') d.byteOrder = '<';
    return d;
  }

  private array(dtype: unknown, shape: unknown, fortran: unknown, raw: unknown): NdArray {
    const w = this.where;
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

  private reduce(fn: unknown, args: unknown): unknown {
    const w = this.where;
    if (!(fn instanceof Global)) throw unsafe(w, `REDUCE calls ${describeValue(fn)}, which is not an allowed function`);
    if (!Array.isArray(args)) throw invalid(w, `REDUCE arguments for ${fn.name} are ${describeValue(args)}, not a tuple`);
    switch (fn.name) {
      case 'numpy.core.multiarray._reconstruct':
      case 'numpy._core.multiarray._reconstruct':
        if (!(args[0] instanceof Global) || args[0].name !== 'numpy.ndarray') throw unsafe(w, `_reconstruct of ${describeValue(args[0])} (only numpy.ndarray)`);
        return new PendingArray();
      case 'numpy.dtype':
        if (args.length < 1) throw invalid(w, 'numpy.dtype without a type string');
        return this.dtype(args[0]);
      case 'numpy.core.numeric._frombuffer':
      case 'numpy._core.numeric._frombuffer': {
        if (args.length !== 4) throw invalid(w, `_frombuffer takes 4 arguments, got ${args.length}`);
        const [buf, dtype, shape, order] = args;
        return this.array(dtype, shape, order === 'F', buf);
      }
      case '_codecs.encode':
        if (args.length === 2 && typeof args[0] === 'string' && (args[1] === 'latin1' || args[1] === 'latin-1')) {
          return new Uint8Array(Buffer.from(args[0], 'latin1'));
        }
        throw invalid(w, "_codecs.encode is only allowed as encode(str, 'latin1') for bytes");
      default:
        throw unsafe(w, `REDUCE calls ${fn.name}, which is not an allowed function`);
    }
  }

  private build(obj: unknown, state: unknown): void {
    const w = this.where;
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
      obj.array = this.array(state[2], state[1], state[3], state[4]);
      return;
    }
    throw unsafe(w, `BUILD on ${describeValue(obj)} (only numpy arrays and dtypes receive state)`);
  }

  /** Replaces finished numpy placeholders with their arrays, everywhere in the result. */
  private finish(v: unknown, seen = new Set<unknown>()): unknown {
    if (v instanceof PendingArray) {
      if (v.array === null) throw invalid(this.where, 'a numpy array was never given its data (BUILD missing)');
      return v.array;
    }
    if (v instanceof DTypeValue || v instanceof Global) throw invalid(this.where, `${describeValue(v)} left in the data`);
    if (seen.has(v)) return v;
    if (Array.isArray(v)) {
      seen.add(v);
      for (let i = 0; i < v.length; i++) v[i] = this.finish(v[i], seen);
    } else if (v instanceof Map) {
      seen.add(v);
      for (const [k, x] of v) v.set(k, this.finish(x, seen));
    }
    return v;
  }

  run(): unknown {
    const w = this.where;
    const d = this.data;
    for (;;) {
      if (this.pos >= d.length) throw invalid(w, 'the pickle ends without STOP (truncated)');
      const at = this.pos;
      const op = d[this.pos++];
      switch (op) {
        case 0x80: { const p = this.u8(); if (p > 5) throw invalid(w, `unsupported pickle protocol ${p}`); break; } // PROTO
        case 0x95: this.u64(); break; // FRAME
        case 0x2e: return this.finish(this.pop()); // STOP
        case 0x28: this.metastack.push(this.stack); this.stack = []; break; // MARK
        case 0x30: if (this.stack.length === 0) this.popMark(); else this.pop(); break; // POP
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.stack.push(this.top()); break; // DUP
        case 0x4e: this.stack.push(null); break; // NONE
        case 0x88: this.stack.push(true); break; // NEWTRUE
        case 0x89: this.stack.push(false); break; // NEWFALSE
        case 0x4b: this.stack.push(this.u8()); break; // BININT1
        case 0x4d: this.stack.push(this.u16()); break; // BININT2
        case 0x4a: this.stack.push(this.i32()); break; // BININT
        case 0x8a: this.stack.push(this.long(this.u8())); break; // LONG1
        case 0x8b: { const n = this.i32(); if (n < 0) throw invalid(w, 'LONG4 with a negative length'); this.stack.push(this.long(n)); break; }
        case 0x49: { // INT
          const s = this.line('INT');
          if (s === '01') this.stack.push(true);
          else if (s === '00') this.stack.push(false);
          else if (/^[+-]?\d{1,400}$/.test(s)) this.stack.push(this.int(BigInt(s)));
          else throw invalid(w, `bad INT ${JSON.stringify(s.slice(0, 40))}`);
          break;
        }
        case 0x4c: { // LONG
          const s = this.line('LONG').replace(/L$/, '');
          if (!/^[+-]?\d{1,400}$/.test(s)) throw invalid(w, `bad LONG ${JSON.stringify(s.slice(0, 40))}`);
          this.stack.push(this.int(BigInt(s)));
          break;
        }
        case 0x46: { // FLOAT
          const s = this.line('FLOAT').trim();
          const v = Number(s);
          if (s === '' || (Number.isNaN(v) && !/^[+-]?nan$/i.test(s))) throw invalid(w, `bad FLOAT ${JSON.stringify(s.slice(0, 40))}`);
          this.stack.push(v);
          break;
        }
        case 0x47: this.need(8, 'BINFLOAT'); this.stack.push(this.view.getFloat64(this.pos, false)); this.pos += 8; break;
        case 0x58: this.stack.push(this.utf8.decode(this.bytes(this.u32(), 'BINUNICODE'))); break;
        case 0x8c: this.stack.push(this.utf8.decode(this.bytes(this.u8(), 'SHORT_BINUNICODE'))); break;
        case 0x8d: this.stack.push(this.utf8.decode(this.bytes(this.u64(), 'BINUNICODE8'))); break;
        case 0x56: this.stack.push(this.line('UNICODE')); break;
        case 0x54: { const n = this.i32(); if (n < 0) throw invalid(w, 'BINSTRING with a negative length'); this.stack.push(this.latin1(n, 'BINSTRING')); break; }
        case 0x55: this.stack.push(this.latin1(this.u8(), 'SHORT_BINSTRING')); break;
        case 0x42: this.stack.push(this.bytes(this.u32(), 'BINBYTES')); break;
        case 0x43: this.stack.push(this.bytes(this.u8(), 'SHORT_BINBYTES')); break;
        case 0x8e: this.stack.push(this.bytes(this.u64(), 'BINBYTES8')); break;
        case 0x96: this.stack.push(this.bytes(this.u64(), 'BYTEARRAY8')); break;
        case 0x29: this.stack.push([]); break; // EMPTY_TUPLE
        case 0x74: { const items = this.popMark(); this.stack.push(items); break; } // TUPLE
        case 0x85: this.stack.push(this.popN(1)); break;
        case 0x86: this.stack.push(this.popN(2)); break;
        case 0x87: this.stack.push(this.popN(3)); break;
        case 0x5d: this.stack.push([]); break; // EMPTY_LIST
        case 0x6c: { const items = this.popMark(); this.stack.push(items); break; } // LIST
        case 0x61: { const v = this.pop(); this.list(this.top(), 'APPEND').push(v); break; }
        case 0x65: { // APPENDS
          const items = this.popMark();
          const list = this.list(this.top(), 'APPENDS');
          for (const v of items) list.push(v);
          break;
        }
        case 0x7d: this.stack.push(new Map()); break; // EMPTY_DICT
        case 0x64: { // DICT
          const items = this.popMark();
          if (items.length % 2) throw invalid(w, 'DICT with an odd number of items');
          const m = new Map<unknown, unknown>();
          for (let i = 0; i < items.length; i += 2) m.set(this.key(items[i]), items[i + 1]);
          this.stack.push(m);
          break;
        }
        case 0x73: { const v = this.pop(); const k = this.pop(); this.dict(this.top(), 'SETITEM').set(this.key(k), v); break; }
        case 0x75: { // SETITEMS
          const items = this.popMark();
          if (items.length % 2) throw invalid(w, 'SETITEMS with an odd number of items');
          const m = this.dict(this.top(), 'SETITEMS');
          for (let i = 0; i < items.length; i += 2) m.set(this.key(items[i]), items[i + 1]);
          break;
        }
        case 0x67: { const s = this.line('GET'); if (!/^\d{1,10}$/.test(s)) throw invalid(w, 'bad GET index'); this.stack.push(this.memoGet(Number(s))); break; }
        case 0x68: this.stack.push(this.memoGet(this.u8())); break;
        case 0x6a: this.stack.push(this.memoGet(this.u32())); break;
        case 0x70: { const s = this.line('PUT'); if (!/^\d{1,10}$/.test(s)) throw invalid(w, 'bad PUT index'); this.memo.set(Number(s), this.top()); break; }
        case 0x71: this.memo.set(this.u8(), this.top()); break;
        case 0x72: this.memo.set(this.u32(), this.top()); break;
        case 0x94: this.memo.set(this.memo.size, this.top()); break; // MEMOIZE
        case 0x63: { const module = this.line('GLOBAL module'); const name = this.line('GLOBAL name'); this.stack.push(this.global(module, name)); break; }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw invalid(w, 'STACK_GLOBAL needs two strings');
          this.stack.push(this.global(module, name));
          break;
        }
        case 0x52: { const args = this.pop(); const fn = this.pop(); this.stack.push(this.reduce(fn, args)); break; } // REDUCE
        case 0x62: { const state = this.pop(); this.build(this.top(), state); break; } // BUILD
        case 0x81: case 0x92: case 0x69: case 0x6f:
          throw unsafe(w, `opcode 0x${op.toString(16)} (object construction) is not allowed`);
        case 0x82: case 0x83: case 0x84: throw unsafe(w, 'opcode EXT (extension registry) is not allowed');
        case 0x50: case 0x51: throw unsafe(w, 'persistent ids are not allowed');
        case 0x97: case 0x98: throw unsafe(w, 'out-of-band buffers are not allowed');
        default:
          throw invalid(w, `unknown or unsupported opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
      }
    }
  }
}
