/**
 * `torch.nn`: modules, layers, losses, `functional` and `init`.
 */
export { Module, Parameter, type StateDict, type IncompatibleKeys } from './module';
export { Linear, Identity, Flatten } from './linear';
export { Conv2d, type Conv2dOptions } from './conv';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pooling';
export { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Softmax, LogSoftmax } from './activation';
export { Dropout } from './dropout';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './normalization';
export { Sequential, ModuleList } from './container';
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss } from './loss';
export * as functional from './functional';
export * as init from './init';
