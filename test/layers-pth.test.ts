/**
 * State dicts of the newer torch.nn layers move both ways: a `.pth` PyTorch 2.13 wrote
 * (test/fixtures/layers_pth/generate.py) loads strictly into the same model written in TypeScript
 * with every key, shape and value, and the state dict nodetorch writes loads strictly in Python
 * (each PyTorch at hand) with the same values.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn } from '../lib';

const FIX = join(__dirname, 'fixtures', 'layers_pth');
interface TensorInfo { key: string; shape: number[]; dtype: string; sum: number }
const REF = JSON.parse(fs.readFileSync(join(FIX, 'reference.json'), 'utf8')) as { tensors: TensorInfo[] };
const PYTHONS = ['python3', '/usr/bin/python3'].filter((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);

/** The generator's Zoo, line for line. */
class Zoo extends nn.Module {
  conv1d = new nn.Conv1d(2, 3, 3, { padding: 'same', paddingMode: 'reflect' });
  conv3d = new nn.Conv3d(1, 2, 2, { bias: false });
  convt = new nn.ConvTranspose2d(2, 4, 3, { stride: 2, groups: 2 });
  lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, projSize: 2 });
  gru = new nn.GRU(3, 4, { batchFirst: true });
  rnn = new nn.RNN(3, 4, { nonlinearity: 'relu', bias: false });
  cell = new nn.LSTMCell(3, 4);
  mha = new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 5, addBiasKv: true });
  encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 2, new nn.LayerNorm(4), { enableNestedTensor: false });
  transformer = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
  bag = new nn.EmbeddingBag(10, 3, { mode: 'max' });
  embedding = new nn.Embedding(5, 2, { paddingIdx: 0 });
  bilinear = new nn.Bilinear(2, 3, 4);
  norms = new nn.ModuleList([new nn.BatchNorm1d(3), new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true }),
    new nn.GroupNorm(2, 4), new nn.LayerNorm([2, 3])]);
  prelu = new nn.PReLU(3);

  forward(x: torch.Tensor): torch.Tensor { return x; }
}

function describeState(state: Record<string, torch.Tensor>): TensorInfo[] {
  return Object.entries(state).map(([key, v]) => ({ key, shape: [...v.shape], dtype: v.dtype, sum: v.double().sum().item() }));
}

function expectSame(actual: TensorInfo[], expected: TensorInfo[]): void {
  expect(actual.map((t) => t.key)).toEqual(expected.map((t) => t.key));
  actual.forEach((a, i) => {
    const e = expected[i];
    expect([a.key, a.shape, a.dtype]).toEqual([e.key, e.shape, e.dtype]);
    expect(Math.abs(a.sum - e.sum), a.key).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(e.sum)));
  });
}

describe('state dicts of the newer layers', () => {
  test("the TypeScript model has PyTorch's keys, in PyTorch's order, with PyTorch's shapes", () => {
    const state = new Zoo().stateDict();
    expect(Object.keys(state)).toEqual(REF.tensors.map((t) => t.key));
    expect(Object.values(state).map((v) => [...v.shape])).toEqual(REF.tensors.map((t) => t.shape));
  });

  test("PyTorch's .pth loads strictly, every value intact", () => {
    const zoo = new Zoo();
    const result = zoo.loadStateDict(torch.load(join(FIX, 'zoo.pth')) as Record<string, torch.Tensor>);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expectSame(describeState(zoo.stateDict()), REF.tensors);
  });

  test.each(PYTHONS)("nodetorch's state dict loads strictly in %s's PyTorch", (py) => {
    torch.manualSeed(3);
    const zoo = new Zoo();
    (zoo.norms.get(0) as nn.Module)(torch.randn([5, 3]));
    const file = join(fs.mkdtempSync(join(os.tmpdir(), 'nodetorch-zoo-')), 'zoo.pth');
    torch.save(zoo.stateDict(), file);
    const loaded = JSON.parse(execFileSync(py, [join(FIX, 'generate.py'), '--roundtrip', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as TensorInfo[];
    expectSame(loaded, describeState(zoo.stateDict()));
  }, 60_000);
});
