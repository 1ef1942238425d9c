/**
 * The fused GRU sequence kernels (cpu and wasm): the whole forward pass over T steps in one
 * kernel, and its hand-written backpropagation through time in another. PyTorch's GRU (gates r,
 * z, n in blocks of H), with an optional 0/1 mask `m` per step and sequence:
 *
 *   r = σ(x W_ir^T + b_ir + h W_hr^T + b_hr),  z = σ(x W_iz^T + b_iz + h W_hz^T + b_hz)
 *   n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),  h' = (1 - z) n + z h
 *   h_t = m h' + (1 - m) h_{t-1},  y_t = m h'
 *
 * Forward: the n block's input projection of all steps is one product (b_in folded in); each step
 * is two products: σ([h | x_t | 1] · [W_hrz^T; W_irz^T; b_irz + b_hrz]) `[B, 2H]` straight into the
 * saved σ(r), σ(z) (their input projection and biases ride in it, as in the LSTM: no separate add
 * pass and sigmoid call), and h W_hn^T `[B, H]`; then one pass for n's input, σ, and one pass of
 * the state update. Backward: per step one pass for the gate gradients and one product
 * dA_t W_hh; the weight and bias gradients of all steps in one product per weight at the end
 * (weight_grads.ts).
 */
import type { ValuesBackend } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { addInto, denseMath, transpose, transposeBlock } from './dense_math.js';
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
  scratch,
  takeSaved,
} from './kernel_args.js';
import { projectInputs } from './projection.js';
import { weightGrads } from './weight_grads.js';

export const GRU_SEQUENCE = 'ArchzooGruSequence';
export const GRU_SEQUENCE_GRAD = 'ArchzooGruSequenceGrad';

/** The activations the GRU forward kernel saves for the backward kernel. */
const GRU_SAVED = ['rz', 'n', 'hpn', 'hPrev'] as const;

/**
 * Inputs of `ArchzooGruSequence`: x `[T, B, I]`, h0 `[B, H]`, wIh `[3H, I]`, wHh `[3H, H]`, bIh and
 * bHh `[3H]`, mask `[T, B]` (all present: zeros and ones stand in for absent ones). Outputs:
 * y `[T, B, H]`, h_T `[B, H]`. What the backward pass reads (the gate activations σ(r), σ(z)
 * `[T, B, 2H]` and n `[T, B, H]`, h W_hn^T + b_hn `[T, B, H]` and h_{t-1} of every step
 * `[T, B, H]`) goes into the attrs' box (`savedAttrs`), when there is one.
 */
export function gruSequenceKernel({ inputs, backend: be, attrs }: KernelArgs): tf.TensorInfo[] {
  const backend = be as unknown as ValuesBackend;
  const math = denseMath(backend);
  const [T, B, I] = inputs.x!.shape as [number, number, number];
  const H = inputs.h0!.shape[1]!;
  const K = H + I + 1; // the r, z product's inner size: h, x_t, 1
  const x = f32(backend, inputs.x!);
  const mask = f32(backend, inputs.mask!);
  const wIh = f32(backend, inputs.wIh!);
  const wHh = f32(backend, inputs.wHh!);
  const bIh = f32(backend, inputs.bIh!);
  const bHh = f32(backend, inputs.bHh!);
  // the n block's input projection of all steps, x W_in^T + b_in: [T * B, H]
  const xpn = projectInputs(math, x, T * B, wIh.subarray(2 * H * I), bIh.subarray(2 * H), 'gru.xp');
  // each array is overwritten whole, step by step
  const rzAll = savedArray(T * B * 2 * H); // [T, B, 2H]: σ(r), σ(z)
  const nAll = savedArray(T * B * H); // [T, B, H]: n
  const hpn = savedArray(T * B * H);
  const hPrev = savedArray(T * B * H);
  const y = outputArray(backend, 'gru.y', T * B * H);
  const h = f32Copy(backend, inputs.h0!);
  const hn = new Float32Array(B * H); // h W_hn^T
  const n = new Float32Array(B * H);
  const operand = new Float32Array(B * K); // [B, K]: [h | x_t | 1]
  for (let b = 0; b < B; b++) operand[b * K + K - 1] = 1;
  const wRz = math.hold(resetUpdateWeights(wHh, wIh, bIh, bHh, H, I), K, 2 * H); // [K, 2H]
  const wHn = math.hold(transpose(wHh.subarray(2 * H * H), H, H), H, H); // [H, H]
  try {
    for (let t = 0; t < T; t++) {
      const sh = t * B * H;
      hPrev.set(h, sh);
      stepOperand(operand, h, x, t * B * I, B, H, I);
      math.matmulSigmoid(operand, B, wRz, rzAll, t * B * 2 * H); // σ([h | x_t | 1] W_rz)
      math.matmul(h, B, wHn, hn);
      const rz = rzAll.subarray(t * B * 2 * H, (t + 1) * B * 2 * H);
      candidateInputs(n, hpn, sh, xpn, hn, rz, bHh, B, H);
      math.sigmoid(n);
      hiddenUpdate(rz, n, nAll, mask, t * B, h, y, sh, B, H);
    }
  } finally {
    math.release(wRz);
    math.release(wHn);
  }
  const box = savedBox(attrs);
  if (box) box.arrays = { rz: rzAll, n: nAll, hpn, hPrev };
  else releaseArrays([rzAll, nAll, hpn, hPrev]);
  return [output(backend, y, [T, B, H]), output(backend, h, [B, H])];
}

/**
 * Inputs of `ArchzooGruSequenceGrad`: the gradients dy `[T, B, H]` and dh `[B, H]` of the outputs
 * (each optional: absent means zero), and x, wHh, mask; attrs: the forward kernel's (its box holds
 * the saved σ(r), σ(z), n, hpn, hPrev, given back to the pool here). Outputs: dh0 `[B, H]`, dW_ih
 * `[3H, I]`, dW_hh `[3H, H]`, db_ih and db_hh `[3H]`; the gradients of the input projection of all
 * steps, transposed, dA_x^T `[3H, T * B]`, go into the box (an array valid until the next call:
 * the gradient function takes dx from it at once).
 */
export function gruSequenceGradKernel({ inputs, backend: be, attrs }: KernelArgs): tf.TensorInfo[] {
  const backend = be as unknown as ValuesBackend;
  const math = denseMath(backend);
  const [T, B, I] = inputs.x!.shape as [number, number, number];
  const H = inputs.wHh!.shape[1]!;
  const G = 3 * H;
  const saved = takeSaved(GRU_SEQUENCE_GRAD, attrs, GRU_SAVED);
  const [rz, n, hpn, hPrev] = saved as [Float32Array, Float32Array, Float32Array, Float32Array];
  const dH = inputs.dh ? f32Copy(backend, inputs.dh) : new Float32Array(B * H);
  const view = (name: string) => f32View(backend, inputs[name]!); // taken again after each product
  // [3H, T * B]: d(x W_ih^T + b_ih) and d(h W_hh^T + b_hh) of every step, transposed
  const dAxT = outputArray(backend, 'gru.dAxT', G * T * B);
  const dAhT = scratch('gru.dAhT', G * T * B);
  const dAh = new Float32Array(B * G); // this step's [B, 3H]
  const dAn = new Float32Array(B * H); // its n block of dA_x (the r, z blocks are dA_h's)
  const dAnT = dAxT.subarray(2 * H * T * B); // [H, T * B]: the n rows of dAxT
  const rec = new Float32Array(B * H); // dA_h,{t+1} W_hh, added to dH by the next stepGrad
  const wHh = math.hold(f32(backend, inputs.wHh!), G, H); // [3H, H]
  try {
    for (let t = T - 1; t >= 0; t--) {
      const dy = inputs.dy ? view('dy') : null;
      stepGrad(dAn, dAh, rz, n, hpn, hPrev, view('mask'), dy, dH, rec, t, B, H);
      transposeBlock(dAh, B, G, dAhT, T * B, t * B);
      transposeBlock(dAn, B, H, dAnT, T * B, t * B);
      math.matmul(dAh, B, wHh, rec); // dA_h W_hh: [B, H]
    }
    addInto(dH, rec);
    dAxT.set(dAhT.subarray(0, 2 * H * T * B)); // the r and z gradients are the same in both
  } finally {
    math.release(wHh);
  }
  // each reads its view before its product allocates
  const gh = weightGrads(math, dAhT, G, T * B, [{ values: hPrev, cols: H }]);
  const box = savedBox(attrs);
  if (box) box.arrays = { dAxT }; // for dx, read by the gradient function right after this kernel
  const gx = weightGrads(math, dAxT, G, T * B, [{ values: view('x'), cols: I }]);
  releaseArrays(saved);
  return [
    output(backend, dH, [B, H]),
    output(backend, gx.weights[0]!, [G, I]),
    output(backend, gh.weights[0]!, [G, H]),
    output(backend, gx.bias, [G]),
    output(backend, gh.bias, [G]),
  ];
}

// The per-step passes, as small functions: V8 optimizes a function called for every step much
// sooner than the long loops of a kernel body it enters once per call (about 10x faster here).

/**
 * The right operand of every step's r, z product, `[H + I + 1, 2H]`: the r, z rows of W_hh^T, then
 * of W_ih^T, then b_ih + b_hh.
 */
function resetUpdateWeights(
  wHh: Float32Array,
  wIh: Float32Array,
  bIh: Float32Array,
  bHh: Float32Array,
  H: number,
  I: number,
): Float32Array {
  const G = 2 * H;
  const w = new Float32Array((H + I + 1) * G);
  for (let p = 0; p < G; p++) {
    for (let q = 0; q < H; q++) w[q * G + p] = wHh[p * H + q]!;
    for (let q = 0; q < I; q++) w[(H + q) * G + p] = wIh[p * I + q]!;
    w[(H + I) * G + p] = bIh[p]! + bHh[p]!;
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

/**
 * rz holds σ of r and z: hpn (from offset ho) = h W_hn^T + b_hn, and n = 2 (xpn + r hpn) (for
 * tanh(a) = 2σ(2a) - 1), with xpn (from offset ho) = x W_in^T + b_in.
 */
function candidateInputs(
  n: Float32Array,
  hpn: Float32Array,
  ho: number,
  xpn: Float32Array,
  hn: Float32Array,
  rz: Float32Array,
  bHh: Float32Array,
  B: number,
  H: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const lin = hn[k]! + bHh[2 * H + j]!;
      hpn[ho + k] = lin;
      n[k] = 2 * (xpn[ho + k]! + rz[b * 2 * H + j]! * lin);
    }
  }
}

/**
 * n holds σ(2 a_n): n = tanh(a_n), stored into nAll (from offset yo), h' = (1 - z) n + z h, then
 * the masked update of h and the step's output y (from offset yo).
 */
function hiddenUpdate(
  rz: Float32Array,
  n: Float32Array,
  nAll: Float32Array,
  mask: Float32Array,
  mo: number,
  h: Float32Array,
  y: Float32Array,
  yo: number,
  B: number,
  H: number,
): void {
  for (let b = 0; b < B; b++) {
    const m = mask[mo + b]!;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const z = rz[b * 2 * H + H + j]!;
      const nv = 2 * n[k]! - 1;
      nAll[yo + k] = nv;
      const hn = nv + z * (h[k]! - nv); // (1 - z) n + z h
      if (m === 1) {
        h[k] = hn;
        y[yo + k] = hn;
      } else {
        h[k] = m * hn + (1 - m) * h[k]!;
        y[yo + k] = m * hn;
      }
    }
  }
}

/**
 * Step t of the backward pass, from the saved σ(r), σ(z) `rz` and n: the gradients of the hidden
 * projection into dAh `[B, 3H]`, of the input projection's n block into dAn `[B, H]` (its r, z
 * blocks are dAh's), and dH carried to step t - 1. dH + rec (rec: the previous step's product
 * dA_h,{t+1} W_hh, zeros at the last step) is the gradient of h_t; what stays in dH is the part
 * carried past the product (the caller adds the last rec at the end).
 */
function stepGrad(
  dAn: Float32Array,
  dAh: Float32Array,
  rz: Float32Array,
  n: Float32Array,
  hpn: Float32Array,
  hPrev: Float32Array,
  mask: Float32Array,
  dy: Float32Array | null,
  dH: Float32Array,
  rec: Float32Array,
  t: number,
  B: number,
  H: number,
): void {
  const G = 3 * H;
  const sh = t * B * H;
  for (let b = 0; b < B; b++) {
    const m = mask[t * B + b]!;
    const r0 = (t * B + b) * 2 * H;
    const d = b * G;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const q = sh + k;
      const dh = dH[k]! + rec[k]!;
      const dhn = m * (dh + (dy ? dy[q]! : 0)); // dL/dh'
      const r = rz[r0 + j]!;
      const z = rz[r0 + H + j]!;
      const nv = n[q]!;
      const dan = dhn * (1 - z) * (1 - nv * nv);
      const dar = dan * hpn[q]! * r * (1 - r);
      const daz = dhn * (hPrev[q]! - nv) * z * (1 - z);
      const dahn = dan * r;
      dAn[k] = dan;
      dAh[d + j] = dar;
      dAh[d + H + j] = daz;
      dAh[d + 2 * H + j] = dahn;
      dH[k] = (1 - m) * dh + dhn * z;
    }
  }
}
