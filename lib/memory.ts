/**
 * Eager release: `torch.tidy`, `torch.keep`, `torch.memory`. Without them, tensors are freed by
 * the garbage collector, inside synchronous loops too.
 */
import { native as N } from './binding';
import { isThenable } from './autograd';
import { typeError } from './errors';
import type { Tensor } from './tensor';
import { HANDLE, isTensor, type Handled } from './tensor-object';

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
  // Native code lists the tensors made while the scope is innermost, and disposes them when it
  // closes: no call between JS and native code per tensor.
  N.scopeOpen();
  let kept: Int32Array | null = null; // stays null if fn throws: what it made is left to the collector
  try {
    const result = fn();
    if (isThenable(result)) throw new TypeError('Expected a synchronous function for tidy but received an async one');
    kept = handlesIn(result);
    return result;
  } finally {
    N.scopeClose(kept);
  }
}

/** The slot numbers of the tensors reachable from `value` (see `collectTensors`). */
function handlesIn(value: unknown): Int32Array {
  const tensors = new Set<Tensor>();
  collectTensors(value, tensors, new Set());
  const handles = new Int32Array(tensors.size);
  let i = 0;
  for (const t of tensors) handles[i++] = (t as unknown as Handled)[HANDLE];
  return handles;
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
  N.keep(t);
  return t;
}

/** Live tensors and the bytes of storage they hold (views count their storage). */
export function memory(): { tensors: number; bytes: number } { return N.memory(); }
