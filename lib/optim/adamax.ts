/**
 * `optim.Adamax`, as `torch.optim.Adamax` (read it beside `torch/optim/adamax.py`: the same
 * single-tensor algorithm, op for op, so the numbers match PyTorch's on the CPU).
 */
import { type Tensor } from '../tensor';
import { tensor, zerosLike } from '../factories';

import { CAPTURABLE, DIFFERENTIABLE, FOREACH, MAXIMIZE, Optimizer, checkBetas, nonNegative, type OptionSpec, type Params } from './optimizer';

/** Options of `optim.Adamax`, PyTorch's keyword arguments in camelCase. */
export interface AdamaxOptions {
  /** Learning rate. Default 2e-3. */
  lr?: number;
  /** Decay rates of the running average of the gradient and of the infinity norm. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the infinity norm for stability. Default 1e-8. */
  eps?: number;
  /** L2 penalty. Default 0. */
  weightDecay?: number;
  /** Maximise the objective instead. Default false. */
  maximize?: boolean;
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 2e-3, check: nonNegative('lr') },
  { camel: 'betas', key: 'betas', default: [0.9, 0.999], check: checkBetas },
  { camel: 'eps', key: 'eps', default: 1e-8, check: nonNegative('eps') },
  { camel: 'weightDecay', key: 'weight_decay', default: 0, check: nonNegative('weightDecay') },
  FOREACH,
  MAXIMIZE,
  DIFFERENTIABLE,
  CAPTURABLE,
];

/**
 * Adamax (Kingma & Ba, 2015): Adam with the infinity norm, PyTorch's algorithm and state
 * (`step`, `exp_avg`, `exp_inf`).
 * @example
 * ```ts
 * const optimizer = new optim.Adamax(model.parameters(), { lr: 2e-3 });
 * ```
 */
export class Adamax extends Optimizer {
  constructor(params: Params, options: AdamaxOptions = {}) {
    super(params, options as Record<string, unknown>);
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    return this.readOptions(options, SPECS, fill);
  }

  /** One Adamax step over every parameter that has a gradient. */
  protected update(): void {
    this.forEachGrad((param, grad, group, state) => {
      const lr = group.lr as number;
      const [beta1, beta2] = group.betas as [number, number];
      const eps = group.eps as number;
      const weightDecay = group.weight_decay as number;
      if (state.step === undefined) {
        this.setState(param, 'step', tensor(0, { dtype: 'float32' }));
        this.setState(param, 'exp_avg', zerosLike(param));
        this.setState(param, 'exp_inf', zerosLike(param));
      }
      const expAvg = state.exp_avg as Tensor;
      const expInf = state.exp_inf as Tensor;
      state.step.add_(1);
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      expAvg.lerp_(grad, 1 - beta1);
      // torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
      expInf.mul_(beta2);
      expInf.copy_(expInf.maximum(grad.abs().add_(eps)));
      const biasCorrection = 1 - beta1 ** (state.step.item() as number);
      const clr = lr / biasCorrection;
      param.addcdiv_(expAvg, expInf, { value: -clr });
    });
  }
}
