/**
 * Singular values of the input-output Jacobian at initialization: dynamical isometry
 * (Saxe et al. 2014; Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in deep
 * learning through dynamical isometry"; Xiao et al. 2018 for CNNs).
 *
 * On the critical line chi_1 = 1 the mean squared singular value of J stays 1 at any depth, but
 * its spread does not: with Gaussian weights it grows with depth (a few directions explode,
 * most vanish), with orthogonal weights (dense) or delta-orthogonal kernels (convolutional) and
 * tanh near its linear regime (small q*) the singular values stay concentrated near 1.
 */
import { type ActivationName, activation } from '../activations.js';
import { criticalTanhPoint } from '../mean_field.js';
import type { RandomOptions } from '../options.js';
import { defaultGenerator } from '../random.js';
import { singularValues } from '../svd.js';
import { type Matrix, networkJacobian } from './jacobian.js';
import { inputSize, type Network } from './network.js';
import { sampleConvNetwork, sampleDenseNetwork } from './random_networks.js';

/** Summary of one singular-value spectrum, for plotting. */
export interface Spectrum {
  /** In decreasing order. */
  singularValues: number[];
  /** (1/n) sum s_i^2 = tr(J J^T) / n: chi_1^depth in mean-field theory. */
  meanSquared: number;
  /** (1/n) sum s_i^4 - meanSquared^2: the spread of the squared singular values. */
  varianceSquared: number;
  max: number;
  min: number;
  median: number;
}

/**
 * Singular values of a matrix (one-sided Jacobi) and their summary statistics.
 *
 * @example
 * spectrumOf(networkJacobian(net, x));
 */
export function spectrumOf(j: Matrix): Spectrum {
  const sv = Array.from(singularValues(j.data, j.rows, j.cols));
  const n = sv.length;
  let m2 = 0;
  let m4 = 0;
  for (const s of sv) {
    m2 += s * s;
    m4 += s ** 4;
  }
  m2 /= n;
  m4 /= n;
  const median = n % 2 === 1 ? sv[(n - 1) / 2]! : 0.5 * (sv[n / 2 - 1]! + sv[n / 2]!);
  return {
    singularValues: sv,
    meanSquared: m2,
    varianceSquared: m4 - m2 * m2,
    max: sv[0]!,
    min: sv[n - 1]!,
    median,
  };
}

/** The spectrum of a network's Jacobian at x. */
export function jacobianSpectrum(net: Network, x: Float64Array): Spectrum {
  return spectrumOf(networkJacobian(net, x));
}

/** Options of the isometry experiments. */
export interface IsometryOptions extends RandomOptions {
  depth: number;
  /** Nonlinearity of the hidden layers. Default 'tanh'; the last layer is linear. */
  hidden?: ActivationName;
  /**
   * sigma_w^2, sigma_b^2. Default: the critical tanh point for `qStar` (for relu: He, 2 and 0;
   * for linear: 1 and 0).
   */
  sigmaW2?: number;
  sigmaB2?: number;
  /** q* of the critical point used by default for tanh. Default 1/64 (Pennington et al.'s small-q* regime). */
  qStar?: number;
}

function resolveParams(o: IsometryOptions): { sigmaW2: number; sigmaB2: number; inputVar: number } {
  const hidden = o.hidden ?? 'tanh';
  if (o.sigmaW2 !== undefined)
    return { sigmaW2: o.sigmaW2, sigmaB2: o.sigmaB2 ?? 0, inputVar: o.qStar ?? 1 };
  if (hidden === 'relu') return { sigmaW2: 2, sigmaB2: o.sigmaB2 ?? 0, inputVar: 1 };
  if (hidden === 'linear') return { sigmaW2: 1, sigmaB2: o.sigmaB2 ?? 0, inputVar: 1 };
  const p = criticalTanhPoint({ qStar: o.qStar ?? 1 / 64 });
  return { sigmaW2: p.sigmaW2, sigmaB2: p.sigmaB2, inputVar: p.qStar };
}

function gaussianInput(n: number, variance: number, o: RandomOptions): Float64Array {
  const g = o.generator ?? defaultGenerator();
  const s = Math.sqrt(variance);
  return Float64Array.from({ length: n }, () => s * g.normal());
}

/**
 * Jacobian spectra of a depth x width fully connected network with Gaussian vs orthogonal
 * weights (same sigma_w^2, sigma_b^2; input x ~ N(0, q*) so that the signal starts at the fixed
 * point).
 *
 * @example
 * const { gaussian, orthogonal } = denseIsometry({ depth: 32, width: 128 });
 * gaussian.max / gaussian.median; // large;  orthogonal.max / orthogonal.median: close to 1
 */
export function denseIsometry(o: IsometryOptions & { width: number }): {
  gaussian: Spectrum;
  orthogonal: Spectrum;
} {
  const { sigmaW2, sigmaB2, inputVar } = resolveParams(o);
  const g = o.generator ?? defaultGenerator();
  const widths = Array.from({ length: o.depth + 1 }, () => o.width);
  const hidden = activation(o.hidden ?? 'tanh');
  const run = (init: 'gaussian' | 'orthogonal') => {
    const net = sampleDenseNetwork({
      widths,
      init,
      sigmaW2,
      sigmaB2,
      hidden,
      output: 'linear',
      generator: g,
    });
    return jacobianSpectrum(net, gaussianInput(o.width, inputVar, { generator: g }));
  };
  return { gaussian: run('gaussian'), orthogonal: run('orthogonal') };
}

/**
 * Jacobian spectra of a vanilla CNN (`depth` circular 3x3 convolutions, `channels` channels, on a
 * size x size grid) with Gaussian vs delta-orthogonal kernels (Xiao et al. 2018).
 *
 * @example
 * const { gaussian, deltaOrthogonal } = convIsometry({ depth: 32, channels: 16, size: 4 });
 */
export function convIsometry(
  o: IsometryOptions & { channels: number; size: number; kernelSize?: number },
): { gaussian: Spectrum; deltaOrthogonal: Spectrum } {
  const { sigmaW2, sigmaB2, inputVar } = resolveParams(o);
  const g = o.generator ?? defaultGenerator();
  const hidden = activation(o.hidden ?? 'tanh');
  const run = (init: 'gaussian' | 'delta_orthogonal') => {
    const net = sampleConvNetwork({
      depth: o.depth,
      channels: o.channels,
      height: o.size,
      width: o.size,
      kernelSize: o.kernelSize,
      init,
      sigmaW2,
      sigmaB2,
      hidden,
      output: 'linear',
      generator: g,
    });
    return jacobianSpectrum(
      net,
      gaussianInput(inputSize(net.layers[0]!), inputVar, { generator: g }),
    );
  };
  return { gaussian: run('gaussian'), deltaOrthogonal: run('delta_orthogonal') };
}
