/**
 * `nn.Module` and `nn.Parameter`: the base of every layer and model.
 */
import { inspect } from 'util';
import { native as N } from '../binding';
import { dtypeOf, isFloatingDtype, type DType, type DTypeName } from '../dtype';
import { TorchError, typeError } from '../errors';
import { Tensor, type Device, checkTensor } from '../tensor';
import { noGrad } from '../autograd';
import { keep } from '../memory';
import { checkBool, checkDevice, checkDtype, checkOptions } from '../validate';

/**
 * A tensor that is a module's learnable weight: a leaf that requires grad by default and that
 * `parameters()` finds. It shares `data`'s storage.
 *
 * @example
 * ```ts
 * class Scale extends nn.Module {
 *   weight = new nn.Parameter(torch.ones([1]));
 *   forward(x: torch.Tensor) { return x.mul(this.weight); }
 * }
 * ```
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    checkTensor(data, 'data');
    N.prepareShare(data);
    super();
    N.setRequiresGrad(this, checkBool(requiresGrad, 'requiresGrad'));
    // A model outlives any tidy() scope it is built in.
    keep(this);
  }
}

/** The result of `loadStateDict(sd, { strict: false })`. */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A state dict: names (`conv1.weight`) to tensors, in PyTorch's order. */
export type StateDict = Record<string, Tensor>;

/** What `registerForwardPreHook` and `registerForwardHook` return. */
export interface RemovableHandle {
  /** Unregisters the hook. Idempotent. */
  remove(): void;
}

/** Runs before `forward` with its arguments; returning an array replaces them. */
export type ForwardPreHook = (module: Module, args: unknown[]) => unknown[] | void;
/** Runs after `forward` with its arguments and output; returning a value replaces the output. */
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;

// Per-module state that is not a parameter, buffer or child, kept off the instance so that
// discovery by own properties sees only what the user declared.
interface Internals {
  buffers: Map<string, Tensor | null>;
  preHooks: Map<number, ForwardPreHook>;
  hooks: Map<number, ForwardHook>;
}
const internals = new WeakMap<Module, Internals>();
let nextHookId = 0;

function internalsOf(module: Module): Internals {
  const found = internals.get(module);
  if (found === undefined) throw new TypeError('Expected an nn.Module for this but received another object');
  return found;
}

// `model(x)`: PyTorch's Module.__call__ — pre-hooks, forward, hooks.
function callModule(module: Module, args: unknown[]): unknown {
  const { preHooks, hooks } = internalsOf(module);
  if (preHooks.size === 0 && hooks.size === 0) return module.forward(...args);
  for (const hook of [...preHooks.values()]) {
    const replaced = hook(module, args);
    if (replaced !== undefined) args = Array.isArray(replaced) ? replaced : [replaced];
  }
  let output = module.forward(...args);
  for (const hook of [...hooks.values()]) {
    const replaced = hook(module, args, output);
    if (replaced !== undefined) output = replaced;
  }
  return output;
}

/**
 * Base class of all layers and models, like `torch.nn.Module`. Submodules and parameters are
 * found from the instance's own properties in declaration order, so their names are the
 * PyTorch state-dict keys (`conv1.weight`, `linear.bias`).
 *
 * @example
 * ```ts
 * class Model extends nn.Module {
 *   conv1 = new nn.Conv2d(1, 10, 5);
 *   linear = new nn.Linear(1440, 10);
 *   forward(x: torch.Tensor) {
 *     return this.linear(this.conv1(x).relu().view(x.size(0), -1));
 *   }
 * }
 * const model = new Model();
 * console.log(Object.keys(model.stateDict())); // ['conv1.weight', 'conv1.bias', 'linear.weight', 'linear.bias']
 * ```
 */
export abstract class Module {
  /** Whether the module is in training mode (`train()`) or evaluation mode (`eval()`). */
  declare training: boolean;

  /**
   * A module is a function: `model(x)` runs the forward pre-hooks, `forward(x)`, then the
   * forward hooks, as PyTorch's `__call__` does. (The instance this constructor returns is that
   * function, with the subclass's prototype, so subclass fields land on it as usual.)
   */
  constructor() {
    const module = ((...args: unknown[]) => callModule(module, args)) as unknown as Module;
    // An arrow function's own `length` and `name` would hide the class's (Sequential.length).
    delete (module as { length?: number }).length;
    delete (module as { name?: string }).name;
    Object.setPrototypeOf(module, new.target.prototype);
    Object.defineProperty(module, 'training', { value: true, writable: true, enumerable: false, configurable: true });
    // Buffers are registered by name so their state-dict keys can be PyTorch's snake_case
    // (`running_mean`) while the TypeScript accessors are camelCase.
    internals.set(module, { buffers: new Map(), preHooks: new Map(), hooks: new Map() });
    return module;
  }

  /** The computation, as in PyTorch. Call the module itself (`model(x)`), which runs the hooks too. */
  abstract forward(...inputs: any[]): any;

  /**
   * Registers `hook(module, args)` to run before every `forward`; it may return replacement args.
   * @example
   * ```ts
   * const handle = model.registerForwardPreHook((m, args) => console.log(m.constructor.name, args.length));
   * handle.remove();
   * ```
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    if (typeof hook !== 'function') throw typeError('a function', 'hook', hook);
    return addHook(internalsOf(this).preHooks, hook);
  }

  /**
   * Registers `hook(module, args, output)` to run after every `forward`; it may return a
   * replacement output.
   * @example
   * ```ts
   * const activations: torch.Tensor[] = [];
   * model.conv1.registerForwardHook((m, args, out) => { activations.push(out as torch.Tensor); });
   * ```
   */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    if (typeof hook !== 'function') throw typeError('a function', 'hook', hook);
    return addHook(internalsOf(this).hooks, hook);
  }

  /** Registers a buffer: state that is saved in the state dict but is not a parameter. */
  registerBuffer(name: string, tensor: Tensor | null): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) throw typeError('a name without dots', 'name', name);
    if (tensor !== null && !(tensor instanceof Tensor)) throw typeError('a Tensor or null', 'tensor', tensor);
    internalsOf(this).buffers.set(name, tensor === null ? null : keep(tensor));
  }

  /** @internal A registered buffer by name. */
  protected buffer(name: string): Tensor | null { return internalsOf(this).buffers.get(name) ?? null; }

  /** Direct submodules with their attribute names. */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** Direct submodules. */
  children(): Module[] { return this.namedChildren().map(([, m]) => m); }

  /** This module and every submodule, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** This module and every submodule. */
  modules(): Module[] { return this.namedModules().map(([, m]) => m); }

  /** This module's own parameters (not its children's), by attribute name. */
  private ownParameters(): [string, Parameter][] {
    return Object.entries(this).filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /** Every parameter with its state-dict name, in PyTorch's order. */
  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, p] of module.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  /**
   * Every parameter, for an optimizer.
   * @example
   * ```ts
   * const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
   * ```
   */
  parameters(): Parameter[] { return this.namedParameters().map(([, p]) => p); }

  /** Every non-null buffer with its state-dict name. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, b] of internalsOf(module).buffers) if (b !== null) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  /** Every non-null buffer. */
  buffers(): Tensor[] { return this.namedBuffers().map(([, b]) => b); }

  /**
   * Parameters and buffers by PyTorch state-dict key, in PyTorch's order (each module's
   * parameters, then its buffers, then its children). Values share storage with the module.
   * @example
   * ```ts
   * torch.save(model.stateDict(), 'models/model.pth');
   * ```
   */
  stateDict(options: { keepVars?: boolean } = {}): StateDict {
    const keepVars = checkOptions(options, 'stateDict() options', ['keepVars']).keepVars === true;
    const out: StateDict = {};
    const visit = (module: Module, prefix: string) => {
      for (const [name, p] of module.ownParameters()) out[prefix + name] = keepVars ? p : p.detach();
      for (const [name, b] of internalsOf(module).buffers) if (b !== null) out[prefix + name] = keepVars ? b : b.detach();
      for (const [name, child] of module.namedChildren()) visit(child, `${prefix}${name}.`);
    };
    visit(this, '');
    return out;
  }

  /**
   * Copies parameters and buffers from a state dict (a plain object or a Map) into this module.
   * With `strict` (default), missing or unexpected keys throw one TorchError that lists them;
   * a shape mismatch always throws. Returns the keys that did not match.
   * @example
   * ```ts
   * model.loadStateDict(torch.load('models/SGD_acc_0.98.pth'));
   * ```
   */
  loadStateDict(stateDict: Record<string, unknown> | Map<string, unknown>, options: { strict?: boolean } = {}): IncompatibleKeys {
    const o = checkOptions(options, 'loadStateDict() options', ['strict']);
    const strict = o.strict === undefined ? true : checkBool(o.strict, 'strict');
    const entries: [string, unknown][] = stateDict instanceof Map ? [...stateDict.entries()]
      : stateDict !== null && typeof stateDict === 'object' ? Object.entries(stateDict)
      : (() => { throw typeError('a state dict (object or Map of Tensors)', 'stateDict', stateDict); })();
    const source = new Map(entries);
    const own = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    const missingKeys = [...own.keys()].filter((k) => !source.has(k));
    const unexpectedKeys = [...source.keys()].filter((k) => !own.has(k) && !k.endsWith('_metadata'));
    const mismatches: string[] = [];
    for (const [key, target] of own) {
      const value = source.get(key);
      if (value === undefined) continue;
      if (!(value instanceof Tensor)) {
        mismatches.push(`value for ${key} is not a Tensor`);
        continue;
      }
      const a = value.shape;
      const b = target.shape;
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
        mismatches.push(`size mismatch for ${key}: copying a param with shape [${a.join(', ')}] from checkpoint, ` +
          `the shape in current model is [${b.join(', ')}].`);
      }
    }
    const problems = [...mismatches];
    if (strict) {
      if (missingKeys.length) problems.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
      if (unexpectedKeys.length) problems.splice(missingKeys.length ? 1 : 0, 0, `Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
    }
    if (problems.length) {
      throw new TorchError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${problems.join('\n\t')}`, 'STATE_DICT_MISMATCH');
    }
    noGrad(() => {
      for (const [key, target] of own) {
        const value = source.get(key);
        if (value instanceof Tensor) target.copy_(value);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Moves every parameter and buffer (and gradient) to a device and/or casts floating-point
   * ones to a dtype, in place, keeping their identity (an optimizer made before still works).
   * @example
   * ```ts
   * model.to('cuda:0');
   * ```
   */
  to(target: Device | DTypeName | { device?: Device; dtype?: DTypeName }): this {
    let device: Device | undefined;
    let dtype: DType | undefined;
    if (typeof target === 'string') {
      dtype = dtypeOf(target);
      if (dtype === undefined) device = checkDevice(target, 'target');
    } else {
      const o = checkOptions(target, 'to() options', ['device', 'dtype']);
      if (o.device !== undefined) device = checkDevice(o.device);
      if (o.dtype !== undefined) dtype = checkDtype(o.dtype);
    }
    const move = (t: Tensor) => {
      const isFloat = isFloatingDtype(t.dtype);
      const converted = t.to({ device: device ?? t.device, dtype: dtype !== undefined && isFloat ? dtype : t.dtype });
      if (converted !== t) N.setData(t, converted);
    };
    noGrad(() => {
      for (const p of this.parameters()) {
        move(p);
        const g = p.grad;
        if (g !== null) { move(g); p.grad = g; }
      }
      for (const b of this.buffers()) move(b);
    });
    return this;
  }

  /** Sets training mode (Dropout active, BatchNorm uses batch statistics) recursively. */
  train(mode = true): this {
    checkBool(mode, 'mode');
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode recursively: `train(false)`. */
  eval(): this { return this.train(false); }

  /**
   * Clears every parameter's gradient (to null by default, as PyTorch 2 does).
   * @example
   * ```ts
   * model.zeroGrad();
   * ```
   */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (setToNone) p.grad = null;
      else g.zero_();
    }
  }

  /** Calls `fn` on every submodule and then on this one, like PyTorch's `apply`. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** The text inside this module's parentheses in `toString()`, e.g. `1, 10, kernel_size=(5, 5)`. */
  extraRepr(): string { return ''; }

  /**
   * PyTorch's module printout, which `console.log(model)` shows too:
   * `Model(\n  (conv1): Conv2d(1, 10, kernel_size=(5, 5), stride=(1, 1))\n  …\n)`.
   */
  toString(): string {
    const children = this.namedChildren();
    const extra = this.extraRepr();
    if (children.length === 0) return `${this.constructor.name}(${extra})`;
    const lines = children.map(([name, m]) => `  (${name}): ${m.toString().split('\n').join('\n  ')}`);
    if (extra) lines.unshift(`  ${extra}`);
    return `${this.constructor.name}(\n${lines.join('\n')}\n)`;
  }

  /** @internal `console.log(model)` prints the module tree, as Python's `print(model)`. */
  [inspect.custom](): string { return this.toString(); }
}

export interface Module {
  /**
   * Runs the module: forward pre-hooks, `forward(...args)`, forward hooks. Typed as `forward`.
   * @example
   * ```ts
   * const output = model(data);
   * ```
   */
  (...args: Parameters<this['forward']>): ReturnType<this['forward']>;
}

function addHook<H>(hooks: Map<number, H>, hook: H): RemovableHandle {
  const id = nextHookId++;
  hooks.set(id, hook);
  return { remove: () => { hooks.delete(id); } };
}
