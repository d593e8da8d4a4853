/**
 * The native addon's interface: every function native/bindings exports, typed, so the
 * TypeScript layer compiles against the contract instead of `any`. Ops are not listed one by
 * one: they all go through `callOp` (native/bindings/dispatch.cc) from the generated tables.
 * @internal
 */
import type { DType } from './dtype';
import type { Tensor } from './tensor';
import type { NativeStage, AffineStage } from './data/native';
import type { ScriptInfo } from './jit/script-module';

/** A Tensor as native code takes it. */
type T = object;
/** An opaque native handle (a tagged External). */
type Handle = unknown;

export interface Native {
  // tensor.cc: the handle class, lifetimes, data in and out, properties, autograd, indexing
  setup(tensorObject: Function, handle: symbol, torchError: Function): Int32Array;
  setTrack(track: ((t: Tensor) => void) | null): void;
  adopt(t: T): void;
  dispose(t: T): void;
  isDisposed(t: T): boolean;
  memory(): { tensors: number; bytes: number };
  prepareShare(t: T): void;
  prepareAlias(t: T): void;
  setData(t: T, data: T): void;
  fromData(data: ArrayBufferView, shape: number[], srcDtype: DType, dtype: DType, device: string, requiresGrad: boolean): Tensor;
  manualSeed(seed: number): void;
  setDefaultDtype(dtype: DType): void;
  item(t: T): any;
  toTypedArray(t: T): any;
  toBuffer(t: T): Buffer;
  numpyView(t: T): any;
  shape(t: T): number[];
  stride(t: T): number[];
  dtype(t: T): DType;
  device(t: T): string;
  numel(t: T): number;
  dim(t: T): number;
  elementSize(t: T): number;
  storageOffset(t: T): number;
  isContiguous(t: T): boolean;
  isLeaf(t: T): boolean;
  requiresGrad(t: T): boolean;
  setRequiresGrad(t: T, value: boolean): void;
  grad(t: T, out?: Tensor): Tensor | null;
  setGrad(t: T, grad: T | null): void;
  gradFn(t: T): string | null;
  retainGrad(t: T): void;
  detach(t: T, out?: Tensor): Tensor;
  contiguous(t: T, out?: Tensor): Tensor;
  to(t: T, dtype: DType | null, device: string | null, copy: boolean): Tensor;
  backward(t: T, gradient: T | null, retainGraph: boolean, createGraph: boolean): void;
  setGradEnabled(enabled: boolean): boolean;
  isGradEnabled(): boolean;
  indexGet(t: T, items: unknown[]): Tensor;
  indexSet(t: T, items: unknown[], value: T | number | boolean): T;
  // dispatch.cc: every generated op
  registerSchemas(schemas: [string, string[]][]): void;
  callOp(op: number, out: object, ...args: unknown[]): any;
  // generator.cc
  generatorNew(device: string): Handle;
  generatorManualSeed(g: Handle, seed: number): void;
  generatorSeed(g: Handle): number;
  generatorInitialSeed(g: Handle): number;
  /** `null`: the default CPU generator. */
  generatorGetState(g: Handle | null): Tensor;
  generatorSetState(g: Handle | null, state: Tensor): void;
  // config.cc
  config(): { libtorchVersion: string; cuda: boolean; cudaAvailable: boolean; cudaDeviceCount: number; root: string; libDir: string; numThreads: number };
  setNumThreads(n: number): void;
  physicalCores(): number;
  checkLibraries(libDir: string): void;
  cpuCacheStats(): { cachedBytes: number; hits: number; misses: number };
  emptyCpuCache(): void;
  // batch_stream.cc: the DataLoader's batches, made on a background thread
  batchStream(inputs: T, targets: T, stages: NativeStage[], batchSize: number, dropLast: boolean, order: Int32Array, seed: number, prefetch: number): Handle;
  batchStreamNext(stream: Handle): [Tensor, Tensor] | null;
  batchStreamNextAsync(stream: Handle): Promise<[Tensor, Tensor] | null>;
  batchStreamClose(stream: Handle): void;
  /** RandomAffine on one image with the stream's code; `null` draws from the global generator. */
  randomAffine(img: T, stage: AffineStage, generator: Handle | null): Tensor;
  // jit.cc: TorchScript modules (lib/jit/)
  jitLoad(source: string | Uint8Array, mapLocation: string | null): Handle;
  jitInfo(m: Handle): ScriptInfo;
  jitSetTraining(m: Handle, mode: boolean): void;
  jitTraining(m: Handle): boolean;
  jitSchema(m: Handle, method: string): string;
  jitGraph(m: Handle, method: string): { kind: string; scope: string; inputs: string[]; outputs: { name: string; type: string; sizes: number[] }[]; attributes: string }[];
  jitRun(m: Handle, method: string, args: unknown[]): any;
  jitRunAsync(m: Handle, method: string, args: unknown[]): Promise<any>;
  jitSave(m: Handle): Buffer;
  // distributed.cc: c10d stores, Gloo process groups and their Work (lib/distributed/)
  distAvailable(): { gloo: boolean; nccl: boolean };
  distInit(kind: 'tcp' | 'file', where: string, port: number, worldSize: number, rank: number, timeoutMs: number): Promise<[Handle, Handle]>;
  distNewGroup(world: Handle, ranks: number[], timeoutMs: number): Promise<Handle | null>;
  distDestroy(worldOrGroup: Handle): void;
  distGroupRank(group: Handle): number;
  distGroupSize(group: Handle): number;
  distBarrier(group: Handle): Handle;
  distAllReduce(group: Handle, tensor: T, op: number): Handle;
  distReduce(group: Handle, tensor: T, dst: number, op: number): Handle;
  distBroadcast(group: Handle, tensor: T, src: number): Handle;
  distAllGather(group: Handle, outputs: T[], input: T): Handle;
  distGather(group: Handle, input: T, outputs: T[], dst: number): Handle;
  distScatter(group: Handle, output: T, inputs: T[], src: number): Handle;
  distReduceScatter(group: Handle, output: T, inputs: T[], op: number): Handle;
  distSend(group: Handle, tensor: T, dst: number, tag: number): Handle;
  distRecv(group: Handle, tensor: T, src: number, tag: number): Handle;
  distWait(work: Handle): void;
  distWaitAsync(work: Handle): Promise<void>;
  distIsCompleted(work: Handle): boolean;
  distSourceRank(work: Handle): number;
  // distributed.cc + core/reducer.cc: what DistributedDataParallel runs in C++ (lib/nn/parallel/)
  distReducer(group: Handle, params: T[], expectSparse: boolean[], bucketCapMb: number | null, findUnusedParameters: boolean, gradientAsBucketView: boolean): Handle;
  distReducerPrepareForward(reducer: Handle): void;
  distReducerRebuildBuckets(reducer: Handle): boolean;
  distReducerPrepareForBackward(reducer: Handle, outputs: T[]): void;
  distVerifyParams(group: Handle, params: T[]): void;
  distBroadcastCoalesced(group: Handle, tensors: T[], bufferSize: number, src: number): void;
}
