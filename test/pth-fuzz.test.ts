/**
 * Fuzzing the `.pth` reader with thousands of mutated real files (from test/fixtures/pth):
 * truncations, bit flips, overwritten 1/2/4/8-byte fields (sizes, offsets, lengths), and the
 * same applied to the pickle inside a zip that is then re-zipped with valid CRCs, so mutations
 * reach the unpickler and the tensor checks rather than stopping at the CRC. Every case must
 * either load or throw a TorchError / RangeError / TypeError — never anything else, never hang.
 *
 * Deterministic: a seeded PRNG; set PTH_FUZZ_SEED / PTH_FUZZ_CASES to explore further.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TorchError } from '../lib/errors';
import { contiguousBytes, decodePth, toJS } from '../lib/serialization/container';
import { TensorRef } from '../lib/serialization/unpickler';
import { isZip, readZip, writeZip } from '../lib/serialization/zip';

const ROOT = path.resolve(__dirname, '..');
const FIX = path.join(ROOT, 'test/fixtures/pth');
const SEED = Number(process.env.PTH_FUZZ_SEED ?? 20240601);
const CASES = Number(process.env.PTH_FUZZ_CASES ?? 20000);
const HAVE_ADDON = fs.existsSync(path.join(ROOT, 'build/Release/nodetorch.node')) && fs.existsSync(path.join(ROOT, 'lib/tensor.ts'));

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const files = fs.readdirSync(FIX).filter((f) => /\.(pth|pt)$/.test(f)).sort();
const originals = files.map((f) => ({ name: f, buf: fs.readFileSync(path.join(FIX, f)) }));

/** The mutation kinds; each returns a new buffer. */
function mutate(rand: () => number, buf: Buffer): { kind: string; out: Buffer } {
  const r = (n: number) => Math.floor(rand() * n);
  const out = Buffer.from(buf);
  if (out.length < 8) return { kind: 'tiny', out: Buffer.concat([out, Buffer.from([r(256)])]) };
  const specials = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];
  switch (r(5)) {
    case 0:
      return { kind: 'truncate', out: out.subarray(0, r(buf.length)) };
    case 1: {
      const flips = 1 + r(8);
      for (let i = 0; i < flips; i++) out[r(out.length)] ^= 1 << r(8);
      return { kind: 'bitflip', out };
    }
    case 2: {
      const at = r(Math.max(1, out.length - 4));
      out.writeUInt32LE(specials[r(specials.length)] >>> 0, Math.min(at, out.length - 4));
      return { kind: 'u32', out };
    }
    case 3: {
      const at = r(Math.max(1, out.length - 8));
      out.writeBigUInt64LE([0n, 1n, 0xffffffffn, 0x7fffffffffffffffn, 0xffffffffffffffffn, BigInt(r(1 << 30))][r(6)], Math.min(at, out.length - 8));
      return { kind: 'u64', out };
    }
    default: {
      const at = r(out.length);
      out[at] = specials[r(specials.length)] & 0xff;
      if (at + 1 < out.length && rand() < 0.5) out[at + 1] = r(256);
      return { kind: 'byte', out };
    }
  }
}

/** For zip files: mutate the pickle (or a storage record), then re-zip so CRCs are valid. */
function mutateInside(rand: () => number, buf: Buffer): { kind: string; out: Buffer } | undefined {
  if (!isZip(buf)) return undefined;
  let z;
  try {
    z = readZip(buf);
  } catch {
    return undefined;
  }
  if (z.compressed.size) return undefined;
  const names = [...z.records.keys()];
  const target = rand() < 0.8 ? 'data.pkl' : names[Math.floor(rand() * names.length)];
  const recs: Array<[string, Uint8Array]> = names.map((n) => {
    const data = Buffer.from(z.records.get(n)!);
    return [n, n === target ? mutate(rand, data).out : data];
  });
  if (rand() < 0.1) recs.splice(Math.floor(rand() * recs.length), 1); // drop a record
  return { kind: `inside:${target}`, out: Buffer.concat(writeZip(z.prefix, recs)) };
}

const pureTensor = (ref: TensorRef, storage: Uint8Array) => contiguousBytes(ref, storage);

function allowed(e: unknown): boolean {
  return e instanceof TorchError || e instanceof RangeError || e instanceof TypeError;
}

describe('fuzzing the .pth reader with mutated real files', () => {
  it('has fixtures to mutate', () => {
    expect(originals.length).toBeGreaterThan(20);
  });

  it(`${CASES} mutations give only TorchError/RangeError/TypeError (seed ${SEED})`, async () => {
    const rand = mulberry32(SEED);
    const pth = HAVE_ADDON ? await import('../lib/serialization/pth').catch(() => undefined) : undefined;
    const tally: Record<string, { ok: number; refused: number }> = {};
    const bad: string[] = [];
    const started = Date.now();
    for (let i = 0; i < CASES; i++) {
      const src = originals[Math.floor(rand() * originals.length)];
      const m = (rand() < 0.5 ? mutateInside(rand, src.buf) : undefined) ?? mutate(rand, src.buf);
      const t = (tally[m.kind.split(':')[0]] ??= { ok: 0, refused: 0 });
      try {
        toJS(decodePth(m.out), pureTensor);
        // A mutation may still be a valid file; then the real loader must accept it too.
        if (pth) pth.load(m.out);
        t.ok++;
      } catch (e) {
        if (allowed(e)) {
          t.refused++;
          // Stack exhaustion would be a RangeError too, but it is not an acceptable answer.
          if (e instanceof RangeError && /call stack/.test(e.message)) bad.push(`${src.name} ${m.kind} #${i}: ${e.message}`);
        } else {
          bad.push(`${src.name} ${m.kind} #${i}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
        }
      }
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`pth fuzz: ${CASES} cases in ${seconds.toFixed(1)} s`, JSON.stringify(tally));
    expect(bad.slice(0, 20)).toEqual([]);
    // The mutations must mostly reach deep checks, not just the zip layer.
    expect(tally.inside.refused).toBeGreaterThan(100);
  }, 120_000);

  it('every prefix of every fixture is refused cleanly', () => {
    for (const { name, buf } of originals) {
      const step = Math.max(1, Math.floor(buf.length / 200));
      for (let cut = 0; cut < buf.length; cut += step) {
        let err: unknown;
        try {
          toJS(decodePth(buf.subarray(0, cut)), pureTensor);
        } catch (e) {
          err = e;
        }
        expect(err, `${name} cut at ${cut}`).toBeInstanceOf(TorchError);
      }
    }
  });
});
