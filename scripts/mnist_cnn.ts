/**
 * The seed lesson's program (a CNN on MNIST with train(), test() and draw()), line for line in
 * TypeScript. `npm run train` runs its main: train the seed CNN for 6 epochs with SGD, then test
 * and draw with the saved model. `npx nodetorch train|test|draw …` runs the same functions.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';

const { nn, optim, datasets, transforms, DataLoader } = torch;
const { plotCurve, imageGrid } = torch.utils.plot;

export interface Settings {
  model: 'seed' | 'homework';
  epochs: number;
  optimizer: 'sgd' | 'adam';
  lr: number;
  momentum: number;
  batchSize: number;
  device: string;
  dataRoot: string;
  saveDst: string;
  loadDst?: string;
  seed?: number;
  progress: torch.Progress;
  /** A checkpoint `train` saved (in `saveDst`, at each epoch end and on Ctrl-C) to continue from. */
  resume?: string;
  /** A directory for TensorBoard event files (loss, accuracy, learning rate, prediction grids). */
  tensorboard?: string;
  /** Train data-parallel in the process group `nodetorch run` starts (torch.train's `distributed`). */
  distributed?: boolean;
}

/** Whether this process prints and saves: always, except on the ranks after 0 of a distributed run. */
export function isLeader(): boolean { return !torch.distributed.isInitialized() || torch.distributed.getRank() === 0; }

// The seed's model: conv1 1→10 k5, conv2 10→20 k5, linear 320→10.
export class Model extends nn.Module {
  conv1 = new nn.Conv2d(1, 10, 5);
  conv2 = new nn.Conv2d(10, 20, 5);
  linear = new nn.Linear(320, 10);
  mp = new nn.MaxPool2d(2);
  activate = new nn.ReLU();

  forward(x: torch.Tensor): torch.Tensor {
    const batchSize = x.size(0); // batch 维不变, 其它维展开成 320 输入线性层
    x = this.activate(this.mp(this.conv1(x))); // out: N,10,12,12
    x = this.activate(this.mp(this.conv2(x))); // out: N,20,4,4
    x = x.view(batchSize, -1); // out: N,320
    x = this.linear(x);
    return x;
  }
}

// The homework CNN (作业题): a slightly deeper network.
export class HomeworkModel extends nn.Module {
  conv1 = new nn.Conv2d(1, 24, 1);
  conv2 = new nn.Conv2d(24, 16, 3);
  conv3 = new nn.Conv2d(16, 8, 3);
  linear1 = new nn.Linear(32, 64);
  linear2 = new nn.Linear(64, 128);
  linear3 = new nn.Linear(128, 10);
  mp = new nn.MaxPool2d(2);
  activate = new nn.ReLU();

  forward(x: torch.Tensor): torch.Tensor {
    const batchSize = x.size(0);
    x = this.activate(this.mp(this.conv1(x)));
    x = this.activate(this.mp(this.conv2(x)));
    x = this.activate(this.mp(this.conv3(x))); // out: N, 8, 2, 2
    x = x.view(batchSize, -1); // N, 32
    x = this.linear1(x);
    x = this.linear2(x);
    x = this.linear3(x);
    return x;
  }
}

/** Python's `round(x, n)`: half-to-even on the exact binary value, printed as Python prints it. */
export function pyRound(x: number, n: number): string {
  const scale = 10 ** n;
  const scaled = x * scale;
  let r = Math.round(scaled);
  if (Math.abs(scaled % 1) === 0.5 && r % 2 !== 0) r -= 1;
  const value = Number((r / scale).toFixed(n));
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

export function makeData(s: Settings) {
  const trans = new transforms.Compose([
    new transforms.ToTensor(),
    new transforms.Normalize([0.1307], [0.3081]),
  ]);
  const trainSet = new datasets.MNIST({ root: s.dataRoot, train: true, transform: trans, download: true });
  const testSet = new datasets.MNIST({ root: s.dataRoot, train: false, transform: trans, download: true });
  const trainLoader = new DataLoader(trainSet, { batchSize: s.batchSize, shuffle: true, seed: s.seed });
  const testLoader = new DataLoader(testSet, { batchSize: s.batchSize, shuffle: true, seed: s.seed });
  return { trainSet, testSet, trainLoader, testLoader };
}

export function makeModel(s: Settings): torch.nn.Module {
  return s.model === 'homework' ? new HomeworkModel() : new Model();
}

/**
 * The seed's `train()`: prints per-epoch lines, saves `<Optimizer>_acc_<acc>.pth`, plots accuracy.
 * Also keeps `<saveDst>/checkpoint.pth` (each epoch end, and on Ctrl-C, which stops training with
 * an `AbortError`); with `s.resume` it continues from such a checkpoint.
 */
export async function train(
  model: torch.nn.Module, trainLoader: torch.DataLoader, s: Settings, saveDst = './models', testLoader?: torch.DataLoader,
): Promise<string> {
  // Fail before training, not after 6 epochs, when the checkpoint cannot be written.
  fs.mkdirSync(saveDst, { recursive: true });
  fs.accessSync(saveDst, fs.constants.W_OK);
  const criterion = new nn.CrossEntropyLoss(); // 包含了 softmax 层
  const optimizer = s.optimizer === 'adam'
    ? new optim.Adam(model.parameters(), { lr: s.lr })
    : new optim.SGD(model.parameters(), { lr: s.lr, momentum: s.momentum }); // lr=0.01, momentum=0.5
  const optimName = optimizer.constructor.name;
  // Under `nodetorch run`: the process group from the launcher's environment (MASTER_ADDR, RANK, …).
  if (s.distributed && !torch.distributed.isInitialized()) await torch.distributed.initProcessGroup({ backend: 'gloo' });
  if (isLeader()) console.log('optimizer name:', optimName);
  const trainSetSize = trainLoader.dataset.length;
  const history = await torch.train(model, trainLoader, {
    epochs: s.epochs, optimizer, criterion, device: s.device, progress: s.progress,
    checkpoint: { dir: saveDst }, resumeFrom: s.resume, distributed: s.distributed,
    tensorboard: s.tensorboard === undefined ? undefined : { logDir: s.tensorboard, testLoader },
    onEpoch: ({ epoch, loss, correct }) => {
      const acc = correct / trainSetSize;
      if (isLeader()) console.log('epoch:', epoch, 'loss:', loss, 'acc:', Number(pyRound(acc, 3)), `TP: ${correct} / ${trainSetSize}`);
    },
  });
  // With a resume, the epochs before it come from the checkpoint.
  const accLst = history.map(({ correct }) => correct / trainSetSize);
  const acc = accLst.at(-1) ?? 0;
  // 保存模型
  const saved = path.join(saveDst, `${optimName}_acc_${pyRound(acc, 2)}.pth`);
  if (!isLeader()) return saved;
  torch.save(model.stateDict(), saved);
  console.log(`model saved in ${saved}`);
  // 绘制精度曲线 (plt.plot + plt.show → a PNG)
  const curve = plotCurve(accLst, path.join(saveDst, `${optimName}_acc_curve.png`), {
    title: `${optimName} training accuracy`, xlabel: 'epoch', ylabel: 'accuracy',
  });
  console.log(`accuracy curve saved in ${curve}`);
  return saved;
}

/** The seed's `test()`: loads a state dict and prints the test accuracy. */
export async function test(model: torch.nn.Module, testLoader: torch.DataLoader, s: Settings, loadDst = './models/SGD_acc_0.98.pth'): Promise<number> {
  model.loadStateDict(torch.load(loadDst));
  const { accuracy, correct, total } = await torch.evaluate(model, testLoader, { device: s.device, progress: s.progress });
  console.log('acc:', Number(pyRound(accuracy, 4)), `TP: ${correct} / ${total}`);
  return accuracy;
}

/** The seed's `draw()`: a 5×6 grid of test images titled with the predictions, as a PNG. */
export function draw(model: torch.nn.Module, testLoader: torch.DataLoader, loadDst = './models/SGD_acc_0.98.pth'): string {
  model.loadStateDict(torch.load(loadDst));
  model.eval();
  let imgs = torch.empty([0]);
  for ([imgs] of testLoader) break; // next(enumerate(test_loader)); break closes the loader's stream
  const yPred = torch.noGrad(() => model(imgs));
  const predictions = yPred.max(1, true).indices;
  const images = [];
  const titles = [];
  for (let i = 0; i < 30; i++) {
    images.push({ data: imgs.get(i).get(0).toArray() as Float32Array, height: 28, width: 28 });
    titles.push(`p: ${predictions.get(i).item()}`);
  }
  const out = imageGrid(images, titles, loadDst.replace(/\.pth$/, '') + '_draw.png', { rows: 5, cols: 6 });
  console.log(`predictions drawn in ${out}`);
  return out;
}

export const DEFAULTS: Settings = {
  model: 'seed', epochs: 6, optimizer: 'sgd', lr: 0.01, momentum: 0.5, batchSize: 64, device: 'cpu',
  dataRoot: './data', saveDst: './models', progress: 'auto',
};

/** The seed's `if __name__ == '__main__'`: train, then test and draw with the saved model. */
export async function main(s: Settings = DEFAULTS): Promise<void> {
  if (s.seed !== undefined) torch.manualSeed(s.seed);
  const { trainLoader, testLoader } = makeData(s);
  const model = makeModel(s);
  const saved = await train(model, trainLoader, s, s.saveDst, testLoader);
  if (!isLeader()) return;
  await test(makeModel(s), testLoader, s, saved);
  draw(makeModel(s), testLoader, saved);
}

if (require.main === module) {
  main({ ...DEFAULTS, progress: process.stderr.isTTY ? 'bar' : 'none' }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
