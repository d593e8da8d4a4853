/**
 * SqueezeNet 1.0 and 1.1, as torchvision 0.14's `torchvision/models/squeezenet.py`: the same
 * modules and names (`features.3.squeeze.weight`, `classifier.1.weight`), so a state dict saved by
 * torchvision loads with `strict: true`, and the same initialisation.
 */
import { Tensor } from '../../tensor';
import { cat, flatten } from '../../generated/ops';
import { rangeError, typeError } from '../../errors';
import { checkInt, checkOptions } from '../../validate';
import { Module } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { ReLU } from '../../nn/activation';
import { Dropout } from '../../nn/dropout';
import { AdaptiveAvgPool2d, MaxPool2d } from '../../nn/pooling';
import * as init from '../../nn/init';
import { builderOptions, checkProbability, member, type WeightsOption } from './_utils';

/**
 * SqueezeNet's Fire module: a 1×1 squeeze, then 1×1 and 3×3 expands concatenated on channels.
 * @example
 * ```ts
 * const fire = new vision.models.Fire(96, 16, 64, 64); // [N, 96, H, W] → [N, 128, H, W]
 * ```
 */
export class Fire extends Module {
  declare inplanes: number;
  declare squeeze: Conv2d;
  /** The 1×1 expand. */
  declare expand1x1: Conv2d;
  /** The 3×3 expand. */
  declare expand3x3: Conv2d;

  constructor(inplanes: number, squeezePlanes: number, expand1x1Planes: number, expand3x3Planes: number) {
    super();
    this.inplanes = checkInt(inplanes, 'inplanes', 1);
    this.squeeze = new Conv2d(inplanes, squeezePlanes, 1);
    this.registerModule('squeeze_activation', new ReLU({ inplace: true }));
    this.expand1x1 = new Conv2d(squeezePlanes, expand1x1Planes, 1);
    this.registerModule('expand1x1_activation', new ReLU({ inplace: true }));
    this.expand3x3 = new Conv2d(squeezePlanes, expand3x3Planes, 3, { padding: 1 });
    this.registerModule('expand3x3_activation', new ReLU({ inplace: true }));
  }

  /** The squeeze's ReLU (`squeeze_activation`). */
  get squeezeActivation(): ReLU { return member(this, 'squeeze_activation'); }
  /** Its ReLU (`expand1x1_activation`). */
  get expand1x1Activation(): ReLU { return member(this, 'expand1x1_activation'); }
  /** Its ReLU (`expand3x3_activation`). */
  get expand3x3Activation(): ReLU { return member(this, 'expand3x3_activation'); }

  forward(x: Tensor): Tensor {
    x = this.squeezeActivation(this.squeeze(x));
    return cat([this.expand1x1Activation(this.expand1x1(x)), this.expand3x3Activation(this.expand3x3(x))], 1);
  }
}

/** Options of `SqueezeNet` (and its builders), torchvision's keyword arguments. */
export interface SqueezeNetOptions {
  /** Default 1000. */
  numClasses?: number;
  /** Dropout before the classifier convolution. Default 0.5. */
  dropout?: number;
}

const SQUEEZENET_KEYS = ['numClasses', 'dropout'] as const;

/**
 * SqueezeNet (Iandola et al., 2016), version `'1_0'` or `'1_1'` (2.4× less computation), as
 * torchvision's `SqueezeNet`.
 * @example
 * ```ts
 * const model = new vision.models.SqueezeNet('1_1', { numClasses: 10 });
 * ```
 */
export class SqueezeNet extends Module {
  declare numClasses: number;
  declare features: Sequential;
  declare classifier: Sequential;

  constructor(version: '1_0' | '1_1' = '1_0', options: SqueezeNetOptions = {}) {
    super();
    const o = checkOptions(options, 'SqueezeNet options', SQUEEZENET_KEYS) as SqueezeNetOptions;
    this.numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    const dropout = checkProbability(o.dropout ?? 0.5, 'dropout');
    const pool = () => new MaxPool2d(3, { stride: 2, ceilMode: true });
    if (version === '1_0') {
      this.features = new Sequential(
        new Conv2d(3, 96, 7, { stride: 2 }), new ReLU({ inplace: true }), pool(),
        new Fire(96, 16, 64, 64), new Fire(128, 16, 64, 64), new Fire(128, 32, 128, 128), pool(),
        new Fire(256, 32, 128, 128), new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256), pool(),
        new Fire(512, 64, 256, 256),
      );
    } else if (version === '1_1') {
      this.features = new Sequential(
        new Conv2d(3, 64, 3, { stride: 2 }), new ReLU({ inplace: true }), pool(),
        new Fire(64, 16, 64, 64), new Fire(128, 16, 64, 64), pool(),
        new Fire(128, 32, 128, 128), new Fire(256, 32, 128, 128), pool(),
        new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256), new Fire(512, 64, 256, 256),
      );
    } else {
      throw (typeof version === 'string' ? rangeError : typeError)("'1_0' or '1_1'", 'version', version);
    }
    const finalConv = new Conv2d(512, this.numClasses, 1);
    this.classifier = new Sequential(new Dropout(dropout), finalConv, new ReLU({ inplace: true }), new AdaptiveAvgPool2d([1, 1]));
    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        if (m === finalConv) init.normal_(m.weight, 0, 0.01);
        else init.kaimingUniform_(m.weight);
        if (m.bias !== null) init.constant_(m.bias, 0);
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.classifier(x);
    return flatten(x, 1);
  }
}

/** Options of the SqueezeNet builders: `SqueezeNet`'s, and `weights` (only null). */
export type SqueezeNetBuilderOptions = SqueezeNetOptions & WeightsOption;

/**
 * SqueezeNet 1.0 (1.2 M parameters with 1000 classes), as `torchvision.models.squeezenet1_0`.
 * @example
 * ```ts
 * const model = vision.models.squeezenet1_0({ numClasses: 10 });
 * ```
 */
export function squeezenet1_0(options: SqueezeNetBuilderOptions = {}): SqueezeNet {
  return new SqueezeNet('1_0', builderOptions<SqueezeNetOptions>(options, 'squeezenet1_0', SQUEEZENET_KEYS));
}

/**
 * SqueezeNet 1.1 (1.2 M parameters, 2.4× less computation than 1.0), as `torchvision.models.squeezenet1_1`.
 * @example
 * ```ts
 * const model = vision.models.squeezenet1_1({ numClasses: 10 });
 * ```
 */
export function squeezenet1_1(options: SqueezeNetBuilderOptions = {}): SqueezeNet {
  return new SqueezeNet('1_1', builderOptions<SqueezeNetOptions>(options, 'squeezenet1_1', SQUEEZENET_KEYS));
}
