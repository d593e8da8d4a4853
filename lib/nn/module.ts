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
  nonPersistent: Set<string>;
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
    internals.set(module, { buffers: new Map(), nonPersistent: new Set(), preHooks: new Map(), hooks: new Map() });
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

  /**
   * Registers a buffer: state that is not a parameter. A persistent buffer (the default) is saved
   * in the state dict; `{ persistent: false }` keeps it out, as in PyTorch. The buffer is then
   * readable and assignable as `module[name]` unless that name is already taken.
   * @example
   * ```ts
   * this.registerBuffer('mask', torch.ones([4]), { persistent: false });
   * ```
   */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    const o = checkOptions(options, 'registerBuffer() options', ['persistent']);
    const persistent = o.persistent === undefined ? true : checkBool(o.persistent, 'persistent');
    checkMemberName(name);
    if (tensor !== null && !(tensor instanceof Tensor)) throw typeError('a Tensor or null', 'tensor', tensor);
    const own = Object.getOwnPropertyDescriptor(this, name);
    const { buffers, nonPersistent } = internalsOf(this);
    if (own !== undefined ? own.enumerable || !buffers.has(name) : name in this) {
      throw new TypeError(`attribute '${name}' already exists`);
    }
    buffers.set(name, tensor === null ? null : keep(tensor));
    if (persistent) nonPersistent.delete(name);
    else nonPersistent.add(name);
    if (own === undefined) {
      const module = this;
      Object.defineProperty(this, name, {
        get: () => internalsOf(module).buffers.get(name) ?? null,
        set: (value: Tensor | null) => {
          if (value !== null && !(value instanceof Tensor)) throw typeError('a Tensor or null', name, value);
          internalsOf(module).buffers.set(name, value === null ? null : keep(value));
        },
        enumerable: false,
        configurable: true,
      });
    }
  }

  /**
   * Adds a parameter (or `null`, a declared but absent one) under `name`, like assigning a
   * `Parameter` to a property; PyTorch's `register_parameter`.
   */
  registerParameter(name: string, param: Parameter | null): void {
    checkMemberName(name);
    if (param !== null && !(param instanceof Parameter)) throw typeError('a Parameter or null', 'param', param);
    if (internalsOf(this).buffers.has(name)) throw new TypeError(`attribute '${name}' already exists`);
    this.defineMember(name, param, (v) => v instanceof Parameter || v === null);
  }

  /** Adds a child module (or `null`) under `name`; PyTorch's `register_module`. */
  registerModule(name: string, module: Module | null): void {
    checkMemberName(name);
    if (module !== null && !(module instanceof Module)) throw typeError('a Module or null', 'module', module);
    if (internalsOf(this).buffers.has(name)) throw new TypeError(`attribute '${name}' already exists`);
    this.defineMember(name, module, (v) => v instanceof Module || v === null);
  }

  /** Alias of `registerModule`, as PyTorch's `add_module`. */
  addModule(name: string, module: Module | null): void { this.registerModule(name, module); }

  /** @internal Sets an own enumerable member, refusing names already used by something else. */
  protected defineMember(name: string, value: unknown, sameKind: (v: unknown) => boolean): void {
    const own = Object.getOwnPropertyDescriptor(this, name);
    if (own === undefined ? name in this : !(own.enumerable && 'value' in own && sameKind(own.value))) {
      throw new TypeError(`attribute '${name}' already exists`);
    }
    Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
  }

  /** @internal A registered buffer by name. */
  protected buffer(name: string): Tensor | null { return internalsOf(this).buffers.get(name) ?? null; }

  /** @internal This module's members (parameters, children, other fields) in registration order. */
  protected memberEntries(): [string, unknown][] { return Object.entries(this); }

  /** Direct submodules with their attribute names. */
  namedChildren(): [string, Module][] {
    return this.memberEntries().filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** Direct submodules. */
  children(): Module[] { return this.namedChildren().map(([, m]) => m); }

  /**
   * This module and every submodule, depth first, with dotted names ('' for this one, or
   * `prefix`). A module reached twice is listed once unless `removeDuplicate` is false.
   */
  namedModules(prefix = '', options: { removeDuplicate?: boolean } = {}): [string, Module][] {
    if (typeof prefix !== 'string') throw typeError('a string', 'prefix', prefix);
    const o = checkOptions(options, 'namedModules() options', ['removeDuplicate']);
    const removeDuplicate = o.removeDuplicate === undefined ? true : checkBool(o.removeDuplicate, 'removeDuplicate');
    const out: [string, Module][] = [];
    const memo = new Set<Module>();
    const visit = (module: Module, name: string) => {
      if (memo.has(module)) return;
      if (removeDuplicate) memo.add(module);
      out.push([name, module]);
      for (const [childName, child] of module.namedChildren()) visit(child, name ? `${name}.${childName}` : childName);
    };
    visit(this, prefix);
    return out;
  }

  /** This module and every submodule (each once). */
  modules(): Module[] { return this.namedModules().map(([, m]) => m); }

  /**
   * The submodule at a dotted path (`'encoder.layers.0'`; `''` is this module). Throws a
   * RangeError naming the part that does not exist, or a TypeError for a part that is not a module.
   */
  getSubmodule(target: string): Module {
    if (typeof target !== 'string') throw typeError('a string', 'target', target);
    if (target === '') return this;
    let mod: Module = this;
    for (const item of target.split('.')) {
      const next: unknown = (mod as unknown as Record<string, unknown>)[item];
      if (next === undefined || !(item in mod)) throw new RangeError(`${mod.constructor.name} has no attribute \`${item}\` (in getSubmodule('${target}'))`);
      if (!(next instanceof Module)) throw new TypeError(`\`${item}\` is not an nn.Module (in getSubmodule('${target}'))`);
      mod = next;
    }
    return mod;
  }

  /** This module's own parameters (not its children's), by attribute name. */
  private ownParameters(): [string, Parameter][] {
    return this.memberEntries().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /**
   * Every parameter with its state-dict name, in PyTorch's order (each once); with
   * `{ recurse: false }` only this module's own.
   * @example `for (const [name, p] of model.namedParameters()) console.log(name, p.shape);`
   */
  namedParameters(prefix = '', options: { recurse?: boolean } = {}): [string, Parameter][] {
    const recurse = checkBool(checkOptions(options, 'namedParameters() options', ['recurse']).recurse ?? true, 'recurse');
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [prefix_, module] of recurse ? this.namedModules(prefix) : [[prefix, this] as [string, Module]]) {
      for (const [name, p] of module.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix_ ? `${prefix_}.${name}` : name, p]);
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

  /** Every non-null buffer (persistent or not) with its dotted name, each once. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix_, module] of this.namedModules(prefix)) {
      for (const [name, b] of internalsOf(module).buffers) {
        if (b === null || seen.has(b)) continue;
        seen.add(b);
        out.push([prefix_ ? `${prefix_}.${name}` : name, b]);
      }
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
      const { buffers, nonPersistent } = internalsOf(module);
      for (const [name, b] of buffers) if (b !== null && !nonPersistent.has(name)) out[prefix + name] = keepVars ? b : b.detach();
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
    const own = new Map<string, Tensor>(Object.entries(this.stateDict({ keepVars: true })));
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
      if (setToNone) p.grad = null; // no gradient object is made only to be dropped
      else p.grad?.zero_();
    }
  }

  /** Calls `fn` on every submodule and then on this one, like PyTorch's `apply`. */
  apply(fn: (module: Module) => void): this {
    if (typeof fn !== 'function') throw typeError('a function', 'fn', fn);
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Sets `requiresGrad` on every parameter (freezing with `false`), as PyTorch's `requires_grad_`.
   * @example
   * ```ts
   * model.encoder.requiresGrad_(false);
   * ```
   */
  requiresGrad_(requiresGrad = true): this {
    checkBool(requiresGrad, 'requiresGrad');
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Casts floating-point parameters and buffers to float64, in place. */
  double(): this { return this.to('float64'); }
  /** Casts floating-point parameters and buffers to float32, in place. */
  float(): this { return this.to('float32'); }
  /** Casts floating-point parameters and buffers to float16, in place. */
  half(): this { return this.to('float16'); }
  /** Casts floating-point parameters and buffers to bfloat16, in place. */
  bfloat16(): this { return this.to('bfloat16'); }

  /** The text inside this module's parentheses in `toString()`, e.g. `1, 10, kernel_size=(5, 5)`. */
  extraRepr(): string { return ''; }

  /**
   * PyTorch's module printout, which `console.log(model)` shows too:
   * `Model(\n  (conv1): Conv2d(1, 10, kernel_size=(5, 5), stride=(1, 1))\n  …\n)`.
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = this.namedChildren().map(([name, m]) => `(${name}): ${addIndent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let main = `${this.constructor.name}(`;
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${main})`;
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

/** @internal PyTorch's `_addindent`: indents every line but the first (blank lines stay empty). */
export function addIndent(text: string, spaces: number): string {
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  const pad = ' '.repeat(spaces);
  return [lines[0], ...lines.slice(1).map((l) => (l.trim() ? pad + l : ''))].join('\n');
}

function checkMemberName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '' || name.includes('.')) throw typeError('a name without dots', 'name', name);
}
