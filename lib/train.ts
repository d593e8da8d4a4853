/**
 * `torch.train` and `torch.evaluate`: the seed's training and test loops as one call each.
 * They move model and batches to the device, accumulate metrics on the device (no sync per
 * batch), yield to the event loop between batches, and show progress. `train` saves and
 * resumes checkpoints (model, optimizer, position, metrics), on request and on Ctrl-C.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isMainThread } from 'worker_threads';
import { TorchError, describe, describePath, fsErrorReason, typeError } from './errors';
import { DataLoader, type Batch } from './data/dataloader';
import { Module, type StateDict } from './nn/module';
import { CrossEntropyLoss } from './nn/loss';
import { Optimizer, type OptimizerStateDict } from './optim/optimizer';
import { Tensor } from './tensor';
import { zeros } from './factories';
import { getRngState, setRngState } from './generator';
import { enableGrad, noGrad } from './autograd';
import { tidy, keep, disposeUnlessHeld } from './memory';
import { load, save } from './serialization';
import { cuda } from './torch';
import { checkBool, checkInt, checkOptions, optionKeys } from './validate';
import { TrainBoard, type TensorBoardOptions } from './train-tensorboard';
import { distribute, StopCode, type DistributedRun } from './train-distributed';

export type { TensorBoardOptions } from './train-tensorboard';

/** What the loops iterate: a DataLoader, or any (async) iterable of `[inputs, targets]`. */
export type BatchSource = (Iterable<Batch> | AsyncIterable<Batch>) & { length?: number };

/** One epoch's result. */
export interface EpochStats {
  epoch: number;
  /** Mean of the batch losses (the seed's `np.mean(loss_lst)`). */
  loss: number;
  /** `correct / total`. */
  accuracy: number;
  correct: number;
  total: number;
  seconds: number;
}

/** `evaluate()`'s result. */
export interface EvalStats {
  accuracy: number;
  correct: number;
  total: number;
  /** Mean of the batch losses. */
  loss: number;
}

/** How progress is shown: a bar on a TTY (`'auto'`), one line per epoch elsewhere. */
export type Progress = 'auto' | 'bar' | 'lines' | 'none';

/** Where and how often `train()` saves its checkpoint. */
export interface CheckpointOptions {
  /** Directory of the checkpoint file, `<dir>/checkpoint.pth` (created if missing; checked writable before training). */
  dir: string;
  /** Also save every `every` batches (optimizer steps). Default: at the end of each epoch only. */
  every?: number;
}

/**
 * What `train()` saves to `<dir>/checkpoint.pth` with `torch.save`: a dict of plain tensors,
 * numbers and lists, so Python reads it with `torch.load(path, weights_only=True)`.
 *
 * - `model`: `model.stateDict()`; `optimizer`: `optimizer.stateDict()` (PyTorch's layouts).
 * - `epoch`, `batch`: where training stands: the epoch in progress (0-based) and how many of its
 *   batches are trained (0 at an epoch boundary). Resuming trains that epoch's batch `batch` next.
 * - `rng`: the random state. `rng.epoch` is what it was when the epoch in progress started:
 *   torch's global generator (`global`, {@link getRngState}'s bytes) and, for a DataLoader, its
 *   order stream (`loader_order`, -1 before its first draw) and its `generator` option's state
 *   (`loader_generator`, or None). `rng.now` is the global generator's state when the checkpoint
 *   was saved. Resuming restores `rng.epoch`, fetches the epoch's trained batches again without
 *   training on them (the same order, the same per-sample draws), then restores `rng.now`, so
 *   dropout masks and later epochs draw what the uninterrupted run drew. `rng.check` holds the
 *   float64 sums `[inputs, targets]` of the batch to train next (empty at an epoch boundary):
 *   the resumed run must fetch the same batch.
 * - `metrics`: the epoch in progress so far (`loss_sum` of the batch losses, `correct`, `batches`,
 *   `total` samples, `seconds`), so its {@link EpochStats} come out as in an uninterrupted run.
 * - `history`: the {@link EpochStats} of the finished epochs.
 */
export interface TrainCheckpoint {
  model: StateDict;
  optimizer: OptimizerStateDict;
  epoch: number;
  batch: number;
  rng: { epoch: RngSnapshot; now: Tensor; check: number[] };
  metrics: MeterState;
  history: EpochStats[];
}

/** Options of `train()`. */
export interface TrainOptions {
  /** Default 1. */
  epochs?: number;
  /** Required: what updates the parameters. */
  optimizer: Optimizer;
  /** Default `new nn.CrossEntropyLoss()`. */
  criterion?: Module;
  /** `'cpu'` (default), `'cuda'`, `'cuda:N'`, or `'auto'` for CUDA when available. */
  device?: string;
  /** Called after each batch with the batch loss as a (device) tensor: reading it syncs. */
  onBatch?: (info: { epoch: number; batch: number; batches: number | undefined; loss: Tensor }) => void;
  /** Called after each epoch. */
  onEpoch?: (stats: EpochStats) => void | Promise<void>;
  /**
   * Stops training between batches; `train` then rejects with the signal's reason (an
   * `AbortError`), after saving the checkpoint when `checkpoint` is set.
   */
  signal?: AbortSignal;
  /** Default `'auto'`. */
  progress?: Progress;
  /**
   * Saves a {@link TrainCheckpoint} at the end of each epoch, every `every` batches, and when
   * training stops on `signal` or on Ctrl-C: while a training with `checkpoint` runs on the main
   * thread, the first SIGINT stops it at the next batch (saving, then rejecting with an
   * `AbortError` that names the file); a second SIGINT ends the process as usual.
   */
  checkpoint?: CheckpointOptions;
  /**
   * A checkpoint file `train()` saved: the model, the optimizer, the finished epochs' history and
   * the position are restored, and training continues where it stopped. Build the model, the
   * optimizer and a DataLoader as the interrupted program did (same dataset and options): the
   * random state is restored from the checkpoint (see {@link TrainCheckpoint}), so on CPU the
   * final weights equal an uninterrupted run's bit for bit, dropout included. A loader that does
   * not fetch the interrupted run's next batch is a `TorchError` with code
   * `CHECKPOINT_MISMATCH`; a file that is not such a checkpoint, `CHECKPOINT_INVALID`.
   */
  resumeFrom?: string;
  /**
   * Logs to TensorBoard event files in this directory (or `{ logDir, testLoader }`): loss,
   * accuracy and learning rate per step (`train/…`) and per epoch (`epoch/…`), and after each
   * epoch a grid of images titled with the model's predictions (`epoch/predictions`, from
   * `testLoader`'s first batch, else the first batch trained on). The global step is
   * `epoch × batches + batch`; a resumed training hides the interrupted run's later records.
   * Only rank 0 writes when a process group is initialised.
   */
  tensorboard?: string | TensorBoardOptions;
  /**
   * Data-parallel training across the processes of a process group (PyTorch's DDP recipe in
   * one option): the group is initialized from torchrun's environment when it is not yet (start
   * the script with `npx nodetorch run --nproc-per-node N`), the model is wrapped in
   * `nn.parallel.DistributedDataParallel`, and the DataLoader's dataset is split by a
   * `DistributedSampler` (shuffled when the loader shuffles, seed 0; `batchSize` is per rank).
   * Every rank gets the epoch statistics of all ranks; only rank 0 shows progress and writes
   * checkpoints and TensorBoard files. A stop (signal or Ctrl-C) is agreed on by all ranks
   * before each batch, so they stop at the same batch and rank 0 saves; a resumed run restores
   * rank 0's random state on every rank.
   */
  distributed?: boolean;
}

const TRAIN_KEYS = optionKeys<TrainOptions>({
  epochs: true, optimizer: true, criterion: true, device: true, onBatch: true, onEpoch: true, signal: true, progress: true,
  checkpoint: true, resumeFrom: true, tensorboard: true, distributed: true,
});

/** @internal Resolves `'auto'` and checks CUDA. */
export function resolveDevice(device: unknown): string {
  if (device === undefined || device === 'cpu') return 'cpu';
  if (device === 'auto') return cuda.isAvailable() ? 'cuda' : 'cpu';
  if (typeof device !== 'string' || !/^cuda(:\d+)?$/.test(device)) throw typeError("'cpu', 'cuda', 'cuda:N' or 'auto'", 'device', device);
  if (!cuda.isAvailable()) {
    throw new TorchError(`device '${device}' was asked for, but CUDA is not available (this LibTorch has no CUDA, or no GPU is visible); use 'cpu' or 'auto'`, 'CUDA_UNAVAILABLE');
  }
  return device;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function* batchesOf(source: BatchSource): AsyncGenerator<Batch> {
  if (typeof (source as Iterable<Batch>)[Symbol.iterator] === 'function') {
    // A DataLoader prepares batches on its own thread; taking them synchronously is cheapest.
    for (const batch of source as Iterable<Batch>) {
      yield batch;
      await yieldToEventLoop();
    }
  } else {
    for await (const batch of source as AsyncIterable<Batch>) yield batch;
  }
}

function checkSource(loader: unknown): BatchSource {
  const it = loader as Record<symbol, unknown> | null;
  if (it === null || typeof it !== 'object' || (typeof it[Symbol.iterator] !== 'function' && typeof it[Symbol.asyncIterator] !== 'function')) {
    throw typeError('a DataLoader or an iterable of [inputs, targets]', 'loader', loader);
  }
  return loader as BatchSource;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('training was aborted');
  err.name = 'AbortError';
  return err;
}

class ProgressView {
  private lastDraw = 0;
  private readonly started = Date.now();
  constructor(private readonly mode: 'bar' | 'lines' | 'none', private readonly label: string) {}

  static resolve(progress: Progress | undefined): 'bar' | 'lines' | 'none' {
    const p = progress ?? 'auto';
    if (p === 'auto') return process.stderr.isTTY ? 'bar' : 'lines';
    if (p !== 'bar' && p !== 'lines' && p !== 'none') throw typeError("'auto', 'bar', 'lines' or 'none'", 'progress', p);
    return p;
  }

  /** Whether a redraw is due; reading metrics syncs the device, so it happens a few times a second. */
  due(force = false): boolean {
    if (this.mode !== 'bar') return false;
    const now = Date.now();
    if (!force && now - this.lastDraw < 250) return false;
    this.lastDraw = now;
    return true;
  }

  draw(batch: number, batches: number | undefined, loss: number, accuracy: number, images: number): void {
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = images / Math.max(elapsed, 1e-9);
    const width = 24;
    const frac = batches ? batch / batches : 0;
    const filled = Math.round(frac * width);
    const bar = batches ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]` : '';
    const eta = batches && batch > 0 ? ((elapsed / batch) * (batches - batch)).toFixed(0) + 's' : '?';
    const line = `${this.label} ${bar} ${batch}/${batches ?? '?'} loss ${loss.toFixed(4)} acc ${accuracy.toFixed(4)} ${rate.toFixed(0)} img/s ETA ${eta}`;
    process.stderr.write(`\r${line}\x1b[K`);
  }

  finish(summary: string): void {
    if (this.mode === 'bar') process.stderr.write(`\r${this.label} ${summary}\x1b[K\n`);
    else if (this.mode === 'lines') process.stdout.write(`${this.label} ${summary}\n`);
  }
}

/** An epoch's running sums, as a checkpoint stores them. */
export interface MeterState { loss_sum: number; correct: number; batches: number; total: number; seconds: number }

// Device-side running sums; read only when drawing progress, saving, or at the end of an epoch.
class Meter {
  readonly lossSum: Tensor;
  readonly correct: Tensor;
  batches = 0;
  total = 0;
  private readonly started = process.hrtime.bigint();
  private secondsBefore = 0;
  constructor(device: string, from?: MeterState) {
    this.lossSum = keep(zeros([], { dtype: 'float64', device }));
    this.correct = keep(zeros([], { dtype: 'int64', device }));
    if (from !== undefined) {
      noGrad(() => { this.lossSum.fill_(from.loss_sum); this.correct.fill_(from.correct); });
      this.batches = from.batches;
      this.total = from.total;
      this.secondsBefore = from.seconds;
    }
  }
  /** Adds a batch; returns its count of correct predictions (a device tensor), or null when not classifying. */
  add(output: Tensor, labels: Tensor, loss: Tensor): Tensor | null {
    const correct = noGrad(() => {
      this.lossSum.add_(loss);
      if (output.dim() !== 2 || labels.dim() !== 1) return null;
      const c = output.argmax(1).eq(labels).sum();
      this.correct.add_(c);
      return c;
    });
    this.batches += 1;
    this.total += labels.size(0);
    return correct;
  }
  read(): { loss: number; correct: number; accuracy: number } {
    const correct = this.correct.item() as number;
    return { loss: this.batches ? (this.lossSum.item() as number) / this.batches : NaN, correct, accuracy: this.total ? correct / this.total : 0 };
  }
  /** Seconds of the epoch, those before a resume included. */
  seconds(): number { return this.secondsBefore + Number(process.hrtime.bigint() - this.started) / 1e9; }
  state(): MeterState {
    return { loss_sum: this.lossSum.item() as number, correct: this.correct.item() as number, batches: this.batches, total: this.total, seconds: this.seconds() };
  }
  dispose(): void { this.lossSum.dispose(); this.correct.dispose(); }
}

/**
 * What the modules (and the optimizer) hold: their fields, such as a tensor a `forward` stores
 * on its module (a running average) or the optimizer's state. A step returns it from its
 * `tidy()`, so that the step frees only the intermediates nobody can reach.
 */
function heldBy(owners: object[]): unknown[] {
  return owners.map((owner) => Object.values(owner));
}

/**
 * Whether the batches are made for the loop alone, so that it frees each when its step is done
 * (unless a module holds it): a DataLoader's native path makes them in C++, one per fetch, and
 * nobody else sees them. Freed by a collection instead, they would pile up as external memory
 * between collections and start one every few dozen batches.
 */
function ownsBatches(source: BatchSource): boolean {
  return source instanceof DataLoader && source.isNative;
}

// ---- checkpoints -------------------------------------------------------------------------------

const CHECKPOINT_FILE = 'checkpoint.pth';

/** The random state at an epoch's start: see {@link TrainCheckpoint}'s `rng`. */
export interface RngSnapshot {
  global: Tensor;
  loader_order: number;
  loader_generator: Tensor | null;
}

function rngSnapshot(source: BatchSource): RngSnapshot {
  const loader = source instanceof DataLoader ? source.state : null;
  return { global: getRngState(), loader_order: loader?.order ?? -1, loader_generator: loader?.generator ?? null };
}

function restoreRng(source: BatchSource, s: RngSnapshot): void {
  setRngState(s.global);
  if (source instanceof DataLoader) source.state = { order: s.loader_order < 0 ? null : s.loader_order, generator: s.loader_generator };
}

/** Float64 sums of a batch's inputs and targets: what a resumed run must fetch again. */
function batchCheck([inputs, targets]: Batch): number[] {
  return noGrad(() => tidy(() => [inputs, targets].map((t) => t.to('float64').sum().item() as number)));
}

function invalidCheckpoint(file: string, what: string, value: unknown): TorchError {
  return new TorchError(`${describePath(file)} is not a checkpoint of torch.train: expected ${what} but received ${describe(value)}`, 'CHECKPOINT_INVALID');
}

/** Reads and checks a checkpoint file (its layout only: the model and the optimizer check their parts). */
function readCheckpoint(file: string): TrainCheckpoint {
  const c = load(file) as unknown;
  const dict = (v: unknown, name: string) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Tensor) throw invalidCheckpoint(file, `a dict for ${name}`, v);
    return v as Record<string, unknown>;
  };
  const count = (v: unknown, name: string) => {
    if (!Number.isInteger(v) || (v as number) < 0) throw invalidCheckpoint(file, `a count for ${name}`, v);
    return v as number;
  };
  const number = (v: unknown, name: string) => {
    if (typeof v !== 'number') throw invalidCheckpoint(file, `a number for ${name}`, v);
    return v;
  };
  const top = dict(c, 'the checkpoint');
  const metrics = dict(top.metrics, 'metrics');
  const rng = dict(top.rng, 'rng');
  const sums = (v: unknown, name: string) => {
    if (!Array.isArray(v)) throw invalidCheckpoint(file, `a list for ${name}`, v);
    return v.map((x, i) => number(x, `${name}[${i}]`));
  };
  const tensor = (v: unknown, name: string) => {
    if (!(v instanceof Tensor) || v.dtype !== 'uint8') throw invalidCheckpoint(file, `a uint8 tensor for ${name}`, v);
    return v;
  };
  const epochRng = dict(rng.epoch, 'rng.epoch');
  if (!Number.isInteger(epochRng.loader_order) || (epochRng.loader_order as number) < -1) {
    throw invalidCheckpoint(file, 'an integer >= -1 for rng.epoch.loader_order', epochRng.loader_order);
  }
  if (!Array.isArray(top.history)) throw invalidCheckpoint(file, 'a list for history', top.history);
  return {
    model: dict(top.model, 'model') as StateDict,
    optimizer: dict(top.optimizer, 'optimizer') as unknown as OptimizerStateDict,
    epoch: count(top.epoch, 'epoch'),
    batch: count(top.batch, 'batch'),
    rng: {
      epoch: {
        global: tensor(epochRng.global, 'rng.epoch.global'),
        loader_order: epochRng.loader_order as number,
        loader_generator: epochRng.loader_generator === null ? null : tensor(epochRng.loader_generator, 'rng.epoch.loader_generator'),
      },
      now: tensor(rng.now, 'rng.now'),
      check: sums(rng.check, 'rng.check'),
    },
    metrics: {
      loss_sum: number(metrics.loss_sum, 'metrics.loss_sum'), correct: count(metrics.correct, 'metrics.correct'),
      batches: count(metrics.batches, 'metrics.batches'), total: count(metrics.total, 'metrics.total'),
      seconds: number(metrics.seconds, 'metrics.seconds'),
    },
    history: top.history as EpochStats[],
  };
}

/** The checkpoint file of `options.checkpoint`, its directory made and checked writable now, not after an epoch. */
function checkpointFile(options: unknown): { file: string; every: number } {
  const o = checkOptions(options, 'checkpoint options', ['dir', 'every'] as const);
  if (typeof o.dir !== 'string' || o.dir.length === 0) throw typeError('a directory path', 'checkpoint.dir', o.dir);
  const every = o.every === undefined ? 0 : checkInt(o.every, 'checkpoint.every', 1);
  try {
    fs.mkdirSync(o.dir, { recursive: true });
    fs.accessSync(o.dir, fs.constants.W_OK);
  } catch (e) {
    throw new TorchError(`Cannot save checkpoints in ${describePath(o.dir)}: ${fsErrorReason(e, o.dir)}`, 'PTH_IO');
  }
  return { file: path.join(o.dir, CHECKPOINT_FILE), every };
}

/**
 * Why training should stop now: the caller's signal, or a SIGINT caught while a checkpointed
 * training runs (only the first: the listener goes with it, so a second one ends the process).
 */
class Interruption {
  private sigint = false;
  private readonly onSigint = () => {
    this.sigint = true;
    process.removeListener('SIGINT', this.onSigint);
  };
  constructor(private readonly signal: AbortSignal | undefined, catchSigint: boolean) {
    if (catchSigint && isMainThread) process.on('SIGINT', this.onSigint);
  }
  /**
   * The error to reject with, or null; `saved` names the checkpoint written. `agreed` is the
   * code the ranks of a distributed run agreed on: a SIGINT reaches every rank of a Ctrl-C'd job,
   * not all before the same batch, so each reports the job's interruption; a caller's abort on
   * one rank stops the others too.
   */
  reason(saved: string | null, agreed: StopCode = this.code): Error | null {
    const where = saved === null ? '' : `; checkpoint saved in ${saved}`;
    if (this.signal?.aborted) return abortError(this.signal);
    const code = Math.max(agreed, this.code);
    if (code === StopCode.None) return null;
    const err = new Error(code === StopCode.Sigint ? `training was interrupted (SIGINT)${where}` : `training was stopped on another rank${where}`);
    err.name = 'AbortError';
    return err;
  }
  get code(): StopCode {
    if (this.sigint) return StopCode.Sigint;
    return this.signal?.aborted === true ? StopCode.Aborted : StopCode.None;
  }
  dispose(): void { process.removeListener('SIGINT', this.onSigint); }
}

/**
 * Trains `model` on `loader` for `epochs`, like the seed's `train()` loop: forward, loss,
 * `zeroGrad`, `backward`, `step` per batch. Resolves to one {@link EpochStats} per epoch (with
 * `resumeFrom`, those of the checkpoint's finished epochs first).
 *
 * Each step runs in a `tidy()`: what it makes is freed when it ends, except what the model,
 * the criterion and the optimizer hold afterwards (parameters, buffers, any tensor a module
 * stores on itself, optimizer state) and what `torch.keep()` exempts. A batch that a DataLoader
 * made in C++ (its native path) is the step's too: freed once `onBatch` has run.
 *
 * @example
 * ```ts
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
 * const history = await torch.train(model, trainLoader, { epochs: 6, optimizer, device: 'auto' });
 * console.log(history.at(-1)?.accuracy);
 * // Checkpointed: Ctrl-C saves models/checkpoint.pth; the same program with resumeFrom continues.
 * await torch.train(model, trainLoader, { epochs: 6, optimizer, checkpoint: { dir: 'models' } });
 * await torch.train(model, trainLoader, { epochs: 6, optimizer, resumeFrom: 'models/checkpoint.pth' });
 * ```
 */
export async function train(model: Module, loader: BatchSource, options: TrainOptions): Promise<EpochStats[]> {
  if (!(model instanceof Module)) throw typeError('an nn.Module', 'model', model);
  const source = checkSource(loader);
  const o = checkOptions(options, 'train() options', TRAIN_KEYS) as unknown as TrainOptions;
  const optimizer = o.optimizer;
  if (!(optimizer instanceof Optimizer)) throw typeError('an Optimizer', 'optimizer', optimizer);
  const criterion = o.criterion ?? new CrossEntropyLoss();
  if (!(criterion instanceof Module)) throw typeError('an nn.Module loss', 'criterion', criterion);
  const epochs = checkInt(o.epochs ?? 1, 'epochs', 1);
  const device = resolveDevice(o.device);
  if (o.onBatch !== undefined && typeof o.onBatch !== 'function') throw typeError('a function', 'onBatch', o.onBatch);
  if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function') throw typeError('a function', 'onEpoch', o.onEpoch);
  if (o.resumeFrom !== undefined && (typeof o.resumeFrom !== 'string' || o.resumeFrom.length === 0)) throw typeError('a checkpoint file path', 'resumeFrom', o.resumeFrom);
  const ckpt = o.checkpoint === undefined ? null : checkpointFile(o.checkpoint);
  const resume = o.resumeFrom === undefined ? null : readCheckpoint(o.resumeFrom);
  model.to(device);
  model.train();
  if (resume !== null) {
    model.loadStateDict(resume.model);
    optimizer.loadStateDict(resume.optimizer);
  }
  const run = checkBool(o.distributed ?? false, 'distributed') ? await distribute(model, source, device) : null;
  const net = run?.model ?? model;
  const data = run?.loader ?? source;
  const leader = run === null || run.rank === 0;
  const mode = leader ? ProgressView.resolve(o.progress) : 'none';
  // Ranks must stop at the same batch (the others would wait in backward's all-reduce).
  const agree = run !== null && (ckpt !== null || o.signal !== undefined);
  const owners = [...net.modules(), ...criterion.modules(), optimizer];
  const ownBatches = ownsBatches(data);
  const history: EpochStats[] = resume === null ? [] : resume.history.slice(0, resume.epoch);
  const batches = data.length;
  const board = o.tensorboard === undefined ? null
    : TrainBoard.open(o.tensorboard, resume === null || batches === undefined ? undefined : resume.epoch * batches + resume.batch);
  let globalStep = 0; // a source without a length: steps counted from this call
  const stop = new Interruption(o.signal, ckpt !== null);
  // The random state when the epoch in progress started: saved with a mid-epoch checkpoint.
  let epochRng: RngSnapshot | null = null;
  const saveAt = (epoch: number, batch: number, meter: Meter | null, next: Batch | null): string | null => {
    if (ckpt === null) return null;
    if (!leader) return ckpt.file;
    const checkpoint: TrainCheckpoint = {
      model: model.stateDict(), optimizer: optimizer.stateDict(), epoch, batch,
      rng: { epoch: epochRng ?? rngSnapshot(data), now: getRngState(), check: next === null ? [] : batchCheck(next) },
      metrics: meter?.state() ?? { loss_sum: 0, correct: 0, batches: 0, total: 0, seconds: 0 },
      history: history.map((h) => ({ ...h })),
    };
    save(checkpoint, ckpt.file);
    return ckpt.file;
  };
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (resume !== null && epoch < resume.epoch) continue;
      const resuming = resume !== null && epoch === resume.epoch;
      const skip = resuming ? resume.batch : 0;
      run?.setEpoch(epoch);
      if (resuming) restoreRng(data, resume.rng.epoch);
      if (ckpt !== null) epochRng = rngSnapshot(data);
      const view = new ProgressView(mode, `epoch ${epoch + 1}/${epochs}`);
      const meter = new Meter(device, resuming ? resume.metrics : undefined);
      let batch = 0;
      try {
        for await (const next of batchesOf(data)) {
          if (batch < skip) { // the interrupted run trained these: fetched again, not trained
            batch += 1;
            continue;
          }
          if (resuming && batch === skip) {
            // Rank 0's batch is the one checked: the other ranks fetch shares of their own.
            if (leader) verifyReplay(resume.rng.check, batchCheck(next), `batch ${batch} of epoch ${epoch}`);
            if (skip > 0) setRngState(resume.rng.now);
          }
          const stopping = agree ? run.anyStop(stop.code) : stop.code;
          if (stopping !== StopCode.None || (ckpt !== null && ckpt.every > 0 && batch > skip && batch % ckpt.every === 0)) {
            const saved = saveAt(epoch, batch, meter, next);
            const reason = stop.reason(saved, stopping);
            if (reason !== null) throw reason;
          }
          const [inputs, targets] = next;
          // Every intermediate is freed at the end of the step; the detached loss survives for
          // onBatch, and what the modules and the optimizer hold survives too.
          // The step sets grad mode itself: an async noGrad region elsewhere may be awaiting.
          const { loss: batchLoss, correct, held } = enableGrad(() => tidy(() => {
            const x = device === 'cpu' ? inputs : inputs.to(device);
            const y = device === 'cpu' ? targets : targets.to(device);
            const output = net(x);
            const loss = criterion(output, y);
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
            const correct = meter.add(output, y, loss);
            // The batch's count survives the step only for the board, which reads it later.
            return { loss: loss.detach(), correct: board === null ? null : correct, held: heldBy(owners) };
          }));
          board?.step(batches === undefined ? globalStep : epoch * batches + batch, next, batchLoss, correct, optimizer);
          globalStep += 1;
          o.onBatch?.({ epoch, batch, batches, loss: batchLoss });
          if (ownBatches) disposeUnlessHeld(next, held);
          batch += 1;
          if (view.due()) {
            const r = meter.read();
            view.draw(batch, batches, r.loss, r.accuracy, meter.total);
          }
        }
        const stopping = agree ? run.anyStop(stop.code) : stop.code;
        if (stopping !== StopCode.None) throw stop.reason(saveAt(epoch, batch, meter, null), stopping);
        const stats = epochStats(epoch, meter, run);
        view.finish(`loss ${stats.loss.toFixed(4)} acc ${stats.accuracy.toFixed(4)} (${stats.correct}/${stats.total}) ${stats.seconds.toFixed(1)}s`);
        history.push(stats);
        epochRng = null; // the next epoch starts from the random state of now
        saveAt(epoch + 1, 0, null, null);
        await board?.epoch(stats, model, device, optimizer);
        await o.onEpoch?.(stats);
      } finally {
        meter.dispose();
      }
    }
  } finally {
    stop.dispose();
    board?.close();
  }
  return history;
}

/** An epoch's statistics; with `run`, of all ranks' batches. */
function epochStats(epoch: number, meter: Meter, run: DistributedRun | null): EpochStats {
  const m = meter.state();
  const [lossSum, correct, batches, total] = run === null ? [m.loss_sum, m.correct, m.batches, m.total] : run.sum([m.loss_sum, m.correct, m.batches, m.total]);
  return { epoch, loss: batches ? lossSum / batches : NaN, accuracy: total ? correct / total : 0, correct, total, seconds: m.seconds };
}

/**
 * Throws `CHECKPOINT_MISMATCH` unless the batch fetched has the sums the interrupted run saw
 * (`expected` empty or absent: nothing to compare).
 */
function verifyReplay(expected: number[] | undefined, got: number[], what: string): void {
  if (expected === undefined || expected.length === 0 || got.every((v, i) => Object.is(v, expected[i]))) return;
  throw new TorchError(
    `the loader does not fetch what the interrupted run did: ${what} has sums ${got.join(', ')}, the checkpoint ` +
    `expects ${expected.join(', ')}. Resume with a DataLoader built as in that run (same dataset and options)`,
    'CHECKPOINT_MISMATCH',
  );
}

/**
 * Evaluates `model` on `loader` without gradients (in `eval()` mode, restored afterwards),
 * like the seed's `test()`. Each batch runs in a `tidy()` that frees its intermediates, not
 * what the modules hold afterwards (a tensor a `forward` stores on its module).
 *
 * @example
 * ```ts
 * const { accuracy, correct, total } = await torch.evaluate(model, testLoader);
 * console.log(`acc: ${accuracy.toFixed(4)} TP: ${correct} / ${total}`);
 * ```
 */
export async function evaluate(
  model: Module, loader: BatchSource, options: { device?: string; criterion?: Module; progress?: Progress } = {},
): Promise<EvalStats> {
  if (!(model instanceof Module)) throw typeError('an nn.Module', 'model', model);
  const source = checkSource(loader);
  const o = checkOptions(options, 'evaluate() options', ['device', 'criterion', 'progress']);
  const device = resolveDevice(o.device);
  const criterion = (o.criterion as Module | undefined) ?? new CrossEntropyLoss();
  const mode = ProgressView.resolve(o.progress as Progress | undefined);
  const view = new ProgressView(mode === 'lines' ? 'none' : mode, 'evaluate');
  const wasTraining = model.training;
  model.to(device);
  model.eval();
  const meter = new Meter(device);
  let batch = 0;
  try {
    const modules = [...model.modules(), ...criterion.modules()];
    const ownBatches = ownsBatches(source);
    for await (const next of batchesOf(source)) {
      const [inputs, targets] = next;
      const held = noGrad(() => tidy(() => {
        const x = device === 'cpu' ? inputs : inputs.to(device);
        const y = device === 'cpu' ? targets : targets.to(device);
        const output = model(x);
        meter.add(output, y, criterion(output, y));
        return heldBy(modules);
      }));
      if (ownBatches) disposeUnlessHeld(next, held);
      batch += 1;
      if (view.due()) {
        const r = meter.read();
        view.draw(batch, source.length, r.loss, r.accuracy, meter.total);
      }
    }
    const r = meter.read();
    if (mode === 'bar') view.finish(`acc ${r.accuracy.toFixed(4)} (${r.correct}/${meter.total})`);
    return { accuracy: r.accuracy, correct: r.correct, total: meter.total, loss: r.loss };
  } finally {
    meter.dispose();
    model.train(wasTraining);
  }
}
