// tfjs-core must be evaluated before @archzoo/core: core's register.ts evaluates its bundled copy
// of tfjs-core's gradients first, and if that copy is the first to create tfjs's global engine,
// tensors get a Tensor class without op handlers (`dy.clone()` in the Cast gradient throws, so
// BatchNorm cannot train). A bare import keeps the import sorter from moving it.
import '@tensorflow/tfjs-core';
import { accuracy, Generator, predict, setBackend } from '@archzoo/core';
import { loadMnist } from '@archzoo/datasets';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MnistCnn, runMnist } from './mnist.js';

// Conv training needs Conv2DBackpropFilter, which wasm has once @archzoo/core registers it; the
// cpu backend has it but is much slower, so prefer wasm when it can train.
let backend: 'wasm' | 'cpu' = 'cpu';
beforeAll(async () => {
  backend = tf.getKernel('Conv2DBackpropFilter', 'wasm') ? 'wasm' : 'cpu';
  await setBackend(backend);
});
afterAll(async () => {
  await setBackend('cpu');
});

describe('MnistCnn', () => {
  it('maps [N, 28, 28, 1] to logits [N, 10] with 20,586 parameters', () => {
    const net = new MnistCnn({ generator: new Generator(0) });
    const x = tf.zeros([3, 28, 28, 1]);
    const out = net.forward(x);
    expect(out.shape).toEqual([3, 10]);
    // conv 3*3*1*16+16, BN 2*16, conv 3*3*16*32+32, BN 2*32, linear 32*7*7*10+10
    expect(net.numParameters()).toBe(160 + 32 + 4640 + 64 + 15690);
    tf.dispose([x, out]);
    net.dispose();
  });

  it('gives the same weights for the same seed', () => {
    const a = new MnistCnn({ generator: new Generator(5) });
    const b = new MnistCnn({ generator: new Generator(5) });
    expect(Array.from(a.conv2.weight.dataSync())).toEqual(Array.from(b.conv2.weight.dataSync()));
    expect(Array.from(a.fc.weight.dataSync())).toEqual(Array.from(b.fc.weight.dataSync()));
    a.dispose();
    b.dispose();
  });
});

describe('runMnist', () => {
  it('trains on a small subset: accuracy rises far above the untrained model, loss falls, no tensor leaks', async () => {
    const trainSamples = 512;
    const testSamples = 300;
    // The untrained model (same seed, same first weights) on the same held-out digits.
    const data = await loadMnist({ testSize: 2000, seed: 0, normalize: true });
    const xTest = tf.slice(data.test.x, 0, testSamples);
    const yTest = tf.slice(data.test.y, 0, testSamples);
    const untrained = new MnistCnn({ generator: new Generator(0) });
    const logits = predict(untrained, xTest);
    const before = accuracy(logits, yTest);
    tf.dispose([data.train.x, data.train.y, data.test.x, data.test.y, xTest, yTest, logits]);
    untrained.dispose();

    const tensors = tf.memory().numTensors;
    const lines: string[] = [];
    const progress: string[] = [];
    const r = await runMnist({
      backend,
      trainSamples,
      testSamples,
      epochs: 2,
      batchSize: 32,
      log: (l) => lines.push(l),
      progressSink: { isTTY: false, write: (s: string) => void progress.push(s) },
    });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r.backend).toBe(backend);
    expect(r.trainSize).toBe(trainSamples);
    expect(r.testSize).toBe(testSamples);
    expect(r.numParameters).toBe(20586);
    // Ten classes: chance is about 10%. 32 Adam steps on 512 digits get most of them right.
    expect(before).toBeLessThan(0.3);
    expect(r.testAccuracy).toBeGreaterThan(0.6);
    expect(r.testAccuracy).toBeGreaterThan(before + 0.4);
    const [e1, e2] = r.history.epochs;
    expect(r.history.epochs).toHaveLength(2);
    expect(e2!.loss!).toBeLessThan(e1!.loss!);
    expect(e2!.val_accuracy).toBe(r.testAccuracy);
    // fit()'s progress (one line per epoch off a TTY) and the job's own lines.
    expect(progress.join('')).toMatch(/^epoch 1\/2 loss=\d\.\d{4} accuracy=\d\.\d{4} val_loss=/m);
    expect(progress.join('')).toMatch(/^epoch 2\/2 /m);
    expect(lines[0]).toMatch(/512 train \/ 300 held out/);
    expect(lines[1]).toMatch(new RegExp(`^backend ${backend}; .*20586 parameters`));
    expect(lines.at(-1)).toMatch(
      /^held-out accuracy: \d+\.\d\d% on 300 digits {2}\(total \d+\.\d s\)$/,
    );
  });

  it('rejects a non-positive sample count', async () => {
    await expect(runMnist({ backend, trainSamples: 0, log: () => {} })).rejects.toThrow(
      /trainSamples/,
    );
  });
});
