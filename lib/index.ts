/**
 * nodetorch: PyTorch's training experience for TypeScript, on the real LibTorch.
 *
 * @example
 * ```ts
 * import * as torch from 'nodetorch';
 * const { nn, optim } = torch;
 *
 * class Model extends nn.Module {
 *   linear = new nn.Linear(4, 2);
 *   forward(x: torch.Tensor) { return this.linear(x); }
 * }
 * const model = new Model();
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
 * const loss = nn.functional.crossEntropy(model(torch.randn(8, 4)), torch.randint(0, 2, [8]));
 * optimizer.zeroGrad(); loss.backward(); optimizer.step();
 * ```
 * @module nodetorch
 */
import * as torch from './api';

export * from './api';
export default torch;
