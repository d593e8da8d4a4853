/**
 * Hostile `.pth` files, built in memory (a few MB at most), for test/reliability-pth.test.ts and
 * its child processes: pickles that ask for far more memory or work than their size, and a zip
 * whose entries all name the same bytes.
 */
import { crc32, writeZip } from '../../lib/serialization/zip';

/** A `torch.save`-shaped archive (`data.pkl`, `byteorder`, `version`, then `extra`) around `pkl`. */
export function zipPickle(pkl: Uint8Array, extra: Array<[string, Uint8Array]> = []): Buffer {
  return Buffer.concat(writeZip('archive', [
    ['data.pkl', pkl], ['byteorder', Buffer.from('little')], ['version', Buffer.from('3\n')], ...extra,
  ]));
}

/** `n` copies of the opcode bytes `op` between `prefix` and `suffix` (latin-1 strings). */
function repeated(prefix: string, op: Buffer, n: number, suffix: string): Buffer {
  const head = Buffer.from(prefix, 'latin1');
  const tail = Buffer.from(suffix, 'latin1');
  const out = Buffer.alloc(head.length + op.length * n + tail.length);
  head.copy(out, 0);
  if (op.length === 1) out.fill(op[0], head.length, head.length + n);
  else for (let i = 0; i < n; i++) op.copy(out, head.length + i * op.length);
  tail.copy(out, head.length + op.length * n);
  return out;
}

/** `[{}, {}, …]`: `n` empty dicts in one MARK/LIST, one byte each (40 MB → 40 million dicts). */
export function emptyDictsPickle(n: number): Buffer {
  return repeated('\x80\x02(', Buffer.from('}'), n, 'l.');
}

/** `[(), (), …]`: `n` empty tuples, the cheapest objects a pickle can make (one byte each). */
export function emptyTuplesPickle(n: number): Buffer {
  return repeated('\x80\x02(', Buffer.from(')'), n, 'l.');
}

/** `n` MARKs open at once. */
export function marksPickle(n: number): Buffer {
  return repeated('\x80\x02', Buffer.from('('), n, 'N.');
}

/**
 * A memoized list of `items` distinct ints, then `set(list)` called `copies` times (6 bytes
 * each): every call copies the whole list, so a 0.3 MB pickle asks for `copies` × `items` entries.
 */
export function setCopiesPickle(items: number, copies: number): Buffer {
  const ints = Buffer.alloc(items * 3);
  for (let i = 0; i < items; i++) {
    ints[i * 3] = 0x4d; // BININT2
    ints.writeUInt16LE(i & 0xffff, i * 3 + 1);
  }
  const head = Buffer.concat([
    Buffer.from('\x80\x02cbuiltins\nset\nq\x00]q\x01(', 'latin1'), ints, Buffer.from('e0', 'latin1'),
  ]);
  // GET set, GET list, TUPLE1, REDUCE, POP
  return Buffer.concat([head, repeated('', Buffer.from('h\x00h\x01\x85R0', 'latin1'), copies, 'N.')]);
}

/**
 * A zip of one `size`-byte record whose central directory has `entries` entries, all naming that
 * record's bytes under different names (each with the right CRC): ~2.3 MB for 20,000 entries and
 * 1 MB. Reading every entry would CRC-check `entries` × `size` bytes.
 */
export function overlappingZip(entries: number, size: number): Buffer {
  const data = Buffer.alloc(size, 0x61);
  const crc = crc32(data) >>> 0;
  const name = (i: number) => Buffer.from(`archive/r${i}`);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(size, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name(0).length, 26);
  const central: Buffer[] = [];
  for (let i = 0; i < entries; i++) {
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(size, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name(i).length, 28);
    cd.writeUInt32LE(0, 42); // every entry: the one local header at offset 0
    central.push(cd, name(i));
  }
  const head = Buffer.concat([local, name(0), data]);
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries, 8);
  eocd.writeUInt16LE(entries, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(head.length, 16);
  return Buffer.concat([head, cd, eocd]);
}

/** The hostile files by name, for child processes: `name` → its bytes. */
export const HOSTILE: Record<string, () => Buffer> = {
  'empty-dicts-40M': () => zipPickle(emptyDictsPickle(40_000_000)),
  'set-copies': () => zipPickle(setCopiesPickle(100_000, 20_000)),
  'overlap-20k': () => overlappingZip(20_000, 1 << 20),
};
