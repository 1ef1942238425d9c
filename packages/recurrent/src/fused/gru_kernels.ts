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
 * the state update. Backward: per step one pass for the gate gradients (stored row-major, all
 * steps in one array) and one product dA_t W_hh; then transposes to dA^T `[3H, T * B]` and the
 * weight and bias gradients of all steps in one product per weight (weight_grads.ts). The
 * elementwise passes are steps.ts's: WebAssembly SIMD on the wasm backend, JavaScript on cpu.
 */
import type { ValuesBackend } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { addInto, denseMath, transpose, transposeInto } from './dense_math.js';
import { f32, f32View, type KernelArgs, output, savedBox, valuesOrZeros } from './kernel_args.js';
import { projectInputs } from './projection.js';
import { keepBlocks, stepOperand, stepsFor, takeBlocks, type Views } from './steps.js';
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
  const wIh = f32(backend, inputs.wIh!);
  const wHh = f32(backend, inputs.wHh!);
  const bIh = f32(backend, inputs.bIh!);
  const bHh = f32(backend, inputs.bHh!);
  const steps = stepsFor(backend, H);
  const saved = steps.alloc([T * B * 2 * H, T * B * H, T * B * H, T * B * H]);
  const outs = steps.alloc([T * B * H, B * H]); // y, h
  const work = steps.alloc([T * B * H, B * H, B * H, T * B, 3 * H]);
  // each saved array is overwritten whole, step by step: σ(r), σ(z) [T, B, 2H]; n, hpn, h_{t-1}
  const [rzAll, nAll, hpn, hPrev] = saved.map(steps.view) as Views<4>;
  const [y, h] = outs.map(steps.view) as Views<2>;
  const [xpn, hn, n, mask, bHhCopy] = work.map(steps.view) as Views<5>;
  h.set(f32View(backend, inputs.h0!));
  mask.set(f32View(backend, inputs.mask!));
  bHhCopy.set(bHh);
  // the n block's input projection of all steps, x W_in^T + b_in: [T * B, H]
  projectInputs(math, x, T * B, wIh.subarray(2 * H * I), bIh.subarray(2 * H), xpn);
  const operand = new Float32Array(B * K); // [B, K]: [h | x_t | 1]
  for (let b = 0; b < B; b++) operand[b * K + K - 1] = 1;
  const wRz = math.hold(resetUpdateWeights(wHh, wIh, bIh, bHh, H, I), K, 2 * H); // [K, 2H]
  const wHn = math.hold(transpose(wHh.subarray(2 * H * H), H, H), H, H); // [H, H]
  let kept = false;
  try {
    for (let t = 0; t < T; t++) {
      const sh = t * B * H;
      hPrev.set(h, sh);
      stepOperand(operand, h, x, t * B * I, B, H, I);
      math.matmulSigmoid(operand, B, wRz, rzAll, t * B * 2 * H); // σ([h | x_t | 1] W_rz)
      math.matmul(h, B, wHn, hn);
      const rz = rzAll.subarray(t * B * 2 * H, (t + 1) * B * 2 * H);
      steps.gruCandidate(n, hpn, sh, xpn, hn, rz, bHhCopy, B, H);
      math.sigmoid(n);
      steps.gruHidden(rz, n, nAll, mask, t * B, h, y, sh, B, H);
    }
    const result = [output(backend, y, [T, B, H]), output(backend, h, [B, H])];
    keepBlocks(attrs, steps, GRU_SAVED, saved);
    kept = true;
    return result;
  } finally {
    if (!kept) steps.free(saved);
    math.release(wRz);
    math.release(wHn);
    steps.free(work);
    steps.freeOutputs(outs);
  }
}

/**
 * Inputs of `ArchzooGruSequenceGrad`: the gradients dy `[T, B, H]` and dh `[B, H]` of the outputs
 * (each optional: absent means zero), and x, wHh, mask; attrs: the forward kernel's (its box holds
 * the saved σ(r), σ(z), n, hpn, hPrev, freed here). Outputs: dh0 `[B, H]`, dW_ih `[3H, I]`, dW_hh
 * `[3H, H]`, db_ih and db_hh `[3H]`; the gradients of the input projection of all steps,
 * transposed, dA_x^T `[3H, T * B]`, go into the box (an array valid until the next call: the
 * gradient function takes dx from it at once).
 */
export function gruSequenceGradKernel({ inputs, backend: be, attrs }: KernelArgs): tf.TensorInfo[] {
  const backend = be as unknown as ValuesBackend;
  const math = denseMath(backend);
  const [T, B, I] = inputs.x!.shape as [number, number, number];
  const H = inputs.wHh!.shape[1]!;
  const G = 3 * H;
  const { steps, blocks: saved } = takeBlocks(GRU_SEQUENCE_GRAD, attrs, GRU_SAVED);
  const outs = steps.alloc([B * H]); // dH
  const work = steps.alloc([
    G * T * B,
    G * T * B,
    H * T * B,
    B * H,
    T * B,
    inputs.dy ? T * B * H : 0,
  ]);
  const dAxTBlock = steps.scratch('gru.dAxT', G * T * B);
  const [rz, n, hpn, hPrev] = saved.map(steps.view) as Views<4>;
  const [dH] = outs.map(steps.view) as Views<1>;
  // dAh [T * B, 3H]: d(h W_hh^T + b_hh) of every step (dAhT: transposed); dAn [T * B, H]: the n
  // block of d(x W_ih^T + b_ih) (its r, z blocks are dAh's); rec: dA_h,{t+1} W_hh, added to dH by
  // the next step's pass
  const [dAh, dAhT, dAn, rec, mask, dyCopy] = work.map(steps.view) as Views<6>;
  const dAxT = steps.view(dAxTBlock); // [3H, T * B]: d(x W_ih^T + b_ih) of every step, transposed
  valuesOrZeros(backend, inputs.dh, dH);
  rec.fill(0);
  valuesOrZeros(backend, inputs.mask, mask);
  const dy = valuesOrZeros(backend, inputs.dy, dyCopy);
  const wHh = math.hold(f32(backend, inputs.wHh!), G, H); // [3H, H]
  try {
    for (let t = T - 1; t >= 0; t--) {
      const dAht = dAh.subarray(t * B * G, (t + 1) * B * G);
      steps.gruGrad(dAn.subarray(t * B * H), dAht, rz, n, hpn, hPrev, mask, dy, dH, rec, t, B, H);
      math.matmul(dAht, B, wHh, rec); // dA_h W_hh: [B, H]
    }
    addInto(dH, rec);
    steps.transpose(dAh, T * B, G, dAhT);
    dAxT.set(dAhT.subarray(0, 2 * H * T * B)); // the r, z rows
    steps.transpose(dAn, T * B, H, dAxT.subarray(2 * H * T * B)); // the n rows
    const gh = weightGrads(math, dAhT, G, T * B, [{ values: hPrev, cols: H }]);
    const box = savedBox(attrs);
    if (box) box.arrays = { dAxT }; // for dx, read by the gradient function right after this kernel
    const gx = weightGrads(math, dAxT, G, T * B, [{ values: f32(backend, inputs.x!), cols: I }]);
    return [
      output(backend, dH, [B, H]),
      output(backend, gx.weights[0]!, [G, I]),
      output(backend, gh.weights[0]!, [G, H]),
      output(backend, gx.bias, [G]),
      output(backend, gh.bias, [G]),
    ];
  } finally {
    math.release(wHh);
    steps.free(saved);
    steps.free(work);
    steps.freeOutputs(outs);
  }
}

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
  transposeInto(wHh.subarray(0, G * H), G, H, w);
  transposeInto(wIh.subarray(0, G * I), G, I, w.subarray(H * G));
  for (let p = 0; p < G; p++) w[(H + I) * G + p] = bIh[p]! + bHh[p]!;
  return w;
}
