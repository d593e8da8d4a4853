/**
 * The workloads of `npm run bench` (bench/run.ts): which programs run each, on the CPU and on a
 * GPU, and with which sizes, full and `--quick`. The programs are bench/ts/workload.ts
 * (nodetorch), bench/py/workload.py (Python over pre-made tensors), bench/cpp/workload.cc (the
 * C++ floor) and bench/py/seed.py (the seed program).
 */

export type Impl = 'nodetorch' | 'nodetorch-premade' | 'python' | 'cpp' | 'seed';

export interface Sizes {
  batches: number; testBatches: number; ops: number; steps: number; warmup: number; memoryBatches: number;
  resnetBatch: number; resnetSize: number; loopBatches: number;
}
export const SIZES: Record<'full' | 'quick', Record<'cpu' | 'cuda', Sizes>> = {
  full: {
    cpu: { batches: 938, testBatches: 157, ops: 1_000_000, steps: 10, warmup: 1, memoryBatches: 938, resnetBatch: 32, resnetSize: 64, loopBatches: 200 },
    cuda: { batches: 938, testBatches: 157, ops: 100_000, steps: 50, warmup: 5, memoryBatches: 938, resnetBatch: 64, resnetSize: 224, loopBatches: 200 },
  },
  quick: {
    cpu: { batches: 100, testBatches: 20, ops: 1_000_000, steps: 2, warmup: 1, memoryBatches: 50, resnetBatch: 32, resnetSize: 64, loopBatches: 50 },
    cuda: { batches: 100, testBatches: 20, ops: 100_000, steps: 10, warmup: 5, memoryBatches: 50, resnetBatch: 64, resnetSize: 224, loopBatches: 50 },
  },
};

/** A workload: which programs run it on a device, and with what arguments. */
export interface Workload {
  name: string;
  impls: Record<'cpu' | 'cuda', Impl[]>;
  /** Runs once after the rounds instead of in each. */
  once?: true;
  args: (s: Sizes) => Record<string, string | number>;
}

export const WORKLOADS: Workload[] = [
  {
    name: 'mnist',
    impls: { cpu: ['nodetorch', 'nodetorch-premade', 'python', 'cpp', 'seed'], cuda: ['nodetorch', 'nodetorch-premade', 'python'] },
    args: (s) => ({ epochs: 1, batches: s.batches, testBatches: s.testBatches }),
  },
  { name: 'smallops', impls: { cpu: ['nodetorch', 'python', 'cpp'], cuda: ['nodetorch', 'python'] }, args: (s) => ({ ops: s.ops }) },
  {
    name: 'resnet18', impls: { cpu: ['nodetorch', 'python', 'cpp'], cuda: ['nodetorch', 'python'] },
    args: (s) => ({ steps: s.steps, warmup: s.warmup, batch: s.resnetBatch, size: s.resnetSize }),
  },
  {
    name: 'memory', impls: { cpu: ['nodetorch', 'seed'], cuda: [] }, once: true,
    args: (s) => ({ epochs: 6, batches: s.memoryBatches, testBatches: 1 }),
  },
  { name: 'train-loop', impls: { cpu: ['nodetorch'], cuda: [] }, args: (s) => ({ batches: s.loopBatches }) },
  { name: 'evaluate-loop', impls: { cpu: ['nodetorch'], cuda: [] }, args: (s) => ({ batches: s.loopBatches / 2 }) },
];
export const DEFAULT_WORKLOADS = ['mnist', 'smallops', 'resnet18', 'memory'];
