/**
 * `torch.Generator`: a random-number generator of its own, for the `generator` option of random
 * ops and factories, so that their draws neither depend on nor disturb the global generator.
 */
import { native as N } from './binding';
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
}
