/**
 * `torch.nn.utils.clip_grad`: gradient clipping by total norm or by value, as
 * `torch/nn/utils/clip_grad.py` (read them side by side: the same ops in the same order, so the
 * norms and the clipped gradients match PyTorch's).
 */
import { Tensor, checkTensor } from '../../tensor';
import { tensor } from '../../factories';
import { getDefaultDtype } from '../../dtype';
import * as ops from '../../generated/ops';
import { noGrad } from '../../autograd';
import { tidy } from '../../memory';
import { TorchError, typeError } from '../../errors';
import { checkBool, checkNumber, checkOptions } from '../../validate';

/** One tensor or an iterable of them (`model.parameters()`), as PyTorch's `_tensor_or_tensors`. */
export type TensorOrTensors = Tensor | Iterable<Tensor>;

/** A norm order: a number (`Infinity` for the max-norm), or `'inf'` / `'-inf'` as Python's `float('inf')`. */
export type NormType = number | 'inf' | '-inf';

/** Options of `getTotalNorm` and `clipGradNorm_`. */
export interface ClipGradNormOptions {
  /** Throw a TorchError when the total norm is nan or ±inf, instead of scaling by it. Default false. */
  errorIfNonfinite?: boolean;
  /**
   * PyTorch's choice of its `_foreach` kernels (null: where the device has them). They compute
   * the same numbers as the per-tensor ops nodetorch runs; `true` on a device without them is an
   * error, as in PyTorch. Default null.
   */
  foreach?: boolean | null;
}

/** Options of `clipGradsWithNorm_` and `clipGradValue_`. */
export interface ClipForeachOptions {
  /** See {@link ClipGradNormOptions.foreach}. Default null. */
  foreach?: boolean | null;
}

/** The devices with `_foreach` kernels in PyTorch 2.13. */
const FOREACH_DEVICES = ['cpu', 'cuda', 'xpu'];

/** @internal `parameters` as a list: one tensor alone, an iterable as its elements, each checked. */
function tensorList(parameters: unknown, name: string): Tensor[] {
  if (parameters instanceof Tensor) return [parameters];
  if (parameters === null || typeof parameters !== 'object' || typeof (parameters as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw typeError('a Tensor or an iterable of Tensors', name, parameters);
  }
  return [...(parameters as Iterable<unknown>)].map((p, i) => checkTensor(p, `${name}[${i}]`));
}

function checkNormType(value: unknown): number {
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError("a number or 'inf'", 'normType', value);
  return value;
}

function checkForeach(value: unknown): boolean | null {
  return value === undefined || value === null ? null : checkBool(value, 'foreach');
}

/** @internal Throws as PyTorch does when `foreach: true` meets a device without `_foreach` kernels. */
function requireForeach(foreach: boolean | null, device: string): void {
  const type = device.split(':')[0];
  if (foreach === true && !FOREACH_DEVICES.includes(type)) {
    throw new TorchError(`foreach=True was passed, but can't use the foreach API on ${type} tensors`);
  }
}

/** @internal Tensors grouped by device and dtype, groups in order of first appearance (PyTorch's `_group_tensors_by_device_and_dtype`). */
function groupByDeviceAndDtype(tensors: Tensor[]): Tensor[][] {
  const groups = new Map<string, Tensor[]>();
  for (const t of tensors) {
    const key = `${t.device}|${t.dtype}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [t]);
    else group.push(t);
  }
  return [...groups.values()];
}

/** Python's `str(float)`: `2.0`, `0.5`, `inf`. */
function pyFloat(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x);
}

/** @internal The grads of `parameters` that have one. */
function gradsOf(parameters: Tensor[]): Tensor[] {
  return parameters.map((p) => p.grad).filter((g): g is Tensor => g !== null);
}

function totalNorm(tensors: Tensor[], normType: number, errorIfNonfinite: boolean, foreach: boolean | null): Tensor {
  if (tensors.length === 0) return tensor(0, { dtype: getDefaultDtype() });
  const firstDevice = tensors[0].device;
  const norms: Tensor[] = [];
  for (const group of groupByDeviceAndDtype(tensors)) {
    requireForeach(foreach, group[0].device);
    for (const t of group) norms.push(ops.linalg.vectorNorm(t, normType));
  }
  const total = ops.linalg.vectorNorm(ops.stack(norms.map((n) => n.to(firstDevice))), normType);
  if (errorIfNonfinite && (total.isnan().logicalOr(total.isinf()).item() as boolean)) {
    throw new TorchError(
      `The total norm of order ${pyFloat(normType)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
      'To disable this error and scale the gradients by the non-finite norm anyway, set `errorIfNonfinite: false`',
    );
  }
  return total;
}

function scaleGrads(parameters: Tensor[], maxNorm: number, total: Tensor, foreach: boolean | null): void {
  const grads = gradsOf(parameters);
  if (grads.length === 0) return;
  // Python's `max_norm / (total_norm + 1e-6)` is Tensor.__rdiv__: the reciprocal times max_norm.
  const clipCoef = total.add(1e-6).reciprocal().mul(maxNorm);
  const clipCoefClamped = ops.clamp(clipCoef, null, 1.0);
  for (const group of groupByDeviceAndDtype(grads)) {
    requireForeach(foreach, group[0].device);
    const coef = clipCoefClamped.to(group[0].device);
    for (const g of group) g.mul_(coef);
  }
}

/**
 * The norm of `tensors` taken together, as if they were concatenated into one vector:
 * `torch.nn.utils.get_total_norm`. The first half of `clipGradNorm_`.
 * @example
 * ```ts
 * const grads = [...model.parameters()].map((p) => p.grad).filter((g) => g !== null);
 * const norm = nn.utils.getTotalNorm(grads, 2);
 * ```
 */
export function getTotalNorm(tensors: TensorOrTensors, normType: NormType = 2, options: ClipGradNormOptions = {}): Tensor {
  const list = tensorList(tensors, 'tensors');
  const order = checkNormType(normType);
  const o = checkOptions(options, 'getTotalNorm options', ['errorIfNonfinite', 'foreach']);
  const errorIfNonfinite = o.errorIfNonfinite === undefined ? false : checkBool(o.errorIfNonfinite, 'errorIfNonfinite');
  const foreach = checkForeach(o.foreach);
  return noGrad(() => tidy(() => totalNorm(list, order, errorIfNonfinite, foreach)));
}

/**
 * Scales the gradients of `parameters` in place by `min(maxNorm / (totalNorm + 1e-6), 1)`:
 * `torch.nn.utils.clip_grads_with_norm_`, the second half of `clipGradNorm_` (for a total norm
 * computed elsewhere, e.g. across several models).
 * @example
 * ```ts
 * const norm = nn.utils.getTotalNorm(grads);
 * nn.utils.clipGradsWithNorm_(model.parameters(), 1.0, norm);
 * ```
 */
export function clipGradsWithNorm_(parameters: TensorOrTensors, maxNorm: number, totalNorm: Tensor, options: ClipForeachOptions = {}): void {
  const list = tensorList(parameters, 'parameters');
  checkNumber(maxNorm, 'maxNorm');
  checkTensor(totalNorm, 'totalNorm');
  const o = checkOptions(options, 'clipGradsWithNorm_ options', ['foreach']);
  const foreach = checkForeach(o.foreach);
  noGrad(() => tidy(() => scaleGrads(list, maxNorm, totalNorm, foreach)));
}

/**
 * Clips the gradient norm of `parameters` in place: the norm of all gradients together (as one
 * vector) is scaled down to at most `maxNorm`; parameters without a gradient are skipped. Returns
 * the total norm before clipping. As `torch.nn.utils.clip_grad_norm_`.
 * @example
 * ```ts
 * loss.backward();
 * const norm = nn.utils.clipGradNorm_(model.parameters(), 1.0); // or (…, 1.0, 'inf')
 * optimizer.step();
 * ```
 */
export function clipGradNorm_(parameters: TensorOrTensors, maxNorm: number, normType: NormType = 2, options: ClipGradNormOptions = {}): Tensor {
  const isGenerator = Object.prototype.toString.call(parameters) === '[object Generator]';
  const list = tensorList(parameters, 'parameters');
  if (isGenerator && list.length === 0) process.emitWarning('`parameters` is an empty generator, no gradient clipping will occur.');
  checkNumber(maxNorm, 'maxNorm');
  const order = checkNormType(normType);
  const o = checkOptions(options, 'clipGradNorm_ options', ['errorIfNonfinite', 'foreach']);
  const errorIfNonfinite = o.errorIfNonfinite === undefined ? false : checkBool(o.errorIfNonfinite, 'errorIfNonfinite');
  const foreach = checkForeach(o.foreach);
  return noGrad(() => tidy(() => {
    const total = totalNorm(gradsOf(list), order, errorIfNonfinite, foreach);
    scaleGrads(list, maxNorm, total, foreach);
    return total;
  }));
}

/**
 * Clamps every gradient of `parameters` in place to `[-clipValue, clipValue]`; parameters
 * without a gradient are skipped. As `torch.nn.utils.clip_grad_value_`.
 * @example
 * ```ts
 * loss.backward();
 * nn.utils.clipGradValue_(model.parameters(), 0.5);
 * optimizer.step();
 * ```
 */
export function clipGradValue_(parameters: TensorOrTensors, clipValue: number, options: ClipForeachOptions = {}): void {
  const list = tensorList(parameters, 'parameters');
  checkNumber(clipValue, 'clipValue');
  const o = checkOptions(options, 'clipGradValue_ options', ['foreach']);
  const foreach = checkForeach(o.foreach);
  noGrad(() => tidy(() => {
    for (const group of groupByDeviceAndDtype(gradsOf(list))) {
      requireForeach(foreach, group[0].device);
      for (const g of group) g.clamp_(-clipValue, clipValue);
    }
  }));
}
