// Float64 log-space helpers shared by the sampling-without-replacement code.

/** log(1 − e^{−|x|}) without cancellation (Mächler 2012). */
export function log1mexp(x: number): number {
  const a = Math.abs(x);
  return a < Math.LN2 ? Math.log(-Math.expm1(-a)) : Math.log1p(-Math.exp(-a));
}

/** log Σ e^{x_i} (−∞ for an empty list). */
export function logSumExp(xs: number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}
