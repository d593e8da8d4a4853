/**
 * A character-level LSTM language model over Shakespeare's sonnets (examples/char_lstm/main.py),
 * ported line for line. The Python is in the shape of PyTorch's word_language_model example:
 * batchify, getBatch, repackageHidden, truncated backpropagation through time, gradient clipping.
 * Run: npx tsx examples/char_lstm/main.ts [--epochs 25] [--dry-run] [--save model.pth]
 *
 * Differences from the Python, each forced by the language:
 * - argparse → node:util parseArgs, same flags and defaults; keyword arguments → an options object.
 * - `x[a:b]` → `x.index(\`${a}:${b}\`)`; `with torch.no_grad():` → `using _ = torch.noGrad();`.
 * - `'{:5.2f}'.format(x)` → a small `fmt` helper with the same widths.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as torch from '../../lib';
import { nn, optim } from '../../lib';

const F = nn.functional;
const HERE = __dirname;

export class Corpus {
  chars: string[];
  charToIdx: Map<string, number>;
  train: torch.Tensor;
  valid: torch.Tensor;

  constructor(path: string, validFraction = 0.1) {
    const text = fs.readFileSync(path, 'utf8');
    this.chars = [...new Set(text)].sort();
    this.charToIdx = new Map(this.chars.map((c, i) => [c, i]));
    const ids = torch.tensor([...text].map((c) => this.charToIdx.get(c)!), { dtype: torch.int64 });
    const split = Math.trunc(ids.length * (1 - validFraction));
    this.train = ids.index(`:${split}`);
    this.valid = ids.index(`${split}:`);
  }
}

export type Hidden = [torch.Tensor, torch.Tensor];

export class CharModel extends nn.Module {
  ntoken: number;
  drop: nn.Dropout;
  encoder: nn.Embedding;
  rnn: nn.LSTM;
  decoder: nn.Linear;
  nhid: number;
  nlayers: number;

  constructor(ntoken: number, ninp: number, nhid: number, nlayers: number, dropout = 0.5) {
    super();
    this.ntoken = ntoken;
    this.drop = new nn.Dropout(dropout);
    this.encoder = new nn.Embedding(ntoken, ninp);
    this.rnn = new nn.LSTM(ninp, nhid, nlayers, { dropout });
    this.decoder = new nn.Linear(nhid, ntoken);
    this.initWeights();
    this.nhid = nhid;
    this.nlayers = nlayers;
  }

  initWeights(): void {
    const initrange = 0.1;
    nn.init.uniform_(this.encoder.weight, -initrange, initrange);
    nn.init.zeros_(this.decoder.bias!);
    nn.init.uniform_(this.decoder.weight, -initrange, initrange);
  }

  forward(input: torch.Tensor, hidden: Hidden): [torch.Tensor, Hidden] {
    const emb = this.drop(this.encoder(input));
    let output: torch.Tensor;
    [output, hidden] = this.rnn(emb, hidden);
    output = this.drop(output);
    let decoded = this.decoder(output);
    decoded = decoded.view(-1, this.ntoken);
    return [F.logSoftmax(decoded, 1), hidden];
  }

  initHidden(bsz: number): Hidden {
    const weight = this.parameters()[0];
    return [weight.newZeros([this.nlayers, bsz, this.nhid]),
      weight.newZeros([this.nlayers, bsz, this.nhid])];
  }
}

export function batchify(data: torch.Tensor, bsz: number): torch.Tensor {
  // Work out how cleanly we can divide the dataset into bsz parts.
  const nbatch = Math.floor(data.size(0) / bsz);
  // Trim off any extra elements that wouldn't cleanly fit (remainders).
  data = data.narrow(0, 0, nbatch * bsz);
  // Evenly divide the data across the bsz batches.
  return data.view(bsz, -1).t().contiguous();
}

export function getBatch(source: torch.Tensor, i: number, bptt: number): [torch.Tensor, torch.Tensor] {
  const seqLen = Math.min(bptt, source.length - 1 - i);
  const data = source.index(`${i}:${i + seqLen}`);
  const target = source.index(`${i + 1}:${i + 1 + seqLen}`).view(-1);
  return [data, target];
}

/** Wraps hidden states in new Tensors, to detach them from their history. */
export function repackageHidden(h: Hidden): Hidden {
  return h.map((v) => v.detach()) as Hidden;
}

export interface Args {
  data: string;
  emsize: number;
  nhid: number;
  nlayers: number;
  lr: number;
  clip: number;
  epochs: number;
  batchSize: number;
  evalBatchSize: number;
  bptt: number;
  dropout: number;
  seed: number;
  logInterval: number;
  save: string;
  dryRun: boolean;
}

const fmt = (x: number, width: number, digits: number) => x.toFixed(digits).padStart(width);

export function train(args: Args, model: CharModel, trainData: torch.Tensor, optimizer: optim.Optimizer, criterion: nn.NLLLoss, epoch: number): number[] {
  // Turn on training mode which enables dropout.
  model.train();
  let totalLoss = 0;
  let startTime = performance.now();
  let hidden = model.initHidden(args.batchSize);
  const losses: number[] = [];
  for (let batch = 0, i = 0; i < trainData.size(0) - 1; batch++, i += args.bptt) {
    const [data, targets] = getBatch(trainData, i, args.bptt);
    // Starting each batch, we detach the hidden state from how it was previously produced.
    // If we didn't, the model would try backpropagating all the way to start of the dataset.
    hidden = repackageHidden(hidden);
    optimizer.zeroGrad();
    let output: torch.Tensor;
    [output, hidden] = model(data, hidden);
    const loss = criterion(output, targets);
    loss.backward();

    // `clipGradNorm_` helps prevent the exploding gradient problem in RNNs / LSTMs.
    nn.utils.clipGradNorm_(model.parameters(), args.clip);
    optimizer.step();

    losses.push(loss.item());
    totalLoss += loss.item();

    if (batch % args.logInterval === 0 && batch > 0) {
      const curLoss = totalLoss / args.logInterval;
      const elapsed = (performance.now() - startTime) / 1000;
      console.log(`| epoch ${fmt(epoch, 3, 0)} | ${fmt(batch, 5, 0)}/${fmt(Math.floor(trainData.length / args.bptt), 5, 0)} batches | ` +
        `ms/batch ${fmt(elapsed * 1000 / args.logInterval, 5, 2)} | loss ${fmt(curLoss, 5, 2)} | bpc ${fmt(curLoss / Math.log(2), 6, 3)}`);
      totalLoss = 0;
      startTime = performance.now();
    }
    if (args.dryRun) break;
  }
  return losses;
}

export function evaluate(args: Args, model: CharModel, dataSource: torch.Tensor, criterion: nn.NLLLoss): [number, number] {
  // Turn on evaluation mode which disables dropout.
  model.eval();
  let totalLoss = 0;
  let correct = 0;
  let hidden = model.initHidden(args.evalBatchSize);
  {
    using _ = torch.noGrad();
    for (let i = 0; i < dataSource.size(0) - 1; i += args.bptt) {
      const [data, targets] = getBatch(dataSource, i, args.bptt);
      let output: torch.Tensor;
      [output, hidden] = model(data, hidden);
      hidden = repackageHidden(hidden);
      totalLoss += data.length * criterion(output, targets).item();
      correct += output.argmax(1).eq(targets).sum().item();
    }
  }
  return [totalLoss / (dataSource.length - 1), correct / ((dataSource.length - 1) * dataSource.size(1))];
}

export function generate(model: CharModel, corpus: Corpus, length: number, temperature = 0.8, prime = 'From fairest'): string {
  model.eval();
  let hidden = model.initHidden(1);
  let out = prime;
  {
    using _ = torch.noGrad();
    let input = torch.tensor([...prime].map((c) => [corpus.charToIdx.get(c)!]), { dtype: torch.int64 });
    for (let k = 0; k < length; k++) {
      let output: torch.Tensor;
      [output, hidden] = model(input, hidden);
      const weights = output.index(-1).div(temperature).exp();
      const idx = torch.multinomial(weights, 1).index(0).item();
      out += corpus.chars[idx];
      input = torch.tensor([[idx]], { dtype: torch.int64 });
    }
  }
  return out;
}

export function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', default: join(HERE, 'sonnets.txt') }, // text file to learn
      emsize: { type: 'string', default: '64' }, // size of character embeddings
      nhid: { type: 'string', default: '256' }, // number of hidden units per layer
      nlayers: { type: 'string', default: '2' }, // number of layers
      lr: { type: 'string', default: '0.002' }, // initial learning rate
      clip: { type: 'string', default: '0.5' }, // gradient clipping
      epochs: { type: 'string', default: '25' }, // upper epoch limit
      'batch-size': { type: 'string', default: '16' }, // batch size
      'eval-batch-size': { type: 'string', default: '10' }, // evaluation batch size
      bptt: { type: 'string', default: '100' }, // sequence length
      dropout: { type: 'string', default: '0.2' }, // dropout applied to layers (0 = no dropout)
      seed: { type: 'string', default: '1111' }, // random seed
      'log-interval': { type: 'string', default: '10' }, // report interval
      save: { type: 'string', default: '' }, // path to save the final model
      'dry-run': { type: 'boolean', default: false }, // verify the code and the model
    },
  });
  return {
    data: values.data as string, emsize: Number(values.emsize), nhid: Number(values.nhid), nlayers: Number(values.nlayers),
    lr: Number(values.lr), clip: Number(values.clip), epochs: Number(values.epochs), batchSize: Number(values['batch-size']),
    evalBatchSize: Number(values['eval-batch-size']), bptt: Number(values.bptt), dropout: Number(values.dropout),
    seed: Number(values.seed), logInterval: Number(values['log-interval']), save: values.save as string,
    dryRun: values['dry-run'] as boolean,
  };
}

export function main(argv = process.argv.slice(2)): void {
  const args = parse(argv);
  torch.manualSeed(args.seed);

  const corpus = new Corpus(args.data);
  const trainData = batchify(corpus.train, args.batchSize);
  const valData = batchify(corpus.valid, args.evalBatchSize);

  const ntokens = corpus.chars.length;
  const model = new CharModel(ntokens, args.emsize, args.nhid, args.nlayers, args.dropout);
  const optimizer = new optim.Adam(model.parameters(), { lr: args.lr });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 20, gamma: 0.5 });
  const criterion = new nn.NLLLoss();

  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    const epochStartTime = performance.now();
    train(args, model, trainData, optimizer, criterion, epoch);
    const [valLoss, valAcc] = evaluate(args, model, valData, criterion);
    console.log('-'.repeat(89));
    console.log(`| end of epoch ${fmt(epoch, 3, 0)} | time: ${fmt((performance.now() - epochStartTime) / 1000, 5, 2)}s | ` +
      `valid loss ${fmt(valLoss, 5, 3)} | valid bpc ${fmt(valLoss / Math.log(2), 6, 3)} | valid accuracy ${fmt(100 * valAcc, 5, 1)}%`);
    console.log('-'.repeat(89));
    scheduler.step();
    if (args.dryRun) break;
  }

  console.log(generate(model, corpus, 200));
  if (args.save) torch.save(model.stateDict(), args.save);
}

if (require.main === module) main();
