/**
 * The projector plugin's files, as PyTorch's `add_embedding` writes them under the log directory:
 * `<step>/<tag>/tensors.tsv` (the vectors), `metadata.tsv` (labels, with an optional header row),
 * `sprite.png` (the label images tiled into a square) and `projector_config.pbtxt` listing every
 * embedding written so far. Numbers are printed as Python prints them, so the files are PyTorch's
 * byte for byte.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rangeError, typeError } from '../../errors';
import { Tensor } from '../../tensor';
import { zeros } from '../../factories';
import { cat } from '../../generated/ops';
import { noGrad } from '../../autograd';
import { tidy } from '../../memory';
import { ioError } from './event-file';
import { toTensor } from './convert';
import { tensorboardGrid } from './image';
import { encodePng } from './png';

/** One entry of `projector_config.pbtxt` (TensorBoard's `EmbeddingInfo`). */
export interface EmbeddingInfo {
  tensorName: string;
  tensorPath: string;
  metadataPath?: string;
  sprite?: { imagePath: string; singleImageDim: [number, number] };
}

/**
 * A label of `metadata.tsv`: what Python's `str()` prints for it.
 * @example
 * ```ts
 * writer.addEmbedding(features, ['cat', 'dog', 'cat'] satisfies MetadataValue[]);
 * ```
 */
export type MetadataValue = string | number | boolean | bigint | null;

/** Python's `repr(float)`: the shortest round-trip digits, in exponent form below 1e-4 or from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const point = Number(exp) + 1; // the value is 0.<digits> × 10^point
  if (point <= -4 || point > 16) {
    const e = point - 1;
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Python's `str()` of a metadata label (an integral number prints as an int). */
function pyStr(v: unknown, name: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : pyFloatRepr(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  throw typeError('a string, number, boolean or bigint', name, v);
}

/** `tensors.tsv`: one row per vector, values tab-separated as Python's `str(x.item())`. */
function matrixTsv(mat: Tensor): string {
  const floating = mat.isFloatingPoint();
  const [n, d] = mat.shape;
  const values = noGrad(() => tidy(() => (floating ? mat.to('float64') : mat.dtype === 'bool' ? mat : mat.to('int64')).contiguous().toArray()));
  const str: (v: number | bigint) => string = mat.dtype === 'bool' ? (v) => (v ? 'True' : 'False') : floating ? (v) => pyFloatRepr(v as number) : String;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(Array.from(values.subarray(i * d, (i + 1) * d) as ArrayLike<number | bigint>, str).join('\t') + '\n');
  return lines.join('');
}

/** `metadata.tsv`: one label per line, or a header row and tab-separated columns. */
function metadataTsv(metadata: unknown[], header: unknown): string {
  let lines: string[];
  if (header === undefined || header === null) {
    lines = metadata.map((m, i) => pyStr(m, `metadata[${i}]`));
  } else {
    if (!Array.isArray(header)) throw typeError('an array of column names', 'metadata_header', header);
    const rows = metadata.map((row, i) => {
      if (!Array.isArray(row) || row.length !== header.length) throw rangeError(`a row of ${header.length} values (one per header column)`, `metadata[${i}]`, row);
      return row;
    });
    lines = [header, ...rows].map((row, i) => row.map((v: unknown) => pyStr(v, i === 0 ? 'metadata_header' : `metadata[${i - 1}]`)).join('\t'));
  }
  return lines.join('\n') + '\n';
}

/**
 * `sprite.png`: the images tiled ⌈√N⌉ per row by TensorBoard's `make_grid`, on a square as wide as
 * the grid, values × 255 clipped and truncated to bytes (PyTorch's `make_sprite`).
 */
function sprite(labelImg: Tensor): Buffer {
  const n = labelImg.size(0);
  const hwc = noGrad(() => tidy(() => {
    const grid = tensorboardGrid(labelImg.to('float64'), Math.ceil(Math.sqrt(n)), 'label_img');
    const [, height, side] = grid.shape;
    if (height > side) throw rangeError('label images whose sprite grid is no taller than wide', 'label_img shape', labelImg.shape);
    const square = height < side ? cat([grid, zeros([3, side - height, side], { dtype: 'float64' })], 1) : grid;
    return square.mul(255).clamp(0, 255).to('uint8').permute(1, 2, 0);
  }));
  try {
    return encodePng(hwc);
  } finally {
    hwc.dispose();
  }
}

/** Python's `str(n).zfill(5)`. */
function zfill5(n: number): string {
  return n < 0 ? `-${String(-n).padStart(4, '0')}` : String(n).padStart(5, '0');
}

/** PyTorch's `SummaryWriter._encode`: `%` and the path separators escaped, so a tag is one directory. */
function encodeTag(tag: string): string {
  return tag.replace(/%/g, '%25').replace(/\//g, '%2f').replace(/\\/g, '%5c');
}

function writeFile(file: string, data: string | Buffer): void {
  try {
    fs.writeFileSync(file, data);
  } catch (e) {
    throw ioError('write', file, e);
  }
}

/** Writes one embedding's files under `logDir` and returns its entry for the config. */
export function writeEmbedding(
  logDir: string, matrix: unknown, metadata: unknown, labelImg: unknown, globalStep: number, tag: string, metadataHeader: unknown,
): EmbeddingInfo {
  const mat = toTensor(matrix, 'mat');
  if (mat.dim() !== 2) throw rangeError('a 2-D tensor [N, D] (one row per data point)', 'mat shape', mat.shape);
  const n = mat.size(0);
  let labels: unknown[] | null = null;
  if (metadata !== undefined && metadata !== null) {
    labels = metadata instanceof Tensor ? (metadata.flatten().tolist() as unknown[]) : (metadata as unknown[]);
    if (!Array.isArray(labels)) throw typeError('an array of labels', 'metadata', metadata);
    if (labels.length !== n) throw rangeError(`${n} labels, one per data point`, 'metadata length', labels.length);
  }
  let images: Tensor | null = null;
  if (labelImg !== undefined && labelImg !== null) {
    if (!(labelImg instanceof Tensor)) throw typeError('a Tensor [N, C, H, W]', 'label_img', labelImg);
    if (labelImg.dim() !== 4 || labelImg.size(0) !== n) throw rangeError(`a tensor [${n}, C, H, W], one image per data point`, 'label_img shape', labelImg.shape);
    images = labelImg.detach().to('cpu');
  }
  const subdir = `${zfill5(globalStep)}/${encodeTag(tag)}`;
  const dir = path.join(logDir, subdir);
  let exists: fs.Stats | undefined;
  try {
    exists = fs.statSync(dir, { throwIfNoEntry: false });
    if (exists === undefined) fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioError('make the embedding directory', dir, e);
  }
  if (exists !== undefined && !exists.isDirectory()) throw ioError('write the embedding in', dir, new Error('it exists and is not a directory'));
  if (exists !== undefined) process.emitWarning('Embedding dir exists, did you set global_step for add_embedding()?');
  const info: EmbeddingInfo = { tensorName: `${tag}:${zfill5(globalStep)}`, tensorPath: path.posix.join(subdir, 'tensors.tsv') };
  if (labels !== null) {
    writeFile(path.join(dir, 'metadata.tsv'), metadataTsv(labels, metadataHeader));
    info.metadataPath = path.posix.join(subdir, 'metadata.tsv');
  }
  if (images !== null) {
    writeFile(path.join(dir, 'sprite.png'), sprite(images));
    info.sprite = { imagePath: path.posix.join(subdir, 'sprite.png'), singleImageDim: [images.size(3), images.size(2)] };
  }
  writeFile(path.join(dir, 'tensors.tsv'), matrixTsv(mat));
  return info;
}

/** Protobuf text format's string escaping (Python's `text_format`, not UTF-8 mode): bytes outside printable ASCII as octal. */
function textString(s: string): string {
  const named: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r', 34: '\\"', 39: "\\'", 92: '\\\\' };
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    out += named[b] ?? (b < 32 || b >= 127 ? `\\${b.toString(8).padStart(3, '0')}` : String.fromCharCode(b));
  }
  return `"${out}"`;
}

/** `projector_config.pbtxt`: the `ProjectorConfig` in text format, fields in field-number order. */
export function projectorConfigText(infos: EmbeddingInfo[]): string {
  return infos.map((e) => {
    const lines = [`  tensor_name: ${textString(e.tensorName)}`];
    if (e.metadataPath !== undefined) lines.push(`  metadata_path: ${textString(e.metadataPath)}`);
    if (e.sprite !== undefined) {
      lines.push('  sprite {', `    image_path: ${textString(e.sprite.imagePath)}`, ...e.sprite.singleImageDim.map((d) => `    single_image_dim: ${d}`), '  }');
    }
    lines.push(`  tensor_path: ${textString(e.tensorPath)}`);
    return `embeddings {\n${lines.join('\n')}\n}\n`;
  }).join('');
}

/** Writes `projector_config.pbtxt` in `logDir`. */
export function writeProjectorConfig(logDir: string, infos: EmbeddingInfo[]): void {
  writeFile(path.join(logDir, 'projector_config.pbtxt'), projectorConfigText(infos));
}
