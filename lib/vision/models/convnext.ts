/**
 * ConvNeXt Tiny/Small/Base/Large, as torchvision 0.14's `torchvision/models/convnext.py`: the same
 * modules and names (`features.1.0.block.0.weight`, `features.1.0.layer_scale`,
 * `classifier.2.weight`), so a state dict saved by torchvision loads with `strict: true`, and the
 * same initialisation (truncated normal, std 0.02, for convolutions and Linear layers).
 */
import { Tensor } from '../../tensor';
import { ones } from '../../factories';
import { rangeError, typeError } from '../../errors';
import { checkInt, checkNumber, checkOptions } from '../../validate';
import { Module, Parameter } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { LayerNorm } from '../../nn/normalization';
import { GELU } from '../../nn/activation';
import { Flatten, Linear } from '../../nn/linear';
import { AdaptiveAvgPool2d } from '../../nn/pooling';
import * as init from '../../nn/init';
import { Conv2dNormActivation, LayerNorm2d, Permute, StochasticDepth, build, checkFactory, type NormLayer } from '../ops';
import { builderOptions, checkProbability, member, type WeightsOption } from './_utils';

/**
 * ConvNeXt's block: depthwise 7×7, LayerNorm, Linear ×4, GELU, Linear, scaled by the learnable
 * `layer_scale`, with stochastic depth on the residual.
 * @example
 * ```ts
 * const block = new vision.models.CNBlock(96, 1e-6, 0.1);
 * ```
 */
export class CNBlock extends Module {
  declare block: Sequential;

  constructor(dim: number, layerScale: number, stochasticDepthProb: number, normLayer: NormLayer | null = null) {
    super();
    checkInt(dim, 'dim', 1);
    checkNumber(layerScale, 'layerScale');
    const norm = normLayer === null ? (n: number) => new LayerNorm(n, { eps: 1e-6 }) : checkFactory<NormLayer>(normLayer, 'normLayer');
    this.block = new Sequential(
      new Conv2d(dim, dim, 7, { padding: 3, groups: dim, bias: true }),
      new Permute([0, 2, 3, 1]),
      build(norm, 'normLayer', dim),
      new Linear(dim, 4 * dim, { bias: true }),
      new GELU(),
      new Linear(4 * dim, dim, { bias: true }),
      new Permute([0, 3, 1, 2]),
    );
    this.registerParameter('layer_scale', new Parameter(ones([dim, 1, 1]).mul(layerScale)));
    this.registerModule('stochastic_depth', new StochasticDepth(stochasticDepthProb, 'row'));
  }

  /** The per-channel scale of the residual branch `[dim, 1, 1]` (`layer_scale`). */
  get layerScale(): Parameter { return member(this, 'layer_scale'); }
  /** Stochastic depth on the residual branch (`stochastic_depth`). */
  get stochasticDepth(): StochasticDepth { return member(this, 'stochastic_depth'); }

  forward(input: Tensor): Tensor {
    let result = this.layerScale.mul(this.block(input));
    result = this.stochasticDepth(result);
    return result.add_(input);
  }
}

/**
 * One ConvNeXt stage (torchvision's `CNBlockConfig`): its channels, the channels after its
 * downsampling layer (null for the last stage), and its number of blocks.
 * @example
 * ```ts
 * const stage = new vision.models.CNBlockConfig(96, 192, 3);
 * ```
 */
export class CNBlockConfig {
  readonly inputChannels: number;
  readonly outChannels: number | null;
  readonly numLayers: number;
  constructor(inputChannels: number, outChannels: number | null, numLayers: number) {
    this.inputChannels = checkInt(inputChannels, 'inputChannels', 1);
    this.outChannels = outChannels === null ? null : checkInt(outChannels, 'outChannels', 1);
    this.numLayers = checkInt(numLayers, 'numLayers', 1);
  }
  /** `CNBlockConfig(input_channels=96, out_channels=192, num_layers=3)`, as Python prints it. */
  toString(): string {
    return `CNBlockConfig(input_channels=${this.inputChannels}, out_channels=${this.outChannels ?? 'None'}, num_layers=${this.numLayers})`;
  }
}

/** A ConvNeXt block class: `CNBlock` or one with its constructor arguments. */
export type ConvNeXtBlock = new (dim: number, layerScale: number, stochasticDepthProb: number) => Module;

/** Options of `ConvNeXt`, torchvision's keyword arguments. */
export interface ConvNeXtOptions {
  /** Largest stochastic-depth probability (it grows linearly over the blocks). Default 0. */
  stochasticDepthProb?: number;
  /** Initial `layer_scale`. Default 1e-6. */
  layerScale?: number;
  /** Default 1000. */
  numClasses?: number;
  /** Default `CNBlock`. */
  block?: ConvNeXtBlock | null;
  /** Of the stem, the downsampling layers and the head (the blocks keep `nn.LayerNorm(eps 1e-6)`). Default `LayerNorm2d(eps 1e-6)`. */
  normLayer?: NormLayer | null;
}

const CONVNEXT_KEYS = ['stochasticDepthProb', 'layerScale', 'numClasses', 'block', 'normLayer'] as const;

/**
 * ConvNeXt (Liu et al., 2022) from a list of stages, as torchvision's `ConvNeXt`;
 * `convnextTiny()` … `convnextLarge()` build the paper's four.
 * @example
 * ```ts
 * const { CNBlockConfig, ConvNeXt } = vision.models;
 * const model = new ConvNeXt([new CNBlockConfig(32, 64, 1), new CNBlockConfig(64, null, 1)], { numClasses: 10 });
 * ```
 */
export class ConvNeXt extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(blockSetting: CNBlockConfig[], options: ConvNeXtOptions = {}) {
    super();
    const o = checkOptions(options, 'ConvNeXt options', CONVNEXT_KEYS) as ConvNeXtOptions;
    if (!Array.isArray(blockSetting) || blockSetting.length === 0) {
      throw (Array.isArray(blockSetting) ? rangeError : typeError)('a non-empty list of CNBlockConfig', 'blockSetting', blockSetting);
    }
    for (const s of blockSetting) { // stops at the first bad item, a hole included
      if (!(s instanceof CNBlockConfig)) throw typeError('a list of CNBlockConfig', 'blockSetting', blockSetting);
    }
    const stochasticDepthProb = checkProbability(o.stochasticDepthProb ?? 0, 'stochasticDepthProb');
    const layerScale = checkNumber(o.layerScale ?? 1e-6, 'layerScale');
    const numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    const block: ConvNeXtBlock = o.block === undefined || o.block === null ? CNBlock : o.block;
    if (typeof block !== 'function') throw typeError('a block class', 'block', block);
    const normLayer = o.normLayer === undefined || o.normLayer === null ? (n: number) => new LayerNorm2d(n, { eps: 1e-6 })
      : checkFactory<NormLayer>(o.normLayer, 'normLayer');

    const layers: Module[] = [];
    const firstconvOutputChannels = blockSetting[0].inputChannels;
    layers.push(new Conv2dNormActivation(3, firstconvOutputChannels, { kernelSize: 4, stride: 4, padding: 0, normLayer, activationLayer: null, bias: true }));
    const totalStageBlocks = blockSetting.reduce((n, cnf) => n + cnf.numLayers, 0);
    let stageBlockId = 0;
    for (const cnf of blockSetting) {
      const stage: Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        const sdProb = stochasticDepthProb * stageBlockId / (totalStageBlocks - 1.0);
        stage.push(new block(cnf.inputChannels, layerScale, sdProb));
        stageBlockId += 1;
      }
      layers.push(new Sequential(...stage));
      if (cnf.outChannels !== null) {
        layers.push(new Sequential(build(normLayer, 'normLayer', cnf.inputChannels), new Conv2d(cnf.inputChannels, cnf.outChannels, 2, { stride: 2 })));
      }
    }
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d(1);
    const lastblock = blockSetting[blockSetting.length - 1];
    const lastconvOutputChannels = lastblock.outChannels ?? lastblock.inputChannels;
    this.classifier = new Sequential(build(normLayer, 'normLayer', lastconvOutputChannels), new Flatten(1), new Linear(lastconvOutputChannels, numClasses));

    for (const m of this.modules()) {
      if (m instanceof Conv2d || m instanceof Linear) {
        init.truncNormal_(m.weight, 0, 0.02);
        if (m.bias !== null) init.zeros_(m.bias);
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    return this.classifier(x);
  }
}

/** Options of the ConvNeXt builders. */
export type ConvNeXtBuilderOptions = ConvNeXtOptions & WeightsOption;

function convnext(builder: string, blockSetting: CNBlockConfig[], stochasticDepthProb: number, options: unknown): ConvNeXt {
  const o = builderOptions<ConvNeXtOptions>(options, builder, CONVNEXT_KEYS);
  return new ConvNeXt(blockSetting, { ...o, stochasticDepthProb: o.stochasticDepthProb ?? stochasticDepthProb });
}

/**
 * ConvNeXt-Tiny (28.6 M parameters with 1000 classes; stochastic depth 0.1), as `torchvision.models.convnext_tiny`.
 * @example
 * ```ts
 * const model = vision.models.convnextTiny({ numClasses: 10 });
 * ```
 */
export function convnextTiny(options: ConvNeXtBuilderOptions = {}): ConvNeXt {
  return convnext('convnextTiny', [new CNBlockConfig(96, 192, 3), new CNBlockConfig(192, 384, 3), new CNBlockConfig(384, 768, 9), new CNBlockConfig(768, null, 3)], 0.1, options);
}
/** ConvNeXt-Small (stochastic depth 0.4), as `torchvision.models.convnext_small`. @example `vision.models.convnextSmall()` */
export function convnextSmall(options: ConvNeXtBuilderOptions = {}): ConvNeXt {
  return convnext('convnextSmall', [new CNBlockConfig(96, 192, 3), new CNBlockConfig(192, 384, 3), new CNBlockConfig(384, 768, 27), new CNBlockConfig(768, null, 3)], 0.4, options);
}
/** ConvNeXt-Base (stochastic depth 0.5), as `torchvision.models.convnext_base`. @example `vision.models.convnextBase()` */
export function convnextBase(options: ConvNeXtBuilderOptions = {}): ConvNeXt {
  return convnext('convnextBase', [new CNBlockConfig(128, 256, 3), new CNBlockConfig(256, 512, 3), new CNBlockConfig(512, 1024, 27), new CNBlockConfig(1024, null, 3)], 0.5, options);
}
/** ConvNeXt-Large (stochastic depth 0.5), as `torchvision.models.convnext_large`. @example `vision.models.convnextLarge()` */
export function convnextLarge(options: ConvNeXtBuilderOptions = {}): ConvNeXt {
  return convnext('convnextLarge', [new CNBlockConfig(192, 384, 3), new CNBlockConfig(384, 768, 3), new CNBlockConfig(768, 1536, 27), new CNBlockConfig(1536, null, 3)], 0.5, options);
}
