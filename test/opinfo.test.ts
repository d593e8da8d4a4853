/**
 * PyTorch's own op test database (OpInfo, test/fixtures/opinfo: float32 samples, outputs and
 * input gradients computed by PyTorch 2.13) replayed through nodetorch's generated op layer.
 *
 * Each OpInfo is called as Python calls it: `torch.<name>(input, ...args, **kwargs)` when its
 * op is that torch function (torch.linalg/special/fft included), else as the Tensor method
 * `input.<name>(...args, **kwargs)`. Keyword arguments go positionally where the signature has
 * them positionally (Python allows either), the rest in the options object. Forward outputs are
 * compared with torch.testing.assert_close's float32 tolerances (rtol 1.3e-6, atol 1e-5);
 * gradients of sum(output · gradOutput) with rtol 1e-5, atol 1e-5 (they come from a different
 * summation order than autograd.grad's). nn.functional entries are counted apart: their Python
 * forms are hand-written layers over these ops, not generated ones.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import * as torch from '../lib';
import { callFunction, callMethod, rowsOf, table, type Row } from '../lib/dispatch';
import { R } from '../lib/generated/internal';

const DIR = join(__dirname, 'fixtures', 'opinfo');
const INDEX = JSON.parse(fs.readFileSync(join(DIR, 'index.json'), 'utf8'));
const DATA = fs.readFileSync(join(DIR, 'data.bin'));
const VERSION = torch.config().libtorchVersion;

type Json = any;

function camel(name: string): string {
  const trail = name.endsWith('_') && !name.endsWith('__') ? '_' : '';
  const core = trail ? name.slice(0, -1) : name;
  return core.split('_').map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1))).join('') + trail;
}

function decode(v: Json): any {
  if (v === null || typeof v === 'boolean') return v;
  if ('int' in v) return v.int;
  if ('float' in v) return v.float === 'inf' ? Infinity : v.float === '-inf' ? -Infinity : v.float === 'nan' ? NaN : v.float;
  if ('str' in v) return v.str;
  if ('dtype' in v) return v.dtype;
  if ('device' in v) return v.device;
  if ('memoryFormat' in v) return v.memoryFormat;
  if ('list' in v) return v.list.map(decode);
  if ('tuple' in v) return v.tuple.map(decode);
  const t = v.tensor;
  const numel = t.shape.reduce((a: number, b: number) => a * b, 1);
  const bytes = DATA.subarray(t.offset, t.offset + numel * torch.DTYPE_SIZE[t.dtype as torch.DType]);
  const x = torch.frombuffer(new Uint8Array(bytes), t.dtype).view(t.shape).clone();
  return t.requiresGrad ? x.requiresGrad_(true) : x;
}

/** The tensors of a decoded sample that require grad, in the generator's `gradInputs` order. */
function at(sample: { input: any; args: any[]; kwargs: Record<string, any> }, path: string): any {
  const [head, ...rest] = path.split('.');
  let v: any = head === 'input' ? sample.input : head === 'args' ? sample.args : sample.kwargs;
  if (head === 'kwargs') v = v[rest.shift()!];
  for (const k of rest) v = v[Number(k)];
  return v;
}

/** Rows for a Python name: function form (namespaced) or method form. */
function rowsFor(name: string, method: boolean): { rows: Row[]; pyName: string } | null {
  if (method) return R[`method_${name}`] ? { rows: rowsOf(R[`method_${name}`]), pyName: name } : null;
  const [ns, fn] = name.includes('.') ? name.split('.') : ['torch', name];
  const key = ns === 'torch' ? `torch_${fn}` : `${ns}_${ns}_${fn}`;
  return R[key] ? { rows: rowsOf(R[key]), pyName: fn } : null;
}

/**
 * Python's call with keywords: each overload gets the keywords it has positionally in place,
 * the rest as options; the first overload that accepts the call runs.
 */
function pyCall(rows: Row[], pyName: string, self: unknown, args: unknown[], kwargs: Record<string, unknown>): unknown {
  let lastError: unknown;
  for (const row of rows) {
    const positional = row[2].filter((p) => p[4] !== 1).map((p) => p[0]);
    const list = [...args];
    const options: Record<string, unknown> = {};
    let ok = true;
    for (const [k, v] of Object.entries(kwargs)) {
      const name = camel(k === 'self' ? 'input' : k);
      const j = positional.indexOf(name);
      if (j >= 0) {
        if (j < args.length) { ok = false; break; }
        while (list.length < j) list.push(undefined);
        list[j] = v;
      } else options[name] = v;
    }
    if (!ok) {
      lastError = new TypeError(`${pyName}: a keyword argument is also given positionally`);
      continue;
    }
    const all = Object.keys(options).length ? [...list, options] : list;
    try {
      const one = { ...table(''), rows: [row] };
      return self === undefined ? callFunction(one, pyName, all) : callMethod(one, pyName, self, all);
    } catch (e) {
      lastError = e;
      if (!(e instanceof TypeError)) throw e;
    }
  }
  throw lastError;
}

function close(got: any, want: any, rtol: number, atol: number, valuesToo: boolean): string | null {
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) return `expected ${want.length} outputs`;
    for (let i = 0; i < want.length; i++) {
      const r = close(got[i], want[i], rtol, atol, valuesToo);
      if (r) return `[${i}] ${r}`;
    }
    return null;
  }
  if (want instanceof torch.Tensor) {
    if (!(got instanceof torch.Tensor)) return `expected a tensor, got ${typeof got}`;
    if (got.shape.join() !== want.shape.join()) return `shape [${got.shape}] vs [${want.shape}]`;
    if (got.dtype !== want.dtype) return `dtype ${got.dtype} vs ${want.dtype}`;
    if (!valuesToo || want.numel() === 0) return null;
    const a = got.detach().double().toArray() as Float64Array;
    const b = want.detach().double().toArray() as Float64Array;
    for (let i = 0; i < b.length; i++) {
      if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
      if (a[i] === b[i]) continue;
      if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return `element ${i}: ${a[i]} vs ${b[i]}`;
    }
    return null;
  }
  if (typeof want === 'number') {
    const g = got instanceof torch.Tensor ? got.item() : got;
    return typeof g === 'number' && (g === want || Math.abs(g - want) <= atol + rtol * Math.abs(want) || (Number.isNaN(g) && Number.isNaN(want)))
      ? null : `${g} vs ${want}`;
  }
  return got === want ? null : `${got} vs ${want}`;
}

type Sample = { input: any; args: any[]; kwargs: Record<string, any> };

// Python-level names the OpInfo calls through a lambda: the same call in nodetorch's API.
const options = (kwargs: Record<string, any>) => Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [camel(k), v]));
const withOptions = (args: any[], kwargs: Record<string, any>) => (Object.keys(kwargs).length ? [...args, options(kwargs)] : args);
const ADAPTERS: Record<string, (s: Sample) => unknown> = {
  T: (s) => s.input.T, H: (s) => s.input.H, mT: (s) => s.input.mT, mH: (s) => s.input.mH,
  resize_: (s) => s.input.clone().resize_(...s.args), resize_as_: (s) => torch.resizeAs_(s.input.clone(), ...(s.args as [torch.Tensor])),
  zero_: (s) => torch.zero_(s.input.clone()),
  einsum: (s) => torch.einsum(s.args[0], s.input),
  slice: (s) => s.input.slice(...s.args),
  'linalg.lstsq.grad_oriented': (s) => (torch.linalg.lstsq as any)(s.input, s.args[0], { driver: s.kwargs.driver }).slice(0, 2),
  rand_like: (s) => torch.randnLike(s.input, options(s.kwargs)),
  'normal.number_mean': (s) => (torch.normal as any)(s.args[0], s.input, ...withOptions(s.args.slice(1), s.kwargs)),
  'linalg.pinv.singular': (s) => torch.linalg.pinv(s.input.matmul(s.args[0].mT)),
  'special.polygamma.special_polygamma_n_0': (s) => (torch.special.polygamma as any)(s.args[0], s.input, ...withOptions([], s.kwargs)),
  __radd__: (s) => torch.add(s.args[0], s.input), __rsub__: (s) => torch.sub(s.args[0], s.input),
  __rmul__: (s) => torch.mul(s.args[0], s.input), __rdiv__: (s) => torch.div(s.args[0], s.input),
  __rmatmul__: (s) => torch.matmul(s.args[0], s.input), __rmod__: (s) => torch.remainder(s.args[0], s.input),
  __rpow__: (s) => torch.pow(s.args[0], s.input),
};

// Ops OpInfo runs through wrapper_set_seed, which seeds the generator with 42 first.
const SEED_42 = new Set(['cauchy', 'empty_strided', 'exponential', 'geometric', 'item', 'log_normal', 'normal.in_place', 'randn',
  'uniform', 'randn_like', 'rand_like', 'randint', 'randint_like', 'normal', 'normal.number_mean', 'bernoulli', 'multinomial']);

// Python's parameter names of the hand-written (Python-level) functions whose keywords are positional in nodetorch.
const HAND_PARAMS: Record<string, string[]> = {
  cdist: ['x1', 'x2', 'p', 'compute_mode'], tensordot: ['a', 'b', 'dims'], norm: ['input', 'p', 'dim', 'keepdim'],
  unique: ['input', 'sorted', 'return_inverse', 'return_counts', 'dim'], unique_consecutive: ['input', 'return_inverse', 'return_counts', 'dim'],
};

function handArgs(name: string, s: Sample): any[] {
  const params = HAND_PARAMS[name];
  if (params === undefined) return withOptions(s.args, s.kwargs);
  const list: any[] = [...s.args];
  const rest: Record<string, any> = {};
  for (const [k, v] of Object.entries(s.kwargs)) {
    const j = params.indexOf(k) - 1;
    if (j >= 0) { while (list.length < j) list.push(undefined); list[j] = v; } else rest[k] = v;
  }
  return withOptions(list, rest);
}

/** A hand-written (Python-level) function or method of nodetorch's API, called as Python would. */
function handCall(op: Json, s: Sample): (() => unknown) | null {
  const key = op.variant ? `${op.name}.${op.variant}` : op.name;
  if (ADAPTERS[key] ?? ADAPTERS[op.name]) return () => (ADAPTERS[key] ?? ADAPTERS[op.name])(s);
  const name = camel(op.name.replace('.in_place', ''));
  if (op.name === 'normal' && op.variant === 'in_place') return () => s.input.normal_(...withOptions(s.args, s.kwargs));
  if (['cauchy', 'exponential', 'geometric', 'log_normal', 'uniform'].includes(op.name)) {
    return () => s.input[`${camel(op.name)}_`](...withOptions(s.args, s.kwargs));
  }
  const fn = (torch as any)[name];
  if (!op.name.includes('.') && typeof fn === 'function' && op.hasFunction) return () => fn(s.input, ...handArgs(op.name, s));
  const method = (torch.Tensor.prototype as any)[name];
  if (!op.name.includes('.') && typeof method === 'function' && s.input instanceof torch.Tensor) {
    return () => method.call(s.input, ...handArgs(op.name, s));
  }
  return null;
}

/** Python-level functions that nodetorch writes by hand (lib/functional.ts), not generated. */
function isHandWritten(name: string): boolean {
  return ['norm', 'unique', 'unique_consecutive', 'nonzero', 'tensordot', 'cdist', 'lu', 'broadcast_shapes'].includes(name);
}

/** Entries that are not part of the torch / Tensor / linalg / special / fft surface. */
function groupOf(name: string): string {
  if (name.startsWith('nn.')) return 'nn.functional';
  if (name.startsWith('_') || name.startsWith('torch.ops.') || name.endsWith('_backward')) return 'private';
  if (name.startsWith('masked.') || name.startsWith('signal.') || name === '__getitem__') return 'python modules';
  return 'generated';
}

interface Outcome { op: string; group: string; forward: 'match' | 'mismatch' | 'error' | 'unavailable' | 'no form'; grads: 'match' | 'mismatch' | 'error' | 'none'; why?: string }

function runOp(op: Json): Outcome {
  const key = op.variant ? `${op.name}.${op.variant}` : op.name;
  const group = groupOf(op.name);
  const adapted = Boolean(ADAPTERS[key] ?? ADAPTERS[op.name]) || SEED_42.has(key) || isHandWritten(op.name);
  const fnRows = !adapted && op.opIsFunction ? rowsFor(op.name, false) : null;
  const mRows = !adapted && !fnRows && op.hasMethod && !op.name.includes('.') ? rowsFor(op.name, true) : null;
  if (!fnRows && !mRows && handCall(op, { input: torch.zeros(1), args: [], kwargs: {} }) === null && !adapted) {
    return { op: key, group, forward: 'no form', grads: 'none', why: 'no function or method of that name' };
  }
  let forward: Outcome['forward'] = 'match';
  let grads: Outcome['grads'] = 'none';
  let why: string | undefined;
  for (const s of op.samples as Json[]) {
    const sample = { input: decode(s.input), args: s.args.map(decode), kwargs: Object.fromEntries(Object.entries(s.kwargs).map(([k, v]) => [k, decode(v)])) };
    let out: any;
    try {
      torch.manualSeed(SEED_42.has(key) || SEED_42.has(op.name) ? 42 : 0);
      out = fnRows
        ? pyCall(fnRows.rows, fnRows.pyName, undefined, [sample.input, ...sample.args], sample.kwargs)
        : mRows ? pyCall(mRows.rows, mRows.pyName, sample.input, sample.args, sample.kwargs)
          : handCall(op, sample)!();
    } catch (e: any) {
      const unavailable = e?.code === 'OP_UNAVAILABLE';
      return { op: key, group, forward: unavailable ? 'unavailable' : 'error', grads: 'none', why: String(e?.message ?? e).split('\n')[0].slice(0, 160) };
    }
    const want = decode(s.output);
    const r = close(out, want, 1.3e-6, 1e-5, !op.nondeterministicOutput);
    if (r !== null && forward === 'match') { forward = 'mismatch'; why = r; }
    if (s.grads === null || forward !== 'match') continue;
    try {
      const outs = Array.isArray(out) ? out : [out];
      const gos = s.gradOutputs.map(decode);
      let total: torch.Tensor | null = null;
      outs.forEach((o: any, i: number) => {
        if (gos[i] === null || !(o instanceof torch.Tensor) || !o.requiresGrad) return;
        const term = o.mul(gos[i]).sum();
        total = total === null ? term : total.add(term);
      });
      if (total === null) { grads = 'mismatch'; why = 'no output requires grad'; continue; }
      (total as torch.Tensor).backward();
      const wantGrads = s.grads.map(decode);
      for (let i = 0; i < s.gradInputs.length; i++) {
        const leaf = at(sample, s.gradInputs[i]);
        const g = leaf.grad;
        const w = wantGrads[i];
        const rr = w === null ? (g === null || g.abs().max().item() === 0 ? null : 'expected no gradient')
          : g === null ? (w.abs().max().item() === 0 ? null : 'no gradient') : close(g, w, 1e-5, 1e-5, true);
        if (rr !== null) { grads = 'mismatch'; why = `grad of ${s.gradInputs[i]}: ${rr}`; break; }
      }
      if (grads === 'none') grads = 'match';
    } catch (e: any) {
      grads = 'error';
      why = `grad: ${String(e?.message ?? e).split('\n')[0].slice(0, 140)}`;
    }
  }
  return { op: key, group, forward, grads, why };
}

test('OpInfo: PyTorch\'s op database replayed through the generated op layer', () => {
  const outcomes: Outcome[] = [];
  for (const op of INDEX.ops) {
    if (op.samples.length === 0) continue;
    outcomes.push(runOp(op));
  }
  const table = (group: string) => {
    const mine = outcomes.filter((o) => o.group === group);
    const n = (f: (o: Outcome) => boolean) => mine.filter(f).length;
    const withGrads = mine.filter((o) => INDEX.ops.find((op: Json) => (op.variant ? `${op.name}.${op.variant}` : op.name) === o.op)?.samples.some((s: Json) => s.grads !== null));
    return {
      group, ops: mine.length, forwardMatch: n((o) => o.forward === 'match'), mismatch: n((o) => o.forward === 'mismatch'),
      error: n((o) => o.forward === 'error'), unavailable: n((o) => o.forward === 'unavailable'), noForm: n((o) => o.forward === 'no form'),
      withGrads: withGrads.length, gradsMatch: withGrads.filter((o) => o.grads === 'match').length,
    };
  };
  const generated = table('generated');
  const functional = table('nn.functional');
  const others = [table('python modules'), table('private')];
  const failures = outcomes.filter((o) => o.forward !== 'match' || (o.grads !== 'match' && o.grads !== 'none'));
  console.log(`OpInfo (fixtures from torch ${INDEX.torch}) on LibTorch ${VERSION}`);
  console.table([generated, functional, ...others]);
  console.log(failures.filter((o) => o.group === 'generated').map((o) => `  ${o.op} [${o.group}] forward ${o.forward}, grads ${o.grads}: ${o.why ?? ''}`).join('\n'));
  // Targets (issue: ≥ 95% forward, ≥ 90% gradients) on the generated surface, on the LibTorch
  // the fixtures come from; another LibTorch lacks some ops and differs in others.
  if (VERSION.startsWith(INDEX.torch.split('.').slice(0, 2).join('.'))) {
    expect(generated.forwardMatch / generated.ops, JSON.stringify(generated)).toBeGreaterThanOrEqual(0.95);
    expect(generated.gradsMatch / generated.withGrads, JSON.stringify(generated)).toBeGreaterThanOrEqual(0.9);
  } else {
    expect(generated.forwardMatch / generated.ops).toBeGreaterThan(0.5);
  }
}, 120_000);
