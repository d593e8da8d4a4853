/**
 * Max pooling over many geometries and values (ties, NaN, ±inf; float32 and float64; 3-D and
 * 4-D; padding, dilation, ceil mode; contiguous, channels-last and strided inputs), one digest
 * of the output, the indices and the input's gradient per case. test/pooling.test.ts compares the digests made with
 * nodetorch's CPU kernel (native/core/cpu_kernels.h) against those of ATen's own kernel, made by
 * this file run as a child with NODETORCH_CPU_KERNELS=0: it prints them as one JSON line.
 */
import { createHash } from 'node:crypto';
import * as torch from '../../lib';

const F = torch.nn.functional;

export interface PoolCase { what: string; digest: string }

// A small linear congruential generator: the cases depend on nothing but `count`.
function randomInts(): (n: number) => number {
  let state = 12345;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

export function maxPoolCases(count: number): PoolCase[] {
  const rand = randomInts();
  torch.manualSeed(1);
  const cases: PoolCase[] = [];
  const add = (what: string, x: torch.Tensor, kernel: [number, number], options: Parameters<typeof F.maxPool2dWithIndices>[2]) => {
    const h = createHash('sha256');
    try {
      const input = x.detach().requiresGrad_(true);
      const [out, indices] = F.maxPool2dWithIndices(input, kernel, options);
      h.update(JSON.stringify([out.shape, indices.shape, out.dtype]));
      h.update(Buffer.from(out.detach().contiguous().numpy().buffer));
      h.update(Buffer.from(indices.contiguous().numpy().buffer));
      // Overlapping windows add several outputs' gradients into one input element, in an order
      // that shows in the bits.
      out.mul(torch.randn(out.shape, { dtype: out.dtype })).sum().backward();
      h.update(Buffer.from(input.grad!.contiguous().numpy().buffer));
    } catch (e) {
      h.update(`error: ${(e as Error).message}`);
    }
    cases.push({ what: `${what} kernel ${JSON.stringify(kernel)} ${JSON.stringify(options)}`, digest: h.digest('hex').slice(0, 16) });
  };
  // The seed CNN's two poolings, on values with many ties (a convolution's output over background).
  add('seed conv1 [64, 10, 24, 24]', torch.randn([64, 10, 24, 24]).mul(2).round().relu(), [2, 2], {});
  add('seed conv2 [64, 20, 8, 8]', torch.randn([64, 20, 8, 8]), [2, 2], {});
  add('float64 [8, 3, 16, 16]', torch.randn([8, 3, 16, 16], { dtype: 'float64' }).mul(2).round(), [2, 2], {});
  add('channels-last [4, 6, 10, 10]', torch.randn([4, 10, 10, 6]).permute(0, 3, 1, 2), [2, 2], {});
  add('strided [4, 6, 10, 10]', torch.randn([4, 6, 10, 20]).slice(3, 0, 20, 2), [2, 2], {});
  add('resnet stem [2, 8, 32, 32]', torch.randn([2, 8, 32, 32]).relu(), [3, 3], { stride: 2, padding: 1 });
  // Windows of -inf alone keep their first in-bounds index.
  add('all -inf [2, 3, 9, 14]', torch.full([2, 3, 9, 14], -Infinity), [2, 2], { stride: 1 });
  add('all -inf [2, 3, 9, 14]', torch.full([2, 3, 9, 14], -Infinity), [3, 2], { padding: 1, ceilMode: true });
  add('all -inf [2, 3, 9, 14]', torch.full([2, 3, 9, 14], -Infinity, { dtype: 'float64' }), [2, 2], {});
  for (let c = 0; c < count; c++) {
    const dtype = rand(2) ? 'float32' : 'float64';
    const H = 1 + rand(13);
    const W = 1 + rand(24);
    const shape = rand(2) ? [1 + rand(3), 1 + rand(4), H, W] : [1 + rand(4), H, W];
    let x = torch.randn(shape, { dtype });
    const values = ['random', 'ties', 'NaN', '±inf'][rand(4)];
    if (values === 'ties') x = x.mul(2).round();
    if (values === 'NaN') x = x.maskedFill(torch.rand(shape).lt(0.2), NaN);
    if (values === '±inf') x = x.maskedFill(torch.rand(shape).lt(0.3), -Infinity).maskedFill(torch.rand(shape).lt(0.1), Infinity);
    const kernel: [number, number] = [1 + rand(4), 1 + rand(4)];
    const options: { stride?: [number, number]; padding: [number, number]; dilation: [number, number]; ceilMode: boolean } = {
      padding: [rand(Math.floor(kernel[0] / 2) + 1), rand(Math.floor(kernel[1] / 2) + 1)],
      dilation: [1 + rand(3), 1 + rand(3)],
      ceilMode: rand(2) === 1,
    };
    if (rand(3) > 0) options.stride = [1 + rand(4), 1 + rand(4)];
    add(`${values} ${dtype} [${shape}]`, x, kernel, options);
  }
  return cases;
}

if (require.main === module) console.log(JSON.stringify(maxPoolCases(Number(process.argv[2]))));
