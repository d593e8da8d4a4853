/**
 * `optim.lrScheduler`: learning-rate schedules, ports of PyTorch 2.13's `torch.optim.lr_scheduler`
 * with the same values, checks and state dicts (PyTorch's snake_case keys).
 * @module
 */
export { LRScheduler } from './base';
export {
  StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
  type StepLROptions, type MultiStepLROptions, type ConstantLROptions, type LinearLROptions, type ExponentialLROptions,
  type PolynomialLROptions,
} from './basic';
export { LambdaLR, MultiplicativeLR, type LambdaLROptions, type LrLambda } from './lambda';
export { CosineAnnealingLR, CosineAnnealingWarmRestarts, type CosineAnnealingLROptions, type CosineAnnealingWarmRestartsOptions } from './cosine';
export { CyclicLR, OneCycleLR, type CyclicLROptions, type CyclicMode, type OneCycleLROptions } from './cyclic';
export { SequentialLR, ChainedScheduler, type SequentialLROptions, type ChainedSchedulerOptions } from './compose';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau';
