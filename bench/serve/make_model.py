"""Writes the model `npm run bench:serve` serves: torchvision's resnet18 (seed 0, random
weights, eval mode) traced as TorchScript, by whichever Python has torchvision (Debian's 1.13;
LibTorch 2.13 reads 1.13's files).

    /usr/bin/python3 bench/serve/make_model.py OUT.pt
"""
import sys

import torch
import torchvision

torch.manual_seed(0)
model = torchvision.models.resnet18().eval()
torch.jit.trace(model, torch.rand(1, 3, 224, 224)).save(sys.argv[1])
