// Gauss quadrature rules computed in Float64, and a Float64 adaptive reference integrator.
// Proposition 2 (appendix eq. 7) is a one-dimensional integral over [0, ∞) against a Gaussian
// density; the authors use the 15-point half-range Gauss–Hermite rule of Steen, Byrne & Gelbard
// (1969), tabulated in docs/paper.md §5. We compute rules of any size here (Golub–Welsch on recurrence
// coefficients) instead of hard-coding tables, and test them against that table and moments.

/** Nodes and weights of a Gauss rule: ∫ w(x) f(x) dx ≈ Σ weights[i]·f(nodes[i]). */
export interface QuadratureRule {
  nodes: number[];
  weights: number[];
}

/**
 * The 15-point half-range Gauss–Hermite rule (weight e^{−x²} on [0, ∞)) as printed in Steen et
 * al. (1969) and used by the authors' `compute_igr_log_probs` (docs/paper.md §5). Kept for the
 * accuracy map that shows where it fails; `halfRangeGaussHermite(15)` recomputes it.
 */
export const STEEN_HALF_RANGE_HERMITE_15: Readonly<QuadratureRule> = Object.freeze({
  nodes: [
    2.16869474675590e-2, 1.12684220347775e-1, 2.70492671421899e-1, 4.86902370381935e-1, 7.53043683072978e-1,
    1.06093100362236, 1.40425495820363, 1.77864637941183, 2.18170813144494, 2.61306084533352, 3.07461811380851,
    3.57140815113714, 4.11373608977209, 4.72351306243148, 5.46048893678335,
  ],
  weights: [
    5.54433663102343e-2, 1.2402773898773e-1, 1.75290943892075e-1, 1.91488340747342e-1, 1.6347379714407e-1,
    1.05937637278492e-1, 5.00270211534535e-2, 1.64429690052673e-2, 3.57320421428311e-3, 4.82896509305201e-4,
    3.74908650266318e-5, 1.49368411589636e-6, 2.55270496934465e-8, 1.34217679136316e-10, 9.56227446736465e-14,
  ],
});

/**
 * Golub–Welsch: the Gauss rule from the three-term recurrence p_{k+1} = (x − a_k) p_k − b_k p_{k−1}
 * of the monic orthogonal polynomials, with b_0 = total mass of the weight. Nodes are the
 * eigenvalues of the Jacobi matrix, weights b_0 times the squared first eigenvector components.
 */
export function golubWelsch(a: number[], b: number[]): QuadratureRule {
  const n = a.length;
  const d = a.slice();
  const e = new Array<number>(n).fill(0);
  for (let i = 1; i < n; i++) e[i - 1] = Math.sqrt(b[i]);
  // z holds the first component of every eigenvector (all we need for the weights).
  const z = new Array<number>(n).fill(0);
  z[0] = 1;
  // Implicit QL with Wilkinson shifts (tqli, Numerical Recipes §11.3), tracking only row 0.
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= 1e-16 * dd) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new Error("golubWelsch: QL iteration did not converge");
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        let f = s * e[i];
        const bb = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * bb;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - bb;
        f = z[i + 1];
        z[i + 1] = s * z[i] + c * f;
        z[i] = c * z[i] - s * f;
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  const order = d.map((_, i) => i).sort((i, j) => d[i] - d[j]);
  return { nodes: order.map((i) => d[i]), weights: order.map((i) => b[0] * z[i] * z[i]) };
}

/** n-point Gauss–Legendre rule on [−1, 1] (Newton on P_n, Float64). */
export function gaussLegendre(n: number): QuadratureRule {
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      if (n === 1) p0 = 1;
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes.push(x);
    weights.push(2 / ((1 - x * x) * dp * dp));
  }
  const order = nodes.map((_, i) => i).sort((i, j) => nodes[i] - nodes[j]);
  return { nodes: order.map((i) => nodes[i]), weights: order.map((i) => weights[i]) };
}

const halfRangeCache = new Map<number, QuadratureRule>();

/**
 * n-point Gauss rule for the weight e^{−x²} on [0, ∞) (half-range Gauss–Hermite).
 *
 * Its recurrence coefficients have no closed form, so they come from the discretized Stieltjes
 * procedure (Gautschi 1982): the weight is replaced by a composite 40-point Gauss–Legendre
 * discretization of [0, √(4n+1) + 8] with panels of width 0.3, on which
 * the Stieltjes/Lanczos recursion is stable; then Golub–Welsch. n = 15 reproduces the Steen et al.
 * table to about 1e−14 (tested).
 */
export function halfRangeGaussHermite(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new Error(`halfRangeGaussHermite: n must be an integer in [1, 100], got ${n}`);
  }
  const cached = halfRangeCache.get(n);
  if (cached) return cached;
  // The largest node is below √(4n+1) (that of the 2n-point full-range rule); 8 more units of
  // e^{−x²} are far below Float64 resolution.
  const upper = Math.sqrt(4 * n + 1) + 8;
  const perPanel = 40;
  const panels = Math.ceil(upper / 0.3);
  const gl = gaussLegendre(perPanel);
  const xs: number[] = [];
  const ws: number[] = [];
  const h = upper / panels;
  for (let p = 0; p < panels; p++) {
    for (let i = 0; i < perPanel; i++) {
      const x = p * h + 0.5 * h * (gl.nodes[i] + 1);
      xs.push(x);
      ws.push(0.5 * h * gl.weights[i] * Math.exp(-x * x));
    }
  }
  const m = xs.length;
  const a: number[] = [];
  const b: number[] = [];
  let prev = new Array<number>(m).fill(0);
  let cur = new Array<number>(m).fill(1);
  let normPrev = 1;
  for (let k = 0; k < n; k++) {
    let norm = 0;
    let xnorm = 0;
    for (let i = 0; i < m; i++) {
      const w = ws[i] * cur[i] * cur[i];
      norm += w;
      xnorm += w * xs[i];
    }
    a.push(xnorm / norm);
    b.push(k === 0 ? norm : norm / normPrev);
    const next = new Array<number>(m);
    for (let i = 0; i < m; i++) next[i] = (xs[i] - a[k]) * cur[i] - (k === 0 ? 0 : b[k]) * prev[i];
    prev = cur;
    cur = next;
    normPrev = norm;
  }
  const rule = golubWelsch(a, b);
  halfRangeCache.set(n, rule);
  return rule;
}

/** n-point Gauss–Laguerre rule for the weight e^{−x} on [0, ∞) (a_k = 2k+1, b_k = k², b_0 = 1). */
export function gaussLaguerre(n: number): QuadratureRule {
  const a = Array.from({ length: n }, (_, k) => 2 * k + 1);
  const b = Array.from({ length: n }, (_, k) => (k === 0 ? 1 : k * k));
  return golubWelsch(a, b);
}

/**
 * REFERENCE PATH (Float64, not differentiable, not used by the library's tensors): adaptive
 * Gauss–Kronrod (7/15) integration of f over the finite interval [lo, hi], bisecting the interval
 * with the largest error estimate until the total estimate is below max(absTol, relTol·|I|).
 * Notebooks use it as an independent check of `discreteProbabilities`.
 */
export function integrateAdaptive64(
  f: (x: number) => number,
  lo: number,
  hi: number,
  { absTol = 1e-14, relTol = 1e-12, maxIntervals = 2000 }: { absTol?: number; relTol?: number; maxIntervals?: number } = {},
): { value: number; errorEstimate: number } {
  const intervals: Array<{ lo: number; hi: number; value: number; error: number }> = [];
  const push = (l: number, h: number) => {
    const [value, error] = kronrod15(f, l, h);
    intervals.push({ lo: l, hi: h, value, error });
  };
  push(lo, hi);
  for (;;) {
    let total = 0;
    let err = 0;
    let worst = 0;
    for (let i = 0; i < intervals.length; i++) {
      total += intervals[i].value;
      err += intervals[i].error;
      if (intervals[i].error > intervals[worst].error) worst = i;
    }
    if (err <= Math.max(absTol, relTol * Math.abs(total)) || intervals.length >= maxIntervals) {
      return { value: total, errorEstimate: err };
    }
    const w = intervals.splice(worst, 1)[0];
    const mid = 0.5 * (w.lo + w.hi);
    push(w.lo, mid);
    push(mid, w.hi);
  }
}

// Kronrod nodes/weights on [−1, 1] (standard 7-point Gauss / 15-point Kronrod pair, QUADPACK qk15).
const XGK = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.58608723546769113029414483825873, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0,
];
const WGK = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
const WG = [0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

function kronrod15(f: (x: number) => number, lo: number, hi: number): [number, number] {
  const c = 0.5 * (lo + hi);
  const h = 0.5 * (hi - lo);
  const fc = f(c);
  let kron = fc * WGK[7];
  let gauss = fc * WG[3];
  for (let j = 0; j < 7; j++) {
    const f1 = f(c - h * XGK[j]);
    const f2 = f(c + h * XGK[j]);
    kron += WGK[j] * (f1 + f2);
    if (j % 2 === 1) gauss += WG[(j - 1) / 2] * (f1 + f2);
  }
  return [kron * h, Math.abs((kron - gauss) * h)];
}
