/**
 * `torch.utils.data`.
 * @module nodetorch/utils/data
 */
export { DataLoader, type DataLoaderOptions, type Batch, type LoaderState } from './dataloader';
export { TensorDataset, ConcatDataset, Subset, randomSplit, type Dataset } from './dataset';
export {
  SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler,
  type Sampler, type RandomSamplerOptions,
} from './sampler';
export { DistributedSampler, type DistributedSamplerOptions } from './distributed';
export { defaultCollate } from './collate';
export { MAX_INDEX, MAX_PREFETCH, MAX_SEED } from './limits';
export {
  tensorSource, nativeSourceOf, transformGenerator, NATIVE_DTYPES,
  type NativeSource, type NativeStage, type NativeTransform, type ScaleStage, type NormalizeStage, type AffineStage,
} from './native';
