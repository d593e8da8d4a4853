/**
 * The report of `npm run bench`: one markdown section (machine, LibTorch, command, tables,
 * ratios, targets) that the run prints, and writes into bench/RESULTS.md between its markers,
 * one section per LibTorch version, so the 2.13 and 1.13 runs stand side by side.
 */
import * as fs from 'fs';
import * as os from 'os';
import type { Setup } from './setup';
import { boundText, field, ratio, rssAfter, value, type Figure, type Lookup, type Metric, type Verdict } from './targets';
import type { Impl, Sizes } from './workloads';

export interface Context {
  setup: Setup;
  options: { device: string; threads: number; ompWait: string; repeat: number; quick: boolean; note: string | null };
  runs: Lookup;
  verdicts: Verdict[];
  loadavg: [number[], number[]];
  date: Date;
  command: string;
  sizes: Sizes;
  seedPort: boolean;
}

/** What `impl` ran in workload `w`, for a table's first column. */
function label(impl: Impl, w: string, c: Context): string {
  const py = `${c.setup.python.exe}, torch ${c.setup.python.torch}`;
  const gpu = c.options.device !== 'cpu' ? ' on the GPU' : '';
  if (w === 'smallops') return { nodetorch: 'nodetorch', python: `Python (${py})`, cpp: 'C++ LibTorch' }[impl as string] ?? impl;
  if (w === 'resnet18') {
    return {
      nodetorch: 'nodetorch: `vision.models.resnet18()` + `torch.train`',
      python: `Python: torchvision's resnet18 in plain torch, bench/py/resnet.py (${py})`,
      cpp: 'C++ LibTorch: the same resnet18',
    }[impl as string] ?? impl;
  }
  switch (impl) {
    case 'nodetorch': return gpu ? 'nodetorch: DataLoader + `torch.train` (batches moved to the GPU)' : 'nodetorch: DataLoader + `torch.train` / `evaluate`';
    case 'nodetorch-premade': return `nodetorch: \`torch.train\` / \`evaluate\` over pre-made tensors${gpu}`;
    case 'python': return `Python, pre-made tensors${gpu} (${py})`;
    case 'cpp': return 'C++ LibTorch, pre-made tensors: the floor';
    case 'seed': return c.seedPort
      ? `the seed program, its torchvision-free port (bench/py/tv_port.py; ${py})`
      : `the seed program as written, torchvision per-sample transforms (${py})`;
  }
}

const IMPLS: Impl[] = ['nodetorch', 'nodetorch-premade', 'python', 'cpp', 'seed'];

function table(rows: string[][]): string {
  const [head, ...body] = rows;
  const align = head.map((_, i) => (i === 0 ? '---' : '---:'));
  return [head, align, ...body].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

const fmt = (x: number, digits = 3) => x.toFixed(digits);
const pair = (f: Figure | null, digits = 3, unit = '') => (f === null ? '-' : `${fmt(f.min, digits)}${unit} / ${fmt(f.median, digits)}${unit}`);
const times = (f: Figure | null) => pair(f, 2, '×');

/** Per-step or per-op time of `seconds` for `n` iterations, in a readable unit. */
function per(seconds: number, n: number): string {
  const s = seconds / n;
  return s < 1e-3 ? `${(s * 1e6).toFixed(2)} µs` : `${(s * 1e3).toFixed(2)} ms`;
}

function waitPolicy(ompWait: string): string {
  const set = ompWait === 'inherit' ? process.env.OMP_WAIT_POLICY : ompWait === 'default' ? undefined : ompWait.toUpperCase();
  return set === undefined ? "OMP_WAIT_POLICY unset (libgomp's default: spin a while, then sleep)" : `OMP_WAIT_POLICY=${set}`;
}

function machine(c: Context): string[] {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const mem = (os.totalmem() / 2 ** 30).toFixed(0);
  const lt = c.setup.libtorch;
  const [before, after] = c.loadavg.map((l) => l.map((x) => x.toFixed(2)).join(' '));
  return [
    `- Date: ${c.date.toISOString().slice(0, 16).replace('T', ' ')} UTC. Command: \`${c.command}\``,
    `- Machine: ${cpu}, ${os.cpus().length} logical CPUs, ${mem} GiB, ${os.type()} ${os.release()}; load average ${before} before, ${after} after.`,
    `- LibTorch ${lt.version}${lt.cuda ? ' (CUDA)' : ''} at ${lt.root} (nodetorch's ${lt.binary.kind}); Python ${c.setup.python.version} \`${c.setup.python.exe}\` ` +
      `(torch ${c.setup.python.torch}, the same libtorch_cpu.so); C++: ${c.setup.cxx}, bench/cpp built against ${lt.cmakeDir}; Node ${process.version}.`,
    `- ${c.options.threads} intra-op thread(s) everywhere, ${waitPolicy(c.options.ompWait)}; ` +
      `${c.options.repeat} round(s), programs alternating; figures are min / median over rounds.${c.options.quick ? ' **Quick run: short workloads, indicative only.**' : ''}`,
    ...(c.options.note ? [`- ${c.options.note}`] : []),
  ];
}

function mnistSection(c: Context): string[] {
  const impls = IMPLS.filter((i) => c.runs('mnist', i) !== null);
  if (impls.length === 0) return [];
  const s = c.sizes;
  const rows = [['program', 'epoch s', 'epoch CPU s', 'evaluate s', 'first trained batch s', 'step ms, best 50 in a row', 'peak RSS MB']];
  for (const i of impls) {
    const v = (name: string, digits = 3) => pair(value(c.runs, 'mnist', i, field(name)), digits);
    const peak = value(c.runs, 'mnist', i, field('peakRssMB'));
    rows.push([label(i, 'mnist', c), v('seconds'), v('cpuSeconds'), v('evalSeconds'), v('firstBatchSeconds', 2), v('blockStepMs', 2), peak === null ? '-' : fmt(peak.median, 0)]);
  }
  const base: Impl = c.options.device === 'cpu' ? 'nodetorch' : 'nodetorch-premade';
  const ratios = [['ratio', 'epoch', 'epoch CPU', 'evaluate', 'first trained batch', 'step, best 50 in a row']];
  for (const other of impls.filter((i) => i !== base)) {
    const r = (name: string) => times(ratio(c.runs, 'mnist', base, other, field(name)));
    ratios.push([`${base} / ${other}`, r('seconds'), r('cpuSeconds'), r('evalSeconds'), r('firstBatchSeconds'), r('blockStepMs')]);
  }
  return [
    `### Seed CNN on MNIST: one epoch (${s.batches} batches of 64, SGD 0.01/0.5), evaluation (${s.testBatches} batches of 64)`,
    '',
    'Epoch and evaluate are each program\'s own timing of its loops; the first trained batch is the time from the runner ' +
      'starting the process to the end of the first optimizer step (interpreter start, imports, data loading included); ' +
      'epoch CPU is the CPU time (user + system, all threads) the process used in the epoch; ' +
      'the best 50 steps in a row are the fastest run of 50 consecutive batches of the epoch (data fetch included), what a step costs ' +
      'when nothing else on the machine disturbs it; peak RSS is the process\'s VmHWM at exit (median).' +
      (c.seedPort ? ' The seed program ran as its torchvision-free port: this interpreter has no torchvision (see bench/py/tv_port.py).' : ''),
    '',
    table(rows),
    '',
    table(ratios),
    '',
  ];
}

function stepsSection(c: Context): string[] {
  const out: string[] = [];
  const s = c.sizes;
  const parts: [string, string, number][] = [
    ['smallops', `${s.ops.toLocaleString('en')} × \`a.add(b)\` on 4-element float32 tensors, results dropped (after 50,000 of warm-up)`, s.ops],
    ['resnet18', `resnet18 training steps (SGD 0.01/0.9), batch ${s.resnetBatch} of 3×${s.resnetSize}×${s.resnetSize}, ${s.steps} steps after warm-up`, s.steps],
  ];
  for (const [w, what, n] of parts) {
    const impls = IMPLS.filter((i) => c.runs(w, i) !== null);
    if (impls.length === 0) continue;
    const rows = [['program', 'seconds', 'per op / step (min)', 'nodetorch / this']];
    for (const i of impls) {
      const v = value(c.runs, w, i, field('seconds'))!;
      rows.push([label(i, w, c), pair(v), per(v.min, n), i === 'nodetorch' ? '-' : times(ratio(c.runs, w, 'nodetorch', i, field('seconds')))]);
    }
    out.push(`### ${what}`, '', table(rows), '');
  }
  return out;
}

function memorySection(c: Context): string[] {
  const impls = IMPLS.filter((i) => c.runs('memory', i) !== null);
  if (impls.length === 0) return [];
  const rows = [['program', 'RSS after epoch 1 MB', 'epoch 2', 'epoch 6', 'peak RSS MB', 'epoch 6 / epoch 2', 'epoch seconds']];
  for (const i of impls) {
    const r = c.runs('memory', i)![0];
    const rss = (n: number) => fmt(rssAfter(n)(r), 0);
    rows.push([label(i, 'memory', c), rss(1), rss(2), rss(6), fmt(r.peakRssMB as number, 0), `${fmt(rssAfter(6)(r) / rssAfter(2)(r), 3)}×`,
      (r.epochSeconds as number[]).map((x) => x.toFixed(1)).join(', ')]);
  }
  return [
    `### Memory: the seed CNN for 6 epochs of ${c.sizes.memoryBatches} batches (one run each, after the rounds)`,
    '',
    'RSS is VmRSS when each epoch ends (nodetorch: `onEpoch`; the seed program: after its epoch\'s print), peak RSS the VmHWM at exit.',
    '',
    table(rows),
    '',
  ];
}

function eventLoopSection(c: Context): string[] {
  const loops = ['train-loop', 'evaluate-loop'].filter((w) => c.runs(w, 'nodetorch') !== null);
  if (loops.length === 0) return [];
  const rows = [['loop', 'delay p50 ms', 'p99', 'max', 'batch p50 ms', 'batch p99', 'delay p99 / batch p99']];
  for (const w of loops) {
    const med = (f: Metric) => value(c.runs, w, 'nodetorch', f)!.median;
    const d = (k: string): Metric => (r) => (r.delay as Record<string, number>)[k];
    const b = (k: string): Metric => (r) => (r.step as Record<string, number>)[k];
    rows.push([w === 'train-loop' ? '`torch.train`' : '`torch.evaluate`', fmt(med(d('p50')), 2), fmt(med(d('p99')), 2), fmt(med(d('max')), 2),
      fmt(med(b('p50')), 2), fmt(med(b('p99')), 2), `${fmt(med(d('p99')) / med(b('p99')), 2)}×`]);
  }
  return [
    '### The event loop while `torch.train` / `torch.evaluate` run (nodetorch alone; medians over rounds)',
    '',
    '`perf_hooks.monitorEventLoopDelay` (1 ms resolution) against a batch\'s time (fetch, step, yield).',
    '',
    table(rows),
    '',
  ];
}

function targetsSection(c: Context): string[] {
  const rows = [['target', 'bound', 'best rounds', 'medians', '']];
  for (const v of c.verdicts) {
    const unit = v.target.unit === '×' ? '×' : ' s';
    rows.push([v.target.what, boundText(v.target), v.figure === null ? 'not measured' : `${fmt(v.figure.min, 3)}${unit}`,
      v.figure === null ? '-' : `${fmt(v.figure.median, 3)}${unit}`, v.pass === null ? '-' : v.pass ? 'pass' : '**MISSED**']);
  }
  return ['### Targets (bench/targets.ts; judged on the best rounds)', '', table(rows), ''];
}

/** The section for this run. */
export function report(c: Context): string {
  const title = c.options.device === 'cpu'
    ? `## \`npm run bench\` on LibTorch ${c.setup.libtorch.version}`
    : `## \`bench/gpu.sh\`: nodetorch against PyTorch CUDA, LibTorch ${c.setup.libtorch.version}`;
  return [title, '', ...machine(c), '', ...mnistSection(c), ...stepsSection(c), ...memorySection(c), ...eventLoopSection(c), ...targetsSection(c)].join('\n');
}

/**
 * Replaces the section between `<!-- bench:KEY -->` and `<!-- /bench:KEY -->` in `file`, or adds
 * it after the last such section (at the end of the file if there is none).
 */
export function writeSection(file: string, key: string, markdown: string): void {
  const start = `<!-- bench:${key} -->`;
  const end = `<!-- /bench:${key} -->`;
  const block = `${start}\n${markdown.trimEnd()}\n${end}`;
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  let next: string;
  if (a >= 0 && b > a) next = text.slice(0, a) + block + text.slice(b + end.length);
  else {
    const lastEnd = text.lastIndexOf('<!-- /bench:');
    const at = lastEnd >= 0 ? text.indexOf('\n', lastEnd) + 1 : text.length;
    next = `${text.slice(0, at).trimEnd()}\n\n${block}\n\n${text.slice(at).trimStart()}`;
  }
  fs.writeFileSync(file, next.trimEnd() + '\n');
}
