/**
 * `.pth` interop with Python PyTorch: {@link load} and {@link save} (re-exported as `torch.load`
 * and `torch.save`), plus the tensor-free layers for tools that inspect files.
 *
 * @example
 * ```ts
 * import { load, save } from './serialization';
 * save(model.stateDict(), 'model.pth');
 * model.loadStateDict(load('model.pth'));
 * ```
 */
export { load, save, saveToBuffer } from './pth';
export type { LoadOptions } from './pth';
export { decodePth, toJS, contiguousBytes, encodePth } from './container';
export type { DecodedPth, TensorFactory, TensorForSave } from './container';
export { unpickle, TensorRef, StorageRef, DTypeRef, PyGlobal } from './unpickler';
export { pickle } from './pickler';
export { readZip, writeZip, isZip } from './zip';
