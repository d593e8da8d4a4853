/**
 * `nn.Embedding` (PyTorch's `torch/nn/modules/sparse.py`).
 */
import { Tensor, checkTensor } from '../tensor';
import { empty } from '../factories';
import { noGrad } from '../autograd';
import { checkBool, checkInt, checkNumber, checkOptions, optionKeys } from '../validate';
import { pyFloat } from '../printing';
import { TorchError } from '../errors';
import * as F from './functional';
import { embeddingPaddingIdx, embeddingSparse, EMBEDDING_BAG_KEYS, embeddingBagMode } from './_utils';
import * as init from './init';
import { Module, Parameter } from './module';

/** Options of `nn.Embedding`, PyTorch's keyword arguments in camelCase. */
export type EmbeddingOptions = F.EmbeddingOptions;

/** Options of `Embedding.fromPretrained`. */
export interface EmbeddingFromPretrainedOptions extends F.EmbeddingOptions {
  /** Keep the weight out of training (`requiresGrad` false). Default true. */
  freeze?: boolean;
}

const EMBEDDING_KEYS = optionKeys<F.EmbeddingOptions>({ paddingIdx: true, maxNorm: true, normType: true, scaleGradByFreq: true, sparse: true });

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised from N(0, 1)
 * (the `paddingIdx` row zeroed).
 * @example
 * ```ts
 * const emb = new nn.Embedding(10, 3, { paddingIdx: 0 });
 * emb.forward(torch.tensor([[1, 2, 0]], { dtype: 'int64' })); // [1, 3, 3]
 * ```
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** Non-negative padding row, or null. */
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    const o = checkOptions(options, 'Embedding options', EMBEDDING_KEYS) as EmbeddingOptions;
    this.numEmbeddings = checkInt(numEmbeddings, 'numEmbeddings', 0);
    this.embeddingDim = checkInt(embeddingDim, 'embeddingDim', 0);
    const p = embeddingPaddingIdx(o.paddingIdx, this.numEmbeddings);
    this.paddingIdx = p < 0 ? null : p;
    this.maxNorm = o.maxNorm === undefined || o.maxNorm === null ? null : checkNumber(o.maxNorm, 'maxNorm');
    this.normType = checkNumber(o.normType ?? 2, 'normType');
    this.scaleGradByFreq = checkBool(o.scaleGradByFreq ?? false, 'scaleGradByFreq');
    this.sparse = embeddingSparse(o.sparse);
    this.weight = new Parameter(empty([this.numEmbeddings, this.embeddingDim]));
    this.resetParameters();
  }

  /** N(0, 1), then zeros in the padding row, as PyTorch's `reset_parameters`. */
  resetParameters(): void {
    init.normal_(this.weight);
    const p = this.paddingIdx;
    if (p !== null) noGrad(() => this.weight.select(0, p).fill_(0));
  }

  /**
   * An Embedding holding `embeddings` `[numEmbeddings, embeddingDim]` (not copied, as in PyTorch).
   * @example `nn.Embedding.fromPretrained(vectors, { freeze: false })`
   */
  static fromPretrained(embeddings: Tensor, options: EmbeddingFromPretrainedOptions = {}): Embedding {
    const o = checkOptions(options, 'fromPretrained options', [...EMBEDDING_KEYS, 'freeze']) as EmbeddingFromPretrainedOptions;
    const w = checkTensor(embeddings, 'embeddings');
    if (w.dim() !== 2) throw new TorchError(`Embeddings parameter is expected to be 2-dimensional, got shape [${w.shape.join(', ')}]`);
    const freeze = checkBool(o.freeze ?? true, 'freeze');
    const { freeze: _freeze, ...rest } = o;
    const emb = new Embedding(w.shape[0], w.shape[1], rest);
    emb.weight = new Parameter(w, !freeze);
    return emb;
  }

  forward(indices: Tensor): Tensor {
    return F.embedding(indices, this.weight, {
      paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    return s;
  }
}

/** Options of `nn.EmbeddingBag`, PyTorch's keyword arguments in camelCase. */
export type EmbeddingBagOptions = F.EmbeddingBagOptions;

/** Options of `EmbeddingBag.fromPretrained`. */
export interface EmbeddingBagFromPretrainedOptions extends F.EmbeddingBagOptions {
  /** Keep the weight out of training (`requiresGrad` false). Default true. */
  freeze?: boolean;
}

// The weight fromPretrained hands the constructor (PyTorch's `_weight`): a symbol key, which
// checkOptions does not see and users cannot pass by accident.
const PRETRAINED_WEIGHT = Symbol('pretrained weight');

/**
 * Sums, averages (default) or takes the maximum of bags of embeddings without materialising the
 * looked-up rows: a 1-D input with `offsets` (where each bag starts), or a 2-D input `[B, L]` (one
 * bag per row). The weight `[numEmbeddings, embeddingDim]` starts from N(0, 1), its `paddingIdx`
 * row zeroed.
 * @example
 * ```ts
 * const bag = new nn.EmbeddingBag(10, 3, { mode: 'sum' });
 * const input = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]);
 * bag(input, torch.tensor([0, 4])); // [2, 3]: two bags of four indices
 * bag(input, torch.tensor([0, 4]), torch.rand([8])); // each row weighted first
 * ```
 */
export class EmbeddingBag extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly mode: F.EmbeddingBagMode;
  readonly sparse: boolean;
  readonly includeLastOffset: boolean;
  /** Non-negative padding row, or null. */
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingBagOptions = {}) {
    super();
    const o = checkOptions(options, 'EmbeddingBag options', EMBEDDING_BAG_KEYS) as EmbeddingBagOptions;
    this.numEmbeddings = checkInt(numEmbeddings, 'numEmbeddings', 0);
    this.embeddingDim = checkInt(embeddingDim, 'embeddingDim', 0);
    this.maxNorm = o.maxNorm === undefined || o.maxNorm === null ? null : checkNumber(o.maxNorm, 'maxNorm');
    this.normType = checkNumber(o.normType ?? 2, 'normType');
    this.scaleGradByFreq = checkBool(o.scaleGradByFreq ?? false, 'scaleGradByFreq');
    this.mode = embeddingBagMode(o.mode, this.scaleGradByFreq);
    this.sparse = embeddingSparse(o.sparse);
    this.includeLastOffset = checkBool(o.includeLastOffset ?? false, 'includeLastOffset');
    const p = embeddingPaddingIdx(o.paddingIdx, this.numEmbeddings);
    this.paddingIdx = p < 0 ? null : p;
    const pretrained = (options as { [PRETRAINED_WEIGHT]?: Tensor })[PRETRAINED_WEIGHT];
    if (pretrained !== undefined) {
      this.weight = new Parameter(pretrained);
    } else {
      this.weight = new Parameter(empty([this.numEmbeddings, this.embeddingDim]));
      this.resetParameters();
    }
  }

  /** N(0, 1), then zeros in the padding row, as PyTorch's `reset_parameters`. */
  resetParameters(): void {
    init.normal_(this.weight);
    const p = this.paddingIdx;
    if (p !== null) noGrad(() => this.weight.select(0, p).fill_(0));
  }

  /**
   * An EmbeddingBag holding `embeddings` `[numEmbeddings, embeddingDim]` (not copied, and its
   * padding row left as it is, as in PyTorch).
   * @example `nn.EmbeddingBag.fromPretrained(vectors, { mode: 'sum', freeze: false })`
   */
  static fromPretrained(embeddings: Tensor, options: EmbeddingBagFromPretrainedOptions = {}): EmbeddingBag {
    const o = checkOptions(options, 'fromPretrained options', [...EMBEDDING_BAG_KEYS, 'freeze']) as EmbeddingBagFromPretrainedOptions;
    const w = checkTensor(embeddings, 'embeddings');
    if (w.dim() !== 2) throw new TorchError(`Embeddings parameter is expected to be 2-dimensional, got shape [${w.shape.join(', ')}]`);
    const freeze = checkBool(o.freeze ?? true, 'freeze');
    const { freeze: _freeze, ...rest } = o;
    const bag = new EmbeddingBag(w.shape[0], w.shape[1], { ...rest, [PRETRAINED_WEIGHT]: w } as EmbeddingBagOptions);
    bag.weight.requiresGrad_(!freeze);
    return bag;
  }

  /**
   * The bags of `input`: 1-D with `offsets`, or 2-D `[B, L]` without; `perSampleWeights` (the
   * shape of `input`, 'sum' mode only) scales each looked-up row.
   */
  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return F.embeddingBag(input, this.weight, offsets, {
      maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq, mode: this.mode,
      includeLastOffset: this.includeLastOffset, paddingIdx: this.paddingIdx, perSampleWeights,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    s += `, mode='${this.mode}'`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
