import { fail, nonNegativeInt, positiveInt } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { generatorFrom, type SeedOptions } from './random.js';

/** Options of `makeMovingSquares`. */
export interface MovingSquaresOptions extends SeedOptions {
  /** Number of sequences N. Default 16. */
  nSamples?: number;
  /** Frames per sequence T. Default 10. */
  length?: number;
  /** Frame side in pixels. Default 12. */
  size?: number;
  /** Side of the square in pixels (smaller than `size`, so that it can move). Default 3. */
  squareSize?: number;
}

/**
 * Moving squares: seeded synthetic video for next-frame prediction, a small stand-in for the
 * Moving MNIST of Shi et al. 2015 ("Convolutional LSTM Network"). Each sequence holds one bright
 * square (1 on 0) that starts at a uniform position and moves by a uniform velocity
 * (vx, vy) in {-1, 0, 1}^2 \ {(0, 0)} pixels per frame, bouncing off the borders (a velocity
 * component that would leave the frame is reversed first). Frames float32
 * `[T, N, size, size, 1]`: time major and NHWC, the layout `runCell` and ConvLSTM take.
 *
 * @example
 * const frames = makeMovingSquares({ nSamples: 8, length: 6, seed: 0 }); // [6, 8, 12, 12, 1]
 */
export function makeMovingSquares(opts: MovingSquaresOptions = {}): tf.Tensor5D {
  const where = 'makeMovingSquares';
  const n = nonNegativeInt(where, 'nSamples', opts.nSamples ?? 16);
  const t = positiveInt(where, 'length', opts.length ?? 10);
  const size = positiveInt(where, 'size', opts.size ?? 12);
  const side = positiveInt(where, 'squareSize', opts.squareSize ?? 3);
  if (side >= size) fail(where, 'option squareSize', `less than size (${size})`, side);
  const g = generatorFrom(opts);
  const data = new Float32Array(t * n * size * size); // [T, N, size, size, 1]
  const span = size - side; // the top-left corner stays in [0, span]
  for (let b = 0; b < n; b++) {
    let x = g.randint(span + 1);
    let y = g.randint(span + 1);
    let vx = 0;
    let vy = 0;
    while (vx === 0 && vy === 0) {
      vx = g.randint(3) - 1;
      vy = g.randint(3) - 1;
    }
    for (let s = 0; s < t; s++) {
      const frame = (s * n + b) * size * size;
      for (let i = 0; i < side; i++) {
        for (let j = 0; j < side; j++) data[frame + (y + i) * size + (x + j)] = 1;
      }
      // Bounce: reverse a velocity component that would leave the frame.
      if (x + vx < 0 || x + vx > span) vx = -vx;
      if (y + vy < 0 || y + vy > span) vy = -vy;
      x += vx;
      y += vy;
    }
  }
  return tf.tensor5d(data, [t, n, size, size, 1]);
}
