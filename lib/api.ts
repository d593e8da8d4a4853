/**
 * Everything `import * as torch from 'nodetorch'` holds, in PyTorch's layout.
 * @module
 */
export {
  Tensor, type DType, type DTypeName, type Device, type TensorLike, type TensorOptions, type NestedArray, type TypedArray,
  type ValuesIndices, type IndexItem, type Int,
} from './tensor';
export {
  tensor, fromArray, frombuffer, zeros, ones, full, empty, rand, randn, randint, randperm, arange, linspace, eye,
  zerosLike, onesLike, fullLike, randLike, randnLike, isTensor, manualSeed, DTYPE_SIZE, getDefaultDtype, setDefaultDtype,
  type RandomOptions, type ShapeArgs, type RandomShapeArgs,
} from './factories';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, type GradModeGuard } from './autograd';
export { tidy, keep, memory } from './memory';
export * from './generated/ops';
export { norm, unique, uniqueConsecutive, nonzero, tensordot, cdist, lu, broadcastShapes } from './functional';
export type { Layout, MemoryFormat } from './dispatch';
export { Size } from './size';
export { Generator, getRngState, setRngState } from './generator';
export {
  float32, float, float64, double, float16, half, bfloat16, int64, long, int32, int, int16, short, int8, uint8, bool,
  complex64, cfloat, complex128, cdouble,
} from './dtype';
export * from './torch';
export { TorchError } from './errors';
export * as nn from './nn';
export * as optim from './optim';
export * as jit from './jit';
export * as distributed from './distributed';
export { load, save, saveToBuffer, type LoadOptions } from './serialization';
export { DataLoader, TensorDataset, Subset, type Dataset, type DataLoaderOptions, type Batch } from './data';
export * as utils from './utils';
export { datasets, transforms } from './vision';
export * as vision from './vision';
export { train, evaluate, type TrainOptions, type EpochStats, type EvalStats, type Progress, type BatchSource, type CheckpointOptions, type TrainCheckpoint, type TensorBoardOptions, type MeterState, type RngSnapshot } from './train';
