/**
 * Image classification with a torchvision architecture: an image file → resnet18 → the top-5
 * ImageNet labels, as torchvision's documentation does it (the weights' preprocessing, softmax,
 * topk), with the model either built in TypeScript from a state dict Python saved, or loaded as
 * TorchScript. Run:
 *   npx tsx examples/classify/main.ts cat.jpg --weights resnet18.pth
 *   npx tsx examples/classify/main.ts cat.jpg --script resnet18.pt
 * No pretrained weights are reachable offline; make the files in Python where they are:
 *   m = torchvision.models.resnet18(weights='DEFAULT').eval()
 *   torch.save(m.state_dict(), 'resnet18.pth')
 *   torch.jit.trace(m, torch.rand(1, 3, 224, 224)).save('resnet18.pt')
 * Without either, the model has random weights (the labels are then meaningless).
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as torch from '../../lib';
import { nn, transforms, vision } from '../../lib';

const CATEGORIES: string[] = JSON.parse(fs.readFileSync(join(__dirname, 'imagenet_classes.json'), 'utf8'));

/** torchvision's `ResNet18_Weights.IMAGENET1K_V1.transforms()`: resize 256, crop 224, scale, normalize. */
export const preprocess = new transforms.Compose([
  new transforms.Resize(256),
  new transforms.CenterCrop(224),
  new transforms.ConvertImageDtype('float32'),
  new transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
]);

export interface Prediction { index: number; label: string; probability: number }

/** The `k` most likely classes of one image file. */
export function classify(model: nn.Module, path: string, k = 5): Prediction[] {
  const img = vision.io.readImage(path, 'RGB');
  const batch = preprocess.forward(img).unsqueeze(0);
  model.eval();
  using _ = torch.noGrad();
  const probabilities = (model(batch) as torch.Tensor).softmax(1).index(0);
  const { values, indices } = probabilities.topk(k);
  const p = Array.from(values.toArray() as Float32Array);
  return Array.from(indices.toArray() as BigInt64Array, (i, j) => ({ index: Number(i), label: CATEGORIES[Number(i)], probability: p[j] }));
}

/** resnet18 from a state dict (`weights`), or a TorchScript file (`script`), or random. */
export function loadModel(options: { weights?: string; script?: string }): nn.Module {
  if (options.script) return torch.jit.load(options.script);
  const model = vision.models.resnet18();
  if (options.weights) model.loadStateDict(torch.load(options.weights) as Record<string, torch.Tensor>);
  return model;
}

export function main(argv = process.argv.slice(2)): void {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { weights: { type: 'string' }, script: { type: 'string' }, topk: { type: 'string', default: '5' } },
  });
  if (positionals.length !== 1) throw new Error('usage: classify <image> [--weights resnet18.pth | --script resnet18.pt] [--topk 5]');
  if (!values.weights && !values.script) console.warn('no --weights or --script: random weights, so the labels mean nothing');
  const model = loadModel({ weights: values.weights, script: values.script });
  for (const { label, probability } of classify(model, positionals[0], Number(values.topk))) {
    console.log(`${(100 * probability).toFixed(2).padStart(6)}%  ${label}`);
  }
}

if (require.main === module) main();
