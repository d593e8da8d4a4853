/**
 * The function every native tensor object is constructed from (native/bindings/tensor.cc,
 * TensorBase::New; lib/dispatch.ts for op results). lib/tensor.ts gives it Tensor.prototype, so
 * what it makes is a `Tensor` in every way JavaScript can ask, while no constructor code runs
 * per tensor and the object keeps room for its native handle. Modules below tensor.ts recognise
 * tensors with `isTensor`.
 * @internal
 */
import type { Tensor } from './tensor';

export const TensorObject = function Tensor(): void {} as unknown as new () => Tensor;

/** Whether `v` is a Tensor (nn.Parameter included). */
export function isTensor(v: unknown): v is Tensor { return v instanceof TensorObject; }
