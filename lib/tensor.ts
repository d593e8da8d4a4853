/**
 * `torch.Tensor`: the generated methods (lib/generated/internal.ts, every method Python has)
 * plus the hand-written ones: properties, data access, `to()`, variadic shapes, printing.
 * Tensors are made by the functions in lib/factories.ts and by ops, never with `new`.
 */
import { inspect } from 'util';
import { native as N } from './binding';
import { callMethod } from './dispatch';
import { LEGACY_TYPE_NAME, dtypeOf, isFloatingDtype, type DType, type DTypeName } from './dtype';
import { TorchError, typeError, rangeError } from './errors';
import { TensorMethods, aten, handMethods } from './generated/internal';
import { linalg, uniqueDim } from './generated/ops';
import { track } from './memory';
import { HANDLE, TensorObject, bindIO, filled } from './tensor-object';
import { formatTensor } from './printing';
import { Size } from './size';
import { checkBool, checkDevice, checkDtype, checkInt, checkIntList, checkOptions, shapeArgs } from './validate';

export type { DType, DTypeName } from './dtype';
/** `'cpu'`, `'cuda'` or `'cuda:N'`. */
export type Device = string;
/** An integer: a number or a bigint, as lib/validate.ts takes them (Python's `int`). */
export type Int = number | bigint;
/** A tensor or a plain number (a Python scalar). */
export type TensorLike = Tensor | number | boolean;
/**
 * Nested arrays of numbers, bigints or booleans, as `torch.tensor()` takes them and `tolist()`
 * returns them (bigints only for int64 values beyond ±(2^53 - 1), which no JS number holds exactly).
 */
export type NestedArray = number | boolean | bigint | NestedArray[];
/** Typed arrays that map to a dtype without conversion. */
export type TypedArray =
  | Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** Options for every tensor factory (`zeros`, `randn`, `tensor`, …). */
export interface TensorOptions {
  /**
   * Element type (or an alias such as `'float'`, `torch.long`). Default: inferred from the data
   * where there is data (integers → int64, booleans → bool), else the default dtype
   * (`torch.getDefaultDtype()`, float32 unless changed).
   */
  dtype?: DTypeName;
  /** Device; default `'cpu'`. */
  device?: Device;
  /** Record operations for autograd; default `false`. */
  requiresGrad?: boolean;
}

/** `[values, indices]` that also has `.values` and `.indices`, like PyTorch's named tuple. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

/**
 * One index of `x.index(...)`, as Python writes it inside `x[...]`: an integer, a slice (`':'`,
 * `'1:'`, `'::2'` or `{ start, stop, step }`), null (a new axis), `'...'`, a boolean, a Tensor,
 * or an array of integers or booleans (an index tensor).
 */
export type IndexItem = Int | string | null | boolean | Tensor | Int[] | boolean[] | { start?: Int | null; stop?: Int | null; step?: Int | null };

const SLICE = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/;

/** An IndexItem as native indexing takes it (lib → native/bindings/tensor.cc, ToIndices). */
function indexItem(v: unknown, i: number): unknown {
  const name = `index ${i}`;
  if (v === null || typeof v === 'boolean' || v === '...' || v instanceof Tensor) return v;
  if (typeof v === 'number' || typeof v === 'bigint') return checkInt(v, name);
  if (typeof v === 'string') {
    const m = SLICE.exec(v);
    if (m === null) throw typeError("a slice such as ':', '1:3' or '::2', or '...'", name, v);
    const num = (s: string | undefined) => (s === undefined ? null : Number(s));
    return { start: num(m[1]), stop: num(m[2]), step: num(m[3]) };
  }
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'boolean') {
      const mask = new Float64Array(v.length);
      for (let k = 0; k < v.length; k++) {
        if (typeof v[k] !== 'boolean') throw typeError('an array of integers or of booleans', name, v);
        mask[k] = v[k] ? 1 : 0;
      }
      return N.fromData(mask, [mask.length], 'float64', 'bool', 'cpu', false);
    }
    const ints = checkIntList(v, name);
    return N.fromData(Float64Array.from(ints), [ints.length], 'float64', 'int64', 'cpu', false);
  }
  if (typeof v === 'object') {
    const o = checkOptions(v, name, ['start', 'stop', 'step']);
    const opt = (x: unknown, k: string) => (x === undefined || x === null ? null : checkInt(x, `${name}.${k}`));
    return { start: opt(o.start, 'start'), stop: opt(o.stop, 'stop'), step: opt(o.step, 'step') };
  }
  throw typeError('an integer, a slice string, null, \'...\', a boolean, a Tensor or an array', name, v);
}

/** An int64 as JS has it: a number where one holds it exactly, else the bigint. */
function jsInteger(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * What Python's `x.grad = g` checks (torch/csrc/autograd/python_variable.cpp, THPVariable_set_grad),
 * with its messages: a Tensor other than `x`, of `x`'s shape, dtype and device.
 */
function checkGradFor(self: Tensor, grad: unknown): void {
  if (!(grad instanceof Tensor)) throw typeError('a Tensor or null', 'grad', grad);
  if (grad === self) throw new TorchError("can't assign Variable as its own grad");
  if (grad.dtype !== self.dtype) {
    throw new TorchError(`attempting to assign a gradient with dtype '${grad.dtype}' to a tensor with dtype '${self.dtype}'. Please ensure that the gradient and the tensor have the same dtype`, 'DTYPE_MISMATCH');
  }
  if (grad.device !== self.device) {
    throw new TorchError(`attempting to assign a gradient on device '${grad.device}' to a tensor on device '${self.device}'. Please ensure that the gradient and the tensor are on the same device`, 'DEVICE_MISMATCH');
  }
  const want = N.shape(self) as number[];
  const got = N.shape(grad) as number[];
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new TorchError(`attempting to assign a gradient of size '[${got.join(', ')}]' to a tensor of size '[${want.join(', ')}]'. Please ensure that the gradient and the tensor are the same size`, 'SHAPE_MISMATCH');
  }
}

/**
 * The one tensor check of the TypeScript layer: `value` itself, or a TypeError naming `name`.
 * @internal
 */
export function checkTensor(value: unknown, name: string): Tensor {
  if (!(value instanceof Tensor)) throw typeError('a Tensor', name, value);
  return value;
}

function uniqueResult(out: Tensor, inverse: Tensor, counts: Tensor, returnInverse: boolean, returnCounts: boolean): Tensor | Tensor[] {
  if (returnInverse && returnCounts) return [out, inverse, counts];
  if (returnInverse) return [out, inverse];
  if (returnCounts) return [out, counts];
  return out;
}

/** `f(2, 3)` and `f([2, 3])`, as Python's variadic size arguments. */
function dimsOf(args: unknown[], name: string): number[] {
  return checkIntList(args.length === 1 && Array.isArray(args[0]) ? args[0] : args, name);
}

/**
 * A multi-dimensional array on a device, with autograd. Made by torch functions
 * (`torch.tensor`, `torch.zeros`, …) and by ops, never with `new`. Every method PyTorch's
 * Tensor has is here, with Python's names in camelCase and keyword-only arguments in a trailing
 * options object: `x.sum(1, true)`, `x.add(y, { alpha: 2 })`, `x.max(1).indices`.
 *
 * Memory: a tensor that nothing references is freed by the garbage collector, which runs
 * inside synchronous loops too (so a Python-style training loop stays flat); `dispose()` frees
 * one now and `torch.tidy()` frees every tensor made inside a scope.
 *
 * @example
 * ```ts
 * const x = torch.randn(2, 3, { requiresGrad: true });
 * const y = x.mul(2).sum();
 * y.backward();
 * console.log(x.grad); // tensor([[2., 2., 2.], [2., 2., 2.]])
 * ```
 */
export class Tensor extends TensorMethods {
  /**
   * @internal Tensors come from native code, made without this constructor; it runs only for
   * nn.Parameter, which adopts the handle prepared for it. `new Tensor()` throws a TypeError.
   */
  constructor() {
    super();
    N.adopt(this);
    track(this);
  }

  // ---- properties --------------------------------------------------------------------------

  /** The sizes of each dimension, e.g. `[64, 1, 28, 28]` (a `torch.Size`, an array of numbers). */
  get shape(): Size { return Size.of_(N.shape(this)); }
  /** The element type, e.g. `'float32'`. */
  get dtype(): DType { return N.dtype(this); }
  /** The device, e.g. `'cpu'` or `'cuda:0'`. */
  get device(): Device { return N.device(this); }
  /** Whether autograd records operations on this tensor. */
  get requiresGrad(): boolean { return N.requiresGrad(this); }
  set requiresGrad(value: boolean) { N.setRequiresGrad(this, checkBool(value, 'requiresGrad')); }
  /** The gradient accumulated by `backward()`, or `null`. */
  get grad(): Tensor | null {
    const out = new TensorObject();
    return filled(N.grad(this, out), out);
  }
  /**
   * Assigning checks what Python's setter checks: a Tensor (or null, which clears it) of this
   * tensor's shape, dtype and device, else a {@link TorchError} (`SHAPE_MISMATCH`,
   * `DTYPE_MISMATCH`, `DEVICE_MISMATCH`) before anything changes.
   * @example
   * ```ts
   * w.grad = torch.zerosLike(w);  // fine
   * w.grad = torch.ones([1]);     // TorchError: attempting to assign a gradient of size '[1]' to a tensor of size '[2, 3]'…
   * ```
   */
  set grad(value: Tensor | null) {
    if (value !== null) checkGradFor(this, value);
    N.setGrad(this, value);
  }
  /** Whether this tensor is a leaf of the autograd graph. */
  get isLeaf(): boolean { return N.isLeaf(this); }
  /** The autograd node that made this tensor (e.g. `'AddBackward0'`), or `null`. */
  get gradFn(): string | null { return N.gradFn(this); }
  /** Whether `dispose()` (or a `tidy` scope) has freed this tensor. */
  get isDisposed(): boolean { return N.isDisposed(this); }
  /** `true` for a CUDA tensor. */
  get isCuda(): boolean { return this.device.startsWith('cuda'); }
  /** Number of dimensions (`t.ndim === t.shape.length`). */
  get ndim(): number { return N.dim(this); }

  /** The size of one dimension, or the whole shape: `x.size(0)` is the batch size. */
  size(): Size;
  size(dim: Int): number;
  size(dim?: Int): number | Size {
    const shape = this.shape;
    if (dim === undefined) return shape;
    const n = checkInt(dim, 'dim');
    const d = n < 0 ? n + shape.length : n;
    if (d < 0 || d >= shape.length) throw rangeError(`a dimension in [${-shape.length}, ${shape.length - 1}]`, 'dim', dim);
    return shape[d];
  }
  /** Number of dimensions. */
  dim(): number { return N.dim(this); }
  /** Number of elements. */
  numel(): number { return N.numel(this); }
  /** Strides in elements. */
  stride(): number[] { return N.stride(this); }
  /** Bytes per element. */
  elementSize(): number { return N.elementSize(this); }
  /** Offset of the first element in the storage, in elements. */
  storageOffset(): number { return N.storageOffset(this); }
  /** Whether the elements are laid out densely in row-major order. */
  isContiguous(): boolean { return N.isContiguous(this); }

  // ---- data out ----------------------------------------------------------------------------

  /**
   * The value of a one-element tensor as a JS number, like Python's `x.item()`. A `bool` tensor
   * gives a boolean: ask for it with `x.item<boolean>()`. An int64 value beyond ±(2^53 - 1),
   * which no JS number holds exactly, comes back as a `bigint` (Python's ints have every digit
   * too): where an int64 tensor may hold such values, ask for `x.item<number | bigint>()`.
   * @example
   * ```ts
   * const loss = criterion(output, target);
   * console.log(loss.item()); // 2.3025…
   * torch.tensor([2n ** 62n + 1n]).item<number | bigint>(); // 4611686018427387905n
   * ```
   */
  item<T extends number | boolean | bigint = number>(): T {
    const v = N.item(this) as number | boolean;
    // Native code gives int64 as a double, rounded beyond ±(2^53 - 1): then read it exactly.
    if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v) && this.dtype === 'int64') {
      return jsInteger((N.toTypedArray(this) as BigInt64Array)[0]) as T;
    }
    return v as T;
  }
  /**
   * A copy of the elements in row-major order as a TypedArray: Float32Array for float32 (and
   * float16/bfloat16, widened), Float64Array, BigInt64Array for int64, Int32Array, Int16Array,
   * Int8Array, Uint8Array for uint8 and bool.
   */
  toArray(): TypedArray { return N.toTypedArray(this); }
  /**
   * The elements as nested JS arrays of numbers (booleans for `bool`), like PyTorch's `tolist()`.
   * int64 values beyond ±(2^53 - 1) are bigints, exact as Python's ints (the rest stay numbers),
   * so `torch.tensor(x.tolist())` gives `x` back.
   */
  tolist(): NestedArray {
    const flat = this.toArray();
    const isBool = this.dtype === 'bool';
    const value = (i: number): number | boolean | bigint => {
      const v = flat[i];
      return typeof v === 'bigint' ? jsInteger(v) : isBool ? v !== 0 : v;
    };
    const shape = this.shape;
    let i = 0;
    const build = (d: number): NestedArray => {
      if (d === shape.length) return value(i++);
      const out: NestedArray[] = [];
      for (let k = 0; k < shape[d]; k++) out.push(build(d + 1));
      return out;
    };
    return build(0);
  }
  /** The raw little-endian bytes of a contiguous CPU copy, as stored in a `.pth` file. */
  toBuffer(): Buffer { return N.toBuffer(this); }
  /**
   * The elements as a TypedArray that shares this tensor's memory, like `x.numpy()`: no copy, and
   * writes through either one show in the other. For a contiguous CPU tensor that does not
   * require grad (use `x.detach().numpy()`), of a dtype with a TypedArray (not float16/bfloat16/
   * complex: use `x.float().numpy()`); otherwise a TorchError says what to call instead.
   *
   * Lifetime: the array keeps the tensor's storage alive for as long as the array is reachable,
   * even after `dispose()`; from then on the storage can no longer grow in place (a later
   * `resize_` beyond its size throws instead of leaving the array dangling).
   * @example
   * ```ts
   * const a = torch.zeros(3).numpy(); // Float32Array [0, 0, 0], shared
   * ```
   */
  numpy(): TypedArray { return N.numpyView(this); }

  // ---- lifetimes ---------------------------------------------------------------------------

  /** Frees the tensor's memory now. Idempotent; any later use throws a `TorchError` (`DISPOSED`). */
  dispose(): void { N.dispose(this); }

  // ---- conversion --------------------------------------------------------------------------

  /**
   * A tensor on another device and/or of another dtype (this one when nothing changes).
   * @example
   * ```ts
   * x.to('cuda:0'); x.to('float64'); x.to({ device: 'cpu', dtype: 'float32' });
   * ```
   */
  to(target: DTypeName | Device | { dtype?: DTypeName; device?: Device; copy?: boolean }): Tensor {
    let dtype: DType | null = null;
    let device: Device | null = null;
    let copy = false;
    if (typeof target === 'string') {
      dtype = dtypeOf(target) ?? null;
      if (dtype === null) device = checkDevice(target, 'target');
    } else {
      const o = checkOptions(target, 'to() options', ['dtype', 'device', 'copy']);
      if (o.dtype !== undefined) dtype = checkDtype(o.dtype);
      if (o.device !== undefined) device = checkDevice(o.device);
      if (o.copy !== undefined) copy = checkBool(o.copy, 'copy');
    }
    return N.to(this, dtype, device, copy);
  }
  /** A CPU copy (this tensor if already on the CPU). */
  cpu(): Tensor { return this.to('cpu'); }
  /** A copy on a CUDA device (default `'cuda'`). Throws `CUDA_UNAVAILABLE` without CUDA. */
  cuda(device: Device = 'cuda'): Tensor { return this.to(checkDevice(device)); }
  /** `to('float32')`. */
  float(): Tensor { return this.to('float32'); }
  /** `to('float64')`. */
  double(): Tensor { return this.to('float64'); }
  /** `to('int64')`. */
  long(): Tensor { return this.to('int64'); }
  /** `to('int32')`. */
  int(): Tensor { return this.to('int32'); }
  /** `to('bool')`. */
  bool(): Tensor { return this.to('bool'); }
  /** `to('float16')`. */
  half(): Tensor { return this.to('float16'); }
  /** `to('bfloat16')`. */
  bfloat16(): Tensor { return this.to('bfloat16'); }
  /** `to('int16')`. */
  short(): Tensor { return this.to('int16'); }
  /** `to('int8')`. */
  char(): Tensor { return this.to('int8'); }
  /** `to('uint8')`. */
  byte(): Tensor { return this.to('uint8'); }
  /**
   * With no argument, PyTorch's type name (`'torch.FloatTensor'`); with a dtype, this tensor
   * converted to it (`x.type(torch.float)`, `x.type('long')`).
   * @example
   * ```ts
   * const correct = pred.argmax(1).eq(y).type(torch.float).sum().item();
   * ```
   */
  type(): string;
  type(dtype: DTypeName): Tensor;
  type(dtype?: DTypeName): string | Tensor {
    if (dtype === undefined) return `torch.${this.isCuda ? 'cuda.' : ''}${LEGACY_TYPE_NAME[this.dtype]}`;
    return this.to(checkDtype(dtype));
  }
  /** Whether the dtype is a floating-point one. */
  isFloatingPoint(): boolean { return isFloatingDtype(this.dtype); }
  /** This tensor if contiguous, else a contiguous copy. */
  contiguous(): Tensor {
    const out = new TensorObject();
    return filled(N.contiguous(this, out), out);
  }

  // ---- autograd ----------------------------------------------------------------------------

  /**
   * Computes gradients of this tensor with respect to the graph leaves and accumulates them
   * into their `.grad`. A non-scalar tensor needs `gradient`.
   */
  backward(gradient?: Tensor | null, options: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    if (gradient !== undefined && gradient !== null) checkTensor(gradient, 'gradient');
    const o = checkOptions(options, 'backward() options', ['retainGraph', 'createGraph']);
    N.backward(this, gradient ?? null, o.retainGraph === true, o.createGraph === true);
  }
  /** Sets `requiresGrad` in place and returns this tensor. */
  requiresGrad_(requiresGrad = true): this {
    N.setRequiresGrad(this, checkBool(requiresGrad, 'requiresGrad'));
    return this;
  }
  /** Keeps `.grad` for a non-leaf tensor. */
  retainGrad(): void { N.retainGrad(this); }
  /**
   * The same storage as a new tensor cut off from autograd, like PyTorch's `x.data`; assigning
   * replaces this tensor's data in place (its identity, and so any optimizer holding it, stays).
   * @example
   * ```ts
   * p.data = p.data.clamp(-1, 1);
   * ```
   */
  get data(): Tensor {
    const out = new TensorObject();
    return filled(N.detach(this, out), out);
  }
  set data(value: Tensor) {
    N.setData(this, checkTensor(value, 'data'));
  }

  // ---- Python conveniences -----------------------------------------------------------------

  /** The transpose with every dimension reversed (`x.T`; a matrix's transpose). */
  get T(): Tensor {
    const n = this.dim();
    return n < 2 ? this.t() : this.permute(Array.from({ length: n }, (_, i) => n - 1 - i));
  }
  /** The last two dimensions swapped (`x.mT`), for batches of matrices. */
  get mT(): Tensor { return this.transpose(-2, -1); }
  /** The conjugate transpose of a matrix (`x.H`; the transpose for real tensors). */
  get H(): Tensor {
    if (this.dim() !== 2 && this.dim() !== 0) throw new TorchError(`tensor.H is only supported on matrices (2-D tensors). Got ${this.dim()}-D tensor.`);
    return this.dim() === 0 ? this : this.transpose(0, 1).conj();
  }
  /** The conjugate transpose of the last two dimensions (`x.mH`, `x.adjoint()`). */
  get mH(): Tensor { return this.adjoint(); }
  /** The size of the first dimension, as Python's `len(x)`; a 0-d tensor throws a TypeError. */
  get length(): number {
    const shape = N.shape(this) as number[];
    if (shape.length === 0) throw new TypeError('len() of a 0-d tensor');
    return shape[0];
  }
  /**
   * Iterates over the first dimension, as Python's `for row in x`.
   * @example
   * ```ts
   * for (const row of torch.eye(3)) console.log(row.tolist());
   * ```
   */
  *[Symbol.iterator](): IterableIterator<Tensor> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this.select(0, i);
  }

  // ---- shapes, as Python's variadic forms ---------------------------------------------------

  /** A view with another shape (one size may be -1): `x.view(batchSize, -1)`; `x.view(dtype)` reinterprets. */
  view(...shape: Int[] | [Int[]]): Tensor;
  view(dtype: DTypeName): Tensor;
  view(...args: unknown[]): Tensor {
    if (args.length === 1 && dtypeOf(args[0]) !== undefined) return callMethod(handMethods.view, 'view', this, args);
    return callMethod(handMethods.view, 'view', this, [shapeArgs(args, 'shape', true)]);
  }
  /** Like `view`, copying when the layout needs it: `x.reshape(2, -1)`. */
  reshape(...shape: Int[] | [Int[]]): Tensor { return callMethod(handMethods.reshape, 'reshape', this, [shapeArgs(shape, 'shape', true)]); }
  /** A view repeating size-one dimensions: `x.expand(4, -1)`. */
  expand(...size: Int[] | [Int[]]): Tensor { return callMethod(handMethods.expand, 'expand', this, [shapeArgs(size, 'size', true)]); }
  /** Reorders dimensions: `x.permute(0, 2, 3, 1)`. */
  permute(...dims: Int[] | [Int[]]): Tensor { return callMethod(handMethods.permute, 'permute', this, [dimsOf(dims, 'dims')]); }
  /** Repeats the tensor along each dimension: `x.repeat(2, 1)`. */
  repeat(...repeats: Int[] | [Int[]]): Tensor { return callMethod(handMethods.repeat, 'repeat', this, [shapeArgs(repeats, 'repeats')]); }
  /** Repeats like `repeat`, padding `dims` with leading ones: `x.tile(2)`. */
  tile(...dims: Int[] | [Int[]]): Tensor { return callMethod(handMethods.tile, 'tile', this, [dimsOf(dims, 'dims')]); }
  /** Reverses the order along `dims`: `x.flip(0)`. */
  flip(...dims: Int[] | [Int[]]): Tensor { return callMethod(handMethods.flip, 'flip', this, [dimsOf(dims, 'dims')]); }
  /** Python's `x[start:end:step]` along `dim`, as a view. */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return callMethod(handMethods.slice, 'slice', this, [dim, start ?? null, end ?? null, step]);
  }
  /** Python's `x[i]`: `select(0, i)`. */
  get(index: number): Tensor { return this.select(0, index); }
  /**
   * Python's `x[...]`, with its semantics (views for ints and slices, copies for advanced
   * indexing, autograd through both). Each item is what Python writes between the brackets:
   *
   * | Python | nodetorch |
   * | --- | --- |
   * | `x[1, :, ::2]` | `x.index(1, ':', '::2')` |
   * | `x[..., None]` | `x.index('...', null)` |
   * | `x[mask]`, `x[idx]` | `x.index(mask)`, `x.index(idx)` |
   * | `x[[0, 2]]`, `x[1:-1]` | `x.index([0, 2])`, `x.index('1:-1')` |
   * | `x[i, j] = v` | `x.indexPut_([i, j], v)` |
   *
   * Slices are strings (`':'`, `'1:'`, `':3'`, `'1:10:2'`) or `{ start, stop, step }`.
   * @example
   * ```ts
   * const firstChannel = images.index(':', 0);          // images[:, 0]
   * const picked = logits.index(torch.arange(n), labels); // logits[torch.arange(n), labels]
   * ```
   */
  index(...items: IndexItem[]): Tensor {
    return N.indexGet(this, items.map((v, i) => indexItem(v, i)));
  }
  /**
   * Assignment through an index, as Python's `x[...] = value` (in place, autograd-aware), and
   * PyTorch's `x.index_put_(indices, values, accumulate)`: a list of only Tensors (and nulls,
   * which then mean `:`) is `index_put_` itself, accumulate included; any other item is read as
   * in `x.index()`, with null meaning `:` too.
   * @example
   * ```ts
   * x.indexPut_([0, ':'], 1);        // x[0, :] = 1
   * x.indexPut_([mask], 0);          // x[mask] = 0
   * counts.indexPut_([idx], ones, true);
   * ```
   */
  override indexPut_(indices: IndexItem[], values: Tensor | number | boolean, accumulate = false): this {
    if (!Array.isArray(indices)) throw typeError('an array of indices', 'indices', indices);
    // Read by index into a copy: a sparse array fails at its first hole, not after 2^32 of them.
    const items: unknown[] = [];
    let tensors = 0;
    for (let i = 0; i < indices.length; i++) {
      const v: unknown = indices[i];
      if (v !== null && !(v instanceof Tensor)) tensors = -Infinity;
      if (v instanceof Tensor) tensors++;
      items.push(v === null ? null : indexItem(v, i));
    }
    if (tensors > 0 && values instanceof Tensor) return super.indexPut_(items as (Tensor | null)[], values, accumulate);
    if (checkBool(accumulate, 'accumulate')) throw typeError('false (accumulate needs Tensor indices and a Tensor value)', 'accumulate', accumulate);
    N.indexSet(this, items.map((v) => (v === null ? {} : v)), values);
    return this;
  }

  // ---- Python-level methods (torch/_tensor.py, torch/functional.py) ---------------------------

  /**
   * The p-norm as Python's `x.norm(p='fro', dim=None, keepdim=False, dtype=None)`: a number p
   * (or `'fro'` over ≤ 2 dims) is `linalg.vectorNorm`, `'nuc'` (or `'fro'` over more dims) is
   * `linalg.matrixNorm`.
   * @example
   * ```ts
   * x.norm(); x.norm(1, 0); x.norm('nuc');
   * ```
   */
  norm(p: number | 'fro' | 'nuc' | null = 'fro', dim?: number | number[] | null, keepdim = false, options: { dtype?: DTypeName } = {}): Tensor {
    const o = checkOptions(options, 'Tensor.norm options', ['dtype']);
    const dims = dim === undefined || dim === null ? null : typeof dim === 'number' ? [dim] : dim;
    if (typeof p === 'string') {
      if (p === 'fro' && (dims === null || dims.length <= 2)) return linalg.vectorNorm(this, 2, dims, keepdim, { dtype: o.dtype as DTypeName });
      return linalg.matrixNorm(this, p, dims ?? Array.from({ length: this.dim() }, (_, i) => i), keepdim, { dtype: o.dtype as DTypeName });
    }
    return linalg.vectorNorm(this, p ?? 2, dims, keepdim, { dtype: o.dtype as DTypeName });
  }

  /**
   * The unique elements, as Python's `x.unique(sorted=True, return_inverse=False,
   * return_counts=False, dim=None)`: a tensor, or `[output, inverse?, counts?]` when asked.
   * @example
   * ```ts
   * const [values, counts] = labels.unique(true, false, true);
   * ```
   */
  unique(sorted = true, returnInverse = false, returnCounts = false, dim: number | null = null): Tensor | Tensor[] {
    const [out, inverse, counts] = dim === null
      ? aten._unique2(this, checkBool(sorted, 'sorted'), checkBool(returnInverse, 'returnInverse'), checkBool(returnCounts, 'returnCounts'))
      : uniqueDim(this, checkInt(dim, 'dim'), sorted, returnInverse, returnCounts);
    return uniqueResult(out, inverse, counts, returnInverse, returnCounts);
  }

  /** Collapses runs of equal elements, as Python's `x.unique_consecutive(return_inverse, return_counts, dim)`. */
  uniqueConsecutive(returnInverse = false, returnCounts = false, dim: number | null = null): Tensor | Tensor[] {
    const [out, inverse, counts] = aten.uniqueConsecutive(this, checkBool(returnInverse, 'returnInverse'), checkBool(returnCounts, 'returnCounts'), dim);
    return uniqueResult(out, inverse, counts, returnInverse, returnCounts);
  }

  /**
   * Indices of the non-zero elements: `[n, ndim]`, or with `{ asTuple: true }` one index tensor
   * per dimension (as Python's `x.nonzero(as_tuple=True)`).
   */
  nonzero(options?: { asTuple?: false }): Tensor;
  nonzero(options: { asTuple: true }): Tensor[];
  nonzero(options: { asTuple?: boolean } = {}): Tensor | Tensor[] {
    const o = checkOptions(options, 'Tensor.nonzero options', ['asTuple']);
    return o.asTuple === true ? callMethod(handMethods.nonzeroNumpy, 'nonzero', this, []) : callMethod(handMethods.nonzero, 'nonzero', this, []);
  }

  // ---- printing ----------------------------------------------------------------------------

  /** PyTorch's `repr`: `tensor([[1.0000, 2.0000]], requires_grad=True)`. */
  override toString(): string {
    if (this.isDisposed) return 'tensor(<disposed>)';
    return formatTensor(this);
  }
  /** @internal `console.log(x)` prints what Python's `print(x)` does. */
  [inspect.custom](): string { return this.toString(); }
}

TensorObject.prototype = Tensor.prototype;
bindIO(N.setup(TensorObject, HANDLE, TorchError));
