/**
 * `nn.parallel.DistributedDataParallel` (PyTorch's `torch/nn/parallel/distributed.py`): each
 * process trains a replica of the model on its shard of the data; gradients are averaged across
 * the process group during `backward()`, by c10d's own Reducer, in buckets all-reduced as soon as
 * backward has produced them. A nodetorch rank and a Python rank of the same LibTorch version
 * can train one model together: they run the same collectives in the same order.
 */
import { disposeSymbol, isGradEnabled, runGuarded } from '../../autograd';
import { native as N } from '../../binding';
import { resolveGroup, type ProcessGroup } from '../../distributed/process-group';
import { TorchError, rangeError, typeError } from '../../errors';
import { Tensor } from '../../tensor';
import { checkBool, checkNumber, checkOptions } from '../../validate';
import { Module } from '../module';
import { Embedding, EmbeddingBag } from '../sparse';

/** Python's `broadcast_bucket_size`: module states are broadcast in buffers of at most 250 MiB. */
const BROADCAST_BUCKET_BYTES = 250 * 1024 * 1024;

/** Options of {@link DistributedDataParallel}, Python's keyword arguments in camelCase. */
export interface DistributedDataParallelOptions {
  /**
   * Python's `device_ids`: for a CUDA model, the one device of this process (`[localRank]`);
   * omitted for CPU models. Inputs are moved there before `forward`.
   */
  deviceIds?: number[] | null;
  /** Broadcast rank 0's buffers (e.g. BatchNorm statistics) before every forward. Default true. */
  broadcastBuffers?: boolean;
  /** The group whose ranks average gradients. Default: every rank. */
  processGroup?: ProcessGroup;
  /** Size of a gradient bucket in MiB. Default 25 (and a first bucket of 1 MiB). */
  bucketCapMb?: number;
  /**
   * Search the graph of each forward's outputs for parameters it did not use, so that their
   * gradients count as ready (slower; only for models with parameters some steps skip).
   */
  findUnusedParameters?: boolean;
  /** Let `.grad` be views into the buckets (saves a copy and memory). Default false. */
  gradientAsBucketView?: boolean;
}

const OPTION_KEYS = ['deviceIds', 'broadcastBuffers', 'processGroup', 'bucketCapMb', 'findUnusedParameters', 'gradientAsBucketView'] as const;

/** Every tensor in a forward's output (Python's `_find_tensors`): arrays, Maps, plain objects. */
function findTensors(value: unknown, out: Tensor[] = [], seen = new Set<unknown>()): Tensor[] {
  if (value instanceof Tensor) {
    out.push(value);
  } else if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    const items = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : Object.values(value);
    for (const item of items) findTensors(item, out, seen);
  }
  return out;
}

/** Inputs moved to `device` (Python's `_to_kwargs`): tensors, and tensors inside arrays. */
function moveInputs(inputs: unknown[], device: string): unknown[] {
  return inputs.map((x) => (x instanceof Tensor ? x.to(device) : Array.isArray(x) ? moveInputs(x, device) : x));
}

/**
 * Data-parallel training across processes: wrap the model after `initProcessGroup`, then train
 * as usual. Construction checks that every rank has the same parameters and copies rank 0's
 * parameters and buffers to all; each `backward()` then leaves every rank with the same averaged
 * gradients, so the same optimizer step keeps the replicas identical. The wrapped model is
 * `module`, and `stateDict()` keys carry the `module.` prefix, as PyTorch's do (save
 * `ddp.module.stateDict()` for a checkpoint a plain model loads).
 *
 * @example
 * ```ts
 * await torch.distributed.initProcessGroup({ backend: 'gloo' });
 * const model = new nn.parallel.DistributedDataParallel(new Net());
 * const sampler = new torch.utils.data.DistributedSampler(trainSet);
 * const loader = new torch.utils.data.DataLoader(trainSet, { batchSize: 64, sampler });
 * for (let epoch = 1; epoch <= 6; epoch++) {
 *   sampler.setEpoch(epoch);
 *   for (const [x, y] of loader) {
 *     optimizer.zeroGrad();
 *     F.nllLoss(model(x), y).backward();   // gradients averaged across ranks here
 *     optimizer.step();
 *   }
 * }
 * ```
 */
export class DistributedDataParallel<M extends Module = Module> extends Module {
  /** The wrapped model. */
  readonly module: M;
  readonly deviceIds: number[] | null;
  readonly broadcastBuffers: boolean;
  readonly findUnusedParameters: boolean;
  readonly gradientAsBucketView: boolean;
  /** Python's `require_backward_grad_sync`: false inside {@link noSync}. */
  requireBackwardGradSync = true;
  /** Python's `require_forward_param_sync`: whether the last forward will be followed by a reduced backward. */
  requireForwardParamSync = true;
  readonly #group: ProcessGroup;
  readonly #reducer: unknown;
  readonly #buffers: Tensor[];

  constructor(module: M, options: DistributedDataParallelOptions = {}) {
    super();
    if (!(module instanceof Module)) throw typeError('an nn.Module', 'module', module);
    const o = checkOptions(options, 'DistributedDataParallel options', OPTION_KEYS);
    this.#group = resolveGroup(o.processGroup);
    const group = this.#group.live();
    this.deviceIds = checkDeviceIds(o.deviceIds);
    this.broadcastBuffers = checkBool(o.broadcastBuffers ?? true, 'broadcastBuffers');
    this.findUnusedParameters = checkBool(o.findUnusedParameters ?? false, 'findUnusedParameters');
    this.gradientAsBucketView = checkBool(o.gradientAsBucketView ?? false, 'gradientAsBucketView');
    const bucketCapMb = o.bucketCapMb === undefined ? null : checkNumber(o.bucketCapMb, 'bucketCapMb');
    if (bucketCapMb !== null && !(bucketCapMb > 0 && bucketCapMb <= 1024 * 1024)) throw rangeError('a size in MiB in (0, 1048576]', 'bucketCapMb', bucketCapMb);
    this.module = module;

    // _build_params_for_reducer: each module's own trainable parameters, in module order, once.
    const params: Tensor[] = [];
    const expectSparse: boolean[] = [];
    const seen = new Set<Tensor>();
    for (const [, m] of module.namedModules()) {
      for (const [, p] of m.namedParameters('', { recurse: false })) {
        if (!p.requiresGrad || seen.has(p)) continue;
        seen.add(p);
        params.push(p);
        expectSparse.push((m instanceof Embedding || m instanceof EmbeddingBag) && m.sparse);
      }
    }
    if (params.length === 0) {
      throw new TorchError('DistributedDataParallel is not needed when a module doesn\'t have any parameter that requires a gradient.', 'DIST_ERROR');
    }
    this.#buffers = module.buffers();
    N.distVerifyParams(group, params);
    // _sync_module_states: rank 0's parameters and buffers everywhere.
    const states = [...module.parameters(), ...(this.broadcastBuffers ? this.#buffers : [])].map((t) => t.detach());
    N.distBroadcastCoalesced(group, states, BROADCAST_BUCKET_BYTES, 0);
    this.#reducer = N.distReducer(group, params, expectSparse, bucketCapMb, this.findUnusedParameters, this.gradientAsBucketView);
  }

  /** The process group gradients are averaged over. */
  get processGroup(): ProcessGroup { return this.#group; }

  /**
   * Runs the wrapped module's forward between the Reducer's bookkeeping, as Python's `forward`:
   * before it, buffers from rank 0 and (once) the buckets rebuilt in the order backward produced
   * gradients; after it, the Reducer armed for the backward of this output.
   */
  forward(...inputs: any[]): any {
    const grad = isGradEnabled();
    if (grad && this.requireBackwardGradSync) N.distReducerPrepareForward(this.#reducer);
    if (grad) N.distReducerRebuildBuckets(this.#reducer);
    if (this.requireForwardParamSync && this.broadcastBuffers && this.#buffers.length > 0) {
      const buffers = this.#buffers.map((b) => b.detach());
      N.distBroadcastCoalesced(this.#group.live(), buffers, BROADCAST_BUCKET_BYTES, 0);
    }
    const args = this.deviceIds === null ? inputs : moveInputs(inputs, `cuda:${this.deviceIds[0]}`);
    const output = (this.module as unknown as (...a: unknown[]) => unknown)(...args);
    if (grad && this.requireBackwardGradSync) {
      this.requireForwardParamSync = true;
      N.distReducerPrepareForBackward(this.#reducer, this.findUnusedParameters ? findTensors(output) : []);
    } else {
      this.requireForwardParamSync = false;
    }
    return output;
  }

  /**
   * Gradients accumulate locally, without communication, for the forwards and backwards run
   * inside (Python's `no_sync()` context): the first backward after it averages everything
   * accumulated. The same three forms as `torch.noGrad`.
   * @example
   * ```ts
   * ddp.noSync(() => { lossFn(ddp(x1), y1).backward(); });   // local only
   * lossFn(ddp(x2), y2).backward();                          // averaged: x1's and x2's gradients
   * ```
   */
  noSync(): {
    /** Ends the no-sync scope (`using` calls it). */
    [Symbol.dispose](): void;
  };
  noSync<T>(fn: () => T): T;
  noSync<T>(fn?: () => T): T | { [Symbol.dispose](): void } {
    const previous = this.requireBackwardGradSync;
    this.requireBackwardGradSync = false;
    let open = true;
    const guard = {
      [disposeSymbol]: () => {
        if (open) this.requireBackwardGradSync = previous;
        open = false;
      },
    } as { [Symbol.dispose](): void };
    if (fn === undefined) return guard;
    if (typeof fn !== 'function') {
      guard[disposeSymbol]();
      throw typeError('a function', 'fn', fn);
    }
    return runGuarded(guard, fn);
  }
}

function checkDeviceIds(ids: unknown): number[] | null {
  if (ids === undefined || ids === null) return null;
  if (!Array.isArray(ids) || ids.length !== 1 || !Number.isInteger(ids[0]) || ids[0] < 0) {
    throw typeError('an array with the one CUDA device index of this process', 'deviceIds', ids);
  }
  return [ids[0]];
}
