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

/** Renders a received value for an error message: short, never throws. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) {
    const s = JSON.stringify(value);
    return s !== undefined && s.length <= 60 ? s : `an array of length ${value.length}`;
  }
  const name = (value as object).constructor?.name;
  if (!name || name === 'Object') return 'an object';
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** `TypeError: Expected <what> for <name> but received <value>`. */
export function typeError(what: string, name: string, value: unknown): TypeError {
  return new TypeError(`Expected ${what} for ${name} but received ${describe(value)}`);
}

/** `RangeError: Expected <what> for <name> but received <value>`. */
export function rangeError(what: string, name: string, value: unknown): RangeError {
  return new RangeError(`Expected ${what} for ${name} but received ${describe(value)}`);
}
