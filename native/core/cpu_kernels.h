// CPU kernels nodetorch puts in place of ATen's own for a few ops. Each gives the same results
// as ATen's, bit for bit, and sits under the dispatcher's CPU key only: autograd (derivative
// formulas, grad_fn names), TorchScript and every other device see the ATen op unchanged.
//
// max_pool2d_with_indices (what max_pool2d and nn.MaxPool2d run): ATen's CPU kernel for
// contiguous [N, C, H, W] input scans each window with a branch per element, and on data such
// as a convolution's output most of those branches are mispredicted: the seed CNN's first
// pooling (64 × 10 × 24 × 24) took 0.73 ms of a ~4 ms training step. This one selects without
// branches, in the same scan order and with the same rule, so values and indices, ties and
// NaNs included, are ATen's; it scans a register of windows at a time (4 float32 or 2 float64:
// 2 × 2 windows of stride 2 from two row loads, other windows whose columns lie inside the
// input element by element, the rest one by one). Other dtypes and memory formats (channels-last
// has ATen's vectorised kernel) go to ATen's kernel.
//
// max_pool2d_with_indices_backward, for the same inputs: ATen zeroes the input's gradient in one
// parallel loop and adds each output's gradient where its index points in a second one; this
// does both per plane in one loop, while the plane is in cache, adding in ATen's order.
//
// _softmax, _log_softmax, their backward (over the innermost dimension) and nll_loss_backward:
// ATen's kernels, called on one thread when the tensor has fewer elements than ATen's grain
// (32,768). ATen splits these between the intra-op threads however small they are (a classifier's
// [64, 10] logits included), and each split wakes a sleeping thread: with OMP_WAIT_POLICY=PASSIVE
// on a 2-vCPU VM, log-softmax, NLL loss and their backward took ~200 µs instead of ~35 µs. Each
// row (each element, for nll_loss_backward) is computed alone, so one thread gives the same bits.
//
// When libgomp puts idle threads to sleep (OMP_WAIT_POLICY=PASSIVE or GOMP_SPINCOUNT=0), every
// parallel region waits for one to wake, so a region pays only past sixteen of ATen's grains
// (524,288 elements): there the max pools above and nll_loss_backward split only past that, and
// relu, relu_, threshold_backward (ReLU's gradient) and mul.Tensor (Dropout's product and its
// gradient), ATen's elementwise kernels, run on the calling thread below it: ReLU over the seed
// CNN's [64, 10, 12, 12] took ~60 µs on two threads, 9 µs on one. Each element is computed alone.
#pragma once

namespace nodetorch {

// Registers the kernels (once per process; not when the environment sets NODETORCH_CPU_KERNELS=0).
void install_cpu_kernels();

}  // namespace nodetorch
