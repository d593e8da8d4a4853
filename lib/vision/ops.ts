/**
 * `torchvision.ops`: the building blocks torchvision's models share — `Conv2dNormActivation`,
 * `Conv3dNormActivation`, `SqueezeExcitation`, `MLP`, `Permute`, `StochasticDepth` /
 * `stochasticDepth` and ConvNeXt's `LayerNorm2d` — with torchvision 0.14's arguments, defaults,
 * submodule names (so state-dict keys match) and printout.
 *
 * Where torchvision takes a layer class (`norm_layer=nn.BatchNorm2d`, `activation_layer=nn.ReLU`),
 * these take a function that builds the layer: `normLayer: (n) => new nn.BatchNorm2d(n, { eps: 1e-3 })`
 * (`partial(nn.BatchNorm2d, eps=1e-3)`), `activationLayer: (o) => new nn.Hardswish(o)`, where `o` is
 * `{ inplace }` as torchvision passes it (or `{}` where torchvision passes nothing).
 * @module
 */
import { TorchError, rangeError, typeError } from '../errors';
import { Tensor, checkTensor } from '../tensor';
import { empty } from '../factories';
import { permute } from '../generated/ops';
import { checkBool, checkInt, checkIntList, checkNumber, checkOptions, expandInts, optionKeys } from '../validate';
import { pyFloat } from '../printing';
import { Module } from '../nn/module';
import { Sequential } from '../nn/container';
import { Conv2d, Conv3d } from '../nn/conv';
import { BatchNorm2d, BatchNorm3d, LayerNorm, type LayerNormOptions } from '../nn/normalization';
import { ReLU, Sigmoid } from '../nn/activation';
import { Linear } from '../nn/linear';
import { Dropout } from '../nn/dropout';
import { AdaptiveAvgPool2d } from '../nn/pooling';
import * as F from '../nn/functional';

/** Builds a normalisation layer over `numFeatures` channels, as torchvision's `norm_layer(num_features)`. */
export type NormLayer = (numFeatures: number) => Module;
/**
 * Builds an activation layer, as torchvision's `activation_layer(**params)`: `options` is
 * `{ inplace }` or `{}` (when torchvision's `inplace` is None).
 */
export type ActivationLayer = (options: { inplace?: boolean }) => Module;

/** @internal `nn.BatchNorm2d`, torchvision's default `norm_layer`. */
export const batchNorm2d: NormLayer = (n) => new BatchNorm2d(n);
/** @internal `nn.ReLU`, torchvision's default `activation_layer`. */
export const relu: ActivationLayer = (o) => new ReLU(o);

/** @internal A layer factory option: a function, or null where allowed. */
export function checkFactory<T extends (...args: never[]) => Module>(value: unknown, name: string, nullable: true): T | null;
export function checkFactory<T extends (...args: never[]) => Module>(value: unknown, name: string, nullable?: false): T;
export function checkFactory<T extends (...args: never[]) => Module>(value: unknown, name: string, nullable = false): T | null {
  if (value === null && nullable) return null;
  if (typeof value !== 'function') throw typeError(nullable ? 'a function that builds a Module, or null' : 'a function that builds a Module', name, value);
  return value as T;
}

/** @internal Calls a layer factory and checks that it built a Module. */
export function build<A extends unknown[]>(factory: (...args: A) => Module, name: string, ...args: A): Module {
  const m = factory(...args);
  if (!(m instanceof Module)) throw typeError('a function that returns a Module', name, m);
  return m;
}

/** Options of `Conv2dNormActivation` / `Conv3dNormActivation`, torchvision's keyword arguments. */
export interface ConvNormActivationOptions {
  /** Default 3. */
  kernelSize?: number | number[];
  /** Default 1. */
  stride?: number | number[];
  /** Default null: `(kernelSize - 1) / 2 * dilation` (integer division), which keeps the size at stride 1. */
  padding?: number | number[] | 'same' | 'valid' | null;
  /** Default 1. */
  groups?: number;
  /** Stacked after the convolution; null for none. Default `nn.BatchNorm2d` (`nn.BatchNorm3d` in 3-D). */
  normLayer?: NormLayer | null;
  /** Stacked last; null for none. Default `nn.ReLU`. */
  activationLayer?: ActivationLayer | null;
  /** Default 1. */
  dilation?: number | number[];
  /** Passed to the activation as `{ inplace }`; null passes `{}`. Default true. */
  inplace?: boolean | null;
  /** Bias on the convolution. Default null: a bias exactly when there is no `normLayer`. */
  bias?: boolean | null;
}

const CONV_NORM_ACTIVATION_KEYS = optionKeys<ConvNormActivationOptions>({
  kernelSize: true, stride: true, padding: true, groups: true, normLayer: true, activationLayer: true, dilation: true,
  inplace: true, bias: true,
});

/** torchvision's `ConvNormActivation.__init__`: the conv, norm and activation layers. */
function convNormActivationLayers(n: 2 | 3, inChannels: number, outChannels: number, options: unknown): Module[] {
  const name = `Conv${n}dNormActivation`;
  const o = checkOptions(options, `${name} options`, CONV_NORM_ACTIVATION_KEYS) as ConvNormActivationOptions;
  const kernelSize = o.kernelSize ?? 3;
  const dilation = o.dilation ?? 1;
  let padding = o.padding ?? null;
  if (padding === null) {
    if (typeof kernelSize === 'number' && typeof dilation === 'number') {
      padding = Math.floor((checkInt(kernelSize, 'kernelSize', 1) - 1) / 2) * checkInt(dilation, 'dilation', 1);
    } else {
      const k = expandInts(kernelSize, n, 'kernelSize', 1);
      const d = expandInts(dilation, n, 'dilation', 1);
      padding = k.map((ki, i) => Math.floor((ki - 1) / 2) * d[i]);
    }
  }
  const normLayer = o.normLayer === undefined ? (n === 2 ? batchNorm2d : (c: number) => new BatchNorm3d(c)) : checkFactory<NormLayer>(o.normLayer, 'normLayer', true);
  const activationLayer = o.activationLayer === undefined ? relu : checkFactory<ActivationLayer>(o.activationLayer, 'activationLayer', true);
  const inplace = o.inplace === undefined ? true : o.inplace === null ? null : checkBool(o.inplace, 'inplace');
  const bias = o.bias === undefined || o.bias === null ? normLayer === null : checkBool(o.bias, 'bias');
  const convOptions = { stride: o.stride ?? 1, padding, dilation, groups: o.groups ?? 1, bias };
  const layers: Module[] = [
    n === 2 ? new Conv2d(inChannels, outChannels, kernelSize as number, convOptions as ConstructorParameters<typeof Conv2d>[3])
      : new Conv3d(inChannels, outChannels, kernelSize as number, convOptions as ConstructorParameters<typeof Conv3d>[3]),
  ];
  if (normLayer !== null) layers.push(build(normLayer, 'normLayer', outChannels));
  if (activationLayer !== null) layers.push(build(activationLayer, 'activationLayer', inplace === null ? {} : { inplace }));
  return layers;
}

/**
 * Convolution, normalisation, activation in one `Sequential` (children `0`, `1`, `2`), as
 * `torchvision.ops.Conv2dNormActivation`; the convolution has a bias only without a norm layer.
 * @example
 * ```ts
 * const stem = new vision.ops.Conv2dNormActivation(3, 16, { stride: 2, activationLayer: (o) => new nn.Hardswish(o) });
 * // Conv2d(3, 16, 3, stride 2, padding 1, no bias) → BatchNorm2d(16) → Hardswish
 * ```
 */
export class Conv2dNormActivation extends Sequential {
  /** The convolution's output channels (torchvision's `out_channels`). */
  readonly outChannels: number;
  constructor(inChannels: number, outChannels: number, options: ConvNormActivationOptions = {}) {
    super(...convNormActivationLayers(2, inChannels, outChannels, options));
    this.outChannels = outChannels;
  }
}

/**
 * The 3-D form of {@link Conv2dNormActivation} (`nn.Conv3d`, default `nn.BatchNorm3d`), as
 * `torchvision.ops.Conv3dNormActivation`.
 * @example
 * ```ts
 * const block = new vision.ops.Conv3dNormActivation(3, 8, { kernelSize: [1, 3, 3] });
 * ```
 */
export class Conv3dNormActivation extends Sequential {
  /** The convolution's output channels (torchvision's `out_channels`). */
  readonly outChannels: number;
  constructor(inChannels: number, outChannels: number, options: ConvNormActivationOptions = {}) {
    super(...convNormActivationLayers(3, inChannels, outChannels, options));
    this.outChannels = outChannels;
  }
}

/** Options of `SqueezeExcitation`: torchvision's `activation` and `scale_activation`, called with `{}`. */
export interface SqueezeExcitationOptions {
  /** δ, after the first 1×1 convolution. Default `nn.ReLU`. */
  activation?: ActivationLayer;
  /** σ, which makes the channel scales. Default `nn.Sigmoid`. */
  scaleActivation?: ActivationLayer;
}

/**
 * Squeeze-and-Excitation (Hu et al., 2017): scales each channel by
 * `σ(fc2(δ(fc1(avgpool(x)))))`, as `torchvision.ops.SqueezeExcitation` (keys `fc1.weight`,
 * `fc1.bias`, `fc2.weight`, `fc2.bias`; the fcs are 1×1 convolutions).
 * @example
 * ```ts
 * const se = new vision.ops.SqueezeExcitation(96, 24, { scaleActivation: (o) => new nn.Hardsigmoid(o) });
 * se(x); // [N, 96, H, W] → [N, 96, H, W]
 * ```
 */
export class SqueezeExcitation extends Module {
  declare avgpool: AdaptiveAvgPool2d;
  declare fc1: Conv2d;
  declare fc2: Conv2d;
  /** δ. */
  declare activation: Module;
  constructor(inputChannels: number, squeezeChannels: number, options: SqueezeExcitationOptions = {}) {
    super();
    const o = checkOptions(options, 'SqueezeExcitation options', optionKeys<SqueezeExcitationOptions>({ activation: true, scaleActivation: true })) as SqueezeExcitationOptions;
    const activation = o.activation === undefined ? relu : checkFactory<ActivationLayer>(o.activation, 'activation');
    const scaleActivation = o.scaleActivation === undefined ? () => new Sigmoid() : checkFactory<ActivationLayer>(o.scaleActivation, 'scaleActivation');
    // Assigned in torchvision's order: the order of the state dict and the printout.
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.fc1 = new Conv2d(inputChannels, squeezeChannels, 1);
    this.fc2 = new Conv2d(squeezeChannels, inputChannels, 1);
    this.activation = build(activation, 'activation', {});
    this.registerModule('scale_activation', build(scaleActivation, 'scaleActivation', {}));
  }

  /** σ (`scale_activation`). */
  get scaleActivation(): Module { return (this as unknown as Record<string, Module>).scale_activation; }

  /** The per-channel scales `[N, C, 1, 1]`. */
  protected scale(input: Tensor): Tensor {
    let scale = this.avgpool(input);
    scale = this.fc1(scale);
    scale = this.activation(scale);
    scale = this.fc2(scale);
    return this.scaleActivation(scale);
  }

  forward(input: Tensor): Tensor { return this.scale(input).mul(input); }
}

/** Options of `MLP`, torchvision's keyword arguments. */
export interface MLPOptions {
  /** After each hidden Linear; null for none. Default null. */
  normLayer?: NormLayer | null;
  /** After each hidden Linear (and norm). Default `nn.ReLU`. */
  activationLayer?: ActivationLayer;
  /** Passed as `{ inplace }` to the activations and dropouts; null passes `{}`. Default true. */
  inplace?: boolean | null;
  /** Bias on the Linear layers. Default true. */
  bias?: boolean;
  /** Dropout probability after each layer. Default 0. */
  dropout?: number;
}

const MLP_KEYS = optionKeys<MLPOptions>({ normLayer: true, activationLayer: true, inplace: true, bias: true, dropout: true });

/**
 * A multi-layer perceptron as `torchvision.ops.MLP`: for each hidden size but the last,
 * Linear → norm → activation → Dropout; then Linear → Dropout (children `0`, `1`, …).
 * @example
 * ```ts
 * const mlp = new vision.ops.MLP(768, [3072, 768], { activationLayer: () => new nn.GELU(), inplace: null });
 * ```
 */
export class MLP extends Sequential {
  constructor(inChannels: number, hiddenChannels: number[], options: MLPOptions = {}) {
    const o = checkOptions(options, 'MLP options', MLP_KEYS) as MLPOptions;
    const hidden = checkIntList(hiddenChannels, 'hiddenChannels');
    if (hidden.length === 0) throw rangeError('at least one size', 'hiddenChannels', hiddenChannels);
    const normLayer = o.normLayer === undefined ? null : checkFactory<NormLayer>(o.normLayer, 'normLayer', true);
    const activationLayer = o.activationLayer === undefined ? relu : checkFactory<ActivationLayer>(o.activationLayer, 'activationLayer');
    const inplace = o.inplace === undefined ? true : o.inplace === null ? null : checkBool(o.inplace, 'inplace');
    const params = inplace === null ? {} : { inplace };
    const bias = checkBool(o.bias ?? true, 'bias');
    const dropout = checkNumber(o.dropout ?? 0, 'dropout');
    const layers: Module[] = [];
    let inDim = checkInt(inChannels, 'inChannels', 1);
    for (const hiddenDim of hidden.slice(0, -1)) {
      layers.push(new Linear(inDim, hiddenDim, { bias }));
      if (normLayer !== null) layers.push(build(normLayer, 'normLayer', hiddenDim));
      layers.push(build(activationLayer, 'activationLayer', params));
      layers.push(new Dropout(dropout, params));
      inDim = hiddenDim;
    }
    layers.push(new Linear(inDim, hidden[hidden.length - 1], { bias }));
    layers.push(new Dropout(dropout, params));
    super(...layers);
  }
}

/**
 * Permutes the dimensions of its input, as `torchvision.ops.Permute` (ConvNeXt's NCHW ⇄ NHWC).
 * @example
 * ```ts
 * new vision.ops.Permute([0, 2, 3, 1])(x); // [N, C, H, W] → [N, H, W, C]
 * ```
 */
export class Permute extends Module {
  declare readonly dims: number[];
  constructor(dims: number[]) {
    super();
    this.dims = [...checkIntList(dims, 'dims')];
  }
  forward(x: Tensor): Tensor { return permute(x, this.dims); }
}

/** The modes of `stochasticDepth`: drop the whole batch's branch, or each row's. */
export type StochasticDepthMode = 'batch' | 'row';

function checkStochasticDepth(p: unknown, mode: unknown): [number, StochasticDepthMode] {
  checkNumber(p, 'p');
  if ((p as number) < 0 || (p as number) > 1) throw rangeError('a drop probability between 0 and 1', 'p', p);
  if (mode !== 'batch' && mode !== 'row') throw (typeof mode === 'string' ? rangeError : typeError)("'batch' or 'row'", 'mode', mode);
  return [p as number, mode];
}

/**
 * Stochastic Depth (Huang et al., 2016), as `torchvision.ops.stochastic_depth`: in training,
 * zeroes the input with probability `p` — per row (`'row'`, each sample of the batch) or all at
 * once (`'batch'`) — and scales the rest by `1 / (1 - p)`; the identity when not training or `p` is 0.
 * @example
 * ```ts
 * const out = vision.ops.stochasticDepth(residual, 0.1, 'row', model.training);
 * ```
 */
export function stochasticDepth(input: Tensor, p: number, mode: StochasticDepthMode, training = true): Tensor {
  checkTensor(input, 'input');
  const [prob, m] = checkStochasticDepth(p, mode);
  if (!checkBool(training, 'training') || prob === 0) return input;
  const survivalRate = 1 - prob;
  const size = m === 'row' ? [input.shape[0], ...new Array(input.dim() - 1).fill(1)] : new Array(input.dim()).fill(1);
  const noise = empty(size, { dtype: input.dtype, device: input.device }).bernoulli_(survivalRate);
  if (survivalRate > 0) noise.div_(survivalRate);
  return input.mul(noise);
}

/**
 * {@link stochasticDepth} as a module (active in training mode), as `torchvision.ops.StochasticDepth`.
 * @example
 * ```ts
 * const sd = new vision.ops.StochasticDepth(0.2, 'row');
 * ```
 */
export class StochasticDepth extends Module {
  readonly p: number;
  readonly mode: StochasticDepthMode;
  constructor(p: number, mode: StochasticDepthMode) {
    super();
    [this.p, this.mode] = checkStochasticDepth(p, mode);
  }
  forward(input: Tensor): Tensor { return stochasticDepth(input, this.p, this.mode, this.training); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, mode=${this.mode}`; }
}

/**
 * LayerNorm over the channels of an NCHW tensor (normalising each pixel's channel vector), as
 * ConvNeXt's `LayerNorm2d` in torchvision: an `nn.LayerNorm(C)` applied in NHWC.
 * @example
 * ```ts
 * const norm = new vision.ops.LayerNorm2d(96, { eps: 1e-6 });
 * norm(x); // [N, 96, H, W] → [N, 96, H, W]
 * ```
 */
export class LayerNorm2d extends LayerNorm {
  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) { super(normalizedShape, options); }
  override forward(x: Tensor): Tensor {
    if (x.dim() !== 4) throw new TorchError(`LayerNorm2d expected a 4-D input [N, C, H, W] but got shape [${x.shape.join(', ')}]`);
    const y = F.layerNorm(permute(x, [0, 2, 3, 1]), this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
    return permute(y, [0, 3, 1, 2]);
  }
}
