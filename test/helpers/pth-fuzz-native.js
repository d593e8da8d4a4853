#!/usr/bin/env node
'use strict';
// The .pth fuzz through the real addon (tensors made natively), small enough to run under
// valgrind, where the TypeScript-only fuzz in test/pth-fuzz.test.ts cannot see native memory errors:
//   npm run build:ts && valgrind --smc-check=all-non-file node --jitless test/helpers/pth-fuzz-native.js 300
// The mutations are test/helpers/pth-mutate.ts's (loaded through tsx), as in scripts/fuzz-pth.ts;
// the library is the built one (dist/). Prints a summary; exits 1 if anything but
// TorchError/RangeError/TypeError was thrown.
const fs = require('fs');
const path = require('path');
const { require: tsRequire } = require('tsx/cjs/api');
const torch = require('../../dist/lib');
const { caseRandom, mutateFile } = tsRequire('./pth-mutate.ts', __filename);

const FIX = path.join(__dirname, '..', 'fixtures', 'pth');
const cases = Number(process.argv[2] || 300);
const seed = Number(process.argv[3] || 12345);
const files = fs.readdirSync(FIX).filter((f) => /\.(pth|pt)$/.test(f)).sort().map((f) => fs.readFileSync(path.join(FIX, f)));
const counts = { loaded: 0, TorchError: 0, RangeError: 0, TypeError: 0 };
for (let i = 0; i < cases; i++) {
  const rand = caseRandom(seed, i);
  const { kind, out } = mutateFile(rand, files[Math.floor(rand() * files.length)]);
  try {
    const obj = torch.load(out);
    for (const v of Object.values(obj ?? {})) if (v instanceof torch.Tensor) v.sum();
    counts.loaded += 1;
  } catch (e) {
    const name = e instanceof torch.TorchError ? 'TorchError' : e.constructor.name;
    if (!(name in counts)) {
      console.error(`case ${i} (${kind}): unexpected ${name}: ${e.message}`);
      process.exit(1);
    }
    counts[name] += 1;
  }
}
console.log(JSON.stringify({ cases, ...counts }));
