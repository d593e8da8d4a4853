/**
 * ShuffleNetV2 ×0.5/×1.0/×1.5/×2.0, as torchvision 0.14's `torchvision/models/shufflenetv2.py`:
 * the same modules and names (`conv1.0.weight`, `stage2.0.branch1.0.weight`, `fc.weight`), so a
 * state dict saved by torchvision loads with `strict: true`. torchvision keeps PyTorch's default
 * layer initialisation.
 */
import { Tensor } from '../../tensor';
import { cat, transpose } from '../../generated/ops';
import { rangeError, typeError } from '../../errors';
import { checkInt, checkIntList, checkOptions } from '../../validate';
import { Module } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { BatchNorm2d } from '../../nn/normalization';
import { ReLU } from '../../nn/activation';
import { Linear } from '../../nn/linear';
import { MaxPool2d } from '../../nn/pooling';
import { builderOptions, type WeightsOption } from './_utils';

/**
 * ShuffleNet's channel shuffle: `[N, C, H, W]` viewed as `groups` groups of channels, transposed.
 * @example
 * ```ts
 * vision.models.channelShuffle(x, 2);
 * ```
 */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  const [batchsize, numChannels, height, width] = x.shape;
  const channelsPerGroup = Math.floor(numChannels / groups);
  x = x.view(batchsize, groups, channelsPerGroup, height, width);
  x = transpose(x, 1, 2).contiguous();
  return x.view(batchsize, -1, height, width);
}

/**
 * ShuffleNetV2's unit: at stride 1 half the channels pass through and the other half go through
 * `branch2`; at stride 2 both branches (`branch1`, `branch2`) see the input; then a channel shuffle.
 * @example
 * ```ts
 * const unit = new vision.models.shufflenetv2.InvertedResidual(24, 116, 2);
 * ```
 */
export class InvertedResidual extends Module {
  declare stride: number;
  declare branch1: Sequential;
  declare branch2: Sequential;

  constructor(inp: number, oup: number, stride: number) {
    super();
    this.stride = checkInt(stride, 'stride');
    if (!(stride >= 1 && stride <= 3)) throw rangeError('a stride from 1 to 3', 'stride', stride);
    const branchFeatures = Math.floor(oup / 2);
    if (this.stride === 1 && inp !== branchFeatures << 1) {
      throw rangeError(`inp equal to oup // 2 << 1 (${branchFeatures << 1}) at stride 1`, 'inp', inp);
    }
    if (this.stride > 1) {
      this.branch1 = new Sequential(
        InvertedResidual.depthwiseConv(inp, inp, 3, this.stride, 1),
        new BatchNorm2d(inp),
        new Conv2d(inp, branchFeatures, 1, { stride: 1, padding: 0, bias: false }),
        new BatchNorm2d(branchFeatures),
        new ReLU({ inplace: true }),
      );
    } else {
      this.branch1 = new Sequential();
    }
    this.branch2 = new Sequential(
      new Conv2d(this.stride > 1 ? inp : branchFeatures, branchFeatures, 1, { stride: 1, padding: 0, bias: false }),
      new BatchNorm2d(branchFeatures),
      new ReLU({ inplace: true }),
      InvertedResidual.depthwiseConv(branchFeatures, branchFeatures, 3, this.stride, 1),
      new BatchNorm2d(branchFeatures),
      new Conv2d(branchFeatures, branchFeatures, 1, { stride: 1, padding: 0, bias: false }),
      new BatchNorm2d(branchFeatures),
      new ReLU({ inplace: true }),
    );
  }

  /** A depthwise convolution (`groups = i`). */
  static depthwiseConv(i: number, o: number, kernelSize: number, stride = 1, padding = 0, bias = false): Conv2d {
    return new Conv2d(i, o, kernelSize, { stride, padding, bias, groups: i });
  }

  forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = x.chunk(2, 1);
      out = cat([x1, this.branch2(x2)], 1);
    } else {
      out = cat([this.branch1(x), this.branch2(x)], 1);
    }
    return channelShuffle(out, 2);
  }
}

/** A ShuffleNetV2 unit class: `InvertedResidual` or one with its constructor arguments. */
export type ShuffleNetV2Unit = new (inp: number, oup: number, stride: number) => Module;

/** Options of `ShuffleNetV2`, torchvision's keyword arguments. */
export interface ShuffleNetV2Options {
  /** Default 1000. */
  numClasses?: number;
  /** Default `InvertedResidual`. */
  invertedResidual?: ShuffleNetV2Unit;
}

/**
 * ShuffleNetV2 (Ma et al., 2018), as torchvision's `ShuffleNetV2`.
 * @example
 * ```ts
 * const model = new vision.models.ShuffleNetV2([4, 8, 4], [24, 116, 232, 464, 1024], { numClasses: 10 });
 * ```
 */
export class ShuffleNetV2 extends Module {
  declare conv1: Sequential;
  declare maxpool: MaxPool2d;
  declare stage2: Sequential;
  declare stage3: Sequential;
  declare stage4: Sequential;
  declare conv5: Sequential;
  declare fc: Linear;
  /** torchvision's `_stage_out_channels`. */
  declare stageOutChannels: number[];

  constructor(stagesRepeats: number[], stagesOutChannels: number[], options: ShuffleNetV2Options = {}) {
    super();
    const o = checkOptions(options, 'ShuffleNetV2 options', ['numClasses', 'invertedResidual']) as ShuffleNetV2Options;
    const repeats = checkIntList(stagesRepeats, 'stagesRepeats');
    if (repeats.length !== 3) throw rangeError('a list of 3 positive ints', 'stagesRepeats', stagesRepeats);
    const channels = checkIntList(stagesOutChannels, 'stagesOutChannels');
    if (channels.length !== 5) throw rangeError('a list of 5 positive ints', 'stagesOutChannels', stagesOutChannels);
    const numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    const unit: ShuffleNetV2Unit = o.invertedResidual ?? InvertedResidual;
    if (typeof unit !== 'function') throw typeError('a unit class', 'invertedResidual', unit);
    this.stageOutChannels = [...channels];
    let inputChannels = 3;
    let outputChannels = channels[0];
    this.conv1 = new Sequential(
      new Conv2d(inputChannels, outputChannels, 3, { stride: 2, padding: 1, bias: false }),
      new BatchNorm2d(outputChannels),
      new ReLU({ inplace: true }),
    );
    inputChannels = outputChannels;
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    const stages: Sequential[] = [];
    for (let s = 0; s < 3; s++) {
      outputChannels = channels[s + 1];
      const seq: Module[] = [new unit(inputChannels, outputChannels, 2)];
      for (let i = 0; i < repeats[s] - 1; i++) seq.push(new unit(outputChannels, outputChannels, 1));
      stages.push(new Sequential(...seq));
      inputChannels = outputChannels;
    }
    [this.stage2, this.stage3, this.stage4] = stages;
    outputChannels = channels[4];
    this.conv5 = new Sequential(
      new Conv2d(inputChannels, outputChannels, 1, { stride: 1, padding: 0, bias: false }),
      new BatchNorm2d(outputChannels),
      new ReLU({ inplace: true }),
    );
    this.fc = new Linear(outputChannels, numClasses);
  }

  forward(x: Tensor): Tensor {
    x = this.conv1(x);
    x = this.maxpool(x);
    x = this.stage2(x);
    x = this.stage3(x);
    x = this.stage4(x);
    x = this.conv5(x);
    x = x.mean([2, 3]); // global pool
    return this.fc(x);
  }
}

/** Options of the ShuffleNetV2 builders. */
export type ShuffleNetV2BuilderOptions = ShuffleNetV2Options & WeightsOption;

function shufflenetV2(builder: string, channels: number[], options: unknown): ShuffleNetV2 {
  return new ShuffleNetV2([4, 8, 4], channels, builderOptions<ShuffleNetV2Options>(options, builder, ['numClasses', 'invertedResidual']));
}

/**
 * ShuffleNetV2 with 1.0× output channels (2.3 M parameters with 1000 classes), as
 * `torchvision.models.shufflenet_v2_x1_0`.
 * @example
 * ```ts
 * const model = vision.models.shufflenetV2X1_0({ numClasses: 10 });
 * ```
 */
export function shufflenetV2X1_0(options: ShuffleNetV2BuilderOptions = {}): ShuffleNetV2 {
  return shufflenetV2('shufflenetV2X1_0', [24, 116, 232, 464, 1024], options);
}
/** ShuffleNetV2 ×0.5, as `torchvision.models.shufflenet_v2_x0_5`. @example `vision.models.shufflenetV2X0_5()` */
export function shufflenetV2X0_5(options: ShuffleNetV2BuilderOptions = {}): ShuffleNetV2 {
  return shufflenetV2('shufflenetV2X0_5', [24, 48, 96, 192, 1024], options);
}
/** ShuffleNetV2 ×1.5, as `torchvision.models.shufflenet_v2_x1_5`. @example `vision.models.shufflenetV2X1_5()` */
export function shufflenetV2X1_5(options: ShuffleNetV2BuilderOptions = {}): ShuffleNetV2 {
  return shufflenetV2('shufflenetV2X1_5', [24, 176, 352, 704, 1024], options);
}
/** ShuffleNetV2 ×2.0, as `torchvision.models.shufflenet_v2_x2_0`. @example `vision.models.shufflenetV2X2_0()` */
export function shufflenetV2X2_0(options: ShuffleNetV2BuilderOptions = {}): ShuffleNetV2 {
  return shufflenetV2('shufflenetV2X2_0', [24, 244, 488, 976, 2048], options);
}
