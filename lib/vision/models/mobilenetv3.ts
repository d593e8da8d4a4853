/**
 * MobileNetV3 Small and Large, as torchvision 0.14's `torchvision/models/mobilenetv3.py`: the same
 * modules and names (`features.1.block.1.fc1.weight`, `classifier.3.weight`), so a state dict
 * saved by torchvision loads with `strict: true`, and the same initialisation.
 */
import { Tensor } from '../../tensor';
import { flatten } from '../../generated/ops';
import { rangeError, typeError } from '../../errors';
import { checkBool, checkInt, checkOptions } from '../../validate';
import { Module } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { BatchNorm2d, GroupNorm } from '../../nn/normalization';
import { Hardsigmoid, Hardswish, ReLU } from '../../nn/activation';
import { Linear } from '../../nn/linear';
import { Dropout } from '../../nn/dropout';
import { AdaptiveAvgPool2d } from '../../nn/pooling';
import * as init from '../../nn/init';
import { Conv2dNormActivation, SqueezeExcitation, checkFactory, type ActivationLayer, type NormLayer } from '../ops';
import { builderOptions, checkPositive, checkProbability, makeDivisible, type WeightsOption } from './_utils';

const hardswish: ActivationLayer = (o) => new Hardswish(o);
const relu: ActivationLayer = (o) => new ReLU(o);

/**
 * One row of MobileNetV3's architecture table, as torchvision's `InvertedResidualConfig`
 * (channel counts already scaled by `widthMult` and rounded to multiples of 8).
 * @example
 * ```ts
 * const cnf = new vision.models.InvertedResidualConfig(16, 3, 64, 24, false, 'RE', 2, 1, 1.0);
 * ```
 */
export class InvertedResidualConfig {
  readonly inputChannels: number;
  readonly kernel: number;
  readonly expandedChannels: number;
  readonly outChannels: number;
  /** With a squeeze-and-excitation layer. */
  readonly useSe: boolean;
  /** Hardswish (`'HS'`) rather than ReLU (`'RE'`). */
  readonly useHs: boolean;
  readonly stride: number;
  readonly dilation: number;

  constructor(inputChannels: number, kernel: number, expandedChannels: number, outChannels: number, useSe: boolean,
    activation: 'HS' | 'RE', stride: number, dilation: number, widthMult: number) {
    checkPositive(widthMult, 'widthMult');
    this.inputChannels = InvertedResidualConfig.adjustChannels(checkInt(inputChannels, 'inputChannels', 1), widthMult);
    this.kernel = checkInt(kernel, 'kernel', 1);
    this.expandedChannels = InvertedResidualConfig.adjustChannels(checkInt(expandedChannels, 'expandedChannels', 1), widthMult);
    this.outChannels = InvertedResidualConfig.adjustChannels(checkInt(outChannels, 'outChannels', 1), widthMult);
    this.useSe = checkBool(useSe, 'useSe');
    if (activation !== 'HS' && activation !== 'RE') throw (typeof activation === 'string' ? rangeError : typeError)("'HS' or 'RE'", 'activation', activation);
    this.useHs = activation === 'HS';
    this.stride = checkInt(stride, 'stride', 1);
    this.dilation = checkInt(dilation, 'dilation', 1);
  }

  /** `channels · widthMult` rounded to a multiple of 8. */
  static adjustChannels(channels: number, widthMult: number): number { return makeDivisible(channels * widthMult, 8); }
}

/** A MobileNetV3 block class: `InvertedResidual` or one with its constructor arguments. */
export type MobileNetV3Block = new (cnf: InvertedResidualConfig, normLayer: NormLayer) => Module;

/**
 * MobileNetV3's block: 1×1 expansion, depthwise k×k, squeeze-and-excitation (Hardsigmoid) where
 * the row says so, 1×1 projection, and the shortcut when the shape is kept (children under `block`).
 * @example
 * ```ts
 * const cnf = new vision.models.InvertedResidualConfig(16, 3, 16, 16, true, 'RE', 2, 1, 1.0);
 * const block = new vision.models.mobilenetv3.InvertedResidual(cnf, (n) => new nn.BatchNorm2d(n));
 * ```
 */
export class InvertedResidual extends Module {
  /** Whether the input is added back (stride 1 and as many channels out as in). */
  declare useResConnect: boolean;
  declare block: Sequential;
  declare outChannels: number;

  constructor(cnf: InvertedResidualConfig, normLayer: NormLayer, seLayer: (inputChannels: number, squeezeChannels: number) => Module =
  (c, s) => new SqueezeExcitation(c, s, { scaleActivation: (o) => new Hardsigmoid(o) })) {
    super();
    if (!(cnf instanceof InvertedResidualConfig)) throw typeError('an InvertedResidualConfig', 'cnf', cnf);
    checkFactory<NormLayer>(normLayer, 'normLayer');
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw rangeError('a stride of 1 or 2', 'cnf.stride', cnf.stride);
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;
    const layers: Module[] = [];
    const activationLayer = cnf.useHs ? hardswish : relu;
    if (cnf.expandedChannels !== cnf.inputChannels) {
      layers.push(new Conv2dNormActivation(cnf.inputChannels, cnf.expandedChannels, { kernelSize: 1, normLayer, activationLayer }));
    }
    const stride = cnf.dilation > 1 ? 1 : cnf.stride;
    layers.push(new Conv2dNormActivation(cnf.expandedChannels, cnf.expandedChannels, {
      kernelSize: cnf.kernel, stride, dilation: cnf.dilation, groups: cnf.expandedChannels, normLayer, activationLayer,
    }));
    if (cnf.useSe) {
      const squeezeChannels = makeDivisible(Math.floor(cnf.expandedChannels / 4), 8);
      layers.push(seLayer(cnf.expandedChannels, squeezeChannels));
    }
    layers.push(new Conv2dNormActivation(cnf.expandedChannels, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }));
    this.block = new Sequential(...layers);
    this.outChannels = cnf.outChannels;
  }

  forward(input: Tensor): Tensor {
    let result = this.block(input);
    if (this.useResConnect) result = result.add_(input);
    return result;
  }
}

/** Options of `MobileNetV3`, torchvision's keyword arguments. */
export interface MobileNetV3Options {
  /** Default 1000. */
  numClasses?: number;
  /** Default `InvertedResidual`. */
  block?: MobileNetV3Block | null;
  /** Default `nn.BatchNorm2d` with eps 0.001 and momentum 0.01. */
  normLayer?: NormLayer | null;
  /** Dropout before the last Linear. Default 0.2. */
  dropout?: number;
}

const MOBILENET_V3_KEYS = ['numClasses', 'block', 'normLayer', 'dropout'] as const;

/**
 * MobileNetV3 (Howard et al., 2019) from an architecture table, as torchvision's `MobileNetV3`;
 * `mobilenetV3Small()` and `mobilenetV3Large()` build the paper's two.
 * @example
 * ```ts
 * const [setting, lastChannel] = vision.models.mobilenetV3Conf('mobilenet_v3_small');
 * const model = new vision.models.MobileNetV3(setting, lastChannel, { numClasses: 10 });
 * ```
 */
export class MobileNetV3 extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(invertedResidualSetting: InvertedResidualConfig[], lastChannel: number, options: MobileNetV3Options = {}) {
    super();
    const o = checkOptions(options, 'MobileNetV3 options', MOBILENET_V3_KEYS) as MobileNetV3Options;
    if (!Array.isArray(invertedResidualSetting) || invertedResidualSetting.length === 0) {
      throw (Array.isArray(invertedResidualSetting) ? rangeError : typeError)('a non-empty list of InvertedResidualConfig', 'invertedResidualSetting', invertedResidualSetting);
    }
    for (const s of invertedResidualSetting) { // stops at the first bad item, a hole included
      if (!(s instanceof InvertedResidualConfig)) throw typeError('a list of InvertedResidualConfig', 'invertedResidualSetting', invertedResidualSetting);
    }
    checkInt(lastChannel, 'lastChannel', 1);
    const numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    const block: MobileNetV3Block = o.block === undefined || o.block === null ? InvertedResidual : o.block;
    if (typeof block !== 'function') throw typeError('a block class', 'block', block);
    const normLayer = o.normLayer === undefined || o.normLayer === null ? (n: number) => new BatchNorm2d(n, { eps: 0.001, momentum: 0.01 })
      : checkFactory<NormLayer>(o.normLayer, 'normLayer');
    const dropout = checkProbability(o.dropout ?? 0.2, 'dropout');

    const layers: Module[] = [];
    const firstconvOutputChannels = invertedResidualSetting[0].inputChannels;
    layers.push(new Conv2dNormActivation(3, firstconvOutputChannels, { kernelSize: 3, stride: 2, normLayer, activationLayer: hardswish }));
    for (const cnf of invertedResidualSetting) layers.push(new block(cnf, normLayer));
    const lastconvInputChannels = invertedResidualSetting[invertedResidualSetting.length - 1].outChannels;
    const lastconvOutputChannels = 6 * lastconvInputChannels;
    layers.push(new Conv2dNormActivation(lastconvInputChannels, lastconvOutputChannels, { kernelSize: 1, normLayer, activationLayer: hardswish }));
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.classifier = new Sequential(
      new Linear(lastconvOutputChannels, lastChannel),
      new Hardswish({ inplace: true }),
      new Dropout(dropout, { inplace: true }),
      new Linear(lastChannel, numClasses),
    );

    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        init.kaimingNormal_(m.weight, { mode: 'fanOut' });
        if (m.bias !== null) init.zeros_(m.bias);
      } else if (m instanceof BatchNorm2d || m instanceof GroupNorm) {
        init.ones_(m.weight!);
        init.zeros_(m.bias!);
      } else if (m instanceof Linear) {
        init.normal_(m.weight, 0, 0.01);
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

/** Options of `mobilenetV3Conf` (and of the builders): how the paper's table is scaled. */
export interface MobileNetV3ConfOptions {
  /** Channel multiplier. Default 1. */
  widthMult?: number;
  /** Halve the channels of the last blocks (for detection backbones). Default false. */
  reducedTail?: boolean;
  /** Dilate the last blocks instead of striding. Default false. */
  dilated?: boolean;
}

/**
 * torchvision's `_mobilenet_v3_conf`: the architecture table and last channel count of
 * `'mobilenet_v3_large'` or `'mobilenet_v3_small'`.
 * @example
 * ```ts
 * const [setting, lastChannel] = vision.models.mobilenetV3Conf('mobilenet_v3_large', { widthMult: 0.75 });
 * ```
 */
export function mobilenetV3Conf(arch: 'mobilenet_v3_large' | 'mobilenet_v3_small', options: MobileNetV3ConfOptions = {}): [InvertedResidualConfig[], number] {
  const o = checkOptions(options, 'mobilenetV3Conf options', ['widthMult', 'reducedTail', 'dilated']) as MobileNetV3ConfOptions;
  const widthMult = checkPositive(o.widthMult ?? 1, 'widthMult');
  const reduceDivider = checkBool(o.reducedTail ?? false, 'reducedTail') ? 2 : 1;
  const dilation = checkBool(o.dilated ?? false, 'dilated') ? 2 : 1;
  const bneck = (i: number, k: number, e: number, out: number, se: boolean, act: 'HS' | 'RE', s: number, d: number) =>
    new InvertedResidualConfig(i, k, e, out, se, act, s, d, widthMult);
  const r = (c: number) => Math.floor(c / reduceDivider);
  if (arch === 'mobilenet_v3_large') {
    return [[
      bneck(16, 3, 16, 16, false, 'RE', 1, 1),
      bneck(16, 3, 64, 24, false, 'RE', 2, 1), // C1
      bneck(24, 3, 72, 24, false, 'RE', 1, 1),
      bneck(24, 5, 72, 40, true, 'RE', 2, 1), // C2
      bneck(40, 5, 120, 40, true, 'RE', 1, 1),
      bneck(40, 5, 120, 40, true, 'RE', 1, 1),
      bneck(40, 3, 240, 80, false, 'HS', 2, 1), // C3
      bneck(80, 3, 200, 80, false, 'HS', 1, 1),
      bneck(80, 3, 184, 80, false, 'HS', 1, 1),
      bneck(80, 3, 184, 80, false, 'HS', 1, 1),
      bneck(80, 3, 480, 112, true, 'HS', 1, 1),
      bneck(112, 3, 672, 112, true, 'HS', 1, 1),
      bneck(112, 5, 672, r(160), true, 'HS', 2, dilation), // C4
      bneck(r(160), 5, r(960), r(160), true, 'HS', 1, dilation),
      bneck(r(160), 5, r(960), r(160), true, 'HS', 1, dilation),
    ], InvertedResidualConfig.adjustChannels(r(1280), widthMult)]; // C5
  }
  if (arch === 'mobilenet_v3_small') {
    return [[
      bneck(16, 3, 16, 16, true, 'RE', 2, 1), // C1
      bneck(16, 3, 72, 24, false, 'RE', 2, 1), // C2
      bneck(24, 3, 88, 24, false, 'RE', 1, 1),
      bneck(24, 5, 96, 40, true, 'HS', 2, 1), // C3
      bneck(40, 5, 240, 40, true, 'HS', 1, 1),
      bneck(40, 5, 240, 40, true, 'HS', 1, 1),
      bneck(40, 5, 120, 48, true, 'HS', 1, 1),
      bneck(48, 5, 144, 48, true, 'HS', 1, 1),
      bneck(48, 5, 288, r(96), true, 'HS', 2, dilation), // C4
      bneck(r(96), 5, r(576), r(96), true, 'HS', 1, dilation),
      bneck(r(96), 5, r(576), r(96), true, 'HS', 1, dilation),
    ], InvertedResidualConfig.adjustChannels(r(1024), widthMult)]; // C5
  }
  throw (typeof arch === 'string' ? rangeError : typeError)("'mobilenet_v3_large' or 'mobilenet_v3_small'", 'arch', arch);
}

/** Options of `mobilenetV3Small()` / `mobilenetV3Large()`: torchvision's keyword arguments. */
export type MobileNetV3BuilderOptions = MobileNetV3Options & MobileNetV3ConfOptions & WeightsOption;

const BUILDER_KEYS = [...MOBILENET_V3_KEYS, 'widthMult', 'reducedTail', 'dilated'] as const;

function mobilenetV3(arch: 'mobilenet_v3_large' | 'mobilenet_v3_small', builder: string, options: unknown): MobileNetV3 {
  const { widthMult, reducedTail, dilated, ...rest } = builderOptions<MobileNetV3BuilderOptions>(options, builder, BUILDER_KEYS);
  const [setting, lastChannel] = mobilenetV3Conf(arch, { widthMult, reducedTail, dilated });
  return new MobileNetV3(setting, lastChannel, rest);
}

/**
 * MobileNetV3-Large (5.5 M parameters with 1000 classes), as `torchvision.models.mobilenet_v3_large`.
 * @example
 * ```ts
 * const model = vision.models.mobilenetV3Large({ numClasses: 10 });
 * ```
 */
export function mobilenetV3Large(options: MobileNetV3BuilderOptions = {}): MobileNetV3 {
  return mobilenetV3('mobilenet_v3_large', 'mobilenetV3Large', options);
}

/**
 * MobileNetV3-Small (2.5 M parameters with 1000 classes), as `torchvision.models.mobilenet_v3_small`.
 * @example
 * ```ts
 * const model = vision.models.mobilenetV3Small();
 * ```
 */
export function mobilenetV3Small(options: MobileNetV3BuilderOptions = {}): MobileNetV3 {
  return mobilenetV3('mobilenet_v3_small', 'mobilenetV3Small', options);
}
