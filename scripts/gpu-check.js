#!/usr/bin/env node
'use strict';
// The checks of scripts/gpu-check.sh, on the compiled package (dist/). Exits non-zero on a failure.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const torch = require('../dist/lib');
const { Model } = require('../dist/scripts/mnist_cnn');

async function main() {
  const dataRoot = process.argv[2];
  const config = torch.config();
  console.log('config', JSON.stringify(config));
  assert.strictEqual(config.cuda, true, 'the addon should link a CUDA LibTorch');
  assert.strictEqual(torch.cuda.isAvailable(), true, 'torch.cuda.isAvailable()');
  console.log('cuda devices', torch.cuda.deviceCount());

  torch.manualSeed(0);
  const a = torch.randn([512, 512]);
  const onGpu = a.to('cuda:0').matmul(a.to('cuda:0'));
  assert.strictEqual(onGpu.device, 'cuda:0');
  assert.ok(onGpu.cpu().allclose(a.matmul(a), 1e-3, 1e-3), 'matmul on cuda:0 matches the CPU');

  const { datasets, transforms, DataLoader, Subset, optim } = torch;
  const trans = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
  const testSet = new datasets.MNIST({ root: dataRoot, train: false, transform: trans });
  const subset = new Subset(testSet, Array.from({ length: 4096 }, (_, i) => i));
  const loader = new DataLoader(subset, { batchSize: 64, shuffle: true, seed: 0 });
  const model = new Model();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
  const losses = [];
  const history = await torch.train(model, loader, {
    epochs: 3, optimizer, device: 'cuda:0', progress: 'lines', onBatch: ({ loss }) => losses.push(loss),
  });
  assert.strictEqual(model.parameters()[0].device, 'cuda:0');
  const first = losses[0].item();
  const last = losses[losses.length - 1].item();
  console.log('batches', losses.length, 'first loss', first.toFixed(4), 'last loss', last.toFixed(4),
    'epoch seconds', history.map((h) => h.seconds.toFixed(2)).join(' '),
    'images/s (last epoch)', (history[2].total / history[2].seconds).toFixed(0));
  assert.ok(last < first, 'loss falls on cuda:0');
  const evalStats = await torch.evaluate(model, new DataLoader(testSet, { batchSize: 500 }), { device: 'cuda:0' });
  console.log('test accuracy after 3 short epochs on cuda:0', evalStats.accuracy.toFixed(4));

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nt-gpu-')), 'cuda.pth');
  torch.save(model.stateDict(), file);
  const onCpu = new Model();
  onCpu.loadStateDict(torch.load(file));
  const x = torch.randn([8, 1, 28, 28]);
  model.eval();
  onCpu.eval();
  const yGpu = torch.noGrad(() => model.forward(x.to('cuda:0'))).cpu();
  const yCpu = torch.noGrad(() => onCpu.forward(x));
  assert.ok(yGpu.allclose(yCpu, 1e-4, 1e-4), 'a state dict saved from cuda:0 loads on the CPU with the same logits');
  const mapped = torch.load(file, { mapLocation: 'cuda' });
  assert.ok(Object.values(mapped).every((t) => t.device.startsWith('cuda')), "mapLocation: 'cuda' moves tensors");
  console.log('GPU CHECK PASSED');
}

main().catch((e) => {
  console.error('GPU CHECK FAILED:', e);
  process.exit(1);
});
