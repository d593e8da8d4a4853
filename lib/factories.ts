/**
 * The functions that make tensors: `torch.tensor` (dtype inferred as Python infers it), the
 * factories with variadic shapes (`torch.zeros(2, 3)`), seeds and the default dtype. The
 * factories are the generated ops (`aten.*`) with Python's argument conveniences on top.
 */
import { native as N } from './binding';
import { getHeapStatistics } from 'v8';
import { ITEMSIZE, getDefaultDtype, isFloatingDtype, isIntegerDtype, setDefaultDtypeName, type DType, type DTypeName } from './dtype';
import { rangeError, typeError } from './errors';
import { aten } from './generated/internal';
import type { Generator } from './generator';
import { Tensor, type Device, type Int, type NestedArray, type TensorOptions, type TypedArray } from './tensor';
import { MAX_NESTING, checkDtype, checkInt, checkOptions, checkShape, isInt64, isInteger, optionKeys, shapeArgs } from './validate';

const TENSOR_OPTION_KEYS = optionKeys<TensorOptions>({ dtype: true, device: true, requiresGrad: true });
const RANDOM_OPTION_KEYS = [...TENSOR_OPTION_KEYS, 'generator'] as const;

/** Options of the random factories: a tensor's, and the Generator to draw from. */
export interface RandomOptions extends TensorOptions {
  /** Draw from this generator instead of the global one. */
  generator?: Generator;
}

interface ResolvedOptions { dtype: DType; device: Device; requiresGrad: boolean }

function resolve(options: unknown, inferred: DType): ResolvedOptions {
  const o = checkOptions(options, 'tensor options', TENSOR_OPTION_KEYS);
  return {
    dtype: o.dtype === undefined ? inferred : checkDtype(o.dtype),
    device: o.device === undefined ? 'cpu' : (o.device as Device),
    requiresGrad: o.requiresGrad === undefined ? false : o.requiresGrad === true,
  };
}

function typedArrayDtype(data: ArrayBufferView): DType | null {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  return null;
}

/**
 * The most elements nested arrays can hold: no JS heap holds more than one number per 8 bytes of
 * it. More is only reachable by sharing one sub-array many times, and is refused before any walk.
 */
const MAX_NESTED_NUMEL = Math.floor(getHeapStatistics().heap_size_limit / 8);

const REGULAR = 'nested arrays of numbers with a regular shape';

/** The shape nested arrays claim along their first elements: bounded in depth, cycles refused. */
function nestedShape(data: unknown, name: string): number[] {
  const shape: number[] = [];
  const seen = new Set<unknown>();
  let level = data;
  while (Array.isArray(level)) {
    if (seen.has(level)) throw typeError('nested arrays without a cycle (an array that contains itself)', name, data);
    if (shape.length === MAX_NESTING) throw rangeError(`nested arrays of at most ${MAX_NESTING} dimensions (Python's bound)`, name, data);
    seen.add(level);
    const n: unknown = level.length;
    if (!Number.isSafeInteger(n) || (n as number) < 0) throw typeError(REGULAR, name, data);
    shape.push(n as number);
    level = n === 0 ? undefined : level[0];
  }
  return shape;
}

/**
 * Calls `leaf` on every element of `data`, in row-major order, checking on the way that every
 * array has the length `shape` says. The walk is as deep as `shape` (so a cycle anywhere ends it)
 * and touches exactly `numel` elements (so a sparse array fails at its first hole, at once).
 */
function walkNested(data: unknown, shape: number[], name: string, leaf: (x: unknown) => void): void {
  const walk = (x: unknown, d: number): void => {
    if (d === shape.length) { leaf(x); return; }
    if (!Array.isArray(x) || x.length !== shape[d]) throw typeError(REGULAR, name, data);
    for (let i = 0; i < shape[d]; i++) walk(x[i], d + 1);
  };
  walk(data, 0);
}

/**
 * The elements in row-major order, in an array native code converts from, and the dtype PyTorch
 * infers for them. A first walk checks and classifies every element without allocating; only
 * then is the buffer made and filled.
 */
function flatten(data: unknown, shape: number[], name: string, targetOf: (inferred: DType) => DType): { values: Float64Array | BigInt64Array; src: DType; dtype: DType } {
  let numel = 1;
  for (const d of shape) numel *= d;
  if (numel > MAX_NESTED_NUMEL) throw rangeError(`nested arrays of at most ${MAX_NESTED_NUMEL} elements (more than a JS heap holds)`, name, data);
  let sawBool = false;
  let sawInt = false;
  let sawFloat = false;
  let sawBigint = false;
  let outsideInt64: unknown;
  walkNested(data, shape, name, (x) => {
    if (typeof x === 'number') {
      if (!Number.isInteger(x)) sawFloat = true;
      else {
        sawInt = true;
        if (!isInt64(x)) outsideInt64 ??= x;
      }
    } else if (typeof x === 'bigint') {
      sawBigint = true;
      if (!isInt64(x)) outsideInt64 ??= x;
    } else if (typeof x === 'boolean') sawBool = true;
    else throw typeError(REGULAR, name, data);
  });
  // As Python's torch.tensor: any float → the default dtype, else any int → int64, else bool.
  // An empty list is the default dtype.
  const inferred = sawFloat || (!sawInt && !sawBigint && !sawBool) ? getDefaultDtype() : sawInt || sawBigint ? 'int64' : 'bool';
  const target = targetOf(inferred);
  // An integer tensor takes whole numbers as Python takes ints: one beyond int64 overflows.
  if (outsideInt64 !== undefined && isIntegerDtype(target)) {
    throw rangeError(`integers that fit int64 for an integer tensor (whole numbers make int64, as Python's ints; pass { dtype: torch.float64 } for floats)`, name, outsideInt64);
  }
  // Bigints beyond ±2^53 keep every digit only through an int64 buffer.
  if (sawBigint && target === 'int64') {
    const values = new BigInt64Array(numel);
    let i = 0;
    walkNested(data, shape, name, (x) => {
      if (typeof x === 'number' && !Number.isFinite(x)) throw rangeError('finite numbers for an int64 tensor', name, x);
      values[i++] = typeof x === 'bigint' ? x : BigInt(typeof x === 'boolean' ? Number(x) : Math.trunc(x as number));
    });
    return { values, src: 'int64', dtype: target };
  }
  const values = new Float64Array(numel);
  let i = 0;
  walkNested(data, shape, name, (x) => { values[i++] = Number(x); });
  return { values, src: 'float64', dtype: target };
}

/**
 * A tensor from nested arrays, a number, a bigint or a TypedArray (copied). The dtype is inferred
 * as in PyTorch: all integers → int64, any fraction (or NaN/Infinity) → the default dtype
 * (float32), booleans → bool; a TypedArray keeps its element type (Float32Array → float32,
 * BigInt64Array → int64, …). JS writes `1.0` as `1`, so give `dtype` for whole-valued floats
 * (with `requiresGrad: true` they are floats already: only floats can require grad).
 *
 * Integers are whole numbers and bigints, as Python's ints: bigints keep every digit (so
 * `torch.tensor(x.tolist())` gives back an int64 tensor exactly), and an integer beyond int64 in an
 * integer tensor is a RangeError, as Python's overflow. Nesting is bounded as Python bounds it
 * (128 levels); an array that contains itself is a TypeError.
 *
 * @example
 * ```ts
 * torch.tensor([[1, 2], [3, 4]]);                  // int64, shape [2, 2]
 * torch.tensor([0.1307, 0.3081]);                  // float32
 * torch.tensor([1, 2], { dtype: torch.float });    // float32
 * torch.tensor([2n ** 62n + 1n]);                  // int64, exact
 * torch.tensor(new Uint8Array([1, 2, 3]));         // uint8
 * ```
 */
export function tensor(data: NestedArray | TypedArray, options?: TensorOptions): Tensor {
  if (ArrayBuffer.isView(data)) {
    const src = typedArrayDtype(data);
    if (src === null) throw typeError('a Float32Array, Float64Array, BigInt64Array, Int32Array, Int16Array, Int8Array or Uint8Array', 'data', data);
    const o = resolve(options, src);
    return N.fromData(data, [data.length], src, o.dtype, o.device, o.requiresGrad);
  }
  if (typeof data !== 'number' && typeof data !== 'boolean' && typeof data !== 'bigint' && !Array.isArray(data)) {
    throw typeError('a number, nested arrays or a TypedArray', 'data', data);
  }
  const asked = checkOptions(options, 'tensor options', TENSOR_OPTION_KEYS);
  const dtype = asked.dtype === undefined ? undefined : checkDtype(asked.dtype);
  // JS cannot write `1.` for a float: whole numbers with requiresGrad mean floats, which is what
  // Python's `torch.tensor([1., 2.], requires_grad=True)` says (an int64 tensor could not require grad).
  const wantsGrad = asked.requiresGrad === true;
  const shape = nestedShape(data, 'data');
  const flat = flatten(data, shape, 'data', (inferred) => dtype ?? (wantsGrad && !isFloatingDtype(inferred) ? getDefaultDtype() : inferred));
  const o = resolve(options, flat.dtype);
  return N.fromData(flat.values, shape, flat.src, o.dtype, o.device, o.requiresGrad);
}

/**
 * A tensor of `shape` over a TypedArray's elements (copied once; the array may be reused).
 * @example
 * ```ts
 * const x = torch.fromArray(new Float32Array(784), [1, 1, 28, 28]);
 * ```
 */
export function fromArray(data: TypedArray, shape: Int[], options?: TensorOptions): Tensor {
  const src = ArrayBuffer.isView(data) ? typedArrayDtype(data) : null;
  if (src === null) throw typeError('a TypedArray', 'data', data);
  const s = checkShape(shape, 'shape');
  const numel = s.reduce((a, b) => a * b, 1);
  if (numel !== data.length) throw rangeError(`a shape with ${data.length} elements`, 'shape', shape);
  const o = resolve(options, src);
  return N.fromData(data, s, src, o.dtype, o.device, o.requiresGrad);
}

/**
 * A 1-D tensor that reinterprets raw little-endian bytes as `dtype` (copied), like
 * `torch.frombuffer`.
 * @example
 * ```ts
 * torch.frombuffer(Buffer.from([0, 0, 128, 63]), 'float32'); // tensor([1.])
 * ```
 */
export function frombuffer(bytes: Uint8Array, dtype: DTypeName): Tensor {
  if (!(bytes instanceof Uint8Array)) throw typeError('a Buffer or Uint8Array', 'bytes', bytes);
  const d = checkDtype(dtype);
  const itemsize = ITEMSIZE[d];
  if (bytes.byteLength % itemsize !== 0) {
    throw rangeError(`a byte length that is a multiple of ${itemsize}`, 'bytes', `${bytes.byteLength} bytes`);
  }
  // fromData checks the byte length against the shape and copies once.
  return N.fromData(bytes, [bytes.byteLength / itemsize], d, d, 'cpu', false);
}

/** Bytes per element of each dtype. */
export const DTYPE_SIZE: Readonly<Record<DType, number>> = ITEMSIZE;

/** A shape as `zeros` and its kin take it: sizes, or one array of sizes, then optionally the options. */
export type ShapeArgs = (Int | Int[] | TensorOptions)[];
/** `ShapeArgs` of the random factories (`rand`, `randn`), whose options may name a generator. */
export type RandomShapeArgs = (Int | Int[] | RandomOptions)[];

/** `f(2, 3)`, `f([2, 3])` and `f(2, 3, options)`, as Python's factories take sizes. */
function splitShapeArgs(args: unknown[], name: string, keys: readonly string[] = TENSOR_OPTION_KEYS): [number[], TensorOptions] {
  let options: TensorOptions = {};
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && !Array.isArray(last)) {
    options = checkOptions(last, `${name} options`, keys) as TensorOptions;
    args = args.slice(0, -1);
  }
  return [shapeArgs(args, `${name} size`), options];
}

/** `torch.zeros(2, 3)` or `torch.zeros([2, 3], options)`. */
export function zeros(...args: ShapeArgs): Tensor { return aten.zeros(...splitShapeArgs(args, 'zeros')); }
/** `torch.ones(2, 3)` or `torch.ones([2, 3], options)`. */
export function ones(...args: ShapeArgs): Tensor { return aten.ones(...splitShapeArgs(args, 'ones')); }
/** An uninitialised tensor: `torch.empty(2, 3)`. */
export function empty(...args: ShapeArgs): Tensor { return aten.empty(...splitShapeArgs(args, 'empty')); }

/**
 * Samples of U[0, 1).
 * @example
 * ```ts
 * torch.rand(2, 3);
 * ```
 */
export function rand(...args: RandomShapeArgs): Tensor { return aten.rand(...splitShapeArgs(args, 'rand', RANDOM_OPTION_KEYS)); }

/**
 * Samples of N(0, 1).
 * @example
 * ```ts
 * const x = torch.randn(64, 1, 28, 28);
 * ```
 */
export function randn(...args: RandomShapeArgs): Tensor { return aten.randn(...splitShapeArgs(args, 'randn', RANDOM_OPTION_KEYS)); }

/**
 * A tensor of `shape` filled with `fillValue`; the dtype follows the value as in PyTorch
 * (7 → int64, 0.5 → float32, true → bool) unless `dtype` is given. An integer fill (a whole number
 * or a bigint, exact over the int64 range) that does not fit int64 is a RangeError for an integer
 * tensor, as Python's overflow.
 * @example
 * ```ts
 * torch.full([2, 2], 7);                          // int64
 * torch.full([2, 2], 1, { dtype: torch.float });  // float32
 * torch.full([1], 2n ** 62n);                     // int64, exact
 * ```
 */
export function full(shape: Int[], fillValue: number | boolean | bigint, options?: TensorOptions): Tensor {
  const o = checkOptions(options, 'full options', TENSOR_OPTION_KEYS) as TensorOptions;
  checkInt64Bounds([fillValue], ['fillValue'], o);
  return aten.full(checkShape(shape, 'size'), fillValue as number, o);
}

/**
 * Integer bounds that make an integer tensor (no `dtype`, or an integer one) must fit int64, as
 * Python's ints must: `arange(0, 1, 2 ** 63)` and `full([1], 2n ** 64n)` overflow there too.
 */
function checkInt64Bounds(values: unknown[], names: string[], options: TensorOptions): void {
  if (!values.every(isInteger)) return;
  if (options.dtype !== undefined && !isIntegerDtype(checkDtype(options.dtype))) return;
  values.forEach((v, i) => {
    if (!isInt64(v)) throw rangeError('an integer that fits int64 (whole numbers make an int64 tensor, as Python\'s ints)', names[i], v);
  });
}

/**
 * Integers uniform in `[low, high)` (int64 by default); `randint(high, size)` starts at 0.
 * @example
 * ```ts
 * const labels = torch.randint(0, 10, [64]);
 * ```
 */
export function randint(low: Int, high: Int, size: Int[], options?: Omit<RandomOptions, 'requiresGrad'>): Tensor;
export function randint(high: Int, size: Int[], options?: Omit<RandomOptions, 'requiresGrad'>): Tensor;
export function randint(...args: unknown[]): Tensor {
  if (isInteger(args[0]) && isInteger(args[1]) && args[1] <= args[0]) {
    throw rangeError(`high > low (${args[0]})`, 'high', args[1]);
  }
  return aten.randint(...(args as [number, number[]]));
}

/**
 * A random permutation of `0..n-1` (int64).
 * @example
 * ```ts
 * torch.randperm(5);
 * ```
 */
export function randperm(n: Int, options?: Omit<RandomOptions, 'requiresGrad'>): Tensor { return aten.randperm(n, options ?? {}); }

/**
 * `arange(end)` or `arange(start, end, step?)`: values from `start` up to (not including) `end`.
 * int64 when every argument is an integer (a whole number or a bigint), the default dtype
 * otherwise, as in PyTorch; integer bounds beyond int64 are a RangeError, as Python's overflow
 * (`arange(0, 1, 2 ** 63)`). A trailing plain object is the options, as everywhere: `{}` is
 * Python's `**{}`, so `arange(0, {})` is `arange(0)`.
 * @example
 * ```ts
 * torch.arange(5);          // tensor([0, 1, 2, 3, 4])
 * torch.arange(0, 1, 0.25); // tensor([0.0000, 0.2500, 0.5000, 0.7500])
 * ```
 */
export function arange(end: Int, options?: TensorOptions): Tensor;
export function arange(start: Int, end: Int, step?: Int, options?: TensorOptions): Tensor;
export function arange(...args: unknown[]): Tensor {
  const last = args[args.length - 1];
  const hasOptions = last !== null && typeof last === 'object' && !Array.isArray(last) && !(last instanceof Tensor);
  const bounds = hasOptions ? args.slice(0, -1) : args;
  if (bounds.length === 3 && (bounds[2] === 0 || bounds[2] === 0n)) throw rangeError('a non-zero step', 'step', bounds[2]);
  checkInt64Bounds(bounds, bounds.length === 1 ? ['end'] : ['start', 'end', 'step'], hasOptions ? (last as TensorOptions) : {});
  return aten.arange(...(args as [number]));
}

/** `steps` evenly spaced values from `start` to `end` inclusive. @example `torch.linspace(0, 1, 5)` */
export function linspace(start: number, end: number, steps: Int, options?: TensorOptions): Tensor {
  return aten.linspace(start, end, steps, options ?? {});
}

/** The identity matrix `n × m` (m defaults to n). @example `torch.eye(3)` */
export function eye(n: Int, m?: Int | TensorOptions, options?: TensorOptions): Tensor {
  return typeof m === 'number' || typeof m === 'bigint' ? aten.eye(n, m, options ?? {}) : aten.eye(n, m ?? {});
}

/** Zeros with `t`'s shape, dtype and device. @example `torch.zerosLike(x)` */
export function zerosLike(t: Tensor, options?: TensorOptions): Tensor { return aten.zerosLike(t, options ?? {}); }
/** Ones with `t`'s shape, dtype and device. @example `torch.onesLike(x)` */
export function onesLike(t: Tensor, options?: TensorOptions): Tensor { return aten.onesLike(t, options ?? {}); }
/** `fillValue` with `t`'s shape, dtype and device. @example `torch.fullLike(x, 7)` */
export function fullLike(t: Tensor, fillValue: number, options?: TensorOptions): Tensor { return aten.fullLike(t, fillValue, options ?? {}); }
/** U[0, 1) samples with `t`'s shape, dtype and device. @example `torch.randLike(x)` */
export function randLike(t: Tensor, options?: TensorOptions): Tensor { return aten.randLike(t, options ?? {}); }
/** N(0, 1) samples with `t`'s shape, dtype and device. @example `torch.randnLike(x)` */
export function randnLike(t: Tensor, options?: TensorOptions): Tensor { return aten.randnLike(t, options ?? {}); }

/** Whether `value` is a nodetorch Tensor. @example `torch.isTensor(x)` */
export function isTensor(value: unknown): value is Tensor { return value instanceof Tensor; }

/**
 * Seeds every random generator (CPU and CUDA): same seed, same results.
 * @example
 * ```ts
 * torch.manualSeed(0);
 * ```
 */
export function manualSeed(seed: number): void { N.manualSeed(checkInt(seed, 'seed', 0)); }

/**
 * Sets the dtype of floating-point tensors made without a `dtype`, as `torch.set_default_dtype`:
 * factories, floats in `torch.tensor`, new layers' parameters, and LibTorch's promotion of
 * tensors with JS numbers. Floating-point types only.
 * @example
 * ```ts
 * torch.setDefaultDtype('float64');
 * torch.tensor([1.5]).dtype; // 'float64'
 * ```
 */
export function setDefaultDtype(dtype: DTypeName): void {
  const d = checkDtype(dtype);
  if (!isFloatingDtype(d)) throw typeError('a floating-point dtype (float32, float64, float16 or bfloat16)', 'dtype', dtype);
  N.setDefaultDtype(d);
  setDefaultDtypeName(d);
}

export { getDefaultDtype } from './dtype';
