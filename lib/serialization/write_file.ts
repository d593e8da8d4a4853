/**
 * Writing a saved file where Python's `open(path, 'wb')` would, atomically: `torch.save` and
 * `torch.jit.save` write through here.
 *
 * The bytes go to a temporary file next to the destination, are flushed, and the temporary file
 * is renamed over the destination, so a reader never sees half a file and a crash never leaves
 * one. Around that, the destination is treated as Python treats it: a symlink is followed and
 * its target written; an existing file keeps its mode (and, when run as root, its owner); a
 * file Python could not open for writing (read-only, for a non-root user) is refused with the
 * same `EACCES`, and one it could write in a directory we may not write (not ours, or sticky) is
 * written in place, as Python writes it; what is not a regular file (a directory, a FIFO, a
 * device) is refused, never replaced. Temporary files of the same destination left by a save that was killed
 * (named `.<name>.<pid>.<random>.tmp`, their process gone) are removed by the next save.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TorchError, describePath } from '../errors';

/** Symlinks followed before giving up, as Linux's `ELOOP` limit. */
const MAX_SYMLINKS = 40;
/** What follows `.<name>.` in a temporary file's name. */
const TEMP_TAIL = /^(\d+)\.[0-9a-z]+\.tmp$/;

/** The file a save writes: symlinks followed; `stat` when it exists. */
interface Destination {
  file: string;
  stat: fs.Stats | undefined;
}

/**
 * Follows `file` through symlinks to the path a write would reach: the final link's target,
 * which may not exist yet (Python's `open` creates a dangling link's target too).
 */
function resolveDestination(file: string): Destination {
  let p = path.resolve(file);
  for (let hops = 0; hops <= MAX_SYMLINKS; hops++) {
    // Resolve the directory first: a relative link target is relative to where the link really is.
    p = path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { file: p, stat: undefined };
      throw e;
    }
    if (!stat.isSymbolicLink()) return { file: p, stat };
    p = path.resolve(path.dirname(p), fs.readlinkSync(p));
  }
  throw Object.assign(new Error(`ELOOP: more than ${MAX_SYMLINKS} symbolic links`), { code: 'ELOOP' });
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, someone else's
  }
}

/**
 * Removes `dir`'s temporary files for `base` whose writer is no longer running: what a killed
 * save left. Files of a live process (a save in progress, in this process's workers too) stay.
 * Best effort: a file that cannot be removed is left for the next save.
 */
function removeStaleTemps(dir: string, base: string): void {
  const prefix = `.${base}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = TEMP_TAIL.exec(name.slice(prefix.length));
    if (m === null) continue;
    const pid = Number(m[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 0x7fffffff || processAlive(pid)) continue;
    const tmp = path.join(dir, name);
    try {
      if (fs.lstatSync(tmp).isFile()) fs.unlinkSync(tmp);
    } catch { /* gone already, or not ours to remove */ }
  }
}

function writeAll(fd: number, chunks: Uint8Array[]): void {
  for (const c of chunks) {
    let off = 0;
    while (off < c.length) off += fs.writeSync(fd, c, off, c.length - off);
  }
}

/**
 * Writes `chunks` to the existing regular file `file` in place, as Python does (truncate, then
 * write): for a writable file in a directory where no temporary file can be made or renamed.
 */
function writeInPlace(file: string, chunks: Uint8Array[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    writeAll(fd, chunks);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * @internal Writes `chunks` to `file` as described in the module comment: atomically, following
 * symlinks, keeping an existing file's mode, refusing read-only files (`EACCES`, as Python's
 * `open` does) and anything that is not a regular file. Every failure is a TorchError with code
 * `code`, naming the reason (`EACCES`, `ENOENT`, …).
 *
 * @example
 * ```ts
 * writeAtomic('model.pth', [bytes], 'PTH_IO');
 * ```
 */
export function writeAtomic(file: string, chunks: Uint8Array[], code: string): void {
  // The message names the path once, briefly (describePath); Node's reasons lose the paths they repeat.
  const fail = (message: string) => new TorchError(`Cannot save to ${describePath(file)}: ${message}`, code);
  let dest: Destination;
  try {
    dest = resolveDestination(file);
    if (dest.stat !== undefined && !dest.stat.isFile()) {
      throw fail(`it is ${kindOf(dest.stat)}, not a regular file; a save writes regular files only`);
    }
    // Python opens the path for writing: a file it may not write is refused the same way.
    if (dest.stat !== undefined) fs.accessSync(dest.file, fs.constants.W_OK);
  } catch (e) {
    throw e instanceof TorchError ? e : fail(fsReason(e));
  }
  const { file: target, stat } = dest;
  removeStaleTemps(path.dirname(target), path.basename(target));
  try {
    writeThroughTemp(target, stat, chunks);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code;
    // A writable file in a directory where we may not create or rename (not ours, or sticky):
    // Python writes the file itself, and so do we.
    if (stat === undefined || (why !== 'EACCES' && why !== 'EPERM')) throw fail(fsReason(e));
    try {
      writeInPlace(target, chunks);
    } catch (e2) {
      throw fail(fsReason(e2));
    }
  }
}

/**
 * Node's message for a failed file operation without the path(s) it ends with
 * (`EACCES: permission denied, open '/d/.m.pth.1.x.tmp'` → `EACCES: permission denied, open`):
 * the save's own path, the resolved target or a temporary file, none of them bounded in length.
 */
function fsReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/, (\w+) '.*'$/s, ', $1');
}

/**
 * Writes `chunks` to a new temporary file next to `target` with `stat`'s mode (and owner, as
 * root), flushes it and renames it over `target`; on failure removes it and rethrows.
 */
function writeThroughTemp(target: string, stat: fs.Stats | undefined, chunks: Uint8Array[]): void {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = fs.openSync(tmp, 'wx');
  let open = true;
  try {
    if (stat !== undefined) {
      fs.fchmodSync(fd, stat.mode & 0o7777);
      if (process.getuid?.() === 0 && (stat.uid !== 0 || stat.gid !== 0)) fs.fchownSync(fd, stat.uid, stat.gid);
    }
    writeAll(fd, chunks);
    fs.fsyncSync(fd);
    open = false;
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
  } catch (e) {
    if (open) {
      try { fs.closeSync(fd); } catch { /* already failing */ }
    }
    try { fs.unlinkSync(tmp); } catch { /* renamed or removed already */ }
    throw e;
  }
}
