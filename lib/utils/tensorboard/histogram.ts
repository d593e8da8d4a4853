/**
 * Histogram summaries as PyTorch's `make_histogram`: NumPy's `np.histogram` over the values as
 * float64 (an edge list, or a bin count over [min, max]), the bins beyond the outermost non-empty
 * ones dropped, an empty bin kept on the left, and the min, max, count, sum and sum of squares.
 */
import { rangeError, typeError } from '../../errors';
import { Tensor } from '../../tensor';
import { tensor as makeTensor } from '../../factories';
import { histogram } from '../../generated/ops';
import { noGrad } from '../../autograd';
import { tidy } from '../../memory';
import { checkInt } from '../../validate';
import { toTensor } from './convert';
import type { HistogramProto } from './schema';

/**
 * How `addHistogram` bins: `'tensorflow'` (PyTorch's default), a bin count, or the bin edges.
 * @example
 * ```ts
 * writer.addHistogram('w', weights, step, 50);            // 50 equal bins over [min, max]
 * writer.addHistogram('w', weights, step, [-1, 0, 1]);    // two bins
 * ```
 */
export type Bins = 'tensorflow' | number | number[] | Tensor;

let tensorflowEdges: number[] | undefined;
/**
 * PyTorch's `SummaryWriter.default_bins` (from TensorFlow's generate_testdata.py): ±1e-12 · 1.1^k
 * up to 1e20, and 0; 1549 edges, computed by the same repeated multiplication as Python's.
 */
export function tensorflowBins(): number[] {
  if (tensorflowEdges === undefined) {
    const positive: number[] = [];
    for (let v = 1e-12; v < 1e20; v *= 1.1) positive.push(v);
    tensorflowEdges = [...positive.map((v) => -v).reverse(), 0, ...positive];
  }
  return tensorflowEdges;
}

/** `np.linspace(first, last, n + 1)`: `i · step + first`, the last edge `last` itself. */
function linspace(first: number, last: number, n: number): number[] {
  const step = (last - first) / n;
  const edges: number[] = [];
  for (let i = 0; i < n; i++) edges.push(step === 0 ? (i / n) * (last - first) + first : i * step + first);
  edges.push(last);
  return edges;
}

/** NumPy's bin edges for `bins`, given the data's range. */
function binEdges(bins: unknown, min: number, max: number): number[] {
  if (bins === 'tensorflow') return tensorflowBins();
  if (typeof bins === 'number') {
    const n = checkInt(bins, 'bins', 1);
    // np.histogram widens an empty range by 0.5 each side.
    return min === max ? linspace(min - 0.5, max + 0.5, n) : linspace(min, max, n);
  }
  let edges: number[];
  if (bins instanceof Tensor) {
    if (bins.dim() !== 1) throw rangeError('a 1-D tensor of bin edges', 'bins', bins.shape);
    edges = Array.from(bins.to('float64').toArray() as Float64Array);
  } else if (Array.isArray(bins) && bins.every((b) => typeof b === 'number')) {
    edges = bins.slice();
  } else {
    throw typeError("'tensorflow', a bin count, or an array or 1-D tensor of bin edges", 'bins', bins);
  }
  if (edges.length < 2 || edges.some((e, i) => Number.isNaN(e) || (i > 0 && edges[i - 1] > e))) {
    throw rangeError('at least 2 bin edges, increasing monotonically', 'bins', bins);
  }
  return edges;
}

/**
 * `np.histogram`'s counts: `torch.histogram` over the same edges counts as NumPy does (each bin
 * [left, right), the last one closed, values outside every bin not counted).
 */
function counts(values: Tensor, edges: number[]): number[] {
  return Array.from(histogram(values, makeTensor(edges, { dtype: 'float64' })).hist.toArray() as Float64Array);
}

/** PyTorch's `max_bins`: every `k` adjacent bins merged so that at most about `maxBins` remain. */
function subsample(c: number[], limits: number[], maxBins: number): { c: number[]; limits: number[] } {
  const k = Math.floor(c.length / maxBins);
  const padded = c.length % k === 0 ? c : [...c, ...new Array(k - (c.length % k)).fill(0)];
  const merged: number[] = [];
  for (let i = 0; i < padded.length; i += k) merged.push(padded.slice(i, i + k).reduce((a, b) => a + b, 0));
  const newLimits: number[] = [];
  for (let i = 0; i < limits.length - 1; i += k) newLimits.push(limits[i]);
  newLimits.push(limits[limits.length - 1]);
  return { c: merged, limits: newLimits };
}

/** The `HistogramProto` of `values` (a Tensor, or an array of numbers), as PyTorch's `make_histogram`. */
export function makeHistogram(values: unknown, bins: unknown = 'tensorflow', maxBins?: number): HistogramProto {
  if (maxBins !== undefined) checkInt(maxBins, 'max_bins', 1);
  const v = noGrad(() => tidy(() => {
    const t = toTensor(values, 'values');
    const flat = t.to('float64').flatten();
    if (flat.numel() === 0) throw rangeError('at least one value', 'values', t.shape);
    if (!flat.isfinite().all().item()) throw new RangeError('Expected finite values for values but received NaN or infinity');
    return {
      flat, min: flat.min().item() as number, max: flat.max().item() as number, num: flat.numel(),
      sum: flat.sum().item() as number, sumSquares: flat.dot(flat).item() as number,
    };
  }));
  try {
    let limits = binEdges(bins, v.min, v.max);
    let c = noGrad(() => tidy(() => counts(v.flat, limits)));
    if (maxBins !== undefined && c.length > maxBins) ({ c, limits } = subsample(c, limits, maxBins));
    // Only the right edges are stored, so the bins outside the non-empty ones go, but for one
    // empty bin on the left that carries the leftmost edge.
    const nonEmpty = c.map((n, i) => (n > 0 ? i : -1)).filter((i) => i >= 0);
    const start = nonEmpty.length > 0 ? nonEmpty[0] : c.length;
    const end = (nonEmpty.length > 0 ? nonEmpty[nonEmpty.length - 1] : 0) + 1;
    const bucket = start > 0 ? c.slice(start - 1, end) : [0, ...c.slice(0, end)];
    const bucketLimit = limits.slice(start, end + 1);
    if (bucket.length === 0 || bucketLimit.length === 0) {
      throw new RangeError(`Expected values within the bin edges [${limits[0]}, ${limits[limits.length - 1]}] for values but received values from ${v.min} to ${v.max}`);
    }
    return { min: v.min, max: v.max, num: v.num, sum: v.sum, sumSquares: v.sumSquares, bucketLimit, bucket };
  } finally {
    v.flat.dispose();
  }
}
