/**
 * Everything `import * as torch from 'nodetorch'` holds, in PyTorch's layout.
 */
export {
  Tensor, tensor, fromArray, frombuffer, zeros, ones, full, empty, rand, randn, randint, randperm, arange, linspace,
  eye, zerosLike, onesLike, fullLike, randLike, randnLike, cat, stack, where, isTensor, noGrad, enableGrad,
  isGradEnabled, setGradEnabled, tidy, keep, memory, manualSeed, DTYPE_SIZE,
  type DType, type Device, type TensorLike, type TensorOptions, type NestedArray, type TypedArray, type ValuesIndices,
} from './tensor';
export * from './torch';
export { TorchError } from './errors';
export * as nn from './nn';
export * as optim from './optim';
export { load, save, saveToBuffer, type LoadOptions } from './serialization';
export { DataLoader, TensorDataset, Subset, type Dataset, type DataLoaderOptions, type Batch } from './data';
export * as utils from './utils';
export { datasets, transforms } from './vision';
export { train, evaluate, type TrainOptions, type EpochStats, type EvalStats, type Progress, type BatchSource } from './train';
