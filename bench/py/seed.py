"""The seed lesson's program as written (../shared/seed: torchvision's MNIST with per-sample
ToTensor + Normalize, DataLoader(batch_size=64, shuffle=True), its Model, its train() and test()
loops), timed for `npm run bench`:

    python3 bench/py/seed.py run root=<folder holding MNIST/raw> epochs=N batches=N testBatches=N [port=1]

What differs from the original, outside the timed loops only: the data root and the number of
epochs are arguments; `batches`/`testBatches` below a full epoch train and test on the first
samples only (a Subset, for `npm run bench -- --quick`); the model is not saved and the accuracy
curve not plotted (no matplotlib here), so test() uses the trained model instead of loading the
file; each epoch's seconds and the RSS after it are recorded. `port=1` takes datasets and
transforms from bench/py/tv_port.py instead of torchvision (for an interpreter without it).
Prints one JSON line last.
"""
import copy
import os
import sys
import time

import numpy as np
import torch
from torch import nn, optim
from torch.utils.data import DataLoader, Subset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import best_block_ms, emit, parse_args, rss_mb, wall_ms  # noqa: E402

_, ARGS = parse_args(sys.argv[1:])
if ARGS.get('port') == '1':
    from tv_port import datasets, transforms
else:
    from torchvision import datasets, transforms

EPOCHS = int(ARGS['epochs'])
# What train() and test() record for bench/run.ts.
RECORD = {'epochSeconds': [], 'epochCpuSeconds': [], 'rssAfterEpochMB': [], 'firstBatchAt': 0.0, 'stamps': []}

trans = transforms.Compose([
    transforms.ToTensor(),
    transforms.Normalize((0.1307,), (0.3081,))
])
train_set = datasets.MNIST(root=ARGS['root'],
                           train=True,
                           transform=trans,  # 原始是 PIL Image 格式
                           download=True)
test_set = datasets.MNIST(root=ARGS['root'],
                          train=False,
                          transform=trans,
                          download=True)
if int(ARGS['batches']) * 64 < len(train_set):
    train_set = Subset(train_set, range(int(ARGS['batches']) * 64))
if int(ARGS['testBatches']) * 64 < len(test_set):
    test_set = Subset(test_set, range(int(ARGS['testBatches']) * 64))
train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
test_loader = DataLoader(test_set, batch_size=64, shuffle=True)


class Model(nn.Module):
    def __init__(self):
        super(Model, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.linear = nn.Linear(320, 10)
        self.mp = nn.MaxPool2d(2)
        self.activate = nn.ReLU()

    def forward(self, x):
        batch_size = x.size(0)  # batch-size 所在维度不变,其它维展开成320,输入线性层
        x = self.activate(self.mp(self.conv1(x)))  # out: N,10,12,12
        x = self.activate(self.mp(self.conv2(x)))  # out: N,20,4,4
        x = x.view(batch_size, -1)  # out: N,320
        x = self.linear(x)
        return x


model = Model()


def train(model, train_loader, save_dst="./models"):
    global acc
    criterion = nn.CrossEntropyLoss()  # 包含了 softmax 层
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)  # SGD 对 batch-size 很敏感,64 是最好的;lr=0.01, momentum=0.5
    optim_name = optimizer.__str__().split('(')[0].strip()
    print("optimizer name:", optim_name)
    acc_lst = []
    for epoch in range(EPOCHS):
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        if epoch == 0:
            RECORD['stamps'].append(t0)
        TP = 0
        loss_lst = []
        for i, (imgs, labels) in enumerate(train_loader):
            y_pred = model(imgs)
            # print("x:", x.shape, "y:", labels.shape, "y_pred:", y_pred.shape)
            loss = criterion(y_pred, labels)
            loss_lst.append(loss.item())
            y_hat = copy.copy(y_pred)
            TP += torch.sum(labels.flatten() == torch.argmax(y_hat, dim=1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if epoch == 0:
                RECORD['stamps'].append(time.perf_counter())
                if i == 0:
                    RECORD['firstBatchAt'] = wall_ms()
        acc = TP.data.numpy() / len(train_set)
        acc_lst.append(acc)
        print("epoch:", epoch, "loss:", np.mean(loss_lst), "acc:", round(acc, 3), f"TP: {TP} / {len(train_set)}")
        RECORD['epochSeconds'].append(time.perf_counter() - t0)
        RECORD['epochCpuSeconds'].append(time.process_time() - cpu0)
        RECORD['rssAfterEpochMB'].append(rss_mb())
        RECORD['check'] = float(np.mean(loss_lst))


def test(model, test_loader, load_dst="./models/SGD_acc_0.99.pth"):
    TP = 0
    t0 = time.perf_counter()
    for i, (imgs, labels) in enumerate(test_loader):
        with torch.no_grad():
            y_pred = model(imgs)
            # print("x:", x.shape, "y:", labels.shape, "y_pred:", y_pred.shape)
            y_hat = copy.copy(y_pred)
            TP += torch.sum(labels.flatten() == torch.argmax(y_hat, dim=1))  # .sum().item()
    acc = TP.data.numpy() / len(test_set)
    print("acc:", round(acc, 4), f"TP: {TP} / {len(test_set)}")
    RECORD['evalSeconds'] = time.perf_counter() - t0
    RECORD['accuracy'] = float(acc)


if __name__ == '__main__':
    train(model, train_loader)
    test(model, test_loader)
    stamps = RECORD.pop('stamps')
    emit({**RECORD, 'seconds': RECORD['epochSeconds'][0], 'cpuSeconds': RECORD['epochCpuSeconds'][0], 'blockStepMs': best_block_ms(stamps)},
         torch.get_num_threads())
