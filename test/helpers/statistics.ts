// Goodness-of-fit helpers for sampler tests (independent of lib/).

/** Upper α-quantile of the standard normal for the α used here. */
const Z_UPPER = { 0.001: 3.090232306, 0.0001: 3.719016485 } as const;

/** Wilson–Hilferty approximation of the chi-square critical value χ²_{df}(1 − α) (accurate to ~1% for df ≥ 2). */
export function chiSquareCritical(df: number, alpha: 0.001 | 0.0001 = 0.001): number {
  const z = Z_UPPER[alpha];
  const c = 2 / (9 * df);
  return df * Math.pow(1 - c + z * Math.sqrt(c), 3);
}

/** Pearson's statistic Σ (O − E)²/E over cells with E > 0. */
export function chiSquareStatistic(observed: number[], expected: number[]): number {
  let s = 0;
  for (let i = 0; i < observed.length; i++) if (expected[i] > 0) s += (observed[i] - expected[i]) ** 2 / expected[i];
  return s;
}

/** Kolmogorov–Smirnov statistic of samples against a continuous CDF. */
export function ksStatistic(samples: number[], cdf: (x: number) => number): number {
  const xs = samples.slice().sort((a, b) => a - b);
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** Asymptotic KS critical value at α = 0.001: 1.949/√n. */
export function ksCritical(n: number): number {
  return 1.9495 / Math.sqrt(n);
}

/** ∫_a^b f by adaptive Simpson in Float64 (tolerance `tol` per panel). */
export function adaptiveSimpson(f: (x: number) => number, a: number, b: number, tol = 1e-10, depth = 40): number {
  const simpson = (l: number, r: number, fl: number, fm: number, fr: number) => ((r - l) / 6) * (fl + 4 * fm + fr);
  const recurse = (l: number, r: number, fl: number, fm: number, fr: number, whole: number, eps: number, d: number): number => {
    const m = (l + r) / 2;
    const lm = (l + m) / 2;
    const rm = (m + r) / 2;
    const flm = f(lm);
    const frm = f(rm);
    const left = simpson(l, m, fl, flm, fm);
    const right = simpson(m, r, fm, frm, fr);
    if (d <= 0 || Math.abs(left + right - whole) <= 15 * eps) return left + right + (left + right - whole) / 15;
    return recurse(l, m, fl, flm, fm, left, eps / 2, d - 1) + recurse(m, r, fm, frm, fr, right, eps / 2, d - 1);
  };
  const fa = f(a);
  const fb = f(b);
  const fm = f((a + b) / 2);
  return recurse(a, b, fa, fm, fb, simpson(a, b, fa, fm, fb), tol, depth);
}

/** Standard normal CDF in Float64 (erfc by a continued-fraction-free rational approximation, |err| < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * ∫_a^b f by composite Simpson on n (even) panels, with f evaluated once on the whole grid (so a
 * tfjs density can be evaluated in one batched call). Error O(h⁴ f⁗).
 */
export function gridSimpson(a: number, b: number, n: number, evaluate: (xs: number[]) => ArrayLike<number>): number {
  if (n % 2 !== 0) throw new Error("gridSimpson needs an even number of panels");
  const h = (b - a) / n;
  const xs = Array.from({ length: n + 1 }, (_, i) => a + i * h);
  const f = evaluate(xs);
  let s = f[0] + f[n];
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f[i];
  return (s * h) / 3;
}
