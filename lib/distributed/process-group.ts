/**
 * `torch.distributed.ProcessGroup` and the state `init_process_group` leaves behind (Python's
 * `_world`): the default group, the rendezvous, and the backend in use.
 */
import { native as N } from '../binding';
import { TorchError, rangeError, typeError } from '../errors';

const CREATE = Symbol('ProcessGroup');

/**
 * A set of ranks that run collectives together: the default group (every rank) from
 * {@link initProcessGroup}, or one from {@link newGroup}. Ranks given to collectives are global
 * ranks, as in Python.
 *
 * @example
 * ```ts
 * const evens = await dist.newGroup([0, 2]);
 * if (evens !== dist.GroupMember.NON_GROUP_MEMBER) dist.allReduce(t, { group: evens });
 * ```
 */
export class ProcessGroup {
  /** @internal The native group; null once destroyed, or on a rank outside the group. */
  handle: unknown;
  /** The global rank of each group rank. */
  readonly ranks: readonly number[];

  /** @internal */
  constructor(key: symbol, handle: unknown, ranks: readonly number[]) {
    if (key !== CREATE) throw new TypeError('ProcessGroups come from torch.distributed.initProcessGroup and newGroup');
    this.handle = handle;
    this.ranks = Object.freeze([...ranks]);
  }

  /** @internal */
  static create(handle: unknown, ranks: readonly number[]): ProcessGroup { return new ProcessGroup(CREATE, handle, ranks); }

  /** This process's rank in the group. @example `group.rank()` */
  rank(): number { return N.distGroupRank(this.live()); }

  /** The number of ranks in the group. @example `group.size()` */
  size(): number { return this.ranks.length; }

  /** @internal The native handle, or a TorchError when the group is gone. */
  live(): unknown {
    if (this.handle === null) throw new TorchError('the process group has been destroyed', 'DIST_NOT_INITIALIZED');
    return this.handle;
  }

  /** @internal The group rank of global rank `rank` (Python's get_group_rank). */
  groupRank(rank: number, name: string): number {
    if (typeof rank !== 'number' || !Number.isInteger(rank)) throw typeError('an integer rank', name, rank);
    const r = this.ranks.indexOf(rank);
    if (r < 0) throw rangeError(`a global rank of the group (${this.ranks.join(', ')})`, name, rank);
    return r;
  }
}

/**
 * Python's `GroupMember`: `WORLD` is the default group once initialized, and `NON_GROUP_MEMBER`
 * is what {@link newGroup} gives a rank outside the new group (collectives on it do nothing, with
 * a warning, as in Python).
 *
 * @example `if (group === dist.GroupMember.NON_GROUP_MEMBER) return;`
 */
export const GroupMember: { WORLD: ProcessGroup | null; readonly NON_GROUP_MEMBER: ProcessGroup } = {
  WORLD: null,
  NON_GROUP_MEMBER: ProcessGroup.create(null, []),
};

/** @internal What initProcessGroup made. */
export interface WorldState {
  world: unknown;
  group: ProcessGroup;
  groups: ProcessGroup[];
  backend: string;
  rank: number;
  worldSize: number;
  timeout: number;
}

let state: WorldState | null = null;

/** @internal */
export function worldState(): WorldState | null { return state; }

/** @internal */
export function setWorldState(next: WorldState | null): void {
  state = next;
  GroupMember.WORLD = next?.group ?? null;
}

/** @internal The state, or Python's error when there is none. */
export function defaultState(): WorldState {
  if (state === null) {
    throw new TorchError('Default process group has not been initialized, please make sure to call initProcessGroup.', 'DIST_NOT_INITIALIZED');
  }
  return state;
}

/** @internal `group` or the default group, checked. */
export function resolveGroup(group: unknown): ProcessGroup {
  if (group === undefined || group === null) return defaultState().group;
  if (!(group instanceof ProcessGroup)) throw typeError('a ProcessGroup', 'group', group);
  return group;
}
