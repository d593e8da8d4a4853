/**
 * The ZIP container PyTorch uses for `.pth` files (`caffe2::serialize::PyTorchStreamReader/Writer`):
 * stored (uncompressed) records under one top folder, each record's data aligned to 64 bytes,
 * ZIP64 when sizes or offsets need it.
 *
 * The reader trusts nothing in the file: every offset and size is checked against the buffer
 * before it is used, and records may not overlap, so a damaged or hostile file gives a
 * {@link TorchError} (`PTH_INVALID`), never an out-of-range read, a huge allocation or work
 * beyond one pass over the file. Record data is returned as views into the input buffer (no copies).
 */
import * as zlib from 'node:zlib';
import { TorchError } from '../errors';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const EXTRA_ZIP64 = 0x0001;
/** The extra-field id PyTorch's writer uses for alignment padding ("FB"). */
const EXTRA_PADDING = 0x4246;
const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const EOCD_SIZE = 22;
const EOCD64_SIZE = 56;
const EOCD64_LOCATOR_SIZE = 20;
const MAX_COMMENT = 0xffff;
/** Data alignment PyTorch uses for every record (`kFieldAlignment`). */
export const ZIP_ALIGNMENT = 64;

/** A parsed archive: the top folder and its records, by name relative to that folder. */
export interface ZipArchive {
  /** The top folder, taken from the first central-directory entry (e.g. `model` or `archive`). */
  prefix: string;
  /** Record name (without `prefix/`) → its bytes, a view into the input buffer. In file order. */
  records: Map<string, Uint8Array>;
  /**
   * Compressed records (name → compression method). PyTorch never compresses what `torch.load`
   * reads, but TorchScript archives compress their `code/` records; they are listed, not read.
   */
  compressed: Map<string, number>;
  /**
   * The deflated (method 8) records among `compressed`, as stored: their compressed bytes (a view
   * into the input buffer), the CRC-32 and size the central directory gives for the inflated
   * data. Not checked here; whoever inflates them checks both.
   */
  deflated: Map<string, { data: Uint8Array; crc: number; size: number }>;
  /** Record name → where its full name (`prefix/name`, UTF-8) starts in the central directory. */
  centralNames: Map<string, number>;
}

function invalid(message: string): TorchError {
  return new TorchError(`Invalid .pth zip archive: ${message}`, 'PTH_INVALID');
}

type Crc32 = (data: Uint8Array, value?: number) => number;
let crcTable: Uint32Array | undefined;
/**
 * CRC-32 (IEEE), from `zlib.crc32` when Node has it, else a table implementation.
 *
 * @example
 * ```ts
 * crc32(Buffer.from('3\n')); // the CRC stored for a `version` record
 * ```
 */
export const crc32: Crc32 =
  typeof (zlib as unknown as { crc32?: Crc32 }).crc32 === 'function'
    ? (zlib as unknown as { crc32: Crc32 }).crc32
    : (data: Uint8Array, value = 0): number => {
        if (!crcTable) {
          crcTable = new Uint32Array(256);
          for (let n = 0; n < 256; n++) {
            let c = n;
            for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
            crcTable[n] = c >>> 0;
          }
        }
        let c = ~value >>> 0;
        for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
        return ~c >>> 0;
      };

/** Reads little-endian integers with bounds checks; 64-bit values must fit a safe integer. */
class Reader {
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(offset: number, length: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 ||
        offset + length > this.buf.length) {
      throw invalid(`${what} at offset ${offset} (length ${length}) lies outside the ${this.buf.length}-byte file`);
    }
  }
  u16(offset: number, what: string): number {
    this.need(offset, 2, what);
    return this.view.getUint16(offset, true);
  }
  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getUint32(offset, true);
  }
  u64(offset: number, what: string): number {
    this.need(offset, 8, what);
    const v = this.view.getBigUint64(offset, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`${what} ${v} is too large`);
    return Number(v);
  }
}

/**
 * True when `buf` starts like a ZIP file (a local header), which is how `torch.load` tells the
 * zip format from the legacy one.
 *
 * @example
 * ```ts
 * isZip(fs.readFileSync('model.pth')); // true for files saved by torch >= 1.6
 * ```
 */
export function isZip(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
}

/** A central-directory entry of a file record, as {@link readZip} checks it before reading its data. */
interface Entry {
  name: string;
  rel: string;
  method: number;
  crc: number;
  size: number;
  compSize: number;
  /** Where its local header starts. */
  start: number;
  dataStart: number;
}

/**
 * Parses a ZIP archive of the kind PyTorch writes. Compressed records are listed but not read;
 * encrypted records, overlapping records (a local header or data inside another's), out-of-range
 * data, duplicate names, names outside the top folder and CRC mismatches are all refused with a
 * `PTH_INVALID` {@link TorchError}. The work is linear in the file's size: records are checked
 * not to overlap before any is CRC-checked, so all CRCs together read each byte at most once.
 *
 * @example
 * ```ts
 * const { prefix, records } = readZip(fs.readFileSync('model.pth'));
 * const pickle = records.get('data.pkl');
 * ```
 */
export function readZip(buf: Uint8Array): ZipArchive {
  const r = new Reader(buf);
  if (buf.length < EOCD_SIZE) throw invalid(`the file is only ${buf.length} bytes, too short for a zip`);

  // End of central directory: the last EOCD signature whose comment ends at the end of file.
  let eocd = -1;
  const lowest = Math.max(0, buf.length - EOCD_SIZE - MAX_COMMENT);
  for (let p = buf.length - EOCD_SIZE; p >= lowest; p--) {
    if (buf[p] === 0x50 && buf[p + 1] === 0x4b && buf[p + 2] === 0x05 && buf[p + 3] === 0x06 &&
        p + EOCD_SIZE + r.u16(p + 20, 'comment length') === buf.length) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw invalid('no end-of-central-directory record (the file is truncated or not a zip)');

  let count = r.u16(eocd + 10, 'entry count');
  let cdSize = r.u32(eocd + 12, 'central directory size');
  let cdOffset = r.u32(eocd + 16, 'central directory offset');
  let cdLimit = eocd;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - EOCD64_LOCATOR_SIZE;
    if (loc < 0 || r.u32(loc, 'zip64 locator') !== SIG_EOCD64_LOCATOR) throw invalid('missing zip64 end-of-central-directory locator');
    const e64 = r.u64(loc + 8, 'zip64 end-of-central-directory offset');
    r.need(e64, EOCD64_SIZE, 'zip64 end-of-central-directory record');
    if (e64 + EOCD64_SIZE > loc || r.u32(e64, 'zip64 end-of-central-directory record') !== SIG_EOCD64) {
      throw invalid('bad zip64 end-of-central-directory record');
    }
    count = r.u64(e64 + 32, 'zip64 entry count');
    cdSize = r.u64(e64 + 40, 'zip64 central directory size');
    cdOffset = r.u64(e64 + 48, 'zip64 central directory offset');
    cdLimit = e64;
  }
  r.need(cdOffset, cdSize, 'central directory');
  if (cdOffset + cdSize > cdLimit) throw invalid('the central directory overlaps its end record');
  if (count * CENTRAL_HEADER_SIZE > cdSize) throw invalid(`${count} entries cannot fit in a ${cdSize}-byte central directory`);

  const decoder = new TextDecoder('utf-8', { fatal: true });
  const entries: Entry[] = [];
  const names = new Set<string>();
  const centralNames = new Map<string, number>();
  let prefix: string | undefined;
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_HEADER_SIZE > cdEnd || r.u32(p, 'central directory entry') !== SIG_CENTRAL) {
      throw invalid(`central directory entry ${i} is damaged`);
    }
    const flags = r.u16(p + 8, 'flags');
    const method = r.u16(p + 10, 'compression method');
    const crc = r.u32(p + 16, 'crc');
    let compSize = r.u32(p + 20, 'compressed size');
    let size = r.u32(p + 24, 'size');
    const nameLen = r.u16(p + 28, 'name length');
    const extraLen = r.u16(p + 30, 'extra length');
    const commentLen = r.u16(p + 32, 'comment length');
    let localOffset = r.u32(p + 42, 'local header offset');
    const entryEnd = p + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
    if (entryEnd > cdEnd) throw invalid(`central directory entry ${i} runs past the directory`);
    let name: string;
    try {
      name = decoder.decode(buf.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLen));
    } catch {
      throw invalid(`entry ${i} has a name that is not UTF-8`);
    }
    // ZIP64 extended information: present fields are those whose 32-bit value is 0xFFFFFFFF.
    let q = p + CENTRAL_HEADER_SIZE + nameLen;
    const extraEnd = q + extraLen;
    while (q + 4 <= extraEnd) {
      const id = r.u16(q, 'extra field id');
      const len = r.u16(q + 2, 'extra field length');
      if (q + 4 + len > extraEnd) throw invalid(`record "${name}" has a damaged extra field`);
      if (id === EXTRA_ZIP64) {
        let f = q + 4;
        const take = (what: string): number => {
          if (f + 8 > q + 4 + len) throw invalid(`record "${name}" has a short zip64 field (${what})`);
          const v = r.u64(f, what);
          f += 8;
          return v;
        };
        if (size === 0xffffffff) size = take('size');
        if (compSize === 0xffffffff) compSize = take('compressed size');
        if (localOffset === 0xffffffff) localOffset = take('local header offset');
      }
      q += 4 + len;
    }
    p = entryEnd;

    if (flags & 0x1) throw invalid(`record "${name}" is encrypted`);
    if (method === 0 && compSize !== size) throw invalid(`record "${name}" has compressed size ${compSize} but size ${size}`);

    const slash = name.indexOf('/');
    if (prefix === undefined) {
      if (slash <= 0) throw invalid(`the first record "${name}" is not inside a top folder`);
      prefix = name.slice(0, slash);
    }
    if (!name.startsWith(prefix + '/')) throw invalid(`record "${name}" is outside the top folder "${prefix}/"`);
    const rel = name.slice(prefix.length + 1);
    if (rel === '' || rel.endsWith('/')) continue; // a directory entry
    if (names.has(rel)) throw invalid(`record "${name}" appears twice`);
    names.add(rel);
    centralNames.set(rel, entryEnd - (nameLen + extraLen + commentLen));

    // Local header: the data starts after its own name and extra field (PyTorch's padding).
    if (r.u32(localOffset, `local header of "${name}"`) !== SIG_LOCAL) throw invalid(`record "${name}" has no local header at offset ${localOffset}`);
    const localNameLen = r.u16(localOffset + 26, 'local name length');
    const localExtraLen = r.u16(localOffset + 28, 'local extra length');
    const dataStart = localOffset + LOCAL_HEADER_SIZE + localNameLen + localExtraLen;
    if (dataStart + compSize > cdOffset || dataStart > buf.length) {
      throw invalid(`record "${name}" claims ${compSize} bytes at offset ${dataStart}, past the data area (the file is truncated or damaged)`);
    }
    entries.push({ name, rel, method, crc, size, compSize, start: localOffset, dataStart });
  }
  if (prefix === undefined) throw invalid('the archive is empty');
  refuseOverlaps(entries);

  const records = new Map<string, Uint8Array>();
  const compressed = new Map<string, number>();
  const deflated = new Map<string, { data: Uint8Array; crc: number; size: number }>();
  for (const { name, rel, method, crc, size, compSize, dataStart } of entries) {
    if (method !== 0) {
      compressed.set(rel, method);
      if (method === 8) deflated.set(rel, { data: buf.subarray(dataStart, dataStart + compSize), crc, size });
      continue;
    }
    const data = buf.subarray(dataStart, dataStart + size);
    if ((crc32(data) >>> 0) !== crc) throw invalid(`record "${name}" fails its CRC-32 check (the file is damaged)`);
    records.set(rel, data);
  }
  return { prefix, records, compressed, deflated, centralNames };
}

/**
 * Refuses records whose bytes (local header and data) overlap another's: a zip tool never writes
 * them, and they would let a small file name the same bytes thousands of times.
 */
function refuseOverlaps(entries: Entry[]): void {
  const byStart = entries.slice().sort((a, b) => a.start - b.start);
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1];
    const prevEnd = prev.dataStart + prev.compSize;
    if (byStart[i].start < prevEnd) {
      throw invalid(`records "${prev.name}" (bytes ${prev.start}–${prevEnd}) and "${byStart[i].name}" (from byte ${byStart[i].start}) overlap`);
    }
  }
}

/** Options for {@link writeZip}. */
export interface WriteZipOptions {
  /** Use ZIP64 records even for small archives (for tests). Default: only when needed. */
  forceZip64?: boolean;
}

/**
 * Writes a stored ZIP archive the way PyTorch does: every record under `prefix/`, data aligned to
 * 64 bytes by padding the local header's extra field, CRC-32 on each record, ZIP64 where a size,
 * offset or count needs it. Returns the archive as chunks (record data is not copied), to be
 * written in order.
 *
 * @example
 * ```ts
 * const chunks = writeZip('model', [['data.pkl', pickle], ['data/0', bytes], ['version', Buffer.from('3\n')]]);
 * fs.writeFileSync('model.pth', Buffer.concat(chunks));
 * ```
 */
export function writeZip(prefix: string, records: Array<[string, Uint8Array]>, options: WriteZipOptions = {}): Buffer[] {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const force = options.forceZip64 === true;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01, like PyTorch's fixed timestamp
  for (const [rel, data] of records) {
    const name = Buffer.from(`${prefix}/${rel}`, 'utf8');
    const utf8Flag = /^[\x20-\x7e]*$/.test(`${prefix}/${rel}`) ? 0 : 0x0800;
    const size = data.length;
    const crc = crc32(data) >>> 0;
    const big = force || size >= 0xffffffff;
    const bigOffset = force || offset >= 0xffffffff;
    const version = big || bigOffset ? 45 : 20;

    // Local header: ZIP64 field (both sizes) if needed, then padding to align the data.
    const zip64Local = big ? 20 : 0;
    const before = offset + LOCAL_HEADER_SIZE + name.length + zip64Local;
    const pad = ((ZIP_ALIGNMENT - ((before + 4) % ZIP_ALIGNMENT)) % ZIP_ALIGNMENT) + 4;
    const local = Buffer.alloc(LOCAL_HEADER_SIZE + name.length + zip64Local + pad);
    local.writeUInt32LE(SIG_LOCAL, 0);
    local.writeUInt16LE(version, 4);
    local.writeUInt16LE(utf8Flag, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(big ? 0xffffffff : size, 18);
    local.writeUInt32LE(big ? 0xffffffff : size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(zip64Local + pad, 28);
    name.copy(local, LOCAL_HEADER_SIZE);
    let e = LOCAL_HEADER_SIZE + name.length;
    if (big) {
      local.writeUInt16LE(EXTRA_ZIP64, e);
      local.writeUInt16LE(16, e + 2);
      local.writeBigUInt64LE(BigInt(size), e + 4);
      local.writeBigUInt64LE(BigInt(size), e + 12);
      e += 20;
    }
    local.writeUInt16LE(EXTRA_PADDING, e);
    local.writeUInt16LE(pad - 4, e + 2); // the rest is already zero
    chunks.push(local);
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));

    // Central directory entry: ZIP64 field carries only the fields that overflowed, in order.
    const fields: number[] = [];
    if (big) fields.push(size, size);
    if (bigOffset) fields.push(offset);
    const zip64Central = fields.length ? 4 + 8 * fields.length : 0;
    const cd = Buffer.alloc(CENTRAL_HEADER_SIZE + name.length + zip64Central);
    cd.writeUInt32LE(SIG_CENTRAL, 0);
    cd.writeUInt16LE(version, 4);
    cd.writeUInt16LE(version, 6);
    cd.writeUInt16LE(utf8Flag, 8);
    cd.writeUInt16LE(0, 10);
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(DOS_DATE, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(big ? 0xffffffff : size, 20);
    cd.writeUInt32LE(big ? 0xffffffff : size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt16LE(zip64Central, 30);
    cd.writeUInt32LE(bigOffset ? 0xffffffff : offset, 42);
    name.copy(cd, CENTRAL_HEADER_SIZE);
    if (fields.length) {
      let f = CENTRAL_HEADER_SIZE + name.length;
      cd.writeUInt16LE(EXTRA_ZIP64, f);
      cd.writeUInt16LE(8 * fields.length, f + 2);
      f += 4;
      for (const v of fields) {
        cd.writeBigUInt64LE(BigInt(v), f);
        f += 8;
      }
    }
    central.push(cd);
    offset += local.length + size;
  }

  const cdOffset = offset;
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  for (const c of central) chunks.push(c);
  const count = records.length;
  const need64 = force || count >= 0xffff || cdOffset >= 0xffffffff || cdSize >= 0xffffffff;
  if (need64) {
    const e64 = Buffer.alloc(EOCD64_SIZE + EOCD64_LOCATOR_SIZE);
    e64.writeUInt32LE(SIG_EOCD64, 0);
    e64.writeBigUInt64LE(BigInt(EOCD64_SIZE - 12), 4);
    e64.writeUInt16LE(45, 12);
    e64.writeUInt16LE(45, 14);
    e64.writeBigUInt64LE(BigInt(count), 24);
    e64.writeBigUInt64LE(BigInt(count), 32);
    e64.writeBigUInt64LE(BigInt(cdSize), 40);
    e64.writeBigUInt64LE(BigInt(cdOffset), 48);
    e64.writeUInt32LE(SIG_EOCD64_LOCATOR, EOCD64_SIZE);
    e64.writeBigUInt64LE(BigInt(cdOffset + cdSize), EOCD64_SIZE + 8);
    e64.writeUInt32LE(1, EOCD64_SIZE + 16);
    chunks.push(e64);
  }
  const eocd = Buffer.alloc(EOCD_SIZE);
  eocd.writeUInt32LE(SIG_EOCD, 0);
  eocd.writeUInt16LE(need64 ? 0xffff : count, 8);
  eocd.writeUInt16LE(need64 ? 0xffff : count, 10);
  eocd.writeUInt32LE(need64 ? 0xffffffff : cdSize, 12);
  eocd.writeUInt32LE(need64 ? 0xffffffff : cdOffset, 16);
  chunks.push(eocd);
  return chunks;
}
