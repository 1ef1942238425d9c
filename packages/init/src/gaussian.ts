/**
 * The standard normal distribution in float64: density, CDF, quantile, and the moments of a
 * truncated normal. Used by `truncatedNormal` and by the tests that check it.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
 *
 * @example
 * normalPdf(0); // 0.3989422804014327
 */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

/**
 * erfc(x) = 1 - erf(x) to about 1e-14 relative: the Taylor series of erf for |x| < 2.5, the
 * continued fraction erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
 * (evaluated by the modified Lentz method) beyond.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x > 27) return 0; // below the smallest double
  // Continued fraction K = x + (1/2)/(x + 1/(x + (3/2)/(x + ...))), partial numerators k/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const ak = k / 2;
    d = x + ak * d;
    d = d === 0 ? tiny : d;
    c = x + ak / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/**
 * Phi(x) = P(Z <= x) = erfc(-x / sqrt(2)) / 2, accurate in both tails.
 *
 * @example
 * normalCdf(1.959963984540054); // 0.975
 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

// Acklam's rational approximation of the normal quantile (relative error < 1.15e-9), refined by
// one Halley step on Phi(x) - p.
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const B = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/**
 * The normal quantile Phi^{-1}(p) (PyTorch computes it as sqrt(2) erfinv(2p - 1)), to about 1e-13.
 *
 * @example
 * normalQuantile(0.975); // 1.959963984540054
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const pLow = 0.02425;
  let x: number;
  if (p < pLow || p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(p < pLow ? p : 1 - p));
    const num = ((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5];
    const den = (((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1;
    x = p < pLow ? num / den : -num / den;
  } else {
    const q = p - 0.5;
    const r = q * q;
    const num = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q;
    const den = ((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1;
    x = num / den;
  }
  // Halley step. Above the median, work with the upper-tail probability to keep precision.
  // e = Phi(x) - p, with Phi(x) = 1 - Phi(-x) above the median.
  const e = p > 0.5 ? 1 - p - normalCdf(-x) : normalCdf(x) - p;
  const u = e * SQRT_2PI * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

/**
 * Mean and variance of a standard normal truncated to [alpha, beta] (in standard deviations):
 * with Z = Phi(beta) - Phi(alpha),
 * mean = (phi(alpha) - phi(beta)) / Z,
 * var = 1 + (alpha phi(alpha) - beta phi(beta)) / Z - mean^2.
 * For [-2, 2]: std = 0.8796256610342398, the constant in Keras's truncated VarianceScaling.
 *
 * @example
 * Math.sqrt(truncatedNormalMoments(-2, 2).variance); // 0.8796256610342398
 */
export function truncatedNormalMoments(
  alpha: number,
  beta: number,
): { mean: number; variance: number } {
  // Z from the tail that keeps precision.
  const z = alpha > 0 ? normalCdf(-alpha) - normalCdf(-beta) : normalCdf(beta) - normalCdf(alpha);
  const pa = Number.isFinite(alpha) ? normalPdf(alpha) : 0;
  const pb = Number.isFinite(beta) ? normalPdf(beta) : 0;
  const apa = Number.isFinite(alpha) ? alpha * pa : 0;
  const bpb = Number.isFinite(beta) ? beta * pb : 0;
  const mean = (pa - pb) / z;
  return { mean, variance: 1 + (apa - bpb) / z - mean * mean };
}
