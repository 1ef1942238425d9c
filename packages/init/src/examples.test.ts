// The @example of every export, run (heavy ones at a smaller size), with the results their
// comments state; and the README example.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as init from './index.js';
import { Generator } from './index.js';
import { useCpu } from './testing/cpu.js';

beforeAll(useCpu);

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('doc-comment examples', () => {
  it('distributions and constants', () => {
    expect(values(init.zeros([2, 3]))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(values(init.ones([2]))).toEqual([1, 1]);
    expect(values(init.constant([2], 0.1))).toEqual([Math.fround(0.1), Math.fround(0.1)]);
    expect(
      init.uniform([3, 4], { low: -0.1, high: 0.1, generator: new Generator(0) }).shape,
    ).toEqual([3, 4]);
    expect(init.normal([3, 4], { std: 0.02, generator: new Generator(0) }).shape).toEqual([3, 4]);
    const vit = values(init.truncatedNormal([64, 64], { std: 0.02, a: -0.04, b: 0.04 }));
    const tfStyle = values(init.truncatedNormal([64, 64], { std: 0.02, bounds: 'std' }));
    for (const v of [...vit, ...tfStyle]) expect(Math.abs(v)).toBeLessThanOrEqual(0.04 + 1e-9);
    expect(init.normalPdf(0)).toBe(0.3989422804014327);
    expect(init.normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(init.normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(Math.sqrt(init.truncatedNormalMoments(-2, 2).variance)).toBeCloseTo(
      0.8796256610342398,
      14,
    );
    expect(init.leakyRelu(0.2).phi(-1)).toBe(-0.2);
  });

  it('fans, shapes and gains', () => {
    expect(init.calculateFanInAndFanOut([64, 3, 7, 7])).toEqual({ fanIn: 147, fanOut: 3136 });
    expect(init.calculateFanInAndFanOut([7, 7, 3, 64], 'archzoo')).toEqual({
      fanIn: 147,
      fanOut: 3136,
    });
    expect(init.toTorchShape([3, 3, 16, 32], 'archzoo')).toEqual([32, 16, 3, 3]);
    expect(
      init.convWeightShape(
        { inChannels: 8, outChannels: 16, kernelSize: [3, 3], groups: 2 },
        'archzoo',
      ),
    ).toEqual([3, 3, 4, 16]);
    expect(init.calculateGain('relu')).toBe(Math.SQRT2);
    expect(init.calculateGain('leaky_relu', 0.2)).toBe(Math.sqrt(2 / 1.04));
  });

  it('fan-based initializers', () => {
    expect(init.kaimingStd([256, 128])).toBeCloseTo(0.125, 15);
    expect(init.kaimingUniformBound([256, 128])).toBeCloseTo(Math.sqrt(6 / 128), 15);
    expect(
      init.kaimingUniform([3, 3, 64, 128], { layout: 'archzoo', nonlinearity: 'relu' }).shape,
    ).toEqual([3, 3, 64, 128]);
    expect(init.kaimingNormal([512, 256], { mode: 'fan_out' }).shape).toEqual([512, 256]);
    expect(init.xavierStd([300, 100])).toBeCloseTo(Math.sqrt(2 / 400), 15);
    expect(init.xavierUniformBound([300, 100])).toBeCloseTo(Math.sqrt(6 / 400), 15);
    expect(init.xavierUniform([128, 64], { gain: init.calculateGain('tanh') }).shape).toEqual([
      128, 64,
    ]);
    expect(init.xavierNormal([64, 128], { layout: 'archzoo' }).shape).toEqual([64, 128]);
    expect(init.lecunStd([10, 100])).toBeCloseTo(0.1, 15);
    expect(init.lecunUniformBound([10, 300])).toBeCloseTo(0.1, 15);
    expect(init.lecunUniform([64, 32]).shape).toEqual([64, 32]);
    expect(init.lecunNormal([3, 3, 16, 16], { layout: 'archzoo' }).shape).toEqual([3, 3, 16, 16]);
    expect(
      init.varianceScaling([3, 3, 64, 64], { scale: 2, mode: 'fan_in', layout: 'archzoo' }).shape,
    ).toEqual([3, 3, 64, 64]);
  });

  it('structured initializers', () => {
    const { q, r } = init.qr(new Float64Array([3, 1, 4, 2]), 2, 2);
    [-0.6, -0.8, -0.8, 0.6].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 14));
    [-5, -2.2, 0, 0.4].forEach((v, i) => expect(r[i]).toBeCloseTo(v, 14));
    expect(init.randomOrthogonal(3, 5, { generator: new Generator(0) })).toHaveLength(15);
    expect(init.orthogonal([64, 64], { gain: init.calculateGain('tanh') }).shape).toEqual([64, 64]);
    expect(init.orthogonal([3, 3, 16, 16], { layout: 'archzoo' }).shape).toEqual([3, 3, 16, 16]);
    expect(values(init.eye([2, 3]))).toEqual([1, 0, 0, 0, 1, 0]);
    expect(tf.sum(init.dirac([3, 3, 16, 16], { layout: 'archzoo' })).dataSync()[0]).toBe(16);
    expect(init.deltaOrthogonal([3, 3, 32, 32], { layout: 'archzoo', gain: 1.05 }).shape).toEqual([
      3, 3, 32, 32,
    ]);
    expect(init.gaussianExpectation((x) => x * x, 2)).toBeCloseTo(2, 13);
    expect(init.varianceMap(1, { sigmaW2: 1, sigmaB2: 0 })).toBeCloseTo(0.394294, 6);
    const p = init.criticalTanhPoint({ qStar: 1 / 64 });
    expect(p.sigmaW2).toBeCloseTo(1.03056, 5);
    expect(p.sigmaB2).toBeCloseTo(4.65e-6, 8);
    expect(init.criticalTanhPoint({ sigmaB2: 0.05 }).chi1).toBeCloseTo(1, 12);
    expect(init.fixedPoint({ sigmaW2: 1.5, sigmaB2: 0.05 })).toBeGreaterThan(0);
    const b = init.chronoValues(4, { tMax: 100 });
    for (const v of b) expect(v >= 0 && v <= Math.log(99)).toBe(true);
    expect(init.chronoLstmBias(128, { tMax: 784 }).biasIh.shape).toEqual([512]);
    expect(init.chronoGruBias(64, { tMax: 1000 }).biasHh.shape).toEqual([192]);
  });

  it('PyTorch module defaults', () => {
    expect(init.torchDefaultBound(64)).toBe(0.125);
    expect(init.torchDefaultUniform([10, 784], 784).shape).toEqual([10, 784]);
    const { weight, bias } = init.torchLinearInit({ inFeatures: 784, outFeatures: 10 });
    expect([weight!.shape, bias!.shape]).toEqual([[10, 784], [10]]);
    expect(
      init.torchConvInit({ inChannels: 3, outChannels: 64, kernelSize: [7, 7], layout: 'archzoo' })
        .weight!.shape,
    ).toEqual([7, 7, 3, 64]);
    expect(
      init.torchRnnInit({ mode: 'LSTM', inputSize: 32, hiddenSize: 128 }).weight_ih_l0!.shape,
    ).toEqual([512, 32]);
    expect(Object.keys(init.torchMultiheadAttentionInit({ embedDim: 128, numHeads: 4 }))).toEqual([
      'in_proj_weight',
      'in_proj_bias',
      'out_proj.weight',
      'out_proj.bias',
    ]);
    expect(
      init.torchEmbeddingInit({ numEmbeddings: 1000, embeddingDim: 64, paddingIdx: 0 }).weight!
        .shape,
    ).toEqual([1000, 64]);
    expect(Object.keys(init.torchNormInit({ numFeatures: 64, runningStats: true }))).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
    ]);
    expect(
      init.initLikeTorch({ module: 'Linear', inFeatures: 128, outFeatures: 64, layout: 'archzoo' })
        .weight!.shape,
    ).toEqual([128, 64]);
    expect(
      Object.keys(
        init.initLikeTorch({
          module: 'RNN',
          mode: 'GRU',
          inputSize: 16,
          hiddenSize: 32,
          numLayers: 2,
        }),
      ),
    ).toHaveLength(8);
  });

  it('lsuv and the diagnostics', () => {
    const batch = tf.randomNormal([64, 784]);
    const w = tf.variable(tf.zeros([784, 256]));
    const [report] = init.lsuv(
      [{ weight: w, forward: (x) => tf.matMul(x, w), next: tf.relu }],
      batch,
      { layout: 'archzoo' },
    );
    expect(Math.abs(report!.varianceAfter - 1)).toBeLessThan(0.1);
    const ws = [tf.randomNormal([64, 64]), tf.randomNormal([64, 64])];
    expect(
      init.activationStats(
        ws.map((wi) => (x: tf.Tensor) => tf.tanh(tf.matMul(x, wi))),
        tf.randomNormal([128, 64]),
      ),
    ).toHaveLength(2);
    const profile = init.depthProfile({
      activation: 'relu',
      depth: 5,
      width: 32,
      batch: 16,
      inits: ['he'],
    });
    expect(profile.he).toHaveLength(5);
    expect(init.haninBeta([10, 20, 20, 5])).toBeCloseTo(0.1, 15);
    expect(init.reluJacobianMoments([4, 10, 10, 4])).toEqual({
      m2: 0.25,
      m4: (6 / 16) * 1.5 * 1.5,
    });
    expect(init.jacobianMoments({ widths: [8, 16, 16, 16, 8], trials: 50 }).trials).toBe(50);
    const net = init.sampleDenseNetwork({
      widths: [16, 16, 16, 16],
      init: 'orthogonal',
      sigmaW2: 1.02,
      hidden: 'tanh',
    });
    const j = init.networkJacobian(net, new Float64Array(16).fill(0.1));
    expect([j.rows, j.cols]).toEqual([16, 16]);
    expect(
      init.sampleConvNetwork({
        depth: 2,
        channels: 4,
        height: 4,
        width: 4,
        init: 'delta_orthogonal',
      }).layers,
    ).toHaveLength(2);
    const { gaussian, orthogonal } = init.denseIsometry({ depth: 8, width: 32 });
    expect(gaussian.max / gaussian.median).toBeGreaterThan(orthogonal.max / orthogonal.median);
    const { deltaOrthogonal } = init.convIsometry({ depth: 4, channels: 4, size: 3 });
    expect(deltaOrthogonal.singularValues).toHaveLength(36);
    expect(
      Array.from(init.singularValues(new Float64Array([3, 0, 4, 5]), 2, 2)).map((s) => s ** 2),
    ).toEqual([expect.closeTo(45, 12), expect.closeTo(5, 12)]);
  });

  it('the README example', () => {
    const generator = new Generator(0);
    const w = init.kaimingNormal([512, 256], { nonlinearity: 'relu', generator });
    const q = init.orthogonal([256, 256], {
      layout: 'archzoo',
      gain: init.calculateGain('tanh'),
      generator,
    });
    const { sigmaW2 } = init.criticalTanhPoint({ qStar: 1 / 64 });
    const k = init.deltaOrthogonal([3, 3, 64, 64], {
      layout: 'archzoo',
      gain: Math.sqrt(sigmaW2),
      generator,
    });
    const mc = init.jacobianMoments({ widths: [8, 16, 16, 16, 8], trials: 300, generator });
    const exact = init.reluJacobianMoments([8, 16, 16, 16, 8]).m4;
    expect(Math.abs(mc.m4 - exact)).toBeLessThan(5 * mc.m4StdErr);
    expect([w.shape, q.shape, k.shape]).toEqual([
      [512, 256],
      [256, 256],
      [3, 3, 64, 64],
    ]);
  });
});
