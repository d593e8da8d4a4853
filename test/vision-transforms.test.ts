/**
 * torchvision.transforms for tensor images against torchvision 0.14 on the torch of the running
 * LibTorch's version (1.13 or 2.13: their bilinear kernels differ in the last bits): every functional
 * op on fixed uint8 and float images (uint8 outputs exact, float within 1e-6 + 1e-5·|expected|),
 * the transform classes' reprs and outputs, the random ones after `torch.manualSeed(seed)` over
 * successive calls (the same draws from the global generator as torchvision's), their static
 * getParams, pipelines, torchvision.utils.make_grid and save_image's pixels read back from the PNG.
 * From test/fixtures/vision_transforms/reference-<major.minor>.json (generate.py there).
 * Plus bad options, identity and batch behaviour.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import * as torch from '../lib';
import { transforms } from '../lib';
import * as vision from '../lib/vision';

const TF = transforms.functional;

interface TensorJson { dtype: torch.DType; shape: number[]; data?: string; values?: number[] }
type Options = Record<string, unknown>;
interface FunctionalCase { fn: string; input: string; args: unknown[]; options: Options; output: TensorJson }
interface TransformCase { name: string; args: unknown[]; options: Options; repr: string; input: string; seed: number; outputs: TensorJson[] }
interface Step { name: string; args: unknown[]; options: Options }
const VERSION = torch.config().libtorchVersion.split('.').slice(0, 2).join('.');
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'vision_transforms', `reference-${VERSION}.json`), 'utf8')) as {
  torch: string; torchvision: string; images: Record<string, TensorJson>;
  functional: FunctionalCase[];
  erase: { input: string; args: [number, number, number, number]; value: number[]; valueDtype: torch.DType; output: TensorJson }[];
  toDtype: { input: string; dtype: torch.DType; scale: boolean; output: TensorJson }[];
  transforms: TransformCase[];
  compose: { steps: Step[]; repr: string; input: string; seed: number; outputs: TensorJson[] }[];
  getParams: {
    RandomCrop: { seed: number; input: string; outputSize: [number, number]; draws: number[][] };
    RandomResizedCrop: { seed: number; input: string; scale: [number, number]; ratio: [number, number]; draws: number[][] };
    ColorJitter: { seed: number; args: ([number, number] | null)[]; draws: [number[], ...(number | null)[]][] };
    RandomErasing: { seed: number; input: string; scale: [number, number]; ratio: [number, number]; draws: { value: number[] | null; ijhw: number[]; v: TensorJson }[] };
    GaussianBlur: { seed: number; args: [number, number]; draws: number[] };
  };
  makeGrid: { input: string | [string, number][]; options: Options; output: TensorJson }[];
  saveImage: { input: string | [string, number][]; options: Options; shape: [number, number, number]; pixels: number[] }[];
};

const ARRAYS = { uint8: Uint8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array } as const;

function fromJson(t: TensorJson): torch.Tensor {
  if (t.values) return torch.tensor(t.values, { dtype: t.dtype }).reshape(t.shape);
  const bytes = Buffer.from(t.data!, 'base64');
  const Ctor = ARRAYS[t.dtype as keyof typeof ARRAYS];
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return torch.fromArray(new Ctor(copy), t.shape, { dtype: t.dtype });
}

const values = (t: torch.Tensor): number[] => Array.from(t.contiguous().reshape([-1]).toArray() as ArrayLike<number | bigint>, Number);

/** Exact for integer dtypes, 1e-6 + 1e-5·|expected| for floating point. */
function expectTensor(actual: torch.Tensor, expected: TensorJson): void {
  expect(actual).toBeInstanceOf(torch.Tensor);
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.shape).toEqual(expected.shape);
  const a = values(actual);
  const e = values(fromJson(expected));
  const floating = expected.dtype.startsWith('float');
  for (let i = 0; i < e.length; i++) {
    const ok = floating ? Math.abs(a[i] - e[i]) <= 1e-6 + 1e-5 * Math.abs(e[i]) : a[i] === e[i];
    if (!ok) throw new Error(`element ${i} of [${expected.shape.join(', ')}]: ${a[i]} vs ${e[i]}`);
  }
}

const image = (name: string): torch.Tensor => fromJson(REF.images[name]);
const withOptions = (args: unknown[], options: Options): unknown[] => (Object.keys(options).length > 0 ? [...args, options] : args);
const callName = (fn: string, args: unknown[], options: Options) =>
  `${fn}(${[...args.map((a) => JSON.stringify(a)), ...(Object.keys(options).length ? [JSON.stringify(options)] : [])].join(', ')})`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function build(name: string, args: unknown[], options: Options): transforms.Transform<any, any> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const Ctor = (transforms as unknown as Record<string, new (...a: any[]) => transforms.Transform<any, any>>)[name];
  return new Ctor(...withOptions(args, options));
}

test('the fixture is torchvision 0.14 on this LibTorch\'s torch version; the images are the stored ones', () => {
  expect(REF.torchvision.startsWith('0.14')).toBe(true);
  expect(REF.torch.startsWith(`${VERSION}.`)).toBe(true);
  // The generator's arange expressions, rebuilt here.
  expectTensor(torch.arange(189).mul(37).add(11).remainder(256).to('uint8').reshape([3, 7, 9]), REF.images.u8);
  expectTensor(torch.arange(90, { dtype: 'float32' }).mul(0.37).sin().add(1).div(2).reshape([3, 5, 6]), REF.images.f32);
});

describe('transforms.functional matches torchvision', () => {
  test.each(REF.functional.map((c) => [callName(c.fn, [c.input, ...c.args], c.options), c] as const))('%s', (_name, c) => {
    const x = image(c.input);
    const before = values(x);
    const y = (TF as unknown as Record<string, AnyFn>)[c.fn](x, ...withOptions(c.args, c.options)) as torch.Tensor;
    expectTensor(y, c.output);
    expect(values(x)).toEqual(before);
  });

  test.each(REF.erase.map((c) => [`erase(${c.input}, ${c.args.join(', ')}, [${c.value.join(', ')}])`, c] as const))('%s', (_name, c) => {
    const x = image(c.input);
    const v = torch.tensor(c.value, { dtype: c.valueDtype }).view([-1, 1, 1]);
    const [i, j, h, w] = c.args;
    const y = TF.erase(x, i, j, h, w, v);
    expectTensor(y, c.output);
    expectTensor(x, REF.images[c.input]);
    const z = TF.erase(x, i, j, h, w, v, { inplace: true });
    expect(z).toBe(x);
    expectTensor(x, c.output);
  });

  test.each(REF.toDtype.map((c) => [`toDtype(${c.input}, ${c.dtype}, { scale: ${c.scale} })`, c] as const))('%s (torchvision.transforms.v2)', (_name, c) => {
    expectTensor(TF.toDtype(image(c.input), c.dtype, { scale: c.scale }), c.output);
  });

  test('a resize to the same size returns the image itself; sizes as torchvision computes them', () => {
    const x = image('u8');
    expect(TF.resize(x, [7, 9])).toBe(x);
    expect(TF.resize(x, 7)).toBe(x);
    expect(TF.resize(x, 14).shape).toEqual([3, 14, 18]);
    expect(TF.resize(torch.zeros([1, 4, 12]), 3, { maxSize: 6 }).shape).toEqual([1, 2, 6]);
    expect(TF.resize(torch.zeros([1, 12, 4]), 3, { maxSize: 6 }).shape).toEqual([1, 6, 2]);
    expect(TF.resize(torch.zeros([1, 12, 4]), 3, { maxSize: 10 }).shape).toEqual([1, 9, 3]);
    expect(TF.getDimensions(x)).toEqual([3, 7, 9]);
    expect(TF.getImageSize(x)).toEqual([9, 7]);
    expect(TF.getImageNumChannels(torch.zeros([4, 5]))).toBe(1);
  });

  test('leading dimensions are a batch: each image transformed as on its own', () => {
    const b = image('batch');
    const five = torch.stack([b, b.flip(0)], 0); // [2, 2, 3, 5, 6]
    const ops: [string, (t: torch.Tensor) => torch.Tensor][] = [
      ['resize', (t) => TF.resize(t, [3, 4], { antialias: true })],
      ['pad reflect', (t) => TF.pad(t, [1, 2], { paddingMode: 'reflect' })],
      ['pad symmetric', (t) => TF.pad(t, [2, 1, 0, 1], { paddingMode: 'symmetric' })],
      ['gaussianBlur', (t) => TF.gaussianBlur(t, 3, 0.8)],
      ['adjustHue', (t) => TF.adjustHue(t, 0.2)],
      ['adjustContrast', (t) => TF.adjustContrast(t, 0.7)],
    ];
    for (const [, op] of ops) {
      const all = op(five);
      for (let i = 0; i < 2; i++) {
        for (let k = 0; k < 2; k++) expect(values(all.get(i).get(k))).toEqual(values(op(five.get(i).get(k))));
      }
    }
  });

  test('bad arguments: TypeError for wrong types, RangeError for values out of range', () => {
    const x = image('u8');
    expect(() => TF.resize(x, [4, 5], { interpolation: 'nearest', antialias: true })).toThrow(RangeError);
    expect(() => TF.resize(x, [4, 5], { interpolation: 'box' })).toThrow(RangeError);
    expect(() => TF.resize(x, [4, 5], { interpolation: 'linear' as never })).toThrow(RangeError);
    expect(() => TF.resize(x, [4, 5, 6])).toThrow(RangeError);
    expect(() => TF.resize(x, '4' as never)).toThrow(TypeError);
    expect(() => TF.resize(x, [4, 5], { maxSize: 8 })).toThrow(RangeError);
    expect(() => TF.resize(x, 5, { maxSize: 5 })).toThrow(RangeError);
    expect(() => TF.resize(x, 5, { max_size: 9 } as never)).toThrow(TypeError);
    expect(() => TF.pad(x, 1, { paddingMode: 'wrap' as never })).toThrow(RangeError);
    expect(() => TF.pad(x, [1, 2, 3])).toThrow(RangeError);
    expect(() => TF.pad(x, 1.5)).toThrow(TypeError);
    expect(() => TF.crop(x, 0, 0, 2.5, 3)).toThrow(TypeError);
    expect(() => TF.centerCrop(x, [1, 2, 3])).toThrow(TypeError);
    expect(() => TF.adjustBrightness(x, -1)).toThrow(RangeError);
    expect(() => TF.adjustHue(x, 0.6)).toThrow(RangeError);
    expect(() => TF.adjustSaturation(torch.zeros([4, 5, 5]), 1.2)).toThrow(/permitted channel values are \[1, 3\], but found 4/);
    expect(() => TF.rgbToGrayscale(x, 2 as never)).toThrow(RangeError);
    expect(() => TF.gaussianBlur(x, 4)).toThrow(RangeError);
    expect(() => TF.gaussianBlur(x, 3, 0)).toThrow(RangeError);
    expect(() => TF.normalize(x, [0.5], [0.5])).toThrow(TypeError);
    expect(() => TF.normalize(image('f32'), [0.5], [0])).toThrow(RangeError);
    expect(() => TF.convertImageDtype(image('f32'), 'int64')).toThrow(/cannot be performed safely/);
    expect(() => TF.convertImageDtype(x, 'float' as never)).not.toThrow();
    expect(() => TF.hflip(torch.zeros([5]))).toThrow(TypeError);
    expect(() => TF.hflip([1, 2] as never)).toThrow(TypeError);
  });
});

describe('transform classes match torchvision (repr, outputs after torch.manualSeed)', () => {
  test.each(REF.transforms.map((c) => [`${callName(c.name, c.args, c.options)} on ${c.input}, seed ${c.seed}`, c] as const))('%s', (_name, c) => {
    const t = build(c.name, c.args, c.options);
    expect(String(t)).toBe(c.repr);
    const x = image(c.input);
    torch.manualSeed(c.seed);
    for (const expected of c.outputs) expectTensor(t.forward(x) as torch.Tensor, expected);
    expectTensor(x, REF.images[c.input]);
  });

  test.each(REF.compose.map((c, k) => [`pipeline ${k}: ${c.steps.map((s) => s.name).join(' → ')}`, c] as const))('%s', (_name, c) => {
    const t = new transforms.Compose(c.steps.map((s) => build(s.name, s.args, s.options)));
    expect(String(t)).toBe(c.repr);
    torch.manualSeed(c.seed);
    for (const expected of c.outputs) expectTensor(t.forward(image(c.input)), expected);
  });

  test('RandomCrop.getParams', () => {
    const g = REF.getParams.RandomCrop;
    torch.manualSeed(g.seed);
    for (const draw of g.draws) expect(transforms.RandomCrop.getParams(image(g.input), g.outputSize)).toEqual(draw);
    expect(transforms.RandomCrop.getParams(image('u8'), [7, 9])).toEqual([0, 0, 7, 9]);
    expect(() => transforms.RandomCrop.getParams(image('u8'), [8, 9])).toThrow(RangeError);
  });

  test('RandomResizedCrop.getParams', () => {
    const g = REF.getParams.RandomResizedCrop;
    torch.manualSeed(g.seed);
    for (const draw of g.draws) expect(transforms.RandomResizedCrop.getParams(image(g.input), g.scale, g.ratio)).toEqual(draw);
  });

  test('ColorJitter.getParams', () => {
    const g = REF.getParams.ColorJitter;
    torch.manualSeed(g.seed);
    for (const [order, ...factors] of g.draws) {
      const [fnIdx, ...got] = transforms.ColorJitter.getParams(...(g.args as [null, null, null, null]));
      expect(fnIdx.tolist()).toEqual(order);
      expect(got).toEqual(factors);
    }
  });

  test('RandomErasing.getParams', () => {
    const g = REF.getParams.RandomErasing;
    torch.manualSeed(g.seed);
    for (const draw of g.draws) {
      const [i, j, h, w, v] = transforms.RandomErasing.getParams(image(g.input), g.scale, g.ratio, draw.value);
      expect([i, j, h, w]).toEqual(draw.ijhw);
      expectTensor(v, draw.v);
    }
  });

  test('GaussianBlur.getParams', () => {
    const g = REF.getParams.GaussianBlur;
    torch.manualSeed(g.seed);
    for (const draw of g.draws) expect(transforms.GaussianBlur.getParams(...g.args)).toBe(draw);
  });

  test('RandomErasing inplace writes into the input; p=0 returns it untouched', () => {
    const x = image('f32');
    torch.manualSeed(1);
    const y = new transforms.RandomErasing({ p: 1, value: 0.5, inplace: true }).forward(x);
    expect(y).toBe(x);
    expect(values(x)).not.toEqual(values(image('f32')));
    const z = image('f32');
    expect(new transforms.RandomErasing({ p: 0 }).forward(z)).toBe(z);
  });

  test('bad options', () => {
    expect(() => new transforms.Resize('4' as never)).toThrow(TypeError);
    expect(() => new transforms.Resize([4, 5], { maxSize: 9 })).toThrow(RangeError);
    expect(() => new transforms.Resize(4, { interpolation: 'lanczos' })).toThrow(RangeError);
    expect(() => new transforms.CenterCrop([1, 2, 3])).toThrow(TypeError);
    expect(() => new transforms.RandomCrop(4, { padding: [1, 2, 3] })).toThrow(RangeError);
    expect(() => new transforms.RandomCrop(4, { pad_if_needed: true } as never)).toThrow(/padIfNeeded/);
    expect(() => new transforms.RandomResizedCrop(4, { scale: [0.9, 0.1] })).toThrow(RangeError);
    expect(() => new transforms.RandomResizedCrop(4, { ratio: 1 as never })).toThrow(TypeError);
    expect(() => new transforms.RandomHorizontalFlip(1.5)).toThrow(RangeError);
    expect(() => new transforms.Pad(2, { paddingMode: 'wrap' as never })).toThrow(RangeError);
    expect(() => new transforms.ColorJitter({ brightness: -0.1 })).toThrow(RangeError);
    expect(() => new transforms.ColorJitter({ hue: 0.7 })).toThrow(RangeError);
    expect(() => new transforms.ColorJitter({ hue: [-0.6, 0.1] })).toThrow(RangeError);
    expect(() => new transforms.ColorJitter({ contrast: '1' as never })).toThrow(TypeError);
    expect(() => new transforms.Grayscale(2 as never)).toThrow(RangeError);
    expect(() => new transforms.GaussianBlur(4)).toThrow(RangeError);
    expect(() => new transforms.GaussianBlur(3, [2.0, 1.0])).toThrow(RangeError);
    expect(() => new transforms.GaussianBlur(3, -1)).toThrow(RangeError);
    expect(() => new transforms.RandomErasing({ value: 'noise' as never })).toThrow(RangeError);
    expect(() => new transforms.RandomErasing({ scale: [0.5, 1.5] })).toThrow(RangeError);
    expect(() => new transforms.RandomErasing({ p: 2 })).toThrow(RangeError);
    expect(() => new transforms.RandomErasing({ p: 1, value: [1, 2] }).forward(image('f32'))).toThrow(RangeError);
    expect(() => new transforms.ConvertImageDtype('float8' as never)).toThrow(TypeError);
    expect(() => new transforms.ToDtype('float32', { scale: 1 } as never)).toThrow(TypeError);
    expect(() => new transforms.RandomCrop(8).forward(image('u8'))).toThrow(RangeError);
  });

  test('exports: transforms.functional, transforms.InterpolationMode, vision.utils', () => {
    expect(transforms.functional.resize).toBe(TF.resize);
    expect(transforms.InterpolationMode.BICUBIC).toBe('bicubic');
    expect(vision.transforms.functional).toBe(TF);
    expect(typeof vision.utils.makeGrid).toBe('function');
  });
});

const gridInput = (spec: string | [string, number][]): torch.Tensor | torch.Tensor[] =>
  (typeof spec === 'string' ? image(spec) : spec.map(([name, i]) => image(name).get(i)));

describe('torchvision.utils', () => {
  test.each(REF.makeGrid.map((c) => [`makeGrid(${JSON.stringify(c.input)}, ${JSON.stringify(c.options)})`, c] as const))('%s', (_name, c) => {
    const input = gridInput(c.input);
    const before = Array.isArray(input) ? null : values(input);
    expectTensor(vision.utils.makeGrid(input, c.options), c.output);
    if (before !== null) expect(values(input as torch.Tensor)).toEqual(before);
  });

  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(join(tmpdir(), 'nodetorch-vision-')); });
  afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  async function readPixels(path: string, channels = 3): Promise<{ width: number; height: number; pixels: number[] }> {
    const img = await loadImage(fs.readFileSync(path));
    const ctx = createCanvas(img.width, img.height).getContext('2d');
    ctx.drawImage(img, 0, 0);
    const rgba = ctx.getImageData(0, 0, img.width, img.height).data;
    const pixels: number[] = [];
    for (let i = 0; i < rgba.length; i += 4) for (let k = 0; k < channels; k++) pixels.push(rgba[i + k]);
    return { width: img.width, height: img.height, pixels };
  }

  test.each(REF.saveImage.map((c, k) => [`saveImage(${JSON.stringify(c.input)}, ${JSON.stringify(c.options)})`, c, k] as const))(
    '%s: the PNG reads back as torchvision\'s',
    async (_name, c, k) => {
      const path = join(dir, `${k}.png`);
      vision.utils.saveImage(gridInput(c.input), path, c.options);
      expect(fs.readFileSync(path).subarray(1, 4).toString('latin1')).toBe('PNG');
      const got = await readPixels(path);
      expect([got.height, got.width, 3]).toEqual(c.shape);
      expect(got.pixels).toEqual(c.pixels);
    },
  );

  test('saveImage: a uint8 image is written as it is; RGBA; JPEG and WebP by extension or format; bad arguments', async () => {
    const u8 = image('u8');
    const p = join(dir, 'u8.png');
    vision.utils.saveImage(u8, p);
    expect((await readPixels(p)).pixels).toEqual(values(u8.permute(1, 2, 0)));
    const rgba = torch.cat([u8, torch.full([1, 7, 9], 255, { dtype: 'uint8' })], 0);
    vision.utils.saveImage(rgba, join(dir, 'rgba.png'));
    expect((await readPixels(join(dir, 'rgba.png'), 4)).pixels).toEqual(values(rgba.permute(1, 2, 0)));
    vision.utils.saveImage(image('grid5'), join(dir, 'g.jpg'), { nrow: 5 });
    vision.utils.saveImage(image('grid5'), join(dir, 'g.bin'), { format: 'webp', padding: 0 });
    const w = image('grid5').size(3);
    expect((await readPixels(join(dir, 'g.jpg'))).width).toBe(5 * (w + 2) + 2);
    expect((await readPixels(join(dir, 'g.bin'))).width).toBe(5 * w);
    expect(() => vision.utils.saveImage(u8, join(dir, 'x.tiff'))).toThrow(RangeError);
    expect(() => vision.utils.saveImage(u8, join(dir, 'x.png'), { format: 'gif' as never })).toThrow(RangeError);
    expect(() => vision.utils.saveImage(u8, join(dir, 'x.png'), { nrows: 2 } as never)).toThrow(/nrow/);
    expect(() => vision.utils.makeGrid([u8, 3 as never])).toThrow(TypeError);
    expect(() => vision.utils.makeGrid(image('grid5'), { valueRange: 1 as never })).toThrow(TypeError);
  });
});

describe('random transforms inside a DataLoader', () => {
  test("draw from the loader's per-epoch generator: one seed, the same batches, whatever the global generator did", () => {
    const images = torch.arange(8 * 3 * 6 * 6).remainder(251).to(torch.uint8).view([8, 3, 6, 6]);
    const t = new transforms.Compose([
      new transforms.RandomCrop(4, { padding: 1 }), new transforms.RandomHorizontalFlip(), new transforms.ColorJitter({ brightness: 0.5 }),
    ]);
    const ds: torch.Dataset<[torch.Tensor, number]> = { length: 8, get: (i) => [t.forward(images.select(0, i)), i] };
    const epoch = (globalSeed: number) => {
      torch.manualSeed(globalSeed);
      const loader = new torch.DataLoader(ds, { batchSize: 4, seed: 123 });
      return [...loader].map(([x]) => values(x));
    };
    const a = epoch(1);
    expect(epoch(2)).toEqual(a);
    torch.manualSeed(1);
    const b = [...new torch.DataLoader(ds, { batchSize: 4, seed: 124 })].map(([x]) => values(x));
    expect(b).not.toEqual(a);
  });
});

describe('RandomAffine refuses what no image transform can use', () => {
  test('non-finite degrees, translate, scale, shear or fill are RangeErrors', () => {
    expect(() => new transforms.RandomAffine(Infinity)).toThrow(RangeError);
    expect(() => new transforms.RandomAffine([0, NaN])).toThrow(/finite/);
    expect(() => new transforms.RandomAffine(0, { scale: [0.5, Infinity] })).toThrow(RangeError);
    expect(() => new transforms.RandomAffine(0, { shear: -Infinity })).toThrow(RangeError);
    expect(() => new transforms.RandomAffine(0, { fill: NaN })).toThrow(TypeError);
    expect(() => new transforms.RandomAffine(0, { fill: Infinity })).toThrow(RangeError);
    expect(() => new transforms.RandomAffine(10, { translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 5, fill: 0 })).not.toThrow();
  });
});
