/**
 * `optim.AdamW`, as `torch.optim.AdamW` (read it beside `torch/optim/adam.py`, which AdamW runs
 * with `decoupled_weight_decay=True`: the same single-tensor algorithm, op for op, so the numbers
 * match PyTorch's on the CPU).
 */
import { type Tensor } from '../tensor';
import { tensor, zerosLike } from '../factories';
import { checkBool } from '../validate';
import { rangeError } from '../errors';
import { CAPTURABLE, DIFFERENTIABLE, FOREACH, FUSED, MAXIMIZE, Optimizer, checkBetas, nonNegative, type OptionSpec, type Params } from './optimizer';

/** Options of `optim.AdamW`, PyTorch's keyword arguments in camelCase. */
export interface AdamWOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates of the running averages of the gradient and of its square. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator for stability. Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay: each step multiplies the parameters by `1 - lr * weightDecay`. Default 1e-2. */
  weightDecay?: number;
  /** Use the maximum of past squared-gradient averages (AMSGrad). Default false. */
  amsgrad?: boolean;
  /** Maximise the objective instead. Default false. */
  maximize?: boolean;
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 1e-3, check: nonNegative('lr') },
  { camel: 'betas', key: 'betas', default: [0.9, 0.999], check: checkBetas },
  { camel: 'eps', key: 'eps', default: 1e-8, check: nonNegative('eps') },
  { camel: 'weightDecay', key: 'weight_decay', default: 1e-2, check: nonNegative('weightDecay') },
  { camel: 'amsgrad', key: 'amsgrad', default: false, check: (v) => checkBool(v, 'amsgrad') },
  MAXIMIZE,
  FOREACH,
  CAPTURABLE,
  DIFFERENTIABLE,
  FUSED,
  // AdamW is Adam with this flag set; PyTorch keeps it in each group.
  {
    camel: 'decoupledWeightDecay', key: 'decoupled_weight_decay', default: true,
    check: (v) => { if (v !== true) throw rangeError('true (AdamW always decouples weight decay; use optim.Adam for L2)', 'decoupledWeightDecay', v); },
  },
];

/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, PyTorch's algorithm and
 * state (`step`, `exp_avg`, `exp_avg_sq`, and `max_exp_avg_sq` with `amsgrad`).
 * @example
 * ```ts
 * const optimizer = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 * ```
 */
export class AdamW extends Optimizer {
  constructor(params: Params, options: AdamWOptions = {}) {
    super(params, options as Record<string, unknown>);
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    return this.readOptions(options, SPECS, fill);
  }

  /** One AdamW step over every parameter that has a gradient. */
  protected update(): void {
    this.forEachGrad((param, grad, group, state) => {
      const lr = group.lr as number;
      const [beta1, beta2] = group.betas as [number, number];
      const eps = group.eps as number;
      const weightDecay = group.weight_decay as number;
      const amsgrad = group.amsgrad === true;
      if (state.step === undefined) {
        this.setState(param, 'step', tensor(0, { dtype: 'float32' }));
        this.setState(param, 'exp_avg', zerosLike(param));
        this.setState(param, 'exp_avg_sq', zerosLike(param));
        if (amsgrad) this.setState(param, 'max_exp_avg_sq', zerosLike(param));
      }
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      state.step.add_(1);
      if (weightDecay !== 0) param.mul_(1 - lr * weightDecay);
      expAvg.lerp_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      const step = state.step.item() as number;
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const stepSize = lr / biasCorrection1;
      const biasCorrection2Sqrt = biasCorrection2 ** 0.5;
      let denom: Tensor;
      if (amsgrad) {
        // A state dict loaded from a run without amsgrad has no max_exp_avg_sq yet.
        if (state.max_exp_avg_sq === undefined) this.setState(param, 'max_exp_avg_sq', zerosLike(param));
        const maxExpAvgSq = state.max_exp_avg_sq as Tensor;
        maxExpAvgSq.copy_(maxExpAvgSq.maximum(expAvgSq));
        denom = maxExpAvgSq.sqrt().div(biasCorrection2Sqrt).add_(eps);
      } else {
        denom = expAvgSq.sqrt().div(biasCorrection2Sqrt).add_(eps);
      }
      param.addcdiv_(expAvg, denom, { value: -stepSize });
    });
  }
}
