/**
 * `optim.ASGD`, as `torch.optim.ASGD` (read it beside `torch/optim/asgd.py`: the same
 * single-tensor algorithm, op for op, so the numbers match PyTorch's on the CPU).
 */
import { type Tensor } from '../tensor';
import { tensor, zerosLike } from '../factories';
import { checkNumber } from '../validate';
import { CAPTURABLE, DIFFERENTIABLE, FOREACH, MAXIMIZE, Optimizer, nonNegative, type OptionSpec, type Params } from './optimizer';

/** Options of `optim.ASGD`, PyTorch's keyword arguments in camelCase. */
export interface ASGDOptions {
  /** Learning rate. Default 1e-2. */
  lr?: number;
  /** Decay term. Default 1e-4. */
  lambd?: number;
  /** Power of the learning-rate (eta) update. Default 0.75. */
  alpha?: number;
  /** The step from which the parameters are averaged. Default 1e6. */
  t0?: number;
  /** L2 penalty. Default 0. */
  weightDecay?: number;
  /** Maximise the objective instead. Default false. */
  maximize?: boolean;
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 1e-2, check: nonNegative('lr') },
  { camel: 'lambd', key: 'lambd', default: 1e-4, check: (v) => checkNumber(v, 'lambd') },
  { camel: 'alpha', key: 'alpha', default: 0.75, check: (v) => checkNumber(v, 'alpha') },
  { camel: 't0', key: 't0', default: 1e6, check: (v) => checkNumber(v, 't0') },
  { camel: 'weightDecay', key: 'weight_decay', default: 0, check: nonNegative('weightDecay') },
  FOREACH,
  MAXIMIZE,
  DIFFERENTIABLE,
  CAPTURABLE,
];

/**
 * Averaged stochastic gradient descent (Polyak & Juditsky, 1992), PyTorch's algorithm and state:
 * `step`, `eta` (the current learning rate) and `mu` (the averaging weight) as float32 scalar
 * tensors, and `ax`, the running average of the parameter, which starts once `step > t0`.
 * @example
 * ```ts
 * const optimizer = new optim.ASGD(model.parameters(), { lr: 0.01, t0: 100 });
 * optimizer.zeroGrad(); loss.backward(); optimizer.step();
 * const averaged = optimizer.state.get(model.weight)!.ax; // the averaged weight
 * ```
 */
export class ASGD extends Optimizer {
  constructor(params: Params, options: ASGDOptions = {}) {
    super(params, options as Record<string, unknown>);
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    return this.readOptions(options, SPECS, fill);
  }

  /**
   * @internal One ASGD update of every parameter that has a gradient.
   */
  protected update(): void {
    this.forEachGrad((param, grad, group, state) => {
      const lr = group.lr as number;
      const lambd = group.lambd as number;
      const alpha = group.alpha as number;
      const t0 = group.t0 as number;
      const weightDecay = group.weight_decay as number;
      if (state.step === undefined) {
        this.setState(param, 'step', tensor(0, { dtype: 'float32' }));
        this.setState(param, 'eta', tensor(lr, { dtype: 'float32' }));
        this.setState(param, 'mu', tensor(1, { dtype: 'float32' }));
        this.setState(param, 'ax', zerosLike(param));
      }
      const { step: stepT, eta, mu, ax } = state;
      stepT.add_(1);
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      const etaValue = eta.item() as number;
      param.mul_(1 - lambd * etaValue);
      param.add_(grad, { alpha: -etaValue });
      if (mu.item() !== 1) ax.add_(param.sub(ax).mul_(mu));
      else ax.copy_(param);
      const step = stepT.item() as number;
      eta.fill_(lr / (1 + lambd * lr * step) ** alpha);
      mu.fill_(1 / Math.max(1, step - t0));
    });
  }
}
