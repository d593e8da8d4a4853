/**
 * One event file, as TensorBoard's `EventFileWriter`: `events.out.tfevents.<time>.<host>.<pid>.<n>`
 * in the log directory, its first record the `file_version: "brain.Event:2"` event. Records are
 * queued and written off the caller's path: a write starts in the background (libuv's threads)
 * every `flushSecs`, or as soon as `maxQueue` records wait. `flush()` and `close()` write what
 * waits synchronously, and so does a hook at the process's 'exit', so a normal exit loses nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TorchError, describePath, fsErrorReason } from '../../errors';
import { tfRecord } from './record';
import { proto, type EventProto } from './schema';

/** What the first event names as its writer (TensorBoard's own writes its module path). */
const WRITER_NAME = 'nodetorch.utils.tensorboard';

/** Seconds since the epoch, with sub-millisecond precision as Python's `time.time()`. */
export function now(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/** `TENSORBOARD_IO`: what the file system refused, naming the path. */
export function ioError(what: string, file: string, cause: unknown): TorchError {
  return new TorchError(`Cannot ${what} ${describePath(file)}: ${fsErrorReason(cause, file)}`, 'TENSORBOARD_IO');
}

// The process-wide counter that makes file names unique (TensorBoard's `_global_uid`).
let fileCount = 0;

// Writers with records that may wait: flushed synchronously when the process exits normally.
const open = new Set<EventFileWriter>();
let exitHook = false;
function flushAllAtExit(): void {
  for (const writer of open) {
    try {
      writer.close();
    } catch (e) {
      process.stderr.write(`tensorboard: ${(e as Error).message}\n`);
    }
  }
}

export class EventFileWriter {
  readonly logDir: string;
  readonly file: string;
  private fd: number;
  private readonly maxQueue: number;
  private queue: Buffer[] = [];
  /** Where the next write goes: writes are positional, so a background one and a synchronous one never interleave bytes. */
  private position = 0;
  /** The background write in progress, if any. */
  private inflight: { data: Buffer; position: number } | null = null;
  /** What a background write failed with, thrown by the next call. */
  private failure: TorchError | null = null;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  /**
   * Makes `logDir` (recursively) and the event file now: a directory that cannot be written is a
   * `TorchError` with code `TENSORBOARD_IO` here, not a lost log later.
   */
  constructor(logDir: string, maxQueue: number, flushSecs: number, filenameSuffix: string) {
    this.logDir = logDir;
    this.maxQueue = maxQueue;
    const name = `events.out.tfevents.${String(Math.floor(Date.now() / 1000)).padStart(10, '0')}.${os.hostname()}.${process.pid}.${fileCount++}${filenameSuffix}`;
    this.file = path.join(logDir, name);
    try {
      fs.mkdirSync(logDir, { recursive: true });
    } catch (e) {
      throw ioError('make the log directory', logDir, e);
    }
    try {
      this.fd = fs.openSync(this.file, 'w');
    } catch (e) {
      throw ioError('create the event file', this.file, e);
    }
    this.add({ wallTime: now(), fileVersion: 'brain.Event:2', sourceMetadata: { writer: WRITER_NAME } });
    this.flush();
    // setInterval takes at most 2^31 − 1 ms (about 24.8 days), and would run a longer period every 1 ms.
    this.timer = setInterval(() => this.writeInBackground(), Math.min(flushSecs * 1000, 2 ** 31 - 1));
    this.timer.unref();
    open.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', flushAllAtExit);
    }
  }

  /** Queues one event; starts a background write when `maxQueue` records wait. */
  add(event: EventProto): void {
    this.throwFailure();
    if (this.closed) throw new TorchError(`the event file ${describePath(this.file)} is closed`, 'TENSORBOARD_CLOSED');
    this.queue.push(tfRecord(proto().Event.encode(event)));
    if (this.queue.length >= this.maxQueue) this.writeInBackground();
  }

  /** Writes every waiting record now (synchronously), as TensorBoard's `flush()`. */
  flush(): void {
    this.throwFailure();
    if (this.closed) return;
    // A background write may still be under way: its bytes are written again, at the same place.
    if (this.inflight !== null) this.writeSync(this.inflight.data, this.inflight.position);
    const data = this.take();
    if (data !== null) this.writeSync(data, this.position - data.length);
  }

  /** Flushes and closes the file; later `add`s are refused (a `SummaryWriter` opens a new file). */
  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      clearInterval(this.timer);
      open.delete(this);
      // The descriptor outlives a background write still using it: closed when that one ends.
      if (this.inflight === null) fs.closeSync(this.fd);
    }
  }

  /** The waiting records as one buffer, their place in the file reserved. */
  private take(): Buffer | null {
    if (this.queue.length === 0) return null;
    const data = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue);
    this.queue = [];
    this.position += data.length;
    return data;
  }

  private writeSync(data: Buffer, position: number): void {
    try {
      let done = 0;
      while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, position + done);
    } catch (e) {
      throw ioError('write the event file', this.file, e);
    }
  }

  private writeInBackground(): void {
    if (this.closed || this.inflight !== null || this.failure !== null) return;
    const data = this.take();
    if (data === null) return;
    const job = { data, position: this.position - data.length };
    this.inflight = job;
    const step = (done: number) => {
      fs.write(this.fd, data, done, data.length - done, job.position + done, (err, written) => {
        if (err === null && done + written < data.length) {
          step(done + written);
          return;
        }
        this.inflight = null;
        if (err !== null && !this.closed) this.failure = ioError('write the event file', this.file, err);
        if (this.closed) fs.close(this.fd, () => {});
        else if (this.queue.length >= this.maxQueue) this.writeInBackground();
      });
    };
    step(0);
  }

  private throwFailure(): void {
    if (this.failure !== null) throw this.failure;
  }
}
