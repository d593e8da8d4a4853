/**
 * The performance targets `npm run bench` checks (issue "Performance: at the LibTorch floor"),
 * in one table. Each is a figure from the run against a bound: a ratio of nodetorch to another
 * program on the same LibTorch, or an absolute figure. A target is judged on the figure made
 * of each program's best round (min over rounds: the least disturbed by a shared machine);
 * the one made of medians is printed beside it. A target whose workload did not run is listed
 * as not measured and fails nothing.
 */

/** One program's runs of one workload. */
export interface Run { [field: string]: unknown }
/** A figure from the runs: its value from the best rounds and from the medians. */
export interface Figure { min: number; median: number }
/** The runs of `workload` by `impl`, or null when they did not run. */
export type Lookup = (workload: string, impl: string) => Run[] | null;

export const min = (xs: number[]) => Math.min(...xs);
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A number a run reports (or that the runner derives: `firstBatchSeconds`). */
export type Metric = (r: Run) => number;
export const field = (name: string): Metric => (r) => r[name] as number;
/** RSS after epoch `n` (1-based) of a run that reports `rssAfterEpochMB`. */
export const rssAfter = (n: number): Metric => (r) => (r.rssAfterEpochMB as number[])[n - 1];

/** `metric` of `workload` by `impl`, min and median over the runs. */
export function value(runs: Lookup, workload: string, impl: string, metric: Metric): Figure | null {
  const rs = runs(workload, impl);
  if (rs === null) return null;
  const xs = rs.map(metric);
  return { min: min(xs), median: median(xs) };
}

/** `metric` of `impl` over `metric` of `other` (same workload): best over best, median over median. */
export function ratio(runs: Lookup, workload: string, impl: string, other: string, metric: Metric): Figure | null {
  const a = value(runs, workload, impl, metric);
  const b = value(runs, workload, other, metric);
  return a === null || b === null ? null : { min: a.min / b.min, median: a.median / b.median };
}

export interface Target {
  /** Where it applies: the CPU run, or `--device cuda` (bench/gpu.sh). */
  device: 'cpu' | 'cuda';
  what: string;
  /** `max`: the figure is at most `bound`; `within`: it is within `bound` of 1. */
  kind: 'max' | 'within';
  bound: number;
  /** A ratio (×) or seconds/MB. */
  unit: '×' | 's';
  figure: (runs: Lookup) => Figure | null;
}

const epoch = field('seconds');
const evaluate = field('evalSeconds');

export const TARGETS: Target[] = [
  { device: 'cpu', what: 'train epoch / C++ floor', kind: 'max', bound: 1.05, unit: '×', figure: (r) => ratio(r, 'mnist', 'nodetorch', 'cpp', epoch) },
  { device: 'cpu', what: 'train epoch / Python, pre-made tensors', kind: 'max', bound: 0.9, unit: '×', figure: (r) => ratio(r, 'mnist', 'nodetorch', 'python', epoch) },
  { device: 'cpu', what: 'train epoch / the seed program', kind: 'max', bound: 0.45, unit: '×', figure: (r) => ratio(r, 'mnist', 'nodetorch', 'seed', epoch) },
  { device: 'cpu', what: "evaluate() / the seed's test()", kind: 'max', bound: 0.3, unit: '×', figure: (r) => ratio(r, 'mnist', 'nodetorch', 'seed', evaluate) },
  { device: 'cpu', what: 'first trained batch after process start', kind: 'max', bound: 1.0, unit: 's', figure: (r) => value(r, 'mnist', 'nodetorch', field('firstBatchSeconds')) },
  {
    device: 'cpu', what: 'RSS after epoch 6 / after epoch 2', kind: 'within', bound: 0.05, unit: '×',
    figure: (r) => value(r, 'memory', 'nodetorch', (run) => rssAfter(6)(run) / rssAfter(2)(run)),
  },
  { device: 'cpu', what: 'peak RSS (6 epochs) / the seed program', kind: 'max', bound: 1.0, unit: '×', figure: (r) => ratio(r, 'memory', 'nodetorch', 'seed', field('peakRssMB')) },
  { device: 'cpu', what: 'small ops / Python', kind: 'max', bound: 1.3, unit: '×', figure: (r) => ratio(r, 'smallops', 'nodetorch', 'python', field('seconds')) },
  // The GPU section: nodetorch against PyTorch CUDA, data on the GPU.
  { device: 'cuda', what: 'train epoch, data on the GPU / PyTorch CUDA', kind: 'max', bound: 1.05, unit: '×', figure: (r) => ratio(r, 'mnist', 'nodetorch-premade', 'python', epoch) },
  { device: 'cuda', what: 'evaluate(), data on the GPU / PyTorch CUDA', kind: 'max', bound: 1.05, unit: '×', figure: (r) => ratio(r, 'mnist', 'nodetorch-premade', 'python', evaluate) },
  { device: 'cuda', what: 'resnet18 training step / PyTorch CUDA', kind: 'max', bound: 1.05, unit: '×', figure: (r) => ratio(r, 'resnet18', 'nodetorch', 'python', field('seconds')) },
];

export interface Verdict { target: Target; figure: Figure | null; pass: boolean | null }

/** Each target of `device` with its figure; `pass` null when not measured. */
export function judge(device: string, runs: Lookup): Verdict[] {
  return TARGETS.filter((t) => t.device === (device === 'cpu' ? 'cpu' : 'cuda')).map((target) => {
    const figure = target.figure(runs);
    if (figure === null || !Number.isFinite(figure.min)) return { target, figure: null, pass: null };
    const pass = target.kind === 'max' ? figure.min <= target.bound : Math.abs(figure.min - 1) <= target.bound;
    return { target, figure, pass };
  });
}

/** The bound as a reader states it: `≤ 1.05×`, `within 5%`, `≤ 1.0 s`. */
export function boundText(t: Target): string {
  return t.kind === 'within' ? `within ${Math.round(t.bound * 100)}% of 1` : `≤ ${t.bound}${t.unit === '×' ? '×' : ' s'}`;
}
