/**
 * API fuzz: random calls to the tensor API — torch factories, every generated op
 * (lib/generated/ops.ts) and Tensor method, nn.functional, the grad/data/requiresGrad setters —
 * with random shapes and dtypes and hostile values (NaN, ±Infinity, -0, huge integers, negative
 * sizes, bigints, cyclic and sparse arrays, Proxies, getters that throw, strings, symbols, …).
 *
 *   npx tsx scripts/fuzz-api.ts [--calls 100000] [--seed 1] [--batch 4000] [--call-limit-ms 10000] [--jobs 1]
 *   npx tsx scripts/fuzz-api.ts --replay <call> [--seed 1]     # one call, in this process, for a repro
 *
 * Calls run in child processes, a batch each, under a 4 GiB address-space limit (so an
 * allocation LibTorch would make from a hostile size fails instead of swapping) and a per-call
 * time limit: an abort or a hang is counted against the call that was running and the next batch
 * starts after it, so nothing stops the run. Call `i` of seed `s` is the same call on every run.
 *
 * The summary: calls, outcomes by error class and TorchError code, errors not in nodetorch's
 * format (`Expected … for … but received …`) with samples, the longest message, the slowest call,
 * and each batch's RSS at its start and end (a synchronous loop of thousands of calls: growth
 * that stays is memory the loop does not give back). Zero aborts and zero hangs is the pass mark;
 * the exit status is 1 otherwise.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { mulberry32 } from '../test/helpers/pth-mutate';
import { flag } from './fuzz-args';

const ROOT = path.join(__dirname, '..');
const ADDRESS_SPACE_KIB = 4 * 1024 * 1024;

/**
 * Ops that loop as many times as an element's value (the degree `n` of torch.special's
 * orthogonal polynomials): given 2^62 (an int64 tensor or a scalar) they run for hours, in Python too
 * (`torch.special.legendre_polynomial_p(torch.tensor(0.), torch.tensor([2**62]))`). They are
 * fuzzed, but never with that tensor.
 */
const LOOPS_OVER_VALUES = /Polynomial/;

// ---- deterministic randomness: call i of seed s is always the same call ----------------------

type Rng = () => number;

function rngFor(seed: number, call: number): Rng {
  return mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(call + 1, 0xc2b2ae35));
}

const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];
const chance = (r: Rng, p: number): boolean => r() < p;
const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

// ---- the child: runs calls START..START+COUNT-1 and reports each ------------------------------

/** A generated value and how the call's description shows it. */
interface V { v: unknown; d: string }
/** One call: its description and the thunk that makes it. */
interface Call { d: string; run: () => unknown; foreign?: boolean }

/** What a hostile getter or Proxy trap throws: an error the input raised, not the library. */
class InputError extends Error {}

async function child(seed: number, start: number, count: number): Promise<void> {
  // Loaded here, not at the top: the parent never loads the addon. The child runs under
  // `-r tsx/cjs` with --disable-wasm-trap-handler: tsx's WebAssembly lexer would otherwise reserve
  // 10 GiB of address space, more than the limit allows.
  const torch: typeof import('../lib') = require('../lib');
  const { R }: typeof import('../lib/generated/internal') = require('../lib/generated/internal');
  const { rowsOf }: typeof import('../lib/dispatch') = require('../lib/dispatch');
  const ops: typeof import('../lib/generated/ops') = require('../lib/generated/ops');
  const F = torch.nn.functional as unknown as Record<string, unknown>;
  type T = InstanceType<typeof torch.Tensor>;
  // Synchronous writes, so the parent has every line up to a hang or an abort; stdout is a
  // non-blocking pipe, so a full pipe (EAGAIN) waits for the parent to read.
  const write = (line: string) => {
    const bytes = Buffer.from(`${line}\n`);
    for (let off = 0; off < bytes.length;) {
      try {
        off += fs.writeSync(1, bytes, off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      }
    }
  };

  // The tables of a generated function or method, found in its source (`R.torch_add`).
  const tableOf = (fn: unknown) => {
    const m = /\bR\.([A-Za-z0-9_]+)/.exec(String(fn));
    return m === null ? null : R[m[1]] ?? null;
  };

  const DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool', 'complex64'] as const;
  const SHAPES: number[][] = [[], [0], [1], [3], [2, 3], [3, 3], [2, 3, 4], [1, 2, 3, 4], [2, 0, 3], [4, 1], [2, 3, 8, 8]];
  const STRINGS = ['mean', 'sum', 'none', 'reflect', 'replicate', 'circular', 'constant', 'floor', 'trunc', 'linear', 'bilinear',
    'nearest', 'tanh', 'reduced', 'complete', 'L', 'U', 'fro', 'nuc', 'backward', 'forward', 'ortho', 'zeros', 'border', 'prod',
    'amax', 'amin', 'cpu', 'float32', 'strided', 'contiguous_format', 'channels_last', ':', '1:', '::2', '...', '0:-1'];

  const tensorV = (r: Rng, shape = pick(r, SHAPES)): V => {
    const dtype = pick(r, DTYPES);
    let t: T = torch.randn(shape).mul(3).to(dtype);
    let d = `T[${shape}]:${dtype}`;
    if (shape.length >= 2 && chance(r, 0.1)) { t = t.transpose(0, 1); d += '.T'; }
    if ((dtype === 'float32' || dtype === 'float64') && chance(r, 0.15)) { t.requiresGrad_(true); d += ':grad'; }
    return { v: t, d };
  };

  const proxyThrowing = (target: object): V => ({
    v: new Proxy(target, {
      get() { throw new InputError('get trap'); }, has() { throw new InputError('has trap'); },
      ownKeys() { throw new InputError('ownKeys trap'); }, getPrototypeOf() { throw new InputError('getPrototypeOf trap'); },
    }),
    d: `Proxy(${Array.isArray(target) ? '[]' : '{}'}, throwing)`,
  });

  // Hostile values, each made fresh (cyclic arrays and Proxies are cheap to build).
  const HOSTILE: ((r: Rng) => V)[] = [
    () => ({ v: NaN, d: 'NaN' }), () => ({ v: Infinity, d: 'Infinity' }), () => ({ v: -Infinity, d: '-Infinity' }),
    () => ({ v: -0, d: '-0' }), () => ({ v: 2 ** 31, d: '2**31' }), () => ({ v: -(2 ** 31), d: '-2**31' }),
    () => ({ v: 2 ** 53, d: '2**53' }), () => ({ v: 2 ** 53 + 2, d: '2**53+2' }), () => ({ v: 2 ** 63, d: '2**63' }),
    () => ({ v: -(2 ** 63), d: '-2**63' }), () => ({ v: 1e308, d: '1e308' }), () => ({ v: 5e-324, d: '5e-324' }),
    () => ({ v: 1.5, d: '1.5' }), () => ({ v: -1, d: '-1' }), () => ({ v: -7, d: '-7' }),
    () => ({ v: 1n, d: '1n' }), () => ({ v: -1n, d: '-1n' }), () => (hugeValuesOk ? { v: 2n ** 62n, d: '2n**62n' } : { v: -1n, d: '-1n' }), () => ({ v: 2n ** 63n, d: '2n**63n' }),
    () => ({ v: 2n ** 64n, d: '2n**64n' }), () => ({ v: 1n << 4096n, d: '1n<<4096n' }),
    () => ({ v: 'x', d: '"x"' }), () => ({ v: '', d: '""' }), () => ({ v: 'x'.repeat(1e6), d: '"x"*1e6' }),
    () => ({ v: Symbol('s'), d: 'Symbol(s)' }), () => ({ v: null, d: 'null' }), () => ({ v: undefined, d: 'undefined' }),
    () => ({ v: true, d: 'true' }), () => ({ v: {}, d: '{}' }), () => ({ v: [], d: '[]' }), () => ({ v: [[]], d: '[[]]' }),
    () => { const a: unknown[] = []; a[0] = a; return { v: a, d: 'cyclic[]' }; },
    () => { const a: unknown[] = [1, 2]; a.push(a); return { v: a, d: '[1,2,cyclic]' }; },
    () => ({ v: new Array(1e8), d: 'new Array(1e8)' }), () => ({ v: [1, , 2], d: '[1,,2]' }), // eslint-disable-line no-sparse-arrays
    () => ({ v: new Array(2 ** 32 - 1), d: 'new Array(2**32-1)' }),
    () => ({ v: [-1], d: '[-1]' }), () => ({ v: [-5, 2], d: '[-5,2]' }), () => ({ v: [2 ** 31, 2 ** 31], d: '[2**31,2**31]' }),
    () => ({ v: [2 ** 62, 4], d: '[2**62,4]' }), () => ({ v: [NaN], d: '[NaN]' }), () => ({ v: [1n, 2n], d: '[1n,2n]' }),
    () => ({ v: [1, 'a'], d: '[1,"a"]' }), () => ({ v: [[1, 2], [3]], d: '[[1,2],[3]]' }),
    () => proxyThrowing([1, 2]), () => proxyThrowing({}),
    () => ({ v: new Proxy([2, 3], {}), d: 'Proxy([2,3])' }),
    () => ({ v: new Proxy([2, 3], { get: (t, k) => (k === 'length' ? 2 ** 32 - 1 : Reflect.get(t, k)) }), d: 'Proxy([2,3], length 2**32-1)' }),
    () => { const p = Proxy.revocable({}, {}); p.revoke(); return { v: p.proxy, d: 'revoked Proxy' }; },
    () => ({ v: { get dtype() { throw new InputError('getter'); } }, d: '{get dtype() throws}' }),
    () => ({ v: Object.defineProperty([1, 2], 0, { get() { throw new InputError('getter'); } }), d: '[get 0() throws, 2]' }),
    () => ({ v: Object.create(null), d: 'Object.create(null)' }), () => ({ v: { dtype: 'float99' }, d: '{dtype:"float99"}' }),
    () => ({ v: { requiresGrad: 'yes' }, d: '{requiresGrad:"yes"}' }), () => ({ v: { batch_size: 1 }, d: '{batch_size:1}' }),
    () => ({ v: () => 1, d: '() => 1' }), () => ({ v: new Date(0), d: 'Date' }), () => ({ v: new Map(), d: 'Map' }),
    () => ({ v: new Float32Array(3), d: 'Float32Array(3)' }), () => ({ v: new BigInt64Array([2n ** 63n - 1n]), d: 'BigInt64Array([2n**63n-1n])' }),
    () => { const t = torch.randn(2); t.dispose(); return { v: t, d: 'disposed T[2]' }; },
    () => ({ v: torch.zeros(1).expand(2 ** 16), d: 'T[1].expand(2**16)' }),
    () => (hugeValuesOk ? { v: torch.tensor([2n ** 62n + 1n]), d: 'T[2n**62n+1n]:int64' } : { v: torch.tensor([-1]), d: 'T[-1]:int64' }),
    (r) => tensorV(r, [2 ** 20, 0]),
  ];
  const hostile = (r: Rng): V => pick(r, HOSTILE)(r);
  let hugeValuesOk = true;

  const intV = (r: Rng): V => { const n = int(r, -2, 4); return { v: n, d: String(n) }; };
  const intsV = (r: Rng): V => { const a = Array.from({ length: int(r, 0, 3) }, () => int(r, -1, 3)); return { v: a, d: `[${a}]` }; };
  const listOf = (r: Rng, make: (r: Rng) => V, n = int(r, 0, 3)): V => {
    const items = Array.from({ length: n }, () => make(r));
    return { v: items.map((x) => x.v), d: `[${items.map((x) => x.d).join(',')}]` };
  };

  // A valid-looking value of each kind of lib/dispatch.ts.
  const VALID: Record<string, (r: Rng, shape: number[]) => V> = {
    T: (r, s) => tensorV(r, chance(r, 0.7) ? s : undefined),
    N: (r, s) => (chance(r, 0.6) ? tensorV(r, s) : pick(r, [{ v: 2, d: '2' }, { v: 0.5, d: '0.5' }, { v: true, d: 'true' }])),
    S: (r) => pick(r, [{ v: 0, d: '0' }, { v: 1, d: '1' }, { v: -1, d: '-1' }, { v: 2.5, d: '2.5' }, { v: 3, d: '3' }, { v: false, d: 'false' }]),
    i: intV, f: (r) => pick(r, [{ v: 0, d: '0' }, { v: 0.5, d: '0.5' }, { v: 1, d: '1' }, { v: 1e-3, d: '1e-3' }, { v: 2, d: '2' }]),
    b: (r) => (chance(r, 0.5) ? { v: true, d: 'true' } : { v: false, d: 'false' }),
    s: (r) => { const s = pick(r, STRINGS); return { v: s, d: JSON.stringify(s) }; },
    d: (r) => { const s = pick(r, [...DTYPES, 'float', 'long']); return { v: s, d: JSON.stringify(s) }; },
    l: () => ({ v: 'strided', d: '"strided"' }), v: () => ({ v: 'cpu', d: '"cpu"' }),
    m: (r) => { const s = pick(r, ['contiguous_format', 'preserve_format', 'channels_last']); return { v: s, d: JSON.stringify(s) }; },
    g: () => ({ v: new torch.Generator().manualSeed(1), d: 'Generator' }),
    V: (r, s) => listOf(r, (q) => tensorV(q, s), int(r, 1, 3)),
    L: (r, s) => listOf(r, (q) => (chance(q, 0.7) ? tensorV(q, s) : { v: null, d: 'null' }), int(r, 1, 3)),
    I: (r) => (chance(r, 0.5) ? intV(r) : intsV(r)), J: intsV,
    F: (r) => listOf(r, (q) => VALID.f(q, [])), B: (r) => listOf(r, (q) => VALID.b(q, [])), A: (r) => listOf(r, (q) => VALID.S(q, [])),
  };

  /** The value of one argument: valid, or (with probability `p`) hostile. */
  const argV = (r: Rng, kind: string, shape: number[], p: number): V => (chance(r, p) ? hostile(r) : (VALID[kind] ?? hostile)(r, shape));
  const hostility = (r: Rng): number => pick(r, [0, 0, 0.1, 0.25, 0.5, 1]);

  /** A call of a generated function or method from its table: a row, its positional args, maybe options. */
  const fromTable = (r: Rng, t: ReturnType<typeof tableOf>, name: string, invoke: (args: unknown[]) => unknown): Call => {
    const rows = rowsOf(t!);
    const row = pick(r, rows);
    const p = hostility(r);
    const shape = pick(r, SHAPES);
    const args: V[] = [];
    for (const param of row[2]) {
      if (param[4] === 1 || param[5] === row[1]) continue;
      if (param[3] === 1 && chance(r, 0.5)) break;
      args.push(argV(r, param[1], shape, p));
    }
    if (chance(r, 0.3)) {
      const kw = row[2].filter((q) => q[4] === 1);
      const o: Record<string, unknown> = {};
      const ds: string[] = [];
      for (const q of kw) if (chance(r, 0.4)) { const x = argV(r, q[1], shape, p); o[q[0]] = x.v; ds.push(`${q[0]}:${x.d}`); }
      if (chance(r, 0.05)) { o.bogus = 1; ds.push('bogus:1'); }
      args.push({ v: o, d: `{${ds.join(',')}}` });
    } else if (chance(r, p / 4)) args.push(hostile(r));
    return { d: `${name}(${args.map((a) => a.d).join(', ')})`, run: () => invoke(args.map((a) => a.v)) };
  };

  /** A call of a function whose kinds are not tabled: `arity` args of every sort. */
  const generic = (r: Rng, name: string, arity: number, invoke: (args: unknown[]) => unknown, shape = pick(r, SHAPES)): Call => {
    const p = hostility(r);
    const args = Array.from({ length: Math.min(arity, 4) }, () => (chance(r, p) ? hostile(r) : pick(r, [VALID.T, VALID.T, VALID.i, VALID.J, VALID.f, VALID.s, VALID.b])(r, shape)));
    if (chance(r, 0.2)) args.push({ v: {}, d: '{}' });
    return { d: `${name}(${args.map((a) => a.d).join(', ')})`, run: () => invoke(args.map((a) => a.v)) };
  };

  // ---- targets -------------------------------------------------------------------------------

  const targets: { name: string; weight: number; make: (r: Rng) => Call }[] = [];
  const functionsOf = (obj: Record<string, unknown>, prefix: string): [string, (...a: unknown[]) => unknown][] =>
    Object.keys(obj).sort().filter((k) => typeof obj[k] === 'function' && !/^[A-Z]/.test(k)).map((k) => [`${prefix}${k}`, obj[k] as (...a: unknown[]) => unknown]);

  const generated: [string, (...a: unknown[]) => unknown][] = [
    ...functionsOf(ops as unknown as Record<string, unknown>, 'torch.'),
    ...functionsOf(ops.linalg as Record<string, unknown>, 'torch.linalg.'),
    ...functionsOf(ops.special as Record<string, unknown>, 'torch.special.'),
    ...functionsOf(ops.fft as Record<string, unknown>, 'torch.fft.'),
  ];
  for (const [name, fn] of generated) {
    const t = tableOf(fn);
    targets.push({ name, weight: 35 / generated.length, make: (r) => (t === null ? generic(r, name, fn.length || 2, (a) => fn(...a)) : fromTable(r, t, name, (a) => fn(...a))) });
  }

  const methodNames = new Set<string>();
  for (let proto = torch.Tensor.prototype; proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const k of Object.getOwnPropertyNames(proto)) {
      const desc = Object.getOwnPropertyDescriptor(proto, k)!;
      if (k !== 'constructor' && typeof desc.value === 'function') methodNames.add(k);
    }
  }
  const methods = [...methodNames].sort();
  for (const name of methods) {
    const fn = (torch.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    const t = tableOf(fn);
    targets.push({
      name: `Tensor.${name}`,
      weight: 35 / methods.length,
      make: (r) => {
        const foreign = chance(r, 0.04);
        const self = foreign ? hostile(r) : tensorV(r);
        const call = t === null ? generic(r, `.${name}`, fn.length || 1, (a) => fn.apply(self.v, a)) : fromTable(r, t, `.${name}`, (a) => fn.apply(self.v, a));
        return { d: `${foreign ? 'Tensor.prototype' : self.d}${call.d}${foreign ? ` on ${self.d}` : ''}`, run: call.run, foreign };
      },
    });
  }

  const nnFunctions = functionsOf(F, 'F.');
  const NN_SHAPES = [[2, 3, 8, 8], [2, 3, 8], [2, 4], [4], [2, 3, 4, 4, 4], [3, 8, 8]];
  for (const [name, fn] of nnFunctions) {
    targets.push({ name, weight: 12 / nnFunctions.length, make: (r) => generic(r, name, fn.length || 2, (a) => fn(...a), pick(r, NN_SHAPES)) });
  }

  const shapeArgsV = (r: Rng): V[] => {
    if (chance(r, 0.3)) return [hostile(r)];
    const s = pick(r, SHAPES);
    const parts: V[] = chance(r, 0.5) ? [{ v: s, d: `[${s}]` }] : s.map((n) => ({ v: n, d: String(n) }));
    if (chance(r, 0.2)) parts[int(r, 0, parts.length)] = hostile(r);
    return parts;
  };
  const shapeV = (r: Rng): V => { if (chance(r, 0.3)) return hostile(r); const s = pick(r, SHAPES); return { v: s, d: `[${s}]` }; };
  const optionsV = (r: Rng): V[] => (chance(r, 0.5) ? [] : chance(r, 0.3) ? [hostile(r)] : [{ v: { dtype: pick(r, DTYPES) }, d: '{dtype}' }]);
  const nestedV = (r: Rng): V => {
    if (chance(r, 0.35)) return hostile(r);
    const shape = pick(r, SHAPES.slice(0, 7));
    const leaf = pick(r, [() => int(r, -3, 3), () => r() * 4 - 2, () => chance(r, 0.5), () => BigInt(int(r, -3, 3)) * 2n ** 60n, () => pick(r, [NaN, Infinity, -0, 2 ** 63, 1e20])]);
    const build = (d: number): unknown => (d === shape.length ? leaf() : Array.from({ length: shape[d] }, () => build(d + 1)));
    return { v: build(0), d: `nested[${shape}]` };
  };
  const factory = (name: string, weight: number, make: (r: Rng) => V[]) => {
    const fn = (torch as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    targets.push({ name: `torch.${name}`, weight, make: (r) => { const a = make(r); return { d: `torch.${name}(${a.map((x) => x.d).join(', ')})`, run: () => fn(...a.map((x) => x.v)) }; } });
  };
  const num = (r: Rng): V => (chance(r, 0.3) ? hostile(r) : VALID.S(r, []));
  for (const name of ['zeros', 'ones', 'empty', 'rand', 'randn']) factory(name, 1.2, (r) => [...shapeArgsV(r), ...optionsV(r)]);
  factory('tensor', 4, (r) => [nestedV(r), ...optionsV(r)]);
  factory('full', 1.5, (r) => [shapeV(r), num(r), ...optionsV(r)]);
  factory('arange', 2, (r) => [...Array.from({ length: int(r, 1, 3) }, () => num(r)), ...optionsV(r)]);
  factory('linspace', 0.7, (r) => [num(r), num(r), chance(r, 0.7) ? intV(r) : hostile(r), ...optionsV(r)]);
  factory('eye', 0.7, (r) => [chance(r, 0.7) ? intV(r) : hostile(r), ...optionsV(r)]);
  factory('randint', 0.7, (r) => [num(r), num(r), shapeV(r)]);
  factory('randperm', 0.7, (r) => [chance(r, 0.7) ? intV(r) : hostile(r)]);
  factory('fromArray', 0.7, (r) => [chance(r, 0.7) ? { v: new Float32Array(6), d: 'Float32Array(6)' } : hostile(r), shapeV(r)]);
  factory('frombuffer', 0.5, (r) => [chance(r, 0.7) ? { v: Buffer.alloc(int(r, 0, 9)), d: 'Buffer' } : hostile(r), VALID.d(r, [])]);
  for (const name of ['zerosLike', 'onesLike', 'randLike', 'randnLike']) factory(name, 0.4, (r) => [chance(r, 0.8) ? tensorV(r) : hostile(r), ...optionsV(r)]);
  factory('fullLike', 0.4, (r) => [chance(r, 0.8) ? tensorV(r) : hostile(r), num(r)]);
  factory('manualSeed', 0.3, (r) => [chance(r, 0.5) ? intV(r) : hostile(r)]);

  // The setters Python checks (x.grad = …, x.data = …, x.requiresGrad = …).
  for (const prop of ['grad', 'data', 'requiresGrad'] as const) {
    targets.push({
      name: `Tensor.${prop}=`,
      weight: 1,
      make: (r) => {
        const self = tensorV(r);
        const value = chance(r, 0.5) ? tensorV(r) : chance(r, 0.5) ? VALID.b(r, []) : hostile(r);
        return { d: `${self.d}.${prop} = ${value.d}`, run: () => { (self.v as Record<string, unknown>)[prop] = value.v; } };
      },
    });
  }

  const only = process.env.FUZZ_ONLY === undefined ? null : new RegExp(process.env.FUZZ_ONLY);
  if (only !== null) targets.splice(0, targets.length, ...targets.filter((t) => only.test(t.name)));
  if (targets.length === 0) throw new Error(`no target matches ${only}`);
  const total = targets.reduce((s, t) => s + t.weight, 0);
  const choose = (r: Rng) => {
    let x = r() * total;
    for (const t of targets) if ((x -= t.weight) < 0) return t;
    return targets[targets.length - 1];
  };

  // ---- the loop: synchronous, as a user's script is --------------------------------------------

  const FORMAT = /^Expected .+ for .+ but received .+$/s;
  const outcomeOf = (e: unknown): [string, string] => {
    // A throwing trap or getter, or a revoked Proxy (whose every use the engine refuses).
    if (e instanceof InputError || (e instanceof TypeError && /proxy that has been revoked/.test(e.message))) return ['thrown by the input', ''];
    if (e instanceof torch.TorchError) return [`TorchError ${e.code}`, e.message];
    if (e instanceof Error) {
      const base = e.constructor.name;
      const formatted = (base === 'TypeError' || base === 'RangeError') && FORMAT.test(e.message);
      return [formatted ? base : `${base} (not in nodetorch's format)`, e.message];
    }
    return ['non-Error thrown', String(e)];
  };
  const replay = process.argv.includes('--replay');
  const rssStart = process.memoryUsage().rss;
  for (let i = start; i < start + count; i++) {
    const r = rngFor(seed, i);
    let call: Call;
    write(`B ${JSON.stringify({ i, d: '(generating the call)' })}`);
    try {
      const target = choose(r);
      hugeValuesOk = !LOOPS_OVER_VALUES.test(target.name);
      call = target.make(r);
    } catch (e) {
      write(`E ${JSON.stringify({ i, outcome: 'generator failed', ms: 0, length: 0, message: String((e as Error).stack ?? e).slice(0, 300) })}`);
      continue;
    }
    write(`B ${JSON.stringify({ i, d: call.d.slice(0, 400) })}`);
    const t0 = performance.now();
    let outcome = 'ok';
    let message = '';
    try {
      const result = call.run();
      // Print some results too: the printing path reads every element it shows.
      if (result instanceof torch.Tensor && chance(r, 0.1) && !result.isDisposed && result.numel() < 1e5) String(result);
    } catch (e) {
      [outcome, message] = outcomeOf(e);
      // A Tensor method called on something else: a TypeError is right, in whatever words.
      if (call.foreign && e instanceof TypeError && outcome !== 'TypeError') outcome = 'TypeError (a method on a non-Tensor)';
    }
    const ms = performance.now() - t0;
    write(`E ${JSON.stringify({ i, outcome, ms, length: message.length, message: message.slice(0, 300) })}`);
    if (replay) console.log(outcome, message);
  }
  const rssEnd = process.memoryUsage().rss;
  (globalThis as { gc?: () => void }).gc?.();
  write(`R ${rssStart} ${rssEnd} ${process.memoryUsage().rss}`);
}

// ---- the parent: batches, limits, summary --------------------------------------------------------

interface Batch { start: number; count: number }
interface Summary {
  calls: number; outcomes: Map<string, number>; unformatted: Map<string, string[]>; aborts: string[]; hangs: string[];
  slowest: { ms: number; d: string }; longestMessage: { length: number; d: string }; rss: { start: number; end: number; afterGc: number }[];
}

/** Runs a batch in a child; resolves with the first call not yet done (the batch end when complete). */
function runBatch(seed: number, batch: Batch, limitMs: number, s: Summary): Promise<{ next: number; failedToStart?: string }> {
  return new Promise((resolve) => {
    const args = ['--disable-wasm-trap-handler', '--expose-gc', '--max-old-space-size=2048', '-r', 'tsx/cjs', __filename, '--child', String(seed), String(batch.start), String(batch.count)];
    const proc = spawn('/bin/sh', ['-c', `ulimit -v ${ADDRESS_SPACE_KIB} && exec "$0" "$@"`, process.execPath, ...args], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let current = { i: batch.start, d: '(starting)' };
    let started = false;
    let next = batch.start;
    let done = false;
    let killed = false;
    let stderr = '';
    let timer = setTimeout(onHang, limitMs + 60_000); // the first call also pays for startup
    function onHang() { killed = true; proc.kill('SIGKILL'); }
    proc.stderr.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-2000); });
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      clearTimeout(timer);
      timer = setTimeout(onHang, limitMs);
      const kind = line[0];
      if (kind === 'B') {
        started = true;
        current = JSON.parse(line.slice(2)) as { i: number; d: string };
      } else if (kind === 'E') {
        const e = JSON.parse(line.slice(2)) as { i: number; outcome: string; ms: number; length: number; message: string };
        s.calls++;
        next = e.i + 1;
        s.outcomes.set(e.outcome, (s.outcomes.get(e.outcome) ?? 0) + 1);
        if (e.ms > s.slowest.ms) s.slowest = { ms: e.ms, d: current.d };
        if (e.length > s.longestMessage.length) s.longestMessage = { length: e.length, d: current.d };
        if (e.outcome.includes('not in') || e.outcome === 'generator failed' || e.outcome === 'non-Error thrown') {
          const samples = s.unformatted.get(e.outcome) ?? [];
          if (samples.length < 8) samples.push(`call ${e.i}: ${current.d.slice(0, 160)} → ${e.message.slice(0, 200)}`);
          s.unformatted.set(e.outcome, samples);
        }
      } else if (kind === 'R') {
        const [, a, b, c] = line.split(' ');
        s.rss.push({ start: Number(a), end: Number(b), afterGc: Number(c) });
        done = true;
      }
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      if (done && code === 0) return resolve({ next: batch.start + batch.count });
      // A child that never reached a call did not fail on one (the checkout changed under it, say):
      // the caller retries the batch, and gives up after a few tries.
      if (!started && !killed) return resolve({ next: batch.start, failedToStart: stderr.trim().split('\n').slice(-3).join(' | ') });
      const what = `call ${current.i}: ${current.d.slice(0, 300)}`;
      if (killed) s.hangs.push(`${what} (no progress for ${limitMs} ms)`);
      else s.aborts.push(`${what} (exit ${code ?? signal}; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300)})`);
      s.calls++;
      resolve({ next: Math.max(next, current.i + 1) });
    });
  });
}

async function parent(): Promise<void> {
  const calls = flag('calls', 100_000);
  const seed = flag('seed', 1);
  const batchSize = flag('batch', 4000);
  const limitMs = flag('call-limit-ms', 10_000);
  const jobs = Math.max(1, flag('jobs', 1));
  const s: Summary = {
    calls: 0, outcomes: new Map(), unformatted: new Map(), aborts: [], hangs: [],
    slowest: { ms: 0, d: '' }, longestMessage: { length: 0, d: '' }, rss: [],
  };
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      const batch = { start: next, count: Math.min(batchSize, calls - next) };
      next += batch.count;
      let at = batch.start;
      for (let tries = 0; at < batch.start + batch.count;) {
        const r = await runBatch(seed, { start: at, count: batch.start + batch.count - at }, limitMs, s);
        if (r.failedToStart === undefined) { at = r.next; continue; }
        if (++tries === 3) throw new Error(`a child process failed to start three times: ${r.failedToStart}`);
        await new Promise((ok) => setTimeout(ok, 5000));
      }
      process.stderr.write(`\r${s.calls} calls, ${s.aborts.length} aborts, ${s.hangs.length} hangs`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  process.stderr.write('\n');

  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  const lines = [
    `fuzz-api: ${s.calls} calls, seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s, batches of ${batchSize} in child processes (limits: ${limitMs} ms a call, ${ADDRESS_SPACE_KIB / 2 ** 20} GiB address space)`,
    `aborts: ${s.aborts.length}   hangs: ${s.hangs.length}`,
    ...s.aborts.map((a) => `  abort  ${a}`), ...s.hangs.map((h) => `  hang   ${h}`),
    'outcomes:',
    ...[...s.outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(7)}  ${k}`),
    ...[...s.unformatted].flatMap(([k, samples]) => [`samples of ${k}:`, ...samples.map((x) => `  ${x}`)]),
    `slowest call: ${s.slowest.ms.toFixed(1)} ms  ${s.slowest.d.slice(0, 200)}`,
    `longest error message: ${s.longestMessage.length} characters  ${s.longestMessage.d.slice(0, 200)}`,
  ];
  if (s.rss.length) {
    // Per batch: RSS when its loop starts, when it ends (what a user's loop sees), and after a full
    // GC (what the loop keeps). Ranges over batches, and the median and largest growth.
    const range = (f: (b: Summary['rss'][number]) => number) => {
      const v = s.rss.map(f).sort((a, b) => a - b);
      return `${mb(v[0])}–${mb(v[v.length - 1])} (median ${mb(v[v.length >> 1])})`;
    };
    lines.push(`RSS per batch of ${batchSize} calls in a synchronous loop: start ${range((b) => b.start)}, end ${range((b) => b.end)}, ` +
      `after gc ${range((b) => b.afterGc)}; kept after gc: ${range((b) => b.afterGc - b.start)}`);
  }
  console.log(lines.join('\n'));
  process.exitCode = s.aborts.length + s.hangs.length === 0 ? 0 : 1;
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const [seed, start, count] = process.argv.slice(childAt + 1, childAt + 4).map(Number);
  child(seed, start, count).catch((e) => { console.error(e); process.exit(2); });
} else if (process.argv.includes('--replay')) {
  child(flag('seed', 1), flag('replay', 0), 1).catch((e) => { console.error(e); process.exit(2); });
} else {
  parent().catch((e) => { console.error(e); process.exit(2); });
}
