/**
 * What torchvision's model builders share (`torchvision/models/_utils.py`): `makeDivisible`, the
 * `weights` check and option checks.
 * @internal
 */
import { TorchError, describe, rangeError, typeError } from '../../errors';
import { checkNumber, checkOptions } from '../../validate';
import type { Module } from '../../nn/module';

/** The `weights` option every builder takes: only `null` (no pretrained weights) is possible offline. */
export interface WeightsOption {
  /**
   * torchvision's pretrained weights. nodetorch cannot download them, so only `null` (the default,
   * random initialisation) is accepted; to use torchvision's weights, save the state dict in Python
   * (`torch.save(torchvision.models.resnet18(weights='DEFAULT').state_dict(), 'resnet18.pth')`) and
   * load it: `model.loadStateDict(torch.load('resnet18.pth'))`.
   */
  weights?: null;
}

/**
 * Checks a builder's options: only `keys` (plus `weights`), and `weights` null or absent.
 * Returns the options without `weights`.
 */
export function builderOptions<T extends object>(options: unknown, builder: string, keys: readonly string[]): T {
  const o = checkOptions(options, `${builder}() options`, [...keys, 'weights']) as Record<string, unknown>;
  if (o.weights !== undefined && o.weights !== null) {
    throw new TorchError(`${builder}(): pretrained weights (${describe(o.weights)}) are not available: nodetorch cannot ` +
      `download torchvision's weights. Build the model with weights: null and load a state dict saved in Python ` +
      `(torch.save(torchvision.models.${snake(builder)}(weights=...).state_dict(), 'model.pth')) with ` +
      `model.loadStateDict(torch.load('model.pth')).`, 'WEIGHTS_UNAVAILABLE');
  }
  const { weights: _, ...rest } = o;
  return rest as T;
}

/** `resnext50_32x4d` from `resnext50_32x4d`, `mobilenet_v3_small` from `mobilenetV3Small`. */
function snake(name: string): string { return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`); }

/**
 * torchvision's `_ovewrite_named_param`: a builder's fixed value for an option the model class
 * also takes (resnext50_32x4d's `groups: 32`); a different value given is a RangeError.
 */
export function overwriteNamedParam<T extends object, K extends keyof T>(options: T, name: K, value: T[K], builder: string): T {
  const given = options[name];
  if (given !== undefined && given !== value) throw rangeError(`${String(value)} (fixed by ${builder}())`, String(name), given);
  return { ...options, [name]: value };
}

/**
 * torchvision's `_make_divisible` (from the TensorFlow MobileNet code): `v` rounded to the
 * nearest multiple of `divisor`, at least `minValue` (default `divisor`), never more than 10% below `v`.
 */
export function makeDivisible(v: number, divisor: number, minValue: number | null = null): number {
  const min = minValue ?? divisor;
  // Python's int() truncates toward zero; v + divisor / 2 is positive here.
  let newV = Math.max(min, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}

/** Python's `round(x)`: to the nearest integer, halves to even. */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A number option: a finite number, by default in [0, 1] (a probability). */
export function checkProbability(value: unknown, name: string): number {
  const p = checkNumber(value, name);
  if (p < 0 || p > 1) throw rangeError('a probability in [0, 1]', name, value);
  return p;
}

/** An option that must be a positive number (a width or depth multiplier). */
export function checkPositive(value: unknown, name: string): number {
  const v = checkNumber(value, name);
  if (!(v > 0) || !Number.isFinite(v)) throw rangeError('a positive number', name, value);
  return v;
}

/** A boolean list of a given length (ResNet's `replaceStrideWithDilation`). */
export function checkBoolList(value: unknown, length: number, name: string): boolean[] {
  if (!Array.isArray(value)) throw typeError(`${length} booleans`, name, value);
  for (let i = 0; i < value.length; i++) { // stops at the first non-boolean, a hole included
    if (typeof value[i] !== 'boolean') throw typeError(`${length} booleans`, name, value);
  }
  if (value.length !== length) throw rangeError(`${length} booleans`, name, value);
  return value as boolean[];
}

/** The parameter or buffer of `module` under its PyTorch name (`layer_scale`), for camelCase getters. */
export function member<T>(module: Module, name: string): T { return (module as unknown as Record<string, T>)[name]; }
