"""One Python PyTorch rank of test/ddp.test.ts's interop group: the seed CNN under
DistributedDataParallel, trained next to a nodetorch rank (test/helpers/ddp-rank.ts `steps`).

    python3 test/helpers/ddp_rank.py <initMethod> <rank> <worldSize> <out.pth> <steps>
"""
import json
import sys
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import nn

init_method, rank, world_size, out, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])


class Model(nn.Module):  # the seed's model, as scripts/mnist_cnn.ts has it
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.linear = nn.Linear(320, 10)
        self.mp = nn.MaxPool2d(2)
        self.activate = nn.ReLU()

    def forward(self, x):
        x = self.activate(self.mp(self.conv1(x)))
        x = self.activate(self.mp(self.conv2(x)))
        return self.linear(x.view(x.size(0), -1))


torch.set_num_threads(1)
torch.manual_seed(rank + 1)
dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size, timeout=timedelta(seconds=60))
net = Model()
model = nn.parallel.DistributedDataParallel(net)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
criterion = nn.CrossEntropyLoss()
gen = torch.Generator().manual_seed(100 + rank)
for _ in range(steps):
    x = torch.randn([16, 1, 28, 28], generator=gen)
    y = torch.randint(0, 10, [16], generator=gen)
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
torch.save(net.state_dict(), out)
keys = list(model.state_dict().keys())
dist.destroy_process_group()
print(json.dumps({"rank": rank, "keys": keys}))
