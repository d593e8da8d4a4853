/**
 * `SummaryWriter`, as PyTorch's torch/utils/tensorboard/writer.py: the same methods (camelCase),
 * positional arguments in PyTorch's order, the same tags, directories and files.
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rangeError, typeError } from '../../errors';
import { Tensor } from '../../tensor';
import { stack } from '../../generated/ops';
import { noGrad } from '../../autograd';
import { tidy } from '../../memory';
import { checkInt, checkNumber, checkOptions, optionKeys } from '../../validate';
import { EventFileWriter, ioError, now } from './event-file';
import { makeHistogram, type Bins } from './histogram';
import { imageProto } from './image';
import { decodePngRgb, pngInfo } from './png';
import { hparams, prCurve, scalar, text, type HParamValue, type ScalarOptions } from './summary';
import { writeEmbedding, writeProjectorConfig, type EmbeddingInfo, type MetadataValue } from './embedding';
import { proto, type Summary } from './schema';
import { graphDef } from './graph';
import { ScriptModule } from '../../jit/script-module';

/**
 * Options of {@link SummaryWriter}, PyTorch's keyword arguments.
 * @example
 * ```ts
 * const writer = new SummaryWriter(null, { comment: '_lr0.1', flushSecs: 10 }); // runs/<date>_<host>_lr0.1
 * ```
 */
export interface SummaryWriterOptions {
  /** Appended to the default log directory's name (no effect when `logDir` is given). Default `''`. */
  comment?: string;
  /**
   * After a crash at step T + X and a restart at step T: events of step T and later in the
   * directory's earlier files are hidden from TensorBoard (it reads the restart marker this
   * writes). Default none.
   */
  purgeStep?: number;
  /** Records queued before a background write starts. Default 10. */
  maxQueue?: number;
  /** Seconds between background writes of what is queued. Default 120. */
  flushSecs?: number;
  /** Appended to event file names. Default `''`. */
  filenameSuffix?: string;
}

const WRITER_KEYS = optionKeys<SummaryWriterOptions>({ comment: true, purgeStep: true, maxQueue: true, flushSecs: true, filenameSuffix: true });

/**
 * A PNG figure for {@link SummaryWriter.addFigure}: its bytes, or the path of a PNG file (what `torch.utils.plot` writes).
 * @example
 * ```ts
 * const figure: Figure = torch.utils.plot.plotCurve(losses, 'runs/loss.png');
 * ```
 */
export type Figure = Uint8Array | string;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * PyTorch's default log directory: `runs/<Mon><DD>_<HH>-<MM>-<SS>_<host><comment>`, local time.
 * @example
 * ```ts
 * torch.utils.tensorboard.defaultLogDir('_lr0.1'); // 'runs/May04_22-14-54_myhost_lr0.1'
 * ```
 */
export function defaultLogDir(comment = ''): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${MONTHS[d.getMonth()]}${two(d.getDate())}_${two(d.getHours())}-${two(d.getMinutes())}-${two(d.getSeconds())}`;
  return path.join('runs', `${time}_${os.hostname()}${comment}`);
}

function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw typeError('a string', name, value);
  return value;
}

/** `globalStep`: an integer, or undefined / null for none. */
function checkStep(value: unknown): number | undefined {
  return value === undefined || value === null ? undefined : checkInt(value, 'global_step');
}

/** `walltime`: seconds since the epoch, or undefined / null for now. */
function checkWalltime(value: unknown): number {
  return value === undefined || value === null ? now() : checkNumber(value, 'walltime');
}

/**
 * Writes TensorBoard event files, as PyTorch's `torch.utils.tensorboard.SummaryWriter`: each
 * `add*` call queues one record and returns; records reach the file in the background (every
 * `flushSecs`, or once `maxQueue` wait), and `flush()`, `close()` and a normal process exit write
 * what waits. A log directory that cannot be written is a `TorchError` (code `TENSORBOARD_IO`)
 * at construction. After `close()`, the next `add*` opens a new event file, as in PyTorch.
 *
 * @example
 * ```ts
 * const { SummaryWriter } = torch.utils.tensorboard;
 * const writer = new SummaryWriter('runs/exp1');
 * for (let step = 0; step < 100; step++) writer.addScalar('loss', 1 / (step + 1), step);
 * writer.addHistogram('fc.weight', model.fc.weight, 100);
 * writer.addImages('samples', images, 100); // [N, C, H, W], float in [0, 1] or uint8
 * writer.close();
 * // then: tensorboard --logdir runs
 * ```
 */
export class SummaryWriter {
  /** The directory the event files are written in. */
  readonly logDir: string;
  private purgeStep: number | undefined;
  private readonly maxQueue: number;
  private readonly flushSecs: number;
  private readonly filenameSuffix: string;
  /** The main event file, then `addScalars`' ones by directory; null once closed. */
  private writers: Map<string, EventFileWriter> | null = null;
  private projector: EmbeddingInfo[] = [];

  /**
   * @param logDir Where to write. Default `runs/<Mon><DD>_<HH>-<MM>-<SS>_<host><comment>`.
   */
  constructor(logDir?: string | null, options: SummaryWriterOptions = {}) {
    const o = checkOptions(options, 'SummaryWriter options', WRITER_KEYS) as SummaryWriterOptions;
    const comment = checkString(o.comment ?? '', 'comment');
    if (logDir !== undefined && logDir !== null) checkString(logDir, 'log_dir');
    this.logDir = logDir ? logDir : defaultLogDir(comment);
    this.purgeStep = o.purgeStep === undefined || o.purgeStep === null ? undefined : checkInt(o.purgeStep, 'purge_step');
    this.maxQueue = checkInt(o.maxQueue ?? 10, 'max_queue', 1);
    this.flushSecs = checkNumber(o.flushSecs ?? 120, 'flush_secs');
    if (!(this.flushSecs > 0)) throw rangeError('a number of seconds > 0', 'flush_secs', this.flushSecs);
    this.filenameSuffix = checkString(o.filenameSuffix ?? '', 'filename_suffix');
    this.fileWriter();
  }

  /** The main event file, opened again after `close()`; the first one carries the purge marker. */
  private fileWriter(): EventFileWriter {
    if (this.writers === null) {
      const main = new EventFileWriter(this.logDir, this.maxQueue, this.flushSecs, this.filenameSuffix);
      this.writers = new Map([[this.logDir, main]]);
      if (this.purgeStep !== undefined) {
        main.add({ wallTime: now(), step: this.purgeStep, fileVersion: 'brain.Event:2' });
        main.add({ wallTime: now(), step: this.purgeStep, sessionLog: { status: 'START' } });
        this.purgeStep = undefined;
      }
    }
    return this.writers.get(this.logDir)!;
  }

  private addSummary(writer: EventFileWriter, summary: Summary, globalStep: unknown, walltime: unknown): void {
    writer.add({ wallTime: checkWalltime(walltime), step: checkStep(globalStep), summary });
  }

  /** The directory the event files are written in (PyTorch's `get_logdir()`). @example `writer.getLogdir()` */
  getLogdir(): string { return this.logDir; }

  /**
   * One scalar (a number, or a one-element Tensor) at `globalStep`, stored as a float32.
   * @param walltime Seconds since the epoch; default now.
   * @example
   * ```ts
   * writer.addScalar('Loss/train', loss.item(), step);
   * ```
   */
  addScalar(tag: string, scalarValue: number | bigint | Tensor, globalStep?: number | null, walltime?: number | null, options: ScalarOptions = {}): void {
    checkString(tag, 'tag');
    const o = checkOptions(options, 'addScalar options', optionKeys<ScalarOptions>({ newStyle: true, doublePrecision: true })) as ScalarOptions;
    this.addSummary(this.fileWriter(), scalar(tag, scalarValue, o), globalStep, walltime);
  }

  /**
   * Several scalars in one chart: each `tag` goes to its own event file in the sub-directory
   * `<logDir>/<mainTag with / as _>_<tag>`, under the tag `mainTag`, all with one wall time.
   * @example
   * ```ts
   * writer.addScalars('run_14h', { xsinx: i * Math.sin(i / 5), xcosx: i * Math.cos(i / 5) }, i);
   * ```
   */
  addScalars(mainTag: string, tagScalarDict: Record<string, number | bigint | Tensor>, globalStep?: number | null, walltime?: number | null): void {
    checkString(mainTag, 'main_tag');
    if (tagScalarDict === null || typeof tagScalarDict !== 'object' || Array.isArray(tagScalarDict)) {
      throw typeError('an object of tag: value', 'tag_scalar_dict', tagScalarDict);
    }
    const wall = checkWalltime(walltime);
    const logDir = this.fileWriter().logDir;
    for (const [tag, value] of Object.entries(tagScalarDict)) {
      const dir = `${logDir}/${mainTag.replace(/\//g, '_')}_${tag}`;
      let writer = this.writers!.get(dir);
      if (writer === undefined) {
        writer = new EventFileWriter(dir, this.maxQueue, this.flushSecs, this.filenameSuffix);
        this.writers!.set(dir, writer);
      }
      this.addSummary(writer, scalar(mainTag, value), globalStep, wall);
    }
  }

  /**
   * A histogram of `values` (a Tensor or an array of numbers, any shape), binned as PyTorch's
   * `make_histogram`: by default over PyTorch's `'tensorflow'` bins (±1e-12 · 1.1^k, and 0);
   * or `bins` edges, or a count of equal bins over [min, max]. `maxBins` merges adjacent bins.
   * Non-finite values are a RangeError.
   * @example
   * ```ts
   * for (const [name, p] of model.namedParameters()) writer.addHistogram(name, p, epoch);
   * ```
   */
  addHistogram(tag: string, values: Tensor | number[], globalStep?: number | null, bins: Bins = 'tensorflow', walltime?: number | null, maxBins?: number | null): void {
    checkString(tag, 'tag');
    const histo = makeHistogram(values, bins, maxBins ?? undefined);
    this.addSummary(this.fileWriter(), { value: [{ tag, histo }] }, globalStep, walltime);
  }

  /**
   * One image: `[3, H, W]` by default, or as `dataformats` says (`'CHW'`, `'HWC'`, `'HW'`, any
   * order of those letters); 1 channel is gray, 3 RGB, 4 RGBA (HWC). uint8 values are bytes;
   * any other dtype is × 255 and clipped (floats in [0, 1]). Stored as PNG.
   * @example
   * ```ts
   * writer.addImage('input', x.get(0), step);                 // [1, 28, 28]
   * writer.addImage('mask', mask, step, null, 'HW');
   * ```
   */
  addImage(tag: string, imgTensor: Tensor, globalStep?: number | null, walltime?: number | null, dataformats = 'CHW'): void {
    checkString(tag, 'tag');
    this.addSummary(this.fileWriter(), { value: [{ tag, image: imageProto(imgTensor, dataformats) }] }, globalStep, walltime);
  }

  /**
   * A batch of images `[N, C, H, W]` (or as `dataformats` says, e.g. `'NHWC'`), tiled 8 per row
   * without padding into one image, as PyTorch's `add_images`.
   * @example
   * ```ts
   * writer.addImages('batch', images, step); // [64, 1, 28, 28] → one 224 × 224 image
   * ```
   */
  addImages(tag: string, imgTensor: Tensor, globalStep?: number | null, walltime?: number | null, dataformats = 'NCHW'): void {
    this.addImage(tag, imgTensor, globalStep, walltime, dataformats);
  }

  /**
   * A rendered figure as an image: PNG bytes, or the path of a PNG file such as
   * `torch.utils.plot.plotCurve` and `imageGrid` write (PyTorch's `add_figure` takes a matplotlib
   * figure). One PNG is stored as it is; several (of one size) are tiled as `addImages` tiles.
   * @example
   * ```ts
   * writer.addFigure('accuracy', plot.plotCurve(accuracies, 'runs/acc.png'), epoch);
   * ```
   */
  addFigure(tag: string, figure: Figure | Figure[], globalStep?: number | null, walltime?: number | null): void {
    checkString(tag, 'tag');
    const bytes = (f: unknown, name: string): Uint8Array => {
      if (typeof f === 'string') {
        try {
          return readFileSync(f);
        } catch (e) {
          throw ioError('read the figure', f, e);
        }
      }
      if (f instanceof Uint8Array) return f;
      throw typeError('PNG bytes or the path of a PNG file', name, f);
    };
    if (!Array.isArray(figure)) {
      const png = bytes(figure, 'figure');
      const { width, height, channels } = pngInfo(png, 'figure');
      const image = { height, width, colorspace: channels, encodedImageString: png };
      this.addSummary(this.fileWriter(), { value: [{ tag, image }] }, globalStep, walltime);
      return;
    }
    const images = figure.map((f, i) => decodePngRgb(bytes(f, `figure[${i}]`), `figure[${i}]`));
    try {
      const nhwc = noGrad(() => tidy(() => stack(images, 0)));
      this.addImage(tag, nhwc, globalStep, walltime, 'NHWC');
      nhwc.dispose();
    } finally {
      images.forEach((t) => t.dispose());
    }
  }

  /**
   * Text, shown by TensorBoard's text plugin (Markdown), under `<tag>/text_summary`.
   * @example
   * ```ts
   * writer.addText('notes', `lr ${lr}, batch ${batchSize}`, 0);
   * ```
   */
  addText(tag: string, textString: string, globalStep?: number | null, walltime?: number | null): void {
    checkString(tag, 'tag');
    this.addSummary(this.fileWriter(), text(tag, textString), globalStep, walltime);
  }

  /**
   * Hyperparameters and the metrics they gave, for TensorBoard's HParams dashboard: written, as
   * PyTorch does, to a run of their own, `<logDir>/<runName>` (default: the time in seconds), with
   * each metric also as a scalar there. Values are numbers, strings, booleans or one-element
   * tensors; null ones are left out. `hparamDomainDiscrete` lists a hyperparameter's possible values.
   * @example
   * ```ts
   * writer.addHparams({ lr: 0.01, batchSize: 64, optimizer: 'sgd' }, { 'hparam/accuracy': 0.98 });
   * ```
   */
  addHparams(
    hparamDict: Record<string, HParamValue>, metricDict: Record<string, number | Tensor>,
    hparamDomainDiscrete?: Record<string, (number | string | boolean)[]> | null, runName?: string | null, globalStep?: number | null,
  ): void {
    const [experiment, start, end] = hparams(hparamDict, metricDict, hparamDomainDiscrete ?? undefined);
    const run = runName ? checkString(runName, 'run_name') : String(Date.now() / 1000);
    const w = new SummaryWriter(path.join(this.fileWriter().logDir, run));
    try {
      for (const s of [experiment, start, end]) w.addSummary(w.fileWriter(), s, globalStep, undefined);
      for (const [k, v] of Object.entries(metricDict)) w.addScalar(k, v, globalStep);
    } finally {
      w.close();
    }
  }

  /**
   * A precision-recall curve: `labels` (0/1 or booleans) and `predictions` (probabilities in
   * [0, 1]) counted at `numThresholds` thresholds (at most 127), optionally weighted.
   * @example
   * ```ts
   * writer.addPrCurve('class 3', labels.eq(3), probs.select(1, 3), epoch);
   * ```
   */
  addPrCurve(
    tag: string, labels: Tensor | number[] | boolean[], predictions: Tensor | number[], globalStep?: number | null, numThresholds = 127,
    weights?: Tensor | number[] | number | null, walltime?: number | null,
  ): void {
    checkString(tag, 'tag');
    this.addSummary(this.fileWriter(), prCurve(tag, labels, predictions, numThresholds, weights), globalStep, walltime);
  }

  /**
   * Vectors for TensorBoard's projector: `mat` `[N, D]`, with optional labels (`metadata`, one per
   * row; with `metadataHeader`, one array of columns per row) and images (`labelImg`
   * `[N, C, H, W]`, values in [0, 1]). Written under `<logDir>/<globalStep as 5 digits>/<tag>/`,
   * with `projector_config.pbtxt` in the log directory listing every embedding of this writer.
   * @example
   * ```ts
   * writer.addEmbedding(features, labels.tolist() as number[], images);
   * ```
   */
  addEmbedding(
    mat: Tensor | number[][], metadata?: MetadataValue[] | MetadataValue[][] | Tensor | null, labelImg?: Tensor | null,
    globalStep?: number | null, tag = 'default', metadataHeader?: string[] | null,
  ): void {
    checkString(tag, 'tag');
    const logDir = this.fileWriter().logDir;
    const info = writeEmbedding(logDir, mat, metadata, labelImg, checkStep(globalStep) ?? 0, tag, metadataHeader);
    this.projector.push(info);
    writeProjectorConfig(logDir, this.projector);
  }

  /**
   * The graph of a TorchScript module's `forward`, calls to submodules inlined, for TensorBoard's
   * Graphs tab. PyTorch traces a Python module to get one; here the model is a `torch.jit`
   * ScriptModule (what `torch.jit.load` gives for a traced or scripted model): a JS `nn.Module`
   * has no graph to draw. With `inputToModel` the module first runs on it once, as tracing would,
   * so an input it cannot take fails here; `verbose` prints the nodes.
   * @example
   * ```ts
   * writer.addGraph(torch.jit.load('models/traced_cnn.pt'), torch.randn([1, 1, 28, 28]));
   * ```
   */
  addGraph(model: ScriptModule, inputToModel?: Tensor | Tensor[] | null, verbose = false): void {
    if (!(model instanceof ScriptModule)) {
      throw typeError('a torch.jit ScriptModule (a JS nn.Module has no graph; save it from Python with torch.jit.trace or torch.jit.script)', 'model', model);
    }
    if (inputToModel !== undefined && inputToModel !== null) {
      const args = Array.isArray(inputToModel) ? inputToModel : [inputToModel];
      noGrad(() => tidy(() => { model.forward(...args); }));
    }
    const def = graphDef(ScriptModule.handleOf(model), 'forward');
    if (verbose) for (const n of def.node) console.log(`${n.name} = ${n.op}(${n.input.join(', ')})`);
    this.fileWriter().add({ wallTime: now(), graphDef: proto().GraphDef.encode(def) });
  }

  /** Writes everything queued, in every event file of this writer (synchronously). @example `writer.flush()` */
  flush(): void {
    for (const w of this.writers?.values() ?? []) w.flush();
  }

  /** Flushes and closes the event files; a later `add*` starts a new file. Closing twice is allowed. @example `writer.close()` */
  close(): void {
    const writers = this.writers;
    if (writers === null) return;
    this.writers = null;
    let failure: unknown = null;
    for (const w of writers.values()) {
      try {
        w.close();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== null) throw failure;
  }
}
