/**
 * `optim.SGD`: stochastic gradient descent with momentum, as `torch.optim.SGD`.
 */
import { native as N } from '../binding';
import { rangeError } from '../errors';
import { Tensor } from '../tensor';
import { checkBool, checkNumber } from '../validate';
import { DIFFERENTIABLE, FOREACH, FUSED, MAXIMIZE, Optimizer, nonNegative, type OptionSpec, type Params } from './optimizer';

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

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 1e-3, check: nonNegative('lr') },
  { camel: 'momentum', key: 'momentum', default: 0, check: nonNegative('momentum') },
  { camel: 'dampening', key: 'dampening', default: 0, check: (v) => checkNumber(v, 'dampening') },
  { camel: 'weightDecay', key: 'weight_decay', default: 0, check: nonNegative('weightDecay') },
  { camel: 'nesterov', key: 'nesterov', default: false, check: (v) => checkBool(v, 'nesterov') },
  MAXIMIZE,
  FOREACH,
  DIFFERENTIABLE,
  FUSED,
];

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
    super(params, options as Record<string, unknown>);
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    const out = this.readOptions(options, SPECS, fill);
    if (out.nesterov === true && !((out.momentum ?? this.defaults?.momentum ?? 0) as number > 0)) {
      throw rangeError('momentum > 0 with nesterov', 'momentum', out.momentum ?? 0);
    }
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
