/**
 * The one pickle machine behind nodetorch's safe readers, the idea of Python's
 * `weights_only=True` loader: it runs the opcodes of pickle protocols 0–5 but only ever
 * *constructs data*. It builds `None`, booleans, ints, floats, `str`, `bytes`, tuples, lists,
 * dicts and sets itself, and knows the globals through which protocols 0–3 write plain data
 * (`_codecs.encode` for bytes, `builtins.set`/`frozenset`). Everything else a pickle may hold is
 * the reader's {@link PickleProfile}: which other globals exist (an allow-list, checked before
 * anything is built), what `REDUCE` and `BUILD` on them make, how Python 2 `str` bytes decode,
 * persistent ids, and which error codes to throw.
 *
 * For every profile, the object-building opcodes (`NEWOBJ`, `NEWOBJ_EX`, `INST`, `OBJ`), the
 * extension registry (`EXT1/2/4`) and out-of-band buffers are refused; nothing is imported or
 * run. Every length is checked against the bytes left, and everything built is charged to a
 * {@link PickleBudget} (./budget.ts): memory, objects and nesting proportional to the pickle's
 * length, so a short pickle cannot ask for gigabytes. Nothing recurses over the data.
 *
 * The profiles: `.pth` files (lib/serialization/unpickler.ts: torch's tensors, storages and
 * dtypes; Python 2 strings as UTF-8, as `torch.load` reads them) and numpy pickles such as CIFAR's
 * (lib/vision/datasets/pickle.ts: numpy arrays; Python 2 strings as latin-1).
 */
import type { TorchError } from '../errors';
import { PickleBudget } from './budget';

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
 * What a reader allows beyond plain data, and how it reports errors.
 *
 * @example
 * ```ts
 * const plainData: PickleProfile = {
 *   unsafe: (where, m) => new TorchError(`Refusing to read ${where}: ${m}`, 'PICKLE_UNSAFE'),
 *   invalid: (where, m) => new TorchError(`Invalid pickle ${where}: ${m}`, 'PICKLE_INVALID'),
 *   str: 'latin1', copyBytes: true,
 *   global: (module, name, where) => { throw plainData.unsafe(where, `global ${module}.${name} is not allowed`); },
 *   reduce: () => undefined,
 *   build: (obj, state, where) => { throw plainData.unsafe(where, 'BUILD is not allowed'); },
 * };
 * runPickle(bytes, plainData, { where: 'data.pkl' }).value;
 * ```
 */
export interface PickleProfile {
  /** The error for a pickle that asks for something not allowed (a global, an opcode): e.g. code `PTH_UNSAFE`. */
  unsafe(where: string, message: string): TorchError;
  /** The error for a malformed or truncated pickle: e.g. code `PTH_INVALID`. */
  invalid(where: string, message: string): TorchError;
  /**
   * How Python 2 `str` bytes (`BINSTRING`, `SHORT_BINSTRING`) decode: `'utf-8'` as `torch.load`
   * does, or `'latin1'` as `pickle.load(f, encoding='latin1')`.
   */
  str: 'utf-8' | 'latin1';
  /** Whether `bytes` values are copies (`true`) or views into the input (`false`: large arrays are not copied). */
  copyBytes: boolean;
  /**
   * `GLOBAL`/`STACK_GLOBAL` for any global besides the machine's own: the value to push, or
   * throw `unsafe` naming it (this is the allow-list).
   */
  global(module: string, name: string, where: string): unknown;
  /**
   * `REDUCE` of an allowed global with a tuple of arguments: the value made, or `undefined` when
   * `fn` may not be called (the machine then refuses it).
   */
  reduce(fn: PyGlobal, args: unknown[], where: string): unknown;
  /** `BUILD`: gives `state` to `obj` (which stays on the stack), or throws `unsafe` if `obj` takes none. */
  build(obj: unknown, state: unknown, where: string): void;
  /** A dict key besides `None`, bool, int, float, `str` and tuples: the key to use, or `undefined` to refuse it. */
  dictKey?(key: unknown): unknown;
  /** `NEWOBJ`/`NEWOBJ_EX` of `cls`: the value made. Without it, object construction is refused as unsafe. */
  newObject?(cls: unknown, where: string): unknown;
  /** `REDUCE` on a value that is not a global: the value made, or `undefined` to refuse it. */
  callValue?(fn: unknown, where: string): unknown;
  /** `BINPERSID`: the value a persistent id names. Without it, persistent ids are refused as unsafe. */
  persistentLoad?(pid: unknown, where: string): unknown;
  /** Describes the profile's own values in errors (`'a tensor'`), or `undefined` for the default. */
  describe?(value: unknown): string | undefined;
}
// Hooks (`reduce`, `build`, `newObject`, `callValue`, `persistentLoad`) may copy or check their
// arguments and the containers directly inside them, no more: the machine charges exactly that
// (PickleBudget.call) to the budget before calling them.

/** Options of {@link runPickle}. */
export interface RunPickleOptions {
  /** What is being read, for error messages (e.g. `model/data.pkl`). */
  where: string;
  /** Byte offset to start at (for streams of several pickles). Default 0. */
  offset?: number;
  /**
   * The budget to charge (one shared by the pickles of one file). Default: a new one
   * proportional to `data`'s length, failing with the profile's `invalid` error.
   */
  budget?: PickleBudget;
}

/** Result of {@link runPickle}: the value and the offset just after its `STOP`. */
export interface RunPickleResult {
  value: unknown;
  end: number;
}

/**
 * Runs one pickle under `profile` (see the module comment).
 *
 * @example
 * ```ts
 * const { value, end } = runPickle(bytes, profile, { where: 'data.pkl' });
 * ```
 */
export function runPickle(data: Uint8Array, profile: PickleProfile, options: RunPickleOptions): RunPickleResult {
  return new PickleMachine(data, profile, options).run();
}

/**
 * A short description of a pickle value for error messages: `None`, `a dict`,
 * `global os.system`, a quoted string, … (`describe` handles a profile's own values first).
 *
 * @example
 * ```ts
 * describeValue([1, 2]); // 'a tuple/list of length 2'
 * ```
 */
export function describeValue(v: unknown, describe?: (v: unknown) => string | undefined): string {
  const own = describe?.(v);
  if (own !== undefined) return own;
  if (v === null) return 'None';
  if (Array.isArray(v)) return `a tuple/list of length ${v.length}`;
  if (v instanceof Map) return 'a dict';
  if (v instanceof PyGlobal) return `global ${v.qualifiedName}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return String(v);
}

/**
 * `k` as a dict key: `None`, bool, int, float, `str` and tuples as they are, others as the
 * profile's `dictKey` makes them; anything else is refused (`invalid`).
 *
 * @example
 * ```ts
 * dictKey('fc.weight', profile, 'data.pkl'); // 'fc.weight'
 * ```
 */
export function dictKey(k: unknown, profile: PickleProfile, where: string): unknown {
  if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' || Array.isArray(k)) return k;
  const own = profile.dictKey?.(k);
  if (own === undefined) throw profile.invalid(where, `unhashable or unsupported dict key ${describeValue(k, profile.describe)}`);
  return own;
}

const MAX_LONG_BYTES = 1 << 16;

/** Module aliases Python's protocol-2 `fix_imports` writes. */
function canonicalModule(module: string): string {
  return module === '__builtin__' ? 'builtins' : module;
}

/** The globals protocols 0–3 write plain data with; allowed for every profile. */
const PLAIN_DATA_GLOBALS = new Set(['_codecs.encode', 'builtins.set', 'builtins.frozenset']);

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

class PickleMachine {
  private pos: number;
  private readonly where: string;
  private readonly view: DataView;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly utf8 = new TextDecoder('utf-8');
  private readonly budget: PickleBudget;

  constructor(private readonly data: Uint8Array, private readonly profile: PickleProfile, options: RunPickleOptions) {
    this.pos = options.offset ?? 0;
    this.where = options.where;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.budget = options.budget ?? new PickleBudget(data.length, (m) => profile.invalid(options.where, m));
  }

  /** Pushes a value, charging its slot (the value itself is charged by whoever made it). */
  private push(v: unknown): void {
    this.budget.slots(1);
    this.stack.push(v);
  }
  private pushString(s: string): void {
    this.budget.string(s.length);
    this.push(s);
  }
  /** Pushes a number that may not be a small integer. */
  private pushNumber(v: number | bigint, digits = 0): void {
    this.budget.number(digits);
    this.stack.push(v);
  }

  private unsafe(message: string): TorchError {
    return this.profile.unsafe(this.where, message);
  }
  private invalid(message: string): TorchError {
    return this.profile.invalid(this.where, message);
  }
  private describe(v: unknown): string {
    return describeValue(v, this.profile.describe);
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.data.length) {
      throw this.invalid(`${what} needs ${n} bytes at offset ${this.pos} but the pickle ends at ${this.data.length} (truncated)`);
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
    if (v > BigInt(this.data.length)) throw this.invalid(`length ${v} is larger than the whole pickle`);
    return Number(v);
  }
  private bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** A Python 3 `bytes` value. */
  private pyBytes(n: number, what: string): Uint8Array {
    const b = this.bytes(n, what);
    this.budget.bytes(this.profile.copyBytes ? n : 0);
    return this.profile.copyBytes ? b.slice() : b;
  }
  /** A Python 2 `str`, decoded as the profile says. */
  private pyStr(n: number, what: string): string {
    const b = this.bytes(n, what);
    return this.profile.str === 'latin1' ? latin1(b) : this.utf8.decode(b);
  }
  private line(what: string): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0) throw this.invalid(`${what} is not terminated by a newline (truncated)`);
    const s = this.utf8.decode(this.data.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  private pop(): unknown {
    if (this.stack.length === 0) throw this.invalid(`stack underflow at offset ${this.pos - 1}`);
    return this.stack.pop();
  }
  private top(): unknown {
    if (this.stack.length === 0) throw this.invalid(`stack underflow at offset ${this.pos - 1}`);
    return this.stack[this.stack.length - 1];
  }
  private popMark(): unknown[] {
    const items = this.stack;
    const prev = this.metastack.pop();
    if (prev === undefined) throw this.invalid(`no MARK to pop to at offset ${this.pos - 1}`);
    this.stack = prev;
    return items;
  }
  private popN(n: number): unknown[] {
    if (this.stack.length < n) throw this.invalid(`stack underflow at offset ${this.pos - 1}`);
    return this.stack.splice(this.stack.length - n, n);
  }

  private int(v: bigint): number | bigint {
    return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  private long(n: number): number | bigint {
    if (n > MAX_LONG_BYTES) throw this.invalid(`an integer of ${n} bytes is too large`);
    const b = this.bytes(n, 'LONG');
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return this.int(v);
  }

  private dictOf(v: unknown, op: string): Map<unknown, unknown> {
    if (!(v instanceof Map)) throw this.unsafe(`${op} on ${this.describe(v)} (only dicts may receive items)`);
    return v;
  }
  private listOf(v: unknown, op: string): unknown[] {
    if (!Array.isArray(v)) throw this.unsafe(`${op} on ${this.describe(v)} (only lists may receive items)`);
    return v;
  }
  private dictKey(k: unknown): unknown {
    return dictKey(k, this.profile, this.where);
  }
  /** Sets key/value pairs (an even number of items, checked by the caller) in `m`. */
  private setPairs(m: Map<unknown, unknown>, items: unknown[]): Map<unknown, unknown> {
    this.budget.entries(items.length / 2);
    for (let i = 0; i < items.length; i += 2) m.set(this.dictKey(items[i]), items[i + 1]);
    return m;
  }
  private memoGet(i: number): unknown {
    if (!this.memo.has(i)) throw this.invalid(`memo entry ${i} is read before it is written`);
    return this.memo.get(i);
  }
  private memoPut(i: number): void {
    this.budget.entries(1);
    this.memo.set(i, this.top());
  }

  private global(module: string, name: string): unknown {
    this.budget.object();
    const mod = canonicalModule(module);
    if (PLAIN_DATA_GLOBALS.has(`${mod}.${name}`)) return new PyGlobal(mod, name);
    return this.profile.global(module, name, this.where);
  }

  private reduce(fn: unknown, args: unknown): unknown {
    this.budget.call(args);
    const called = fn instanceof PyGlobal ? undefined : this.profile.callValue?.(fn, this.where);
    if (called !== undefined) return called;
    if (!(fn instanceof PyGlobal)) throw this.unsafe(`REDUCE calls ${this.describe(fn)}, which is not an allowed function`);
    if (!Array.isArray(args)) throw this.invalid(`REDUCE arguments for ${fn.qualifiedName} are ${this.describe(args)}, not a tuple`);
    const name = fn.qualifiedName;
    switch (name) {
      case '_codecs.encode':
        if (args.length === 2 && typeof args[0] === 'string' && (args[1] === 'latin1' || args[1] === 'latin-1')) {
          return new Uint8Array(Buffer.from(args[0], 'latin1'));
        }
        throw this.invalid("_codecs.encode is only allowed as encode(str, 'latin1') for bytes");
      case 'builtins.set':
      case 'builtins.frozenset':
        if (args.length === 0) return new Set();
        if (args.length === 1 && Array.isArray(args[0])) return new Set(args[0]);
        throw this.invalid(`unexpected arguments for ${name}`);
      default: {
        const v = this.profile.reduce(fn, args, this.where);
        if (v === undefined) throw this.unsafe(`REDUCE calls ${name}, which is not an allowed function`);
        return v;
      }
    }
  }

  run(): RunPickleResult {
    const d = this.data;
    for (;;) {
      if (this.pos >= d.length) throw this.invalid('the pickle ends without STOP (truncated)');
      const at = this.pos;
      const op = d[this.pos++];
      switch (op) {
        case 0x80: { // PROTO
          const p = this.u8();
          if (p > 5) throw this.invalid(`unsupported pickle protocol ${p}`);
          break;
        }
        case 0x95: // FRAME
          this.u64();
          break;
        case 0x2e: { // STOP
          const v = this.pop();
          return { value: v, end: this.pos };
        }
        case 0x28: // MARK
          this.budget.marks(this.metastack.length + 1);
          this.budget.array(1);
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
          this.push(this.top());
          break;
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.u16());
          break;
        case 0x4a: // BININT
          this.pushNumber(this.i32());
          break;
        case 0x8a: // LONG1
          this.pushNumber(this.long(this.u8()));
          break;
        case 0x8b: { // LONG4
          const n = this.i32();
          if (n < 0) throw this.invalid('LONG4 with a negative length');
          this.pushNumber(this.long(n), n);
          break;
        }
        case 0x49: { // INT (text)
          const s = this.line('INT');
          if (s === '01') this.push(true);
          else if (s === '00') this.push(false);
          else if (/^[+-]?\d{1,400}$/.test(s)) this.pushNumber(this.int(BigInt(s)), s.length);
          else throw this.invalid(`bad INT ${JSON.stringify(s.slice(0, 40))}`);
          break;
        }
        case 0x4c: { // LONG (text)
          const s = this.line('LONG').replace(/L$/, '');
          if (!/^[+-]?\d{1,400}$/.test(s)) throw this.invalid(`bad LONG ${JSON.stringify(s.slice(0, 40))}`);
          this.pushNumber(this.int(BigInt(s)), s.length);
          break;
        }
        case 0x46: { // FLOAT (text)
          const s = this.line('FLOAT').trim();
          const v = Number(s);
          if (s === '' || (Number.isNaN(v) && !/^[+-]?nan$/i.test(s))) throw this.invalid(`bad FLOAT ${JSON.stringify(s.slice(0, 40))}`);
          this.pushNumber(v);
          break;
        }
        case 0x47: { // BINFLOAT (big-endian double)
          this.need(8, 'BINFLOAT');
          this.pushNumber(this.view.getFloat64(this.pos, false));
          this.pos += 8;
          break;
        }
        case 0x58: // BINUNICODE
          this.pushString(this.utf8.decode(this.bytes(this.u32(), 'BINUNICODE')));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.pushString(this.utf8.decode(this.bytes(this.u8(), 'SHORT_BINUNICODE')));
          break;
        case 0x8d: // BINUNICODE8
          this.pushString(this.utf8.decode(this.bytes(this.u64(), 'BINUNICODE8')));
          break;
        case 0x56: // UNICODE (raw-unicode-escape text; only plain text accepted)
          this.pushString(this.line('UNICODE'));
          break;
        case 0x54: { // BINSTRING (Python 2 str)
          const n = this.i32();
          if (n < 0) throw this.invalid('BINSTRING with a negative length');
          this.pushString(this.pyStr(n, 'BINSTRING'));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.pushString(this.pyStr(this.u8(), 'SHORT_BINSTRING'));
          break;
        case 0x42: // BINBYTES
          this.push(this.pyBytes(this.u32(), 'BINBYTES'));
          break;
        case 0x43: // SHORT_BINBYTES
          this.push(this.pyBytes(this.u8(), 'SHORT_BINBYTES'));
          break;
        case 0x8e: // BINBYTES8
          this.push(this.pyBytes(this.u64(), 'BINBYTES8'));
          break;
        case 0x96: // BYTEARRAY8
          this.push(this.pyBytes(this.u64(), 'BYTEARRAY8'));
          break;
        case 0x29: // EMPTY_TUPLE
          this.budget.array(0);
          this.push([]);
          break;
        case 0x74: // TUPLE
        case 0x6c: { // LIST
          const items = this.popMark(); // replaces this.stack, so evaluate it before pushing
          this.push(items); // the MARK paid for the array
          break;
        }
        case 0x85: // TUPLE1
          this.budget.array(1);
          this.push(this.popN(1));
          break;
        case 0x86: // TUPLE2
          this.budget.array(2);
          this.push(this.popN(2));
          break;
        case 0x87: // TUPLE3
          this.budget.array(3);
          this.push(this.popN(3));
          break;
        case 0x5d: // EMPTY_LIST
          this.budget.array(0);
          this.push([]);
          break;
        case 0x61: { // APPEND
          const v = this.pop();
          this.budget.slots(1);
          this.listOf(this.top(), 'APPEND').push(v);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          const list = this.listOf(this.top(), 'APPENDS');
          this.budget.slots(items.length);
          for (const v of items) list.push(v);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.budget.map(0);
          this.push(new Map());
          break;
        case 0x64: { // DICT
          const items = this.popMark();
          if (items.length % 2) throw this.invalid('DICT with an odd number of items');
          this.budget.map(0); // setPairs charges the entries
          this.push(this.setPairs(new Map(), items));
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
          if (items.length % 2) throw this.invalid('SETITEMS with an odd number of items');
          this.setPairs(this.dictOf(this.top(), 'SETITEMS'), items);
          break;
        }
        case 0x8f: // EMPTY_SET
          this.budget.map(0);
          this.push(new Set());
          break;
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const s = this.top();
          if (!(s instanceof Set)) throw this.unsafe(`ADDITEMS on ${this.describe(s)}`);
          this.budget.entries(items.length);
          for (const v of items) s.add(v);
          break;
        }
        case 0x91: { // FROZENSET
          const items = this.popMark();
          this.budget.map(items.length);
          this.push(new Set(items));
          break;
        }
        case 0x67: { // GET
          const s = this.line('GET');
          if (!/^\d{1,10}$/.test(s)) throw this.invalid('bad GET index');
          this.push(this.memoGet(Number(s)));
          break;
        }
        case 0x68: // BINGET
          this.push(this.memoGet(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.u32()));
          break;
        case 0x70: { // PUT
          const s = this.line('PUT');
          if (!/^\d{1,10}$/.test(s)) throw this.invalid('bad PUT index');
          this.memoPut(Number(s));
          break;
        }
        case 0x71: // BINPUT
          this.memoPut(this.u8());
          break;
        case 0x72: // LONG_BINPUT
          this.memoPut(this.u32());
          break;
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size);
          break;
        case 0x63: { // GLOBAL
          const module = this.line('GLOBAL module');
          const name = this.line('GLOBAL name');
          this.push(this.global(module, name));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw this.invalid('STACK_GLOBAL needs two strings');
          this.push(this.global(module, name));
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop();
          const fn = this.pop();
          this.push(this.reduce(fn, args));
          break;
        }
        case 0x62: { // BUILD
          const state = this.pop();
          this.budget.call(state);
          this.profile.build(this.top(), state, this.where);
          break;
        }
        case 0x51: { // BINPERSID
          if (this.profile.persistentLoad === undefined) throw this.unsafe('persistent ids are not allowed');
          const pid = this.pop();
          this.budget.call(pid);
          this.push(this.profile.persistentLoad(pid, this.where));
          break;
        }
        case 0x50: // PERSID (text ids: no profile takes them)
          if (this.profile.persistentLoad === undefined) throw this.unsafe('persistent ids are not allowed');
          throw this.invalid('text persistent ids (PERSID) are not supported');
        case 0x81: { // NEWOBJ
          if (this.profile.newObject === undefined) throw this.unsafe('opcode NEWOBJ (object construction) is not allowed');
          this.pop(); // args
          this.budget.object();
          this.push(this.profile.newObject(this.pop(), this.where));
          break;
        }
        case 0x92: { // NEWOBJ_EX
          if (this.profile.newObject === undefined) throw this.unsafe('opcode NEWOBJ_EX (object construction) is not allowed');
          this.pop(); // kwargs
          this.pop(); // args
          this.budget.object();
          this.push(this.profile.newObject(this.pop(), this.where));
          break;
        }
        case 0x69: throw this.unsafe('opcode INST (object construction) is not allowed');
        case 0x6f: throw this.unsafe('opcode OBJ (object construction) is not allowed');
        case 0x82: case 0x83: case 0x84: throw this.unsafe('opcode EXT (extension registry) is not allowed');
        case 0x97: case 0x98: throw this.unsafe('out-of-band buffers (NEXT_BUFFER/READONLY_BUFFER) are not allowed');
        default:
          throw this.invalid(`unknown or unsupported opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
      }
    }
  }
}
