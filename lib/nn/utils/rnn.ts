/**
 * `torch.nn.utils.rnn`: variable-length batches for the recurrent layers. `PackedSequence`,
 * `packPaddedSequence` / `padPackedSequence`, `padSequence` / `unpadSequence`, `packSequence` /
 * `unpackSequence` and `invertPermutation`, read side by side with PyTorch's
 * `torch/nn/utils/rnn.py`.
 *
 * Packing and unpacking follow ATen's `_pack_padded_sequence` and `_pad_packed_sequence`
 * (aten/src/ATen/native/PackedSequence.cpp) step for step: one slice per run of equal batch sizes,
 * then one `cat` (one `copy_` into a padded tensor on the way back), so autograd gives the
 * gradients ATen's backward gives. (Those two ops are private in ATen, `_`-prefixed, and the
 * generated op layer binds only the public ones.) `padSequence` is ATen's `pad_sequence`.
 * @module
 */
import { inspect } from 'util';
import { TorchError, typeError, rangeError } from '../../errors';
import { Tensor, checkTensor, type Device } from '../../tensor';
import type { DTypeName } from '../../dtype';
import { arange, full, tensor } from '../../factories';
import { nnOps } from '../../generated/internal';
import * as ops from '../../generated/ops';
import { checkBool, checkInt, checkNumber, checkOptions, optionKeys } from '../../validate';

/**
 * A batch of sequences of different lengths, packed time step by time step: `data` holds, for
 * each step, the rows of the sequences still running (longest first), `batchSizes` how many rows
 * each step has (an int64 CPU tensor). `sortedIndices` is the order the batch was sorted into
 * (null when it came sorted) and `unsortedIndices` its inverse. As in PyTorch it is a tuple: an
 * array of those four that destructures, and that `torch.tidy` keeps whole when returned.
 * Make one with {@link packPaddedSequence} or {@link packSequence}, not by hand.
 * @example
 * ```ts
 * const packed = nn.utils.rnn.packSequence([torch.ones([3, 2]), torch.ones([1, 2])]);
 * packed.batchSizes; // tensor([2, 1, 1])
 * const [data, batchSizes] = packed;
 * ```
 */
export class PackedSequence extends Array<Tensor | null> {
  declare readonly 0: Tensor;
  declare readonly 1: Tensor;
  declare readonly 2: Tensor | null;
  declare readonly 3: Tensor | null;

  // Array methods (`map`, `filter`, …) build plain arrays, not PackedSequences.
  static override get [Symbol.species](): ArrayConstructor { return Array; }

  constructor(data: Tensor, batchSizes: Tensor, sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null) {
    super();
    checkTensor(data, 'data');
    checkTensor(batchSizes, 'batchSizes');
    if (sortedIndices !== null) checkTensor(sortedIndices, 'sortedIndices');
    if (unsortedIndices !== null) checkTensor(unsortedIndices, 'unsortedIndices');
    if (batchSizes.device !== 'cpu') {
      throw rangeError('a CPU tensor (PackedSequences are made by packPaddedSequence or packSequence)', 'batchSizes',
        `a tensor on ${batchSizes.device}`);
    }
    this.push(data, batchSizes, sortedIndices, unsortedIndices ?? invertPermutation(sortedIndices));
    Object.freeze(this);
  }

  /** The packed rows, `[sum of lengths, *]`. */
  get data(): Tensor { return this[0]; }
  /** Rows per time step, an int64 CPU tensor. */
  get batchSizes(): Tensor { return this[1]; }
  /** Batch order after sorting by length (null when the batch came sorted). */
  get sortedIndices(): Tensor | null { return this[2]; }
  /** The inverse of `sortedIndices`. */
  get unsortedIndices(): Tensor | null { return this[3]; }

  /**
   * This sequence with `data` on another device and/or of another dtype, the indices following
   * `data` to its device (this one when nothing changes), as PyTorch's `PackedSequence.to`.
   * @example `packed.to('float64')`
   */
  to(target: DTypeName | Device | { dtype?: DTypeName; device?: Device; copy?: boolean }): PackedSequence {
    const data = this.data.to(target);
    if (data === this.data) return this;
    const move = (t: Tensor | null) => (t === null ? null : t.to(data.device));
    return new PackedSequence(data, this.batchSizes, move(this.sortedIndices), move(this.unsortedIndices));
  }
  /** `to('cpu')`. */
  cpu(): PackedSequence { return this.to('cpu'); }
  /** `to('cuda')` (or another CUDA device). */
  cuda(device: Device = 'cuda'): PackedSequence { return this.to(device); }
  /** `to('float64')`. */
  double(): PackedSequence { return this.to('float64'); }
  /** `to('float32')`. */
  float(): PackedSequence { return this.to('float32'); }
  /** `to('float16')`. */
  half(): PackedSequence { return this.to('float16'); }
  /** `to('int64')`. */
  long(): PackedSequence { return this.to('int64'); }
  /** `to('int32')`. */
  int(): PackedSequence { return this.to('int32'); }
  /** `to('int16')`. */
  short(): PackedSequence { return this.to('int16'); }
  /** `to('int8')`. */
  char(): PackedSequence { return this.to('int8'); }
  /** `to('uint8')`. */
  byte(): PackedSequence { return this.to('uint8'); }
  /** Whether `data` is on a CUDA device. */
  get isCuda(): boolean { return this.data.isCuda; }

  /** PyTorch's repr: `PackedSequence(data=tensor(…), batch_sizes=tensor(…), sorted_indices=None, unsorted_indices=None)`. */
  override toString(): string {
    const show = (t: Tensor | null) => (t === null ? 'None' : String(t));
    return `PackedSequence(data=${show(this.data)}, batch_sizes=${show(this.batchSizes)}, ` +
      `sorted_indices=${show(this.sortedIndices)}, unsorted_indices=${show(this.unsortedIndices)})`;
  }

  /** @internal */
  [inspect.custom](): string { return this.toString(); }
}

/**
 * The inverse permutation (`out[perm[i]] = i`), or null for null.
 * @example `nn.utils.rnn.invertPermutation(torch.tensor([2, 0, 1])); // tensor([1, 2, 0])`
 */
export function invertPermutation(permutation: Tensor | null): Tensor | null {
  if (permutation === null) return null;
  const p = checkTensor(permutation, 'permutation');
  return ops.emptyLike(p).scatter_(0, p, arange(p.numel(), { device: p.device }));
}

/** Options of {@link packPaddedSequence}. */
export interface PackPaddedSequenceOptions {
  /** `input` is `[B, T, *]` rather than `[T, B, *]`. Default false. */
  batchFirst?: boolean;
  /** `lengths` must come sorted longest first; false sorts the batch (and records the order). Default true. */
  enforceSorted?: boolean;
}

/**
 * Packs a padded batch `[T, B, *]` (`[B, T, *]` with `batchFirst`) of sequences with the given
 * lengths, for an RNN, LSTM or GRU to skip the padding. Gradients flow back to `input`.
 * @example
 * ```ts
 * const padded = nn.utils.rnn.padSequence([a, b, c]);            // [T, 3, *]
 * const packed = nn.utils.rnn.packPaddedSequence(padded, [5, 2, 3], { enforceSorted: false });
 * const [out, [h, c]] = lstm.forward(packed);
 * ```
 */
export function packPaddedSequence(input: Tensor, lengths: Tensor | number[], options: PackPaddedSequenceOptions = {}): PackedSequence {
  const o = checkOptions(options, 'packPaddedSequence options', optionKeys<PackPaddedSequenceOptions>({ batchFirst: true, enforceSorted: true }));
  const batchFirst = checkBool(o.batchFirst ?? false, 'batchFirst');
  const enforceSorted = checkBool(o.enforceSorted ?? true, 'enforceSorted');
  let x = checkTensor(input, 'input');
  let lens: Tensor;
  if (lengths instanceof Tensor) lens = lengths.to('int64');
  else if (Array.isArray(lengths)) lens = tensor(lengths.map((l, i) => checkInt(l, `lengths[${i}]`)), { dtype: 'int64' });
  else throw typeError('a Tensor or an array of integers', 'lengths', lengths);
  let sortedIndices: Tensor | null = null;
  if (!enforceSorted) {
    const [sorted, order] = lens.sort(0, true);
    lens = sorted;
    sortedIndices = order.to(x.device);
    x = x.indexSelect(batchFirst ? 0 : 1, sortedIndices);
  }
  const [data, batchSizes] = packPadded(x, lens, batchFirst);
  return new PackedSequence(data, batchSizes, sortedIndices, null);
}

/** ATen's `_pack_padded_sequence`, with its checks and messages. */
function packPadded(padded: Tensor, lengthsT: Tensor, batchFirst: boolean): [Tensor, Tensor] {
  if (lengthsT.device !== 'cpu' || lengthsT.dim() !== 1) {
    throw new TorchError(`'lengths' argument should be a 1D CPU int64 tensor, but got ${lengthsT.dim()}D ${lengthsT.device} ${lengthsT.dtype} tensor`);
  }
  const x = batchFirst ? padded.transpose(0, 1) : padded;
  if (x.dim() < 2) throw new TorchError(`Expected input of at least 2 dimensions [T, B, *] but got shape [${padded.shape.join(', ')}]`);
  const lengths = lengthsT.tolist() as number[];
  const batch = x.shape[1];
  if (x.numel() === 0) throw new TorchError('Cannot pack empty tensors.');
  if (lengths.length !== batch) throw new TorchError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${lengths.length} (batch_size=${batch})`);
  if (!(lengths[batch - 1] > 0)) {
    throw new TorchError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  }
  for (let i = 0; i + 1 < batch; i++) {
    if (lengths[i + 1] > lengths[i]) {
      throw new TorchError('`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass ' +
        '`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.');
    }
  }
  // ATen slices past the end silently and returns batch sizes that disagree with the data.
  if (lengths[0] > x.shape[0]) {
    throw new TorchError(`Expected every length to be at most the padded length ${x.shape[0]}, but got ${lengths[0]}`);
  }
  const stepShape = [-1, ...x.shape.slice(2)];
  const steps: Tensor[] = [];
  const batchSizes: number[] = [];
  let prev = 0;
  for (let i = 0; i < batch; i++) {
    const l = lengths[batch - 1 - i];
    if (l > prev) {
      const current = batch - i;
      steps.push(x.narrow(0, prev, l - prev).narrow(1, 0, current).contiguous().view(stepShape));
      for (let j = prev; j < l; j++) batchSizes.push(current);
      prev = l;
    }
  }
  return [ops.cat(steps), tensor(batchSizes, { dtype: 'int64' })];
}

/** Options of {@link padPackedSequence}. */
export interface PadPackedSequenceOptions {
  /** Return `[B, T, *]` rather than `[T, B, *]`. Default false. */
  batchFirst?: boolean;
  /** The value of the padding. Default 0. */
  paddingValue?: number;
  /** Pad to this many steps (at least the longest sequence); null for the longest. Default null. */
  totalLength?: number | null;
}

/**
 * Unpacks a PackedSequence into a padded batch and the lengths (int64, CPU), in the batch's
 * original order; the inverse of {@link packPaddedSequence}.
 * @example
 * ```ts
 * const [out] = lstm.forward(packed);
 * const [padded, lengths] = nn.utils.rnn.padPackedSequence(out, { batchFirst: true });
 * ```
 */
export function padPackedSequence(sequence: PackedSequence, options: PadPackedSequenceOptions = {}): [Tensor, Tensor] {
  if (!(sequence instanceof PackedSequence)) throw typeError('a PackedSequence', 'sequence', sequence);
  const o = checkOptions(options, 'padPackedSequence options', optionKeys<PadPackedSequenceOptions>({ batchFirst: true, paddingValue: true, totalLength: true }));
  const batchFirst = checkBool(o.batchFirst ?? false, 'batchFirst');
  const paddingValue = checkNumber(o.paddingValue ?? 0, 'paddingValue');
  let maxSeqLength = sequence.batchSizes.size(0);
  if (o.totalLength !== undefined && o.totalLength !== null) {
    const total = checkInt(o.totalLength, 'totalLength');
    if (total < maxSeqLength) {
      throw rangeError(`at least the length of the longest sequence in input (${maxSeqLength})`, 'totalLength', total);
    }
    maxSeqLength = total;
  }
  const [padded, lengths] = padPacked(sequence.data, sequence.batchSizes, batchFirst, paddingValue, maxSeqLength);
  const unsorted = sequence.unsortedIndices;
  if (unsorted === null) return [padded, lengths];
  return [padded.indexSelect(batchFirst ? 0 : 1, unsorted), lengths.indexSelect(0, unsorted.cpu())];
}

/** ATen's `_pad_packed_sequence`. */
function padPacked(data: Tensor, batchSizesT: Tensor, batchFirst: boolean, paddingValue: number, totalLength: number): [Tensor, Tensor] {
  if (batchSizesT.dim() !== 1 || batchSizesT.dtype !== 'int64') {
    throw new TorchError(`'batch_sizes' argument should be a 1D CPU int64 tensor, but got ${batchSizesT.dim()}D ${batchSizesT.device} ${batchSizesT.dtype} tensor`);
  }
  const batchSizes = batchSizesT.tolist() as number[];
  const maxBatch = batchSizes[0];
  const steps = batchSizes.length;
  const output = full([totalLength, maxBatch, ...data.shape.slice(1)], paddingValue, { dtype: data.dtype, device: data.device });
  const lengths = new Array<number>(maxBatch);
  let offset = 0;
  let prevBatch = maxBatch;
  let prevI = 0;
  let slot = maxBatch - 1;
  for (let i = 0; i <= steps; i++) {
    const b = i !== steps ? batchSizes[i] : 0;
    if (b !== prevBatch) {
      const rows = prevBatch * (i - prevI);
      const piece = data.narrow(0, offset, rows).view([i - prevI, prevBatch, ...data.shape.slice(1)]);
      output.narrow(0, prevI, i - prevI).narrow(1, 0, prevBatch).copy_(piece);
      offset += rows;
      prevI = i;
    }
    for (let k = b; k < prevBatch; k++) lengths[slot--] = i;
    prevBatch = b;
  }
  return [batchFirst ? output.transpose(0, 1) : output, tensor(lengths, { dtype: 'int64' })];
}

/** Options of {@link padSequence}. */
export interface PadSequenceOptions {
  /** Return `[B, T, *]` rather than `[T, B, *]`. Default false. */
  batchFirst?: boolean;
  /** The value of the padding. Default 0. */
  paddingValue?: number;
  /** Pad after (`'right'`) or before (`'left'`) each sequence. Default `'right'` (`'left'` needs LibTorch 2.6 or later). */
  paddingSide?: 'right' | 'left';
}

/**
 * Stacks sequences `[L_i, *]` of different lengths into one padded tensor `[T, B, *]`
 * (`[B, T, *]` with `batchFirst`), T the longest length; ATen's `pad_sequence`.
 * @example
 * ```ts
 * nn.utils.rnn.padSequence([torch.ones([25, 300]), torch.ones([22, 300]), torch.ones([15, 300])]).shape; // [25, 3, 300]
 * ```
 */
export function padSequence(sequences: Tensor[] | Tensor, options: PadSequenceOptions = {}): Tensor {
  const o = checkOptions(options, 'padSequence options', optionKeys<PadSequenceOptions>({ batchFirst: true, paddingValue: true, paddingSide: true }));
  const batchFirst = checkBool(o.batchFirst ?? false, 'batchFirst');
  const paddingValue = checkNumber(o.paddingValue ?? 0, 'paddingValue');
  const side = o.paddingSide ?? 'right';
  if (side !== 'right' && side !== 'left') throw (typeof side === 'string' ? rangeError : typeError)("'right' or 'left'", 'paddingSide', side);
  const seqs = sequenceList(sequences, 'sequences');
  // LibTorch before 2.6 has the three-argument schema only, which pads on the right.
  return side === 'right' ? nnOps.padSequence(seqs, batchFirst, paddingValue) : nnOps.padSequence(seqs, batchFirst, paddingValue, side);
}

function sequenceList(sequences: unknown, name: string): Tensor[] {
  if (sequences instanceof Tensor) return sequences.unbind(0);
  if (!Array.isArray(sequences)) throw typeError('an array of Tensors', name, sequences);
  return sequences.map((s, i) => checkTensor(s, `${name}[${i}]`));
}

/**
 * Splits a padded batch back into its sequences (copies, each `[L_i, *]`); the inverse of
 * {@link padSequence}. Unlike PyTorch's, it leaves `paddedSequences` as it was.
 * @example
 * ```ts
 * const [a2, b2] = nn.utils.rnn.unpadSequence(padded, torch.tensor([3, 1]));
 * ```
 */
export function unpadSequence(paddedSequences: Tensor, lengths: Tensor | number[], options: { batchFirst?: boolean } = {}): Tensor[] {
  const o = checkOptions(options, 'unpadSequence options', ['batchFirst']);
  const batchFirst = checkBool(o.batchFirst ?? false, 'batchFirst');
  let padded = checkTensor(paddedSequences, 'paddedSequences');
  if (!batchFirst) padded = padded.transpose(0, 1);
  const lens = lengths instanceof Tensor ? (lengths.tolist() as number[]) : lengths;
  if (!Array.isArray(lens) || lens.length !== padded.shape[0]) {
    throw typeError(`a Tensor or an array of ${padded.shape[0]} lengths (one per sequence)`, 'lengths', lengths);
  }
  const idx = arange(padded.shape[1], { device: padded.device });
  return lens.map((l, i) => padded.select(0, i).index(idx.lt(checkInt(l, `lengths[${i}]`))));
}

/**
 * Packs a list of sequences `[L_i, *]` (longest first unless `enforceSorted` is false): a
 * {@link padSequence} then a {@link packPaddedSequence}.
 * @example
 * ```ts
 * const packed = nn.utils.rnn.packSequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6])]);
 * ```
 */
export function packSequence(sequences: Tensor[], options: { enforceSorted?: boolean } = {}): PackedSequence {
  const o = checkOptions(options, 'packSequence options', ['enforceSorted']);
  const enforceSorted = checkBool(o.enforceSorted ?? true, 'enforceSorted');
  const seqs = sequenceList(sequences, 'sequences');
  return packPaddedSequence(padSequence(seqs), seqs.map((s) => s.size(0)), { enforceSorted });
}

/**
 * The sequences of a PackedSequence, each `[L_i, *]`, in the batch's original order; the inverse
 * of {@link packSequence}.
 * @example
 * ```ts
 * const [a, b, c] = nn.utils.rnn.unpackSequence(packed);
 * ```
 */
export function unpackSequence(packedSequences: PackedSequence): Tensor[] {
  const [padded, lengths] = padPackedSequence(packedSequences, { batchFirst: true });
  return unpadSequence(padded, lengths, { batchFirst: true });
}
