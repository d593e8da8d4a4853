/**
 * `torch.nn.parallel`: data parallelism across processes.
 * @module
 */
export { DistributedDataParallel, type DistributedDataParallelOptions } from './distributed';
