/**
 * `.pth` interop: fixtures written by Python PyTorch 1.13 and 2.x (test/fixtures/pth/generate.py)
 * load bit-exactly; hostile and damaged files are refused with clear errors; what nodetorch
 * writes loads in Python with `weights_only=True` (when a Python torch is on the machine).
 *
 * The container/pickle layers are tested without the native addon; the tests that make real
 * tensors run when `build/Release/nodetorch.node` and `lib/index.ts` exist.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TorchError } from '../lib/errors';
import { contiguousBytes, decodePth, encodePth, TensorForSave, toJS } from '../lib/serialization/container';
import { ITEMSIZE } from '../lib/serialization/dtypes';
import { pickle } from '../lib/serialization/pickler';
import { TensorRef, unpickle } from '../lib/serialization/unpickler';
import { readZip, writeZip, ZIP_ALIGNMENT } from '../lib/serialization/zip';

const ROOT = path.resolve(__dirname, '..');
const FIX = path.join(ROOT, 'test/fixtures/pth');
const index = JSON.parse(fs.readFileSync(path.join(FIX, 'index.json'), 'utf8')) as {
  fixtures: Record<string, { file: string; covers: string; expected?: unknown; error?: { code: string; message_contains: string }; marker?: string }>;
};
const fixtures = Object.values(index.fixtures);
const readable = fixtures.filter((f) => f.expected !== undefined);
const refused = fixtures.filter((f) => f.error !== undefined);
const HAVE_ADDON = fs.existsSync(path.join(ROOT, 'build/Release/nodetorch.node')) && fs.existsSync(path.join(ROOT, 'lib/tensor.ts'));

/** The JSON shape generate.py's `describe` writes, computed from our decoded tree. */
function norm(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return { __float__: Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf' };
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(norm);
  if (v instanceof Map) return { __map__: [...v].map(([k, x]) => [norm(k), norm(x)]) };
  if (v && typeof v === 'object' && '__tensor__' in v) return v;
  if (v && typeof v === 'object') {
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  }
  return v;
}

function pureTensor(ref: TensorRef, storage: Uint8Array) {
  return {
    __tensor__: {
      dtype: ref.dtype, shape: [...ref.size], stride: [...ref.stride], storage_offset: ref.storageOffset,
      requires_grad: ref.requiresGrad, parameter: ref.parameter, hex: Buffer.from(contiguousBytes(ref, storage)).toString('hex'),
    },
  };
}

function decodeFixture(file: string) {
  return toJS(decodePth(fs.readFileSync(path.join(FIX, file))), pureTensor);
}

function expectTorchError(fn: () => unknown, code: string, message?: string | RegExp): TorchError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(TorchError);
  expect((err as TorchError).code).toBe(code);
  if (message !== undefined) expect((err as TorchError).message).toMatch(message);
  return err as TorchError;
}

/** A pickle made of raw opcodes (protocol 2 header added). */
function pkl(...parts: Array<string | number[] | Buffer>): Buffer {
  return Buffer.concat([Buffer.from([0x80, 0x02]), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)))]);
}
function uni(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const h = Buffer.alloc(5);
  h[0] = 0x58;
  h.writeUInt32LE(b.length, 1);
  return Buffer.concat([h, b]);
}
/** A storage persistent id `('storage', torch.<cls>, key, 'cpu', numel)` followed by BINPERSID. */
function pid(cls: string, key: string, numel: number): Buffer {
  return Buffer.concat([Buffer.from('('), uni('storage'), Buffer.from(`ctorch\n${cls}\n`), uni(key), uni('cpu'), Buffer.from([0x4a]), int32(numel), Buffer.from('tQ')]);
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}
function ints(xs: number[]): Buffer {
  return Buffer.concat([Buffer.from('('), ...xs.map((x) => Buffer.concat([Buffer.from([0x4a]), int32(x)])), Buffer.from('t')]);
}
/** `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`. */
function rebuild(cls: string, key: string, numel: number, offset: number, size: number[], stride: number[]): Buffer {
  return Buffer.concat([
    Buffer.from('ctorch._utils\n_rebuild_tensor_v2\n('), pid(cls, key, numel), Buffer.from([0x4a]), int32(offset),
    ints(size), ints(stride), Buffer.from([0x89]), Buffer.from('ccollections\nOrderedDict\n)RtR'),
  ]);
}
/** A one-tensor zip file `{'t': tensor}` with a chosen record size. */
function oneTensorZip(size: number[], stride: number[], offset: number, numel: number, recordBytes: number): Buffer {
  const p = pkl('}', uni('t'), rebuild('FloatStorage', '0', numel, offset, size, stride), 's.');
  return Buffer.concat(writeZip('x', [['data.pkl', p], ['data/0', Buffer.alloc(recordBytes)], ['version', Buffer.from('3\n')]]));
}

describe('reading PyTorch fixtures (no addon needed)', () => {
  it('has fixtures from both PyTorch versions', () => {
    expect(readable.some((f) => f.file.startsWith('t1_'))).toBe(true);
    expect(readable.some((f) => f.file.startsWith('t2_'))).toBe(true);
  });
  for (const f of readable) {
    it(`${f.file}: ${f.covers}`, () => {
      expect(norm(decodeFixture(f.file))).toEqual(f.expected);
    });
  }
  it('keeps state-dict keys in file order with Object.prototype and plain values', () => {
    const sd = decodeFixture('t2_state_dict.pth') as Record<string, unknown>;
    expect(Object.keys(sd)).toEqual(['conv1.weight', 'conv1.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked', 'fc.weight', 'fc.bias']);
    const nbt = (sd['bn.num_batches_tracked'] as { __tensor__: { dtype: string; shape: number[] } }).__tensor__;
    expect(nbt.dtype).toBe('int64');
    expect(nbt.shape).toEqual([]);
  });
  it('maps the optimizer state (int keys) to a Map and ints/floats to numbers', () => {
    const ck = decodeFixture('t1_checkpoint.pth') as Record<string, any>;
    expect(ck.epoch).toBe(3);
    expect(ck.loss).toBe(0.125);
    expect(ck.tuple).toEqual([1, 'a', null, true]);
    expect(ck.optimizer.state).toBeInstanceOf(Map);
    expect([...ck.optimizer.state.keys()]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ck.optimizer.param_groups[0].lr).toBe(0.001);
  });
  it('shares one storage between views, as in Python', () => {
    const d = decodePth(fs.readFileSync(path.join(FIX, 't2_dtypes.pth')));
    const v = d.value as Map<string, TensorRef>;
    expect(v.get('slice')!.storage).toBe(v.get('base')!.storage);
    expect(v.get('transposed')!.storageOffset).toBe(4);
    expect(v.get('transposed')!.stride).toEqual([1, 4]);
  });
  it('ignores the recorded location (cuda:0)', () => {
    const d = decodePth(fs.readFileSync(path.join(FIX, 't1_cuda.pth')));
    const t = (d.value as Map<string, TensorRef>).get('fc.weight')!;
    expect(t.storage.location).toBe('cuda:0');
  });
});

describe('refusing hostile and foreign files', () => {
  for (const f of refused) {
    it(`${f.file}: ${f.covers}`, () => {
      if (f.marker) fs.rmSync(f.marker, { force: true });
      expectTorchError(() => decodePth(fs.readFileSync(path.join(FIX, f.file))), f.error!.code, f.error!.message_contains);
      if (f.marker) expect(fs.existsSync(f.marker)).toBe(false);
    });
  }
  const cases: Array<[string, Buffer, string, RegExp]> = [
    ['INST', pkl('(ios\nsystem\n.'), 'PTH_UNSAFE', /INST/],
    ['OBJ', pkl('(ccollections\nOrderedDict\no.'), 'PTH_UNSAFE', /OBJ/],
    ['EXT1', pkl([0x82, 1], '.'), 'PTH_UNSAFE', /EXT/],
    ['NEWOBJ_EX', pkl('ccollections\nOrderedDict\n)}', [0x92], '.'), 'PTH_UNSAFE', /NEWOBJ_EX/],
    ['BUILD on a list', pkl(']}b.'), 'PTH_UNSAFE', /BUILD on a tuple\/list/],
    ['BUILD on a tensor', pkl(rebuild('FloatStorage', '0', 1, 0, [1], [1]), '}b.'), 'PTH_UNSAFE', /BUILD on a tensor/],
    ['REDUCE on a string', pkl(uni('os.system'), ')R.'), 'PTH_UNSAFE', /REDUCE calls/],
    ['REDUCE on a storage class', pkl('ctorch\nFloatStorage\n)R.'), 'PTH_UNSAFE', /torch.FloatStorage/],
    ['subprocess', pkl('csubprocess\nPopen\n.'), 'PTH_UNSAFE', /subprocess.Popen/],
    ['sys.modules via STACK_GLOBAL', pkl(uni('sys'), uni('modules'), [0x93], '.'), 'PTH_UNSAFE', /sys.modules/],
    ['torch.load', pkl('ctorch\nload\n.'), 'PTH_UNSAFE', /torch.load/],
    ['persistent id not a tuple', pkl(uni('storage'), 'Q.'), 'PTH_INVALID', /malformed persistent id/],
    ['persistent id with a non-storage class', pkl('(', uni('storage'), 'ccollections\nOrderedDict\n', uni('0'), uni('cpu'), 'K\x01tQ.'), 'PTH_INVALID', /storage class/],
    ['persistent id with negative numel', pkl(pid('FloatStorage', '0', -1), '.'), 'PTH_INVALID', /bad storage size/],
    ['negative size', pkl(rebuild('FloatStorage', '0', 4, 0, [-1], [1]), '.'), 'PTH_INVALID', /negative tensor size/],
    ['negative stride', pkl(rebuild('FloatStorage', '0', 4, 0, [2], [-1]), '.'), 'PTH_INVALID', /negative tensor stride/],
    ['view past storage', pkl(rebuild('FloatStorage', '0', 4, 1, [2, 2], [2, 1]), '.'), 'PTH_INVALID', /reaches element 4 .* only 4/],
    ['huge size overflow', pkl(rebuild('FloatStorage', '0', 4, 0, [2 ** 30, 2 ** 30, 2 ** 30], [2 ** 30, 2 ** 30, 1]), '.'), 'PTH_INVALID', /too large|reaches/],
    ['size/stride length mismatch', pkl(rebuild('FloatStorage', '0', 4, 0, [2, 2], [1]), '.'), 'PTH_INVALID', /differ in length/],
    ['truncated string', pkl('X\xff\xff\xff\x7fabc'), 'PTH_INVALID', /truncated/],
    ['no STOP', pkl('K\x01'), 'PTH_INVALID', /without STOP/],
    ['stack underflow', pkl('s.'), 'PTH_INVALID', /underflow/],
    ['memo read before write', pkl('h\x05.'), 'PTH_INVALID', /memo entry 5/],
    ['unknown opcode', pkl([0xff]), 'PTH_INVALID', /opcode 0xff/],
    ['protocol 9', Buffer.from([0x80, 9, 0x2e]), 'PTH_INVALID', /protocol 9/],
  ];
  for (const [name, bytes, code, msg] of cases) {
    it(`pickle: ${name}`, () => {
      expectTorchError(() => unpickle(bytes, { where: 'x/data.pkl' }), code, msg);
    });
  }
  it('names the record in errors', () => {
    expectTorchError(() => unpickle(pkl('cposix\nsystem\n.'), { where: 'evil/data.pkl' }), 'PTH_UNSAFE', /evil\/data\.pkl.*posix\.system/);
  });
  it('refuses records whose size differs from numel × itemsize', () => {
    expect(() => decodePth(oneTensorZip([4], [1], 0, 4, 16))).not.toThrow();
    expectTorchError(() => decodePth(oneTensorZip([4], [1], 0, 4, 12)), 'PTH_INVALID', /record "x\/data\/0" has 12 bytes.*16 bytes/);
    expectTorchError(() => decodePth(oneTensorZip([4], [1], 0, 4, 20)), 'PTH_INVALID', /20 bytes/);
  });
  it('refuses a storage whose byte size overflows', () => {
    expectTorchError(() => unpickle(pkl('(', uni('storage'), 'ctorch\nDoubleStorage\n', uni('0'), uni('cpu'), [0x8a, 7, 0, 0, 0, 0, 0, 0, 0x10], 'tQ.')), 'PTH_INVALID', /too large|bad storage size/);
  });
  it('refuses a missing storage record', () => {
    const p = pkl('}', uni('t'), rebuild('FloatStorage', '7', 1, 0, [1], [1]), 's.');
    expectTorchError(() => decodePth(Buffer.concat(writeZip('x', [['data.pkl', p]]))), 'PTH_INVALID', /x\/data\/7" is missing/);
  });
  it("refuses byteorder 'big'", () => {
    const p = pkl('}.');
    const z = Buffer.concat(writeZip('x', [['data.pkl', p], ['byteorder', Buffer.from('big')]]));
    expectTorchError(() => decodePth(z), 'PTH_UNSUPPORTED', /big-endian/);
  });
  it('refuses truncated files, zip and legacy', () => {
    for (const file of ['t2_state_dict.pth', 't1_legacy.pth']) {
      const buf = fs.readFileSync(path.join(FIX, file));
      for (const cut of [0, 1, 10, 100, buf.length >> 1, buf.length - 30, buf.length - 1]) {
        expectTorchError(() => decodePth(buf.subarray(0, cut)), 'PTH_INVALID');
      }
    }
  });
  it('refuses random bytes and other formats with a clear message', () => {
    expectTorchError(() => decodePth(Buffer.from('hello world')), 'PTH_INVALID', /neither a zip/);
    expectTorchError(() => decodePth(Buffer.from(pickle({ a: 1 }))), 'PTH_INVALID', /magic number/);
  });
  it('refuses deeply nested pickles without overflowing the stack', () => {
    const deep = pkl(']'.repeat(5000), 'a'.repeat(4999), '.');
    const { value } = unpickle(deep);
    expectTorchError(() => toJS({ format: 'zip', value, storages: new Map() }, pureTensor), 'PTH_INVALID', /nested/);
  });
  it('keeps a "__proto__" key as an ordinary key', () => {
    const { value } = unpickle(pkl('}', uni('__proto__'), 'K\x01s.'));
    const o = toJS({ format: 'zip', value, storages: new Map() }, pureTensor) as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('zip container', () => {
  it('aligns every record to 64 bytes and reads back', () => {
    const recs: Array<[string, Uint8Array]> = [['data.pkl', Buffer.from('abc')], ['data/0', Buffer.alloc(7, 1)], ['version', Buffer.from('3\n')]];
    for (const force of [false, true]) {
      const buf = Buffer.concat(writeZip('stem', recs, { forceZip64: force }));
      const z = readZip(buf);
      expect(z.prefix).toBe('stem');
      expect([...z.records.keys()]).toEqual(['data.pkl', 'data/0', 'version']);
      for (const [, data] of z.records) expect((data.byteOffset - buf.byteOffset) % ZIP_ALIGNMENT).toBe(0);
      expect(Buffer.from(z.records.get('data/0')!)).toEqual(Buffer.alloc(7, 1));
    }
  });
  it('takes the top folder from the first entry of a torch-written file', () => {
    expect(readZip(fs.readFileSync(path.join(FIX, 't2_state_dict.pth'))).prefix).toBe('t2_state_dict');
  });
  it('detects a damaged record by its CRC', () => {
    const buf = Buffer.from(fs.readFileSync(path.join(FIX, 't2_plain_dict.pth')));
    const z = readZip(buf);
    const off = z.records.get('data/0')!.byteOffset - buf.byteOffset;
    buf[off] ^= 1;
    expectTorchError(() => readZip(buf), 'PTH_INVALID', /CRC/);
  });
});

/** A stand-in tensor for writer tests without the addon. */
class FakeTensor {
  constructor(readonly dtype: TensorForSave['dtype'], readonly shape: number[], readonly data: Buffer, readonly requiresGrad = false) {}
}
const fakeOf = (v: object): TensorForSave | undefined =>
  v instanceof FakeTensor ? { dtype: v.dtype, shape: v.shape, requiresGrad: v.requiresGrad, bytes: () => v.data } : undefined;

function fakeSample(): Record<string, unknown> {
  const mk = (dtype: TensorForSave['dtype'], shape: number[], seed: number) => {
    const n = shape.reduce((a, b) => a * b, 1) * ITEMSIZE[dtype];
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 17) & 0xff;
    if (dtype === 'bool') for (let i = 0; i < n; i++) b[i] &= 1;
    return new FakeTensor(dtype, shape, b);
  };
  const shared = mk('float32', [2, 3], 1);
  return {
    model: {
      'conv.weight': shared, 'conv.bias': mk('float64', [3], 2), h: mk('float16', [2, 2], 3), bf: mk('bfloat16', [3], 4),
      l: mk('int64', [2], 5), i: mk('int32', [1, 2], 6), s: mk('int16', [3], 7), c: mk('int8', [4], 8), u: mk('uint8', [2, 2], 9),
      b: mk('bool', [5], 10), scalar: mk('float32', [], 11), empty: mk('float32', [0, 3], 12), again: shared,
    },
    optimizer: { state: new Map<number, unknown>([[0, { momentum_buffer: mk('float32', [2], 13) }], [1, { momentum_buffer: null }]]), param_groups: [{ lr: 0.01, momentum: 0.9, nesterov: false, params: [0, 1] }] },
    epoch: 3,
    big: 2n ** 70n,
    neg: -5,
    ratio: 0.5,
    name: 'héllo ✓',
    list: [1, 2.5, null, true, 'x', [], {}],
  };
}

function fakeToExpected(v: unknown): unknown {
  if (v instanceof FakeTensor) {
    return { __tensor__: { dtype: v.dtype, shape: v.shape, requires_grad: v.requiresGrad, parameter: false, hex: v.data.toString('hex') } };
  }
  if (Array.isArray(v)) return v.map(fakeToExpected);
  if (v instanceof Map) return { __map__: [...v].map(([k, x]) => [k, fakeToExpected(x)]) };
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fakeToExpected(x)]));
  return v;
}

/** JSON with bigints written as exact integers (Python's json reads them as ints). */
function bigJSON(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `__BIG__${x}` : x)).replace(/"__BIG__(-?\d+)"/g, '$1');
}

function stripLayout(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripLayout);
  if (v && typeof v === 'object' && '__tensor__' in v) {
    const { stride: _s, storage_offset: _o, ...rest } = (v as { __tensor__: Record<string, unknown> }).__tensor__;
    return { __tensor__: rest };
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stripLayout(x)]));
  return v;
}

/** Python interpreters with torch on this machine (pip 2.x as `python3`, Debian 1.13), by torch major version. */
const PY_MAJOR = new Map<string, number>();
for (const py of ['python3', '/usr/bin/python3']) {
  const r = spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.status === 0) PY_MAJOR.set(py, Number(r.stdout.trim().split('.')[0]));
}
const PYTHONS = [...PY_MAJOR.keys()];

/** Runs roundtrip_check.py; `plain` on PyTorch 1.13, whose safe loader cannot read floats. */
function pyCheck(py: string, file: string, expected: unknown, plainOn113: boolean): void {
  const expectedFile = `${file}.expected.json`;
  fs.writeFileSync(expectedFile, bigJSON(expected));
  const args = [path.join(FIX, 'roundtrip_check.py'), file, expectedFile];
  if (plainOn113 && PY_MAJOR.get(py) === 1) args.push('--plain');
  const r = spawnSync(py, args, { encoding: 'utf8' });
  expect(r.stderr + r.stdout).toContain('"ok": true');
}
describe('writing (no addon needed)', () => {
  it('round-trips through our own reader', () => {
    const sample = fakeSample();
    const buf = Buffer.concat(encodePth(sample, 'ckpt', fakeOf));
    const d = decodePth(buf);
    expect(d.prefix).toBe('ckpt');
    const got = norm(toJS(d, pureTensor));
    expect(stripLayout(got)).toEqual(stripLayout(norm(fakeToExpected(sample))));
    // The same tensor object twice is one storage.
    const model = (d.value as Map<string, Map<string, TensorRef>>).get('model')!;
    expect(model.get('again')!.storage).toBe(model.get('conv.weight')!.storage);
  });
  it('writes records the way torch does', () => {
    const z = readZip(Buffer.concat(encodePth({ w: new FakeTensor('float32', [1], Buffer.alloc(4)) }, 'm', fakeOf)));
    expect([...z.records.keys()]).toEqual(['data.pkl', 'byteorder', 'data/0', 'version']);
    expect(Buffer.from(z.records.get('version')!).toString()).toBe('3\n');
    expect(Buffer.from(z.records.get('byteorder')!).toString()).toBe('little');
  });
  it('rejects values Python cannot load safely with TypeError', () => {
    expect(() => pickle({ f: () => 1 })).toThrow(TypeError);
    expect(() => pickle(new Date())).toThrow(TypeError);
    expect(() => pickle(new Map([[{}, 1]]))).toThrow(TypeError);
    const cyc: unknown[] = [];
    cyc.push(cyc);
    expect(() => pickle(cyc)).toThrow(TypeError);
  });
  it.skipIf(PYTHONS.length === 0)(`loads in Python with weights_only=True (${PYTHONS.join(', ')})`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-pth-'));
    try {
      const sample = fakeSample();
      // Without floats: PyTorch 1.13's safe loader reads it too.
      const noFloats = { model: sample.model, epoch: 3, big: 2n ** 62n, name: sample.name, list: [1, null, true, 'x', [], {}], map: new Map([[0, 'a'], [1, 'b']]) };
      for (const force of [false, true]) {
        const file = path.join(dir, force ? 'zip64.pth' : 'ckpt.pth');
        fs.writeFileSync(file, Buffer.concat(encodePth(sample, path.basename(file, '.pth'), fakeOf, { forceZip64: force })));
        const nf = path.join(dir, force ? 'nf64.pth' : 'nf.pth');
        fs.writeFileSync(nf, Buffer.concat(encodePth(noFloats, path.basename(nf, '.pth'), fakeOf, { forceZip64: force })));
        for (const py of PYTHONS) {
          pyCheck(py, file, fakeToExpected(sample), true);
          pyCheck(py, nf, fakeToExpected(noFloats), false);
        }
      }
      // A plain state dict comes back as an OrderedDict, like model.state_dict().
      const sd = path.join(dir, 'sd.pth');
      fs.writeFileSync(sd, Buffer.concat(encodePth({ w: new FakeTensor('float32', [2], Buffer.alloc(8)) }, 'sd', fakeOf)));
      for (const py of PYTHONS) {
        const out = JSON.parse(execFileSync(py, [path.join(FIX, 'roundtrip_check.py'), sd], { encoding: 'utf8' }));
        expect(out.kinds).toEqual({ top: 'OrderedDict', ordered: true });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(!HAVE_ADDON)('with real tensors (native addon)', () => {
  // Loaded here, not at the top, so that a broken addon fails one test and skips the rest.
  let torch: any;
  let pth: any;
  let addonError: unknown;
  beforeAll(async () => {
    try {
      torch = await import('../lib');
      pth = await import('../lib/serialization');
    } catch (e) {
      addonError = e;
    }
  });
  it('the native addon loads', () => {
    if (addonError) throw addonError;
  });
  const itReal = (name: string, fn: () => void, timeout?: number) =>
    it(name, (ctx) => {
      if (addonError) ctx.skip();
      fn();
    }, timeout);

  function realNorm(v: unknown): unknown {
    if (torch?.isTensor(v)) {
      const t = v as any;
      return {
        __tensor__: {
          dtype: t.dtype, shape: t.shape, stride: t.stride(), requires_grad: t.requiresGrad,
          hex: Buffer.from(t.toBuffer()).toString('hex'),
        },
      };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { __float__: Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf' };
    if (typeof v === 'bigint') return Number(v);
    if (Array.isArray(v)) return v.map(realNorm);
    if (v instanceof Map) return { __map__: [...v].map(([k, x]) => [k, realNorm(x)]) };
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, realNorm(x)]));
    return v;
  }
  function expectedReal(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(expectedReal);
    if (v && typeof v === 'object' && '__tensor__' in v) {
      const t = (v as any).__tensor__;
      return { __tensor__: { dtype: t.dtype, shape: t.shape, stride: t.stride, requires_grad: t.requires_grad, hex: t.hex } };
    }
    if (v && typeof v === 'object' && '__map__' in v) return { __map__: (v as any).__map__.map(([k, x]: [unknown, unknown]) => [k, expectedReal(x)]) };
    if (v && typeof v === 'object' && '__float__' in v) return v;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expectedReal(x)]));
    return v;
  }

  for (const f of readable) {
    itReal(`load ${f.file} bit-exactly`, () => {
      const got = pth.load(path.join(FIX, f.file));
      expect(realNorm(got)).toEqual(expectedReal(f.expected));
    });
  }
  itReal('loads from a Buffer too', () => {
    const got = pth.load(fs.readFileSync(path.join(FIX, 't2_state_dict.pth')));
    expect(realNorm(got)).toEqual(expectedReal(index.fixtures['t2_state_dict.pth'].expected));
  });
  itReal('refuses TorchScript and hostile files through load()', () => {
    expectTorchError(() => pth.load(path.join(FIX, 't2_torchscript.pt')), 'PTH_TORCHSCRIPT', /this is a TorchScript archive, not a state dict/);
    expectTorchError(() => pth.load(path.join(FIX, 'malicious_posix_system.pth')), 'PTH_UNSAFE', /posix\.system/);
  });
  itReal('saves atomically and reads back bit-exactly; Python loads it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-pth-'));
    try {
      const loaded = pth.load(path.join(FIX, 't2_checkpoint.pth'));
      const dtypes = pth.load(path.join(FIX, 't2_dtypes.pth'));
      const file = path.join(dir, 'ck.pth');
      pth.save({ ...loaded, dtypes }, file);
      expect(fs.readdirSync(dir)).toEqual(['ck.pth']);
      const again = pth.load(file);
      const strip = (x: unknown) => stripLayout(realNorm(x));
      expect(strip(again)).toEqual(strip({ ...loaded, dtypes }));
      const exp = { ...(index.fixtures['t2_checkpoint.pth'].expected as object), dtypes: index.fixtures['t2_dtypes.pth'].expected };
      for (const py of PYTHONS) pyCheck(py, file, exp, true);
      const sdFile = path.join(dir, 'sd.pth');
      pth.save(pth.load(path.join(FIX, 't1_state_dict.pth')), sdFile);
      for (const py of PYTHONS) pyCheck(py, sdFile, index.fixtures['t1_state_dict.pth'].expected, false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
  itReal('validates load() arguments', () => {
    expect(() => pth.load(42 as any)).toThrow(TypeError);
    expect(() => pth.load(Buffer.alloc(0), { mapLocation: 3 as any })).toThrow(TypeError);
    expectTorchError(() => pth.load('/nonexistent/x.pth'), 'ENOENT');
  });
});
