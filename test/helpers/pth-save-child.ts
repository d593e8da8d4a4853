/**
 * Saves a small `.pth` file through the writer `torch.save` uses, in a child process, and prints
 * the outcome as one JSON line (`{ ok: true }` or `{ ok: false, code, message }`):
 *   node --import tsx test/helpers/pth-save-child.ts save <file>   a normal save
 *   node --import tsx test/helpers/pth-save-child.ts kill <file>   killed (SIGKILL) mid-write, as
 *                                                                  a user's Ctrl-\ or the OOM killer would
 * test/reliability-pth.test.ts runs it as another user (read-only files) and to leave the
 * temporary files a killed save leaves.
 */
import fs = require('node:fs');
import { encodePth } from '../../lib/serialization/container';
import { writeAtomic } from '../../lib/serialization/write_file';

const [mode, file] = process.argv.slice(2);
if ((mode !== 'save' && mode !== 'kill') || !file) throw new Error('usage: pth-save-child.ts save|kill <file>');
const chunks = encodePth({ saved_by: process.pid, ids: [1, 2, 3] }, 'archive', () => undefined);
if (mode === 'kill') {
  // The first write of the temporary file is where the process dies: the file exists, half written.
  fs.writeSync = (): number => {
    process.kill(process.pid, 'SIGKILL');
    return 0;
  };
}
try {
  writeAtomic(file, chunks, 'PTH_IO');
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  const err = e as Error & { code?: string };
  console.log(JSON.stringify({ ok: false, code: err.code, message: err.message }));
}
