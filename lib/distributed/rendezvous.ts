/**
 * @internal Python's rendezvous handlers (torch/distributed/rendezvous.py) for `env://`,
 * `tcp://host:port` and `file://path`: where the store is, and this process's rank and the world
 * size, from the arguments, the URL's `?rank=&world_size=` query, then the environment torchrun
 * sets (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT).
 */
import { TorchError, rangeError, typeError } from '../errors';

export interface Rendezvous {
  kind: 'tcp' | 'file';
  /** The TCP host, or the file's path. */
  where: string;
  port: number;
  rank: number;
  worldSize: number;
}

function fromEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new TorchError(`Error initializing torch.distributed using env:// rendezvous: environment variable ${name} expected, but not set`, 'DIST_INIT');
  }
  return value;
}

function parseCount(text: string, name: string): number {
  const n = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(n)) throw typeError('an integer', name, text);
  return n;
}

/** `rank`/`worldSize` are -1 where not given (Python's defaults). */
export function rendezvous(initMethod: string, rank: number, worldSize: number, env: NodeJS.ProcessEnv = process.env): Rendezvous {
  let url: URL;
  try {
    url = new URL(initMethod);
  } catch {
    throw typeError("an init method URL such as 'env://', 'tcp://host:port' or 'file:///path'", 'initMethod', initMethod);
  }
  const query = url.searchParams;
  if (rank === -1 && query.has('rank')) rank = parseCount(query.get('rank')!, 'rank');
  if (worldSize === -1 && query.has('world_size')) worldSize = parseCount(query.get('world_size')!, 'world_size');
  let out: Rendezvous;
  switch (url.protocol) {
    case 'env:': {
      if (rank === -1) rank = parseCount(fromEnv(env, 'RANK'), 'RANK');
      if (worldSize === -1) worldSize = parseCount(fromEnv(env, 'WORLD_SIZE'), 'WORLD_SIZE');
      const host = fromEnv(env, 'MASTER_ADDR');
      const port = parseCount(fromEnv(env, 'MASTER_PORT'), 'MASTER_PORT');
      out = { kind: 'tcp', where: host, port, rank, worldSize };
      break;
    }
    case 'tcp:': {
      if (url.port === '') throw typeError("'tcp://host:port' with a port", 'initMethod', initMethod);
      // URL keeps IPv6 hosts bracketed; the store wants the bare address.
      out = { kind: 'tcp', where: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port), rank, worldSize };
      break;
    }
    case 'file:':
      if (url.pathname === '') throw typeError("'file:///path'", 'initMethod', initMethod);
      out = { kind: 'file', where: decodeURIComponent(url.pathname), port: 0, rank, worldSize };
      break;
    default:
      throw new TorchError(`No rendezvous handler for ${url.protocol}//`, 'DIST_INIT');
  }
  if (out.rank === -1) throw new TorchError(`rank parameter missing for ${initMethod}`, 'DIST_INIT');
  if (out.worldSize === -1) throw new TorchError(`world_size parameter missing for ${initMethod}`, 'DIST_INIT');
  if (out.worldSize < 1) throw rangeError('a world size >= 1', 'worldSize', out.worldSize);
  if (out.rank < 0 || out.rank >= out.worldSize) throw rangeError(`a rank in [0, ${out.worldSize - 1}]`, 'rank', out.rank);
  if (out.kind === 'tcp' && !(out.port >= 0 && out.port <= 65535)) throw rangeError('a port in [0, 65535]', 'port', out.port);
  return out;
}
