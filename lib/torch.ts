/**
 * The `torch` namespace's own functions besides ops and tensor creation: configuration, threads,
 * devices, CUDA, the CPU allocator. (The ops, `torch.sum(x)` and the rest, are generated: lib/generated/ops.ts.)
 */
import * as os from 'node:os';
import { native as N, bindingInfo } from './binding';
import { rangeError } from './errors';
import { checkDevice, checkInt } from './validate';

/** What `torch.config()` reports. */
export interface Config {
  /** The LibTorch version the addon was built with, e.g. `'2.13.0'`. */
  libtorchVersion: string;
  /** Whether the addon links a CUDA LibTorch. */
  cuda: boolean;
  /** The LibTorch root in use (chosen at build time, or found at load time for a prebuilt binary). */
  root: string;
  /** The directory LibTorch's libraries were loaded from. */
  libDir: string;
  /** Intra-op threads. */
  numThreads: number;
  /** `'local build'` or `'prebuilt'`, and the addon file. */
  binary: { kind: string; file: string };
}

/**
 * Facts about the LibTorch this process uses.
 * @example
 * ```ts
 * console.log(torch.config()); // { libtorchVersion: '2.13.0', cuda: false, root: '…', numThreads: 2, … }
 * ```
 */
export function config(): Config {
  const c = N.config();
  return {
    libtorchVersion: c.libtorchVersion, cuda: c.cuda, root: bindingInfo.root, libDir: c.libDir, numThreads: c.numThreads,
    binary: { kind: bindingInfo.kind, file: bindingInfo.file },
  };
}

/**
 * Sets the number of intra-op threads (default: physical cores, as in PyTorch Python): an
 * integer from 1 to 4 × the logical CPUs, else a RangeError: LibTorch's OpenMP pool crashes at
 * the next op when asked for far more threads than the machine has (in Python too).
 * @example
 * ```ts
 * torch.setNumThreads(1);
 * ```
 */
export function setNumThreads(n: number): void {
  const max = 4 * os.availableParallelism();
  if (checkInt(n, 'n', 1) > max) throw rangeError(`an integer from 1 to ${max} (4 × the logical CPUs)`, 'n', n);
  N.setNumThreads(n);
}

/** The number of intra-op threads. @example `torch.getNumThreads()` */
export function getNumThreads(): number { return N.config().numThreads; }

/**
 * A device string, checked: `'cpu'`, `'cuda'` or `'cuda:N'`.
 * @example
 * ```ts
 * const device = torch.device(torch.cuda.isAvailable() ? 'cuda:0' : 'cpu');
 * model.to(device);
 * ```
 */
export function device(name: string): string { return checkDevice(name, 'device'); }

/**
 * `torch.cpu`: nodetorch's CPU allocator. Freed blocks of 64 KiB or more are kept (up to
 * 512 MiB) and handed out again for the same size, as CUDA's caching allocator does on the GPU:
 * tensors die at garbage collections rather than one by one, and without reuse glibc's heap
 * fragments and a long synchronous training loop's RSS creeps. `NODETORCH_CPU_CACHE=0` in the
 * environment turns the cache off.
 */
export const cpu = {
  /** Returns the cached free blocks to the C allocator. @example `torch.cpu.emptyCache()` */
  emptyCache(): void { N.emptyCpuCache(); },
  /**
   * The cache's figures: bytes held for reuse, and allocations of 64 KiB or more served from it
   * (`hits`) or not (`misses`).
   * @example `torch.cpu.memoryStats().cachedBytes`
   */
  memoryStats(): { cachedBytes: number; hits: number; misses: number } { return N.cpuCacheStats(); },
};

/** `torch.cuda`. */
export const cuda = {
  /** Whether a CUDA device can be used (a CUDA LibTorch and a visible GPU). @example `torch.cuda.isAvailable()` */
  isAvailable(): boolean { return N.config().cudaAvailable; },
  /** Number of visible CUDA devices. @example `torch.cuda.deviceCount()` */
  deviceCount(): number { return N.config().cudaDeviceCount; },
};

/**
 * `torch.accelerator`: the device a program should use when it has one (CUDA here), as in
 * PyTorch 2.6+.
 * @example
 * ```ts
 * const device = torch.accelerator.isAvailable() ? torch.accelerator.currentAccelerator()!.type : 'cpu';
 * ```
 */
export const accelerator = {
  /** Whether an accelerator (a CUDA device) can be used. */
  isAvailable(): boolean { return cuda.isAvailable(); },
  /** `{ type: 'cuda' }` when one is available, else null. */
  currentAccelerator(): { type: string } | null { return cuda.isAvailable() ? { type: 'cuda' } : null; },
  /** Number of accelerator devices. */
  deviceCount(): number { return cuda.isAvailable() ? cuda.deviceCount() : 0; },
};
