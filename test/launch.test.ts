// `nodetorch run` (lib/distributed/run.ts, lib/distributed/launcher.ts), torchrun for nodetorch:
// torchrun's environment (compared with what PyTorch's own torchrun sets), prefixed whole lines,
// the first failure stopping every rank, forwarded signals, clear errors; then ranks on LibTorch's
// c10d (test/helpers/launch-rank.ts): a job that succeeds, ranks blocked in a collective that only
// the launcher can stop, and the fault proof of issue 14: a rank killed with SIGKILL inside
// collectives makes the survivor fail with a TorchError (DIST_ERROR) well within the timeout,
// with and without the launcher.
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib';
import { freePort, inheritedExecArgv } from '../lib/distributed/launcher';
import { parseArgs, run } from '../lib/distributed/run';

const ROOT = path.resolve(__dirname, '..');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const CLI = path.join(ROOT, 'scripts', 'cli.ts');
const BUILT_CLI = path.join(ROOT, 'dist', 'scripts', 'cli.js');
const PLAIN = path.join(__dirname, 'helpers', 'launch-plain.js');
const RANK = path.join(__dirname, 'helpers', 'launch-rank.ts');

/** The environment tests start processes with: none of the variables a launcher sets. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'LOCAL_RANK', 'OMP_NUM_THREADS', 'TORCH_ELASTIC_SHUTDOWN_TIMEOUT']) delete env[k];
  return env;
}

interface Ended { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

/** A started process whose output is collected; `ended` resolves when it closes (SIGKILL after `limitMs`). */
function started(child: ChildProcess, limitMs = 50_000) {
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => { out.stdout += d; });
  child.stderr!.on('data', (d) => { out.stderr += d; });
  const start = Date.now();
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const ended = new Promise<Ended>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...out, ms: Date.now() - start });
    });
  });
  /** Resolves with the first match of `re` in stdout, polling. */
  const waitFor = async (re: RegExp): Promise<RegExpMatchArray> => {
    for (;;) {
      const m = out.stdout.match(re);
      if (m !== null) return m;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`ended before ${re}: ${out.stdout}${out.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, out, ended, waitFor };
}

/** `nodetorch run <args>` from the source (or the compiled bin). */
function launcher(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; detached?: boolean; cli?: string } = {}) {
  const cli = options.cli ?? CLI;
  const nodeArgs = cli.endsWith('.ts') ? ['--import', TSX] : [];
  return started(spawn(process.execPath, [...nodeArgs, cli, 'run', ...args], {
    cwd: options.cwd ?? ROOT, env: options.env ?? cleanEnv(), detached: options.detached, stdio: ['ignore', 'pipe', 'pipe'],
  }));
}

/** The lines rank `rank` printed, without their prefix; throws on a line of no rank. */
function linesOf(text: string, rank: number): string[] {
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('nodetorch run: '));
  for (const l of lines) expect(l).toMatch(/^\[rank\d+\]: /);
  return lines.filter((l) => l.startsWith(`[rank${rank}]: `)).map((l) => l.slice(`[rank${rank}]: `.length));
}

const jsonOf = (text: string, rank: number) => linesOf(text, rank).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Variables a process has that `base` has not, or has with another value. */
function added(env: Record<string, string>, base: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => base[k] !== v));
}

/** PyTorch's torchrun, when a Python with torch 2.x is here. */
function torchrunPython(): string | null {
  const r = spawnSync('python3', ['-c', 'import torch, torch.distributed.run; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 && /^2\./.test(r.stdout) ? 'python3' : null;
}

describe('nodetorch run: the launcher', () => {
  it('sets the environment torchrun sets (compared with PyTorch\'s torchrun), plus NODE_RANK', async () => {
    const port = await freePort();
    const env = cleanEnv();
    const ours = await launcher(['--nproc-per-node', '2', '--master-port', String(port), PLAIN, 'env'], { env }).ended;
    expect(ours.code, ours.stderr).toBe(0);
    const python = torchrunPython();
    if (python === null) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-launch-'));
    // Each rank writes its environment to a file: torchrun's ranks share the console unprefixed.
    const script = path.join(dir, 'env.py');
    fs.writeFileSync(script, 'import json, os, sys\njson.dump(dict(os.environ), open(sys.argv[1] + os.environ.get("RANK", "alone"), "w"))\n');
    const theirs = spawnSync(python, ['-m', 'torch.distributed.run', '--nproc-per-node', '2', '--master-port', String(port), script, path.join(dir, 'env-')], { env, encoding: 'utf8', timeout: 50_000 });
    expect(theirs.status, theirs.stderr).toBe(0);
    // What the script sees without torchrun (a Python environment manager may add its own).
    spawnSync(python, [script, path.join(dir, 'env-')], { env });
    const envOf = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, `env-${name}`), 'utf8'));
    for (const rank of [0, 1]) {
      const torchrun = added(envOf(String(rank)), envOf('alone'));
      // The elastic agent's own bookkeeping (restarts, its store, error files) and NCCL's switch
      // have no meaning here; everything else is the same, names and values.
      for (const k of Object.keys(torchrun)) if (/^TORCHELASTIC_|^TORCH_NCCL_/.test(k)) delete torchrun[k];
      expect(added(jsonOf(ours.stdout, rank)[0].env, env)).toEqual({ ...torchrun, NODE_RANK: '0' });
    }
  });

  it('gives each rank its ranks on node R of M, the script its arguments, and prints whole lines after [rankN]: ', async () => {
    const r = await launcher(['--nproc_per_node=2', '--nnodes', '2', '--node-rank=1', '--master-addr', '10.0.0.9', '--master_port', '29511',
      PLAIN, 'env', '--lr', '0.1', '--', '-h'], { env: { ...cleanEnv(), OMP_NUM_THREADS: '3' } }).ended;
    expect(r.code, r.stderr).toBe(0);
    for (const [localRank, rank] of [[0, 2], [1, 3]]) {
      const [line, ...more] = linesOf(r.stdout, rank);
      expect(more).toEqual([]);  // one line, though written in three pieces
      const { env, argv, execArgv } = JSON.parse(line);
      expect(env).toMatchObject({
        MASTER_ADDR: '10.0.0.9', MASTER_PORT: '29511', WORLD_SIZE: '4', RANK: String(rank), LOCAL_RANK: String(localRank),
        LOCAL_WORLD_SIZE: '2', GROUP_RANK: '1', GROUP_WORLD_SIZE: '2', ROLE_RANK: String(rank), ROLE_WORLD_SIZE: '4', NODE_RANK: '1',
        OMP_NUM_THREADS: '3',  // the user's, kept
      });
      expect(argv).toEqual(['env', '--lr', '0.1', '--', '-h']);
      expect(execArgv).toEqual(['--import', TSX]);  // the launcher's own, nothing added for a .js script
      expect(r.stderr).toContain(`[rank${rank}]: stderr of rank ${rank}, no newline at the end\n`);
    }
    expect(r.stderr).not.toMatch(/OMP_NUM_THREADS/);
  });

  it("inherits the launcher's Node options but those that would run something else or open a debugger port", () => {
    expect(inheritedExecArgv(['--max-old-space-size=4096', '--inspect=9229', '-e', 'run()', '--import', 'tsx', '--inspect-port', '9230',
      '--print=1', '--watch', '--expose-gc', '--require', 'x.js'])).toEqual(['--max-old-space-size=4096', '--import', 'tsx', '--expose-gc', '--require', 'x.js']);
  });

  it('the first rank to fail stops the others, and the launcher exits 1 naming it', async () => {
    for (const [failing, how, end] of [[1, '3', 'exit code 3'], [0, 'SIGKILL', 'signal SIGKILL']] as const) {
      const r = await launcher(['--nproc-per-node', '3', PLAIN, 'fail', String(failing), how]).ended;
      expect(r.code).toBe(1);
      const who = `rank ${failing} \\(local_rank ${failing}, pid \\d+\\)`;
      expect(r.stderr).toMatch(new RegExp(`nodetorch run: ${who} failed with ${end}; stopping the other ranks \\(SIGTERM, then SIGKILL after 30 s\\)`));
      expect(r.stderr).toMatch(new RegExp(`nodetorch run: .*launch-plain\\.js failed: first failure ${who} with ${end}\\n$`));
      // The others ended on the launcher's SIGTERM, with the code their handler chose.
      const others = [0, 1, 2].filter((k) => k !== failing);
      expect(r.stderr).toMatch(new RegExp(`the other ranks ended: ${others.map((k) => `rank ${k} \\(local_rank ${k}, pid \\d+\\) with exit code 7`).join('; ')}`));
      expect(r.ms).toBeLessThan(10_000);
    }
  });

  const BOTH_READY = /: ready\n[^]*: ready\n/;

  it('a Ctrl-C reaches each rank once (through the launcher), and the launcher exits 130; SIGTERM, 143', async () => {
    // A terminal's Ctrl-C goes to the launcher's whole process group: detached, the test can do that.
    const l = launcher(['--nproc-per-node', '2', PLAIN, 'signals'], { detached: true });
    await l.waitFor(BOTH_READY);
    process.kill(-l.child.pid!, 'SIGINT');
    const r = await l.ended;
    expect(r.code, r.stderr).toBe(130);
    for (const rank of [0, 1]) expect(linesOf(r.stdout, rank)).toEqual(['ready', 'SIGINT 1']);
    expect(r.stderr).toMatch(/got SIGINT; sending it to every rank\n.*launch-plain\.js stopped by SIGINT: rank 0 \(local_rank 0, pid \d+\) with exit code 0; rank 1 .* with exit code 0\n$/);

    const t = launcher(['--nproc-per-node', '2', PLAIN, 'signals']);
    await t.waitFor(BOTH_READY);
    t.child.kill('SIGTERM');
    const s = await t.ended;
    expect(s.code, s.stderr).toBe(143);
    expect(s.stderr).toMatch(/stopped by SIGTERM: rank 0 \(local_rank 0, pid \d+\) with signal SIGTERM; rank 1 .* with signal SIGTERM\n$/);
  });

  it('bad options are clear errors, before any rank starts', async () => {
    expect(parseArgs(['--nproc_per_node=2', '--master-addr', 'node0', '--standalone', 'train.ts', '--lr', '0.1', '--help'])).toEqual({
      nprocPerNode: 2, masterAddr: 'node0', standalone: true, script: 'train.ts', args: ['--lr', '0.1', '--help'],
    });
    expect(parseArgs(['--nproc-per-node', 'cpu', '--shutdown-timeout', '2.5', '--', '-odd.js'])).toEqual({ nprocPerNode: 'cpu', shutdownTimeout: 2500, script: '-odd.js', args: [] });
    expect(parseArgs(['--nnodes', '2', '-h', 'train.ts'])).toBeNull();
    const bad: [string[], RegExp][] = [
      [['--nproc-per-node', 'two', 's.js'], /^Expected an integer, 'cpu', 'gpu' or 'auto' for --nproc-per-node but received "two"$/],
      [['--nnodes', '1:4', 's.js'], /MIN:MAX ranges of elastic jobs are not supported\) for --nnodes but received "1:4"$/],
      [['--nprocs', '2', 's.js'], /^Expected a launcher option \(--nproc-per-node, .*\) or the script for nodetorch run but received "--nprocs"$/],
      [['--master-port'], /^Expected a value for --master-port but received undefined$/],
      [['--standalone'], /^Expected a script to run after the launcher options for nodetorch run/],
      [['--shutdown-timeout', 'soon', 's.js'], /^Expected a number of seconds for --shutdown-timeout/],
    ];
    for (const [argv, message] of bad) expect(() => parseArgs(argv), argv.join(' ')).toThrow(message);

    const script = PLAIN;
    await expect(run({ script, nprocPerNode: 0 })).rejects.toThrow(/^Expected an integer >= 1 for nprocPerNode but received 0$/);
    await expect(run({ script, nprocPerNode: 'many' as never })).rejects.toThrow(TypeError);
    await expect(run({ script, nnodes: 2, nodeRank: 2 })).rejects.toThrow(/^Expected an integer from 0 to 1 for nodeRank but received 2$/);
    await expect(run({ script, masterPort: 70000 })).rejects.toThrow(RangeError);
    await expect(run({ script, standalone: true, masterPort: 29500 })).rejects.toThrow(/^Expected none with standalone, which picks a free port of 127.0.0.1 for masterPort but received 29500$/);
    await expect(run({ script, standalone: true, nnodes: 2 })).rejects.toThrow(RangeError);
    await expect(run({ script, args: [1] as never })).rejects.toThrow(TypeError);
    await expect(run({ script, nproc_per_node: 2 } as never)).rejects.toThrow(/did you mean nprocPerNode\?/);
    await expect(run({ script: path.join(ROOT, 'no-such.js') })).rejects.toMatchObject({ name: 'TorchError', code: 'SCRIPT_NOT_FOUND' });
    if (!torch.cuda.isAvailable()) await expect(run({ script, nprocPerNode: 'gpu' })).rejects.toMatchObject({ name: 'TorchError', code: 'CUDA_UNAVAILABLE' });

    // From the command line: the message names the flag, exit code 2 as torchrun's argparse.
    const cli = await launcher(['--nproc-per-node', '0', PLAIN]).ended;
    expect([cli.code, cli.stdout]).toEqual([2, '']);
    expect(cli.stderr).toBe('nodetorch run: Expected an integer >= 1 for --nproc-per-node but received 0\n');
    const unknown = await launcher(['--nprocs=2', PLAIN]).ended;
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/received "--nprocs=2"/);
  });

  it('a .ts script without tsx to resolve fails naming the package to install', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-launch-'));
    fs.writeFileSync(path.join(dir, 'job.ts'), 'const n: number = 1;\nconsole.log(n);\n');
    const r = await launcher(['--nproc-per-node', '2', 'job.ts'], { cwd: dir }).ended;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nodetorch run: Running the TypeScript script "job\.ts" needs the npm package 'tsx' \(npm install --save-dev tsx\)/);
    expect(r.stdout).toBe('');  // no rank started
  });
});

describe('nodetorch run: ranks on c10d (Gloo)', () => {
  it('2 ranks of a .ts script join with env:// on a --standalone port, all-reduce and meet at a barrier', async () => {
    const r = await launcher(['--standalone', '--nproc-per-node', '2', RANK, 'allReduce']).ended;
    expect(r.code, r.stderr).toBe(0);
    const [[zero], [one]] = [jsonOf(r.stdout, 0), jsonOf(r.stdout, 1)];
    for (const [rank, out] of [[0, zero], [1, one]] as const) {
      expect(out).toMatchObject({ rank, worldSize: 2, value: [3, 30], env: { MASTER_ADDR: '127.0.0.1', RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: '2', LOCAL_WORLD_SIZE: '2' } });
    }
    expect(zero.env.MASTER_PORT).toBe(one.env.MASTER_PORT);
    expect(zero.env.MASTER_PORT).not.toBe('29500');
  });

  it('a rank that exits 3 stops ranks blocked in a collective: SIGTERM, then SIGKILL for one that ignores it', async () => {
    const timeout = 60_000;  // the collective's: the launcher must end the job long before it
    const l = launcher(['--standalone', '--nproc-per-node', '3', '--shutdown-timeout', '1', RANK, 'blocked', String(timeout)]);
    const r = await l.ended;
    expect(r.code, r.stderr).toBe(1);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.stderr).toMatch(/failed: first failure rank 1 \(local_rank 1, pid \d+\) with exit code 3\n$/);
    expect(r.stderr).toMatch(/the other ranks ended: rank 0 \(local_rank 0, pid \d+\) with signal SIGTERM; rank 2 \(local_rank 2, pid \d+\) with signal SIGKILL\n/);
    const [{ blocked }, ...rest0] = jsonOf(r.stdout, 0);
    expect(rest0).toEqual([]);  // never unblocked
    const [{ idle }, ignored] = jsonOf(r.stdout, 2);
    expect(ignored).toEqual({ ignoredSigterm: true });
    expect([isAlive(blocked), isAlive(idle)]).toEqual([false, false]);
  });
});

describe('fault: a rank killed (SIGKILL) inside collectives', () => {
  const timeout = 30_000;  // the process group's: the survivor must fail by itself, well before it

  function expectSurvivorError(out: any, killedAt: number, endedAt: number) {
    expect(out.error).toMatchObject({ isTorchError: true, name: 'TorchError', code: 'DIST_ERROR' });
    expect(out.error.message).not.toMatch(/^Timed out/);  // it saw the peer go, it did not wait it out
    expect(out.calls).toBe(3);  // the collectives both ranks joined; the 4th is the one that fails
    expect(endedAt - killedAt).toBeLessThan(10_000);
  }

  it('without a launcher, the survivor fails with a TorchError, not a hang', async () => {
    const env = { ...cleanEnv(), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(await freePort()), WORLD_SIZE: '2' };
    const [zero, one] = [0, 1].map((rank) => started(spawn(process.execPath, ['--import', TSX, RANK, 'fault', String(timeout)], {
      env: { ...env, RANK: String(rank), LOCAL_RANK: String(rank) }, stdio: ['ignore', 'pipe', 'pipe'],
    })));
    await one.waitFor(/"ready":\d+/);
    await new Promise((r) => setTimeout(r, 300));  // rank 0 is inside its 4th allReduce
    one.child.kill('SIGKILL');
    const killedAt = Date.now();
    const [z, o] = await Promise.all([zero.ended, one.ended]);
    expect(o.signal).toBe('SIGKILL');
    expect(z.code, z.stderr).toBe(1);
    expectSurvivorError(JSON.parse(z.stdout.trim().split('\n').pop()!), killedAt, Date.now());
  });

  it('under the launcher, the survivor fails the same way and the launcher exits 1 naming the killed rank', async () => {
    // A 60 s shutdown timeout and ranks that ignore SIGTERM: the launcher cannot be what ends rank 0.
    const l = launcher(['--standalone', '--nproc-per-node', '2', '--shutdown-timeout', '60', RANK, 'fault', String(timeout)]);
    const pid = Number((await l.waitFor(/\[rank1\]: \{"ready":(\d+)\}/))[1]);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    const r = await l.ended;
    expect(r.code, r.stderr).toBe(1);
    expectSurvivorError(jsonOf(r.stdout, 0)[0], killedAt, Date.now());
    expect(r.stderr).toMatch(/the other ranks ended: rank 0 \(local_rank 0, pid \d+\) with exit code 1\n/);
    expect(r.stderr).toMatch(new RegExp(`failed: first failure rank 1 \\(local_rank 1, pid ${pid}\\) with signal SIGKILL\\n$`));
  });
});

describe.skipIf(!fs.existsSync(path.join(ROOT, 'dist', 'lib', 'distributed', 'run.js')))('npx nodetorch run, compiled (npm run build:ts)', () => {
  it('runs a .js script as it is and a .ts script through tsx', async () => {
    const js = await launcher(['--nproc-per-node', '2', PLAIN, 'env'], { cli: BUILT_CLI }).ended;
    expect(js.code, js.stderr).toBe(0);
    for (const rank of [0, 1]) expect(JSON.parse(linesOf(js.stdout, rank)[0]).execArgv).toEqual([]);
    const ts = await launcher(['--nproc-per-node', '2', '--standalone', RANK, 'allReduce'], { cli: BUILT_CLI }).ended;
    expect(ts.code, ts.stderr).toBe(0);
    for (const rank of [0, 1]) expect(jsonOf(ts.stdout, rank)[0]).toMatchObject({ rank, value: [3, 30] });
  });
});
