/**
 * ResNet, ResNeXt and Wide ResNet, as torchvision 0.14's `torchvision/models/resnet.py`: the same
 * modules and names (`conv1`, `bn1`, `layer1.0.conv1`, `layer2.0.downsample.0`, `fc`), so a state
 * dict saved by torchvision loads with `strict: true`, and the same initialisation (Kaiming
 * normal, fan-out, for the convolutions; BatchNorm weight 1, bias 0).
 */
import { Tensor } from '../../tensor';
import { flatten } from '../../generated/ops';
import { rangeError, typeError } from '../../errors';
import { noGrad } from '../../autograd';
import { checkBool, checkInt, checkIntList, checkOptions } from '../../validate';
import { Module } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { BatchNorm2d, GroupNorm } from '../../nn/normalization';
import { ReLU } from '../../nn/activation';
import { Linear } from '../../nn/linear';
import { AdaptiveAvgPool2d, MaxPool2d } from '../../nn/pooling';
import * as init from '../../nn/init';
import { batchNorm2d, build, checkFactory, type NormLayer } from '../ops';
import { builderOptions, checkBoolList, overwriteNamedParam, type WeightsOption } from './_utils';

/** torchvision's `conv3x3`: a 3×3 convolution with padding `dilation`, no bias. @example `conv3x3(64, 128, 2)` */
export function conv3x3(inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, bias: false, dilation });
}

/** torchvision's `conv1x1`: a 1×1 convolution, no bias. @example `conv1x1(64, 256)` */
export function conv1x1(inPlanes: number, outPlanes: number, stride = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

/** Arguments of a residual block after `inplanes` and `planes`, torchvision's keyword arguments. */
export interface ResNetBlockOptions {
  /** Default 1. */
  stride?: number;
  /** The shortcut's projection when shapes change. Default null. */
  downsample?: Module | null;
  /** Default 1. */
  groups?: number;
  /** Default 64. */
  baseWidth?: number;
  /** Default 1. */
  dilation?: number;
  /** Default `nn.BatchNorm2d`. */
  normLayer?: NormLayer | null;
}

/**
 * ResNet-18/34's block: two 3×3 convolutions and an identity (or `downsample`) shortcut.
 * @example
 * ```ts
 * const block = new vision.models.BasicBlock(64, 64);
 * ```
 */
export class BasicBlock extends Module {
  /** Output channels per `planes`. */
  static readonly expansion: number = 1;
  declare conv1: Conv2d;
  declare bn1: Module;
  declare relu: ReLU;
  declare conv2: Conv2d;
  declare bn2: Module;
  declare downsample: Module | null;
  declare stride: number;

  constructor(inplanes: number, planes: number, options: ResNetBlockOptions = {}) {
    super();
    const o = blockOptions(options, 'BasicBlock');
    if (o.groups !== 1 || o.baseWidth !== 64) throw rangeError('groups 1 and baseWidth 64 (BasicBlock only supports these)', 'groups/baseWidth', [o.groups, o.baseWidth]);
    if (o.dilation > 1) throw rangeError('dilation 1 (dilation > 1 is not supported in BasicBlock)', 'dilation', o.dilation);
    this.conv1 = conv3x3(inplanes, planes, o.stride);
    this.bn1 = build(o.normLayer, 'normLayer', planes);
    this.relu = new ReLU({ inplace: true });
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = build(o.normLayer, 'normLayer', planes);
    this.downsample = o.downsample;
    this.stride = o.stride;
  }

  forward(x: Tensor): Tensor {
    let out = this.conv1(x);
    out = this.bn1(out);
    out = this.relu(out);
    out = this.conv2(out);
    out = this.bn2(out);
    const identity = this.downsample !== null ? this.downsample(x) : x;
    out = out.add_(identity);
    return this.relu(out);
  }
}

/**
 * ResNet-50/101/152's bottleneck block (torchvision's "ResNet V1.5": the stride on the 3×3
 * convolution): 1×1 reduce, 3×3, 1×1 expand by 4, and the shortcut.
 * @example
 * ```ts
 * const block = new vision.models.Bottleneck(256, 64);
 * ```
 */
export class Bottleneck extends Module {
  /** Output channels per `planes`. */
  static readonly expansion: number = 4;
  declare conv1: Conv2d;
  declare bn1: Module;
  declare conv2: Conv2d;
  declare bn2: Module;
  declare conv3: Conv2d;
  declare bn3: Module;
  declare relu: ReLU;
  declare downsample: Module | null;
  declare stride: number;

  constructor(inplanes: number, planes: number, options: ResNetBlockOptions = {}) {
    super();
    const o = blockOptions(options, 'Bottleneck');
    const width = Math.trunc(planes * (o.baseWidth / 64)) * o.groups;
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = build(o.normLayer, 'normLayer', width);
    this.conv2 = conv3x3(width, width, o.stride, o.groups, o.dilation);
    this.bn2 = build(o.normLayer, 'normLayer', width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion);
    this.bn3 = build(o.normLayer, 'normLayer', planes * Bottleneck.expansion);
    this.relu = new ReLU({ inplace: true });
    this.downsample = o.downsample;
    this.stride = o.stride;
  }

  forward(x: Tensor): Tensor {
    let out = this.conv1(x);
    out = this.bn1(out);
    out = this.relu(out);
    out = this.conv2(out);
    out = this.bn2(out);
    out = this.relu(out);
    out = this.conv3(out);
    out = this.bn3(out);
    const identity = this.downsample !== null ? this.downsample(x) : x;
    out = out.add_(identity);
    return this.relu(out);
  }
}

function blockOptions(options: ResNetBlockOptions, name: string) {
  const o = checkOptions(options, `${name} options`, ['stride', 'downsample', 'groups', 'baseWidth', 'dilation', 'normLayer']) as ResNetBlockOptions;
  if (o.downsample !== undefined && o.downsample !== null && !(o.downsample instanceof Module)) throw typeError('a Module or null', 'downsample', o.downsample);
  return {
    stride: checkInt(o.stride ?? 1, 'stride', 1),
    downsample: o.downsample ?? null,
    groups: checkInt(o.groups ?? 1, 'groups', 1),
    baseWidth: checkInt(o.baseWidth ?? 64, 'baseWidth', 1),
    dilation: checkInt(o.dilation ?? 1, 'dilation', 1),
    normLayer: o.normLayer === undefined || o.normLayer === null ? batchNorm2d : checkFactory<NormLayer>(o.normLayer, 'normLayer'),
  };
}

/** A residual block class: `BasicBlock`, `Bottleneck` or a subclass. */
export type ResNetBlock = (typeof BasicBlock) | (typeof Bottleneck);

/** Options of `ResNet` (and its builders), torchvision's keyword arguments. */
export interface ResNetOptions {
  /** Default 1000. */
  numClasses?: number;
  /** Start each residual branch's last BatchNorm at weight 0 (each block begins as the identity). Default false. */
  zeroInitResidual?: boolean;
  /** Groups of the 3×3 convolutions (ResNeXt's cardinality). Default 1. */
  groups?: number;
  /** Channels per group (64 · 2 for Wide ResNet). Default 64. */
  widthPerGroup?: number;
  /** For `layer2`–`layer4`: replace the stride-2 with a dilated convolution. Default `[false, false, false]`. */
  replaceStrideWithDilation?: [boolean, boolean, boolean] | null;
  /** Default `nn.BatchNorm2d`. */
  normLayer?: NormLayer | null;
}

const RESNET_KEYS = ['numClasses', 'zeroInitResidual', 'groups', 'widthPerGroup', 'replaceStrideWithDilation', 'normLayer'] as const;

/**
 * ResNet (He et al., 2015) over `[N, 3, H, W]`, as torchvision's `ResNet`; build one with
 * `resnet18()` … `resnet152()`, `resnext50_32x4d()`, `wideResnet50_2()` etc.
 * @example
 * ```ts
 * const model = new vision.models.ResNet(vision.models.BasicBlock, [2, 2, 2, 2], { numClasses: 10 });
 * ```
 */
export class ResNet extends Module {
  declare conv1: Conv2d;
  declare bn1: Module;
  declare relu: ReLU;
  declare maxpool: MaxPool2d;
  declare layer1: Sequential;
  declare layer2: Sequential;
  declare layer3: Sequential;
  declare layer4: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare fc: Linear;
  /** Channels entering the next stage, as `_make_layer` advances them. */
  declare inplanes: number;
  /** The current dilation, as `_make_layer` advances it. */
  declare dilation: number;
  declare groups: number;
  /** torchvision's `base_width` (`widthPerGroup`). */
  declare baseWidth: number;
  /** torchvision's `_norm_layer`. */
  declare protected normLayer: NormLayer;

  constructor(block: ResNetBlock, layers: number[], options: ResNetOptions = {}) {
    super();
    const o = checkOptions(options, 'ResNet options', RESNET_KEYS) as ResNetOptions;
    if (block !== BasicBlock && block !== Bottleneck && !(block?.prototype instanceof BasicBlock) && !(block?.prototype instanceof Bottleneck)) {
      throw typeError('BasicBlock, Bottleneck or a subclass', 'block', block);
    }
    const counts = checkIntList(layers, 'layers');
    if (counts.length !== 4 || counts.some((n) => n < 1)) throw rangeError('4 positive block counts', 'layers', layers);
    const numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    const zeroInitResidual = checkBool(o.zeroInitResidual ?? false, 'zeroInitResidual');
    const dilate = o.replaceStrideWithDilation === undefined || o.replaceStrideWithDilation === null ? [false, false, false]
      : checkBoolList(o.replaceStrideWithDilation, 3, 'replaceStrideWithDilation');
    const normLayer = o.normLayer === undefined || o.normLayer === null ? batchNorm2d : checkFactory<NormLayer>(o.normLayer, 'normLayer');
    this.normLayer = normLayer;
    this.inplanes = 64;
    this.dilation = 1;
    this.groups = checkInt(o.groups ?? 1, 'groups', 1);
    this.baseWidth = checkInt(o.widthPerGroup ?? 64, 'widthPerGroup', 1);
    this.conv1 = new Conv2d(3, this.inplanes, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = build(normLayer, 'normLayer', this.inplanes);
    this.relu = new ReLU({ inplace: true });
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this.makeLayer(block, 64, counts[0]);
    this.layer2 = this.makeLayer(block, 128, counts[1], 2, dilate[0]);
    this.layer3 = this.makeLayer(block, 256, counts[2], 2, dilate[1]);
    this.layer4 = this.makeLayer(block, 512, counts[3], 2, dilate[2]);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(512 * block.expansion, numClasses);

    noGrad(() => {
      for (const m of this.modules()) {
        if (m instanceof Conv2d) init.kaimingNormal_(m.weight, { mode: 'fanOut', nonlinearity: 'relu' });
        else if (m instanceof BatchNorm2d || m instanceof GroupNorm) {
          init.constant_(m.weight!, 1);
          init.constant_(m.bias!, 0);
        }
      }
      if (zeroInitResidual) {
        for (const m of this.modules()) {
          if (m instanceof Bottleneck && (m.bn3 as BatchNorm2d).weight) init.constant_((m.bn3 as BatchNorm2d).weight!, 0);
          else if (m instanceof BasicBlock && (m.bn2 as BatchNorm2d).weight) init.constant_((m.bn2 as BatchNorm2d).weight!, 0);
        }
      }
    });
  }

  /** torchvision's `_make_layer`: one stage of `blocks` blocks, the first with the stride and shortcut projection. */
  protected makeLayer(block: ResNetBlock, planes: number, blocks: number, stride = 1, dilate = false): Sequential {
    const normLayer = this.normLayer;
    let downsample: Module | null = null;
    const previousDilation = this.dilation;
    if (dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    if (stride !== 1 || this.inplanes !== planes * block.expansion) {
      downsample = new Sequential(conv1x1(this.inplanes, planes * block.expansion, stride), build(normLayer, 'normLayer', planes * block.expansion));
    }
    const layers: Module[] = [new block(this.inplanes, planes, {
      stride, downsample, groups: this.groups, baseWidth: this.baseWidth, dilation: previousDilation, normLayer,
    })];
    this.inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++) {
      layers.push(new block(this.inplanes, planes, { groups: this.groups, baseWidth: this.baseWidth, dilation: this.dilation, normLayer }));
    }
    return new Sequential(...layers);
  }

  forward(x: Tensor): Tensor {
    x = this.conv1(x);
    x = this.bn1(x);
    x = this.relu(x);
    x = this.maxpool(x);
    x = this.layer1(x);
    x = this.layer2(x);
    x = this.layer3(x);
    x = this.layer4(x);
    x = this.avgpool(x);
    x = flatten(x, 1);
    return this.fc(x);
  }
}

/** Options of the ResNet builders: `ResNet`'s, and `weights` (only null). */
export type ResNetBuilderOptions = ResNetOptions & WeightsOption;

function resnet(name: string, block: ResNetBlock, layers: number[], options: unknown, fixed: Partial<ResNetOptions> = {}): ResNet {
  let o = builderOptions<ResNetOptions>(options, name, RESNET_KEYS);
  for (const [k, v] of Object.entries(fixed)) o = overwriteNamedParam(o, k as keyof ResNetOptions, v as never, name);
  return new ResNet(block, layers, o);
}

/**
 * ResNet-18 (11.7 M parameters with 1000 classes), as `torchvision.models.resnet18`.
 * @example
 * ```ts
 * const model = vision.models.resnet18({ numClasses: 10 });
 * model.loadStateDict(torch.load('resnet18.pth')); // saved by torchvision: same keys
 * ```
 */
export function resnet18(options: ResNetBuilderOptions = {}): ResNet { return resnet('resnet18', BasicBlock, [2, 2, 2, 2], options); }
/** ResNet-34, as `torchvision.models.resnet34`. @example `vision.models.resnet34({ numClasses: 10 })` */
export function resnet34(options: ResNetBuilderOptions = {}): ResNet { return resnet('resnet34', BasicBlock, [3, 4, 6, 3], options); }
/** ResNet-50, as `torchvision.models.resnet50`. @example `vision.models.resnet50({ numClasses: 10 })` */
export function resnet50(options: ResNetBuilderOptions = {}): ResNet { return resnet('resnet50', Bottleneck, [3, 4, 6, 3], options); }
/** ResNet-101, as `torchvision.models.resnet101`. @example `vision.models.resnet101()` */
export function resnet101(options: ResNetBuilderOptions = {}): ResNet { return resnet('resnet101', Bottleneck, [3, 4, 23, 3], options); }
/** ResNet-152, as `torchvision.models.resnet152`. @example `vision.models.resnet152()` */
export function resnet152(options: ResNetBuilderOptions = {}): ResNet { return resnet('resnet152', Bottleneck, [3, 8, 36, 3], options); }

/** Options of the ResNeXt and Wide ResNet builders (their `groups` and `widthPerGroup` are fixed). */
export type FixedWidthResNetBuilderOptions = Omit<ResNetOptions, 'groups' | 'widthPerGroup'> & WeightsOption;

/** ResNeXt-50 32×4d, as `torchvision.models.resnext50_32x4d`. @example `vision.models.resnext50_32x4d()` */
export function resnext50_32x4d(options: FixedWidthResNetBuilderOptions = {}): ResNet {
  return resnet('resnext50_32x4d', Bottleneck, [3, 4, 6, 3], options, { groups: 32, widthPerGroup: 4 });
}
/** ResNeXt-101 32×8d, as `torchvision.models.resnext101_32x8d`. @example `vision.models.resnext101_32x8d()` */
export function resnext101_32x8d(options: FixedWidthResNetBuilderOptions = {}): ResNet {
  return resnet('resnext101_32x8d', Bottleneck, [3, 4, 23, 3], options, { groups: 32, widthPerGroup: 8 });
}
/** ResNeXt-101 64×4d, as `torchvision.models.resnext101_64x4d`. @example `vision.models.resnext101_64x4d()` */
export function resnext101_64x4d(options: FixedWidthResNetBuilderOptions = {}): ResNet {
  return resnet('resnext101_64x4d', Bottleneck, [3, 4, 23, 3], options, { groups: 64, widthPerGroup: 4 });
}
/** Wide ResNet-50-2, as `torchvision.models.wide_resnet50_2`. @example `vision.models.wideResnet50_2()` */
export function wideResnet50_2(options: FixedWidthResNetBuilderOptions = {}): ResNet {
  return resnet('wideResnet50_2', Bottleneck, [3, 4, 6, 3], options, { widthPerGroup: 64 * 2 });
}
/** Wide ResNet-101-2, as `torchvision.models.wide_resnet101_2`. @example `vision.models.wideResnet101_2()` */
export function wideResnet101_2(options: FixedWidthResNetBuilderOptions = {}): ResNet {
  return resnet('wideResnet101_2', Bottleneck, [3, 4, 23, 3], options, { widthPerGroup: 64 * 2 });
}
