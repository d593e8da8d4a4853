/**
 * `torch.distributed.ReduceOp`: how {@link allReduce}, {@link reduce} and {@link reduceScatter}
 * combine the ranks' tensors. Which ops a backend supports is the backend's to say: Gloo refuses
 * some (an op it lacks throws a `TorchError` with LibTorch's message, as in Python).
 *
 * @example
 * ```ts
 * dist.allReduce(t, { op: dist.ReduceOp.MAX });
 * ```
 */
export const ReduceOp = Object.freeze({
  SUM: 'SUM',
  AVG: 'AVG',
  PRODUCT: 'PRODUCT',
  MIN: 'MIN',
  MAX: 'MAX',
  BAND: 'BAND',
  BOR: 'BOR',
  BXOR: 'BXOR',
} as const);

/** One of {@link ReduceOp}'s members. @example `const op: ReduceOpName = dist.ReduceOp.SUM;` */
export type ReduceOpName = keyof typeof ReduceOp;

/** @internal c10d's RedOpType value of each op (torch/csrc/distributed/c10d/Types.hpp). */
export const REDUCE_OP_CODES: Readonly<Record<ReduceOpName, number>> = Object.freeze({
  SUM: 0, AVG: 1, PRODUCT: 2, MIN: 3, MAX: 4, BAND: 5, BOR: 6, BXOR: 7,
});
