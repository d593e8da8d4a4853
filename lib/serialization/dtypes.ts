/**
 * PyTorch's storage classes and dtype names ↔ nodetorch {@link DType}s and element sizes,
 * as they appear in pickled `.pth` files (`torch.FloatStorage`, `torch.float32`, …).
 */
import { dtypeOf, type DType } from '../dtype';

export { ITEMSIZE } from '../dtype';

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
  return dtypeOf(name);
}
