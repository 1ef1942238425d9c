/**
 * The fused LSTM sequence kernels (cpu and wasm): the whole forward pass over T steps in one
 * kernel, and its hand-written backpropagation through time in another. PyTorch's LSTM (gates
 * i, f, g, o in blocks of H), with an optional 0/1 mask `m` per step and sequence:
 *
 *   [a_i, a_f, a_g, a_o] = x_t W_ih^T + b_ih + h W_hh^T + b_hh
 *   i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
 *   c' = f c + i g,  h' = o tanh(c')
 *   h_t = m h' + (1 - m) h_{t-1},  c_t = m c' + (1 - m) c_{t-1},  y_t = m h'
 *
 * Forward: each step is ONE product [h | x_t | 1] · [W_hh^T; W_ih^T; b_ih + b_hh] `[B, 4H]` (input
 * projection and biases ride in it, the g columns pre-doubled: tanh(a) = 2σ(2a) - 1, and scaling by
 * 2 is exact), σ of the four gates at once on the product's output, and one pass of the state
 * update. Backward: per step one pass for the gate gradients (written both row-major for the
 * product and transposed for the weight gradients) and one product dA_t W_hh; the weight and bias
 * gradients of all steps in one product at the end (weight_grads.ts).
 */
import type { ValuesBackend } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { addInto, denseMath, transposeBlock } from './dense_math.js';
import {
  f32,
  f32Copy,
  f32View,
  type KernelArgs,
  output,
  outputArray,
  releaseArrays,
  savedArray,
  savedBox,
  takeSaved,
} from './kernel_args.js';
import { weightGrads } from './weight_grads.js';

export const LSTM_SEQUENCE = 'ArchzooLstmSequence';
export const LSTM_SEQUENCE_GRAD = 'ArchzooLstmSequenceGrad';

/** The activations the LSTM forward kernel saves for the backward kernel. */
const LSTM_SAVED = ['gates', 'tanhC', 'hPrev', 'cPrev'] as const;

/**
 * Inputs of `ArchzooLstmSequence`: x `[T, B, I]`, h0 and c0 `[B, H]`, wIh `[4H, I]`, wHh `[4H, H]`,
 * bIh and bHh `[4H]`, mask `[T, B]` (all present: zeros and ones stand in for absent ones).
 * Outputs: y `[T, B, H]`, h_T and c_T `[B, H]`. What the backward pass reads (the gate activations
 * `[T, B, 4H]`, tanh(c') `[T, B, H]`, h_{t-1} and c_{t-1} of every step `[T, B, H]`) goes into the
 * attrs' box (`savedAttrs`), when there is one.
 */
export function lstmSequenceKernel({ inputs, backend: be, attrs }: KernelArgs): tf.TensorInfo[] {
  const backend = be as unknown as ValuesBackend;
  const math = denseMath(backend);
  const [T, B, I] = inputs.x!.shape as [number, number, number];
  const H = inputs.h0!.shape[1]!;
  const G = 4 * H;
  const K = H + I + 1; // the product's inner size: h, x_t, 1
  const x = f32(backend, inputs.x!);
  const mask = f32(backend, inputs.mask!);
  // [T, B, 4H]: the gate activations (each array is overwritten whole, step by step)
  const gates = savedArray(T * B * G);
  const tanhC = savedArray(T * B * H);
  const hPrev = savedArray(T * B * H);
  const cPrev = savedArray(T * B * H);
  const y = outputArray(backend, 'lstm.y', T * B * H);
  const h = f32Copy(backend, inputs.h0!);
  const c = f32Copy(backend, inputs.c0!);
  const cNew = new Float32Array(B * H);
  const operand = new Float32Array(B * K); // [B, K]: [h | x_t | 1]
  for (let b = 0; b < B; b++) operand[b * K + K - 1] = 1;
  const w = math.hold(
    stackedWeights(
      f32(backend, inputs.wHh!),
      f32(backend, inputs.wIh!),
      f32(backend, inputs.bIh!),
      f32(backend, inputs.bHh!),
      H,
      I,
    ),
    K,
    G,
  );
  try {
    for (let t = 0; t < T; t++) {
      const s = t * B * G;
      const sh = t * B * H;
      hPrev.set(h, sh);
      cPrev.set(c, sh);
      stepOperand(operand, h, x, t * B * I, B, H, I);
      math.matmulSigmoid(operand, B, w, gates, s); // σ([h | x_t | 1] W): [B, 4H]
      const a = gates.subarray(s, s + B * G);
      const tc = tanhC.subarray(sh, sh + B * H);
      cellUpdate(a, c, cNew, tc, B, H);
      math.sigmoid(tc);
      hiddenUpdate(a, tc, cNew, mask, t * B, h, c, y, sh, B, H);
    }
  } finally {
    math.release(w);
  }
  const box = savedBox(attrs);
  if (box) box.arrays = { gates, tanhC, hPrev, cPrev };
  else releaseArrays([gates, tanhC, hPrev, cPrev]);
  return [output(backend, y, [T, B, H]), output(backend, h, [B, H]), output(backend, c, [B, H])];
}

/**
 * Inputs of `ArchzooLstmSequenceGrad`: the gradients dy `[T, B, H]`, dh `[B, H]`, dc `[B, H]` of
 * the outputs (each optional: absent means zero), and x, wHh, mask; attrs: the forward kernel's
 * (its box holds the saved gates, tanhC, hPrev, cPrev, given back to the pool here). Outputs:
 * dh0, dc0 `[B, H]`, dW_ih `[4H, I]`, dW_hh `[4H, H]`, db `[4H]` (the gradient of b_ih and of b_hh
 * alike); the pre-activation gradients of all steps, transposed, dA^T `[4H, T * B]`, go into the
 * box (an array valid until the next call: the gradient function takes dx from it at once).
 */
export function lstmSequenceGradKernel({
  inputs,
  backend: be,
  attrs,
}: KernelArgs): tf.TensorInfo[] {
  const backend = be as unknown as ValuesBackend;
  const math = denseMath(backend);
  const [T, B, I] = inputs.x!.shape as [number, number, number];
  const H = inputs.wHh!.shape[1]!;
  const G = 4 * H;
  const saved = takeSaved(LSTM_SEQUENCE_GRAD, attrs, LSTM_SAVED);
  const [gates, tanhC, hPrev, cPrev] = saved as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const dH = inputs.dh ? f32Copy(backend, inputs.dh) : new Float32Array(B * H);
  const dC = inputs.dc ? f32Copy(backend, inputs.dc) : new Float32Array(B * H);
  const view = (name: string) => f32View(backend, inputs[name]!); // taken again after each product
  const dAT = outputArray(backend, 'lstm.dAT', G * T * B); // [4H, T * B]: every step's dA, transposed
  const dA = new Float32Array(B * G); // this step's [B, 4H]
  const rec = new Float32Array(B * H); // dA_{t+1} W_hh, added to dH by the next stepGrad
  const wHh = math.hold(f32(backend, inputs.wHh!), G, H); // [4H, H]
  try {
    for (let t = T - 1; t >= 0; t--) {
      const dy = inputs.dy ? view('dy') : null;
      stepGrad(dA, gates, tanhC, cPrev, view('mask'), dy, dH, rec, dC, t, B, H);
      transposeBlock(dA, B, G, dAT, T * B, t * B);
      math.matmul(dA, B, wHh, rec); // dA_t W_hh: [B, H]
    }
    addInto(dH, rec);
  } finally {
    math.release(wHh);
  }
  const box = savedBox(attrs);
  if (box) box.arrays = { dAT }; // for dx, read by the gradient function right after this kernel
  const grads = weightGrads(math, dAT, G, T * B, [
    { values: hPrev, cols: H },
    { values: view('x'), cols: I },
  ]); // (reads the view before its product allocates)
  releaseArrays(saved);
  return [
    output(backend, dH, [B, H]),
    output(backend, dC, [B, H]),
    output(backend, grads.weights[1]!, [G, I]),
    output(backend, grads.weights[0]!, [G, H]),
    output(backend, grads.bias, [G]),
  ];
}

// The per-step passes, as small functions: V8 optimizes a function called for every step much
// sooner than the long loops of a kernel body it enters once per call (about 10x faster here).

/**
 * The right operand of every step's product, `[H + I + 1, 4H]`: W_hh^T, then W_ih^T, then
 * b_ih + b_hh, with the g columns doubled (tanh(a) = 2σ(2a) - 1; doubling is exact).
 */
function stackedWeights(
  wHh: Float32Array,
  wIh: Float32Array,
  bIh: Float32Array,
  bHh: Float32Array,
  H: number,
  I: number,
): Float32Array {
  const G = 4 * H;
  const w = new Float32Array((H + I + 1) * G);
  for (let p = 0; p < G; p++) {
    const scale = p >= 2 * H && p < 3 * H ? 2 : 1;
    for (let q = 0; q < H; q++) w[q * G + p] = scale * wHh[p * H + q]!;
    for (let q = 0; q < I; q++) w[(H + q) * G + p] = scale * wIh[p * I + q]!;
    w[(H + I) * G + p] = scale * (bIh[p]! + bHh[p]!);
  }
  return w;
}

/** The rows [h | x_t] of this step's operand `[B, H + I + 1]` (the ones column stays). */
function stepOperand(
  operand: Float32Array,
  h: Float32Array,
  x: Float32Array,
  xo: number,
  B: number,
  H: number,
  I: number,
): void {
  const K = H + I + 1;
  for (let b = 0; b < B; b++) {
    operand.set(h.subarray(b * H, (b + 1) * H), b * K);
    operand.set(x.subarray(xo + b * I, xo + (b + 1) * I), b * K + H);
  }
}

/** a holds σ of the gates: g = 2σ - 1 in place, c' = f c + i g into cNew, tc = 2 c'. */
function cellUpdate(
  a: Float32Array,
  c: Float32Array,
  cNew: Float32Array,
  tc: Float32Array,
  B: number,
  H: number,
): void {
  for (let b = 0; b < B; b++) {
    const r = b * 4 * H;
    for (let j = 0; j < H; j++) {
      const g = 2 * a[r + 2 * H + j]! - 1;
      a[r + 2 * H + j] = g;
      const cn = a[r + H + j]! * c[b * H + j]! + a[r + j]! * g; // f c + i g
      cNew[b * H + j] = cn;
      tc[b * H + j] = 2 * cn; // tanh(c') = 2σ(2c') - 1
    }
  }
}

/**
 * tc holds σ(2c'): tanh(c') in place, h' = o tanh(c'), then the masked update of h and c and the
 * step's output y (from offset yo).
 */
function hiddenUpdate(
  a: Float32Array,
  tc: Float32Array,
  cNew: Float32Array,
  mask: Float32Array,
  mo: number,
  h: Float32Array,
  c: Float32Array,
  y: Float32Array,
  yo: number,
  B: number,
  H: number,
): void {
  for (let b = 0; b < B; b++) {
    const m = mask[mo + b]!;
    const r = b * 4 * H + 3 * H;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const tcn = 2 * tc[k]! - 1;
      tc[k] = tcn;
      const hn = a[r + j]! * tcn; // o tanh(c')
      if (m === 1) {
        h[k] = hn;
        c[k] = cNew[k]!;
        y[yo + k] = hn;
      } else {
        h[k] = m * hn + (1 - m) * h[k]!;
        c[k] = m * cNew[k]! + (1 - m) * c[k]!;
        y[yo + k] = m * hn;
      }
    }
  }
}

/**
 * Step t of the backward pass: the gate pre-activation gradients into dA `[B, 4H]`, and dH, dC carried to step t - 1. dH + rec (rec: the
 * previous step's product dA_{t+1} W_hh, zeros at the last step) is the gradient of h_t; what
 * stays in dH is the part carried past the product (the caller adds the last rec at the end).
 */
function stepGrad(
  dA: Float32Array,
  gates: Float32Array,
  tanhC: Float32Array,
  cPrev: Float32Array,
  mask: Float32Array,
  dy: Float32Array | null,
  dH: Float32Array,
  rec: Float32Array,
  dC: Float32Array,
  t: number,
  B: number,
  H: number,
): void {
  const G = 4 * H;
  const s = t * B * G;
  const sh = t * B * H;
  for (let b = 0; b < B; b++) {
    const m = mask[t * B + b]!;
    const r = s + b * G;
    const d = b * G;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const q = sh + k;
      const dh = dH[k]! + rec[k]!;
      const dhn = m * (dh + (dy ? dy[q]! : 0)); // dL/dh'
      const i = gates[r + j]!;
      const f = gates[r + H + j]!;
      const g = gates[r + 2 * H + j]!;
      const o = gates[r + 3 * H + j]!;
      const tc = tanhC[q]!;
      const dcn = m * dC[k]! + dhn * o * (1 - tc * tc); // dL/dc'
      const di = dcn * g * i * (1 - i);
      const df = dcn * cPrev[q]! * f * (1 - f);
      const dg = dcn * i * (1 - g * g);
      const d_o = dhn * tc * o * (1 - o);
      dA[d + j] = di;
      dA[d + H + j] = df;
      dA[d + 2 * H + j] = dg;
      dA[d + 3 * H + j] = d_o;
      dC[k] = (1 - m) * dC[k]! + dcn * f;
      dH[k] = (1 - m) * dh;
    }
  }
}
