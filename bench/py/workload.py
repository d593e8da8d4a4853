"""Python PyTorch with pre-made tensors, for `npm run bench`:
`python3 bench/py/workload.py <mnist|smallops|resnet18> key=value ...` (keys as bench/cpp/workload.cc,
plus device=cpu|cuda). The same work as the C++ floor (bench/cpp/workload.cc) and nodetorch
(bench/ts/workload.ts); prints one JSON line. torchvision is not assumed: the IDX files are read
with numpy, and each batch is gathered from the uint8 images and normalised as ToTensor + Normalize do.
"""
import os
import sys
import time

import numpy as np
import torch
from torch import nn, optim

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', '..', 'test', 'fixtures', 'parity'))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'test', 'fixtures', 'mnist'))
from generate import SeedModel  # noqa: E402  (the seed's Model, line for line)
from train_seed import read_idx  # noqa: E402
from measure import best_block_ms, emit, parse_args, wall_ms  # noqa: E402
from resnet import ResNet18  # noqa: E402

BATCH = 64
MEAN, STD = 0.1307, 0.3081


def load_split(root, prefix, device):
    """A split's images (uint8 [N, 1, 28, 28]) and labels (int64 [N]), on `device`."""
    images = torch.from_numpy(read_idx(os.path.join(root, f'{prefix}-images-idx3-ubyte')).copy()).unsqueeze(1)
    labels = torch.from_numpy(read_idx(os.path.join(root, f'{prefix}-labels-idx1-ubyte')).astype(np.int64))
    return images.to(device), labels.to(device)


def normalise(pixels):
    return pixels.float().div_(255).sub_(MEAN).div_(STD)


def mnist(args, device):
    """An epoch of `batches` shuffled batches of 64, then `testBatches` test batches under no_grad."""
    images, labels = load_split(args['data'], 'train', device)
    test_images, test_labels = load_split(args['data'], 't10k', device)
    batches = min(int(args['batches']), -(-len(images) // BATCH))
    order = torch.randperm(min(len(images), batches * BATCH), device=device)
    model = SeedModel().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    model.train()
    first_batch_at = 0.0
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    stamps = [t0]
    for b in range(batches):
        idx = order[b * BATCH:(b + 1) * BATCH]
        loss = criterion(model(normalise(images.index_select(0, idx))), labels.index_select(0, idx))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if b == 0:
            if device != 'cpu':
                torch.cuda.synchronize()
            first_batch_at = wall_ms()
        stamps.append(time.perf_counter())
    check = loss.item()
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0

    model.eval()
    test_batches = min(int(args['testBatches']), -(-len(test_images) // BATCH))
    with torch.no_grad():
        loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        correct = torch.zeros((), dtype=torch.int64, device=device)
        t0 = time.perf_counter()
        for b in range(test_batches):
            y = test_labels[b * BATCH:(b + 1) * BATCH]
            out = model(normalise(test_images[b * BATCH:(b + 1) * BATCH]))
            loss_sum.add_(criterion(out, y))
            correct.add_(out.argmax(1).eq(y).sum())
        accuracy = correct.item() / min(len(test_images), test_batches * BATCH)
        eval_seconds = time.perf_counter() - t0
    return {'seconds': seconds, 'evalSeconds': eval_seconds, 'firstBatchAt': first_batch_at, 'blockStepMs': best_block_ms(stamps),
            'cpuSeconds': cpu, 'check': check, 'accuracy': accuracy}


def small_ops(args, device):
    """a.add(b) on 4-element float tensors, results dropped, after 50,000 of warm-up."""
    a = torch.tensor([1., 2., 3., 4.], device=device)
    b = torch.tensor([0.5, 0.5, 0.5, 0.5], device=device)
    for _ in range(50_000):
        a.add(b)
    ops = int(args['ops'])
    t0 = time.perf_counter()
    for _ in range(ops):
        a.add(b)
    check = a.add(b).sum().item()  # on a GPU: waits for the queued ops
    return {'seconds': time.perf_counter() - t0, 'check': check}


def resnet18(args, device):
    """resnet18 training steps (SGD 0.01, momentum 0.9) on one pre-made random batch, after `warmup` steps."""
    steps, batch, size, warmup = int(args['steps']), int(args['batch']), int(args['size']), int(args['warmup'])
    model = ResNet18().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    x = torch.randn(batch, 3, size, size).to(device)
    y = torch.randint(0, 1000, (batch,)).to(device)

    def step():
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    for _ in range(warmup):
        step().item()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    check = loss.item()
    return {'seconds': time.perf_counter() - t0, 'check': check}


def main():
    workload, args = parse_args(sys.argv[1:])
    device = args.get('device', 'cpu')
    torch.set_num_threads(int(args['threads']))
    torch.manual_seed(int(args['seed']))
    run = {'mnist': mnist, 'smallops': small_ops, 'resnet18': resnet18}.get(workload)
    if run is None:
        raise SystemExit(f'Expected mnist, smallops or resnet18 for workload but received {workload}')
    emit(run(args, device), torch.get_num_threads())


if __name__ == '__main__':
    main()
