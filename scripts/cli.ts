#!/usr/bin/env node
/**
 * `npx nodetorch train|test|draw [options]`: the seed program from the command line, and
 * `npx nodetorch run ...`, the launcher of torch.distributed jobs (lib/distributed/run.ts).
 */
import * as path from 'path';
import { parseArgs } from 'util';
import type { Settings } from './mnist_cnn';

const HELP = `Usage: nodetorch <train|test|draw> [options]
       nodetorch run [launcher options] script [args...]

  train   train a CNN on MNIST, save models/<Optimizer>_acc_<acc>.pth and an accuracy curve PNG
  test    load a saved state dict and print the test accuracy
  draw    load a saved state dict and write a 5x6 PNG grid of test images with predictions
  all     train, then test and draw with the saved model (what \`npm run train\` does)
  run     start the ranks of a torch.distributed script, as torchrun does (nodetorch run --help)

Options:
  --model seed|homework      the seed CNN or the homework CNN (default seed)
  --epochs N                 training epochs (default 6)
  --optimizer sgd|adam       (default sgd)
  --lr X                     learning rate (default 0.01 for sgd, 0.001 for adam)
  --momentum X               SGD momentum (default 0.5)
  --batch-size N             (default 64)
  --device cpu|cuda|auto     (default cpu)
  --data-root DIR            where MNIST/raw/ lives or is copied to (default ./data)
  --save-dst DIR             where train saves checkpoints and plots (default ./models)
  --load-dst FILE            the .pth that test and draw load (default ./models/SGD_acc_0.98.pth)
  --seed N                   seed for weights, shuffling and augmentation
  --resume FILE              continue training from FILE, the checkpoint train keeps in
                             --save-dst (checkpoint.pth: each epoch end, and on Ctrl-C), with
                             the interrupted run's options (the random state is in the file)
  --tensorboard DIR          log loss, accuracy, lr and prediction grids to DIR for TensorBoard
  --nproc-per-node N         train data-parallel in N processes on this machine (started as
                             \`nodetorch run --nproc-per-node N\` does; --batch-size is per process)
  --distributed              train data-parallel in the process group nodetorch run started
  -h, --help                 this help

Ctrl-C during training saves the checkpoint at the next batch, prints the command that resumes,
and exits with status 130; a second Ctrl-C exits at once.
`;

function number(value: string | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new TypeError(`Expected ${integer ? 'an integer' : 'a number'} for --${name} but received ${JSON.stringify(value)}`);
  return n;
}

function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new TypeError(`Expected one of ${allowed.join(', ')} for --${name} but received ${JSON.stringify(value)}`);
  return value as T;
}

/** `argv` without `--name VALUE` and `--name=VALUE`. */
function without(argv: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) i += 1;
    else if (!argv[i].startsWith(`--${name}=`)) out.push(argv[i]);
  }
  return out;
}

/**
 * The data of a distributed run: rank 0 copies MNIST into --data-root first, then the others read
 * it (so that no two ranks write the same files).
 */
async function makeDataOnce(s: Settings, makeData: (s: Settings) => ReturnType<typeof import('./mnist_cnn').makeData>) {
  const { distributed } = await import('../lib');
  if (!distributed.isInitialized()) await distributed.initProcessGroup({ backend: 'gloo' });
  const first = distributed.getRank() === 0 ? makeData(s) : null;
  distributed.barrier();
  return first ?? makeData(s);
}

const shellWord = (word: string) => (/^[\w./:=@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

export async function run(argv: string[]): Promise<number> {
  // The launcher loads no LibTorch: each rank it starts does.
  if (argv[0] === 'run') return (await import('../lib/distributed/run')).main(argv.slice(1));
  const { DEFAULTS, draw, main, makeData, makeModel, test, train } = await import('./mnist_cnn');
  const torch = await import('../lib');
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      model: { type: 'string' }, epochs: { type: 'string' }, optimizer: { type: 'string' }, lr: { type: 'string' },
      momentum: { type: 'string' }, 'batch-size': { type: 'string' }, device: { type: 'string' },
      'data-root': { type: 'string' }, 'save-dst': { type: 'string' }, 'load-dst': { type: 'string' },
      seed: { type: 'string' }, resume: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      tensorboard: { type: 'string' }, 'nproc-per-node': { type: 'string' }, distributed: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 1 : 0;
  }
  if (!['train', 'test', 'draw', 'all'].includes(command) || positionals.length > 1) {
    process.stderr.write(`nodetorch: unknown command ${JSON.stringify(positionals.join(' '))}\n\n${HELP}`);
    return 1;
  }
  const optimizer = oneOf(values.optimizer, 'optimizer', ['sgd', 'adam'] as const) ?? DEFAULTS.optimizer;
  const s: Settings = {
    ...DEFAULTS,
    model: oneOf(values.model, 'model', ['seed', 'homework'] as const) ?? DEFAULTS.model,
    epochs: number(values.epochs, 'epochs', true) ?? DEFAULTS.epochs,
    optimizer,
    lr: number(values.lr, 'lr', false) ?? (optimizer === 'adam' ? 1e-3 : DEFAULTS.lr),
    momentum: number(values.momentum, 'momentum', false) ?? DEFAULTS.momentum,
    batchSize: number(values['batch-size'], 'batch-size', true) ?? DEFAULTS.batchSize,
    device: oneOf(values.device, 'device', ['cpu', 'cuda', 'auto'] as const) ?? DEFAULTS.device,
    dataRoot: values['data-root'] ?? DEFAULTS.dataRoot,
    saveDst: values['save-dst'] ?? DEFAULTS.saveDst,
    loadDst: values['load-dst'],
    seed: number(values.seed, 'seed', true),
    progress: process.stderr.isTTY ? 'bar' : 'none',
    resume: values.resume,
    tensorboard: values.tensorboard,
    distributed: values.distributed,
  };
  const training = command === 'train' || command === 'all';
  const nproc = number(values['nproc-per-node'], 'nproc-per-node', true);
  if (nproc !== undefined) {
    if (!training) throw new TypeError(`Expected --nproc-per-node with train or all but received ${JSON.stringify(command)}`);
    // This same command in N ranks, each training with --distributed.
    const rank = [...without(argv, 'nproc-per-node'), '--distributed'];
    return (await import('../lib/distributed/run')).main(['--nproc-per-node', String(nproc), '--standalone', __filename, ...rank]);
  }
  if (s.resume !== undefined && !training) throw new TypeError(`Expected --resume with train or all but received ${JSON.stringify(command)}`);
  if (s.seed !== undefined) torch.manualSeed(s.seed);
  try {
    if (command === 'all') {
      if (s.distributed) await makeDataOnce(s, makeData);
      await main(s);
      return 0;
    }
    const { trainLoader, testLoader } = s.distributed ? await makeDataOnce(s, makeData) : makeData(s);
    const loadDst = s.loadDst ?? './models/SGD_acc_0.98.pth';
    if (command === 'train') await train(makeModel(s), trainLoader, s, s.saveDst, testLoader);
    else if (command === 'test') await test(makeModel(s), testLoader, s, loadDst);
    else draw(makeModel(s), testLoader, loadDst);
    return 0;
  } catch (e) {
    if (!training || (e as Error).name !== 'AbortError') throw e;
    const file = path.join(s.saveDst, 'checkpoint.pth');
    let again = [...without(argv, 'resume'), '--resume', file];
    if (s.distributed) {
      // A rank of `--nproc-per-node N`: rank 0 tells how to run all N again.
      if (process.env.RANK !== '0') return 130;
      again = [...again.filter((a) => a !== '--distributed'), '--nproc-per-node', process.env.WORLD_SIZE ?? '1'];
    }
    process.stderr.write(`\nnodetorch: ${(e as Error).message}\nresume with: nodetorch ${again.map(shellWord).join(' ')}\n`);
    return 130;
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e: Error) => {
      process.stderr.write(`nodetorch: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
