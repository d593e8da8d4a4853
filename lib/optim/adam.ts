/**
 * `optim.Adam`, as `torch.optim.Adam` (read it beside `torch/optim/adam.py`: the same
 * single-tensor algorithm, op for op, so the numbers match PyTorch's on the CPU).
 */
import { type Tensor } from '../tensor';
import { tensor, zerosLike } from '../factories';
import { rangeError } from '../errors';
import { checkBool } from '../validate';
import { CAPTURABLE, DIFFERENTIABLE, FOREACH, FUSED, MAXIMIZE, Optimizer, checkBetas, nonNegative, type OptionSpec, type ParamGroup, type Params } from './optimizer';

/** Options of `optim.Adam`, PyTorch's keyword arguments in camelCase. */
export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** L2 penalty. Default 0. */
  weightDecay?: number;
  /** Default false. */
  amsgrad?: boolean;
  /** Default false. */
  maximize?: boolean;
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 1e-3, check: nonNegative('lr') },
  { camel: 'betas', key: 'betas', default: [0.9, 0.999], check: checkBetas },
  { camel: 'eps', key: 'eps', default: 1e-8, check: nonNegative('eps') },
  { camel: 'weightDecay', key: 'weight_decay', default: 0, check: nonNegative('weightDecay') },
  { camel: 'amsgrad', key: 'amsgrad', default: false, check: (v) => checkBool(v, 'amsgrad') },
  MAXIMIZE,
  FOREACH,
  CAPTURABLE,
  DIFFERENTIABLE,
  FUSED,
  {
    camel: 'decoupledWeightDecay', key: 'decoupled_weight_decay', default: false,
    check: (v) => { if (v !== false) throw rangeError('false (decoupled weight decay, AdamW, is not implemented)', 'decoupledWeightDecay', v); },
  },
];

/**
 * Adam, PyTorch's algorithm and state (`step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`).
 * @example
 * ```ts
 * const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class Adam extends Optimizer {
  constructor(params: Params, options: AdamOptions = {}) {
    super(params, options as Record<string, unknown>);
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    return this.readOptions(options, SPECS, fill);
  }

  /** One Adam step over every parameter that has a gradient. */
  protected update(): void {
    // The bias corrections of the group's last parameter: the parameters of a group share a step.
    let bias: { group: ParamGroup; step: number; correction1: number; correction2Sqrt: number } | null = null;
    this.forEachGrad((param, grad, group, state) => {
      const lr = group.lr as number;
      const betas = group.betas as [number, number];
      const [beta1, beta2] = betas;
      const eps = group.eps as number;
      const weightDecay = group.weight_decay as number;
      const amsgrad = group.amsgrad === true;
      if (state.step === undefined) {
        this.setState(param, 'step', tensor(0, { dtype: 'float32' }));
        this.setState(param, 'exp_avg', zerosLike(param));
        this.setState(param, 'exp_avg_sq', zerosLike(param));
        if (amsgrad) this.setState(param, 'max_exp_avg_sq', zerosLike(param));
      }
      const expAvg = state.exp_avg;
      const expAvgSq = state.exp_avg_sq;
      state.step.add_(1);
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      expAvg.lerp_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      const step = state.step.item() as number;
      if (bias === null || bias.group !== group || bias.step !== step) {
        const [beta1Power, beta2Power] = cPow(betas, state.step);
        bias = { group, step, correction1: 1 - beta1Power, correction2Sqrt: cPow([1 - beta2Power], 0.5)[0] };
      }
      const stepSize = lr / bias.correction1;
      let denom: Tensor;
      if (amsgrad) {
        // A state dict loaded from a run without amsgrad has no max_exp_avg_sq yet.
        if (state.max_exp_avg_sq === undefined) this.setState(param, 'max_exp_avg_sq', zerosLike(param));
        const maxExpAvgSq = state.max_exp_avg_sq;
        maxExpAvgSq.copy_(maxExpAvgSq.maximum(expAvgSq));
        denom = maxExpAvgSq.sqrt().div(bias.correction2Sqrt).add_(eps);
      } else {
        denom = expAvgSq.sqrt().div(bias.correction2Sqrt).add_(eps);
      }
      param.addcdiv_(expAvg, denom, { value: -stepSize });
    });
  }
}

/**
 * `base ** exponent` for each base as Python computes a float's power: with the C library's
 * `pow`, which LibTorch's pow kernel calls per element. JS's `**` is another algorithm and
 * differs in the last bit for some arguments (`0.9 ** 4`), and C's `x ** 0.5` is not always
 * `sqrt(x)`; either can change a float32 parameter after the update.
 */
function cPow(bases: number[], exponent: Tensor | number): Float64Array {
  const e = typeof exponent === 'number' ? tensor(exponent, { dtype: 'float64' }) : exponent;
  return tensor(bases, { dtype: 'float64' }).pow(e).toArray() as Float64Array;
}
