/**
 * `nn.Sequential` and `nn.ModuleList`.
 */
import { typeError } from '../errors';
import { Module } from './module';

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
 * Holds submodules in a list (named `0`, `1`, …) without a forward of its own.
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
  constructor(modules: Module[] = []) {
    super();
    checkModules(modules).forEach((m, i) => { this[i] = m; });
  }
  /** Number of modules. */
  override get length(): number { return this.children().length; }
  /** Appends a module. */
  append(module: Module): this {
    checkModules([module]);
    this[this.length] = module;
    return this;
  }
  [Symbol.iterator](): Iterator<Module> { return this.children()[Symbol.iterator](); }
  forward(): never { throw new TypeError('ModuleList has no forward(); iterate over it instead'); }
}
