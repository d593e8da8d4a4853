/**
 * `torchvision`: datasets and transforms.
 * @module nodetorch/vision
 */
export * as transforms from './transforms';
export * as datasets from './datasets';
export * as utils from './utils';
export * as models from './models';
export * as ops from './ops';
export * as io from './io';
