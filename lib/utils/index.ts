/**
 * `torch.utils`: `data` (DataLoader, datasets) and `plot` (PNG charts for training scripts).
 */
export * as data from '../data';
export * as plot from './plot';
