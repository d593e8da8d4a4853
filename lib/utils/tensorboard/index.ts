/**
 * `torch.utils.tensorboard`: {@link SummaryWriter} writes TensorBoard's event files (scalars,
 * histograms, images, figures, text, hyperparameters, precision-recall curves) and its
 * projector's files, as PyTorch's `torch.utils.tensorboard` does; `tensorboard --logdir runs`
 * shows them.
 *
 * @example
 * ```ts
 * import * as torch from 'nodetorch';
 * const writer = new torch.utils.tensorboard.SummaryWriter('runs/exp1');
 * writer.addScalar('loss', 0.5, 1);
 * writer.close();
 * ```
 * @module nodetorch/utils/tensorboard
 */
export { SummaryWriter, defaultLogDir, type SummaryWriterOptions, type Figure } from './writer';
export type { Bins } from './histogram';
export type { HParamValue, ScalarOptions } from './summary';
export type { MetadataValue } from './embedding';
