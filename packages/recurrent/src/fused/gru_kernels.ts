/**
 * The fused GRU sequence kernels (cpu and wasm): the whole forward pass over T steps in one
 * kernel, and its hand-written backpropagation through time in another. PyTorch's GRU (gates r,
 * z, n in blocks of H), with an optional 0/1 mask `m` per step and sequence:
 *
 *   r = σ(x W_ir^T + b_ir + h W_hr^T + b_hr),  z = σ(x W_iz^T + b_iz + h W_hz^T + b_hz)
 *   n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),  h' = (1 - z) n + z h
 *   h_t = m h' + (1 - m) h_{t-1},  y_t = m h'
 *
 * Forward: the input projection of all steps is one product (b_hr, b_hz folded in); each step is
 * one product h W_hh^T and one pass of the nonlinearities. Backward: per step one pass for the
 * gate gradients and one product dA_t W_hh; the weight and bias gradients of all steps in one
 * product per weight at the end (weight_grads.ts).
 */
import type { ValuesBackend } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { addInto, denseMath, transpose } from './dense_math.js';
import {
  f32,
  f32Copy,
  f32View,
  type KernelArgs,
  output,
  outputArray,
  scratch,
} from './kernel_args.js';
import { projectInputs } from './projection.js';
import { weightGrads } from './weight_grads.js';

export const GRU_SEQUENCE = 'ArchzooGruSequence';
export const GRU_SEQUENCE_GRAD = 'ArchzooGruSequenceGrad';

/**
 * Inputs of `ArchzooGruSequence`: x `[T, B, I]`, h0 `[B, H]`, wIh `[3H, I]`, wHh `[3H, H]`, bIh and
 * bHh `[3H]`, mask `[T, B]` (all present: zeros and ones stand in for absent ones). Outputs:
 * y `[T, B, H]`, h_T `[B, H]`, then what the backward pass reads: the gate activations r, z, n
 * `[T, B, 3H]`, h W_hn^T + b_hn `[T, B, H]` and h_{t-1} of every step `[T, B, H]`.
 */
export function gruSequenceKernel({ inputs, backend: be }: KernelArgs): tf.TensorInfo[] {
  const backend = be as unknown as ValuesBackend;
  const math = denseMath(backend);
  const [T, B] = inputs.x!.shape as [number, number, number];
  const H = inputs.h0!.shape[1]!;
  const G = 3 * H;
  const x = f32(backend, inputs.x!);
  const mask = f32(backend, inputs.mask!);
  const bIh = f32(backend, inputs.bIh!);
  const bHh = f32(backend, inputs.bHh!);
  const bias = bIh.map((b, j) => b + (j < 2 * H ? bHh[j]! : 0)); // b_ih + [b_hr, b_hz, 0]
  const xp = projectInputs(math, x, T * B, f32(backend, inputs.wIh!), bias, 'gru.xp'); // [T * B, 3H]
  // each array is overwritten whole, step by step
  const gates = outputArray(backend, 'gru.gates', T * B * G); // [T, B, 3H]: r, z, n
  const hpn = outputArray(backend, 'gru.hpn', T * B * H);
  const hPrev = outputArray(backend, 'gru.hPrev', T * B * H);
  const y = outputArray(backend, 'gru.y', T * B * H);
  const h = f32Copy(backend, inputs.h0!);
  const hp = new Float32Array(B * G); // h W_hh^T
  const rz = new Float32Array(B * 2 * H);
  const n = new Float32Array(B * H);
  const wHhT = math.hold(transpose(f32(backend, inputs.wHh!), G, H), H, G); // [H, 3H]
  try {
    for (let t = 0; t < T; t++) {
      const s = t * B * G;
      const sh = t * B * H;
      hPrev.set(h, sh);
      math.matmul(h, B, wHhT, hp);
      resetUpdateInputs(rz, xp, s, hp, B, H);
      math.sigmoid(rz);
      candidateInputs(n, hpn, sh, xp, s, hp, rz, bHh, B, H);
      math.sigmoid(n);
      hiddenUpdate(rz, n, gates, s, mask, t * B, h, y, sh, B, H);
    }
  } finally {
    math.release(wHhT);
  }
  return [
    output(backend, y, [T, B, H]),
    output(backend, h, [B, H]),
    output(backend, gates, [T, B, G]),
    output(backend, hpn, [T, B, H]),
    output(backend, hPrev, [T, B, H]),
  ];
}

/**
 * Inputs of `ArchzooGruSequenceGrad`: the gradients dy `[T, B, H]` and dh `[B, H]` of the outputs
 * (each optional: absent means zero), the saved gates, hpn, hPrev, and x, wHh, mask. Outputs: the
 * gradients of the input projection of all steps, transposed, dA_x^T `[3H, T * B]`, dh0 `[B, H]`,
 * dW_ih `[3H, I]`,
 * dW_hh `[3H, H]`, db_ih and db_hh `[3H]`.
 */
export function gruSequenceGradKernel({ inputs, backend: be }: KernelArgs): tf.TensorInfo[] {
  const backend = be as unknown as ValuesBackend;
  const math = denseMath(backend);
  const [T, B, I] = inputs.x!.shape as [number, number, number];
  const H = inputs.wHh!.shape[1]!;
  const G = 3 * H;
  const dH = inputs.dh ? f32Copy(backend, inputs.dh) : new Float32Array(B * H);
  const view = (name: string) => f32View(backend, inputs[name]!); // taken again after each product
  // [3H, T * B]: d(x W_ih^T + b_ih) and d(h W_hh^T + b_hh) of every step, transposed
  const dAxT = outputArray(backend, 'gru.dAxT', G * T * B);
  const dAhT = scratch('gru.dAhT', G * T * B);
  const dAx = new Float32Array(B * G); // this step's [B, 3H]
  const dAh = new Float32Array(B * G);
  const rec = new Float32Array(B * H); // dA_h,{t+1} W_hh, added to dH by the next stepGrad
  const wHh = math.hold(f32(backend, inputs.wHh!), G, H); // [3H, H]
  try {
    for (let t = T - 1; t >= 0; t--) {
      const dy = inputs.dy ? view('dy') : null;
      const [g, hpn, hPrev] = [view('gates'), view('hpn'), view('hPrev')];
      stepGrad(dAx, dAh, dAxT, dAhT, g, hpn, hPrev, view('mask'), dy, dH, rec, t, B, H);
      math.matmul(dAh, B, wHh, rec); // dA_h W_hh: [B, H]
    }
    addInto(dH, rec);
  } finally {
    math.release(wHh);
  }
  // each reads its view before its product allocates
  const gh = weightGrads(math, dAhT, G, T * B, [{ values: view('hPrev'), cols: H }]);
  const gx = weightGrads(math, dAxT, G, T * B, [{ values: view('x'), cols: I }]);
  return [
    output(backend, dAxT, [G, T * B]),
    output(backend, dH, [B, H]),
    output(backend, gx.weights[0]!, [G, I]),
    output(backend, gh.weights[0]!, [G, H]),
    output(backend, gx.bias, [G]),
    output(backend, gh.bias, [G]),
  ];
}

// The per-step passes, as small functions: V8 optimizes a function called for every step much
// sooner than the long loops of a kernel body it enters once per call (about 10x faster here).

/** rz = the r and z pre-activations of this step, xp + h W_hh^T: `[B, 2H]`. */
function resetUpdateInputs(
  rz: Float32Array,
  xp: Float32Array,
  xo: number,
  hp: Float32Array,
  B: number,
  H: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < 2 * H; j++) rz[b * 2 * H + j] = xp[xo + b * G + j]! + hp[b * G + j]!;
  }
}

/**
 * rz holds σ of r and z: hpn (from offset ho) = h W_hn^T + b_hn, and n = 2 (xp_n + r hpn) (for
 * tanh(a) = 2σ(2a) - 1).
 */
function candidateInputs(
  n: Float32Array,
  hpn: Float32Array,
  ho: number,
  xp: Float32Array,
  xo: number,
  hp: Float32Array,
  rz: Float32Array,
  bHh: Float32Array,
  B: number,
  H: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const lin = hp[b * G + 2 * H + j]! + bHh[2 * H + j]!;
      hpn[ho + b * H + j] = lin;
      n[b * H + j] = 2 * (xp[xo + b * G + 2 * H + j]! + rz[b * 2 * H + j]! * lin);
    }
  }
}

/**
 * n holds σ(2 a_n): n = tanh(a_n), the gates r, z, n stored (from offset go), h' = (1 - z) n + z h,
 * then the masked update of h and the step's output y (from offset yo).
 */
function hiddenUpdate(
  rz: Float32Array,
  n: Float32Array,
  gates: Float32Array,
  go: number,
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
    const r0 = go + b * 3 * H;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const z = rz[b * 2 * H + H + j]!;
      const nv = 2 * n[k]! - 1;
      gates[r0 + j] = rz[b * 2 * H + j]!;
      gates[r0 + H + j] = z;
      gates[r0 + 2 * H + j] = nv;
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
 * Step t of the backward pass: the gradients of the input and hidden projections into dAx, dAh
 * `[B, 3H]` and into columns t * B .. t * B + B of dAxT, dAhT `[3H, T * B]`, and dH carried to
 * step t - 1. dH + rec (rec: the previous step's product dA_h,{t+1} W_hh, zeros at the last step)
 * is the gradient of h_t; what stays in dH is the part carried past the product (the caller adds
 * the last rec at the end).
 */
function stepGrad(
  dAx: Float32Array,
  dAh: Float32Array,
  dAxT: Float32Array,
  dAhT: Float32Array,
  gates: Float32Array,
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
  const N = dAxT.length / G;
  const s = t * B * G;
  const sh = t * B * H;
  for (let b = 0; b < B; b++) {
    const m = mask[t * B + b]!;
    const r0 = s + b * G;
    const d = b * G;
    const col = t * B + b;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const q = sh + k;
      const dh = dH[k]! + rec[k]!;
      const dhn = m * (dh + (dy ? dy[q]! : 0)); // dL/dh'
      const r = gates[r0 + j]!;
      const z = gates[r0 + H + j]!;
      const nv = gates[r0 + 2 * H + j]!;
      const dan = dhn * (1 - z) * (1 - nv * nv);
      const dar = dan * hpn[q]! * r * (1 - r);
      const daz = dhn * (hPrev[q]! - nv) * z * (1 - z);
      const dahn = dan * r;
      dAx[d + j] = dar;
      dAx[d + H + j] = daz;
      dAx[d + 2 * H + j] = dan;
      dAh[d + j] = dar;
      dAh[d + H + j] = daz;
      dAh[d + 2 * H + j] = dahn;
      const c0 = j * N + col;
      const c1 = (H + j) * N + col;
      const c2 = (2 * H + j) * N + col;
      dAxT[c0] = dar;
      dAxT[c1] = daz;
      dAxT[c2] = dan;
      dAhT[c0] = dar;
      dAhT[c1] = daz;
      dAhT[c2] = dahn;
      dH[k] = (1 - m) * dh + dhn * z;
    }
  }
}
