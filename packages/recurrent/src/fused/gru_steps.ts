/**
 * The GRU's per-step elementwise passes in JavaScript (the cpu backend's, and the wasm backend's
 * where the step module cannot run them: see steps.ts). Small functions on purpose: V8 optimizes a
 * function called for every step much sooner than the long loops of a kernel body it enters once
 * per call (about 10x faster here). The math is in gru_kernels.ts.
 */

/**
 * rz holds σ of r and z: hpn (from offset ho) = h W_hn^T + b_hn, and n = 2 (xpn + r hpn) (for
 * tanh(a) = 2σ(2a) - 1), with xpn (from offset ho) = x W_in^T + b_in.
 */
export function gruCandidate(
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
export function gruHidden(
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
export function gruGrad(
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
