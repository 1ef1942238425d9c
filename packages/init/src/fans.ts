/**
 * Fan computation and nonlinearity gains, with PyTorch's rules (`torch.nn.init`).
 *
 * Shapes here are in PyTorch layout: Linear `[out, in]`, ConvNd `[out, in / groups, ...kernel]`,
 * ConvTransposeNd `[in, out / groups, ...kernel]`.
 */

/** Fans of a weight in PyTorch layout: fan_in = shape[1] * receptive, fan_out = shape[0] * receptive. */
export function calculateFanInAndFanOut(torchShape: readonly number[]): {
  fanIn: number;
  fanOut: number;
} {
  if (torchShape.length < 2) {
    throw new RangeError(
      `calculateFanInAndFanOut: shape expected at least 2 dimensions, got [${torchShape.join(', ')}]`,
    );
  }
  let receptive = 1;
  for (let i = 2; i < torchShape.length; i++) receptive *= torchShape[i]!;
  return { fanIn: torchShape[1]! * receptive, fanOut: torchShape[0]! * receptive };
}

export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

/**
 * Recommended gain for a nonlinearity, PyTorch's `calculate_gain` table:
 * linear/conv/sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu: sqrt(2 / (1 + slope^2))
 * (slope defaults to 0.01); selu: 3/4.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) {
        throw new RangeError(`calculateGain: negative_slope expected a finite number, got ${slope}`);
      }
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new RangeError(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}
