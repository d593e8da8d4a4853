// A rank for test/launch.test.ts that loads no LibTorch, run by the launcher as plain JavaScript:
//   node launch-plain.js <scenario> [args...]
// env       prints {env, argv, execArgv} (the whole environment) as one JSON line written in three
//           pieces, then a stderr line without a newline
// fail R C  rank R ends after 200 ms with exit code C, or by signal C (SIGKILL, ...); the others
//           say they are ready, then exit 7 on SIGTERM
// signals   says it is ready, counts the SIGINTs it gets, and exits 0 300 ms after the first
'use strict';

const [scenario, ...rest] = process.argv.slice(2);
const rank = Number(process.env.RANK);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function env() {
  const text = JSON.stringify({ env: process.env, argv: process.argv.slice(2), execArgv: process.execArgv });
  const third = Math.ceil(text.length / 3);
  for (let i = 0; i < 3; i++) {
    process.stdout.write(text.slice(i * third, (i + 1) * third));
    await sleep(20);  // each piece reaches the launcher on its own
  }
  process.stdout.write('\n');
  process.stderr.write(`stderr of rank ${rank}, no newline at the end`);
}

async function fail() {
  const [target, how] = rest;
  if (rank === Number(target)) {
    await sleep(200);
    if (/^SIG/.test(how)) process.kill(process.pid, how);
    else process.exit(Number(how));
    return;
  }
  process.on('SIGTERM', () => process.exit(7));
  console.log('ready');
  setInterval(() => {}, 1000);
}

function signals() {
  let count = 0;
  process.on('SIGINT', () => {
    count += 1;
    console.log(`SIGINT ${count}`);
    if (count === 1) setTimeout(() => process.exit(0), 300);
  });
  console.log('ready');
  setInterval(() => {}, 1000);
}

const SCENARIOS = { env, fail, signals };
SCENARIOS[scenario]();
