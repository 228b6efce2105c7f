// Float64 references for Proposition 2 tests, written independently of lib/: a seeded PRNG with
// Box–Muller normals, the normal CDF by an alternating erf series and Lentz's continued fraction for
// erfc, an adaptive Simpson integrator, and the eq. (7) integral and its Monte Carlo twin.

/** Mulberry32: a small, fixed-seed uniform PRNG on (0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** Standard normal draws by Box–Muller from a uniform stream. */
export function normalStream(seed: number): () => number {
  const u = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(u()));
    const th = 2 * Math.PI * u();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

/**
 * The denominator f(z) of erfc z = e^{−z²}/(√π·f(z)), f(z) = z + (1/2)/(z + 1/(z + (3/2)/(z + …))),
 * by Lentz's algorithm (z ≥ 2).
 */
function erfcContinuedFraction(z: number): number {
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const an = n / 2;
    d = z + an * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = z + an / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

/** erf(z) for |z| < 2 by the Maclaurin series Σ (−1)ⁿ z^{2n+1} / (n! (2n+1)). */
function erfMaclaurin(z: number): number {
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (-z * z) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** log Φ(x), Float64. */
export function refLogNormalCdf(x: number): number {
  const z = x / Math.SQRT2;
  if (z <= -2) {
    const w = -z; // Φ(x) = erfc(w)/2 = e^{−w²}/(2√π f(w)), in log space so it never underflows.
    return -w * w - Math.log(2 * Math.sqrt(Math.PI) * erfcContinuedFraction(w));
  }
  if (z >= 2) return Math.log1p(-Math.exp(-z * z) / (2 * Math.sqrt(Math.PI) * erfcContinuedFraction(z)));
  return Math.log(0.5 * (1 + erfMaclaurin(z)));
}

/** Adaptive Simpson on [a, b] with absolute tolerance tol (depth-limited). */
export function adaptiveSimpson(f: (x: number) => number, a: number, b: number, tol: number, maxDepth = 50): number {
  const fa = f(a);
  const fb = f(b);
  const m = 0.5 * (a + b);
  const fm = f(m);
  const whole = ((b - a) / 6) * (fa + 4 * fm + fb);
  const rec = (a0: number, b0: number, fa0: number, fm0: number, fb0: number, s: number, eps: number, depth: number): number => {
    const m0 = 0.5 * (a0 + b0);
    const lm = 0.5 * (a0 + m0);
    const rm = 0.5 * (m0 + b0);
    const flm = f(lm);
    const frm = f(rm);
    const left = ((m0 - a0) / 6) * (fa0 + 4 * flm + fm0);
    const right = ((b0 - m0) / 6) * (fm0 + 4 * frm + fb0);
    const diff = left + right - s;
    if (depth <= 0 || Math.abs(diff) <= 15 * eps) return left + right + diff / 15;
    return rec(a0, m0, fa0, flm, fm0, left, eps / 2, depth - 1) + rec(m0, b0, fm0, frm, fb0, right, eps / 2, depth - 1);
  };
  return rec(a, b, fa, fm, fb, whole, tol, maxDepth);
}

/**
 * P(H = k), k = 0..K−1 (0-based; index K−1 is the extra category), by adaptive Simpson on the
 * original variable t of eq. (11) over [0, T] with T beyond every component's 12σ tail.
 */
export function refDiscreteProbabilities(mu: number[], sigma: number[], tol = 1e-12): number[] {
  const m = mu.length;
  let hi = 0;
  for (let j = 0; j < m; j++) hi = Math.max(hi, mu[j] + 12 * sigma[j]);
  const out: number[] = [];
  for (let k = 0; k < m; k++) {
    const integrand = (t: number) => {
      let log = -0.5 * ((t - mu[k]) / sigma[k]) ** 2 - 0.5 * Math.log(2 * Math.PI) - Math.log(sigma[k]);
      for (let j = 0; j < m; j++) if (j !== k) log += refLogNormalCdf((t - mu[j]) / sigma[j]);
      return Math.exp(log);
    };
    // Split [0, hi] at the component means that fall inside so Simpson sees each bump.
    const cuts = [0, ...mu.filter((v) => v > 0 && v < hi), hi].sort((x, y) => x - y);
    let total = 0;
    for (let i = 0; i + 1 < cuts.length; i++) if (cuts[i + 1] > cuts[i]) total += adaptiveSimpson(integrand, cuts[i], cuts[i + 1], tol);
    out.push(total);
  }
  let last = 0;
  for (let j = 0; j < m; j++) last += refLogNormalCdf(-mu[j] / sigma[j]);
  out.push(Math.exp(last));
  return out;
}

/** Monte Carlo frequencies of argmax(y_1..y_{K−1}, 0) with y_j ~ N(mu_j, sigma_j²), fixed seed. */
export function monteCarloArgmax(mu: number[], sigma: number[], draws: number, seed: number): number[] {
  const normal = normalStream(seed);
  const m = mu.length;
  const counts = new Array<number>(m + 1).fill(0);
  for (let d = 0; d < draws; d++) {
    let best = m;
    let bestValue = 0;
    for (let j = 0; j < m; j++) {
      const y = mu[j] + sigma[j] * normal();
      if (y > bestValue) {
        bestValue = y;
        best = j;
      }
    }
    counts[best]++;
  }
  return counts.map((c) => c / draws);
}

/**
 * log P(H = k), k = 0..K−1, for any parameters (no underflow at large |μ/σ|, steep factors at large
 * σ ratios): adaptive Simpson of e^{log f(t) − L} on [0, T], where log f is the eq. (11) integrand in
 * log space, L its maximum (golden-section search: log f is concave), and the breakpoints are every
 * μ_j + cσ_j with c ∈ {0, ±1, ±2, ±4, ±8, ±16} (so each Φ step and each Gaussian bump is a segment
 * edge) plus a grid of step min σ/4 around the maximum. Independent of the library's adaptive rule
 * (no derivative, no Gauss–Kronrod).
 */
export function refDiscreteLogProbabilities(mu: number[], sigma: number[], tol = 1e-13): number[] {
  const m = mu.length;
  const out: number[] = [];
  for (let k = 0; k < m; k++) {
    // log f at t = c + u with (c − μ_j) formed first: at |μ/σ| ~ 1e3 rounding t itself, divided by a
    // small σ_j, would put noise into log f that Simpson's refinement cannot get below.
    const logFAt = (c: number, u: number) => {
      let log = -0.5 * ((c - mu[k] + u) / sigma[k]) ** 2 - 0.5 * Math.log(2 * Math.PI) - Math.log(sigma[k]);
      for (let j = 0; j < m; j++) if (j !== k) log += refLogNormalCdf((c - mu[j] + u) / sigma[j]);
      return log;
    };
    const logF = (t: number) => logFAt(t, 0);
    const cuts = new Set<number>([0]);
    for (let j = 0; j < m; j++) for (const c of [0, 1, -1, 2, -2, 4, -4, 8, -8, 16, -16]) cuts.add(mu[j] + c * sigma[j]);
    let points = [...cuts].filter((t) => t >= 0).sort((x, y) => x - y);
    // refine: around the best breakpoint, add a fine grid of the local scale (the smallest σ)
    let bestIndex = 0;
    for (let i = 0; i < points.length; i++) if (logF(points[i]) > logF(points[bestIndex])) bestIndex = i;
    // log f is concave: golden-section search between the best breakpoint's neighbours finds its maximum
    let lo = points[Math.max(0, bestIndex - 1)];
    let hi = points[Math.min(points.length - 1, bestIndex + 1)];
    if (bestIndex === points.length - 1) hi = points[bestIndex] + 16 * Math.max(...sigma);
    const golden = (Math.sqrt(5) - 1) / 2;
    for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(hi)); i++) {
      const x1 = hi - golden * (hi - lo);
      const x2 = lo + golden * (hi - lo);
      if (logF(x1) < logF(x2)) lo = x1;
      else hi = x2;
    }
    const best = 0.5 * (lo + hi);
    points.push(best);
    const fine = Math.min(...sigma);
    for (let i = -64; i <= 64; i++) if (best + (i * fine) / 4 >= 0) points.push(best + (i * fine) / 4);
    points = [...new Set(points)].sort((x, y) => x - y);
    let peak = -Infinity;
    for (const t of points) peak = Math.max(peak, logF(t));
    let total = 0;
    for (let i = 0; i + 1 < points.length; i++) {
      const lo = points[i];
      const hi = points[i + 1];
      if (hi > lo && (logF(lo) > peak - 60 || logF(hi) > peak - 60)) {
        // log f carries ~1e−16·|peak| absolute rounding, so the tolerance scales with |peak| (the tests
        // compare log P relative to max(1, |log P|))
        total += adaptiveSimpson((u) => Math.exp(logFAt(lo, u) - peak), 0, hi - lo, tol * Math.max(1, Math.abs(peak)) * (hi - lo), 40);
      }
    }
    out.push(peak + Math.log(total));
  }
  let last = 0;
  for (let j = 0; j < m; j++) last += refLogNormalCdf(-mu[j] / sigma[j]);
  out.push(last);
  return out;
}
