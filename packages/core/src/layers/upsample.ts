import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, fail, oneOf } from '../errors.js';
import { Module } from '../module.js';

export interface UpsampleOptions {
  /** Output size [H, W]; give this or scaleFactor. */
  size?: number | [number, number];
  /** Multiplier of H and W; give this or size. */
  scaleFactor?: number | [number, number];
  /** Default 'nearest'. */
  mode?: 'nearest' | 'bilinear';
  /** Bilinear only: align the corner pixels. Default false (PyTorch's). */
  alignCorners?: boolean;
}

/**
 * PyTorch's 1-D resampling as a matrix `[out, size]` (row d: the weights of output d), for a
 * scale factor. Given a scale factor, PyTorch maps output index d to source floor(d / scale)
 * (nearest) or max(0, (d + 0.5) / scale - 0.5) (bilinear, alignCorners false), with 1 / scale in
 * float32 as its kernels compute it; tfjs's resize uses size / out instead, which differs
 * whenever size * scale is not an integer.
 */
function resampleMatrix(
  size: number,
  out: number,
  scale: number,
  mode: 'nearest' | 'bilinear',
): tf.Tensor2D {
  const m = new Float32Array(out * size);
  const inv = Math.fround(1 / scale);
  for (let d = 0; d < out; d++) {
    if (mode === 'nearest') {
      m[d * size + Math.min(Math.floor(Math.fround(d * inv)), size - 1)] = 1;
      continue;
    }
    const src = Math.max(0, inv * (d + 0.5) - 0.5);
    const i0 = Math.min(Math.floor(src), size - 1);
    const i1 = Math.min(i0 + 1, size - 1);
    const frac = src - i0;
    m[d * size + i0]! += 1 - frac;
    m[d * size + i1]! += frac;
  }
  return tf.tensor2d(m, [out, size]);
}

/** y[n, i, j, c] = sum over h, w of mh[i, h] x[n, h, w, c] mw[j, w]. x `[N, H, W, C]`. */
function resampleSeparable(x: tf.Tensor4D, mh: tf.Tensor2D, mw: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const [oh, ow] = [mh.shape[0], mw.shape[0]];
    const xh = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, n * w * c]); // [H, N*W*C]
    const yh = tf.reshape(tf.matMul(mh, xh), [oh, n, w, c]); // [oh, N, W, C]
    const xw = tf.reshape(tf.transpose(yh, [2, 1, 0, 3]), [w, n * oh * c]); // [W, N*oh*C]
    const yw = tf.reshape(tf.matMul(mw, xw), [ow, n, oh, c]); // [ow, N, oh, C]
    return tf.transpose(yw, [1, 2, 0, 3]) as tf.Tensor4D; // [N, oh, ow, C]
  });
}

/**
 * `torch.nn.Upsample` on NHWC tensors: `[N, H, W, C]` -> `[N, H_out, W_out, C]`.
 * nearest: source index floor(dst * in / out) (PyTorch 'nearest'); bilinear with
 * alignCorners=false samples at half-pixel centres, as PyTorch does.
 */
export class Upsample extends Module {
  readonly size: [number, number] | null;
  readonly scaleFactor: [number, number] | null;
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean;

  constructor(opts: UpsampleOptions) {
    super();
    const pair = (v: number | [number, number]): [number, number] =>
      typeof v === 'number' ? [v, v] : v;
    if ((opts.size == null) === (opts.scaleFactor == null)) {
      fail('Upsample', 'options', 'exactly one of size or scaleFactor', JSON.stringify(opts));
    }
    this.size = opts.size != null ? pair(opts.size) : null;
    this.scaleFactor = opts.scaleFactor != null ? pair(opts.scaleFactor) : null;
    for (const v of [...(this.size ?? []), ...(this.scaleFactor ?? [])]) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v)))
        fail('Upsample', 'option size/scaleFactor', 'positive numbers', v);
    }
    this.mode = oneOf('Upsample', 'mode', opts.mode ?? 'nearest', ['nearest', 'bilinear']);
    this.alignCorners = opts.alignCorners ?? false;
    if (this.alignCorners && this.mode === 'nearest')
      fail('Upsample', 'option alignCorners', "false with mode 'nearest'", true);
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    checkTensor('Upsample.forward', 'input', x, { rank: 4, layout: '[N, H, W, C] (NHWC)' });
    const [, h, w] = x.shape;
    const out: [number, number] = this.size ?? [
      Math.floor(h! * this.scaleFactor![0]),
      Math.floor(w! * this.scaleFactor![1]),
    ];
    const sf = this.scaleFactor;
    if (sf && !this.alignCorners && (out[0] !== h! * sf[0] || out[1] !== w! * sf[1])) {
      // A scale factor tfjs's size-based resize cannot express (see resampleMatrix).
      return tf.tidy(() => {
        const mh = resampleMatrix(h!, out[0], sf[0], this.mode); // [H_out, H]
        const mw = resampleMatrix(w!, out[1], sf[1], this.mode); // [W_out, W]
        return resampleSeparable(x as tf.Tensor4D, mh, mw);
      });
    }
    if (this.mode === 'nearest')
      return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, out, false, false);
    return tf.image.resizeBilinear(x as tf.Tensor4D, out, this.alignCorners, !this.alignCorners);
  }

  override extraRepr(): string {
    return this.size
      ? `size=[${this.size}], mode='${this.mode}'`
      : `scaleFactor=[${this.scaleFactor}], mode='${this.mode}'`;
  }
}
