/**
 * `torch.nn.utils.convert_parameters`: parameters as one flat vector and back, as
 * `torch/nn/utils/convert_parameters.py`.
 */
import { Tensor, checkTensor } from '../../tensor';
import * as ops from '../../generated/ops';
import { typeError } from '../../errors';

/**
 * @internal The device index PyTorch's `_check_param_device` compares: a CUDA tensor's index,
 * -1 for the CPU (and any device without an index). Parameters on two devices are a TypeError.
 */
function checkParamDevice(param: Tensor, oldParamDevice: number | null): number {
  const device = param.device;
  const index = device.startsWith('cuda') ? Number(device.split(':')[1] ?? 0) : -1;
  if (oldParamDevice !== null && index !== oldParamDevice) {
    throw new TypeError('Found two parameters on different devices, this is currently not supported.');
  }
  return oldParamDevice ?? index;
}

function parameterList(parameters: unknown): Tensor[] {
  if (parameters === null || typeof parameters !== 'object' || parameters instanceof Tensor || typeof (parameters as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw typeError('an iterable of Tensors', 'parameters', parameters);
  }
  return [...(parameters as Iterable<unknown>)].map((p, i) => checkTensor(p, `parameters[${i}]`));
}

/**
 * Flattens `parameters` into one vector (each viewed as 1-D, then concatenated, so the vector
 * is a copy that autograd tracks), as `torch.nn.utils.parameters_to_vector`.
 * @example
 * ```ts
 * const flat = nn.utils.parametersToVector(model.parameters()); // shape [numel of all parameters]
 * ```
 */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  let device: number | null = null;
  const vec: Tensor[] = [];
  for (const param of parameterList(parameters)) {
    device = checkParamDevice(param, device);
    vec.push(param.view(-1));
  }
  return ops.cat(vec);
}

/**
 * Points each of `parameters` at its slice of `vec` (as `param.data = vec[a:b].view_as(param)`),
 * as `torch.nn.utils.vector_to_parameters`: the parameters keep their identity and afterwards
 * share `vec`'s storage.
 * @example
 * ```ts
 * const flat = nn.utils.parametersToVector(model.parameters()).detach();
 * nn.utils.vectorToParameters(flat.mul(0.5), model.parameters()); // every parameter halved
 * ```
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw typeError('a Tensor', 'vec', vec);
  let device: number | null = null;
  let pointer = 0;
  for (const param of parameterList(parameters)) {
    device = checkParamDevice(param, device);
    const numParam = param.numel();
    param.data = vec.slice(0, pointer, pointer + numParam).viewAs(param).data;
    pointer += numParam;
  }
}
