/**
 * `npm run bench:profile`: where the time of the seed-CNN epoch goes, nodetorch against the C++
 * floor and Python, on the LibTorch the addon loads (bench/setup.ts), as bench/RESULTS.md reports it:
 *
 * 1. perf (`perf record`, all threads, the first second skipped): each program's CPU samples by
 *    what ran them — oneDNN's JIT kernels, LibTorch's kernels, its dispatcher, autograd and tensor
 *    bookkeeping, the JS engine (V8 runtime and GC, JS code), the binding, the Python
 *    interpreter, libc, the kernel — and by thread.
 * 2. `node --cpu-prof`: nodetorch's main thread split into native calls, JS by file, and GC.
 * 3. LibTorch's profiler (torch.profiler, through Python): the floor's operators.
 *
 * Shares, not seconds: on a shared machine they hold when the seconds do not.
 *   npm run bench:profile [-- --batches N (default 938) --threads N (default 2)
 *     --omp-wait default|passive|active|inherit (libgomp's wait policy, as `npm run bench`'s)]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchDir, buildDir, runEnv, setup, sh, WAIT_POLICIES } from './setup';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const batches = arg('batches', 938);
const threads = arg('threads', 2);
const waitAt = process.argv.indexOf('--omp-wait');
const waitPolicy = waitAt >= 0 ? String(process.argv[waitAt + 1]) : 'default';
if (!WAIT_POLICIES.includes(waitPolicy)) {
  throw new RangeError(`Expected --omp-wait to be one of ${WAIT_POLICIES.join(', ')} but received ${waitPolicy}`);
}
const HZ = 999;

/** What ran a sample: by shared object, and inside LibTorch by symbol. */
function category(dso: string, sym: string): string {
  if (dso.startsWith('[JIT]')) return sym.startsWith('0x') ? 'oneDNN JIT kernels' : 'JS code';
  if (/libtorch|libc10|libgomp|mkl|libiomp/.test(dso)) {
    if (/dnnl|mkl|gemm|max_pool|Vectorized|kernel|parallel_for|invoke_parallel|GOMP|gomp_|im2col|softmax|nll_loss|reduce/.test(sym)) return 'LibTorch kernels';
    if (/Dispatcher|OperatorEntry|DispatchKey|IValue|[Bb]oxed|Stack|FunctionSchema|KernelFunction|OperatorHandle|c10::impl::/.test(sym)) return 'LibTorch dispatcher';
    if (/autograd|Engine|GraphTask|InputBuffer|AccumulateGrad|SavedVariable|VariableType|collect_next_edges/.test(sym)) return 'LibTorch autograd';
    return 'LibTorch tensors, allocation, other';
  }
  if (dso === 'node') return 'V8/Node runtime and GC';
  if (dso === 'nodetorch.node') return 'binding (nodetorch.node)';
  if (/python/.test(dso)) return 'Python interpreter';
  if (/^(libc\.so|libstdc\+\+|ld-linux|libm\.so)/.test(dso)) return 'libc (malloc, free, memcpy)';
  if (dso === '[kernel.kallsyms]') return 'kernel (scheduling, futex, page faults)';
  return 'other';
}

interface Profile { total: number; byCategory: Map<string, number>; byThread: number[] }

function perfProfile(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Profile {
  const data = path.join(buildDir, `perf-${name}.data`);
  const rec = sh('perf', ['record', '-F', String(HZ), '-D', '1000', '-o', data, '--', cmd, ...args], { env });
  if (rec.status !== 0) throw new Error(`perf record ${name} failed:\n${rec.stderr}`);
  const report = (sort: string) => sh('perf', ['report', '-i', data, '--no-children', '--sort', sort, '--stdio', '-g', 'none', '-F', `sample,${sort}`]).stdout;
  const byCategory = new Map<string, number>();
  let total = 0;
  for (const line of report('dso,sym').split('\n')) {
    const m = /^\s*(\d+)\s+(\S+(?: tid \d+)?)\s+\[.\]\s+(.*)$/.exec(line);
    if (!m) continue;
    const c = category(m[2], m[3].trim());
    byCategory.set(c, (byCategory.get(c) ?? 0) + Number(m[1]));
    total += Number(m[1]);
  }
  const byThread = report('pid').split('\n').map((l) => /^\s*(\d+)\s+\d+:/.exec(l)?.[1]).filter(Boolean).map(Number).sort((a, b) => b - a);
  fs.rmSync(data, { force: true });
  return { total, byCategory, byThread };
}

/** nodetorch's main thread from a V8 CPU profile: native calls, JS by file, GC. */
function cpuProfile(workload: string, args: string[], env: NodeJS.ProcessEnv): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-cpuprof-'));
  const r = sh(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval', '250', workload, ...args], { env });
  if (r.status !== 0) throw new Error(`node --cpu-prof failed:\n${r.stderr}`);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
  const p = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string } }[]; samples: number[]; timeDeltas: number[];
  };
  fs.rmSync(dir, { recursive: true, force: true });
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const time = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const cf = byId.get(id)!;
    const file = cf.url.replace(/^.*\/bench\/build\/js\//, '');
    // The library calls the addon through one wrapper (lib/binding.ts, `throwing`): its self time is the native call.
    const key = cf.functionName === 'nativeCall' ? 'native calls (LibTorch, binding)'
      : cf.functionName.startsWith('(') ? cf.functionName
        : /^(lib|scripts|bench)\//.test(file) ? `JS ${file}` : 'JS: Node internals, module loading';
    time.set(key, (time.get(key) ?? 0) + p.timeDeltas[i]);
    total += p.timeDeltas[i];
  });
  const rows = [...time].sort((a, b) => b[1] - a[1]).slice(0, 12);
  return [
    `Main thread, ${(total / 1e6).toFixed(2)} s (the whole process: start, epoch, evaluation):`, '',
    '| what | seconds | share |', '| --- | ---: | ---: |',
    ...rows.map(([k, t]) => `| ${k} | ${(t / 1e6).toFixed(3)} | ${((100 * t) / total).toFixed(1)}% |`), '',
  ];
}

function torchProfile(python: string, idx: string, env: NodeJS.ProcessEnv): string[] {
  const src = `
import sys, torch
sys.path[:0] = [${JSON.stringify(path.join(benchDir, 'py'))}]
from workload import SeedModel, load_split, normalise
torch.set_num_threads(${threads}); torch.manual_seed(0)
images, labels = load_split(${JSON.stringify(idx)}, 'train', 'cpu')
model = SeedModel(); crit = torch.nn.CrossEntropyLoss(); opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
order = torch.randperm(len(images))
def step(b):
    idx = order[b * 64:(b + 1) * 64]
    loss = crit(model(normalise(images.index_select(0, idx))), labels.index_select(0, idx))
    opt.zero_grad(); loss.backward(); opt.step()
for b in range(50): step(b)
with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
    for b in range(50, 250): step(b)
ev = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
total = sum(e.self_cpu_time_total for e in ev)
for e in ev[:8]:
    print(f'| {e.key} | {e.count} | {e.self_cpu_time_total / 1e3:.1f} | {100 * e.self_cpu_time_total / total:.1f}% |')
`;
  const r = sh(python, ['-c', src], { env });
  if (r.status !== 0) throw new Error(`torch.profiler failed:\n${r.stderr}`);
  return ['| operator | calls | self CPU ms | share |', '| --- | ---: | ---: | ---: |', ...r.stdout.split('\n').filter((l) => l.startsWith('|')), ''];
}

function main(): void {
  const env = runEnv(process.env, threads, waitPolicy);
  const s = setup(env, 'cpu');
  const common = [`threads=${threads}`, 'seed=0', 'epochs=1', `batches=${batches}`, 'testBatches=157', 'device=cpu'];
  const programs: [string, string, string[]][] = [
    ['C++ floor', s.cpp!, ['mnist', `data=${s.mnist.idx}`, ...common]],
    ['nodetorch', process.execPath, ['--perf-basic-prof', s.workload, 'mnist', `root=${s.mnist.root}`, ...common]],
    ['Python, pre-made', s.python.exe, [path.join(benchDir, 'py', 'workload.py'), 'mnist', `data=${s.mnist.idx}`, ...common]],
  ];
  const profiles = programs.map(([name, cmd, args]) => [name, perfProfile(name.split(/[ ,]/)[0].toLowerCase(), cmd, args, env)] as const);
  const categories = [...new Set(profiles.flatMap(([, p]) => [...p.byCategory.keys()]))].sort();
  const out = [
    `## Profile: the seed-CNN epoch (${batches} batches), LibTorch ${s.libtorch.version}, ${threads} threads, wait policy ${waitPolicy} — \`npm run bench:profile\``, '',
    `perf at ${HZ} Hz over each whole process but its first second; share of the process's CPU samples:`, '',
    `| what ran | ${profiles.map(([n]) => n).join(' | ')} |`, `| --- |${profiles.map(() => ' ---: |').join('')}`,
    ...categories.map((c) => `| ${c} | ${profiles.map(([, p]) => `${((100 * (p.byCategory.get(c) ?? 0)) / p.total).toFixed(1)}%`).join(' | ')} |`),
    `| threads (share of samples, largest first) | ${profiles.map(([, p]) => p.byThread.slice(0, 4).map((t) => `${((100 * t) / p.total).toFixed(0)}%`).join(', ')).join(' | ')} |`,
    '',
    ...cpuProfile(s.workload, ['mnist', `root=${s.mnist.root}`, ...common], env),
    'The floor\'s operators (LibTorch\'s profiler through Python, 200 steps after 50):', '',
    ...torchProfile(s.python.exe, s.mnist.idx, env),
  ];
  console.log(out.join('\n'));
}

main();
