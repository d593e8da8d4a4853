/**
 * `torchvision.datasets`.
 * @module
 */
export { VisionDataset, StandardTransform, type VisionDatasetOptions, type JointTransform } from './vision';
export { MNIST, FashionMNIST, KMNIST, EMNIST, type MNISTOptions, type EMNISTOptions } from './mnist';
export { MNIST_CLASSES, FASHION_MNIST_CLASSES, KMNIST_CLASSES, EMNIST_CLASSES, EMNIST_SPLITS, type EmnistSplit, type MnistPaths } from './files';
export { CIFAR10, CIFAR100, type CIFAROptions, type CIFAR100Options } from './cifar';
export {
  DatasetFolder, ImageFolder, IMG_EXTENSIONS, findClasses, makeDataset, hasFileAllowedExtension, isImageFile,
  type DatasetFolderOptions, type ImageFolderOptions,
} from './folder';
