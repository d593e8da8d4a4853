/**
 * Eager release: `torch.tidy`, `torch.keep`, `torch.memory`. Without them, tensors are freed by
 * the garbage collector, inside synchronous loops too.
 */
import { native as N } from './binding';
import { isThenable } from './autograd';
import { typeError } from './errors';
import type { Tensor } from './tensor';
import { isTensor } from './tensor-object';


const scopes: Set<Tensor>[] = [];

/**
 * @internal Every new tensor joins the innermost tidy() scope, if any. Native code calls it for
 * the tensors it makes while a scope is open (N.setTrack).
 */
export function track(t: Tensor): void {
  const scope = scopes[scopes.length - 1];
  if (scope !== undefined) scope.add(t);
}

function collectTensors(value: unknown, out: Set<Tensor>, seen: Set<unknown>): void {
  if (isTensor(value)) { out.add(value); return; }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) { for (const v of value.values()) collectTensors(v, out, seen); return; }
  if (Array.isArray(value)) { for (const v of value) collectTensors(v, out, seen); return; }
  if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collectTensors(v, out, seen);
}

/**
 * Runs `fn` and disposes every tensor made inside it, except the tensors it returns (alone, in
 * an array, a Map or a plain object) and those passed to `keep()`.
 * @example
 * ```ts
 * const loss = torch.tidy(() => criterion(model(x), y)); // intermediates freed now, not at the next GC
 * ```
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw typeError('a function', 'fn', fn);
  const scope = new Set<Tensor>();
  if (scopes.push(scope) === 1) N.setTrack(track);
  let result: T;
  try {
    result = fn();
    if (isThenable(result)) throw new TypeError('Expected a synchronous function for tidy but received an async one');
  } finally {
    scopes.pop();
    if (scopes.length === 0) N.setTrack(null);
  }
  const kept = new Set<Tensor>();
  collectTensors(result, kept, new Set());
  const outer = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t) || keptForever.has(t)) {
      if (outer !== undefined && !keptForever.has(t)) outer.add(t);
    } else {
      t.dispose();
    }
  }
  return result;
}

const keptForever = new WeakSet<Tensor>();

/**
 * @internal Disposes `tensors`, made outside a step but for it alone (a DataLoader's batch),
 * except those reachable from `held` or passed to `keep()`: what the step's `tidy()` does to
 * what it makes.
 */
export function disposeUnlessHeld(tensors: readonly Tensor[], held: unknown): void {
  const kept = new Set<Tensor>();
  collectTensors(held, kept, new Set());
  for (const t of tensors) if (!kept.has(t) && !keptForever.has(t)) t.dispose();
}

/** Exempts `t` from every enclosing `tidy()` scope; returns it. */
export function keep<T extends Tensor>(t: T): T {
  if (!isTensor(t)) throw typeError('a Tensor', 'tensor', t);
  keptForever.add(t);
  return t;
}

/** Live tensors and the bytes of storage they hold (views count their storage). */
export function memory(): { tensors: number; bytes: number } { return N.memory(); }
