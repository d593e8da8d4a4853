/**
 * `nn.MultiheadAttention` (torch/nn/modules/activation.py) and its output projection,
 * `NonDynamicallyQuantizableLinear`.
 */
import { rangeError } from '../errors';
import { Tensor } from '../tensor';
import { empty } from '../factories';
import { checkBool, checkInt, checkNumber, checkOptions, optionKeys } from '../validate';
import * as F from './functional';
import * as init from './init';
import { Linear } from './linear';
import { Module, Parameter } from './module';

/**
 * A `Linear` under PyTorch's name for the output projection of `MultiheadAttention` (the class
 * exists there to keep quantization tooling away from it); it prints under that name.
 * @example
 * ```ts
 * new nn.MultiheadAttention(8, 2).outProj; // NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
 * ```
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

/** Options of `MultiheadAttention`, PyTorch's keyword arguments in camelCase. */
export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training. Default 0. */
  dropout?: number;
  /** Biases on the in- and out-projections. Default true. */
  bias?: boolean;
  /** Learnable `bias_k` and `bias_v` appended to the keys and values. Default false. */
  addBiasKv?: boolean;
  /** Append a zero key and value. Default false. */
  addZeroAttn?: boolean;
  /** Feature size of the keys. Default `embedDim`. */
  kdim?: number | null;
  /** Feature size of the values. Default `embedDim`. */
  vdim?: number | null;
  /** Inputs and output are `[N, L, E]` instead of `[L, N, E]`. Default false. */
  batchFirst?: boolean;
}

const MHA_KEYS = optionKeys<MultiheadAttentionOptions>({
  dropout: true, bias: true, addBiasKv: true, addZeroAttn: true, kdim: true, vdim: true, batchFirst: true,
});

/** Options of `MultiheadAttention.forward`, PyTorch's keyword arguments in camelCase. */
export interface MultiheadAttentionForwardOptions {
  /** `[N, S]` (or `[S]`): bool with `true` = ignore that key, or float added to the scores. Default none. */
  keyPaddingMask?: Tensor | null;
  /** Also return the attention weights. Default true; false takes `scaledDotProductAttention`. */
  needWeights?: boolean;
  /** `[L, S]` or `[N·numHeads, L, S]`: bool with `true` = may not attend, or float added to the scores. Default none. */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads. Default true. */
  averageAttnWeights?: boolean;
  /** A hint that `attnMask` is the causal mask. Default false. */
  isCausal?: boolean;
}

const MHA_FORWARD_KEYS = optionKeys<MultiheadAttentionForwardOptions>({
  keyPaddingMask: true, needWeights: true, attnMask: true, averageAttnWeights: true, isCausal: true,
});

/**
 * Multi-head attention, as `torch.nn.MultiheadAttention`: the same parameters and state-dict
 * keys (`in_proj_weight`, or `q_proj_weight`/`k_proj_weight`/`v_proj_weight` when `kdim` or
 * `vdim` differ from `embedDim`; `in_proj_bias`, `bias_k`, `bias_v`, `out_proj.weight`,
 * `out_proj.bias`), the same initialisation (Xavier-uniform projections, zero biases, Xavier-normal
 * `bias_k`/`bias_v`) and the same forward. `forward` returns `[output, weights]`, weights null
 * with `needWeights: false`.
 * @example
 * ```ts
 * const mha = new nn.MultiheadAttention(64, 8, { batchFirst: true });
 * const [out, weights] = mha(x, x, x, { keyPaddingMask }); // x [N, L, 64] → out [N, L, 64], weights [N, L, L]
 * ```
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  /** Dropout probability on the attention weights. */
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  readonly addZeroAttn: boolean;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    const o = checkOptions(options, 'MultiheadAttention options', MHA_KEYS) as MultiheadAttentionOptions;
    this.embedDim = checkInt(embedDim, 'embedDim', 1);
    this.kdim = o.kdim === undefined || o.kdim === null ? embedDim : checkInt(o.kdim, 'kdim', 1);
    this.vdim = o.vdim === undefined || o.vdim === null ? embedDim : checkInt(o.vdim, 'vdim', 1);
    this.numHeads = checkInt(numHeads, 'numHeads', 1);
    this.dropout = checkNumber(o.dropout ?? 0, 'dropout');
    if (this.dropout < 0 || this.dropout > 1) throw rangeError('a probability in [0, 1]', 'dropout', this.dropout);
    this.batchFirst = checkBool(o.batchFirst ?? false, 'batchFirst');
    if (embedDim % numHeads !== 0) throw rangeError(`a divisor of embedDim (${embedDim})`, 'numHeads', numHeads);
    this.headDim = embedDim / numHeads;
    const bias = checkBool(o.bias ?? true, 'bias');
    const addBiasKv = checkBool(o.addBiasKv ?? false, 'addBiasKv');
    this.addZeroAttn = checkBool(o.addZeroAttn ?? false, 'addZeroAttn');

    // Registered by PyTorch's names and in its order, so the state-dict keys are its keys.
    if (this.qkvSameEmbedDim) {
      this.registerParameter('in_proj_weight', new Parameter(empty([3 * embedDim, embedDim])));
      for (const name of ['q_proj_weight', 'k_proj_weight', 'v_proj_weight']) this.registerParameter(name, null);
    } else {
      this.registerParameter('q_proj_weight', new Parameter(empty([embedDim, embedDim])));
      this.registerParameter('k_proj_weight', new Parameter(empty([embedDim, this.kdim])));
      this.registerParameter('v_proj_weight', new Parameter(empty([embedDim, this.vdim])));
      this.registerParameter('in_proj_weight', null);
    }
    this.registerParameter('in_proj_bias', bias ? new Parameter(empty([3 * embedDim])) : null);
    this.registerModule('out_proj', new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias }));
    this.registerParameter('bias_k', addBiasKv ? new Parameter(empty([1, 1, embedDim])) : null);
    this.registerParameter('bias_v', addBiasKv ? new Parameter(empty([1, 1, embedDim])) : null);
    this.resetParameters();
  }

  private member<T>(name: string): T { return (this as unknown as Record<string, T>)[name]; }

  /** Whether keys and values have `embedDim` features (one packed `in_proj_weight`). */
  get qkvSameEmbedDim(): boolean { return this.kdim === this.embedDim && this.vdim === this.embedDim; }
  /** The packed q, k, v projection `[3·embedDim, embedDim]` (`in_proj_weight`), or null when `kdim`/`vdim` differ. */
  get inProjWeight(): Parameter | null { return this.member('in_proj_weight'); }
  /** The query projection `[embedDim, embedDim]` (`q_proj_weight`) when `kdim`/`vdim` differ, else null. */
  get qProjWeight(): Parameter | null { return this.member('q_proj_weight'); }
  /** The key projection `[embedDim, kdim]` (`k_proj_weight`) when `kdim`/`vdim` differ, else null. */
  get kProjWeight(): Parameter | null { return this.member('k_proj_weight'); }
  /** The value projection `[embedDim, vdim]` (`v_proj_weight`) when `kdim`/`vdim` differ, else null. */
  get vProjWeight(): Parameter | null { return this.member('v_proj_weight'); }
  /** The packed q, k, v projection bias `[3·embedDim]` (`in_proj_bias`), or null without bias. */
  get inProjBias(): Parameter | null { return this.member('in_proj_bias'); }
  /** The output projection (`out_proj`). */
  get outProj(): NonDynamicallyQuantizableLinear { return this.member('out_proj'); }
  /** The learnable key appended to the keys `[1, 1, embedDim]` (`bias_k`), with `addBiasKv`. */
  get biasK(): Parameter | null { return this.member('bias_k'); }
  /** The learnable value appended to the values `[1, 1, embedDim]` (`bias_v`), with `addBiasKv`. */
  get biasV(): Parameter | null { return this.member('bias_v'); }

  /** Re-draws the parameters with PyTorch's initialisation. */
  resetParameters(): void {
    for (const w of [this.inProjWeight, this.qProjWeight, this.kProjWeight, this.vProjWeight]) if (w !== null) init.xavierUniform_(w);
    const inBias = this.inProjBias;
    if (inBias !== null) {
      init.constant_(inBias, 0);
      if (this.outProj.bias !== null) init.constant_(this.outProj.bias, 0);
    }
    for (const b of [this.biasK, this.biasV]) if (b !== null) init.xavierNormal_(b);
  }

  /**
   * Attends from `query` to `key`/`value`: `[L, N, E]` (`[N, L, E]` with `batchFirst`) or
   * unbatched `[L, E]`; keys `[S, N, kdim]`, values `[S, N, vdim]`. Returns the output and the
   * attention weights (`[N, L, S]` averaged over heads, `[N, numHeads, L, S]` with
   * `averageAttnWeights: false`), or null with `needWeights: false`.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const o = checkOptions(options, 'MultiheadAttention.forward options', MHA_FORWARD_KEYS) as MultiheadAttentionForwardOptions;
    const batched = this.batchFirst && query.dim() === 3;
    if (batched) {
      // Keep self-attention (query, key and value one tensor) recognisable after the transpose.
      if (key === value) {
        if (query === key) query = key = value = query.transpose(1, 0);
        else { query = query.transpose(1, 0); key = value = key.transpose(1, 0); }
      } else {
        [query, key, value] = [query.transpose(1, 0), key.transpose(1, 0), value.transpose(1, 0)];
      }
    }
    const separate = !this.qkvSameEmbedDim;
    const [out, weights] = F.multiHeadAttentionForward(query, key, value, this.embedDim, this.numHeads, this.inProjWeight,
      this.inProjBias, this.biasK, this.biasV, this.addZeroAttn, this.dropout, this.outProj.weight, this.outProj.bias, {
        training: this.training, keyPaddingMask: o.keyPaddingMask, needWeights: o.needWeights, attnMask: o.attnMask,
        useSeparateProjWeight: separate, qProjWeight: this.qProjWeight, kProjWeight: this.kProjWeight,
        vProjWeight: this.vProjWeight, averageAttnWeights: o.averageAttnWeights, isCausal: o.isCausal,
      });
    return [batched ? out.transpose(1, 0) : out, weights];
  }
}
