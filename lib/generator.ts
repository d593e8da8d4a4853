/**
 * `torch.Generator`: a random-number generator of its own, for the `generator` option of random
 * ops and factories, so that their draws neither depend on nor disturb the global generator.
 */
import { native as N } from './binding';
import type { Tensor } from './tensor';
import { checkDevice, checkInt } from './validate';

/**
 * A seedable random-number generator, as `torch.Generator(device='cpu')`.
 * @example
 * ```ts
 * const g = new torch.Generator().manualSeed(0);
 * const a = torch.randn(3, { generator: g });
 * const b = torch.rand(2).bernoulli({ generator: g });
 * ```
 */
export class Generator {
  /** @internal The native generator. */
  readonly handle: unknown;
  /** The device whose random streams it drives: `'cpu'` or a CUDA device. */
  readonly device: string;

  constructor(device = 'cpu') {
    this.device = checkDevice(device, 'device');
    this.handle = N.generatorNew(this.device);
  }

  /** Seeds the generator (same seed, same stream); returns it, as Python does. */
  manualSeed(seed: number): this {
    N.generatorManualSeed(this.handle, checkInt(seed, 'seed', 0));
    return this;
  }

  /** Seeds from a non-deterministic source and returns the seed (53 bits, exact as a JS number). */
  seed(): number { return N.generatorSeed(this.handle); }

  /** The seed the generator was last seeded with. */
  initialSeed(): number { return N.generatorInitialSeed(this.handle); }

  /**
   * The generator's whole state as a uint8 tensor, as `torch.Generator.get_state()` (the same
   * bytes as PyTorch's for the same LibTorch): {@link setState} with it replays the stream.
   * @example
   * ```ts
   * const g = new torch.Generator().manualSeed(1);
   * const state = g.getState();
   * const a = torch.rand(3, { generator: g });
   * g.setState(state); // torch.rand(3, { generator: g }) equals a
   * ```
   */
  getState(): Tensor { return N.generatorGetState(this.handle); }

  /** Restores a state from {@link getState} (a TypeError for a non-tensor, a TorchError for a wrong one); returns the generator. */
  setState(newState: Tensor): this {
    N.generatorSetState(this.handle, newState);
    return this;
  }
}

/**
 * The default CPU generator's state (the one `torch.manualSeed` seeds), as `torch.get_rng_state()`.
 * @example
 * ```ts
 * const state = torch.getRngState();
 * const a = torch.randn(2);
 * torch.setRngState(state); // torch.randn(2) equals a again
 * ```
 */
export function getRngState(): Tensor { return N.generatorGetState(null); }

/** Restores the default CPU generator's state from {@link getRngState}, as `torch.set_rng_state()`. */
export function setRngState(newState: Tensor): void { N.generatorSetState(null, newState); }
