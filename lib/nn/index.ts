/**
 * `torch.nn`: modules, layers, losses, `functional` and `init`.
 */
export { Module, Parameter, type StateDict, type IncompatibleKeys } from './module';
export { Linear, Identity, Flatten } from './linear';
export { Conv2d, type Conv2dOptions } from './conv';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pooling';
export {
  MaxPool1d, MaxPool3d, AvgPool1d, AvgPool3d, AdaptiveAvgPool1d, AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
  AdaptiveMaxPool3d, type PoolOutput, type MaxPoolModuleOptions, type AdaptiveMaxPoolOptions,
} from './pooling';
export {
  ZeroPad1d, ZeroPad2d, ZeroPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d,
  ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d,
} from './padding';
export { Upsample, PixelShuffle, PixelUnshuffle } from './upsampling';
export {
  ReLU, ReLU6, LeakyReLU, PReLU, RReLU, ELU, SELU, CELU, GELU, SiLU, Mish, Sigmoid, Tanh, Softplus, Softsign,
  Softshrink, Hardshrink, Tanhshrink, Hardtanh, Hardswish, Hardsigmoid, LogSigmoid, Threshold, GLU,
  Softmax, LogSoftmax, Softmin, Softmax2d,
} from './activation';
export type { InplaceOptions, GeluOptions } from './functional';
export { Dropout } from './dropout';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './normalization';
export {
  BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, GroupNorm, LocalResponseNorm,
  type InstanceNormOptions, type LayerNormOptions, type GroupNormOptions,
} from './normalization';
export { Embedding, type EmbeddingOptions, type EmbeddingFromPretrainedOptions } from './sparse';
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict } from './container';
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss } from './loss';
export {
  KLDivLoss, HuberLoss, SmoothL1Loss, SoftMarginLoss, MultiLabelSoftMarginLoss, MultiLabelMarginLoss, MultiMarginLoss,
  MarginRankingLoss, HingeEmbeddingLoss, CosineEmbeddingLoss, TripletMarginLoss, PoissonNLLLoss, GaussianNLLLoss,
  type BCELossOptions, type BCEWithLogitsLossOptions,
} from './loss';
export * as functional from './functional';
export * as init from './init';
