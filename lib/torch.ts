/**
 * The `torch` namespace's own functions besides tensor creation: configuration, threads, CUDA,
 * and functional forms of tensor methods (`torch.sum(x)`, `torch.argmax(x, 1)`).
 */
import { native as N, bindingInfo } from './binding';
import { typeError } from './errors';
import { Tensor, type TensorLike, type ValuesIndices } from './tensor';
import { checkDevice, checkInt } from './validate';

/** What `torch.config()` reports. */
export interface Config {
  /** The LibTorch version the addon was built with, e.g. `'2.13.0'`. */
  libtorchVersion: string;
  /** Whether the addon links a CUDA LibTorch. */
  cuda: boolean;
  /** The LibTorch root in use (chosen at build time, or found at load time for a prebuilt binary). */
  root: string;
  /** The directory LibTorch's libraries were loaded from. */
  libDir: string;
  /** Intra-op threads. */
  numThreads: number;
  /** `'local build'` or `'prebuilt'`, and the addon file. */
  binary: { kind: string; file: string };
}

/**
 * Facts about the LibTorch this process uses.
 * @example
 * ```ts
 * console.log(torch.config()); // { libtorchVersion: '2.13.0', cuda: false, root: '…', numThreads: 2, … }
 * ```
 */
export function config(): Config {
  const c = N.config();
  return {
    libtorchVersion: c.libtorchVersion, cuda: c.cuda, root: bindingInfo.root, libDir: c.libDir, numThreads: c.numThreads,
    binary: { kind: bindingInfo.kind, file: bindingInfo.file },
  };
}

/**
 * Sets the number of intra-op threads (default: physical cores, as in PyTorch Python).
 * @example
 * ```ts
 * torch.setNumThreads(1);
 * ```
 */
export function setNumThreads(n: number): void { N.setNumThreads(checkInt(n, 'n', 1)); }

/** The number of intra-op threads. @example `torch.getNumThreads()` */
export function getNumThreads(): number { return N.config().numThreads; }

/**
 * A device string, checked: `'cpu'`, `'cuda'` or `'cuda:N'`.
 * @example
 * ```ts
 * const device = torch.device(torch.cuda.isAvailable() ? 'cuda:0' : 'cpu');
 * model.to(device);
 * ```
 */
export function device(name: string): string { return checkDevice(name, 'device'); }

/** `torch.cuda`. */
export const cuda = {
  /** Whether a CUDA device can be used (a CUDA LibTorch and a visible GPU). @example `torch.cuda.isAvailable()` */
  isAvailable(): boolean { return N.config().cudaAvailable; },
  /** Number of visible CUDA devices. @example `torch.cuda.deviceCount()` */
  deviceCount(): number { return N.config().cudaDeviceCount; },
};

/**
 * `torch.accelerator`: the device a program should use when it has one (CUDA here), as in
 * PyTorch 2.6+.
 * @example
 * ```ts
 * const device = torch.accelerator.isAvailable() ? torch.accelerator.currentAccelerator()!.type : 'cpu';
 * ```
 */
export const accelerator = {
  /** Whether an accelerator (a CUDA device) can be used. */
  isAvailable(): boolean { return cuda.isAvailable(); },
  /** `{ type: 'cuda' }` when one is available, else null. */
  currentAccelerator(): { type: string } | null { return cuda.isAvailable() ? { type: 'cuda' } : null; },
  /** Number of accelerator devices. */
  deviceCount(): number { return cuda.isAvailable() ? cuda.deviceCount() : 0; },
};

function t(x: unknown, name = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw typeError('a Tensor', name, x);
  return x;
}

/** `input + alpha * other`. @example `torch.add(a, b)` */
export function add(input: Tensor, other: TensorLike, alpha = 1): Tensor { return t(input).add(other, alpha); }
/** `input - alpha * other`. @example `torch.sub(a, b)` */
export function sub(input: Tensor, other: TensorLike, alpha = 1): Tensor { return t(input).sub(other, alpha); }
/** Element-wise product. @example `torch.mul(a, 2)` */
export function mul(input: Tensor, other: TensorLike): Tensor { return t(input).mul(other); }
/** Element-wise division. @example `torch.div(a, b)` */
export function div(input: Tensor, other: TensorLike): Tensor { return t(input).div(other); }
/** Matrix product. @example `torch.matmul(a, b)` */
export function matmul(input: Tensor, other: Tensor): Tensor { return t(input).matmul(other); }
/** Element-wise power. @example `torch.pow(x, 2)` */
export function pow(input: Tensor, exponent: TensorLike): Tensor { return t(input).pow(exponent); }
/** `exp(x)`. @example `torch.exp(x)` */
export function exp(input: Tensor): Tensor { return t(input).exp(); }
/** `log(x)`. @example `torch.log(x)` */
export function log(input: Tensor): Tensor { return t(input).log(); }
/** `|x|`. @example `torch.abs(x)` */
export function abs(input: Tensor): Tensor { return t(input).abs(); }
/** `sqrt(x)`. @example `torch.sqrt(x)` */
export function sqrt(input: Tensor): Tensor { return t(input).sqrt(); }
/** Clamps into `[min, max]`. @example `torch.clamp(x, 0, 1)` */
export function clamp(input: Tensor, min?: number | null, max?: number | null): Tensor { return t(input).clamp(min, max); }
/** Element-wise equality. @example `torch.eq(a, b)` */
export function eq(input: Tensor, other: TensorLike): Tensor { return t(input).eq(other); }
/** Sum. @example `torch.sum(labels.eq(pred))` */
export function sum(input: Tensor, dim?: number | number[] | null, keepdim = false): Tensor { return t(input).sum(dim, keepdim); }
/** Mean. @example `torch.mean(x)` */
export function mean(input: Tensor, dim?: number | number[] | null, keepdim = false): Tensor { return t(input).mean(dim, keepdim); }
/** Index of the maximum. @example `torch.argmax(yPred, 1)` */
export function argmax(input: Tensor, dim?: number | null, keepdim = false): Tensor { return t(input).argmax(dim, keepdim); }
/** Index of the minimum. @example `torch.argmin(x, 0)` */
export function argmin(input: Tensor, dim?: number | null, keepdim = false): Tensor { return t(input).argmin(dim, keepdim); }
/** Maximum (with `dim`: values and indices). @example `torch.max(logits, 1).indices` */
export function max(input: Tensor): Tensor;
export function max(input: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(input: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return dim === undefined ? t(input).max() : t(input).max(dim, keepdim);
}
/** Minimum (with `dim`: values and indices). @example `torch.min(x, 0)` */
export function min(input: Tensor): Tensor;
export function min(input: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(input: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return dim === undefined ? t(input).min() : t(input).min(dim, keepdim);
}
/** Softmax along `dim`. @example `torch.softmax(logits, 1)` */
export function softmax(input: Tensor, dim: number): Tensor { return t(input).softmax(dim); }
/** Log-softmax along `dim`. @example `torch.logSoftmax(logits, 1)` */
export function logSoftmax(input: Tensor, dim: number): Tensor { return t(input).logSoftmax(dim); }
/** Flattens `startDim..endDim`. @example `torch.flatten(x, 1)` */
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor { return t(input).flatten(startDim, endDim); }
/** Reshapes. @example `torch.reshape(x, [2, -1])` */
export function reshape(input: Tensor, shape: number[]): Tensor { return t(input).reshape(shape); }
/** Swaps two dimensions. @example `torch.transpose(x, 0, 1)` */
export function transpose(input: Tensor, dim0: number, dim1: number): Tensor { return t(input).transpose(dim0, dim1); }
/** Same shape and elements. @example `torch.equal(a, b)` */
export function equal(input: Tensor, other: Tensor): boolean { return t(input).equal(t(other, 'other')); }
/** Close within tolerances. @example `torch.allclose(a, b, 1e-5, 1e-8)` */
export function allclose(input: Tensor, other: Tensor, rtol = 1e-5, atol = 1e-8): boolean { return t(input).allclose(t(other, 'other'), rtol, atol); }
/** Element-wise maximum. @example `torch.maximum(a, b)` */
export function maximum(input: Tensor, other: Tensor): Tensor { return t(input).maximum(t(other, 'other')); }
/** Element-wise minimum. @example `torch.minimum(a, b)` */
export function minimum(input: Tensor, other: Tensor): Tensor { return t(input).minimum(t(other, 'other')); }
