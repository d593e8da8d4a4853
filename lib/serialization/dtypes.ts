/**
 * PyTorch's storage classes and dtype names ↔ nodetorch {@link DType}s and element sizes,
 * as they appear in pickled `.pth` files (`torch.FloatStorage`, `torch.float32`, …).
 */
import type { DType } from '../tensor';

/** Bytes per element of each dtype. */
export const ITEMSIZE: Readonly<Record<DType, number>> = Object.freeze({
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1,
  uint8: 1, bool: 1, complex64: 8, complex128: 16,
});

/** Legacy typed storage class (`torch.<Name>`) → dtype. */
export const STORAGE_CLASS_TO_DTYPE: Readonly<Record<string, DType>> = Object.freeze({
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8',
  ByteStorage: 'uint8', BoolStorage: 'bool', ComplexFloatStorage: 'complex64', ComplexDoubleStorage: 'complex128',
  // Untyped storage holds bytes; the tensor's dtype then comes from `_rebuild_tensor_v3`.
  UntypedStorage: 'uint8',
});

/** dtype → the storage class Python's `torch.save` names for it. */
export const DTYPE_TO_STORAGE_CLASS: Readonly<Record<DType, string>> = Object.freeze({
  float32: 'FloatStorage', float64: 'DoubleStorage', float16: 'HalfStorage', bfloat16: 'BFloat16Storage',
  int64: 'LongStorage', int32: 'IntStorage', int16: 'ShortStorage', int8: 'CharStorage',
  uint8: 'ByteStorage', bool: 'BoolStorage', complex64: 'ComplexFloatStorage', complex128: 'ComplexDoubleStorage',
});

/** `torch.<name>` dtype attribute (including aliases) → dtype. */
export const TORCH_DTYPE_NAME_TO_DTYPE: Readonly<Record<string, DType>> = Object.freeze({
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16',
  half: 'float16', bfloat16: 'bfloat16', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32',
  int16: 'int16', short: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool',
  complex64: 'complex64', cfloat: 'complex64', complex128: 'complex128', cdouble: 'complex128',
});

/**
 * The dtype a storage class name stands for, or `undefined` for an unknown name.
 *
 * @example
 * ```ts
 * storageClassDType('HalfStorage'); // 'float16'
 * ```
 */
export function storageClassDType(name: string): DType | undefined {
  return Object.prototype.hasOwnProperty.call(STORAGE_CLASS_TO_DTYPE, name) ? STORAGE_CLASS_TO_DTYPE[name] : undefined;
}

/**
 * The dtype a `torch.<name>` attribute stands for, or `undefined` for an unknown name.
 *
 * @example
 * ```ts
 * torchDTypeName('long'); // 'int64'
 * ```
 */
export function torchDTypeName(name: string): DType | undefined {
  return Object.prototype.hasOwnProperty.call(TORCH_DTYPE_NAME_TO_DTYPE, name) ? TORCH_DTYPE_NAME_TO_DTYPE[name] : undefined;
}
