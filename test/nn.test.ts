/**
 * `nn`: parameter discovery and PyTorch state-dict keys, BatchNorm buffers and modes, Dropout,
 * default initialisation, train/eval, zeroGrad, to(), and the "Done when" training loop.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn, optim } from '../lib';
// The seed program's model, in the snippet style the issue asks for.
import { Model } from '../scripts/mnist_cnn';

const F = nn.functional;

describe('parameter discovery and names', () => {
  test('parameters in declaration order with PyTorch state-dict keys', () => {
    const model = new Model();
    const keys = ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'linear.weight', 'linear.bias'];
    expect(model.namedParameters().map(([k]) => k)).toEqual(keys);
    expect(Object.keys(model.stateDict())).toEqual(keys);
    expect(model.parameters()).toHaveLength(6);
    expect(model.parameters()[0]).toBe(model.conv1.weight);
    expect(model.parameters()[5]).toBe(model.linear.bias);
    expect(model.parameters().every((p) => p instanceof nn.Parameter && p.requiresGrad && p.isLeaf)).toBe(true);
    expect(model.namedParameters().map(([, p]) => p.shape)).toEqual([[10, 1, 5, 5], [10], [20, 10, 5, 5], [20], [10, 320], [10]]);
  });

  test('children and namedChildren in declaration order', () => {
    const model = new Model();
    expect(model.namedChildren().map(([k]) => k)).toEqual(['conv1', 'conv2', 'linear', 'mp', 'activate']);
    expect(model.children()[2]).toBe(model.linear);
    expect(model.namedModules().map(([k]) => k)).toEqual(['', 'conv1', 'conv2', 'linear', 'mp', 'activate']);
  });

  test('nested modules give dotted keys; a shared parameter appears once', () => {
    class Block extends nn.Module {
      fc = new nn.Linear(3, 3);
      forward(x: torch.Tensor) { return this.fc.forward(x); }
    }
    class Net extends nn.Module {
      encoder = new Block();
      head = new nn.Linear(3, 1, { bias: false });
      scale = new nn.Parameter(torch.ones([1]));
      forward(x: torch.Tensor) { return this.head.forward(this.encoder.forward(x)).mul(this.scale); }
    }
    const net = new Net();
    // PyTorch lists a module's own parameters before its children's.
    expect(Object.keys(net.stateDict())).toEqual(['scale', 'encoder.fc.weight', 'encoder.fc.bias', 'head.weight']);
    class Tied extends nn.Module {
      a = new nn.Linear(2, 2);
      b = this.a;
      forward(x: torch.Tensor) { return this.b.forward(this.a.forward(x)); }
    }
    expect(new Tied().namedParameters().map(([k]) => k)).toEqual(['a.weight', 'a.bias']);
  });

  test('Sequential names its children 0, 1, … and runs them in order', () => {
    const seq = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(seq.length).toBe(3);
    const x = torch.randn([5, 4]);
    const manual = (seq[2] as nn.Linear).forward((seq[0] as nn.Linear).forward(x).relu());
    expect(seq.forward(x).allclose(manual)).toBe(true);
  });

  test('stateDict values share storage with the parameters but are detached', () => {
    const lin = new nn.Linear(2, 2);
    const w = lin.stateDict()['weight'];
    expect(w.requiresGrad).toBe(false);
    w.fill_(3);
    expect(lin.weight.tolist()).toEqual([[3, 3], [3, 3]]);
  });

  test('printing matches PyTorch', () => {
    expect(new Model().toString()).toBe('Model(\n' +
      '  (conv1): Conv2d(1, 10, kernel_size=(5, 5), stride=(1, 1))\n' +
      '  (conv2): Conv2d(10, 20, kernel_size=(5, 5), stride=(1, 1))\n' +
      '  (linear): Linear(in_features=320, out_features=10, bias=True)\n' +
      '  (mp): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n' +
      '  (activate): ReLU()\n)');
  });
});

describe('BatchNorm2d', () => {
  test('state dict has running_mean, running_var and an int64 num_batches_tracked', () => {
    const bn = new nn.BatchNorm2d(3);
    const sd = bn.stateDict();
    expect(Object.keys(sd)).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(sd.num_batches_tracked.dtype).toBe('int64');
    expect(sd.num_batches_tracked.shape).toEqual([]);
    expect(sd.running_mean.tolist()).toEqual([0, 0, 0]);
    expect(sd.running_var.tolist()).toEqual([1, 1, 1]);
    expect(bn.parameters()).toHaveLength(2);
    class Net extends nn.Module {
      conv = new nn.Conv2d(1, 3, 3);
      bn = new nn.BatchNorm2d(3);
      forward(x: torch.Tensor) { return this.bn.forward(this.conv.forward(x)); }
    }
    expect(Object.keys(new Net().stateDict())).toEqual([
      'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked',
    ]);
  });

  test('train mode: batch statistics, running stats updated with momentum 0.1 (unbiased var), counter increments', () => {
    const bn = new nn.BatchNorm2d(2);
    const x = torch.randn([4, 2, 3, 3]).mul(2).add(1);
    const y = bn.forward(x);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    // Normalised per channel: mean 0, biased var 1.
    const mean = y.mean([0, 2, 3]).tolist() as number[];
    mean.forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-5));
    const batchMean = x.mean([0, 2, 3]);
    const batchVarUnbiased = x.transpose(0, 1).reshape(2, -1).var(1);
    expect(bn.runningMean!.allclose(batchMean.mul(0.1), 1e-5, 1e-6)).toBe(true);
    expect(bn.runningVar!.allclose(batchVarUnbiased.mul(0.1).add(0.9), 1e-5, 1e-6)).toBe(true);
    bn.forward(x);
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  test('eval mode uses the running stats and leaves them (and the counter) alone', () => {
    const bn = new nn.BatchNorm2d(2);
    bn.runningMean!.fill_(1);
    bn.runningVar!.fill_(4);
    bn.eval();
    const x = torch.randn([3, 2, 2, 2]);
    const y = bn.forward(x);
    expect(y.allclose(x.sub(1).div(Math.sqrt(4 + 1e-5)), 1e-5, 1e-6)).toBe(true);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expect(bn.runningMean!.tolist()).toEqual([1, 1]);
    expect(bn.runningVar!.tolist()).toEqual([4, 4]);
  });

  test('a wrong input rank is a TorchError', () => {
    expect(() => new nn.BatchNorm2d(2).forward(torch.randn([2, 2]))).toThrow(torch.TorchError);
  });
});

describe('Dropout', () => {
  test('identity in eval mode; in train mode zeroes about p and scales the rest by 1/(1-p)', () => {
    const drop = new nn.Dropout(0.25);
    const x = torch.ones([10000]);
    drop.eval();
    expect(drop.forward(x).equal(x)).toBe(true);
    drop.train();
    const y = drop.forward(x);
    const zeros = y.eq(0).sum().item() as number;
    expect(zeros / 10000).toBeGreaterThan(0.2);
    expect(zeros / 10000).toBeLessThan(0.3);
    const kept = y.index(y.ne(0));
    expect(kept.allclose(torch.full([kept.numel()], 1 / 0.75))).toBe(true);
    expect(F.dropout(x, 0.5, false).equal(x)).toBe(true);
  });
});

describe('default initialisation, as PyTorch', () => {
  test.each([
    ['Linear(320, 10)', () => new nn.Linear(320, 10), 320],
    ['Conv2d(10, 20, 5)', () => new nn.Conv2d(10, 20, 5), 10 * 5 * 5],
    ['Conv2d(1, 24, 1)', () => new nn.Conv2d(1, 24, 1), 1],
  ] as const)('%s: weight and bias within ±1/sqrt(fanIn), and spread over that range', (_name, make, fanIn) => {
    const m = make();
    const bound = 1 / Math.sqrt(fanIn);
    for (const p of [m.weight, m.bias!]) {
      const a = p.abs();
      expect(a.max().item()).toBeLessThanOrEqual(bound * (1 + 1e-6));
      if (p.numel() >= 100) expect(a.max().item()).toBeGreaterThan(bound * 0.9);
    }
    // Kaiming uniform with a = √5 has std bound/√3 for the weight.
    if (m.weight.numel() >= 1000) expect(Math.abs((m.weight.std().item() as number) / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
  });

  // torch.manual_seed(0); t = torch.empty(6); nn.init.trunc_normal_(t, *args), in PyTorch 2.13 and 1.13:
  // 2.12 moved from the inverse CDF to rejection sampling (normal draws, or uniform ones for a narrow window).
  const TRUNC_NORMAL: [string, [number, number, number, number], Record<string, number[]>][] = [
    ['mean 0.5, std 2 on [-1, 3]', [0.5, 2, -1, 3], {
      '2.13': [1.30669367313385, -0.08685781061649323, -0.9385151863098145, 1.6368625164031982, -0.693270742893219, 0.8640729784965515],
      '1.13': [0.7917462587356567, 1.7841429710388184, -0.6319477558135986, -0.464652419090271, 0.15692514181137085, 1.270728349685669],
    }],
    ['std 0.02 on [-2, 2]', [0, 0.02, -2, 2], {
      '2.13': [0.03081992268562317, -0.00586857832968235, -0.04357578605413437, 0.011368625797331333, -0.021690446883440018, -0.027971908450126648],
      '1.13': [-0.00018766950233839452, 0.014660065993666649, -0.027003811672329903, -0.02233688160777092, -0.010063374415040016, 0.006853508297353983],
    }],
    ['the narrow window [2, 3]', [0, 1, 2, 3], {
      '2.13': [2.0223257541656494, 2.1688590049743652, 2.088477373123169, 2.132030487060547, 2.3074228763580322, 2.373417377471924],
      '1.13': [2.2529819011688232, 2.4943156242370605, 2.036367893218994, 2.0553078651428223, 2.1401524543762207, 2.358248472213745],
    }],
  ];
  test.each(TRUNC_NORMAL)("init.truncNormal_ (%s) draws PyTorch's numbers for the same seed", (_name, args, byVersion) => {
    const expected = byVersion[torch.config().libtorchVersion.split('.').slice(0, 2).join('.')];
    torch.manualSeed(0);
    const t = nn.init.truncNormal_(torch.empty([6]), ...args);
    Array.from(t.toArray() as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  test('the same seed gives the same model', () => {
    torch.manualSeed(7);
    const a = new Model();
    torch.manualSeed(7);
    const b = new Model();
    for (const [k, v] of Object.entries(a.stateDict())) expect(v.equal(b.stateDict()[k]), k).toBe(true);
  });
});

describe('modes, gradients and devices', () => {
  test('train() and eval() recurse into every submodule', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.Dropout(), new nn.BatchNorm1d(2)));
    expect(seq.modules().every((m) => m.training)).toBe(true);
    expect(seq.eval()).toBe(seq);
    expect(seq.modules().every((m) => !m.training)).toBe(true);
    seq.train();
    expect(seq.modules().every((m) => m.training)).toBe(true);
    seq.train(false);
    expect(seq.modules().every((m) => !m.training)).toBe(true);
  });

  test('zeroGrad clears every parameter gradient (to null, or zeros with setToNone=false)', () => {
    const model = new Model();
    F.crossEntropy(model.forward(torch.randn([2, 1, 28, 28])), torch.tensor([1, 2], { dtype: 'int64' })).backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    model.zeroGrad(false);
    expect(model.parameters().every((p) => p.grad !== null && p.grad.abs().sum().item() === 0)).toBe(true);
    model.zeroGrad();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });

  test('to(\'float64\') converts in place and keeps parameter identity (an optimizer still works)', () => {
    const model = new Model();
    const before = model.parameters();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const w0 = model.linear.weight.toArray();
    expect(model.to('float64')).toBe(model);
    const after = model.parameters();
    after.forEach((p, i) => expect(p).toBe(before[i]));
    expect(after.every((p) => p.dtype === 'float64' && p.requiresGrad && p.isLeaf)).toBe(true);
    expect(Array.from(model.linear.weight.toArray() as Float32Array)).toEqual(Array.from(w0 as Float32Array));
    const x = torch.randn([2, 1, 28, 28], { dtype: 'float64' });
    const loss = F.crossEntropy(model.forward(x), torch.tensor([0, 1], { dtype: 'int64' }));
    expect(loss.dtype).toBe('float64');
    loss.backward();
    expect(model.linear.weight.grad!.dtype).toBe('float64');
    optimizer.step();
    expect(model.linear.weight.equal(torch.fromArray(w0 as Float32Array, [10, 320]).double())).toBe(false);
    // Buffers that are not floating point keep their dtype.
    const bn = new nn.BatchNorm2d(2).to('float64');
    expect(bn.runningMean!.dtype).toBe('float64');
    expect(bn.numBatchesTracked!.dtype).toBe('int64');
  });
});

describe('losses and functional', () => {
  test('crossEntropy equals nllLoss(logSoftmax) and its hand-computed value', () => {
    const logits = torch.tensor([[2, 1, 0], [0, 0, 3]], { dtype: torch.float });
    const labels = torch.tensor([0, 1]);
    const ce = new nn.CrossEntropyLoss().forward(logits, labels).item() as number;
    const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const expected = ((lse([2, 1, 0]) - 2) + (lse([0, 0, 3]) - 0)) / 2;
    expect(ce).toBeCloseTo(expected, 5);
    expect(new nn.NLLLoss().forward(F.logSoftmax(logits, 1), labels).item()).toBeCloseTo(expected, 5);
    expect(F.crossEntropy(logits, labels, { reduction: 'sum' }).item()).toBeCloseTo(2 * expected, 5);
    expect(new nn.MSELoss()(torch.tensor([1.5, 2]), torch.tensor([3.5, 2])).item()).toBe(2);
    expect(new nn.Softmax(1).forward(logits).sum(1).allclose(torch.ones([2]))).toBe(true);
  });
});

describe('"Done when": the seed model trained with SGD on random tensors', () => {
  test('50 steps of SGD make the loss fall', () => {
    torch.manualSeed(0);
    const model = new Model();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
    const criterion = new nn.CrossEntropyLoss();
    const x = torch.randn([64, 1, 28, 28]);
    const y = torch.randint(0, 10, [64]);
    const losses: number[] = [];
    for (let step = 0; step < 50; step++) {
      const loss = torch.tidy(() => {
        optimizer.zeroGrad();
        const l = criterion.forward(model.forward(x), y);
        l.backward();
        optimizer.step();
        return l.item() as number;
      });
      losses.push(loss);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    // Random labels on a fixed batch: from ~ln(10) the loss falls as the model memorises them.
    expect(losses[49]).toBeLessThan(losses[0] - 0.2);
    const firstFive = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const lastFive = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(lastFive).toBeLessThan(firstFive);
    // The same seed in Python (init, randn, randint, then this loop) gives the same losses:
    // python3: L[0], L[10], L[49] = 2.3301894664764404, 2.2529611587524414, 2.0594446659088135
    const python = [[0, 2.3301894664764404], [10, 2.2529611587524414], [49, 2.0594446659088135]];
    for (const [i, v] of python) expect(Math.abs(losses[i] - v), `step ${i}`).toBeLessThan(1e-4 * v);
    // tidy did not free the model or the optimizer's state.
    expect(model.parameters().every((p) => !p.isDisposed)).toBe(true);
    expect([...optimizer.state.values()].every((s) => !s.momentum_buffer.isDisposed)).toBe(true);
  });
});

describe('callable modules', () => {
  test('model(x) is model.forward(x), typed as forward, for models, layers and losses', () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU());
    const x = torch.randn(2, 4);
    expect(model(x).equal(model.forward(x))).toBe(true);
    const loss: torch.Tensor = new nn.CrossEntropyLoss()(torch.randn(2, 3), torch.tensor([0, 2]));
    expect(loss.dim()).toBe(0);
    expect(typeof model).toBe('function');
    expect(model).toBeInstanceOf(nn.Module);
    expect(model.length).toBe(2); // the class's getter, not the function's own length
  });

  test('forward pre-hooks and hooks run around forward, may replace args and output, and can be removed', () => {
    const lin = new nn.Linear(2, 2);
    const calls: string[] = [];
    const pre = lin.registerForwardPreHook((m, args) => { calls.push('pre'); return [(args[0] as torch.Tensor).mul(0)]; });
    const post = lin.registerForwardHook((m, args, out) => { calls.push('post'); return (out as torch.Tensor).add(1); });
    const y = lin(torch.ones(1, 2));
    expect(calls).toEqual(['pre', 'post']);
    expect(y.allclose(lin.bias!.detach().add(1).view(1, 2))).toBe(true);
    pre.remove();
    post.remove();
    expect(lin(torch.ones(1, 2)).allclose(lin.forward(torch.ones(1, 2)))).toBe(true);
    expect(calls).toHaveLength(2);
  });

  test('Sequential calls its children, so their hooks run', () => {
    const inner = new nn.ReLU();
    let ran = 0;
    inner.registerForwardHook(() => { ran++; });
    new nn.Sequential(new nn.Linear(2, 2), inner)(torch.randn(1, 2));
    expect(ran).toBe(1);
  });

  test('console.log(model) prints the module tree', async () => {
    const { inspect } = await import('node:util');
    const model = new nn.Sequential(new nn.Linear(2, 3));
    expect(inspect(model)).toBe('Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n)');
  });
});
