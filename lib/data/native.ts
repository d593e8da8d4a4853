/**
 * The DataLoader's native path: what a dataset offers so that its batches are gathered and
 * transformed in C++, on a background thread that stays ahead of the training loop
 * (native/core/batch_stream.h), instead of one `get(i)` at a time in JS.
 *
 * The contract. A dataset takes the native path when it has a method `nativeSource()` that
 * returns a {@link NativeSource} (rather than `null`):
 * - `inputs`: a CPU tensor `[N, ...]` of dtype uint8 or float32, `inputs[i]` being what `get(i)`
 *   returns before its transform (for images, `[C, H, W]` pixels: the dataset's `[N, C, H, W]`).
 * - `targets`: a CPU tensor `[N, ...]` of dtype int64, float32 or float64, `targets[i]` being
 *   what `get(i)` returns second (a class index becomes an int64 scalar row).
 * - `stages`: the transform, as {@link NativeStage}s applied to each `inputs[i]` in order; empty
 *   for none. Stages need image inputs `[N, C, H, W]`. Their numbers are checked before they
 *   reach C++ (which stores them as doubles): finite, `divisor > 0`, a non-zero `std` and one
 *   mean and std for all channels or one per channel, `min <= max` in each range, translations
 *   in [0, 1], scales > 0.
 * Neither tensor may require grad. A batch is then `[inputs[idx] transformed, targets[idx]]` for the
 * batch's indices `idx`, exactly what `defaultCollate` makes of `get(i)` for each: without stages
 * the rows keep their dtype; with stages they become float32 as ToTensor makes them (uint8 when
 * no stage leaves uint8 pixels). {@link tensorSource} builds a source from tensors and a
 * transform, returning `null` whenever the per-sample path is needed (any other dtype or device,
 * a transform without stages such as `Lambda`, a target transform).
 *
 * `TensorDataset(inputs, targets)`, the MNIST family and CIFAR offer one; `Subset` of such a
 * dataset keeps it. A `collateFn` or `batchSampler` always takes the per-sample path.
 *
 * Randomness: random stages (RandomAffine) draw from a CPU `torch.Generator` the loader seeds
 * afresh each epoch. On the per-sample path the loader makes the same generator and lends it to
 * the transforms through {@link transformGenerator} while it calls `get(i)`, so one loader seed
 * gives the same batches on both paths.
 *
 * This module belongs to `torch.utils.data` and imports nothing from `vision/`; the vision
 * transforms and datasets implement it.
 */
import { rangeError, typeError } from '../errors';
import type { Generator } from '../generator';
import { Tensor } from '../tensor';

/**
 * ToTensor's stage: uint8 pixels divided by `divisor` (255) into float32; float pixels pass
 * through, as ToTensor passes them.
 * @example
 * ```ts
 * const stage: ScaleStage = { kind: 'scale', divisor: 255 };
 * ```
 */
export interface ScaleStage { kind: 'scale'; divisor: number }

/**
 * Normalize's stage: `(x - mean[c]) / std[c]` per channel in float32 (one value applies to all).
 * @example
 * ```ts
 * const stage: NormalizeStage = { kind: 'normalize', mean: [0.1307], std: [0.3081] };
 * ```
 */
export interface NormalizeStage { kind: 'normalize'; mean: number[]; std: number[] }

/**
 * RandomAffine's stage (RandomRotation is the rotation-only case): rotation in
 * `[degreesMin, degreesMax]`, translation up to `translateX · W` and `translateY · H` pixels,
 * scale in `[scaleMin, scaleMax]`, x shear in `[shearMin, shearMax]` degrees, nearest neighbour,
 * `fill` outside the image (rounded and clamped while pixels are uint8).
 * @example
 * ```ts
 * const stage: AffineStage = new transforms.RandomRotation(10).nativeStages()[0];
 * ```
 */
export interface AffineStage {
  kind: 'affine'; degreesMin: number; degreesMax: number; translateX: number; translateY: number;
  scaleMin: number; scaleMax: number; shearMin: number; shearMax: number; fill: number;
}

/**
 * One step of the native batch pipeline; a transform describes itself as a list of them.
 * @example
 * ```ts
 * const stages: NativeStage[] = [{ kind: 'scale', divisor: 255 }, { kind: 'normalize', mean: [0.5], std: [0.5] }];
 * ```
 */
export type NativeStage = ScaleStage | NormalizeStage | AffineStage;

/**
 * What a dataset offers the DataLoader's native path; see the module's contract above.
 * @example
 * ```ts
 * const source: NativeSource = { inputs: images, targets: labels, stages: [{ kind: 'scale', divisor: 255 }] };
 * ```
 */
export interface NativeSource {
  /** uint8 or float32 `[N, ...]`; `[N, C, H, W]` when there are stages. */
  inputs: Tensor;
  /** int64, float32 or float64 `[N, ...]`. */
  targets: Tensor;
  /** Applied to each input in order. */
  stages: readonly NativeStage[];
}

/**
 * A transform that can say which native stages equal it (`null`: none, run it per sample).
 * @example
 * ```ts
 * const t: NativeTransform = new transforms.ToTensor();
 * t.nativeStages?.(); // [{ kind: 'scale', divisor: 255 }]
 * ```
 */
export interface NativeTransform {
  /** The native stages equal to this transform, or null if it has none. */
  nativeStages?(): NativeStage[] | null;
}

/**
 * The dtypes the native path takes for inputs and for targets.
 * @example
 * ```ts
 * NATIVE_DTYPES.inputs.includes(x.dtype);
 * ```
 */
export const NATIVE_DTYPES = {
  inputs: ['uint8', 'float32'] as readonly string[],
  targets: ['int64', 'float32', 'float64'] as readonly string[],
} as const;

function fits(t: unknown, dtypes: readonly string[]): t is Tensor {
  return t instanceof Tensor && dtypes.includes(t.dtype) && t.device === 'cpu' && !t.requiresGrad && t.dim() >= 1;
}

/**
 * A native source for samples `[inputs[i], targets[i]]` with `transform` applied to the inputs,
 * or `null` when they need the per-sample path: a dtype or device outside the contract, tensors
 * that require grad, a transform without native stages (e.g. `Lambda`), stages on inputs that
 * are not `[N, C, H, W]`, or any `targetTransform`.
 * @example
 * ```ts
 * // in a dataset class:
 * nativeSource() { return tensorSource(this.images, this.labels, { transform: this.transform, targetTransform: this.targetTransform }); }
 * ```
 */
export function tensorSource(inputs: Tensor, targets: Tensor, options: { transform?: NativeTransform; targetTransform?: unknown } = {}): NativeSource | null {
  if (options.targetTransform !== undefined) return null;
  if (!fits(inputs, NATIVE_DTYPES.inputs) || !fits(targets, NATIVE_DTYPES.targets) || inputs.size(0) !== targets.size(0)) return null;
  const stages = options.transform === undefined ? [] : options.transform.nativeStages?.() ?? null;
  if (stages === null || (stages.length > 0 && inputs.dim() !== 4)) return null;
  return { inputs, targets, stages };
}

function checkSource(source: unknown): NativeSource {
  const s = source as NativeSource;
  if (s === null || typeof s !== 'object') throw typeError('a NativeSource or null from nativeSource()', 'nativeSource()', source);
  if (!fits(s.inputs, NATIVE_DTYPES.inputs)) throw typeError('a CPU uint8 or float32 tensor [N, ...] not requiring grad', 'nativeSource().inputs', s.inputs);
  if (!fits(s.targets, NATIVE_DTYPES.targets) || s.targets.size(0) !== s.inputs.size(0)) {
    throw typeError(`a CPU int64, float32 or float64 tensor [${s.inputs.size(0)}, ...] not requiring grad`, 'nativeSource().targets', s.targets);
  }
  if (!Array.isArray(s.stages)) throw typeError('an array of stages', 'nativeSource().stages', s.stages);
  if (s.stages.length > 0 && s.inputs.dim() !== 4) throw typeError('image inputs [N, C, H, W] with stages', 'nativeSource().inputs', s.inputs.shape);
  s.stages.forEach((stage, k) => checkStage(stage, `nativeSource().stages[${k}]`, s.inputs.size(1)));
  return s;
}

function finite(value: unknown, name: string): number {
  if (typeof value !== 'number') throw typeError('a number', name, value);
  if (!Number.isFinite(value)) throw rangeError('a finite number', name, value);
  return value;
}

function finiteList(value: unknown, name: string): number[] {
  if (!Array.isArray(value) || value.length === 0) throw typeError('a non-empty array of numbers', name, value);
  value.forEach((v, i) => finite(v, `${name}[${i}]`));
  return value as number[];
}

// `stage[min] <= stage[max]`, both finite and above `above` when given.
function finiteRange(stage: Record<string, unknown>, min: string, max: string, name: string, above = -Infinity): void {
  const lo = finite(stage[min], `${name}.${min}`);
  const hi = finite(stage[max], `${name}.${max}`);
  if (lo > hi) throw rangeError(`at most ${max} (${hi})`, `${name}.${min}`, lo);
  if (lo <= above) throw rangeError(`a number > ${above}`, `${name}.${min}`, lo);
}

// What C++ reads from a stage (native/bindings/batch_stream.cc), checked for meaning first.
function checkStage(stage: unknown, name: string, channels: number): void {
  if (stage === null || typeof stage !== 'object') throw typeError('a stage object', name, stage);
  const st = stage as Record<string, unknown>;
  switch (st.kind) {
    case 'scale':
      if (finite(st.divisor, `${name}.divisor`) <= 0) throw rangeError('a positive divisor', `${name}.divisor`, st.divisor);
      return;
    case 'normalize': {
      const mean = finiteList(st.mean, `${name}.mean`);
      const std = finiteList(st.std, `${name}.std`);
      if (std.length !== mean.length || (mean.length !== 1 && mean.length !== channels)) {
        throw rangeError(`as many means as stds, 1 or ${channels} (one per channel)`, `${name}.std`, std);
      }
      std.forEach((v, i) => { if (v === 0) throw rangeError('a non-zero std', `${name}.std[${i}]`, v); });
      return;
    }
    case 'affine':
      finiteRange(st, 'degreesMin', 'degreesMax', name);
      for (const key of ['translateX', 'translateY']) {
        const t = finite(st[key], `${name}.${key}`);
        if (t < 0 || t > 1) throw rangeError('a fraction in [0, 1]', `${name}.${key}`, t);
      }
      finiteRange(st, 'scaleMin', 'scaleMax', name, 0);
      finiteRange(st, 'shearMin', 'shearMax', name);
      finite(st.fill, `${name}.fill`);
      return;
    default:
      throw typeError("'scale', 'normalize' or 'affine'", `${name}.kind`, st.kind);
  }
}

/**
 * The native source a dataset offers, checked against the contract, or `null` if it has none.
 * @example
 * ```ts
 * nativeSourceOf(new TensorDataset(x, y)); // { inputs: x, targets: y, stages: [] }
 * nativeSourceOf({ length: 1, get: () => 0 }); // null
 * ```
 */
export function nativeSourceOf(dataset: unknown): NativeSource | null {
  const fn = (dataset as { nativeSource?: () => NativeSource | null } | null)?.nativeSource;
  if (typeof fn !== 'function') return null;
  const source = fn.call(dataset);
  return source === null ? null : checkSource(source);
}

let lender: (() => Generator) | null = null;

/**
 * The generator random transforms should draw from: inside a DataLoader's `get(i)` calls, the
 * loader's generator for this epoch (seeded as its native stream is); elsewhere `undefined`,
 * meaning torch's global generator. A random transform of your own can use it to follow the
 * loader's seed too.
 * @example
 * ```ts
 * forward(x: Tensor) { return x.add(torch.randn(x.shape, { generator: transformGenerator() })); }
 * ```
 */
export function transformGenerator(): Generator | undefined {
  return lender === null ? undefined : lender();
}

/**
 * @internal Runs `fn` with `get` lending the generator of {@link transformGenerator}; `get` is
 * called only if a transform asks, so a loader whose transforms draw nothing draws no seed.
 */
export function withTransformGenerator<T>(get: () => Generator, fn: () => T): T {
  const previous = lender;
  lender = get;
  try {
    return fn();
  } finally {
    lender = previous;
  }
}
