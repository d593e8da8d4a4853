/**
 * `torch.jit.ScriptModule`: a TorchScript module loaded from a file, as an `nn.Module` whose
 * parameters, buffers and submodules are the C++ module's own.
 */
import { native as N } from '../binding';
import { atCallSite } from '../call-site';
import { TorchError, typeError } from '../errors';
import { keep } from '../memory';
import { Module, Parameter } from '../nn/module';
import { Tensor } from '../tensor';
import { checkBool } from '../validate';

/** @internal The addon's handle on a TorchScript module (native/bindings/jit.cc). */
export type ScriptHandle = unknown;

/** @internal What native `jitInfo` reports about one module. */
export interface ScriptInfo {
  typeName: string;
  training: boolean;
  methods: string[];
  parameters: [string, Tensor, number][];
  buffers: [string, Tensor, number][];
  children: [string, ScriptHandle][];
}

interface State {
  handle: ScriptHandle;
  typeName: string;
  methods: string[];
  /** Parameters then children, in the C++ module's slot order (what memberEntries() reports). */
  members: [string, unknown][];
  building: boolean;
}
const states = new WeakMap<ScriptModule, State>();
const CREATE = Symbol('ScriptModule');

function stateOf(module: ScriptModule): State {
  const s = states.get(module);
  if (s === undefined) throw typeError('a ScriptModule', 'this', module);
  return s;
}

/**
 * An `nn.Parameter` that is the script's tensor itself (the same TensorImpl, not a copy or a
 * detached alias): gradients computed through the script land on it, and optimizer steps,
 * `loadStateDict` and `to()` change what the script computes with.
 */
function aliasParameter(t: Tensor): Parameter {
  N.prepareAlias(t);
  // Tensor's constructor adopts the prepared tensor; Parameter's own would detach it.
  return keep(Reflect.construct(Tensor, [], Parameter) as Parameter);
}

/** The one place a tensor of the module tree becomes a JS object: one per TensorImpl. */
class Identities {
  private readonly made = new Map<number, Tensor>();
  get<T extends Tensor>(t: Tensor, id: number, make: (t: Tensor) => T): T {
    const found = this.made.get(id);
    if (found !== undefined) return found as T;
    const made = make(t);
    this.made.set(id, made);
    return made;
  }
}

/**
 * A TorchScript module (traced or scripted in Python, saved with `torch.jit.save`), loaded by
 * {@link load}. It is an `nn.Module`:
 *
 * - `module(x)` / `forward(x)` runs the script's `forward`; `runMethod('name', ...)` any other
 *   method (`@torch.jit.export`); `forwardAsync(...)` runs `forward` on the thread pool.
 * - `parameters()`, `namedParameters()`, `buffers()`, `namedChildren()`, `stateDict()` (PyTorch's
 *   keys, e.g. `conv1.weight`), `loadStateDict()`, `to()`, `train()`/`eval()` and `zeroGrad()` act
 *   on the script's own tensors and flags, so `new optim.SGD(module.parameters())` trains it.
 *   Parameters, buffers and submodules are also readable as properties (`module.conv1.weight`)
 *   where the name is free.
 *
 * Arguments are converted by the types the method declares: a `Tensor`, `int` and `float`
 * (numbers; an `int` needs a whole number or a bigint), `bool`, `str`, `Optional[T]` (`null` or
 * `undefined` for None), `List[T]` and `Tuple[...]` (arrays; a NamedTuple also as an object of its
 * fields), `Dict[str, T]` (a plain object or a Map), `Dict[int, T]` and other keys (a Map, or an
 * object with integer keys), `Device` (a string). Trailing arguments left out take their defaults.
 * Results come back as Tensors, numbers (an `int` beyond ±2^53 as a bigint), booleans, strings,
 * `null`, arrays (lists and tuples, NamedTuples included), plain objects (dicts with `str` keys;
 * JavaScript lists integer-like keys first) and Maps (dicts with any other key type).
 *
 * Unlike Python, the module's set of attributes is fixed by its TorchScript type:
 * `registerParameter`, `registerBuffer` and `registerModule` throw.
 *
 * @example
 * ```ts
 * const model = torch.jit.load('model.pt');        // torch.jit.save(torch.jit.script(m), 'model.pt') in Python
 * model.eval();
 * const logits = torch.noGrad(() => model(x));
 * const z = model.runMethod('encode', x);
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
 * ```
 */
export class ScriptModule extends Module {
  /** @internal Made by `torch.jit.load` (and for each submodule), never by user code. */
  constructor(token: symbol, handle: ScriptHandle, identities: unknown) {
    if (token !== CREATE || !(identities instanceof Identities)) {
      throw new TypeError('ScriptModules are made by torch.jit.load(), not by new ScriptModule()');
    }
    super();
    const info = N.jitInfo(handle);
    const state: State = { handle, typeName: info.typeName, methods: info.methods, members: [], building: true };
    states.set(this, state);
    // `training` is the C++ module's attribute: nn.Module's train()/eval() set it on each module.
    Object.defineProperty(this, 'training', {
      get: () => N.jitTraining(handle),
      set: (mode: boolean) => N.jitSetTraining(handle, checkBool(mode, 'training')),
      enumerable: false,
      configurable: true,
    });
    const expose = (name: string, value: unknown) => {
      if (name in this) return;
      Object.defineProperty(this, name, { get: () => value, enumerable: false, configurable: true });
    };
    for (const [name, t, id] of info.parameters) {
      const p = identities.get(t, id, aliasParameter);
      state.members.push([name, p]);
      expose(name, p);
    }
    for (const [name, t, id] of info.buffers) {
      const b = identities.get(t, id, (x) => keep(x));
      if (name in this) {
        throw new TorchError(`the TorchScript module ${info.typeName} has a buffer named '${name}', which nodetorch's nn.Module uses; rename it in Python`, 'JIT_UNSUPPORTED');
      }
      super.registerBuffer(name, b);
    }
    for (const [name, childHandle] of info.children) {
      const child = new ScriptModule(CREATE, childHandle, identities);
      state.members.push([name, child]);
      expose(name, child);
    }
    state.building = false;
  }

  /** @internal Makes the module tree of a loaded handle. */
  static fromHandle(handle: ScriptHandle): ScriptModule {
    return new ScriptModule(CREATE, handle, new Identities());
  }

  /** @internal The addon's handle, for torch.jit.save and runAsync. */
  static handleOf(module: ScriptModule): ScriptHandle { return stateOf(module).handle; }

  /** @internal Parameters and submodules in the script's slot order (names need not be free properties). */
  protected override memberEntries(): [string, unknown][] { return stateOf(this).members.slice(); }

  /**
   * Runs the script's `forward` on this thread, recording autograd when grad mode is on (so
   * training works through it). Call the module itself, `module(x)`, to run forward hooks too.
   * @example
   * ```ts
   * const out = model.forward(x);   // or model(x)
   * ```
   */
  forward(...inputs: unknown[]): any { return N.jitRun(stateOf(this).handle, 'forward', inputs); }

  /**
   * Runs the script's method `name` (`forward` or one exported with `@torch.jit.export`), like
   * `getattr(module, name)(*args)` in Python. A name the module lacks is a TorchError
   * (`JIT_NO_METHOD`) listing those it has.
   * @example
   * ```ts
   * const z = model.runMethod('encode', x);
   * const y = model.runMethod('decode', z);
   * ```
   */
  runMethod(name: string, ...args: unknown[]): any {
    if (typeof name !== 'string') throw typeError('a method name', 'name', name);
    return N.jitRun(stateOf(this).handle, name, args);
  }

  /**
   * Runs `forward` on the libuv thread pool and resolves with its result, leaving the event loop
   * free; see {@link runAsync} for the rules (no autograd; inputs held until the call ends).
   * Forward hooks do not run.
   * @example
   * ```ts
   * const out = await model.forwardAsync(x);
   * const outs = await Promise.all(batches.map((b) => model.forwardAsync(b)));
   * ```
   */
  forwardAsync(...inputs: unknown[]): Promise<any> { return runMethodAsync(this, 'forward', inputs); }

  /**
   * The names of the script's methods: `forward` and those exported with `@torch.jit.export`
   * (Python's private `_method_names()`).
   * @example
   * ```ts
   * model.methodNames(); // ['forward', 'encode', 'decode']
   * ```
   */
  methodNames(): string[] { return stateOf(this).methods.slice(); }

  /**
   * The TorchScript schema of a method, e.g. `forward(__torch__.Net self, Tensor x) -> Tensor`.
   * @example
   * ```ts
   * console.log(model.schema('forward'));
   * ```
   */
  schema(name = 'forward'): string {
    if (typeof name !== 'string') throw typeError('a method name', 'name', name);
    return N.jitSchema(stateOf(this).handle, name);
  }

  /** The TorchScript class name of the module (Python's `original_name`), e.g. `'Conv2d'`. */
  get originalName(): string { return stateOf(this).typeName; }

  /** @internal Python prints `original_name=…` inside the parentheses. */
  override extraRepr(): string { return `original_name=${stateOf(this).typeName}`; }

  /**
   * Python's `repr(script_module)`:
   * `RecursiveScriptModule(\n  original_name=Net\n  (conv1): RecursiveScriptModule(original_name=Conv2d)\n)`.
   */
  override toString(): string { return super.toString().replace(/^ScriptModule\(/, 'RecursiveScriptModule('); }

  /** Refused: a ScriptModule's attributes are those of its TorchScript type. */
  override registerParameter(name: string, _param: Parameter | null): void { refuseNewMember(this, name); }
  /** Refused: a ScriptModule's attributes are those of its TorchScript type. */
  override registerModule(name: string, _module: Module | null): void { refuseNewMember(this, name); }
  /** Refused: a ScriptModule's attributes are those of its TorchScript type. */
  override registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    if (stateOf(this).building) {
      super.registerBuffer(name, tensor, options);
      return;
    }
    refuseNewMember(this, name);
  }
}

function refuseNewMember(module: ScriptModule, name: string): never {
  throw new TorchError(`can't add '${name}' to a ScriptModule (${stateOf(module).typeName}): its attributes are fixed by its TorchScript type`, 'JIT_UNSUPPORTED');
}

/**
 * @internal A method call on the thread pool; conversion errors reject too. The error's stack is
 * the caller's, not the thread pool's completion callback.
 */
export function runMethodAsync(module: ScriptModule, method: string, args: unknown[]): Promise<any> {
  return atCallSite(() => {
    if (!(module instanceof ScriptModule)) throw typeError('a ScriptModule', 'module', module);
    if (typeof method !== 'string') throw typeError('a method name', 'method', method);
    return N.jitRunAsync(stateOf(module).handle, method, args);
  });
}
