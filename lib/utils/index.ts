/**
 * `torch.utils`: `data` (DataLoader, datasets), `plot` (PNG charts for training scripts) and
 * `tensorboard` (`SummaryWriter`).
 * @module
 */
export * as data from '../data';
export * as plot from './plot';
export * as tensorboard from './tensorboard';
