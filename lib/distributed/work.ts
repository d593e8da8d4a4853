/**
 * `torch.distributed.Work`: a collective or point-to-point call in flight, what the `async: true`
 * forms return. `wait()` resolves once it is done (or rejects with its `TorchError`: a peer gone,
 * the group's timeout passed) and never blocks the event loop.
 */
import { native as N } from '../binding';
import { atCallSite } from '../call-site';

const CREATE = Symbol('Work');

/**
 * A collective in flight, as Python's `Work` (`async_op=True`).
 *
 * @example
 * ```ts
 * const work = dist.allReduce(grad, { async: true });
 * // … other work while Gloo's threads reduce …
 * await work.wait();
 * ```
 */
export class Work {
  readonly #handle: unknown;

  /** @internal */
  constructor(key: symbol, handle: unknown) {
    if (key !== CREATE) throw new TypeError('Work objects come from the async forms of torch.distributed calls');
    this.#handle = handle;
  }

  /** @internal */
  static from(handle: unknown): Work { return new Work(CREATE, handle); }

  /**
   * Resolves to `true` once the call has completed (Python's `work.wait()` returns True), waiting
   * on the thread pool.
   *
   * @example `await dist.broadcast(t, 0, { async: true }).wait();`
   */
  wait(): Promise<true> {
    return atCallSite(() => N.distWaitAsync(this.#handle).then(() => true as const));
  }

  /**
   * Whether the call has finished (successfully or not), without waiting.
   *
   * @example `while (!work.isCompleted()) await new Promise((r) => setTimeout(r, 1));`
   */
  isCompleted(): boolean { return N.distIsCompleted(this.#handle); }

  /**
   * The rank a finished receive got its tensor from (for `recv` from any source).
   *
   * @example
   * ```ts
   * const w = dist.recv(t, undefined, { async: true }); await w.wait(); w.sourceRank();
   * ```
   */
  sourceRank(): number { return N.distSourceRank(this.#handle); }

  /** @internal Blocks this thread until done: the synchronous forms. */
  waitSync(): void { N.distWait(this.#handle); }
}
