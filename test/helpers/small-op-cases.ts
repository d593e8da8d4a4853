/**
 * Softmax, log-softmax and NLL loss, forward and backward, on two intra-op threads over shapes
 * from a few elements to past ATen's grain (32,768), along every dimension, and ReLU, a product
 * and max pooling: one digest of the outputs and gradients per case. test/activations.test.ts
 * compares the digests made with nodetorch's CPU kernels (native/core/cpu_kernels.h, which keep
 * small ops on one thread, and more of them when OMP_WAIT_POLICY=PASSIVE puts threads to sleep)
 * against those of ATen's kernels, which split them between the threads, made by this file run
 * as a child with NODETORCH_CPU_KERNELS=0: it prints them as one JSON line.
 */
import { createHash } from 'node:crypto';
import * as torch from '../../lib';

const F = torch.nn.functional;

export interface SmallOpCase { what: string; digest: string }

export function smallOpCases(): SmallOpCase[] {
  torch.setNumThreads(2);
  torch.manualSeed(3);
  const cases: SmallOpCase[] = [];
  const add = (what: string, f: () => torch.Tensor[]) => {
    const h = createHash('sha256');
    for (const t of f()) {
      h.update(JSON.stringify([t.shape, t.dtype]));
      h.update(Buffer.from(t.contiguous().numpy().buffer));
    }
    cases.push({ what, digest: h.digest('hex').slice(0, 16) });
  };
  const shapes = [[64, 10], [7, 3], [1, 100], [300, 1], [3000, 10], [5000, 10], [4, 10, 6], [2, 3, 5, 7], [64, 10, 24, 24]];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const shape of shapes) {
      for (let dim = 0; dim < shape.length; dim++) {
        for (const [name, op] of [['softmax', F.softmax], ['logSoftmax', F.logSoftmax]] as const) {
          add(`${name} ${dtype} [${shape}] dim ${dim}`, () => {
            const x = torch.randn(shape, { dtype }).mul(4).requiresGrad_(true);
            const y = op(x, dim);
            y.backward(torch.randnLike(y));
            return [y.detach(), x.grad!];
          });
        }
      }
    }
    for (const [n, c] of [[64, 10], [5, 3], [4000, 10]]) {
      for (const weighted of [false, true]) {
        for (const reduction of ['mean', 'sum', 'none'] as const) {
          add(`nllLoss ${dtype} [${n}, ${c}] weighted ${weighted} ${reduction}`, () => {
            const x = torch.randn([n, c], { dtype }).requiresGrad_(true);
            const target = torch.randint(0, c, [n]).maskedFill(torch.rand([n]).lt(0.1), 1);
            const weight = weighted ? torch.rand([c], { dtype }) : undefined;
            const loss = F.nllLoss(F.logSoftmax(x, 1), target, { weight, reduction, ignoreIndex: 1 });
            loss.backward(torch.randnLike(loss));
            return [loss.detach(), x.grad!];
          });
        }
      }
    }
    // ReLU, its gradient, and a broadcast product (Dropout2d's), from under ATen's grain to past
    // sixteen of them; max pooling, forward and backward, over the seed CNN's two shapes.
    for (const shape of [[1000], [64, 10, 12, 12], [64, 20, 8, 8], [600000]]) {
      add(`relu ${dtype} [${shape}]`, () => {
        const x = torch.randn(shape, { dtype }).requiresGrad_(true);
        const y = F.relu(x);
        y.backward(torch.randnLike(y));
        const z = x.detach().clone().relu_();
        return [y.detach(), x.grad!, z];
      });
      add(`mul ${dtype} [${shape}]`, () => {
        const x = torch.randn(shape, { dtype }).requiresGrad_(true);
        const m = torch.rand([shape[0], ...shape.slice(1).map((d, i) => (i === 0 ? d : 1))], { dtype });
        const y = x.mul(m);
        y.backward(torch.randnLike(y));
        return [y.detach(), x.grad!];
      });
    }
    for (const shape of [[64, 10, 24, 24], [64, 20, 8, 8]]) {
      add(`maxPool2d ${dtype} [${shape}]`, () => {
        const x = torch.randn(shape, { dtype }).requiresGrad_(true);
        const [y, indices] = F.maxPool2dWithIndices(x, 2);
        y.backward(torch.randnLike(y));
        return [y.detach(), indices, x.grad!];
      });
    }
  }
  // Every call left the thread count as it was.
  cases.push({ what: 'threads after', digest: String(torch.getNumThreads()) });
  return cases;
}

if (require.main === module) console.log(JSON.stringify(smallOpCases()));
