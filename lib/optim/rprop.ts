/**
 * `optim.Rprop`, as `torch.optim.Rprop` (read it beside `torch/optim/rprop.py`: the same
 * single-tensor algorithm, op for op, so the numbers match PyTorch's on the CPU).
 */
import { type Tensor } from '../tensor';
import { fullLike, tensor, zerosLike } from '../factories';
import { checkNumber } from '../validate';
import { rangeError, typeError } from '../errors';
import { CAPTURABLE, DIFFERENTIABLE, FOREACH, MAXIMIZE, Optimizer, nonNegative, type OptionSpec, type Params } from './optimizer';

/** Options of `optim.Rprop`, PyTorch's keyword arguments in camelCase. */
export interface RpropOptions {
  /** Learning rate: the initial step size of every element. Default 1e-2. */
  lr?: number;
  /** `[etaminus, etaplus]`, the factors that shrink and grow a step size, with 0 < etaminus < 1 < etaplus. Default [0.5, 1.2]. */
  etas?: [number, number];
  /** `[min, max]`, the bounds of the step sizes. Default [1e-6, 50]. */
  stepSizes?: [number, number];
  /** Maximise the objective instead. Default false. */
  maximize?: boolean;
}

function checkPair(value: unknown, name: string): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) throw typeError('two numbers', name, value);
  value.forEach((v, i) => checkNumber(v, `${name}[${i}]`));
  return value as [number, number];
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 1e-2, check: nonNegative('lr') },
  {
    camel: 'etas', key: 'etas', default: [0.5, 1.2],
    check: (v) => {
      const [minus, plus] = checkPair(v, 'etas');
      if (!(minus > 0 && minus < 1 && plus > 1)) throw rangeError('[etaminus, etaplus] with 0 < etaminus < 1 < etaplus', 'etas', v);
    },
  },
  { camel: 'stepSizes', key: 'step_sizes', default: [1e-6, 50], check: (v) => checkPair(v, 'stepSizes') },
  FOREACH,
  MAXIMIZE,
  DIFFERENTIABLE,
  CAPTURABLE,
];

/**
 * Resilient backpropagation (Riedmiller & Braun, 1993): each element moves by its own step size
 * against the sign of its gradient; the step size grows by `etaplus` while the sign holds and
 * shrinks by `etaminus` when it flips. PyTorch's algorithm and state (`step`, `prev`,
 * `step_size`).
 * @example
 * ```ts
 * const optimizer = new optim.Rprop(model.parameters(), { lr: 0.01, etas: [0.5, 1.2] });
 * optimizer.zeroGrad(); loss.backward(); optimizer.step();
 * ```
 */
export class Rprop extends Optimizer {
  constructor(params: Params, options: RpropOptions = {}) {
    super(params, options as Record<string, unknown>);
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    return this.readOptions(options, SPECS, fill);
  }

  /**
   * @internal One Rprop update of every parameter that has a gradient.
   */
  protected update(): void {
    this.forEachGrad((param, grad, group, state) => {
      const [etaminus, etaplus] = group.etas as [number, number];
      const [stepSizeMin, stepSizeMax] = group.step_sizes as [number, number];
      if (state.step === undefined) {
        this.setState(param, 'step', tensor(0, { dtype: 'float32' }));
        this.setState(param, 'prev', zerosLike(param));
        this.setState(param, 'step_size', fullLike(grad, group.lr as number));
      }
      const { step, prev, step_size: stepSize } = state;
      step.add_(1);
      const sign = grad.mul(prev).sign();
      sign.maskedFill_(sign.gt(0), etaplus);
      sign.maskedFill_(sign.lt(0), etaminus);
      sign.maskedFill_(sign.eq(0), 1);
      stepSize.mul_(sign).clamp_(stepSizeMin, stepSizeMax);
      // Where the sign flipped, this step does not move and the next one starts afresh.
      grad = grad.clone();
      grad.maskedFill_(sign.eq(etaminus), 0);
      param.addcmul_(grad.sign(), stepSize, { value: -1 });
      prev.copy_(grad);
    });
  }
}
