/**
 * `nn.CosineSimilarity` and `nn.PairwiseDistance` (PyTorch's `torch/nn/modules/distance.py`).
 */
import { Tensor } from '../tensor';
import { checkBool, checkInt, checkNumber, checkOptions } from '../validate';
import * as F from './functional';
import { COSINE_SIMILARITY_KEYS, PAIRWISE_DISTANCE_KEYS } from './_utils';
import { Module } from './module';

/**
 * Cosine similarity of two inputs along `dim` (default 1), each norm bounded below by `eps`
 * (default 1e-8); the inputs broadcast together.
 * @example
 * ```ts
 * const cos = new nn.CosineSimilarity({ dim: 1, eps: 1e-6 });
 * cos(torch.randn([100, 128]), torch.randn([100, 128])); // [100]
 * ```
 */
export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;
  constructor(options: F.CosineSimilarityOptions = {}) {
    super();
    const o = checkOptions(options, 'CosineSimilarity options', COSINE_SIMILARITY_KEYS);
    this.dim = checkInt(o.dim ?? 1, 'dim');
    this.eps = checkNumber(o.eps ?? 1e-8, 'eps');
  }
  forward(x1: Tensor, x2: Tensor): Tensor { return F.cosineSimilarity(x1, x2, { dim: this.dim, eps: this.eps }); }
}

/**
 * The p-norm distance `‖x1 - x2 + eps‖_p` over the last dimension (p default 2, eps 1e-6).
 * @example
 * ```ts
 * const pdist = new nn.PairwiseDistance({ p: 2 });
 * pdist(torch.randn([100, 128]), torch.randn([100, 128])); // [100]
 * ```
 */
export class PairwiseDistance extends Module {
  /** The norm's exponent `p` (PyTorch's attribute name). */
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(options: F.PairwiseDistanceOptions = {}) {
    super();
    const o = checkOptions(options, 'PairwiseDistance options', PAIRWISE_DISTANCE_KEYS);
    this.norm = checkNumber(o.p ?? 2, 'p');
    this.eps = checkNumber(o.eps ?? 1e-6, 'eps');
    this.keepdim = checkBool(o.keepdim ?? false, 'keepdim');
  }
  forward(x1: Tensor, x2: Tensor): Tensor { return F.pairwiseDistance(x1, x2, { p: this.norm, eps: this.eps, keepdim: this.keepdim }); }
}
