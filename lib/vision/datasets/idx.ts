/**
 * The IDX file format of MNIST and Fashion-MNIST (LeCun et al.), plain or gzipped.
 *
 * Layout: a 4-byte magic number `0x00 0x00 <dtype code> <ndim>`, then `ndim` big-endian uint32
 * dimension sizes, then the data in C order, big-endian. MNIST's label files have magic
 * `0x00000801` (uint8, 1 dim), its image files `0x00000803` (uint8, 3 dims).
 *
 * A gzipped file is inflated no further than its header declares: the header is read from the
 * first inflated bytes, then the whole is inflated with its output capped at header + data, so a
 * gzip bomb costs what its header claims (and a claim no gzip of its size can hold costs nothing).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { constants as bufferConstants } from 'node:buffer';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { typeError, rangeError, TorchError } from '../../errors';
import { fsError } from './fs';

/**
 * The element types an IDX file may hold, by their names in nodetorch.
 *
 * @example
 * ```ts
 * const dtype: IdxDtype = readIdx('train-labels-idx1-ubyte').dtype; // 'uint8'
 * ```
 */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/**
 * The typed array each {@link IdxDtype} decodes to (host byte order).
 *
 * @example
 * ```ts
 * const labels: IdxData['uint8'] = readIdx('t10k-labels-idx1-ubyte', { dtype: 'uint8' }).data;
 * ```
 */
export interface IdxData {
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
}

/**
 * A decoded IDX file.
 *
 * @example
 * ```ts
 * const images: IdxArray<'uint8'> = readIdx('train-images-idx3-ubyte', { dtype: 'uint8', ndim: 3 });
 * images.shape; // [60000, 28, 28]
 * images.data.length; // 47040000
 * ```
 */
export interface IdxArray<D extends IdxDtype = IdxDtype> {
  /** Element type, from the third magic byte. */
  dtype: D;
  /** Dimension sizes, from the header. */
  shape: number[];
  /** The elements in C order; for `uint8` a view on the file's bytes, not a copy. */
  data: IdxData[D];
  /** The 32-bit magic number, e.g. `0x00000803` for MNIST images. */
  magic: number;
}

/**
 * What {@link readIdx} should insist on besides a well-formed file.
 *
 * @example
 * ```ts
 * readIdx(path, { dtype: 'uint8', ndim: 1 }); // a labels file, or an Error naming `path`
 * ```
 */
export interface ReadIdxOptions<D extends IdxDtype = IdxDtype> {
  /** Required element type; default: any. */
  dtype?: D;
  /** Required number of dimensions; default: any. */
  ndim?: number;
}

/** Dtype code (third magic byte) → [name, item size]. */
const CODES: Record<number, [IdxDtype, number]> = {
  0x08: ['uint8', 1],
  0x09: ['int8', 1],
  0x0b: ['int16', 2],
  0x0c: ['int32', 4],
  0x0d: ['float32', 4],
  0x0e: ['float64', 8],
};

/**
 * Magic number of an IDX file holding `dtype` with `ndim` dimensions.
 *
 * @example
 * ```ts
 * idxMagic('uint8', 3).toString(16); // '803' (MNIST images)
 * idxMagic('uint8', 1).toString(16); // '801' (MNIST labels)
 * ```
 */
export function idxMagic(dtype: IdxDtype, ndim: number): number {
  const code = Number(Object.keys(CODES).find((k) => CODES[Number(k)][0] === dtype));
  if (!Number.isFinite(code)) throw rangeError(`one of ${Object.values(CODES).map((c) => c[0]).join(', ')}`, 'dtype', dtype);
  if (!Number.isInteger(ndim) || ndim < 0 || ndim > 255) throw rangeError('an integer from 0 to 255', 'ndim', ndim);
  return (code << 8) | ndim;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** A malformed IDX file: a TorchError with code `IDX_INVALID`. */
function fail(path: string, problem: string): TorchError {
  return new TorchError(`Invalid IDX file ${path}: ${problem}`, 'IDX_INVALID');
}

/** The longest header: the magic number and 255 dimension sizes. */
const MAX_HEADER = 4 + 4 * 255;

/**
 * Deflate's largest expansion: a 258-byte match coded in 2 bits, so no gzip of `n` bytes
 * inflates to more than 1032 · n.
 */
const DEFLATE_MAX_RATIO = 1032;

/** What an IDX header declares. */
interface Header {
  magic: number;
  dtype: IdxDtype;
  shape: number[];
  /** Elements, the product of `shape`. */
  count: number;
  headerSize: number;
  /** `count` times the item size. */
  dataBytes: number;
}

/** Reads and checks the header at the start of `buf` (which may hold more, or less, than the data). */
function parseHeader(buf: Uint8Array, path: string, options: ReadIdxOptions): Header {
  if (buf.length < 4) throw fail(path, `file is ${buf.length} bytes long, too short for the 4-byte magic number (truncated or empty)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  const code = buf[2];
  const ndim = buf[3];
  const entry = CODES[code];
  if (buf[0] !== 0 || buf[1] !== 0 || !entry) {
    throw fail(path, `wrong magic number ${hex(magic)} (an IDX file starts with 0x0000 then a dtype code 0x08, 0x09, 0x0b–0x0e and the number of dimensions; MNIST images are 0x00000803, labels 0x00000801)`);
  }
  const [dtype, itemSize] = entry;
  if (options.dtype !== undefined && options.dtype !== dtype) {
    throw fail(path, `wrong magic number ${hex(magic)}: holds ${dtype} but ${options.dtype} was expected`);
  }
  if (options.ndim !== undefined && options.ndim !== ndim) {
    const want = options.dtype !== undefined ? ` (magic ${hex(idxMagic(options.dtype, options.ndim))})` : '';
    throw fail(path, `wrong magic number ${hex(magic)}: has ${ndim} dimension(s) but ${options.ndim}${want} were expected`);
  }
  const headerSize = 4 + 4 * ndim;
  if (buf.length < headerSize) {
    throw fail(path, `truncated header: ${ndim} dimension(s) need ${headerSize} header bytes but the file has ${buf.length}`);
  }
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d;
  }
  return { magic, dtype, shape, count, headerSize, dataBytes: count * itemSize };
}

function describeData(h: Header): string {
  return `shape [${h.shape.join(', ')}] of ${h.dtype}`;
}

/** A gzip error (corrupt, truncated) as the file's error. */
function corrupt(path: string, e: unknown): TorchError {
  return fail(path, `gzip data is corrupt or truncated (${(e as Error).message})`);
}

function tooLarge(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

/**
 * The first `want` inflated bytes of a gzip (or all of them if it holds fewer), inflating no
 * more than a few KiB past them: each try inflates a prefix of the compressed bytes with its
 * output capped, the prefix doubling, then bisected once a try overflows the cap.
 */
function gunzipHead(gz: Uint8Array, want: number, path: string): Uint8Array {
  const cap = want + 65536; // one compressed byte inflates to at most 1032 more
  const inflate = (k: number): Uint8Array | null => {
    try {
      return gunzipSync(gz.subarray(0, k), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: cap });
    } catch (e) {
      if (tooLarge(e)) return null;
      throw corrupt(path, e);
    }
  };
  let lo = 0; // inflates to fewer than `want` bytes
  let hi = Math.min(gz.length, 256);
  for (;;) {
    const out = inflate(hi);
    if (out === null) break;
    if (out.length >= want || hi === gz.length) return out;
    lo = hi;
    hi = Math.min(gz.length, 2 * hi);
  }
  while (hi - lo > 1) { // inflate(lo) < want, inflate(hi) > cap
    const mid = Math.floor((lo + hi) / 2);
    const out = inflate(mid);
    if (out === null) hi = mid;
    else if (out.length >= want) return out;
    else lo = mid;
  }
  throw fail(path, `gzip data inflates by more than deflate allows (over ${cap} bytes from ${hi} bytes)`);
}

/**
 * Inflates a gzipped IDX file to exactly what its header declares, refusing before inflating a
 * size no gzip this long can hold, and stopping as soon as the output passes the declared size.
 */
function gunzipIdx(gz: Uint8Array, path: string, options: ReadIdxOptions): Uint8Array {
  const h = parseHeader(gunzipHead(gz, MAX_HEADER, path), path, options);
  const total = h.headerSize + h.dataBytes;
  const most = DEFLATE_MAX_RATIO * gz.length;
  if (total > most) {
    throw fail(path, `truncated: ${describeData(h)} needs ${h.dataBytes} data bytes but ${gz.length} bytes of gzip inflate to at most ${most}`);
  }
  if (total > bufferConstants.MAX_LENGTH) {
    throw fail(path, `${describeData(h)} needs ${h.dataBytes} data bytes, more than one buffer holds (${bufferConstants.MAX_LENGTH})`);
  }
  let out: Buffer;
  try {
    out = gunzipSync(gz, { maxOutputLength: total });
  } catch (e) {
    if (tooLarge(e)) throw fail(path, `gzip data inflates to more than the ${total} bytes the header declares (${h.headerSize} header bytes, ${h.dataBytes} data bytes of ${describeData(h)}): unexpected trailing bytes`);
    throw corrupt(path, e);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Decodes IDX bytes already in memory (gunzipped if they start with the gzip signature, no
 * further than the header declares). `path` only names the source in error messages; a
 * malformed file is a `TorchError` with code `IDX_INVALID`.
 *
 * @example
 * ```ts
 * const bytes = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]);
 * parseIdx(bytes, 'labels'); // { dtype: 'uint8', shape: [2], data: Uint8Array [7, 3], magic: 0x801 }
 * ```
 */
export function parseIdx<D extends IdxDtype = IdxDtype>(bytes: Uint8Array, path: string, options: ReadIdxOptions<D> = {}): IdxArray<D> {
  if (!(bytes instanceof Uint8Array)) throw typeError('a Uint8Array', 'bytes', bytes);
  const buf = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipIdx(bytes, path, options) : bytes;
  const h = parseHeader(buf, path, options);
  const body = buf.length - h.headerSize;
  if (body < h.dataBytes) {
    throw fail(path, `truncated: ${describeData(h)} needs ${h.dataBytes} data bytes but only ${body} follow the header`);
  }
  if (body > h.dataBytes) {
    throw fail(path, `${body - h.dataBytes} unexpected trailing bytes after the ${h.dataBytes} data bytes of shape [${h.shape.join(', ')}] ${h.dtype}`);
  }
  return { dtype: h.dtype, shape: h.shape, data: decode(buf, h.headerSize, h.count, h.dtype), magic: h.magic } as IdxArray<D>;
}

function decode(buf: Uint8Array, offset: number, count: number, dtype: IdxDtype): IdxData[IdxDtype] {
  if (dtype === 'uint8') return buf.subarray(offset, offset + count);
  if (dtype === 'int8') return new Int8Array(buf.buffer, buf.byteOffset + offset, count);
  const view = new DataView(buf.buffer, buf.byteOffset + offset);
  switch (dtype) {
    case 'int16': { const a = new Int16Array(count); for (let i = 0; i < count; i++) a[i] = view.getInt16(2 * i, false); return a; }
    case 'int32': { const a = new Int32Array(count); for (let i = 0; i < count; i++) a[i] = view.getInt32(4 * i, false); return a; }
    case 'float32': { const a = new Float32Array(count); for (let i = 0; i < count; i++) a[i] = view.getFloat32(4 * i, false); return a; }
    default: { const a = new Float64Array(count); for (let i = 0; i < count; i++) a[i] = view.getFloat64(8 * i, false); return a; }
  }
}

/**
 * Reads an IDX file, plain or gzipped (detected from its first bytes, whatever its name), and
 * checks its magic number, dimensions, and that its length matches the header exactly.
 * Any problem throws a `TorchError` naming the file and what is wrong: code `IDX_INVALID` for
 * a malformed file (wrong magic, truncated, trailing bytes, corrupt gzip, a gzip inflating past
 * its header's size), the OS's code for a file that cannot be read (`ENOENT`, `EACCES`, …).
 * Internal to `datasets.MNIST` and its kin; the package does not export it.
 * @internal
 *
 * @example
 * ```ts
 * const { shape, data } = readIdx('data/MNIST/raw/train-images-idx3-ubyte.gz', { dtype: 'uint8', ndim: 3 });
 * console.log(shape); // [60000, 28, 28]
 * console.log(data[28 * 14 + 14]); // a pixel, 0–255
 * ```
 */
export function readIdx<D extends IdxDtype = IdxDtype>(path: string, options: ReadIdxOptions<D> = {}): IdxArray<D> {
  if (typeof path !== 'string' || path.length === 0) throw typeError('a non-empty string', 'path', path);
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (e) {
    throw fsError(e, 'IDX file', path);
  }
  return parseIdx(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), path, options);
}

/**
 * Encodes an array as IDX bytes (big-endian), gzipped when `gzip` is true. The inverse of {@link parseIdx}.
 *
 * @example
 * ```ts
 * const bytes = encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.of(7, 3) });
 * // Uint8Array [0, 0, 8, 1, 0, 0, 0, 2, 7, 3]
 * ```
 */
export function encodeIdx(array: { dtype: IdxDtype; shape: number[]; data: ArrayLike<number> }, options: { gzip?: boolean } = {}): Uint8Array {
  const { dtype, shape, data } = array;
  if (!Array.isArray(shape)) throw typeError('an array of non-negative integers', 'shape', shape);
  for (const d of shape) { // stops at the first bad size, a hole included
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw typeError('an array of non-negative integers', 'shape', shape);
  }
  const magic = idxMagic(dtype, shape.length);
  const itemSize = CODES[magic >> 8][1];
  const count = shape.reduce((p, d) => p * d, 1);
  if (data.length !== count) throw rangeError(`${count} elements for shape [${shape.join(', ')}]`, 'data', `${data.length} elements`);
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * itemSize);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const o = header + i * itemSize;
    switch (dtype) {
      case 'uint8': view.setUint8(o, data[i]); break;
      case 'int8': view.setInt8(o, data[i]); break;
      case 'int16': view.setInt16(o, data[i], false); break;
      case 'int32': view.setInt32(o, data[i], false); break;
      case 'float32': view.setFloat32(o, data[i], false); break;
      case 'float64': view.setFloat64(o, data[i], false); break;
    }
  }
  if (!options.gzip) return out;
  const z = gzipSync(out);
  return new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
}

/**
 * Writes an IDX file (creating parent folders), gzipped when `gzip` is true. Returns `path`.
 *
 * @example
 * ```ts
 * writeIdx('/tmp/t/labels-idx1-ubyte.gz', { dtype: 'uint8', shape: [3], data: Uint8Array.of(1, 2, 3) }, { gzip: true });
 * readIdx('/tmp/t/labels-idx1-ubyte.gz').data; // Uint8Array [1, 2, 3]
 * ```
 */
export function writeIdx(path: string, array: { dtype: IdxDtype; shape: number[]; data: ArrayLike<number> }, options: { gzip?: boolean } = {}): string {
  if (typeof path !== 'string' || path.length === 0) throw typeError('a non-empty string', 'path', path);
  const bytes = encodeIdx(array, options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}
