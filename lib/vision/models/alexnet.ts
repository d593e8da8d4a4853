/**
 * AlexNet, as torchvision 0.14's `torchvision/models/alexnet.py` (the "one weird trick" variant):
 * the same modules and names (`features.0.weight`, `classifier.6.weight`), so a state dict saved
 * by torchvision loads with `strict: true`. torchvision keeps PyTorch's default layer initialisation.
 */
import { Tensor } from '../../tensor';
import { flatten } from '../../generated/ops';
import { checkInt, checkOptions } from '../../validate';
import { Module } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { ReLU } from '../../nn/activation';
import { Linear } from '../../nn/linear';
import { Dropout } from '../../nn/dropout';
import { AdaptiveAvgPool2d, MaxPool2d } from '../../nn/pooling';
import { builderOptions, checkProbability, type WeightsOption } from './_utils';

/** Options of `AlexNet` (and `alexnet()`), torchvision's keyword arguments. */
export interface AlexNetOptions {
  /** Default 1000. */
  numClasses?: number;
  /** Dropout in the classifier. Default 0.5. */
  dropout?: number;
}

const ALEXNET_KEYS = ['numClasses', 'dropout'] as const;

/**
 * AlexNet (Krizhevsky, 2014), as torchvision's `AlexNet`.
 * @example
 * ```ts
 * const model = new vision.models.AlexNet({ numClasses: 10 });
 * ```
 */
export class AlexNet extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(options: AlexNetOptions = {}) {
    super();
    const o = checkOptions(options, 'AlexNet options', ALEXNET_KEYS) as AlexNetOptions;
    const numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    const dropout = checkProbability(o.dropout ?? 0.5, 'dropout');
    this.features = new Sequential(
      new Conv2d(3, 64, 11, { stride: 4, padding: 2 }),
      new ReLU({ inplace: true }),
      new MaxPool2d(3, { stride: 2 }),
      new Conv2d(64, 192, 5, { padding: 2 }),
      new ReLU({ inplace: true }),
      new MaxPool2d(3, { stride: 2 }),
      new Conv2d(192, 384, 3, { padding: 1 }),
      new ReLU({ inplace: true }),
      new Conv2d(384, 256, 3, { padding: 1 }),
      new ReLU({ inplace: true }),
      new Conv2d(256, 256, 3, { padding: 1 }),
      new ReLU({ inplace: true }),
      new MaxPool2d(3, { stride: 2 }),
    );
    this.avgpool = new AdaptiveAvgPool2d([6, 6]);
    this.classifier = new Sequential(
      new Dropout(dropout),
      new Linear(256 * 6 * 6, 4096),
      new ReLU({ inplace: true }),
      new Dropout(dropout),
      new Linear(4096, 4096),
      new ReLU({ inplace: true }),
      new Linear(4096, numClasses),
    );
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = flatten(x, 1);
    return this.classifier(x);
  }
}

/**
 * AlexNet (61.1 M parameters with 1000 classes), as `torchvision.models.alexnet`.
 * @example
 * ```ts
 * const model = vision.models.alexnet({ numClasses: 10 });
 * ```
 */
export function alexnet(options: AlexNetOptions & WeightsOption = {}): AlexNet {
  return new AlexNet(builderOptions<AlexNetOptions>(options, 'alexnet', ALEXNET_KEYS));
}
