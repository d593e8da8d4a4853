/**
 * `torch.nn`: modules, layers, losses, `functional` and `init`.
 * @module
 */
export {
  Module, Parameter, type StateDict, type IncompatibleKeys, type RemovableHandle, type ForwardHook, type ForwardPreHook,
} from './module';
export { Linear, Identity, Flatten } from './linear';
export {
  Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, type Conv1dOptions, type Conv2dOptions,
  type Conv3dOptions, type ConvTranspose1dOptions, type ConvTranspose2dOptions, type ConvTranspose3dOptions,
  type ConvModuleOptions, type ConvTransposeModuleOptions, type ConvPaddingMode,
} from './conv';
export { Fold, Unfold } from './fold';
export { LPPool1d, LPPool2d, LPPool3d, type LPPoolOptions } from './pooling';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, type MaxPool2dOptions } from './pooling';
export {
  MaxPool1d, MaxPool3d, AvgPool1d, AvgPool3d, AdaptiveAvgPool1d, AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
  AdaptiveMaxPool3d, type PoolOutput, type MaxPoolModuleOptions, type AdaptiveMaxPoolOptions,
  MaxUnpool1d, MaxUnpool2d, MaxUnpool3d, type MaxUnpoolModuleOptions, FractionalMaxPool2d, FractionalMaxPool3d,
} from './pooling';
export {
  ZeroPad1d, ZeroPad2d, ZeroPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d,
  ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d, CircularPad2d, CircularPad3d,
} from './padding';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle } from './upsampling';
export { ChannelShuffle } from './channelshuffle';
export { AdaptiveLogSoftmaxWithLoss, type AdaptiveLogSoftmaxWithLossOptions, type ASMOutput } from './adaptive';
export {
  ReLU, ReLU6, LeakyReLU, PReLU, RReLU, ELU, SELU, CELU, GELU, SiLU, Mish, Sigmoid, Tanh, Softplus, Softsign,
  Softshrink, Hardshrink, Tanhshrink, Hardtanh, Hardswish, Hardsigmoid, LogSigmoid, Threshold, GLU,
  Softmax, LogSoftmax, Softmin, Softmax2d,
} from './activation';
export type { InplaceOptions, GeluOptions } from './functional';
export { Dropout } from './dropout';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './normalization';
export {
  BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, GroupNorm, LocalResponseNorm, RMSNorm,
  type InstanceNormOptions, type LayerNormOptions, type GroupNormOptions, type RMSNormOptions,
} from './normalization';
export { Embedding, type EmbeddingOptions, type EmbeddingFromPretrainedOptions } from './sparse';
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict } from './container';
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss } from './loss';
export {
  KLDivLoss, HuberLoss, SmoothL1Loss, SoftMarginLoss, MultiLabelSoftMarginLoss, MultiLabelMarginLoss, MultiMarginLoss,
  MarginRankingLoss, HingeEmbeddingLoss, CosineEmbeddingLoss, TripletMarginLoss, TripletMarginWithDistanceLoss, PoissonNLLLoss,
  GaussianNLLLoss,
  type BCELossOptions, type BCEWithLogitsLossOptions,
} from './loss';
export * as functional from './functional';
export * as init from './init';
export * as utils from './utils';
export * as parallel from './parallel';
export {
  RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell,
  type RNNMode, type RNNBaseOptions, type RNNOptions, type LSTMOptions, type GRUOptions, type RNNCellOptions, type RNNInput,
} from './rnn';
export { Bilinear, Unflatten } from './linear';
export { CosineSimilarity, PairwiseDistance } from './distance';
export { EmbeddingBag, type EmbeddingBagOptions, type EmbeddingBagFromPretrainedOptions } from './sparse';
export { CTCLoss } from './loss';
export { Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout } from './dropout';
export type {
  GridSampleOptions, GridSampleMode, GridSamplePaddingMode, AffineGridOptions, CosineSimilarityOptions, PairwiseDistanceOptions,
  EmbeddingBagMode, EmbeddingBagFunctionOptions, CtcLossOptions,
} from './functional';
export {
  MultiheadAttention, NonDynamicallyQuantizableLinear, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions,
} from './attention';
export {
  Transformer, TransformerEncoder, TransformerDecoder, TransformerEncoderLayer, TransformerDecoderLayer,
  type TransformerActivation, type TransformerLayerOptions, type TransformerOptions, type TransformerEncoderOptions,
  type TransformerEncoderLayerForwardOptions, type TransformerDecoderLayerForwardOptions, type TransformerEncoderForwardOptions,
  type TransformerDecoderForwardOptions, type TransformerForwardOptions,
} from './transformer';
export type { ScaledDotProductAttentionOptions, MultiHeadAttentionForwardOptions } from './functional';
