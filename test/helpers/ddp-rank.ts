/**
 * One rank of test/ddp.test.ts (or the single-process reference), printing one JSON line and
 * saving the trained weights.
 *
 *   tsx test/helpers/ddp-rank.ts epoch  <initMethod> <rank> <worldSize> <out.pth> <dataRoot> [dtype]
 *   tsx test/helpers/ddp-rank.ts single -            0      1           <out.pth> <dataRoot> [dtype]
 *   tsx test/helpers/ddp-rank.ts steps  <initMethod> <rank> <worldSize> <out.pth> <steps>
 *   tsx test/helpers/ddp-rank.ts options <initMethod> <rank> <worldSize> -
 *
 * `epoch`: one epoch of the seed CNN on MNIST under DDP, batch 64 per rank, each rank's weights
 * drawn from a seed of its own (DDP must replace them with rank 0's), DistributedSampler order.
 * `single`: the same epoch in one process with batch 64 × worldSize (2) and the same global order.
 * `steps`: a few steps on random data of the rank's own, next to test/helpers/ddp_rank.py.
 * `options`: noSync, findUnusedParameters and buffers on small models, values printed.
 */
import * as torch from '../../lib';
import { Model } from '../../scripts/mnist_cnn';

const { nn, optim } = torch;
const [mode, initMethod, rankArg, sizeArg, out, extra, dtypeArg] = process.argv.slice(2);
const dtype = (dtypeArg ?? 'float32') as torch.DTypeName;
const rank = Number(rankArg);
const worldSize = Number(sizeArg);

function mnist(root: string, train: boolean) {
  const t = torch.vision.transforms;
  const transform = new t.Compose([new t.ToTensor(), new t.Normalize([0.1307], [0.3081])]);
  return new torch.vision.datasets.MNIST({ root, train, transform });
}

/** A model with a branch `forward` skips when told to (an unused parameter) and a buffer. */
class Branchy extends nn.Module {
  used = new nn.Linear(2, 1);
  unused = new nn.Linear(2, 1);
  constructor() {
    super();
    this.registerBuffer('seen', torch.full([1], rank + 10));
  }
  forward(x: torch.Tensor, skip = true): torch.Tensor { return skip ? this.used(x) : this.used(x).add(this.unused(x)); }
}

async function options(): Promise<Record<string, unknown>> {
  await torch.distributed.initProcessGroup({ backend: 'gloo', initMethod, rank, worldSize, timeout: 60_000 });
  const out: Record<string, unknown> = {};
  // noSync: local gradients inside, then one backward outside averages all accumulated ones.
  const lin = new nn.Linear(2, 1);
  const ddp = new nn.parallel.DistributedDataParallel(lin);
  const x = torch.tensor([[rank + 1, rank + 2]], { dtype: torch.float });
  ddp.noSync(() => ddp(x).sum().backward());
  out.noSyncLocal = lin.weight.grad!.flatten().tolist();
  out.syncFlagRestored = ddp.requireBackwardGradSync;
  ddp(x).sum().backward();
  out.afterSync = lin.weight.grad!.flatten().tolist();
  // findUnusedParameters: a parameter no forward uses does not stall the reduction.
  const net = new Branchy();
  const ddp2 = new nn.parallel.DistributedDataParallel(net, { findUnusedParameters: true });
  out.bufferFromRank0 = (net as any).seen.item();
  const opt = new optim.SGD(ddp2.parameters(), { lr: 0.1 });
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    ddp2(torch.ones([1, 2]).mul(rank + 1)).sum().backward();
    opt.step();
  }
  out.unusedGrad = net.unused.weight.grad === null ? null : net.unused.weight.grad.abs().sum().item();
  out.usedWeight = net.used.weight.flatten().tolist();
  torch.distributed.destroyProcessGroup();
  return out;
}

async function main(): Promise<void> {
  if (mode === 'options') {
    console.log(JSON.stringify(await options()));
    return;
  }
  torch.setNumThreads(1);
  torch.setDefaultDtype(dtype);
  torch.manualSeed(mode === 'single' ? 1 : rank + 1);
  const net = new Model();
  let model: torch.nn.Module = net;
  if (mode !== 'single') {
    await torch.distributed.initProcessGroup({ backend: 'gloo', initMethod, rank, worldSize, timeout: 60_000 });
    model = new nn.parallel.DistributedDataParallel(net);
  }
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
  const criterion = new nn.CrossEntropyLoss();
  const result: Record<string, unknown> = { rank };
  if (mode === 'steps') {
    const gen = new torch.Generator().manualSeed(100 + rank);
    for (let i = 0; i < Number(extra); i++) {
      const x = torch.randn([16, 1, 28, 28], { generator: gen });
      const y = torch.randint(0, 10, [16], { generator: gen });
      optimizer.zeroGrad();
      criterion(model(x), y).backward();
      optimizer.step();
    }
  } else {
    const trainSet = mnist(extra, true);
    const sampler = mode === 'single'
      ? new torch.utils.data.DistributedSampler(trainSet, { numReplicas: 1, rank: 0, seed: 0 })
      : new torch.utils.data.DistributedSampler(trainSet, { seed: 0 });
    sampler.setEpoch(1);
    const loader = new torch.utils.data.DataLoader(trainSet, { batchSize: mode === 'single' ? 128 : 64, sampler });
    const t0 = performance.now();
    let steps = 0;
    for (const [x, y] of loader) {
      optimizer.zeroGrad();
      criterion(model(dtype === "float64" ? x.double() : x), y).backward();
      optimizer.step();
      steps += 1;
    }
    result.seconds = (performance.now() - t0) / 1000;
    result.steps = steps;
    const testLoader = new torch.utils.data.DataLoader(mnist(extra, false), { batchSize: 1000 });
    let correct = 0;
    torch.noGrad(() => {
      for (const [x, y] of testLoader) correct += net(dtype === 'float64' ? x.double() : x).argmax(1).eq(y).sum().item() as number;
    });
    result.accuracy = correct / 10000;
  }
  torch.save(net.stateDict(), out);
  if (model instanceof nn.parallel.DistributedDataParallel) {
    result.keys = Object.keys(model.stateDict());
    // Both ranks done before either tears down (rank 0 hosts the store; a peer that vanished
    // mid-teardown could abort a Python rank's c10d threads).
    torch.distributed.barrier();
    torch.distributed.destroyProcessGroup();
  }
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
