import { Adam, Conv2d, Generator, setBackend, trainStep } from '@archzoo/core';
import { makeMovingSquares } from '@archzoo/datasets';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConvLSTMCell } from './conv_lstm.js';
import { runCell } from './run_cell.js';

// ConvLSTM learns the motion of squares: after a short training it predicts the next frame of
// held-out sequences better than repeating the last frame (whose error is the pixels the square
// leaves and enters). Small budget: 300 Adam steps, about 7 s on a loaded 2-core machine (wasm).

const T = 6; // frames per sequence: 5 inputs, 5 next-frame targets
const SIZE = 10;

/** Next-frame predictions `[T - 1, B, S, S, 1]` from frames 0 .. T-2. */
function predict(cell: ConvLSTMCell, readout: Conv2d, frames: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inputs = tf.slice(frames, 0, T - 1); // [T-1, B, S, S, 1]
    const { outputs } = runCell(cell, inputs); // [T-1, B, S, S, hidden]
    const [t, b, h, w, c] = outputs.shape as number[];
    const flat = tf.reshape(outputs, [t! * b!, h!, w!, c!]);
    return tf.reshape(tf.sigmoid(readout.forward(flat)), [t!, b!, h!, w!, 1]);
  });
}

const mse = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.mean(tf.squaredDifference(a, b)));

describe('ConvLSTM learning (moving squares)', () => {
  beforeAll(() => setBackend('wasm'));

  it('beats "repeat the last frame" on held-out sequences', () => {
    const g = new Generator(0);
    const cell = new ConvLSTMCell({ inputSize: 1, hiddenSize: 8, kernelSize: 3, generator: g });
    const readout = new Conv2d({ inChannels: 8, outChannels: 1, kernelSize: 1, generator: g });
    const params = [...cell.parameters(), ...readout.parameters()];
    const opt = new Adam(params, { lr: 0.02 });
    const train = makeMovingSquares({ nSamples: 64, length: T, size: SIZE, seed: 1 });
    const test = makeMovingSquares({ nSamples: 32, length: T, size: SIZE, seed: 2 });
    const batch = 16;
    const t0 = Date.now();
    let last = Number.NaN;
    for (let it = 0; it < 300; it++) {
      const start = (it * batch) % 64;
      const frames = tf.slice(train, [0, start], [T, batch]);
      const target = tf.slice(frames, 1, T - 1);
      last = trainStep(() => mse(predict(cell, readout, frames), target), params, opt);
      tf.dispose([frames, target]);
    }
    const seconds = (Date.now() - t0) / 1000;
    const target = tf.slice(test, 1, T - 1);
    const model = mse(predict(cell, readout, test), target).dataSync()[0]!;
    const repeat = mse(tf.slice(test, 0, T - 1), target).dataSync()[0]!;
    const blank = tf.tidy(() => tf.mean(tf.square(target))).dataSync()[0]!; // predicting an empty frame
    console.log(
      `ConvLSTM next-frame MSE ${model.toFixed(4)} vs repeat-last-frame ${repeat.toFixed(4)}, blank frame ${blank.toFixed(4)} (train loss ${last.toFixed(4)}, ${seconds.toFixed(1)} s)`,
    );
    // Measured: 0.026 vs 0.086 (blank 0.09) after 300 steps.
    expect(model).toBeLessThan(0.5 * repeat);
    expect(model).toBeLessThan(0.5 * blank);
    tf.dispose([train, test, target]);
    opt.dispose();
    cell.dispose();
    readout.dispose();
  });
});
