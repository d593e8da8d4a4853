/**
 * Writes pickle protocol 2 of exactly the shape Python's `torch.save` writes, using only what
 * Python's safe loader (`torch.load(..., weights_only=True)`) accepts on PyTorch 1.13 and 2.x:
 * `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`, storage classes, and plain data.
 *
 * Tensors are written as `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
 * OrderedDict())`, the storage as the persistent id
 * `('storage', torch.FloatStorage, key, 'cpu', numel)`; the storage bytes themselves are the
 * caller's business (`pth.ts` puts them in `data/<key>` records). This layer needs no addon.
 */
import { typeError } from '../errors';
import { MAX_NESTING } from './budget';
import type { DType } from '../tensor';
import { DTYPE_TO_STORAGE_CLASS } from './dtypes';
import { TensorRef } from './unpickler';

/** A tensor as the pickler sees it: a strided view of a storage record. */
export interface PickleTensor {
  /** Storage record key (`data/<key>`). Tensors with the same key share one storage. */
  storageKey: string;
  /** dtype of the storage and the tensor. */
  dtype: DType;
  /** Number of elements in the storage. */
  storageNumel: number;
  storageOffset: number;
  size: readonly number[];
  stride: readonly number[];
  requiresGrad: boolean;
  /** Location string written to the file. Default `'cpu'`. */
  location?: string;
}

/** Options for {@link pickle}. */
export interface PickleOptions {
  /**
   * Called for every object value before anything else; returns its tensor description, or
   * `undefined` when the value is not a tensor. {@link TensorRef}s are recognised without it.
   */
  tensor?: (value: object) => PickleTensor | undefined;
}

class ByteWriter {
  private buf = Buffer.alloc(4096);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.length);
    this.length += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
  }
  f64be(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.length);
    this.length += 8;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

const OP = {
  PROTO: 0x80, STOP: 0x2e, MARK: 0x28, NONE: 0x4e, NEWTRUE: 0x88, NEWFALSE: 0x89,
  BININT: 0x4a, BININT1: 0x4b, BININT2: 0x4d, LONG1: 0x8a, LONG4: 0x8b, BINFLOAT: 0x47,
  BINUNICODE: 0x58, EMPTY_TUPLE: 0x29, TUPLE: 0x74, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87,
  EMPTY_LIST: 0x5d, APPENDS: 0x65, EMPTY_DICT: 0x7d, SETITEMS: 0x75, GLOBAL: 0x63,
  REDUCE: 0x52, BINPERSID: 0x51, BINPUT: 0x71, LONG_BINPUT: 0x72, BINGET: 0x68, LONG_BINGET: 0x6a,
} as const;

/** Python pickles containers in batches of this many items. */
const BATCH = 1000;

function longBytes(v: bigint): Buffer {
  // Two's complement, little-endian, minimal length (as Python's encode_long).
  if (v === 0n) return Buffer.alloc(0);
  const out: number[] = [];
  let x = v;
  for (;;) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
    const signBit = out[out.length - 1] & 0x80;
    if ((x === 0n && !signBit) || (x === -1n && signBit)) break;
  }
  return Buffer.from(out);
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

class Pickler {
  private readonly w = new ByteWriter();
  private readonly memo = new Map<string, number>();
  private readonly active = new Set<object>();

  constructor(private readonly options: PickleOptions) {}

  private put(key: string): void {
    const i = this.memo.size;
    this.memo.set(key, i);
    if (i < 256) {
      this.w.byte(OP.BINPUT);
      this.w.byte(i);
    } else {
      this.w.byte(OP.LONG_BINPUT);
      this.w.u32(i);
    }
  }
  /** Writes a memoized item: a BINGET if written before, else `write()` then a BINPUT. */
  private memoized(key: string, write: () => void): void {
    const i = this.memo.get(key);
    if (i !== undefined) {
      if (i < 256) {
        this.w.byte(OP.BINGET);
        this.w.byte(i);
      } else {
        this.w.byte(OP.LONG_BINGET);
        this.w.u32(i);
      }
      return;
    }
    write();
    this.put(key);
  }
  private global(module: string, name: string): void {
    this.memoized(`global:${module}\n${name}`, () => {
      this.w.byte(OP.GLOBAL);
      this.w.bytes(Buffer.from(`${module}\n${name}\n`, 'utf8'));
    });
  }

  private int(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v <= 0xff) {
      this.w.byte(OP.BININT1);
      this.w.byte(v);
    } else if (typeof v === 'number' && v >= 0 && v <= 0xffff) {
      this.w.byte(OP.BININT2);
      this.w.u16(v);
    } else if (typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff) {
      this.w.byte(OP.BININT);
      this.w.i32(v);
    } else {
      const b = longBytes(BigInt(v));
      if (b.length < 256) {
        this.w.byte(OP.LONG1);
        this.w.byte(b.length);
      } else {
        this.w.byte(OP.LONG4);
        this.w.i32(b.length);
      }
      this.w.bytes(b);
    }
  }
  private str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.w.byte(OP.BINUNICODE);
    this.w.u32(b.length);
    this.w.bytes(b);
  }
  private tuple(items: readonly unknown[], path: string): void {
    if (items.length === 0) {
      this.w.byte(OP.EMPTY_TUPLE);
      return;
    }
    if (items.length > 3) this.w.byte(OP.MARK);
    items.forEach((v, i) => this.value(v, `${path}[${i}]`, 0));
    this.w.byte(items.length === 1 ? OP.TUPLE1 : items.length === 2 ? OP.TUPLE2 : items.length === 3 ? OP.TUPLE3 : OP.TUPLE);
  }
  private orderedDict(): void {
    this.global('collections', 'OrderedDict');
    this.w.byte(OP.EMPTY_TUPLE);
    this.w.byte(OP.REDUCE);
  }
  private items(entries: Array<[unknown, unknown]>, path: string, depth: number): void {
    for (let i = 0; i < entries.length; i += BATCH) {
      this.w.byte(OP.MARK);
      for (const [k, v] of entries.slice(i, i + BATCH)) {
        this.value(k, `${path} key`, depth);
        this.value(v, `${path}[${JSON.stringify(String(k))}]`, depth);
      }
      this.w.byte(OP.SETITEMS);
    }
  }

  private tensor(t: PickleTensor, path: string): void {
    const cls = DTYPE_TO_STORAGE_CLASS[t.dtype];
    if (cls === undefined) throw typeError('a tensor of a supported dtype', path, t.dtype);
    this.global('torch._utils', '_rebuild_tensor_v2');
    this.w.byte(OP.MARK);
    this.memoized(`storage:${t.storageKey}`, () => {
      this.w.byte(OP.MARK);
      this.str('storage');
      this.global('torch', cls);
      this.str(t.storageKey);
      this.str(t.location ?? 'cpu');
      this.int(t.storageNumel);
      this.w.byte(OP.TUPLE);
      this.w.byte(OP.BINPERSID);
    });
    this.int(t.storageOffset);
    this.tuple(t.size, path);
    this.tuple(t.stride, path);
    this.w.byte(t.requiresGrad ? OP.NEWTRUE : OP.NEWFALSE);
    this.orderedDict(); // backward hooks
    this.w.byte(OP.TUPLE);
    this.w.byte(OP.REDUCE);
  }

  /** Writes `v`, found `depth` containers deep (the recursion is bounded by {@link MAX_NESTING}). */
  value(v: unknown, path: string, depth: number): void {
    const w = this.w;
    if (v === null || v === undefined) {
      w.byte(OP.NONE);
      return;
    }
    switch (typeof v) {
      case 'boolean':
        w.byte(v ? OP.NEWTRUE : OP.NEWFALSE);
        return;
      case 'number':
        if (Number.isInteger(v)) {
          this.int(v);
        } else {
          w.byte(OP.BINFLOAT);
          w.f64be(v);
        }
        return;
      case 'bigint':
        this.int(v);
        return;
      case 'string':
        this.str(v);
        return;
      case 'object':
        break;
      default:
        throw typeError('plain data (object, Map, array, number, bigint, string, boolean, null or Tensor)', path, v);
    }
    const obj = v as object;
    const t = obj instanceof TensorRef
      ? {
          storageKey: obj.storage.key, dtype: obj.dtype, storageNumel: obj.storage.numel,
          storageOffset: obj.storageOffset, size: obj.size, stride: obj.stride, requiresGrad: obj.requiresGrad,
        }
      : this.options.tensor?.(obj);
    if (t !== undefined) {
      this.tensor(t, path);
      return;
    }
    if (this.active.has(obj)) throw typeError('data without cycles', path, 'a circular reference');
    if (depth >= MAX_NESTING) {
      // Python's pickler stops here too (RecursionError), and no reader would accept deeper data.
      throw new RangeError(`Expected data nested at most ${MAX_NESTING} levels deep for obj but received deeper nesting at ${path.slice(0, 60)}…`);
    }
    this.active.add(obj);
    try {
      if (Array.isArray(obj)) {
        w.byte(OP.EMPTY_LIST);
        for (let i = 0; i < obj.length; i += BATCH) {
          w.byte(OP.MARK);
          obj.slice(i, i + BATCH).forEach((x, j) => this.value(x, `${path}[${i + j}]`, depth + 1));
          w.byte(OP.APPENDS);
        }
      } else if (obj instanceof Map) {
        const entries: Array<[unknown, unknown]> = [];
        for (const [k, x] of obj) {
          if (typeof k === 'number' ? !Number.isInteger(k) : typeof k !== 'string' && typeof k !== 'bigint') {
            throw typeError('string or integer keys', `${path} (a Map)`, k);
          }
          entries.push([k, x]);
        }
        w.byte(OP.EMPTY_DICT);
        this.items(entries, path, depth + 1);
      } else if (isPlainObject(obj)) {
        const entries = Object.entries(obj).filter(([, x]) => x !== undefined);
        // A non-empty record of tensors is a state dict: Python writes those as OrderedDict.
        const stateDict = entries.length > 0 && entries.every(([, x]) =>
          typeof x === 'object' && x !== null && (x instanceof TensorRef || this.options.tensor?.(x) !== undefined));
        if (stateDict) this.orderedDict();
        else w.byte(OP.EMPTY_DICT);
        this.items(entries, path, depth + 1);
      } else {
        throw typeError('plain data (object, Map, array, number, bigint, string, boolean, null or Tensor)', path, v);
      }
    } finally {
      this.active.delete(obj);
    }
  }

  finish(): Buffer {
    this.w.byte(OP.STOP);
    return this.w.result();
  }

  start(): void {
    this.w.byte(OP.PROTO);
    this.w.byte(2);
  }
}

/**
 * Pickles `value` with protocol 2 the way `torch.save` does, so Python's `torch.load` (also with
 * `weights_only=True`) reads it. Plain objects become dicts (an object whose values are all
 * tensors becomes an `OrderedDict`, like `state_dict()`), Maps become dicts with their keys,
 * arrays lists, integers `int`, other numbers `float`, bigints `int`, `null` None.
 *
 * @example
 * ```ts
 * const bytes = pickle({ epoch: 3, lr: 0.01 });  // loads in Python as {'epoch': 3, 'lr': 0.01}
 * ```
 */
export function pickle(value: unknown, options: PickleOptions = {}): Buffer {
  const p = new Pickler(options);
  p.start();
  p.value(value, 'obj', 0);
  return p.finish();
}
