/**
 * What the multi-process tests share: free loopback ports (the launcher's), collecting a child's JSON result, and
 * the Python interpreter whose PyTorch matches the loaded LibTorch.
 */
import { spawnSync, type ChildProcess } from 'child_process';
import * as torch from '../../lib';

export { freePort } from '../../lib/distributed/launcher';

export interface RankResult { code: number | null; signal: NodeJS.Signals | null; out: any; stderr: string }

/** Waits for `child` (killed after `limitMs`); `out` is the last JSON line it printed. */
export function collect(child: ChildProcess, limitMs: number): Promise<RankResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      resolve({ code, signal, out: line === undefined ? null : JSON.parse(line), stderr });
    });
  });
}

/** The loaded LibTorch's major.minor, e.g. `2.13`. */
export const LIBTORCH = torch.config().libtorchVersion.split('.').slice(0, 2).join('.');

/** The Python interpreter whose torch is this LibTorch's version (with Gloo), if any. */
export function pythonForThisLibtorch(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch.distributed as d; import torch; print(".".join(torch.__version__.split(".")[:2]), d.is_gloo_available())'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === `${LIBTORCH} True`) return py;
  }
  return null;
}
