// One rank of a test/distributed.test.ts process group:
//   node --import tsx test/helpers/dist-worker.ts <scenario> <initMethod> <rank> <worldSize> [timeoutMs]
// Prints one JSON line: what the scenario observed (tensor values, errors, timings). The test
// computes the expected values itself.
import * as torch from '../../lib';

const dist = torch.distributed;
const [scenario, initMethod, rankArg, sizeArg, timeoutArg] = process.argv.slice(2);
const rank = initMethod === 'env://' ? Number(process.env.RANK) : Number(rankArg);
const worldSize = initMethod === 'env://' ? Number(process.env.WORLD_SIZE) : Number(sizeArg);
const timeout = timeoutArg === undefined ? 20_000 : Number(timeoutArg);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const f = (values: number[]) => torch.tensor(values, { dtype: torch.float32 });

function errorOf(run: () => unknown): { name: string; code?: string; message: string; isTorchError: boolean } | null {
  try {
    run();
    return null;
  } catch (e) {
    const err = e as torch.TorchError;
    return { name: err.name, code: err.code, message: err.message, isTorchError: e instanceof torch.TorchError };
  }
}

/** Every collective on the default group and on a group of ranks [0, 1]. */
async function collectives(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { rank: dist.getRank(), worldSize: dist.getWorldSize(), initialized: dist.isInitialized() };
  for (const op of ['SUM', 'PRODUCT', 'MIN', 'MAX', 'AVG'] as const) {
    const t = f([rank + 1, 2 * rank - 1]);
    out[`allReduce.${op}`] = errorOf(() => dist.allReduce(t, { op })) ?? t.tolist();
  }
  const async = f([rank, 1]);
  const work = dist.allReduce(async, { async: true });
  out['allReduce.async.wait'] = await work.wait();
  out['allReduce.async'] = async.tolist();
  out['allReduce.async.isCompleted'] = work.isCompleted();
  const red = f([rank + 1]);
  dist.reduce(red, 1, { op: dist.ReduceOp.SUM });
  out['reduce'] = red.tolist();
  const b = rank === 1 ? f([7, 8, 9]) : torch.zeros(3);
  dist.broadcast(b, 1);
  out['broadcast'] = b.tolist();
  const bAsync = rank === 0 ? torch.arange(4).float() : torch.zeros(4);
  await dist.broadcast(bAsync, 0, { async: true }).wait();
  out['broadcast.async'] = bAsync.tolist();
  const gathered = Array.from({ length: worldSize }, () => torch.zeros(2));
  dist.allGather(gathered, f([rank, rank * 10]));
  out['allGather'] = gathered.map((t) => t.tolist());
  const gathered2 = Array.from({ length: worldSize }, () => torch.zeros(1));
  await dist.allGather(gathered2, f([rank * rank]), { async: true }).wait();
  out['allGather.async'] = gathered2.map((t) => t.tolist());
  const rsOut = torch.zeros(2);
  const rsIn = Array.from({ length: worldSize }, (_, i) => f([rank + i, 100 * i]));
  out['reduceScatter'] = errorOf(() => dist.reduceScatter(rsOut, rsIn)) ?? rsOut.tolist();
  const gList = rank === 0 ? Array.from({ length: worldSize }, () => torch.zeros(1)) : null;
  dist.gather(f([rank + 0.5]), gList, 0);
  out['gather'] = gList?.map((t) => t.tolist()) ?? null;
  const sOut = torch.zeros(2);
  dist.scatter(sOut, rank === worldSize - 1 ? Array.from({ length: worldSize }, (_, i) => f([i, 10 - i])) : null, worldSize - 1);
  out['scatter'] = sOut.tolist();
  // A ring of sends: rank r sends to r+1 and receives from r-1.
  const next = (rank + 1) % worldSize;
  const prev = (rank + worldSize - 1) % worldSize;
  const recvBuf = torch.zeros(2);
  const sendWork = dist.send(f([rank, 42]), next, { async: true });
  out['recv.from'] = dist.recv(recvBuf, prev);
  await sendWork.wait();
  out['recv'] = recvBuf.tolist();
  const anyBuf = torch.zeros(1);
  const r = dist.irecv(anyBuf, undefined, { tag: 3 });
  dist.isend(f([100 + rank]), next, { tag: 3 });
  await r.wait();
  out['irecv.any'] = anyBuf.tolist();
  out['irecv.any.source'] = r.sourceRank();
  dist.barrier();
  await dist.barrier({ async: true }).wait();
  const pair = await dist.newGroup([1, 0]);
  if (rank <= 1) {
    const t = f([rank + 1]);
    dist.allReduce(t, { group: pair });
    out['group.allReduce'] = t.tolist();
    out['group.rank'] = dist.getRank(pair);
    out['group.size'] = dist.getWorldSize(pair);
    const gb = rank === 1 ? f([5]) : torch.zeros(1);
    dist.broadcast(gb, 1, { group: pair });
    out['group.broadcast'] = gb.tolist();
  } else {
    out['group.nonMember'] = pair === dist.GroupMember.NON_GROUP_MEMBER;
    out['group.rank'] = dist.getRank(pair);
  }
  out['misuse.notTensor'] = errorOf(() => dist.allReduce([1, 2] as never));
  out['misuse.op'] = errorOf(() => dist.allReduce(f([1]), { op: 'MEAN' as never }));
  out['misuse.src'] = errorOf(() => dist.broadcast(f([1]), worldSize));
  out['misuse.option'] = errorOf(() => dist.allReduce(f([1]), { async_op: true } as never));
  dist.destroyProcessGroup();
  out['destroyed.isInitialized'] = dist.isInitialized();
  out['destroyed.allReduce'] = errorOf(() => dist.allReduce(f([1])));
  return out;
}

/** While rank 1 sleeps before joining the all-reduce, rank 0's event loop keeps running. */
async function eventLoop(): Promise<Record<string, unknown>> {
  const t = f([rank + 1]);
  if (rank === 0) {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const work = dist.allReduce(t, { async: true });
    const completedAtStart = work.isCompleted();
    await work.wait();
    clearInterval(timer);
    dist.destroyProcessGroup();
    return { ticks, completedAtStart, value: t.tolist() };
  }
  await sleep(1000);
  dist.allReduce(t);
  dist.destroyProcessGroup();
  return { value: t.tolist() };
}

/**
 * Rank 0 calls a collective that rank 1 never joins: the group's timeout ends it. `async`: the
 * Work's wait() rejects; otherwise the call throws.
 */
function timeoutScenario(isAsync: boolean) {
  return async (): Promise<Record<string, unknown>> => {
    if (rank !== 0) {
      await sleep(timeout + 5000);  // alive, but never joining
      return {};
    }
    const start = Date.now();
    let error: unknown = null;
    if (isAsync) {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      await dist.allReduce(f([1]), { async: true }).wait().catch((e: torch.TorchError) => {
        error = { name: e.name, code: e.code, message: e.message, isTorchError: e instanceof torch.TorchError, stack: e.stack };
      });
      clearInterval(timer);
      return { error, ms: Date.now() - start, ticks };
    }
    error = errorOf(() => dist.allReduce(f([1])));
    return { error, ms: Date.now() - start };
  };
}

/** Rank 1 dies right after joining; rank 0's next collective must fail, not hang. */
async function killed(): Promise<Record<string, unknown>> {
  if (rank === 1) process.kill(process.pid, 'SIGKILL');
  await sleep(500);
  const start = Date.now();
  let err: unknown = null;
  await dist.allReduce(f([1]), { async: true }).wait().catch((e: torch.TorchError) => { err = { name: e.name, code: e.code, message: e.message, isTorchError: e instanceof torch.TorchError }; });
  return { error: err, ms: Date.now() - start };
}

/** The tensors test/helpers/dist_rank.py uses, for a group with a Python rank. */
async function interop(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const t = torch.arange(6).float().mul(rank + 1);
  dist.allReduce(t);
  out['allReduce'] = t.tolist();
  const m = f([rank, 1 - rank]);
  dist.allReduce(m, { op: 'MAX' });
  out['allReduce.MAX'] = m.tolist();
  const b = rank === 0 ? f([3.5, -1, 2]) : torch.zeros(3);
  dist.broadcast(b, 0);
  out['broadcast'] = b.tolist();
  const g = Array.from({ length: worldSize }, () => torch.zeros(2));
  dist.allGather(g, f([rank, rank + 0.25]));
  out['allGather'] = g.map((x) => x.tolist());
  const a = torch.full([2], rank + 1);
  await dist.allReduce(a, { async: true }).wait();
  out['allReduce.async'] = a.tolist();
  dist.barrier();
  dist.destroyProcessGroup();
  return out;
}

const SCENARIOS: Record<string, () => Promise<Record<string, unknown>>> = { collectives, eventLoop, timeout: timeoutScenario(false), timeoutAsync: timeoutScenario(true), killed, interop };

async function main(): Promise<void> {
  const run = SCENARIOS[scenario];
  if (run === undefined) throw new Error(`unknown scenario ${scenario}`);
  // env:// takes the rank and world size from RANK and WORLD_SIZE.
  const where = initMethod === 'env://' ? {} : { rank, worldSize };
  await dist.initProcessGroup({ backend: 'gloo', initMethod, timeout, ...where });
  console.log(JSON.stringify(await run()));
}

main().catch((e) => {
  console.log(JSON.stringify({ fatal: { name: e?.name, code: e?.code, message: String(e?.message ?? e) } }));
  process.exit(1);
});
