/**
 * `optim.RMSprop`, as `torch.optim.RMSprop` (read it beside `torch/optim/rmsprop.py`: the same
 * single-tensor algorithm, op for op, so the numbers match PyTorch's on the CPU).
 */
import { type Tensor } from '../tensor';
import { tensor, zerosLike } from '../factories';
import { checkBool } from '../validate';
import { CAPTURABLE, DIFFERENTIABLE, FOREACH, MAXIMIZE, Optimizer, nonNegative, type OptionSpec, type Params } from './optimizer';

/** Options of `optim.RMSprop`, PyTorch's keyword arguments in camelCase. */
export interface RMSpropOptions {
  /** Learning rate. Default 1e-2. */
  lr?: number;
  /** Smoothing constant of the running average of squared gradients. Default 0.99. */
  alpha?: number;
  /** Added to the denominator for stability. Default 1e-8. */
  eps?: number;
  /** L2 penalty. Default 0. */
  weightDecay?: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Normalise by an estimate of the gradient's variance (centred RMSprop). Default false. */
  centered?: boolean;
  /** Maximise the objective instead. Default false. */
  maximize?: boolean;
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 1e-2, check: nonNegative('lr') },
  { camel: 'momentum', key: 'momentum', default: 0, check: nonNegative('momentum') },
  { camel: 'alpha', key: 'alpha', default: 0.99, check: nonNegative('alpha') },
  { camel: 'eps', key: 'eps', default: 1e-8, check: nonNegative('eps') },
  { camel: 'centered', key: 'centered', default: false, check: (v) => checkBool(v, 'centered') },
  { camel: 'weightDecay', key: 'weight_decay', default: 0, check: nonNegative('weightDecay') },
  CAPTURABLE,
  FOREACH,
  MAXIMIZE,
  DIFFERENTIABLE,
];

/**
 * RMSprop (Hinton), PyTorch's algorithm and state (`step`, `square_avg`, and `momentum_buffer`
 * with `momentum > 0`, `grad_avg` with `centered`).
 * @example
 * ```ts
 * const optimizer = new optim.RMSprop(model.parameters(), { lr: 0.01, momentum: 0.9 });
 * ```
 */
export class RMSprop extends Optimizer {
  constructor(params: Params, options: RMSpropOptions = {}) {
    super(params, options as Record<string, unknown>);
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    return this.readOptions(options, SPECS, fill);
  }

  /** One RMSprop step over every parameter that has a gradient. */
  protected update(): void {
    this.forEachGrad((param, grad, group, state) => {
      const lr = group.lr as number;
      const alpha = group.alpha as number;
      const eps = group.eps as number;
      const weightDecay = group.weight_decay as number;
      const momentum = group.momentum as number;
      const centered = group.centered === true;
      if (state.step === undefined) {
        this.setState(param, 'step', tensor(0, { dtype: 'float32' }));
        this.setState(param, 'square_avg', zerosLike(param));
        if (momentum > 0) this.setState(param, 'momentum_buffer', zerosLike(param));
        if (centered) this.setState(param, 'grad_avg', zerosLike(param));
      }
      const squareAvg = state.square_avg as Tensor;
      state.step.add_(1);
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      squareAvg.mul_(alpha).addcmul_(grad, grad, { value: 1 - alpha });
      let avg: Tensor;
      if (centered) {
        const gradAvg = state.grad_avg as Tensor;
        gradAvg.lerp_(grad, 1 - alpha);
        avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
      } else {
        avg = squareAvg.sqrt();
      }
      avg = avg.add_(eps);
      if (momentum > 0) {
        const buf = state.momentum_buffer as Tensor;
        buf.mul_(momentum).addcdiv_(grad, avg);
        param.add_(buf, { alpha: -lr });
      } else {
        param.addcdiv_(grad, avg, { value: -lr });
      }
    });
  }
}
