/**
 * Schedulers made of others: SequentialLR (one after another at milestones) and ChainedScheduler
 * (all at once), ports of PyTorch 2.13's. Their state dicts nest the parts' under `_schedulers`.
 */
import { rangeError, typeError } from '../../errors';
import { checkIntList, checkOptions, optionKeys } from '../../validate';
import { Optimizer } from '../optimizer';
import { LRScheduler, bisectRight, checkOptimizer, checkStateDict, groupValues, lastEpochOf } from './base';
import { ReduceLROnPlateau } from './plateau';

/** PyTorch's checks on the parts: at least one, none a ReduceLROnPlateau, all on `optimizer`. */
function checkSchedulers(value: unknown, optimizer: Optimizer | undefined, owner: string): LRScheduler[] {
  if (!Array.isArray(value)) throw typeError('an array of schedulers', 'schedulers', value);
  if (value.length < 1) throw rangeError(`at least one scheduler for ${owner}`, 'schedulers', value);
  const opt = optimizer ?? (value[0] as LRScheduler | undefined)?.optimizer;
  value.forEach((s, i) => {
    if (s instanceof ReduceLROnPlateau) {
      throw rangeError(`a scheduler other than ReduceLROnPlateau (${owner} cannot pass it a metric)`, `schedulers[${i}]`, s);
    }
    if (!(s instanceof LRScheduler)) throw typeError('a learning-rate scheduler', `schedulers[${i}]`, s);
    if (s.optimizer !== opt) throw rangeError(`a scheduler of the same optimizer as ${owner}'s`, `schedulers[${i}]`, s);
  });
  return value as LRScheduler[];
}

/** Whether `s` is made of other schedulers (PyTorch's `hasattr(s, '_schedulers')`). */
function isComposite(s: LRScheduler): s is SequentialLR | ChainedScheduler {
  return s instanceof SequentialLR || s instanceof ChainedScheduler;
}

/** Options of {@link SequentialLR}, as PyTorch's `SequentialLR` arguments (camelCase). */
export interface SequentialLROptions { schedulers: LRScheduler[]; milestones: number[]; lastEpoch?: number }
const SEQUENTIAL_KEYS = optionKeys<SequentialLROptions>({ schedulers: true, milestones: true, lastEpoch: true });

/**
 * Runs `schedulers` one after another, switching to the next at each of `milestones` (one fewer
 * than the schedulers); at a switch, the next one starts from its epoch 0.
 * @example
 * ```ts
 * const warmup = new optim.lrScheduler.LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 });
 * const decay = new optim.lrScheduler.ExponentialLR(optimizer, { gamma: 0.9 });
 * const scheduler = new optim.lrScheduler.SequentialLR(optimizer, { schedulers: [warmup, decay], milestones: [5] });
 * ```
 */
export class SequentialLR extends LRScheduler {
  /** @internal */ _schedulers: LRScheduler[];
  /** @internal */ _milestones: number[];

  constructor(optimizer: Optimizer, options: SequentialLROptions) {
    super(optimizer);
    const o = checkOptions(options, 'SequentialLR options', SEQUENTIAL_KEYS);
    const schedulers = checkSchedulers(o.schedulers, optimizer, 'SequentialLR');
    const milestones = checkIntList(o.milestones, 'milestones');
    if (milestones.length !== schedulers.length - 1) {
      throw rangeError(`${schedulers.length - 1} milestones (one fewer than the schedulers)`, 'milestones', milestones);
    }
    this._schedulers = [...schedulers];
    this._milestones = [...milestones];
    this.lastEpoch = lastEpochOf(o.lastEpoch) + 1;
    for (const g of optimizer.paramGroups) g.lr = g.initial_lr;
    this.recursiveUndo(this);
    const idx = bisectRight(this._milestones, 0);
    this._schedulers[idx]._initialStep();
    this._lastLr = this._schedulers[idx].getLastLr();
  }

  /** Steps the parts back one epoch (PyTorch's `recursive_undo`), undoing their constructors' step. */
  private recursiveUndo(s: LRScheduler): void {
    if (isComposite(s)) for (const part of s._schedulers) this.recursiveUndo(part);
    else s.lastEpoch -= 1;
  }

  /** Advances one epoch in the scheduler whose turn it is. */
  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this._milestones, this.lastEpoch);
    const scheduler = this._schedulers[idx];
    if (idx > 0 && this._milestones[idx - 1] === this.lastEpoch) scheduler._updateLr(0);
    else scheduler.step();
    this._lastLr = scheduler.getLastLr();
  }

  /** Not available: a SequentialLR has no formula of its own (PyTorch raises too). */
  getLr(): number[] {
    throw new Error('SequentialLR.getLr is not implemented; use getLastLr()');
  }

  protected override stateKeys(): [string, string][] {
    return [['_milestones', '_milestones'], ['last_epoch', 'lastEpoch'], ['_last_lr', '_lastLr']];
  }

  /** PyTorch's keys, with each part's state dict under `_schedulers`. */
  override stateDict(): Record<string, unknown> {
    return { ...super.stateDict(), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(stateDict: Record<string, unknown>): void {
    const sd = checkStateDict(stateDict);
    super.loadStateDict(sd);
    loadParts(this._schedulers, sd._schedulers);
  }
}

function loadParts(schedulers: LRScheduler[], parts: unknown): void {
  if (!Array.isArray(parts) || parts.length !== schedulers.length) {
    throw typeError(`an array of ${schedulers.length} scheduler state dicts`, '_schedulers', parts);
  }
  schedulers.forEach((s, i) => s.loadStateDict(parts[i] as Record<string, unknown>));
}

/** Options of {@link ChainedScheduler}, as PyTorch's `ChainedScheduler` arguments (camelCase). */
export interface ChainedSchedulerOptions { optimizer?: Optimizer }
const CHAINED_KEYS = optionKeys<ChainedSchedulerOptions>({ optimizer: true });

/**
 * Steps all of `schedulers` together each epoch, so their factors multiply.
 * @example
 * ```ts
 * const a = new optim.lrScheduler.ConstantLR(optimizer, { factor: 0.5, totalIters: 4 });
 * const b = new optim.lrScheduler.ExponentialLR(optimizer, { gamma: 0.9 });
 * const scheduler = new optim.lrScheduler.ChainedScheduler([a, b]);
 * ```
 */
export class ChainedScheduler extends LRScheduler {
  /** @internal */ _schedulers: LRScheduler[];

  constructor(schedulers: LRScheduler[], options?: ChainedSchedulerOptions) {
    const o = checkOptions(options, 'ChainedScheduler options', CHAINED_KEYS);
    const given = o.optimizer === undefined ? undefined : checkOptimizer(o.optimizer);
    const list = checkSchedulers(schedulers, given, 'ChainedScheduler');
    super(given ?? list[0].optimizer);
    this._schedulers = [...list];
    this._lastLr = groupValues(this._schedulers[this._schedulers.length - 1].optimizer, 'lr');
  }

  /** Steps every part, in order. */
  override step(): void {
    for (const s of this._schedulers) s.step();
    this._lastLr = groupValues(this._schedulers[this._schedulers.length - 1].optimizer, 'lr');
  }

  /** Not available: a ChainedScheduler has no formula of its own (PyTorch raises too). */
  getLr(): number[] {
    throw new Error('ChainedScheduler.getLr is not implemented; use getLastLr()');
  }

  protected override stateKeys(): [string, string][] {
    return [['_last_lr', '_lastLr']];
  }

  /** PyTorch's keys, with each part's state dict under `_schedulers`. */
  override stateDict(): Record<string, unknown> {
    return { ...super.stateDict(), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(stateDict: Record<string, unknown>): void {
    const sd = checkStateDict(stateDict);
    super.loadStateDict(sd);
    loadParts(this._schedulers, sd._schedulers);
  }
}
