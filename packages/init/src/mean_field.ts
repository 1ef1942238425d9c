/**
 * Mean-field signal propagation in wide random networks: Poole, Lahiri, Raghu, Sohl-Dickstein &
 * Ganguli 2016, "Exponential expressivity in deep neural networks through transient chaos";
 * Schoenholz, Gilmer, Ganguli & Sohl-Dickstein 2017, "Deep Information Propagation"; applied to
 * CNNs by Xiao et al. 2018.
 *
 * With W_ij ~ N(0, sigma_w^2 / N) (or an orthogonal matrix times sigma_w), b_i ~ N(0, sigma_b^2),
 * h^l = W phi(h^{l-1}) + b, the pre-activation variance q^l follows the variance map
 *   q^l = sigma_w^2 E_z[phi(sqrt(q^{l-1}) z)^2] + sigma_b^2,   z ~ N(0, 1),
 * with a fixed point q*, and a small perturbation grows by the factor
 *   chi_1 = sigma_w^2 E_z[phi'(sqrt(q*) z)^2]
 * per layer. chi_1 = 1 is the critical line (the edge of chaos); on it the mean squared singular
 * value of the input-output Jacobian stays 1 at any depth, and with orthogonal weights and
 * small q* all singular values stay near 1 (Pennington, Schoenholz & Ganguli 2017).
 */
import { type Activation, TANH } from './activations.js';

/**
 * E_z[f(sqrt(q) z)], z ~ N(0, 1), by the trapezoid rule on z in [-10, 10] with step 0.01: for the
 * smooth, Gaussian-damped integrands here its error is far below 1e-12.
 *
 * @example
 * gaussianExpectation((x) => x * x, 2); // 2
 */
export function gaussianExpectation(f: (x: number) => number, q: number): number {
  const h = 0.01;
  const n = 1000; // z = -n h ... n h
  const s = Math.sqrt(q);
  let sum = 0;
  for (let i = -n; i <= n; i++) {
    const z = i * h;
    const w = i === -n || i === n ? 0.5 : 1;
    sum += w * Math.exp(-0.5 * z * z) * f(s * z);
  }
  return (sum * h) / Math.sqrt(2 * Math.PI);
}

/** sigma_w^2 and sigma_b^2 of a layer: W ~ N(0, sigma_w^2 / fan_in), b ~ N(0, sigma_b^2). */
export interface MeanFieldParams {
  sigmaW2: number;
  sigmaB2: number;
  /** Default tanh. */
  activation?: Activation;
}

/**
 * The variance map q -> sigma_w^2 E_z[phi(sqrt(q) z)^2] + sigma_b^2.
 *
 * @example
 * varianceMap(1, { sigmaW2: 1, sigmaB2: 0 }); // E[tanh(z)^2] = 0.394294...
 */
export function varianceMap(q: number, p: MeanFieldParams): number {
  const { phi } = p.activation ?? TANH;
  return p.sigmaW2 * gaussianExpectation((x) => phi(x) * phi(x), q) + p.sigmaB2;
}

/**
 * chi_1 = sigma_w^2 E_z[phi'(sqrt(q) z)^2]: the per-layer growth of a perturbation (and of the
 * mean squared singular value of the Jacobian) at variance q.
 */
export function chi1(q: number, p: MeanFieldParams): number {
  const { dphi } = p.activation ?? TANH;
  return p.sigmaW2 * gaussianExpectation((x) => dphi(x) * dphi(x), q);
}

/**
 * The fixed point q* of the variance map, by iterating it from q0 (converges for tanh).
 *
 * @example
 * fixedPoint({ sigmaW2: 1.5, sigmaB2: 0.05 });
 */
export function fixedPoint(p: MeanFieldParams, q0 = 1, maxIter = 10_000): number {
  let q = q0;
  for (let i = 0; i < maxIter; i++) {
    const next = varianceMap(q, p);
    if (Math.abs(next - q) <= 1e-14 * Math.max(1, q)) return next;
    q = next;
  }
  return q;
}

/** A point on the critical line chi_1 = 1. */
export interface CriticalPoint {
  sigmaW2: number;
  sigmaB2: number;
  qStar: number;
  /** chi_1 at the point, 1 up to rounding. */
  chi1: number;
}

function criticalAt(qStar: number, act: Activation): CriticalPoint {
  // chi_1 = 1  =>  sigma_w^2 = 1 / E[phi'(sqrt(q*) z)^2];
  // q* = sigma_w^2 E[phi(sqrt(q*) z)^2] + sigma_b^2  =>  sigma_b^2 = q* - sigma_w^2 E[phi^2].
  const sigmaW2 = 1 / gaussianExpectation((x) => act.dphi(x) ** 2, qStar);
  const sigmaB2 = qStar - sigmaW2 * gaussianExpectation((x) => act.phi(x) ** 2, qStar);
  return { sigmaW2, sigmaB2, qStar, chi1: chi1(qStar, { sigmaW2, sigmaB2, activation: act }) };
}

/**
 * The critical (sigma_w^2, sigma_b^2) of a tanh network (Xiao et al. 2018, Pennington et al.
 * 2017), solved numerically from chi_1 = 1 and the fixed point q* of the variance map:
 * - given q*: sigma_w^2 = 1 / E[phi'(sqrt(q*) z)^2], sigma_b^2 = q* - sigma_w^2 E[phi(sqrt(q*) z)^2];
 * - given sigma_b^2: the q* whose critical sigma_b^2 is that value, by bisection (sigma_b^2
 *   grows with q* along the critical line).
 * Small q* (small sigma_b^2) keeps tanh near its linear regime: the best-conditioned Jacobian.
 *
 * @example
 * criticalTanhPoint({ qStar: 1 / 64 }); // sigmaW2 = 1.03056, sigmaB2 = 4.65e-6
 * criticalTanhPoint({ sigmaB2: 0.05 });
 */
export function criticalTanhPoint(
  given: { qStar: number } | { sigmaB2: number },
  activation: Activation = TANH,
): CriticalPoint {
  if ('qStar' in given) {
    if (!(given.qStar >= 0))
      throw new RangeError(`criticalTanhPoint: qStar expected >= 0, got ${given.qStar}`);
    return criticalAt(given.qStar, activation);
  }
  const target = given.sigmaB2;
  if (!(target >= 0))
    throw new RangeError(`criticalTanhPoint: sigmaB2 expected >= 0, got ${target}`);
  if (target === 0) return criticalAt(0, activation);
  let lo = 0;
  let hi = 1;
  while (criticalAt(hi, activation).sigmaB2 < target) {
    hi *= 2;
    if (hi > 1e6)
      throw new RangeError(`criticalTanhPoint: no critical point with sigma_b^2 = ${target}`);
  }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (criticalAt(mid, activation).sigmaB2 < target) lo = mid;
    else hi = mid;
  }
  return criticalAt(0.5 * (lo + hi), activation);
}
