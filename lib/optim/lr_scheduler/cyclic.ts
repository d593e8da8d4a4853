/**
 * Cyclical schedules that also cycle momentum: CyclicLR and OneCycleLR (ports of PyTorch 2.13's).
 * With `cycleMomentum`, they set SGD's `momentum` or, for optimizers with `betas`, beta1.
 */
import { rangeError, typeError } from '../../errors';
import { checkBool, checkInt, checkNumber, checkOptions, optionKeys } from '../../validate';
import { Optimizer } from '../optimizer';
import { LRScheduler, formatParam, lastEpochOf } from './base';

/** Sets each group's momentum (or beta1 where `useBeta1`). */
function setMomentum(optimizer: Optimizer, values: number[], useBeta1: boolean): void {
  optimizer.paramGroups.forEach((g, i) => {
    if (useBeta1) g.betas = [values[i], ...(g.betas as number[]).slice(1)];
    else g.momentum = values[i];
  });
}

function checkMomentumSupport(optimizer: Optimizer): boolean {
  if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
    throw rangeError('an optimizer with momentum or betas when cycleMomentum is true', 'optimizer', optimizer);
  }
  return 'betas' in optimizer.defaults;
}

/** Sets `max_momentum`/`base_momentum` in each group and its momentum to the max (PyTorch's setup). */
function initMomentum(optimizer: Optimizer, maxMomentums: number[], baseMomentums: number[], useBeta1: boolean): void {
  setMomentum(optimizer, maxMomentums, useBeta1);
  optimizer.paramGroups.forEach((g, i) => {
    g.max_momentum = maxMomentums[i];
    g.base_momentum = baseMomentums[i];
  });
}

/** CyclicLR's built-in amplitude policies, as PyTorch's `mode`. */
export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';

/** Options of {@link CyclicLR}, as PyTorch's `CyclicLR` arguments (camelCase). */
export interface CyclicLROptions {
  baseLr: number | number[];
  maxLr: number | number[];
  stepSizeUp?: number;
  stepSizeDown?: number | null;
  mode?: CyclicMode;
  gamma?: number;
  /** A custom amplitude policy in place of `mode`: a function of the cycle (or iteration) returning a factor in [0, 1]. */
  scaleFn?: ((x: number) => number) | null;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  lastEpoch?: number;
}
const CYCLIC_KEYS = optionKeys<CyclicLROptions>({
  baseLr: true, maxLr: true, stepSizeUp: true, stepSizeDown: true, mode: true, gamma: true, scaleFn: true,
  scaleMode: true, cycleMomentum: true, baseMomentum: true, maxMomentum: true, lastEpoch: true,
});

/**
 * Cycles each group's learning rate between `baseLr` and `maxLr` (`stepSizeUp` steps up, default
 * 2000, then `stepSizeDown` down), with amplitude policy `mode` ('triangular', 'triangular2',
 * 'exp_range' with `gamma`) or a custom `scaleFn`; momentum cycles inversely between
 * `maxMomentum` (0.9) and `baseMomentum` (0.8). Step it after every batch.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.CyclicLR(optimizer, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4 });
 * ```
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: CyclicMode;
  gamma: number;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  useBeta1 = false;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  private readonly scaleFnCustom: ((x: number) => number) | null;

  constructor(optimizer: Optimizer, options: CyclicLROptions) {
    super(optimizer);
    const o = checkOptions(options, 'CyclicLR options', CYCLIC_KEYS);
    const lastEpoch = lastEpochOf(o.lastEpoch);
    const baseLrs = formatParam('baseLr', optimizer, o.baseLr);
    if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => { g.lr = baseLrs[i]; });
    this.maxLrs = formatParam('maxLr', optimizer, o.maxLr);
    const up = checkNumber(o.stepSizeUp ?? 2000, 'stepSizeUp');
    if (up <= 0) throw rangeError('a number > 0', 'stepSizeUp', up);
    const down = o.stepSizeDown === undefined || o.stepSizeDown === null ? up : checkNumber(o.stepSizeDown, 'stepSizeDown');
    if (down < 0) throw rangeError('a number >= 0', 'stepSizeDown', down);
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    const scaleFn = o.scaleFn ?? null;
    if (scaleFn !== null && typeof scaleFn !== 'function') throw typeError('a function or null', 'scaleFn', scaleFn);
    const mode = o.mode ?? 'triangular';
    if (!['triangular', 'triangular2', 'exp_range'].includes(mode as string) && scaleFn === null) {
      throw rangeError("'triangular', 'triangular2' or 'exp_range' (or a scaleFn)", 'mode', mode);
    }
    this.mode = mode as CyclicMode;
    this.gamma = checkNumber(o.gamma ?? 1.0, 'gamma');
    this.scaleFnCustom = scaleFn as ((x: number) => number) | null;
    const scaleMode = o.scaleMode ?? 'cycle';
    if (scaleMode !== 'cycle' && scaleMode !== 'iterations') throw rangeError("'cycle' or 'iterations'", 'scaleMode', scaleMode);
    this.scaleMode = scaleMode;
    this.initScaleFn();
    this.cycleMomentum = checkBool(o.cycleMomentum ?? true, 'cycleMomentum');
    if (this.cycleMomentum) {
      this.useBeta1 = checkMomentumSupport(optimizer);
      this.baseMomentums = formatParam('baseMomentum', optimizer, o.baseMomentum ?? 0.8);
      this.maxMomentums = formatParam('maxMomentum', optimizer, o.maxMomentum ?? 0.9);
      if (lastEpoch === -1) initMomentum(optimizer, this.maxMomentums, this.baseMomentums, this.useBeta1);
    }
    this.attach(lastEpoch);
    this.baseLrs = baseLrs;
  }

  /** PyTorch's `_init_scale_fn`: the built-in modes fix `scaleMode`. */
  private initScaleFn(): void {
    if (this.scaleFnCustom !== null) return;
    if (this.mode === 'triangular' || this.mode === 'triangular2') this.scaleMode = 'cycle';
    else if (this.mode === 'exp_range') this.scaleMode = 'iterations';
  }

  /** The amplitude scale at cycle (or iteration) `x`. */
  scaleFn(x: number): number {
    if (this.scaleFnCustom !== null) return this.scaleFnCustom(x);
    if (this.mode === 'triangular') return 1.0;
    if (this.mode === 'triangular2') return 1 / 2.0 ** (x - 1);
    return this.gamma ** x;
  }

  getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1.0 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = () => this.scaleFn(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * scaleFactor * scale());
    if (this.cycleMomentum) {
      const momentums = this.baseMomentums.map((b, i) => this.maxMomentums[i] - (this.maxMomentums[i] - b) * scaleFactor * scale());
      setMomentum(this.optimizer, momentums, this.useBeta1);
    }
    return lrs;
  }

  protected override stateKeys(): [string, string][] {
    const momentum: [string, string][] = this.cycleMomentum
      ? [['use_beta1', 'useBeta1'], ['base_momentums', 'baseMomentums'], ['max_momentums', 'maxMomentums']] : [];
    return [['max_lrs', 'maxLrs'], ['total_size', 'totalSize'], ['step_ratio', 'stepRatio'], ['mode', 'mode'], ['gamma', 'gamma'],
      ['scale_mode', 'scaleMode'], ['cycle_momentum', 'cycleMomentum'], ...momentum, ...super.stateKeys()];
  }

  /** PyTorch's keys; `_scale_fn_custom` is `null` (functions are not saved). */
  override stateDict(): Record<string, unknown> {
    return { ...super.stateDict(), _scale_fn_custom: null };
  }

  override loadStateDict(stateDict: Record<string, unknown>): void {
    super.loadStateDict(stateDict);
    this.initScaleFn();
  }
}

interface SchedulePhase { end_step: number; start_lr: string; end_lr: string; start_momentum: string; end_momentum: string }

/** Options of {@link OneCycleLR}, as PyTorch's `OneCycleLR` arguments (camelCase). */
export interface OneCycleLROptions {
  maxLr: number | number[];
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}
const ONECYCLE_KEYS = optionKeys<OneCycleLROptions>({
  maxLr: true, totalSteps: true, epochs: true, stepsPerEpoch: true, pctStart: true, annealStrategy: true, cycleMomentum: true,
  baseMomentum: true, maxMomentum: true, divFactor: true, finalDivFactor: true, threePhase: true, lastEpoch: true,
});

/**
 * The 1cycle policy: each group's learning rate rises from `maxLr / divFactor` to `maxLr` over
 * `pctStart` of `totalSteps` (or `epochs * stepsPerEpoch`), then anneals ('cos' or 'linear') to
 * `initial_lr / finalDivFactor`; momentum moves inversely. Step it after every batch.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 1000 });
 * ```
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  /** @internal */ _schedulePhases: SchedulePhase[];
  /** @internal */ _annealFuncType: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1 = false;

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    super(optimizer);
    const o = checkOptions(options, 'OneCycleLR options', ONECYCLE_KEYS);
    const lastEpoch = lastEpochOf(o.lastEpoch);
    if (o.totalSteps !== undefined && o.totalSteps !== null) {
      this.totalSteps = checkInt(o.totalSteps, 'totalSteps', 1);
    } else if (o.epochs !== undefined && o.epochs !== null && o.stepsPerEpoch !== undefined && o.stepsPerEpoch !== null) {
      this.totalSteps = checkInt(o.epochs, 'epochs', 1) * checkInt(o.stepsPerEpoch, 'stepsPerEpoch', 1);
    } else {
      throw typeError('totalSteps, or epochs and stepsPerEpoch', 'OneCycleLR options', options);
    }
    const pctStart = checkNumber(o.pctStart ?? 0.3, 'pctStart');
    const total = this.totalSteps;
    this._schedulePhases = checkBool(o.threePhase ?? false, 'threePhase')
      ? [
        { end_step: pctStart * total - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
        { end_step: 2 * pctStart * total - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
        { end_step: total - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
      ]
      : [
        { end_step: pctStart * total - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
        { end_step: total - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
      ];
    if (pctStart < 0 || pctStart > 1) throw rangeError('a number in [0, 1]', 'pctStart', pctStart);
    const anneal = o.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear') throw rangeError("'cos' or 'linear'", 'annealStrategy', anneal);
    this._annealFuncType = anneal;
    const maxLrs = formatParam('maxLr', optimizer, o.maxLr);
    const divFactor = checkNumber(o.divFactor ?? 25.0, 'divFactor');
    const finalDivFactor = checkNumber(o.finalDivFactor ?? 1e4, 'finalDivFactor');
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((g, i) => {
        g.initial_lr = maxLrs[i] / divFactor;
        g.max_lr = maxLrs[i];
        g.min_lr = (g.initial_lr as number) / finalDivFactor;
      });
    }
    this.cycleMomentum = checkBool(o.cycleMomentum ?? true, 'cycleMomentum');
    if (this.cycleMomentum) {
      this.useBeta1 = checkMomentumSupport(optimizer);
      const maxMomentums = formatParam('maxMomentum', optimizer, o.maxMomentum ?? 0.95);
      const baseMomentums = formatParam('baseMomentum', optimizer, o.baseMomentum ?? 0.85);
      if (lastEpoch === -1) initMomentum(optimizer, maxMomentums, baseMomentums, this.useBeta1);
    }
    this.attach(lastEpoch);
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this._annealFuncType === 'cos') return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw rangeError(`at most totalSteps (${this.totalSteps}) steps`, 'OneCycleLR.step()', stepNum);
    }
    const phases = this._schedulePhases;
    const momentums: number[] = [];
    const lrs = this.optimizer.paramGroups.map((g) => {
      let startStep = 0.0;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i];
        const endStep = phase.end_step;
        if (stepNum <= endStep || i === phases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          if (this.cycleMomentum) momentums.push(this.anneal(g[phase.start_momentum] as number, g[phase.end_momentum] as number, pct));
          return this.anneal(g[phase.start_lr] as number, g[phase.end_lr] as number, pct);
        }
        startStep = phase.end_step;
      }
      throw new Error('unreachable');
    });
    if (this.cycleMomentum) setMomentum(this.optimizer, momentums, this.useBeta1);
    return lrs;
  }

  protected override stateKeys(): [string, string][] {
    return [['total_steps', 'totalSteps'], ['_schedule_phases', '_schedulePhases'], ['_anneal_func_type', '_annealFuncType'],
      ['cycle_momentum', 'cycleMomentum'], ...(this.cycleMomentum ? [['use_beta1', 'useBeta1'] as [string, string]] : []),
      ...super.stateKeys()];
  }
}
