/**
 * `.pth` fuzz: `torch.load` on mutated files — the fixtures Python wrote
 * (test/fixtures/pth) and a few larger files nodetorch writes here — damaged by the mutations of
 * test/helpers/pth-mutate.ts: byte-level damage to the whole file (the zip structure, the legacy
 * stream), opcode-level and byte-level damage to the pickle, and structural changes to the zip,
 * both re-zipped with valid CRCs so that they reach the unpickler, the budgets and the checks.
 *
 *   npx tsx scripts/fuzz-pth.ts [--cases 100000] [--seed 1] [--batch 2500] [--jobs <cpus>] [--heap-mb 512] [--batch-timeout-s 300]
 *   npx tsx scripts/fuzz-pth.ts --replay <case> [--seed 1]     # one case, in this process, for a repro
 *
 * Cases run in child processes, a batch each, under a heap limit: an abort (a crash, an
 * out-of-memory kill) or a hang (the batch timeout) is counted against the case that was running,
 * and the next batch starts after it, so nothing stops the run. Case `i` of seed `s` is the same
 * file on every run. Loads go through the real `torch.load` (tensors made natively) when the
 * addon is built, else through the tensor-free reader.
 *
 * The summary: cases, outcomes by error class and TorchError code, outcomes by mutation family,
 * the slowest case, the largest heap growth during one case, each relative to the file's size,
 * and the children's peak RSS. Zero aborts, zero hangs and no error other than a TorchError,
 * RangeError or TypeError is the pass mark; the exit status is 1 otherwise.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { caseRandom, mutateFile } from '../test/helpers/pth-mutate';
import { flag } from './fuzz-args';

const ROOT = path.join(__dirname, '..');
const FIXTURES = path.join(ROOT, 'test/fixtures/pth');
const HAVE_ADDON = fs.existsSync(path.join(ROOT, 'build/Release/nodetorch.node'));

// ---- the files to mutate ----------------------------------------------------------------------

interface Original {
  name: string;
  buf: Buffer;
}

type Loader = (buf: Buffer) => void;

/** The real `torch.load`, its tensors freed at once; or the tensor-free reader. */
async function makeLoader(): Promise<{ load: Loader; torch: any }> {
  if (HAVE_ADDON) {
    const torch = await import('../lib');
    return { torch, load: (buf) => torch.tidy(() => { torch.load(buf); }) };
  }
  const { decodePth, toJS } = await import('../lib/serialization/container');
  return { torch: undefined, load: (buf) => { toJS(decodePth(buf), (ref) => ref.numel); } };
}

/** The fixtures Python wrote, and (with the addon) larger files nodetorch writes, ~100–600 KB. */
function originals(torch: any): Original[] {
  const out = fs.readdirSync(FIXTURES).filter((f) => /\.(pth|pt)$/.test(f)).sort()
    .map((f) => ({ name: f, buf: fs.readFileSync(path.join(FIXTURES, f)) }));
  if (torch !== undefined) {
    torch.manualSeed(0);
    const stateDict: Record<string, unknown> = {};
    for (let i = 0; i < 400; i++) stateDict[`layers.${i}.weight`] = torch.randn([3, 2]);
    out.push(
      { name: 'nodetorch:state_dict_400', buf: torch.saveToBuffer(stateDict) },
      { name: 'nodetorch:ids_50k', buf: torch.saveToBuffer({ ids: Array.from({ length: 50_000 }, (_, i) => i * 7919) }) },
      { name: 'nodetorch:metrics_5k', buf: torch.saveToBuffer({ metrics: Array.from({ length: 5000 }, (_, i) => ({ loss: 1 / (i + 1), step: i })), w: torch.ones([4]) }) },
    );
  }
  return out;
}

function classify(e: unknown): string {
  if (e instanceof Error && e.name === 'TorchError') return `TorchError:${(e as Error & { code?: string }).code}`;
  if (e instanceof RangeError && /call stack/.test(e.message)) return 'BAD:stack overflow';
  if (e instanceof RangeError || e instanceof TypeError) return e.constructor.name;
  return `BAD:${(e as Error)?.constructor?.name ?? typeof e}`;
}

// ---- the child: runs cases FROM..TO-1 and reports each ---------------------------------------

interface CaseReport {
  i: number;
  kind: string;
  src: string;
  bytes: number;
  outcome: string;
  ms: number;
  /** Growth of the heap in use across the load (garbage included: an upper bound of what it kept). */
  heapMB: number;
  /** Growth of the process's peak RSS during the load (0 unless it set a new peak). */
  rssMB: number;
  message?: string;
}

async function child(seed: number, from: number, to: number): Promise<void> {
  const { load, torch } = await makeLoader();
  const files = originals(torch);
  const write = (s: string) => fs.writeSync(1, s + '\n');
  for (let i = from; i < to; i++) {
    const rand = caseRandom(seed, i);
    const src = files[Math.floor(rand() * files.length)];
    const m = mutateFile(rand, src.buf);
    write(`start ${i}`); // the case an abort or a hang is counted against
    const heap0 = process.memoryUsage().heapUsed;
    const rss0 = process.resourceUsage().maxRSS;
    const t0 = performance.now();
    let outcome = 'loaded';
    let message: string | undefined;
    try {
      load(m.out);
    } catch (e) {
      outcome = classify(e);
      if (outcome.startsWith('BAD') || outcome === 'RangeError' || outcome === 'TypeError') message = String((e as Error)?.message).slice(0, 300);
    }
    const ms = performance.now() - t0;
    const heapMB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    const rssMB = (process.resourceUsage().maxRSS - rss0) / 1024;
    const report: CaseReport = { i, kind: m.kind, src: src.name, bytes: m.out.length, outcome, ms, heapMB, rssMB, message };
    write(JSON.stringify(report));
  }
  write(JSON.stringify({ done: true, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

// ---- the parent: batches in children, a summary ------------------------------------------------

interface Summary {
  cases: number;
  outcomes: Map<string, number>;
  families: Map<string, Map<string, number>>;
  aborts: string[];
  hangs: string[];
  bad: string[];
  slowest?: CaseReport;
  /** The case with the largest time per byte among files of at least 64 KB. */
  slowestPerByte?: CaseReport;
  heaviest?: CaseReport;
  heaviestPerByte?: CaseReport;
  rssJump?: CaseReport;
  peakRssMB: number;
  batches: number;
}

const bump = <K>(m: Map<K, number>, k: K, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
const LARGE = 64 * 1024;

function record(s: Summary, r: CaseReport): void {
  s.cases++;
  bump(s.outcomes, r.outcome);
  const family = r.kind.startsWith('inside:pickle') ? 'pickle' : r.kind.startsWith('inside:record') ? 'record' : r.kind.startsWith('zip-') ? 'zip' : 'bytes';
  if (!s.families.has(family)) s.families.set(family, new Map());
  bump(s.families.get(family)!, r.outcome.startsWith('TorchError') || r.outcome === 'loaded' ? r.outcome.replace('TorchError:', '') : r.outcome);
  if (r.outcome.startsWith('BAD')) s.bad.push(`case ${r.i} (${r.src}, ${r.kind}): ${r.outcome}: ${r.message}`);
  if (!s.slowest || r.ms > s.slowest.ms) s.slowest = r;
  if (!s.heaviest || r.heapMB > s.heaviest.heapMB) s.heaviest = r;
  if (r.rssMB > 0 && (!s.rssJump || r.rssMB > s.rssJump.rssMB)) s.rssJump = r;
  if (r.bytes >= LARGE) {
    if (!s.slowestPerByte || r.ms / r.bytes > s.slowestPerByte.ms / s.slowestPerByte.bytes) s.slowestPerByte = r;
    if (!s.heaviestPerByte || r.heapMB / r.bytes > s.heaviestPerByte.heapMB / s.heaviestPerByte.bytes) s.heaviestPerByte = r;
  }
}

/** Runs cases [from, to) in one child; resolves with the first case not run (`to` when all ran). */
function runBatch(s: Summary, seed: number, from: number, to: number, heapMB: number, timeoutS: number): Promise<number> {
  return new Promise((resolve) => {
    const args = [`--max-old-space-size=${heapMB}`, '--import', 'tsx', __filename, '--child', '--seed', String(seed), '--from', String(from), '--to', String(to)];
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    s.batches++;
    let current = -1;
    let finished = false;
    let timedOut = false;
    let stderr = '';
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, timeoutS * 1000);
    proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      if (line.startsWith('start ')) {
        current = Number(line.slice(6));
      } else if (line.startsWith('{')) {
        const r = JSON.parse(line);
        if (r.done) {
          finished = true;
          s.peakRssMB = Math.max(s.peakRssMB, r.maxRssMB);
        } else {
          record(s, r as CaseReport);
          current = -1;
        }
      }
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      if (finished && code === 0) return resolve(to);
      const at = current >= 0 ? current : from;
      const what = `case ${at} (batch ${from}–${to - 1}): ${timedOut ? `no progress in ${timeoutS} s` : `exit ${code ?? signal}`} ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
      (timedOut ? s.hangs : s.aborts).push(what);
      s.cases++;
      bump(s.outcomes, timedOut ? 'HANG' : 'ABORT');
      resolve(at + 1);
    });
  });
}

function describeCase(r: CaseReport | undefined, value: string): string {
  if (!r) return 'none';
  return `${value} (case ${r.i}: ${r.kind} of ${r.src}, ${r.bytes.toLocaleString('en')} bytes, ${r.outcome})`;
}

async function parent(): Promise<void> {
  const cases = flag('cases', 100_000);
  const seed = flag('seed', 1);
  const batch = Math.max(1, flag('batch', 2500));
  const jobs = Math.max(1, flag('jobs', os.availableParallelism?.() ?? os.cpus().length));
  const heapMB = flag('heap-mb', 512);
  const timeoutS = flag('batch-timeout-s', 300);
  const s: Summary = { cases: 0, outcomes: new Map(), families: new Map(), aborts: [], hangs: [], bad: [], peakRssMB: 0, batches: 0 };
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < cases) {
      let from = next;
      const to = Math.min(cases, from + batch);
      next = to;
      while (from < to) from = await runBatch(s, seed, from, to, heapMB, timeoutS);
      if (process.stderr.isTTY) process.stderr.write(`\r${s.cases}/${cases} cases`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  if (process.stderr.isTTY) process.stderr.write('\n');

  const seconds = (Date.now() - started) / 1000;
  const outcomes = [...s.outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  const perMB = (r: CaseReport | undefined, v: number) => describeCase(r, `${v.toFixed(2)}`);
  console.log(`fuzz-pth: ${s.cases} cases (seed ${seed}) in ${seconds.toFixed(1)} s, ${s.batches} batches of ≤ ${batch} in child processes (heap limit ${heapMB} MB, ${jobs} at a time), ${HAVE_ADDON ? 'real torch.load (native tensors)' : 'tensor-free reader (no addon)'}`);
  console.log(`outcomes: ${outcomes}`);
  for (const [family, m] of [...s.families].sort()) {
    console.log(`  ${family}: ${[...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  console.log(`aborts: ${s.aborts.length}, hangs: ${s.hangs.length}, other errors: ${s.bad.length}`);
  for (const line of [...s.aborts, ...s.hangs, ...s.bad].slice(0, 20)) console.log(`  ${line}`);
  console.log(`slowest case: ${describeCase(s.slowest, `${s.slowest?.ms.toFixed(1)} ms`)}`);
  console.log(`slowest per byte (files ≥ 64 KB): ${perMB(s.slowestPerByte, s.slowestPerByte ? (s.slowestPerByte.ms / s.slowestPerByte.bytes) * 2 ** 20 : 0)} ms per MB`);
  console.log(`largest heap growth in one case: ${describeCase(s.heaviest, `${s.heaviest?.heapMB.toFixed(1)} MB`)}`);
  console.log(`largest heap growth per byte (files ≥ 64 KB): ${perMB(s.heaviestPerByte, s.heaviestPerByte ? (s.heaviestPerByte.heapMB * 2 ** 20) / s.heaviestPerByte.bytes : 0)} bytes per file byte`);
  console.log(`largest rise of a child's peak RSS during one case: ${describeCase(s.rssJump, `${s.rssJump?.rssMB.toFixed(1)} MB`)}`);
  console.log(`peak RSS of a child: ${s.peakRssMB.toFixed(0)} MB (LibTorch loaded: ~200 MB before any case)`);
  process.exitCode = s.aborts.length + s.hangs.length + s.bad.length === 0 ? 0 : 1;
}

async function replay(seed: number, i: number): Promise<void> {
  const { load, torch } = await makeLoader();
  const files = originals(torch);
  const rand = caseRandom(seed, i);
  const src = files[Math.floor(rand() * files.length)];
  const m = mutateFile(rand, src.buf);
  console.log(`case ${i} of seed ${seed}: ${m.kind} of ${src.name}, ${m.out.length} bytes`);
  try {
    load(m.out);
    console.log('loaded');
  } catch (e) {
    console.log(`${classify(e)}: ${(e as Error)?.message}`);
    console.log((e as Error)?.stack);
  }
}

if (process.argv.includes('--child')) {
  void child(flag('seed', 1), flag('from', 0), flag('to', 0));
} else if (process.argv.includes('--replay')) {
  void replay(flag('seed', 1), flag('replay', 0));
} else {
  void parent();
}
