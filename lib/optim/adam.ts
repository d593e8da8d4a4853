/**
 * `optim.Adam`, as `torch.optim.Adam`.
 */
import { native as N } from '../binding';
import { rangeError, typeError } from '../errors';
import { Tensor } from '../tensor';
import { checkBool, checkNumber } from '../validate';
import { Optimizer, type Params } from './optimizer';

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

/**
 * Adam, PyTorch's algorithm and state (`step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`).
 * @example
 * ```ts
 * const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class Adam extends Optimizer {
  constructor(params: Params, options: AdamOptions = {}) {
    super(params, {});
    Object.assign(this.defaults, this.normalize(options as Record<string, unknown>, true));
    for (const g of this.paramGroups) for (const [k, v] of Object.entries(this.defaults)) if (!(k in g)) g[k] = v;
  }

  protected normalize(o: Record<string, unknown>, fill = false): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const get = (camel: string, snake: string, dflt: unknown) => (o[camel] ?? o[snake] ?? (fill ? dflt : undefined));
    const lr = get('lr', 'lr', 1e-3);
    const betas = get('betas', 'betas', [0.9, 0.999]);
    const eps = get('eps', 'eps', 1e-8);
    const weightDecay = get('weightDecay', 'weight_decay', 0);
    const amsgrad = get('amsgrad', 'amsgrad', false);
    const maximize = get('maximize', 'maximize', false);
    if (lr !== undefined && (checkNumber(lr, 'lr') as number) < 0) throw rangeError('a learning rate >= 0', 'lr', lr);
    if (betas !== undefined) {
      if (!Array.isArray(betas) || betas.length !== 2) throw typeError('two numbers', 'betas', betas);
      betas.forEach((b, i) => { if (checkNumber(b, `betas[${i}]`) < 0 || b >= 1) throw rangeError('a value in [0, 1)', `betas[${i}]`, b); });
    }
    if (eps !== undefined && (checkNumber(eps, 'eps') as number) < 0) throw rangeError('eps >= 0', 'eps', eps);
    if (weightDecay !== undefined && (checkNumber(weightDecay, 'weightDecay') as number) < 0) throw rangeError('weightDecay >= 0', 'weightDecay', weightDecay);
    if (amsgrad !== undefined) checkBool(amsgrad, 'amsgrad');
    if (maximize !== undefined) checkBool(maximize, 'maximize');
    const set = (k: string, v: unknown) => { if (v !== undefined) out[k] = v; };
    set('lr', lr); set('betas', betas === undefined ? undefined : [...(betas as number[])]); set('eps', eps);
    set('weight_decay', weightDecay); set('amsgrad', amsgrad); set('maximize', maximize);
    if (fill) Object.assign(out, { foreach: null, capturable: false, differentiable: false, fused: null, decoupled_weight_decay: false });
    return out;
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
