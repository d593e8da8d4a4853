/**
 * `nn.TransformerEncoderLayer`, `nn.TransformerDecoderLayer`, `nn.TransformerEncoder`,
 * `nn.TransformerDecoder` and `nn.Transformer` (torch/nn/modules/transformer.py): PyTorch's
 * submodule names (so its state-dict keys), defaults, reprs and forward computations.
 */
import { typeError, rangeError } from '../errors';
import { Tensor, checkTensor, type Device } from '../tensor';
import type { DTypeName } from '../dtype';
import { full } from '../factories';
import { checkBool, checkInt, checkNumber, checkOptions, optionKeys } from '../validate';
import * as F from './functional';
import { canonicalMask } from './_utils';
import * as init from './init';
import { MultiheadAttention } from './attention';
import { ModuleDict, ModuleList, ParameterDict } from './container';
import { Dropout } from './dropout';
import { Linear } from './linear';
import { Module, Parameter } from './module';
import { LayerNorm } from './normalization';

/** The feed-forward activation of a transformer layer: `'relu'`, `'gelu'`, or a function or module. */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

/** Options of `TransformerEncoderLayer` and `TransformerDecoderLayer`, PyTorch's keyword arguments in camelCase. */
export interface TransformerLayerOptions {
  /** Width of the feed-forward block. Default 2048. */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block. Default 0.1. */
  dropout?: number;
  /** Default `'relu'`. A module given here is a submodule (`activation`), as in PyTorch. */
  activation?: TransformerActivation;
  /** The LayerNorms' eps. Default 1e-5. */
  layerNormEps?: number;
  /** Inputs and outputs are `[N, L, E]` instead of `[L, N, E]`. Default false. */
  batchFirst?: boolean;
  /** LayerNorm before attention and feed-forward (pre-norm) instead of after. Default false. */
  normFirst?: boolean;
  /** Biases in the linear layers and LayerNorms. Default true. */
  bias?: boolean;
}

const LAYER_KEYS = optionKeys<TransformerLayerOptions>({
  dimFeedforward: true, dropout: true, activation: true, layerNormEps: true, batchFirst: true, normFirst: true, bias: true,
});

interface LayerSettings {
  dimFeedforward: number; dropout: number; activation: (x: Tensor) => Tensor; layerNormEps: number;
  batchFirst: boolean; normFirst: boolean; bias: boolean;
}

function activationOf(value: unknown): (x: Tensor) => Tensor {
  if (value === undefined || value === 'relu') return F.relu;
  if (value === 'gelu') return F.gelu;
  if (typeof value === 'string') throw rangeError("'relu' or 'gelu'", 'activation', value);
  if (typeof value !== 'function') throw typeError("'relu', 'gelu', a function or a module", 'activation', value);
  return value as (x: Tensor) => Tensor;
}

function layerSettings(o: TransformerLayerOptions): LayerSettings {
  const dropout = checkNumber(o.dropout ?? 0.1, 'dropout');
  if (dropout < 0 || dropout > 1) throw rangeError('a probability in [0, 1]', 'dropout', dropout);
  return {
    dimFeedforward: checkInt(o.dimFeedforward ?? 2048, 'dimFeedforward', 1), dropout, activation: activationOf(o.activation),
    layerNormEps: checkNumber(o.layerNormEps ?? 1e-5, 'layerNormEps'), batchFirst: checkBool(o.batchFirst ?? false, 'batchFirst'),
    normFirst: checkBool(o.normFirst ?? false, 'normFirst'), bias: checkBool(o.bias ?? true, 'bias'),
  };
}

function maskArg(value: unknown, name: string): Tensor | null {
  return value === undefined || value === null ? null : checkTensor(value, name);
}

function causalArg(value: unknown, name: string): boolean | null {
  return value === undefined || value === null ? null : checkBool(value, name);
}

function member<T>(module: Module, name: string): T { return (module as unknown as Record<string, T>)[name]; }

/** Options of `TransformerEncoderLayer.forward`, PyTorch's arguments after `src` in camelCase. */
export interface TransformerEncoderLayerForwardOptions {
  /** `[L, L]` or `[N·nhead, L, L]`: bool with `true` = may not attend, or float added to the scores. */
  srcMask?: Tensor | null;
  /** `[N, L]` (or `[L]`): bool with `true` = padding, or float added to the scores. */
  srcKeyPaddingMask?: Tensor | null;
  /** A hint that `srcMask` is the causal mask. Default false. */
  isCausal?: boolean;
}

const ENCODER_LAYER_FORWARD_KEYS = optionKeys<TransformerEncoderLayerForwardOptions>({ srcMask: true, srcKeyPaddingMask: true, isCausal: true });

/**
 * One transformer encoder block: self-attention and a feed-forward block, each with dropout, a
 * residual connection and LayerNorm (after, or before with `normFirst`). Submodules as in
 * PyTorch: `self_attn`, `linear1`, `dropout`, `linear2`, `norm1`, `norm2`, `dropout1`, `dropout2`.
 * @example
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(512, 8, { batchFirst: true });
 * const out = layer(src); // [N, L, 512]
 * ```
 */
export class TransformerEncoderLayer extends Module {
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  /** The feed-forward activation (a submodule when a module was given). */
  declare activation: (x: Tensor) => Tensor;
  /** Pre-norm (PyTorch's `norm_first`). */
  declare normFirst: boolean;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super();
    const s = layerSettings(checkOptions(options, 'TransformerEncoderLayer options', LAYER_KEYS) as TransformerLayerOptions);
    checkInt(dModel, 'dModel', 1);
    // Assigned in PyTorch's order: the order of the submodules, the state dict and the repr.
    this.registerModule('self_attn', new MultiheadAttention(dModel, nhead, { dropout: s.dropout, bias: s.bias, batchFirst: s.batchFirst }));
    this.linear1 = new Linear(dModel, s.dimFeedforward, { bias: s.bias });
    this.dropout = new Dropout(s.dropout);
    this.linear2 = new Linear(s.dimFeedforward, dModel, { bias: s.bias });
    this.normFirst = s.normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: s.layerNormEps, bias: s.bias });
    this.norm2 = new LayerNorm(dModel, { eps: s.layerNormEps, bias: s.bias });
    this.dropout1 = new Dropout(s.dropout);
    this.dropout2 = new Dropout(s.dropout);
    this.activation = s.activation;
  }

  /** The self-attention (`self_attn`). */
  get selfAttn(): MultiheadAttention { return member(this, 'self_attn'); }

  /** `src` `[L, N, E]` (`[N, L, E]` with `batchFirst`, or unbatched `[L, E]`) → the same shape. */
  forward(src: Tensor, options: TransformerEncoderLayerForwardOptions = {}): Tensor {
    const o = checkOptions(options, 'TransformerEncoderLayer.forward options', ENCODER_LAYER_FORWARD_KEYS) as TransformerEncoderLayerForwardOptions;
    const x0 = checkTensor(src, 'src');
    const keyPadding = canonicalMask(maskArg(o.srcKeyPaddingMask, 'srcKeyPaddingMask'), 'srcKeyPaddingMask', x0.dtype);
    const mask = canonicalMask(maskArg(o.srcMask, 'srcMask'), 'srcMask', x0.dtype);
    const isCausal = checkBool(o.isCausal ?? false, 'isCausal');
    let x = x0;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1(x), mask, keyPadding, isCausal));
      x = x.add(this.ffBlock(this.norm2(x)));
    } else {
      x = this.norm1(x.add(this.saBlock(x, mask, keyPadding, isCausal)));
      x = this.norm2(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean): Tensor {
    return this.dropout1(this.selfAttn(x, x, x, { attnMask, keyPaddingMask, needWeights: false, isCausal })[0]);
  }

  private ffBlock(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(this.activation(this.linear1(x)))));
  }
}

/** Options of `TransformerDecoderLayer.forward`, PyTorch's arguments after `memory` in camelCase. */
export interface TransformerDecoderLayerForwardOptions {
  /** Self-attention mask `[T, T]` or `[N·nhead, T, T]` (bool `true` = may not attend, or float added). */
  tgtMask?: Tensor | null;
  /** Cross-attention mask `[T, S]` or `[N·nhead, T, S]`. */
  memoryMask?: Tensor | null;
  /** `[N, T]`: `true` (or a float added) for padding in `tgt`. */
  tgtKeyPaddingMask?: Tensor | null;
  /** `[N, S]`: `true` (or a float added) for padding in `memory`. */
  memoryKeyPaddingMask?: Tensor | null;
  /** A hint that `tgtMask` is the causal mask. Default false. */
  tgtIsCausal?: boolean;
  /** A hint that `memoryMask` is the causal mask. Default false. */
  memoryIsCausal?: boolean;
}

const DECODER_LAYER_FORWARD_KEYS = optionKeys<TransformerDecoderLayerForwardOptions>({
  tgtMask: true, memoryMask: true, tgtKeyPaddingMask: true, memoryKeyPaddingMask: true, tgtIsCausal: true, memoryIsCausal: true,
});

/**
 * One transformer decoder block: self-attention, attention over the encoder's `memory`, and a
 * feed-forward block, each with dropout, a residual connection and LayerNorm. Submodules as in
 * PyTorch: `self_attn`, `multihead_attn`, `linear1`, `dropout`, `linear2`, `norm1`–`norm3`,
 * `dropout1`–`dropout3`.
 * @example
 * ```ts
 * const layer = new nn.TransformerDecoderLayer(512, 8);
 * const out = layer(tgt, memory, { tgtMask: nn.Transformer.generateSquareSubsequentMask(tgt.size(0)) });
 * ```
 */
export class TransformerDecoderLayer extends Module {
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare norm3: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  declare dropout3: Dropout;
  /** The feed-forward activation (a submodule when a module was given). */
  declare activation: (x: Tensor) => Tensor;
  /** Pre-norm (PyTorch's `norm_first`). */
  declare normFirst: boolean;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super();
    const s = layerSettings(checkOptions(options, 'TransformerDecoderLayer options', LAYER_KEYS) as TransformerLayerOptions);
    checkInt(dModel, 'dModel', 1);
    const attention = { dropout: s.dropout, batchFirst: s.batchFirst, bias: s.bias };
    // Assigned in PyTorch's order: the order of the submodules, the state dict and the repr.
    this.registerModule('self_attn', new MultiheadAttention(dModel, nhead, attention));
    this.registerModule('multihead_attn', new MultiheadAttention(dModel, nhead, attention));
    this.linear1 = new Linear(dModel, s.dimFeedforward, { bias: s.bias });
    this.dropout = new Dropout(s.dropout);
    this.linear2 = new Linear(s.dimFeedforward, dModel, { bias: s.bias });
    this.normFirst = s.normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: s.layerNormEps, bias: s.bias });
    this.norm2 = new LayerNorm(dModel, { eps: s.layerNormEps, bias: s.bias });
    this.norm3 = new LayerNorm(dModel, { eps: s.layerNormEps, bias: s.bias });
    this.dropout1 = new Dropout(s.dropout);
    this.dropout2 = new Dropout(s.dropout);
    this.dropout3 = new Dropout(s.dropout);
    this.activation = s.activation;
  }

  /** The self-attention (`self_attn`). */
  get selfAttn(): MultiheadAttention { return member(this, 'self_attn'); }
  /** The attention over the memory (`multihead_attn`). */
  get multiheadAttn(): MultiheadAttention { return member(this, 'multihead_attn'); }

  /** `tgt` `[T, N, E]` and `memory` `[S, N, E]` (batch first with `batchFirst`) → `[T, N, E]`. */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerForwardOptions = {}): Tensor {
    const o = checkOptions(options, 'TransformerDecoderLayer.forward options', DECODER_LAYER_FORWARD_KEYS) as TransformerDecoderLayerForwardOptions;
    const mem = checkTensor(memory, 'memory');
    const tgtMask = maskArg(o.tgtMask, 'tgtMask');
    const memoryMask = maskArg(o.memoryMask, 'memoryMask');
    const tgtPadding = maskArg(o.tgtKeyPaddingMask, 'tgtKeyPaddingMask');
    const memoryPadding = maskArg(o.memoryKeyPaddingMask, 'memoryKeyPaddingMask');
    const tgtIsCausal = checkBool(o.tgtIsCausal ?? false, 'tgtIsCausal');
    const memoryIsCausal = checkBool(o.memoryIsCausal ?? false, 'memoryIsCausal');
    let x = checkTensor(tgt, 'tgt');
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1(x), tgtMask, tgtPadding, tgtIsCausal));
      x = x.add(this.mhaBlock(this.norm2(x), mem, memoryMask, memoryPadding, memoryIsCausal));
      x = x.add(this.ffBlock(this.norm3(x)));
    } else {
      x = this.norm1(x.add(this.saBlock(x, tgtMask, tgtPadding, tgtIsCausal)));
      x = this.norm2(x.add(this.mhaBlock(x, mem, memoryMask, memoryPadding, memoryIsCausal)));
      x = this.norm3(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean): Tensor {
    return this.dropout1(this.selfAttn(x, x, x, { attnMask, keyPaddingMask, isCausal, needWeights: false })[0]);
  }

  private mhaBlock(x: Tensor, mem: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean): Tensor {
    return this.dropout2(this.multiheadAttn(x, mem, mem, { attnMask, keyPaddingMask, isCausal, needWeights: false })[0]);
  }

  private ffBlock(x: Tensor): Tensor {
    return this.dropout3(this.linear2(this.dropout(this.activation(this.linear1(x)))));
  }
}

// ---- Deep copies of a layer (PyTorch's _get_clones: copy.deepcopy per layer) ----

// Constructed with the original's class as new.target: the Module base makes the callable instance
// with that prototype, and no subclass constructor runs; deepCopyModule then fills it in.
class ModuleShell extends Module {
  forward(): never { throw new TypeError('unreachable: a copied module has its class\'s forward'); }
}

function deepCopyValue(value: unknown, memo: Map<unknown, unknown>): unknown {
  if (memo.has(value)) return memo.get(value);
  let copy: unknown;
  if (value instanceof Module) return deepCopyModule(value, memo);
  if (value instanceof Parameter) copy = new Parameter(value.detach().clone(), value.requiresGrad);
  else if (value instanceof Tensor) copy = value.detach().clone().requiresGrad_(value.requiresGrad);
  else if (Array.isArray(value)) copy = value.map((v) => deepCopyValue(v, memo));
  else return value; // numbers, strings, booleans, functions and other objects are shared, as deepcopy shares functions
  memo.set(value, copy);
  return copy;
}

/**
 * A deep copy of `module`, as Python's `copy.deepcopy`: the same class, fields and training mode,
 * every submodule copied, parameters and buffers cloned (the same values, new storage; a tensor
 * reached twice is copied once). Hooks are not copied.
 */
function deepCopyModule(module: Module, memo: Map<unknown, unknown>): Module {
  const found = memo.get(module);
  if (found !== undefined) return found as Module;
  const copy = Reflect.construct(ModuleShell, [], module.constructor) as Module;
  memo.set(module, copy);
  copy.training = module.training;
  for (const [name, value] of Object.entries(module)) {
    Object.defineProperty(copy, name, { value: deepCopyValue(value, memo), writable: true, enumerable: true, configurable: true });
  }
  if (module instanceof ModuleDict || module instanceof ParameterDict) {
    for (const [key, value] of module.items()) (copy as ModuleDict).set(key, deepCopyValue(value, memo) as Module);
  }
  const persistent = new Set(Object.keys(module.stateDict({ keepVars: true })));
  for (const [name, buffer] of module.namedBuffers()) {
    if (name.includes('.')) continue;
    copy.registerBuffer(name, deepCopyValue(buffer, memo) as Tensor, { persistent: persistent.has(name) });
  }
  return copy;
}

/** `numLayers` deep copies of `layer` in a ModuleList, as PyTorch's `_get_clones`. */
function clones(layer: Module, numLayers: number): ModuleList {
  return new ModuleList(Array.from({ length: numLayers }, () => deepCopyModule(layer, new Map())));
}

function seqLenOf(src: Tensor, batchFirst: boolean): number {
  return src.dim() === 2 ? src.size(0) : src.size(batchFirst ? 1 : 0);
}

function selfAttnBatchFirst(layer: Module): boolean {
  const attn = member<unknown>(layer, 'self_attn');
  return attn instanceof MultiheadAttention ? attn.batchFirst : false;
}

// PyTorch's _detect_is_causal_mask: an explicit hint wins; with none, a mask equal to the causal
// mask of the sequence length counts as causal.
function detectIsCausalMask(mask: Tensor | null, isCausal: boolean | null, size: number | null): boolean {
  if (isCausal !== null || mask === null) return isCausal === true;
  const sz = size ?? mask.size(-2);
  if (mask.dim() !== 2 || mask.size(0) !== sz || mask.size(1) !== sz) return false;
  const causal = Transformer.generateSquareSubsequentMask(sz, { device: mask.device, dtype: mask.dtype });
  return mask.eq(causal).all().item<boolean>();
}

/** Options of `TransformerEncoder`. */
export interface TransformerEncoderOptions {
  /**
   * Accepted as in PyTorch, where it enables a nested-tensor inference path that gives the same
   * numbers; nodetorch always computes the padded form. Default true.
   */
  enableNestedTensor?: boolean;
  /** Accepted as in PyTorch (a check of that nested-tensor path). Default true. */
  maskCheck?: boolean;
}

/** Options of `TransformerEncoder.forward`, PyTorch's arguments after `src` in camelCase. */
export interface TransformerEncoderForwardOptions {
  /** `[L, L]` or `[N·nhead, L, L]` (bool `true` = may not attend, or float added). */
  mask?: Tensor | null;
  /** `[N, L]`: `true` (or a float added) for padding. */
  srcKeyPaddingMask?: Tensor | null;
  /** Whether `mask` is the causal mask; default (null): detected by comparing with it. */
  isCausal?: boolean | null;
}

const ENCODER_FORWARD_KEYS = optionKeys<TransformerEncoderForwardOptions>({ mask: true, srcKeyPaddingMask: true, isCausal: true });

/**
 * A stack of `numLayers` deep copies of `encoderLayer` (`layers.0`, `layers.1`, …; each starts
 * with the layer's values, as PyTorch's `copy.deepcopy`), then the optional final `norm`.
 * @example
 * ```ts
 * const encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(512, 8), 6, new nn.LayerNorm(512));
 * const memory = encoder(src, { srcKeyPaddingMask });
 * ```
 */
export class TransformerEncoder extends Module {
  declare layers: ModuleList;
  declare numLayers: number;
  declare norm: Module | null;
  declare enableNestedTensor: boolean;
  declare maskCheck: boolean;

  constructor(encoderLayer: Module, numLayers: number, norm: Module | null = null, options: TransformerEncoderOptions = {}) {
    super();
    const o = checkOptions(options, 'TransformerEncoder options', optionKeys<TransformerEncoderOptions>({ enableNestedTensor: true, maskCheck: true }));
    if (!(encoderLayer instanceof Module)) throw typeError('a Module', 'encoderLayer', encoderLayer);
    if (norm !== null && !(norm instanceof Module)) throw typeError('a Module or null', 'norm', norm);
    this.layers = clones(encoderLayer, checkInt(numLayers, 'numLayers', 1));
    this.numLayers = numLayers;
    this.norm = norm;
    this.enableNestedTensor = checkBool(o.enableNestedTensor ?? true, 'enableNestedTensor');
    this.maskCheck = checkBool(o.maskCheck ?? true, 'maskCheck');
  }

  /** Runs `src` through every layer (each called as `layer(x, { srcMask, srcKeyPaddingMask, isCausal })`), then `norm`. */
  forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    const o = checkOptions(options, 'TransformerEncoder.forward options', ENCODER_FORWARD_KEYS) as TransformerEncoderForwardOptions;
    const x0 = checkTensor(src, 'src');
    const srcKeyPaddingMask = canonicalMask(maskArg(o.srcKeyPaddingMask, 'srcKeyPaddingMask'), 'srcKeyPaddingMask', x0.dtype);
    const srcMask = canonicalMask(maskArg(o.mask, 'mask'), 'mask', x0.dtype);
    const layers = this.layers.children();
    const isCausal = detectIsCausalMask(srcMask, causalArg(o.isCausal, 'isCausal'), seqLenOf(x0, selfAttnBatchFirst(layers[0])));
    let x = x0;
    for (const layer of layers) x = layer(x, { srcMask, isCausal, srcKeyPaddingMask });
    return this.norm !== null ? this.norm(x) : x;
  }
}

/** Options of `TransformerDecoder.forward`: those of the layer, with `tgtIsCausal` detected when null. */
export interface TransformerDecoderForwardOptions extends Omit<TransformerDecoderLayerForwardOptions, 'tgtIsCausal'> {
  /** Whether `tgtMask` is the causal mask; default (null): detected by comparing with it. */
  tgtIsCausal?: boolean | null;
}

const DECODER_FORWARD_KEYS = optionKeys<TransformerDecoderForwardOptions>({
  tgtMask: true, memoryMask: true, tgtKeyPaddingMask: true, memoryKeyPaddingMask: true, tgtIsCausal: true, memoryIsCausal: true,
});

/**
 * A stack of `numLayers` deep copies of `decoderLayer` (`layers.0`, …), then the optional final
 * `norm`.
 * @example
 * ```ts
 * const decoder = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(512, 8), 6);
 * const out = decoder(tgt, memory, { tgtMask: nn.Transformer.generateSquareSubsequentMask(tgt.size(0)) });
 * ```
 */
export class TransformerDecoder extends Module {
  declare layers: ModuleList;
  declare numLayers: number;
  declare norm: Module | null;

  constructor(decoderLayer: Module, numLayers: number, norm: Module | null = null) {
    super();
    if (!(decoderLayer instanceof Module)) throw typeError('a Module', 'decoderLayer', decoderLayer);
    if (norm !== null && !(norm instanceof Module)) throw typeError('a Module or null', 'norm', norm);
    this.layers = clones(decoderLayer, checkInt(numLayers, 'numLayers', 1));
    this.numLayers = numLayers;
    this.norm = norm;
  }

  /** Runs `tgt` through every layer with `memory` (each called as `layer(x, memory, options)`), then `norm`. */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderForwardOptions = {}): Tensor {
    const o = checkOptions(options, 'TransformerDecoder.forward options', DECODER_FORWARD_KEYS) as TransformerDecoderForwardOptions;
    const x0 = checkTensor(tgt, 'tgt');
    const layers = this.layers.children();
    const tgtMask = maskArg(o.tgtMask, 'tgtMask');
    const tgtIsCausal = detectIsCausalMask(tgtMask, causalArg(o.tgtIsCausal, 'tgtIsCausal'), seqLenOf(x0, selfAttnBatchFirst(layers[0])));
    let x = x0;
    for (const layer of layers) {
      x = layer(x, memory, {
        tgtMask, memoryMask: o.memoryMask, tgtKeyPaddingMask: o.tgtKeyPaddingMask, memoryKeyPaddingMask: o.memoryKeyPaddingMask,
        tgtIsCausal, memoryIsCausal: o.memoryIsCausal ?? false,
      });
    }
    return this.norm !== null ? this.norm(x) : x;
  }
}

/** Options of `Transformer`, PyTorch's keyword arguments in camelCase. */
export interface TransformerOptions extends TransformerLayerOptions {
  /** Feature size of inputs and outputs. Default 512. */
  dModel?: number;
  /** Attention heads. Default 8. */
  nhead?: number;
  /** Default 6. */
  numEncoderLayers?: number;
  /** Default 6. */
  numDecoderLayers?: number;
  /** Used instead of the built encoder. Default none. */
  customEncoder?: Module | null;
  /** Used instead of the built decoder. Default none. */
  customDecoder?: Module | null;
}

const TRANSFORMER_KEYS = optionKeys<TransformerOptions>({
  dModel: true, nhead: true, numEncoderLayers: true, numDecoderLayers: true, dimFeedforward: true, dropout: true,
  activation: true, customEncoder: true, customDecoder: true, layerNormEps: true, batchFirst: true, normFirst: true, bias: true,
});

/** Options of `Transformer.forward`, PyTorch's arguments after `tgt` in camelCase. */
export interface TransformerForwardOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  /** Default (null): detected from `srcMask`. */
  srcIsCausal?: boolean | null;
  /** Default (null): detected from `tgtMask`. */
  tgtIsCausal?: boolean | null;
  /** Default false. */
  memoryIsCausal?: boolean;
}

const TRANSFORMER_FORWARD_KEYS = optionKeys<TransformerForwardOptions>({
  srcMask: true, tgtMask: true, memoryMask: true, srcKeyPaddingMask: true, tgtKeyPaddingMask: true, memoryKeyPaddingMask: true,
  srcIsCausal: true, tgtIsCausal: true, memoryIsCausal: true,
});

/**
 * The encoder–decoder transformer of "Attention Is All You Need", as `torch.nn.Transformer`:
 * `encoder` (a `TransformerEncoder` with a final LayerNorm) and `decoder` (a `TransformerDecoder`
 * with one), every matrix parameter re-drawn Xavier-uniform.
 * @example
 * ```ts
 * const model = new nn.Transformer({ dModel: 512, nhead: 8, batchFirst: true });
 * const out = model(src, tgt, { tgtMask: nn.Transformer.generateSquareSubsequentMask(tgt.size(1)) });
 * ```
 */
export class Transformer extends Module {
  declare encoder: Module;
  declare decoder: Module;
  declare dModel: number;
  declare nhead: number;
  declare batchFirst: boolean;

  constructor(options: TransformerOptions = {}) {
    super();
    const o = checkOptions(options, 'Transformer options', TRANSFORMER_KEYS) as TransformerOptions;
    const dModel = checkInt(o.dModel ?? 512, 'dModel', 1);
    const nhead = checkInt(o.nhead ?? 8, 'nhead', 1);
    const layer: TransformerLayerOptions = {
      dimFeedforward: o.dimFeedforward, dropout: o.dropout, activation: o.activation, layerNormEps: o.layerNormEps,
      batchFirst: o.batchFirst, normFirst: o.normFirst, bias: o.bias,
    };
    const s = layerSettings(layer);
    const custom = (value: unknown, name: string): Module | null => {
      if (value === undefined || value === null) return null;
      if (!(value instanceof Module)) throw typeError('a Module or null', name, value);
      return value;
    };
    const customEncoder = custom(o.customEncoder, 'customEncoder');
    const customDecoder = custom(o.customDecoder, 'customDecoder');
    const norm = () => new LayerNorm(dModel, { eps: s.layerNormEps, bias: s.bias });
    this.encoder = customEncoder ?? new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layer),
      checkInt(o.numEncoderLayers ?? 6, 'numEncoderLayers', 1), norm());
    this.decoder = customDecoder ?? new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layer),
      checkInt(o.numDecoderLayers ?? 6, 'numDecoderLayers', 1), norm());
    this.resetParameters();
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = s.batchFirst;
  }

  /** Re-draws every parameter of two or more dimensions Xavier-uniform, as PyTorch's `_reset_parameters`. */
  resetParameters(): void {
    for (const p of this.parameters()) if (p.dim() > 1) init.xavierUniform_(p);
  }

  /**
   * `src` `[S, N, E]` and `tgt` `[T, N, E]` (batch first with `batchFirst`, or unbatched) →
   * `[T, N, E]`: the encoder's memory of `src`, then the decoder over `tgt` and that memory.
   */
  forward(src: Tensor, tgt: Tensor, options: TransformerForwardOptions = {}): Tensor {
    const o = checkOptions(options, 'Transformer.forward options', TRANSFORMER_FORWARD_KEYS) as TransformerForwardOptions;
    checkTensor(src, 'src');
    checkTensor(tgt, 'tgt');
    const batchDim = this.batchFirst ? 0 : 1;
    if (src.dim() === 3 && src.size(batchDim) !== tgt.size(batchDim)) {
      throw rangeError(`tgt with the batch size of src (${src.size(batchDim)})`, 'tgt', `shape [${tgt.shape.join(', ')}]`);
    }
    if (src.size(-1) !== this.dModel || tgt.size(-1) !== this.dModel) {
      throw rangeError(`src and tgt with dModel (${this.dModel}) features`, src.size(-1) !== this.dModel ? 'src' : 'tgt',
        `shape [${(src.size(-1) !== this.dModel ? src : tgt).shape.join(', ')}]`);
    }
    const memory = this.encoder(src, { mask: o.srcMask, srcKeyPaddingMask: o.srcKeyPaddingMask, isCausal: o.srcIsCausal });
    return this.decoder(tgt, memory, {
      tgtMask: o.tgtMask, memoryMask: o.memoryMask, tgtKeyPaddingMask: o.tgtKeyPaddingMask,
      memoryKeyPaddingMask: o.memoryKeyPaddingMask, tgtIsCausal: o.tgtIsCausal, memoryIsCausal: o.memoryIsCausal,
    });
  }

  /**
   * The causal mask of a sequence of `sz`: `[sz, sz]`, `-inf` above the diagonal and 0 elsewhere.
   * @example
   * ```ts
   * nn.Transformer.generateSquareSubsequentMask(3); // [[0, -inf, -inf], [0, 0, -inf], [0, 0, 0]]
   * ```
   */
  static generateSquareSubsequentMask(sz: number, options: { device?: Device; dtype?: DTypeName } = {}): Tensor {
    const o = checkOptions(options, 'generateSquareSubsequentMask options', ['device', 'dtype']) as { device?: Device; dtype?: DTypeName };
    const opts: { device?: Device; dtype?: DTypeName } = {};
    if (o.device !== undefined) opts.device = o.device;
    if (o.dtype !== undefined) opts.dtype = o.dtype;
    return full([checkInt(sz, 'sz', 0), sz], -Infinity, opts).triu(1);
  }
}
