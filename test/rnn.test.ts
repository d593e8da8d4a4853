/**
 * nn.RNN, nn.LSTM, nn.GRU, the three cells and nn.utils.rnn against real PyTorch: output, h_n
 * (c_n), the gradients of the input, the initial states and every parameter, state-dict keys and
 * repr, padded, unbatched and packed (unsorted lengths); pack/pad round trips with their
 * gradients; padSequence and packSequence; a default-initialised LSTM's state dict loaded
 * strictly. From test/fixtures/rnn/reference.json (test/fixtures/rnn/generate.py, torch 2.13, CPU).
 * Plus the checks PyTorch makes on inputs and states, and bad options.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn } from '../lib';

const R = nn.utils.rnn;

interface TensorJson { shape: number[]; values: number[] }
interface BaseCase {
  module: string; args: number[]; options: Record<string, unknown>; python: string; repr: string; stateKeys: string[];
  params: Record<string, number[]>; input: TensorJson; hx: TensorJson[] | null; outWeights: number[][];
  grad: number[]; hxGrads: number[][] | null; paramGrads: Record<string, number[]>;
}
interface SeqCase extends BaseCase { kind: 'seq'; eval: boolean; output: TensorJson; hidden: TensorJson[] }
interface CellCase extends BaseCase { kind: 'cell'; outputs: TensorJson[] }
interface PackedCase extends BaseCase {
  kind: 'packed'; lengths: number[]; packedData: TensorJson; batchSizes: number[]; sortedIndices: number[]; unsortedIndices: number[];
  outputData: TensorJson; output: TensorJson; outputLengths: number[]; hidden: TensorJson[];
}
interface RoundTrip {
  input: TensorJson; lengths: number[]; batchFirst: boolean; enforceSorted: boolean; paddingValue: number; totalLength: number | null;
  data: TensorJson; batchSizes: number[]; sortedIndices: number[] | null; unsortedIndices: number[] | null;
  padded: TensorJson; outputLengths: number[]; outWeights: number[]; grad: number[];
}
interface PadSequenceCase {
  sequences: TensorJson[]; batchFirst: boolean; paddingValue: number; paddingSide: 'left' | 'right';
  output: TensorJson; outWeights: number[]; grads: number[][];
  packSequence: { data: TensorJson; batchSizes: number[]; sortedIndices: number[] } | null;
}
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'rnn', 'reference.json'), 'utf8')) as {
  torch: string; cases: (SeqCase | CellCase | PackedCase)[]; roundTrips: RoundTrip[]; padSequence: PadSequenceCase[];
  stateDict: { python: string; args: number[]; options: Record<string, unknown>; stateDict: Record<string, TensorJson>; input: TensorJson; output: TensorJson; hidden: TensorJson[] };
};

const LIBTORCH = torch.config().libtorchVersion;
// padding_side joined aten::pad_sequence in LibTorch 2.6.
const HAS_PADDING_SIDE = Number(LIBTORCH.split('.')[0]) > 2 || (LIBTORCH.startsWith('2.') && Number(LIBTORCH.split('.')[1]) >= 6);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCtor = new (...args: any[]) => nn.Module;
const MODULES: Record<string, AnyCtor> = {
  RNN: nn.RNN, LSTM: nn.LSTM, GRU: nn.GRU, RNNCell: nn.RNNCell, LSTMCell: nn.LSTMCell, GRUCell: nn.GRUCell,
};

function values(t: torch.Tensor): number[] {
  return Array.from(t.detach().contiguous().reshape([-1]).toArray() as unknown as ArrayLike<number>, Number);
}

function close(actual: torch.Tensor | null | undefined, expected: number[], what = ''): void {
  expect(actual, what).toBeInstanceOf(torch.Tensor);
  const a = values(actual!);
  expect(a.length, what).toBe(expected.length);
  for (let i = 0; i < a.length; i++) {
    const tol = 1e-6 + 1e-5 * Math.abs(expected[i]);
    if (!(Math.abs(a[i] - expected[i]) <= tol)) throw new Error(`${what} index ${i}: ${a[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

function closeTensor(actual: torch.Tensor, expected: TensorJson, what = ''): void {
  expect([...actual.shape], what).toEqual(expected.shape);
  close(actual, expected.values, what);
}

const fromJson = (t: TensorJson, requiresGrad = false): torch.Tensor =>
  torch.tensor(t.values).reshape(t.shape).requiresGrad_(requiresGrad);
const ints = (t: torch.Tensor): number[] => t.tolist() as number[];

function build(c: BaseCase): nn.Module {
  const m = Object.keys(c.options).length > 0 ? new MODULES[c.module](...c.args, c.options) : new MODULES[c.module](...c.args);
  torch.noGrad(() => {
    for (const [name, p] of m.namedParameters()) p.copy_(torch.tensor(c.params[name]).reshape(p.shape));
  });
  return m;
}

function weightedSum(outs: torch.Tensor[], weights: number[][]): torch.Tensor {
  return outs.map((o, i) => o.mul(torch.tensor(weights[i]).reshape(o.shape)).sum()).reduce((a, b) => a.add(b));
}

function checkGrads(m: nn.Module, c: BaseCase, x: torch.Tensor, hx: torch.Tensor[] | null): void {
  close(x.grad, c.grad, 'input grad');
  if (hx !== null) hx.forEach((h, i) => close(h.grad, c.hxGrads![i], `hx[${i}] grad`));
  const names = m.namedParameters().map(([n]) => n);
  expect(names).toEqual(Object.keys(c.paramGrads));
  for (const [name, p] of m.namedParameters()) close(p.grad, c.paramGrads[name], `${name} grad`);
}

const byKind = <K extends string>(kind: K) => REF.cases.filter((c) => c.kind === kind);

describe('RNN, LSTM and GRU match PyTorch 2.13', () => {
  test.each((byKind('seq') as SeqCase[]).map((c) => [c.python, c] as const))('%s', (_n, c) => {
    const m = build(c);
    if (c.eval) m.eval();
    expect(String(m)).toBe(c.repr);
    expect(Object.keys(m.stateDict())).toEqual(c.stateKeys);
    const x = fromJson(c.input, true);
    const hx = c.hx === null ? null : c.hx.map((h) => fromJson(h, true));
    const arg = hx === null ? undefined : c.module === 'LSTM' ? hx : hx[0];
    const [out, hidden] = (m as nn.RNN).forward(x, arg as torch.Tensor);
    const states = c.module === 'LSTM' ? (hidden as unknown as torch.Tensor[]) : [hidden];
    closeTensor(out, c.output, 'output');
    states.forEach((h, i) => closeTensor(h, c.hidden[i], `hidden[${i}]`));
    weightedSum([out, ...states], c.outWeights).backward();
    checkGrads(m, c, x, hx);
  });
});

describe('RNNCell, LSTMCell and GRUCell match PyTorch 2.13', () => {
  test.each((byKind('cell') as CellCase[]).map((c) => [`${c.python} on [${c.input.shape}]`, c] as const))('%s', (_n, c) => {
    const m = build(c);
    expect(String(m)).toBe(c.repr);
    expect(Object.keys(m.stateDict())).toEqual(c.stateKeys);
    const x = fromJson(c.input, true);
    const hx = c.hx === null ? null : c.hx.map((h) => fromJson(h, true));
    const arg = hx === null ? undefined : c.module === 'LSTMCell' ? hx : hx[0];
    const res = (m as nn.GRUCell).forward(x, arg as torch.Tensor) as torch.Tensor | torch.Tensor[];
    const outs = Array.isArray(res) ? res : [res];
    outs.forEach((o, i) => closeTensor(o, c.outputs[i], `output[${i}]`));
    weightedSum(outs, c.outWeights).backward();
    checkGrads(m, c, x, hx);
  });
});

describe('packed sequences through the layers match PyTorch 2.13', () => {
  test.each((byKind('packed') as PackedCase[]).map((c) => [c.python, c] as const))('%s', (_n, c) => {
    const m = build(c) as nn.LSTM;
    expect(String(m)).toBe(c.repr);
    const x = fromJson(c.input, true);
    const batchFirst = m.batchFirst;
    const packed = R.packPaddedSequence(x, c.lengths, { batchFirst, enforceSorted: false });
    closeTensor(packed.data, c.packedData, 'packed data');
    expect(ints(packed.batchSizes)).toEqual(c.batchSizes);
    expect(ints(packed.sortedIndices!)).toEqual(c.sortedIndices);
    expect(ints(packed.unsortedIndices!)).toEqual(c.unsortedIndices);
    const hx = c.hx === null ? null : c.hx.map((h) => fromJson(h, true));
    const arg = hx === null ? undefined : c.module === 'LSTM' ? hx : hx[0];
    const [outPacked, hidden] = m.forward(packed, arg as [torch.Tensor, torch.Tensor]);
    expect(outPacked).toBeInstanceOf(R.PackedSequence);
    closeTensor(outPacked.data, c.outputData, 'output data');
    expect(outPacked.batchSizes).toBe(packed.batchSizes);
    const [out, lengths] = R.padPackedSequence(outPacked, { batchFirst });
    closeTensor(out, c.output, 'padded output');
    expect(ints(lengths)).toEqual(c.outputLengths);
    const states = c.module === 'LSTM' ? hidden : [hidden as unknown as torch.Tensor];
    states.forEach((h, i) => closeTensor(h, c.hidden[i], `hidden[${i}]`));
    weightedSum([out, ...states], c.outWeights).backward();
    checkGrads(m, c, x, hx);
  });

  test('a packed batch gives each sequence what it gives alone', () => {
    const c = (byKind('packed') as PackedCase[]).find((k) => k.module === 'GRU')!;
    const m = build(c) as nn.GRU;
    const x = fromJson(c.input);
    const [outPacked, hn] = m.forward(R.packPaddedSequence(x, c.lengths, { enforceSorted: false }));
    const [padded] = R.padPackedSequence(outPacked);
    c.lengths.forEach((len, b) => {
      const [alone, hAlone] = m.forward(x.narrow(0, 0, len).select(1, b));
      close(padded.narrow(0, 0, len).select(1, b), values(alone), `sequence ${b}`);
      close(hn.select(1, b), values(hAlone), `h_n of sequence ${b}`);
    });
  });
});

describe('nn.utils.rnn matches PyTorch 2.13', () => {
  test.each(REF.roundTrips.map((c) => [`lengths ${c.lengths} batchFirst=${c.batchFirst} enforceSorted=${c.enforceSorted}`, c] as const))(
    'packPaddedSequence → padPackedSequence, %s', (_n, c) => {
      const x = fromJson(c.input, true);
      const packed = R.packPaddedSequence(x, torch.tensor(c.lengths), { batchFirst: c.batchFirst, enforceSorted: c.enforceSorted });
      closeTensor(packed.data, c.data, 'data');
      expect(packed.batchSizes.dtype).toBe('int64');
      expect(packed.batchSizes.device).toBe('cpu');
      expect(ints(packed.batchSizes)).toEqual(c.batchSizes);
      expect(packed.sortedIndices === null ? null : ints(packed.sortedIndices)).toEqual(c.sortedIndices);
      expect(packed.unsortedIndices === null ? null : ints(packed.unsortedIndices)).toEqual(c.unsortedIndices);
      const [padded, lengths] = R.padPackedSequence(packed, { batchFirst: c.batchFirst, paddingValue: c.paddingValue, totalLength: c.totalLength });
      closeTensor(padded, c.padded, 'padded');
      expect(ints(lengths)).toEqual(c.outputLengths);
      padded.mul(torch.tensor(c.outWeights).reshape(padded.shape)).sum().backward();
      close(x.grad, c.grad, 'input grad');
    });

  test.each(REF.padSequence.map((c) => [`${c.sequences.length} sequences, batchFirst=${c.batchFirst}, paddingSide=${c.paddingSide}`, c] as const))(
    'padSequence, %s', (_n, c) => {
      if (c.paddingSide === 'left' && !HAS_PADDING_SIDE) {
        // LibTorch 1.13's aten::pad_sequence has no padding_side: the option is refused, naming it.
        expect(() => R.padSequence([torch.ones([2])], { paddingSide: 'left' })).toThrow(/padding_side/);
        return;
      }
      const seqs = c.sequences.map((s) => fromJson(s, true));
      const out = R.padSequence(seqs, { batchFirst: c.batchFirst, paddingValue: c.paddingValue, paddingSide: c.paddingSide });
      closeTensor(out, c.output, 'output');
      out.mul(torch.tensor(c.outWeights).reshape(out.shape)).sum().backward();
      seqs.forEach((s, i) => close(s.grad, c.grads[i], `grad ${i}`));
      if (c.packSequence !== null) {
        const packed = R.packSequence(seqs, { enforceSorted: false });
        closeTensor(packed.data, c.packSequence.data, 'packSequence data');
        expect(ints(packed.batchSizes)).toEqual(c.packSequence.batchSizes);
        expect(ints(packed.sortedIndices!)).toEqual(c.packSequence.sortedIndices);
        const back = R.unpackSequence(packed);
        back.forEach((s, i) => close(s, c.sequences[i].values, `unpacked ${i}`));
      }
    });

  test('unpadSequence undoes padSequence and leaves its input alone', () => {
    const seqs = [torch.tensor([[1, 2], [3, 4], [5, 6]]), torch.tensor([[7, 8]])];
    const padded = R.padSequence(seqs);
    const back = R.unpadSequence(padded, torch.tensor([3, 1]));
    expect(back.map((s) => s.tolist())).toEqual(seqs.map((s) => s.tolist()));
    expect(padded.shape).toEqual([3, 2, 2]);
    expect(R.unpadSequence(R.padSequence(seqs, { batchFirst: true }), [3, 1], { batchFirst: true }).map((s) => s.tolist()))
      .toEqual(seqs.map((s) => s.tolist()));
  });

  test('a PackedSequence is PyTorch\'s tuple: destructuring, repr, to(), and torch.tidy keeps it whole', () => {
    const packed = torch.tidy(() => R.packSequence([torch.tensor([1, 2, 3]), torch.tensor([4])]));
    const [data, batchSizes, sortedIndices, unsortedIndices] = packed;
    expect(ints(data)).toEqual([1, 4, 2, 3]);
    expect(ints(batchSizes)).toEqual([2, 1, 1]);
    expect(sortedIndices).toBeNull();
    expect(unsortedIndices).toBeNull();
    expect(String(packed)).toBe('PackedSequence(data=tensor([1, 4, 2, 3]), batch_sizes=tensor([2, 1, 1]), sorted_indices=None, unsorted_indices=None)');
    expect(packed.to('int64')).toBe(packed);
    const d = packed.double();
    expect(d).toBeInstanceOf(R.PackedSequence);
    expect(d.data.dtype).toBe('float64');
    expect(d.batchSizes).toBe(packed.batchSizes);
    expect(packed.map((t) => t)).not.toBeInstanceOf(R.PackedSequence);
    expect(Object.isFrozen(packed)).toBe(true);
    expect(ints(R.invertPermutation(torch.tensor([2, 0, 1]))!)).toEqual([1, 2, 0]);
  });
});

describe('a PyTorch LSTM state dict', () => {
  test(`${REF.stateDict.python} loads strictly and computes what PyTorch computed`, () => {
    const s = REF.stateDict;
    const m = new nn.LSTM(s.args[0], s.args[1], s.options);
    const sd = Object.fromEntries(Object.entries(s.stateDict).map(([k, v]) => [k, fromJson(v)]));
    expect(Object.keys(m.stateDict())).toEqual(Object.keys(sd));
    expect(m.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const [out, [h, c]] = torch.noGrad(() => m(fromJson(s.input)));
    closeTensor(out, s.output, 'output');
    closeTensor(h, s.hidden[0], 'h_n');
    closeTensor(c, s.hidden[1], 'c_n');
    const { weight_hr_l1_reverse: _dropped, ...missing } = sd;
    expect(() => m.loadStateDict(missing)).toThrow(/Missing key\(s\) in state_dict: "weight_hr_l1_reverse"/);
  });

  test('default init is U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)) on every parameter', () => {
    for (const m of [new nn.LSTM(5, 16, 2, { projSize: 4 }), new nn.GRUCell(3, 25)]) {
      const bound = 1 / Math.sqrt(m.hiddenSize);
      for (const [name, p] of m.namedParameters()) {
        expect(p.abs().max().item(), name).toBeLessThanOrEqual(bound);
        expect(p.abs().max().item(), name).toBeGreaterThan(bound * 0.5);
      }
    }
  });
});

describe('module API', () => {
  test('parameters by PyTorch name, allWeights, positional numLayers, reprs', () => {
    const lstm = new nn.LSTM(10, 20, 2, { batchFirst: true, bidirectional: true });
    expect(String(lstm)).toBe('LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)');
    expect(lstm.weight_ih_l1_reverse.shape).toEqual([80, 40]);
    expect(lstm.allWeights.length).toBe(4);
    expect(lstm.allWeights[1][0]).toBe(lstm.weight_ih_l0_reverse);
    expect(lstm instanceof nn.RNNBase).toBe(true);
    lstm.flattenParameters();
    expect(String(new nn.RNN(3, 5, { nonlinearity: 'relu' }))).toBe('RNN(3, 5)');
    expect(new nn.RNN(3, 5, { nonlinearity: 'relu' }).nonlinearity).toBe('relu');
    expect(String(new nn.GRU(3, 5, { dropout: 0.25, numLayers: 3, bias: false }))).toBe('GRU(3, 5, num_layers=3, bias=False, dropout=0.25)');
    expect(String(new nn.RNNCell(3, 4, { nonlinearity: 'relu', bias: false }))).toBe('RNNCell(3, 4, bias=False, nonlinearity=relu)');
    expect(Object.keys(new nn.LSTMCell(3, 4, { bias: false }).stateDict())).toEqual(['weight_ih', 'weight_hh']);
  });

  test('model(x) runs the forward with hooks; eval() and double() reach the weights', () => {
    const gru = new nn.GRU(2, 3, { numLayers: 2, dropout: 0.4 });
    const x = torch.randn([4, 1, 2]);
    let calls = 0;
    gru.registerForwardHook(() => { calls++; });
    gru.eval();
    const [a] = gru(x);
    const [b] = gru(x);
    expect(calls).toBe(2);
    expect(values(a)).toEqual(values(b));
    gru.double();
    const [c, h] = gru(x.double());
    expect(c.dtype).toBe('float64');
    expect(h.shape).toEqual([2, 1, 3]);
  });

  test('LSTM hidden states follow a packed batch back to its order when given', () => {
    const lstm = new nn.LSTM(2, 3);
    const x = torch.randn([3, 2, 2]);
    const h0 = torch.randn([1, 2, 3]);
    const c0 = torch.randn([1, 2, 3]);
    const [, [hp]] = lstm(R.packPaddedSequence(x, [2, 3], { enforceSorted: false }), [h0, c0]);
    const [, [h1]] = lstm(x.narrow(0, 0, 2).narrow(1, 0, 1), [h0.narrow(1, 0, 1), c0.narrow(1, 0, 1)]);
    close(hp.narrow(1, 0, 1), values(h1));
  });
});

describe('PyTorch\'s checks on inputs and states', () => {
  test.each([
    ['4-D input', () => new nn.LSTM(2, 3)(torch.zeros([1, 1, 1, 2])), /LSTM: Expected input to be 2D or 3D, got 4D/],
    ['input size', () => new nn.GRU(2, 3)(torch.zeros([4, 1, 5])), /input.size\(-1\) must be equal to input_size. Expected 2, got 5/],
    ['hidden size', () => new nn.RNN(2, 3)(torch.zeros([4, 2, 2]), torch.zeros([1, 3, 3])), /Expected hidden size \(1, 2, 3\), got \[1, 3, 3\]/],
    ['LSTM cell state size', () => new nn.LSTM(2, 3, { projSize: 1 })(torch.zeros([4, 2, 2]), [torch.zeros([1, 2, 1]), torch.zeros([1, 2, 1])]),
      /Expected hidden\[1\] size \(1, 2, 3\), got \[1, 2, 1\]/],
    ['unbatched input, batched state', () => new nn.GRU(2, 3)(torch.zeros([4, 2]), torch.zeros([1, 1, 3])),
      /For unbatched 2-D input, hx should also be 2-D but got 3-D tensor/],
    ['LSTM hx not a pair', () => new nn.LSTM(2, 3)(torch.zeros([4, 1, 2]), torch.zeros([1, 1, 3]) as never), TypeError],
    ['dtype', () => new nn.LSTM(2, 3)(torch.zeros([4, 1, 2], { dtype: 'float64' })), /input dtype \(float64\) does not match weight dtype \(float32\)/],
    ['cell 3-D input', () => new nn.GRUCell(2, 3)(torch.zeros([1, 1, 2])), /GRUCell: Expected input to be 1D or 2D, got 3D/],
    ['cell 3-D hidden', () => new nn.RNNCell(2, 3)(torch.zeros([1, 2]), torch.zeros([1, 1, 3])), /RNNCell: Expected hidden to be 1D or 2D, got 3D/],
    ['unsorted lengths', () => R.packPaddedSequence(torch.zeros([3, 2, 1]), [2, 3]), /must be sorted in decreasing order/],
    ['zero length', () => R.packPaddedSequence(torch.zeros([3, 2, 1]), [3, 0]), /greater than 0/],
    ['lengths count', () => R.packPaddedSequence(torch.zeros([3, 2, 1]), [3]), /Expected `len\(lengths\)` to be equal to batch_size, but got 1 \(batch_size=2\)/],
    ['length past the padding', () => R.packPaddedSequence(torch.zeros([3, 2, 1]), [4, 2]), /at most the padded length 3/],
    ['totalLength too short', () => R.padPackedSequence(R.packSequence([torch.ones([3])]), { totalLength: 2 }), RangeError],
  ] as const)('%s', (_n, fn, err) => {
    expect(fn).toThrow(err as never);
  });
});

describe('bad options are refused, naming the option', () => {
  test.each([
    ['inputSize 0', () => new nn.LSTM(0, 3), RangeError, /inputSize/],
    ['hiddenSize not an integer', () => new nn.GRU(2, 2.5), TypeError, /hiddenSize/],
    ['numLayers 0', () => new nn.RNN(2, 3, { numLayers: 0 }), RangeError, /numLayers/],
    ['dropout > 1', () => new nn.LSTM(2, 3, { dropout: 1.5, numLayers: 2 }), RangeError, /dropout/],
    ['bias not a boolean', () => new nn.LSTM(2, 3, { bias: 1 as never }), TypeError, /bias/],
    ['projSize >= hiddenSize', () => new nn.LSTM(2, 3, { projSize: 3 }), RangeError, /projSize/],
    ['projSize on a GRU', () => new nn.GRU(2, 3, { projSize: 1 } as never), TypeError, /projSize/],
    ['nonlinearity', () => new nn.RNN(2, 3, { nonlinearity: 'sigmoid' as never }), RangeError, /nonlinearity/],
    ['snake_case option', () => new nn.LSTM(2, 3, { batch_first: true } as never), TypeError, /batchFirst/],
    ['numLayers twice', () => new nn.LSTM(2, 3, 2, { numLayers: 2 } as never), TypeError, /numLayers/],
    ['cell nonlinearity', () => new nn.RNNCell(2, 3, { nonlinearity: 'gelu' as never }), RangeError, /nonlinearity/],
    ['cell option', () => new nn.GRUCell(2, 3, { nonlinearity: 'tanh' } as never), TypeError, /nonlinearity/],
    ['paddingSide', () => R.padSequence([torch.ones([2])], { paddingSide: 'top' as never }), RangeError, /paddingSide/],
    ['enforceSorted', () => R.packSequence([torch.ones([2])], { enforceSorted: 'no' as never }), TypeError, /enforceSorted/],
    ['lengths', () => R.packPaddedSequence(torch.ones([2, 1]), 'x' as never), TypeError, /lengths/],
  ] as const)('%s', (_n, fn, Err, re) => {
    expect(fn).toThrow(Err);
    expect(fn).toThrow(re);
  });
});
