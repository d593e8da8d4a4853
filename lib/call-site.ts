/**
 * @internal Errors of work that finishes on another thread carry the stack of the call that
 * started it: `atCallSite` captures the site before the call and puts it on the rejection, so the
 * stack points at user code rather than at the thread pool's completion callback. A synchronous
 * throw from `start` (argument checks) becomes a rejection too.
 */
export function atCallSite<R>(start: () => Promise<R>): Promise<R> {
  const site = new Error();
  const rethrow = (e: unknown): never => {
    if (e instanceof Error && site.stack !== undefined) {
      e.stack = `${e.name}: ${e.message}\n${site.stack.split('\n').slice(1).join('\n')}`;
    }
    throw e;
  };
  try {
    return start().catch(rethrow);
  } catch (e) {
    return Promise.reject(e);
  }
}
