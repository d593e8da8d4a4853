/**
 * @internal The process supervisor behind `torch.distributed.run` (`npx nodetorch run`), as
 * torch.distributed.elastic's local agent is torchrun's: it starts one Node process per local
 * rank with torchrun's environment, prefixes each line they print with `[rank<RANK>]: `, stops
 * every rank as soon as one fails, and forwards the signals the launcher receives.
 *
 * It loads no LibTorch: a launcher of processes that each load LibTorch need not.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as os from 'os';
import type { Readable, Writable } from 'stream';

/** What {@link launch} runs, complete and checked (lib/distributed/run.ts fills it). */
export interface LaunchConfig {
  nprocPerNode: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number;
  /** Milliseconds between SIGTERM and SIGKILL when the ranks are stopped. */
  shutdownTimeout: number;
  /** Node's options before the script (inherited ones, tsx's `--import`). */
  nodeArgs: string[];
  script: string;
  args: string[];
  /** The environment every rank starts from; the rank's own variables are added to it. */
  env: NodeJS.ProcessEnv;
}

/** How one rank ended. */
export interface RankExit {
  /** The global rank (RANK). */
  rank: number;
  localRank: number;
  pid: number | undefined;
  /** The exit code, or null when a signal ended the process. */
  exitCode: number | null;
  /** The signal that ended the process, or null. */
  signal: NodeJS.Signals | null;
}

/** What a launch ended with. */
export interface LaunchResult {
  /** 0 when every rank exited 0; 1 when a rank failed; 128 + n when the launcher got signal n. */
  exitCode: number;
  /** The first rank seen to exit non-zero or by a signal (before any stop), or null. */
  firstFailure: RankExit | null;
  /** The signal the launcher received and forwarded, or null. */
  signal: NodeJS.Signals | null;
  /** Every rank's end, in local rank order. */
  ranks: RankExit[];
}

/** torchrun's default `--signals-to-handle`. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

// Each rank leads its own process group (torchrun starts workers with start_new_session), so a
// Ctrl-C at a terminal reaches the launcher alone, which forwards it once, and stopping a rank
// also stops the processes it started.
const OWN_GROUP = process.platform !== 'win32';

/**
 * torchrun's worker environment (torch/distributed/elastic/agent/server/local_elastic_agent.py)
 * for local rank `localRank`, without its elastic-agent bookkeeping (TORCHELASTIC_*), plus
 * NODE_RANK. Every node starts the same number of ranks.
 */
export function rankEnv(c: LaunchConfig, localRank: number): Record<string, string> {
  const worldSize = c.nnodes * c.nprocPerNode;
  const rank = c.nodeRank * c.nprocPerNode + localRank;
  return {
    MASTER_ADDR: c.masterAddr,
    MASTER_PORT: String(c.masterPort),
    WORLD_SIZE: String(worldSize),
    RANK: String(rank),
    LOCAL_RANK: String(localRank),
    LOCAL_WORLD_SIZE: String(c.nprocPerNode),
    GROUP_RANK: String(c.nodeRank),
    GROUP_WORLD_SIZE: String(c.nnodes),
    ROLE_NAME: 'default',
    ROLE_RANK: String(rank),
    ROLE_WORLD_SIZE: String(worldSize),
    NODE_RANK: String(c.nodeRank),
  };
}

// Node options a rank does not inherit: each would run something other than the script, or open a
// debugger port that only one process can listen on.
const NOT_INHERITED = /^(-e|--eval|-p|--print|-i|--interactive|-c|--check|--test.*|--watch.*|--inspect.*|--debug.*)$/;
const TAKES_VALUE = new Set(['-e', '--eval', '-p', '--print', '--inspect-port', '--debug-port', '--watch-path']);

/**
 * The launcher's Node options (`process.execArgv`) a rank starts with: all but those in
 * NOT_INHERITED, with their values.
 */
export function inheritedExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const eq = execArgv[i].indexOf('=');
    const flag = eq < 0 ? execArgv[i] : execArgv[i].slice(0, eq);
    if (!flag.startsWith('-') || !NOT_INHERITED.test(flag)) out.push(execArgv[i]);
    else if (eq < 0 && TAKES_VALUE.has(flag)) i += 1;
  }
  return out;
}

/** A port of `host` nobody listens on now: the kernel picks it for a listener closed at once. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const NEWLINE = 0x0a;

/**
 * Copies `from` to `to` whole lines at a time, each after `prefix`: a line a rank writes in
 * pieces is held until its newline, so lines of different ranks never mix. The last line gets a
 * newline if it lacks one. A slow `to` pauses `from`.
 */
export function pipeLines(from: Readable, to: Writable, prefix: string): void {
  const head = Buffer.from(prefix);
  let pending: Buffer[] = [];
  const write = (parts: Buffer[]) => {
    if (!to.write(Buffer.concat(parts))) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  };
  from.on('data', (chunk: Buffer) => {
    const parts: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      parts.push(head, ...pending, chunk.subarray(start, nl + 1));
      pending = [];
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
    if (parts.length > 0) write(parts);
  });
  from.on('end', () => {
    if (pending.length > 0) write([head, ...pending, Buffer.from('\n')]);
    pending = [];
  });
}

/** `rank 1 (local_rank 1, pid 4242)`. */
export function describeRank(r: RankExit): string {
  return `rank ${r.rank} (local_rank ${r.localRank}, pid ${r.pid ?? 'none'})`;
}

/** `exit code 3` or `signal SIGKILL`. */
export function describeEnd(r: RankExit): string {
  return r.signal !== null ? `signal ${r.signal}` : `exit code ${r.exitCode}`;
}

interface Rank {
  exit: RankExit;
  child: ChildProcess;
  /** Exited and its output streams ended. */
  closed: boolean;
}

/** Sends `signal` to the rank and whatever it started; a rank already gone is no error. */
function signalRank(r: Rank, signal: NodeJS.Signals): void {
  try {
    if (OWN_GROUP && r.child.pid !== undefined) process.kill(-r.child.pid, signal);
    else r.child.kill(signal);
  } catch {
    // ESRCH: the rank and its group are gone.
  }
}

const say = (line: string) => process.stderr.write(`nodetorch run: ${line}\n`);

/**
 * Runs `c.script` as local ranks 0 … nprocPerNode - 1 of this node and resolves when all have
 * ended and their output is written. The first rank to exit non-zero or by a signal stops the
 * others (SIGTERM, SIGKILL after `shutdownTimeout`); SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to
 * the launcher while it runs go to every rank the same way.
 */
export function launch(c: LaunchConfig): Promise<LaunchResult> {
  return new Promise((resolve) => {
    let firstFailure: RankExit | null = null;
    let received: NodeJS.Signals | null = null;
    let stopping = false;
    let killTimer: NodeJS.Timeout | undefined;
    const ranks: Rank[] = [];

    const stop = (signal: NodeJS.Signals) => {
      stopping = true;
      for (const r of ranks) if (!r.closed) signalRank(r, signal);
      killTimer ??= setTimeout(() => {
        for (const r of ranks) if (!r.closed) signalRank(r, 'SIGKILL');
      }, c.shutdownTimeout);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      received ??= signal;
      say(`got ${signal}; sending it to every rank`);
      stop(signal);
    };
    for (const s of FORWARDED) process.on(s, onSignal);

    const finish = () => {
      if (!ranks.every((r) => r.closed)) return;
      clearTimeout(killTimer);
      for (const s of FORWARDED) process.off(s, onSignal);
      const exits = ranks.map((r) => r.exit);
      const ends = (list: RankExit[]) => list.map((e) => `${describeRank(e)} with ${describeEnd(e)}`).join('; ');
      if (received !== null) {
        say(`${c.script} stopped by ${received}: ${ends(exits)}`);
      } else if (firstFailure !== null) {
        const others = exits.filter((e) => e !== firstFailure && (e.exitCode !== 0 || e.signal !== null));
        if (others.length > 0) say(`the other ranks ended: ${ends(others)}`);
        say(`${c.script} failed: first failure ${ends([firstFailure])}`);
      }
      const exitCode = received !== null ? 128 + os.constants.signals[received] : firstFailure !== null ? 1 : 0;
      resolve({ exitCode, firstFailure, signal: received, ranks: exits });
    };

    for (let localRank = 0; localRank < c.nprocPerNode; localRank++) {
      const env = { ...c.env, ...rankEnv(c, localRank) };
      const child = spawn(process.execPath, [...c.nodeArgs, c.script, ...c.args], {
        env, stdio: ['inherit', 'pipe', 'pipe'], detached: OWN_GROUP,
      });
      const r: Rank = { exit: { rank: Number(env.RANK), localRank, pid: child.pid, exitCode: null, signal: null }, child, closed: false };
      ranks.push(r);
      const prefix = `[rank${env.RANK}]: `;
      pipeLines(child.stdout!, process.stdout, prefix);
      pipeLines(child.stderr!, process.stderr, prefix);
      child.on('exit', (code, signal) => {
        r.exit.exitCode = code;
        r.exit.signal = signal;
        if ((code === 0 && signal === null) || stopping) return;
        firstFailure = r.exit;
        stop('SIGTERM');
      });
      const closed = () => {
        if (r.closed) return;
        // Said once its own last lines are out, so they come before it.
        if (r.exit === firstFailure) say(`${describeRank(r.exit)} failed with ${describeEnd(r.exit)}; stopping the other ranks (SIGTERM, then SIGKILL after ${c.shutdownTimeout / 1000} s)`);
        r.closed = true;
        finish();
      };
      child.on('close', closed);
      child.on('error', (e) => {
        // The process could not start: a failure like any other.
        say(`${describeRank(r.exit)} could not start: ${e.message}`);
        if (!stopping) { firstFailure = r.exit; stop('SIGTERM'); }
        closed();
      });
    }
  });
}
