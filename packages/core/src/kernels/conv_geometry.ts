import { backend_util } from '@tensorflow/tfjs-core';

/** A 4-D shape, `[N, H, W, C]` for data or `[kh, kw, C_in, C_out | M]` for a filter. */
type Shape4 = [number, number, number, number];

/** The attributes every convolution-gradient kernel shares (tfjs's `*Attrs` have these). */
export interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: [number, number] | number;
}

/**
 * The `Conv2DInfo` of a (depthwise) convolution gradient kernel on NHWC data, from the input's
 * and the filter's shapes and the kernel's attributes. Plain convolutions use dilation 1 (tfjs's
 * Conv2DBackprop* kernels have none); depthwise ones `attrs.dilations`, 1 when absent.
 */
export function convGradInfo(
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvGradAttrs,
  depthwise: boolean,
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    inShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    depthwise ? (attrs.dilations ?? 1) : 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/** A `Conv2DInfo` flattened to the short names the gradient loops use. */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  /** Input channels. */
  ci: number;
  outHeight: number;
  outWidth: number;
  /** Output channels (C_in * M for depthwise). */
  co: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Padding above and to the left. */
  top: number;
  left: number;
}

/** The geometry of `info` under short names, for the loops of the convolution gradients. */
export function convGeometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    ci: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    co: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}
