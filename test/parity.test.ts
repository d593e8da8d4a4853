/**
 * Numerical parity with real PyTorch: the seed CNN and the homework CNN, written as TS classes,
 * from the fixture's initial weights, against logits, loss, gradients and 3 SGD / Adam steps
 * recorded by test/fixtures/parity/generate.py.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn, optim } from '../lib';
import { HomeworkModel, Model } from '../scripts/mnist_cnn';
import { loadParityCase, parityCaseNames, type ParityArray, type ParityCase } from './fixtures/parity/load';

const RTOL = 1e-5;
const ATOL = 1e-6;

// The seed program's own classes: what users run is what is checked against PyTorch.
const MODELS: Record<string, new () => nn.Module> = { SeedModel: Model, HomeworkModel };

function toTensor(a: ParityArray): torch.Tensor {
  return torch.fromArray(a.data, a.shape);
}

/** Element-wise |actual - expected| <= atol + rtol * |expected|, reporting the worst element. */
function expectClose(actual: torch.Tensor, expected: ParityArray, what: string): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  const got = actual.detach().to('float32').toArray() as Float32Array;
  const want = expected.data as Float32Array;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < want.length; i++) {
    const excess = Math.abs(got[i] - want[i]) - (ATOL + RTOL * Math.abs(want[i]));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) { worst = i; worstExcess = excess; }
  }
  if (worst >= 0) {
    expect.fail(`${what}: element ${worst} is ${got[worst]}, PyTorch has ${want[worst]} (rtol ${RTOL}, atol ${ATOL})`);
  }
}

function expectScalarClose(actual: number, expected: number, what: string): void {
  const tol = ATOL + RTOL * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= tol)) expect.fail(`${what}: ${actual}, PyTorch has ${expected} (tolerance ${tol})`);
}

function buildModel(c: ParityCase): nn.Module {
  const Model = MODELS[c.meta.model];
  if (Model === undefined) throw new Error(`no TS model for ${c.meta.model}`);
  const model = new Model();
  const sd: Record<string, torch.Tensor> = {};
  for (const key of c.meta.stateDictKeys) sd[key] = toTensor(c.arrays[`init/${key}`]);
  const { missingKeys, unexpectedKeys } = model.loadStateDict(sd);
  expect(missingKeys).toEqual([]);
  expect(unexpectedKeys).toEqual([]);
  return model;
}

function train(c: ParityCase, makeOptimizer: (params: nn.Parameter[]) => optim.Optimizer): { model: nn.Module; losses: number[] } {
  const model = buildModel(c);
  const x = toTensor(c.arrays.input);
  const y = toTensor(c.arrays.labels);
  const optimizer = makeOptimizer(model.parameters());
  const criterion = new nn.CrossEntropyLoss();
  const losses: number[] = [];
  for (let i = 0; i < c.meta.steps; i++) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item() as number);
  }
  return { model, losses };
}

test('the fixtures name both CNNs', () => {
  expect(parityCaseNames()).toEqual(['seed_cnn', 'homework_cnn']);
});

describe.each(parityCaseNames())('%s', (name) => {
  const c = loadParityCase(name);

  test('state-dict keys are the fixture keys, in PyTorch order', () => {
    const Model = MODELS[c.meta.model];
    const model = new Model();
    expect(Object.keys(model.stateDict())).toEqual(c.meta.stateDictKeys);
    expect(model.namedParameters().map(([k]) => k)).toEqual(c.meta.stateDictKeys);
    // Shapes match the fixture, too.
    for (const [key, t] of Object.entries(model.stateDict())) expect(t.shape, key).toEqual(c.arrays[`init/${key}`].shape);
  });

  test('loadStateDict copies the initial weights exactly', () => {
    const model = buildModel(c);
    for (const [key, t] of Object.entries(model.stateDict())) {
      expect(Array.from(t.toArray() as Float32Array), key).toEqual(Array.from(c.arrays[`init/${key}`].data as Float32Array));
    }
  });

  test('logits, cross-entropy loss and every parameter gradient', () => {
    const model = buildModel(c);
    const x = toTensor(c.arrays.input);
    const y = toTensor(c.arrays.labels);
    expect(y.dtype).toBe('int64');
    const logits = model.forward(x);
    expectClose(logits, c.arrays.logits, 'logits');
    const loss = new nn.CrossEntropyLoss().forward(logits, y);
    expect(loss.shape).toEqual([]);
    expectScalarClose(loss.item() as number, c.meta.loss, 'loss');
    expectClose(loss, c.arrays.loss, 'loss array');
    loss.backward();
    for (const [key, p] of model.namedParameters()) {
      expect(p.grad, `grad of ${key}`).not.toBeNull();
      expectClose(p.grad!, c.arrays[`grad/${key}`], `grad/${key}`);
    }
  });

  test(`parameters and losses after ${c.meta.steps} SGD steps`, () => {
    const { model, losses } = train(c, (p) => new optim.SGD(p, { lr: c.meta.sgd.lr, momentum: c.meta.sgd.momentum }));
    losses.forEach((l, i) => expectScalarClose(l, c.meta.sgdLosses[i], `SGD loss at step ${i}`));
    expectClose(torch.tensor(losses), c.arrays['sgd/losses'], 'sgd/losses');
    for (const [key, t] of Object.entries(model.stateDict())) expectClose(t, c.arrays[`sgd/${key}`], `sgd/${key}`);
  });

  test(`parameters and losses after ${c.meta.steps} Adam steps`, () => {
    const { model, losses } = train(c, (p) => new optim.Adam(p, { lr: c.meta.adam.lr }));
    losses.forEach((l, i) => expectScalarClose(l, c.meta.adamLosses[i], `Adam loss at step ${i}`));
    expectClose(torch.tensor(losses), c.arrays['adam/losses'], 'adam/losses');
    for (const [key, t] of Object.entries(model.stateDict())) expectClose(t, c.arrays[`adam/${key}`], `adam/${key}`);
  });

  test('the comparison would catch a wrong model: one step of plain SGD differs from the momentum run', () => {
    // Guards the tolerance: a different update must not pass as parity.
    const { model } = train(c, (p) => new optim.SGD(p, { lr: c.meta.sgd.lr * 1.01, momentum: c.meta.sgd.momentum }));
    const key = c.meta.stateDictKeys[0];
    expect(() => expectClose(model.stateDict()[key], c.arrays[`sgd/${key}`], key)).toThrow();
  });
});
