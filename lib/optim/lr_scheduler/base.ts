/**
 * `LRScheduler`, the base of the epoch-driven schedulers, and helpers shared by them: a port of
 * `torch.optim.lr_scheduler.LRScheduler` (PyTorch 2.13). `step()` uses the chainable (recursive)
 * `getLr()` as PyTorch does, so the learning rates match Python's to float64 rounding.
 */
import { rangeError, typeError } from '../../errors';
import { checkInt, checkNumber } from '../../validate';
import { Optimizer } from '../optimizer';

/** @internal A TypeError unless `optimizer` is an Optimizer. */
export function checkOptimizer(optimizer: unknown): Optimizer {
  if (!(optimizer instanceof Optimizer)) throw typeError('an Optimizer', 'optimizer', optimizer);
  return optimizer;
}

/** @internal The `lastEpoch` option: an integer >= -1, default -1. */
export function lastEpochOf(value: unknown): number {
  return checkInt(value ?? -1, 'lastEpoch', -1);
}

/** @internal PyTorch's `_format_param`: one number per parameter group (a number is repeated). */
export function formatParam(name: string, optimizer: Optimizer, value: unknown): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw rangeError(`${n} values (one per parameter group)`, name, value);
    return value.map((v, i) => checkNumber(v, `${name}[${i}]`));
  }
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError('a number or an array of numbers', name, value);
  return new Array<number>(n).fill(value);
}

/** @internal `group[key]` of every parameter group. */
export function groupValues(optimizer: Optimizer, key: string): number[] {
  return optimizer.paramGroups.map((g) => g[key] as number);
}

/** @internal Python's `bisect.bisect_right` on a sorted list. */
export function bisectRight(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < list[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** @internal A deep copy of a state value (arrays, plain objects, Maps); functions are kept. */
export function copyState<T>(value: T): T {
  return typeof value === 'function' ? value : structuredClone(value);
}

/** @internal A TypeError unless `sd` is a state dict object. */
export function checkStateDict(sd: unknown): Record<string, unknown> {
  if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) throw typeError('a scheduler state dict', 'stateDict', sd);
  return sd as Record<string, unknown>;
}

/**
 * Base class of the learning-rate schedulers (all but `ReduceLROnPlateau`), as PyTorch's
 * `LRScheduler`. A scheduler sets `optimizer.paramGroups[i].lr`; the first value is set when it
 * is made, and each `step()` (call it after `optimizer.step()`) moves to the next.
 * @example
 * ```ts
 * const scheduler = new optim.lrScheduler.ExponentialLR(optimizer, { gamma: 0.9 });
 * for (let epoch = 0; epoch < 10; epoch++) { trainOneEpoch(); scheduler.step(); }
 * ```
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** Each group's `initial_lr` when the scheduler was made. */
  baseLrs: number[] = [];
  /** Index of the last epoch stepped (`-1` before the constructor's first step). */
  lastEpoch = -1;
  /** @internal */ _stepCount = 0;
  /** @internal */ _isInitial = false;
  /** @internal */ _getLrCalledWithinStep = false;
  /** @internal */ _lastLr: number[] = [];

  protected constructor(optimizer: Optimizer) {
    this.optimizer = checkOptimizer(optimizer);
  }

  /**
   * The rest of PyTorch's `LRScheduler.__init__`: records `initial_lr` in each group (or requires
   * it when resuming with `lastEpoch >= 0`), the base lrs, and takes the initial step.
   */
  protected attach(lastEpoch: number): void {
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) if (!('initial_lr' in g)) g.initial_lr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (!('initial_lr' in g)) {
          throw new RangeError(`param 'initial_lr' is not specified in paramGroups[${i}] when resuming a scheduler with lastEpoch >= 0 (load the optimizer's state dict first)`);
        }
      });
    }
    this.baseLrs = groupValues(this.optimizer, 'initial_lr');
    this.lastEpoch = lastEpoch;
    this._initialStep();
  }

  /** @internal Resets the step count and takes the first step. */
  _initialStep(): void {
    this._stepCount = 0;
    this._isInitial = true;
    try {
      this.step();
    } finally {
      this._isInitial = false;
    }
  }

  /** Advances one epoch and sets each group's learning rate. Call after `optimizer.step()`. */
  step(): void {
    this._stepCount += 1;
    this._updateLr();
  }

  /** @internal Advances `lastEpoch` (or sets it to `epoch`, then with the closed form) and applies the lrs. */
  _updateLr(epoch?: number): void {
    this._getLrCalledWithinStep = true;
    let values: number[];
    try {
      if (epoch === undefined) {
        this.lastEpoch += 1;
        values = this.getLr();
      } else {
        this.lastEpoch = epoch;
        values = this.closedFormLr() ?? this.getLr();
      }
    } finally {
      this._getLrCalledWithinStep = false;
    }
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = values[i]; });
    this._lastLr = groupValues(this.optimizer, 'lr');
  }

  /**
   * The learning rates for the current `lastEpoch`, computed from the current ones (PyTorch's
   * chainable `get_lr`). To read the learning rates, use `getLastLr()`.
   */
  abstract getLr(): number[];

  /** @internal PyTorch's `_get_closed_form_lr` where it has one, else null. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** The learning rates set by the last `step()` (a copy). */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** @internal The state dict's entries: PyTorch's key and this object's property, in PyTorch's order. */
  protected stateKeys(): [string, string][] {
    return [['base_lrs', 'baseLrs'], ['last_epoch', 'lastEpoch'], ['_step_count', '_stepCount'], ['_is_initial', '_isInitial'],
      ['_get_lr_called_within_step', '_getLrCalledWithinStep'], ['_last_lr', '_lastLr']];
  }

  /** The scheduler's state with PyTorch's snake_case keys (what Python's `state_dict()` holds). */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const self = this as unknown as Record<string, unknown>;
    for (const [key, prop] of this.stateKeys()) out[key] = copyState(self[prop]);
    return out;
  }

  /** Restores `stateDict()` output (here or Python's); the optimizer's lrs are left as they are. */
  loadStateDict(stateDict: Record<string, unknown>): void {
    const sd = checkStateDict(stateDict);
    const self = this as unknown as Record<string, unknown>;
    for (const [key, prop] of this.stateKeys()) if (key in sd) self[prop] = copyState(sd[key]);
  }
}
