/**
 * `nn.Unfold` and `nn.Fold`: sliding blocks out of an image (im2col) and summed back into one
 * (col2im). Options, defaults and `print(model)` follow PyTorch.
 */
import { Tensor } from '../tensor';
import { expandInts } from '../validate';
import * as F from './functional';
import { foldArgs } from './_utils';
import { Module } from './module';
import { pyTuple } from './pooling';

/** What `Unfold` and `Fold` share: the checked block geometry, and the values as given for the repr. */
abstract class BlockNd extends Module {
  readonly kernelSize: [number, number];
  readonly dilation: [number, number];
  readonly padding: [number, number];
  readonly stride: [number, number];
  private readonly given: unknown[];

  constructor(name: string, kernelSize: unknown, options: unknown) {
    super();
    [this.kernelSize, this.dilation, this.padding, this.stride] = foldArgs(name, kernelSize, options) as unknown as [number, number][];
    const o = (options ?? {}) as F.FoldOptions;
    this.given = [kernelSize, o.dilation ?? 1, o.padding ?? 0, o.stride ?? 1];
  }

  protected blockOptions(): F.FoldOptions { return { dilation: this.dilation, padding: this.padding, stride: this.stride }; }

  override extraRepr(): string {
    const [k, d, p, s] = this.given.map(pyTuple);
    return `kernel_size=${k}, dilation=${d}, padding=${p}, stride=${s}`;
  }
}

/**
 * Extracts sliding blocks: `[N, C, H, W]` (or `[C, H, W]`) to `[N, C·kH·kW, L]`, one column
 * per block position, as `F.unfold`.
 * @example
 * ```ts
 * const unfold = new nn.Unfold([2, 3]);
 * unfold(torch.randn([2, 5, 3, 4])).shape; // [2, 30, 4]
 * ```
 */
export class Unfold extends BlockNd {
  constructor(kernelSize: number | [number, number], options: F.FoldOptions = {}) { super('Unfold', kernelSize, options); }
  forward(x: Tensor): Tensor { return F.unfold(x, this.kernelSize, this.blockOptions()); }
}

/**
 * Sums sliding blocks back into an image of `outputSize`: `[N, C·kH·kW, L]` (or `[C·kH·kW, L]`)
 * to `[N, C, *outputSize]`, as `F.fold` (the adjoint of `Unfold`).
 * @example
 * ```ts
 * const fold = new nn.Fold([4, 5], [2, 2]);
 * fold(torch.randn([1, 12, 12])).shape; // [1, 3, 4, 5]
 * ```
 */
export class Fold extends BlockNd {
  readonly outputSize: [number, number];
  private readonly givenOutputSize: unknown;

  constructor(outputSize: number | [number, number], kernelSize: number | [number, number], options: F.FoldOptions = {}) {
    super('Fold', kernelSize, options);
    this.outputSize = expandInts(outputSize, 2, 'outputSize', 1) as [number, number];
    this.givenOutputSize = outputSize;
  }

  forward(x: Tensor): Tensor { return F.fold(x, this.outputSize, this.kernelSize, this.blockOptions()); }

  /** The text inside this module's parentheses in `toString()`, as PyTorch's `extra_repr()`. */
  override extraRepr(): string { return `output_size=${pyTuple(this.givenOutputSize)}, ${super.extraRepr()}`; }
}
