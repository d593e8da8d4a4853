/**
 * What the datasets ask of the file system, with its failures told apart: a missing path is
 * the only thing reported as "not found"; anything else the OS refuses (a folder without read
 * permission, a file where a folder should be, a link loop) is a {@link TorchError} whose code
 * is the OS's (`EACCES`, `ENOTDIR`, `ELOOP`, …) and whose message names the path.
 */
import { statSync } from 'node:fs';
import { TorchError } from '../../errors';

/**
 * What a path is: a regular file, a directory (links followed, as Python's `is_file()` and
 * `is_dir()`), or something else (a device, a socket).
 */
export type PathKind = 'file' | 'dir' | 'other';

/**
 * @internal A TorchError for an OS error `e` met while reading `what` at `path`, with the OS's
 * code (`DATASET_IO` when it has none).
 * @example
 * ```ts
 * try { readFileSync(p); } catch (e) { throw fsError(e, 'IDX file', p); }
 * ```
 */
export function fsError(e: unknown, what: string, path: string): TorchError {
  const err = e as NodeJS.ErrnoException;
  const reason = err.code === 'ENOENT' ? 'no such file or directory (ENOENT)' : err.message ?? String(e);
  const error = new TorchError(`Cannot read ${what} ${path}: ${reason}`, err.code ?? 'DATASET_IO');
  (error as { cause?: unknown }).cause = e;
  return error;
}

/**
 * @internal What is at `path`, or `null` when nothing is (`ENOENT`). Any other failure, such as
 * `EACCES` for a folder that may not be searched or `ENOTDIR` below a file, throws
 * {@link fsError}: it is not "not found".
 * @example
 * ```ts
 * pathKind('data/MNIST/raw/train-images-idx3-ubyte', 'MNIST file'); // 'file', or null
 * ```
 */
export function pathKind(path: string, what: string): PathKind | null {
  let stats;
  try {
    stats = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fsError(e, what, path);
  }
  return stats.isFile() ? 'file' : stats.isDirectory() ? 'dir' : 'other';
}

/**
 * @internal Checks that a dataset's `root` is a folder when it exists (a missing one is left to
 * the dataset's "not found" message): a file there is `ENOTDIR`, an unreadable path the OS's code.
 * @example
 * ```ts
 * checkRootDir('/data/mnist.tar', 'MNIST root'); // TorchError ENOTDIR: … is not a directory
 * ```
 */
export function checkRootDir(root: string, what: string): void {
  const kind = pathKind(root, what);
  if (kind !== null && kind !== 'dir') throw new TorchError(`Cannot read ${what} ${root}: it is not a directory (ENOTDIR)`, 'ENOTDIR');
}
