/**
 * `torch.optim`: optimizers and learning-rate schedulers.
 */
export { Optimizer, type ParamGroup, type Params, type OptimizerStateDict } from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, type AdamOptions } from './adam';
export { Adadelta, type AdadeltaOptions } from './adadelta';
export * as lrScheduler from './lr_scheduler';
