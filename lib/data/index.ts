/**
 * `torch.utils.data`.
 */
export { DataLoader, type DataLoaderOptions, type Batch } from './dataloader';
export { TensorDataset, Subset, type Dataset } from './dataset';
