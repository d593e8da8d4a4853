"""One Python PyTorch rank of test/distributed.test.ts's interop group: the same calls as
test/helpers/dist-worker.ts's `interop` scenario, printed as one JSON line.

    python3 test/helpers/dist_rank.py <initMethod> <rank> <worldSize>
"""
import json
import sys
from datetime import timedelta

import torch
import torch.distributed as dist

init_method, rank, world_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size, timeout=timedelta(seconds=20))
out = {}
t = torch.arange(6).float() * (rank + 1)
dist.all_reduce(t)
out["allReduce"] = t.tolist()
m = torch.tensor([rank, 1 - rank], dtype=torch.float32)
dist.all_reduce(m, op=dist.ReduceOp.MAX)
out["allReduce.MAX"] = m.tolist()
b = torch.tensor([3.5, -1, 2]) if rank == 0 else torch.zeros(3)
dist.broadcast(b, 0)
out["broadcast"] = b.tolist()
g = [torch.zeros(2) for _ in range(world_size)]
dist.all_gather(g, torch.tensor([rank, rank + 0.25]))
out["allGather"] = [x.tolist() for x in g]
a = torch.full([2], rank + 1)
dist.all_reduce(a, async_op=True).wait()
out["allReduce.async"] = a.tolist()
dist.barrier()
dist.destroy_process_group()
print(json.dumps(out))
