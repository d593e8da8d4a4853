/**
 * Vision Transformer B/16, B/32, L/16, L/32, H/14, as torchvision 0.14's
 * `torchvision/models/vision_transformer.py`: the same modules and names (`conv_proj.weight`,
 * `class_token`, `encoder.pos_embedding`, `encoder.layers.encoder_layer_0.self_attention.in_proj_weight`,
 * `encoder.layers.encoder_layer_0.mlp.0.weight`, `heads.head.weight`), so a state dict saved by
 * torchvision loads with `strict: true`, and the same initialisation.
 */
import { Tensor } from '../../tensor';
import { empty, zeros } from '../../factories';
import { cat } from '../../generated/ops';
import { TorchError, rangeError, typeError } from '../../errors';
import { checkInt, checkOptions } from '../../validate';
import { Module, Parameter } from '../../nn/module';
import { Sequential } from '../../nn/container';
import { Conv2d } from '../../nn/conv';
import { BatchNorm2d, LayerNorm } from '../../nn/normalization';
import { GELU, ReLU, Tanh } from '../../nn/activation';
import { Linear } from '../../nn/linear';
import { Dropout } from '../../nn/dropout';
import { MultiheadAttention } from '../../nn/attention';
import * as init from '../../nn/init';
import { Conv2dNormActivation, MLP, build, checkFactory, type ActivationLayer, type NormLayer } from '../ops';
import { builderOptions, checkProbability, member, type WeightsOption } from './_utils';

/** torchvision's default ViT norm layer: `nn.LayerNorm(eps=1e-6)`. */
const layerNorm: NormLayer = (n) => new LayerNorm(n, { eps: 1e-6 });

/** One convolution of a ViT convolutional stem (torchvision's `ConvStemConfig`, "Early Convolutions Help Transformers See Better"). */
export interface ConvStemConfig {
  outChannels: number;
  kernelSize: number;
  stride: number;
  /** Default `nn.BatchNorm2d`. */
  normLayer?: NormLayer;
  /** Default `nn.ReLU`. */
  activationLayer?: ActivationLayer;
}

/**
 * The transformer's MLP: Linear → GELU → Dropout → Linear → Dropout (children `0`–`4`), with
 * Xavier-uniform weights and N(0, 1e-6) biases (torchvision's `MLPBlock`).
 * @example
 * ```ts
 * const mlp = new vision.models.MLPBlock(768, 3072, 0.0);
 * ```
 */
export class MLPBlock extends MLP {
  constructor(inDim: number, mlpDim: number, dropout: number) {
    super(inDim, [mlpDim, inDim], { activationLayer: () => new GELU(), inplace: null, dropout });
    for (const m of this.modules()) {
      if (m instanceof Linear) {
        init.xavierUniform_(m.weight);
        if (m.bias !== null) init.normal_(m.bias, 0, 1e-6);
      }
    }
  }
}

/**
 * A pre-norm transformer encoder layer: LayerNorm → self-attention → dropout → residual, then
 * LayerNorm → `MLPBlock` → residual (torchvision's `EncoderBlock`).
 * @example
 * ```ts
 * const layer = new vision.models.EncoderBlock(12, 768, 3072, 0, 0);
 * layer(tokens); // [N, L, 768] → [N, L, 768]
 * ```
 */
export class EncoderBlock extends Module {
  declare numHeads: number;
  declare dropout: Dropout;
  declare mlp: MLPBlock;

  constructor(numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number, normLayer: NormLayer = layerNorm) {
    super();
    this.numHeads = checkInt(numHeads, 'numHeads', 1);
    checkFactory<NormLayer>(normLayer, 'normLayer');
    // Assigned in torchvision's order: the order of the state dict and the printout.
    this.registerModule('ln_1', build(normLayer, 'normLayer', hiddenDim));
    this.registerModule('self_attention', new MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout, batchFirst: true }));
    this.dropout = new Dropout(dropout);
    this.registerModule('ln_2', build(normLayer, 'normLayer', hiddenDim));
    this.mlp = new MLPBlock(hiddenDim, mlpDim, dropout);
  }

  /** The norm before attention (`ln_1`). */
  get ln1(): Module { return member(this, 'ln_1'); }
  /** The self-attention, batch first (`self_attention`). */
  get selfAttention(): MultiheadAttention { return member(this, 'self_attention'); }
  /** The norm before the MLP (`ln_2`). */
  get ln2(): Module { return member(this, 'ln_2'); }

  forward(input: Tensor): Tensor {
    if (input.dim() !== 3) throw new TorchError(`Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(', ')}]`);
    let x = this.ln1(input) as Tensor;
    [x] = this.selfAttention(x, x, x, { needWeights: false });
    x = this.dropout(x);
    x = x.add(input);
    let y = this.ln2(x) as Tensor;
    y = this.mlp(y);
    return x.add(y);
  }
}

/**
 * The transformer encoder: learned position embedding (`pos_embedding`), dropout, `numLayers`
 * `EncoderBlock`s named `encoder_layer_0`, …, and a final norm (torchvision's `Encoder`).
 * @example
 * ```ts
 * const encoder = new vision.models.Encoder(197, 12, 12, 768, 3072, 0, 0);
 * ```
 */
export class Encoder extends Module {
  declare dropout: Dropout;
  declare layers: Sequential;
  declare ln: Module;

  constructor(seqLength: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number,
    normLayer: NormLayer = layerNorm) {
    super();
    checkInt(seqLength, 'seqLength', 1);
    checkInt(numLayers, 'numLayers', 1);
    checkInt(hiddenDim, 'hiddenDim', 1);
    this.registerParameter('pos_embedding', new Parameter(empty([1, seqLength, hiddenDim]).normal_(0, 0.02))); // from BERT
    this.dropout = new Dropout(dropout);
    this.layers = new Sequential();
    for (let i = 0; i < numLayers; i++) {
      this.layers.addModule(`encoder_layer_${i}`, new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout, normLayer));
    }
    this.ln = build(normLayer, 'normLayer', hiddenDim);
  }

  /** The learned position embedding `[1, seqLength, hiddenDim]` (`pos_embedding`). */
  get posEmbedding(): Parameter { return member(this, 'pos_embedding'); }

  forward(input: Tensor): Tensor {
    if (input.dim() !== 3) throw new TorchError(`Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(', ')}]`);
    input = input.add(this.posEmbedding);
    return this.ln(this.layers(this.dropout(input))) as Tensor;
  }
}

/** Options of `VisionTransformer` (and its builders), torchvision's keyword arguments. */
export interface VisionTransformerOptions {
  /** Default 0. */
  dropout?: number;
  /** Dropout on the attention weights. Default 0. */
  attentionDropout?: number;
  /** Default 1000. */
  numClasses?: number;
  /** A `pre_logits` Linear + Tanh of this size before the head. Default null (none). */
  representationSize?: number | null;
  /** Default `nn.LayerNorm(eps 1e-6)`. */
  normLayer?: NormLayer | null;
  /** A convolutional stem instead of the patch projection. Default null. */
  convStemConfigs?: ConvStemConfig[] | null;
}

const VIT_KEYS = ['dropout', 'attentionDropout', 'numClasses', 'representationSize', 'normLayer', 'convStemConfigs'] as const;

/**
 * Vision Transformer (Dosovitskiy et al., 2020), as torchvision's `VisionTransformer`:
 * `imageSize`×`imageSize` inputs cut into `patchSize` patches; `vitB_16()` etc. build the paper's.
 * @example
 * ```ts
 * const model = new vision.models.VisionTransformer(32, 8, 2, 2, 64, 128, { numClasses: 10 }); // a small ViT for 32×32 images
 * ```
 */
export class VisionTransformer extends Module {
  declare imageSize: number;
  declare patchSize: number;
  declare hiddenDim: number;
  declare mlpDim: number;
  declare attentionDropout: number;
  /** The dropout probability (a number here, as in torchvision). */
  declare dropout: number;
  declare numClasses: number;
  declare representationSize: number | null;
  declare normLayer: NormLayer;
  declare encoder: Encoder;
  declare seqLength: number;
  declare heads: Sequential;

  constructor(imageSize: number, patchSize: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number,
    options: VisionTransformerOptions = {}) {
    super();
    const o = checkOptions(options, 'VisionTransformer options', VIT_KEYS) as VisionTransformerOptions;
    checkInt(imageSize, 'imageSize', 1);
    checkInt(patchSize, 'patchSize', 1);
    if (imageSize % patchSize !== 0) throw rangeError(`an image size divisible by patchSize (${patchSize})`, 'imageSize', imageSize);
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.hiddenDim = checkInt(hiddenDim, 'hiddenDim', 1);
    this.mlpDim = checkInt(mlpDim, 'mlpDim', 1);
    this.attentionDropout = checkProbability(o.attentionDropout ?? 0, 'attentionDropout');
    this.dropout = checkProbability(o.dropout ?? 0, 'dropout');
    this.numClasses = checkInt(o.numClasses ?? 1000, 'numClasses', 1);
    this.representationSize = o.representationSize === undefined || o.representationSize === null ? null : checkInt(o.representationSize, 'representationSize', 1);
    this.normLayer = o.normLayer === undefined || o.normLayer === null ? layerNorm : checkFactory<NormLayer>(o.normLayer, 'normLayer');

    const stem = o.convStemConfigs ?? null;
    let convLast: Conv2d | null = null;
    if (stem !== null) {
      if (!Array.isArray(stem)) throw typeError('an array of ConvStemConfig or null', 'convStemConfigs', stem);
      const seqProj = new Sequential();
      let prevChannels = 3;
      stem.forEach((c, i) => {
        const cfg = checkOptions(c, `convStemConfigs[${i}]`, ['outChannels', 'kernelSize', 'stride', 'normLayer', 'activationLayer']) as ConvStemConfig;
        seqProj.addModule(`conv_bn_relu_${i}`, new Conv2dNormActivation(prevChannels, cfg.outChannels, {
          kernelSize: cfg.kernelSize, stride: cfg.stride, normLayer: cfg.normLayer ?? ((n) => new BatchNorm2d(n)),
          activationLayer: cfg.activationLayer ?? ((a) => new ReLU(a)),
        }));
        prevChannels = cfg.outChannels;
      });
      convLast = new Conv2d(prevChannels, hiddenDim, 1);
      seqProj.addModule('conv_last', convLast);
      this.registerModule('conv_proj', seqProj);
    } else {
      this.registerModule('conv_proj', new Conv2d(3, hiddenDim, patchSize, { stride: patchSize }));
    }
    let seqLength = (Math.floor(imageSize / patchSize)) ** 2;
    // Add a class token.
    this.registerParameter('class_token', new Parameter(zeros([1, 1, hiddenDim])));
    seqLength += 1;
    this.encoder = new Encoder(seqLength, numLayers, numHeads, hiddenDim, mlpDim, this.dropout, this.attentionDropout, this.normLayer);
    this.seqLength = seqLength;
    this.heads = new Sequential();
    if (this.representationSize === null) {
      this.heads.addModule('head', new Linear(hiddenDim, this.numClasses));
    } else {
      this.heads.addModule('pre_logits', new Linear(hiddenDim, this.representationSize));
      this.heads.addModule('act', new Tanh());
      this.heads.addModule('head', new Linear(this.representationSize, this.numClasses));
    }

    const convProj = this.convProj;
    if (convProj instanceof Conv2d) {
      // Init the patchify stem.
      const fanIn = convProj.inChannels * convProj.kernelSize[0] * convProj.kernelSize[1];
      init.truncNormal_(convProj.weight, 0, Math.sqrt(1 / fanIn));
      if (convProj.bias !== null) init.zeros_(convProj.bias);
    } else if (convLast !== null) {
      // Init the last 1×1 convolution of the convolutional stem.
      init.normal_(convLast.weight, 0, Math.sqrt(2.0 / convLast.outChannels));
      if (convLast.bias !== null) init.zeros_(convLast.bias);
    }
    const preLogits = member<Module | undefined>(this.heads, 'pre_logits');
    if (preLogits instanceof Linear) {
      init.truncNormal_(preLogits.weight, 0, Math.sqrt(1 / preLogits.inFeatures));
      init.zeros_(preLogits.bias!);
    }
    const head = member<Module>(this.heads, 'head');
    if (head instanceof Linear) {
      init.zeros_(head.weight);
      init.zeros_(head.bias!);
    }
  }

  /** The patch projection: a `patchSize`-strided Conv2d, or the convolutional stem (`conv_proj`). */
  get convProj(): Module { return member(this, 'conv_proj'); }
  /** The class token `[1, 1, hiddenDim]` (`class_token`). */
  get classToken(): Parameter { return member(this, 'class_token'); }

  /** `[N, 3, imageSize, imageSize]` → the patch tokens `[N, (imageSize / patchSize)², hiddenDim]`. */
  protected processInput(x: Tensor): Tensor {
    const [n, , h, w] = x.shape;
    const p = this.patchSize;
    if (x.dim() !== 4 || h !== this.imageSize || w !== this.imageSize) {
      throw new TorchError(`Wrong image size! Expected [N, 3, ${this.imageSize}, ${this.imageSize}] but got [${x.shape.join(', ')}]!`);
    }
    const nH = Math.floor(h / p);
    const nW = Math.floor(w / p);
    // (n, c, h, w) -> (n, hidden_dim, n_h, n_w) -> (n, hidden_dim, n_h * n_w) -> (n, n_h * n_w, hidden_dim)
    x = this.convProj(x) as Tensor;
    x = x.reshape(n, this.hiddenDim, nH * nW);
    return x.permute(0, 2, 1);
  }

  forward(x: Tensor): Tensor {
    x = this.processInput(x);
    const n = x.shape[0];
    // Expand the class token to the full batch.
    const batchClassToken = this.classToken.expand(n, -1, -1);
    x = cat([batchClassToken, x], 1);
    x = this.encoder(x);
    // The classifier "token" is the first one.
    x = x.select(1, 0);
    return this.heads(x);
  }
}

/** Options of the ViT builders: `VisionTransformer`'s, `imageSize` (default 224) and `weights` (only null). */
export type VisionTransformerBuilderOptions = VisionTransformerOptions & { imageSize?: number } & WeightsOption;

function vit(builder: string, patchSize: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number, options: unknown): VisionTransformer {
  const { imageSize, ...rest } = builderOptions<VisionTransformerOptions & { imageSize?: number }>(options, builder, [...VIT_KEYS, 'imageSize']);
  return new VisionTransformer(imageSize ?? 224, patchSize, numLayers, numHeads, hiddenDim, mlpDim, rest);
}

/**
 * ViT-B/16 (86.6 M parameters with 1000 classes at 224×224), as `torchvision.models.vit_b_16`.
 * @example
 * ```ts
 * const model = vision.models.vitB_16({ numClasses: 10 });
 * model(torch.randn([1, 3, 224, 224])); // [1, 10]
 * ```
 */
export function vitB_16(options: VisionTransformerBuilderOptions = {}): VisionTransformer { return vit('vitB_16', 16, 12, 12, 768, 3072, options); }
/** ViT-B/32, as `torchvision.models.vit_b_32`. @example `vision.models.vitB_32()` */
export function vitB_32(options: VisionTransformerBuilderOptions = {}): VisionTransformer { return vit('vitB_32', 32, 12, 12, 768, 3072, options); }
/** ViT-L/16, as `torchvision.models.vit_l_16`. @example `vision.models.vitL_16()` */
export function vitL_16(options: VisionTransformerBuilderOptions = {}): VisionTransformer { return vit('vitL_16', 16, 24, 16, 1024, 4096, options); }
/** ViT-L/32, as `torchvision.models.vit_l_32`. @example `vision.models.vitL_32()` */
export function vitL_32(options: VisionTransformerBuilderOptions = {}): VisionTransformer { return vit('vitL_32', 32, 24, 16, 1024, 4096, options); }
/** ViT-H/14, as `torchvision.models.vit_h_14`. @example `vision.models.vitH_14({ imageSize: 224 })` */
export function vitH_14(options: VisionTransformerBuilderOptions = {}): VisionTransformer { return vit('vitH_14', 14, 32, 16, 1280, 5120, options); }
