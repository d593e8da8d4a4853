/**
 * `torch.distributed.run`: PyTorch's torchrun for nodetorch scripts, on the command line as
 * `npx nodetorch run`. It starts the processes of one distributed job on this node, each with the
 * environment torchrun gives its workers (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK,
 * LOCAL_WORLD_SIZE, GROUP_RANK, ...), so the script's `initProcessGroup()` (`env://`) joins the
 * group; it prefixes each line a rank prints with `[rank<RANK>]: `, and stops every rank as soon
 * as one fails. Static rendezvous only: no elastic restarts or node ranges.
 *
 * @example
 * ```ts
 * // npx nodetorch run --nproc-per-node 2 train.ts --epochs 1
 * const { exitCode } = await torch.distributed.run.run({ nprocPerNode: 2, script: 'train.ts', args: ['--epochs', '1'] });
 * ```
 * @module
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TorchError, describePath, rangeError, typeError } from '../errors';
import { checkInt, checkOptions } from '../validate';
import { freePort, inheritedExecArgv, launch, type LaunchConfig, type LaunchResult } from './launcher';

export type { LaunchResult, RankExit } from './launcher';

/** Options of {@link run}: torchrun's, camelCase. */
export interface RunOptions {
  /** The script to run in every rank: `.js`, `.mjs`, `.cjs` as it is, `.ts`, `.mts`, `.cts` through tsx. */
  script: string;
  /** The script's arguments. Default none. */
  args?: string[];
  /**
   * Processes on this node: a count, `'cpu'` (the CPUs this process may run on, as torchrun counts
   * them), `'gpu'` (the CUDA devices) or `'auto'` (the CUDA devices if any, else `'cpu'`). Default 1.
   */
  nprocPerNode?: number | 'auto' | 'cpu' | 'gpu';
  /** Nodes in the job, each running this launcher with the same options but its own `nodeRank`. Default 1. */
  nnodes?: number;
  /** This node's rank in [0, nnodes). Default 0. */
  nodeRank?: number;
  /** Address of node 0, where rank 0 serves the store. Default `'127.0.0.1'`. */
  masterAddr?: string;
  /** Port of that store. Default 29500. */
  masterPort?: number;
  /** One node on a free port of 127.0.0.1 (torchrun's `--standalone`); excludes `masterAddr` and `masterPort`. Default false. */
  standalone?: boolean;
  /**
   * Milliseconds between SIGTERM and SIGKILL when ranks are stopped. Default
   * `TORCH_ELASTIC_SHUTDOWN_TIMEOUT` (seconds, as torchrun reads it) or 30 s.
   */
  shutdownTimeout?: number;
}

const KEYS = ['script', 'args', 'nprocPerNode', 'nnodes', 'nodeRank', 'masterAddr', 'masterPort', 'standalone', 'shutdownTimeout'] as const;
type Key = (typeof KEYS)[number];

const TS_EXTENSIONS = ['.ts', '.mts', '.cts'];

/** Names options as the caller wrote them: `nprocPerNode` for {@link run}, `--nproc-per-node` for {@link main}. */
type Label = (key: Key) => string;
const optionLabel: Label = (key) => key;
const flagLabel: Label = (key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The CPUs this process may run on (torch._utils.cpu_count: sched_getaffinity). */
function cpuCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

async function cudaDeviceCount(): Promise<number> {
  // Only 'gpu' and 'auto' load LibTorch in the launcher.
  const { cuda } = await import('../torch');
  return cuda.isAvailable() ? cuda.deviceCount() : 0;
}

const NPROC = "an integer, 'cpu', 'gpu' or 'auto'";

/** torchrun's determine_local_world_size. */
async function localWorldSize(value: unknown, label: string): Promise<number> {
  if (value === undefined) return 1;
  if (typeof value === 'number') return checkInt(value, label, 1);
  if (value === 'cpu') return cpuCount();
  if (value === 'gpu' || value === 'auto') {
    const gpus = await cudaDeviceCount();
    if (gpus > 0) return gpus;
    if (value === 'auto') return cpuCount();
    throw new TorchError(`${label} gpu asks for one rank per CUDA device, but CUDA is not available`, 'CUDA_UNAVAILABLE');
  }
  throw typeError(NPROC, label, value);
}

/**
 * The Node options that run `script`: the launcher's own (but those that would run something
 * else or open a debugger port), and tsx's loader for TypeScript, found from the script's folder
 * or the working directory, as the script's own imports would be.
 */
function nodeArgsFor(script: string, given: string): string[] {
  const args = inheritedExecArgv(process.execArgv);
  if (!TS_EXTENSIONS.includes(path.extname(script))) return args;
  let loader: string;
  try {
    loader = require.resolve('tsx', { paths: [path.dirname(script), process.cwd()] });
  } catch {
    throw new TorchError(`Running the TypeScript script ${describePath(given)} needs the npm package 'tsx' (npm install --save-dev tsx), or compile it and run the .js`, 'TSX_UNAVAILABLE');
  }
  return [...args, '--import', pathToFileURL(loader).href];
}

/** `options` checked, with every default filled, as {@link launch} takes them. */
async function launchConfig(options: RunOptions, label: Label): Promise<LaunchConfig> {
  const o = checkOptions(options, 'options', KEYS);
  if (typeof o.script !== 'string' || o.script === '') throw typeError('a script path', label('script'), o.script);
  const script = path.resolve(o.script);
  if (!fs.statSync(script, { throwIfNoEntry: false })?.isFile()) {
    throw new TorchError(`Cannot find the script ${describePath(o.script)} (from ${describePath(process.cwd())})`, 'SCRIPT_NOT_FOUND');
  }
  const args = o.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw typeError('an array of strings', label('args'), args);
  const standalone = o.standalone ?? false;
  if (typeof standalone !== 'boolean') throw typeError('a boolean', label('standalone'), standalone);
  const nnodes = o.nnodes === undefined ? 1 : checkInt(o.nnodes, label('nnodes'), 1);
  if (standalone && nnodes !== 1) throw rangeError(`1 with ${label('standalone')}`, label('nnodes'), nnodes);
  const nodeRank = o.nodeRank === undefined ? 0 : checkInt(o.nodeRank, label('nodeRank'), 0, nnodes - 1);
  const masterAddr = o.masterAddr ?? '127.0.0.1';
  if (typeof masterAddr !== 'string' || masterAddr === '') throw typeError('a host name or address', label('masterAddr'), masterAddr);
  for (const key of ['masterAddr', 'masterPort'] as const) {
    if (standalone && o[key] !== undefined) throw typeError(`none with ${label('standalone')}, which picks a free port of 127.0.0.1`, label(key), o[key]);
  }
  const masterPort = o.masterPort === undefined ? 29500 : checkInt(o.masterPort, label('masterPort'), 1, 65535);
  const shutdownTimeout = o.shutdownTimeout ?? 1000 * Number(process.env.TORCH_ELASTIC_SHUTDOWN_TIMEOUT ?? 30);
  if (typeof shutdownTimeout !== 'number') throw typeError('a number of milliseconds', label('shutdownTimeout'), shutdownTimeout);
  if (!(shutdownTimeout >= 0)) throw rangeError('a time >= 0', label('shutdownTimeout'), shutdownTimeout);
  const nprocPerNode = await localWorldSize(o.nprocPerNode, label('nprocPerNode'));
  const nodeArgs = nodeArgsFor(script, o.script);
  const env = { ...process.env };
  if (env.OMP_NUM_THREADS === undefined && nprocPerNode > 1) {
    // torchrun's rule, so that the ranks' thread pools do not overload the CPUs between them.
    env.OMP_NUM_THREADS = '1';
    process.stderr.write('nodetorch run: setting OMP_NUM_THREADS to 1 for each rank, as torchrun does, so the ranks do not overload the CPUs; set it to tune\n');
  }
  return {
    nprocPerNode, nnodes, nodeRank, masterAddr: standalone ? '127.0.0.1' : masterAddr,
    masterPort: standalone ? await freePort() : masterPort,
    shutdownTimeout, nodeArgs, script: o.script, args: [...args], env,
  };
}

/**
 * Runs `options.script` as the ranks of this node and resolves when all have ended: with exit
 * code 0 when all exited 0; 1 when one exited non-zero or by a signal, which stopped the others
 * (SIGTERM, then SIGKILL after `shutdownTimeout`); 128 + n when the launcher got signal n
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT), which it sent to every rank. Each line a rank prints goes
 * to this process's stdout or stderr after `[rank<RANK>]: `.
 *
 * @example
 * ```ts
 * const result = await torch.distributed.run.run({ nprocPerNode: 2, script: 'train.ts' });
 * if (result.firstFailure) console.error(`rank ${result.firstFailure.rank} failed`);
 * ```
 */
export async function run(options: RunOptions): Promise<LaunchResult> {
  return launch(await launchConfig(options, optionLabel));
}

/** Launcher options with a value, by flag. */
const VALUE_FLAGS: Record<string, Key> = {
  '--nproc-per-node': 'nprocPerNode', '--nnodes': 'nnodes', '--node-rank': 'nodeRank',
  '--master-addr': 'masterAddr', '--master-port': 'masterPort', '--shutdown-timeout': 'shutdownTimeout',
};

function integerArg(text: string, flag: string, what = 'an integer'): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw typeError(what, flag, text);
  return Number(text);
}

/** A flag's text as {@link RunOptions} holds it. */
function optionValue(key: Key, text: string, flag: string): RunOptions[Key] {
  switch (key) {
    case 'nprocPerNode':
      return ['cpu', 'gpu', 'auto'].includes(text) ? text as 'cpu' | 'gpu' | 'auto' : integerArg(text, flag, NPROC);
    case 'nnodes':
      if (text.includes(':')) throw typeError('a number of nodes (MIN:MAX ranges of elastic jobs are not supported)', flag, text);
      return integerArg(text, flag);
    case 'masterAddr': return text;
    case 'shutdownTimeout': {
      const seconds = Number(text);
      if (text.trim() === '' || !Number.isFinite(seconds)) throw typeError('a number of seconds', flag, text);
      return seconds * 1000;
    }
    default: return integerArg(text, flag);
  }
}

/**
 * torchrun's command line as {@link RunOptions}: launcher options (`--name value`,
 * `--name=value`, and torchrun's `--name_with_underscores`), then the script, then its arguments
 * untouched (`--` may end the launcher's options). `null` when `-h`/`--help` asks for the usage.
 *
 * @example
 * ```ts
 * parseArgs(['--nproc_per_node=2', 'train.ts', '--lr', '0.1']);
 * // { nprocPerNode: 2, script: 'train.ts', args: ['--lr', '0.1'] }
 * ```
 */
export function parseArgs(argv: readonly string[]): RunOptions | null {
  const options: Partial<Record<Key, unknown>> = {};
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    if (argv[i] === '--') { i += 1; break; }
    if (argv[i] === '-h' || argv[i] === '--help') return null;
    const eq = argv[i].indexOf('=');
    const flag = (eq < 0 ? argv[i] : argv[i].slice(0, eq)).replace(/_/g, '-');
    if (flag === '--standalone' && eq < 0) {
      options.standalone = true;
      continue;
    }
    const key = VALUE_FLAGS[flag];
    if (key === undefined) throw typeError(`a launcher option (${[...Object.keys(VALUE_FLAGS), '--standalone'].join(', ')}) or the script`, 'nodetorch run', argv[i]);
    let text: string;
    if (eq >= 0) text = argv[i].slice(eq + 1);
    else if (i + 1 < argv.length) text = argv[++i];
    else throw typeError('a value', flag, undefined);
    options[key] = optionValue(key, text, flag);
  }
  if (i >= argv.length) throw typeError('a script to run after the launcher options', 'nodetorch run', undefined);
  return { ...options, script: argv[i], args: argv.slice(i + 1) } as RunOptions;
}

/** The usage `nodetorch run --help` prints. */
const HELP = `Usage: nodetorch run [options] script [args...]

Starts the processes of one torch.distributed job on this node, as PyTorch's torchrun does. Each
rank gets MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK and
NODE_RANK, so the script's \`await torch.distributed.initProcessGroup()\` joins the group. A .ts,
.mts or .cts script runs through tsx (npm install --save-dev tsx); others run with node as they are.

Options (torchrun's; --nproc_per_node and the like work too):
  --nproc-per-node N|cpu|gpu|auto  ranks on this node (default 1); cpu: one per CPU this process may
                                   use; gpu: one per CUDA device; auto: gpu if CUDA is there, else cpu
  --nnodes M                       nodes in the job, each running this command (default 1)
  --node-rank R                    this node's rank, 0 to M-1 (default 0)
  --master-addr A                  address of node 0 (default 127.0.0.1)
  --master-port P                  port of rank 0's store on node 0 (default 29500)
  --standalone                     one node, on a free port of 127.0.0.1
  --shutdown-timeout S             seconds from SIGTERM to SIGKILL when stopping the ranks (default
                                   $TORCH_ELASTIC_SHUTDOWN_TIMEOUT, else 30)
  -h, --help                       this help

Every line a rank prints comes out after [rank<RANK>]: . When a rank exits non-zero or by a signal,
the others get SIGTERM (SIGKILL after the shutdown timeout) and the launcher exits 1 naming that
rank. SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to the launcher go to every rank.
`;

/**
 * `nodetorch run ...` (Python's `torch.distributed.run.main`): parses `argv`, runs the ranks and
 * resolves with the exit code for the launcher, 2 for a usage error (as torchrun's argparse).
 *
 * @example
 * ```ts
 * process.exitCode = await torch.distributed.run.main(['--nproc-per-node', '2', 'train.ts']);
 * ```
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  try {
    const options = parseArgs(argv);
    if (options === null) {
      process.stdout.write(HELP);
      return 0;
    }
    return (await launch(await launchConfig(options, flagLabel))).exitCode;
  } catch (e) {
    if (!(e instanceof TypeError || e instanceof RangeError || e instanceof TorchError)) throw e;
    process.stderr.write(`nodetorch run: ${e.message}\n`);
    return e instanceof TorchError ? 1 : 2;
  }
}
