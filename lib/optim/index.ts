/**
 * `torch.optim`: optimizers and learning-rate schedulers.
 * @module
 */
export { Optimizer, type ParamGroup, type Params, type OptimizerStateDict, type StateValue } from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, type AdamOptions } from './adam';
export { Adadelta, type AdadeltaOptions } from './adadelta';
export { AdamW, type AdamWOptions } from './adamw';
export { Adagrad, type AdagradOptions } from './adagrad';
export { RMSprop, type RMSpropOptions } from './rmsprop';
export { Adamax, type AdamaxOptions } from './adamax';
export { NAdam, type NAdamOptions } from './nadam';
export { RAdam, type RAdamOptions } from './radam';
export * as lrScheduler from './lr_scheduler';
export { ASGD, type ASGDOptions } from './asgd';
export { Rprop, type RpropOptions } from './rprop';
export { LBFGS, type LBFGSOptions, type LBFGSClosure, type LBFGSState } from './lbfgs';
