/**
 * `torch.optim.Optimizer`: parameter groups, per-parameter state and state dicts with
 * PyTorch's layout (`state`, `param_groups`), so checkpoints move between Python and TS.
 */
import { typeError, rangeError } from '../errors';
import { checkBool, checkNumber, checkOptions } from '../validate';
import { Tensor, checkTensor } from '../tensor';
import { tensor } from '../factories';
import { keep, tidy } from '../memory';
import { enableGrad, noGrad } from '../autograd';

/** A parameter group: its parameters and its hyperparameters (PyTorch's snake_case keys). */
export type ParamGroup = { params: Tensor[] } & Record<string, unknown>;

/** What `Optimizer` takes: parameters, or groups of them with per-group options. */
export type Params = Iterable<Tensor> | ({ params: Iterable<Tensor> } & Record<string, unknown>)[];

/** @internal One hyperparameter: its camelCase option, PyTorch's group key, default and check. */
export interface OptionSpec {
  camel: string;
  key: string;
  default: unknown;
  check?: (value: unknown) => void;
}

/** @internal A check that a number option is >= 0. */
export function nonNegative(name: string): (value: unknown) => void {
  return (value) => { if (checkNumber(value, name) < 0) throw rangeError(`${name} >= 0`, name, value); };
}

/** @internal `maximize`, which every optimizer takes. */
export const MAXIMIZE: OptionSpec = { camel: 'maximize', key: 'maximize', default: false, check: (v) => checkBool(v, 'maximize') };
/**
 * @internal Keys PyTorch 2 keeps in its groups (each optimizer its own, in its own order) so that
 * Python's load_state_dict finds them; nodetorch stores them and does not act on them.
 */
export const FOREACH: OptionSpec = { camel: 'foreach', key: 'foreach', default: null };
/** @internal See FOREACH. */
export const CAPTURABLE: OptionSpec = { camel: 'capturable', key: 'capturable', default: false };
/** @internal See FOREACH. */
export const DIFFERENTIABLE: OptionSpec = { camel: 'differentiable', key: 'differentiable', default: false };
/** @internal See FOREACH. */
export const FUSED: OptionSpec = { camel: 'fused', key: 'fused', default: null };

/** @internal A check that `betas` is two numbers, each in [0, 1) (PyTorch's check). */
export function checkBetas(value: unknown): void {
  if (!Array.isArray(value) || value.length !== 2) throw typeError('two numbers', 'betas', value);
  value.forEach((b, i) => { if (checkNumber(b, `betas[${i}]`) < 0 || b >= 1) throw rangeError('a value in [0, 1)', `betas[${i}]`, b); });
}

/**
 * One value of an optimizer's state: a tensor, or, as LBFGS keeps them, a number, `null` or a
 * list of these.
 */
export type StateValue = Tensor | number | null | StateValue[];

/** An optimizer state dict: PyTorch's layout. `state` keys are parameter indices. */
export interface OptimizerStateDict {
  state: Map<number, Record<string, StateValue>>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * Base class of the optimizers. Subclasses implement `step()`.
 * @example
 * ```ts
 * optimizer.zeroGrad();
 * loss.backward();
 * optimizer.step();
 * ```
 */
export abstract class Optimizer {
  /** Groups of parameters with their hyperparameters (`lr`, `momentum`, …). */
  readonly paramGroups: ParamGroup[] = [];
  /** Per-parameter state (`momentum_buffer`, `exp_avg`, …), keyed by parameter. */
  readonly state = new Map<Tensor, Record<string, Tensor>>();
  /** The defaults each group starts from, with PyTorch's snake_case keys. */
  readonly defaults: Record<string, unknown>;

  protected constructor(params: Params, options: Record<string, unknown>) {
    this.defaults = this.normalize(options, true);
    // A Tensor iterates over its rows; PyTorch refuses one here rather than optimise the rows.
    if (params === null || typeof params !== 'object' || params instanceof Tensor || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw typeError('an iterable of Tensors or of parameter groups', 'params', params);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw rangeError('at least one parameter', 'params', list);
    const groups = list[0] instanceof Tensor ? [{ params: list }] : list;
    for (const group of groups) this.addParamGroup(group as ParamGroup);
  }

  /**
   * Adds a group of parameters with its own hyperparameters, as PyTorch's `add_param_group`:
   * `params` is one tensor or an iterable of them (leaf tensors, unless the optimizer is
   * `differentiable`), every hyperparameter left out takes the optimizer's default, and a
   * parameter already in another group is a RangeError.
   * @example
   * ```ts
   * optimizer.addParamGroup({ params: head.parameters(), lr: 1e-2 });
   * ```
   */
  addParamGroup(group: { params: Tensor | Iterable<Tensor> } & Record<string, unknown>): void {
    if (group === null || typeof group !== 'object' || Array.isArray(group)) throw typeError('a parameter group { params, … }', 'group', group);
    const raw = group.params as unknown;
    if (raw === null || typeof raw !== 'object' || (!(raw instanceof Tensor) && typeof (raw as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
      throw typeError('a Tensor or an iterable of Tensors', 'params', raw);
    }
    const params = raw instanceof Tensor ? [raw] : [...(raw as Iterable<unknown>)];
    params.forEach((p, i) => checkTensor(p, `params[${i}]`));
    const { params: _ignored, ...overrides } = group;
    const options = this.normalize(overrides);
    params.forEach((p, i) => {
      if (this.defaults.differentiable !== true && !(p as Tensor).isLeaf) throw rangeError("a leaf tensor (can't optimize a non-leaf Tensor)", `params[${i}]`, p);
    });
    if (new Set(params).size !== params.length) {
      process.emitWarning('optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information');
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p as Tensor))) throw new RangeError('some parameters appear in more than one parameter group');
    this.paramGroups.push({ ...this.defaults, ...options, params: params as Tensor[] });
  }

  /**
   * Maps camelCase options to PyTorch's group keys and checks them; with `fill`, every key gets
   * its default (the optimizer's defaults).
   */
  protected abstract normalize(options: unknown, fill?: boolean): Record<string, unknown>;

  /**
   * @internal Reads `specs` from `options` into group keys, checking each value given. A key
   * that is no option (PyTorch's `weight_decay`, a misspelling) throws a TypeError with a hint.
   */
  protected readOptions(options: unknown, specs: OptionSpec[], fill: boolean): Record<string, unknown> {
    const o: Record<string, unknown> = checkOptions(options, `${this.constructor.name} options`, specs.map((s) => s.camel));
    const out: Record<string, unknown> = {};
    for (const spec of specs) {
      const value = o[spec.camel] ?? (fill ? spec.default : undefined);
      if (value === undefined) continue;
      spec.check?.(value);
      out[spec.key] = Array.isArray(value) ? [...value] : value;
    }
    return out;
  }

  /**
   * One optimisation step over every parameter that has a gradient. With `closure`, which
   * re-evaluates the model (zeroing the gradients, computing the loss, calling `backward()`), it
   * first runs the closure with autograd on and returns what it returned, as PyTorch's optimizers
   * do; LBFGS requires one.
   */
  step(closure?: () => Tensor | number): Tensor | number | null {
    if (closure !== undefined && typeof closure !== 'function') throw typeError('a function', 'closure', closure);
    const loss = closure === undefined ? null : enableGrad(closure);
    this.update();
    return loss;
  }

  /** @internal The parameter updates of one step, after the closure (the body of each torch/optim step). */
  protected abstract update(): void;

  /**
   * Clears the gradients of every parameter (to null by default, as PyTorch 2 does).
   * @example
   * ```ts
   * optimizer.zeroGrad();
   * ```
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null; // no gradient object is made only to be dropped
        else p.grad?.zero_();
      }
    }
  }

  /** @internal The state of one parameter, created empty on first use. */
  protected stateOf(p: Tensor): Record<string, Tensor> {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * @internal The loop of every `torch/optim/*.py` step: `update` runs for each parameter that
   * has a gradient, group by group, with autograd off and its temporaries freed after the step.
   * The gradient it gets is already negated when the group has `maximize`.
   */
  protected forEachGrad(update: (param: Tensor, grad: Tensor, group: ParamGroup, state: Record<string, Tensor>) => void): void {
    noGrad(() => tidy(() => {
      for (const group of this.paramGroups) {
        for (const param of group.params) {
          const grad = param.grad;
          if (grad === null) continue;
          update(param, group.maximize === true ? grad.neg() : grad, group, this.stateOf(param));
        }
      }
    }));
  }

  /**
   * @internal One value of a loaded state dict as this optimizer keeps it, or undefined to drop
   * it. Tensors follow their parameter's device (and float dtype), `step` stays where it was
   * saved, as PyTorch's `load_state_dict` does; lists are loaded element by element (`None`s
   * in them kept; a `None` entry itself, as SGD's `momentum_buffer`, is dropped). A plain number
   * (older PyTorch saved `step` so) becomes a float32 tensor, as each torch/optim optimizer's
   * `__setstate__` does; LBFGS, whose state has plain numbers, keeps them.
   */
  protected loadStateValue(p: Tensor, key: string | null, v: unknown): StateValue | undefined {
    if (v instanceof Tensor) {
      return keep(key === 'step' ? v : v.to({ device: p.device, dtype: v.dtype.startsWith('float') ? p.dtype : v.dtype }));
    }
    if (typeof v === 'number') return keep(tensor(v, { dtype: 'float32' }));
    if (v === null) return key === null ? null : undefined;
    if (Array.isArray(v)) return v.map((e) => this.loadStateValue(p, null, e) ?? null);
    return undefined;
  }

  /** @internal Stores a state tensor that must outlive any tidy() scope. */
  protected setState(p: Tensor, key: string, value: Tensor | null): void {
    if (value !== null) this.stateOf(p)[key] = keep(value);
  }

  /**
   * The optimizer's state in PyTorch's layout: `{ state: Map<index, {...}>, param_groups: [...] }`
   * with parameters numbered across groups in order. `torch.save()` writes it so that Python's
   * `optimizer.load_state_dict()` accepts it.
   * @example
   * ```ts
   * torch.save({ model: model.stateDict(), optimizer: optimizer.stateDict(), epoch }, 'ckpt.pth');
   * ```
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const param_groups = this.paramGroups.map((group) => {
      const { params, ...rest } = group;
      return { ...rest, params: params.map((p) => { const i = index.size; index.set(p, i); return i; }) };
    });
    const state = new Map<number, Record<string, Tensor | number>>();
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined && Object.keys(s).length > 0) state.set(i, { ...s });
    }
    return { state, param_groups };
  }

  /**
   * Restores state saved by `stateDict()` here or by Python's `optimizer.state_dict()`.
   * Groups must match this optimizer's in number and size.
   * @example
   * ```ts
   * optimizer.loadStateDict(torch.load('ckpt.pth').optimizer);
   * ```
   */
  loadStateDict(stateDict: OptimizerStateDict | Record<string, unknown>): void {
    const sd = stateDict as Record<string, unknown>;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.param_groups)) {
      throw typeError('an optimizer state dict { state, param_groups }', 'stateDict', stateDict);
    }
    const groups = sd.param_groups as (Record<string, unknown> & { params: unknown[] })[];
    if (groups.length !== this.paramGroups.length) {
      throw new RangeError(`loaded state dict has ${groups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const byIndex: Tensor[] = [];
    groups.forEach((g, gi) => {
      const mine = this.paramGroups[gi];
      if (!Array.isArray(g.params) || g.params.length !== mine.params.length) {
        throw new RangeError(`loaded state dict contains a parameter group that doesn't match the size of optimizer's group ${gi}`);
      }
      g.params.forEach((id, k) => { byIndex[Number(id)] = mine.params[k]; });
    });
    const rawState = sd.state instanceof Map ? [...sd.state.entries()] : Object.entries((sd.state ?? {}) as object);
    this.state.clear();
    for (const [id, value] of rawState) {
      const p = byIndex[Number(id)];
      if (p === undefined || value === null || typeof value !== 'object') continue;
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        const loaded = this.loadStateValue(p, key, v);
        if (loaded !== undefined) this.stateOf(p)[key] = loaded as Tensor;
      }
    }
    groups.forEach((g, gi) => {
      const { params: _p, ...rest } = g;
      Object.assign(this.paramGroups[gi], rest);
    });
  }
}
