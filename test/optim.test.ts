/**
 * `optim`: SGD, Adam and Adadelta against real PyTorch on a tiny problem, state dicts in PyTorch's layout
 * (and a save/load round trip that continues identically), StepLR, option checks.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn, optim } from '../lib';

/**
 * w0 = [1, -2, 3]; step k minimises s_k * sum(a * (w - 0.5)^2) with a = [1, 0.5, 2] and
 * s = [10, 1, 0.1, 0.01] (a gradient that shrinks, so AMSGrad's max differs from Adam).
 * Expected values: python3 (torch 2.13), this loop with torch.optim.
 */
const REFERENCE: [string, Record<string, unknown>, number[]][] = [
  ['SGD', { lr: 0.01 }, [0.8911377191543579, -1.7250498533248901, 1.9336663484573364]],
  ['SGD', { lr: 0.01, momentum: 0.9 }, [0.6332297325134277, -1.0752924680709839, -0.6055735349655151]],
  ['SGD', { lr: 0.01, momentum: 0.9, dampening: 0.5 }, [0.6446565389633179, -1.1077593564987183, -0.5224121809005737]],
  ['SGD', { lr: 0.01, momentum: 0.9, nesterov: true }, [0.5679382681846619, -0.901449978351593, -1.1741033792495728]],
  ['SGD', { lr: 0.01, momentum: 0.9, weightDecay: 0.1 }, [0.62519371509552, -1.0596314668655396, -0.6230369806289673]],
  ['SGD', { lr: 0.01, maximize: true }, [1.1133466958999634, -2.280555486679077, 4.156022071838379]],
  ['Adam', { lr: 0.1 }, [0.7242105603218079, -1.7212646007537842, 2.7212648391723633]],
  ['Adam', { lr: 0.1, betas: [0.8, 0.9], eps: 1e-6 }, [0.734421968460083, -1.7313026189804077, 2.7313027381896973]],
  ['Adam', { lr: 0.1, betas: [0.9, 0.9], amsgrad: true }, [0.7317721247673035, -1.728719711303711, 2.728719711303711]],
  ['Adam', { lr: 0.1, betas: [0.9, 0.9] }, [0.7152090668678284, -1.7121310234069824, 2.7121315002441406]],
  ['Adam', { lr: 0.1, weightDecay: 0.1 }, [0.7215108275413513, -1.7189524173736572, 2.7203664779663086]],
  ['Adadelta', {}, [0.9963188171386719, -1.9963160753250122, 2.9963159561157227]],
  ['Adadelta', { lr: 0.5, rho: 0.8 }, [0.9986860156059265, -1.998685598373413, 2.998685598373413]],
  ['Adadelta', { lr: 1.0, eps: 1e-3, weightDecay: 0.1 }, [0.8829084634780884, -1.8808484077453613, 2.8828792572021484]],
  ['Adadelta', { lr: 1.0, maximize: true }, [1.0036877393722534, -2.003685235977173, 3.003685235977173]],
];

function runTiny(name: string, options: Record<string, unknown>): number[] {
  const w = torch.tensor([1, -2, 3], { requiresGrad: true });
  const a = torch.tensor([1, 0.5, 2]);
  const opt = name === 'SGD' ? new optim.SGD([w], options) : name === 'Adam' ? new optim.Adam([w], options) : new optim.Adadelta([w], options);
  for (const s of [10, 1, 0.1, 0.01]) {
    opt.zeroGrad();
    w.sub(0.5).pow(2).mul(a).mul(s).sum().backward();
    opt.step();
  }
  return w.tolist() as number[];
}

describe('updates match PyTorch', () => {
  test.each(REFERENCE)('%s %j', (name, options, expected) => {
    const got = runTiny(name, options);
    got.forEach((v, i) => expect(Math.abs(v - expected[i]), `w[${i}] = ${v}, PyTorch ${expected[i]}`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(expected[i])));
  });

  test('AMSGrad and plain Adam really differ on this problem (the reference can tell them apart)', () => {
    const ams = runTiny('Adam', { lr: 0.1, betas: [0.9, 0.9], amsgrad: true });
    const plain = runTiny('Adam', { lr: 0.1, betas: [0.9, 0.9] });
    expect(Math.abs(ams[0] - plain[0])).toBeGreaterThan(1e-3);
  });

  test('SGD by hand: momentum buffer b = m*b + g, w -= lr*b', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
    w.mul(w).sum().backward(); // g = [2, 4]
    opt.step(); // b = [2, 4]; w = [0.8, 1.6]
    expect(w.tolist()).toEqual([Math.fround(0.8), Math.fround(1.6)]);
    opt.zeroGrad();
    w.mul(w).sum().backward(); // g = [1.6, 3.2]; b = [3.4, 6.8]; w = [0.46, 0.92]
    opt.step();
    (w.tolist() as number[]).forEach((v, i) => expect(v).toBeCloseTo([0.46, 0.92][i], 6));
    expect((opt.state.get(w)!.momentum_buffer.tolist() as number[]).map((v) => +v.toFixed(5))).toEqual([3.4, 6.8]);
  });

  test('parameters without a gradient are left alone', () => {
    const a = torch.ones([2], { requiresGrad: true });
    const b = torch.ones([2], { requiresGrad: true });
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.sum().backward();
    opt.step();
    expect(b.tolist()).toEqual([1, 1]);
    expect(opt.state.has(b) && Object.keys(opt.state.get(b)!).length > 0).toBe(false);
    expect(a.tolist()).not.toEqual([1, 1]);
  });

  test('parameter groups take their own options', () => {
    const a = torch.ones([1], { requiresGrad: true });
    const b = torch.ones([1], { requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 1]);
    a.add(b).sum().backward();
    opt.step();
    expect(a.item()).toBeCloseTo(0.9, 6);
    expect(b.item()).toBe(0);
  });

  test('zeroGrad sets gradients to null (or zero with setToNone=false)', () => {
    const w = torch.ones([2], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    w.sum().backward();
    opt.zeroGrad(false);
    expect(w.grad!.tolist()).toEqual([0, 0]);
    opt.zeroGrad();
    expect(w.grad).toBeNull();
  });
});

describe('state dicts in PyTorch\'s layout', () => {
  test('SGD: { state: Map<int, { momentum_buffer }>, param_groups: [{ lr, momentum, …, params: [0, 1] }] }', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const v = torch.tensor([3], { requiresGrad: true });
    const opt = new optim.SGD([w, v], { lr: 0.1, momentum: 0.9 });
    w.mul(w).sum().add(v.sum()).backward();
    opt.step();
    const sd = opt.stateDict();
    expect(sd.state).toBeInstanceOf(Map);
    expect([...sd.state.keys()]).toEqual([0, 1]);
    expect(Object.keys(sd.state.get(0)!)).toEqual(['momentum_buffer']);
    expect((sd.state.get(0)!.momentum_buffer as torch.Tensor).tolist()).toEqual([2, 4]);
    expect((sd.state.get(1)!.momentum_buffer as torch.Tensor).tolist()).toEqual([1]);
    // python3: optim.SGD([w, v], lr=0.1, momentum=0.9).state_dict()['param_groups']
    expect(sd.param_groups).toEqual([{
      lr: 0.1, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false, maximize: false,
      foreach: null, differentiable: false, fused: null, params: [0, 1],
    }]);
  });

  test('Adam: step, exp_avg, exp_avg_sq (and max_exp_avg_sq with amsgrad); groups with betas', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.1, amsgrad: true });
    w.mul(w).sum().backward();
    opt.step();
    const sd = opt.stateDict();
    const s = sd.state.get(0)!;
    expect(Object.keys(s).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']);
    const step = s.step as torch.Tensor;
    // PyTorch keeps `step` as a float32 scalar tensor.
    expect(step.shape).toEqual([]);
    expect(step.dtype).toBe('float32');
    expect(step.item()).toBe(1);
    (( s.exp_avg as torch.Tensor).tolist() as number[]).forEach((x, i) => expect(x).toBeCloseTo([0.2, 0.4][i], 6));
    expect(sd.param_groups[0]).toMatchObject({
      lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: true, maximize: false, params: [0],
    });
  });

  test.each([
    ['SGD', (p: nn.Parameter[]) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true })],
    ['Adam', (p: nn.Parameter[]) => new optim.Adam(p, { lr: 0.01, amsgrad: true })],
  ] as const)('%s: loadStateDict of a saved state continues exactly as the original', (_name, make) => {
    torch.manualSeed(3);
    const modelA = new nn.Linear(4, 3);
    const x = torch.randn([8, 4]);
    const target = torch.randn([8, 3]);
    const optA = make(modelA.parameters());
    const stepOnce = (model: nn.Linear, opt: optim.Optimizer) => {
      opt.zeroGrad();
      nn.functional.mseLoss(model.forward(x), target).backward();
      opt.step();
    };
    stepOnce(modelA, optA);
    stepOnce(modelA, optA);
    // Snapshot as a save/load would: copies of the weights and of the optimizer state.
    const weights = Object.fromEntries(Object.entries(modelA.stateDict()).map(([k, v]) => [k, v.clone()]));
    const saved = optA.stateDict();
    const snapshot = {
      state: new Map([...saved.state].map(([i, s]) => [i, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, (v as torch.Tensor).clone()]))])),
      param_groups: saved.param_groups.map((g) => ({ ...g })),
    };
    stepOnce(modelA, optA);
    stepOnce(modelA, optA);

    const modelB = new nn.Linear(4, 3);
    modelB.loadStateDict(weights);
    const optB = make(modelB.parameters());
    optB.loadStateDict(snapshot);
    expect(optB.stateDict().param_groups).toEqual(saved.param_groups);
    stepOnce(modelB, optB);
    stepOnce(modelB, optB);
    expect(modelB.weight.equal(modelA.weight)).toBe(true);
    expect(modelB.bias!.equal(modelA.bias!)).toBe(true);

    // Without the loaded state the run differs, so the comparison above means something.
    const modelC = new nn.Linear(4, 3);
    modelC.loadStateDict(weights);
    const optC = make(modelC.parameters());
    stepOnce(modelC, optC);
    stepOnce(modelC, optC);
    expect(modelC.weight.equal(modelA.weight)).toBe(false);
  });

  test('loadStateDict restores hyperparameters and refuses a mismatched layout', () => {
    const w = torch.ones([2], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    const other = new optim.SGD([torch.ones([2], { requiresGrad: true })], { lr: 0.5, momentum: 0.3 });
    opt.loadStateDict(other.stateDict());
    expect(opt.paramGroups[0].lr).toBe(0.5);
    expect(opt.paramGroups[0].momentum).toBe(0.3);
    expect(opt.paramGroups[0].params[0]).toBe(w);
    const two = new optim.SGD([torch.ones([1], { requiresGrad: true }), torch.ones([1], { requiresGrad: true })], { lr: 0.1 });
    expect(() => opt.loadStateDict(two.stateDict())).toThrow(RangeError);
    expect(() => opt.loadStateDict({ nope: 1 })).toThrow(TypeError);
  });
});

describe('StepLR', () => {
  test('lr sequence of StepLR(stepSize=2, gamma=0.5) matches PyTorch', () => {
    const opt = new optim.SGD([torch.ones([1], { requiresGrad: true })], { lr: 0.1 });
    const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const lrs: number[] = [opt.paramGroups[0].lr as number];
    for (let epoch = 0; epoch < 6; epoch++) {
      opt.step();
      sched.step();
      lrs.push(sched.getLastLr()[0]);
    }
    // python3: [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125]
    expect(lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125]);
    expect(opt.paramGroups[0].initial_lr).toBe(0.1);
    expect(sched.stateDict()).toMatchObject({ step_size: 2, gamma: 0.5, last_epoch: 6, base_lrs: [0.1] });
  });

  test('the default gamma is 0.1 and each group keeps its own base lr', () => {
    const opt = new optim.SGD([
      { params: [torch.ones([1], { requiresGrad: true })], lr: 1 },
      { params: [torch.ones([1], { requiresGrad: true })], lr: 0.5 },
    ], { lr: 0.1 });
    const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 1 });
    sched.step();
    sched.step();
    sched.getLastLr().forEach((lr, i) => expect(lr).toBeCloseTo([0.01, 0.005][i], 12));
  });
});

describe('bad options', () => {
  const p = () => [torch.ones([1], { requiresGrad: true })];
  test('out of range → RangeError', () => {
    expect(() => new optim.SGD(p(), { lr: -1 })).toThrow(RangeError);
    expect(() => new optim.SGD(p(), { momentum: -0.1 })).toThrow(RangeError);
    expect(() => new optim.SGD(p(), { weightDecay: -1 })).toThrow(RangeError);
    expect(() => new optim.SGD(p(), { nesterov: true })).toThrow(RangeError);
    expect(() => new optim.Adam(p(), { betas: [1, 0.9] })).toThrow(RangeError);
    expect(() => new optim.Adam(p(), { eps: -1 })).toThrow(RangeError);
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow(RangeError);
    const opt = new optim.SGD(p(), { lr: 0.1 });
    expect(() => new optim.lrScheduler.StepLR(opt, { stepSize: 0 })).toThrow(RangeError);
    const shared = p();
    expect(() => new optim.SGD([{ params: shared }, { params: shared }])).toThrow(RangeError);
  });

  test('wrong types → TypeError in the one format', () => {
    const cases = [
      () => new optim.SGD(p(), { lr: '0.1' as never }),
      () => new optim.SGD(p(), { nesterov: 1 as never }),
      () => new optim.Adam(p(), { betas: 0.9 as never }),
      () => new optim.Adam(p(), { amsgrad: 'yes' as never }),
      () => new optim.SGD(42 as never),
      () => new optim.SGD([1, 2] as never),
      () => new optim.lrScheduler.StepLR({} as never, { stepSize: 1 }),
    ];
    for (const fn of cases) {
      expect(fn).toThrow(TypeError);
      expect(fn).toThrow(/^Expected .+ for .+ but received .+$/);
    }
  });
});

describe('step(closure), as every torch.optim optimizer takes it', () => {
  const make: [string, (p: torch.Tensor[]) => optim.Optimizer][] = [
    ['SGD', (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 })], ['Adam', (p) => new optim.Adam(p)], ['AdamW', (p) => new optim.AdamW(p)],
    ['Adagrad', (p) => new optim.Adagrad(p)], ['Adadelta', (p) => new optim.Adadelta(p)], ['Adamax', (p) => new optim.Adamax(p)],
    ['NAdam', (p) => new optim.NAdam(p)], ['RAdam', (p) => new optim.RAdam(p)], ['RMSprop', (p) => new optim.RMSprop(p)],
    ['ASGD', (p) => new optim.ASGD(p)], ['Rprop', (p) => new optim.Rprop(p)],
  ];
  test.each(make)('%s: runs the closure with autograd on, then steps, and returns its loss', (_name, build) => {
    const model = new nn.Linear(3, 1);
    const x = torch.randn([8, 3]);
    const y = torch.randn([8, 1]);
    const opt = build(model.parameters());
    const before = model.weight.detach().clone();
    let calls = 0;
    const loss = torch.noGrad(() => opt.step(() => {
      calls += 1;
      opt.zeroGrad();
      const l = nn.functional.mseLoss(model(x), y);
      l.backward();
      return l;
    }));
    expect(calls).toBe(1);
    expect(loss).toBeInstanceOf(torch.Tensor);
    expect(model.weight.equal(before)).toBe(false);
    expect(opt.step()).toBeNull();
    expect(() => opt.step(42 as unknown as () => number)).toThrow(TypeError);
  });
});
