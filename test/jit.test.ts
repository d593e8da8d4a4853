// torch.jit: TorchScript files from PyTorch 2.13 and 1.13 (test/fixtures/jit/generate.py) load,
// compute Python's outputs, train as Python trains them, save for Python, refuse damaged files
// with a TorchError, and run off the event loop.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib';
import { unpickle, type PyObject } from '../lib/serialization/unpickler';
import { readZip, writeZip } from '../lib/serialization/zip';

const { nn, optim } = torch;
type Tensor = torch.Tensor;
const FIX = path.resolve(__dirname, 'fixtures', 'jit');
const GENERATOR = path.join(FIX, 'generate.py');
const LIBTORCH = torch.config().libtorchVersion.split('.').slice(0, 2).join('.');
const VERSIONS = ['2.13', '1.13'];
const numeric = (v: string) => v.split('.').map(Number);
/** Files from a newer PyTorch than this LibTorch may not load here (LibTorch reads older formats). */
const isNewer = (v: string) => {
  const [a, b] = [numeric(v), numeric(LIBTORCH)];
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
};
/** Python interpreters with torch, by their major.minor version. */
const PYTHONS = new Map<string, string>();
for (const py of ['python3', '/usr/bin/python3']) {
  const r = spawnSync(py, ['-c', 'import torch; print(".".join(torch.__version__.split(".")[:2]))'], { encoding: 'utf8' });
  if (r.status === 0 && !PYTHONS.has(r.stdout.trim())) PYTHONS.set(r.stdout.trim(), py);
}
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nt-jit-'));

// ---- the reference files ----------------------------------------------------------------------

type Enc = null | number | boolean | string | { tensor: { dtype: string; shape: number[]; values: (number | boolean)[] } }
  | { tuple: Enc[] } | { list: Enc[] } | { dict: [string | number, Enc][] };
interface Call { method: string; args: Enc; output: Enc }
interface ModelRef {
  file: string; stateDictKeys: string[]; parameterNames: string[]; bufferNames: string[]; children: string[];
  training: boolean; repr: string; forwardSchema: string; calls: Call[]; evalCall?: Call;
  train?: { lr: number; momentum: number; steps: number; losses: number[]; stateDictSums: Record<string, number> };
}
interface Reference { torch: string; models: Record<string, ModelRef> }
const REF: Record<string, Reference> = Object.fromEntries(VERSIONS.map((v) => [v, JSON.parse(fs.readFileSync(path.join(FIX, v, 'reference.json'), 'utf8'))]));
const file = (v: string, name: string) => path.join(FIX, v, `${name}.pt`);

/** A Python value from the reference file as the JS value nodetorch takes and gives. */
function decode(e: Enc): unknown {
  if (e === null || typeof e !== 'object') return e;
  if ('tensor' in e) return torch.tensor(e.tensor.values as number[], { dtype: e.tensor.dtype as torch.DTypeName }).reshape(e.tensor.shape);
  if ('tuple' in e) return e.tuple.map(decode);
  if ('list' in e) return e.list.map(decode);
  if (e.dict.every(([k]) => typeof k === 'string')) return Object.fromEntries(e.dict.map(([k, v]) => [k, decode(v)]));
  return new Map(e.dict.map(([k, v]) => [k, decode(v)]));
}

/** `actual` is what Python gave (`expected`): tensors within 1e-6 + 1e-5·|expected|. */
function expectValue(actual: unknown, expected: Enc, where: string): void {
  if (expected === null) return void expect(actual, where).toBeNull();
  if (typeof expected === 'number') {
    expect(typeof actual, where).toBe('number');
    return void expect(Math.abs((actual as number) - expected), where).toBeLessThanOrEqual(1e-12 + 1e-9 * Math.abs(expected));
  }
  if (typeof expected !== 'object') return void expect(actual, where).toBe(expected);
  if ('tensor' in expected) {
    expect(torch.isTensor(actual), `${where} is a Tensor`).toBe(true);
    const t = actual as Tensor;
    expect(t.dtype, where).toBe(expected.tensor.dtype);
    expect([...t.shape], where).toEqual(expected.tensor.shape);
    const got = Array.from(t.detach().double().flatten().toArray() as Float64Array);
    const want = expected.tensor.values.map(Number);
    const worst = Math.max(0, ...got.map((g, i) => Math.abs(g - want[i]) - (1e-6 + 1e-5 * Math.abs(want[i]))));
    return void expect(worst, `${where}: ${got.slice(0, 4)} vs ${want.slice(0, 4)}`).toBe(0);
  }
  if ('tuple' in expected || 'list' in expected) {
    const items = 'tuple' in expected ? expected.tuple : expected.list;
    expect(Array.isArray(actual), `${where} is an array`).toBe(true);
    expect((actual as unknown[]).length, where).toBe(items.length);
    return items.forEach((e, i) => expectValue((actual as unknown[])[i], e, `${where}[${i}]`));
  }
  if (expected.dict.every(([k]) => typeof k === 'string')) {
    expect(actual instanceof Map, `${where} is a plain object`).toBe(false);
    expect(Object.keys(actual as object), where).toEqual(expected.dict.map(([k]) => k));
    return expected.dict.forEach(([k, v]) => expectValue((actual as Record<string, unknown>)[k as string], v, `${where}.${k}`));
  }
  expect(actual instanceof Map, `${where} is a Map`).toBe(true);
  const map = actual as Map<unknown, unknown>;
  expect([...map.keys()], where).toEqual(expected.dict.map(([k]) => k));
  expected.dict.forEach(([k, v]) => expectValue(map.get(k), v, `${where}.get(${k})`));
}

function call(m: torch.jit.ScriptModule, c: Call): unknown {
  const args = decode(c.args) as unknown[];
  return torch.noGrad(() => (c.method === 'forward' ? m(...args) : m.runMethod(c.method, ...args)));
}

/** generate.py's fixed_input: sin(0.7 i + offset) * 2 + 0.3 over the flat index, float32. */
function fixedInput(shape: number[], offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.arange(n, { dtype: 'float32' }).mul(0.7).add(offset).sin().mul(2).add(0.3).reshape(shape);
}

/** The generator's train_losses, line for line. */
function trainLosses(m: torch.jit.ScriptModule, name: string, lr: number, momentum: number, steps: number): number[] {
  let lossFn: () => Tensor;
  if (name === 'cnn_traced') {
    const x = fixedInput([6, 1, 8, 8], 0.25);
    const y = torch.tensor([0, 1, 2, 3, 4, 0]);
    lossFn = () => nn.functional.crossEntropy(m(x), y);
  } else {
    const x = fixedInput([5, 4], 0.75);
    const target = fixedInput([5, 4], 1.5).mul(0.5);
    lossFn = () => nn.functional.mseLoss(m(x, 2, true), target);
  }
  const opt = new optim.SGD(m.parameters(), { lr, momentum });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = lossFn();
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item() as number);
  }
  return losses;
}

const close = (a: number, b: number, rtol = 1e-5, atol = 1e-6) => Math.abs(a - b) <= atol + rtol * Math.abs(b);

// ---- loading files from each PyTorch ------------------------------------------------------------

for (const version of VERSIONS) {
  const ref = REF[version];
  describe(`torch.jit.load: files from PyTorch ${version} (written by ${ref.torch}) on LibTorch ${LIBTORCH}`, () => {
    if (isNewer(version)) {
      // LibTorch reads older formats; a newer file loads only if this LibTorch knows everything in it.
      it('each file loads and matches Python, or is refused with a TorchError (never an abort)', () => {
        const outcomes: string[] = [];
        for (const [name, model] of Object.entries(ref.models)) {
          let m: torch.jit.ScriptModule;
          try {
            m = torch.jit.load(file(version, name));
          } catch (e) {
            expect(e).toBeInstanceOf(torch.TorchError);
            expect((e as torch.TorchError).code).toBe('JIT_INVALID');
            outcomes.push(`${name}: refused (${(e as Error).message.slice(0, 120)})`);
            continue;
          }
          model.calls.forEach((c, i) => expectValue(call(m, c), c.output, `${name} call ${i}`));
          outcomes.push(`${name}: loads, outputs match`);
        }
        console.log(`PyTorch ${version} files on LibTorch ${LIBTORCH}:\n  ${outcomes.join('\n  ')}`);
      });
      return;
    }

    for (const [name, model] of Object.entries(ref.models)) {
      it(`${name}: state-dict keys, parameters, buffers, children, mode, repr and schema are Python's`, () => {
        const m = torch.jit.load(file(version, name));
        expect(m).toBeInstanceOf(nn.Module);
        expect(Object.keys(m.stateDict())).toEqual(model.stateDictKeys);
        expect(m.namedParameters().map(([k]) => k)).toEqual(model.parameterNames);
        expect(m.namedBuffers().map(([k]) => k)).toEqual(model.bufferNames);
        expect(m.namedChildren().map(([k]) => k)).toEqual(model.children);
        expect(m.training).toBe(model.training);
        expect(m.toString()).toBe(model.repr);
        expect(m.schema('forward')).toBe(model.forwardSchema);
        for (const p of m.parameters()) {
          expect(p).toBeInstanceOf(nn.Parameter);
          expect(p.requiresGrad).toBe(true);
        }
      });

      it(`${name}: every method gives Python's outputs (${model.calls.map((c) => c.method).join(', ')})`, () => {
        const m = torch.jit.load(file(version, name));
        model.calls.forEach((c, i) => expectValue(call(m, c), c.output, `${name} call ${i} (${c.method})`));
      });

      if (model.train !== undefined) {
        const t = model.train;
        it(`${name}: ${t.steps} SGD steps through the module give Python's losses and parameters`, () => {
          const m = torch.jit.load(file(version, name));
          const losses = trainLosses(m, name, t.lr, t.momentum, t.steps);
          losses.forEach((l, i) => expect(close(l, t.losses[i]), `step ${i}: ${l} vs ${t.losses[i]}`).toBe(true));
          expect(losses[t.steps - 1]).toBeLessThan(losses[0] * 0.5); // it learned
          const sd = m.stateDict();
          for (const [k, s] of Object.entries(t.stateDictSums)) {
            expect(close(sd[k].double().sum().item() as number, s, 1e-5, 1e-5), `${k} sum`).toBe(true);
          }
        });
      }
    }

    it('control_flow: eval()/train() reach the script (its `if self.training` branch) and every submodule', () => {
      const model = ref.models.control_flow;
      const m = torch.jit.load(file(version, 'control_flow'));
      expect(m.eval()).toBe(m);
      expect(m.modules().map((x) => x.training)).toEqual(m.modules().map(() => false));
      expectValue(call(m, model.evalCall!), model.evalCall!.output, 'eval mode');
      m.train();
      expect(m.modules().every((x) => x.training)).toBe(true);
      expectValue(call(m, model.calls[0]), model.calls[0].output, 'training mode');
      // The two modes differ, so the comparison above could fail.
      expect(JSON.stringify(model.evalCall!.output)).not.toBe(JSON.stringify(model.calls[0].output));
    });
  });
}

// ---- the module API ---------------------------------------------------------------------------

describe('ScriptModule as an nn.Module', () => {
  const v = LIBTORCH === '1.13' ? '1.13' : '2.13';
  const ref = REF[v].models;

  it('a 1% change of the learning rate moves the losses outside the tolerance (the parity test can fail)', () => {
    const t = ref.cnn_traced.train!;
    const losses = trainLosses(torch.jit.load(file(v, 'cnn_traced')), 'cnn_traced', t.lr * 1.01, t.momentum, t.steps);
    expect(losses.some((l, i) => !close(l, t.losses[i]))).toBe(true);
  });

  it('gradients reach its parameters, which are the script\'s own tensors (zeroing them zeroes its output)', () => {
    const m = torch.jit.load(file(v, 'cnn_traced'));
    const x = fixedInput([2, 1, 8, 8]);
    m(x).sum().backward();
    for (const [k, p] of m.namedParameters()) expect(p.grad, k).not.toBeNull();
    const saved = Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t.clone()]));
    torch.noGrad(() => { for (const p of m.parameters()) p.zero_(); });
    expect(torch.noGrad(() => m(x)).abs().max().item()).toBe(0);
    m.loadStateDict(saved);
    expectValue(call(m, ref.cnn_traced.calls[0]), ref.cnn_traced.calls[0].output, 'after loadStateDict');
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('submodules are ScriptModules reachable as properties and by getSubmodule; tensors are one object each', () => {
    const m = torch.jit.load(file(v, 'control_flow')) as torch.jit.ScriptModule & Record<string, any>;
    expect(m.getSubmodule('body.0')).toBeInstanceOf(torch.jit.ScriptModule);
    expect((m.getSubmodule('body.0') as torch.jit.ScriptModule).originalName).toBe('Linear');
    expect(m.body['0'].weight).toBe(m.namedParameters().find(([k]) => k === 'body.0.weight')![1]);
    const cnn = torch.jit.load(file(v, 'cnn_traced')) as torch.jit.ScriptModule & Record<string, any>;
    expect(cnn.bn.running_mean).toBe(cnn.buffers()[0]);
  });

  it('to(dtype) converts the script\'s tensors in place; the script then computes in that dtype', () => {
    const m = torch.jit.load(file(v, 'codec'));
    const c = ref.codec.calls[0];
    const params = m.parameters();
    m.to('float64');
    expect(m.parameters().every((p, i) => p === params[i])).toBe(true);
    expect(params.every((p) => p.dtype === 'float64')).toBe(true);
    const out = torch.noGrad(() => m((decode(c.args) as Tensor[])[0].double())) as Tensor;
    expect(out.dtype).toBe('float64');
    m.to({ device: 'cpu', dtype: 'float32' });
    expectValue(call(m, c), c.output, 'back in float32');
  });

  it('forward hooks run for module(x); mapLocation loads onto the CPU', () => {
    const m = torch.jit.load(file(v, 'codec'), { mapLocation: 'cpu' });
    const seen: unknown[] = [];
    const h = m.registerForwardHook((_mod, args, out) => { seen.push(args.length, (out as Tensor).shape); });
    m(fixedInput([2, 6]));
    h.remove();
    expect(seen).toEqual([1, [2, 6]]);
    expect(m.parameters().every((p) => p.device === 'cpu')).toBe(true);
    expect(m.methodNames().sort()).toEqual(['decode', 'encode', 'forward']);
  });

  it('arguments are checked against the method\'s types; script errors are TorchErrors', () => {
    const m = torch.jit.load(file(v, 'kinds'));
    const args = decode(ref.kinds.calls[0].args) as unknown[];
    expect(() => m(...args.slice(0, 1), 2.5, ...args.slice(2))).toThrow(/Expected an integer for argument 'k' of forward\(\) but received 2.5/);
    expect(() => m('x')).toThrow(TypeError);
    expect(() => m(...args, 1)).toThrow(/forward\(\) takes 9 arguments but 10 were given/);
    expect(() => m(...args.slice(0, 8), [1])).toThrow(/Expected an array of 2/);
    // int as a bigint; a Dict[str, Tensor] as a Map; a NamedTuple-free tuple as an array
    const alt = [...args];
    alt[1] = 2n;
    alt[7] = new Map(Object.entries(args[7] as object));
    expectValue(torch.noGrad(() => m(...alt)), ref.kinds.calls[0].output, 'bigint and Map arguments');
    expect(() => m.runMethod('nope')).toThrow(expect.objectContaining({ code: 'JIT_NO_METHOD', message: expect.stringMatching(/its methods are: forward, by_index, maybe/) }));
    const cnn = torch.jit.load(file(v, 'cnn_traced'));
    expect(() => cnn(torch.ones([2, 3]))).toThrow(torch.TorchError);
    expect(() => new (torch.jit.ScriptModule as any)()).toThrow(TypeError);
    expect(() => cnn.registerParameter('extra', new nn.Parameter(torch.ones([1])))).toThrow(expect.objectContaining({ code: 'JIT_UNSUPPORTED' }));
    expect(() => torch.jit.load(file(v, 'cnn_traced'), { mapLocation: 'gpu' } as any)).toThrow(TypeError);
  });

  it('torch.load on a TorchScript archive keeps PTH_TORCHSCRIPT and points at torch.jit.load', () => {
    expect(() => torch.load(file(v, 'cnn_traced'))).toThrow(expect.objectContaining({
      code: 'PTH_TORCHSCRIPT', message: expect.stringMatching(/this is a TorchScript archive, not a state dict.*torch\.jit\.load/) }));
  });

  it('is a part of an ordinary nn.Module, whose parameters() and stateDict() include it', () => {
    class Head extends nn.Module {
      backbone = torch.jit.load(file(v, 'codec'));
      head = new nn.Linear(6, 2);
      forward(x: Tensor) { return this.head(this.backbone(x)); }
    }
    const model = new Head();
    expect(Object.keys(model.stateDict())).toEqual([...ref.codec.stateDictKeys.map((k) => `backbone.${k}`), 'head.weight', 'head.bias']);
    expect(model(fixedInput([3, 6])).shape).toEqual([3, 2]);
  });
});

// ---- torch.jit.save -----------------------------------------------------------------------------

describe('torch.jit.save', () => {
  const v = LIBTORCH === '1.13' ? '1.13' : '2.13';

  function trained(): torch.jit.ScriptModule {
    const m = torch.jit.load(file(v, 'cnn_traced'));
    const t = REF[v].models.cnn_traced.train!;
    trainLosses(m, 'cnn_traced', t.lr, t.momentum, 3);
    return m;
  }

  it('round-trips through a file and a buffer: same state dict, same outputs', () => {
    const m = trained();
    const dir = tmp();
    const f = path.join(dir, 'cnn.pt');
    torch.jit.save(m, f);
    expect(fs.readdirSync(dir)).toEqual(['cnn.pt']); // written atomically: no temporary left
    const x = fixedInput([2, 1, 8, 8]);
    const mine = torch.noGrad(() => m(x)) as Tensor;
    for (const again of [torch.jit.load(f), torch.jit.load(torch.jit.saveToBuffer(m))]) {
      const a = again.stateDict();
      for (const [k, t] of Object.entries(m.stateDict())) expect(a[k].equal(t), k).toBe(true);
      expect((torch.noGrad(() => again(x)) as Tensor).equal(mine)).toBe(true);
    }
    expect(() => torch.jit.save(m, path.join(dir, 'missing', 'x.pt'))).toThrow(expect.objectContaining({ code: 'JIT_IO' }));
  });

  const py = PYTHONS.get(LIBTORCH);
  it.skipIf(py === undefined)(`Python ${LIBTORCH}'s torch.jit.load reads what it writes (state dict, outputs, mode)`, () => {
    const m = trained();
    const c = torch.jit.load(file(v, 'control_flow')).eval();
    const dir = tmp();
    torch.jit.save(m, path.join(dir, 'cnn.pt'));
    torch.jit.save(c, path.join(dir, 'cf.pt'));
    for (const [f, mod, name, args] of [
      ['cnn.pt', m, 'cnn_traced', [fixedInput([2, 1, 8, 8])]],
      ['cf.pt', c, 'control_flow', [fixedInput([3, 4]), 2, false]],
    ] as const) {
      const out = JSON.parse(execFileSync(py!, [GENERATOR, '--describe', path.join(dir, f), name], { encoding: 'utf8' }));
      expect(out.stateDictKeys).toEqual(Object.keys(mod.stateDict()));
      expect(out.training).toBe(mod.training);
      for (const [k, t] of Object.entries(mod.stateDict())) expectValue(t, out.stateDict[k], `${f} ${k}`);
      expectValue(torch.noGrad(() => mod(...(args as readonly unknown[]))), out.output, `${f} output`);
    }
  });
});

// ---- damaged and foreign files ------------------------------------------------------------------

describe('damaged or foreign files are TorchErrors, never an abort', () => {
  const v = LIBTORCH === '1.13' ? '1.13' : '2.13';
  const bytes = fs.readFileSync(file(v, 'cnn_traced'));
  const refused = (f: string | Uint8Array, pattern: RegExp, code = 'JIT_INVALID') =>
    expect(() => torch.jit.load(f)).toThrow(expect.objectContaining({ name: 'TorchError', code, message: expect.stringMatching(pattern) }));

  it('truncated files', () => {
    for (const n of [0, 3, 100, bytes.length >> 1, bytes.length - 22, bytes.length - 1]) {
      refused(bytes.subarray(0, n), n === 0 ? /empty/ : n < 4 ? /not a zip/ : /damaged|truncated/);
    }
  });

  it('flipped bytes: in a stored record, in a compressed code record, in the central directory', () => {
    const zip = readZip(bytes);
    const at = (view: Uint8Array) => view.byteOffset - bytes.byteOffset;
    const code = zip.deflated.get('code/__torch__.py')!.data;
    const centralDirectory = bytes.readUInt32LE(bytes.length - 22 + 16);
    for (const [offset, pattern] of [
      [at(zip.records.get('data.pkl')!) + 10, /data\.pkl" fails its CRC-32 check/],
      [at(code) + (code.length >> 1), /code\/__torch__\.py" (fails its CRC-32 check|does not inflate)/],
      [centralDirectory, /central directory entry 0 is damaged/],
    ] as const) {
      const copy = Buffer.from(bytes);
      copy[offset] ^= 0x5a;
      refused(copy, pattern);
    }
  });

  it('a zip with a missing record, a record cut short under a rewritten CRC, a newer format, a torch.save file, a missing file', () => {
    refused(file(v, 'missing_record'), /constants\.pkl/);
    // data/1 (conv1.bias, 16 bytes) cut to 8 with every CRC valid: LibTorch alone loads it, and
    // the first forward reads past its end.
    const zip = readZip(bytes);
    const records: [string, Uint8Array][] = [...zip.records].map(([k, d]) => [k, k === 'data/1' ? d.subarray(0, 8) : d]);
    for (const [k, d] of zip.deflated) records.push([k, zlib.inflateRawSync(d.data)]);
    refused(Buffer.concat(writeZip(zip.prefix, records)), /record "cnn_traced\/data\/1" has 8 bytes but data\.pkl describes 4 float32 elements \(16 bytes\)/);
    // The reader that checks this sees the module as a placeholder object and its 9 storages.
    const { value, storages } = unpickle(zip.records.get('data.pkl')!, { objects: true });
    expect((value as PyObject).cls).toMatchObject({ module: '__torch__', name: 'CNN' });
    expect(storages.length).toBe(9);
    expect(() => unpickle(zip.records.get('data.pkl')!)).toThrow(expect.objectContaining({ code: 'PTH_UNSAFE' }));
    refused(file(v, 'version_999'), /version 999/);
    refused(path.join(FIX, '..', 'layers_pth', 'zoo.pth'), /torch\.save file.*torch\.load/);
    refused(Buffer.from('not a model'), /not a zip archive/);
    refused(path.join(FIX, 'nope.pt'), /nope\.pt/, 'ENOENT');
  });

  for (const [mode, what] of [
    ['archive', 'the file damaged as a disk or a download would'],
    ['records', 'records damaged inside, the archive rewritten with valid CRCs'],
  ] as const) {
    it(`random damage, ${what} (in a child process): every case loads or is a TorchError`, () => {
      const files = ['cnn_traced', 'control_flow', 'codec', 'kinds'].map((n) => file(v, n));
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'helpers', 'jit-fuzz-child.ts'), '400', mode, ...files], {
        cwd: path.join(__dirname, '..'), encoding: 'utf8', timeout: 180_000,
      });
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      const counts = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(counts.cases).toBe(400);
      expect(counts.TorchError).toBeGreaterThan(100);
      console.log(`jit fuzz: ${JSON.stringify(counts)}`);
    });
  }
});

// ---- off the event loop -------------------------------------------------------------------------

describe('forwardAsync and torch.jit.runAsync', () => {
  const v = LIBTORCH === '1.13' ? '1.13' : '2.13';
  const ref = REF[v].models;

  it('16 concurrent calls give the synchronous outputs while the event loop keeps ticking', async () => {
    const m = torch.jit.load(file(v, 'cnn_traced')).eval();
    const inputs = Array.from({ length: 16 }, (_, i) => fixedInput([8192, 1, 8, 8], i));
    // Past the profiling executor's first runs, on both paths.
    for (let i = 0; i < 2; i++) torch.noGrad(() => m(inputs[0]));
    await m.forwardAsync(inputs[0]);
    let t0 = performance.now();
    const expected = inputs.map((x) => torch.noGrad(() => m(x)) as Tensor);
    const syncMs = performance.now() - t0;
    let last = performance.now();
    let maxGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks += 1;
    }, 1);
    t0 = performance.now();
    last = t0;
    const outs = await Promise.all(inputs.map((x) => m.forwardAsync(x)));
    const end = performance.now();
    maxGap = Math.max(maxGap, end - last);
    clearInterval(timer);
    outs.forEach((o, i) => {
      expect(o.requiresGrad).toBe(false);
      expect(o.equal(expected[i]), `call ${i}`).toBe(true);
    });
    console.log(`16 concurrent forwardAsync calls (batch 8192 each): ${(end - t0).toFixed(1)} ms, ${ticks} ticks of a 1 ms ` +
      `interval, max gap ${maxGap.toFixed(1)} ms; the same 16 calls made synchronously block the loop for ${syncMs.toFixed(1)} ms`);
    expect(ticks).toBeGreaterThan(0);
    expect(maxGap).toBeLessThan(syncMs);
  });

  it('inputs disposed right after the call are kept alive until it finishes', async () => {
    const m = torch.jit.load(file(v, 'codec')).eval();
    const c = ref.codec.calls[1];
    const [x] = decode(c.args) as Tensor[];
    const p = torch.jit.runAsync(m, 'encode', x);
    x.dispose();
    expectValue(await p, c.output, 'encode');
  });

  it('any method, every value kind, and a module in training mode (calls take turns)', async () => {
    const kinds = torch.jit.load(file(v, 'kinds'));
    for (const [i, c] of ref.kinds.calls.entries()) {
      expectValue(await torch.jit.runAsync(kinds, c.method, ...(decode(c.args) as unknown[])), c.output, `kinds call ${i}`);
    }
    const cf = torch.jit.load(file(v, 'control_flow'));
    expect(cf.training).toBe(true);
    const outs = await Promise.all(ref.control_flow.calls.map((c) => cf.forwardAsync(...(decode(c.args) as unknown[]))));
    outs.forEach((o, i) => expectValue(o, ref.control_flow.calls[i].output, `control_flow call ${i}`));
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('errors reject: a TorchError from the script (with the caller\'s stack), TypeErrors, an unknown method', async () => {
    const m = torch.jit.load(file(v, 'cnn_traced'));
    const err = await m.forwardAsync(torch.ones([2, 3])).catch((e) => e);
    expect(err).toBeInstanceOf(torch.TorchError);
    expect(err.stack).toMatch(/jit\.test\.ts/);
    await expect(m.forwardAsync('x')).rejects.toThrow(TypeError);
    await expect(torch.jit.runAsync(m, 'nope')).rejects.toMatchObject({ code: 'JIT_NO_METHOD' });
    await expect(torch.jit.runAsync({} as any, 'forward')).rejects.toThrow(TypeError);
  });
});

describe('a ScriptModule in torch.train', () => {
  it('is the model of torch.train: the loss falls, its own parameters change, and evaluate() runs it', async () => {
    const model = torch.jit.load(path.join(FIX, '1.13', 'cnn_traced.pt'));
    torch.manualSeed(0);
    const x = torch.randn([64, 1, 8, 8]);
    const classes = (torch.noGrad(() => model(x)) as torch.Tensor).size(1);
    const y = torch.randint(0, classes, [64]);
    const loader = new torch.DataLoader(new torch.TensorDataset(x, y), { batchSize: 16 });
    const before = model.stateDict()['fc.weight'].clone();
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const stats = await torch.train(model, loader, { optimizer, epochs: 4, progress: 'none' });
    expect(stats.at(-1)!.loss).toBeLessThan(stats[0].loss);
    expect(model.stateDict()['fc.weight'].equal(before)).toBe(false);
    const { total } = await torch.evaluate(model, loader, { progress: 'none' });
    expect(total).toBe(64);
  });
});
