/**
 * Grad mode: `torch.noGrad`, `torch.enableGrad`, `torch.isGradEnabled`, `torch.setGradEnabled`.
 */
import { native as N } from './binding';
import { typeError } from './errors';
import { checkBool } from './validate';

/** @internal */
export function isThenable(value: unknown): boolean {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * What `torch.noGrad()` and `torch.enableGrad()` return without a function: the grad mode stays
 * set until the guard is disposed, which restores the mode that was there before. Made for TS's
 * `using`, which disposes it when the block ends, normally or by a throw.
 */
export interface GradModeGuard {
  /** Restores the previous grad mode. Idempotent. */
  [Symbol.dispose](): void;
}

/** @internal `Symbol.dispose`, or Node's name for it where the runtime predates it. */
export const disposeSymbol: typeof Symbol.dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');

function gradModeGuard(enabled: boolean): GradModeGuard {
  const previous = N.setGradEnabled(enabled);
  let open = true;
  return {
    [disposeSymbol]() {
      if (open) N.setGradEnabled(previous);
      open = false;
    },
  } as GradModeGuard;
}

function withGradMode<T>(enabled: boolean, fn: (() => T) | undefined): T | GradModeGuard {
  if (fn === undefined) return gradModeGuard(enabled);
  if (typeof fn !== 'function') throw typeError('a function', 'fn', fn);
  return runGuarded(gradModeGuard(enabled), fn);
}

/**
 * @internal Runs `fn` inside `guard`: disposed when `fn` returns or throws, or, for an async
 * function, when its promise settles (the state holds through every await).
 */
export function runGuarded<T>(guard: { [Symbol.dispose](): void }, fn: () => T): T {
  let result: T;
  try {
    result = fn();
  } catch (e) {
    guard[disposeSymbol]();
    throw e;
  }
  if (!isThenable(result)) {
    guard[disposeSymbol]();
    return result;
  }
  return Promise.resolve(result).finally(() => guard[disposeSymbol]()) as T;
}

/**
 * Autograd off, like Python's `with torch.no_grad():`. Three forms:
 * - `torch.noGrad(() => …)` runs the function and returns its result;
 * - `await torch.noGrad(async () => …)` keeps autograd off until the promise settles;
 * - `using _ = torch.noGrad();` keeps it off until the block ends.
 * Each restores the previous mode at the end, also when the code throws.
 *
 * Like PyTorch's, the mode belongs to the thread, not to the async function: other code that
 * runs while an async region awaits sees autograd off too. `torch.train` and `torch.evaluate`
 * set the mode for each of their own steps, so they are not affected.
 * @example
 * ```ts
 * const logits = torch.noGrad(() => model(x));
 * await torch.noGrad(async () => { for await (const [x, y] of testLoader) correct += … });
 * {
 *   using _ = torch.noGrad();
 *   output = model(data);
 * }
 * ```
 */
export function noGrad(): GradModeGuard;
export function noGrad<T>(fn: () => T): T;
export function noGrad<T>(fn?: () => T): T | GradModeGuard { return withGradMode(false, fn); }

/**
 * Autograd on, inside a `noGrad` region; the same three forms as {@link noGrad}.
 * @example
 * ```ts
 * torch.noGrad(() => { const y = torch.enableGrad(() => x.mul(2)); });
 * ```
 */
export function enableGrad(): GradModeGuard;
export function enableGrad<T>(fn: () => T): T;
export function enableGrad<T>(fn?: () => T): T | GradModeGuard { return withGradMode(true, fn); }

/** Whether autograd records operations now. */
export function isGradEnabled(): boolean { return N.isGradEnabled(); }

/** Turns autograd on or off until changed again; returns the previous mode. */
export function setGradEnabled(enabled: boolean): boolean { return N.setGradEnabled(checkBool(enabled, 'enabled')); }
