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
    const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);
    if ((opts.size == null) === (opts.scaleFactor == null)) {
      fail('Upsample', 'options', 'exactly one of size or scaleFactor', JSON.stringify(opts));
    }
    this.size = opts.size != null ? pair(opts.size) : null;
    this.scaleFactor = opts.scaleFactor != null ? pair(opts.scaleFactor) : null;
    for (const v of [...(this.size ?? []), ...(this.scaleFactor ?? [])]) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) fail('Upsample', 'option size/scaleFactor', 'positive numbers', v);
    }
    this.mode = oneOf('Upsample', 'mode', opts.mode ?? 'nearest', ['nearest', 'bilinear']);
    this.alignCorners = opts.alignCorners ?? false;
    if (this.alignCorners && this.mode === 'nearest') fail('Upsample', 'option alignCorners', "false with mode 'nearest'", true);
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    checkTensor('Upsample.forward', 'input', x, { rank: 4, layout: '[N, H, W, C] (NHWC)' });
    const [, h, w] = x.shape;
    const out: [number, number] = this.size ?? [Math.floor(h! * this.scaleFactor![0]), Math.floor(w! * this.scaleFactor![1])];
    if (this.mode === 'nearest') return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, out, false, false);
    return tf.image.resizeBilinear(x as tf.Tensor4D, out, this.alignCorners, !this.alignCorners);
  }

  override extraRepr(): string {
    return this.size ? `size=[${this.size}], mode='${this.mode}'` : `scaleFactor=[${this.scaleFactor}], mode='${this.mode}'`;
  }
}
