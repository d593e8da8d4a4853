/** The worker of test/helpers/worker-terminate.ts: works inside nodetorch until terminated. */
import { parentPort, workerData } from 'node:worker_threads';
import * as torch from '../../lib';

const mode = workerData.mode;
if (mode === 'ops') {
  parentPort!.postMessage('ready');
  const x = torch.ones([64, 64]);
  for (let i = 0; ; i++) {
    const y = x.matmul(x).add(i);
    torch.tensor([[i, 2], [3, 4]]).index([0]).tolist();
    torch.tidy(() => torch.randn([8, 8]).relu().max());
    if (i % 100 === 0) y.sum().item();
  }
} else if (mode === 'loader') {
  const ds = new torch.TensorDataset(torch.rand([4096, 1, 28, 28]), torch.randint(0, 10, [4096]));
  parentPort!.postMessage('ready');
  for (;;) for (const batch of new torch.DataLoader(ds, { batchSize: 8, shuffle: true })) batch[0].sum();
} else if (mode === 'train') {
  const ds = new torch.TensorDataset(torch.rand([2048, 1, 28, 28]), torch.randint(0, 10, [2048]));
  const model = new torch.nn.Sequential(new torch.nn.Flatten(), new torch.nn.Linear(784, 10));
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
  parentPort!.postMessage('ready');
  torch.train(model, new torch.DataLoader(ds, { batchSize: 32 }), { optimizer, epochs: 1000, progress: 'none' });
} else if (mode === 'hold') {
  // 512 MiB of tensors that only the worker can reach, then an op loop.
  const held: torch.Tensor[] = [];
  for (let i = 0; i < 8; i++) held.push(torch.ones([16, 1024, 1024]));
  (globalThis as { held?: unknown }).held = held;
  parentPort!.postMessage('ready');
  const x = torch.ones([32, 32]);
  for (;;) x.add(1);
}
