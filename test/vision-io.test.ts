/**
 * vision.io.readImage (torchvision.io.read_image) against torchvision 0.14's own decoders on the
 * same files (test/fixtures/datasets/files), read at test time by Debian's Python when it has
 * torchvision: the file's channels (UNCHANGED), RGB and RGB_ALPHA, sync and async, pixel for pixel.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';

const DIR = join(__dirname, 'fixtures', 'datasets', 'files', 'imagefolder');
const PY = '/usr/bin/python3';
const HAS_TORCHVISION = spawnSync(PY, ['-c', 'import torchvision.io'], { stdio: 'ignore' }).status === 0;
const CASES: [string, torch.vision.io.ImageReadMode][] = [
  ['Zebra/z1.png', 'UNCHANGED'], ['Zebra/z1.png', 'RGB'], ['Zebra/z1.png', 'RGB_ALPHA'],
  ['ant/deeper/a0.png', 'UNCHANGED'], ['ant/deeper/a0.png', 'RGB'], ['ant/deeper/a0.png', 'RGB_ALPHA'],
  ['bee/b1.png', 'RGB'],
];

describe.skipIf(!HAS_TORCHVISION)('vision.io.readImage gives what torchvision.io.read_image gives', () => {
  const script = `
import sys, json
from torchvision.io import read_image, ImageReadMode
print(json.dumps([[list(t.shape), t.flatten().tolist()] for t in
  (read_image(f, getattr(ImageReadMode, m)) for f, m in zip(sys.argv[1::2], sys.argv[2::2]))]))`;
  const expected = HAS_TORCHVISION
    ? JSON.parse(execFileSync(PY, ['-c', script, ...CASES.flatMap(([f, m]) => [join(DIR, f), m])], { encoding: 'utf8' })) as [number[], number[]][]
    : [];
  test.each(CASES.map((c, i) => [...c, i] as const))('%s as %s', async (file, mode, i) => {
    const [shape, values] = expected[i];
    for (const img of [torch.vision.io.readImage(join(DIR, file), mode), await torch.vision.io.readImageAsync(join(DIR, file), mode)]) {
      expect(img.dtype).toBe('uint8');
      expect([...img.shape]).toEqual(shape);
      expect(Array.from(img.flatten().toArray() as Uint8Array)).toEqual(values);
    }
  });
});

test('reading an image after LibTorch is loaded prints nothing (no second GLib in the way of sharp\'s)', () => {
  // Debian's LibTorch depends on the system's GLib (OpenCV, GStreamer): loaded globally, it took
  // the place of the GLib inside sharp's libvips, which printed GLib-GObject-CRITICAL lines.
  const code = `const t = require('./lib'); t.ones([1]); const img = t.vision.io.readImage(${JSON.stringify(join(DIR, 'Zebra/z1.png'))}, 'RGB');
console.log(JSON.stringify([...img.shape]))`;
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', code], { cwd: join(__dirname, '..'), encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)[0]).toBe(3);
});

test('bad arguments are TypeErrors and RangeErrors; a missing file is a TorchError', () => {
  expect(() => torch.vision.io.readImage(42 as unknown as string)).toThrow(TypeError);
  expect(() => torch.vision.io.readImage(join(DIR, 'Zebra/z1.png'), 'CMYK' as torch.vision.io.ImageReadMode)).toThrow(RangeError);
  expect(() => torch.vision.io.readImage(join(DIR, 'no-such.png'))).toThrow(torch.TorchError);
});
