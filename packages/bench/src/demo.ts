import {
  accuracy,
  type BackendName,
  crossEntropy,
  Generator,
  Linear,
  Sequential,
  SGD,
  setBackend,
  Tanh,
  trainStep,
} from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';

/** A labelled 2-D point set. */
export interface PointSet {
  /** `[n, 2]` row-major coordinates. */
  points: Float32Array;
  /** 0 or 1 per point. */
  labels: number[];
}

/**
 * Two interleaving half circles ("two moons", as scikit-learn's `make_moons`), centred near the
 * origin: class 0 on (cos t, sin t), class 1 on (1 - cos t, 1/2 - sin t), t ~ U(0, pi), plus
 * N(0, noise^2) on each coordinate. Classes alternate, so any prefix is balanced.
 */
export function twoMoons(n: number, noise: number, g: Generator): PointSet {
  const points = new Float32Array(n * 2);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = Math.PI * g.random();
    const [px, py] =
      label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    points[2 * i] = px - 0.5 + noise * g.normal();
    points[2 * i + 1] = py - 0.25 + noise * g.normal();
    labels.push(label);
  }
  return { points, labels };
}

export interface DemoOptions {
  /** SGD steps (full batch). Default 300. */
  steps?: number;
  /** Print the loss every this many steps. Default 25. */
  logEvery?: number;
  /** Seeds data and weights. Default 0. */
  seed?: number;
  /** Default 'wasm'. */
  backend?: BackendName;
  /** Learning rate of plain SGD. Default 0.5. */
  lr?: number;
  /** Where lines go. Default console.log. */
  log?: (line: string) => void;
}

export interface DemoResult {
  backend: BackendName;
  /** Loss before each step (index 0: at initialization) and after the last one: `steps + 1` values. */
  losses: number[];
  trainAccuracy: number;
  testAccuracy: number;
  numParameters: number;
}

/**
 * The `archzoo demo`: an MLP 2 -> 16 -> 16 -> 2 (Tanh) built from archzoo layers learns to
 * separate two moons (256 training points, 256 test points, noise 0.15) with full-batch plain SGD
 * (core's `SGD`, stepped by `trainStep`) on core's `crossEntropy`. Seeded: the same seed gives the same numbers on the same backend.
 */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const steps = opts.steps ?? 300;
  const logEvery = opts.logEvery ?? 25;
  const seed = opts.seed ?? 0;
  const lr = opts.lr ?? 0.5;
  const log = opts.log ?? ((line: string) => console.log(line));
  const backend = await setBackend(opts.backend ?? 'wasm');
  const g = new Generator(seed);
  const train = twoMoons(256, 0.15, g);
  const test = twoMoons(256, 0.15, g);
  const model = new Sequential(
    new Linear({ inFeatures: 2, outFeatures: 16, generator: g }),
    new Tanh(),
    new Linear({ inFeatures: 16, outFeatures: 16, generator: g }),
    new Tanh(),
    new Linear({ inFeatures: 16, outFeatures: 2, generator: g }),
  );
  const x = tf.tensor2d(train.points, [train.labels.length, 2]);
  const y = tf.tensor1d(train.labels, 'int32');
  const xTest = tf.tensor2d(test.points, [test.labels.length, 2]);
  const yTest = tf.tensor1d(test.labels, 'int32');
  const params = model.parameters();
  const opt = new SGD(params, { lr });
  const numParameters = model.numParameters();
  log(
    `archzoo demo: two moons (256 train / 256 test points), MLP 2-16-16-2 with Tanh (${numParameters} parameters)`,
  );
  log(`backend ${backend}, full-batch SGD lr ${lr}, ${steps} steps, seed ${seed}`);
  const losses: number[] = [];
  try {
    const t0 = performance.now();
    for (let step = 0; step < steps; step++) {
      // trainStep returns the loss before its update: losses[step] is the loss after `step` updates.
      losses.push(trainStep(() => crossEntropy(model.forward(x), y), params, opt));
      if (step % logEvery === 0)
        log(`step ${String(step).padStart(4)}  loss ${losses[step]!.toFixed(4)}`);
    }
    const finalLoss = tf.tidy(() => crossEntropy(model.forward(x), y));
    losses.push((await finalLoss.data())[0]!);
    finalLoss.dispose();
    const trainLogits = model.forward(x);
    const testLogits = model.forward(xTest);
    const trainAccuracy = accuracy(trainLogits, y);
    const testAccuracy = accuracy(testLogits, yTest);
    tf.dispose([trainLogits, testLogits]);
    const seconds = (performance.now() - t0) / 1000;
    log(
      `step ${String(steps).padStart(4)}  loss ${losses[steps]!.toFixed(4)}  (final; started at ${losses[0]!.toFixed(4)})`,
    );
    log(
      `accuracy: train ${(100 * trainAccuracy).toFixed(1)}%, test ${(100 * testAccuracy).toFixed(1)}%  (${seconds.toFixed(2)} s)`,
    );
    return { backend, losses, trainAccuracy, testAccuracy, numParameters };
  } finally {
    model.dispose();
    opt.dispose();
    tf.dispose([x, y, xTest, yTest]);
  }
}
