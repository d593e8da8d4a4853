/**
 * `optim.lrScheduler`: learning-rate schedules.
 */
import { typeError } from '../errors';
import { checkInt, checkNumber, checkOptions } from '../validate';
import { Optimizer } from './optimizer';

/**
 * Multiplies each group's learning rate by `gamma` every `stepSize` epochs.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
 * for (let epoch = 0; epoch < 6; epoch++) { trainOneEpoch(); scheduler.step(); }
 * ```
 */
export class StepLR {
  readonly optimizer: Optimizer;
  readonly stepSize: number;
  readonly gamma: number;
  /** Epochs stepped so far. */
  lastEpoch: number;
  /** Each group's learning rate when the scheduler was made. */
  readonly baseLrs: number[];

  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    if (!(optimizer instanceof Optimizer)) throw typeError('an Optimizer', 'optimizer', optimizer);
    const o = checkOptions(options, 'StepLR options', ['stepSize', 'gamma', 'lastEpoch']);
    this.optimizer = optimizer;
    this.stepSize = checkInt(o.stepSize, 'stepSize', 1);
    this.gamma = checkNumber(o.gamma ?? 0.1, 'gamma');
    for (const g of optimizer.paramGroups) if (g.initial_lr === undefined) g.initial_lr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initial_lr as number);
    this.lastEpoch = checkInt(o.lastEpoch ?? -1, 'lastEpoch', -1);
    this.step();
  }

  /** Advances one epoch and updates the learning rates. */
  step(): void {
    this.lastEpoch += 1;
    const factor = Math.pow(this.gamma, Math.floor(this.lastEpoch / this.stepSize));
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.baseLrs[i] * factor; });
  }

  /** The learning rates set by the last `step()`. */
  getLastLr(): number[] { return this.optimizer.paramGroups.map((g) => g.lr as number); }

  /** `{ step_size, gamma, last_epoch, base_lrs }`, PyTorch's keys. */
  stateDict(): Record<string, unknown> {
    return { step_size: this.stepSize, gamma: this.gamma, last_epoch: this.lastEpoch, base_lrs: [...this.baseLrs], _last_lr: this.getLastLr() };
  }

  /** Restores `stateDict()` output (the epoch counter). */
  loadStateDict(sd: Record<string, unknown>): void {
    this.lastEpoch = checkInt(sd.last_epoch, 'last_epoch', -1);
    const factor = Math.pow(this.gamma, Math.floor(this.lastEpoch / this.stepSize));
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.baseLrs[i] * factor; });
  }
}
