// A rank for test/launch.test.ts on LibTorch's c10d, joining with env:// as the launcher (or the
// test itself) sets it:   node --import tsx launch-rank.ts <scenario> [timeoutMs]
// Prints JSON lines; the test computes what they should hold.
//   allReduce  allReduce + barrier: {rank, worldSize, value, env}
//   blocked    3 ranks: rank 1 exits 3 while rank 0 waits in an allReduce on group [0, 2] that
//              rank 2 never joins (rank 2 ignores SIGTERM), so only the launcher can end them
//   fault      rank 1 joins a few allReduces, says {ready: pid} and stops taking part until killed;
//              rank 0 keeps calling allReduce and reports the error that ends it. Both ignore
//              SIGTERM, so a launcher cannot end them before that error does.
import * as torch from '../../lib';

const dist = torch.distributed;
const [scenario, timeoutArg] = process.argv.slice(2);
const timeout = Number(timeoutArg ?? 20_000);
const rank = Number(process.env.RANK);
const print = (value: unknown) => console.log(JSON.stringify(value));
const idle = () => setInterval(() => {}, 1000);

async function allReduce(): Promise<void> {
  const t = torch.tensor([rank + 1, 10 * (rank + 1)]);
  dist.allReduce(t);
  dist.barrier();
  const env = Object.fromEntries(['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'LOCAL_RANK', 'LOCAL_WORLD_SIZE'].map((k) => [k, process.env[k]]));
  print({ rank: dist.getRank(), worldSize: dist.getWorldSize(), value: t.tolist(), env });
  dist.destroyProcessGroup();
}

async function blocked(): Promise<void> {
  const pair = await dist.newGroup([0, 2]);
  dist.barrier();
  if (rank === 1) {
    setTimeout(() => process.exit(3), 500);
  } else if (rank === 0) {
    print({ blocked: process.pid });
    dist.allReduce(torch.ones(1), { group: pair });
    print({ unblocked: true });  // never: rank 2 does not join
  } else {
    process.on('SIGTERM', () => print({ ignoredSigterm: true }));
    print({ idle: process.pid });
    idle();
  }
}

async function fault(): Promise<void> {
  process.on('SIGTERM', () => {});
  const t = torch.ones(1000);
  if (rank === 1) {
    for (let i = 0; i < 3; i++) dist.allReduce(t);
    print({ ready: process.pid });
    idle();
    return;
  }
  let calls = 0;
  for (;;) {
    const start = Date.now();
    try {
      dist.allReduce(t);
      calls += 1;
    } catch (e) {
      const err = e as torch.TorchError;
      print({ error: { name: err.name, code: err.code, message: err.message, isTorchError: e instanceof torch.TorchError }, ms: Date.now() - start, calls });
      process.exit(1);
    }
  }
}

const SCENARIOS: Record<string, () => Promise<void>> = { allReduce, blocked, fault };

dist.initProcessGroup({ backend: 'gloo', timeout }).then(SCENARIOS[scenario]);
