/**
 * Hostile arrays given to every public `torch.nn.functional` function, in a child process with a
 * small heap (test/reliability-api.test.ts, issue 12 follow-up):
 *   node --max-old-space-size=192 --import tsx test/helpers/functional-hostile-child.ts
 * Each function is called with each hostile array in each of its first five argument positions
 * (tensors elsewhere), and `torch.broadcastShapes` with each; prints one JSON line per call: the function, the position, the array, the
 * error it threw (class, message length and the first 300 characters, or null) and the
 * milliseconds it took. A call that hangs or exhausts the heap shows as the lines missing after it.
 */
import * as torch from '../../lib';

const cyclic = (): unknown[] => {
  const a: unknown[] = [1];
  a.push(a);
  return a;
};

const HOSTILE: Record<string, () => unknown> = {
  'sparse 1e8': () => new Array(1e8),
  'sparse 2^32-1': () => new Array(2 ** 32 - 1),
  'sparse 1e8 starting 1': () => { const a = new Array(1e8); a[0] = 1; return a; },
  cyclic,
};

/** Calls `f(...args)` and prints the line for it. */
function report(fname: string, position: number, kind: string, f: unknown, args: unknown[]): void {
  const start = performance.now();
  let error: { class: string; length: number; message: string } | null = null;
  try {
    (f as (...a: unknown[]) => unknown)(...args);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    error = { class: (e as Error).constructor?.name ?? typeof e, length: message.length, message: message.slice(0, 300) };
  }
  console.log(JSON.stringify({ fname, position, kind, error, ms: Math.round(performance.now() - start) }));
}

const x = torch.randn([2, 3, 4, 4]);
const F = torch.nn.functional as unknown as Record<string, unknown>;
for (const [fname, f] of Object.entries(F)) {
  if (typeof f !== 'function') continue;
  for (let position = 0; position < 5; position++) {
    for (const [kind, make] of Object.entries(HOSTILE)) {
      const args: unknown[] = [x, x, x, x, x];
      args[position] = make();
      report(fname, position, kind, f, args);
    }
  }
}
// The same check outside torch.nn.functional (position -1 marks these).
for (const [kind, make] of Object.entries(HOSTILE)) report('torch.broadcastShapes', -1, kind, torch.broadcastShapes, [[2], make()]);
console.log(JSON.stringify({ done: true }));
