import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, describeValue, fail, intTuple, positiveInt, shapeString } from '../errors.js';
import { CONV1D_WEIGHT, CONV2D_WEIGHT } from '../layout.js';
import { Module } from '../module.js';
import { checkGroups, convParameters } from './conv_options.js';

/** PyTorch's `padding`: a number, a pair, or 'same' / 'valid'. */
export type Padding2d = number | [number, number] | 'same' | 'valid';

export interface Conv2dArgs {
  stride?: number | [number, number];
  padding?: Padding2d;
  dilation?: number | [number, number];
  groups?: number;
}

/** Explicit [top, bottom, left, right] padding for a kernel, as PyTorch computes it. */
export function convPadding(
  padding: Padding2d,
  kernel: readonly number[],
  dilation: readonly number[],
  where = 'conv2d',
): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    // total = dilation * (k - 1); PyTorch puts the odd pixel at the end.
    const th = dilation[0]! * (kernel[0]! - 1);
    const tw = dilation[1]! * (kernel[1]! - 1);
    return [
      Math.floor(th / 2),
      th - Math.floor(th / 2),
      Math.floor(tw / 2),
      tw - Math.floor(tw / 2),
    ];
  }
  const [ph, pw] = intTuple(where, 'padding', padding, 2, 0);
  return [ph!, ph!, pw!, pw!];
}

/**
 * Spreads a `[kh, kw, i, o]` filter to its dilated form `[d_h (kh - 1) + 1, d_w (kw - 1) + 1, i, o]`
 * with zeros between taps. A dilated convolution equals a plain one with this filter, and the
 * plain one has gradients (tfjs has none for dilation > 1) and may be strided.
 */
export function dilateFilter(w: tf.Tensor4D, dh: number, dw: number): tf.Tensor4D {
  if (dh === 1 && dw === 1) return w;
  // Rows, then columns, each by padding a new axis of size 1 to d; rank <= 4 throughout, as
  // webgl's pad shader fails to compile for rank 6.
  return tf.tidy(() => {
    const [kh, kw, i, o] = w.shape;
    const h = dh * (kh - 1) + 1;
    const v = dw * (kw - 1) + 1;
    const rows = tf.pad(tf.reshape(w, [kh, 1, kw * i * o]), [
      [0, 0],
      [0, dh - 1],
      [0, 0],
    ]); // [kh, dh, kw*i*o]
    const wh = tf.slice(tf.reshape(rows, [kh * dh, kw, 1, i * o]), 0, h); // [h, kw, 1, i*o]
    const cols = tf.pad(wh, [
      [0, 0],
      [0, 0],
      [0, dw - 1],
      [0, 0],
    ]); // [h, kw, dw, i*o]
    const full = tf.slice(tf.reshape(cols, [h, kw * dw, i * o]), [0, 0, 0], [h, v, i * o]); // [h, v, i*o]
    return tf.reshape(full, [h, v, i, o]) as tf.Tensor4D;
  });
}

/**
 * 2-D convolution with PyTorch's semantics on NHWC tensors.
 * x: `[N, H, W, C_in]`, weight: `[kh, kw, C_in / groups, C_out]`, bias: `[C_out]`
 * -> `[N, H_out, W_out, C_out]`, H_out = floor((H + pt + pb - d (kh - 1) - 1) / s + 1).
 */
export function conv2d(
  x: tf.Tensor4D,
  weight: tf.Tensor4D,
  bias?: tf.Tensor | null,
  args: Conv2dArgs = {},
): tf.Tensor4D {
  return tf.tidy(() => {
    const stride = intTuple('conv2d', 'stride', args.stride ?? 1, 2, 1) as [number, number];
    const dilation = intTuple('conv2d', 'dilation', args.dilation ?? 1, 2, 1);
    const groups = args.groups ?? 1;
    const padding = args.padding ?? 0;
    if (padding === 'same' && (stride[0] !== 1 || stride[1] !== 1)) {
      fail(
        'conv2d',
        'padding',
        "'same' only with stride 1 (as in PyTorch)",
        `stride ${JSON.stringify(stride)}`,
      );
    }
    const [kh, kw] = weight.shape;
    const [pt, pb, pl, pr] = convPadding(padding, [kh, kw], dilation);
    const w = dilateFilter(weight, dilation[0]!, dilation[1]!);
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ];
    const cin = x.shape[3];
    let y: tf.Tensor4D;
    if (groups === 1) {
      y = tf.conv2d(x, w, stride, pad);
    } else if (groups === cin && w.shape[2] === 1) {
      // Depthwise: output channel c * mult + m reads input channel c, as in PyTorch.
      const mult = w.shape[3] / cin;
      const wd = tf.reshape(w, [w.shape[0], w.shape[1], cin, mult]) as tf.Tensor4D; // [kh, kw, C_in, mult]
      y = tf.depthwiseConv2d(x, wd, stride, pad);
    } else {
      const xs = tf.split(x, groups, 3);
      const ws = tf.split(w, groups, 3);
      y = tf.concat(
        xs.map((xg, g) => tf.conv2d(xg as tf.Tensor4D, ws[g] as tf.Tensor4D, stride, pad)),
        3,
      );
    }
    return bias ? tf.add(y, bias) : y;
  });
}

export interface Conv2dOptions {
  /** Channels of the input (its last axis: NHWC). */
  inChannels: number;
  /** Channels produced. */
  outChannels: number;
  /** Kernel size, one number or [kh, kw]. */
  kernelSize: number | [number, number];
  /** Default 1. */
  stride?: number | [number, number];
  /** Zero padding on each side, or 'same' (stride 1 only) / 'valid'. Default 0. */
  padding?: Padding2d;
  /** Spacing between kernel taps. Default 1. */
  dilation?: number | [number, number];
  /** Blocked connections: inChannels and outChannels must both divide by it. Default 1. */
  groups?: number;
  /** Default true. */
  bias?: boolean;
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/**
 * `torch.nn.Conv2d` on NHWC tensors: input `[N, H, W, inChannels]`, output `[N, H_out, W_out, outChannels]`.
 * Weight held `[kh, kw, in/groups, out]`; its PyTorch form is `[out, in/groups, kh, kw]`.
 *
 * Init (PyTorch's default): W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in/groups * kh * kw.
 *
 * @example
 * const conv = new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1 });
 * conv.forward(tf.zeros([2, 32, 32, 3])); // [2, 32, 32, 8]
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Padding2d;
  readonly dilation: [number, number];
  readonly groups: number;
  /** `[kh, kw, in/groups, out]`; PyTorch `[out, in/groups, kh, kw]`. */
  weight: tf.Variable;
  bias: tf.Variable | null;

  constructor(opts: Conv2dOptions) {
    super();
    const n = this.typeName;
    this.inChannels = positiveInt(n, 'inChannels', opts.inChannels);
    this.outChannels = positiveInt(n, 'outChannels', opts.outChannels);
    this.kernelSize = intTuple(n, 'kernelSize', opts.kernelSize, 2, 1) as [number, number];
    this.stride = intTuple(n, 'stride', opts.stride ?? 1, 2, 1) as [number, number];
    this.dilation = intTuple(n, 'dilation', opts.dilation ?? 1, 2, 1) as [number, number];
    this.groups = positiveInt(n, 'groups', opts.groups ?? 1);
    this.padding = opts.padding ?? 0;
    if (typeof this.padding === 'string' && this.padding !== 'same' && this.padding !== 'valid') {
      fail(
        n,
        'option padding',
        "an integer >= 0, 2 of them, 'same' or 'valid'",
        describeValue(this.padding),
      );
    }
    if (this.padding !== 'same' && this.padding !== 'valid')
      intTuple(n, 'padding', this.padding, 2, 0);
    if (this.padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      fail(
        n,
        'option padding',
        "'same' only with stride 1 (as in PyTorch)",
        `stride ${JSON.stringify(this.stride)}`,
      );
    }
    checkGroups(n, this.inChannels, this.outChannels, this.groups);
    const [kh, kw] = this.kernelSize;
    const fanIn = (this.inChannels / this.groups) * kh * kw;
    const shape = [kh, kw, this.inChannels / this.groups, this.outChannels];
    const p = convParameters(shape, CONV2D_WEIGHT, this.outChannels, fanIn, opts);
    this.weight = p.weight;
    this.bias = p.bias;
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    checkTensor(`${this.typeName}.forward`, 'input', x, {
      rank: 4,
      layout: '[N, H, W, C] (NHWC)',
      dims: { 3: this.inChannels },
      dimNames: { 3: 'channel dimension (last, NHWC)' },
    });
    const [pt, pb, pl, pr] = convPadding(this.padding, this.kernelSize, this.dilation);
    const minH = this.dilation[0] * (this.kernelSize[0] - 1) + 1 - pt - pb;
    const minW = this.dilation[1] * (this.kernelSize[1] - 1) + 1 - pl - pr;
    if (x.shape[1]! < minH || x.shape[2]! < minW) {
      const need = `a spatial size of at least ${minH}x${minW} (dilated kernel minus padding)`;
      fail(
        `${this.typeName}.forward`,
        'input',
        need,
        `${x.shape[1]}x${x.shape[2]} (shape ${shapeString(x.shape)})`,
      );
    }
    return conv2d(x as tf.Tensor4D, this.weight as tf.Tensor4D, this.bias, this);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=${JSON.stringify(this.padding)}, dilation=[${this.dilation}], groups=${this.groups}, bias=${this.bias !== null}`;
  }
}

export interface Conv1dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  /** Default 1. */
  stride?: number;
  /** Zero padding on each side, or 'same' (stride 1 only) / 'valid'. Default 0. */
  padding?: number | 'same' | 'valid';
  /** Default 1. */
  dilation?: number;
  /** Default 1. */
  groups?: number;
  /** Default true. */
  bias?: boolean;
  generator?: Generator;
}

/**
 * `torch.nn.Conv1d` on channels-last sequences: input `[N, L, inChannels]`, output `[N, L_out, outChannels]`.
 * Weight held `[k, in/groups, out]`; its PyTorch form is `[out, in/groups, k]`.
 * Init: W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in/groups * k.
 */
export class Conv1d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number | 'same' | 'valid';
  readonly dilation: number;
  readonly groups: number;
  /** `[k, in/groups, out]`; PyTorch `[out, in/groups, k]`. */
  weight: tf.Variable;
  bias: tf.Variable | null;

  constructor(opts: Conv1dOptions) {
    super();
    const n = 'Conv1d';
    this.inChannels = positiveInt(n, 'inChannels', opts.inChannels);
    this.outChannels = positiveInt(n, 'outChannels', opts.outChannels);
    this.kernelSize = positiveInt(n, 'kernelSize', opts.kernelSize);
    this.stride = positiveInt(n, 'stride', opts.stride ?? 1);
    this.dilation = positiveInt(n, 'dilation', opts.dilation ?? 1);
    this.groups = positiveInt(n, 'groups', opts.groups ?? 1);
    this.padding = opts.padding ?? 0;
    if (typeof this.padding === 'string' && this.padding !== 'same' && this.padding !== 'valid') {
      fail(n, 'option padding', "an integer >= 0, 'same' or 'valid'", describeValue(this.padding));
    }
    if (this.padding !== 'same' && this.padding !== 'valid')
      intTuple(n, 'padding', this.padding, 1, 0);
    if (this.padding === 'same' && this.stride !== 1)
      fail(n, 'option padding', "'same' only with stride 1", `stride ${this.stride}`);
    checkGroups(n, this.inChannels, this.outChannels, this.groups);
    const fanIn = (this.inChannels / this.groups) * this.kernelSize;
    const shape = [this.kernelSize, this.inChannels / this.groups, this.outChannels];
    const p = convParameters(shape, CONV1D_WEIGHT, this.outChannels, fanIn, opts);
    this.weight = p.weight;
    this.bias = p.bias;
  }

  forward(x: tf.Tensor): tf.Tensor3D {
    checkTensor('Conv1d.forward', 'input', x, {
      rank: 3,
      layout: '[N, L, C] (channels last)',
      dims: { 2: this.inChannels },
      dimNames: { 2: 'channel dimension (last)' },
    });
    const pad1d: Padding2d = typeof this.padding === 'number' ? [0, this.padding] : this.padding;
    const [, , pl, pr] = convPadding(pad1d, [1, this.kernelSize], [1, this.dilation]);
    const minL = this.dilation * (this.kernelSize - 1) + 1 - pl - pr;
    if (x.shape[1]! < minL) {
      const need = `a length of at least ${minL} (dilated kernel minus padding)`;
      fail('Conv1d.forward', 'input', need, `${x.shape[1]} (shape ${shapeString(x.shape)})`);
    }
    return tf.tidy(() => {
      const [nb, len, cin] = x.shape;
      const x4 = tf.reshape(x, [nb, 1, len, cin]) as tf.Tensor4D; // [N, 1, L, C]
      const w4 = tf.expandDims(this.weight, 0) as tf.Tensor4D; // [1, k, in/g, out]
      const padding: Padding2d =
        typeof this.padding === 'number' ? [0, this.padding] : this.padding;
      const y = conv2d(x4, w4, this.bias, {
        stride: [1, this.stride],
        padding,
        dilation: [1, this.dilation],
        groups: this.groups,
      });
      return tf.squeeze(y, [1]) as tf.Tensor3D; // [N, L_out, out]
    });
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${JSON.stringify(this.padding)}, dilation=${this.dilation}, groups=${this.groups}, bias=${this.bias !== null}`;
  }
}
