"""A torchvision-free port of what the seed program uses of torchvision 0.14: `datasets.MNIST`,
`transforms.Compose`, `transforms.ToTensor` and `transforms.Normalize`, line for line from
torchvision/datasets/mnist.py, transforms/transforms.py and transforms/functional*.py, so that
bench/py/seed.py runs the seed's per-sample path on an interpreter without torchvision (pip's
torch 2.x has none built for it).

One difference: torchvision's MNIST hands each sample to the transform as a PIL image
(`Image.fromarray(img.numpy(), mode="L")`) and ToTensor reads its pixels back with `np.array`;
pip's Python has no PIL, so here the sample is the numpy array and ToTensor copies it as
`np.array(pic, np.uint8, copy=True)` does a PIL image. The tensor ops are torchvision's.
"""
import os
from types import FunctionType, SimpleNamespace

import numpy as np
import torch
from torch import nn


def _log_api_usage_once(obj):
    module = obj.__module__
    if not module.startswith('torchvision'):
        module = f'torchvision.internal.{module}'
    name = obj.__class__.__name__
    if isinstance(obj, FunctionType):
        name = obj.__name__
    torch._C._log_api_usage_once(f'{module}.{name}')


def _read_sn3_pascalvincent_tensor(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], 'big')
    nd = magic % 256
    s = [int.from_bytes(data[4 * (i + 1): 4 * (i + 2)], 'big') for i in range(nd)]
    parsed = torch.frombuffer(bytearray(data), dtype=torch.uint8, offset=(4 * (nd + 1)))
    return parsed.view(*s)


class MNIST(torch.utils.data.Dataset):
    """torchvision's MNIST reading `<root>/MNIST/raw/` (files already there: nothing is downloaded)."""

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        _log_api_usage_once(self)
        self.root = root
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        raw = os.path.join(root, 'MNIST', 'raw')
        split = 'train' if train else 't10k'
        self.data = _read_sn3_pascalvincent_tensor(os.path.join(raw, f'{split}-images-idx3-ubyte'))
        self.targets = _read_sn3_pascalvincent_tensor(os.path.join(raw, f'{split}-labels-idx1-ubyte')).long()

    def __getitem__(self, index):
        img, target = self.data[index], int(self.targets[index])
        img = img.numpy()  # torchvision: Image.fromarray(img.numpy(), mode="L")
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)


def to_tensor(pic):
    """torchvision's F.to_tensor on a PIL image of mode "L" (here its pixels as a 2-d uint8 array)."""
    if not torch.jit.is_scripting() and not torch.jit.is_tracing():
        _log_api_usage_once(to_tensor)
    default_float_dtype = torch.get_default_dtype()
    img = torch.from_numpy(np.array(pic, np.uint8, copy=True))
    img = img.view(pic.shape[0], pic.shape[1], 1)
    img = img.permute((2, 0, 1)).contiguous()
    if isinstance(img, torch.ByteTensor):
        return img.to(dtype=default_float_dtype).div(255)
    return img


def normalize(tensor, mean, std, inplace=False):
    """torchvision's F.normalize and F_t.normalize."""
    if not torch.jit.is_scripting() and not torch.jit.is_tracing():
        _log_api_usage_once(normalize)
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f'img should be Tensor Image. Got {type(tensor)}')
    if not tensor.ndim >= 2:
        raise TypeError('Tensor is not a torch image.')
    if not tensor.is_floating_point():
        raise TypeError(f'Input tensor should be a float tensor. Got {tensor.dtype}.')
    if tensor.ndim < 3:
        raise ValueError(f'Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = {tensor.size()}')
    if not inplace:
        tensor = tensor.clone()
    dtype = tensor.dtype
    mean = torch.as_tensor(mean, dtype=dtype, device=tensor.device)
    std = torch.as_tensor(std, dtype=dtype, device=tensor.device)
    if (std == 0).any():
        raise ValueError(f'std evaluated to zero after conversion to {dtype}, leading to division by zero.')
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


class Compose:
    def __init__(self, transforms):
        if not torch.jit.is_scripting() and not torch.jit.is_tracing():
            _log_api_usage_once(self)
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img


class ToTensor:
    def __init__(self):
        _log_api_usage_once(self)

    def __call__(self, pic):
        return to_tensor(pic)


class Normalize(nn.Module):
    def __init__(self, mean, std, inplace=False):
        super().__init__()
        _log_api_usage_once(self)
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor):
        return normalize(tensor, self.mean, self.std, self.inplace)


datasets = SimpleNamespace(MNIST=MNIST)
transforms = SimpleNamespace(Compose=Compose, ToTensor=ToTensor, Normalize=Normalize)
