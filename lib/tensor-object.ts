/**
 * The function every native tensor object is constructed from (native/bindings/tensor.cc,
 * TensorBase::New; lib/dispatch.ts for op results). lib/tensor.ts gives it Tensor.prototype, so
 * what it makes is a `Tensor` in every way JavaScript can ask, while the only code that runs per
 * tensor is one store: the object's slot number in native code's pool, under `HANDLE`.
 * Modules below tensor.ts recognise tensors with `isTensor`.
 * @internal
 */
import type { Tensor } from './tensor';

/** The key a tensor object holds its native slot number under (-1 until it has one). */
export const HANDLE: unique symbol = Symbol('nodetorch.handle');

/** A tensor object as this module sees it. */
export type Handled = { [HANDLE]: number };

export const TensorObject = function Tensor(this: Handled): void {
  this[HANDLE] = -1;
} as unknown as new () => Tensor;

/**
 * The Int32Array native code shares with lib/dispatch.ts (native/bindings/common.h,
 * Instance::io): slot numbers of op arguments and of an op's result.
 */
export let IO: Int32Array<ArrayBufferLike> = new Int32Array(0);

/** @internal Set once, by lib/tensor.ts, from the native setup. */
export function bindIO(io: Int32Array<ArrayBufferLike>): void { IO = io; }

/**
 * `r`, what a native call returned that was given `out`, a fresh `new TensorObject()` for its
 * tensor result: when the result went into `out`, its slot number is in IO[0] and is stored here
 * (an object allocated in JS and filled by native code costs less than one native code makes).
 */
export function filled<R>(r: R, out: Tensor): R {
  if (r === out) (out as unknown as Handled)[HANDLE] = IO[0];
  return r;
}

/** Whether `v` is a Tensor (nn.Parameter included). */
export function isTensor(v: unknown): v is Tensor { return v instanceof TensorObject; }
