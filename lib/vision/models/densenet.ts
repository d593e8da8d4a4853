/**
 * DenseNet 121/161/169/201, as torchvision 0.14's `torchvision/models/densenet.py`: the same
 * modules and names (`features.conv0.weight`, `features.denseblock1.denselayer1.norm1.weight`,
 * `features.transition1.conv.weight`, `classifier.weight`), so a state dict saved by torchvision
 * loads with `strict: true`, and the same initialisation. (torchvision's loader also renames keys
 * of its 2017 checkpoints, `norm.1` → `norm1`; files it saves since have the new names.)
 */
import { Tensor } from '../../tensor';
import { cat, flatten } from '../../generated/ops';
import { rangeError } from '../../errors';
import { checkBool, checkInt, checkIntList, checkNumber, checkOptions } from '../../validate';
import { Module } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { BatchNorm2d } from '../../nn/normalization';
import { ReLU } from '../../nn/activation';
import { Linear } from '../../nn/linear';
import { AvgPool2d, MaxPool2d } from '../../nn/pooling';
import * as F from '../../nn/functional';
import * as init from '../../nn/init';
import { builderOptions, type WeightsOption } from './_utils';

function checkMemoryEfficient(value: unknown): false {
  if (checkBool(value, 'memoryEfficient')) {
    throw rangeError('false (nodetorch has no torch.utils.checkpoint; the results are the same without it)', 'memoryEfficient', value);
  }
  return false;
}

/**
 * One DenseNet layer: BN-ReLU-Conv1×1 to `bnSize · growthRate` channels, BN-ReLU-Conv3×3 to
 * `growthRate`, on the concatenation of every earlier feature map (torchvision's `_DenseLayer`).
 * @example
 * ```ts
 * const layer = new vision.models._DenseLayer(64, 32, 4, 0);
 * layer([x0, x1]); // the new 32 channels
 * ```
 */
export class _DenseLayer extends Module {
  declare norm1: BatchNorm2d;
  declare relu1: ReLU;
  declare conv1: Conv2d;
  declare norm2: BatchNorm2d;
  declare relu2: ReLU;
  declare conv2: Conv2d;
  /** Dropout probability on the new features. */
  declare dropRate: number;
  declare memoryEfficient: false;

  constructor(numInputFeatures: number, growthRate: number, bnSize: number, dropRate: number, memoryEfficient = false) {
    super();
    this.norm1 = new BatchNorm2d(numInputFeatures);
    this.relu1 = new ReLU({ inplace: true });
    this.conv1 = new Conv2d(numInputFeatures, bnSize * growthRate, 1, { stride: 1, bias: false });
    this.norm2 = new BatchNorm2d(bnSize * growthRate);
    this.relu2 = new ReLU({ inplace: true });
    this.conv2 = new Conv2d(bnSize * growthRate, growthRate, 3, { stride: 1, padding: 1, bias: false });
    this.dropRate = checkNumber(dropRate, 'dropRate');
    this.memoryEfficient = checkMemoryEfficient(memoryEfficient);
  }

  /** torchvision's `bn_function`: the 1×1 bottleneck over the concatenated inputs. */
  bnFunction(inputs: Tensor[]): Tensor {
    const concatedFeatures = cat(inputs, 1);
    return this.conv1(this.relu1(this.norm1(concatedFeatures)));
  }

  forward(input: Tensor | Tensor[]): Tensor {
    const prevFeatures = input instanceof Tensor ? [input] : input;
    const bottleneckOutput = this.bnFunction(prevFeatures);
    let newFeatures = this.conv2(this.relu2(this.norm2(bottleneckOutput)));
    if (this.dropRate > 0) newFeatures = F.dropout(newFeatures, this.dropRate, this.training);
    return newFeatures;
  }
}

/**
 * A dense block: `numLayers` `_DenseLayer`s named `denselayer1`, `denselayer2`, …, each fed every
 * earlier output; returns them all concatenated (torchvision's `_DenseBlock`; its layers are
 * children named `denselayer1`, … as there).
 * @example
 * ```ts
 * const block = new vision.models._DenseBlock(6, 64, 4, 32, 0); // [N, 64, H, W] → [N, 256, H, W]
 * ```
 */
export class _DenseBlock extends Module {
  constructor(numLayers: number, numInputFeatures: number, bnSize: number, growthRate: number, dropRate: number, memoryEfficient = false) {
    super();
    for (let i = 0; i < checkInt(numLayers, 'numLayers', 1); i++) {
      this.addModule(`denselayer${i + 1}`, new _DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate, memoryEfficient));
    }
  }

  forward(initFeatures: Tensor): Tensor {
    const features = [initFeatures];
    for (const layer of this.children()) features.push(layer(features) as Tensor);
    return cat(features, 1);
  }
}

/**
 * Between dense blocks: BN, ReLU, 1×1 convolution, 2×2 average pooling (torchvision's `_Transition`).
 * @example
 * ```ts
 * const transition = new vision.models._Transition(256, 128);
 * ```
 */
export class _Transition extends Sequential {
  declare norm: BatchNorm2d;
  declare relu: ReLU;
  declare conv: Conv2d;
  declare pool: AvgPool2d;
  constructor(numInputFeatures: number, numOutputFeatures: number) {
    super();
    this.norm = new BatchNorm2d(numInputFeatures);
    this.relu = new ReLU({ inplace: true });
    this.conv = new Conv2d(numInputFeatures, numOutputFeatures, 1, { stride: 1, bias: false });
    this.pool = new AvgPool2d(2, { stride: 2 });
  }
}

/** Options of `DenseNet`, torchvision's keyword arguments. */
export interface DenseNetOptions {
  /** Channels each layer adds (k). Default 32. */
  growthRate?: number;
  /** Layers in each of the 4 dense blocks. Default `[6, 12, 24, 16]`. */
  blockConfig?: [number, number, number, number];
  /** Channels of the first convolution. Default 64. */
  numInitFeatures?: number;
  /** Bottleneck width as a multiple of `growthRate`. Default 4. */
  bnSize?: number;
  /** Dropout after each dense layer. Default 0. */
  dropRate?: number;
  /** Default 1000. */
  numClasses?: number;
  /** torchvision's gradient checkpointing: only false (nodetorch has no `torch.utils.checkpoint`). Default false. */
  memoryEfficient?: boolean;
}

const DENSENET_KEYS = ['growthRate', 'blockConfig', 'numInitFeatures', 'bnSize', 'dropRate', 'numClasses', 'memoryEfficient'] as const;

/**
 * DenseNet-BC (Huang et al., 2016), as torchvision's `DenseNet`.
 * @example
 * ```ts
 * const model = new vision.models.DenseNet({ growthRate: 12, blockConfig: [4, 4, 4, 4], numInitFeatures: 24, numClasses: 10 });
 * ```
 */
export class DenseNet extends Module {
  declare features: Sequential;
  declare classifier: Linear;

  constructor(options: DenseNetOptions = {}) {
    super();
    const o = checkOptions(options, 'DenseNet options', DENSENET_KEYS) as DenseNetOptions;
    const growthRate = checkInt(o.growthRate ?? 32, 'growthRate', 1);
    const blockConfig = checkIntList(o.blockConfig ?? [6, 12, 24, 16], 'blockConfig');
    if (blockConfig.length === 0 || blockConfig.some((n) => n < 1)) throw rangeError('positive layer counts', 'blockConfig', o.blockConfig);
    const numInitFeatures = checkInt(o.numInitFeatures ?? 64, 'numInitFeatures', 1);
    const bnSize = checkInt(o.bnSize ?? 4, 'bnSize', 1);
    const dropRate = checkNumber(o.dropRate ?? 0, 'dropRate');
    const numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    const memoryEfficient = checkMemoryEfficient(o.memoryEfficient ?? false);

    this.features = new Sequential();
    this.features.addModule('conv0', new Conv2d(3, numInitFeatures, 7, { stride: 2, padding: 3, bias: false }));
    this.features.addModule('norm0', new BatchNorm2d(numInitFeatures));
    this.features.addModule('relu0', new ReLU({ inplace: true }));
    this.features.addModule('pool0', new MaxPool2d(3, { stride: 2, padding: 1 }));
    let numFeatures = numInitFeatures;
    blockConfig.forEach((numLayers, i) => {
      this.features.addModule(`denseblock${i + 1}`, new _DenseBlock(numLayers, numFeatures, bnSize, growthRate, dropRate, memoryEfficient));
      numFeatures += numLayers * growthRate;
      if (i !== blockConfig.length - 1) {
        this.features.addModule(`transition${i + 1}`, new _Transition(numFeatures, Math.floor(numFeatures / 2)));
        numFeatures = Math.floor(numFeatures / 2);
      }
    });
    this.features.addModule('norm5', new BatchNorm2d(numFeatures));
    this.classifier = new Linear(numFeatures, numClasses);

    for (const m of this.modules()) {
      if (m instanceof Conv2d) init.kaimingNormal_(m.weight);
      else if (m instanceof BatchNorm2d) {
        init.constant_(m.weight!, 1);
        init.constant_(m.bias!, 0);
      } else if (m instanceof Linear) init.constant_(m.bias!, 0);
    }
  }

  forward(x: Tensor): Tensor {
    const features = this.features(x) as Tensor;
    let out = F.relu(features, { inplace: true });
    out = F.adaptiveAvgPool2d(out, [1, 1]);
    out = flatten(out, 1);
    return this.classifier(out);
  }
}

/** Options of the DenseNet builders (their growth rate, blocks and initial features are fixed). */
export type DenseNetBuilderOptions = Omit<DenseNetOptions, 'growthRate' | 'blockConfig' | 'numInitFeatures'> & WeightsOption;

const BUILDER_KEYS = ['bnSize', 'dropRate', 'numClasses', 'memoryEfficient'] as const;

function densenet(builder: string, growthRate: number, blockConfig: [number, number, number, number], numInitFeatures: number, options: unknown): DenseNet {
  return new DenseNet({ growthRate, blockConfig, numInitFeatures, ...builderOptions<DenseNetBuilderOptions>(options, builder, BUILDER_KEYS) });
}

/**
 * DenseNet-121 (8.0 M parameters with 1000 classes), as `torchvision.models.densenet121`.
 * @example
 * ```ts
 * const model = vision.models.densenet121({ numClasses: 10 });
 * ```
 */
export function densenet121(options: DenseNetBuilderOptions = {}): DenseNet { return densenet('densenet121', 32, [6, 12, 24, 16], 64, options); }
/** DenseNet-161, as `torchvision.models.densenet161`. @example `vision.models.densenet161()` */
export function densenet161(options: DenseNetBuilderOptions = {}): DenseNet { return densenet('densenet161', 48, [6, 12, 36, 24], 96, options); }
/** DenseNet-169, as `torchvision.models.densenet169`. @example `vision.models.densenet169()` */
export function densenet169(options: DenseNetBuilderOptions = {}): DenseNet { return densenet('densenet169', 32, [6, 12, 32, 32], 64, options); }
/** DenseNet-201, as `torchvision.models.densenet201`. @example `vision.models.densenet201()` */
export function densenet201(options: DenseNetBuilderOptions = {}): DenseNet { return densenet('densenet201', 32, [6, 12, 48, 32], 64, options); }
