/**
 * `torch.nn.utils`: gradient clipping, parameters as one vector, and `rnn` (packed sequences).
 * @module
 */
export * as rnn from './rnn';
export * from './clip_grad';
export * from './convert_parameters';
