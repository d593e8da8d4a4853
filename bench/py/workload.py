"""The Python PyTorch side of the benchmarks: `python3 bench/py/workload.py <workload> <mnistDir> <threads> <seed> <n>`.

Prints one JSON line {"seconds", "peakRssMB", "check"}; `seconds` covers only the timed loop.
torchvision is not assumed: the IDX files are read with numpy, and each training batch is
gathered, scaled to [0, 1] and normalised in the loop, as DataLoader(MNIST, ToTensor, Normalize) does.
"""
import json
import os
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

TRAIN_BATCH = 64
INFER_BATCH = 256
WARMUP = 5
MEAN, STD = 0.1307, 0.3081


# The seed CNN and the IDX reader, shared with the fixture generators.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'test', 'fixtures', 'parity'))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'test', 'fixtures', 'mnist'))
from generate import SeedModel as Model  # noqa: E402
from train_seed import read_idx  # noqa: E402


def peak_rss_mb():
    with open('/proc/self/status') as f:
        m = re.search(r'VmHWM:\s+(\d+)\s+kB', f.read())
    return int(m.group(1)) / 1024 if m else float('nan')


def load_train(root):
    images = torch.from_numpy(read_idx(os.path.join(root, 'train-images-idx3-ubyte')).copy())
    labels = torch.from_numpy(read_idx(os.path.join(root, 'train-labels-idx1-ubyte')).astype(np.int64))
    return images.unsqueeze(1), labels  # uint8 [N, 1, 28, 28], int64 [N]


def to_batch(images, labels, idx):
    x = images.index_select(0, idx).float().div_(255).sub_(MEAN).div_(STD)
    return x, labels.index_select(0, idx)


def train(root, steps):
    images, labels = load_train(root)
    order = torch.randperm(images.size(0))
    model = Model()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    model.train()
    t0 = time.perf_counter()
    last = 0.0
    for step in range(WARMUP + steps):
        if step == WARMUP:
            t0 = time.perf_counter()
        x, y = to_batch(images, labels, order[step * TRAIN_BATCH:(step + 1) * TRAIN_BATCH])
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step == WARMUP + steps - 1:
            last = loss.item()
    return time.perf_counter() - t0, last


def infer(root, batches):
    images, labels = load_train(root)
    inputs = [to_batch(images, labels, torch.arange(i * INFER_BATCH, (i + 1) * INFER_BATCH))[0] for i in range(batches)]
    model = Model()
    model.eval()
    check = 0.0
    with torch.no_grad():
        for i in range(WARMUP):
            model(inputs[i])
        t0 = time.perf_counter()
        for i in range(batches):
            out = model(inputs[i])
            if i == batches - 1:
                check = out.sum().item()
        seconds = time.perf_counter() - t0
    return seconds, check


def small_ops(ops):
    a = torch.tensor([1., 2., 3., 4.])
    b = torch.tensor([0.5, 0.5, 0.5, 0.5])
    for _ in range(WARMUP * 10_000):
        a.add(b)
    t0 = time.perf_counter()
    for _ in range(ops):
        a.add(b)
    seconds = time.perf_counter() - t0
    return seconds, a.add(b).sum().item()


def main():
    workload, root, threads, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    if workload == 'train':
        seconds, check = train(root, n)
    elif workload == 'infer':
        seconds, check = infer(root, n)
    elif workload == 'smallops':
        seconds, check = small_ops(n)
    else:
        raise ValueError(f'Expected train, infer or smallops for workload but received {workload}')
    print(json.dumps({'seconds': seconds, 'peakRssMB': peak_rss_mb(), 'threads': torch.get_num_threads(), 'check': check}))


if __name__ == '__main__':
    main()
