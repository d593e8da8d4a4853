/**
 * `npm run bench:ops`: where the time of one small op goes, next to Python in the same run.
 *
 * Each line times 500,000 calls on 4-element float32 tensors (one intra-op thread), min of
 * `--repeat` rounds (default 5), freeing included (results are dropped and collected in the loop,
 * as in Python):
 *
 *   native property   N.dim(a)                a native call that makes no tensor: the N-API floor
 *   native detach     N.detach(a)             a native call that wraps one new tensor (no op to speak of)
 *   boxed op          N.callOp(add, out, a, b) the generated path without its JS overload matching
 *   a.add(b)          the public method        what users call
 *   torch.add(a, b)   the public function
 *
 * and the same add and detach in Python PyTorch.
 */
import { spawnSync } from 'child_process';
import * as torch from '../lib';
import { native as N } from '../lib/binding';
import { rowsOf } from '../lib/dispatch';
import { R } from '../lib/generated/internal';
import { TensorObject } from '../lib/tensor-object';

const repeat = Number(process.argv.find((a) => a.startsWith('--repeat='))?.split('=')[1] ?? 5);
const n = 500_000;

function time(f: () => unknown): number {
  for (let i = 0; i < 50_000; i++) f();
  let best = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n / 1000);
  }
  return best;
}

function python(): Record<string, number> {
  const src = `
import json, time, torch
torch.set_num_threads(1)
a, b = torch.randn(4), torch.randn(4)
def t(f, n=${n}, repeat=${repeat}):
    for _ in range(50000): f()
    best = float('inf')
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n): f()
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    return best
print(json.dumps({'add': t(lambda: a.add(b)), 'detach': t(lambda: a.detach()), 'dim': t(lambda: a.dim())}))
`;
  const r = spawnSync('python3', ['-c', src], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function main(): void {
  torch.setNumThreads(1);
  const a = torch.randn(4);
  const b = torch.randn(4);
  const addId = rowsOf(R.method_add)[0][0];
  const rows: [string, number][] = [
    ['native property N.dim(a)', time(() => N.dim(a))],
    ['native detach N.detach(a)', time(() => N.detach(a))],
    ['boxed op N.callOp(add)', time(() => N.callOp(addId, new TensorObject(), a, b))],
    ['a.add(b)', time(() => a.add(b))],
    ['torch.add(a, b)', time(() => torch.add(a, b))],
  ];
  const py = python();
  console.log(`per call, µs (min of ${repeat} rounds of ${n}), LibTorch ${torch.config().libtorchVersion}, node ${process.version}`);
  for (const [label, us] of rows) console.log(`  ${label.padEnd(28)} ${us.toFixed(3)}`);
  console.log(`  python a.dim()               ${py.dim.toFixed(3)}`);
  console.log(`  python a.detach()            ${py.detach.toFixed(3)}`);
  console.log(`  python a.add(b)              ${py.add.toFixed(3)}`);
  console.log(`a.add(b) / Python: ${(rows[3][1] / py.add).toFixed(2)}x; wrapping one tensor costs ${(rows[1][1] - rows[0][1]).toFixed(3)} µs ` +
    `(Python's detach: ${py.detach.toFixed(3)})`);
}

main();
