/**
 * `torch.nn` recurrent layers: `RNN`, `LSTM`, `GRU` (on ATen's fused `rnn_tanh`, `rnn_relu`,
 * `lstm` and `gru`, padded or packed) and the single-step `RNNCell`, `LSTMCell`, `GRUCell`, read
 * side by side with PyTorch's `torch/nn/modules/rnn.py`. Parameter names and state-dict keys are
 * PyTorch's (`weight_ih_l0`, `bias_hh_l1_reverse`, `weight_hr_l0`), so Python checkpoints load.
 */
import { TorchError, rangeError, typeError } from '../errors';
import { Tensor, checkTensor } from '../tensor';
import { empty, zeros } from '../factories';
import * as ops from '../generated/ops';
import { pyFloat } from '../printing';
import { checkBool, checkInt, checkNumber, checkOptions, optionKeys } from '../validate';
import * as init from './init';
import { Module, Parameter } from './module';
import { PackedSequence } from './utils/rnn';

/** Which recurrence an {@link RNNBase} runs, as PyTorch's `mode`. */
export type RNNMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Options every recurrent layer takes, PyTorch's keyword arguments in camelCase. */
export interface RNNBaseOptions {
  /** Stacked layers, each fed the previous one's output. Default 1. */
  numLayers?: number;
  /** Learnable `bias_ih_l*` and `bias_hh_l*`. Default true. */
  bias?: boolean;
  /** Input and output are `[B, T, *]` rather than `[T, B, *]` (the hidden state stays `[L·D, B, H]`). Default false. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode. Default 0. */
  dropout?: number;
  /** Run a second direction backwards over the sequence (its parameters end in `_reverse`). Default false. */
  bidirectional?: boolean;
  /** LSTM only: project the hidden state to this size (`weight_hr_l*`); 0 for none. Default 0. */
  projSize?: number;
}

/** Options of `nn.RNN`. */
export interface RNNOptions extends Omit<RNNBaseOptions, 'projSize'> {
  /** `'tanh'` or `'relu'`. Default `'tanh'`. */
  nonlinearity?: 'tanh' | 'relu';
}

/** Options of `nn.LSTM`. */
export type LSTMOptions = RNNBaseOptions;

/** Options of `nn.GRU`. */
export type GRUOptions = Omit<RNNBaseOptions, 'projSize'>;

const BASE_KEYS = optionKeys<RNNBaseOptions>({ numLayers: true, bias: true, batchFirst: true, dropout: true, bidirectional: true, projSize: true });
const GATES: Record<RNNMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };
const pyBool = (b: boolean): string => (b ? 'True' : 'False');
const shapeText = (s: number[]): string => `[${s.join(', ')}]`;
const pyTuple = (s: number[]): string => `(${s.join(', ')})`;

function nonlinearityOf(value: unknown): 'tanh' | 'relu' {
  const v = value ?? 'tanh';
  if (v !== 'tanh' && v !== 'relu') throw (typeof v === 'string' ? rangeError : typeError)("'tanh' or 'relu'", 'nonlinearity', v);
  return v;
}

// `new nn.LSTM(10, 20, 2)` as in Python, or `new nn.LSTM(10, 20, { numLayers: 2 })`.
function withNumLayers<T extends object>(numLayersOrOptions: number | T | undefined, options: T | undefined): T {
  if (typeof numLayersOrOptions !== 'number') {
    if (options !== undefined) throw typeError('a number of layers before the options', 'numLayers', numLayersOrOptions);
    return (numLayersOrOptions ?? {}) as T;
  }
  const o = checkOptions(options, 'options', [...BASE_KEYS, 'nonlinearity']) as T & { numLayers?: unknown };
  if (o.numLayers !== undefined) throw typeError('numLayers once (positionally or as an option)', 'numLayers', o.numLayers);
  return { ...o, numLayers: numLayersOrOptions };
}

/** A recurrent layer's input: a padded (or unbatched) sequence tensor, or a PackedSequence. */
export type RNNInput = Tensor | PackedSequence;

/**
 * What RNN, LSTM and GRU share, as PyTorch's `RNNBase`: the options, the per-layer weights
 * (`weight_ih_l{k}[_reverse]` `[gates·H, in]`, `weight_hh_l{k}` `[gates·H, H or projSize]`,
 * `bias_ih_l{k}`, `bias_hh_l{k}`, `weight_hr_l{k}` `[projSize, H]`), all drawn from
 * U(−1/√H, 1/√H), the input and hidden-state checks, and the repr.
 * @example
 * ```ts
 * const lstm = new nn.LSTM(10, 20, { numLayers: 2 });
 * lstm instanceof nn.RNNBase;     // true
 * lstm.weight_ih_l1.shape;        // [80, 20]
 * ```
 */
export abstract class RNNBase extends Module {
  readonly mode: RNNMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** The per-layer weights by name (`weight_ih_l0`, `weight_hr_l1_reverse`, …). */
  [name: `weight_${string}`]: Parameter;
  /** The per-layer biases by name (`bias_ih_l0`, …), where `bias`. */
  [name: `bias_${string}`]: Parameter;
  /** Parameter names per layer and direction, in the order the fused ops take them (PyTorch's `_all_weights`). */
  private readonly weightNames: string[][] = [];

  constructor(mode: RNNMode, inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    super();
    const o = checkOptions(options, `${new.target.name} options`, BASE_KEYS) as RNNBaseOptions;
    this.mode = mode;
    this.inputSize = checkInt(inputSize, 'inputSize', 1);
    this.hiddenSize = checkInt(hiddenSize, 'hiddenSize', 1);
    this.numLayers = checkInt(o.numLayers ?? 1, 'numLayers', 1);
    this.bias = checkBool(o.bias ?? true, 'bias');
    this.batchFirst = checkBool(o.batchFirst ?? false, 'batchFirst');
    this.dropout = checkNumber(o.dropout ?? 0, 'dropout');
    if (this.dropout < 0 || this.dropout > 1) throw rangeError('a probability in [0, 1]', 'dropout', this.dropout);
    this.bidirectional = checkBool(o.bidirectional ?? false, 'bidirectional');
    this.projSize = checkInt(o.projSize ?? 0, 'projSize', 0);
    if (this.projSize >= this.hiddenSize) throw rangeError(`a size smaller than hiddenSize (${this.hiddenSize})`, 'projSize', this.projSize);
    if (this.dropout > 0 && this.numLayers === 1) {
      process.emitWarning('dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects ' +
        `numLayers greater than 1, but got dropout=${this.dropout} and numLayers=${this.numLayers}`, 'UserWarning');
    }
    const gateSize = GATES[mode] * this.hiddenSize;
    const realHidden = this.projSize > 0 ? this.projSize : this.hiddenSize;
    const directions = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let direction = 0; direction < directions; direction++) {
        const layerInput = layer === 0 ? this.inputSize : realHidden * directions;
        const suffix = `l${layer}${direction === 1 ? '_reverse' : ''}`;
        const params: [string, number[]][] = [[`weight_ih_${suffix}`, [gateSize, layerInput]], [`weight_hh_${suffix}`, [gateSize, realHidden]]];
        if (this.bias) params.push([`bias_ih_${suffix}`, [gateSize]], [`bias_hh_${suffix}`, [gateSize]]);
        if (this.projSize > 0) params.push([`weight_hr_${suffix}`, [this.projSize, this.hiddenSize]]);
        for (const [name, shape] of params) this.registerParameter(name, new Parameter(empty(shape)));
        this.weightNames.push(params.map(([name]) => name));
      }
    }
    this.resetParameters();
  }

  /** Re-draws every weight and bias from U(−1/√hiddenSize, 1/√hiddenSize), as PyTorch's `reset_parameters`. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  /**
   * The weights per layer and direction (`[[weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0], …]`),
   * as PyTorch's `all_weights`.
   */
  get allWeights(): Parameter[][] { return this.weightNames.map((layer) => layer.map((name) => this.param(name))); }

  /**
   * PyTorch packs the weights into one cuDNN buffer here; nodetorch's CPU and CUDA paths use
   * ATen's fused kernels on the separate weights, so this does nothing. Kept so that code calling
   * it runs unchanged.
   */
  flattenParameters(): void {}

  private param(name: string): Parameter {
    const p = (this as unknown as Record<string, unknown>)[name];
    if (!(p instanceof Parameter)) throw new TorchError(`${this.constructor.name}: parameter ${name} is missing (it was replaced by ${String(p)})`);
    return p;
  }

  /** The weights in the order the fused ops take them (PyTorch's `_flat_weights`). */
  protected flatWeights(): Tensor[] { return this.weightNames.flat().map((name) => this.param(name)); }

  /**
   * The shared forward of RNN, LSTM and GRU: unbatched and packed input, zero initial states,
   * PyTorch's checks, the fused op, and the states back in the batch's original order.
   * `hx` holds one state (h) or two (h, c for LSTM).
   * @internal
   */
  protected run(input: RNNInput, hx: Tensor[] | null): [RNNInput, Tensor[]] {
    const name = this.constructor.name;
    const directions = this.bidirectional ? 2 : 1;
    const stateSizes = this.mode === 'LSTM' ? [this.projSize > 0 ? this.projSize : this.hiddenSize, this.hiddenSize] : [this.hiddenSize];
    const initial = (x: Tensor, batch: number) => stateSizes.map((size) => zeros([this.numLayers * directions, batch, size], { dtype: x.dtype, device: x.device }));
    let x: Tensor;
    let batchSizes: Tensor | null = null;
    let sortedIndices: Tensor | null = null;
    let unsortedIndices: Tensor | null = null;
    let batched = true;
    const batchDim = this.batchFirst ? 0 : 1;
    let states: Tensor[];
    if (input instanceof PackedSequence) {
      [x, batchSizes, sortedIndices, unsortedIndices] = input;
      const maxBatch = (batchSizes.tolist() as number[])[0];
      states = hx === null ? initial(x, maxBatch) : permute(hx, sortedIndices);
    } else {
      x = checkTensor(input, 'input');
      if (x.dim() !== 2 && x.dim() !== 3) throw new TorchError(`${name}: Expected input to be 2D or 3D, got ${x.dim()}D tensor instead`);
      batched = x.dim() === 3;
      if (hx !== null) {
        const want = batched ? 3 : 2;
        if (hx.some((h) => h.dim() !== want)) {
          const dims = this.mode === 'LSTM' ? `(${hx.map((h) => `${h.dim()}-D`).join(', ')}) tensors` : `${hx[0].dim()}-D tensor`;
          const what = this.mode === 'LSTM' ? 'hx and cx' : 'hx';
          throw new TorchError(`For ${batched ? 'batched 3-D' : 'unbatched 2-D'} input, ${what} should also be ${want}-D but got ${dims}`);
        }
      }
      if (!batched) {
        x = x.unsqueeze(batchDim);
        if (hx !== null) hx = hx.map((h) => h.unsqueeze(1));
      }
      states = hx ?? initial(x, x.size(batchDim));
    }
    this.checkForwardArgs(x, states, batchSizes);
    const w = this.flatWeights();
    const { bias, numLayers, dropout, training, bidirectional, batchFirst } = this;
    let out: Tensor[];
    if (batchSizes === null) {
      switch (this.mode) {
        case 'LSTM': out = ops.lstm(x, states, w, bias, numLayers, dropout, training, bidirectional, batchFirst); break;
        case 'GRU': out = ops.gru(x, states[0], w, bias, numLayers, dropout, training, bidirectional, batchFirst); break;
        case 'RNN_TANH': out = ops.rnnTanh(x, states[0], w, bias, numLayers, dropout, training, bidirectional, batchFirst); break;
        case 'RNN_RELU': out = ops.rnnRelu(x, states[0], w, bias, numLayers, dropout, training, bidirectional, batchFirst); break;
      }
    } else {
      switch (this.mode) {
        case 'LSTM': out = ops.lstm(x, batchSizes, states, w, bias, numLayers, dropout, training, bidirectional); break;
        case 'GRU': out = ops.gru(x, batchSizes, states[0], w, bias, numLayers, dropout, training, bidirectional); break;
        case 'RNN_TANH': out = ops.rnnTanh(x, batchSizes, states[0], w, bias, numLayers, dropout, training, bidirectional); break;
        case 'RNN_RELU': out = ops.rnnRelu(x, batchSizes, states[0], w, bias, numLayers, dropout, training, bidirectional); break;
      }
    }
    const [output, ...hidden] = out;
    if (batchSizes !== null) return [new PackedSequence(output, batchSizes, sortedIndices, unsortedIndices), permute(hidden, unsortedIndices)];
    if (!batched) return [output.squeeze(batchDim), hidden.map((h) => h.squeeze(1))];
    return [output, hidden];
  }

  private checkForwardArgs(x: Tensor, states: Tensor[], batchSizes: Tensor | null): void {
    const w0 = this.flatWeights()[0];
    if (x.dtype !== w0.dtype) {
      throw new TorchError(`RNN input dtype (${x.dtype}) does not match weight dtype (${w0.dtype}). ` +
        `Convert input: input.to('${w0.dtype}'), or convert model: model.to('${x.dtype}')`);
    }
    const expectedDim = batchSizes !== null ? 2 : 3;
    if (x.dim() !== expectedDim) throw new TorchError(`input must have ${expectedDim} dimensions, got ${x.dim()}`);
    if (x.size(-1) !== this.inputSize) {
      throw new TorchError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${x.size(-1)}`);
    }
    const batch = batchSizes !== null ? (batchSizes.tolist() as number[])[0] : x.size(this.batchFirst ? 0 : 1);
    const layers = this.numLayers * (this.bidirectional ? 2 : 1);
    const expected = this.mode === 'LSTM'
      ? [[layers, batch, this.projSize > 0 ? this.projSize : this.hiddenSize], [layers, batch, this.hiddenSize]]
      : [[layers, batch, this.hiddenSize]];
    if (states.length !== expected.length) throw typeError(`${expected.length} state tensors`, 'hx', states);
    states.forEach((h, i) => {
      const got = h.shape;
      if (got.length !== 3 || got.some((d, k) => d !== expected[i][k])) {
        const which = this.mode === 'LSTM' ? `hidden[${i}] size` : 'hidden size';
        throw new TorchError(`Expected ${which} ${pyTuple(expected[i])}, got ${shapeText(got)}`);
      }
    });
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ', bidirectional=True';
    return s;
  }
}

// PyTorch's permute_hidden: the states follow the batch through a PackedSequence's sorting.
function permute(states: Tensor[], permutation: Tensor | null): Tensor[] {
  return permutation === null ? states : states.map((h) => h.indexSelect(1, permutation));
}

function optionalHx(hx: unknown, count: 1 | 2): Tensor[] | null {
  if (hx === undefined || hx === null) return null;
  if (count === 1) return [checkTensor(hx, 'hx')];
  if (!Array.isArray(hx) || hx.length !== 2) throw typeError('a pair [h0, c0] of Tensors', 'hx', hx);
  return [checkTensor(hx[0], 'hx[0]'), checkTensor(hx[1], 'hx[1]')];
}

/**
 * An Elman RNN, `h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh)` (or ReLU), over a sequence
 * `[T, B, inputSize]` (`[B, T, *]` with `batchFirst`, `[T, inputSize]` unbatched) or a
 * PackedSequence. Returns `[output, h_n]`: every step's last-layer state and every layer's last state.
 * @example
 * ```ts
 * const rnn = new nn.RNN(10, 20, 2);
 * const [output, hn] = rnn(torch.randn([5, 3, 10]), torch.randn([2, 3, 20])); // [5, 3, 20], [2, 3, 20]
 * ```
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options?: RNNOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers: number, options?: Omit<RNNOptions, 'numLayers'>);
  constructor(inputSize: number, hiddenSize: number, numLayersOrOptions?: number | RNNOptions, options?: RNNOptions) {
    const all = withNumLayers<RNNOptions>(numLayersOrOptions, options);
    const o = checkOptions(all, 'RNN options', [...BASE_KEYS.filter((k) => k !== 'projSize'), 'nonlinearity']) as RNNOptions;
    const nonlinearity = nonlinearityOf(o.nonlinearity);
    const { nonlinearity: _n, ...base } = o;
    super(nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, base);
    this.nonlinearity = nonlinearity;
  }

  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  /** A `PackedSequence` in, the output packed the same way (see `nn.utils.rnn`). */
  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  /** A tensor or a `PackedSequence`, the output in the same form. */
  forward(input: RNNInput, hx?: Tensor | null): [RNNInput, Tensor];
  forward(input: RNNInput, hx: Tensor | null = null): [RNNInput, Tensor] {
    const [output, [h]] = this.run(input, optionalHx(hx, 1));
    return [output, h];
  }
}

export interface RNN {
  /** `rnn(input, hx?)`: the forward, with hooks. */
  (input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  (input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
}

/**
 * A long short-term memory layer over a sequence `[T, B, inputSize]` (`[B, T, *]` with
 * `batchFirst`, `[T, inputSize]` unbatched) or a PackedSequence. Returns `[output, [h_n, c_n]]`;
 * with `projSize` the hidden state (and output) has size `projSize`.
 * @example
 * ```ts
 * const lstm = new nn.LSTM(10, 20, { numLayers: 2, batchFirst: true, bidirectional: true });
 * String(lstm); // 'LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)'
 * const [output, [hn, cn]] = lstm(torch.randn([3, 5, 10])); // [3, 5, 40], [4, 3, 20], [4, 3, 20]
 * ```
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options?: LSTMOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers: number, options?: Omit<LSTMOptions, 'numLayers'>);
  constructor(inputSize: number, hiddenSize: number, numLayersOrOptions?: number | LSTMOptions, options?: LSTMOptions) {
    super('LSTM', inputSize, hiddenSize, withNumLayers<LSTMOptions>(numLayersOrOptions, options));
  }

  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  /** A `PackedSequence` in, the output packed the same way (see `nn.utils.rnn`). */
  forward(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  /** A tensor or a `PackedSequence`, the output in the same form. */
  forward(input: RNNInput, hx?: [Tensor, Tensor] | null): [RNNInput, [Tensor, Tensor]];
  forward(input: RNNInput, hx: [Tensor, Tensor] | null = null): [RNNInput, [Tensor, Tensor]] {
    const [output, [h, c]] = this.run(input, optionalHx(hx, 2));
    return [output, [h, c]];
  }
}

export interface LSTM {
  /** `lstm(input, [h0, c0]?)`: the forward, with hooks. */
  (input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  (input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
}

/**
 * A gated recurrent unit layer over a sequence `[T, B, inputSize]` (`[B, T, *]` with
 * `batchFirst`, `[T, inputSize]` unbatched) or a PackedSequence. Returns `[output, h_n]`.
 * @example
 * ```ts
 * const gru = new nn.GRU(10, 20, 2);
 * const [output, hn] = gru(torch.randn([5, 3, 10])); // [5, 3, 20], [2, 3, 20]
 * ```
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options?: GRUOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers: number, options?: Omit<GRUOptions, 'numLayers'>);
  constructor(inputSize: number, hiddenSize: number, numLayersOrOptions?: number | GRUOptions, options?: GRUOptions) {
    const o = checkOptions(withNumLayers<GRUOptions>(numLayersOrOptions, options), 'GRU options', BASE_KEYS.filter((k) => k !== 'projSize')) as GRUOptions;
    super('GRU', inputSize, hiddenSize, o);
  }

  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  /** A `PackedSequence` in, the output packed the same way (see `nn.utils.rnn`). */
  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  /** A tensor or a `PackedSequence`, the output in the same form. */
  forward(input: RNNInput, hx?: Tensor | null): [RNNInput, Tensor];
  forward(input: RNNInput, hx: Tensor | null = null): [RNNInput, Tensor] {
    const [output, [h]] = this.run(input, optionalHx(hx, 1));
    return [output, h];
  }
}

export interface GRU {
  /** `gru(input, hx?)`: the forward, with hooks. */
  (input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  (input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
}

/**
 * What the single-step cells share, as PyTorch's `RNNCellBase`: `weight_ih` `[chunks·H, in]`,
 * `weight_hh` `[chunks·H, H]`, `bias_ih`, `bias_hh` (null without bias), all drawn from
 * U(−1/√H, 1/√H), and the repr.
 * @example
 * ```ts
 * Object.keys(new nn.GRUCell(3, 4).stateDict()); // weight_ih, weight_hh, bias_ih, bias_hh
 * ```
 */
export abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(inputSize: number, hiddenSize: number, bias: boolean, numChunks: number) {
    super();
    this.inputSize = checkInt(inputSize, 'inputSize', 1);
    this.hiddenSize = checkInt(hiddenSize, 'hiddenSize', 1);
    this.bias = checkBool(bias, 'bias');
    this.weight_ih = new Parameter(empty([numChunks * this.hiddenSize, this.inputSize]));
    this.weight_hh = new Parameter(empty([numChunks * this.hiddenSize, this.hiddenSize]));
    this.bias_ih = this.bias ? new Parameter(empty([numChunks * this.hiddenSize])) : null;
    this.bias_hh = this.bias ? new Parameter(empty([numChunks * this.hiddenSize])) : null;
    this.resetParameters();
  }

  /** Re-draws every weight and bias from U(−1/√hiddenSize, 1/√hiddenSize). */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  /** The input as a batch of one when unbatched (1-D), after PyTorch's dimension checks. @internal */
  protected batchedInput(input: Tensor): [Tensor, boolean] {
    const x = checkTensor(input, 'input');
    if (x.dim() !== 1 && x.dim() !== 2) throw new TorchError(`${this.constructor.name}: Expected input to be 1D or 2D, got ${x.dim()}D instead`);
    return x.dim() === 2 ? [x, true] : [x.unsqueeze(0), false];
  }

  /** A state as `[B, H]` (zeros when not given). @internal */
  protected batchedState(h: unknown, x: Tensor, batched: boolean, name: string): Tensor {
    if (h === undefined || h === null) return zeros([x.size(0), this.hiddenSize], { dtype: x.dtype, device: x.device });
    const t = checkTensor(h, name);
    if (t.dim() !== 1 && t.dim() !== 2) {
      const what = name === 'hx' ? 'hidden' : name;
      throw new TorchError(`${this.constructor.name}: Expected ${what} to be 1D or 2D, got ${t.dim()}D instead`);
    }
    return batched ? t : t.unsqueeze(0);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += ', bias=False';
    const nonlinearity = (this as { nonlinearity?: string }).nonlinearity;
    if (nonlinearity !== undefined && nonlinearity !== 'tanh') s += `, nonlinearity=${nonlinearity}`;
    return s;
  }
}

/** Options of `nn.RNNCell`. */
export interface RNNCellOptions {
  /** Learnable `bias_ih` and `bias_hh`. Default true. */
  bias?: boolean;
  /** `'tanh'` or `'relu'`. Default `'tanh'`. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * One Elman RNN step, `h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)` (or ReLU), on `[B, inputSize]`
 * (or `[inputSize]`) with `hx` `[B, hiddenSize]` (zeros when omitted).
 * @example
 * ```ts
 * const cell = new nn.RNNCell(10, 20);
 * let hx = torch.zeros([3, 20]);
 * for (const x of torch.randn([6, 3, 10])) hx = cell(x, hx);
 * ```
 */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    const o = checkOptions(options, 'RNNCell options', optionKeys<RNNCellOptions>({ bias: true, nonlinearity: true })) as RNNCellOptions;
    const nonlinearity = nonlinearityOf(o.nonlinearity);
    super(inputSize, hiddenSize, o.bias ?? true, 1);
    this.nonlinearity = nonlinearity;
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const [x, batched] = this.batchedInput(input);
    const h = this.batchedState(hx, x, batched, 'hx');
    const cell = this.nonlinearity === 'tanh' ? ops.rnnTanhCell : ops.rnnReluCell;
    const out = cell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? out : out.squeeze(0);
  }
}

/**
 * One LSTM step on `[B, inputSize]` (or `[inputSize]`) with `hx = [h, c]`, each `[B, hiddenSize]`
 * (zeros when omitted); returns `[h', c']`.
 * @example
 * ```ts
 * const cell = new nn.LSTMCell(10, 20);
 * let [hx, cx] = [torch.zeros([3, 20]), torch.zeros([3, 20])];
 * for (const x of torch.randn([6, 3, 10])) [hx, cx] = cell(x, [hx, cx]);
 * ```
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    const o = checkOptions(options, 'LSTMCell options', ['bias']);
    super(inputSize, hiddenSize, (o.bias ?? true) as boolean, 4);
  }

  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const [x, batched] = this.batchedInput(input);
    if (hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw typeError('a pair [h, c] of Tensors', 'hx', hx);
    const h = this.batchedState(hx?.[0], x, batched, 'hx[0]');
    const c = this.batchedState(hx?.[1], x, batched, 'hx[1]');
    const [h1, c1] = ops.lstmCell(x, [h, c], this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? [h1, c1] : [h1.squeeze(0), c1.squeeze(0)];
  }
}

/**
 * One GRU step on `[B, inputSize]` (or `[inputSize]`) with `hx` `[B, hiddenSize]` (zeros when omitted).
 * @example
 * ```ts
 * const cell = new nn.GRUCell(10, 20);
 * let hx = torch.zeros([3, 20]);
 * for (const x of torch.randn([6, 3, 10])) hx = cell(x, hx);
 * ```
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    const o = checkOptions(options, 'GRUCell options', ['bias']);
    super(inputSize, hiddenSize, (o.bias ?? true) as boolean, 3);
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const [x, batched] = this.batchedInput(input);
    const h = this.batchedState(hx, x, batched, 'hx');
    const out = ops.gruCell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? out : out.squeeze(0);
  }
}
