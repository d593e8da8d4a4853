/**
 * Compiles test/helpers/memory-child.ts, with the library and the example it imports, to plain
 * JavaScript in build-memory-child/, and returns the compiled child's path.
 *
 * The memory scenarios run compiled, as a program using the installed package does (its
 * dist/ is JavaScript): V8's collection timing depends on how large the heap is, and loading the
 * library from TypeScript source through tsx roughly doubles it (tsx keeps each transformed file
 * twice and its source map), which a user's process does not carry.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export function buildMemoryChild(): string {
  // From scratch: tsc leaves the output of a source file that has since moved or gone.
  rmSync(join(ROOT, 'build-memory-child'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(__dirname, 'tsconfig.memory-child.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return join(ROOT, 'build-memory-child', 'test', 'helpers', 'memory-child.js');
}
