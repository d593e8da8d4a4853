/**
 * Attention and the transformer modules against real PyTorch: F.scaledDotProductAttention,
 * nn.MultiheadAttention, TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder and
 * Transformer — output, attention weights, input gradients, parameter gradients, state-dict keys,
 * parameter names and repr, from test/fixtures/transformer/reference.json
 * (test/fixtures/transformer/generate.py, torch 2.13, CPU). Plus the functional form of
 * MultiheadAttention, the initialisation, deep copies per layer, the causal mask and bad options.
 * On LibTorch 1.13 (no aten::scaled_dot_product_attention) the same numbers come from the
 * composed attention.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as torch from '../lib';
import { nn } from '../lib';

const F = nn.functional;

interface TensorJson { shape: number[]; values: number[] }
type MaskJson = { causal: number } | { dtype: 'bool' | 'float32'; shape: number[]; values: number[] };
interface SdpaCase {
  name: string; query: TensorJson; key: TensorJson; value: TensorJson; options: Record<string, unknown>;
  outWeights: number[]; output: TensorJson; grads: Record<'query' | 'key' | 'value', number[]>;
}
interface BuildJson {
  kind: string; args?: number[]; options: Record<string, unknown>;
  layer?: BuildJson; numLayers?: number; normEps?: number | null;
}
interface ModuleCase {
  name: string; build: BuildJson; eval: boolean;
  inputs: ({ name: string; tensor: TensorJson } | { name: string; same: string })[];
  forward: Record<string, unknown>; repr: string; stateKeys: string[]; paramNames: string[];
  output: TensorJson; outWeights: number[]; weights: TensorJson | null; weightWeights: number[] | null;
  inputGrads: Record<string, number[]>; paramGrads: Record<string, number[]>;
}
const REF = JSON.parse(fs.readFileSync(join(__dirname, 'fixtures', 'transformer', 'reference.json'), 'utf8')) as {
  torch: string; sdpa: SdpaCase[]; cases: ModuleCase[]; squareSubsequentMask3: (number | string)[][];
};

function close(actual: torch.Tensor, expected: number[]): void {
  const a = Array.from(actual.detach().reshape([-1]).toArray() as unknown as ArrayLike<number>, Number);
  expect(a.length).toBe(expected.length);
  for (let i = 0; i < a.length; i++) {
    const tol = 1e-6 + 1e-5 * Math.abs(expected[i]);
    if (!(Math.abs(a[i] - expected[i]) <= tol)) throw new Error(`index ${i}: ${a[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

const tensorOf = (j: TensorJson): torch.Tensor => torch.tensor(j.values).reshape(j.shape);

function maskOf(m: MaskJson): torch.Tensor {
  if ('causal' in m) return nn.Transformer.generateSquareSubsequentMask(m.causal);
  return m.dtype === 'bool' ? torch.tensor(m.values.map((v) => v === 1)).reshape(m.shape) : torch.tensor(m.values).reshape(m.shape);
}

/** Mask specs become tensors; booleans and numbers stay. */
function optionsOf(json: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, v !== null && typeof v === 'object' ? maskOf(v as MaskJson) : v]));
}

/** The generator's fixed parameter values: parameter k, element i → ((7i + 3k) % 17 - 8) / 32. */
function paramValues(p: torch.Tensor, k: number): torch.Tensor {
  return torch.tensor(Array.from({ length: p.numel() }, (_, i) => ((7 * i + 3 * k) % 17 - 8) / 32)).reshape(p.shape);
}

function layerOptions(options: Record<string, unknown>): Record<string, unknown> {
  const a = options.activation as { module: string; approximate: 'none' | 'tanh' } | string | undefined;
  return a !== undefined && typeof a === 'object' ? { ...options, activation: new nn.GELU({ approximate: a.approximate }) } : options;
}

function build(b: BuildJson): nn.Module {
  switch (b.kind) {
    case 'MultiheadAttention': return new nn.MultiheadAttention(b.args![0], b.args![1], b.options);
    case 'TransformerEncoderLayer': return new nn.TransformerEncoderLayer(b.args![0], b.args![1], layerOptions(b.options));
    case 'TransformerDecoderLayer': return new nn.TransformerDecoderLayer(b.args![0], b.args![1], layerOptions(b.options));
    case 'TransformerEncoder': {
      const norm = b.normEps === null ? null : new nn.LayerNorm(b.layer!.args![0], { eps: b.normEps });
      return new nn.TransformerEncoder(build(b.layer!), b.numLayers!, norm, b.options);
    }
    case 'Transformer': return new nn.Transformer(layerOptions(b.options));
    default: throw new Error(`unknown kind ${b.kind}`);
  }
}

describe('F.scaledDotProductAttention matches PyTorch 2.13', () => {
  test.each(REF.sdpa.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const q = tensorOf(c.query).requiresGrad_(true);
    const k = tensorOf(c.key).requiresGrad_(true);
    const v = tensorOf(c.value).requiresGrad_(true);
    const out = F.scaledDotProductAttention(q, k, v, optionsOf(c.options));
    expect(out.shape).toEqual(c.output.shape);
    close(out, c.output.values);
    out.mul(torch.tensor(c.outWeights).reshape(out.shape)).sum().backward();
    close(q.grad!, c.grads.query);
    close(k.grad!, c.grads.key);
    close(v.grad!, c.grads.value);
  });
});

describe('modules match PyTorch 2.13', () => {
  test.each(REF.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = build(c.build);
    if (c.eval) m.eval();
    expect(String(m)).toBe(c.repr);
    expect(Object.keys(m.stateDict())).toEqual(c.stateKeys);
    expect(m.namedParameters().map(([n]) => n)).toEqual(c.paramNames);
    torch.noGrad(() => m.namedParameters().forEach(([, p], k) => p.copy_(paramValues(p, k))));
    const inputs = new Map<string, torch.Tensor>();
    for (const i of c.inputs) inputs.set(i.name, 'same' in i ? inputs.get(i.same)! : tensorOf(i.tensor).requiresGrad_(true));
    const result = m(...inputs.values(), optionsOf(c.forward)) as torch.Tensor | [torch.Tensor, torch.Tensor | null];
    const [out, weights] = Array.isArray(result) ? result : [result, null];
    expect(out.shape).toEqual(c.output.shape);
    close(out, c.output.values);
    let loss = out.mul(torch.tensor(c.outWeights).reshape(out.shape)).sum();
    if (c.weights === null) {
      expect(weights).toBeNull();
    } else {
      expect(weights!.shape).toEqual(c.weights.shape);
      close(weights!, c.weights.values);
      loss = loss.add(weights!.mul(torch.tensor(c.weightWeights!).reshape(weights!.shape)).sum());
    }
    loss.backward();
    for (const [name, grad] of Object.entries(c.inputGrads)) close(inputs.get(name)!.grad!, grad);
    for (const [name, p] of m.namedParameters()) close(p.grad!, c.paramGrads[name]);
  });
});

describe('functional form, initialisation, copies and masks', () => {
  test('F.multiHeadAttentionForward gives the module\'s output and weights', () => {
    const c = REF.cases.find((x) => x.name.startsWith('MHA kdim and vdim without bias'))!;
    const m = build(c.build) as nn.MultiheadAttention;
    torch.noGrad(() => m.namedParameters().forEach(([, p], k) => p.copy_(paramValues(p, k))));
    const [q, k, v] = c.inputs.map((i) => tensorOf((i as { tensor: TensorJson }).tensor));
    const [out, weights] = F.multiHeadAttentionForward(q, k, v, 4, 2, null, null, null, null, false, 0, m.outProj.weight, null, {
      useSeparateProjWeight: true, qProjWeight: m.qProjWeight, kProjWeight: m.kProjWeight, vProjWeight: m.vProjWeight,
      attnMask: maskOf(c.forward.attnMask as MaskJson), averageAttnWeights: false,
    });
    close(out, c.output.values);
    close(weights!, c.weights!.values);
  });

  test('MultiheadAttention starts as PyTorch: Xavier-uniform projections, zero biases', () => {
    const m = new nn.MultiheadAttention(8, 2, { addBiasKv: true });
    const bound = Math.sqrt(6 / (8 + 24));
    const w = m.inProjWeight!;
    expect(w.shape).toEqual([24, 8]);
    expect(w.abs().max().item()).toBeLessThanOrEqual(bound);
    expect(w.abs().max().item()).toBeGreaterThan(bound / 2);
    expect(m.inProjBias!.abs().sum().item()).toBe(0);
    expect(m.outProj.bias!.abs().sum().item()).toBe(0);
    expect(m.biasK!.shape).toEqual([1, 1, 8]);
    expect(m.biasK!.abs().sum().item()).toBeGreaterThan(0);
    expect(m.qProjWeight).toBeNull();
    const separate = new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false });
    expect([separate.qProjWeight!.shape, separate.kProjWeight!.shape, separate.vProjWeight!.shape]).toEqual([[8, 8], [8, 3], [8, 5]]);
    expect(separate.inProjWeight).toBeNull();
    expect(separate.outProj.bias).toBeNull();
  });

  test('TransformerEncoder deep-copies the layer: same starting values, separate parameters', () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 });
    const encoder = new nn.TransformerEncoder(layer, 3);
    const layers = encoder.layers.children() as nn.TransformerEncoderLayer[];
    expect(layers.length).toBe(3);
    for (const copy of layers) {
      expect(copy).toBeInstanceOf(nn.TransformerEncoderLayer);
      expect(copy === layer).toBe(false);
      expect(copy.selfAttn.inProjWeight!.equal(layer.selfAttn.inProjWeight!)).toBe(true);
      expect(copy.linear1.weight === layer.linear1.weight).toBe(false);
      expect(copy.norm1.normalizedShape).toEqual([4]);
    }
    torch.noGrad(() => layers[0].linear1.weight.fill_(3));
    expect(layers[1].linear1.weight.eq(3).all().item<boolean>()).toBe(false);
    expect(encoder.parameters().length).toBe(3 * layer.parameters().length);
    const x = torch.randn([5, 2, 4]);
    expect(encoder(x).shape).toEqual([5, 2, 4]);
  });

  test('Transformer re-draws every matrix Xavier-uniform, so the layers differ', () => {
    const model = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 8 });
    const sd = model.stateDict();
    expect(sd['encoder.layers.0.linear1.weight'].equal(sd['encoder.layers.1.linear1.weight'])).toBe(false);
    expect(sd['encoder.layers.0.linear1.bias'].equal(sd['encoder.layers.1.linear1.bias'])).toBe(true);
    expect([model.dModel, model.nhead, model.batchFirst]).toEqual([4, 2, false]);
  });

  test('generateSquareSubsequentMask is PyTorch\'s', () => {
    const mask = nn.Transformer.generateSquareSubsequentMask(3);
    const expected = REF.squareSubsequentMask3.flat().map((v) => (v === '-inf' ? -Infinity : Number(v)));
    expect(Array.from(mask.toArray() as Float32Array)).toEqual(expected);
    expect(nn.Transformer.generateSquareSubsequentMask(2, { dtype: 'float64' }).dtype).toBe('float64');
  });

  test('a causal float mask and isCausal give the same attention', () => {
    const m = new nn.MultiheadAttention(4, 2, { batchFirst: true });
    const x = torch.randn([2, 5, 4]);
    const mask = nn.Transformer.generateSquareSubsequentMask(5);
    const [hinted] = m(x, x, x, { attnMask: mask, isCausal: true, needWeights: false });
    const [plain] = m(x, x, x, { attnMask: mask });
    close(hinted, Array.from(plain.toArray() as Float32Array));
    const q = torch.randn([1, 2, 5, 4]);
    close(F.scaledDotProductAttention(q, q, q, { isCausal: true }),
      Array.from(F.scaledDotProductAttention(q, q, q, { attnMask: torch.ones([5, 5], { dtype: 'bool' }).tril() }).toArray() as Float32Array));
  });

  test('the state dict loads back into a fresh model', () => {
    const a = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 });
    const b = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 });
    b.loadStateDict(a.stateDict());
    expect(b.multiheadAttn.inProjWeight!.equal(a.multiheadAttn.inProjWeight!)).toBe(true);
  });
});

describe('bad options are refused, naming the option', () => {
  const x = torch.zeros([3, 2, 4]);
  test.each([
    ['MHA numHeads not dividing embedDim', () => new nn.MultiheadAttention(6, 4), RangeError, /numHeads/],
    ['MHA embedDim 0', () => new nn.MultiheadAttention(0, 1), RangeError, /embedDim/],
    ['MHA dropout out of range', () => new nn.MultiheadAttention(4, 2, { dropout: 1.5 }), RangeError, /dropout/],
    ['MHA snake_case option', () => new nn.MultiheadAttention(4, 2, { batch_first: true } as never), TypeError, /batchFirst/],
    ['MHA forward unknown option', () => new nn.MultiheadAttention(4, 2)(x, x, x, { mask: null } as never), TypeError, /mask/],
    ['MHA isCausal without attnMask', () => new nn.MultiheadAttention(4, 2)(x, x, x, { isCausal: true }), RangeError, /attnMask/],
    ['MHA integer mask', () => new nn.MultiheadAttention(4, 2)(x, x, x, { attnMask: torch.zeros([3, 3], { dtype: 'int64' }) }), TypeError, /attnMask/],
    ['layer activation string', () => new nn.TransformerEncoderLayer(4, 2, { activation: 'tanh' as never }), RangeError, /activation/],
    ['layer activation type', () => new nn.TransformerDecoderLayer(4, 2, { activation: 3 as never }), TypeError, /activation/],
    ['layer dimFeedforward', () => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 2.5 }), TypeError, /dimFeedforward/],
    ['encoder numLayers', () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2), 0), RangeError, /numLayers/],
    ['Transformer batch mismatch', () => new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 })(x, torch.zeros([3, 1, 4])), RangeError, /tgt/],
    ['SDPA isCausal with attnMask', () => F.scaledDotProductAttention(x, x, x, { isCausal: true, attnMask: torch.zeros([2, 2]) }), RangeError, /attnMask/],
    ['SDPA dropoutP type', () => F.scaledDotProductAttention(x, x, x, { dropoutP: 'x' as never }), TypeError, /dropoutP/],
  ] as const)('%s', (_n, fn, Err, re) => {
    expect(fn).toThrow(Err);
    expect(fn).toThrow(re);
  });
});
