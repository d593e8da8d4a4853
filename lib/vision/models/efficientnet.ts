/**
 * EfficientNet B0–B7 and EfficientNetV2 S/M/L, as torchvision 0.14's
 * `torchvision/models/efficientnet.py`: the same modules and names (`features.1.0.block.0.0.weight`,
 * `features.2.0.block.2.fc1.weight`, `classifier.1.weight`), so a state dict saved by torchvision
 * loads with `strict: true`, and the same initialisation.
 */
import { Tensor } from '../../tensor';
import { flatten } from '../../generated/ops';
import { rangeError, typeError } from '../../errors';
import { checkInt, checkOptions } from '../../validate';
import { Module } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { BatchNorm2d, GroupNorm } from '../../nn/normalization';
import { SiLU } from '../../nn/activation';
import { Linear } from '../../nn/linear';
import { Dropout } from '../../nn/dropout';
import { AdaptiveAvgPool2d } from '../../nn/pooling';
import * as init from '../../nn/init';
import { Conv2dNormActivation, SqueezeExcitation, StochasticDepth, batchNorm2d, checkFactory, type ActivationLayer, type NormLayer } from '../ops';
import { builderOptions, checkPositive, checkProbability, makeDivisible, type WeightsOption } from './_utils';

const silu: ActivationLayer = (o) => new SiLU(o);

/** A block class of EfficientNet's table: `MBConv`, `FusedMBConv` or one with their constructor arguments. */
export type EfficientNetBlock = new (cnf: MBConvConfig | FusedMBConvConfig, stochasticDepthProb: number, normLayer: NormLayer) => Module;

/** What `MBConvConfig` and `FusedMBConvConfig` share (torchvision's `_MBConvConfig`). */
abstract class MBConvConfigBase {
  constructor(
    public expandRatio: number,
    public kernel: number,
    public stride: number,
    public inputChannels: number,
    public outChannels: number,
    public numLayers: number,
    public block: EfficientNetBlock,
  ) {
    checkPositive(expandRatio, 'expandRatio');
    checkInt(kernel, 'kernel', 1);
    checkInt(stride, 'stride', 1);
    checkInt(inputChannels, 'inputChannels', 1);
    checkInt(outChannels, 'outChannels', 1);
    checkInt(numLayers, 'numLayers', 1);
    if (typeof block !== 'function') throw typeError('a block class', 'block', block);
  }

  /** `channels · widthMult` rounded to a multiple of 8 (at least `minValue`). */
  static adjustChannels(channels: number, widthMult: number, minValue: number | null = null): number {
    return makeDivisible(channels * widthMult, 8, minValue);
  }

  /** A copy, as `copy.copy(cnf)` (the builder changes the copy's input channels and stride). */
  copy(): this { return Object.assign(Object.create(Object.getPrototypeOf(this)), this); }
}

/**
 * One row of EfficientNet's table for an `MBConv` stage, with the width and depth multipliers
 * applied (torchvision's `MBConvConfig`).
 * @example
 * ```ts
 * const row = new vision.models.MBConvConfig(6, 3, 2, 16, 24, 2, 1.1, 1.2); // EfficientNet-B2's second stage
 * ```
 */
export class MBConvConfig extends MBConvConfigBase {
  constructor(expandRatio: number, kernel: number, stride: number, inputChannels: number, outChannels: number, numLayers: number,
    widthMult = 1, depthMult = 1, block: EfficientNetBlock | null = null) {
    checkPositive(widthMult, 'widthMult');
    checkPositive(depthMult, 'depthMult');
    super(expandRatio, kernel, stride, MBConvConfig.adjustChannels(inputChannels, widthMult), MBConvConfig.adjustChannels(outChannels, widthMult),
      MBConvConfig.adjustDepth(numLayers, depthMult), block ?? MBConv);
  }

  /** `ceil(numLayers · depthMult)`. */
  static adjustDepth(numLayers: number, depthMult: number): number { return Math.ceil(numLayers * depthMult); }
}

/**
 * One row of EfficientNetV2's table for a `FusedMBConv` stage (torchvision's `FusedMBConvConfig`).
 * @example
 * ```ts
 * const row = new vision.models.FusedMBConvConfig(4, 3, 2, 24, 48, 4);
 * ```
 */
export class FusedMBConvConfig extends MBConvConfigBase {
  constructor(expandRatio: number, kernel: number, stride: number, inputChannels: number, outChannels: number, numLayers: number,
    block: EfficientNetBlock | null = null) {
    super(expandRatio, kernel, stride, inputChannels, outChannels, numLayers, block ?? FusedMBConv);
  }
}

/**
 * EfficientNet's mobile inverted bottleneck: 1×1 expansion (SiLU), depthwise k×k (SiLU),
 * squeeze-and-excitation, 1×1 projection; with stochastic depth on the residual.
 * @example
 * ```ts
 * const block = new vision.models.MBConv(new vision.models.MBConvConfig(6, 3, 1, 24, 24, 1), 0.1, (n) => new nn.BatchNorm2d(n));
 * ```
 */
export class MBConv extends Module {
  /** Whether the input is added back (stride 1 and as many channels out as in). */
  declare useResConnect: boolean;
  declare block: Sequential;
  declare outChannels: number;

  constructor(cnf: MBConvConfig | FusedMBConvConfig, stochasticDepthProb: number, normLayer: NormLayer,
    seLayer: (inputChannels: number, squeezeChannels: number) => Module = (c, s) => new SqueezeExcitation(c, s, { activation: () => new SiLU({ inplace: true }) })) {
    super();
    if (!(cnf instanceof MBConvConfigBase)) throw typeError('an MBConvConfig', 'cnf', cnf);
    checkFactory<NormLayer>(normLayer, 'normLayer');
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw rangeError('a stride of 1 or 2', 'cnf.stride', cnf.stride);
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;
    const layers: Module[] = [];
    const expandedChannels = MBConvConfig.adjustChannels(cnf.inputChannels, cnf.expandRatio);
    if (expandedChannels !== cnf.inputChannels) {
      layers.push(new Conv2dNormActivation(cnf.inputChannels, expandedChannels, { kernelSize: 1, normLayer, activationLayer: silu }));
    }
    layers.push(new Conv2dNormActivation(expandedChannels, expandedChannels, {
      kernelSize: cnf.kernel, stride: cnf.stride, groups: expandedChannels, normLayer, activationLayer: silu,
    }));
    const squeezeChannels = Math.max(1, Math.floor(cnf.inputChannels / 4));
    layers.push(seLayer(expandedChannels, squeezeChannels));
    layers.push(new Conv2dNormActivation(expandedChannels, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }));
    this.block = new Sequential(...layers);
    this.registerModule('stochastic_depth', new StochasticDepth(stochasticDepthProb, 'row'));
    this.outChannels = cnf.outChannels;
  }

  /** Stochastic depth on the residual branch (`stochastic_depth`). */
  get stochasticDepth(): StochasticDepth { return (this as unknown as Record<string, StochasticDepth>).stochastic_depth; }

  forward(input: Tensor): Tensor {
    let result = this.block(input);
    if (this.useResConnect) {
      result = this.stochasticDepth(result);
      result = result.add_(input);
    }
    return result;
  }
}

/**
 * EfficientNetV2's fused block: the expansion and depthwise convolutions fused into one k×k
 * convolution, then a 1×1 projection (or one k×k convolution when not expanding).
 * @example
 * ```ts
 * const block = new vision.models.FusedMBConv(new vision.models.FusedMBConvConfig(4, 3, 2, 24, 48, 1), 0, (n) => new nn.BatchNorm2d(n));
 * ```
 */
export class FusedMBConv extends Module {
  /** Whether the input is added back (stride 1 and as many channels out as in). */
  declare useResConnect: boolean;
  declare block: Sequential;
  declare outChannels: number;

  constructor(cnf: MBConvConfig | FusedMBConvConfig, stochasticDepthProb: number, normLayer: NormLayer) {
    super();
    if (!(cnf instanceof MBConvConfigBase)) throw typeError('a FusedMBConvConfig', 'cnf', cnf);
    checkFactory<NormLayer>(normLayer, 'normLayer');
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw rangeError('a stride of 1 or 2', 'cnf.stride', cnf.stride);
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;
    const layers: Module[] = [];
    const expandedChannels = MBConvConfig.adjustChannels(cnf.inputChannels, cnf.expandRatio);
    if (expandedChannels !== cnf.inputChannels) {
      layers.push(
        new Conv2dNormActivation(cnf.inputChannels, expandedChannels, { kernelSize: cnf.kernel, stride: cnf.stride, normLayer, activationLayer: silu }),
        new Conv2dNormActivation(expandedChannels, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }),
      );
    } else {
      layers.push(new Conv2dNormActivation(cnf.inputChannels, cnf.outChannels, { kernelSize: cnf.kernel, stride: cnf.stride, normLayer, activationLayer: silu }));
    }
    this.block = new Sequential(...layers);
    this.registerModule('stochastic_depth', new StochasticDepth(stochasticDepthProb, 'row'));
    this.outChannels = cnf.outChannels;
  }

  /** Stochastic depth on the residual branch (`stochastic_depth`). */
  get stochasticDepth(): StochasticDepth { return (this as unknown as Record<string, StochasticDepth>).stochastic_depth; }

  forward(input: Tensor): Tensor {
    let result = this.block(input);
    if (this.useResConnect) {
      result = this.stochasticDepth(result);
      result = result.add_(input);
    }
    return result;
  }
}

/** Options of `EfficientNet`, torchvision's keyword arguments after `dropout`. */
export interface EfficientNetOptions {
  /** Largest stochastic-depth probability (it grows linearly over the blocks). Default 0.2. */
  stochasticDepthProb?: number;
  /** Default 1000. */
  numClasses?: number;
  /** Default `nn.BatchNorm2d`. */
  normLayer?: NormLayer | null;
  /** Channels of the last 1×1 convolution. Default null: 4 × the last stage's. */
  lastChannel?: number | null;
}

/**
 * EfficientNet (Tan & Le, 2019) and EfficientNetV2 (2021) from an architecture table, as
 * torchvision's `EfficientNet`; `efficientnetB0()` … `efficientnetV2L()` build the papers' models.
 * @example
 * ```ts
 * const [setting, lastChannel] = vision.models.efficientnetConf('efficientnet_b0', { widthMult: 1, depthMult: 1 });
 * const model = new vision.models.EfficientNet(setting, 0.2, { lastChannel, numClasses: 10 });
 * ```
 */
export class EfficientNet extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(invertedResidualSetting: (MBConvConfig | FusedMBConvConfig)[], dropout: number, options: EfficientNetOptions = {}) {
    super();
    const o = checkOptions(options, 'EfficientNet options', ['stochasticDepthProb', 'numClasses', 'normLayer', 'lastChannel']) as EfficientNetOptions;
    if (!Array.isArray(invertedResidualSetting) || invertedResidualSetting.length === 0) {
      throw (Array.isArray(invertedResidualSetting) ? rangeError : typeError)('a non-empty list of MBConvConfig', 'invertedResidualSetting', invertedResidualSetting);
    }
    for (const s of invertedResidualSetting) { // stops at the first bad item, a hole included
      if (!(s instanceof MBConvConfigBase)) throw typeError('a list of MBConvConfig or FusedMBConvConfig', 'invertedResidualSetting', invertedResidualSetting);
    }
    const p = checkProbability(dropout, 'dropout');
    const stochasticDepthProb = checkProbability(o.stochasticDepthProb ?? 0.2, 'stochasticDepthProb');
    const numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    const normLayer = o.normLayer === undefined || o.normLayer === null ? batchNorm2d : checkFactory<NormLayer>(o.normLayer, 'normLayer');
    const lastChannel = o.lastChannel === undefined || o.lastChannel === null ? null : checkInt(o.lastChannel, 'lastChannel', 1);

    const layers: Module[] = [];
    const firstconvOutputChannels = invertedResidualSetting[0].inputChannels;
    layers.push(new Conv2dNormActivation(3, firstconvOutputChannels, { kernelSize: 3, stride: 2, normLayer, activationLayer: silu }));
    const totalStageBlocks = invertedResidualSetting.reduce((n, cnf) => n + cnf.numLayers, 0);
    let stageBlockId = 0;
    for (const cnf of invertedResidualSetting) {
      const stage: Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        const blockCnf = cnf.copy();
        if (stage.length > 0) {
          blockCnf.inputChannels = blockCnf.outChannels;
          blockCnf.stride = 1;
        }
        const sdProb = stochasticDepthProb * stageBlockId / totalStageBlocks;
        stage.push(new blockCnf.block(blockCnf, sdProb, normLayer));
        stageBlockId += 1;
      }
      layers.push(new Sequential(...stage));
    }
    const lastconvInputChannels = invertedResidualSetting[invertedResidualSetting.length - 1].outChannels;
    const lastconvOutputChannels = lastChannel ?? 4 * lastconvInputChannels;
    layers.push(new Conv2dNormActivation(lastconvInputChannels, lastconvOutputChannels, { kernelSize: 1, normLayer, activationLayer: silu }));
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.classifier = new Sequential(new Dropout(p, { inplace: true }), new Linear(lastconvOutputChannels, numClasses));

    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        init.kaimingNormal_(m.weight, { mode: 'fanOut' });
        if (m.bias !== null) init.zeros_(m.bias);
      } else if (m instanceof BatchNorm2d || m instanceof GroupNorm) {
        init.ones_(m.weight!);
        init.zeros_(m.bias!);
      } else if (m instanceof Linear) {
        const initRange = 1 / Math.sqrt(m.outFeatures);
        init.uniform_(m.weight, -initRange, initRange);
        init.zeros_(m.bias!);
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = flatten(x, 1);
    return this.classifier(x);
  }
}

/** The architectures `efficientnetConf` knows. */
export type EfficientNetArch = 'efficientnet_b0' | 'efficientnet_b1' | 'efficientnet_b2' | 'efficientnet_b3' | 'efficientnet_b4' |
  'efficientnet_b5' | 'efficientnet_b6' | 'efficientnet_b7' | 'efficientnet_v2_s' | 'efficientnet_v2_m' | 'efficientnet_v2_l';

/**
 * torchvision's `_efficientnet_conf`: the architecture table (B0's scaled by `widthMult` and
 * `depthMult` for `efficientnet_b*`, which need them) and the last channel count (null for B*).
 * @example
 * ```ts
 * const [setting, lastChannel] = vision.models.efficientnetConf('efficientnet_v2_s');
 * ```
 */
export function efficientnetConf(arch: EfficientNetArch, options: { widthMult?: number; depthMult?: number } = {}): [(MBConvConfig | FusedMBConvConfig)[], number | null] {
  const o = checkOptions(options, 'efficientnetConf options', ['widthMult', 'depthMult']) as { widthMult?: number; depthMult?: number };
  if (typeof arch === 'string' && arch.startsWith('efficientnet_b')) {
    if (o.widthMult === undefined || o.depthMult === undefined) throw typeError('widthMult and depthMult', `efficientnetConf('${arch}') options`, o);
    const bneck = (e: number, k: number, s: number, i: number, out: number, n: number) => new MBConvConfig(e, k, s, i, out, n, o.widthMult, o.depthMult);
    return [[
      bneck(1, 3, 1, 32, 16, 1),
      bneck(6, 3, 2, 16, 24, 2),
      bneck(6, 5, 2, 24, 40, 2),
      bneck(6, 3, 2, 40, 80, 3),
      bneck(6, 5, 1, 80, 112, 3),
      bneck(6, 5, 2, 112, 192, 4),
      bneck(6, 3, 1, 192, 320, 1),
    ], null];
  }
  if (typeof arch === 'string' && arch.startsWith('efficientnet_v2_s')) {
    return [[
      new FusedMBConvConfig(1, 3, 1, 24, 24, 2),
      new FusedMBConvConfig(4, 3, 2, 24, 48, 4),
      new FusedMBConvConfig(4, 3, 2, 48, 64, 4),
      new MBConvConfig(4, 3, 2, 64, 128, 6),
      new MBConvConfig(6, 3, 1, 128, 160, 9),
      new MBConvConfig(6, 3, 2, 160, 256, 15),
    ], 1280];
  }
  if (typeof arch === 'string' && arch.startsWith('efficientnet_v2_m')) {
    return [[
      new FusedMBConvConfig(1, 3, 1, 24, 24, 3),
      new FusedMBConvConfig(4, 3, 2, 24, 48, 5),
      new FusedMBConvConfig(4, 3, 2, 48, 80, 5),
      new MBConvConfig(4, 3, 2, 80, 160, 7),
      new MBConvConfig(6, 3, 1, 160, 176, 14),
      new MBConvConfig(6, 3, 2, 176, 304, 18),
      new MBConvConfig(6, 3, 1, 304, 512, 5),
    ], 1280];
  }
  if (typeof arch === 'string' && arch.startsWith('efficientnet_v2_l')) {
    return [[
      new FusedMBConvConfig(1, 3, 1, 32, 32, 4),
      new FusedMBConvConfig(4, 3, 2, 32, 64, 7),
      new FusedMBConvConfig(4, 3, 2, 64, 96, 7),
      new MBConvConfig(4, 3, 2, 96, 192, 10),
      new MBConvConfig(6, 3, 1, 192, 224, 19),
      new MBConvConfig(6, 3, 2, 224, 384, 25),
      new MBConvConfig(6, 3, 1, 384, 640, 7),
    ], 1280];
  }
  throw (typeof arch === 'string' ? rangeError : typeError)("an EfficientNet architecture ('efficientnet_b0' … 'efficientnet_b7', 'efficientnet_v2_s/m/l')", 'arch', arch);
}

/** Options of `efficientnetB0()` … `efficientnetB4()`. */
export type EfficientNetBuilderOptions = Omit<EfficientNetOptions, 'lastChannel'> & WeightsOption;
/** Options of `efficientnetB5()` … `efficientnetB7()` and `efficientnetV2*()` (their norm layer is fixed). */
export type EfficientNetFixedNormBuilderOptions = Omit<EfficientNetOptions, 'lastChannel' | 'normLayer'> & WeightsOption;

/** BatchNorm2d(eps 0.001, momentum 0.01): B5–B7's norm layer. */
const bnB5: NormLayer = (n) => new BatchNorm2d(n, { eps: 0.001, momentum: 0.01 });
/** BatchNorm2d(eps 0.001): V2's norm layer. */
const bnV2: NormLayer = (n) => new BatchNorm2d(n, { eps: 1e-3 });

function efficientnet(builder: string, arch: EfficientNetArch, dropout: number, options: unknown, scale: { widthMult?: number; depthMult?: number },
  normLayer: NormLayer | null): EfficientNet {
  const keys = normLayer === null ? ['stochasticDepthProb', 'numClasses', 'normLayer'] : ['stochasticDepthProb', 'numClasses'];
  const o = builderOptions<EfficientNetOptions>(options, builder, keys);
  const [setting, lastChannel] = efficientnetConf(arch, scale);
  return new EfficientNet(setting, dropout, { ...o, lastChannel, ...(normLayer === null ? {} : { normLayer }) });
}

/**
 * EfficientNet-B0 (5.3 M parameters with 1000 classes), as `torchvision.models.efficientnet_b0`.
 * @example
 * ```ts
 * const model = vision.models.efficientnetB0({ numClasses: 10 });
 * ```
 */
export function efficientnetB0(options: EfficientNetBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetB0', 'efficientnet_b0', 0.2, options, { widthMult: 1.0, depthMult: 1.0 }, null);
}
/** EfficientNet-B1, as `torchvision.models.efficientnet_b1`. @example `vision.models.efficientnetB1()` */
export function efficientnetB1(options: EfficientNetBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetB1', 'efficientnet_b1', 0.2, options, { widthMult: 1.0, depthMult: 1.1 }, null);
}
/** EfficientNet-B2, as `torchvision.models.efficientnet_b2`. @example `vision.models.efficientnetB2()` */
export function efficientnetB2(options: EfficientNetBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetB2', 'efficientnet_b2', 0.3, options, { widthMult: 1.1, depthMult: 1.2 }, null);
}
/** EfficientNet-B3, as `torchvision.models.efficientnet_b3`. @example `vision.models.efficientnetB3()` */
export function efficientnetB3(options: EfficientNetBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetB3', 'efficientnet_b3', 0.3, options, { widthMult: 1.2, depthMult: 1.4 }, null);
}
/** EfficientNet-B4, as `torchvision.models.efficientnet_b4`. @example `vision.models.efficientnetB4()` */
export function efficientnetB4(options: EfficientNetBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetB4', 'efficientnet_b4', 0.4, options, { widthMult: 1.4, depthMult: 1.8 }, null);
}
/** EfficientNet-B5, as `torchvision.models.efficientnet_b5`. @example `vision.models.efficientnetB5()` */
export function efficientnetB5(options: EfficientNetFixedNormBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetB5', 'efficientnet_b5', 0.4, options, { widthMult: 1.6, depthMult: 2.2 }, bnB5);
}
/** EfficientNet-B6, as `torchvision.models.efficientnet_b6`. @example `vision.models.efficientnetB6()` */
export function efficientnetB6(options: EfficientNetFixedNormBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetB6', 'efficientnet_b6', 0.5, options, { widthMult: 1.8, depthMult: 2.6 }, bnB5);
}
/** EfficientNet-B7, as `torchvision.models.efficientnet_b7`. @example `vision.models.efficientnetB7()` */
export function efficientnetB7(options: EfficientNetFixedNormBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetB7', 'efficientnet_b7', 0.5, options, { widthMult: 2.0, depthMult: 3.1 }, bnB5);
}
/** EfficientNetV2-S, as `torchvision.models.efficientnet_v2_s`. @example `vision.models.efficientnetV2S({ numClasses: 10 })` */
export function efficientnetV2S(options: EfficientNetFixedNormBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetV2S', 'efficientnet_v2_s', 0.2, options, {}, bnV2);
}
/** EfficientNetV2-M, as `torchvision.models.efficientnet_v2_m`. @example `vision.models.efficientnetV2M()` */
export function efficientnetV2M(options: EfficientNetFixedNormBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetV2M', 'efficientnet_v2_m', 0.3, options, {}, bnV2);
}
/** EfficientNetV2-L, as `torchvision.models.efficientnet_v2_l`. @example `vision.models.efficientnetV2L()` */
export function efficientnetV2L(options: EfficientNetFixedNormBuilderOptions = {}): EfficientNet {
  return efficientnet('efficientnetV2L', 'efficientnet_v2_l', 0.4, options, {}, bnV2);
}
