import * as torch from '../lib';
import { native as N } from '../lib/binding';
const a = torch.randn(4);
for (let i = 0; i < 3000000; i++) N.detach(a);
