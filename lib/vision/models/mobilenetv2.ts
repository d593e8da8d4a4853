/**
 * MobileNetV2, as torchvision 0.14's `torchvision/models/mobilenetv2.py`: the same modules and
 * names (`features.0.0.weight`, `features.1.conv.0.0.weight`, `classifier.1.weight`), so a state
 * dict saved by torchvision loads with `strict: true`, and the same initialisation.
 */
import { Tensor } from '../../tensor';
import { flatten } from '../../generated/ops';
import { rangeError, typeError } from '../../errors';
import { checkInt, checkOptions } from '../../validate';
import { Module } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { BatchNorm2d, GroupNorm } from '../../nn/normalization';
import { ReLU6 } from '../../nn/activation';
import { Linear } from '../../nn/linear';
import { Dropout } from '../../nn/dropout';
import * as F from '../../nn/functional';
import * as init from '../../nn/init';
import { Conv2dNormActivation, batchNorm2d, build, checkFactory, type ActivationLayer, type NormLayer } from '../ops';
import { builderOptions, checkPositive, checkProbability, makeDivisible, pyRound, type WeightsOption } from './_utils';

const relu6: ActivationLayer = (o) => new ReLU6(o);

/**
 * MobileNetV2's inverted residual block: 1×1 expansion (unless `expandRatio` is 1), 3×3
 * depthwise, 1×1 linear projection, with the shortcut when the shape is kept (children under `conv`).
 * @example
 * ```ts
 * const block = new vision.models.mobilenetv2.InvertedResidual(32, 16, 1, 6);
 * ```
 */
export class InvertedResidual extends Module {
  declare stride: number;
  /** Whether the input is added back (stride 1 and as many channels out as in). */
  declare useResConnect: boolean;
  declare conv: Sequential;
  declare outChannels: number;

  constructor(inp: number, oup: number, stride: number, expandRatio: number, normLayer: NormLayer | null = null) {
    super();
    this.stride = checkInt(stride, 'stride');
    if (stride !== 1 && stride !== 2) throw rangeError('1 or 2', 'stride', stride);
    const norm = normLayer === null ? batchNorm2d : checkFactory<NormLayer>(normLayer, 'normLayer');
    const hiddenDim = pyRound(inp * checkPositive(expandRatio, 'expandRatio'));
    this.useResConnect = this.stride === 1 && inp === oup;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(new Conv2dNormActivation(inp, hiddenDim, { kernelSize: 1, normLayer: norm, activationLayer: relu6 }));
    layers.push(
      new Conv2dNormActivation(hiddenDim, hiddenDim, { stride, groups: hiddenDim, normLayer: norm, activationLayer: relu6 }),
      new Conv2d(hiddenDim, oup, 1, { stride: 1, padding: 0, bias: false }),
      build(norm, 'normLayer', oup),
    );
    this.conv = new Sequential(...layers);
    this.outChannels = oup;
  }

  forward(x: Tensor): Tensor { return this.useResConnect ? x.add(this.conv(x)) : this.conv(x); }
}

/** A MobileNetV2 block class: `InvertedResidual` or one with its constructor arguments. */
export type MobileNetV2Block = new (inp: number, oup: number, stride: number, expandRatio: number, normLayer: NormLayer | null) => Module;

/** Options of `MobileNetV2` (and `mobilenetV2()`), torchvision's keyword arguments. */
export interface MobileNetV2Options {
  /** Default 1000. */
  numClasses?: number;
  /** Channel multiplier. Default 1. */
  widthMult?: number;
  /** Rows `[t, c, n, s]`: expansion, channels, repeats, first stride. Default the paper's 7 rows. */
  invertedResidualSetting?: number[][] | null;
  /** Channels are rounded to multiples of this. Default 8. */
  roundNearest?: number;
  /** Default `InvertedResidual`. */
  block?: MobileNetV2Block | null;
  /** Default `nn.BatchNorm2d`. */
  normLayer?: NormLayer | null;
  /** Dropout before the classifier. Default 0.2. */
  dropout?: number;
}

const MOBILENET_V2_KEYS = ['numClasses', 'widthMult', 'invertedResidualSetting', 'roundNearest', 'block', 'normLayer', 'dropout'] as const;

const DEFAULT_SETTING = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

/**
 * MobileNetV2 (Sandler et al., 2018), as torchvision's `MobileNetV2`.
 * @example
 * ```ts
 * const model = new vision.models.MobileNetV2({ numClasses: 10, widthMult: 0.5 });
 * ```
 */
export class MobileNetV2 extends Module {
  declare lastChannel: number;
  declare features: Sequential;
  declare classifier: Sequential;

  constructor(options: MobileNetV2Options = {}) {
    super();
    const o = checkOptions(options, 'MobileNetV2 options', MOBILENET_V2_KEYS) as MobileNetV2Options;
    const numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    const widthMult = checkPositive(o.widthMult ?? 1, 'widthMult');
    const roundNearest = checkInt(o.roundNearest ?? 8, 'roundNearest', 1);
    const block: MobileNetV2Block = o.block === undefined || o.block === null ? InvertedResidual : o.block;
    if (typeof block !== 'function') throw typeError('a block class', 'block', block);
    const normLayer = o.normLayer === undefined || o.normLayer === null ? batchNorm2d : checkFactory<NormLayer>(o.normLayer, 'normLayer');
    const dropout = checkProbability(o.dropout ?? 0.2, 'dropout');
    const setting = o.invertedResidualSetting ?? DEFAULT_SETTING;
    if (!Array.isArray(setting) || setting.length === 0 || !Array.isArray(setting[0]) || setting[0].length !== 4) {
      throw rangeError('a non-empty list of [t, c, n, s] rows', 'invertedResidualSetting', setting);
    }
    let inputChannel = makeDivisible(32 * widthMult, roundNearest);
    this.lastChannel = makeDivisible(1280 * Math.max(1, widthMult), roundNearest);
    const features: Module[] = [new Conv2dNormActivation(3, inputChannel, { stride: 2, normLayer, activationLayer: relu6 })];
    for (const [t, c, n, s] of setting) {
      const outputChannel = makeDivisible(c * widthMult, roundNearest);
      for (let i = 0; i < n; i++) {
        features.push(new block(inputChannel, outputChannel, i === 0 ? s : 1, t, normLayer));
        inputChannel = outputChannel;
      }
    }
    features.push(new Conv2dNormActivation(inputChannel, this.lastChannel, { kernelSize: 1, normLayer, activationLayer: relu6 }));
    this.features = new Sequential(...features);
    this.classifier = new Sequential(new Dropout(dropout), new Linear(this.lastChannel, numClasses));

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
    x = F.adaptiveAvgPool2d(x, [1, 1]);
    x = flatten(x, 1);
    return this.classifier(x);
  }
}

/**
 * MobileNetV2 (3.5 M parameters with 1000 classes), as `torchvision.models.mobilenet_v2`.
 * @example
 * ```ts
 * const model = vision.models.mobilenetV2({ numClasses: 10 });
 * ```
 */
export function mobilenetV2(options: MobileNetV2Options & WeightsOption = {}): MobileNetV2 {
  return new MobileNetV2(builderOptions<MobileNetV2Options>(options, 'mobilenetV2', MOBILENET_V2_KEYS));
}
