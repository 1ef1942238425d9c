import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, fail, intTuple, shapeString } from '../errors.js';
import { Module } from '../module.js';

export interface Pool2dOptions {
  kernelSize: number | [number, number];
  /** Default: kernelSize (as in PyTorch). */
  stride?: number | [number, number];
  /** Implicit padding on each side (at most half the kernel). Default 0. */
  padding?: number | [number, number];
}

function poolArgs(where: string, o: Pool2dOptions) {
  const k = intTuple(where, 'kernelSize', o.kernelSize, 2, 1) as [number, number];
  const s = intTuple(where, 'stride', o.stride ?? k, 2, 1) as [number, number];
  const p = intTuple(where, 'padding', o.padding ?? 0, 2, 0) as [number, number];
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
    fail(
      where,
      'option padding',
      'at most half the kernel size',
      `padding=[${p}], kernelSize=[${k}]`,
    );
  }
  return { k, s, p };
}

const NHWC = { rank: 4, layout: '[N, H, W, C] (NHWC)' } as const;

/** Throws unless every window fits: size + 2 padding >= kernel on H and W. */
function checkWindows(where: string, x: tf.Tensor, o: Pool2dOptions): void {
  const { k, p } = poolArgs(where, o);
  const minH = k[0] - 2 * p[0];
  const minW = k[1] - 2 * p[1];
  if (x.shape[1]! < minH || x.shape[2]! < minW) {
    const need = `a spatial size of at least ${minH}x${minW} (kernel minus padding)`;
    fail(where, 'input', need, `${x.shape[1]}x${x.shape[2]} (shape ${shapeString(x.shape)})`);
  }
}

/** 2-D max pooling, PyTorch semantics (padding counts as -inf). x `[N, H, W, C]`. */
export function maxPool2d(x: tf.Tensor4D, o: Pool2dOptions): tf.Tensor4D {
  const { k, s, p } = poolArgs('maxPool2d', o);
  return tf.maxPool(x, k, s, [
    [0, 0],
    [p[0], p[0]],
    [p[1], p[1]],
    [0, 0],
  ] as never);
}

/**
 * 2-D average pooling, PyTorch semantics. With `countIncludePad` (PyTorch's default) padded zeros
 * count in the divisor. x `[N, H, W, C]`.
 */
export function avgPool2d(
  x: tf.Tensor4D,
  o: Pool2dOptions & { countIncludePad?: boolean },
): tf.Tensor4D {
  const { k, s, p } = poolArgs('avgPool2d', o);
  if (p[0] === 0 && p[1] === 0) return tf.avgPool(x, k, s, 'valid');
  if (o.countIncludePad ?? true) {
    return tf.tidy(() =>
      tf.avgPool(
        tf.pad(x, [
          [0, 0],
          [p[0], p[0]],
          [p[1], p[1]],
          [0, 0],
        ]),
        k,
        s,
        'valid',
      ),
    );
  }
  // Divide window sums by the number of real (unpadded) pixels in each window.
  return tf.tidy(() => {
    const pads: [number, number][] = [
      [0, 0],
      [p[0], p[0]],
      [p[1], p[1]],
      [0, 0],
    ];
    const sums = tf.mul(tf.avgPool(tf.pad(x, pads), k, s, 'valid'), k[0] * k[1]);
    const ones = tf.pad(tf.ones([1, x.shape[1], x.shape[2], 1]), pads) as tf.Tensor4D;
    const counts = tf.mul(tf.avgPool(ones, k, s, 'valid'), k[0] * k[1]);
    return tf.div(sums, counts);
  });
}

/** `torch.nn.MaxPool2d` on NHWC: `[N, H, W, C]` -> `[N, H_out, W_out, C]`. */
export class MaxPool2d extends Module {
  readonly options: Pool2dOptions;
  constructor(opts: Pool2dOptions) {
    super();
    poolArgs('MaxPool2d', opts);
    this.options = { ...opts };
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    checkTensor('MaxPool2d.forward', 'input', x, NHWC);
    checkWindows('MaxPool2d.forward', x, this.options);
    return maxPool2d(x as tf.Tensor4D, this.options);
  }
  override extraRepr() {
    return JSON.stringify(this.options);
  }
}

/** `torch.nn.AvgPool2d` on NHWC (`countIncludePad` defaults to true, as in PyTorch). */
export class AvgPool2d extends Module {
  readonly options: Pool2dOptions & { countIncludePad?: boolean };
  constructor(opts: Pool2dOptions & { countIncludePad?: boolean }) {
    super();
    poolArgs('AvgPool2d', opts);
    this.options = { ...opts };
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    checkTensor('AvgPool2d.forward', 'input', x, NHWC);
    checkWindows('AvgPool2d.forward', x, this.options);
    return avgPool2d(x as tf.Tensor4D, this.options);
  }
  override extraRepr() {
    return JSON.stringify(this.options);
  }
}

export interface Pool1dOptions {
  kernelSize: number;
  /** Default: kernelSize. */
  stride?: number;
  /** Default 0. */
  padding?: number;
}

/** `torch.nn.MaxPool1d` on channels-last sequences: `[N, L, C]` -> `[N, L_out, C]`. */
export class MaxPool1d extends Module {
  readonly options: Pool1dOptions;
  constructor(opts: Pool1dOptions) {
    super();
    const k = intTuple('MaxPool1d', 'kernelSize', opts.kernelSize, 1, 1)[0]!;
    intTuple('MaxPool1d', 'stride', opts.stride ?? k, 1, 1);
    const p = intTuple('MaxPool1d', 'padding', opts.padding ?? 0, 1, 0)[0]!;
    if (p > k / 2)
      fail(
        'MaxPool1d',
        'option padding',
        'at most half the kernel size',
        `padding=${p}, kernelSize=${k}`,
      );
    this.options = { ...opts };
  }
  forward(x: tf.Tensor): tf.Tensor3D {
    checkTensor('MaxPool1d.forward', 'input', x, { rank: 3, layout: '[N, L, C] (channels last)' });
    const { kernelSize: k, stride, padding } = this.options;
    const minL = k - 2 * (padding ?? 0);
    if (x.shape[1]! < minL) {
      fail(
        'MaxPool1d.forward',
        'input',
        `a length of at least ${minL} (kernel minus padding)`,
        `${x.shape[1]} (shape ${shapeString(x.shape)})`,
      );
    }
    return tf.tidy(() => {
      const x4 = tf.expandDims(x, 1) as tf.Tensor4D; // [N, 1, L, C]
      const y = maxPool2d(x4, {
        kernelSize: [1, k],
        stride: [1, stride ?? k],
        padding: [0, padding ?? 0],
      });
      return tf.squeeze(y, [1]) as tf.Tensor3D;
    });
  }
  override extraRepr() {
    return JSON.stringify(this.options);
  }
}

/** Averaging matrix `[out, size]` of adaptive pooling: bin i covers [floor(i size / out), ceil((i + 1) size / out)). */
function adaptiveMatrix(size: number, out: number): tf.Tensor2D {
  const m = new Float32Array(out * size);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) m[i * size + j] = 1 / (end - start);
  }
  return tf.tensor2d(m, [out, size]);
}

/** Adaptive average pooling to `[outH, outW]`, PyTorch's bins. x `[N, H, W, C]`. */
export function adaptiveAvgPool2d(x: tf.Tensor4D, outputSize: [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const [oh, ow] = outputSize;
    if (h % oh === 0 && w % ow === 0) {
      const k: [number, number] = [h / oh, w / ow];
      return tf.avgPool(x, k, k, 'valid');
    }
    const ph = adaptiveMatrix(h, oh); // [oh, H]
    const pw = adaptiveMatrix(w, ow); // [ow, W]
    const xh = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, n * w * c]); // [H, N*W*C]
    const yh = tf.reshape(tf.matMul(ph, xh), [oh, n, w, c]); // [oh, N, W, C]
    const xw = tf.reshape(tf.transpose(yh, [2, 1, 0, 3]), [w, n * oh * c]); // [W, N*oh*C]
    const yw = tf.reshape(tf.matMul(pw, xw), [ow, n, oh, c]); // [ow, N, oh, C]
    return tf.transpose(yw, [1, 2, 0, 3]) as tf.Tensor4D; // [N, oh, ow, C]
  });
}

/** `torch.nn.AdaptiveAvgPool2d({ outputSize })` on NHWC: `[N, H, W, C]` -> `[N, outH, outW, C]`. */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: [number, number];
  constructor(opts: { outputSize: number | [number, number] }) {
    super();
    this.outputSize = intTuple('AdaptiveAvgPool2d', 'outputSize', opts.outputSize, 2, 1) as [
      number,
      number,
    ];
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    checkTensor('AdaptiveAvgPool2d.forward', 'input', x, NHWC);
    return adaptiveAvgPool2d(x as tf.Tensor4D, this.outputSize);
  }
  override extraRepr() {
    return `outputSize=[${this.outputSize}]`;
  }
}

/** Mean over the spatial axes. x `[N, H, W, C]` -> `[N, C]` (or `[N, 1, 1, C]` with keepDims). */
export function globalAvgPool2d(x: tf.Tensor4D, keepDims = false): tf.Tensor {
  return tf.mean(x, [1, 2], keepDims);
}

/** Global average pooling: `[N, H, W, C]` -> `[N, C]` (`keepDims`: `[N, 1, 1, C]`). */
export class GlobalAvgPool2d extends Module {
  readonly keepDims: boolean;
  constructor(opts: { keepDims?: boolean } = {}) {
    super();
    this.keepDims = opts.keepDims ?? false;
  }
  forward(x: tf.Tensor): tf.Tensor {
    checkTensor('GlobalAvgPool2d.forward', 'input', x, NHWC);
    return globalAvgPool2d(x as tf.Tensor4D, this.keepDims);
  }
}
