/**
 * `torch.Tensor` and the functions that make tensors. Methods mirror PyTorch's in camelCase;
 * shapes are `torch.Size` arrays, dtypes and devices are strings.
 */
import { inspect } from 'util';
import { native as N } from './binding';
import { DTYPES, ITEMSIZE, LEGACY_TYPE_NAME, dtypeOf, isFloatingDtype, type DType, type DTypeName } from './dtype';
import { TorchError, typeError, rangeError } from './errors';
import { Size } from './size';
import {
  checkBool, checkDevice, checkDtype, checkInt, checkIntList, checkNumber, checkOptions, checkShape, optionKeys, shapeArgs,
} from './validate';

export type { DType, DTypeName } from './dtype';
/** `'cpu'`, `'cuda'` or `'cuda:N'`. */
export type Device = string;
/** A tensor or a plain number (a Python scalar). */
export type TensorLike = Tensor | number | boolean;
/** Nested arrays of numbers or booleans, as `torch.tensor()` takes them. */
export type NestedArray = number | boolean | NestedArray[];
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

const TENSOR_OPTION_KEYS = optionKeys<TensorOptions>({ dtype: true, device: true, requiresGrad: true });

// ---- the default dtype -----------------------------------------------------------------------

let defaultDtype: DType = 'float32';

/**
 * The dtype of floating-point tensors made without a `dtype` (float32 unless changed).
 * @example
 * ```ts
 * torch.getDefaultDtype(); // 'float32'
 * ```
 */
export function getDefaultDtype(): DType { return defaultDtype; }

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
  defaultDtype = d;
}

// ---- tidy scopes -----------------------------------------------------------------------------

const scopes: Set<Tensor>[] = [];

function track(t: Tensor): void {
  const scope = scopes[scopes.length - 1];
  if (scope !== undefined) scope.add(t);
}

// ---- the Tensor class ------------------------------------------------------------------------

type Scalar = number | boolean;

function operand(value: unknown, name: string): Tensor | Scalar {
  if (value instanceof Tensor || typeof value === 'number' || typeof value === 'boolean') return value;
  throw typeError('a Tensor or a number', name, value);
}

function optDim(dim: unknown, name = 'dim'): number | null {
  return dim === undefined || dim === null ? null : checkInt(dim, name);
}

function dimList(dim: unknown, name = 'dim'): number[] | null {
  if (dim === undefined || dim === null) return null;
  return typeof dim === 'number' ? [checkInt(dim, name)] : checkIntList(dim, name);
}

/** `[values, indices]` that also has `.values` and `.indices`, like PyTorch's named tuple. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

function valuesIndices(pair: [Tensor, Tensor]): ValuesIndices {
  return Object.assign(pair, { values: pair[0], indices: pair[1] });
}

/**
 * A multi-dimensional array on a device, with autograd. Made by torch functions
 * (`torch.tensor`, `torch.zeros`, …), never with `new`.
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
export class Tensor extends (N.TensorBase as new () => object) {
  /** @internal Tensors come from native code; `new Tensor()` throws a TypeError. */
  constructor() {
    super();
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
  get grad(): Tensor | null { return N.grad(this); }
  set grad(value: Tensor | null) {
    if (value !== null && !(value instanceof Tensor)) throw typeError('a Tensor or null', 'grad', value);
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
  size(dim: number): number;
  size(dim?: number): number | Size {
    const shape = this.shape;
    if (dim === undefined) return shape;
    checkInt(dim, 'dim');
    const d = dim < 0 ? dim + shape.length : dim;
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
   * gives a boolean: ask for it with `x.item<boolean>()`.
   * @example
   * ```ts
   * const loss = criterion(output, target);
   * console.log(loss.item()); // 2.3025…
   * ```
   */
  item<T extends number | boolean = number>(): T { return N.item(this); }
  /**
   * A copy of the elements in row-major order as a TypedArray: Float32Array for float32 (and
   * float16/bfloat16, widened), Float64Array, BigInt64Array for int64, Int32Array, Int16Array,
   * Int8Array, Uint8Array for uint8 and bool.
   */
  toArray(): TypedArray { return N.toTypedArray(this); }
  /** The elements as nested JS arrays of numbers (booleans for `bool`), like PyTorch's `tolist()`. */
  tolist(): NestedArray {
    const flat = this.toArray();
    const isBool = this.dtype === 'bool';
    const value = (i: number): number | boolean => {
      const v = flat[i];
      return isBool ? v !== 0 : Number(v);
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
  /** A copy that autograd tracks back to this tensor. */
  clone(): Tensor { return N.clone(this); }
  /** The same data, cut off from autograd. */
  detach(): Tensor { return N.detach(this); }
  /** This tensor if contiguous, else a contiguous copy. */
  contiguous(): Tensor { return N.contiguous(this); }

  // ---- autograd ----------------------------------------------------------------------------

  /**
   * Computes gradients of this tensor with respect to the graph leaves and accumulates them
   * into their `.grad`. A non-scalar tensor needs `gradient`.
   */
  backward(gradient?: Tensor | null, options: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) throw typeError('a Tensor', 'gradient', gradient);
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
  get data(): Tensor { return N.detach(this); }
  set data(value: Tensor) {
    if (!(value instanceof Tensor)) throw typeError('a Tensor', 'data', value);
    N.setData(this, value);
  }

  // ---- Python conveniences -----------------------------------------------------------------

  /** The transpose with every dimension reversed (`x.T`; a matrix's transpose). */
  get T(): Tensor {
    const n = this.dim();
    return n < 2 ? this.t() : this.permute(Array.from({ length: n }, (_, i) => n - 1 - i));
  }
  /** The last two dimensions swapped (`x.mT`), for batches of matrices. */
  get mT(): Tensor { return this.transpose(-2, -1); }
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

  // ---- shape -------------------------------------------------------------------------------

  /** A view with another shape (one size may be -1): `x.view(batchSize, -1)`. */
  view(...shape: number[] | [number[]]): Tensor { return N.view(this, shapeArgs(shape, 'shape', true)); }
  /** Like `view`, copying when the layout needs it. */
  reshape(...shape: number[] | [number[]]): Tensor { return N.reshape(this, shapeArgs(shape, 'shape', true)); }
  /** A view that treats another tensor's shape as this one's. */
  viewAs(other: Tensor): Tensor { return this.view(other.shape); }
  /** Flattens dimensions `startDim..endDim` into one. */
  flatten(startDim = 0, endDim = -1): Tensor { return N.flatten(this, checkInt(startDim, 'startDim'), checkInt(endDim, 'endDim')); }
  /** Reorders dimensions: `x.permute(0, 2, 3, 1)`. */
  permute(...dims: number[] | [number[]]): Tensor {
    const d = dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : dims;
    return N.permute(this, checkIntList(d, 'dims'));
  }
  /** Swaps two dimensions. */
  transpose(dim0: number, dim1: number): Tensor { return N.transpose(this, checkInt(dim0, 'dim0'), checkInt(dim1, 'dim1')); }
  /** The transpose of a matrix (≤ 2 dimensions). */
  t(): Tensor { return N.t(this); }
  /** Inserts a dimension of size one. */
  unsqueeze(dim: number): Tensor { return N.unsqueeze(this, checkInt(dim, 'dim')); }
  /** Removes dimensions of size one (all, or just `dim`). */
  squeeze(dim?: number): Tensor { return N.squeeze(this, optDim(dim)); }
  /** A view repeating size-one dimensions: `x.expand(4, -1)`. */
  expand(...size: number[] | [number[]]): Tensor { return N.expand(this, shapeArgs(size, 'size', true)); }
  /** Repeats the tensor along each dimension. */
  repeat(...repeats: number[] | [number[]]): Tensor { return N.repeat(this, shapeArgs(repeats, 'repeats')); }
  /** Reverses the order along `dims`. */
  flip(...dims: number[] | [number[]]): Tensor {
    const d = dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : dims;
    return N.flip(this, checkIntList(d, 'dims'));
  }
  /** `length` elements of `dim` from `start`, as a view. */
  narrow(dim: number, start: number, length: number): Tensor {
    return N.narrow(this, checkInt(dim, 'dim'), checkInt(start, 'start'), checkInt(length, 'length', 0));
  }
  /** Python's `x[start:end:step]` along `dim`, as a view. */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return N.slice(this, checkInt(dim, 'dim'), optDim(start, 'start'), optDim(end, 'end'), checkInt(step, 'step', 1));
  }
  /** Python's `x[..., index, ...]` at `dim`, dropping that dimension. */
  select(dim: number, index: number): Tensor { return N.select(this, checkInt(dim, 'dim'), checkInt(index, 'index')); }
  /** Python's `x[i]`: `select(0, i)`. */
  get(index: number): Tensor { return this.select(0, index); }
  /** Entries of `dim` at the int64 `index` tensor. */
  indexSelect(dim: number, index: Tensor): Tensor {
    if (!(index instanceof Tensor)) throw typeError('a Tensor', 'index', index);
    return N.indexSelect(this, checkInt(dim, 'dim'), index);
  }
  /** Gathers values along `dim` at `index`. */
  gather(dim: number, index: Tensor): Tensor {
    if (!(index instanceof Tensor)) throw typeError('a Tensor', 'index', index);
    return N.gather(this, checkInt(dim, 'dim'), index);
  }
  /** Python's `x[mask]` or `x[indices]` with a bool mask or int64 index tensor. */
  index(indices: Tensor): Tensor {
    if (!(indices instanceof Tensor)) throw typeError('a Tensor', 'indices', indices);
    return N.indexTensor(this, indices);
  }
  /** Elements where the bool `mask` is true, as a 1-D tensor. */
  maskedSelect(mask: Tensor): Tensor { return N.maskedSelect(this, mask); }
  /** A view with explicit sizes, strides (in elements) and storage offset. */
  asStrided(size: number[], stride: number[], storageOffset = 0): Tensor {
    return N.asStrided(this, checkShape(size, 'size'), checkIntList(stride, 'stride'), checkInt(storageOffset, 'storageOffset', 0));
  }
  /** Splits into pieces of `splitSize` (or of the listed sizes) along `dim`. */
  split(splitSize: number | number[], dim = 0): Tensor[] {
    const s = typeof splitSize === 'number' ? checkInt(splitSize, 'splitSize', 1) : checkShape(splitSize, 'splitSize');
    return N.split(this, s, checkInt(dim, 'dim'));
  }
  /** Splits into `chunks` nearly equal pieces along `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] { return N.chunk(this, checkInt(chunks, 'chunks', 1), checkInt(dim, 'dim')); }

  // ---- math --------------------------------------------------------------------------------

  /** `this + alpha * other`. */
  add(other: TensorLike, alpha = 1): Tensor { return N.add(this, operand(other, 'other'), checkNumber(alpha, 'alpha')); }
  /** `this - alpha * other`. */
  sub(other: TensorLike, alpha = 1): Tensor { return N.sub(this, operand(other, 'other'), checkNumber(alpha, 'alpha')); }
  /** Element-wise product. */
  mul(other: TensorLike): Tensor { return N.mul(this, operand(other, 'other')); }
  /** Element-wise true division. */
  div(other: TensorLike): Tensor { return N.div(this, operand(other, 'other')); }
  /** Element-wise power. */
  pow(exponent: TensorLike): Tensor { return N.pow(this, operand(exponent, 'exponent')); }
  /** Python's `%` (sign of the divisor). */
  remainder(other: TensorLike): Tensor { return N.remainder(this, operand(other, 'other')); }
  /** C's `fmod` (sign of the dividend). */
  fmod(other: TensorLike): Tensor { return N.fmod(this, operand(other, 'other')); }
  /** Matrix product with broadcasting, like Python's `@`. */
  matmul(other: Tensor): Tensor {
    if (!(other instanceof Tensor)) throw typeError('a Tensor', 'other', other);
    return N.matmul(this, other);
  }
  /** Matrix product of two matrices. */
  mm(other: Tensor): Tensor { return this.matmul(other); }
  /** Element-wise maximum of two tensors. */
  maximum(other: Tensor): Tensor { return N.maximum(this, other); }
  /** Element-wise minimum of two tensors. */
  minimum(other: Tensor): Tensor { return N.minimum(this, other); }
  /** Clamps into `[min, max]` (either may be null). */
  clamp(min?: number | null, max?: number | null): Tensor {
    if (min != null) checkNumber(min, 'min');
    if (max != null) checkNumber(max, 'max');
    if (min == null && max == null) throw new TypeError('Expected at least one of min or max for clamp but received neither');
    return N.clamp(this, min ?? null, max ?? null, false);
  }
  /** Element-wise `-x`. @example `x.neg()` */
  neg(): Tensor { return N.neg(this); }
  /** Element-wise `e^x`. @example `x.exp()` */
  exp(): Tensor { return N.exp(this); }
  /** Element-wise natural logarithm. @example `x.log()` */
  log(): Tensor { return N.log(this); }
  /** Element-wise base-2 logarithm. @example `x.log2()` */
  log2(): Tensor { return N.log2(this); }
  /** Element-wise base-10 logarithm. @example `x.log10()` */
  log10(): Tensor { return N.log10(this); }
  /** Element-wise `log(1 + x)`. @example `x.log1p()` */
  log1p(): Tensor { return N.log1p(this); }
  /** Element-wise `e^x - 1`. @example `x.expm1()` */
  expm1(): Tensor { return N.expm1(this); }
  /** Element-wise `|x|`. @example `x.abs()` */
  abs(): Tensor { return N.abs(this); }
  /** Element-wise square root. @example `x.sqrt()` */
  sqrt(): Tensor { return N.sqrt(this); }
  /** Element-wise `1 / sqrt(x)`. @example `x.rsqrt()` */
  rsqrt(): Tensor { return N.rsqrt(this); }
  /** Element-wise sine. @example `x.sin()` */
  sin(): Tensor { return N.sin(this); }
  /** Element-wise cosine. @example `x.cos()` */
  cos(): Tensor { return N.cos(this); }
  /** Element-wise tangent. @example `x.tan()` */
  tan(): Tensor { return N.tan(this); }
  /** Element-wise hyperbolic tangent. @example `x.tanh()` */
  tanh(): Tensor { return N.tanh(this); }
  /** Element-wise logistic sigmoid. @example `x.sigmoid()` */
  sigmoid(): Tensor { return N.sigmoid(this); }
  /** Element-wise `max(x, 0)`. @example `x.relu()` */
  relu(): Tensor { return N.relu(this); }
  /** Element-wise round down. @example `x.floor()` */
  floor(): Tensor { return N.floor(this); }
  /** Element-wise round up. @example `x.ceil()` */
  ceil(): Tensor { return N.ceil(this); }
  /** Element-wise round half to even. @example `x.round()` */
  round(): Tensor { return N.round(this); }
  /** Element-wise round toward zero. @example `x.trunc()` */
  trunc(): Tensor { return N.trunc(this); }
  /** Element-wise sign (-1, 0, 1). @example `x.sign()` */
  sign(): Tensor { return N.sign(this); }
  /** Element-wise `1 / x`. @example `x.reciprocal()` */
  reciprocal(): Tensor { return N.reciprocal(this); }
  /** Element-wise `x * x`. @example `x.square()` */
  square(): Tensor { return N.square(this); }
  /** Element-wise error function. @example `x.erf()` */
  erf(): Tensor { return N.erf(this); }
  /** Element-wise NaN test (bool). @example `x.isnan()` */
  isnan(): Tensor { return N.isnan(this); }
  /** Element-wise infinity test (bool). @example `x.isinf()` */
  isinf(): Tensor { return N.isinf(this); }
  /** Element-wise logical not (bool). @example `x.logicalNot()` */
  logicalNot(): Tensor { return N.logicalNot(this); }
  /** Element-wise logical and, giving a bool tensor. @example `x.logicalAnd(y)` */
  logicalAnd(other: Tensor): Tensor { return N.logicalAnd(this, other); }
  /** Element-wise logical or, giving a bool tensor. @example `x.logicalOr(y)` */
  logicalOr(other: Tensor): Tensor { return N.logicalOr(this, other); }
  /** Element-wise logical xor, giving a bool tensor. @example `x.logicalXor(y)` */
  logicalXor(other: Tensor): Tensor { return N.logicalXor(this, other); }
  /** Indices of non-zero elements, shape `[n, ndim]`. */
  nonzero(): Tensor { return N.nonzero(this); }
  /** Softmax along `dim`. */
  softmax(dim: number): Tensor { return N.softmax(this, checkInt(dim, 'dim')); }
  /** Log-softmax along `dim`. */
  logSoftmax(dim: number): Tensor { return N.logSoftmax(this, checkInt(dim, 'dim')); }

  /** Element-wise `==` with a tensor or number, giving a bool tensor. @example `labels.eq(pred)` */
  eq(other: TensorLike): Tensor { return N.eq(this, operand(other, 'other')); }
  /** Element-wise `!=` with a tensor or number, giving a bool tensor. @example `labels.ne(pred)` */
  ne(other: TensorLike): Tensor { return N.ne(this, operand(other, 'other')); }
  /** Element-wise `>` with a tensor or number, giving a bool tensor. @example `labels.gt(pred)` */
  gt(other: TensorLike): Tensor { return N.gt(this, operand(other, 'other')); }
  /** Element-wise `<` with a tensor or number, giving a bool tensor. @example `labels.lt(pred)` */
  lt(other: TensorLike): Tensor { return N.lt(this, operand(other, 'other')); }
  /** Element-wise `>=` with a tensor or number, giving a bool tensor. @example `labels.ge(pred)` */
  ge(other: TensorLike): Tensor { return N.ge(this, operand(other, 'other')); }
  /** Element-wise `<=` with a tensor or number, giving a bool tensor. @example `labels.le(pred)` */
  le(other: TensorLike): Tensor { return N.le(this, operand(other, 'other')); }
  /** `true` when both have the same shape and elements. */
  equal(other: Tensor): boolean { return N.equal(this, other); }
  /** `|this - other| <= atol + rtol * |other|` everywhere. */
  allclose(other: Tensor, rtol = 1e-5, atol = 1e-8, equalNan = false): boolean {
    return N.allclose(this, other, checkNumber(rtol, 'rtol'), checkNumber(atol, 'atol'), checkBool(equalNan, 'equalNan'));
  }
  /** Elements of `this` where `mask` is false, `value` where it is true. */
  maskedFill(mask: Tensor, value: number): Tensor { return N.maskedFill(this, mask, checkNumber(value, 'value'), false); }

  // ---- reductions --------------------------------------------------------------------------

  /** Sum of all elements, or along `dim` (a number or a list). */
  sum(dim?: number | number[] | null, keepdim = false, options: { dtype?: DTypeName } = {}): Tensor {
    const o = checkOptions(options, 'sum() options', ['dtype']);
    const dtype = o.dtype === undefined ? null : checkDtype(o.dtype);
    return N.sum(this, dimList(dim), checkBool(keepdim, 'keepdim'), dtype);
  }
  /** Mean of all elements, or along `dim`. */
  mean(dim?: number | number[] | null, keepdim = false): Tensor { return N.mean(this, dimList(dim), checkBool(keepdim, 'keepdim')); }
  /** Product of all elements, or along `dim`. */
  prod(dim?: number | null, keepdim = false): Tensor { return N.prod(this, optDim(dim), checkBool(keepdim, 'keepdim')); }
  /** Standard deviation (Bessel-corrected unless `unbiased` is false). */
  std(dim?: number | number[] | null, unbiased = true, keepdim = false): Tensor {
    return N.std(this, dimList(dim), checkBool(unbiased, 'unbiased'), checkBool(keepdim, 'keepdim'));
  }
  /** Variance (Bessel-corrected unless `unbiased` is false). */
  var(dim?: number | number[] | null, unbiased = true, keepdim = false): Tensor {
    return N.var(this, dimList(dim), checkBool(unbiased, 'unbiased'), checkBool(keepdim, 'keepdim'));
  }
  /** The largest element; with `dim`, `[values, indices]` along it. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | ValuesIndices {
    if (dim === undefined) return N.max(this, null, false);
    return valuesIndices(N.max(this, checkInt(dim, 'dim'), checkBool(keepdim, 'keepdim')));
  }
  /** The smallest element; with `dim`, `[values, indices]` along it. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | ValuesIndices {
    if (dim === undefined) return N.min(this, null, false);
    return valuesIndices(N.min(this, checkInt(dim, 'dim'), checkBool(keepdim, 'keepdim')));
  }
  /** Index of the largest element (flattened, or along `dim`). */
  argmax(dim?: number | null, keepdim = false): Tensor { return N.argmax(this, optDim(dim), checkBool(keepdim, 'keepdim')); }
  /** Index of the smallest element (flattened, or along `dim`). */
  argmin(dim?: number | null, keepdim = false): Tensor { return N.argmin(this, optDim(dim), checkBool(keepdim, 'keepdim')); }
  /** Whether all elements are true (or along `dim`). */
  all(dim?: number | null, keepdim = false): Tensor { return N.all(this, optDim(dim), checkBool(keepdim, 'keepdim')); }
  /** Whether any element is true (or along `dim`). */
  any(dim?: number | null, keepdim = false): Tensor { return N.any(this, optDim(dim), checkBool(keepdim, 'keepdim')); }
  /** The p-norm (default 2) of all elements or along `dim`. */
  norm(p = 2, dim?: number | number[] | null, keepdim = false): Tensor {
    return N.norm(this, checkNumber(p, 'p'), dimList(dim), checkBool(keepdim, 'keepdim'));
  }
  /** `log(sum(exp(x)))` along `dim`, computed stably. */
  logsumexp(dim: number | number[], keepdim = false): Tensor { return N.logsumexp(this, dimList(dim), checkBool(keepdim, 'keepdim')); }
  /** Cumulative sum along `dim`. */
  cumsum(dim: number): Tensor { return N.cumsum(this, checkInt(dim, 'dim')); }
  /** Sorted values and their indices along `dim`. */
  sort(dim = -1, descending = false): ValuesIndices {
    return valuesIndices(N.sort(this, checkInt(dim, 'dim'), checkBool(descending, 'descending')));
  }
  /** The `k` largest (or smallest) values and indices along `dim`. */
  topk(k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
    return valuesIndices(N.topk(this, checkInt(k, 'k', 0), checkInt(dim, 'dim'), checkBool(largest, 'largest'), checkBool(sorted, 'sorted')));
  }

  // ---- in place ----------------------------------------------------------------------------

  /** `this += alpha * other`, in place. */
  add_(other: TensorLike, alpha = 1): this { N.add_(this, operand(other, 'other'), checkNumber(alpha, 'alpha')); return this; }
  /** `this -= alpha * other`, in place. */
  sub_(other: TensorLike, alpha = 1): this { N.sub_(this, operand(other, 'other'), checkNumber(alpha, 'alpha')); return this; }
  /** `this *= other`, in place. */
  mul_(other: TensorLike): this { N.mul_(this, operand(other, 'other')); return this; }
  /** `this /= other`, in place. */
  div_(other: TensorLike): this { N.div_(this, operand(other, 'other')); return this; }
  /** Fills with zeros, in place. */
  zero_(): this { N.zero_(this); return this; }
  /** `this + value * tensor1 * tensor2`, in one kernel. @example `x.addcmul(a, b, 0.5)` */
  addcmul(tensor1: Tensor, tensor2: Tensor, value = 1): Tensor {
    return N.addcmul(this, tensor1, tensor2, checkNumber(value, 'value'), false);
  }
  /** `this += value * tensor1 * tensor2`, in place. @example `squareAvg.mul_(rho).addcmul_(grad, grad, 1 - rho)` */
  addcmul_(tensor1: Tensor, tensor2: Tensor, value = 1): this {
    N.addcmul(this, tensor1, tensor2, checkNumber(value, 'value'), true);
    return this;
  }
  /** `this + value * tensor1 / tensor2`, in one kernel. @example `x.addcdiv(a, b, -lr)` */
  addcdiv(tensor1: Tensor, tensor2: Tensor, value = 1): Tensor {
    return N.addcdiv(this, tensor1, tensor2, checkNumber(value, 'value'), false);
  }
  /** `this += value * tensor1 / tensor2`, in place. @example `param.addcdiv_(expAvg, denom, -stepSize)` */
  addcdiv_(tensor1: Tensor, tensor2: Tensor, value = 1): this {
    N.addcdiv(this, tensor1, tensor2, checkNumber(value, 'value'), true);
    return this;
  }
  /** Square root, in place. @example `std.sqrt_()` */
  sqrt_(): this { N.sqrt_(this); return this; }
  /** Fills with `value`, in place. */
  fill_(value: number | boolean): this { N.fill_(this, operand(value, 'value')); return this; }
  /** Copies `src` (broadcast) into this tensor, in place. */
  copy_(src: Tensor): this {
    if (!(src instanceof Tensor)) throw typeError('a Tensor', 'src', src);
    N.copy_(this, src);
    return this;
  }
  /** Clamps in place. */
  clamp_(min?: number | null, max?: number | null): this { N.clamp(this, min ?? null, max ?? null, true); return this; }
  /** ReLU in place. */
  relu_(): this { N.relu_(this); return this; }
  /** Fills with samples of U(from, to), in place. */
  uniform_(from = 0, to = 1): this { N.uniform_(this, checkNumber(from, 'from'), checkNumber(to, 'to')); return this; }
  /** Fills with samples of N(mean, std²), in place. */
  normal_(mean = 0, std = 1): this { N.normal_(this, checkNumber(mean, 'mean'), checkNumber(std, 'std')); return this; }
  /** Sets elements where `mask` is true to `value`, in place. */
  maskedFill_(mask: Tensor, value: number): this { N.maskedFill(this, mask, checkNumber(value, 'value'), true); return this; }

  // ---- printing ----------------------------------------------------------------------------

  /** PyTorch's `repr`: `tensor([[1.0000, 2.0000]], requires_grad=True)`. */
  override toString(): string {
    if (this.isDisposed) return 'tensor(<disposed>)';
    return formatTensor(this);
  }
  /** @internal `console.log(x)` prints what Python's `print(x)` does. */
  [inspect.custom](): string { return this.toString(); }
}

// ---- printing --------------------------------------------------------------------------------

const SUMMARIZE_OVER = 1000;
const EDGE = 3;
const LINE_WIDTH = 80;

// Follows torch/_tensor_str.py: one formatter chosen from the elements that are shown, every
// element padded to its width, rows wrapped at 80 columns, `size=` only for empty non-1-D tensors.
function formatTensor(t: Tensor): string {
  const shape = t.shape;
  const dtype = t.dtype;
  const isFloat = dtype.startsWith('float') || dtype === 'bfloat16';
  const numel = t.numel();
  const summarize = numel > SUMMARIZE_OVER;
  const flat = dtype.startsWith('complex') ? null : t.toArray();
  const strides: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d];
  }
  const shownIndices = (n: number): (number | null)[] => {
    const idx: (number | null)[] = [];
    if (summarize && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) idx.push(i);
      idx.push(null);
      for (let i = n - EDGE; i < n; i++) idx.push(i);
    } else {
      for (let i = 0; i < n; i++) idx.push(i);
    }
    return idx;
  };
  // The formatter sees only the elements that will be printed, as PyTorch's does.
  const shown: number[] = [];
  const collect = (d: number, offset: number): void => {
    if (d === shape.length) { shown.push(offset); return; }
    for (const i of shownIndices(shape[d])) if (i !== null) collect(d + 1, offset + i * strides[d]);
  };
  if (flat !== null && numel > 0) collect(0, 0);
  const valueAt = (offset: number): number => Number((flat as ArrayLike<number | bigint>)[offset]);
  let fmt: (v: number) => string;
  if (dtype === 'bool') {
    fmt = (v) => (v ? 'True' : 'False');
  } else if (!isFloat) {
    fmt = (v) => String(v);
  } else {
    const nonZeroFinite = shown.map(valueAt).filter((v) => Number.isFinite(v) && v !== 0);
    const abs = nonZeroFinite.map(Math.abs);
    const maxAbs = abs.length ? Math.max(...abs) : 0;
    const minAbs = abs.length ? Math.min(...abs) : 0;
    const intMode = nonZeroFinite.every((v) => Number.isInteger(v));
    const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
    const sciMode = abs.length > 0 && (maxAbs / minAbs > 1000 || maxAbs > 1e8 || (!intMode && minAbs < 1e-4));
    if (sciMode) {
      fmt = (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
    } else if (intMode) {
      fmt = (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
    } else {
      fmt = (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
    }
  }
  const width = shown.reduce((w, o) => Math.max(w, fmt(valueAt(o)).length), 0);
  const element = (offset: number) => fmt(valueAt(offset)).padStart(width);
  const render = (d: number, offset: number, indent: number): string => {
    const idx = shownIndices(shape[d]);
    if (d === shape.length - 1) {
      const items = idx.map((i) => (i === null ? ' ...' : element(offset + i * strides[d])));
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(',\n' + ' '.repeat(indent + 1))}]`;
    }
    const parts = idx.map((i) => (i === null ? '...' : render(d + 1, offset + i * strides[d], indent + 1)));
    const sep = ',' + '\n'.repeat(shape.length - d - 1) + ' '.repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  // torch/_tensor_str.py names the dtype unless it is the default one, int64 or bool.
  const implied = dtype === defaultDtype || dtype === 'int64' || dtype === 'bool';
  const extras: string[] = [];
  if (t.device !== 'cpu') extras.push(`device='${t.device}'`);
  let body: string;
  if (flat === null) {
    body = `<${shape.join('x')} ${dtype}>`;
    extras.push(`dtype=torch.${dtype}`);
  } else if (numel === 0) {
    body = '[]';
    if (shape.length !== 1) extras.push(`size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
    // No elements show whether an empty tensor is integral, so only the default dtype goes unnamed.
    if (dtype !== defaultDtype) extras.push(`dtype=torch.${dtype}`);
  } else {
    body = shape.length === 0 ? fmt(valueAt(0)) : render(0, 0, 'tensor('.length);
    if (!implied) extras.push(`dtype=torch.${dtype}`);
  }
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => ', ' + e).join('')})`;
}

N.setup(Tensor, TorchError);

// ---- factories -------------------------------------------------------------------------------

interface ResolvedOptions { dtype: DType; device: Device; requiresGrad: boolean }

function resolve(options: unknown, inferred: DType = defaultDtype): ResolvedOptions {
  const o = checkOptions(options, 'tensor options', TENSOR_OPTION_KEYS);
  return {
    dtype: o.dtype === undefined ? inferred : checkDtype(o.dtype),
    device: o.device === undefined ? 'cpu' : checkDevice(o.device),
    requiresGrad: o.requiresGrad === undefined ? false : checkBool(o.requiresGrad, 'requiresGrad'),
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

function nestedShape(data: NestedArray, name: string): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

/** The elements in row-major order and the dtype PyTorch infers for them. */
function flatten(data: NestedArray, shape: number[], name: string): { values: Float64Array; inferred: DType } {
  const numel = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(numel);
  let i = 0;
  let sawBool = false;
  let sawInt = false;
  let sawFloat = false;
  const walk = (x: NestedArray, d: number) => {
    if (d === shape.length) {
      if (typeof x === 'number') {
        if (Number.isInteger(x)) sawInt = true;
        else sawFloat = true;
        values[i++] = x;
      } else if (typeof x === 'boolean') { sawBool = true; values[i++] = x ? 1 : 0; }
      else throw typeError('nested arrays of numbers with a regular shape', name, data);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) throw typeError('nested arrays of numbers with a regular shape', name, data);
    for (const v of x) walk(v, d + 1);
  };
  walk(data, 0);
  // As Python's torch.tensor: any float → the default dtype, else any int → int64, else bool.
  // An empty list is the default dtype.
  const inferred = sawFloat || (!sawInt && !sawBool) ? defaultDtype : sawInt ? 'int64' : 'bool';
  return { values, inferred };
}

/** The dtype PyTorch gives a JS number: int64 for a whole number, else the default dtype. */
function scalarDtype(value: number | boolean): DType {
  if (typeof value === 'boolean') return 'bool';
  return Number.isInteger(value) ? 'int64' : defaultDtype;
}

/**
 * A tensor from nested arrays, a number, or a TypedArray (copied). The dtype is inferred as in
 * PyTorch: all whole numbers → int64, any fraction (or NaN/Infinity) → the default dtype
 * (float32), booleans → bool; a TypedArray keeps its element type (Float32Array → float32,
 * BigInt64Array → int64, …). JS writes `1.0` as `1`, so give `dtype` for whole-valued floats
 * (with `requiresGrad: true` they are floats already: only floats can require grad).
 *
 * @example
 * ```ts
 * torch.tensor([[1, 2], [3, 4]]);                  // int64, shape [2, 2]
 * torch.tensor([0.1307, 0.3081]);                  // float32
 * torch.tensor([1, 2], { dtype: torch.float });    // float32
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
  if (typeof data !== 'number' && typeof data !== 'boolean' && !Array.isArray(data)) {
    throw typeError('a number, nested arrays or a TypedArray', 'data', data);
  }
  const shape = nestedShape(data, 'data');
  const { values, inferred } = flatten(data, shape, 'data');
  // JS cannot write `1.` for a float: whole numbers with requiresGrad mean floats, which is what
  // Python's `torch.tensor([1., 2.], requires_grad=True)` says (an int64 tensor could not require grad).
  const wantsGrad = (options as TensorOptions | undefined)?.requiresGrad === true;
  const o = resolve(options, wantsGrad && inferred !== defaultDtype ? defaultDtype : inferred);
  return N.fromData(values, shape, 'float64', o.dtype, o.device, o.requiresGrad);
}

/**
 * A tensor of `shape` over a TypedArray's elements (copied once; the array may be reused).
 * @example
 * ```ts
 * const x = torch.fromArray(new Float32Array(784), [1, 1, 28, 28]);
 * ```
 */
export function fromArray(data: TypedArray, shape: number[], options?: TensorOptions): Tensor {
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
  const itemsize = DTYPE_SIZE[d];
  if (bytes.byteLength % itemsize !== 0) {
    throw rangeError(`a byte length that is a multiple of ${itemsize}`, 'bytes', `${bytes.byteLength} bytes`);
  }
  // fromData checks the byte length against the shape and copies once.
  return N.fromData(bytes, [bytes.byteLength / itemsize], d, d, 'cpu', false);
}

/** Bytes per element of each dtype. */
export const DTYPE_SIZE: Readonly<Record<DType, number>> = ITEMSIZE;

/** `torch.zeros(2, 3)` or `torch.zeros([2, 3], options)`. */
export function zeros(...args: (number | number[] | TensorOptions)[]): Tensor { return filled(args, 0, 'zeros'); }
/** `torch.ones(2, 3)` or `torch.ones([2, 3], options)`. */
export function ones(...args: (number | number[] | TensorOptions)[]): Tensor { return filled(args, 1, 'ones'); }

function splitShapeArgs(args: unknown[], name: string): [number[], TensorOptions | undefined] {
  let options: TensorOptions | undefined;
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && !Array.isArray(last)) {
    options = last as TensorOptions;
    args = args.slice(0, -1);
  }
  return [shapeArgs(args, `${name} size`), options];
}

function filled(args: unknown[], value: number, name: string): Tensor {
  const [shape, options] = splitShapeArgs(args, name);
  const o = resolve(options);
  return N.full(shape, value, o.dtype, o.device, o.requiresGrad);
}

/**
 * A tensor of `shape` filled with `fillValue`; the dtype follows the value as in PyTorch
 * (7 → int64, 0.5 → float32, true → bool) unless `dtype` is given.
 * @example
 * ```ts
 * torch.full([2, 2], 7);                          // int64
 * torch.full([2, 2], 1, { dtype: torch.float });  // float32
 * ```
 */
export function full(shape: number[], fillValue: number | boolean, options?: TensorOptions): Tensor {
  const o = resolve(options, scalarDtype(operand(fillValue, 'fillValue') as number | boolean));
  return N.full(checkShape(shape, 'size'), operand(fillValue, 'fillValue'), o.dtype, o.device, o.requiresGrad);
}

/** An uninitialised tensor of `shape`. */
export function empty(...args: (number | number[] | TensorOptions)[]): Tensor {
  const [shape, options] = splitShapeArgs(args, 'empty');
  const o = resolve(options);
  return N.empty(shape, o.dtype, o.device, o.requiresGrad);
}

/**
 * Samples of U[0, 1).
 * @example
 * ```ts
 * torch.rand([2, 3]);
 * ```
 */
export function rand(...args: (number | number[] | TensorOptions)[]): Tensor {
  const [shape, options] = splitShapeArgs(args, 'rand');
  const o = resolve(options);
  return N.rand(shape, o.dtype, o.device, o.requiresGrad);
}

/**
 * Samples of N(0, 1).
 * @example
 * ```ts
 * const x = torch.randn([64, 1, 28, 28]);
 * ```
 */
export function randn(...args: (number | number[] | TensorOptions)[]): Tensor {
  const [shape, options] = splitShapeArgs(args, 'randn');
  const o = resolve(options);
  return N.randn(shape, o.dtype, o.device, o.requiresGrad);
}

/**
 * Integers uniform in `[low, high)` (int64 by default).
 * @example
 * ```ts
 * const labels = torch.randint(0, 10, [64]);
 * ```
 */
export function randint(low: number, high: number, size: number[], options?: Omit<TensorOptions, 'requiresGrad'>): Tensor {
  checkInt(low, 'low');
  checkInt(high, 'high');
  if (high <= low) throw rangeError(`high > low (${low})`, 'high', high);
  const o = resolve(options, 'int64');
  return N.randint(low, high, checkShape(size, 'size'), o.dtype, o.device);
}

/**
 * A random permutation of `0..n-1` (int64).
 * @example
 * ```ts
 * torch.randperm(5);
 * ```
 */
export function randperm(n: number, options?: Omit<TensorOptions, 'requiresGrad'>): Tensor {
  const o = resolve(options, 'int64');
  return N.randperm(checkInt(n, 'n', 0), o.dtype, o.device);
}

/**
 * `arange(end)` or `arange(start, end, step?)`: values from `start` up to (not including) `end`.
 * int64 when every argument is a whole number, float32 otherwise, as in PyTorch.
 * @example
 * ```ts
 * torch.arange(5);          // tensor([0, 1, 2, 3, 4])
 * torch.arange(0, 1, 0.25); // tensor([0.0000, 0.2500, 0.5000, 0.7500])
 * ```
 */
export function arange(startOrEnd: number, end?: number | TensorOptions, step: number = 1, options?: TensorOptions): Tensor {
  let start = 0;
  let stop: number;
  if (typeof end === 'number') {
    start = checkNumber(startOrEnd, 'start');
    stop = end;
  } else {
    if (end !== undefined) options = end;
    stop = checkNumber(startOrEnd, 'end');
  }
  checkNumber(step, 'step');
  if (step === 0) throw rangeError('a non-zero step', 'step', step);
  const integral = [start, stop, step].every(Number.isInteger);
  const o = resolve(options, integral ? 'int64' : defaultDtype);
  return N.arange(start, stop, step, o.dtype, o.device, o.requiresGrad);
}

/** `steps` evenly spaced values from `start` to `end` inclusive. */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  const o = resolve(options);
  return N.linspace(checkNumber(start, 'start'), checkNumber(end, 'end'), checkInt(steps, 'steps', 0), o.dtype, o.device, o.requiresGrad);
}

/** The identity matrix `n × m` (m defaults to n). */
export function eye(n: number, m?: number, options?: TensorOptions): Tensor {
  const o = resolve(options);
  return N.eye(checkInt(n, 'n', 0), checkInt(m ?? n, 'm', 0), o.dtype, o.device, o.requiresGrad);
}

function like(t: Tensor, options: TensorOptions | undefined): TensorOptions {
  if (!(t instanceof Tensor)) throw typeError('a Tensor', 'input', t);
  return { dtype: t.dtype, device: t.device, ...checkOptions(options, 'tensor options', TENSOR_OPTION_KEYS) } as TensorOptions;
}
/** Zeros with `t`'s shape, dtype and device. */
export function zerosLike(t: Tensor, options?: TensorOptions): Tensor { return zeros(t.shape, like(t, options)); }
/** Ones with `t`'s shape, dtype and device. */
export function onesLike(t: Tensor, options?: TensorOptions): Tensor { return ones(t.shape, like(t, options)); }
/** `fillValue` with `t`'s shape, dtype and device. */
export function fullLike(t: Tensor, fillValue: number, options?: TensorOptions): Tensor { return full(t.shape, fillValue, like(t, options)); }
/** U[0, 1) samples with `t`'s shape, dtype and device. */
export function randLike(t: Tensor, options?: TensorOptions): Tensor { return rand(t.shape, like(t, options)); }
/** N(0, 1) samples with `t`'s shape, dtype and device. */
export function randnLike(t: Tensor, options?: TensorOptions): Tensor { return randn(t.shape, like(t, options)); }

// ---- functions over several tensors ----------------------------------------------------------

function tensorList(tensors: unknown, name: string): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0 || !tensors.every((t) => t instanceof Tensor)) {
    throw typeError('a non-empty array of Tensors', name, tensors);
  }
  return tensors as Tensor[];
}

/**
 * Concatenates along an existing dimension.
 * @example
 * ```ts
 * torch.cat([a, b], 0);
 * ```
 */
export function cat(tensors: Tensor[], dim = 0): Tensor { return N.cat(tensorList(tensors, 'tensors'), checkInt(dim, 'dim')); }

/**
 * Stacks along a new dimension.
 * @example
 * ```ts
 * torch.stack([a, b]); // shape [2, ...a.shape]
 * ```
 */
export function stack(tensors: Tensor[], dim = 0): Tensor { return N.stack(tensorList(tensors, 'tensors'), checkInt(dim, 'dim')); }

/**
 * `input` where `condition` is true, `other` elsewhere.
 * @example
 * ```ts
 * torch.where(x.gt(0), x, 0);
 * ```
 */
export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor {
  if (!(condition instanceof Tensor)) throw typeError('a Tensor', 'condition', condition);
  return N.where(condition, operand(input, 'input'), operand(other, 'other'));
}

/** Whether `value` is a nodetorch Tensor. */
export function isTensor(value: unknown): value is Tensor { return value instanceof Tensor; }

// ---- autograd mode, tidy, seeds --------------------------------------------------------------

function isThenable(value: unknown): boolean {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * What `torch.noGrad()` and `torch.enableGrad()` return without a function: the grad mode stays
 * set until the guard is disposed, which restores the mode that was there before. Made for TS's
 * `using`, which disposes it when the block ends, normally or by a throw.
 */
export interface GradModeGuard {
  /** Restores the previous grad mode. Idempotent. */
  [Symbol.dispose](): void;
}

const disposeSymbol: typeof Symbol.dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');

function gradModeGuard(enabled: boolean): GradModeGuard {
  const previous = N.setGradEnabled(enabled);
  let open = true;
  return {
    [disposeSymbol]() {
      if (open) N.setGradEnabled(previous);
      open = false;
    },
  } as GradModeGuard;
}

function withGradMode<T>(enabled: boolean, fn: (() => T) | undefined): T | GradModeGuard {
  if (fn === undefined) return gradModeGuard(enabled);
  if (typeof fn !== 'function') throw typeError('a function', 'fn', fn);
  const guard = gradModeGuard(enabled);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    guard[disposeSymbol]();
    throw e;
  }
  if (!isThenable(result)) {
    guard[disposeSymbol]();
    return result;
  }
  // An async function: the mode holds until its promise settles, through every await.
  return Promise.resolve(result).finally(() => guard[disposeSymbol]()) as T;
}

/**
 * Autograd off, like Python's `with torch.no_grad():`. Three forms:
 * - `torch.noGrad(() => …)` runs the function and returns its result;
 * - `await torch.noGrad(async () => …)` keeps autograd off until the promise settles;
 * - `using _ = torch.noGrad();` keeps it off until the block ends.
 * Each restores the previous mode at the end, also when the code throws.
 *
 * Like PyTorch's, the mode belongs to the thread, not to the async function: other code that
 * runs while an async region awaits sees autograd off too. `torch.train` and `torch.evaluate`
 * set the mode for each of their own steps, so they are not affected.
 * @example
 * ```ts
 * const logits = torch.noGrad(() => model(x));
 * await torch.noGrad(async () => { for await (const [x, y] of testLoader) correct += … });
 * {
 *   using _ = torch.noGrad();
 *   output = model(data);
 * }
 * ```
 */
export function noGrad(): GradModeGuard;
export function noGrad<T>(fn: () => T): T;
export function noGrad<T>(fn?: () => T): T | GradModeGuard { return withGradMode(false, fn); }

/**
 * Autograd on, inside a `noGrad` region; the same three forms as {@link noGrad}.
 * @example
 * ```ts
 * torch.noGrad(() => { const y = torch.enableGrad(() => x.mul(2)); });
 * ```
 */
export function enableGrad(): GradModeGuard;
export function enableGrad<T>(fn: () => T): T;
export function enableGrad<T>(fn?: () => T): T | GradModeGuard { return withGradMode(true, fn); }

/** Whether autograd records operations now. */
export function isGradEnabled(): boolean { return N.isGradEnabled(); }

/** Turns autograd on or off until changed again; returns the previous mode. */
export function setGradEnabled(enabled: boolean): boolean { return N.setGradEnabled(checkBool(enabled, 'enabled')); }

function collectTensors(value: unknown, out: Set<Tensor>, seen: Set<unknown>): void {
  if (value instanceof Tensor) { out.add(value); return; }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) { for (const v of value.values()) collectTensors(v, out, seen); return; }
  if (Array.isArray(value)) { for (const v of value) collectTensors(v, out, seen); return; }
  if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collectTensors(v, out, seen);
}

/**
 * Runs `fn` and disposes every tensor made inside it, except the tensors it returns (alone, in
 * an array, a Map or a plain object) and those passed to `keep()`.
 * @example
 * ```ts
 * const loss = torch.tidy(() => criterion(model(x), y)); // intermediates freed now, not at the next GC
 * ```
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw typeError('a function', 'fn', fn);
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (isThenable(result)) throw new TypeError('Expected a synchronous function for tidy but received an async one');
  } finally {
    scopes.pop();
  }
  const kept = new Set<Tensor>();
  collectTensors(result, kept, new Set());
  const outer = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t) || keptForever.has(t)) {
      if (outer !== undefined && !keptForever.has(t)) outer.add(t);
    } else {
      t.dispose();
    }
  }
  return result;
}

const keptForever = new WeakSet<Tensor>();

/** Exempts `t` from every enclosing `tidy()` scope; returns it. */
export function keep<T extends Tensor>(t: T): T {
  if (!(t instanceof Tensor)) throw typeError('a Tensor', 'tensor', t);
  keptForever.add(t);
  return t;
}

/** Live tensors and the bytes of storage they hold (views count their storage). */
export function memory(): { tensors: number; bytes: number } { return N.memory(); }

/**
 * Seeds every random generator (CPU and CUDA): same seed, same results.
 * @example
 * ```ts
 * torch.manualSeed(0);
 * ```
 */
export function manualSeed(seed: number): void { N.manualSeed(checkInt(seed, 'seed', 0)); }
