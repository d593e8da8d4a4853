/**
 * The runtime of the generated op layer (lib/generated/ops.ts): picks the overload a call
 * matches, as Python's argument parser does (in the same order, by the same argument kinds), puts
 * the arguments in the schema's order and calls the op natively (native/bindings/dispatch.cc),
 * which converts each one by the type LibTorch registered for it.
 * @internal
 */
import { inspect } from 'util';
import { native as N } from './binding';
import { DTYPES, DTYPE_ALIASES, dtypeOf } from './dtype';
import { describe } from './errors';
import { Generator } from './generator';
import type { Tensor } from './tensor';
import { HANDLE, IO, TensorObject, filled, isTensor, type Handled } from './tensor-object';
import { checkOptions, isInt64, isIntArg, isInteger } from './validate';

export type { Tensor } from './tensor';
/** `'cpu'`, `'cuda'` or `'cuda:N'`. */
export type Device = string;
/** A tensor layout: `'strided'` (dense) or `'sparse_coo'`. */
export type Layout = 'strided' | 'sparse_coo';
/** A memory format, as `torch.channels_last` names it. */
export type MemoryFormat = 'contiguous_format' | 'preserve_format' | 'channels_last' | 'channels_last_3d';
export type { Generator } from './generator';

/**
 * One argument of an overload: JS name, kind code, optional (accepts null), has a default,
 * keyword-only (goes in the options object), position in the schema (-2: Python's requires_grad),
 * and the check of its kind.
 */
export type Param = [name: string, kind: string, optional: 0 | 1, hasDefault: 0 | 1, kwOnly: 0 | 1, schemaIndex: number, check: (v: unknown) => boolean];
/** One overload: op id, position of `self` in the schema (-1 for functions), arguments, names of its returns, in place. */
export type Row = [op: number, selfIndex: number, params: Param[], returnNames: string[] | null, inPlace: 0 | 1, varargs: boolean];

/**
 * What a call whose arguments are all tensors (no options object) resolves to, for one count of
 * arguments: the overload, and the schema position of each argument.
 */
interface Plan { row: Row; at: number[] }

/**
 * An op's overloads: the generator's compact string until first use, then its parsed rows, and
 * the plans of calls with tensor arguments only, by argument count, as they are first matched.
 */
export interface Table { src: string; rows: Row[] | null; plans: (Plan | undefined)[] }

/** @internal A table from the generator's string (scripts/gen-ops.py, Overload.row). */
export function table(src: string): Table { return { src, rows: null, plans: [] }; }

/** The parsed rows of `t`, parsed once. */
export function rowsOf(t: Table): Row[] {
  if (t.rows === null) {
    t.rows = t.src.split('/').map((row) => {
      const [head, params] = row.split('|');
      const [op, self, names, inPlace, varargs] = head.split(',');
      return [
        Number(op), Number(self),
        params === '' ? [] : params.split(';').map((p) => {
          const [name, kind, optional, def, kw, index] = p.split(':');
          return [name, kind, Number(optional), Number(def), Number(kw), Number(index), ACCEPTS[kind]] as Param;
        }),
        names === '' ? null : names.split('.'), Number(inPlace) as 0 | 1, varargs === '1',
      ] as Row;
    });
  }
  return t.rows;
}

const argCounts: number[] = [];

/** Registers the generated schema list with the native side; op ids are positions in it. */
export function registerSchemas(schemas: [string, string[]][]): void {
  N.registerSchemas(schemas);
  for (const [, args] of schemas) argCounts.push(args.length);
}


// Lists are read by index, not with every(), which skips the holes of a sparse array.
const everyItem = (v: unknown, ok: (e: unknown) => boolean): boolean => {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!ok(v[i])) return false;
  return true;
};
const isNumber = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
const isScalar = (v: unknown) => typeof v === 'number' || typeof v === 'boolean' || isInt64(v);
// No op takes a longer string (a reduction, a mode, a device, an einsum equation); LibTorch's
// messages repeat a string they refuse, so a megabyte one would make a megabyte message.
const MAX_STRING = 1024;
const isString = (v: unknown) => typeof v === 'string' && v.length <= MAX_STRING;

// What a value must be for each kind code (scripts/gen-ops.py, kind_of). Integers follow
// lib/validate.ts: int arguments within ±(2^53 - 1), scalars over the whole int64 range.
const ACCEPTS: Record<string, (v: unknown) => boolean> = {
  T: isTensor,
  N: (v) => isTensor(v) || isScalar(v),
  S: (v) => isScalar(v) || isTensor(v),
  i: isIntArg,
  f: isNumber,
  b: (v) => typeof v === 'boolean',
  s: isString,
  d: (v) => dtypeOf(v) !== undefined,
  l: isString,
  v: isString,
  m: isString,
  g: (v) => v instanceof Generator,
  V: (v) => everyItem(v, isTensor),
  L: (v) => everyItem(v, (e) => e === null || isTensor(e)),
  I: (v) => isIntArg(v) || everyItem(v, isIntArg),
  J: (v) => everyItem(v, isIntArg),
  F: (v) => everyItem(v, isNumber),
  B: (v) => everyItem(v, (e) => typeof e === 'boolean'),
  A: (v) => everyItem(v, (e) => typeof e === 'number' || typeof e === 'boolean' || isIntArg(e)),
};

// Values of the right type out of range (an integer too large): a RangeError, not a mismatch.
const OUT_OF_RANGE: Record<string, [(v: unknown) => boolean, string]> = {
  i: [(v) => isInteger(v), 'within ±(2^53 - 1)'],
  I: [(v) => isInteger(v) || everyItem(v, isInteger), 'within ±(2^53 - 1)'],
  J: [(v) => everyItem(v, isInteger), 'within ±(2^53 - 1)'],
  A: [(v) => everyItem(v, (e) => typeof e === 'number' || typeof e === 'boolean' || typeof e === 'bigint'), 'within ±(2^53 - 1)'],
  S: [(v) => typeof v === 'bigint', 'that fits int64'],
  N: [(v) => typeof v === 'bigint', 'that fits int64'],
  s: [(v) => typeof v === 'string', `of at most ${MAX_STRING} characters`],
  l: [(v) => typeof v === 'string', `of at most ${MAX_STRING} characters`],
  v: [(v) => typeof v === 'string', `of at most ${MAX_STRING} characters`],
  m: [(v) => typeof v === 'string', `of at most ${MAX_STRING} characters`],
};

// The same kinds, as error messages name them.
const WHAT: Record<string, string> = {
  T: 'a Tensor', N: 'a Tensor or a number', S: 'a number', i: 'an integer', f: 'a number', b: 'a boolean', s: 'a string',
  d: `a dtype (one of ${DTYPES.join(', ')}, or an alias: ${Object.keys(DTYPE_ALIASES).join(', ')})`, l: 'a layout', v: 'a device', m: 'a memory format', g: 'a Generator', V: 'an array of Tensors',
  L: 'an array of Tensors or nulls', I: 'an integer or an array of integers', J: 'an array of integers',
  F: 'an array of numbers', B: 'an array of booleans', A: 'an array of numbers',
};

// And as signatures in a mismatch message list them.
const TYPE: Record<string, string> = {
  T: 'Tensor', N: 'Tensor | number', S: 'number', i: 'int', f: 'number', b: 'boolean', s: 'string', d: 'dtype',
  l: 'layout', v: 'device', m: 'memory format', g: 'Generator', V: 'Tensor[]', L: '(Tensor | null)[]', I: 'int | int[]',
  J: 'int[]', F: 'number[]', B: 'boolean[]', A: 'number[]',
};

// As Python's parser: leaving an argument out needs a default; null needs an optional type.
function accepts(p: Param, v: unknown): boolean {
  if (v === undefined) return p[3] === 1;
  if (v === null) return p[2] === 1;
  return p[6](v);
}

// Dtype aliases become their dtype, a Generator its native handle, bigints numbers (or, as
// scalars beyond ±(2^53 - 1), int64 tensors) and lists fresh copies (a Proxy or a later change to
// the caller's array cannot reach native code); the rest goes as is.
function toNative(p: Param, v: unknown): unknown {
  if (v === null) return v;
  switch (p[1]) {
    case 'd': return dtypeOf(v);
    case 'g': return (v as Generator).handle;
    case 'S': case 'N': return isTensor(v) ? v : scalarArg(v as number | boolean | bigint);
    case 'i': case 'f': return Number(v);
    case 'I': return Array.isArray(v) ? Array.from(v, Number) : Number(v);
    case 'J': case 'F': return Array.from(v as unknown[], Number);
    case 'A': return Array.from(v as unknown[], (e) => (typeof e === 'bigint' ? Number(e) : e));
    case 'V': case 'L': case 'B': return Array.from(v as unknown[]);
    default: return v;
  }
}

/**
 * A scalar as native code takes it: numbers and booleans as they are, except integers beyond
 * ±(2^53 - 1) (a bigint, or a whole number there) that fit int64, which go as a 0-d int64 tensor
 * (native code reads a one-element tensor as its Scalar) so they stay exact integers, as Python's
 * ints do. A whole number beyond int64 can only be the float it is.
 */
function scalarArg(v: number | boolean | bigint): unknown {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && !(Number.isInteger(v) && !Number.isSafeInteger(v) && isInt64(v))) return v;
  if (isIntArg(v)) return Number(v);
  return N.fromData(BigInt64Array.of(BigInt(v)), [], 'int64', 'int64', 'cpu', false);
}

function isOptions(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || isTensor(v) || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}


/**
 * Python's varargs rule, for the rows scripts/gen-ops.py marks: the only positional argument, an
 * int[] (or a list of tensors, for the functions torch/functional.py defines with `*tensors`),
 * also taken as separate arguments (`torch.block_diag(a, b)`, `x.flip(0, 1)`).
 */
function varargs(row: Row, args: unknown[]): unknown[] | null {
  if (!row[5] || args.length === 0) return null;
  if (args.length === 1 && (Array.isArray(args[0]) || args[0] === null)) return null;
  return [args];
}

/** The native argument list for `row`, or null when the call does not match it. */
function match(row: Row, args: unknown[], options: Record<string, unknown> | undefined, self: unknown): unknown[] | null {
  const direct = matchArgs(row, args, options, self);
  if (direct !== null) return direct;
  const packed = varargs(row, args);
  return packed === null ? null : matchArgs(row, packed, options, self);
}

function matchArgs(row: Row, args: unknown[], options: Record<string, unknown> | undefined, self: unknown): unknown[] | null {
  const params = row[2];
  const out = new Array(argCounts[row[0]]);
  if (row[1] >= 0) out[row[1]] = self;
  let k = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p[4] === 1) continue;
    const v = args[k++];
    if (!accepts(p, v)) return null;
    if (v !== undefined && p[5] >= 0) out[p[5]] = toNative(p, v);
  }
  if (k < args.length) return null;
  let given = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p[4] !== 1) continue;
    const v = options === undefined ? undefined : options[p[0]];
    if (v === undefined) {
      if (p[3] !== 1) return null;
      continue;
    }
    given++;
    if (!accepts(p, v)) return null;
    if (p[5] >= 0) out[p[5]] = toNative(p, v);
  }
  if (options !== undefined && given < Object.keys(options).filter((key) => options[key] !== undefined).length) return null;
  return out;
}

// Tensor arguments travel as their slot numbers in the shared array (native code reads them
// there instead of looking a property up on each object), and the object a tensor result goes
// into is made here (an allocation inline in optimised JS costs less than native code calling
// into JS for one); its slot number comes back in IO[0]. A spread call into native code takes
// V8's slow path for API functions (about 0.1 µs), so the common arities are written out.
function callOp(op: number, a: unknown[]): any {
  const io = IO;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    const h = isTensor(v) ? (v as unknown as Handled)[HANDLE] : undefined;
    io[i + 1] = typeof h === 'number' && (h | 0) === h ? h : -1;
  }
  const out = new TensorObject();
  let r: unknown;
  switch (a.length) {
    case 1: r = N.callOp(op, out, a[0]); break;
    case 2: r = N.callOp(op, out, a[0], a[1]); break;
    case 3: r = N.callOp(op, out, a[0], a[1], a[2]); break;
    case 4: r = N.callOp(op, out, a[0], a[1], a[2], a[3]); break;
    case 5: r = N.callOp(op, out, a[0], a[1], a[2], a[3], a[4]); break;
    default: r = N.callOp(op, out, ...a);
  }
  return filled(r, out);
}

function allTensors(args: unknown[]): boolean {
  for (let i = 0; i < args.length; i++) if (!isTensor(args[i])) return false;
  return true;
}

// Which overload tensors alone match depends on their count only (a kind that accepts one tensor
// accepts any, and passes it unchanged), so such a call reuses the plan of the first like it.
function planned(plan: Plan, self: unknown, args: unknown[]): unknown[] {
  const row = plan.row;
  const out = new Array(argCounts[row[0]]);
  if (row[1] >= 0) out[row[1]] = self;
  for (let i = 0; i < args.length; i++) if (plan.at[i] >= 0) out[plan.at[i]] = args[i];
  return out;
}

function plan(row: Row, args: unknown[], self: unknown): Plan | undefined {
  // A list-taking overload the tensors matched as its elements (varargs) keeps the general path.
  if (matchArgs(row, args, undefined, self) === null) return undefined;
  return { row, at: row[2].filter((p) => p[4] !== 1).slice(0, args.length).map((p) => p[5]) };
}

function call(t: Table, name: string, self: unknown, args: unknown[]): any {
  const tensors = allTensors(args);
  const known = tensors ? t.plans[args.length] : undefined;
  if (known !== undefined) return finish(known.row, name, callOp(known.row[0], planned(known, self, args)), undefined);
  const rows = t.rows ?? rowsOf(t);
  let options: Record<string, unknown> | undefined;
  if (args.length > 0 && isOptions(args[args.length - 1])) {
    options = args[args.length - 1] as Record<string, unknown>;
    args = args.slice(0, -1);
  }
  for (const row of rows) {
    const native = match(row, args, options, self);
    if (native === null) continue;
    if (tensors) t.plans[args.length] = plan(row, args, self);
    return finish(row, name, callOp(row[0], native), options);
  }
  throw mismatch(rows, name, self, args, options);
}

function finish(row: Row, name: string, result: any, options: Record<string, unknown> | undefined): any {
  if (options?.requiresGrad === true) (result as Tensor).requiresGrad_(true);
  const names = row[3];
  return names === null ? result : ReturnTuple.of_(name.replace(/_$/, ''), names, result as unknown[]);
}

/**
 * A result with named fields, as Python's `torch.return_types.max(values=…, indices=…)`: an
 * array (`const [values, indices] = x.max(1)`) whose elements also have their names.
 */
export class ReturnTuple extends Array<unknown> {
  /** @internal */
  static of_(op: string, names: string[], values: unknown[]): ReturnTuple {
    const t = new ReturnTuple();
    values.forEach((v, i) => t.push(v));
    names.forEach((n, i) => Object.defineProperty(t, n, { value: values[i], enumerable: false }));
    Object.defineProperty(t, 'op', { value: op, enumerable: false });
    Object.defineProperty(t, 'fields', { value: names, enumerable: false });
    return t;
  }

  /** @internal */
  [inspect.custom](): string {
    const self = this as unknown as { op: string; fields: string[] } & unknown[];
    return `torch.return_types.${self.op}(\n${self.fields.map((f, i) => `${f}=${String(self[i])}`).join(',\n')})`;
  }
}

/** Calls `torch.<name>` with the overload `args` match. */
export function callFunction(t: Table, name: string, args: unknown[]): any { return call(t, name, undefined, args); }

/** Calls `Tensor.<name>` on `self` with the overload `args` match. */
export function callMethod(t: Table, name: string, self: unknown, args: unknown[]): any { return call(t, name, self, args); }

function signature(row: Row): string {
  const pos = row[2].filter((p) => p[4] !== 1).map((p) => `${p[0]}${p[3] ? '?' : ''}: ${TYPE[p[1]]}${p[2] ? ' | null' : ''}`);
  const kw = row[2].filter((p) => p[4] === 1).map((p) => p[0]);
  if (kw.length) pos.push(`{ ${kw.join(', ')} }`);
  return `(${pos.join(', ')})`;
}

/** How far `args` get into `row` before a mismatch, and the error naming it. */
function firstMismatch(row: Row, where: string, args: unknown[], options: Record<string, unknown> | undefined): { depth: number; error: Error } | null {
  const positional = row[2].filter((p) => p[4] !== 1);
  for (let i = 0; i < Math.max(args.length, positional.length); i++) {
    const p = positional[i];
    if (p === undefined) return { depth: i, error: new TypeError(`Expected at most ${positional.length} positional arguments for ${where} but received ${args.length}`) };
    if (!accepts(p, args[i])) {
      if (args[i] === undefined) return { depth: i, error: new TypeError(`Expected a value for ${p[0]} (it has no default) for ${p[0]} (${where}) but received undefined`) };
      return { depth: i, error: refusal(p, where, args[i], p[2] === 1) };
    }
  }
  for (const p of row[2].filter((q) => q[4] === 1)) {
    const v = options?.[p[0]];
    if (v !== undefined && !accepts(p, v)) return { depth: positional.length, error: refusal(p, where, v, false) };
    if (v === undefined && !p[3]) return { depth: positional.length, error: new TypeError(`Expected a value for the option ${p[0]} (${where}) but received none`) };
  }
  return null;
}

/** The error for `v`, which `p` does not accept: a RangeError for an integer out of range. */
function refusal(p: Param, where: string, v: unknown, orNull: boolean): Error {
  const what = `${WHAT[p[1]]}${orNull ? ' or null' : ''}`;
  const range = OUT_OF_RANGE[p[1]];
  if (range !== undefined && range[0](v)) return new RangeError(`Expected ${WHAT[p[1]]} ${range[1]} for ${p[0]} (${where}) but received ${describe(v)}`);
  return new TypeError(`Expected ${what} for ${p[0]} (${where}) but received ${describe(v)}`);
}

function mismatch(rows: Row[], name: string, self: unknown, args: unknown[], options: Record<string, unknown> | undefined): Error {
  const where = self === undefined ? `torch.${name}` : `Tensor.${name}`;
  const known = new Set(rows.flatMap((r) => r[2].filter((p) => p[4] === 1).map((p) => p[0])));
  if (options !== undefined) {
    // An unknown key is the likely mistake: say so, with the nearest option.
    checkOptions(options, `${where} options`, [...known]);
  }
  // The overload the call got furthest into names the argument that did not fit.
  // Among overloads as far in, one that found an integer out of range names the problem best.
  let best: { depth: number; error: Error } | null = null;
  let tie = false;
  for (const row of rows) {
    const r = firstMismatch(row, where, args, options);
    if (r === null) continue;
    if (best === null || r.depth > best.depth) { best = r; tie = false; } else if (r.depth === best.depth) {
      if (r.error instanceof RangeError && !(best.error instanceof RangeError)) best = r;
      tie = !(best.error instanceof RangeError);
    }
  }
  if (best !== null && (!tie || rows.length === 1)) return best.error;
  const got = args.map((a) => (isTensor(a) ? 'Tensor' : describe(a))).join(', ') + (options ? `${args.length ? ', ' : ''}{ ${Object.keys(options).join(', ')} }` : '');
  return new TypeError(`Expected arguments matching one of ${rows.map(signature).join(' or ')} for ${where} but received (${got})`);
}
