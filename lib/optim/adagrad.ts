/**
 * `optim.Adagrad`, as `torch.optim.Adagrad` (read it beside `torch/optim/adagrad.py`: the same
 * single-tensor algorithm, op for op, so the numbers match PyTorch's on the CPU).
 */
import { type Tensor } from '../tensor';
import { fullLike, tensor } from '../factories';

import { DIFFERENTIABLE, FOREACH, FUSED, MAXIMIZE, Optimizer, nonNegative, type OptionSpec, type Params } from './optimizer';

/** Options of `optim.Adagrad`, PyTorch's keyword arguments in camelCase. */
export interface AdagradOptions {
  /** Learning rate. Default 1e-2. */
  lr?: number;
  /** Step k uses `lr / (1 + (k - 1) * lrDecay)`. Default 0. */
  lrDecay?: number;
  /** L2 penalty. Default 0. */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients. Default 0. */
  initialAccumulatorValue?: number;
  /** Added to the denominator for stability. Default 1e-10. */
  eps?: number;
  /** Maximise the objective instead. Default false. */
  maximize?: boolean;
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 1e-2, check: nonNegative('lr') },
  { camel: 'lrDecay', key: 'lr_decay', default: 0, check: nonNegative('lrDecay') },
  { camel: 'eps', key: 'eps', default: 1e-10, check: nonNegative('eps') },
  { camel: 'weightDecay', key: 'weight_decay', default: 0, check: nonNegative('weightDecay') },
  { camel: 'initialAccumulatorValue', key: 'initial_accumulator_value', default: 0, check: nonNegative('initialAccumulatorValue') },
  FOREACH,
  MAXIMIZE,
  DIFFERENTIABLE,
  FUSED,
];

/**
 * Adagrad (Duchi et al., 2011), PyTorch's algorithm and state (`step`, `sum`). As in PyTorch,
 * the state of every parameter is created by the constructor, so `stateDict()` has it at once.
 * @example
 * ```ts
 * const optimizer = new optim.Adagrad(model.parameters(), { lr: 0.01, lrDecay: 1e-4 });
 * ```
 */
export class Adagrad extends Optimizer {
  constructor(params: Params, options: AdagradOptions = {}) {
    super(params, options as Record<string, unknown>);
    for (const group of this.paramGroups) {
      for (const param of group.params) this.initState(param);
    }
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    return this.readOptions(options, SPECS, fill);
  }

  /** `step` = 0 and `sum` filled with the constructor's `initialAccumulatorValue`, as PyTorch does. */
  private initState(param: Tensor): void {
    this.setState(param, 'step', tensor(0, { dtype: 'float32' }));
    this.setState(param, 'sum', fullLike(param, this.defaults.initial_accumulator_value as number));
  }

  /** One Adagrad step over every parameter that has a gradient. */
  protected update(): void {
    this.forEachGrad((param, grad, group, state) => {
      const lr = group.lr as number;
      const lrDecay = group.lr_decay as number;
      const eps = group.eps as number;
      const weightDecay = group.weight_decay as number;
      if (state.step === undefined) this.initState(param);
      const stateSum = state.sum as Tensor;
      state.step.add_(1);
      const step = state.step.item() as number;
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      const clr = lr / (1 + (step - 1) * lrDecay);
      stateSum.addcmul_(grad, grad, { value: 1 });
      const std = stateSum.sqrt().add_(eps);
      param.addcdiv_(grad, std, { value: -clr });
    });
  }
}
