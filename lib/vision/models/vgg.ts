/**
 * VGG 11/13/16/19 with and without BatchNorm, as torchvision 0.14's `torchvision/models/vgg.py`:
 * the same modules and names (`features.0.weight`, `classifier.6.weight`), so a state dict saved
 * by torchvision loads with `strict: true`, and the same initialisation.
 */
import { Tensor } from '../../tensor';
import { flatten } from '../../generated/ops';
import { rangeError, typeError } from '../../errors';
import { checkBool, checkInt, checkOptions } from '../../validate';
import { Module } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { BatchNorm2d } from '../../nn/normalization';
import { ReLU } from '../../nn/activation';
import { Linear } from '../../nn/linear';
import { Dropout } from '../../nn/dropout';
import { AdaptiveAvgPool2d, MaxPool2d } from '../../nn/pooling';
import * as init from '../../nn/init';
import { builderOptions, checkProbability, type WeightsOption } from './_utils';

/** Options of `VGG` (and its builders), torchvision's keyword arguments. */
export interface VGGOptions {
  /** Default 1000. */
  numClasses?: number;
  /** Initialise as torchvision does (Kaiming normal convolutions, N(0, 0.01) Linear layers); false keeps PyTorch's layer defaults. Default true. */
  initWeights?: boolean;
  /** Dropout in the classifier. Default 0.5. */
  dropout?: number;
}

const VGG_KEYS = ['numClasses', 'initWeights', 'dropout'] as const;

/**
 * VGG (Simonyan & Zisserman, 2014) over a feature extractor, as torchvision's `VGG`: 7×7 adaptive
 * average pooling and a 3-layer classifier; build one with `vgg11()` … `vgg19Bn()`.
 * @example
 * ```ts
 * const model = new vision.models.VGG(vision.models.makeLayers(vision.models.cfgs.A, true), { numClasses: 10 });
 * ```
 */
export class VGG extends Module {
  declare features: Module;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(features: Module, options: VGGOptions = {}) {
    super();
    if (!(features instanceof Module)) throw typeError('a Module', 'features', features);
    const o = checkOptions(options, 'VGG options', VGG_KEYS) as VGGOptions;
    const numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    const initWeights = checkBool(o.initWeights ?? true, 'initWeights');
    const dropout = checkProbability(o.dropout ?? 0.5, 'dropout');
    this.features = features;
    this.avgpool = new AdaptiveAvgPool2d([7, 7]);
    this.classifier = new Sequential(
      new Linear(512 * 7 * 7, 4096),
      new ReLU({ inplace: true }),
      new Dropout(dropout),
      new Linear(4096, 4096),
      new ReLU({ inplace: true }),
      new Dropout(dropout),
      new Linear(4096, numClasses),
    );
    if (initWeights) {
      for (const m of this.modules()) {
        if (m instanceof Conv2d) {
          init.kaimingNormal_(m.weight, { mode: 'fanOut', nonlinearity: 'relu' });
          if (m.bias !== null) init.constant_(m.bias, 0);
        } else if (m instanceof BatchNorm2d) {
          init.constant_(m.weight!, 1);
          init.constant_(m.bias!, 0);
        } else if (m instanceof Linear) {
          init.normal_(m.weight, 0, 0.01);
          init.constant_(m.bias!, 0);
        }
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

/** A VGG configuration: output channels of each 3×3 convolution, `'M'` for a 2×2 max pool. */
export type VGGConfig = readonly (number | 'M')[];

/** torchvision's `cfgs`: A = VGG-11, B = VGG-13, D = VGG-16, E = VGG-19. @example `vision.models.makeLayers(vision.models.cfgs.E)` */
export const cfgs: Readonly<Record<'A' | 'B' | 'D' | 'E', VGGConfig>> = Object.freeze({
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
});

/**
 * torchvision's `make_layers`: VGG's feature extractor from a configuration (Conv2d 3×3 padding 1,
 * [BatchNorm2d,] ReLU; MaxPool2d(2, 2) for each `'M'`).
 * @example
 * ```ts
 * const features = vision.models.makeLayers(vision.models.cfgs.D, true); // VGG-16-BN's
 * ```
 */
export function makeLayers(cfg: VGGConfig, batchNorm = false): Sequential {
  if (!Array.isArray(cfg)) throw typeError("an array of channel counts and 'M'", 'cfg', cfg);
  checkBool(batchNorm, 'batchNorm');
  const layers: Module[] = [];
  let inChannels = 3;
  for (const v of cfg) {
    if (v === 'M') {
      layers.push(new MaxPool2d(2, { stride: 2 }));
    } else {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw rangeError("positive channel counts and 'M'", 'cfg', cfg);
      const conv2d = new Conv2d(inChannels, v, 3, { padding: 1 });
      if (batchNorm) layers.push(conv2d, new BatchNorm2d(v), new ReLU({ inplace: true }));
      else layers.push(conv2d, new ReLU({ inplace: true }));
      inChannels = v;
    }
  }
  return new Sequential(...layers);
}

/** Options of the VGG builders: `VGG`'s, and `weights` (only null). */
export type VGGBuilderOptions = VGGOptions & WeightsOption;

function vgg(builder: string, cfg: keyof typeof cfgs, batchNorm: boolean, options: unknown): VGG {
  return new VGG(makeLayers(cfgs[cfg], batchNorm), builderOptions<VGGOptions>(options, builder, VGG_KEYS));
}

/**
 * VGG-11 (configuration A, 132.9 M parameters with 1000 classes), as `torchvision.models.vgg11`.
 * @example
 * ```ts
 * const model = vision.models.vgg11({ numClasses: 10 });
 * ```
 */
export function vgg11(options: VGGBuilderOptions = {}): VGG { return vgg('vgg11', 'A', false, options); }
/** VGG-11 with BatchNorm, as `torchvision.models.vgg11_bn`. @example `vision.models.vgg11Bn({ numClasses: 10 })` */
export function vgg11Bn(options: VGGBuilderOptions = {}): VGG { return vgg('vgg11Bn', 'A', true, options); }
/** VGG-13 (configuration B), as `torchvision.models.vgg13`. @example `vision.models.vgg13()` */
export function vgg13(options: VGGBuilderOptions = {}): VGG { return vgg('vgg13', 'B', false, options); }
/** VGG-13 with BatchNorm, as `torchvision.models.vgg13_bn`. @example `vision.models.vgg13Bn()` */
export function vgg13Bn(options: VGGBuilderOptions = {}): VGG { return vgg('vgg13Bn', 'B', true, options); }
/** VGG-16 (configuration D), as `torchvision.models.vgg16`. @example `vision.models.vgg16({ numClasses: 10 })` */
export function vgg16(options: VGGBuilderOptions = {}): VGG { return vgg('vgg16', 'D', false, options); }
/** VGG-16 with BatchNorm, as `torchvision.models.vgg16_bn`. @example `vision.models.vgg16Bn({ numClasses: 10 })` */
export function vgg16Bn(options: VGGBuilderOptions = {}): VGG { return vgg('vgg16Bn', 'D', true, options); }
/** VGG-19 (configuration E), as `torchvision.models.vgg19`. @example `vision.models.vgg19()` */
export function vgg19(options: VGGBuilderOptions = {}): VGG { return vgg('vgg19', 'E', false, options); }
/** VGG-19 with BatchNorm, as `torchvision.models.vgg19_bn`. @example `vision.models.vgg19Bn()` */
export function vgg19Bn(options: VGGBuilderOptions = {}): VGG { return vgg('vgg19Bn', 'E', true, options); }
