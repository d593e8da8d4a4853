/**
 * Schedulers that multiply the learning rate by a factor at fixed epochs: StepLR, MultiStepLR,
 * ConstantLR, LinearLR, ExponentialLR, PolynomialLR (ports of PyTorch 2.13's).
 */
import { rangeError } from '../../errors';
import { checkInt, checkIntList, checkNumber, checkOptions, optionKeys } from '../../validate';
import { Optimizer } from '../optimizer';
import { LRScheduler, bisectRight, groupValues, lastEpochOf } from './base';

function inRange(value: number, name: string, lo: number, hi: number, loOpen = false): number {
  if (value > hi || (loOpen ? value <= lo : value < lo)) throw rangeError(`a number in ${loOpen ? '(' : '['}${lo}, ${hi}]`, name, value);
  return value;
}

/** Options of {@link StepLR}, as PyTorch's `StepLR` arguments (camelCase). */
export interface StepLROptions { stepSize: number; gamma?: number; lastEpoch?: number }
const STEP_KEYS = optionKeys<StepLROptions>({ stepSize: true, gamma: true, lastEpoch: true });

/**
 * Multiplies each group's learning rate by `gamma` every `stepSize` epochs.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
 * for (let epoch = 0; epoch < 6; epoch++) { trainOneEpoch(); scheduler.step(); }
 * ```
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super(optimizer);
    const o = checkOptions(options, 'StepLR options', STEP_KEYS);
    this.stepSize = checkInt(o.stepSize, 'stepSize', 1);
    this.gamma = checkNumber(o.gamma ?? 0.1, 'gamma');
    this.attach(lastEpochOf(o.lastEpoch));
  }

  getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groupValues(this.optimizer, 'lr');
    return this.optimizer.paramGroups.map((g) => (g.lr as number) * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected override stateKeys(): [string, string][] {
    return [['step_size', 'stepSize'], ['gamma', 'gamma'], ...super.stateKeys()];
  }
}

/** Options of {@link MultiStepLR}, as PyTorch's `MultiStepLR` arguments (camelCase). */
export interface MultiStepLROptions { milestones: number[]; gamma?: number; lastEpoch?: number }
const MULTISTEP_KEYS = optionKeys<MultiStepLROptions>({ milestones: true, gamma: true, lastEpoch: true });

/**
 * Multiplies each group's learning rate by `gamma` at each milestone epoch (a milestone listed
 * twice multiplies by `gamma ** 2`).
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.MultiStepLR(optimizer, { milestones: [30, 80], gamma: 0.1 });
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** Milestone → how many times it was given (Python's `Counter`). */
  milestones: Map<number, number>;
  gamma: number;

  constructor(optimizer: Optimizer, options: MultiStepLROptions) {
    super(optimizer);
    const o = checkOptions(options, 'MultiStepLR options', MULTISTEP_KEYS);
    this.milestones = new Map();
    for (const m of checkIntList(o.milestones, 'milestones')) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = checkNumber(o.gamma ?? 0.1, 'gamma');
    this.attach(lastEpochOf(o.lastEpoch));
  }

  getLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return groupValues(this.optimizer, 'lr');
    return this.optimizer.paramGroups.map((g) => (g.lr as number) * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    const sorted = [...this.milestones].flatMap(([m, c]) => new Array<number>(c).fill(m)).sort((a, b) => a - b);
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(sorted, this.lastEpoch));
  }

  protected override stateKeys(): [string, string][] {
    return [['milestones', 'milestones'], ['gamma', 'gamma'], ...super.stateKeys()];
  }
}

/** Options of {@link ConstantLR}, as PyTorch's `ConstantLR` arguments (camelCase). */
export interface ConstantLROptions { factor?: number; totalIters?: number; lastEpoch?: number }
const CONSTANT_KEYS = optionKeys<ConstantLROptions>({ factor: true, totalIters: true, lastEpoch: true });

/**
 * Multiplies each group's learning rate by `factor` (default 1/3) until epoch `totalIters`
 * (default 5), then restores it.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.ConstantLR(optimizer, { factor: 0.5, totalIters: 4 });
 * ```
 */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  constructor(optimizer: Optimizer, options?: ConstantLROptions) {
    super(optimizer);
    const o = checkOptions(options, 'ConstantLR options', CONSTANT_KEYS);
    this.factor = inRange(checkNumber(o.factor ?? 1.0 / 3, 'factor'), 'factor', 0, 1);
    this.totalIters = checkInt(o.totalIters ?? 5, 'totalIters');
    this.attach(lastEpochOf(o.lastEpoch));
  }

  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => (g.lr as number) * this.factor);
    if (this.lastEpoch !== this.totalIters) return groupValues(this.optimizer, 'lr');
    return groups.map((g) => (g.lr as number) * (1.0 / this.factor));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }

  protected override stateKeys(): [string, string][] {
    return [['factor', 'factor'], ['total_iters', 'totalIters'], ...super.stateKeys()];
  }
}

/** Options of {@link LinearLR}, as PyTorch's `LinearLR` arguments (camelCase). */
export interface LinearLROptions { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number }
const LINEAR_KEYS = optionKeys<LinearLROptions>({ startFactor: true, endFactor: true, totalIters: true, lastEpoch: true });

/**
 * Scales each group's learning rate linearly from `startFactor` (default 1/3) to `endFactor`
 * (default 1) of its base value over `totalIters` (default 5) epochs.
 * @example
 * ```ts
 * const warmup = new optim.lrScheduler.LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 });
 * ```
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: Optimizer, options?: LinearLROptions) {
    super(optimizer);
    const o = checkOptions(options, 'LinearLR options', LINEAR_KEYS);
    this.startFactor = inRange(checkNumber(o.startFactor ?? 1.0 / 3, 'startFactor'), 'startFactor', 0, 1, true);
    this.endFactor = inRange(checkNumber(o.endFactor ?? 1.0, 'endFactor'), 'endFactor', 0, 1);
    this.totalIters = checkInt(o.totalIters ?? 5, 'totalIters');
    this.attach(lastEpochOf(o.lastEpoch));
  }

  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => (g.lr as number) * this.startFactor);
    if (this._isInitial || this.lastEpoch > this.totalIters) return groupValues(this.optimizer, 'lr');
    const d = this.endFactor - this.startFactor;
    return groups.map((g) => (g.lr as number) * (1.0 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.startFactor + ((this.endFactor - this.startFactor) * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }

  protected override stateKeys(): [string, string][] {
    return [['start_factor', 'startFactor'], ['end_factor', 'endFactor'], ['total_iters', 'totalIters'], ...super.stateKeys()];
  }
}

/** Options of {@link ExponentialLR}, as PyTorch's `ExponentialLR` arguments (camelCase). */
export interface ExponentialLROptions { gamma: number; lastEpoch?: number }
const EXPONENTIAL_KEYS = optionKeys<ExponentialLROptions>({ gamma: true, lastEpoch: true });

/**
 * Multiplies each group's learning rate by `gamma` every epoch.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.ExponentialLR(optimizer, { gamma: 0.9 });
 * ```
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    super(optimizer);
    const o = checkOptions(options, 'ExponentialLR options', EXPONENTIAL_KEYS);
    this.gamma = checkNumber(o.gamma, 'gamma');
    this.attach(lastEpochOf(o.lastEpoch));
  }

  getLr(): number[] {
    if (this._isInitial) return groupValues(this.optimizer, 'lr');
    return this.optimizer.paramGroups.map((g) => (g.lr as number) * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }

  protected override stateKeys(): [string, string][] {
    return [['gamma', 'gamma'], ...super.stateKeys()];
  }
}

/** Options of {@link PolynomialLR}, as PyTorch's `PolynomialLR` arguments (camelCase). */
export interface PolynomialLROptions { totalIters?: number; power?: number; lastEpoch?: number }
const POLYNOMIAL_KEYS = optionKeys<PolynomialLROptions>({ totalIters: true, power: true, lastEpoch: true });

/**
 * Decays each group's learning rate as `(1 - epoch / totalIters) ** power` of its base value
 * (defaults: 5 epochs, power 1), then holds it.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.PolynomialLR(optimizer, { totalIters: 20, power: 2 });
 * ```
 */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  constructor(optimizer: Optimizer, options?: PolynomialLROptions) {
    super(optimizer);
    const o = checkOptions(options, 'PolynomialLR options', POLYNOMIAL_KEYS);
    this.totalIters = checkInt(o.totalIters ?? 5, 'totalIters', 1);
    this.power = checkNumber(o.power ?? 1.0, 'power');
    this.attach(lastEpochOf(o.lastEpoch));
  }

  getLr(): number[] {
    if (this._isInitial || this.lastEpoch > this.totalIters) return groupValues(this.optimizer, 'lr');
    const decay = ((1.0 - this.lastEpoch / this.totalIters) / (1.0 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return this.optimizer.paramGroups.map((g) => (g.lr as number) * decay);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1.0 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }

  protected override stateKeys(): [string, string][] {
    return [['total_iters', 'totalIters'], ['power', 'power'], ...super.stateKeys()];
  }
}
