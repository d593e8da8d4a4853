/**
 * The three error kinds nodetorch throws, in one format:
 * `Expected <what> for <name> but received <value>`.
 *
 * - `TypeError`: an argument of the wrong type.
 * - `RangeError`: a value of the right type outside what is allowed.
 * - {@link TorchError}: anything LibTorch itself refused (shape mismatch, CUDA missing, …).
 */

/**
 * An error raised by LibTorch (or by nodetorch on LibTorch's behalf), with the LibTorch message
 * stripped of C++ frame noise.
 *
 * @example
 * ```ts
 * try { torch.randn([2, 3]).matmul(torch.randn([2, 3])); }
 * catch (e) { if (e instanceof torch.TorchError) console.log(e.code, e.message); }
 * ```
 */
export class TorchError extends Error {
  /** A stable machine-readable code, e.g. `TORCH_ERROR`, `DISPOSED`, `CUDA_UNAVAILABLE`. */
  readonly code: string;
  constructor(message: string, code = 'TORCH_ERROR') {
    super(message);
    this.name = 'TorchError';
    this.code = code;
  }
}

// How much of a value an error message shows: enough to recognise it, never the whole of it, so
// describing a 10^8-element array or a megabyte string costs as little as describing `3`.
const SHOWN_ITEMS = 4;
const SHOWN_DEPTH = 2;
const SHOWN_CHARS = 40;
const SHOWN_BIGINT_HEX = 32;

/**
 * Renders a received value for an error message, as every message in nodetorch does: its type,
 * its length for arrays, and its first few items; never the whole value. Bounded in time whatever
 * the value (sparse, cyclic or 10^8-element arrays, huge strings or bigints), and never throws
 * (a Proxy whose traps throw is "a value that cannot be described").
 * @example
 * ```ts
 * describe([1, 2]);              // '[1,2]'
 * describe(new Array(1e8));      // 'an array of length 100000000 starting [<empty>,<empty>,<empty>,<empty>]'
 * describe('x'.repeat(1e6));     // '"xxxx…"' (40 characters)
 * ```
 */
export function describe(value: unknown): string {
  try {
    return describeAt(value, 0);
  } catch {
    return 'a value that cannot be described';
  }
}

function describeAt(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'undefined': return 'undefined';
    case 'boolean': return String(value);
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'string': return JSON.stringify(value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value);
    case 'bigint': {
      // Decimal conversion of a huge bigint is slow; its hex length gives the size in linear time.
      const hex = (value < 0n ? -value : value).toString(16);
      return hex.length > SHOWN_BIGINT_HEX ? `a ${value < 0n ? 'negative ' : ''}bigint of ${(hex.length - 1) * 4 + parseInt(hex[0], 16).toString(2).length} bits` : `${value}n`;
    }
    case 'symbol': {
      const d = value.description ?? '';
      return `Symbol(${d.length > SHOWN_CHARS ? `${d.slice(0, SHOWN_CHARS)}…` : d})`;
    }
    case 'function': return 'a function';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return describeArray(value, depth);
  if (ArrayBuffer.isView(value)) return `${article(value.constructor.name)} of length ${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength}`;
  const name: unknown = (value as object).constructor?.name;
  if (typeof name !== 'string' || name === '' || name === 'Object') return 'an object';
  return article(name.length > SHOWN_CHARS ? `${name.slice(0, SHOWN_CHARS)}…` : name);
}

/** `[1,2]` in full when short; else the length and the first items. */
function describeArray(a: readonly unknown[], depth: number): string {
  if (depth >= SHOWN_DEPTH) return a.length === 0 ? '[]' : '[…]';
  const length = a.length;
  const shown: string[] = [];
  for (let i = 0; i < Math.min(length, SHOWN_ITEMS); i++) shown.push(i in a ? describeAt(a[i], depth + 1) : '<empty>');
  return length <= SHOWN_ITEMS ? `[${shown.join(',')}]` : `an array of length ${length} starting [${shown.join(',')}]`;
}

/** `a Tensor`, `an Int32Array`. */
function article(name: string): string {
  return /^[AEIOU]/i.test(name) ? `an ${name}` : `a ${name}`;
}

/** `TypeError: Expected <what> for <name> but received <value>`. */
export function typeError(what: string, name: string, value: unknown): TypeError {
  return new TypeError(`Expected ${what} for ${name} but received ${describe(value)}`);
}

/** `RangeError: Expected <what> for <name> but received <value>`. */
export function rangeError(what: string, name: string, value: unknown): RangeError {
  return new RangeError(`Expected ${what} for ${name} but received ${describe(value)}`);
}
