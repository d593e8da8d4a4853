/**
 * Child process for test/reliability-native.test.ts: starts a worker thread that loads nodetorch
 * and works inside it (an op loop, a DataLoader, torch.train, or holding a large tensor), then
 * terminates the worker from the main thread while it is inside a nodetorch call.
 *
 * Usage: node --import tsx worker-terminate.ts <mode> <delayMs> [rounds]
 * Prints one JSON line: { terminated, rssBeforeMb, rssAfterFirstMb, rssAfterMb, mainOk }.
 */
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';

const [mode, delayArg, roundsArg] = process.argv.slice(2);
const delay = Number(delayArg ?? 200);
const rounds = Number(roundsArg ?? 1);
const lib = path.resolve(__dirname, '../../lib');

const WORKER = path.join(__dirname, 'worker-terminate-body.ts');

const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

async function once(): Promise<boolean> {
  const worker = new Worker(WORKER, { workerData: { mode }, execArgv: ['--require', 'tsx/cjs'] });
  worker.on('error', (e) => { console.error('worker error:', e); process.exitCode = 2; });
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));
  await new Promise((r) => setTimeout(r, delay));
  await worker.terminate();
  return true;
}

(async () => {
  const rssBeforeMb = rssMb();
  let terminated = 0;
  let rssAfterFirstMb = 0;
  for (let i = 0; i < rounds; i++) {
    if (await once()) terminated++;
    if (i === 0) rssAfterFirstMb = rssMb();
  }
  // The main thread still works after its workers are gone.
  const torch = require(lib);
  const mainOk = torch.ones([3]).add(1).sum().item() === 6;
  globalThis.gc?.();
  console.log(JSON.stringify({ terminated, rssBeforeMb, rssAfterFirstMb, rssAfterMb: rssMb(), mainOk }));
})();
