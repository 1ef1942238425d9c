/**
 * PyTorch's module defaults (torch 1.13 `reset_parameters`), so that "initialize like torch" is
 * one call. Tensors come back under PyTorch's parameter names, in PyTorch's layout by default.
 *
 * | module | weight | bias |
 * |---|---|---|
 * | Linear, ConvNd, ConvTransposeNd | U(-1/sqrt(fan_in), 1/sqrt(fan_in)) | U(-1/sqrt(fan_in), 1/sqrt(fan_in)) |
 * | RNN, LSTM, GRU | U(-1/sqrt(hidden), 1/sqrt(hidden)) | U(-1/sqrt(hidden), 1/sqrt(hidden)) |
 * | MultiheadAttention | in_proj: xavier_uniform; out_proj: as Linear | in_proj, out_proj: 0; bias_k/v: xavier_normal |
 * | Embedding | N(0, 1), padding row 0 | |
 * | LayerNorm, BatchNorm, GroupNorm | 1 | 0 |
 *
 * fan_in is the weight's `calculateFanInAndFanOut` fan_in: in/groups * prod(k) for ConvNd and,
 * PyTorch's quirk, out/groups * prod(k) for ConvTransposeNd. PyTorch writes the Linear/Conv weight
 * bound as `kaiming_uniform_(w, a=sqrt(5))` = sqrt(3) * sqrt(2 / (1 + a^2)) / sqrt(fan_in)
 * = 1/sqrt(fan_in) (pytorch issues #57109, #129302); here it is written out, and equals torch's
 * float within 1 ulp (torch's sqrt(5)^2 rounds to 5.000000000000001).
 */
import * as tf from '@tensorflow/tfjs-core';
import { normalValues, ones, uniform, zeros } from './basic.js';
import {
  type ConvShape,
  calculateFanInAndFanOut,
  convWeightShape,
  type WeightLayout,
} from './fans.js';
import { type RandomOptions, sizeOf } from './options.js';
import { defaultGenerator } from './random.js';
import { xavierNormal, xavierUniform } from './xavier.js';

/**
 * bound = 1 / sqrt(fan_in) (0 when fan_in = 0): PyTorch's default bound for Linear and Conv
 * weights and biases, and (with fan_in = hidden_size) for every RNN parameter.
 *
 * @example
 * torchDefaultBound(64); // 0.125
 */
export function torchDefaultBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/**
 * PyTorch's default for Linear and ConvNd weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 * (In torch this is written `kaiming_uniform_(w, a=sqrt(5))`, which works out to the same bound:
 * gain = sqrt(2 / (1 + 5)) = sqrt(1/3), bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in).)
 *
 * @example
 * torchDefaultUniform([10, 784], 784); // nn.Linear(784, 10).weight
 */
export function torchDefaultUniform(
  shape: readonly number[],
  fanIn: number,
  opts: RandomOptions = {},
): tf.Tensor {
  const bound = torchDefaultBound(fanIn);
  return uniform(shape, { low: -bound, high: bound, generator: opts.generator });
}

/** Options every `torch*Init` takes. */
export interface TorchInitOptions extends RandomOptions {
  /** Layout of the returned weights. Default 'torch'; 'archzoo' transposes 2-D weights and puts conv channels last. */
  layout?: WeightLayout;
}

/** Named parameters, PyTorch names. */
export type NamedTensors = Record<string, tf.Tensor>;

function transpose2d(shape: readonly number[], layout: WeightLayout): number[] {
  return layout === 'torch' ? [...shape] : [shape[1]!, shape[0]!];
}

/**
 * nn.Linear(inFeatures, outFeatures): weight [out, in] (archzoo [in, out]) and bias [out], both
 * U(-1/sqrt(in), 1/sqrt(in)).
 *
 * @example
 * const { weight, bias } = torchLinearInit({ inFeatures: 784, outFeatures: 10 });
 */
export function torchLinearInit(
  o: TorchInitOptions & { inFeatures: number; outFeatures: number; bias?: boolean },
): NamedTensors {
  const g = o.generator ?? defaultGenerator();
  const layout = o.layout ?? 'torch';
  const fanIn = o.inFeatures;
  const out: NamedTensors = {
    weight: torchDefaultUniform(transpose2d([o.outFeatures, o.inFeatures], layout), fanIn, {
      generator: g,
    }),
  };
  if (o.bias ?? true) out.bias = torchDefaultUniform([o.outFeatures], fanIn, { generator: g });
  return out;
}

/**
 * nn.ConvNd / nn.ConvTransposeNd: weight (see `convWeightShape`) and bias [out], both
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in/groups * prod(k) (ConvNd) or
 * out/groups * prod(k) (ConvTransposeNd).
 *
 * @example
 * torchConvInit({ inChannels: 3, outChannels: 64, kernelSize: [7, 7], layout: 'archzoo' });
 */
export function torchConvInit(o: TorchInitOptions & ConvShape & { bias?: boolean }): NamedTensors {
  const g = o.generator ?? defaultGenerator();
  const torchShape = convWeightShape(o, 'torch');
  const { fanIn } = calculateFanInAndFanOut(torchShape);
  const out: NamedTensors = {
    weight: torchDefaultUniform(convWeightShape(o, o.layout ?? 'torch'), fanIn, { generator: g }),
  };
  if (o.bias ?? true) out.bias = torchDefaultUniform([o.outChannels], fanIn, { generator: g });
  return out;
}

/** Options of `torchRnnInit`, named as in PyTorch. */
export interface TorchRnnOptions extends TorchInitOptions {
  mode: 'RNN' | 'LSTM' | 'GRU';
  inputSize: number;
  hiddenSize: number;
  /** Default 1. */
  numLayers?: number;
  /** Default true. */
  bias?: boolean;
  /** Default false. */
  bidirectional?: boolean;
  /** LSTM only: projection size (weight_hr). Default 0 (none). */
  projSize?: number;
}

/**
 * nn.RNN / nn.LSTM / nn.GRU: every parameter U(-1/sqrt(hidden), 1/sqrt(hidden)). Names and
 * torch shapes, G = 1 | 4 | 3 gates, suffix '_reverse' for the backward direction:
 * weight_ih_l{k} [G H, in_k], weight_hh_l{k} [G H, H or proj], bias_ih_l{k}, bias_hh_l{k} [G H],
 * weight_hr_l{k} [proj, H]; in_0 = inputSize, in_k = (proj or H) * directions.
 *
 * @example
 * const params = torchRnnInit({ mode: 'LSTM', inputSize: 32, hiddenSize: 128 });
 * params.weight_ih_l0.shape; // [512, 32]
 */
export function torchRnnInit(o: TorchRnnOptions): NamedTensors {
  const g = o.generator ?? defaultGenerator();
  const layout = o.layout ?? 'torch';
  const h = o.hiddenSize;
  const proj = o.projSize ?? 0;
  if (proj > 0 && o.mode !== 'LSTM')
    throw new RangeError('torchRnnInit: projSize is only supported by LSTM');
  const gates = o.mode === 'LSTM' ? 4 : o.mode === 'GRU' ? 3 : 1;
  const dirs = o.bidirectional ? 2 : 1;
  const realH = proj > 0 ? proj : h;
  // stdv = 1 / sqrt(hidden_size): the same bound as a Linear with fan_in = hidden_size.
  const draw = (shape: number[]) => torchDefaultUniform(shape, h, { generator: g });
  const out: NamedTensors = {};
  for (let layer = 0; layer < (o.numLayers ?? 1); layer++) {
    const inSize = layer === 0 ? o.inputSize : realH * dirs;
    for (let d = 0; d < dirs; d++) {
      const sfx = `l${layer}${d === 1 ? '_reverse' : ''}`;
      out[`weight_ih_${sfx}`] = draw(transpose2d([gates * h, inSize], layout));
      out[`weight_hh_${sfx}`] = draw(transpose2d([gates * h, realH], layout));
      if (o.bias ?? true) {
        out[`bias_ih_${sfx}`] = draw([gates * h]);
        out[`bias_hh_${sfx}`] = draw([gates * h]);
      }
      if (proj > 0) out[`weight_hr_${sfx}`] = draw(transpose2d([proj, h], layout));
    }
  }
  return out;
}

/** Options of `torchMultiheadAttentionInit`, named as in PyTorch. */
export interface TorchMhaOptions extends TorchInitOptions {
  embedDim: number;
  numHeads: number;
  /** Default true. */
  bias?: boolean;
  /** Default false. */
  addBiasKv?: boolean;
  /** Default embedDim. */
  kdim?: number;
  /** Default embedDim. */
  vdim?: number;
}

/**
 * nn.MultiheadAttention: in_proj_weight [3E, E] ~ xavier_uniform, i.e. U(-a, a) with
 * a = sqrt(6 / (E + 3E)) (separate q/k/v_proj_weight [E, E | kdim | vdim], each xavier_uniform,
 * when kdim or vdim differ from E); in_proj_bias = 0; out_proj.weight [E, E] as Linear;
 * out_proj.bias = 0; bias_k, bias_v [1, 1, E] ~ xavier_normal = N(0, 1/E).
 *
 * @example
 * const p = torchMultiheadAttentionInit({ embedDim: 128, numHeads: 4 });
 * Object.keys(p); // ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']
 */
export function torchMultiheadAttentionInit(o: TorchMhaOptions): NamedTensors {
  const g = o.generator ?? defaultGenerator();
  const layout = o.layout ?? 'torch';
  const e = o.embedDim;
  if (e % o.numHeads !== 0)
    throw new RangeError(
      `torchMultiheadAttentionInit: embedDim ${e} not divisible by numHeads ${o.numHeads}`,
    );
  const kdim = o.kdim ?? e;
  const vdim = o.vdim ?? e;
  const out: NamedTensors = {};
  // Fans are those of the torch-layout weight, whatever layout is returned.
  const xavier = (torchShape: number[]) => {
    const { fanIn, fanOut } = calculateFanInAndFanOut(torchShape);
    return xavierUniform(transpose2d(torchShape, layout), { fanIn, fanOut, generator: g });
  };
  if (kdim === e && vdim === e) {
    out.in_proj_weight = xavier([3 * e, e]);
  } else {
    out.q_proj_weight = xavier([e, e]);
    out.k_proj_weight = xavier([e, kdim]);
    out.v_proj_weight = xavier([e, vdim]);
  }
  if (o.bias ?? true) out.in_proj_bias = zeros([3 * e]);
  out['out_proj.weight'] = torchLinearInit({
    inFeatures: e,
    outFeatures: e,
    bias: false,
    layout,
    generator: g,
  }).weight!;
  if (o.bias ?? true) out['out_proj.bias'] = zeros([e]);
  if (o.addBiasKv) {
    out.bias_k = xavierNormal([1, 1, e], { generator: g });
    out.bias_v = xavierNormal([1, 1, e], { generator: g });
  }
  return out;
}

/**
 * nn.Embedding: weight [num, dim] ~ N(0, 1), with the row `paddingIdx` zeroed.
 *
 * @example
 * torchEmbeddingInit({ numEmbeddings: 1000, embeddingDim: 64, paddingIdx: 0 });
 */
export function torchEmbeddingInit(
  o: RandomOptions & { numEmbeddings: number; embeddingDim: number; paddingIdx?: number },
): NamedTensors {
  const shape = [o.numEmbeddings, o.embeddingDim];
  const values = normalValues(sizeOf(shape), 0, 1, o.generator ?? defaultGenerator());
  if (o.paddingIdx !== undefined) {
    const p = o.paddingIdx < 0 ? o.paddingIdx + o.numEmbeddings : o.paddingIdx;
    values.fill(0, p * o.embeddingDim, (p + 1) * o.embeddingDim);
  }
  return { weight: tf.tensor(values, shape, 'float32') };
}

/**
 * nn.LayerNorm / BatchNormNd / GroupNorm affine parameters: weight [n] = 1, bias [n] = 0; with
 * `runningStats`, BatchNorm's buffers running_mean = 0, running_var = 1.
 *
 * @example
 * torchNormInit({ numFeatures: 64, runningStats: true });
 */
export function torchNormInit(o: { numFeatures: number; runningStats?: boolean }): NamedTensors {
  const n = o.numFeatures;
  const out: NamedTensors = { weight: ones([n]), bias: zeros([n]) };
  if (o.runningStats) {
    out.running_mean = zeros([n]);
    out.running_var = ones([n]);
  }
  return out;
}

/** One module to initialize like PyTorch, as data. */
export type TorchModuleSpec =
  | ({ module: 'Linear' } & Parameters<typeof torchLinearInit>[0])
  | ({ module: 'Conv' } & Parameters<typeof torchConvInit>[0])
  | ({ module: 'RNN' } & Omit<TorchRnnOptions, 'mode'> & { mode?: 'RNN' | 'LSTM' | 'GRU' })
  | ({ module: 'MultiheadAttention' } & TorchMhaOptions)
  | ({ module: 'Embedding' } & Parameters<typeof torchEmbeddingInit>[0])
  | ({ module: 'Norm' } & Parameters<typeof torchNormInit>[0]);

/**
 * "Initialize like torch" in one call: the parameters PyTorch's constructor would create for the
 * described module, under PyTorch's names.
 *
 * @example
 * initLikeTorch({ module: 'Linear', inFeatures: 128, outFeatures: 64, layout: 'archzoo' });
 * initLikeTorch({ module: 'RNN', mode: 'GRU', inputSize: 16, hiddenSize: 32, numLayers: 2 });
 */
export function initLikeTorch(spec: TorchModuleSpec): NamedTensors {
  switch (spec.module) {
    case 'Linear':
      return torchLinearInit(spec);
    case 'Conv':
      return torchConvInit(spec);
    case 'RNN':
      return torchRnnInit({ ...spec, mode: spec.mode ?? 'RNN' });
    case 'MultiheadAttention':
      return torchMultiheadAttentionInit(spec);
    case 'Embedding':
      return torchEmbeddingInit(spec);
    case 'Norm':
      return torchNormInit(spec);
  }
}
