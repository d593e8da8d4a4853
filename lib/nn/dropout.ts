/**
 * The dropout modules (PyTorch's `torch/nn/modules/dropout.py`): `Dropout`, `Dropout1d`,
 * `Dropout2d`, `Dropout3d`, `AlphaDropout`, `FeatureAlphaDropout`. Each is active in training mode
 * and the identity after `eval()`; `p` is the probability of dropping, `inplace` goes in a trailing
 * options object (`new nn.Dropout2d(0.2, { inplace: true })`).
 */
import * as ops from '../generated/ops';
import { Tensor } from '../tensor';
import { pyFloat } from '../printing';
import * as F from './functional';
import { inplaceOption, dropoutProbability } from './_utils';
import { Module } from './module';

/** The base of the dropout modules (PyTorch's `_DropoutNd`): `p` in [0, 1], `inplace`, and their repr. */
abstract class DropoutNd extends Module {
  /** The probability of dropping an element (or a channel). */
  readonly p: number;
  readonly inplace: boolean;
  constructor(p = 0.5, options: F.InplaceOptions = {}) {
    super();
    this.p = dropoutProbability(p);
    this.inplace = inplaceOption(options, new.target.name);
  }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=${this.inplace ? 'True' : 'False'}`; }
}

/**
 * Zeroes elements with probability `p` in training mode and scales the rest by `1/(1-p)`; the
 * identity in `eval()` mode.
 * @example
 * ```ts
 * const drop = new nn.Dropout(0.5);
 * ```
 */
export class Dropout extends DropoutNd {
  forward(x: Tensor): Tensor {
    return this.inplace ? ops.dropout_(x, this.p, this.training) : F.dropout(x, this.p, this.training);
  }
}

/**
 * Zeroes whole channels of `[N, C, L]` or `[C, L]` input with probability `p` in training mode,
 * scaling the rest by `1/(1-p)`.
 * @example
 * ```ts
 * const drop = new nn.Dropout1d(0.2);
 * drop(torch.randn([16, 32, 100])); // each of the 16 × 32 channels kept or zeroed whole
 * ```
 */
export class Dropout1d extends DropoutNd {
  forward(x: Tensor): Tensor { return F.dropout1d(x, this.p, this.training, { inplace: this.inplace }); }
}

/**
 * Zeroes whole channels of `[N, C, H, W]` input with probability `p` in training mode, scaling
 * the rest by `1/(1-p)`. As in PyTorch, 3-D input is read as `[N, C, L]`.
 * @example
 * ```ts
 * const drop = new nn.Dropout2d(0.2);
 * drop(featureMaps); // [N, C, H, W]
 * ```
 */
export class Dropout2d extends DropoutNd {
  forward(x: Tensor): Tensor { return F.dropout2d(x, this.p, this.training, { inplace: this.inplace }); }
}

/**
 * Zeroes whole channels of `[N, C, D, H, W]` or `[C, D, H, W]` input with probability `p` in
 * training mode, scaling the rest by `1/(1-p)`.
 * @example
 * ```ts
 * const drop = new nn.Dropout3d(0.2);
 * drop(volumes); // [N, C, D, H, W]
 * ```
 */
export class Dropout3d extends DropoutNd {
  forward(x: Tensor): Tensor { return F.dropout3d(x, this.p, this.training, { inplace: this.inplace }); }
}

/**
 * Alpha dropout for self-normalising (SELU) networks: keeps zero mean and unit variance of a
 * standard-normal input in training mode. As in PyTorch, `inplace` is recorded (and printed) but
 * the forward is never in place.
 * @example
 * ```ts
 * const net = new nn.Sequential(new nn.Linear(64, 64), new nn.SELU(), new nn.AlphaDropout(0.1));
 * ```
 */
export class AlphaDropout extends DropoutNd {
  forward(x: Tensor): Tensor { return F.alphaDropout(x, this.p, this.training); }
}

/**
 * Alpha dropout of whole channels of `[N, C, *]` input in training mode. As in PyTorch, `inplace`
 * is recorded (and printed) but the forward is never in place.
 * @example
 * ```ts
 * const drop = new nn.FeatureAlphaDropout(0.2);
 * drop(F.selu(featureMaps));
 * ```
 */
export class FeatureAlphaDropout extends DropoutNd {
  forward(x: Tensor): Tensor { return F.featureAlphaDropout(x, this.p, this.training); }
}
