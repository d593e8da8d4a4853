/**
 * Fuzzing the `.pth` reader with thousands of mutated real files (from test/fixtures/pth), by the
 * mutations of test/helpers/pth-mutate.ts: the file damaged byte-wise (truncations, bit flips,
 * overwritten sizes and offsets), the pickle inside a zip damaged byte- or opcode-wise and the
 * zip's structure changed, both re-zipped with valid CRCs so mutations reach the unpickler, the
 * overlap checks and the tensor checks rather than stopping at the CRC. Every case must either
 * load or throw a TorchError / RangeError / TypeError — never anything else, never hang.
 *
 * Deterministic: a seeded PRNG; set PTH_FUZZ_SEED / PTH_FUZZ_CASES to explore further, or run
 * scripts/fuzz-pth.ts for 100,000 cases in child processes with time and memory measured.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TorchError } from '../lib/errors';
import { contiguousBytes, decodePth, toJS } from '../lib/serialization/container';
import { TensorRef } from '../lib/serialization/unpickler';
import { caseRandom, mutateFile } from './helpers/pth-mutate';

const ROOT = path.resolve(__dirname, '..');
const FIX = path.join(ROOT, 'test/fixtures/pth');
const SEED = Number(process.env.PTH_FUZZ_SEED ?? 20240601);
const CASES = Number(process.env.PTH_FUZZ_CASES ?? 20000);
const HAVE_ADDON = fs.existsSync(path.join(ROOT, 'build/Release/nodetorch.node')) && fs.existsSync(path.join(ROOT, 'lib/tensor.ts'));

const files = fs.readdirSync(FIX).filter((f) => /\.(pth|pt)$/.test(f)).sort();
const originals = files.map((f) => ({ name: f, buf: fs.readFileSync(path.join(FIX, f)) }));

const pureTensor = (ref: TensorRef, storage: Uint8Array) => contiguousBytes(ref, storage);

function allowed(e: unknown): boolean {
  return e instanceof TorchError || e instanceof RangeError || e instanceof TypeError;
}

describe('fuzzing the .pth reader with mutated real files', () => {
  it('has fixtures to mutate', () => {
    expect(originals.length).toBeGreaterThan(20);
  });

  it(`${CASES} mutations give only TorchError/RangeError/TypeError (seed ${SEED})`, async () => {
    const pth = HAVE_ADDON ? await import('../lib/serialization/pth').catch(() => undefined) : undefined;
    const tally: Record<string, { ok: number; refused: number }> = {};
    const bad: string[] = [];
    const started = Date.now();
    for (let i = 0; i < CASES; i++) {
      const rand = caseRandom(SEED, i);
      const src = originals[Math.floor(rand() * originals.length)];
      const m = mutateFile(rand, src.buf);
      const t = (tally[m.kind.split(/[:-]/)[0]] ??= { ok: 0, refused: 0 });
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
    expect(tally.zip.refused).toBeGreaterThan(100);
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
