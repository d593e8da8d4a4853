/**
 * `optim.LBFGS`, as `torch.optim.LBFGS` (read it beside `torch/optim/lbfgs.py`: the same
 * algorithm and strong-Wolfe line search, op for op). Where Python computes with plain floats the
 * code here uses JS numbers, and where Python's values are 0-d tensors (`t` after the first
 * iteration's guess, `gtd`, `ys`, `ro`, `H_diag`, …) it keeps tensors, so each comparison and
 * each rounding happens as in PyTorch and the iterations take the same branches.
 */
import { Tensor } from '../tensor';
import { cat, rsub } from '../generated/ops';
import { zeros } from '../factories';
import { keep } from '../memory';
import { enableGrad, noGrad } from '../autograd';
import { checkInt, checkNumber } from '../validate';
import { rangeError, typeError } from '../errors';
import { Optimizer, nonNegative, type OptionSpec, type Params, type StateValue } from './optimizer';

/** Options of `optim.LBFGS`, PyTorch's keyword arguments in camelCase. */
export interface LBFGSOptions {
  /** Learning rate (the step length without line search, the first trial step with it). Default 1. */
  lr?: number;
  /** Most iterations per `step()`. Default 20. */
  maxIter?: number;
  /** Most evaluations of the closure per `step()`. Default `floor(maxIter * 5 / 4)`. */
  maxEval?: number | null;
  /** Stop when every element of the gradient is at most this in magnitude. Default 1e-7. */
  toleranceGrad?: number;
  /** Stop when the loss or the parameters change less than this. Default 1e-9. */
  toleranceChange?: number;
  /** How many past updates approximate the inverse Hessian. Default 100. */
  historySize?: number;
  /** `'strong_wolfe'` for a line search satisfying the strong Wolfe conditions; `null` for a fixed step. Default null. */
  lineSearchFn?: 'strong_wolfe' | null;
}

/** A closure as LBFGS calls it: re-evaluates the model, calls `backward()`, returns the loss. */
export type LBFGSClosure = () => Tensor | number;

/**
 * LBFGS's state, which PyTorch keeps under the first parameter (`optimizer.state.get(params[0])`):
 * counters as numbers, the last direction and gradient, and the history as lists of tensors.
 */
export interface LBFGSState {
  func_evals: number;
  n_iter: number;
  d?: Tensor | null;
  t?: Num | null;
  old_dirs?: Tensor[] | null;
  old_stps?: Tensor[] | null;
  ro?: Num[] | null;
  H_diag?: Num | null;
  prev_flat_grad?: Tensor | null;
  prev_loss?: number | null;
  al?: (Num | null)[];
}

/** A Python value that is a float or a 0-d tensor. */
type Num = number | Tensor;

// Python's arithmetic on float | Tensor: plain floats where both are numbers, tensor ops (and
// PyTorch's rounding) as soon as one is a tensor. `number / Tensor` is Tensor.__rdiv__, which
// multiplies by the reciprocal; `number - Tensor` is torch.rsub.
const add = (a: Num, b: Num): Num => (a instanceof Tensor ? a.add(b) : b instanceof Tensor ? b.add(a) : a + b);
const sub = (a: Num, b: Num): Num => (a instanceof Tensor ? a.sub(b) : b instanceof Tensor ? rsub(b, a) : a - b);
const mul = (a: Num, b: Num): Num => (a instanceof Tensor ? a.mul(b) : b instanceof Tensor ? b.mul(a) : a * b);
const div = (a: Num, b: Num): Num => (a instanceof Tensor ? a.div(b) : b instanceof Tensor ? b.reciprocal().mul(a) : a / b);
const abs = (a: Num): Num => (a instanceof Tensor ? a.abs() : Math.abs(a));
const truth = (t: Tensor): boolean => t.item<boolean>() as boolean;
// Python's comparisons: `number < Tensor` is Tensor.__gt__.
const lt = (a: Num, b: Num): boolean => (a instanceof Tensor ? truth(b instanceof Tensor ? a.lt(b) : a.lt(b)) : b instanceof Tensor ? truth(b.gt(a)) : a < b);
const le = (a: Num, b: Num): boolean => (a instanceof Tensor ? truth(b instanceof Tensor ? a.le(b) : a.le(b)) : b instanceof Tensor ? truth(b.ge(a)) : a <= b);
const gt = (a: Num, b: Num): boolean => lt(b, a);
const ge = (a: Num, b: Num): boolean => le(b, a);
// Python's min(a, b) and max(a, b): the first unless the second is strictly smaller (larger).
const min = (a: Num, b: Num): Num => (lt(b, a) ? b : a);
const max = (a: Num, b: Num): Num => (gt(b, a) ? b : a);
/** A Scalar argument (`alpha=t`): a 0-d tensor passes its value. */
const scalar = (a: Num): number => (a instanceof Tensor ? (a.item() as number) : a);

/** `_cubic_interpolate` of torch/optim/lbfgs.py: the minimiser of the cubic through two points. */
function cubicInterpolate(x1: Num, f1: Num, g1: Num, x2: Num, f2: Num, g2: Num, bounds?: [Num, Num]): Num {
  const [xminBound, xmaxBound] = bounds ?? (le(x1, x2) ? [x1, x2] : [x2, x1]);
  const d1 = sub(add(g1, g2), div(mul(3, sub(f1, f2)), sub(x1, x2)));
  const d2Square = sub(d1 instanceof Tensor ? d1.pow(2) : d1 ** 2, mul(g1, g2));
  if (ge(d2Square, 0)) {
    const d2 = d2Square instanceof Tensor ? d2Square.sqrt() : Math.sqrt(d2Square);
    const minPos = le(x1, x2)
      ? sub(x2, mul(sub(x2, x1), div(sub(add(g2, d2), d1), add(sub(g2, g1), mul(2, d2)))))
      : sub(x1, mul(sub(x1, x2), div(sub(add(g1, d2), d1), add(sub(g1, g2), mul(2, d2)))));
    return min(max(minPos, xminBound), xmaxBound);
  }
  return div(add(xminBound, xmaxBound), 2.0);
}

type ObjFunc = (x: Tensor[], t: Num, d: Tensor) => [number, Tensor];

/** `_strong_wolfe` of torch/optim/lbfgs.py: returns `[loss, flatGrad, t, lsFuncEvals]`. */
function strongWolfe(objFunc: ObjFunc, x: Tensor[], t: Num, d: Tensor, f: number, g: Tensor, gtd: Tensor, maxLs: number): [number, Tensor, Num, number] {
  const c1 = 1e-4;
  const c2 = 0.9;
  const toleranceChange = 1e-9;
  const dNorm = d.abs().max();
  g = g.clone();
  // evaluate objective and gradient using initial step
  let [fNew, gNew] = objFunc(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = gNew.dot(d);

  // bracket an interval containing a point satisfying the Wolfe criteria
  let tPrev: Num = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: Num[] = [];
  let bracketF: number[] = [];
  let bracketG: Tensor[] = [];
  let bracketGtd: Tensor[] = [];
  while (lsIter < maxLs) {
    // check conditions
    if (gt(fNew, add(f, mul(mul(c1, t), gtd))) || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew.clone()];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (le(gtdNew.abs(), mul(-c2, gtd))) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (ge(gtdNew, 0)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew.clone()];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    // interpolate
    const minStep = add(t, mul(0.01, sub(t, tPrev)));
    const maxStep = mul(t, 10);
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    // next step
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew.clone();
    gtdPrev = gtdNew;
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = gNew.dot(d);
    lsIter += 1;
  }
  // reached max number of iterations?
  if (lsIter === maxLs) {
    bracket = [0, t];
    bracketF = [f, fNew];
    bracketG = [g, gNew];
  }
  if (bracket.length === 0) throw rangeError('maxEval to leave the line search at least one evaluation', 'maxEval', maxLs);

  // zoom phase: we now have a point satisfying the criteria, or a bracket around it. We refine
  // the bracket until we find the exact point satisfying the criteria.
  let insufProgress = false;
  // find high and low points in bracket
  let [lowPos, highPos] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    // line-search bracket is so small
    if (lt(mul(abs(sub(bracket[1], bracket[0])), dNorm), toleranceChange)) break;
    // compute new trial value
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // test that we are making sufficient progress: if `t` is so close to a boundary, mark the
    // progress insufficient, and if it was already insufficient or `t` is at a boundary, move `t`
    // to 0.1 * len(bracket) away from the nearest boundary point.
    const hi = max(bracket[0], bracket[1]);
    const lo = min(bracket[0], bracket[1]);
    const eps = mul(0.1, sub(hi, lo));
    if (lt(min(sub(hi, t), sub(t, lo)), eps)) {
      // interpolation close to boundary
      if (insufProgress || ge(t, hi) || le(t, lo)) {
        // evaluate at 0.1 away from boundary
        t = lt(abs(sub(t, hi)), abs(sub(t, lo))) ? sub(hi, eps) : add(lo, eps);
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    // Evaluate new point
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = gNew.dot(d);
    lsIter += 1;
    if (gt(fNew, add(f, mul(mul(c1, t), gtd))) || fNew >= bracketF[lowPos]) {
      // Armijo condition not satisfied or not lower than lowest point
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew.clone();
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (le(gtdNew.abs(), mul(-c2, gtd))) {
        // Wolfe conditions satisfied
        done = true;
      } else if (ge(mul(gtdNew, sub(bracket[highPos], bracket[lowPos])), 0)) {
        // old high becomes new low
        bracket[highPos] = bracket[lowPos];
        bracketF[highPos] = bracketF[lowPos];
        bracketG[highPos] = bracketG[lowPos];
        bracketGtd[highPos] = bracketGtd[lowPos];
      }
      // new point becomes new low
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew.clone();
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos], bracketG[lowPos], bracket[lowPos], lsFuncEvals];
}

const SPECS: OptionSpec[] = [
  { camel: 'lr', key: 'lr', default: 1, check: nonNegative('lr') },
  { camel: 'maxIter', key: 'max_iter', default: 20, check: (v) => checkInt(v, 'maxIter', 1) },
  { camel: 'maxEval', key: 'max_eval', default: null, check: (v) => { if (v !== null) checkInt(v, 'maxEval', 1); } },
  { camel: 'toleranceGrad', key: 'tolerance_grad', default: 1e-7, check: (v) => checkNumber(v, 'toleranceGrad') },
  { camel: 'toleranceChange', key: 'tolerance_change', default: 1e-9, check: (v) => checkNumber(v, 'toleranceChange') },
  { camel: 'historySize', key: 'history_size', default: 100, check: (v) => checkInt(v, 'historySize', 1) },
  {
    camel: 'lineSearchFn', key: 'line_search_fn', default: null,
    check: (v) => {
      if (v === null) return;
      if (typeof v !== 'string') throw typeError("'strong_wolfe' or null", 'lineSearchFn', v);
      if (v !== 'strong_wolfe') throw rangeError("'strong_wolfe' or null (the only line search PyTorch has)", 'lineSearchFn', v);
    },
  },
];

/**
 * L-BFGS (Liu & Nocedal, 1989), PyTorch's algorithm (after minFunc) with its optional
 * strong-Wolfe line search. Each `step(closure)` runs up to `maxIter` iterations, calling the
 * closure to re-evaluate the loss and gradient; it takes one parameter group only. The state,
 * as PyTorch's, lives under the first parameter: `func_evals`, `n_iter`, `d`, `t`, `old_dirs`,
 * `old_stps`, `ro`, `H_diag`, `prev_flat_grad`, `prev_loss` and `al` (see {@link LBFGSState}).
 *
 * @example
 * ```ts
 * const optimizer = new optim.LBFGS(model.parameters(), { lr: 1, lineSearchFn: 'strong_wolfe' });
 * const closure = () => {
 *   optimizer.zeroGrad();
 *   const loss = nn.functional.mseLoss(model.forward(x), y);
 *   loss.backward();
 *   return loss;
 * };
 * for (let i = 0; i < 10; i++) optimizer.step(closure);
 * ```
 */
export class LBFGS extends Optimizer {
  constructor(params: Params, options: LBFGSOptions = {}) {
    super(params, options as Record<string, unknown>);
    if (this.paramGroups.length !== 1) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
  }

  protected normalize(options: unknown, fill = false): Record<string, unknown> {
    const out = this.readOptions(options, SPECS, fill);
    if (fill && out.max_eval === null) out.max_eval = Math.floor(((out.max_iter as number) * 5) / 4);
    return out;
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  /** LBFGS keeps plain numbers, `None`s and lists in its state, as PyTorch does. */
  protected override loadStateValue(p: Tensor, key: string | null, v: unknown): StateValue | undefined {
    if (typeof v === 'number' || v === null) return v;
    return super.loadStateValue(p, key, v);
  }

  private gatherFlatGrad(): Tensor {
    return cat(this.params.map((p) => {
      const g = p.grad;
      return g === null ? zeros([p.numel()], { dtype: p.dtype, device: p.device }) : g.view(-1);
    }), 0);
  }

  private addGrad(stepSize: Num, update: Tensor): void {
    let offset = 0;
    const alpha = scalar(stepSize);
    for (const p of this.params) {
      const numel = p.numel();
      p.add_(update.slice(0, offset, offset + numel).viewAs(p), { alpha });
      offset += numel;
    }
  }

  private directionalEvaluate(closure: LBFGSClosure, x: Tensor[], t: Num, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = toFloat(enableGrad(closure));
    const flatGrad = this.gatherFlatGrad();
    this.params.forEach((p, i) => p.copy_(x[i]));
    return [loss, flatGrad];
  }

  /**
   * Up to `maxIter` L-BFGS iterations; `closure` re-evaluates the model (zeroing the gradients,
   * computing the loss, calling `backward()`) and returns the loss. Returns the loss of the
   * first evaluation, as PyTorch does.
   */
  override step(closure: LBFGSClosure): Tensor | number {
    if (typeof closure !== 'function') throw typeError('a closure that re-evaluates the model and returns the loss', 'closure', closure);
    if (this.paramGroups.length !== 1) throw new RangeError(`Expected exactly one param_group, but got ${this.paramGroups.length}`);
    // No tidy() scope here: the closure is the user's code, and what it makes is theirs to keep.
    return noGrad(() => {
      try {
        return this.run(closure);
      } finally {
        // What the state holds outlives any tidy() scope the caller is in.
        const state = this.state.get(this.params[0]);
        if (state !== undefined) keepAll(Object.values(state));
      }
    });
  }

  /** @internal LBFGS has no update without a closure: its {@link step} runs the iterations. */
  protected update(): void {
    throw typeError('a closure that re-evaluates the model and returns the loss', 'closure', undefined);
  }

  private run(closure: LBFGSClosure): Tensor | number {
    const group = this.paramGroups[0];
    const lr = group.lr as number;
    const maxIter = group.max_iter as number;
    const maxEval = group.max_eval as number;
    const toleranceGrad = group.tolerance_grad as number;
    const toleranceChange = group.tolerance_change as number;
    const lineSearchFn = group.line_search_fn as string | null;
    const historySize = group.history_size as number;

    // LBFGS has only global state, registered under the first parameter as PyTorch does.
    const state = this.stateOf(this.params[0]) as unknown as LBFGSState;
    state.func_evals ??= 0;
    state.n_iter ??= 0;

    // evaluate initial f(x) and df/dx
    const origLoss = enableGrad(closure);
    let loss = toFloat(origLoss);
    let currentEvals = 1;
    state.func_evals += 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = truth(flatGrad.abs().max().le(toleranceGrad));
    // optimal condition
    if (optCond) return origLoss;

    // tensors cached in state
    let d = state.d ?? null;
    let t = state.t ?? null;
    let oldDirs = state.old_dirs ?? null;
    let oldStps = state.old_stps ?? null;
    let ro = state.ro ?? null;
    let hDiag = state.H_diag ?? null;
    let prevFlatGrad = state.prev_flat_grad ?? null;
    let prevLoss = state.prev_loss ?? null;

    let nIter = 0;
    // optimize for a max of maxIter iterations
    while (nIter < maxIter) {
      nIter += 1;
      state.n_iter += 1;

      // compute gradient descent direction
      if (state.n_iter === 1) {
        d = flatGrad.neg();
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        oldDirs = oldDirs as Tensor[];
        oldStps = oldStps as Tensor[];
        ro = ro as Num[];
        // do lbfgs update (update memory)
        const y = flatGrad.sub(prevFlatGrad as Tensor);
        const s = (d as Tensor).mul(t as Num);
        const ys = y.dot(s); // y*s
        if (truth(ys.gt(1e-10))) {
          // updating memory
          if (oldDirs.length === historySize) {
            // shift history by one (limited-memory)
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          // store new direction/step
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(div(1.0, ys));
          // update scale of initial Hessian approximation
          hDiag = ys.div(y.dot(y)); // (y*y)
        }
        // compute the approximate (L-BFGS) inverse Hessian multiplied by the gradient
        const numOld = oldDirs.length;
        state.al ??= new Array<Num | null>(historySize).fill(null);
        const al = state.al;
        // iteration in L-BFGS loop collapsed to use just one buffer
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = mul(oldStps[i].dot(q), ro[i]);
          q.add_(oldDirs[i], { alpha: -scalar(al[i] as Num) });
        }
        // multiply by initial Hessian; r/d is the final direction
        const r = q.mul(hDiag as Num);
        d = r;
        for (let i = 0; i < numOld; i++) {
          const beI = mul(oldDirs[i].dot(r), ro[i]);
          r.add_(oldStps[i], { alpha: scalar(sub(al[i] as Num, beI)) });
        }
      }

      if (prevFlatGrad === null) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      // compute step length: reset initial guess for step size
      if (state.n_iter === 1) t = mul(min(1.0, div(1.0, flatGrad.abs().sum())), lr);
      else t = lr;

      // directional derivative
      const gtd = flatGrad.dot(d); // g * d
      // directional derivative is below tolerance
      if (truth(gtd.gt(-toleranceChange))) break;

      // optional line search: user function
      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this.params.map((p) => p.clone());
        const objFunc: ObjFunc = (x, tt, dd) => this.directionalEvaluate(closure, x, tt, dd);
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(objFunc, xInit, t, d, loss, flatGrad, gtd, maxEval - currentEvals);
        this.addGrad(t, d);
        optCond = truth(flatGrad.abs().max().le(toleranceGrad));
      } else {
        // no line search, simply move with fixed-step
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          // re-evaluate function only if not in last iteration: in a stochastic setting, there
          // is no use re-evaluating the function here
          loss = toFloat(enableGrad(closure));
          flatGrad = this.gatherFlatGrad();
          optCond = truth(flatGrad.abs().max().le(toleranceGrad));
          lsFuncEvals = 1;
        }
      }
      // update func eval
      currentEvals += lsFuncEvals;
      state.func_evals += lsFuncEvals;

      // check conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      // optimal condition
      if (optCond) break;
      // lack of progress
      if (truth(d.mul(t).abs().max().le(toleranceChange))) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    state.d = d;
    state.t = t;
    state.old_dirs = oldDirs;
    state.old_stps = oldStps;
    state.ro = ro;
    state.H_diag = hDiag;
    state.prev_flat_grad = prevFlatGrad;
    state.prev_loss = prevLoss;
    return origLoss;
  }
}

/** Python's `float(loss)`. */
function toFloat(loss: Tensor | number): number {
  if (loss instanceof Tensor) return loss.item() as number;
  if (typeof loss === 'number') return loss;
  throw typeError('a Tensor or a number (the loss) from the closure', 'closure', loss);
}

function keepAll(value: unknown): void {
  if (value instanceof Tensor) keep(value);
  else if (Array.isArray(value)) value.forEach(keepAll);
}
