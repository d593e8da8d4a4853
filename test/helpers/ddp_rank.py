"""One Python PyTorch rank of test/ddp.test.ts's interop group: the seed CNN under
DistributedDataParallel, trained next to a nodetorch rank (test/helpers/ddp-rank.ts `steps`).

    python3 test/helpers/ddp_rank.py <initMethod> <rank> <worldSize> <out.pth> <steps>
"""
import json
import os
import sys
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "parity"))
from generate import SeedModel  # noqa: E402  (the seed's Model, line for line)

init_method, rank, world_size, out, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])


torch.set_num_threads(1)
torch.manual_seed(rank + 1)
dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size, timeout=timedelta(seconds=60))
net = SeedModel()
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
dist.barrier()  # both ranks done before either tears down (as test/helpers/ddp-rank.ts)
dist.destroy_process_group()
print(json.dumps({"rank": rank, "keys": keys}))
