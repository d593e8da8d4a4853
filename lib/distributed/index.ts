/**
 * `torch.distributed`: PyTorch's c10d in TypeScript. Processes join one process group through a
 * rendezvous (`env://` as torchrun sets it, `tcp://`, `file://`) and then run collectives on
 * tensors with LibTorch's own Gloo backend, which speaks the same protocol as Python: a
 * nodetorch rank and a Python rank of the same LibTorch version can share one group.
 *
 * The calls mirror Python's `torch.distributed` in camelCase. Each collective blocks until done,
 * as in Python; with `{ async: true }` it returns a {@link Work} whose `wait()` is a Promise that
 * never blocks the event loop. Ranks are global ranks, `timeout`s are in milliseconds.
 *
 * @example
 * ```ts
 * // MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=<0|1> npx tsx script.ts
 * import * as torch from 'nodetorch';
 * const dist = torch.distributed;
 * await dist.initProcessGroup({ backend: 'gloo' });
 * const t = torch.tensor([dist.getRank() + 1]);
 * dist.allReduce(t);                 // t is [3] on both ranks
 * dist.destroyProcessGroup();
 * ```
 * @module
 */
import { native as N } from '../binding';
import { atCallSite } from '../call-site';
import { TorchError, rangeError, typeError } from '../errors';
import { Tensor } from '../tensor';
import { checkBool, checkInt, checkOptions } from '../validate';
import { GroupMember, ProcessGroup, defaultState, resolveGroup, setWorldState, worldState } from './process-group';
import { REDUCE_OP_CODES, ReduceOp, type ReduceOpName } from './reduce-op';
import { rendezvous } from './rendezvous';
import { Work } from './work';

export { GroupMember, ProcessGroup } from './process-group';
export { ReduceOp, type ReduceOpName } from './reduce-op';
export { Work } from './work';
export * as run from './run';

/** Python's default_pg_timeout: 30 minutes. */
const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

/** Options of {@link initProcessGroup}, Python's `init_process_group` arguments. */
export interface InitProcessGroupOptions {
  /** `'gloo'` (CPU tensors; the default). `'nccl'` throws a `TorchError` (`DIST_BACKEND_UNAVAILABLE`): not bound yet. */
  backend?: 'gloo' | 'nccl';
  /** `'env://'` (default: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE), `'tcp://host:port'` or `'file:///path'`. */
  initMethod?: string;
  /** The number of processes; default from the init method (WORLD_SIZE for `env://`). */
  worldSize?: number;
  /** This process's rank in [0, worldSize); default from the init method (RANK for `env://`). */
  rank?: number;
  /** Milliseconds any collective, and the rendezvous, may take before failing. Default 30 minutes. */
  timeout?: number;
}

/** Where a collective runs and whether it returns at once. */
export interface CollectiveOptions {
  /** The group (default: every rank). */
  group?: ProcessGroup;
  /** Return a {@link Work} at once instead of waiting (Python's `async_op`). */
  async?: boolean;
}

/** {@link CollectiveOptions} with the reduction. */
export interface ReduceOptions extends CollectiveOptions {
  /** Default `ReduceOp.SUM`. */
  op?: ReduceOpName;
}

/** {@link CollectiveOptions} of `send`/`recv`. */
export interface P2POptions extends CollectiveOptions {
  /** Matches a send to a receive with the same tag. Default 0. */
  tag?: number;
}

type Async = { async: true };

const COLLECTIVE_KEYS = ['group', 'async'] as const;
const REDUCE_KEYS = ['group', 'async', 'op'] as const;
const P2P_KEYS = ['group', 'async', 'tag'] as const;
const INIT_KEYS = ['backend', 'initMethod', 'worldSize', 'rank', 'timeout'] as const;

let initializing = false;

function checkTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError('a timeout in whole milliseconds', 'timeout', value);
  if (value <= 0) throw rangeError('a positive timeout', 'timeout', value);
  return value;
}

function checkBackend(value: unknown): 'gloo' {
  if (value === undefined || value === 'gloo') return 'gloo';
  // NCCL lives only in CUDA builds of LibTorch, and nodetorch binds no ProcessGroupNCCL yet.
  if (value === 'nccl') {
    const why = N.config().cuda ? "nodetorch does not bind the NCCL backend yet; use backend 'gloo'" : "Distributed package doesn't have NCCL built in";
    throw new TorchError(why, 'DIST_BACKEND_UNAVAILABLE');
  }
  throw typeError("'gloo' or 'nccl'", 'backend', value);
}

function checkTensor(value: unknown, name: string): Tensor {
  if (!(value instanceof Tensor)) throw typeError('a Tensor', name, value);
  return value;
}

function checkTensorList(value: unknown, name: string): Tensor[] {
  if (!Array.isArray(value)) throw typeError('an array of Tensors', name, value);
  for (const t of value) { // stops at the first non-Tensor, a hole included
    if (!(t instanceof Tensor)) throw typeError('an array of Tensors', name, value);
  }
  return value as Tensor[];
}

function checkOp(value: unknown): number {
  if (value === undefined) return REDUCE_OP_CODES.SUM;
  if (typeof value !== 'string' || !(value in REDUCE_OP_CODES)) throw typeError(`a ReduceOp (${Object.keys(ReduceOp).join(', ')})`, 'op', value);
  return REDUCE_OP_CODES[value as ReduceOpName];
}

/**
 * Starts `call` on the group (checked, default when absent) and either returns its Work
 * (`async`) or waits for it here. On a rank outside the group it does nothing and warns,
 * as Python does.
 */
function run(name: string, group: unknown, isAsync: unknown, call: (g: ProcessGroup, handle: unknown) => unknown): Work | undefined {
  const g = resolveGroup(group);
  const wantAsync = isAsync === undefined ? false : checkBool(isAsync, 'async');
  if (g === GroupMember.NON_GROUP_MEMBER) {
    process.emitWarning(`Running ${name} on global rank ${getRank()} which does not belong to the given group.`);
    return undefined;
  }
  const work = Work.from(call(g, g.live()));
  if (wantAsync) return work;
  work.waitSync();
  return undefined;
}

/**
 * Joins the default process group: every rank calls it with the same world size and init method
 * and it resolves once all have joined (Python's `init_process_group`, whose store layout it
 * follows, so Python ranks can join too).
 *
 * @example
 * ```ts
 * await dist.initProcessGroup({ backend: 'gloo', initMethod: 'tcp://127.0.0.1:29500', worldSize: 2, rank });
 * ```
 */
export function initProcessGroup(options: InitProcessGroupOptions = {}): Promise<void> {
  return atCallSite(async () => {
    const o = checkOptions(options, 'options', INIT_KEYS);
    const backend = checkBackend(o.backend);
    const initMethod = o.initMethod === undefined ? 'env://' : o.initMethod;
    if (typeof initMethod !== 'string') throw typeError('an init method URL', 'initMethod', initMethod);
    const rank = o.rank === undefined ? -1 : checkInt(o.rank, 'rank', 0);
    const worldSize = o.worldSize === undefined ? -1 : checkInt(o.worldSize, 'worldSize', 1);
    const timeout = checkTimeout(o.timeout);
    if (worldState() !== null || initializing) throw new TorchError('trying to initialize the default process group twice!', 'DIST_ALREADY_INITIALIZED');
    const r = rendezvous(initMethod, rank, worldSize);
    initializing = true;
    try {
      const [world, handle] = await N.distInit(r.kind, r.where, r.port, r.worldSize, r.rank, timeout);
      const group = ProcessGroup.create(handle, Array.from({ length: r.worldSize }, (_, i) => i));
      setWorldState({ world, group, groups: [group], backend, rank: r.rank, worldSize: r.worldSize, timeout });
    } finally {
      initializing = false;
    }
  });
}

/**
 * Leaves `group`, or with no argument every group and the default one (Python's
 * `destroy_process_group`). Collectives on a destroyed group throw a `TorchError`.
 *
 * @example `dist.destroyProcessGroup();`
 */
export function destroyProcessGroup(group?: ProcessGroup): void {
  const s = defaultState();
  const targets = group === undefined ? s.groups : [resolveGroup(group)];
  for (const g of targets) {
    if (g.handle !== null) N.distDestroy(g.handle);
    g.handle = null;
  }
  if (group === undefined || group === s.group) {
    N.distDestroy(s.world);
    setWorldState(null);
  } else {
    s.groups = s.groups.filter((g) => g !== group);
  }
}

/** Whether {@link initProcessGroup} has completed. @example `if (!dist.isInitialized()) await dist.initProcessGroup();` */
export function isInitialized(): boolean { return worldState() !== null; }

/** Whether torch.distributed works here (LibTorch's c10d is linked). @example `dist.isAvailable()` */
export function isAvailable(): boolean { return true; }

/** Whether the Gloo backend is available. @example `dist.isGlooAvailable()` */
export function isGlooAvailable(): boolean { return N.distAvailable().gloo; }

/** Whether the NCCL backend is available (CUDA builds of LibTorch). @example `dist.isNcclAvailable()` */
export function isNcclAvailable(): boolean { return N.distAvailable().nccl; }

/** The backend of the default group. @example `dist.getBackend() // 'gloo'` */
export function getBackend(): string { return defaultState().backend; }

/**
 * This process's rank in `group` (default: the world); -1 outside the group, as in Python.
 *
 * @example `const rank = dist.getRank();`
 */
export function getRank(group?: ProcessGroup): number {
  const s = defaultState();
  if (group === undefined) return s.rank;
  const g = resolveGroup(group);
  return g === GroupMember.NON_GROUP_MEMBER ? -1 : g.rank();
}

/**
 * The number of ranks in `group` (default: the world); -1 outside the group, as in Python.
 *
 * @example `const n = dist.getWorldSize();`
 */
export function getWorldSize(group?: ProcessGroup): number {
  const s = defaultState();
  if (group === undefined) return s.worldSize;
  const g = resolveGroup(group);
  return g === GroupMember.NON_GROUP_MEMBER ? -1 : g.size();
}

/**
 * A new group of the given global ranks (default: all). Every rank of the world must call it, in
 * the same order as the other ranks; ranks outside `ranks` get `GroupMember.NON_GROUP_MEMBER`.
 *
 * @example
 * ```ts
 * const pair = await dist.newGroup([0, 1]);
 * ```
 */
export function newGroup(ranks?: number[], options: { timeout?: number } = {}): Promise<ProcessGroup> {
  return atCallSite(async () => {
    const s = defaultState();
    const o = checkOptions(options, 'options', ['timeout'] as const);
    const timeout = o.timeout === undefined ? s.timeout : checkTimeout(o.timeout);
    let list: number[];
    if (ranks === undefined || ranks === null) {
      list = Array.from({ length: s.worldSize }, (_, i) => i);
    } else {
      if (!Array.isArray(ranks)) throw typeError('an array of ranks', 'ranks', ranks);
      list = [...ranks].map((r) => checkInt(r, 'ranks', 0)).sort((a, b) => a - b);
      for (let i = 0; i < list.length; i++) {
        if (list[i] >= s.worldSize) throw rangeError(`ranks in [0, ${s.worldSize - 1}]`, 'ranks', ranks);
        if (i > 0 && list[i] === list[i - 1]) throw rangeError('distinct ranks', 'ranks', ranks);
      }
    }
    const handle = await N.distNewGroup(s.world, list, timeout);
    if (handle === null) return GroupMember.NON_GROUP_MEMBER;
    const group = ProcessGroup.create(handle, list);
    s.groups.push(group);
    return group;
  });
}

/**
 * Waits until every rank of the group reaches it.
 *
 * @example `dist.barrier(); await dist.barrier({ async: true }).wait();`
 */
export function barrier(options: CollectiveOptions & Async): Work;
export function barrier(options?: CollectiveOptions): void;
export function barrier(options?: CollectiveOptions): Work | void {
  const o = checkOptions(options, 'options', COLLECTIVE_KEYS);
  return run('barrier', o.group, o.async, (_, h) => N.distBarrier(h));
}

/**
 * Reduces `tensor` across the group in place: every rank ends with the result.
 *
 * @example
 * ```ts
 * const t = torch.tensor([dist.getRank()]);
 * dist.allReduce(t, { op: dist.ReduceOp.SUM });
 * ```
 */
export function allReduce(tensor: Tensor, options: ReduceOptions & Async): Work;
export function allReduce(tensor: Tensor, options?: ReduceOptions): void;
export function allReduce(tensor: Tensor, options?: ReduceOptions): Work | void {
  const o = checkOptions(options, 'options', REDUCE_KEYS);
  checkTensor(tensor, 'tensor');
  const op = checkOp(o.op);
  return run('allReduce', o.group, o.async, (_, h) => N.distAllReduce(h, tensor, op));
}

/**
 * Reduces `tensor` across the group into rank `dst`'s `tensor`.
 *
 * @example `dist.reduce(t, 0, { op: dist.ReduceOp.MAX });`
 */
export function reduce(tensor: Tensor, dst: number, options: ReduceOptions & Async): Work;
export function reduce(tensor: Tensor, dst: number, options?: ReduceOptions): void;
export function reduce(tensor: Tensor, dst: number, options?: ReduceOptions): Work | void {
  const o = checkOptions(options, 'options', REDUCE_KEYS);
  checkTensor(tensor, 'tensor');
  const op = checkOp(o.op);
  return run('reduce', o.group, o.async, (g, h) => N.distReduce(h, tensor, g.groupRank(dst, 'dst'), op));
}

/**
 * Copies rank `src`'s `tensor` into every rank's `tensor`.
 *
 * @example `dist.broadcast(weights, 0);`
 */
export function broadcast(tensor: Tensor, src: number, options: CollectiveOptions & Async): Work;
export function broadcast(tensor: Tensor, src: number, options?: CollectiveOptions): void;
export function broadcast(tensor: Tensor, src: number, options?: CollectiveOptions): Work | void {
  const o = checkOptions(options, 'options', COLLECTIVE_KEYS);
  checkTensor(tensor, 'tensor');
  return run('broadcast', o.group, o.async, (g, h) => N.distBroadcast(h, tensor, g.groupRank(src, 'src')));
}

/**
 * Fills `tensorList[i]` with group rank i's `tensor` on every rank.
 *
 * @example
 * ```ts
 * const out = [torch.zeros(2), torch.zeros(2)];
 * dist.allGather(out, torch.full([2], dist.getRank()));
 * ```
 */
export function allGather(tensorList: Tensor[], tensor: Tensor, options: CollectiveOptions & Async): Work;
export function allGather(tensorList: Tensor[], tensor: Tensor, options?: CollectiveOptions): void;
export function allGather(tensorList: Tensor[], tensor: Tensor, options?: CollectiveOptions): Work | void {
  const o = checkOptions(options, 'options', COLLECTIVE_KEYS);
  checkTensorList(tensorList, 'tensorList');
  checkTensor(tensor, 'tensor');
  return run('allGather', o.group, o.async, (_, h) => N.distAllGather(h, tensorList, tensor));
}

/**
 * Reduces `inputList[i]` across the group into group rank i's `output`. Gloo supports it only
 * in LibTorch versions whose Python does; elsewhere LibTorch's error is a `TorchError`.
 *
 * @example
 * ```ts
 * const out = torch.zeros(2);
 * dist.reduceScatter(out, [torch.ones(2), torch.ones(2)]);
 * ```
 */
export function reduceScatter(output: Tensor, inputList: Tensor[], options: ReduceOptions & Async): Work;
export function reduceScatter(output: Tensor, inputList: Tensor[], options?: ReduceOptions): void;
export function reduceScatter(output: Tensor, inputList: Tensor[], options?: ReduceOptions): Work | void {
  const o = checkOptions(options, 'options', REDUCE_KEYS);
  checkTensor(output, 'output');
  checkTensorList(inputList, 'inputList');
  const op = checkOp(o.op);
  return run('reduceScatter', o.group, o.async, (_, h) => N.distReduceScatter(h, output, inputList, op));
}

/**
 * Collects every rank's `tensor` into `gatherList` on rank `dst` (the list is given on `dst`
 * only).
 *
 * @example
 * ```ts
 * dist.gather(t, dist.getRank() === 0 ? [torch.zeros(2), torch.zeros(2)] : null, 0);
 * ```
 */
export function gather(tensor: Tensor, gatherList: Tensor[] | null, dst: number, options: CollectiveOptions & Async): Work;
export function gather(tensor: Tensor, gatherList?: Tensor[] | null, dst?: number, options?: CollectiveOptions): void;
export function gather(tensor: Tensor, gatherList: Tensor[] | null = null, dst = 0, options?: CollectiveOptions): Work | void {
  const o = checkOptions(options, 'options', COLLECTIVE_KEYS);
  checkTensor(tensor, 'tensor');
  const list = gatherList === null ? [] : checkTensorList(gatherList, 'gatherList');
  return run('gather', o.group, o.async, (g, h) => N.distGather(h, tensor, list, g.groupRank(dst, 'dst')));
}

/**
 * Sends `scatterList[i]` from rank `src` into group rank i's `tensor` (the list is given on
 * `src` only).
 *
 * @example
 * ```ts
 * dist.scatter(t, dist.getRank() === 0 ? [torch.ones(2), torch.zeros(2)] : null, 0);
 * ```
 */
export function scatter(tensor: Tensor, scatterList: Tensor[] | null, src: number, options: CollectiveOptions & Async): Work;
export function scatter(tensor: Tensor, scatterList?: Tensor[] | null, src?: number, options?: CollectiveOptions): void;
export function scatter(tensor: Tensor, scatterList: Tensor[] | null = null, src = 0, options?: CollectiveOptions): Work | void {
  const o = checkOptions(options, 'options', COLLECTIVE_KEYS);
  checkTensor(tensor, 'tensor');
  const list = scatterList === null ? [] : checkTensorList(scatterList, 'scatterList');
  return run('scatter', o.group, o.async, (g, h) => N.distScatter(h, tensor, list, g.groupRank(src, 'src')));
}

function checkTag(value: unknown): number { return value === undefined ? 0 : checkInt(value, 'tag', 0); }

/**
 * Sends `tensor` to rank `dst`, which receives it with {@link recv}.
 *
 * @example `dist.send(t, 1);`
 */
export function send(tensor: Tensor, dst: number, options: P2POptions & Async): Work;
export function send(tensor: Tensor, dst: number, options?: P2POptions): void;
export function send(tensor: Tensor, dst: number, options?: P2POptions): Work | void {
  const o = checkOptions(options, 'options', P2P_KEYS);
  checkTensor(tensor, 'tensor');
  const tag = checkTag(o.tag);
  return run('send', o.group, o.async, (g, h) => N.distSend(h, tensor, g.groupRank(dst, 'dst'), tag));
}

/**
 * Receives into `tensor` from rank `src` (default: any rank) and returns the sender's global
 * rank; with `async` a Work (its `sourceRank()` is the sender's group rank).
 *
 * @example `const from = dist.recv(t, 0);`
 */
export function recv(tensor: Tensor, src: number | undefined, options: P2POptions & Async): Work;
export function recv(tensor: Tensor, src?: number, options?: P2POptions): number;
export function recv(tensor: Tensor, src?: number, options?: P2POptions): Work | number {
  const o = checkOptions(options, 'options', P2P_KEYS);
  checkTensor(tensor, 'tensor');
  const tag = checkTag(o.tag);
  const g = resolveGroup(o.group);
  const from = src === undefined ? -1 : g.groupRank(src, 'src');
  if (o.async !== undefined && checkBool(o.async, 'async')) {
    return run('recv', g, true, (_, h) => N.distRecv(h, tensor, from, tag))!;
  }
  if (g === GroupMember.NON_GROUP_MEMBER) {
    run('recv', g, false, () => null);
    return -1;
  }
  const work = Work.from(N.distRecv(g.live(), tensor, from, tag));
  work.waitSync();
  return g.ranks[work.sourceRank()];
}

/** Python's `isend`: {@link send} returning a Work. @example `const w = dist.isend(t, 1); await w.wait();` */
export function isend(tensor: Tensor, dst: number, options: Omit<P2POptions, 'async'> = {}): Work {
  return send(tensor, dst, { ...options, async: true });
}

/** Python's `irecv`: {@link recv} returning a Work. @example `const w = dist.irecv(t, 0); await w.wait();` */
export function irecv(tensor: Tensor, src?: number, options: Omit<P2POptions, 'async'> = {}): Work {
  return recv(tensor, src, { ...options, async: true });
}
