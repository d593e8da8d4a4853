"""The Python PyTorch side of bench/memory.ts: `python3 bench/py/memory.py <scenario> <mode> <n> <mnistDir>`.

Scenarios as test/helpers/memory-child.ts runs them in nodetorch: `smallops` (n × x.add(1).mul(2).sum()),
`seed` (the seed CNN's training loop, SGD 0.01/0.5, n batches of 64) and `mnist` (PyTorch's MNIST
example's train(): Net, Adadelta(lr=1.0), n batches of 64). Batches are gathered from the uint8
images and normalised in the loop, as DataLoader(MNIST, ToTensor, Normalize) does. Prints one JSON
line with the RSS before the loop and its peak during the loop (VmHWM, reset before the loop).
"""
import json
import os
import re
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', '..', 'test', 'fixtures')
sys.path.insert(0, os.path.join(FIXTURES, 'parity'))
sys.path.insert(0, os.path.join(FIXTURES, 'mnist'))
from generate import SeedModel  # noqa: E402  (parity/generate.py)
from train_seed import read_idx  # noqa: E402

MB = 1024 * 1024


def status(field):
    with open('/proc/self/status') as f:
        return int(re.search(field + r':\s+(\d+) kB', f.read()).group(1)) * 1024


def reset_peak():
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


def batches(root, n):
    images = torch.from_numpy(read_idx(os.path.join(root, 'train-images-idx3-ubyte'))[:n * 64].copy())
    labels = torch.from_numpy(read_idx(os.path.join(root, 'train-labels-idx1-ubyte'))[:n * 64].astype(np.int64))
    for i in range(0, len(images), 64):
        x = images[i:i + 64].unsqueeze(1).to(torch.float32).div(255).sub(0.1307).div(0.3081)
        yield x, labels[i:i + 64]


def main():
    scenario, n, root = sys.argv[1], int(sys.argv[3]), sys.argv[4]
    torch.manual_seed(0)
    if scenario == 'smallops':
        x = torch.randn(16)
        for _ in range(2000):
            x.add(1).mul(2).sum()
        step = None
    elif scenario == 'seed':
        model = SeedModel()
        criterion = nn.CrossEntropyLoss()
        optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)

        def step(imgs, labels):
            y_pred = model(imgs)
            loss = criterion(y_pred, labels)
            loss.item()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    else:
        import importlib.util
        # The MNIST example's Net, from the generator of its reference output.
        spec = importlib.util.spec_from_file_location('examples_generate', os.path.join(FIXTURES, 'examples', 'generate.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = module.Net()
        optimizer = optim.Adadelta(model.parameters(), lr=1.0)
        model.train()

        def step(data, target):
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
    data = None if step is None else batches(root, n)
    before = status('VmRSS')
    reset_peak()
    start = time.perf_counter()
    if step is None:
        for _ in range(n):
            x.add(1).mul(2).sum()
    else:
        for imgs, labels in data:
            step(imgs, labels)
    print(json.dumps({'scenario': f'{scenario}-python', 'n': n, 'ms': (time.perf_counter() - start) * 1000,
                      'growthMB': (status('VmRSS') - before) / MB, 'peakGrowthMB': (status('VmHWM') - before) / MB,
                      'peakRssMB': status('VmHWM') / MB}))


if __name__ == '__main__':
    main()
