/**
 * The nn.Module API against real PyTorch: containers (ModuleList, ModuleDict, ParameterList,
 * ParameterDict), buffers (persistent and not), registerParameter/registerModule, names and order
 * of stateDict/namedModules/namedBuffers/namedParameters, repr, counts, dtypes after double(),
 * apply order, requiresGrad_, getSubmodule and a state-dict round trip through Python.
 * Reference: test/fixtures/modules/reference.json from generate.py beside it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn } from '../lib';

const FIX = path.join(__dirname, 'fixtures', 'modules');
const ref = JSON.parse(fs.readFileSync(path.join(FIX, 'reference.json'), 'utf8'));

class Block extends nn.Module {
  fc = new nn.Linear(4, 4);
  constructor() {
    super();
    this.registerBuffer('scale', torch.ones([4]));
    this.registerBuffer('cache', torch.zeros([2]), { persistent: false });
  }
  forward(x: torch.Tensor) { return this.fc(x); }
}

class Composite extends nn.Module {
  stem = new nn.Linear(3, 4);
  layers = new nn.ModuleList([new Block(), new Block(), new nn.ReLU()]);
  heads = new nn.ModuleDict({ cls: new nn.Linear(4, 2), box: new nn.Sequential(new nn.Linear(4, 4), new nn.BatchNorm1d(4)) });
  plist = new nn.ParameterList([new nn.Parameter(torch.zeros([2, 3])), torch.zeros([5], { dtype: 'float64' })]);
  pdict = new nn.ParameterDict({ alpha: new nn.Parameter(torch.ones([1])), beta: torch.zeros([2, 2]) });
  constructor() {
    super();
    this.registerBuffer('steps', torch.zeros([], { dtype: 'int64' }));
    this.registerBuffer('mask', torch.ones([3]), { persistent: false });
    this.registerBuffer('absent', null);
  }
  forward(x: torch.Tensor) { return x; }
}

class Shared extends nn.Module {
  constructor() {
    super();
    const lin = new nn.Linear(2, 2);
    this.registerModule('a', lin);
    this.registerModule('seq', new nn.Sequential(lin, new nn.Tanh()));
    this.registerParameter('gain', new nn.Parameter(torch.ones([2])));
    this.registerParameter('none', null);
    this.addModule('extra', new nn.Identity());
    const ml = new nn.ModuleList([new nn.Linear(2, 2)]);
    ml.extend([new nn.ReLU(), new nn.ReLU()]);
    ml.insert(1, new nn.Tanh());
    ml.append(new nn.Linear(2, 3));
    this.registerModule('ml', ml);
    const md = new nn.ModuleDict({ z: new nn.ReLU() });
    md.set('1', new nn.Linear(2, 2));
    md.update({ a: new nn.Tanh() });
    md.set('z', new nn.Sigmoid());
    this.registerModule('md', md);
    this.registerModule('empty', new nn.ModuleList());
  }
  forward(x: torch.Tensor) { return x; }
}

class Stack extends nn.Module {
  stages = new nn.ModuleDict({
    enc: new nn.ModuleList([0, 1, 2].map(() => new nn.Linear(3, 3))),
    dec: new nn.ModuleList([new nn.Sequential(new nn.Linear(3, 3), new nn.ReLU()), new nn.ParameterList([torch.ones([3])])]),
  });
  extras = new nn.ModuleList([new nn.ParameterDict({ w: torch.ones([2], { dtype: 'float16' }) }), new nn.BatchNorm1d(3)]);
  forward(x: torch.Tensor) { return x; }
}

const MODELS: Record<string, () => nn.Module> = { Composite: () => new Composite(), Shared: () => new Shared(), Stack: () => new Stack() };

function describeModel(model: nn.Module) {
  const names = <T>(pairs: [string, T][]) => pairs.map(([n]) => n);
  const applyOrder: string[] = [];
  const out: Record<string, unknown> = {
    stateDictKeys: Object.keys(model.stateDict()),
    namedModules: names(model.namedModules()),
    namedModulesWithDuplicates: names(model.namedModules('', { removeDuplicate: false })),
    namedChildren: names(model.namedChildren()),
    namedBuffers: names(model.namedBuffers()),
    namedParameters: names(model.namedParameters()),
    repr: model.toString(),
    parameterCount: model.parameters().length,
    parameterNumel: model.parameters().reduce((s, p) => s + p.numel(), 0),
    applyOrder,
  };
  model.apply((m) => { applyOrder.push(m.constructor.name); });
  model.double();
  out.dtypesAfterDouble = Object.fromEntries([...model.namedParameters(), ...model.namedBuffers()].map(([n, t]) => [n, t.dtype]));
  out.stateDictDtypesAfterDouble = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.dtype]));
  return out;
}

describe('nn.Module API matches PyTorch', () => {
  for (const name of Object.keys(ref.models)) {
    describe(name, () => {
      const got = describeModel(MODELS[name]());
      for (const field of Object.keys(ref.models[name])) {
        test(field, () => { expect(got[field]).toEqual(ref.models[name][field]); });
      }
    });
  }
});

describe('nn.Module API behaviour', () => {
  test('apply visits children first, then the module', () => {
    const order: string[] = [];
    const inner = new nn.Sequential(new nn.Linear(1, 1), new nn.ReLU());
    new nn.Sequential(inner, new nn.Tanh()).apply((m) => { order.push(m === inner ? 'inner' : m.constructor.name); });
    expect(order).toEqual(['Linear', 'ReLU', 'inner', 'Tanh', 'Sequential']);
  });

  test('requiresGrad_ freezes and unfreezes every parameter', () => {
    const model = new Composite();
    model.layers.requiresGrad_(false);
    expect(model.namedParameters().filter(([, p]) => !p.requiresGrad).map(([n]) => n))
      .toEqual(['layers.0.fc.weight', 'layers.0.fc.bias', 'layers.1.fc.weight', 'layers.1.fc.bias']);
    model.requiresGrad_();
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  test('getSubmodule walks dotted paths and names the failing part', () => {
    const model = new Composite();
    expect(model.getSubmodule('')).toBe(model);
    expect(model.getSubmodule('heads.box.1')).toBeInstanceOf(nn.BatchNorm1d);
    expect(model.getSubmodule('layers.0.fc')).toBe((model.layers[0] as Block).fc);
    expect(() => model.getSubmodule('heads.nope.x')).toThrow(RangeError);
    expect(() => model.getSubmodule('heads.nope.x')).toThrow(/ModuleDict has no attribute `nope`/);
    expect(() => model.getSubmodule('stem.weight')).toThrow(TypeError);
    expect(() => model.getSubmodule('stem.weight')).toThrow(/`weight` is not an nn.Module/);
  });

  test('buffers are attributes; non-persistent ones stay out of the state dict and loading', () => {
    const model = new Composite() as Composite & Record<string, torch.Tensor | null>;
    expect(model.mask).toBe(model.buffers()[1]);
    expect(model.absent).toBeNull();
    expect(Object.keys(model.stateDict())).not.toContain('mask');
    const sd = model.stateDict();
    expect(() => new Composite().loadStateDict(sd)).not.toThrow();
    expect(() => new Composite().loadStateDict({ ...sd, mask: torch.ones([3]) })).toThrow(/Unexpected key\(s\) in state_dict: "mask"/);
    expect(() => model.registerBuffer('stem', torch.ones([1]))).toThrow(/attribute 'stem' already exists/);
  });

  test('containers: ModuleList and ModuleDict editing, ParameterList/ParameterDict access', () => {
    const ml = new nn.ModuleList([new nn.ReLU(), new nn.Tanh()]);
    ml.insert(0, new nn.Sigmoid());
    expect([...ml].map((m) => m.constructor.name)).toEqual(['Sigmoid', 'ReLU', 'Tanh']);
    expect(ml.get(-1)).toBeInstanceOf(nn.Tanh);
    expect(ml.pop(0)).toBeInstanceOf(nn.Sigmoid);
    expect(ml.length).toBe(2);
    expect(() => ml.get(2)).toThrow(RangeError);
    const md = new nn.ModuleDict([['b', new nn.ReLU()], ['a', new nn.Tanh()]]);
    expect(md.keys()).toEqual(['b', 'a']);
    expect(md.delete('b')).toBe(true);
    expect([...md]).toEqual(['a']);
    expect(md.values()[0]).toBeInstanceOf(nn.Tanh);
    expect(() => md.set('keys', new nn.ReLU())).toThrow(/attribute 'keys' already exists/);
    const pl = new nn.ParameterList([torch.ones([2])]);
    expect(pl.get(0)).toBeInstanceOf(nn.Parameter);
    expect(pl.length).toBe(1);
    const pd = new nn.ParameterDict({ x: torch.zeros([1]) });
    expect(pd.items().map(([k]) => k)).toEqual(['x']);
    expect(Object.keys(pd.stateDict())).toEqual(['x']);
  });

  test('half() and float() cast floating tensors only', () => {
    const bn = new nn.BatchNorm1d(2).half();
    expect(bn.weight!.dtype).toBe('float16');
    expect(bn.numBatchesTracked!.dtype).toBe('int64');
    expect(bn.float().runningMean!.dtype).toBe('float32');
  });
});

const PY_OK = spawnSync('python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!PY_OK)('state dict round trip with PyTorch', () => {
  for (const name of Object.keys(ref.models)) {
    test(name, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-api-'));
      try {
        const model = MODELS[name]();
        const src = path.join(dir, 'in.pth');
        const dst = path.join(dir, 'out.pth');
        torch.save(model.stateDict(), src);
        const sums = JSON.parse(execFileSync('python3', [path.join(FIX, 'generate.py'), '--roundtrip', name, src, dst], { encoding: 'utf8' }));
        const sd = model.stateDict();
        expect(Object.keys(sums)).toEqual(Object.keys(sd));
        for (const [k, v] of Object.entries(sd)) expect(sums[k], k).toBeCloseTo(v.to('float64').sum().item() as number, 3);
        const other = MODELS[name]();
        other.loadStateDict(torch.load(dst) as Record<string, torch.Tensor>);
        for (const [k, v] of Object.entries(other.stateDict())) {
          const expected = v.isFloatingPoint() ? sd[k].mul(2) : sd[k].add(1);
          expect(v.equal(expected), k).toBe(true);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
