/**
 * The torch functions PyTorch writes in Python (torch/functional.py) rather than binding from a
 * schema: the same arguments and results, over the generated ops.
 */
import { TorchError, describe, rangeError, typeError } from './errors';
import { aten } from './generated/internal';
import { linalg } from './generated/ops';
import { Size } from './size';
import { Tensor, checkTensor } from './tensor';
import type { DTypeName } from './dtype';
import { checkShape } from './validate';

function input(x: unknown, name = 'input'): Tensor { return checkTensor(x, name); }

/**
 * The p-norm, as `torch.norm(input, p='fro', dim=None, keepdim=False, dtype=None)`; see
 * `Tensor.norm`. New code may prefer `torch.linalg.vectorNorm` / `matrixNorm`.
 * @example
 * ```ts
 * torch.norm(x); torch.norm(x, 'nuc'); torch.norm(x, 1, 0);
 * ```
 */
export function norm(x: Tensor, p: number | 'fro' | 'nuc' | null = 'fro', dim?: number | number[] | null, keepdim = false, options: { dtype?: DTypeName } = {}): Tensor {
  return input(x).norm(p, dim, keepdim, options);
}

/**
 * The unique elements, as `torch.unique(input, sorted=True, return_inverse=False,
 * return_counts=False, dim=None)`: a tensor, or `[output, inverse?, counts?]` when asked.
 * @example
 * ```ts
 * torch.unique(torch.tensor([3, 1, 3])); // tensor([1, 3])
 * ```
 */
export function unique(x: Tensor, sorted = true, returnInverse = false, returnCounts = false, dim: number | null = null): Tensor | Tensor[] {
  return input(x).unique(sorted, returnInverse, returnCounts, dim);
}

/** Collapses runs of equal elements, as `torch.unique_consecutive`. @example `torch.uniqueConsecutive(x, false, true)` */
export function uniqueConsecutive(x: Tensor, returnInverse = false, returnCounts = false, dim: number | null = null): Tensor | Tensor[] {
  return input(x).uniqueConsecutive(returnInverse, returnCounts, dim);
}

/**
 * Indices of the non-zero elements, as `torch.nonzero(input, *, as_tuple=False)`.
 * @example
 * ```ts
 * torch.nonzero(mask); torch.nonzero(mask, { asTuple: true });
 * ```
 */
export function nonzero(x: Tensor, options?: { asTuple?: false }): Tensor;
export function nonzero(x: Tensor, options: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, options: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  return input(x).nonzero(options as { asTuple: true });
}

/**
 * Contracts `a` and `b` over dimensions, as `torch.tensordot(a, b, dims=2)`: `dims` is a count
 * (the last `dims` of `a` with the first of `b`) or two lists of dimensions.
 * @example
 * ```ts
 * torch.tensordot(a, b, 1); torch.tensordot(a, b, [[1, 0], [0, 1]]);
 * ```
 */
export function tensordot(a: Tensor, b: Tensor, dims: number | [number[], number[]] | [number, number] = 2): Tensor {
  let dimsA: number[];
  let dimsB: number[];
  if (typeof dims === 'number') {
    if (!Number.isInteger(dims) || dims < 0) throw rangeError('a non-negative integer', 'dims', dims);
    dimsA = Array.from({ length: dims }, (_, i) => i - dims);
    dimsB = Array.from({ length: dims }, (_, i) => i);
  } else if (Array.isArray(dims) && dims.length === 2) {
    dimsA = typeof dims[0] === 'number' ? [dims[0]] : dims[0];
    dimsB = typeof dims[1] === 'number' ? [dims[1]] : dims[1];
  } else {
    throw typeError('an integer or two lists of dimensions', 'dims', dims);
  }
  return aten.tensordot(input(a, 'a'), input(b, 'b'), dimsA, dimsB);
}

const CDIST_MODES: Record<string, number | null> = {
  use_mm_for_euclid_dist_if_necessary: null, use_mm_for_euclid_dist: 1, donot_use_mm_for_euclid_dist: 2,
};

/**
 * Pairwise p-norm distances between the rows of `x1` and `x2`, as
 * `torch.cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary')`.
 * @example
 * ```ts
 * torch.cdist(a, b); torch.cdist(a, b, 1);
 * ```
 */
export function cdist(x1: Tensor, x2: Tensor, p = 2, computeMode: keyof typeof CDIST_MODES = 'use_mm_for_euclid_dist_if_necessary'): Tensor {
  if (!Object.prototype.hasOwnProperty.call(CDIST_MODES, computeMode)) {
    throw typeError(`one of ${Object.keys(CDIST_MODES).join(', ')}`, 'computeMode', computeMode);
  }
  return aten.cdist(input(x1, 'x1'), input(x2, 'x2'), p, CDIST_MODES[computeMode]);
}

/**
 * The LU factorisation with partial pivoting, as `torch.lu(A, pivot=True, get_infos=False)`:
 * `[LU, pivots]`, and `infos` with `getInfos`. New code may prefer `torch.linalg.luFactor`.
 * @example
 * ```ts
 * const [LU, pivots] = torch.lu(A);
 * ```
 */
export function lu(A: Tensor, pivot = true, getInfos = false): Tensor[] {
  const [LU, pivots, infos] = linalg.luFactorEx(input(A, 'A'), { pivot });
  return getInfos ? [LU, pivots, infos] : [LU, pivots];
}

/**
 * The shape tensors of these shapes broadcast to, as `torch.broadcast_shapes(*shapes)`.
 * @example
 * ```ts
 * torch.broadcastShapes([2, 1], [1, 3]); // [2, 3]
 * ```
 */
export function broadcastShapes(...shapes: (number | number[])[]): Size {
  const lists = shapes.map((s, i) => {
    const list = typeof s === 'number' ? [s] : s;
    if (!Array.isArray(list)) throw typeError('a shape', `shapes[${i}]`, s);
    return checkShape(list, `shapes[${i}]`);
  });
  const n = Math.max(0, ...lists.map((l) => l.length));
  const out = new Array<number>(n).fill(1);
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const d = list[list.length - 1 - i];
      const k = n - 1 - i;
      if (d === 1) continue;
      if (out[k] !== 1 && out[k] !== d) {
        throw new TorchError(`Shape mismatch: objects cannot be broadcast to a single shape: ${lists.map((l) => describe(l)).join(', ')}`);
      }
      out[k] = d;
    }
  }
  return Size.of_(out);
}
