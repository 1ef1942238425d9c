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
 * update. Backward: per step one pass for the gate gradients dA_t (stored row-major, all steps in
 * one array) and one product dA_t W_hh; then one transpose to dA^T `[4H, T * B]` and the weight and
 * bias gradients of all steps in one product (weight_grads.ts). The elementwise passes are
 * steps.ts's: WebAssembly SIMD on the wasm backend, JavaScript on cpu.
 */
import type { ValuesBackend } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { addInto, denseMath } from './dense_math.js';
import { f32, f32View, type KernelArgs, output, savedBox, valuesOrZeros } from './kernel_args.js';
import { keepBlocks, stepOperand, stepsFor, takeBlocks, type Views } from './steps.js';
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
  const steps = stepsFor(backend, H);
  const saved = steps.alloc([T * B * G, T * B * H, T * B * H, T * B * H]);
  const outs = steps.alloc([T * B * H, B * H, B * H]); // y, h, c
  const work = steps.alloc([B * H, T * B]);
  // each saved array is overwritten whole, step by step: the gates [T, B, 4H], tanh(c'), h_{t-1},
  // c_{t-1} [T, B, H]
  const [gates, tanhC, hPrev, cPrev] = saved.map(steps.view) as Views<4>;
  const [y, h, c] = outs.map(steps.view) as Views<3>;
  const [cNew, mask] = work.map(steps.view) as Views<2>;
  h.set(f32View(backend, inputs.h0!));
  c.set(f32View(backend, inputs.c0!));
  mask.set(f32View(backend, inputs.mask!));
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
  let kept = false;
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
      steps.lstmCell(a, c, cNew, tc, B, H);
      math.sigmoid(tc);
      steps.lstmHidden(a, tc, cNew, mask, t * B, h, c, y, sh, B, H);
    }
    const result = [
      output(backend, y, [T, B, H]),
      output(backend, h, [B, H]),
      output(backend, c, [B, H]),
    ];
    keepBlocks(attrs, steps, LSTM_SAVED, saved);
    kept = true;
    return result;
  } finally {
    if (!kept) steps.free(saved);
    math.release(w);
    steps.free(work);
    steps.freeOutputs(outs);
  }
}

/**
 * Inputs of `ArchzooLstmSequenceGrad`: the gradients dy `[T, B, H]`, dh `[B, H]`, dc `[B, H]` of
 * the outputs (each optional: absent means zero), and x, wHh, mask; attrs: the forward kernel's
 * (its box holds the saved gates, tanhC, hPrev, cPrev, freed here). Outputs: dh0, dc0 `[B, H]`,
 * dW_ih `[4H, I]`, dW_hh `[4H, H]`, db `[4H]` (the gradient of b_ih and of b_hh alike); the
 * pre-activation gradients of all steps, transposed, dA^T `[4H, T * B]`, go into the box (an
 * array valid until the next call: the gradient function takes dx from it at once).
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
  const { steps, blocks: saved } = takeBlocks(LSTM_SEQUENCE_GRAD, attrs, LSTM_SAVED);
  const outs = steps.alloc([B * H, B * H]); // dH, dC
  const work = steps.alloc([T * B * G, B * H, T * B, inputs.dy ? T * B * H : 0]);
  const dATBlock = steps.scratch('lstm.dAT', G * T * B);
  const [gates, tanhC, hPrev, cPrev] = saved.map(steps.view) as Views<4>;
  const [dH, dC] = outs.map(steps.view) as Views<2>;
  // dA [T * B, 4H]: every step's gate pre-activation gradients; rec: dA_{t+1} W_hh, added to dH
  // by the next step's pass
  const [dA, rec, mask, dyCopy] = work.map(steps.view) as Views<4>;
  const dAT = steps.view(dATBlock); // [4H, T * B]: every step's dA, transposed
  valuesOrZeros(backend, inputs.dh, dH);
  valuesOrZeros(backend, inputs.dc, dC);
  rec.fill(0);
  valuesOrZeros(backend, inputs.mask, mask);
  const dy = valuesOrZeros(backend, inputs.dy, dyCopy);
  const wHh = math.hold(f32(backend, inputs.wHh!), G, H); // [4H, H]
  try {
    for (let t = T - 1; t >= 0; t--) {
      const dAt = dA.subarray(t * B * G, (t + 1) * B * G);
      steps.lstmGrad(dAt, gates, tanhC, cPrev, mask, dy, dH, rec, dC, t, B, H);
      math.matmul(dAt, B, wHh, rec); // dA_t W_hh: [B, H]
    }
    addInto(dH, rec);
    steps.transpose(dA, T * B, G, dAT);
    const box = savedBox(attrs);
    if (box) box.arrays = { dAT }; // for dx, read by the gradient function right after this kernel
    const grads = weightGrads(math, dAT, G, T * B, [
      { values: hPrev, cols: H },
      { values: f32(backend, inputs.x!), cols: I },
    ]);
    return [
      output(backend, dH, [B, H]),
      output(backend, dC, [B, H]),
      output(backend, grads.weights[1]!, [G, I]),
      output(backend, grads.weights[0]!, [G, H]),
      output(backend, grads.bias, [G]),
    ];
  } finally {
    math.release(wHh);
    steps.free(saved);
    steps.free(work);
    steps.freeOutputs(outs);
  }
}

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
