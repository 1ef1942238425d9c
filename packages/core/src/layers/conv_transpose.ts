import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, fail, intTuple, positiveInt } from '../errors.js';
import { CONV2D_WEIGHT } from '../layout.js';
import { Module } from '../module.js';
import { dilateFilter } from './conv.js';
import { checkGroups, convParameters } from './conv_options.js';

export interface ConvTranspose2dArgs {
  stride?: number | [number, number];
  padding?: number | [number, number];
  outputPadding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
}

/**
 * Transposed 2-D convolution (the gradient of conv2d with respect to its input), PyTorch semantics, NHWC.
 * x: `[N, H, W, C_in]`, weight: `[kh, kw, C_out / groups, C_in]`, bias `[C_out]`
 * -> `[N, H_out, W_out, C_out]` with H_out = (H - 1) s - 2 p + d (kh - 1) + outputPadding + 1.
 */
export function convTranspose2d(
  x: tf.Tensor4D,
  weight: tf.Tensor4D,
  bias?: tf.Tensor | null,
  args: ConvTranspose2dArgs = {},
): tf.Tensor4D {
  return tf.tidy(() => {
    const [sh, sw] = intTuple('convTranspose2d', 'stride', args.stride ?? 1, 2, 1);
    const [ph, pw] = intTuple('convTranspose2d', 'padding', args.padding ?? 0, 2, 0);
    const [oph, opw] = intTuple('convTranspose2d', 'outputPadding', args.outputPadding ?? 0, 2, 0);
    const [dh, dw] = intTuple('convTranspose2d', 'dilation', args.dilation ?? 1, 2, 1);
    const groups = args.groups ?? 1;
    const w = dilateFilter(weight, dh!, dw!); // [kh', kw', C_out/g, C_in]
    const [kh, kw] = w.shape;
    const [n, h, wi] = x.shape;
    // Full ("valid") transposed output, then crop PyTorch's padding.
    const fullH = (h - 1) * sh! + kh + oph!;
    const fullW = (wi - 1) * sw! + kw + opw!;
    const outH = fullH - 2 * ph!;
    const outW = fullW - 2 * pw!;
    if (outH <= 0 || outW <= 0) {
      fail(
        'ConvTranspose2d.forward',
        'input',
        `a spatial size giving a positive output`,
        `output ${outH}x${outW} from input ${h}x${wi}`,
      );
    }
    const one = (xg: tf.Tensor4D, wg: tf.Tensor4D) => {
      // tfjs needs the output_padding rows inside the output shape; they receive no input taps.
      const full = tf.conv2dTranspose(
        xg,
        wg,
        [n, (h - 1) * sh! + kh, (wi - 1) * sw! + kw, wg.shape[2]],
        [sh!, sw!],
        'valid',
      );
      const padded =
        oph! > 0 || opw! > 0
          ? tf.pad(full, [
              [0, 0],
              [0, oph!],
              [0, opw!],
              [0, 0],
            ])
          : full;
      return tf.slice(padded, [0, ph!, pw!, 0], [n, outH, outW, wg.shape[2]]);
    };
    let y: tf.Tensor4D;
    if (groups === 1) {
      y = one(x, w);
    } else {
      const xs = tf.split(x, groups, 3);
      const ws = tf.split(w, groups, 3); // split along C_in
      y = tf.concat(
        xs.map((xg, g) => one(xg as tf.Tensor4D, ws[g] as tf.Tensor4D)),
        3,
      );
    }
    return bias ? tf.add(y, bias) : y;
  });
}

export interface ConvTranspose2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number | [number, number];
  /** Default 1. */
  stride?: number | [number, number];
  /** Implicit zero padding removed from each side of the output: dilation * (k - 1) - padding. Default 0. */
  padding?: number | [number, number];
  /** Extra rows/columns added on one side of the output. Default 0. */
  outputPadding?: number | [number, number];
  /** Default 1. */
  dilation?: number | [number, number];
  /** Default 1. */
  groups?: number;
  /** Default true. */
  bias?: boolean;
  generator?: Generator;
}

/**
 * `torch.nn.ConvTranspose2d` on NHWC tensors: `[N, H, W, inChannels]` -> `[N, H_out, W_out, outChannels]`.
 * Weight held `[kh, kw, out/groups, in]`; its PyTorch form is `[in, out/groups, kh, kw]`.
 * Init (PyTorch's default): U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with torch's fan_in of that weight,
 * fan_in = out/groups * kh * kw.
 */
export class ConvTranspose2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  weight: tf.Variable;
  bias: tf.Variable | null;

  constructor(opts: ConvTranspose2dOptions) {
    super();
    const n = 'ConvTranspose2d';
    this.inChannels = positiveInt(n, 'inChannels', opts.inChannels);
    this.outChannels = positiveInt(n, 'outChannels', opts.outChannels);
    this.kernelSize = intTuple(n, 'kernelSize', opts.kernelSize, 2, 1) as [number, number];
    this.stride = intTuple(n, 'stride', opts.stride ?? 1, 2, 1) as [number, number];
    this.padding = intTuple(n, 'padding', opts.padding ?? 0, 2, 0) as [number, number];
    this.outputPadding = intTuple(n, 'outputPadding', opts.outputPadding ?? 0, 2, 0) as [
      number,
      number,
    ];
    this.dilation = intTuple(n, 'dilation', opts.dilation ?? 1, 2, 1) as [number, number];
    this.groups = positiveInt(n, 'groups', opts.groups ?? 1);
    checkGroups(n, this.inChannels, this.outChannels, this.groups);
    for (let i = 0; i < 2; i++) {
      if (this.outputPadding[i]! >= Math.max(this.stride[i]!, this.dilation[i]!)) {
        fail(
          n,
          'option outputPadding',
          'smaller than stride or dilation',
          `outputPadding=[${this.outputPadding}], stride=[${this.stride}], dilation=[${this.dilation}]`,
        );
      }
    }
    const [kh, kw] = this.kernelSize;
    const fanIn = (this.outChannels / this.groups) * kh * kw;
    const shape = [kh, kw, this.outChannels / this.groups, this.inChannels];
    const p = convParameters(shape, CONV2D_WEIGHT, this.outChannels, fanIn, opts);
    this.weight = p.weight;
    this.bias = p.bias;
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    checkTensor('ConvTranspose2d.forward', 'input', x, {
      rank: 4,
      layout: '[N, H, W, C] (NHWC)',
      dims: { 3: this.inChannels },
      dimNames: { 3: 'channel dimension (last, NHWC)' },
    });
    return convTranspose2d(x as tf.Tensor4D, this.weight as tf.Tensor4D, this.bias, this);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}], outputPadding=[${this.outputPadding}], groups=${this.groups}`;
  }
}
