/**
 * Loads one hostile `.pth` file (by its name in ./pth-hostile.ts) with the tensor-free reader and
 * prints what happened as one JSON line: `{ outcome, code, message, ms, bytes, peakRssMB }`.
 * Run in a child process with a heap limit, so that a reader without budgets shows up as an
 * out-of-memory abort or a timeout rather than taking the test runner down:
 *   node --max-old-space-size=1024 --import tsx test/helpers/pth-load-child.ts empty-dicts-40M
 */
import { decodePth, toJS } from '../../lib/serialization/container';
import { HOSTILE } from './pth-hostile';

const name = process.argv[2];
const make = HOSTILE[name];
if (make === undefined) throw new Error(`unknown hostile file ${JSON.stringify(name)}; one of ${Object.keys(HOSTILE).join(', ')}`);
const file = make();
const started = performance.now();
let result: Record<string, unknown>;
try {
  toJS(decodePth(file), (ref) => ref.numel);
  result = { outcome: 'loaded' };
} catch (e) {
  const err = e as Error & { code?: string };
  result = { outcome: 'error', type: err.constructor.name, code: err.code, message: err.message };
}
result.ms = Math.round(performance.now() - started);
result.bytes = file.length;
result.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));
