/**
 * `optim.Adam`, as `torch.optim.Adam`.
 */
import { native as N } from '../binding';
import { rangeError, typeError } from '../errors';
import { Tensor } from '../tensor';
import { checkBool, checkNumber } from '../validate';
import { CAPTURABLE, DIFFERENTIABLE, FOREACH, FUSED, MAXIMIZE, Optimizer, nonNegative, type OptionSpec, type Params } from './optimizer';

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

function checkBetas(value: unknown): void {
  if (!Array.isArray(value) || value.length !== 2) throw typeError('two numbers', 'betas', value);
  value.forEach((b, i) => { if (checkNumber(b, `betas[${i}]`) < 0 || b >= 1) throw rangeError('a value in [0, 1)', `betas[${i}]`, b); });
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
  step(): void {
    for (const group of this.paramGroups) {
      const params = group.params;
      const st = (key: string) => params.map((p) => this.state.get(p)?.[key] ?? null);
      const [b1, b2] = group.betas as [number, number];
      const created: (Tensor | null)[][] = N.adamStep(params, st('step'), st('exp_avg'), st('exp_avg_sq'), st('max_exp_avg_sq'), {
        lr: group.lr, beta1: b1, beta2: b2, eps: group.eps, weightDecay: group.weight_decay,
        amsgrad: group.amsgrad, maximize: group.maximize,
      });
      const keys = ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];
      created.forEach((list, k) => list.forEach((t, i) => this.setState(params[i], keys[k], t)));
    }
  }
}
