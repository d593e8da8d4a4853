/**
 * `optim.NAdam`, as `torch.optim.NAdam` (read it beside `torch/optim/nadam.py`: the same
 * single-tensor algorithm, op for op, so the numbers match PyTorch's on the CPU).
 */
import { type Tensor } from '../tensor';
import { tensor, zerosLike } from '../factories';
import { checkBool } from '../validate';
import { CAPTURABLE, DIFFERENTIABLE, FOREACH, MAXIMIZE, Optimizer, checkBetas, nonNegative, type OptionSpec, type Params } from './optimizer';

/** Options of `optim.NAdam`, PyTorch's keyword arguments in camelCase. */
export interface NAdamOptions {
  /** Learning rate. Default 2e-3. */
  lr?: number;
  /** Decay rates of the running averages of the gradient and of its square. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator for stability. Default 1e-8. */
  eps?: number;
  /** Weight decay (L2 penalty, or decoupled with `decoupledWeightDecay`). Default 0. */
  weightDecay?: number;
  /** Momentum decay ψ of the momentum schedule. Default 4e-3. */
  momentumDecay?: number;
  /** Decay the weights as AdamW does (NAdamW) instead of adding an L2 term. Default false. */
  decoupledWeightDecay?: boolean;
  /** Maximise the objective instead. Default false. */
  maximize?: boolean;
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 2e-3, check: nonNegative('lr') },
  { camel: 'betas', key: 'betas', default: [0.9, 0.999], check: checkBetas },
  { camel: 'eps', key: 'eps', default: 1e-8, check: nonNegative('eps') },
  { camel: 'weightDecay', key: 'weight_decay', default: 0, check: nonNegative('weightDecay') },
  { camel: 'momentumDecay', key: 'momentum_decay', default: 4e-3, check: nonNegative('momentumDecay') },
  {
    camel: 'decoupledWeightDecay', key: 'decoupled_weight_decay', default: false,
    check: (v) => checkBool(v, 'decoupledWeightDecay'),
  },
  MAXIMIZE,
  FOREACH,
  CAPTURABLE,
  DIFFERENTIABLE,
];

/**
 * NAdam (Dozat, 2016): Adam with Nesterov momentum, PyTorch's algorithm and state (`step`,
 * `mu_product`, `exp_avg`, `exp_avg_sq`).
 * @example
 * ```ts
 * const optimizer = new optim.NAdam(model.parameters(), { lr: 2e-3 });
 * ```
 */
export class NAdam extends Optimizer {
  constructor(params: Params, options: NAdamOptions = {}) {
    super(params, options as Record<string, unknown>);
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    return this.readOptions(options, SPECS, fill);
  }

  /** One NAdam step over every parameter that has a gradient. */
  protected update(): void {
    this.forEachGrad((param, grad, group, state) => {
      const lr = group.lr as number;
      const [beta1, beta2] = group.betas as [number, number];
      const eps = group.eps as number;
      const weightDecay = group.weight_decay as number;
      const momentumDecay = group.momentum_decay as number;
      if (state.step === undefined) {
        this.setState(param, 'step', tensor(0, { dtype: 'float32' }));
        this.setState(param, 'mu_product', tensor(1, { dtype: 'float32' }));
        this.setState(param, 'exp_avg', zerosLike(param));
        this.setState(param, 'exp_avg_sq', zerosLike(param));
      }
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      const muProduct = state.mu_product as Tensor;
      state.step.add_(1);
      const step = state.step.item() as number;
      const biasCorrection2 = 1 - beta2 ** step;
      if (weightDecay !== 0) {
        if (group.decoupled_weight_decay === true) param.mul_(1 - lr * weightDecay);
        else grad = grad.add(param, { alpha: weightDecay });
      }
      // The momentum cache mu_t and mu_{t+1}; mu_product is a float32 tensor, as in PyTorch.
      const mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentumDecay));
      const muNext = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
      muProduct.mul_(mu);
      expAvg.lerp_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      const denom = expAvgSq.div(biasCorrection2).sqrt();
      const muProductValue = muProduct.item() as number;
      const muProductNext = muProductValue * muNext;
      denom.add_(eps);
      param.addcdiv_(grad, denom, { value: (-lr * (1.0 - mu)) / (1.0 - muProductValue) });
      param.addcdiv_(expAvg, denom, { value: (-lr * muNext) / (1.0 - muProductNext) });
    });
  }
}
