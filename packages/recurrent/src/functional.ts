/**
 * The math of one recurrent step, as pure functions of the weights (PyTorch's `_VF.rnn_tanh_cell`,
 * `lstm_cell`, `gru_cell`). Weights are in PyTorch's layout: `W_ih` `[G * H, I]`, `W_hh` `[G * H, H]`,
 * biases `[G * H]`, gate blocks of `H` rows in PyTorch's order (LSTM `[i, f, g, o]`, GRU `[r, z, n]`).
 *
 * Every step exists in two forms: `*Cell(x, ...)` takes the raw input `x` `[B, I]`; `*Step(xp, ...)`
 * takes the input already projected, `xp = x W_ih^T + b_ih` `[B, G * H]`, so that a sequence can
 * project all its steps in one matmul up front (see sequence_ops.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

/** The nonlinearity of an Elman RNN. */
export type Nonlinearity = 'tanh' | 'relu';

/** The weights of one recurrent layer (one direction), in PyTorch's layout. */
export interface RecurrentWeights {
  /** `[G * H, I]` */
  wIh: tf.Tensor2D;
  /** `[G * H, H]` (`[G * H, P]` for a projected LSTM) */
  wHh: tf.Tensor2D;
  /** `[G * H]` */
  bIh?: tf.Tensor1D | null;
  /** `[G * H]` */
  bHh?: tf.Tensor1D | null;
}

/** The PyTorch-named parameters of one recurrent cell or layer direction (`nn.RNNCell`'s fields). */
export interface TorchRecurrentParams {
  weight_ih: tf.Tensor2D;
  weight_hh: tf.Tensor2D;
  bias_ih: tf.Tensor1D | null;
  bias_hh: tf.Tensor1D | null;
}

/** PyTorch's parameter names (`weight_ih`, ...) -> the `RecurrentWeights` the ops take. */
export function recurrentWeights(p: TorchRecurrentParams): RecurrentWeights {
  return { wIh: p.weight_ih, wHh: p.weight_hh, bIh: p.bias_ih, bHh: p.bias_hh };
}

/**
 * The LSTM's optional extras. Peepholes (Gers & Schmidhuber 2000): diagonal weights `[H]` by which
 * the input and forget gates see c_{t-1} and the output gate sees c_t. Projection (Sak et al.
 * 2014, PyTorch's `proj_size`): h_t = W_hr (o_t * tanh(c_t)), `W_hr` `[P, H]`.
 */
export interface LstmExtras {
  wCi?: tf.Tensor1D | null;
  wCf?: tf.Tensor1D | null;
  wCo?: tf.Tensor1D | null;
  wHr?: tf.Tensor2D | null;
}

/** x W^T + b (PyTorch's `F.linear`, W `[out, in]`): `[B, in]` -> `[B, out]`. */
export function linearT(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D | null): tf.Tensor2D {
  const y = tf.matMul(x, w, false, true) as tf.Tensor2D; // [B, out]
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

function activate(x: tf.Tensor2D, nonlinearity: Nonlinearity): tf.Tensor2D {
  return nonlinearity === 'relu' ? tf.relu(x) : tf.tanh(x);
}

/** Elman step from projected input: h' = act(xp + h W_hh^T + b_hh). */
export function rnnStep(
  xp: tf.Tensor2D,
  h: tf.Tensor2D,
  wHh: tf.Tensor2D,
  bHh: tf.Tensor1D | null | undefined,
  nonlinearity: Nonlinearity,
): tf.Tensor2D {
  return activate(tf.add(xp, linearT(h, wHh, bHh)), nonlinearity);
}

/**
 * Elman (1990) cell: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu.
 * x `[B, I]`, h `[B, H]` -> h' `[B, H]`.
 *
 * @example
 * const h1 = rnnCell(x, h0, { wIh, wHh, bIh, bHh }); // [B, H]
 */
export function rnnCell(
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  w: RecurrentWeights,
  nonlinearity: Nonlinearity = 'tanh',
): tf.Tensor2D {
  return tf.tidy(() => rnnStep(linearT(x, w.wIh, w.bIh), h, w.wHh, w.bHh, nonlinearity));
}

/**
 * LSTM step from projected input (xp `[B, 4H]`, which may already hold both biases):
 *   [a_i, a_f, a_g, a_o] = xp + h W_hh^T + b_hh
 *   i = sigma(a_i + w_ci * c), f = sigma(a_f + w_cf * c), g = tanh(a_g)
 *   c' = f * c + i * g,  o = sigma(a_o + w_co * c'),  h' = o * tanh(c')  (then h' W_hr^T)
 * (peephole terms only with peepholes). Returns h' `[B, H or P]` and c' `[B, H]`.
 */
export function lstmStep(
  xp: tf.Tensor2D,
  h: tf.Tensor2D,
  c: tf.Tensor2D,
  wHh: tf.Tensor2D,
  bHh?: tf.Tensor1D | null,
  extras: LstmExtras = {},
): { h: tf.Tensor2D; c: tf.Tensor2D } {
  const gates = tf.add(xp, linearT(h, wHh, bHh)); // [B, 4H]
  let [ai, af, ag, ao] = tf.split(gates, 4, 1) as [
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor2D,
  ]; // each [B, H]
  if (extras.wCi) ai = tf.add(ai, tf.mul(c, extras.wCi));
  if (extras.wCf) af = tf.add(af, tf.mul(c, extras.wCf));
  const cNext = tf.add(
    tf.mul(tf.sigmoid(af), c),
    tf.mul(tf.sigmoid(ai), tf.tanh(ag)),
  ) as tf.Tensor2D; // [B, H]
  if (extras.wCo) ao = tf.add(ao, tf.mul(cNext, extras.wCo));
  let hNext = tf.mul(tf.sigmoid(ao), tf.tanh(cNext)) as tf.Tensor2D; // [B, H]
  if (extras.wHr) hNext = linearT(hNext, extras.wHr); // [B, P]
  return { h: hNext, c: cNext };
}

/**
 * LSTM cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), PyTorch's
 * gate order [i, f, g, o]; optional peepholes and projection (see `lstmStep`).
 * x `[B, I]`, h `[B, H or P]`, c `[B, H]` -> { h, c }.
 *
 * @example
 * const { h, c } = lstmCell(x, h0, c0, { wIh, wHh, bIh, bHh }); // [B, H] each
 */
export function lstmCell(
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  c: tf.Tensor2D,
  w: RecurrentWeights & LstmExtras,
): { h: tf.Tensor2D; c: tf.Tensor2D } {
  return tf.tidy(() => lstmStep(linearT(x, w.wIh, w.bIh), h, c, w.wHh, w.bHh, w));
}

/**
 * GRU step from projected input (xp = x W_ih^T + b_ih `[B, 3H]`; b_hh must stay separate because
 * its n block sits inside r * (...)):
 *   [x_r, x_z, x_n] = xp,  [h_r, h_z, h_n] = h W_hh^T + b_hh
 *   r = sigma(x_r + h_r), z = sigma(x_z + h_z), n = tanh(x_n + r * h_n)
 *   h' = (1 - z) * n + z * h
 */
export function gruStep(
  xp: tf.Tensor2D,
  h: tf.Tensor2D,
  wHh: tf.Tensor2D,
  bHh?: tf.Tensor1D | null,
): tf.Tensor2D {
  const [xr, xz, xn] = tf.split(xp, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]; // [B, H]
  const [hr, hz, hn] = tf.split(linearT(h, wHh, bHh), 3, 1) as [
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor2D,
  ];
  const r = tf.sigmoid(tf.add(xr, hr));
  const z = tf.sigmoid(tf.add(xz, hz));
  const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
  return tf.add(n, tf.mul(z, tf.sub(h, n))); // (1 - z) * n + z * h
}

/**
 * GRU cell in PyTorch's formulation (Cho et al. 2014, with the reset gate applied after the
 * recurrent matmul): see `gruStep`. x `[B, I]`, h `[B, H]` -> h' `[B, H]`.
 *
 * @example
 * const h1 = gruCell(x, h0, { wIh, wHh, bIh, bHh }); // [B, H]
 */
export function gruCell(x: tf.Tensor2D, h: tf.Tensor2D, w: RecurrentWeights): tf.Tensor2D {
  return tf.tidy(() => gruStep(linearT(x, w.wIh, w.bIh), h, w.wHh, w.bHh));
}

/**
 * Masked update: where m = 1 the new state, where m = 0 the previous one, unchanged:
 * m * next + (1 - m) * prev, exact for 0/1 masks. m and `notM` = 1 - m are `[B, 1]`.
 */
export function carry(
  prev: tf.Tensor2D,
  next: tf.Tensor2D,
  m: tf.Tensor2D,
  notM: tf.Tensor2D,
): tf.Tensor2D {
  return tf.add(tf.mul(m, next), tf.mul(notM, prev));
}

/**
 * `tf.unstack(x)` along axis 0, kept for existing callers. It used to work around tfjs 4.22's
 * Unpack gradient, which threw when that axis has size 1; @archzoo/core now registers a corrected
 * gradient, so plain `tf.unstack` is differentiable for every size.
 */
export function unstack0(x: tf.Tensor): tf.Tensor[] {
  return tf.unstack(x);
}
