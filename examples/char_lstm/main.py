"""A character-level LSTM language model over Shakespeare's sonnets, in the shape of PyTorch's
word_language_model example (pytorch/examples): batchify, get_batch, repackage_hidden, truncated
backpropagation through time, gradient clipping. examples/char_lstm/main.ts is its line-for-line
TypeScript port.

    python3 examples/char_lstm/main.py [--epochs 25] [--dry-run] [--save model.pt]

sonnets.txt beside it is the text of Shakespeare's 154 sonnets (public domain), each under its
Roman numeral; the last tenth is the validation split.
"""
import argparse
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class Corpus:
    def __init__(self, path, valid_fraction=0.1):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        self.chars = sorted(set(text))
        self.char_to_idx = {c: i for i, c in enumerate(self.chars)}
        ids = torch.tensor([self.char_to_idx[c] for c in text], dtype=torch.int64)
        split = int(len(ids) * (1 - valid_fraction))
        self.train = ids[:split]
        self.valid = ids[split:]


class CharModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.5):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.init_weights()
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid))


def batchify(data, bsz):
    # Work out how cleanly we can divide the dataset into bsz parts.
    nbatch = data.size(0) // bsz
    # Trim off any extra elements that wouldn't cleanly fit (remainders).
    data = data.narrow(0, 0, nbatch * bsz)
    # Evenly divide the data across the bsz batches.
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def train(args, model, train_data, optimizer, criterion, epoch):
    # Turn on training mode which enables dropout.
    model.train()
    total_loss = 0.
    start_time = time.time()
    hidden = model.init_hidden(args.batch_size)
    losses = []
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i, args.bptt)
        # Starting each batch, we detach the hidden state from how it was previously produced.
        # If we didn't, the model would try backpropagating all the way to start of the dataset.
        hidden = repackage_hidden(hidden)
        optimizer.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()

        # `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()

        losses.append(loss.item())
        total_loss += loss.item()

        if batch % args.log_interval == 0 and batch > 0:
            cur_loss = total_loss / args.log_interval
            elapsed = time.time() - start_time
            print('| epoch {:3d} | {:5d}/{:5d} batches | ms/batch {:5.2f} | loss {:5.2f} | bpc {:6.3f}'.format(
                epoch, batch, len(train_data) // args.bptt, elapsed * 1000 / args.log_interval, cur_loss,
                cur_loss / math.log(2)))
            total_loss = 0
            start_time = time.time()
        if args.dry_run:
            break
    return losses


def evaluate(args, model, data_source, criterion):
    # Turn on evaluation mode which disables dropout.
    model.eval()
    total_loss = 0.
    correct = 0
    hidden = model.init_hidden(args.eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i, args.bptt)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
            correct += output.argmax(1).eq(targets).sum().item()
    return total_loss / (len(data_source) - 1), correct / ((len(data_source) - 1) * data_source.size(1))


def generate(model, corpus, length, temperature=0.8, prime='From fairest'):
    model.eval()
    hidden = model.init_hidden(1)
    out = prime
    with torch.no_grad():
        input = torch.tensor([[corpus.char_to_idx[c]] for c in prime], dtype=torch.int64)
        for _ in range(length):
            output, hidden = model(input, hidden)
            weights = output[-1].div(temperature).exp()
            idx = torch.multinomial(weights, 1)[0].item()
            out += corpus.chars[idx]
            input = torch.tensor([[idx]], dtype=torch.int64)
    return out


def parse(argv=None):
    parser = argparse.ArgumentParser(description='Character-level LSTM language model')
    parser.add_argument('--data', type=str, default=os.path.join(HERE, 'sonnets.txt'), help='text file to learn')
    parser.add_argument('--emsize', type=int, default=64, help='size of character embeddings')
    parser.add_argument('--nhid', type=int, default=256, help='number of hidden units per layer')
    parser.add_argument('--nlayers', type=int, default=2, help='number of layers')
    parser.add_argument('--lr', type=float, default=0.002, help='initial learning rate')
    parser.add_argument('--clip', type=float, default=0.5, help='gradient clipping')
    parser.add_argument('--epochs', type=int, default=25, help='upper epoch limit')
    parser.add_argument('--batch-size', type=int, default=16, metavar='N', help='batch size')
    parser.add_argument('--eval-batch-size', type=int, default=10, metavar='N', help='evaluation batch size')
    parser.add_argument('--bptt', type=int, default=100, help='sequence length')
    parser.add_argument('--dropout', type=float, default=0.2, help='dropout applied to layers (0 = no dropout)')
    parser.add_argument('--seed', type=int, default=1111, help='random seed')
    parser.add_argument('--log-interval', type=int, default=10, metavar='N', help='report interval')
    parser.add_argument('--save', type=str, default='', help='path to save the final model')
    parser.add_argument('--dry-run', action='store_true', help='verify the code and the model')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    torch.manual_seed(args.seed)

    corpus = Corpus(args.data)
    train_data = batchify(corpus.train, args.batch_size)
    val_data = batchify(corpus.valid, args.eval_batch_size)

    ntokens = len(corpus.chars)
    model = CharModel(ntokens, args.emsize, args.nhid, args.nlayers, args.dropout)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.5)
    criterion = nn.NLLLoss()

    for epoch in range(1, args.epochs + 1):
        epoch_start_time = time.time()
        train(args, model, train_data, optimizer, criterion, epoch)
        val_loss, val_acc = evaluate(args, model, val_data, criterion)
        print('-' * 89)
        print('| end of epoch {:3d} | time: {:5.2f}s | valid loss {:5.3f} | valid bpc {:6.3f} | valid accuracy {:5.1f}%'.format(
            epoch, time.time() - epoch_start_time, val_loss, val_loss / math.log(2), 100 * val_acc))
        print('-' * 89)
        scheduler.step()
        if args.dry_run:
            break

    print(generate(model, corpus, 200))
    if args.save:
        torch.save(model.state_dict(), args.save)


if __name__ == '__main__':
    main()
