/**
 * Reliability of the `.pth` reader and writer: hostile
 * files meet budgets proportional to their size (no out-of-memory abort, no hang), zip work is
 * linear in the file, killed saves leave nothing behind for good, long lists load, and
 * `torch.save` writes its destination as Python's `torch.save` does (mode, symlinks, read-only
 * files, non-regular files).
 *
 * What could abort or hang on a reader without budgets runs in a child process with a heap limit
 * and a timeout (test/helpers/pth-load-child.ts); hostile inputs are built in memory
 * (test/helpers/pth-hostile.ts). Comparisons with Python run when a Python with torch is present.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TorchError } from '../lib/errors';
import { decodePth, encodePth, toJS } from '../lib/serialization/container';
import { pickle } from '../lib/serialization/pickler';
import { readZip } from '../lib/serialization/zip';
import { writeAtomic } from '../lib/serialization/write_file';
import { emptyDictsPickle, emptyTuplesPickle, marksPickle, zipPickle } from './helpers/pth-hostile';

const ROOT = path.resolve(__dirname, '..');
const HELPERS = path.join(ROOT, 'test/helpers');
const HAVE_ADDON = fs.existsSync(path.join(ROOT, 'build/Release/nodetorch.node'));
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-reliability-pth-'));
fs.chmodSync(TMP, 0o755); // other users (the read-only tests run as nobody) must reach it
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));
let dirs = 0;
/** A fresh directory under TMP. */
function freshDir(): string {
  const d = path.join(TMP, `d${dirs++}`);
  fs.mkdirSync(d, { mode: 0o755 });
  return d;
}

/** Python interpreters with torch (pip 2.x as `python3`, Debian 1.13 as `/usr/bin/python3`). */
const PYTHONS = ['python3', '/usr/bin/python3'].filter((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);

interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  json: Record<string, any> | undefined;
  output: string;
}
/** Runs a test/helpers script under tsx in a child process; its last stdout line is JSON. */
function runHelper(script: string, args: string[], { heapMB = 512, timeoutMs = 60_000, uid }: { heapMB?: number; timeoutMs?: number; uid?: number } = {}): ChildResult {
  const options: SpawnSyncOptions = { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' };
  if (uid !== undefined) Object.assign(options, { uid, gid: uid });
  const started = Date.now();
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMB}`, '--import', 'tsx', path.join(HELPERS, script), ...args], options);
  const stdout = String(r.stdout ?? '');
  const last = stdout.trim().split('\n').pop() ?? '';
  let json: Record<string, any> | undefined;
  try {
    json = JSON.parse(last);
  } catch {
    json = undefined;
  }
  return { status: r.status, signal: r.signal, ms: Date.now() - started, json, output: `${stdout}\n${String(r.stderr ?? '')}`.slice(-2000) };
}

function expectTorchError(fn: () => unknown, code: string, message?: RegExp): TorchError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a TorchError').toBeInstanceOf(TorchError);
  expect((err as TorchError).code).toBe(code);
  if (message) expect((err as TorchError).message).toMatch(message);
  return err as TorchError;
}

const loadJS = (buf: Uint8Array) => toJS(decodePth(buf), (ref) => ref);
/** The bytes `torch.save` writes for tensor-free `value`. */
const pthBytes = (value: unknown) => encodePth(value, 'archive', () => undefined);

describe('pickle budgets: memory, objects and nesting proportional to the file (item 3)', () => {
  it('a 40 MB pickle of 40 million empty dicts in one MARK/LIST fails fast with PTH_INVALID, not out of memory (child, 1 GB heap)', () => {
    const r = runHelper('pth-load-child.ts', ['empty-dicts-40M'], { heapMB: 1024, timeoutMs: 90_000 });
    expect(r.status, r.output).toBe(0);
    expect(r.json).toMatchObject({ outcome: 'error', type: 'TorchError', code: 'PTH_INVALID' });
    expect(r.json!.message).toMatch(/would use more than \d+ bytes of memory \(16 per byte of a 40000005-byte pickle/);
    console.log(`40 MB of empty dicts: PTH_INVALID after ${r.json!.ms} ms, peak RSS ${r.json!.peakRssMB} MB`);
    // The budget stops it at 16 estimated bytes per pickle byte (+32 MiB): well under the heap limit.
    expect(r.json!.peakRssMB).toBeLessThan(1200);
    expect(r.json!.ms).toBeLessThan(20_000);
  }, 120_000);

  it('a memoized list copied by set() 20,000 times (a 0.4 MB file asking for 2·10⁹ entries) is PTH_INVALID at once (child)', () => {
    const r = runHelper('pth-load-child.ts', ['set-copies'], { heapMB: 512, timeoutMs: 60_000 });
    expect(r.status, r.output).toBe(0);
    expect(r.json).toMatchObject({ outcome: 'error', code: 'PTH_INVALID' });
    expect(r.json!.message).toMatch(/bytes of memory/);
    expect(r.json!.ms).toBeLessThan(5_000);
  }, 90_000);

  it('the memory budget: 4 MB of empty dicts', () => {
    expectTorchError(() => loadJS(zipPickle(emptyDictsPickle(4_000_000))), 'PTH_INVALID', /archive\/data\.pkl: reading it would use more than \d+ bytes of memory/);
  });

  it('the object budget: a million empty tuples (one byte each) in a 1 MB pickle', () => {
    expectTorchError(() => loadJS(zipPickle(emptyTuplesPickle(1_000_000))), 'PTH_INVALID', /makes more than \d+ objects \(one per 2 bytes of a 1000005-byte pickle/);
  });

  it('the nesting budget: 2,000 MARKs open at once', () => {
    expectTorchError(() => loadJS(zipPickle(marksPickle(2000))), 'PTH_INVALID', /MARKs are nested more than 1008 levels deep/);
  });

  it('the budget shared by the pickles of a legacy file names the file', () => {
    // A legacy file is five pickles; the first is the magic number, here a list of 4M dicts instead.
    expectTorchError(() => loadJS(emptyDictsPickle(4_000_000)), 'PTH_INVALID', /legacy .*bytes of memory/);
  });

  it('real data of the same size stays inside the budgets: 300,000 small dicts, 200,000 strings', () => {
    const value = {
      metrics: Array.from({ length: 300_000 }, (_, i) => ({ loss: i / 7, step: i })),
      vocab: Array.from({ length: 200_000 }, (_, i) => `w${i}`),
    };
    const back = loadJS(Buffer.concat(pthBytes(value))) as typeof value;
    expect(back.metrics.length).toBe(300_000);
    expect(back.metrics[123_456]).toEqual({ loss: 123_456 / 7, step: 123_456 });
    expect(back.vocab[199_999]).toBe('w199999');
  });
});

describe('zip entries: no overlaps, no unused records, linear work (item 5)', () => {
  it('a 2.3 MB zip whose 20,000 entries all name one 1 MB region is refused quickly (child)', () => {
    const r = runHelper('pth-load-child.ts', ['overlap-20k'], { heapMB: 512, timeoutMs: 60_000 });
    expect(r.status, r.output).toBe(0);
    expect(r.json).toMatchObject({ outcome: 'error', code: 'PTH_INVALID' });
    expect(r.json!.message).toMatch(/records "archive\/r0" \(bytes 0–\d+\) and "archive\/r1" \(from byte 0\) overlap/);
    // Every entry CRC-checked would read 20 GB; refusing the overlap reads the directory once.
    expect(r.json!.ms).toBeLessThan(1_000);
  }, 90_000);

  it('a storage record that no tensor uses is refused', () => {
    const file = zipPickle(pickle({ epoch: 1 }), [['data/0', Buffer.alloc(4)]]);
    expectTorchError(() => loadJS(file), 'PTH_INVALID', /record "archive\/data\/0" is used by no tensor/);
  });

  it('adjacent records are not overlaps: every fixture Python wrote reads', () => {
    const fix = path.join(ROOT, 'test/fixtures/pth');
    for (const f of fs.readdirSync(fix).filter((n) => /\.(pth|pt)$/.test(n))) {
      const buf = fs.readFileSync(path.join(fix, f));
      if (buf[0] === 0x50) expect(() => readZip(buf), f).not.toThrow();
    }
  });
});

const TEMP_NAME = /^\.model\.pth\.\d+\.[0-9a-z]+\.tmp$/;
const temps = (dir: string) => fs.readdirSync(dir).filter((n) => TEMP_NAME.test(n));

describe('temporary files of killed saves (item 10)', () => {
  it('a save killed mid-write leaves its temporary file until the next save, killed or not: they never pile up', () => {
    const dir = freshDir();
    const file = path.join(dir, 'model.pth');
    let previous: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = runHelper('pth-save-child.ts', ['kill', file], { timeoutMs: 30_000 });
      expect(r.signal, r.output).toBe('SIGKILL');
      const now = temps(dir);
      expect(now).toHaveLength(1); // its own; the previous kill's was removed when this save began
      expect(now).not.toEqual(previous);
      previous = now;
    }
    writeAtomic(file, pthBytes({ epoch: 4 }), 'PTH_IO');
    expect(temps(dir)).toEqual([]);
    expect(loadJS(fs.readFileSync(file))).toEqual({ epoch: 4 });
  }, 60_000);

  it('keeps the temporary files of live processes (a save in progress) and of other files', () => {
    const dir = freshDir();
    const exited = spawnSync(process.execPath, ['-e', '']);
    const dead = exited.pid!;
    const names = {
      dead: `.model.pth.${dead}.abc123.tmp`,
      live: `.model.pth.${process.pid}.def456.tmp`, // this process: a save in a worker thread, say
      other: `.other.pth.${dead}.ghi789.tmp`,
      unrelated: '.model.pth.notes.tmp',
    };
    for (const n of Object.values(names)) fs.writeFileSync(path.join(dir, n), 'partial');
    writeAtomic(path.join(dir, 'model.pth'), pthBytes([1]), 'PTH_IO');
    expect(fs.readdirSync(dir).sort()).toEqual([names.live, names.unrelated, names.other, 'model.pth'].sort());
  });
});

describe('long lists, no recursion or spread proportional to the data (item 11)', () => {
  const ids = Array.from({ length: 200_000 }, (_, i) => i);

  it("nodetorch's own save of a 200,000-item list loads back (and a 200,000-key dict)", () => {
    const keys = Object.fromEntries(ids.map((i) => [`k${i}`, i]));
    const back = loadJS(Buffer.concat(pthBytes({ ids, keys, map: new Map(ids.map((i) => [i, i])) }))) as any;
    expect(back.ids).toEqual(ids);
    expect(Object.keys(back.keys).length).toBe(200_000);
    expect(back.map.size).toBe(200_000);
  });

  it.skipIf(!HAVE_ADDON)('torch.save and torch.load of a 200,000-item list next to a tensor (native addon)', async () => {
    const torch = await import('../lib');
    const file = path.join(freshDir(), 'ids.pth');
    torch.save({ ids, w: torch.ones([2]) }, file);
    const back = torch.load(file);
    expect(back.ids).toEqual(ids);
    expect(back.w.tolist()).toEqual([1, 1]);
  });

  it.skipIf(PYTHONS.length === 0)("Python's {'ids': list(range(200000))} loads; Python loads ours with weights_only=True", () => {
    for (const py of PYTHONS) {
      const dir = freshDir();
      const ours = path.join(dir, 'ours.pth');
      const theirs = path.join(dir, 'theirs.pth');
      fs.writeFileSync(ours, Buffer.concat(pthBytes({ ids })));
      const script = [
        'import sys, torch',
        "torch.save({'ids': list(range(200000))}, sys.argv[2])",
        "d = torch.load(sys.argv[1], weights_only=True)",
        "assert d['ids'] == list(range(200000)), 'ids differ'",
        "print('ok')",
      ].join('\n');
      const r = spawnSync(py, ['-c', script, ours, theirs], { encoding: 'utf8' });
      expect(r.stdout + r.stderr, py).toContain('ok');
      expect((loadJS(fs.readFileSync(theirs)) as { ids: number[] }).ids, py).toEqual(ids);
    }
  }, 60_000);

  it('data nested deeper than 1,000 levels: saving is a RangeError naming the limit, not a stack overflow', () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => pickle(deep)).toThrow(/Expected data nested at most 1000 levels deep for obj but received deeper nesting/);
    let ok: unknown[] = [];
    for (let i = 0; i < 999; i++) ok = [ok];
    expect(() => loadJS(Buffer.concat(pthBytes(ok)))).not.toThrow();
  });
});

/**
 * What Python's `torch.save` does to `file`: `ok` or `refused` (torch's C++ writer opens the path
 * itself and says "File … cannot be opened", a RuntimeError, where `open` would say EACCES).
 */
function pythonSave(py: string, file: string, uid?: number): string {
  const script = [
    'import sys, torch',
    'try:',
    "    torch.save({'by': 'python'}, sys.argv[1]); print('ok')",
    'except (OSError, RuntimeError) as e:',
    "    print('refused')",
  ].join('\n');
  const options: SpawnSyncOptions = { encoding: 'utf8' };
  if (uid !== undefined) Object.assign(options, { uid, gid: uid, cwd: '/' });
  const r = spawnSync(py, ['-c', script, file], options);
  return String(r.stdout).trim().split('\n').pop() ?? String(r.stderr);
}
/** What our writer does to `file`: `ok` or `refused`, and then with `EACCES`, as Python's `open` would say. */
function ourSave(file: string): string {
  try {
    writeAtomic(file, pthBytes({ by: 'nodetorch' }), 'PTH_IO');
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(TorchError);
    expect((e as Error).message).toMatch(/EACCES: permission denied/);
    return 'refused';
  }
}
const modeOf = (file: string) => fs.statSync(file).mode & 0o7777;

describe('torch.save writes its destination as Python does (item 12)', () => {
  it('keeps the mode of an existing file (0600, 0640, 0755) and makes new files 0666 & ~umask', () => {
    const dir = freshDir();
    for (const mode of [0o600, 0o640, 0o755]) {
      const file = path.join(dir, `m${mode.toString(8)}.pth`);
      fs.writeFileSync(file, 'old');
      fs.chmodSync(file, mode);
      writeAtomic(file, pthBytes({ mode }), 'PTH_IO');
      expect(modeOf(file)).toBe(mode);
      expect(loadJS(fs.readFileSync(file))).toEqual({ mode });
    }
    const fresh = path.join(dir, 'new.pth');
    writeAtomic(fresh, pthBytes(1), 'PTH_IO');
    const umask = process.umask();
    expect(modeOf(fresh)).toBe(0o666 & ~umask);
  });

  it('writes through a symlink to its target (relative, chained, into another directory, dangling)', () => {
    const dir = freshDir();
    const other = freshDir();
    const target = path.join(other, 'real.pth');
    fs.writeFileSync(target, 'old');
    fs.chmodSync(target, 0o600);
    fs.symlinkSync(path.relative(dir, target), path.join(dir, 'link1.pth'));
    fs.symlinkSync('link1.pth', path.join(dir, 'link2.pth'));
    writeAtomic(path.join(dir, 'link2.pth'), pthBytes({ via: 'link' }), 'PTH_IO');
    expect(fs.lstatSync(path.join(dir, 'link1.pth')).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(path.join(dir, 'link2.pth')).isSymbolicLink()).toBe(true);
    expect(loadJS(fs.readFileSync(target))).toEqual({ via: 'link' });
    expect(modeOf(target)).toBe(0o600);
    expect(fs.readdirSync(dir).sort()).toEqual(['link1.pth', 'link2.pth']); // no temporary file left

    fs.symlinkSync('not-yet.pth', path.join(dir, 'dangling.pth'));
    writeAtomic(path.join(dir, 'dangling.pth'), pthBytes(2), 'PTH_IO');
    expect(fs.lstatSync(path.join(dir, 'dangling.pth')).isSymbolicLink()).toBe(true);
    expect(loadJS(fs.readFileSync(path.join(dir, 'not-yet.pth')))).toBe(2);
  });

  it('refuses a FIFO, a directory and (as root) a device with a clear error, leaving each as it was', () => {
    const dir = freshDir();
    const fifo = path.join(dir, 'fifo.pth');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expectTorchError(() => writeAtomic(fifo, pthBytes(1), 'PTH_IO'), 'PTH_IO', /fifo\.pth": it is a FIFO \(named pipe\), not a regular file/);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);

    const sub = path.join(dir, 'sub.pth');
    fs.mkdirSync(sub);
    expectTorchError(() => writeAtomic(sub, pthBytes(1), 'PTH_IO'), 'PTH_IO', /it is a directory, not a regular file/);
    expect(fs.lstatSync(sub).isDirectory()).toBe(true);

    // A character device (like /dev/full) made here, so that a regression cannot replace a real one.
    const dev = path.join(dir, 'full');
    if (IS_ROOT && spawnSync('mknod', [dev, 'c', '1', '7']).status === 0) {
      fs.symlinkSync(dev, path.join(dir, 'to-device.pth'));
      expectTorchError(() => writeAtomic(path.join(dir, 'to-device.pth'), pthBytes(1), 'PTH_IO'), 'PTH_IO', /it is a character device, not a regular file/);
      expect(fs.lstatSync(dev).isCharacterDevice()).toBe(true);
    }
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it.skipIf(PYTHONS.length === 0)(`a read-only (0444) file: the outcome Python's torch.save has for this user (uid ${process.getuid?.()})`, () => {
    const dir = freshDir();
    const theirs = path.join(dir, 'theirs.pth');
    const ours = path.join(dir, 'ours.pth');
    for (const f of [theirs, ours]) {
      fs.writeFileSync(f, 'old');
      fs.chmodSync(f, 0o444);
    }
    const python = pythonSave(PYTHONS[0], theirs);
    expect(ourSave(ours)).toBe(python);
    // Root may write it, in Python as here; either way the file stays read-only.
    expect(python).toBe(IS_ROOT ? 'ok' : 'refused');
    expect(modeOf(ours)).toBe(0o444);
    expect(fs.readFileSync(ours, 'latin1').startsWith('PK')).toBe(IS_ROOT);
  }, 30_000);

  it.skipIf(!IS_ROOT || !PYTHONS.includes('/usr/bin/python3'))('as another user: a read-only file is EACCES; a writable file in a directory it may not write, or not replace in (sticky), is written, as in Python', () => {
    // As nobody: a read-only file of its own in its own directory; a file of its own in root's
    // directory; root's world-writable file in a sticky directory (like /tmp).
    const writableDir = freshDir();
    const lockedDir = freshDir();
    const stickyDir = freshDir();
    fs.chownSync(writableDir, NOBODY, NOBODY);
    fs.chmodSync(stickyDir, 0o1777);
    const files: Record<string, string> = {};
    for (const who of ['ours', 'theirs']) {
      for (const [kind, dir, mode, owner] of [
        ['readonly', writableDir, 0o444, NOBODY], ['inplace', lockedDir, 0o644, NOBODY], ['sticky', stickyDir, 0o666, 0],
      ] as const) {
        const f = path.join(dir, `${kind}-${who}.pth`);
        fs.writeFileSync(f, 'old');
        fs.chmodSync(f, mode);
        fs.chownSync(f, owner, owner);
        files[`${kind}-${who}`] = f;
      }
    }
    expect(pythonSave('/usr/bin/python3', files['readonly-theirs'], NOBODY)).toBe('refused');
    expect(pythonSave('/usr/bin/python3', files['inplace-theirs'], NOBODY)).toBe('ok');
    expect(pythonSave('/usr/bin/python3', files['sticky-theirs'], NOBODY)).toBe('ok');

    const readonly = runHelper('pth-save-child.ts', ['save', files['readonly-ours']], { uid: NOBODY, timeoutMs: 30_000 });
    expect(readonly.json, readonly.output).toMatchObject({ ok: false, code: 'PTH_IO' });
    expect(readonly.json!.message).toMatch(/EACCES: permission denied/);
    expect(fs.readFileSync(files['readonly-ours'], 'utf8')).toBe('old');

    const inplace = runHelper('pth-save-child.ts', ['save', files['inplace-ours']], { uid: NOBODY, timeoutMs: 30_000 });
    expect(inplace.json, inplace.output).toMatchObject({ ok: true });
    expect(loadJS(fs.readFileSync(files['inplace-ours']))).toMatchObject({ ids: [1, 2, 3] });
    expect(fs.statSync(files['inplace-ours']).uid).toBe(NOBODY);

    const sticky = runHelper('pth-save-child.ts', ['save', files['sticky-ours']], { uid: NOBODY, timeoutMs: 30_000 });
    expect(sticky.json, sticky.output).toMatchObject({ ok: true });
    expect(loadJS(fs.readFileSync(files['sticky-ours']))).toMatchObject({ ids: [1, 2, 3] });
    expect(fs.statSync(files['sticky-ours']).uid).toBe(0);
    expect(fs.readdirSync(stickyDir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it.skipIf(!IS_ROOT)('as root, an existing file keeps its owner', () => {
    const file = path.join(freshDir(), 'owned.pth');
    fs.writeFileSync(file, 'old');
    fs.chownSync(file, NOBODY, NOBODY);
    writeAtomic(file, pthBytes(1), 'PTH_IO');
    const st = fs.statSync(file);
    expect([st.uid, st.gid]).toEqual([NOBODY, NOBODY]);
  });

  it.skipIf(!HAVE_ADDON)('torch.save itself (native addon): mode kept, symlink followed, FIFO refused', async () => {
    const torch = await import('../lib');
    const dir = freshDir();
    const target = path.join(dir, 'weights.pth');
    fs.writeFileSync(target, 'old');
    fs.chmodSync(target, 0o600);
    fs.symlinkSync('weights.pth', path.join(dir, 'latest.pth'));
    torch.save({ w: torch.ones([3]) }, path.join(dir, 'latest.pth'));
    expect(fs.lstatSync(path.join(dir, 'latest.pth')).isSymbolicLink()).toBe(true);
    expect(modeOf(target)).toBe(0o600);
    expect(torch.load(target).w.tolist()).toEqual([1, 1, 1]);
    const fifo = path.join(dir, 'pipe.pth');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => torch.save({ w: torch.ones([1]) }, fifo)).toThrow(/Cannot save to ".*pipe\.pth": it is a FIFO/);
  });
});
