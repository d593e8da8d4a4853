/**
 * `torchvision.models`: the classification architectures, with torchvision 0.14's module names
 * (a state dict saved by Python torchvision loads with `strict: true` and gives the same logits),
 * its initialisation and its builders' options in camelCase. There are no pretrained weights
 * offline: `weights` must be null; load weights saved in Python with `loadStateDict`.
 *
 * Builders are torchvision's names in camelCase (`resnet18`, `mobilenetV3Small`, `vgg16Bn`,
 * `squeezenet1_1`, `efficientnetB0`, `shufflenetV2X1_0`, `convnextTiny`, `vitB_16`); each family's
 * blocks are exported too, and the three `InvertedResidual` blocks under their family
 * (`models.mobilenetv2.InvertedResidual`, `models.mobilenetv3.…`, `models.shufflenetv2.…`), as in
 * torchvision.
 *
 * @example
 * ```ts
 * import * as torch from 'nodetorch';
 * const model = torch.vision.models.resnet18({ numClasses: 10 });
 * model.loadStateDict(torch.load('resnet18.pth')); // torch.save(model.state_dict(), 'resnet18.pth') in Python
 * model.eval();
 * const logits = torch.noGrad(() => model(images)); // [N, 10]
 * ```
 * @module
 */
export {
  ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d,
  resnext101_64x4d, wideResnet50_2, wideResnet101_2,
  type ResNetBlock, type ResNetBlockOptions, type ResNetOptions, type ResNetBuilderOptions, type FixedWidthResNetBuilderOptions,
} from './resnet';
export { MobileNetV2, mobilenetV2, type MobileNetV2Block, type MobileNetV2Options } from './mobilenetv2';
export {
  MobileNetV3, InvertedResidualConfig, mobilenetV3Conf, mobilenetV3Large, mobilenetV3Small,
  type MobileNetV3Block, type MobileNetV3Options, type MobileNetV3ConfOptions, type MobileNetV3BuilderOptions,
} from './mobilenetv3';
export {
  VGG, cfgs, makeLayers, vgg11, vgg11Bn, vgg13, vgg13Bn, vgg16, vgg16Bn, vgg19, vgg19Bn,
  type VGGConfig, type VGGOptions, type VGGBuilderOptions,
} from './vgg';
export { AlexNet, alexnet, type AlexNetOptions } from './alexnet';
export { SqueezeNet, Fire, squeezenet1_0, squeezenet1_1, type SqueezeNetOptions, type SqueezeNetBuilderOptions } from './squeezenet';
export {
  DenseNet, _DenseLayer, _DenseBlock, _Transition, densenet121, densenet161, densenet169, densenet201,
  type DenseNetOptions, type DenseNetBuilderOptions,
} from './densenet';
export {
  EfficientNet, MBConv, FusedMBConv, MBConvConfig, FusedMBConvConfig, efficientnetConf, efficientnetB0, efficientnetB1,
  efficientnetB2, efficientnetB3, efficientnetB4, efficientnetB5, efficientnetB6, efficientnetB7, efficientnetV2S,
  efficientnetV2M, efficientnetV2L,
  type EfficientNetArch, type EfficientNetBlock, type EfficientNetOptions, type EfficientNetBuilderOptions,
  type EfficientNetFixedNormBuilderOptions,
} from './efficientnet';
export {
  ShuffleNetV2, channelShuffle, shufflenetV2X0_5, shufflenetV2X1_0, shufflenetV2X1_5, shufflenetV2X2_0,
  type ShuffleNetV2Unit, type ShuffleNetV2Options, type ShuffleNetV2BuilderOptions,
} from './shufflenetv2';
export {
  ConvNeXt, CNBlock, CNBlockConfig, convnextTiny, convnextSmall, convnextBase, convnextLarge,
  type ConvNeXtBlock, type ConvNeXtOptions, type ConvNeXtBuilderOptions,
} from './convnext';
export {
  VisionTransformer, Encoder, EncoderBlock, MLPBlock, vitB_16, vitB_32, vitL_16, vitL_32, vitH_14,
  type ConvStemConfig, type VisionTransformerOptions, type VisionTransformerBuilderOptions,
} from './vision_transformer';
export type { WeightsOption } from './_utils';
/** MobileNetV2's module (its `InvertedResidual`), as `torchvision.models.mobilenetv2`. */
export * as mobilenetv2 from './mobilenetv2';
/** MobileNetV3's module (its `InvertedResidual`), as `torchvision.models.mobilenetv3`. */
export * as mobilenetv3 from './mobilenetv3';
/** ShuffleNetV2's module (its `InvertedResidual`), as `torchvision.models.shufflenetv2`. */
export * as shufflenetv2 from './shufflenetv2';
