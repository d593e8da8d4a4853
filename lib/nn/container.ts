/**
 * `nn.Sequential`, `nn.ModuleList`, `nn.ModuleDict`, `nn.ParameterList` and `nn.ParameterDict`.
 */
import { describe, typeError } from '../errors';
import { Tensor } from '../tensor';
import { Module, Parameter, addIndent } from './module';

function checkIndex(index: unknown, length: number, what: string, allowEnd = false): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) throw typeError('an integer', 'index', index);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i > length || (i === length && !allowEnd)) throw new RangeError(`${what} index ${index} is out of range for length ${length}`);
  return i;
}

function toParameter(value: unknown, name: string): Parameter {
  if (value instanceof Parameter) return value;
  if (value instanceof Tensor) return new Parameter(value);
  throw typeError('a Tensor or Parameter', name, value);
}

/** Entries of a plain object, a Map or an iterable of pairs, as ModuleDict/ParameterDict take them. */
function entriesOf<T>(source: unknown, name: string): [string, T][] {
  if (source === undefined || source === null) return [];
  if (source instanceof Map) return [...source.entries()] as [string, T][];
  if (typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return [...(source as Iterable<unknown>)].map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw typeError('a [key, value] pair', `${name}[${i}]`, pair);
      return pair as [string, T];
    });
  }
  if (typeof source === 'object') return Object.entries(source as Record<string, T>);
  throw typeError('an object, a Map or an iterable of [key, value] pairs', name, source);
}

/** PyTorch's `torch.typename` of a tensor (`torch.FloatTensor`). */
const TYPENAMES: Record<string, string> = {
  float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int',
  int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool', complex64: 'ComplexFloat', complex128: 'ComplexDouble',
};

function describeParameter(p: Tensor, typename: boolean): string {
  const device = p.device.startsWith('cuda') ? ` (${p.device})` : '';
  const type = typename ? `torch.${p.device.startsWith('cuda') ? 'cuda.' : ''}${TYPENAMES[p.dtype] ?? p.dtype}Tensor` : `torch.${p.dtype}`;
  return `${p instanceof Parameter ? 'Parameter' : 'Tensor'} containing: [${type} of size ${p.shape.join('x')}${device}]`;
}

function checkModules(modules: unknown[]): Module[] {
  modules.forEach((m, i) => { if (!(m instanceof Module)) throw typeError('a Module', `modules[${i}]`, m); });
  return modules as Module[];
}

/**
 * Runs modules in order; children are named `0`, `1`, … so state-dict keys are `0.weight`.
 * @example
 * ```ts
 * const net = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
 * Object.keys(net.stateDict()); // ['0.weight', '0.bias', '2.weight', '2.bias']
 * ```
 */
export class Sequential extends Module {
  [index: number]: Module;
  constructor(...modules: Module[]) {
    super();
    checkModules(modules).forEach((m, i) => { this[i] = m; });
  }
  /** Number of modules. */
  override get length(): number { return this.children().length; }
  forward(x: any): any {
    let out = x;
    for (const m of this.children()) out = m(out);
    return out;
  }
}

/**
 * Holds submodules in a list (named `0`, `1`, …) without a forward of its own. Its state-dict
 * keys are `layers.0.weight`, as in PyTorch.
 * @example
 * ```ts
 * class Net extends nn.Module {
 *   layers = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 2)]);
 *   forward(x) { for (const l of this.layers) x = l(x); return x; }
 * }
 * ```
 */
export class ModuleList extends Module {
  [index: number]: Module;
  constructor(modules: Iterable<Module> = []) {
    super();
    checkModules([...modules]).forEach((m, i) => { this[i] = m; });
  }
  /** Number of modules. */
  override get length(): number { return this.children().length; }
  /** The module at `index` (negative counts from the end). */
  get(index: number): Module { return this[checkIndex(index, this.length, 'ModuleList')]; }
  /** Replaces the module at `index` (negative counts from the end). */
  set(index: number, module: Module): this {
    checkModules([module]);
    this[checkIndex(index, this.length, 'ModuleList')] = module;
    return this;
  }
  /** Appends a module. */
  append(module: Module): this {
    checkModules([module]);
    this[this.length] = module;
    return this;
  }
  /** Appends every module of an iterable. */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)?.[Symbol.iterator] !== 'function') throw typeError('an iterable of Modules', 'modules', modules);
    for (const m of checkModules([...modules])) this.append(m);
    return this;
  }
  /** Inserts a module before `index`, as Python's `list.insert`. */
  insert(index: number, module: Module): this {
    checkModules([module]);
    const n = this.length;
    if (typeof index !== 'number' || !Number.isInteger(index)) throw typeError('an integer', 'index', index);
    const at = Math.min(Math.max(index < 0 ? index + n : index, 0), n);
    for (let i = n; i > at; i--) this[i] = this[i - 1];
    this[at] = module;
    return this;
  }
  /** Removes and returns the module at `index` (default the last), renumbering the rest. */
  pop(index = -1): Module {
    const n = this.length;
    const at = checkIndex(index, n, 'ModuleList');
    const removed = this[at];
    for (let i = at; i < n - 1; i++) this[i] = this[i + 1];
    delete this[n - 1];
    return removed;
  }
  /** The modules in order, as `for (const m of list)`. */
  [Symbol.iterator](): Iterator<Module> { return this.children()[Symbol.iterator](); }
  forward(): never { throw new TypeError('ModuleList has no forward(); iterate over it instead'); }

  /** PyTorch's ModuleList printout, which folds repeats: `(0-2): 3 x Linear(...)`. */
  override toString(): string {
    const reprs = this.children().map((m) => m.toString());
    if (reprs.length === 0) return `${this.constructor.name}()`;
    const blocks: [number, number, string][] = [];
    reprs.forEach((r, i) => {
      const last = blocks[blocks.length - 1];
      if (last !== undefined && last[2] === r) last[1] = i;
      else blocks.push([i, i, r]);
    });
    const lines = blocks.map(([a, b, r]) => addIndent(a === b ? `(${a}): ${r}` : `(${a}-${b}): ${b - a + 1} x ${r}`, 2));
    return `${this.constructor.name}(\n  ${lines.join('\n  ')}\n)`;
  }
}

// The key order of a ModuleDict / ParameterDict (own properties would put integer-like keys first).
const dictKeys = new WeakMap<Module, string[]>();
function keysOf(dict: Module): string[] {
  let keys = dictKeys.get(dict);
  if (keys === undefined) dictKeys.set(dict, keys = []);
  return keys;
}

/** What ModuleDict and ParameterDict share: entries by key, in insertion order, as PyTorch's. */
abstract class KeyedModule<V, In> extends Module {
  protected abstract readonly what: string;
  protected override memberEntries(): [string, unknown][] {
    return keysOf(this).map((k) => [k, (this as unknown as Record<string, unknown>)[k]]);
  }
  /** Number of entries. */
  override get length(): number { return keysOf(this).length; }
  /** Whether `key` is present. */
  has(key: string): boolean { return keysOf(this).includes(key); }
  /** The entry under `key`, or undefined. */
  get(key: string): V | undefined { return this.has(key) ? (this as unknown as Record<string, V>)[key] : undefined; }
  /** Adds or replaces the entry under `key` (a replaced key keeps its position). */
  abstract set(key: string, value: In): this;
  /** Removes `key`; whether it was there. */
  delete(key: string): boolean {
    const keys = keysOf(this);
    const i = keys.indexOf(key);
    if (i < 0) return false;
    keys.splice(i, 1);
    delete (this as unknown as Record<string, unknown>)[key];
    return true;
  }
  /** Removes and returns the entry under `key` (a RangeError if absent), as PyTorch's `pop`. */
  pop(key: string): V {
    const v = this.get(key);
    if (v === undefined) throw new RangeError(`${this.what} has no key ${describe(key)}`);
    this.delete(key);
    return v;
  }
  /** Removes every entry. */
  clear(): void { for (const k of [...keysOf(this)]) this.delete(k); }
  /** Keys in insertion order. */
  keys(): string[] { return [...keysOf(this)]; }
  /** Entries' values in insertion order. */
  values(): V[] { return this.items().map(([, v]) => v); }
  /** `[key, value]` pairs in insertion order. */
  items(): [string, V][] { return this.memberEntries() as [string, V][]; }
  /** Adds or replaces entries from an object, a Map, a dict of the same kind or `[key, value]` pairs. */
  update(source?: Record<string, In> | Map<string, In> | Iterable<[string, In]> | KeyedModule<V, In>): this {
    const entries = source instanceof KeyedModule ? (source.items() as unknown as [string, In][]) : entriesOf<In>(source, 'values');
    for (const [k, v] of entries) this.set(k, v);
    return this;
  }
  /** Iterates over the keys, as PyTorch does. */
  [Symbol.iterator](): Iterator<string> { return this.keys()[Symbol.iterator](); }
  forward(): never { throw new TypeError(`${this.what} has no forward(); get an entry from it instead`); }
}

/**
 * Holds submodules by name, in insertion order, like `nn.ModuleDict`; state-dict keys are
 * `dict.key.weight`. A key may not shadow a method or other attribute (`keys`, `training`).
 * @example
 * ```ts
 * const heads = new nn.ModuleDict({ cls: new nn.Linear(8, 3), box: new nn.Linear(8, 4) });
 * heads.get('cls');
 * ```
 */
export class ModuleDict extends KeyedModule<Module, Module> {
  protected readonly what = 'ModuleDict';
  constructor(modules?: Record<string, Module> | Map<string, Module> | Iterable<[string, Module]>) {
    super();
    this.update(modules);
  }
  /** Adds or replaces the module under `key` (a replaced key keeps its position). */
  set(key: string, module: Module): this {
    if (!(module instanceof Module)) throw typeError('a Module', `modules[${describe(key)}]`, module);
    this.registerModule(key, module);
    if (!this.has(key)) keysOf(this).push(key);
    return this;
  }
}

/**
 * Holds parameters in a list (named `0`, `1`, …); a plain Tensor added is wrapped in a
 * Parameter, as in PyTorch. State-dict keys are `plist.0`.
 * @example
 * ```ts
 * const weights = new nn.ParameterList([torch.randn(3, 3), torch.randn(3)]);
 * ```
 */
export class ParameterList extends Module {
  [index: number]: Parameter;
  constructor(values: Iterable<Tensor> = []) {
    super();
    this.extend(values);
  }
  /** Number of parameters. */
  override get length(): number { return this.memberEntries().filter(([, v]) => v instanceof Parameter).length; }
  /** The parameter at `index` (negative counts from the end). */
  get(index: number): Parameter { return this[checkIndex(index, this.length, 'ParameterList')]; }
  /** Replaces the parameter at `index`. */
  set(index: number, value: Tensor): this {
    this[checkIndex(index, this.length, 'ParameterList')] = toParameter(value, 'value');
    return this;
  }
  /** Appends a parameter (a Tensor is wrapped). */
  append(value: Tensor): this {
    this[this.length] = toParameter(value, 'value');
    return this;
  }
  /** Appends every tensor of an iterable. */
  extend(values: Iterable<Tensor>): this {
    if (values === null || typeof (values as Iterable<Tensor>)?.[Symbol.iterator] !== 'function') throw typeError('an iterable of Tensors', 'values', values);
    for (const v of [...values]) this.append(v);
    return this;
  }
  /** The parameters in order, as `for (const p of list)`. */
  [Symbol.iterator](): Iterator<Parameter> {
    return (this.memberEntries().filter(([, v]) => v instanceof Parameter).map(([, v]) => v) as Parameter[])[Symbol.iterator]();
  }
  forward(): never { throw new TypeError('ParameterList has no forward(); iterate over it instead'); }
  override extraRepr(): string {
    return [...this].map((p, i) => `  (${i}): ${describeParameter(p, false)}`).join('\n');
  }
}

/**
 * Holds parameters by name, in insertion order, like `nn.ParameterDict`; state-dict keys are
 * `pdict.key`. A plain Tensor is wrapped in a Parameter.
 * @example
 * ```ts
 * const scales = new nn.ParameterDict({ a: torch.ones([2]), b: torch.zeros([2]) });
 * ```
 */
export class ParameterDict extends KeyedModule<Parameter, Tensor> {
  protected readonly what = 'ParameterDict';
  constructor(values?: Record<string, Tensor> | Map<string, Tensor> | Iterable<[string, Tensor]>) {
    super();
    this.update(values);
  }
  /** Adds or replaces the parameter under `key` (a Tensor is wrapped). */
  set(key: string, value: Tensor): this {
    this.registerParameter(key, toParameter(value, `values[${describe(key)}]`));
    if (!this.has(key)) keysOf(this).push(key);
    return this;
  }
  override extraRepr(): string {
    return this.items().map(([k, p]) => `  (${k}): ${describeParameter(p, true)}`).join('\n');
  }
}
