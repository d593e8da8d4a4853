/**
 * `torchvision.datasets`.
 */
export { MNIST, FashionMNIST, type MNISTOptions } from './mnist';
export { MNIST_CLASSES, FASHION_MNIST_CLASSES } from './files';
