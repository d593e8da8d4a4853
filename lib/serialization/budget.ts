/**
 * The budgets a hostile pickle runs into: what reading one may cost is proportional to its size.
 *
 * A pickle is a program, and a short one can ask for a lot: 40 MB of `EMPTY_DICT` opcodes is
 * 40 million dicts (several GB of heap), a memoized list copied by `REDUCE` again and again costs
 * its length each time, and `MARK`s can nest without end. So the pickle machine charges what
 * it builds to a {@link PickleBudget}, sized by the pickle's length when reading starts:
 *
 * - **memory**: estimated heap bytes of what is built plus the work done copying or checking
 *   containers, at most {@link MEMORY_BASE} + {@link MEMORY_PER_BYTE} × the pickle's length;
 * - **objects**: containers, strings, bytes and other objects made, at most
 *   {@link OBJECTS_BASE} + the pickle's length / {@link BYTES_PER_OBJECT};
 * - **nesting**: `MARK`s open at once ({@link MAX_MARKS}), and when converting, the depth of the
 *   value tree ({@link MAX_NESTING}; Python's own pickler cannot write deeper: its recursion
 *   limit is 1000).
 *
 * Each exceeded budget is the reader's "invalid" error (`PTH_INVALID` for `.pth` files). What
 * `torch.save` writes (pickle protocol 2) stays inside: a state dict's pickle costs about 14
 * estimated bytes per byte (and state dicts of up to ~20,000 tensors fit in the base alone), an
 * optimizer's about 16, lists of numbers, strings or tuples 4–12, a list of small dicts about 14.
 * Refused are only pickles denser than Python's own memory use would suggest: hundreds of
 * thousands of empty or one-key dicts written at 1–6 bytes each (Python itself would need 40–100
 * bytes of memory per such byte).
 */

/** Estimated heap bytes of one stack, list or memo slot. */
export const SLOT_COST = 8;
/** Estimated heap bytes of a dict or set entry (its share of the hash table). */
export const ENTRY_COST = 32;
/** Estimated heap bytes of an empty array (a list or tuple). */
export const ARRAY_COST = 40;
/** Estimated heap bytes of an empty `Map` or `Set` (V8 allocates its hash table eagerly). */
export const MAP_COST = 192;
/** Estimated heap bytes of a string besides its characters. */
export const STRING_COST = 32;
/** Estimated heap bytes of a `Uint8Array` besides its bytes (V8's typed arrays are heavy). */
export const BYTES_COST = 224;
/** Estimated heap bytes of any other object (a bigint, a global, a storage or tensor description…). */
export const OBJECT_COST = 64;

/** Estimated heap bytes any pickle may use, however short. */
export const MEMORY_BASE = 32 << 20;
/** Estimated heap bytes allowed per byte of pickle beyond {@link MEMORY_BASE}. */
export const MEMORY_PER_BYTE = 16;
/** Objects any pickle may make, however short. */
export const OBJECTS_BASE = 1 << 18;
/** Pickle bytes per object allowed beyond {@link OBJECTS_BASE} (Python's pickler spends at least 2: the opcode and its memo). */
export const BYTES_PER_OBJECT = 2;
/** Deepest nesting of the value tree accepted when reading, and of values when writing. */
export const MAX_NESTING = 1000;
/** Most `MARK`s open at once: one per level of nesting, plus the few a tensor's arguments open. */
export const MAX_MARKS = MAX_NESTING + 8;

/**
 * The running cost of reading one pickle (or the several pickles of one legacy file), against
 * limits proportional to its length.
 *
 * @example
 * ```ts
 * const budget = new PickleBudget(bytes.length, (m) => new TorchError(m, 'PTH_INVALID'));
 * budget.map(0); // one empty dict made
 * ```
 */
export class PickleBudget {
  /** Estimated heap bytes and work charged so far. */
  memory = 0;
  /** Objects charged so far. */
  objects = 0;
  readonly maxMemory: number;
  readonly maxObjects: number;

  constructor(
    /** Length of the pickle (or file) the limits are proportional to. */
    readonly pickleLength: number,
    private readonly fail: (message: string) => Error,
  ) {
    this.maxMemory = MEMORY_BASE + MEMORY_PER_BYTE * pickleLength;
    this.maxObjects = OBJECTS_BASE + Math.floor(pickleLength / BYTES_PER_OBJECT);
  }

  /** Charges `cost` estimated bytes (memory or work). */
  charge(cost: number): void {
    if ((this.memory += cost) > this.maxMemory) throw this.overMemory();
  }

  /** Charges one new object of `cost` estimated bytes. */
  object(cost = OBJECT_COST): void {
    if (++this.objects > this.maxObjects) throw this.overObjects();
    if ((this.memory += cost) > this.maxMemory) throw this.overMemory();
  }

  /** `n` values pushed, appended or looked up (a slot each). */
  slots(n: number): void {
    this.charge(SLOT_COST * n);
  }

  /** A number that may not be a small integer (a double, a bigint of `digits` bytes). */
  number(digits = 0): void {
    this.charge(SLOT_COST + 16 + digits);
  }

  /** A new list or tuple of `items` items. */
  array(items: number): void {
    this.object(ARRAY_COST + SLOT_COST * items);
  }

  /** A new dict or set of `entries` entries. */
  map(entries: number): void {
    this.object(MAP_COST + ENTRY_COST * entries);
  }

  /** `n` entries added to a dict, a set or the memo. */
  entries(n: number): void {
    this.charge(ENTRY_COST * n);
  }

  /** A new string of `length` characters. */
  string(length: number): void {
    this.object(STRING_COST + 2 * length);
  }

  /** A new `bytes` value: a view, or a copy of `copied` bytes. */
  bytes(copied: number): void {
    this.object(BYTES_COST + copied);
  }

  /** A hook called with `args` (see {@link argumentCost}), making one object. */
  call(args: unknown): void {
    this.object(argumentCost(args));
  }

  private overMemory(): Error {
    return this.fail(`reading it would use more than ${this.maxMemory} bytes of memory (${MEMORY_PER_BYTE} per byte of a ${this.pickleLength}-byte pickle, plus ${MEMORY_BASE}); a pickle this short cannot describe that much data`);
  }

  private overObjects(): Error {
    return this.fail(`it makes more than ${this.maxObjects} objects (one per ${BYTES_PER_OBJECT} bytes of a ${this.pickleLength}-byte pickle, plus ${OBJECTS_BASE})`);
  }

  /** Checks how many `MARK`s are open against {@link MAX_MARKS}. */
  marks(open: number): void {
    if (open > MAX_MARKS) throw this.fail(`its MARKs are nested more than ${MAX_MARKS} levels deep`);
  }
}

/**
 * What a hook (`REDUCE`, `BUILD`, a persistent id) may spend on `value`, its arguments: it may
 * read each argument (a slot each), copy the items of the containers among them into a new dict
 * or set (an entry each: `OrderedDict(pairs)`, `set(list)`), and copy strings and bytes (a byte
 * per byte), so that much is charged, plus the object it makes. Computing it touches only
 * `value`'s own items.
 *
 * @example
 * ```ts
 * budget.charge(argumentCost([pairs])); // OrderedDict(pairs) copies `pairs` into a dict
 * ```
 */
export function argumentCost(value: unknown): number {
  let cost = OBJECT_COST + contentCost(value, SLOT_COST);
  if (Array.isArray(value) || value instanceof Set) {
    for (const x of value) cost += contentCost(x, ENTRY_COST);
  } else if (value instanceof Map) {
    for (const [k, x] of value) cost += contentCost(k, ENTRY_COST) + contentCost(x, ENTRY_COST);
  }
  return cost;
}

/** `perItem` per item of a container (two per dict item), a byte per byte of bytes, two per character of a string. */
function contentCost(v: unknown, perItem: number): number {
  if (typeof v === 'string') return 2 * v.length;
  if (v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) return perItem * v.length;
  if (v instanceof Map) return 2 * perItem * v.size;
  if (v instanceof Set) return perItem * v.size;
  return 0;
}
