/**
 * `npm run bench:ddp`: data-parallel throughput of the seed CNN (one epoch of MNIST, batch 64
 * per process, Gloo on loopback) in 1 process and in 2, min and median of `--repeat` rounds
 * (default 3), rounds alternating between the two. Each process runs `--threads` intra-op
 * threads (default 1, so that 2 processes fill a 2-core machine as 1 process with 2 threads
 * would). Prints a Markdown table for bench/RESULTS.md.
 */
import { spawn } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { freePort } from '../lib/distributed/launcher';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const repeat = arg('repeat', 3);
const threads = arg('threads', 1);
const RANK = path.join(__dirname, 'ddp', 'rank.ts');

interface Result { seconds: number; images: number }

function rank(init: string, r: number, world: number): Promise<Result> {
  const child = spawn(process.execPath, ['--import', 'tsx', RANK, init, String(r), String(world), String(threads)], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  return new Promise((resolve, reject) => child.on('close', (code) => {
    if (code !== 0) reject(new Error(`rank ${r} of ${world} exited ${code}`));
    else resolve(JSON.parse(out.trim().split('\n').pop()!));
  }));
}

async function world(size: number): Promise<Result[]> {
  const init = `tcp://127.0.0.1:${await freePort()}`;
  return Promise.all(Array.from({ length: size }, (_, r) => rank(init, r, size)));
}

const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const runs: Record<number, Result[][]> = { 1: [], 2: [] };
  for (let round = 0; round < repeat; round++) {
    for (const size of round % 2 === 0 ? [1, 2] : [2, 1]) runs[size].push(await world(size));
  }
  // A round's epoch takes as long as its slowest rank; its throughput is all ranks' images over that.
  const epoch = (size: number) => runs[size].map((ranks) => Math.max(...ranks.map((r) => r.seconds)));
  const total = (size: number) => runs[size].map((ranks, i) => ranks.reduce((n, r) => n + r.images, 0) / epoch(size)[i]);
  const rows = [1, 2].map((size) => {
    const t = total(size);
    return `| ${size} | ${min(epoch(size)).toFixed(2)} / ${median(epoch(size)).toFixed(2)} | ${(Math.max(...t) / size).toFixed(0)} / ${(median(t) / size).toFixed(0)} | ${Math.max(...t).toFixed(0)} / ${median(t).toFixed(0)} |`;
  });
  const speedup = median(epoch(1)) / median(epoch(2));
  console.log(`${os.cpus().length}-CPU ${os.cpus()[0].model.trim()}, ${threads} intra-op thread(s) per process, ${repeat} rounds (min / median)\n`);
  console.log('| processes | epoch seconds | images/s per process | images/s in all |\n| ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
  console.log(`\n1 → 2 processes: ${speedup.toFixed(2)}× the epoch speed (median), ${(100 * speedup / 2).toFixed(0)}% scaling efficiency.`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
