import { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';

export interface MovingSquaresOptions {
  /** Sequences. */
  count: number;
  /** Frames per sequence. */
  length: number;
  /** Frame side in pixels. Default 12. */
  size?: number;
  /** Side of the square in pixels. Default 3. */
  squareSize?: number;
  /** Seed: the same seed gives the same sequences. */
  seed: number;
}

/**
 * Seeded synthetic video for next-frame prediction: one bright square (value 1 on 0) per
 * sequence, starting at a random place and moving by a random velocity (vx, vy) ∈ {-1, 0, 1}²
 * \ {(0, 0)} pixels per frame, bouncing off the borders. Returns frames `[T, B, size, size, 1]`
 * (time major, NHWC), the layout `runCell` takes.
 *
 * @example
 * const frames = movingSquares({ count: 8, length: 6, seed: 0 }); // [6, 8, 12, 12, 1]
 */
export function movingSquares(opts: MovingSquaresOptions): tf.Tensor {
  const size = opts.size ?? 12;
  const side = opts.squareSize ?? 3;
  const g = new Generator(opts.seed);
  const { count: B, length: T } = opts;
  const data = new Float32Array(T * B * size * size);
  const span = size - side; // top-left corner in [0, span]
  for (let b = 0; b < B; b++) {
    let x = g.randint(span + 1);
    let y = g.randint(span + 1);
    let vx = 0;
    let vy = 0;
    while (vx === 0 && vy === 0) {
      vx = g.randint(3) - 1;
      vy = g.randint(3) - 1;
    }
    for (let t = 0; t < T; t++) {
      const base = (t * B + b) * size * size;
      for (let i = 0; i < side; i++) {
        for (let j = 0; j < side; j++) data[base + (y + i) * size + (x + j)] = 1;
      }
      // bounce: reverse a velocity component that would leave the frame
      if (x + vx < 0 || x + vx > span) vx = -vx;
      if (y + vy < 0 || y + vy > span) vy = -vy;
      x += vx;
      y += vy;
    }
  }
  return tf.tensor(data, [T, B, size, size, 1]);
}
