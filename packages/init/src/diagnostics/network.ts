/**
 * Small random networks on Float64Array, with their forward pass and vector-Jacobian products,
 * for the Monte Carlo diagnostics (thousands of random initializations in a second, no tfjs).
 *
 * A network is a list of layers, each followed by its activation (the last one is usually
 * linear): x_0 = input, h_l = layer_l(x_{l-1}) + b_l, x_l = phi_l(h_l).
 */
import { type Activation, type ActivationName, activation } from '../activations.js';

/** Fully connected: h = W x + b, W [out, in] row-major (PyTorch layout). */
export interface DenseLayer {
  readonly kind: 'dense';
  readonly inSize: number;
  readonly outSize: number;
  readonly weight: Float64Array;
  readonly bias: Float64Array | null;
}

/**
 * 2-D convolution, stride 1, circular padding (so every position sees a full kernel, as in the
 * mean-field analysis of Xiao et al. 2018), on [H, W, C] inputs (channels last), odd kernel.
 * weight [k, k, cIn, cOut] (archzoo layout):
 * h[y, x, o] = sum_{dy, dx, i} W[dy, dx, i, o] * in[(y + dy - k/2) mod H, (x + dx - k/2) mod W, i] + b[o].
 */
export interface Conv2dLayer {
  readonly kind: 'conv2d';
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly weight: Float64Array;
  readonly bias: Float64Array | null;
}

export type Layer = DenseLayer | Conv2dLayer;

/** A network: layers[l] then activations[l]. */
export interface Network {
  readonly layers: readonly Layer[];
  readonly activations: readonly Activation[];
}

export function inputSize(layer: Layer): number {
  return layer.kind === 'dense' ? layer.inSize : layer.height * layer.width * layer.inChannels;
}

export function outputSize(layer: Layer): number {
  return layer.kind === 'dense' ? layer.outSize : layer.height * layer.width * layer.outChannels;
}

/** h = layer(x) + b. */
export function layerForward(layer: Layer, x: Float64Array): Float64Array {
  const h = new Float64Array(outputSize(layer));
  if (layer.kind === 'dense') {
    const { inSize, outSize, weight, bias } = layer;
    for (let o = 0; o < outSize; o++) {
      let s = bias ? bias[o] : 0;
      const row = o * inSize;
      for (let i = 0; i < inSize; i++) s += weight[row + i] * x[i];
      h[o] = s;
    }
    return h;
  }
  const {
    height: H,
    width: W,
    inChannels: ci,
    outChannels: co,
    kernelSize: k,
    weight,
    bias,
  } = layer;
  const r = (k - 1) / 2;
  for (let y = 0; y < H; y++) {
    for (let xx = 0; xx < W; xx++) {
      const out = (y * W + xx) * co;
      if (bias) for (let o = 0; o < co; o++) h[out + o] = bias[o];
      for (let dy = 0; dy < k; dy++) {
        const sy = (((y + dy - r) % H) + H) % H;
        for (let dx = 0; dx < k; dx++) {
          const sx = (((xx + dx - r) % W) + W) % W;
          const src = (sy * W + sx) * ci;
          const wBase = (dy * k + dx) * ci * co;
          for (let i = 0; i < ci; i++) {
            const xi = x[src + i];
            if (xi === 0) continue;
            const wRow = wBase + i * co;
            for (let o = 0; o < co; o++) h[out + o] += weight[wRow + o] * xi;
          }
        }
      }
    }
  }
  return h;
}

/** v^T (d layer / d x): the cotangent on the layer's input from one on its output (bias aside). */
export function layerVjp(layer: Layer, g: Float64Array): Float64Array {
  const gx = new Float64Array(inputSize(layer));
  if (layer.kind === 'dense') {
    const { inSize, outSize, weight } = layer;
    for (let o = 0; o < outSize; o++) {
      const go = g[o];
      if (go === 0) continue;
      const row = o * inSize;
      for (let i = 0; i < inSize; i++) gx[i] += go * weight[row + i];
    }
    return gx;
  }
  const { height: H, width: W, inChannels: ci, outChannels: co, kernelSize: k, weight } = layer;
  const r = (k - 1) / 2;
  for (let y = 0; y < H; y++) {
    for (let xx = 0; xx < W; xx++) {
      const out = (y * W + xx) * co;
      for (let dy = 0; dy < k; dy++) {
        const sy = (((y + dy - r) % H) + H) % H;
        for (let dx = 0; dx < k; dx++) {
          const sx = (((xx + dx - r) % W) + W) % W;
          const src = (sy * W + sx) * ci;
          const wBase = (dy * k + dx) * ci * co;
          for (let i = 0; i < ci; i++) {
            const wRow = wBase + i * co;
            let s = 0;
            for (let o = 0; o < co; o++) s += weight[wRow + o] * g[out + o];
            gx[src + i] += s;
          }
        }
      }
    }
  }
  return gx;
}

/** Pre-activations h_l and outputs x_l = phi_l(h_l) of every layer. */
export interface ForwardTrace {
  pre: Float64Array[];
  post: Float64Array[];
}

export function networkForward(net: Network, x: Float64Array): ForwardTrace {
  const pre: Float64Array[] = [];
  const post: Float64Array[] = [];
  let cur = x;
  net.layers.forEach((layer, l) => {
    const h = layerForward(layer, cur);
    const { phi } = net.activations[l]!;
    const a = new Float64Array(h.length);
    for (let i = 0; i < h.length; i++) a[i] = phi(h[i]);
    pre.push(h);
    post.push(a);
    cur = a;
  });
  return { pre, post };
}

/**
 * The vector-Jacobian product v -> v^T J of the network at the traced input, by backpropagation:
 * g <- g * phi_l'(h_l), then g <- g^T d layer_l / d x, from the last layer to the first.
 */
export function networkVjp(net: Network, trace: ForwardTrace): (v: Float64Array) => Float64Array {
  return (v) => {
    let g = v;
    for (let l = net.layers.length - 1; l >= 0; l--) {
      const { dphi } = net.activations[l]!;
      const h = trace.pre[l]!;
      const gd = new Float64Array(g.length);
      for (let i = 0; i < g.length; i++) gd[i] = g[i] * dphi(h[i]);
      g = layerVjp(net.layers[l]!, gd);
    }
    return g;
  };
}

/** The activations of a network built from names: `hidden` after every layer but the last, `output` after it. */
export function activationsFor(
  depth: number,
  hidden: ActivationName | Activation,
  output: ActivationName | Activation = 'linear',
): Activation[] {
  return Array.from({ length: depth }, (_, l) => activation(l === depth - 1 ? output : hidden));
}
