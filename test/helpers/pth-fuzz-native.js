#!/usr/bin/env node
'use strict';
// The .pth fuzz through the real addon (tensors made natively), small enough to run under
// valgrind, where the TypeScript-only fuzz in test/pth-fuzz.test.ts cannot see native memory errors:
//   npm run build:ts && valgrind --smc-check=all-non-file node --jitless test/helpers/pth-fuzz-native.js 300
// Prints a summary; exits 1 if anything but TorchError/RangeError/TypeError was thrown.
const fs = require('fs');
const path = require('path');
const torch = require('../../dist/lib');

const FIX = path.join(__dirname, '..', 'fixtures', 'pth');
const cases = Number(process.argv[2] || 300);
let state = 12345;
const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
const r = (n) => Math.floor(rand() * n);
const files = fs.readdirSync(FIX).filter((f) => /\.(pth|pt)$/.test(f)).sort().map((f) => fs.readFileSync(path.join(FIX, f)));
const counts = { loaded: 0, TorchError: 0, RangeError: 0, TypeError: 0 };
for (let i = 0; i < cases; i++) {
  const out = Buffer.from(files[i % files.length]);
  const kind = r(3);
  let buf = out;
  if (kind === 0) buf = out.subarray(0, r(out.length));
  else if (kind === 1) for (let k = 0; k < 1 + r(8); k++) out[r(out.length)] ^= 1 << r(8);
  else out.writeUInt32LE([0, 1, 0x7fffffff, 0xffffffff][r(4)] >>> 0, r(Math.max(1, out.length - 4)));
  try {
    const obj = torch.load(buf);
    for (const v of Object.values(obj ?? {})) if (v instanceof torch.Tensor) v.sum();
    counts.loaded += 1;
  } catch (e) {
    const name = e instanceof torch.TorchError ? 'TorchError' : e.constructor.name;
    if (!(name in counts)) {
      console.error(`case ${i}: unexpected ${name}: ${e.message}`);
      process.exit(1);
    }
    counts[name] += 1;
  }
}
console.log(JSON.stringify({ cases, ...counts }));
