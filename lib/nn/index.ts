/**
 * `torch.nn`: modules, layers, losses, `functional` and `init`.
 */
export { Module, Parameter, type StateDict, type IncompatibleKeys } from './module';
export { Linear, Identity, Flatten } from './linear';
export { Conv2d, type Conv2dOptions } from './conv';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pooling';
export {
  ReLU, ReLU6, LeakyReLU, PReLU, RReLU, ELU, SELU, CELU, GELU, SiLU, Mish, Sigmoid, Tanh, Softplus, Softsign,
  Softshrink, Hardshrink, Tanhshrink, Hardtanh, Hardswish, Hardsigmoid, LogSigmoid, Threshold, GLU,
  Softmax, LogSoftmax, Softmin, Softmax2d,
} from './activation';
export type { InplaceOptions, GeluOptions } from './functional';
export { Dropout } from './dropout';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './normalization';
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict } from './container';
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss } from './loss';
export {
  KLDivLoss, HuberLoss, SmoothL1Loss, SoftMarginLoss, MultiLabelSoftMarginLoss, MultiLabelMarginLoss, MultiMarginLoss,
  MarginRankingLoss, HingeEmbeddingLoss, CosineEmbeddingLoss, TripletMarginLoss, PoissonNLLLoss, GaussianNLLLoss,
  type BCELossOptions, type BCEWithLogitsLossOptions,
} from './loss';
export * as functional from './functional';
export * as init from './init';
