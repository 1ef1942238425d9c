/**
 * Random typed-array networks for the diagnostics: Gaussian, orthogonal and delta-orthogonal
 * weights, in the mean-field parameterization W ~ N(0, sigma_w^2 / fan_in), b ~ N(0, sigma_b^2).
 */
import type { Activation, ActivationName } from '../activations.js';
import type { RandomOptions } from '../options.js';
import { randomOrthogonal } from '../orthogonal.js';
import { defaultGenerator, type Generator } from '../random.js';
import { activationsFor, type Conv2dLayer, type DenseLayer, type Network } from './network.js';

/** Options shared by the network samplers. */
export interface RandomNetworkOptions extends RandomOptions {
  /** sigma_w^2: weight variance times fan_in (orthogonal: the squared gain). Default 1. */
  sigmaW2?: number;
  /** sigma_b^2: bias variance; 0 (default) means no bias. */
  sigmaB2?: number;
  /** Activation after every layer but the last. Default 'tanh'. */
  hidden?: ActivationName | Activation;
  /** Activation after the last layer. Default 'linear'. */
  output?: ActivationName | Activation;
}

function biasValues(n: number, sigmaB2: number, g: Generator): Float64Array | null {
  if (sigmaB2 === 0) return null;
  const s = Math.sqrt(sigmaB2);
  return Float64Array.from({ length: n }, () => s * g.normal());
}

/**
 * A fully connected network with layer widths [n_0, ..., n_L]: W_l [n_l, n_{l-1}] is
 * N(0, sigma_w^2 / n_{l-1}) ('gaussian') or sigma_w times a Haar-orthogonal matrix ('orthogonal').
 *
 * @example
 * sampleDenseNetwork({ widths: [64, 64, 64, 64], init: 'orthogonal', sigmaW2: 1.02, hidden: 'tanh' });
 */
export function sampleDenseNetwork(
  o: RandomNetworkOptions & { widths: readonly number[]; init?: 'gaussian' | 'orthogonal' },
): Network {
  const g = o.generator ?? defaultGenerator();
  const sigmaW = Math.sqrt(o.sigmaW2 ?? 1);
  const layers: DenseLayer[] = [];
  for (let l = 1; l < o.widths.length; l++) {
    const inSize = o.widths[l - 1]!;
    const outSize = o.widths[l]!;
    let weight: Float64Array;
    if ((o.init ?? 'gaussian') === 'orthogonal') {
      weight = randomOrthogonal(outSize, inSize, { generator: g });
      for (let i = 0; i < weight.length; i++) weight[i] *= sigmaW;
    } else {
      const std = sigmaW / Math.sqrt(inSize);
      weight = Float64Array.from({ length: outSize * inSize }, () => std * g.normal());
    }
    layers.push({
      kind: 'dense',
      inSize,
      outSize,
      weight,
      bias: biasValues(outSize, o.sigmaB2 ?? 0, g),
    });
  }
  return {
    layers,
    activations: activationsFor(layers.length, o.hidden ?? 'tanh', o.output ?? 'linear'),
  };
}

/** Shape options of `sampleConvNetwork`. */
export interface ConvNetworkOptions extends RandomNetworkOptions {
  depth: number;
  channels: number;
  height: number;
  width: number;
  /** Odd. Default 3. */
  kernelSize?: number;
  /** 'gaussian': W ~ N(0, sigma_w^2 / (k^2 c)); 'delta_orthogonal': sigma_w H at the centre, 0 elsewhere. */
  init?: 'gaussian' | 'delta_orthogonal';
}

/**
 * A vanilla CNN of `depth` circular 'same' convolutions with `channels` channels on a
 * height x width grid (Xiao et al. 2018's setting), weights [k, k, c, c] (archzoo layout).
 *
 * @example
 * sampleConvNetwork({ depth: 32, channels: 16, height: 4, width: 4, init: 'delta_orthogonal' });
 */
export function sampleConvNetwork(o: ConvNetworkOptions): Network {
  const g = o.generator ?? defaultGenerator();
  const k = o.kernelSize ?? 3;
  if (k % 2 !== 1) throw new RangeError(`sampleConvNetwork: kernelSize expected odd, got ${k}`);
  const c = o.channels;
  const sigmaW = Math.sqrt(o.sigmaW2 ?? 1);
  const layers: Conv2dLayer[] = [];
  for (let l = 0; l < o.depth; l++) {
    const weight = new Float64Array(k * k * c * c);
    if ((o.init ?? 'gaussian') === 'delta_orthogonal') {
      const h = randomOrthogonal(c, c, { generator: g }); // [out, in]
      const centre = ((k - 1) / 2) * k + (k - 1) / 2;
      for (let i = 0; i < c; i++)
        for (let out = 0; out < c; out++)
          weight[(centre * c + i) * c + out] = sigmaW * h[out * c + i];
    } else {
      const std = sigmaW / Math.sqrt(k * k * c);
      for (let i = 0; i < weight.length; i++) weight[i] = std * g.normal();
    }
    layers.push({
      kind: 'conv2d',
      height: o.height,
      width: o.width,
      inChannels: c,
      outChannels: c,
      kernelSize: k,
      weight,
      bias: biasValues(c, o.sigmaB2 ?? 0, g),
    });
  }
  return {
    layers,
    activations: activationsFor(layers.length, o.hidden ?? 'tanh', o.output ?? 'linear'),
  };
}
