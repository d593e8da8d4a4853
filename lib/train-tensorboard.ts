/**
 * `torch.train`'s `tensorboard` option: a `SummaryWriter` fed by the training loop. Per optimizer
 * step: `train/loss`, `train/accuracy` (of the batch) and `train/lr`; per epoch: `epoch/loss`,
 * `epoch/accuracy`, `epoch/lr` and `epoch/predictions`, a grid of images titled with the model's
 * predictions. Step values stay on the device until 32 steps wait (or the epoch ends), then are
 * read in one go, so logging adds no device sync per step. Only rank 0 of a process group writes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { typeError } from './errors';
import { DataLoader, type Batch } from './data/dataloader';
import type { Module } from './nn/module';
import type { Optimizer } from './optim/optimizer';
import { Tensor } from './tensor';
import { stack } from './generated/ops';
import { getRngState, setRngState } from './generator';
import { noGrad } from './autograd';
import { tidy, keep } from './memory';
import { checkOptions, optionKeys } from './validate';
import * as distributed from './distributed';
import { SummaryWriter } from './utils/tensorboard';
import { imageGrid } from './utils/plot';

/**
 * `train()`'s `tensorboard` option in full; a string is `{ logDir }`.
 * @example
 * ```ts
 * await torch.train(model, trainLoader, { optimizer, tensorboard: { logDir: 'runs/seed', testLoader } });
 * ```
 */
export interface TensorBoardOptions {
  /** The log directory, e.g. `'runs/seed'` (created; an unwritable one is an error before training). */
  logDir: string;
  /**
   * Where the images of `epoch/predictions` come from: the first batch of this loader, fetched
   * once (the random state and the loader's order restored, so training draws what it would
   * without it). Default: the first batch trained on.
   */
  testLoader?: Iterable<Batch> | AsyncIterable<Batch>;
}

const BOARD_KEYS = optionKeys<TensorBoardOptions>({ logDir: true, testLoader: true });

/** Images shown after each epoch: the seed's `draw()` grid, 5 rows of 6. */
const SHOWN = 30;
const COLS = 6;
/** Steps whose values wait on the device before one read. */
const READ_EVERY = 32;

interface PendingStep { step: number; wall: number; loss: Tensor; correct: Tensor | null; size: number; lrs: number[] }

async function firstBatch(source: Iterable<Batch> | AsyncIterable<Batch>): Promise<Batch | undefined> {
  if (typeof (source as Iterable<Batch>)[Symbol.iterator] === 'function') {
    for (const batch of source as Iterable<Batch>) return batch;
  } else {
    for await (const batch of source as AsyncIterable<Batch>) return batch;
  }
  return undefined;
}

function lrTag(prefix: string, group: number, groups: number): string {
  return groups === 1 ? `${prefix}/lr` : `${prefix}/lr/${group}`;
}

/** The `SummaryWriter` of one `train()` call. */
export class TrainBoard {
  private readonly pending: PendingStep[] = [];
  private sample: { inputs: Tensor; targets: Tensor } | null = null;
  private readonly scratch: string;

  private constructor(private readonly writer: SummaryWriter, private readonly testLoader: TensorBoardOptions['testLoader']) {
    this.scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-tensorboard-'));
  }

  /**
   * The board for `option`, or null on a rank other than 0. `purgeStep`: the global step a
   * resumed training starts at, so that the interrupted run's later records are hidden.
   */
  static open(option: unknown, purgeStep: number | undefined): TrainBoard | null {
    const o = typeof option === 'string' ? { logDir: option } : checkOptions(option, 'tensorboard options', BOARD_KEYS) as TensorBoardOptions;
    if (typeof o.logDir !== 'string' || o.logDir.length === 0) throw typeError('a log directory path', 'tensorboard.logDir', o.logDir);
    const loader = o.testLoader as Record<symbol, unknown> | undefined | null;
    if (loader !== undefined && (loader === null || typeof loader !== 'object' || (typeof loader[Symbol.iterator] !== 'function' && typeof loader[Symbol.asyncIterator] !== 'function'))) {
      throw typeError('a DataLoader or an iterable of [inputs, targets]', 'tensorboard.testLoader', loader);
    }
    if (distributed.isInitialized() && distributed.getRank() !== 0) return null;
    return new TrainBoard(new SummaryWriter(o.logDir, { purgeStep }), o.testLoader);
  }

  /** Records one optimizer step (its values are read later); keeps the first batch's images when there is no test loader. */
  step(step: number, batch: Batch, loss: Tensor, correct: Tensor | null, optimizer: Optimizer): void {
    if (this.sample === null && this.testLoader === undefined) this.keepSample(batch);
    const lrs = optimizer.paramGroups.map((g) => Number(g.lr));
    // A handle of its own on the loss: onBatch may dispose the one it is given.
    this.pending.push({ step, wall: Date.now() / 1000, loss: loss.detach(), correct, size: batch[1].size(0), lrs });
    if (this.pending.length >= READ_EVERY) this.drain();
  }

  /** Writes the waiting steps, their device values read in one transfer. */
  private drain(): void {
    if (this.pending.length === 0) return;
    const steps = this.pending.splice(0);
    const read = (ts: Tensor[]) => noGrad(() => tidy(() => Array.from(stack(ts.map((t) => t.to('float64'))).to('cpu').toArray() as Float64Array)));
    const losses = read(steps.map((s) => s.loss));
    const corrects = steps.every((s) => s.correct !== null) ? read(steps.map((s) => s.correct!)) : null;
    for (const s of steps) {
      s.loss.dispose();
      s.correct?.dispose();
    }
    steps.forEach((s, i) => {
      this.writer.addScalar('train/loss', losses[i], s.step, s.wall);
      if (corrects !== null) this.writer.addScalar('train/accuracy', corrects[i] / s.size, s.step, s.wall);
      s.lrs.forEach((lr, g) => this.writer.addScalar(lrTag('train', g, s.lrs.length), lr, s.step, s.wall));
    });
  }

  private keepSample([inputs, targets]: Batch): void {
    const n = Math.min(SHOWN, inputs.size(0));
    this.sample = noGrad(() => ({ inputs: keep(inputs.narrow(0, 0, n).to('cpu').clone()), targets: keep(targets.narrow(0, 0, n).to('cpu').clone()) }));
  }

  /** The test loader's first batch, drawn without changing the random state or the loader's order. */
  private async fetchSample(): Promise<void> {
    const loader = this.testLoader!;
    const rng = getRngState();
    const order = loader instanceof DataLoader ? loader.state : null;
    try {
      const batch = await firstBatch(loader);
      if (batch !== undefined) this.keepSample(batch);
    } finally {
      setRngState(rng);
      if (order !== null) (loader as DataLoader).state = order;
    }
  }

  /** Writes an epoch's figures and the grid of predictions. */
  async epoch(stats: { epoch: number; loss: number; accuracy: number }, model: Module, device: string, optimizer: Optimizer): Promise<void> {
    this.drain();
    const { epoch } = stats;
    this.writer.addScalar('epoch/loss', stats.loss, epoch);
    this.writer.addScalar('epoch/accuracy', stats.accuracy, epoch);
    optimizer.paramGroups.forEach((g, i, all) => this.writer.addScalar(lrTag('epoch', i, all.length), Number(g.lr), epoch));
    if (this.sample === null && this.testLoader !== undefined) await this.fetchSample();
    if (this.sample !== null) this.predictions(epoch, model, device);
    this.writer.flush();
  }

  /** The sample images titled `p: <prediction>` (and the label when wrong), in eval mode. */
  private predictions(epoch: number, model: Module, device: string): void {
    const { inputs, targets } = this.sample!;
    const wasTraining = model.training;
    model.eval();
    let predicted: number[];
    try {
      predicted = noGrad(() => tidy(() => {
        const out = model(device === 'cpu' ? inputs : inputs.to(device));
        const pred = out.dim() === 2 ? Array.from(out.argmax(1).to('cpu').toArray() as BigInt64Array, Number) : [];
        return { pred, held: [...model.modules()].map((m) => Object.values(m)) };
      })).pred;
    } finally {
      model.train(wasTraining);
    }
    if (predicted.length === 0) return;
    const labels = targets.dim() === 1 ? Array.from(targets.to('int64').toArray() as BigInt64Array, Number) : null;
    const titles = predicted.map((p, i) => (labels === null || labels[i] === p ? `p: ${p}` : `p: ${p} (t: ${labels[i]})`));
    const [n, c, h, w] = inputs.shape;
    if (inputs.dim() === 4 && c === 1) {
      const pixels = noGrad(() => tidy(() => inputs.to('float32').contiguous().toArray() as Float32Array));
      const images = Array.from({ length: n }, (_, i) => ({ data: pixels.subarray(i * h * w, (i + 1) * h * w), height: h, width: w }));
      const file = imageGrid(images, titles, path.join(this.scratch, 'predictions.png'), { rows: Math.ceil(n / COLS), cols: COLS });
      this.writer.addFigure('epoch/predictions', file, epoch);
    } else if (inputs.dim() === 4 && c === 3) {
      // Colour images: the grid, scaled to [0, 1] as a whole, and the predictions as text.
      const scaled = noGrad(() => tidy(() => {
        const x = inputs.to('float32');
        const lo = x.min();
        return x.sub(lo).div(x.max().sub(lo).clamp(1e-12));
      }));
      this.writer.addImages('epoch/predictions', scaled, epoch);
      this.writer.addText('epoch/predictions', titles.join(', '), epoch);
      scaled.dispose();
    }
  }

  /** Writes what waits and closes the files. */
  close(): void {
    try {
      this.drain();
    } finally {
      this.writer.close();
      this.sample?.inputs.dispose();
      this.sample?.targets.dispose();
      fs.rmSync(this.scratch, { recursive: true, force: true });
    }
  }
}
