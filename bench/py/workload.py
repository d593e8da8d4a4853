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


class Model(nn.Module):
    """The seed's CNN: conv1 1->10 k5, conv2 10->20 k5, linear 320->10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.linear = nn.Linear(320, 10)
        self.mp = nn.MaxPool2d(2)
        self.activate = nn.ReLU()

    def forward(self, x):
        batch_size = x.size(0)
        x = self.activate(self.mp(self.conv1(x)))
        x = self.activate(self.mp(self.conv2(x)))
        x = x.view(batch_size, -1)
        return self.linear(x)


def peak_rss_mb():
    with open('/proc/self/status') as f:
        m = re.search(r'VmHWM:\s+(\d+)\s+kB', f.read())
    return int(m.group(1)) / 1024 if m else float('nan')


def read_idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


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
    for _ in range(WARMUP * 1000):
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
