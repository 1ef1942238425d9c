/**
 * The LSTM's per-step elementwise passes in JavaScript (the cpu backend's, and the wasm backend's
 * where the step module cannot run them: see steps.ts). Small functions on purpose: V8 optimizes a
 * function called for every step much sooner than the long loops of a kernel body it enters once
 * per call (about 10x faster here). The math is in lstm_kernels.ts.
 */

/** a holds σ of the gates: g = 2σ - 1 in place, c' = f c + i g into cNew, tc = 2 c'. */
export function lstmCell(
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
export function lstmHidden(
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
export function lstmGrad(
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
