/**
 * Hostile inputs to the tensor API that once hung the process or grew it until V8 died, run in a
 * child process with a small heap (test/reliability-api.test.ts):
 *   node --max-old-space-size=192 --import tsx test/helpers/api-hostile-child.ts
 * Runs every case in turn and prints one JSON line per case: its name, the error it threw (class
 * and message, or null) and the milliseconds it took. A case that hangs or exhausts the heap
 * shows as the child's exit status and the lines missing after it.
 */
import * as torch from '../../lib';

const cyclic = (): unknown[] => {
  const a: unknown[] = [];
  a[0] = a;
  return a;
};

/** `[x, x]` nested `depth` times over `[1, 1]`: 2^(depth+1) elements in a few dozen arrays. */
const shared = (depth: number): unknown[] => {
  let x: unknown[] = [1, 1];
  for (let i = 0; i < depth; i++) x = [x, x];
  return x;
};

const deep = (depth: number): unknown[] => {
  let x: unknown[] = [1];
  for (let i = 1; i < depth; i++) x = [x];
  return x;
};

const CASES: Record<string, () => unknown> = {
  'tensor(cyclic)': () => torch.tensor(cyclic() as never),
  'tensor(cyclic inside a row)': () => {
    const a: unknown[] = [[1, 2], [3, 4]];
    (a[1] as unknown[])[1] = a;
    return torch.tensor(a as never);
  },
  'tensor(129 levels)': () => torch.tensor(deep(129) as never),
  'tensor(shared sub-arrays, 2^41 elements)': () => torch.tensor(shared(40) as never),
  'tensor(sparse 1e8)': () => torch.tensor(new Array(1e8) as never),
  'zeros(new Array(1e8))': () => torch.zeros(new Array(1e8) as never),
  'randn(2).view(new Array(1e8))': () => torch.randn(2).view(new Array(1e8) as never),
  'randn(2).add(a 1e7-character string)': () => torch.randn(2).add('x'.repeat(1e7) as never),
  'zeros(a 2^24-bit bigint)': () => torch.zeros((1n << (1n << 24n)) as never),
};

for (const [name, run] of Object.entries(CASES)) {
  const start = performance.now();
  let error: { class: string; message: string } | null = null;
  try {
    run();
  } catch (e) {
    error = { class: (e as Error).constructor.name, message: (e as Error).message };
  }
  console.log(JSON.stringify({ name, error, ms: Math.round(performance.now() - start) }));
}
