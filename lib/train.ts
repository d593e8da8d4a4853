/**
 * `torch.train` and `torch.evaluate`: the seed's training and test loops as one call each.
 * They move model and batches to the device, accumulate metrics on the device (no sync per
 * batch), yield to the event loop between batches, and show progress.
 */
import { TorchError, typeError } from './errors';
import { type Batch } from './data/dataloader';
import { Module } from './nn/module';
import { CrossEntropyLoss } from './nn/loss';
import { Optimizer } from './optim/optimizer';
import { Tensor } from './tensor';
import { zeros } from './factories';
import { enableGrad, noGrad } from './autograd';
import { tidy, keep } from './memory';
import { cuda } from './torch';
import { checkInt, checkOptions, optionKeys } from './validate';

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
  /** Stops training between batches; `train` then rejects with an `AbortError`. */
  signal?: AbortSignal;
  /** Default `'auto'`. */
  progress?: Progress;
}

const TRAIN_KEYS = optionKeys<TrainOptions>({
  epochs: true, optimizer: true, criterion: true, device: true, onBatch: true, onEpoch: true, signal: true, progress: true,
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

// Device-side running sums; read only when drawing progress or at the end of an epoch.
class Meter {
  readonly lossSum: Tensor;
  readonly correct: Tensor;
  batches = 0;
  total = 0;
  constructor(device: string) {
    this.lossSum = keep(zeros([], { dtype: 'float64', device }));
    this.correct = keep(zeros([], { dtype: 'int64', device }));
  }
  add(output: Tensor, labels: Tensor, loss: Tensor): void {
    noGrad(() => {
      this.lossSum.add_(loss.detach());
      if (output.dim() === 2 && labels.dim() === 1) this.correct.add_(output.argmax(1).eq(labels).sum());
    });
    this.batches += 1;
    this.total += labels.size(0);
  }
  read(): { loss: number; correct: number; accuracy: number } {
    const correct = this.correct.item() as number;
    return { loss: this.batches ? (this.lossSum.item() as number) / this.batches : NaN, correct, accuracy: this.total ? correct / this.total : 0 };
  }
  dispose(): void { this.lossSum.dispose(); this.correct.dispose(); }
}

/**
 * Trains `model` on `loader` for `epochs`, like the seed's `train()` loop: forward, loss,
 * `zeroGrad`, `backward`, `step` per batch. Resolves to one {@link EpochStats} per epoch.
 *
 * @example
 * ```ts
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
 * const history = await torch.train(model, trainLoader, { epochs: 6, optimizer, device: 'auto' });
 * console.log(history.at(-1)?.accuracy);
 * ```
 */
export async function train(model: Module, loader: BatchSource, options: TrainOptions): Promise<EpochStats[]> {
  if (!(model instanceof Module)) throw typeError('an nn.Module', 'model', model);
  const source = checkSource(loader);
  const o = checkOptions(options, 'train() options', TRAIN_KEYS) as unknown as TrainOptions;
  if (!(o.optimizer instanceof Optimizer)) throw typeError('an Optimizer', 'optimizer', o.optimizer);
  const criterion = o.criterion ?? new CrossEntropyLoss();
  if (!(criterion instanceof Module)) throw typeError('an nn.Module loss', 'criterion', criterion);
  const epochs = checkInt(o.epochs ?? 1, 'epochs', 1);
  const device = resolveDevice(o.device);
  if (o.onBatch !== undefined && typeof o.onBatch !== 'function') throw typeError('a function', 'onBatch', o.onBatch);
  if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function') throw typeError('a function', 'onEpoch', o.onEpoch);
  const mode = ProgressView.resolve(o.progress);
  const signal = o.signal;
  model.to(device);
  model.train();
  const history: EpochStats[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const started = process.hrtime.bigint();
    const view = new ProgressView(mode, `epoch ${epoch + 1}/${epochs}`);
    const meter = new Meter(device);
    let batch = 0;
    try {
      for await (const [inputs, targets] of batchesOf(source)) {
        if (signal?.aborted) throw abortError(signal);
        // Every intermediate is freed at the end of the step; the detached loss survives for onBatch.
        // The step sets grad mode itself: an async noGrad region elsewhere may be awaiting.
        const batchLoss = enableGrad(() => tidy(() => {
          const x = device === 'cpu' ? inputs : inputs.to(device);
          const y = device === 'cpu' ? targets : targets.to(device);
          const output = model(x);
          const loss = criterion(output, y);
          o.optimizer.zeroGrad();
          loss.backward();
          o.optimizer.step();
          meter.add(output, y, loss);
          return loss.detach();
        }));
        o.onBatch?.({ epoch, batch, batches: source.length, loss: batchLoss });
        batch += 1;
        if (view.due()) {
          const r = meter.read();
          view.draw(batch, source.length, r.loss, r.accuracy, meter.total);
        }
      }
      if (signal?.aborted) throw abortError(signal);
      const r = meter.read();
      const stats: EpochStats = {
        epoch, loss: r.loss, accuracy: r.accuracy, correct: r.correct, total: meter.total,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      };
      view.finish(`loss ${stats.loss.toFixed(4)} acc ${stats.accuracy.toFixed(4)} (${stats.correct}/${stats.total}) ${stats.seconds.toFixed(1)}s`);
      history.push(stats);
      await o.onEpoch?.(stats);
    } finally {
      meter.dispose();
    }
  }
  return history;
}

/**
 * Evaluates `model` on `loader` without gradients (in `eval()` mode, restored afterwards),
 * like the seed's `test()`.
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
    for await (const [inputs, targets] of batchesOf(source)) {
      noGrad(() => tidy(() => {
        const x = device === 'cpu' ? inputs : inputs.to(device);
        const y = device === 'cpu' ? targets : targets.to(device);
        const output = model(x);
        meter.add(output, y, criterion(output, y));
      }));
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
