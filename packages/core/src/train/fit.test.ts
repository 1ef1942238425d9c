import { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm1d, Linear, ReLU, Sequential } from '../index.js';
import { crossEntropy } from '../losses/cross_entropy.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { testBackends, useBackend } from '../testing/backends.js';
import { EarlyStopping } from './callbacks.js';
import { evaluate, fit, predict } from './fit.js';
import { accuracy } from './metrics.js';
import { type Batch, NonFiniteLossError, trainStep } from './step.js';

/** Two Gaussian blobs in 2-D, labels 0/1, as fixed batches. */
function blobs(n: number, batch: number, seed: number): Batch[] {
  const g = new Generator(seed);
  const out: Batch[] = [];
  for (let i = 0; i < n; i += batch) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let j = 0; j < batch; j++) {
      const label = g.randint(2);
      xs.push(g.normal() * 0.5 + (label ? 1.5 : -1.5), g.normal() * 0.5 + (label ? 1 : -1));
      ys.push(label);
    }
    out.push({ x: tf.tensor2d(xs, [batch, 2]), y: tf.tensor1d(ys, 'int32') });
  }
  return out;
}

function mlp(seed: number) {
  const g = new Generator(seed);
  return new Sequential(
    new Linear({ inFeatures: 2, outFeatures: 16, generator: g }),
    new BatchNorm1d({ numFeatures: 16 }),
    new ReLU(),
    new Linear({ inFeatures: 16, outFeatures: 2, generator: g }),
  );
}

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, columns: 200, write: (s: string) => chunks.push(s), chunks };
}

for (const backend of testBackends()) {
  describe(`fit on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('trains: loss falls, accuracy and validation logged, one plain line per epoch off a TTY', async () => {
      const data = blobs(256, 32, 1);
      const val = blobs(128, 64, 2);
      const model = mlp(0);
      const out = sink(false);
      const history = await fit(model, data, {
        loss: crossEntropy,
        optimizer: new Adam(model.parameters(), { lr: 0.05 }),
        epochs: 4,
        metrics: { accuracy },
        validation: val,
        progressSink: out,
      });
      expect(history.epochs).toHaveLength(4);
      expect(history.epochs[3]!.loss).toBeLessThan(history.epochs[0]!.loss * 0.7);
      expect(history.epochs[3]!.val_accuracy).toBeGreaterThan(0.95);
      expect(out.chunks.filter((c) => c.startsWith('epoch '))).toHaveLength(4);
      expect(out.chunks.join('')).not.toContain('\r');
      expect(model.training).toBe(true);
      tf.dispose([...data.flatMap((b) => [b.x, b.y]), ...val.flatMap((b) => [b.x, b.y])]);
      model.dispose();
    });

    it('draws a live bar on a TTY and prints nothing when verbose is 0', async () => {
      const data = blobs(64, 32, 3);
      const model = mlp(1);
      const tty = sink(true);
      await fit(model, data, {
        loss: crossEntropy,
        optimizer: new SGD(model.parameters(), { lr: 0.1 }),
        progressSink: tty,
      });
      expect(
        tty.chunks.some(
          (c) => c.startsWith('\r') && c.includes('samples/s') && c.includes('loss='),
        ),
      ).toBe(true);
      const quiet = sink(true);
      await fit(model, data, {
        loss: crossEntropy,
        optimizer: new SGD(model.parameters(), { lr: 0.1 }),
        progressSink: quiet,
        verbose: 0,
      });
      expect(quiet.chunks).toHaveLength(0);
      tf.dispose(data.flatMap((b) => [b.x, b.y]));
      model.dispose();
    });

    it('keeps tensor count flat over 200 training steps', async () => {
      const data = blobs(64, 32, 4);
      const model = mlp(2);
      const optimizer = new Adam(model.parameters(), { lr: 0.01 });
      await fit(model, data, { loss: crossEntropy, optimizer, epochs: 1, verbose: 0 }); // optimizer state exists now
      const before = tf.memory().numTensors;
      await fit(model, data, {
        loss: crossEntropy,
        optimizer,
        epochs: 100,
        verbose: 0,
        metrics: { accuracy },
      });
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(data.flatMap((b) => [b.x, b.y]));
      model.dispose();
    });

    it('stops on a NaN loss naming the step, with the last good weights kept', async () => {
      const data = blobs(128, 32, 5);
      const model = mlp(3);
      let calls = 0;
      const poisoned = (out: tf.Tensor, y: tf.Tensor) => {
        calls += 1;
        return calls === 3 ? tf.mul(crossEntropy(out, y), Number.NaN) : crossEntropy(out, y);
      };
      let snapshot: Float32Array[] = [];
      const err = await fit(model, data, {
        loss: poisoned,
        optimizer: new SGD(model.parameters(), { lr: 0.1 }),
        verbose: 0,
        callbacks: [
          {
            onStepEnd: () => {
              snapshot = model.parameters().map((p) => p.dataSync().slice() as Float32Array);
            },
          },
        ],
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NonFiniteLossError);
      expect((err as NonFiniteLossError).step).toBe(2);
      expect((err as Error).message).toMatch(/NaN at step 2/);
      model
        .parameters()
        .forEach((p, i) => expect(Array.from(p.dataSync())).toEqual(Array.from(snapshot[i]!)));
      tf.dispose(data.flatMap((b) => [b.x, b.y]));
      model.dispose();
    });

    it('early stopping stops and restores the best weights', async () => {
      const data = blobs(64, 32, 6);
      const model = mlp(4);
      let epoch = 0;
      const es = new EarlyStopping({ monitor: 'score', patience: 1 });
      // A made-up monitored log that is best at epoch 1 and worse afterwards.
      const scores = [3, 1, 2, 5, 6, 7];
      const weightsAt: number[][] = [];
      const history = await fit(model, data, {
        loss: crossEntropy,
        optimizer: new SGD(model.parameters(), { lr: 0.1 }),
        epochs: 6,
        verbose: 0,
        callbacks: [
          {
            onEpochEnd: ({ logs }) => {
              logs.score = scores[epoch]!;
              weightsAt.push(Array.from(model.parameters()[0]!.dataSync()));
              epoch += 1;
            },
          },
          es,
        ],
      });
      expect(history.stoppedEarly).toBe(true);
      expect(history.epochs).toHaveLength(3);
      expect(es.bestEpoch).toBe(1);
      expect(Array.from(model.parameters()[0]!.dataSync())).toEqual(weightsAt[1]);
      tf.dispose(data.flatMap((b) => [b.x, b.y]));
      model.dispose();
    });

    it('evaluate and predict run in eval mode, in batches, and restore the mode', () => {
      const data = blobs(64, 32, 7);
      const model = mlp(5);
      const x = tf.concat(data.map((b) => b.x));
      const full = tf.tidy(() => model.eval().forward(x));
      model.train();
      const batched = predict(model, x, { batchSize: 24 });
      expect(model.training).toBe(true);
      expect(batched.shape).toEqual([64, 2]);
      expect(Array.from(batched.dataSync())).toEqual(Array.from(full.dataSync()));
      const res = evaluate(model, data, { loss: crossEntropy, metrics: { accuracy } });
      expect(Object.keys(res).sort()).toEqual(['accuracy', 'loss']);
      expect(model.training).toBe(true);
      tf.dispose([x, full, batched, ...data.flatMap((b) => [b.x, b.y])]);
      model.dispose();
    });

    it('trainStep drives a custom loop with two optimizers (GAN-style alternation)', () => {
      const g = new Generator(9);
      const gen = new Linear({ inFeatures: 2, outFeatures: 2, generator: g });
      const disc = new Linear({ inFeatures: 2, outFeatures: 1, generator: g });
      const optG = new SGD(gen.parameters(), { lr: 0.05 });
      const optD = new SGD(disc.parameters(), { lr: 0.05 });
      const z = tf.randomNormal([8, 2], 0, 1, 'float32', 1);
      const real = tf.add(tf.randomNormal([8, 2], 0, 1, 'float32', 2), 3);
      const genBefore = Array.from(gen.weight.dataSync());
      const discBefore = Array.from(disc.weight.dataSync());
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        trainStep(
          () => tf.sub(tf.mean(disc.forward(gen.forward(z))), tf.mean(disc.forward(real))),
          disc.parameters(),
          optD,
        );
        trainStep(() => tf.neg(tf.mean(disc.forward(gen.forward(z)))), gen.parameters(), optG);
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(gen.weight.dataSync())).not.toEqual(genBefore);
      expect(Array.from(disc.weight.dataSync())).not.toEqual(discBefore);
      tf.dispose([z, real]);
      gen.dispose();
      disc.dispose();
    });
  });
}
