/**
 * Misuse: every failure is a JS error of the right kind with a readable message, never an abort.
 * TypeError for a wrong type, RangeError for a value out of range, TorchError (with a `code`) for
 * anything LibTorch refused.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn, TorchError } from '../lib';
import { native } from '../lib/binding';
import { HANDLE } from '../lib/tensor-object';

const EXPECTED_FORMAT = /^Expected .+ for .+ but received .+$/s;

/** Runs `fn`, which must throw; returns the error. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  return expect.fail('expected a throw');
}

/** A TorchError with `code`, whose message has no C++ frame noise. */
function torchError(fn: () => unknown, code = 'TORCH_ERROR'): TorchError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(TorchError);
  expect(e.name).toBe('TorchError');
  expect((e as TorchError).code).toBe(code);
  expect(e.message).not.toMatch(/Exception raised from|frame #\d|c10::|\.cpp:\d+/);
  expect(e.message.length).toBeGreaterThan(10);
  return e as TorchError;
}

function typeErr(fn: () => unknown): TypeError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(TypeError);
  return e as TypeError;
}

function rangeErr(fn: () => unknown): RangeError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(RangeError);
  expect(e.message).toMatch(EXPECTED_FORMAT);
  return e as RangeError;
}

describe('LibTorch errors become TorchError', () => {
  test('conv with the wrong channel count', () => {
    const e = torchError(() => new nn.Conv2d(3, 4, 3).forward(torch.randn([1, 1, 8, 8])));
    expect(e.message).toMatch(/3 channels/);
    expect(e.message).toMatch(/1 channels/);
  });

  test('an allocation LibTorch cannot make (message without the enforce prefix)', () => {
    const e = torchError(() => torch.zeros([1e6, 1e6, 1e6]));
    expect(e.message).toMatch(/can't allocate memory/);
    expect(e.message).not.toMatch(/enforce fail/);
  });

  test('matmul shape mismatch', () => {
    const e = torchError(() => torch.randn([2, 3]).matmul(torch.randn([2, 3])));
    expect(e.message).toContain('2x3 and 2x3');
  });

  test('cat with mismatched sizes', () => {
    torchError(() => torch.cat([torch.randn([2, 3]), torch.randn([2, 4])], 0));
  });

  test('backward() on a non-scalar', () => {
    const x = torch.randn([3], { requiresGrad: true });
    const e = torchError(() => x.mul(2).backward());
    expect(e.message).toMatch(/scalar/);
    expect(e.message).toContain('[3]');
    expect(x.grad).toBeNull();
  });

  test('backward() through a tensor that does not require grad', () => {
    torchError(() => torch.randn([3]).sum().backward());
  });

  test('item() on many elements', () => {
    const e = torchError(() => torch.randn([3]).item());
    expect(e.message).toContain('3');
  });

  test('select out of range is LibTorch\'s IndexError, as a TorchError', () => {
    torchError(() => torch.randn([3]).select(0, 5));
  });

  test('the process survives and keeps working after errors', () => {
    for (let i = 0; i < 100; i++) expect(() => torch.randn([2, 3]).matmul(torch.randn([2, 3]))).toThrow(TorchError);
    expect(torch.ones([2, 2]).matmul(torch.ones([2, 2])).sum().item()).toBe(8);
  });
});

describe('disposed tensors', () => {
  test('any method on a disposed tensor throws DISPOSED', () => {
    const x = torch.randn([2]);
    x.dispose();
    expect(x.isDisposed).toBe(true);
    torchError(() => x.add(1), 'DISPOSED');
    torchError(() => x.shape, 'DISPOSED');
    torchError(() => x.toArray(), 'DISPOSED');
    torchError(() => x.item(), 'DISPOSED');
    // Printing stays safe (console.log of a freed tensor must not throw).
    expect(x.toString()).toBe('tensor(<disposed>)');
  });

  test('a disposed tensor as an argument throws DISPOSED', () => {
    const d = torch.randn([2]);
    d.dispose();
    torchError(() => torch.randn([2]).add(d), 'DISPOSED');
    torchError(() => torch.cat([torch.randn([2]), d]), 'DISPOSED');
  });

  test('dispose() is idempotent', () => {
    const x = torch.randn([2]);
    x.dispose();
    expect(() => x.dispose()).not.toThrow();
  });
});

describe('CUDA on a CPU build', () => {
  test.skipIf(torch.cuda.isAvailable())('to(\'cuda\'), cuda() and a cuda factory throw CUDA_UNAVAILABLE', () => {
    const e = torchError(() => torch.randn([2]).to('cuda'), 'CUDA_UNAVAILABLE');
    expect(e.message).toMatch(/CUDA/);
    torchError(() => torch.randn([2]).cuda(), 'CUDA_UNAVAILABLE');
    torchError(() => torch.randn([2]).to('cuda:0'), 'CUDA_UNAVAILABLE');
    torchError(() => torch.zeros([2], { device: 'cuda' }), 'CUDA_UNAVAILABLE');
    torchError(() => new nn.Linear(2, 2).to('cuda'), 'CUDA_UNAVAILABLE');
  });

  test('a malformed device is a TypeError', () => {
    const e = typeErr(() => torch.randn([2]).to('gpu'));
    expect(e.message).toMatch(EXPECTED_FORMAT);
  });
});

describe('argument checks', () => {
  test('wrong argument types give TypeError in the one format', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => torch.randn([2]).add('x' as never), /^Expected a Tensor or a number for other \(Tensor\.add\) but received "x"$/],
      [() => torch.randn([2]).view('a' as never), /^Expected an array of integers for shape but received \["a"\]$/],
      [() => torch.zeros([2], { dtype: 'float8' as never }), /^Expected a dtype \(one of .*, or an alias: .*\) for dtype \(torch\.zeros\) but received "float8"$/],
      [() => torch.randn([2]).sum(0, 'yes' as never), /^Expected a boolean for keepdim \(Tensor\.sum\) but received "yes"$/],
      [() => new nn.Conv2d(1, 2, 'five' as never), /^Expected an integer or 2 integers for kernelSize but received "five"$/],
      [() => torch.randn([2]).transpose(0.5, 1), /^Expected an integer for dim0 \(Tensor\.transpose\) but received 0\.5$/],
      [() => torch.tensor([[1, 2], [3]]), /^Expected nested arrays of numbers with a regular shape for data but received/],
      [() => torch.tidy(42 as never), /^Expected a function for fn but received 42$/],
    ];
    for (const [fn, message] of cases) {
      const e = typeErr(fn);
      expect(e.message).toMatch(EXPECTED_FORMAT);
      expect(e.message).toMatch(message);
    }
  });

  test('out-of-range values give RangeError', () => {
    expect(rangeErr(() => torch.randn([-1])).message).toMatch(/for randn size but received \[-1\]/);
    expect(rangeErr(() => torch.randn([2]).size(5)).message).toMatch(/for dim but received 5/);
    rangeErr(() => new nn.Conv2d(0, 4, 3));
    rangeErr(() => new nn.Conv2d(3, 4, 3, { groups: 2 }));
    rangeErr(() => torch.manualSeed(-1));
    rangeErr(() => torch.setNumThreads(0));
    rangeErr(() => torch.randint(5, 5, [2]));
    rangeErr(() => torch.fromArray(new Float32Array(5), [2, 3]));
    rangeErr(() => torch.arange(0, 5, 0));
  });

  test('a native function called with a non-tensor object throws TypeError, not a crash', () => {
    const add = torch.Tensor.prototype.add as (this: unknown, o: number) => unknown;
    const matmulId = 0; // any registered op: the argument check comes before the op runs
    expect(typeErr(() => native.callOp(matmulId, {}, {}, 1)).message).toMatch(EXPECTED_FORMAT);
    expect(typeErr(() => native.shape({ a: 1 })).message).toMatch(EXPECTED_FORMAT);
    expect(typeErr(() => torch.matmul(torch.randn([2, 2]), [1, 2] as never)).message).toMatch(EXPECTED_FORMAT);
    // A Tensor method borrowed onto a plain object.
    expect(typeErr(() => add.call({}, 1)).message).toMatch(EXPECTED_FORMAT);
    // An object that merely claims to be a Tensor.
    const fake = Object.create(torch.Tensor.prototype) as torch.Tensor;
    typeErr(() => fake.shape);
    typeErr(() => fake.add(1));
    typeErr(() => torch.add(torch.ones(2), fake));
    // A slot number that names no live tensor (forged, or out of the pool) is refused the same way.
    const forged = torch.ones(2);
    for (const slot of [-5, 2 ** 30, 1.5]) {
      (forged as unknown as Record<symbol, number>)[HANDLE] = slot;
      typeErr(() => forged.add(1));
      typeErr(() => torch.ones(2).mul(forged));
      typeErr(() => forged.shape);
    }
  });

  test('a disposed tensor given to an op is a TorchError DISPOSED', () => {
    const x = torch.ones(2);
    x.dispose();
    torchError(() => x.add(1), 'DISPOSED');
    torchError(() => torch.ones(2).add(x), 'DISPOSED');
  });

  test('new torch.Tensor() is a TypeError', () => {
    const Ctor = torch.Tensor as unknown as new () => unknown;
    const e = typeErr(() => new Ctor());
    expect(e.message).toMatch(/torch\.tensor|torch functions/);
    // What ops make is a torch.Tensor in every way JavaScript can ask.
    const x = torch.randn(2).add(1);
    expect(x).toBeInstanceOf(torch.Tensor);
    expect(x.constructor).toBe(torch.Tensor);
    const p = new nn.Parameter(x);
    expect(p).toBeInstanceOf(nn.Parameter);
    expect(p).toBeInstanceOf(torch.Tensor);
    expect(p.add(1).constructor).toBe(torch.Tensor);
  });
});

describe('losses', () => {
  test('CrossEntropy with mismatched output/labels names both shapes', () => {
    const e = torchError(() => new nn.CrossEntropyLoss().forward(torch.randn([4, 10]), torch.randint(0, 10, [5])), 'SHAPE_MISMATCH');
    expect(e.message).toContain('[4, 10]');
    expect(e.message).toContain('[5]');
    const e2 = torchError(() => nn.functional.crossEntropy(torch.randn([4, 10]), torch.randint(0, 10, [4, 2])), 'SHAPE_MISMATCH');
    expect(e2.message).toContain('[4, 10]');
    expect(e2.message).toContain('[4, 2]');
  });

  test('a label out of range is a TorchError', () => {
    torchError(() => nn.functional.crossEntropy(torch.randn([2, 3]), torch.tensor([0, 7], { dtype: 'int64' })));
  });
});

describe('loadStateDict', () => {
  class Net extends nn.Module {
    fc1 = new nn.Linear(4, 3);
    fc2 = new nn.Linear(3, 2);
    forward(x: torch.Tensor) { return this.fc2.forward(this.fc1.forward(x)); }
  }

  test('strict: missing and unexpected keys are listed in one TorchError', () => {
    const net = new Net();
    const sd = net.stateDict();
    delete sd['fc2.bias'];
    sd['fc3.weight'] = torch.zeros([2, 2]);
    const e = torchError(() => new Net().loadStateDict(sd), 'STATE_DICT_MISMATCH');
    expect(e.message).toContain('Missing key(s) in state_dict: "fc2.bias"');
    expect(e.message).toContain('Unexpected key(s) in state_dict: "fc3.weight"');
    expect(e.message).toContain('Net');
  });

  test('a shape mismatch names the key and both shapes, strict or not', () => {
    const sd = new Net().stateDict();
    sd['fc1.weight'] = torch.zeros([3, 5]);
    for (const strict of [true, false]) {
      const e = torchError(() => new Net().loadStateDict(sd, { strict }), 'STATE_DICT_MISMATCH');
      expect(e.message).toContain('size mismatch for fc1.weight');
      expect(e.message).toContain('[3, 5]');
      expect(e.message).toContain('[3, 4]');
    }
  });

  test('a failed load leaves the module unchanged', () => {
    const net = new Net();
    const before = net.fc2.weight.tolist();
    const sd = new Net().stateDict();
    sd['fc1.weight'] = torch.zeros([1]);
    expect(() => net.loadStateDict(sd)).toThrow(TorchError);
    expect(net.fc2.weight.tolist()).toEqual(before);
  });

  test('strict: false returns the missing and unexpected keys and loads the rest', () => {
    const src = new Net();
    const sd = src.stateDict();
    delete sd['fc2.bias'];
    sd.extra = torch.zeros([1]);
    const dst = new Net();
    const fc2Bias = dst.fc2.bias!.tolist();
    const result = dst.loadStateDict(sd, { strict: false });
    expect(result).toEqual({ missingKeys: ['fc2.bias'], unexpectedKeys: ['extra'] });
    expect(dst.fc1.weight.tolist()).toEqual(src.fc1.weight.tolist());
    expect(dst.fc2.bias!.tolist()).toEqual(fc2Bias);
  });

  test('a non-Tensor value and a non-object state dict are refused', () => {
    const sd: Record<string, unknown> = { ...new Net().stateDict() };
    sd['fc1.bias'] = [1, 2, 3];
    expect(torchError(() => new Net().loadStateDict(sd), 'STATE_DICT_MISMATCH').message).toContain('fc1.bias');
    typeErr(() => new Net().loadStateDict(42 as never));
    typeErr(() => new Net().loadStateDict({}, { strict: 'no' as never }));
  });
});

describe('options are checked by name', () => {
  test("PyTorch's snake_case keys get the camelCase hint", () => {
    const ds = new torch.TensorDataset(torch.zeros(4, 2), torch.zeros(4));
    expect(() => new torch.DataLoader(ds, { batch_size: 64 } as never)).toThrow(
      /^Expected only the options batchSize, shuffle, dropLast, seed, prefetch, sampler, batchSampler, collateFn, generator for DataLoader options but received "batch_size": did you mean batchSize\? \(options are camelCase\)$/,
    );
    expect(() => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as never)).toThrow(/did you mean labelSmoothing\?/);
    expect(() => new nn.Conv2d(1, 2, 3, { padding_mode: 'zeros' } as never)).toThrow(TypeError);
  });

  test('misspellings get the nearest option; unrelated keys list the options', () => {
    const p = [torch.zeros(1, { requiresGrad: true })];
    expect(() => new torch.optim.SGD(p, { lr: 0.1, wieght_decay: 1e-4 } as never)).toThrow(/received "wieght_decay": did you mean weightDecay\?/);
    expect(() => new torch.optim.Adam(p, { betta: [0.9, 0.99] } as never)).toThrow(/did you mean betas\?/);
    expect(() => torch.zeros(2, { dtyp: 'float64' } as never)).toThrow(/for zeros options but received "dtyp": did you mean dtype\?/);
    expect(() => torch.randn(2).sum(0, false, { foo: 1 } as never)).toThrow(/^Expected only the options dtype for Tensor\.sum options but received "foo"$/);
  });

  test('options in every corner: modules, optimizers, schedulers, loaders, datasets, load, train', () => {
    const model = new nn.Linear(2, 2);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const bad = { bogus: 1 } as never;
    for (const f of [
      () => new nn.Linear(2, 2, bad), () => new nn.MaxPool2d(2, bad), () => new nn.BatchNorm2d(2, bad),
      () => new torch.optim.lrScheduler.StepLR(opt, bad), () => model.to(bad), () => model.stateDict(bad),
      () => torch.load(Buffer.alloc(0), bad), () => new torch.datasets.MNIST('x', bad), () => torch.randn(2).backward(undefined, bad),
      () => torch.randn(2).to(bad), () => nn.functional.maxPool2d(torch.randn(1, 1, 4, 4), 2, bad),
    ]) {
      expect(f).toThrow(/received "bogus"/);
    }
  });
});

test("x.to('float') converts (an alias), and float labels in crossEntropy hint at int64", () => {
  expect(torch.tensor([1, 2]).to('float').dtype).toBe('float32');
  const e = torchError(() => nn.functional.crossEntropy(torch.randn(4, 10), torch.tensor([1, 2, 3, 4]).float()), 'SHAPE_MISMATCH');
  expect(e.message).toMatch(/class indices must be int64 \(target\.long\(\)\)/);
});

test('an op the loaded LibTorch lacks is a TorchError OP_UNAVAILABLE naming it and the version, not a load failure', () => {
  const x = torch.zeros(1, 2, 1);
  // aten::squeeze.dims arrived after 1.13.
  if (torch.config().libtorchVersion.startsWith('1.13')) {
    const e = torchError(() => torch.squeeze(x, [0, 2]), 'OP_UNAVAILABLE');
    expect(e.message).toBe('aten::squeeze.dims (torch.squeeze) is not in the loaded LibTorch 1.13.0');
  } else {
    expect([...torch.squeeze(x, [0, 2]).shape]).toEqual([2]);
  }
  expect([...torch.squeeze(x, 0).shape]).toEqual([2, 1]);
});
