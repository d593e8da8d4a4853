/**
 * For test/tensorboard.test.ts: writes 25 scalars and a text record that stay queued (no flush,
 * no close), then ends `natural`ly or by `process.exit` (argv: LOG_DIR HOW). The 'exit' hook must
 * write them.
 */
import * as torch from '../../lib';

const [dir, how] = process.argv.slice(2);
const w = new torch.utils.tensorboard.SummaryWriter(dir, { maxQueue: 1000, flushSecs: 1000 });
for (let i = 0; i < 25; i++) w.addScalar('step', i * 2, i);
w.addText('last', 'bye', 0);
if (how === 'process.exit') process.exit(0);
