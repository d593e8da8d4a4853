/**
 * `optim.RAdam`, as `torch.optim.RAdam` (read it beside `torch/optim/radam.py`: the same
 * single-tensor algorithm, op for op, so the numbers match PyTorch's on the CPU).
 */
import { type Tensor } from '../tensor';
import { tensor, zerosLike } from '../factories';
import { checkBool } from '../validate';
import { CAPTURABLE, DIFFERENTIABLE, FOREACH, MAXIMIZE, Optimizer, checkBetas, nonNegative, type OptionSpec, type Params } from './optimizer';

/** Options of `optim.RAdam`, PyTorch's keyword arguments in camelCase. */
export interface RAdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates of the running averages of the gradient and of its square. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator for stability. Default 1e-8. */
  eps?: number;
  /** Weight decay (L2 penalty, or decoupled with `decoupledWeightDecay`). Default 0. */
  weightDecay?: number;
  /** Decay the weights as AdamW does (RAdamW) instead of adding an L2 term. Default false. */
  decoupledWeightDecay?: boolean;
  /** Maximise the objective instead. Default false. */
  maximize?: boolean;
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 1e-3, check: nonNegative('lr') },
  { camel: 'betas', key: 'betas', default: [0.9, 0.999], check: checkBetas },
  { camel: 'eps', key: 'eps', default: 1e-8, check: nonNegative('eps') },
  { camel: 'weightDecay', key: 'weight_decay', default: 0, check: nonNegative('weightDecay') },
  MAXIMIZE,
  FOREACH,
  CAPTURABLE,
  {
    camel: 'decoupledWeightDecay', key: 'decoupled_weight_decay', default: false,
    check: (v) => checkBool(v, 'decoupledWeightDecay'),
  },
  DIFFERENTIABLE,
];

/**
 * RAdam (Liu et al., 2020): Adam with a rectified adaptive learning rate, PyTorch's algorithm
 * and state (`step`, `exp_avg`, `exp_avg_sq`).
 * @example
 * ```ts
 * const optimizer = new optim.RAdam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class RAdam extends Optimizer {
  constructor(params: Params, options: RAdamOptions = {}) {
    super(params, options as Record<string, unknown>);
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    return this.readOptions(options, SPECS, fill);
  }

  /** One RAdam step over every parameter that has a gradient. */
  protected update(): void {
    this.forEachGrad((param, grad, group, state) => {
      const lr = group.lr as number;
      const [beta1, beta2] = group.betas as [number, number];
      const eps = group.eps as number;
      const weightDecay = group.weight_decay as number;
      if (state.step === undefined) {
        this.setState(param, 'step', tensor(0, { dtype: 'float32' }));
        this.setState(param, 'exp_avg', zerosLike(param));
        this.setState(param, 'exp_avg_sq', zerosLike(param));
      }
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      state.step.add_(1);
      const step = state.step.item() as number;
      if (weightDecay !== 0) {
        if (group.decoupled_weight_decay === true) param.mul_(1 - lr * weightDecay);
        else grad = grad.add(param, { alpha: weightDecay });
      }
      expAvg.lerp_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const biasCorrectedExpAvg = expAvg.div(biasCorrection1);
      // The maximum and the current length of the approximated SMA.
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
      if (rhoT > 5.0) {
        const rect = (((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) ** 0.5;
        // Python's `float / tensor` is `tensor.reciprocal() * float`.
        const adaptiveLr = expAvgSq.sqrt().add_(eps).reciprocal().mul(biasCorrection2 ** 0.5);
        param.add_(biasCorrectedExpAvg.mul(lr).mul(adaptiveLr).mul(rect), { alpha: -1.0 });
      } else {
        param.add_(biasCorrectedExpAvg.mul(lr), { alpha: -1.0 });
      }
    });
  }
}
