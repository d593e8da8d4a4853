/**
 * The `Summary` values of scalars, text, precision-recall curves and hyperparameters, as
 * PyTorch's torch/utils/tensorboard/summary.py builds them (same tags, plugin names and data).
 */
import { rangeError, typeError } from '../../errors';
import { Tensor } from '../../tensor';
import { bincount } from '../../generated/ops';
import { noGrad } from '../../autograd';
import { tidy } from '../../memory';
import { checkInt } from '../../validate';
import { toNumber, toTensor } from './convert';
import { proto, type HParamInfo, type HParamsPluginData, type ProtoValue, type Summary } from './schema';

/**
 * Options of `addScalar` beyond PyTorch's positional arguments.
 * @example
 * ```ts
 * writer.addScalar('loss', 0.25, step, null, { newStyle: true, doublePrecision: true });
 * ```
 */
export interface ScalarOptions {
  /** Store the value as a tensor with the `scalars` plugin rather than as `simple_value`. Default false. */
  newStyle?: boolean;
  /** With `newStyle`, store a float64 rather than a float32. Default false. */
  doublePrecision?: boolean;
}

/** PyTorch's `scalar()`: `simple_value` (a float32), or a one-value tensor with `newStyle`. */
export function scalar(tag: string, value: unknown, options: ScalarOptions = {}): Summary {
  const v = toNumber(value, 'scalar_value');
  if (!options.newStyle) return { value: [{ tag, simpleValue: v }] };
  const tensor = options.doublePrecision ? { dtype: 'DT_DOUBLE' as const, doubleVal: [v] } : { dtype: 'DT_FLOAT' as const, floatVal: [v] };
  return { value: [{ tag, tensor, metadata: { pluginData: { pluginName: 'scalars' } } }] };
}

/** PyTorch's `text()`: a one-string tensor tagged `<tag>/text_summary` for the text plugin. */
export function text(tag: string, textString: unknown): Summary {
  if (typeof textString !== 'string') throw typeError('a string', 'text_string', textString);
  return {
    value: [{
      tag: `${tag}/text_summary`,
      metadata: { pluginData: { pluginName: 'text', content: proto().TextPluginData.encode({ version: 0 }) } },
      tensor: { dtype: 'DT_STRING', stringVal: [Buffer.from(textString, 'utf8')], tensorShape: { dim: [{ size: 1 }] } },
    }],
  };
}

/** NumPy's histogram block: `np.histogram` sums weights 65536 values at a time. */
const BLOCK = 65536;

/**
 * PyTorch's `compute_curve`: each prediction falls in threshold bucket ⌊p · (n − 1)⌋ (computed in
 * the predictions' dtype; outside [0, n − 1] it counts nowhere), labels and weights summed per
 * bucket, then the true and false positive counts at or above each threshold, the negatives, and
 * precision and recall. Rows: TP, FP, TN, FN, precision, recall.
 */
export function computeCurve(labels: Tensor, predictions: Tensor, numThresholds: number, weights: Tensor | number): number[][] {
  const n = numThresholds;
  const [tpBuckets, fpBuckets] = noGrad(() => tidy(() => {
    const p = predictions.flatten();
    const bucket = (p.dtype === 'float32' || p.dtype === 'float64' ? p : p.to('float64')).mul(n - 1).floor();
    const valid = bucket.ge(0).logicalAnd(bucket.le(n - 1));
    const label = labels.flatten().to('float64');
    const positive = label.mul(weights);
    const negative = label.neg().add(1).mul(weights);
    const tp = new Array<number>(n).fill(0);
    const fp = new Array<number>(n).fill(0);
    const total = p.numel();
    for (let start = 0; start < total; start += BLOCK) {
      const len = Math.min(BLOCK, total - start);
      const keep = valid.narrow(0, start, len);
      const index = bucket.narrow(0, start, len).maskedSelect(keep).to('int64');
      const add = (into: number[], w: Tensor) => {
        const sums = bincount(index, w.narrow(0, start, len).maskedSelect(keep), n).toArray() as Float64Array;
        for (let i = 0; i < n; i++) into[i] += sums[i];
      };
      add(tp, positive);
      add(fp, negative);
    }
    return [tp, fp];
  }));
  const reverseCumsum = (b: number[]) => {
    const out = new Array<number>(n);
    let acc = 0;
    for (let i = n - 1; i >= 0; i--) out[i] = acc += b[i];
    return out;
  };
  const tp = reverseCumsum(tpBuckets);
  const fp = reverseCumsum(fpBuckets);
  const tn = fp.map((x) => fp[0] - x);
  const fn = tp.map((x) => tp[0] - x);
  const precision = tp.map((x, i) => x / Math.max(1e-7, x + fp[i]));
  const recall = tp.map((x, i) => x / Math.max(1e-7, x + fn[i]));
  return [tp, fp, tn, fn, precision, recall];
}

/** PyTorch's `pr_curve()`: the curve as a `[6, n]` float32 tensor for the pr_curves plugin (n at most 127). */
export function prCurve(tag: string, labels: unknown, predictions: unknown, numThresholds: unknown = 127, weights?: unknown): Summary {
  const n = Math.min(checkInt(numThresholds, 'num_thresholds', 2), 127);
  const l = toTensor(labels, 'labels');
  const p = toTensor(predictions, 'predictions');
  if (l.numel() !== p.numel()) throw rangeError(`${p.numel()} labels, one per prediction`, 'labels', l.shape);
  let w: Tensor | number = 1;
  if (weights !== undefined && weights !== null) {
    w = typeof weights === 'number' ? weights : toTensor(weights, 'weights').to('float64').flatten();
    if (w instanceof Tensor && w.numel() !== p.numel()) throw rangeError(`${p.numel()} weights, one per prediction`, 'weights', w.shape);
  }
  const data = computeCurve(l, p, n, w);
  return {
    value: [{
      tag,
      metadata: { pluginData: { pluginName: 'pr_curves', content: proto().PrCurvePluginData.encode({ version: 0, numThresholds: n }) } },
      tensor: { dtype: 'DT_FLOAT', floatVal: data.flat(), tensorShape: { dim: [{ size: 6 }, { size: n }] } },
    }],
  };
}

/**
 * A hyperparameter's value: a number, a string, a boolean, a Tensor (its first element) or null (left out).
 * @example
 * ```ts
 * const hp: Record<string, HParamValue> = { lr: 0.01, optimizer: 'sgd', augment: true, warmup: null };
 * ```
 */
export type HParamValue = number | string | boolean | Tensor | null;

// The hparams plugin's tags and version (tensorboard/plugins/hparams/metadata.py).
const HPARAMS_PLUGIN = 'hparams';
const HPARAMS_VERSION = 0;

function hparamsSummary(tag: string, data: Omit<HParamsPluginData, 'version'>): Summary {
  const content = proto().HParamsPluginData.encode({ version: HPARAMS_VERSION, ...data });
  return { value: [{ tag, metadata: { pluginData: { pluginName: HPARAMS_PLUGIN, content } } }] };
}

/** A hyperparameter value as a `google.protobuf.Value` and its type. */
function hparamValue(v: unknown, name: string): { value: ProtoValue; type: HParamInfo['type'] } {
  if (typeof v === 'number') return { value: { numberValue: v }, type: 'DATA_TYPE_FLOAT64' };
  if (typeof v === 'string') return { value: { stringValue: v }, type: 'DATA_TYPE_STRING' };
  if (typeof v === 'boolean') return { value: { boolValue: v }, type: 'DATA_TYPE_BOOL' };
  if (v instanceof Tensor) {
    if (v.numel() === 0) throw rangeError('a tensor with at least one element', name, v.shape);
    return { value: { numberValue: Number(v.flatten().get(0).item()) }, type: 'DATA_TYPE_FLOAT64' };
  }
  throw typeError('a number, string, boolean, Tensor or null', name, v);
}

function isDict(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tensor);
}

/**
 * PyTorch's `hparams()`: the experiment (the hyperparameters' names, types and discrete domains,
 * the metrics' tags), the session start (the values) and the session end (success), as three
 * summaries for the hparams plugin.
 */
export function hparams(hparamDict: unknown, metricDict: unknown, hparamDomainDiscrete?: unknown): [Summary, Summary, Summary] {
  if (!isDict(hparamDict)) throw typeError('an object of hyperparameters', 'hparam_dict', hparamDict);
  if (!isDict(metricDict)) throw typeError('an object of metrics', 'metric_dict', metricDict);
  const domains = hparamDomainDiscrete ?? {};
  if (!isDict(domains)) throw typeError('an object of value lists', 'hparam_domain_discrete', domains);
  for (const [k, values] of Object.entries(domains)) {
    const kind = typeof hparamDict[k];
    if (!(k in hparamDict) || !Array.isArray(values) || !values.every((d) => typeof d === kind)) {
      throw typeError(`a list of ${kind === 'undefined' ? 'values of a hyperparameter in hparam_dict' : `${kind}s like hparam_dict.${k}`}`, `hparam_domain_discrete.${k}`, values);
    }
  }
  const infos: HParamInfo[] = [];
  const values: Record<string, ProtoValue> = {};
  for (const [k, v] of Object.entries(hparamDict)) {
    if (v === null || v === undefined) continue;
    const { value, type } = hparamValue(v, `hparam_dict.${k}`);
    values[k] = value;
    const discrete = v instanceof Tensor ? undefined : (domains[k] as (number | string | boolean)[] | undefined);
    infos.push(discrete === undefined ? { name: k, type } : { name: k, type, domainDiscrete: { values: discrete.map((d) => hparamValue(d, k).value) } });
  }
  const experiment = hparamsSummary('_hparams_/experiment', {
    experiment: { hparamInfos: infos, metricInfos: Object.keys(metricDict).map((tag) => ({ name: { tag } })) },
  });
  const start = hparamsSummary('_hparams_/session_start_info', { sessionStartInfo: { hparams: values } });
  const end = hparamsSummary('_hparams_/session_end_info', { sessionEndInfo: { status: 'STATUS_SUCCESS' } });
  return [experiment, start, end];
}

