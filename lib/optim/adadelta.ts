/**
 * `optim.Adadelta`, as `torch.optim.Adadelta` (read it beside `torch/optim/adadelta.py`: the
 * same single-tensor algorithm, op for op, so the numbers match PyTorch's on the CPU).
 */
import { type Tensor } from '../tensor';
import { tensor, zerosLike } from '../factories';
import { checkNumber } from '../validate';
import { rangeError } from '../errors';
import { CAPTURABLE, DIFFERENTIABLE, FOREACH, MAXIMIZE, Optimizer, nonNegative, type OptionSpec, type Params } from './optimizer';

/** Options of `optim.Adadelta`, PyTorch's keyword arguments in camelCase. */
export interface AdadeltaOptions {
  /** Scales the update. Default 1.0. */
  lr?: number;
  /** Decay of the running averages of squared gradients and updates. Default 0.9. */
  rho?: number;
  /** Added inside the square roots for stability. Default 1e-6. */
  eps?: number;
  /** L2 penalty. Default 0. */
  weightDecay?: number;
  /** Maximise the objective instead. Default false. */
  maximize?: boolean;
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 1.0, check: nonNegative('lr') },
  {
    camel: 'rho', key: 'rho', default: 0.9,
    check: (v) => { if (checkNumber(v, 'rho') < 0 || (v as number) > 1) throw rangeError('a value in [0, 1]', 'rho', v); },
  },
  { camel: 'eps', key: 'eps', default: 1e-6, check: nonNegative('eps') },
  { camel: 'weightDecay', key: 'weight_decay', default: 0, check: nonNegative('weightDecay') },
  MAXIMIZE,
  FOREACH,
  CAPTURABLE,
  DIFFERENTIABLE,
];

/**
 * Adadelta (Zeiler, 2012), PyTorch's algorithm and state (`step`, `square_avg`, `acc_delta`).
 * @example
 * ```ts
 * const optimizer = new optim.Adadelta(model.parameters(), { lr: 1.0 });
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
 * ```
 */
export class Adadelta extends Optimizer {
  constructor(params: Params, options: AdadeltaOptions = {}) {
    super(params, options as Record<string, unknown>);
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    return this.readOptions(options, SPECS, fill);
  }

  /** One Adadelta step over every parameter that has a gradient. */
  protected update(): void {
    this.forEachGrad((param, grad, group, state) => {
      const lr = group.lr as number;
      const rho = group.rho as number;
      const eps = group.eps as number;
      const weightDecay = group.weight_decay as number;
      if (state.step === undefined) {
        this.setState(param, 'step', tensor(0, { dtype: 'float32' }));
        this.setState(param, 'square_avg', zerosLike(param));
        this.setState(param, 'acc_delta', zerosLike(param));
      }
      const squareAvg = state.square_avg as Tensor;
      const accDelta = state.acc_delta as Tensor;
      state.step.add_(1);
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      squareAvg.mul_(rho).addcmul_(grad, grad, { value: 1 - rho });
      const std = squareAvg.add(eps).sqrt_();
      const delta = accDelta.add(eps).sqrt_();
      delta.div_(std).mul_(grad);
      accDelta.mul_(rho).addcmul_(delta, delta, { value: 1 - rho });
      param.add_(delta, { alpha: -lr });
    });
  }
}
