/**
 * PyTorch's Quickstart tutorial (pytorch.org/tutorials/beginner/basics/quickstart_tutorial),
 * ported line for line. Run: npx tsx examples/quickstart/quickstart.ts [epochs]
 *
 * Differences from the Python, each forced by the language:
 * - the module-level script is `main()`, so the test can import NeuralNetwork, train and test;
 * - `test_data[0]` → `testData.get(0)`, `pred[0]` → `pred.get(0)`, and a tensor used as a list
 *   index needs `.item()` (JS has no `__index__`);
 * - `with torch.no_grad():` → `using _ = torch.noGrad();`.
 */
import * as torch from '../../lib';
import { nn, DataLoader, datasets, transforms } from '../../lib';

const { ToTensor } = transforms;

export class NeuralNetwork extends nn.Module {
  flatten = new nn.Flatten();
  linear_relu_stack = new nn.Sequential(
    new nn.Linear(28 * 28, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );

  forward(x: torch.Tensor): torch.Tensor {
    x = this.flatten(x);
    const logits = this.linear_relu_stack(x);
    return logits;
  }
}

const device = torch.accelerator.isAvailable() ? torch.accelerator.currentAccelerator()!.type : 'cpu';

export function train(dataloader: DataLoader, model: nn.Module, lossFn: nn.Module, optimizer: torch.optim.Optimizer): void {
  const size = dataloader.dataset.length;
  model.train();
  let batch = 0;
  for (let [X, y] of dataloader) {
    [X, y] = [X.to(device), y.to(device)];

    // Compute prediction error
    const pred = model(X);
    const loss = lossFn(pred, y);

    // Backpropagation
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad();

    if (batch % 100 === 0) {
      const [lossValue, current] = [loss.item(), (batch + 1) * X.length];
      console.log(`loss: ${lossValue.toFixed(6).padStart(7)}  [${String(current).padStart(5)}/${String(size).padStart(5)}]`);
    }
    batch += 1;
  }
}

export function test(dataloader: DataLoader, model: nn.Module, lossFn: nn.Module): void {
  const size = dataloader.dataset.length;
  const numBatches = dataloader.length;
  model.eval();
  let [testLoss, correct] = [0, 0];
  {
    using _ = torch.noGrad();
    for (let [X, y] of dataloader) {
      [X, y] = [X.to(device), y.to(device)];
      const pred = model(X);
      testLoss += lossFn(pred, y).item();
      correct += pred.argmax(1).eq(y).type(torch.float).sum().item();
    }
  }
  testLoss /= numBatches;
  correct /= size;
  console.log(`Test Error: \n Accuracy: ${(100 * correct).toFixed(1)}%, Avg loss: ${testLoss.toFixed(6).padStart(8)} \n`);
}

export function main(epochs = 5): void {
  // Download training data from open datasets.
  const trainingData = new datasets.FashionMNIST('data', { train: true, download: true, transform: new ToTensor() });

  // Download test data from open datasets.
  const testData = new datasets.FashionMNIST('data', { train: false, download: true, transform: new ToTensor() });

  const batchSize = 64;

  // Create data loaders.
  const trainDataloader = new DataLoader(trainingData, { batchSize });
  const testDataloader = new DataLoader(testData, { batchSize });

  for (const [X, y] of testDataloader) {
    console.log(`Shape of X [N, C, H, W]: ${X.shape}`);
    console.log(`Shape of y: ${y.shape} ${y.dtype}`);
    break;
  }

  console.log(`Using ${device} device`);

  const model = new NeuralNetwork().to(device);
  console.log(model);

  const lossFn = new nn.CrossEntropyLoss();
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 1e-3 });

  for (let t = 0; t < epochs; t++) {
    console.log(`Epoch ${t + 1}\n-------------------------------`);
    train(trainDataloader, model, lossFn, optimizer);
    test(testDataloader, model, lossFn);
  }
  console.log('Done!');

  torch.save(model.stateDict(), 'model.pth');
  console.log('Saved PyTorch Model State to model.pth');

  const model2 = new NeuralNetwork().to(device);
  model2.loadStateDict(torch.load('model.pth', { weightsOnly: true }));

  const classes = [
    'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
  ];

  model2.eval();
  let [x, y] = [testData.get(0)[0], testData.get(0)[1]];
  {
    using _ = torch.noGrad();
    x = x.to(device);
    const pred = model2(x);
    const [predicted, actual] = [classes[pred.get(0).argmax(0).item()], classes[y]];
    console.log(`Predicted: "${predicted}", Actual: "${actual}"`);
  }
}

if (require.main === module) main(process.argv[2] === undefined ? 5 : Number(process.argv[2]));
