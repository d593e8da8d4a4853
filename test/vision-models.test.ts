/**
 * vision.models against torchvision 0.14 (Debian's /usr/bin/python3: torch 1.13 + torchvision 0.14).
 *
 * State dicts are far too big to check in (vit_b_16 alone is 330 MB), so the checked-in generator
 * test/fixtures/vision_models/generate.py runs here, once, into a cache folder under os.tmpdir()
 * keyed by the generator's hash (~3.3 GB; older caches of this suite are removed). For each case it
 * writes a random-init state dict (torch.manual_seed per model, constant tensors redrawn so every
 * key matters), a fixed input and torchvision's eval-mode logits. Each case here builds the model
 * with the same options and seed and checks: the parameter count, the state-dict keys in order, the
 * default initialisation (per-key mean/std within sampling error of torchvision's, the same
 * distribution family, constants exact), that torchvision's state dict loads with `strict: true`,
 * and the eval-mode logits (max |Δ| ≤ 1e-4 × max |logit|). `String(model)` is compared with
 * torchvision's repr as PyTorch 2.x prints it (nodetorch's layers print as 2.x does), made by the
 * generator's --repr-only mode under pip's python3 (torch 2.x running Debian's torchvision code).
 * Builders not run as cases are counted against torchvision's documented `num_params`.
 * Without /usr/bin/python3 + torchvision the suite is skipped, with the reason in its title.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, test } from 'vitest';
import * as torch from '../lib';
import * as vision from '../lib/vision';

const { models, ops } = vision;

// Mostly small ops on small inputs: one intra-op thread is faster than OpenMP's hand-offs, and
// keeps the timings steady on a busy machine.
torch.setNumThreads(1);

const GENERATOR = path.join(__dirname, 'fixtures', 'vision_models', 'generate.py');
const DEBIAN_PYTHON = '/usr/bin/python3';
const CACHE_PREFIX = 'nodetorch-vision-models-';

interface Case {
  case: string; builder: string; options: Record<string, unknown>; seed: number; inputShape: number[];
  numParams: number; keys: string[]; initStats: Record<string, [number, number, number, number]>; logitScale: number;
}
interface Manifest { torch: string; torchvision: string; cases: Case[]; documented: Record<string, { numParams: number; minSize: [number, number] }> }

/** The first line a Python prints for `code`, or null if it cannot run it. */
function probe(python: string, code: string): string | null {
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

function run(python: string, args: string[]): void {
  const r = spawnSync(python, [GENERATOR, ...args], { encoding: 'utf8', timeout: 1_800_000, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${python} ${path.relative(process.cwd(), GENERATOR)} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
}

const debianTorch = fs.existsSync(DEBIAN_PYTHON) ? probe(DEBIAN_PYTHON, 'import torch, torchvision; print(torch.__version__, torchvision.__version__)') : null;
const SKIP = debianTorch === null ? `${DEBIAN_PYTHON} with torch and torchvision is not available to generate the reference models` : null;
if (SKIP) console.warn(`test/vision-models.test.ts skipped: ${SKIP}`);

const HASH = createHash('sha256').update(fs.readFileSync(GENERATOR)).digest('hex').slice(0, 16);
const CACHE = path.join(os.tmpdir(), CACHE_PREFIX + HASH);

/** The cached reference files, generated on first use (into a temporary folder, then renamed, so concurrent runs are safe). */
function ensureCache(): Manifest {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (new RegExp(`^${CACHE_PREFIX}[0-9a-f]{16}$`).test(name) && name !== CACHE_PREFIX + HASH) {
      fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
  if (!fs.existsSync(path.join(CACHE, 'manifest.json'))) {
    const tmp = `${CACHE}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    const t0 = performance.now();
    run(DEBIAN_PYTHON, [tmp]);
    console.log(`generated the reference models in ${((performance.now() - t0) / 1000).toFixed(1)} s (cache ${CACHE})`);
    try {
      fs.renameSync(tmp, CACHE);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another run finished first
    }
  }
  return JSON.parse(fs.readFileSync(path.join(CACHE, 'manifest.json'), 'utf8')) as Manifest;
}

/** torchvision's reprs as PyTorch 2.x prints them, or the reason there are none. */
function ensureReprs(): Record<string, string> | string {
  const existing = fs.readdirSync(CACHE).find((f) => /^reprs-2\.\d+\.json$/.test(f));
  if (existing === undefined) {
    const version = probe('python3', 'import torch; print(torch.__version__)');
    if (version === null || !/^2\./.test(version)) return `python3 with torch 2.x is not available (found ${version ?? 'none'}) to print torchvision's repr as nodetorch's layers do`;
    run('python3', [CACHE, '--repr-only']);
  }
  const file = fs.readdirSync(CACHE).find((f) => /^reprs-2\.\d+\.json$/.test(f))!;
  return (JSON.parse(fs.readFileSync(path.join(CACHE, file), 'utf8')) as { reprs: Record<string, string> }).reprs;
}

const MANIFEST = SKIP ? null : ensureCache();
const REPRS = SKIP ? 'skipped' : ensureReprs();
if (typeof REPRS === 'string' && !SKIP) console.warn(`test/vision-models.test.ts: repr comparison skipped: ${REPRS}`);

type Builder = (options?: Record<string, unknown>) => torch.nn.Module;
const builder = (name: string): Builder => {
  const b = (models as unknown as Record<string, Builder>)[name];
  if (typeof b !== 'function') throw new Error(`vision.models has no builder ${name}`);
  return b;
};
const countParameters = (m: torch.nn.Module) => m.parameters().reduce((n, p) => n + p.numel(), 0);
const num = (t: torch.Tensor) => Number(t.item());

function disposeModel(m: torch.nn.Module): void {
  for (const t of [...m.parameters(), ...m.buffers()]) t.dispose();
}

/**
 * The default initialisation of one state-dict entry against torchvision's statistics
 * `[numel, mean, std, absmax]`: constants exactly; random ones within 6 standard errors for the
 * mean and the std, and of the same family (uniform has absmax/std ≤ √3, a normal sample of 1000
 * or more exceeds 2 with probability 1 − 1e-20).
 */
function expectInit(key: string, t: torch.Tensor, [n, mean, std, absmax]: [number, number, number, number]): void {
  const where = `default init of ${key}`;
  expect(t.numel(), where).toBe(n);
  if (!t.isFloatingPoint()) {
    expect(num(t.double().mean()), where).toBe(mean);
    return;
  }
  const [s, mu] = torch.stdMean(t.detach(), null, { correction: 0 });
  const [sd, m] = [num(s), num(mu)];
  if (std === 0) {
    expect([sd, m], where).toEqual([0, mean]);
    return;
  }
  const se = std / Math.sqrt(n);
  expect(Math.abs(m - mean), `${where}: mean ${m} vs ${mean}`).toBeLessThanOrEqual(6 * se + 1e-9);
  expect(Math.abs(sd - std), `${where}: std ${sd} vs ${std}`).toBeLessThanOrEqual(6 * se + 1e-9);
  if (n >= 1000) expect(num(t.abs().max()) / sd < 1.9, `${where}: uniform or not`).toBe(absmax / std < 1.9);
}

interface Row { name: string; params: number; diff: number; ms: number }
const rows: Row[] = [];
const actualReprs: Record<string, string> = {};

describe.skipIf(SKIP !== null)(`vision.models against torchvision 0.14${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  afterAll(() => {
    if (rows.length === 0) return;
    const lines = rows.map((r) => `| ${r.name} | ${r.params.toLocaleString('en-US')} | ${r.diff.toExponential(2)} | ${(r.ms / 1000).toFixed(2)} s |`);
    console.log(`LibTorch ${torch.config().libtorchVersion}, references from torch ${MANIFEST!.torch}, torchvision ${MANIFEST!.torchvision}\n` +
      `| model | parameters | max abs logit diff / max abs logit | time |\n| --- | --- | --- | --- |\n${lines.join('\n')}`);
  });

  for (const c of MANIFEST?.cases ?? []) {
    const label = `${c.case}: ${c.builder}(${JSON.stringify(c.options)}) on [${c.inputShape.join(', ')}]`;
    test(`${label}: parameters, keys, default init, strict load, logits`, () => {
      const t0 = performance.now();
      torch.manualSeed(c.seed);
      const model = builder(c.builder)(c.options);
      actualReprs[c.case] = String(model);
      expect(countParameters(model)).toBe(c.numParams);
      const own = model.stateDict();
      expect(Object.keys(own)).toEqual(c.keys);
      for (const [k, t] of Object.entries(own)) expectInit(k, t, c.initStats[k]);

      const sd = torch.load(path.join(CACHE, `${c.case}.pth`)) as Record<string, torch.Tensor>;
      expect(model.loadStateDict(sd, { strict: true })).toEqual({ missingKeys: [], unexpectedKeys: [] });
      const io = torch.load(path.join(CACHE, `${c.case}.io.pth`)) as { input: torch.Tensor; logits: torch.Tensor };
      expect(io.input.shape).toEqual(c.inputShape);
      model.eval();
      const logits = torch.noGrad(() => model(io.input) as torch.Tensor);
      expect(logits.shape).toEqual(io.logits.shape);
      const diff = num(logits.sub(io.logits).abs().max());
      expect(diff, `max |Δlogit| with |logit| ≤ ${c.logitScale}`).toBeLessThanOrEqual(1e-4 * c.logitScale);
      rows.push({ name: c.case, params: c.numParams, diff: diff / c.logitScale, ms: performance.now() - t0 });
      for (const t of [...Object.values(sd), io.input, io.logits, logits]) t.dispose();
      disposeModel(model);
    }, 300_000);
  }

  test.skipIf(typeof REPRS === 'string')(`String(model) is torchvision's repr (as PyTorch 2.x prints it)${typeof REPRS === 'string' ? ` (skipped: ${REPRS})` : ''}`, () => {
    const reprs = REPRS as Record<string, string>;
    for (const name of ['resnet18', 'mobilenet_v3_small']) {
      expect(actualReprs[name], `${name} was built by its case`).toBeDefined();
      expect(actualReprs[name]).toBe(reprs[name]);
    }
    for (const c of MANIFEST!.cases) if (actualReprs[c.case] !== undefined) expect(actualReprs[c.case], c.case).toBe(reprs[c.case]);
  });

  // Builders not run as cases above, each covering a configuration of its family's code (the
  // tables of stages, widths and multipliers): torchvision's documented parameter count.
  const COUNTED = [
    'resnet152', 'wideResnet50_2', 'resnext101_64x4d', 'densenet161', 'densenet169', 'densenet201', 'efficientnetB1',
    'efficientnetB2', 'efficientnetB3', 'efficientnetB4', 'efficientnetB5', 'efficientnetB6', 'efficientnetB7', 'efficientnetV2M',
    'shufflenetV2X1_5', 'shufflenetV2X2_0', 'vitB_32', 'vgg13', 'vgg19Bn', 'mobilenetV2', 'mobilenetV3Large', 'squeezenet1_0', 'alexnet',
  ];
  test.each(COUNTED)('%s() has torchvision\'s documented parameter count', (name) => {
    const doc = MANIFEST!.documented[name];
    const model = builder(name)(name.startsWith('vit') ? { imageSize: doc.minSize[0] } : {});
    expect(countParameters(model)).toBe(doc.numParams);
    disposeModel(model);
  }, 120_000);
});

describe('vision.models: options, weights and training mode', () => {
  test('weights: only null (none are reachable offline), as a TorchError', () => {
    expect(() => models.resnet18({ weights: 'IMAGENET1K_V1' } as never)).toThrow(torch.TorchError);
    try {
      models.mobilenetV3Small({ weights: 'DEFAULT' } as never);
    } catch (e) {
      expect((e as torch.TorchError).code).toBe('WEIGHTS_UNAVAILABLE');
      expect((e as Error).message).toMatch(/loadStateDict/);
    }
    expect(countParameters(models.squeezenet1_1({ weights: null, numClasses: 3 }))).toBe(724_035);
  });

  test('bad options are TypeErrors and RangeErrors', () => {
    expect(() => models.resnet18({ num_classes: 10 } as never)).toThrow(/numClasses/);
    expect(() => models.resnet18({ num_classes: 10 } as never)).toThrow(TypeError);
    expect(() => models.resnet18({ numClasses: 0 })).toThrow(RangeError);
    expect(() => models.resnet18({ numClasses: 2.5 })).toThrow(TypeError);
    expect(() => models.resnext50_32x4d({ groups: 4 } as never)).toThrow(RangeError); // fixed at 32 by the builder, as torchvision's
    expect(() => new models.ResNet(models.Bottleneck, [3, 4, 6])).toThrow(RangeError);
    expect(() => new models.ResNet(models.BasicBlock, [2, 2, 2, 2], { replaceStrideWithDilation: [false, true, true] })).toThrow(RangeError);
    expect(() => models.mobilenetV3Small({ widthMult: -1 })).toThrow(RangeError);
    expect(() => models.mobilenetV2({ dropout: 2 })).toThrow(RangeError);
    expect(() => new models.SqueezeNet('1_2' as never)).toThrow(RangeError);
    expect(() => models.densenet121({ memoryEfficient: true })).toThrow(/checkpoint/);
    expect(() => models.efficientnetB5({ normLayer: (n: number) => new torch.nn.BatchNorm2d(n) } as never)).toThrow(TypeError);
    expect(() => models.vitB_16({ imageSize: 100 })).toThrow(RangeError);
    expect(() => new ops.StochasticDepth(1.5, 'row')).toThrow(RangeError);
    expect(() => new ops.StochasticDepth(0.5, 'column' as never)).toThrow(RangeError);
    expect(() => new ops.Conv2dNormActivation(3, 8, { normLayer: 'bn' as never })).toThrow(TypeError);
  });

  test('a ViT refuses an image of the wrong size', () => {
    const vit = new models.VisionTransformer(32, 16, 1, 2, 8, 16, { numClasses: 3 });
    expect((vit(torch.randn([2, 3, 32, 32])) as torch.Tensor).shape).toEqual([2, 3]);
    expect(() => vit(torch.randn([2, 3, 48, 48]))).toThrow(torch.TorchError);
  });

  test('custom norm layers and blocks are used where torchvision uses them', () => {
    const gn = (n: number) => new torch.nn.GroupNorm(2, n);
    const model = models.resnet18({ numClasses: 4, normLayer: gn });
    expect(model.bn1).toBeInstanceOf(torch.nn.GroupNorm);
    expect(((model.layer2[0] as InstanceType<typeof models.BasicBlock>).downsample as torch.nn.Sequential)[1]).toBeInstanceOf(torch.nn.GroupNorm);
    const convnext = new models.ConvNeXt([new models.CNBlockConfig(8, 16, 1), new models.CNBlockConfig(16, null, 1)], { numClasses: 3 });
    expect(String(convnext.features[0])).toMatch(/LayerNorm2d\(\(8,\), eps=1e-06/);
    expect((convnext(torch.randn([1, 3, 32, 32])) as torch.Tensor).shape).toEqual([1, 3]);
  });

  test('training mode: stochastic depth drops whole rows, and gradients reach every parameter', () => {
    torch.manualSeed(0);
    const x = torch.ones([64, 3, 2, 2]);
    const y = ops.stochasticDepth(x, 0.5, 'row', true);
    const perRow = y.sum([1, 2, 3]).toArray() as Float32Array;
    expect(new Set(Array.from(perRow))).toEqual(new Set([0, 24])); // dropped, or kept and scaled by 1 / (1 - p)
    expect(ops.stochasticDepth(x, 0.5, 'row', false)).toBe(x);

    for (const model of [models.mobilenetV3Small({ numClasses: 3 }), models.efficientnetB0({ numClasses: 3, stochasticDepthProb: 0.5 })]) {
      model.train();
      const loss = torch.nn.functional.crossEntropy(model(torch.randn([2, 3, 32, 32])) as torch.Tensor, torch.tensor([0, 2]));
      loss.backward();
      const missing = model.namedParameters().filter(([, p]) => p.grad === null).map(([k]) => k);
      expect(missing).toEqual([]);
    }
  });
});
