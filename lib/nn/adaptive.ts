/**
 * `nn.AdaptiveLogSoftmaxWithLoss`: the adaptive softmax of Grave et al. (2016) for large output
 * spaces, as torch/nn/modules/adaptive.py computes it.
 */
import { TorchError, rangeError, typeError } from '../errors';
import { Tensor } from '../tensor';
import { checkBool, checkInt, checkNumber, checkOptions, optionKeys } from '../validate';
import * as F from './functional';
import { ModuleList, Sequential } from './container';
import { Linear } from './linear';
import { input as checkTensor } from './_utils';
import { Module } from './module';

/** Options of `nn.AdaptiveLogSoftmaxWithLoss`, PyTorch's keyword arguments in camelCase. */
export interface AdaptiveLogSoftmaxWithLossOptions {
  /** How much smaller each tail cluster's projection is than the last: `inFeatures / divValue^(i+1)`. Default 4. */
  divValue?: number;
  /** A bias in the head. Default false. */
  headBias?: boolean;
}

/** What `forward` returns, as PyTorch's `_ASMoutput`: `[output, loss]`, also by name. */
export type ASMOutput = [Tensor, Tensor] & { output: Tensor; loss: Tensor };

/**
 * Adaptive softmax: the `cutoffs[0]` most frequent classes and one entry per cluster in the head,
 * each rarer cluster of classes behind a smaller projection in `tail`. `forward(input, target)`
 * gives each row's target log-probability and their negative mean; `logProb` the full
 * distribution; `predict` the most likely class.
 * @example
 * ```ts
 * const asm = new nn.AdaptiveLogSoftmaxWithLoss(64, 1000, [10, 100]);
 * const { output, loss } = asm.forward(hidden, targets);
 * ```
 */
export class AdaptiveLogSoftmaxWithLoss extends Module {
  readonly inFeatures: number;
  readonly nClasses: number;
  /** The cutoffs given, then `nClasses`. */
  readonly cutoffs: number[];
  readonly divValue: number;
  readonly headBias: boolean;
  readonly shortlistSize: number;
  readonly nClusters: number;
  readonly headSize: number;
  head: Linear;
  tail: ModuleList;

  constructor(inFeatures: number, nClasses: number, cutoffs: number[], options: AdaptiveLogSoftmaxWithLossOptions = {}) {
    super();
    const o = checkOptions(options, 'AdaptiveLogSoftmaxWithLoss options',
      optionKeys<AdaptiveLogSoftmaxWithLossOptions>({ divValue: true, headBias: true })) as AdaptiveLogSoftmaxWithLossOptions;
    this.inFeatures = checkInt(inFeatures, 'inFeatures', 1);
    this.nClasses = checkInt(nClasses, 'nClasses', 1);
    if (!Array.isArray(cutoffs) || cutoffs.length === 0) throw typeError('a non-empty array of integers', 'cutoffs', cutoffs);
    const sorted = cutoffs.every((c, i) => Number.isInteger(c) && c >= 1 && c <= this.nClasses - 1 && (i === 0 || c > cutoffs[i - 1]));
    if (!sorted) throw rangeError(`unique integers in increasing order, each between 1 and nClasses - 1 (${this.nClasses - 1})`, 'cutoffs', cutoffs);
    this.cutoffs = [...cutoffs, this.nClasses];
    this.divValue = checkNumber(o.divValue ?? 4, 'divValue');
    this.headBias = checkBool(o.headBias ?? false, 'headBias');
    this.shortlistSize = this.cutoffs[0];
    this.nClusters = this.cutoffs.length - 1;
    this.headSize = this.shortlistSize + this.nClusters;
    this.head = new Linear(this.inFeatures, this.headSize, { bias: this.headBias });
    this.tail = new ModuleList();
    for (let i = 0; i < this.nClusters; i++) {
      const hidden = Math.floor(this.inFeatures / this.divValue ** (i + 1));
      const size = this.cutoffs[i + 1] - this.cutoffs[i];
      this.tail.append(new Sequential(new Linear(this.inFeatures, hidden, { bias: false }), new Linear(hidden, size, { bias: false })));
    }
  }

  /** Re-initialises the head and the projections as their constructors do. */
  resetParameters(): void {
    this.head.resetParameters();
    for (const projection of this.tail) for (const linear of projection.children()) (linear as Linear).resetParameters();
  }

  /**
   * `input` `[N, inFeatures]` and `target` `[N]` class indices (or `[inFeatures]` and a 0-d
   * target): each row's log-probability of its target (`output`) and their negative mean (`loss`).
   */
  forward(input_: Tensor, target_: Tensor): ASMOutput {
    const [input, target] = [checkTensor(input_, 'input'), checkTensor(target_, 'target')];
    const batched = target.dim() > 0;
    if (target.dim() > 1) throw new TorchError('0D or 1D target tensor expected, multi-target not supported');
    if (batched && input.dim() !== 2) throw new TorchError(`1D target tensor expects 2D input tensors, but found inputs with size [${input.shape.join(', ')}]`);
    if (batched && input.shape[0] !== target.shape[0]) throw new TorchError('Input and target should have the same size in the batch dimension.');
    if (!batched && input.dim() !== 1) throw new TorchError(`0D target tensor expects 1D input tensors, but found inputs with size [${input.shape.join(', ')}]`);
    const x = batched ? input : input.unsqueeze(0);
    const t = batched ? target : target.unsqueeze(0);
    const batch = t.shape[0];
    let output = x.newZeros([batch]);
    const gatherIndices = t.newEmpty([batch]);
    let usedRows = 0;
    const bounds = [0, ...this.cutoffs];
    for (let i = 0; i < bounds.length - 1; i++) {
      const [low, high] = [bounds[i], bounds[i + 1]];
      const mask = t.ge(low).bitwiseAnd(t.lt(high));
      const rows = mask.nonzero().squeeze();
      if (rows.numel() === 0) continue;
      if (i === 0) {
        gatherIndices.indexCopy_(0, rows, t.maskedSelect(mask));
      } else {
        const relative = t.maskedSelect(mask).sub(low);
        const clusterOutput = (this.tail.get(i - 1) as Sequential).forward(x.indexSelect(0, rows));
        gatherIndices.indexFill_(0, rows, this.shortlistSize + i - 1);
        const local = F.logSoftmax(clusterOutput, 1).gather(1, relative.unsqueeze(1));
        output = output.indexCopy_(0, rows, local.squeeze(1));
      }
      usedRows += rows.numel();
    }
    if (usedRows !== batch) {
      throw new TorchError(`Target values should be in [0, ${this.nClasses - 1}], but values in range [${t.min().item()}, ${t.max().item()}] were found. `);
    }
    const headLogProb = F.logSoftmax(this.head.forward(x), 1);
    output = output.add_(headLogProb.gather(1, gatherIndices.unsqueeze(1)).squeeze());
    const loss = output.neg().mean();
    if (!batched) output = output.squeeze(0);
    return Object.assign([output, loss] as [Tensor, Tensor], { output, loss });
  }

  /** The log of the full distribution, from `input` and the head's output. */
  private fullLogProb(input: Tensor, headOutput: Tensor): Tensor {
    const out = input.newEmpty([headOutput.shape[0], this.nClasses]);
    const headLogProb = F.logSoftmax(headOutput, 1);
    out.narrow(1, 0, this.shortlistSize).copy_(headLogProb.narrow(1, 0, this.shortlistSize));
    for (let i = 0; i < this.nClusters; i++) {
      const [start, stop] = [this.cutoffs[i], this.cutoffs[i + 1]];
      const clusterLogProb = F.logSoftmax((this.tail.get(i) as Sequential).forward(input), 1);
      out.narrow(1, start, stop - start).copy_(clusterLogProb.add(headLogProb.select(1, this.shortlistSize + i).unsqueeze(1)));
    }
    return out;
  }

  /** Log-probabilities of all `nClasses` classes for each row of `input` `[N, inFeatures]`. */
  logProb(input: Tensor): Tensor {
    const x = checkTensor(input, 'input');
    return this.fullLogProb(x, this.head.forward(x));
  }

  /** The most likely class of each row of `input` (`logProb(input).argmax(1)`, computing less where it can). */
  predict(input_: Tensor): Tensor {
    const input = checkTensor(input_, 'input');
    const headOutput = this.head.forward(input);
    const output = headOutput.argmax(1);
    const notInShortlist = output.ge(this.shortlistSize);
    if (!notInShortlist.any().item()) return output;
    if (notInShortlist.all().item()) return this.fullLogProb(input, headOutput).argmax(1);
    const rows = notInShortlist.nonzero().squeeze(1);
    const logProb = this.fullLogProb(input.indexSelect(0, rows), headOutput.indexSelect(0, rows));
    return output.indexCopy_(0, rows, logProb.argmax(1));
  }
}
