/**
 * torch.jit.load on damaged copies of TorchScript archives, in a child process so that an abort
 * or a crash in native code shows as the child's exit status (test/jit.test.ts):
 *   node --import tsx test/helpers/jit-fuzz-child.ts CASES archive|records FILE…
 * `archive` damages the file as a disk or a download would: truncates it, flips 1–8 bits, or
 * overwrites 4 bytes with an extreme value. `records` damages the contents of one or two records
 * the same ways and writes the archive again with valid CRCs, so the damage reaches LibTorch's
 * parsers. A deterministic generator picks the cases; a module that still loads runs forward on
 * a fixed input. Prints the outcome counts as JSON; exits 1 on any error that is not a
 * TorchError or TypeError.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import * as torch from '../../lib';
import { readZip, writeZip } from '../../lib/serialization/zip';

const [casesArg, mode, ...files] = process.argv.slice(2);
const cases = Number(casesArg);
let state = 20240611;
const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
const r = (n: number) => Math.floor(rand() * n);

/** Truncation, bit flips or an extreme 32-bit value, in place where possible. */
function damage(bytes: Buffer): Buffer {
  const kind = r(3);
  if (kind === 0) return bytes.subarray(0, r(bytes.length));
  if (kind === 1) for (let k = 0; k < 1 + r(8); k++) if (bytes.length) bytes[r(bytes.length)] ^= 1 << r(8);
  if (kind === 2 && bytes.length >= 4) bytes.writeUInt32LE([0, 1, 0x7fffffff, 0xffffffff][r(4)] >>> 0, r(bytes.length - 3));
  return bytes;
}

const originals = files.map((f) => fs.readFileSync(f));
const unpacked = originals.map((bytes) => {
  const zip = readZip(bytes);
  const records: [string, Uint8Array][] = [...zip.records];
  for (const [name, d] of zip.deflated) records.push([name, zlib.inflateRawSync(d.data)]);
  return { prefix: zip.prefix, records };
});
const inputs: unknown[][] = [[torch.ones([1, 1, 8, 8])], [torch.ones([2, 4]), 1, true], [torch.ones([1, 6])]];
const counts: Record<string, number> = { loaded: 0, ran: 0, TorchError: 0, TypeError: 0 };
for (let i = 0; i < cases; i++) {
  let buf: Buffer;
  if (mode === 'archive') {
    buf = damage(Buffer.from(originals[i % originals.length]));
  } else {
    const { prefix, records } = unpacked[i % unpacked.length];
    const hit = new Set([r(records.length), r(2) ? r(records.length) : -1]);
    buf = Buffer.concat(writeZip(prefix, records.map(([name, d], k) => [name, hit.has(k) ? damage(Buffer.from(d)) : d])));
  }
  try {
    const m = torch.jit.load(buf);
    counts.loaded += 1;
    for (const args of inputs) {
      try {
        m.forward(...args);
        counts.ran += 1;
        break;
      } catch (e) {
        if (!(e instanceof torch.TorchError || e instanceof TypeError)) throw e;
      }
    }
  } catch (e) {
    const name = e instanceof torch.TorchError ? 'TorchError' : (e as Error).constructor.name;
    if (!(name in counts)) {
      console.error(`case ${i}: unexpected ${name}: ${(e as Error).message}`);
      process.exit(1);
    }
    counts[name] += 1;
  }
}
console.log(JSON.stringify({ mode, cases, ...counts }));
