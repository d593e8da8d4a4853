/**
 * `optim.SGD`: stochastic gradient descent with momentum, as `torch.optim.SGD` (read it beside
 * `torch/optim/sgd.py`: the same single-tensor algorithm, op for op, so the numbers match
 * PyTorch's on the CPU).
 */
import { rangeError } from '../errors';
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
  protected update(): void {
    this.forEachGrad((param, grad, group, state) => {
      const lr = group.lr as number;
      const momentum = group.momentum as number;
      const dampening = group.dampening as number;
      const weightDecay = group.weight_decay as number;
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      if (momentum !== 0) {
        let buf = state.momentum_buffer;
        if (buf === undefined) {
          buf = grad.detach().clone();
          this.setState(param, 'momentum_buffer', buf);
        } else {
          buf.mul_(momentum).add_(grad, { alpha: 1 - dampening });
        }
        grad = group.nesterov === true ? grad.add(buf, { alpha: momentum }) : buf;
      }
      param.add_(grad, { alpha: -lr });
    });
  }
}
