/**
 * The element types, stated once: their names, PyTorch's aliases, sizes, and the
 * `torch.float32`-style constants. No native code here, so serialization can use it alone.
 */

/** Element types, named as in PyTorch without the `torch.` prefix. */
export const DTYPES = [
  'float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool',
  'complex64', 'complex128',
] as const;

/** An element type: `'float32'`, `'int64'`, … */
export type DType = (typeof DTYPES)[number];

/** PyTorch's other names for the same types (`torch.float`, `torch.long`, …). */
export const DTYPE_ALIASES = Object.freeze({
  float: 'float32', double: 'float64', half: 'float16', long: 'int64', int: 'int32', short: 'int16',
  cfloat: 'complex64', cdouble: 'complex128',
} as const satisfies Record<string, DType>);

/** A dtype or one of its aliases, as accepted wherever a dtype is: `'float'` is `'float32'`. */
export type DTypeName = DType | keyof typeof DTYPE_ALIASES;

/** Bytes per element of each dtype. */
export const ITEMSIZE: Readonly<Record<DType, number>> = Object.freeze({
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1,
  uint8: 1, bool: 1, complex64: 8, complex128: 16,
});

/** The dtype `name` stands for (a dtype or an alias), or `undefined`. */
export function dtypeOf(name: unknown): DType | undefined {
  if (typeof name !== 'string') return undefined;
  if ((DTYPES as readonly string[]).includes(name)) return name as DType;
  return Object.prototype.hasOwnProperty.call(DTYPE_ALIASES, name) ? DTYPE_ALIASES[name as keyof typeof DTYPE_ALIASES] : undefined;
}

/** Whether `dtype` is a floating-point type (complex excluded), as `torch.is_floating_point`. */
export function isFloatingDtype(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

/** Whether `dtype` is an integer type (bool excluded): the dtypes a whole number beyond int64 overflows. */
export function isIntegerDtype(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'int32' || dtype === 'int16' || dtype === 'int8' || dtype === 'uint8';
}

/** Whether `dtype` is complex. */
export function isComplexDtype(dtype: DType): boolean {
  return dtype === 'complex64' || dtype === 'complex128';
}

let defaultDtype: DType = 'float32';

/**
 * The dtype of floating-point tensors made without a `dtype` (float32 unless changed by
 * `torch.setDefaultDtype`).
 * @example
 * ```ts
 * torch.getDefaultDtype(); // 'float32'
 * ```
 */
export function getDefaultDtype(): DType { return defaultDtype; }

/** @internal Records the default dtype; `torch.setDefaultDtype` also tells LibTorch. */
export function setDefaultDtypeName(dtype: DType): void { defaultDtype = dtype; }

/** PyTorch's legacy type names (`x.type()`), e.g. `torch.FloatTensor`. */
export const LEGACY_TYPE_NAME: Readonly<Record<DType, string>> = Object.freeze({
  float32: 'FloatTensor', float64: 'DoubleTensor', float16: 'HalfTensor', bfloat16: 'BFloat16Tensor',
  int64: 'LongTensor', int32: 'IntTensor', int16: 'ShortTensor', int8: 'CharTensor', uint8: 'ByteTensor',
  bool: 'BoolTensor', complex64: 'ComplexFloatTensor', complex128: 'ComplexDoubleTensor',
});

// ---- torch.float32 and friends: the dtype names themselves, so `dtype: torch.float` reads as in Python.

/** `torch.float32`: 32-bit floating point, `'float32'`. */
export const float32 = 'float32';
/** `torch.float`, the same as `torch.float32`: 32-bit floating point, `'float32'`. */
export const float = 'float32';
/** `torch.float64`: 64-bit floating point, `'float64'`. */
export const float64 = 'float64';
/** `torch.double`, the same as `torch.float64`: 64-bit floating point, `'float64'`. */
export const double = 'float64';
/** `torch.float16`: 16-bit floating point (IEEE half), `'float16'`. */
export const float16 = 'float16';
/** `torch.half`, the same as `torch.float16`: 16-bit floating point (IEEE half), `'float16'`. */
export const half = 'float16';
/** `torch.bfloat16`: 16-bit brain floating point, `'bfloat16'`. */
export const bfloat16 = 'bfloat16';
/** `torch.int64`: 64-bit signed integer, `'int64'`. */
export const int64 = 'int64';
/** `torch.long`, the same as `torch.int64`: 64-bit signed integer, `'int64'`. */
export const long = 'int64';
/** `torch.int32`: 32-bit signed integer, `'int32'`. */
export const int32 = 'int32';
/** `torch.int`, the same as `torch.int32`: 32-bit signed integer, `'int32'`. */
export const int = 'int32';
/** `torch.int16`: 16-bit signed integer, `'int16'`. */
export const int16 = 'int16';
/** `torch.short`, the same as `torch.int16`: 16-bit signed integer, `'int16'`. */
export const short = 'int16';
/** `torch.int8`: 8-bit signed integer, `'int8'`. */
export const int8 = 'int8';
/** `torch.uint8`: 8-bit unsigned integer, `'uint8'`. */
export const uint8 = 'uint8';
/** `torch.bool`: boolean, `'bool'`. */
export const bool = 'bool';
/** `torch.complex64`: complex of two float32, `'complex64'`. */
export const complex64 = 'complex64';
/** `torch.cfloat`, the same as `torch.complex64`: complex of two float32, `'complex64'`. */
export const cfloat = 'complex64';
/** `torch.complex128`: complex of two float64, `'complex128'`. */
export const complex128 = 'complex128';
/** `torch.cdouble`, the same as `torch.complex128`: complex of two float64, `'complex128'`. */
export const cdouble = 'complex128';
