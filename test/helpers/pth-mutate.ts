/**
 * Mutations of `.pth` files for fuzzing the reader, shared by test/pth-fuzz.test.ts,
 * scripts/fuzz-pth.ts and test/helpers/pth-fuzz-native.js.
 *
 * Three families, each returning a new buffer and the name of what it did:
 * - **bytes**: the file as a disk or a download damages it (truncations, bit flips, 1/2/4/8-byte
 *   fields overwritten with boundary values), reaching the zip parser and the legacy reader;
 * - **pickle**: `data.pkl` damaged byte-wise or *opcode-wise* (opcodes deleted, inserted, swapped,
 *   spans repeated many times, lengths and memo indices set to boundary values), then re-zipped
 *   with valid CRCs so the damage reaches the unpickler and the tensor checks;
 * - **zip**: the archive's structure changed with valid CRCs (records dropped, renamed,
 *   duplicated, added, reordered, written as ZIP64; central-directory entries pointed at another
 *   record's bytes), reaching the overlap, name and storage checks.
 *
 * Everything is deterministic given the PRNG; {@link caseRandom} gives case `i` of a seed its own
 * stream, so any case can be replayed alone.
 */
import { isZip, readZip, writeZip } from '../../lib/serialization/zip';

/** A PRNG returning floats in [0, 1). */
export type Rand = () => number;

/**
 * mulberry32: a small, fast, seeded PRNG.
 *
 * @example
 * ```ts
 * const rand = mulberry32(42);
 * rand(); // 0.6011...
 * ```
 */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The PRNG of case `index` of a fuzz run with `seed`: independent of every other case.
 *
 * @example
 * ```ts
 * const m = mutateFile(caseRandom(7, 123), original); // case 123 of seed 7, replayable alone
 * ```
 */
export function caseRandom(seed: number, index: number): Rand {
  return mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}

/** A mutated file and the mutation's name (`family:kind`). */
export interface Mutation {
  kind: string;
  out: Buffer;
}

const SPECIAL_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];
const SPECIAL_U64 = [0n, 1n, 0xffffffffn, 0x7fffffffffffffffn, 0xffffffffffffffffn];

/**
 * Byte-level damage to any buffer: truncation, bit flips, or a 1/2/4/8-byte field overwritten
 * with a boundary value.
 *
 * @example
 * ```ts
 * const { kind, out } = mutateBytes(rand, fs.readFileSync('model.pth'));
 * ```
 */
export function mutateBytes(rand: Rand, buf: Uint8Array): Mutation {
  const r = (n: number) => Math.floor(rand() * n);
  const out = Buffer.from(buf);
  if (out.length < 8) return { kind: 'tiny', out: Buffer.concat([out, Buffer.from([r(256)])]) };
  switch (r(5)) {
    case 0:
      return { kind: 'truncate', out: out.subarray(0, r(buf.length)) };
    case 1: {
      const flips = 1 + r(8);
      for (let i = 0; i < flips; i++) out[r(out.length)] ^= 1 << r(8);
      return { kind: 'bitflip', out };
    }
    case 2:
      out.writeUInt32LE(SPECIAL_U32[r(SPECIAL_U32.length)] >>> 0, r(out.length - 3));
      return { kind: 'u32', out };
    case 3:
      out.writeBigUInt64LE(rand() < 0.8 ? SPECIAL_U64[r(SPECIAL_U64.length)] : BigInt(r(1 << 30)), r(out.length - 7));
      return { kind: 'u64', out };
    default: {
      const at = r(out.length);
      out[at] = SPECIAL_U32[r(SPECIAL_U32.length)] & 0xff;
      if (at + 1 < out.length && rand() < 0.5) out[at + 1] = r(256);
      return { kind: 'byte', out };
    }
  }
}

// --- pickle opcodes -------------------------------------------------------------------------

/** Argument layout of each opcode: fixed bytes, a length prefix of n bytes, or text lines. */
type ArgSpec = { fixed: number } | { lengthBytes: 1 | 4 | 8 } | { lines: 1 | 2 };
const ARGS = new Map<number, ArgSpec>([
  [0x80, { fixed: 1 }], [0x95, { fixed: 8 }], [0x4b, { fixed: 1 }], [0x4d, { fixed: 2 }], [0x4a, { fixed: 4 }],
  [0x47, { fixed: 8 }], [0x68, { fixed: 1 }], [0x6a, { fixed: 4 }], [0x71, { fixed: 1 }], [0x72, { fixed: 4 }],
  [0x82, { fixed: 1 }], [0x83, { fixed: 2 }], [0x84, { fixed: 4 }],
  [0x8a, { lengthBytes: 1 }], [0x8b, { lengthBytes: 4 }], [0x58, { lengthBytes: 4 }], [0x8c, { lengthBytes: 1 }],
  [0x8d, { lengthBytes: 8 }], [0x54, { lengthBytes: 4 }], [0x55, { lengthBytes: 1 }], [0x42, { lengthBytes: 4 }],
  [0x43, { lengthBytes: 1 }], [0x8e, { lengthBytes: 8 }], [0x96, { lengthBytes: 8 }],
  [0x49, { lines: 1 }], [0x4c, { lines: 1 }], [0x46, { lines: 1 }], [0x56, { lines: 1 }], [0x53, { lines: 1 }],
  [0x67, { lines: 1 }], [0x70, { lines: 1 }], [0x50, { lines: 1 }], [0x63, { lines: 2 }], [0x69, { lines: 2 }],
]);

/**
 * Splits a pickle into its opcodes (each with its arguments), or `undefined` when it does not
 * parse (lengths past the end, a missing newline).
 *
 * @example
 * ```ts
 * pickleOps(Buffer.from('\x80\x02K\x01.', 'latin1')); // [<80 02>, <4b 01>, <2e>]
 * ```
 */
export function pickleOps(pkl: Uint8Array): Buffer[] | undefined {
  const ops: Buffer[] = [];
  const b = Buffer.from(pkl.buffer, pkl.byteOffset, pkl.byteLength);
  let p = 0;
  while (p < b.length) {
    const spec = ARGS.get(b[p]);
    let end = p + 1;
    if (spec === undefined) {
      // no arguments
    } else if ('fixed' in spec) {
      end += spec.fixed;
    } else if ('lengthBytes' in spec) {
      if (end + spec.lengthBytes > b.length) return undefined;
      const n = spec.lengthBytes === 1 ? b[end] : spec.lengthBytes === 4 ? b.readUInt32LE(end) : Number(b.readBigUInt64LE(end));
      end += spec.lengthBytes + n;
    } else {
      for (let l = 0; l < spec.lines; l++) {
        const nl = b.indexOf(0x0a, end);
        if (nl < 0) return undefined;
        end = nl + 1;
      }
    }
    if (end > b.length) return undefined;
    ops.push(b.subarray(p, end));
    p = end;
  }
  return ops;
}

/** Opcodes to insert: containers, stack and memo operations, globals safe and unsafe. */
const INSERTS: Array<(r: (n: number) => number) => Buffer> = [
  () => Buffer.from('('), () => Buffer.from('2'), () => Buffer.from('0'), () => Buffer.from('1'),
  () => Buffer.from('}'), () => Buffer.from(']'), () => Buffer.from(')'), () => Buffer.from([0x8f]),
  () => Buffer.from('l'), () => Buffer.from('t'), () => Buffer.from([0x85]), () => Buffer.from([0x86]), () => Buffer.from([0x87]),
  () => Buffer.from('a'), () => Buffer.from('e'), () => Buffer.from('s'), () => Buffer.from('u'), () => Buffer.from('d'),
  () => Buffer.from([0x90]), () => Buffer.from([0x91]), () => Buffer.from('b'), () => Buffer.from('R'), () => Buffer.from('.'),
  () => Buffer.from('N'), () => Buffer.from([0x88]), () => Buffer.from('Q'), () => Buffer.from([0x81]), () => Buffer.from([0x93]),
  () => Buffer.from([0x94]),
  (r) => Buffer.from([0x4b, r(256)]),
  (r) => Buffer.from([0x68, r(8)]),
  (r) => Buffer.from([0x71, r(8)]),
  (r) => { const b = Buffer.from([0x6a, 0, 0, 0, 0]); b.writeUInt32LE(SPECIAL_U32[r(SPECIAL_U32.length)] >>> 0, 1); return b; },
  (r) => { const b = Buffer.from([0x58, 0, 0, 0, 0]); b.writeUInt32LE(SPECIAL_U32[r(SPECIAL_U32.length)] >>> 0, 1); return b; },
  (r) => { const b = Buffer.alloc(9); b[0] = 0x8d; b.writeBigUInt64LE(SPECIAL_U64[r(SPECIAL_U64.length)], 1); return b; },
  (r) => Buffer.from([0x8a, r(3) === 0 ? 255 : r(9)]),
  () => Buffer.from('ctorch\nSize\n'), () => Buffer.from('ctorch\nFloatStorage\n'),
  () => Buffer.from('ccollections\nOrderedDict\n'), () => Buffer.from('ctorch._utils\n_rebuild_tensor_v2\n'),
  () => Buffer.from('cbuiltins\nset\n'), () => Buffer.from('c_codecs\nencode\n'), () => Buffer.from('cos\nsystem\n'),
  () => Buffer.from('g0\n'), () => Buffer.from('p99\n'), () => Buffer.from('I99999999999999999999\n'),
];

/**
 * Opcode-level damage to a pickle: an opcode deleted, inserted, swapped, moved, a span of
 * opcodes repeated up to 512 times (amplification), or an opcode's length or index argument
 * set to a boundary value. Falls back to {@link mutateBytes} when the pickle does not parse.
 *
 * @example
 * ```ts
 * const { kind, out } = mutatePickleOps(rand, records.get('data.pkl')!);
 * ```
 */
export function mutatePickleOps(rand: Rand, pkl: Uint8Array): Mutation {
  const r = (n: number) => Math.floor(rand() * n);
  const ops = pickleOps(pkl);
  if (ops === undefined || ops.length < 2) return mutateBytes(rand, pkl);
  const at = r(ops.length);
  let kind: string;
  switch (r(7)) {
    case 0:
      ops.splice(at, 1);
      kind = 'op-delete';
      break;
    case 1: {
      const n = 1 + r(4);
      for (let i = 0; i < n; i++) ops.splice(r(ops.length + 1), 0, INSERTS[r(INSERTS.length)](r));
      kind = 'op-insert';
      break;
    }
    case 2: {
      const j = r(ops.length);
      [ops[at], ops[j]] = [ops[j], ops[at]];
      kind = 'op-swap';
      break;
    }
    case 3: {
      const [op] = ops.splice(at, 1);
      ops.splice(r(ops.length + 1), 0, op);
      kind = 'op-move';
      break;
    }
    case 4: {
      const span = ops.slice(at, at + 1 + r(8));
      const times = 1 + r(rand() < 0.2 ? 512 : 8);
      const copies: Buffer[] = [];
      for (let i = 0; i < times; i++) for (const op of span) copies.push(op);
      ops.splice(at + span.length, 0, ...copies);
      kind = 'op-repeat';
      break;
    }
    case 5: {
      const op = Buffer.from(ops[at]);
      if (op.length >= 5) op.writeUInt32LE(SPECIAL_U32[r(SPECIAL_U32.length)] >>> 0, 1);
      else if (op.length >= 2) op[1] = SPECIAL_U32[r(SPECIAL_U32.length)] & 0xff;
      else op[0] = INSERTS[r(INSERTS.length)](r)[0];
      ops[at] = op;
      kind = 'op-arg';
      break;
    }
    default: {
      // Replace an opcode by another with the same arguments (e.g. LIST → TUPLE, BINPUT → BINGET).
      const op = Buffer.from(ops[at]);
      op[0] = INSERTS[r(INSERTS.length)](r)[0];
      ops[at] = op;
      kind = 'op-replace';
    }
  }
  return { kind, out: Buffer.concat(ops) };
}

// --- zip structure --------------------------------------------------------------------------

const CENTRAL_SIG = 0x02014b50;

/** Offsets of the central-directory entries of an archive `writeZip` wrote (never ZIP64 here). */
function centralEntries(zip: Buffer): number[] {
  const eocd = zip.length - 22;
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out: number[] = [];
  for (let i = 0; i < count && p + 46 <= zip.length && zip.readUInt32LE(p) === CENTRAL_SIG; i++) {
    out.push(p);
    p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

/**
 * Makes central-directory entries name another record's bytes, CRC and sizes included (so only
 * the overlap check can tell): one entry, or every entry pointed at the same record.
 */
function aliasEntries(rand: Rand, zip: Buffer): Buffer {
  const entries = centralEntries(zip);
  if (entries.length < 2) return zip;
  const out = Buffer.from(zip);
  const src = entries[Math.floor(rand() * entries.length)];
  const targets = rand() < 0.5 ? [entries[Math.floor(rand() * entries.length)]] : entries;
  for (const e of targets) {
    out.writeUInt32LE(zip.readUInt32LE(src + 16), e + 16); // crc
    out.writeUInt32LE(zip.readUInt32LE(src + 20), e + 20); // compressed size
    out.writeUInt32LE(zip.readUInt32LE(src + 24), e + 24); // size
    out.writeUInt32LE(zip.readUInt32LE(src + 42), e + 42); // local header offset
  }
  return out;
}

/**
 * Structural damage to a zip `.pth` with valid CRCs: a record dropped, renamed, duplicated,
 * added (an unused storage or other junk), records reordered, ZIP64 forced, or entries aliased
 * to another record's bytes. `undefined` when `buf` is not a readable zip.
 *
 * @example
 * ```ts
 * const m = mutateZip(rand, fs.readFileSync('model.pth'));
 * ```
 */
export function mutateZip(rand: Rand, buf: Buffer): Mutation | undefined {
  const z = readable(buf);
  if (z === undefined) return undefined;
  const r = (n: number) => Math.floor(rand() * n);
  const recs: Array<[string, Uint8Array]> = [...z.records].map(([n, d]) => [n, Buffer.from(d)]);
  let kind: string;
  let forceZip64 = false;
  switch (r(7)) {
    case 0:
      recs.splice(r(recs.length), 1);
      kind = 'zip-drop';
      break;
    case 1: {
      const i = r(recs.length);
      recs[i] = [['data.pkl', 'data/0', 'data/99', 'version', 'byteorder', 'constants.pkl', 'code/x.py', '../x', ''][r(9)], recs[i][1]];
      kind = 'zip-rename';
      break;
    }
    case 2:
      recs.push(recs[r(recs.length)]);
      kind = 'zip-duplicate';
      break;
    case 3:
      recs.splice(r(recs.length + 1), 0, [rand() < 0.5 ? `data/${900 + r(9)}` : `junk${r(9)}`, Buffer.alloc(r(300), r(256))]);
      kind = 'zip-add';
      break;
    case 4:
      for (let i = recs.length - 1; i > 0; i--) {
        const j = r(i + 1);
        [recs[i], recs[j]] = [recs[j], recs[i]];
      }
      kind = 'zip-shuffle';
      break;
    case 5:
      forceZip64 = true;
      kind = 'zip-zip64';
      break;
    default:
      return { kind: 'zip-alias', out: aliasEntries(rand, Buffer.concat(writeZip(z.prefix, recs))) };
  }
  return { kind, out: Buffer.concat(writeZip(z.prefix, recs, { forceZip64 })) };
}

function readable(buf: Buffer): ReturnType<typeof readZip> | undefined {
  if (!isZip(buf)) return undefined;
  try {
    const z = readZip(buf);
    return z.compressed.size ? undefined : z;
  } catch {
    return undefined;
  }
}

/**
 * For zip files: damages `data.pkl` (80%) or another record, byte-wise or opcode-wise, then
 * re-zips with valid CRCs. `undefined` when `buf` is not a readable zip.
 *
 * @example
 * ```ts
 * const m = mutateInside(rand, fs.readFileSync('model.pth'));
 * ```
 */
export function mutateInside(rand: Rand, buf: Buffer): Mutation | undefined {
  const z = readable(buf);
  if (z === undefined) return undefined;
  const names = [...z.records.keys()];
  const target = rand() < 0.8 && z.records.has('data.pkl') ? 'data.pkl' : names[Math.floor(rand() * names.length)];
  let kind = '';
  const recs: Array<[string, Uint8Array]> = names.map((n) => {
    const data = Buffer.from(z.records.get(n)!);
    if (n !== target) return [n, data];
    const m = n.endsWith('.pkl') && rand() < 0.6 ? mutatePickleOps(rand, data) : mutateBytes(rand, data);
    kind = m.kind;
    return [n, m.out];
  });
  if (rand() < 0.1) recs.splice(Math.floor(rand() * recs.length), 1); // drop a record
  return { kind: `inside:${target === 'data.pkl' ? 'pickle' : 'record'}:${kind}`, out: Buffer.concat(writeZip(z.prefix, recs)) };
}

/**
 * One fuzz case: a mutation of `original` from one of the three families (for legacy files,
 * bytes only).
 *
 * @example
 * ```ts
 * const { kind, out } = mutateFile(caseRandom(seed, i), original);
 * ```
 */
export function mutateFile(rand: Rand, original: Buffer): Mutation {
  const pick = rand();
  const m = pick < 0.5 ? mutateInside(rand, original) : pick < 0.7 ? mutateZip(rand, original) : undefined;
  return m ?? mutateBytes(rand, original);
}
