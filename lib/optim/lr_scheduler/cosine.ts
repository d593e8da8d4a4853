/**
 * Cosine schedules: CosineAnnealingLR and CosineAnnealingWarmRestarts (ports of PyTorch 2.13's).
 */
import { rangeError } from '../../errors';
import { checkInt, checkNumber, checkOptions, optionKeys } from '../../validate';
import { Optimizer } from '../optimizer';
import { LRScheduler, groupValues, lastEpochOf } from './base';

/** Options of {@link CosineAnnealingLR}, as PyTorch's `CosineAnnealingLR` arguments (camelCase). */
export interface CosineAnnealingLROptions { tMax: number; etaMin?: number; lastEpoch?: number }
const COSINE_KEYS = optionKeys<CosineAnnealingLROptions>({ tMax: true, etaMin: true, lastEpoch: true });

/**
 * Anneals each group's learning rate from its base value to `etaMin` (default 0) along a cosine
 * over `tMax` epochs (PyTorch's `T_max`), then back up, and so on.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: 100 });
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super(optimizer);
    const o = checkOptions(options, 'CosineAnnealingLR options', COSINE_KEYS);
    this.tMax = checkNumber(o.tMax, 'tMax');
    if (this.tMax <= 0) throw rangeError('a number > 0', 'tMax', this.tMax);
    this.etaMin = checkNumber(o.etaMin ?? 0.0, 'etaMin');
    this.attach(lastEpochOf(o.lastEpoch));
  }

  getLr(): number[] {
    const { etaMin, tMax, lastEpoch } = this;
    const groups = this.optimizer.paramGroups;
    if (this._isInitial) return groupValues(this.optimizer, 'lr');
    if (this._stepCount === 1 && lastEpoch > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((lastEpoch * Math.PI) / tMax))) / 2);
    }
    if ((lastEpoch - 1 - tMax) % (2 * tMax) === 0) {
      return groups.map((g, i) => (g.lr as number) + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return groups.map((g) =>
      ((1 + Math.cos((Math.PI * lastEpoch) / tMax)) / (1 + Math.cos((Math.PI * (lastEpoch - 1)) / tMax))) * ((g.lr as number) - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }

  protected override stateKeys(): [string, string][] {
    return [['T_max', 'tMax'], ['eta_min', 'etaMin'], ...super.stateKeys()];
  }
}

/** Options of {@link CosineAnnealingWarmRestarts}, as PyTorch's `CosineAnnealingWarmRestarts` arguments (camelCase). */
export interface CosineAnnealingWarmRestartsOptions { t0: number; tMult?: number; etaMin?: number; lastEpoch?: number }
const RESTART_KEYS = optionKeys<CosineAnnealingWarmRestartsOptions>({ t0: true, tMult: true, etaMin: true, lastEpoch: true });

/**
 * Cosine annealing from each group's base learning rate to `etaMin` (default 0), restarting
 * after `t0` epochs (PyTorch's `T_0`), each period `tMult` (default 1) times the last.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.CosineAnnealingWarmRestarts(optimizer, { t0: 10, tMult: 2 });
 * ```
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  /** Epochs in the current period (PyTorch's `T_i`). */
  tI: number;
  tMult: number;
  etaMin: number;
  /** Epochs since the last restart (PyTorch's `T_cur`). */
  tCur: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer);
    const o = checkOptions(options, 'CosineAnnealingWarmRestarts options', RESTART_KEYS);
    this.t0 = checkInt(o.t0, 't0', 1);
    this.tI = this.t0;
    this.tMult = checkInt(o.tMult ?? 1, 'tMult', 1);
    this.etaMin = checkNumber(o.etaMin ?? 0.0, 'etaMin');
    const lastEpoch = lastEpochOf(o.lastEpoch);
    this.tCur = lastEpoch;
    this.attach(lastEpoch);
  }

  getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  /** Advances one epoch (restarting the cosine when a period ends) and sets the learning rates. */
  override step(): void {
    this.stepTo(this.lastEpoch < 0 ? 0 : undefined);
  }

  private stepTo(given: number | undefined): void {
    let epoch: number;
    if (given === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur % this.tI;
        this.tI = this.tI * this.tMult;
      }
    } else {
      epoch = given;
      if (epoch >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = epoch % this.t0;
        } else {
          const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this._getLrCalledWithinStep = true;
    let values: number[];
    try {
      values = this.getLr();
    } finally {
      this._getLrCalledWithinStep = false;
    }
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = values[i]; });
    this._lastLr = groupValues(this.optimizer, 'lr');
  }

  protected override stateKeys(): [string, string][] {
    return [['T_0', 't0'], ['T_i', 'tI'], ['T_mult', 'tMult'], ['eta_min', 'etaMin'], ['T_cur', 'tCur'], ...super.stateKeys()];
  }
}
