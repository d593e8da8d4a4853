/**
 * `optim.SGD`: stochastic gradient descent with momentum, as `torch.optim.SGD`.
 */
import { native as N } from '../binding';
import { rangeError } from '../errors';
import { Tensor } from '../tensor';
import { checkBool, checkNumber } from '../validate';
import { Optimizer, type Params } from './optimizer';

/** Options of `optim.SGD`, PyTorch's keyword arguments in camelCase. */
export interface SGDOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Default 0. */
  momentum?: number;
  /** Default 0. */
  dampening?: number;
  /** L2 penalty. Default 0. */
  weightDecay?: number;
  /** Default false. */
  nesterov?: boolean;
  /** Maximise the objective instead. Default false. */
  maximize?: boolean;
}

/**
 * Stochastic gradient descent (optionally with momentum), PyTorch's algorithm and state
 * (`momentum_buffer`).
 * @example
 * ```ts
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
 * optimizer.zeroGrad(); loss.backward(); optimizer.step();
 * ```
 */
export class SGD extends Optimizer {
  constructor(params: Params, options: SGDOptions = {}) {
    super(params, {});
    Object.assign(this.defaults, this.normalize(options as Record<string, unknown>, true));
    for (const g of this.paramGroups) for (const [k, v] of Object.entries(this.defaults)) if (!(k in g)) g[k] = v;
  }

  protected normalize(o: Record<string, unknown>, fill = false): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const get = (camel: string, snake: string, dflt: unknown) => (o[camel] ?? o[snake] ?? (fill ? dflt : undefined));
    const lr = get('lr', 'lr', 1e-3);
    const momentum = get('momentum', 'momentum', 0);
    const dampening = get('dampening', 'dampening', 0);
    const weightDecay = get('weightDecay', 'weight_decay', 0);
    const nesterov = get('nesterov', 'nesterov', false);
    const maximize = get('maximize', 'maximize', false);
    if (lr !== undefined && (checkNumber(lr, 'lr') as number) < 0) throw rangeError('a learning rate >= 0', 'lr', lr);
    if (momentum !== undefined && (checkNumber(momentum, 'momentum') as number) < 0) throw rangeError('momentum >= 0', 'momentum', momentum);
    if (weightDecay !== undefined && (checkNumber(weightDecay, 'weightDecay') as number) < 0) throw rangeError('weightDecay >= 0', 'weightDecay', weightDecay);
    if (dampening !== undefined) checkNumber(dampening, 'dampening');
    if (nesterov !== undefined) checkBool(nesterov, 'nesterov');
    if (maximize !== undefined) checkBool(maximize, 'maximize');
    if (nesterov === true && ((momentum ?? 0) as number) <= 0) throw rangeError('momentum > 0 with nesterov', 'momentum', momentum);
    const set = (k: string, v: unknown) => { if (v !== undefined) out[k] = v; };
    set('lr', lr); set('momentum', momentum); set('dampening', dampening); set('weight_decay', weightDecay);
    set('nesterov', nesterov); set('maximize', maximize);
    if (fill) Object.assign(out, { foreach: null, differentiable: false, fused: null });
    return out;
  }

  /** One SGD step over every parameter that has a gradient. */
  step(): void {
    for (const group of this.paramGroups) {
      const params = group.params;
      const buffers = params.map((p) => this.state.get(p)?.momentum_buffer ?? null);
      const created: (Tensor | null)[] = N.sgdStep(params, buffers, {
        lr: group.lr, momentum: group.momentum, dampening: group.dampening, weightDecay: group.weight_decay,
        nesterov: group.nesterov, maximize: group.maximize,
      });
      created.forEach((buf, i) => this.setState(params[i], 'momentum_buffer', buf));
    }
  }
}
