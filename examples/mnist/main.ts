/**
 * PyTorch's MNIST example (pytorch/examples, mnist/main.py), ported line for line.
 * Run: npx tsx examples/mnist/main.ts [--epochs 14] [--dry-run] [--save-model] …
 *
 * Differences from the Python, each forced by the language or the platform:
 * - argparse → node:util parseArgs, same flags and defaults (no --no-mps: LibTorch on Linux has no MPS);
 *   `--data` names the data folder the Python hard-codes as '../data'.
 * - `with torch.no_grad():` → `using _ = torch.noGrad();`, keyword arguments → an options object.
 * - The CUDA DataLoader keywords num_workers/pin_memory are left out: batches are already made on
 *   a background thread.
 */
import { parseArgs } from 'node:util';
import * as torch from '../../lib';
import { nn, optim, datasets, transforms } from '../../lib';

const F = nn.functional;
const { StepLR } = optim.lrScheduler;

export class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
  conv2 = new nn.Conv2d(32, 64, 3, { stride: 1 });
  dropout1 = new nn.Dropout(0.25);
  dropout2 = new nn.Dropout(0.5);
  fc1 = new nn.Linear(9216, 128);
  fc2 = new nn.Linear(128, 10);

  forward(x: torch.Tensor): torch.Tensor {
    x = this.conv1(x);
    x = F.relu(x);
    x = this.conv2(x);
    x = F.relu(x);
    x = F.maxPool2d(x, 2);
    x = this.dropout1(x);
    x = torch.flatten(x, 1);
    x = this.fc1(x);
    x = F.relu(x);
    x = this.dropout2(x);
    x = this.fc2(x);
    const output = F.logSoftmax(x, 1);
    return output;
  }
}

export interface Args {
  batchSize: number;
  testBatchSize: number;
  epochs: number;
  lr: number;
  gamma: number;
  noCuda: boolean;
  dryRun: boolean;
  seed: number;
  logInterval: number;
  saveModel: boolean;
  data: string;
}

export function train(args: Args, model: Net, device: string, trainLoader: torch.DataLoader, optimizer: optim.Optimizer, epoch: number): void {
  model.train();
  let batchIdx = 0;
  for (let [data, target] of trainLoader) {
    [data, target] = [data.to(device), target.to(device)];
    optimizer.zeroGrad();
    const output = model(data);
    const loss = F.nllLoss(output, target);
    loss.backward();
    optimizer.step();
    if (batchIdx % args.logInterval === 0) {
      console.log(`Train Epoch: ${epoch} [${batchIdx * data.length}/${trainLoader.dataset.length} ` +
        `(${(100 * batchIdx / trainLoader.length).toFixed(0)}%)]\tLoss: ${loss.item().toFixed(6)}`);
      if (args.dryRun) break;
    }
    batchIdx += 1;
  }
}

export function test(model: Net, device: string, testLoader: torch.DataLoader): { testLoss: number; correct: number } {
  model.eval();
  let testLoss = 0;
  let correct = 0;
  {
    using _ = torch.noGrad();
    for (let [data, target] of testLoader) {
      [data, target] = [data.to(device), target.to(device)];
      const output = model(data);
      testLoss += F.nllLoss(output, target, { reduction: 'sum' }).item(); // sum up batch loss
      const pred = output.argmax(1, true); // get the index of the max log-probability
      correct += pred.eq(target.viewAs(pred)).sum().item();
    }
  }

  testLoss /= testLoader.dataset.length;

  console.log(`\nTest set: Average loss: ${testLoss.toFixed(4)}, Accuracy: ${correct}/${testLoader.dataset.length} ` +
    `(${(100 * correct / testLoader.dataset.length).toFixed(0)}%)\n`);
  return { testLoss, correct };
}

export function parse(argv: string[]): Args {
  // Training settings
  const { values } = parseArgs({
    args: argv,
    options: {
      'batch-size': { type: 'string', default: '64' }, // input batch size for training (default: 64)
      'test-batch-size': { type: 'string', default: '1000' }, // input batch size for testing (default: 1000)
      epochs: { type: 'string', default: '14' }, // number of epochs to train (default: 14)
      lr: { type: 'string', default: '1.0' }, // learning rate (default: 1.0)
      gamma: { type: 'string', default: '0.7' }, // Learning rate step gamma (default: 0.7)
      'no-cuda': { type: 'boolean', default: false }, // disables CUDA training
      'dry-run': { type: 'boolean', default: false }, // quickly check a single pass
      seed: { type: 'string', default: '1' }, // random seed (default: 1)
      'log-interval': { type: 'string', default: '10' }, // how many batches to wait before logging training status
      'save-model': { type: 'boolean', default: false }, // For Saving the current Model
      data: { type: 'string', default: '../data' }, // where MNIST is (or is copied to)
    },
  });
  return {
    batchSize: Number(values['batch-size']), testBatchSize: Number(values['test-batch-size']), epochs: Number(values.epochs),
    lr: Number(values.lr), gamma: Number(values.gamma), noCuda: values['no-cuda'] as boolean, dryRun: values['dry-run'] as boolean,
    seed: Number(values.seed), logInterval: Number(values['log-interval']), saveModel: values['save-model'] as boolean,
    data: values.data as string,
  };
}

export function main(argv = process.argv.slice(2)): void {
  const args = parse(argv);
  const useCuda = !args.noCuda && torch.cuda.isAvailable();

  torch.manualSeed(args.seed);

  const device = torch.device(useCuda ? 'cuda' : 'cpu');

  const trainKwargs: torch.DataLoaderOptions = { batchSize: args.batchSize };
  const testKwargs: torch.DataLoaderOptions = { batchSize: args.testBatchSize };
  if (useCuda) {
    const cudaKwargs = { shuffle: true };
    Object.assign(trainKwargs, cudaKwargs);
    Object.assign(testKwargs, cudaKwargs);
  }

  const transform = new transforms.Compose([
    new transforms.ToTensor(),
    new transforms.Normalize([0.1307], [0.3081]),
  ]);
  const dataset1 = new datasets.MNIST(args.data, { train: true, download: true, transform });
  const dataset2 = new datasets.MNIST(args.data, { train: false, transform });
  const trainLoader = new torch.DataLoader(dataset1, trainKwargs);
  const testLoader = new torch.DataLoader(dataset2, testKwargs);

  const model = new Net().to(device);
  const optimizer = new optim.Adadelta(model.parameters(), { lr: args.lr });

  const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: args.gamma });
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    train(args, model, device, trainLoader, optimizer, epoch);
    test(model, device, testLoader);
    scheduler.step();
  }

  if (args.saveModel) torch.save(model.stateDict(), 'mnist_cnn.pt');
}

if (require.main === module) main();
