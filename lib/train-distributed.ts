/**
 * `torch.train`'s `distributed` option: the process group (from torchrun's environment when none
 * is initialized yet), the model wrapped in `DistributedDataParallel`, the loader's dataset
 * sharded by a `DistributedSampler`, epoch statistics summed over the ranks, and one decision
 * per batch, taken together, on whether to stop.
 */
import { TorchError } from './errors';
import { DataLoader } from './data/dataloader';
import { DistributedSampler } from './data/distributed';
import { RandomSampler } from './data/sampler';
import * as dist from './distributed';
import { DistributedDataParallel } from './nn/parallel/distributed';
import type { Module } from './nn/module';
import { tensor } from './factories';

/** Why a training stops, ordered so that the ranks of a distributed run agree on the largest. */
export enum StopCode { None = 0, Aborted = 1, Sigint = 2 }

/** What `train()` runs with when `distributed` is on. */
export interface DistributedRun {
  /** The model as trained: the DDP wrapper. */
  model: Module;
  /** This rank's share of the data. */
  loader: DataLoader;
  rank: number;
  worldSize: number;
  /** Before each epoch: the sampler's permutation for that epoch. */
  setEpoch(epoch: number): void;
  /** Epoch sums over all ranks: `[lossSum, correct, batches, total]`. */
  sum(values: number[]): number[];
  /** The largest stop code of all ranks (a collective: every rank calls it before every batch). */
  anyStop(local: StopCode): StopCode;
}

const TORCHRUN_VARS = ['MASTER_ADDR', 'MASTER_PORT', 'RANK', 'WORLD_SIZE'];

/** The process group of this run, made from torchrun's environment when there is none. */
async function ensureProcessGroup(): Promise<void> {
  if (dist.isInitialized()) return;
  const missing = TORCHRUN_VARS.filter((v) => !process.env[v]);
  if (missing.length > 0) {
    throw new TorchError(
      `train({ distributed: true }) needs a process group: start the script with \`npx nodetorch run --nproc-per-node N\` ` +
        `(which sets ${TORCHRUN_VARS.join(', ')}; missing: ${missing.join(', ')}) or call torch.distributed.initProcessGroup() first`,
      'DIST_NOT_INITIALIZED',
    );
  }
  await dist.initProcessGroup({ backend: 'gloo' });
}

/**
 * A loader over the same dataset and options that gives this rank its share: the one given when
 * it already samples with a `DistributedSampler`, else a copy with one (shuffled when the original
 * shuffles, PyTorch's default seed 0, so every rank draws the same permutation).
 */
function shard(loader: DataLoader): DataLoader {
  if (loader.sampler instanceof DistributedSampler) return loader;
  if (loader.batchSampler !== null) {
    throw new TorchError('train({ distributed: true }) cannot shard a DataLoader with a batchSampler: give it a DataLoader whose sampler is a DistributedSampler', 'DIST_ERROR');
  }
  const shuffle = loader.shuffle || loader.sampler instanceof RandomSampler;
  const sampler = new DistributedSampler(loader.dataset, { shuffle, seed: 0, dropLast: false });
  return new DataLoader(loader.dataset, {
    batchSize: loader.batchSize, dropLast: loader.dropLast, prefetch: loader.prefetch, sampler,
    ...(loader.collateFn === null ? {} : { collateFn: loader.collateFn }),
  });
}

export async function distribute(model: Module, loader: unknown, device: string): Promise<DistributedRun> {
  if (!(loader instanceof DataLoader)) {
    throw new TorchError('train({ distributed: true }) shards a DataLoader across the ranks: give it a DataLoader (its dataset is split by a DistributedSampler)', 'DIST_ERROR');
  }
  await ensureProcessGroup();
  const sharded = shard(loader);
  const cudaIndex = /^cuda(?::(\d+))?$/.exec(device);
  const ddp = model instanceof DistributedDataParallel ? model
    : new DistributedDataParallel(model, cudaIndex === null ? {} : { deviceIds: [Number(cudaIndex[1] ?? 0)] });
  const sampler = sharded.sampler as DistributedSampler;
  return {
    model: ddp,
    loader: sharded,
    rank: dist.getRank(),
    worldSize: dist.getWorldSize(),
    setEpoch: (epoch) => sampler.setEpoch(epoch),
    sum(values) {
      const t = tensor(values, { dtype: 'float64' });
      dist.allReduce(t);
      return t.tolist() as number[];
    },
    anyStop(local) {
      const t = tensor([local], { dtype: 'int32' });
      dist.allReduce(t, { op: dist.ReduceOp.MAX });
      return t.item() as StopCode;
    },
  };
}
