// Constants of the Gaussian density, defined once for the float32 tensor ops and the Float64 kernels
// alike (this module imports nothing, so the plain-JS kernels can use it without tfjs).

/** log(2π)/2 = log √(2π), the normalising constant of log N(x; μ, σ²). */
export const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** 1/√(2π), the standard normal density at 0. */
export const INV_SQRT_TWO_PI = 1 / Math.sqrt(2 * Math.PI);
