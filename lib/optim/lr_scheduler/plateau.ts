/**
 * ReduceLROnPlateau: lowers the learning rate when a metric stops improving (a port of PyTorch
 * 2.13's). Unlike the other schedulers, `step(metric)` takes the metric.
 */
import { rangeError } from '../../errors';
import { Tensor } from '../../tensor';
import { checkInt, checkNumber, checkOptions, optionKeys } from '../../validate';
import { Optimizer } from '../optimizer';
import { checkOptimizer, checkStateDict, copyState, groupValues } from './base';

/** Options of {@link ReduceLROnPlateau}, as PyTorch's `ReduceLROnPlateau` arguments (camelCase). */
export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}
const PLATEAU_KEYS = optionKeys<ReduceLROnPlateauOptions>({
  mode: true, factor: true, patience: true, threshold: true, thresholdMode: true, cooldown: true, minLr: true, eps: true,
});

/** PyTorch's keys and this object's properties, in PyTorch's order. */
const STATE_KEYS: [string, string][] = [
  ['factor', 'factor'], ['default_min_lr', 'defaultMinLr'], ['min_lrs', 'minLrs'], ['patience', 'patience'], ['cooldown', 'cooldown'],
  ['eps', 'eps'], ['last_epoch', 'lastEpoch'], ['_last_lr', '_lastLr'], ['mode_worse', 'modeWorse'], ['mode', 'mode'],
  ['threshold', 'threshold'], ['threshold_mode', 'thresholdMode'], ['best', 'best'], ['cooldown_counter', 'cooldownCounter'],
  ['num_bad_epochs', 'numBadEpochs'],
];

/**
 * Multiplies each group's learning rate by `factor` (default 0.1, down to `minLr`) once the
 * metric given to `step()` has not improved (by `threshold`, relative or absolute, in `mode`
 * 'min' or 'max') for more than `patience` (10) epochs, then waits `cooldown` epochs.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.ReduceLROnPlateau(optimizer, { patience: 2 });
 * for (let epoch = 0; epoch < 20; epoch++) { train(); scheduler.step(validationLoss()); }
 * ```
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  factor: number;
  /** The `minLr` option when it was one number, else null. */
  defaultMinLr: number | null;
  minLrs: number[];
  patience: number;
  cooldown: number;
  eps: number;
  lastEpoch = 0;
  /** @internal */ _lastLr: number[];
  modeWorse = Infinity;
  mode: 'min' | 'max' = 'min';
  threshold = 1e-4;
  thresholdMode: 'rel' | 'abs' = 'rel';
  best = Infinity;
  cooldownCounter = 0;
  numBadEpochs = 0;

  constructor(optimizer: Optimizer, options?: ReduceLROnPlateauOptions) {
    const o = checkOptions(options, 'ReduceLROnPlateau options', PLATEAU_KEYS);
    this.factor = checkNumber(o.factor ?? 0.1, 'factor');
    if (this.factor >= 1.0) throw rangeError('a number < 1', 'factor', this.factor);
    this.optimizer = checkOptimizer(optimizer);
    const n = optimizer.paramGroups.length;
    const minLr = o.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw rangeError(`${n} values (one per parameter group)`, 'minLr', minLr);
      this.defaultMinLr = null;
      this.minLrs = minLr.map((v, i) => checkNumber(v, `minLr[${i}]`));
    } else {
      this.defaultMinLr = checkNumber(minLr, 'minLr');
      this.minLrs = new Array<number>(n).fill(this.defaultMinLr);
    }
    this.patience = checkInt(o.patience ?? 10, 'patience', 0);
    this.cooldown = checkInt(o.cooldown ?? 0, 'cooldown', 0);
    this.eps = checkNumber(o.eps ?? 1e-8, 'eps');
    this._lastLr = groupValues(optimizer, 'lr');
    this.initIsBetter(o.mode ?? 'min', checkNumber(o.threshold ?? 1e-4, 'threshold'), o.thresholdMode ?? 'rel');
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  private initIsBetter(mode: unknown, threshold: number, thresholdMode: unknown): void {
    if (mode !== 'min' && mode !== 'max') throw rangeError("'min' or 'max'", 'mode', mode);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw rangeError("'rel' or 'abs'", 'thresholdMode', thresholdMode);
    this.modeWorse = mode === 'min' ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1.0 - this.threshold);
    if (this.mode === 'min' && this.thresholdMode === 'abs') return a < best - this.threshold;
    if (this.mode === 'max' && this.thresholdMode === 'rel') return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }

  /** Whether the scheduler is waiting out its cooldown. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records this epoch's metric (a number or a one-element Tensor) and lowers the lrs on a plateau. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() as number : checkNumber(metric, 'metric');
    const epoch = this.lastEpoch + 1;
    this.lastEpoch = epoch;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = groupValues(this.optimizer, 'lr');
  }

  private reduceLr(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.minLrs.length) {
      if (this.defaultMinLr === null) {
        throw new RangeError(`The number of param groups in the optimizer (${groups.length}) differs from when ReduceLROnPlateau was made (${this.minLrs.length}); set minLrs to match`);
      }
      this.minLrs = new Array<number>(groups.length).fill(this.defaultMinLr);
    }
    groups.forEach((g, i) => {
      const oldLr = g.lr as number;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  /** The learning rates after the last `step()` (a copy). */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** The scheduler's state with PyTorch's snake_case keys. */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const self = this as unknown as Record<string, unknown>;
    for (const [key, prop] of STATE_KEYS) out[key] = copyState(self[prop]);
    return out;
  }

  /** Restores `stateDict()` output (here or Python's). */
  loadStateDict(stateDict: Record<string, unknown>): void {
    const sd = checkStateDict(stateDict);
    const self = this as unknown as Record<string, unknown>;
    for (const [key, prop] of STATE_KEYS) if (key in sd) self[prop] = copyState(sd[key]);
    this.initIsBetter(this.mode, this.threshold, this.thresholdMode);
  }
}
