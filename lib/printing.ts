/**
 * PyTorch's tensor printout (`repr`), as `console.log(x)` and `String(x)` show it.
 * @internal
 */
import { getDefaultDtype } from './dtype';
import type { Tensor } from './tensor';

const SUMMARIZE_OVER = 1000;
const EDGE = 3;
const LINE_WIDTH = 80;

// Follows torch/_tensor_str.py: one formatter chosen from the elements that are shown, every
// element padded to its width, rows wrapped at 80 columns, `size=` only for empty non-1-D tensors.
export function formatTensor(t: Tensor): string {
  const shape = t.shape;
  const dtype = t.dtype;
  const isFloat = dtype.startsWith('float') || dtype === 'bfloat16';
  const numel = t.numel();
  const summarize = numel > SUMMARIZE_OVER;
  const flat = dtype.startsWith('complex') ? null : t.toArray();
  const strides: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d];
  }
  const shownIndices = (n: number): (number | null)[] => {
    const idx: (number | null)[] = [];
    if (summarize && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) idx.push(i);
      idx.push(null);
      for (let i = n - EDGE; i < n; i++) idx.push(i);
    } else {
      for (let i = 0; i < n; i++) idx.push(i);
    }
    return idx;
  };
  // The formatter sees only the elements that will be printed, as PyTorch's does.
  const shown: number[] = [];
  const collect = (d: number, offset: number): void => {
    if (d === shape.length) { shown.push(offset); return; }
    for (const i of shownIndices(shape[d])) if (i !== null) collect(d + 1, offset + i * strides[d]);
  };
  if (flat !== null && numel > 0) collect(0, 0);
  const valueAt = (offset: number): number => Number((flat as ArrayLike<number | bigint>)[offset]);
  let fmt: (v: number) => string;
  // Integers print from the stored value itself (a bigint for int64), every digit exact.
  let text = (offset: number): string => fmt(valueAt(offset));
  if (dtype === 'bool') {
    fmt = (v) => (v ? 'True' : 'False');
  } else if (!isFloat) {
    fmt = (v) => String(v);
    text = (offset) => String((flat as ArrayLike<number | bigint>)[offset]);
  } else {
    const nonZeroFinite = shown.map(valueAt).filter((v) => Number.isFinite(v) && v !== 0);
    const abs = nonZeroFinite.map(Math.abs);
    const maxAbs = abs.length ? Math.max(...abs) : 0;
    const minAbs = abs.length ? Math.min(...abs) : 0;
    const intMode = nonZeroFinite.every((v) => Number.isInteger(v));
    const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
    const sciMode = abs.length > 0 && (maxAbs / minAbs > 1000 || maxAbs > 1e8 || (!intMode && minAbs < 1e-4));
    if (sciMode) {
      fmt = (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
    } else if (intMode) {
      fmt = (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
    } else {
      fmt = (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
    }
  }
  const width = shown.reduce((w, o) => Math.max(w, text(o).length), 0);
  const element = (offset: number) => text(offset).padStart(width);
  const render = (d: number, offset: number, indent: number): string => {
    const idx = shownIndices(shape[d]);
    if (d === shape.length - 1) {
      const items = idx.map((i) => (i === null ? ' ...' : element(offset + i * strides[d])));
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(',\n' + ' '.repeat(indent + 1))}]`;
    }
    const parts = idx.map((i) => (i === null ? '...' : render(d + 1, offset + i * strides[d], indent + 1)));
    const sep = ',' + '\n'.repeat(shape.length - d - 1) + ' '.repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  // torch/_tensor_str.py names the dtype unless it is the default one, int64 or bool.
  const implied = dtype === getDefaultDtype() || dtype === 'int64' || dtype === 'bool';
  const extras: string[] = [];
  if (t.device !== 'cpu') extras.push(`device='${t.device}'`);
  let body: string;
  if (flat === null) {
    body = `<${shape.join('x')} ${dtype}>`;
    extras.push(`dtype=torch.${dtype}`);
  } else if (numel === 0) {
    body = '[]';
    if (shape.length !== 1) extras.push(`size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
    // No elements show whether an empty tensor is integral, so only the default dtype goes unnamed.
    if (dtype !== getDefaultDtype()) extras.push(`dtype=torch.${dtype}`);
  } else {
    body = shape.length === 0 ? text(0) : render(0, 0, 'tensor('.length);
    if (!implied) extras.push(`dtype=torch.${dtype}`);
  }
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => ', ' + e).join('')})`;
}

/** A number as Python's `repr(float)` writes it: `1.0`, `0.01`, `1e-05`, `1e+16`. */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = v.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const s = String(v);
  return s.includes('.') ? s : `${s}.0`;
}
