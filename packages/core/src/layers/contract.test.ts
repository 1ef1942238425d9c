import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as core from '../index.js';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  ELU,
  Embedding,
  Flatten,
  GELU,
  GlobalAvgPool2d,
  GroupNorm,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  MaxPool1d,
  MaxPool2d,
  Module,
  ModuleDict,
  ModuleList,
  ReLU,
  SELU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
  Upsample,
} from '../index.js';
import * as losses from '../losses/index.js';
import {
  awayFromZero,
  describeModuleContract,
  distinctTensor,
  randomIndices,
  testBackends,
  uniformTensor,
  useBackend,
} from '../testing/index.js';

/** Every module class with a contract below; checked against the exports of core. */
const covered = new Set<unknown>();

function contract<M extends Module>(
  cls: abstract new (...args: never[]) => Module,
  name: string,
  opts: Parameters<typeof describeModuleContract<M>>[1],
): void {
  covered.add(cls);
  describeModuleContract(name, opts);
}

/** `[N, H, W, C]` output of a convolution/pool along one axis. */
const outSize = (size: number, k: number, s = 1, p = 0, d = 1) =>
  Math.floor((size + 2 * p - d * (k - 1) - 1) / s + 1);

for (const b of testBackends()) {
  describe(b, () => {
    beforeAll(() => useBackend(b));

    // --- Linear -----------------------------------------------------------------------------
    contract(Linear, 'Linear [N, in]', {
      make: (generator) => new Linear({ inFeatures: 3, outFeatures: 2, generator }),
      input: () => uniformTensor([4, 3], 11),
      outputShape: (x) => [x[0]!, 2],
    });
    contract(Linear, 'Linear [N, T, in], no bias', {
      make: (generator) => new Linear({ inFeatures: 3, outFeatures: 5, bias: false, generator }),
      input: () => uniformTensor([2, 3, 3], 12),
      outputShape: (x) => [x[0]!, x[1]!, 5],
    });
    contract(Linear, 'Linear [in]', {
      make: (generator) => new Linear({ inFeatures: 4, outFeatures: 3, generator }),
      input: () => uniformTensor([4], 13),
      outputShape: () => [3],
    });

    // --- Convolutions -----------------------------------------------------------------------
    contract(Conv2d, 'Conv2d k3 padding 1', {
      make: (generator) =>
        new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1, generator }),
      input: () => uniformTensor([2, 5, 5, 3], 21),
      outputShape: (x) => [x[0]!, 5, 5, 4],
    });
    contract(Conv2d, 'Conv2d [2, 3] kernel, stride 2, no bias', {
      make: (generator) =>
        new Conv2d({
          inChannels: 2,
          outChannels: 3,
          kernelSize: [2, 3],
          stride: 2,
          bias: false,
          generator,
        }),
      input: () => uniformTensor([2, 6, 7, 2], 22),
      outputShape: (x) => [x[0]!, outSize(6, 2, 2), outSize(7, 3, 2), 3],
    });
    contract(Conv2d, "Conv2d groups 2, dilation 2, padding 'same'", {
      make: (generator) =>
        new Conv2d({
          inChannels: 4,
          outChannels: 6,
          kernelSize: 3,
          groups: 2,
          dilation: 2,
          padding: 'same',
          generator,
        }),
      input: () => uniformTensor([1, 6, 6, 4], 23),
      outputShape: (x) => [x[0]!, 6, 6, 6],
    });
    contract(Conv2d, "Conv2d even kernel 'same' (odd pixel at the end)", {
      make: (generator) =>
        new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 2, padding: 'same', generator }),
      input: () => uniformTensor([1, 4, 5, 2], 24),
      outputShape: (x) => [x[0]!, 4, 5, 2],
    });
    contract(Conv2d, 'Conv2d depthwise (groups = inChannels, multiplier 2), stride 2, padding 1', {
      make: (generator) =>
        new Conv2d({
          inChannels: 3,
          outChannels: 6,
          kernelSize: 3,
          groups: 3,
          stride: 2,
          padding: 1,
          generator,
        }),
      input: () => uniformTensor([2, 5, 5, 3], 25),
      outputShape: (x) => [x[0]!, outSize(5, 3, 2, 1), outSize(5, 3, 2, 1), 6],
    });
    contract(Conv1d, 'Conv1d k3 stride 2 padding 1', {
      make: (generator) =>
        new Conv1d({
          inChannels: 3,
          outChannels: 4,
          kernelSize: 3,
          stride: 2,
          padding: 1,
          generator,
        }),
      input: () => uniformTensor([2, 7, 3], 26),
      outputShape: (x) => [x[0]!, outSize(7, 3, 2, 1), 4],
    });
    contract(Conv1d, "Conv1d groups 2, dilation 2, padding 'same'", {
      make: (generator) =>
        new Conv1d({
          inChannels: 4,
          outChannels: 2,
          kernelSize: 3,
          groups: 2,
          dilation: 2,
          padding: 'same',
          generator,
        }),
      input: () => uniformTensor([2, 6, 4], 27),
      outputShape: (x) => [x[0]!, 6, 2],
    });
    contract(ConvTranspose2d, 'ConvTranspose2d k3 stride 2 padding 1 outputPadding 1', {
      make: (generator) =>
        new ConvTranspose2d({
          inChannels: 3,
          outChannels: 2,
          kernelSize: 3,
          stride: 2,
          padding: 1,
          outputPadding: 1,
          generator,
        }),
      input: () => uniformTensor([2, 3, 3, 3], 28),
      // (H - 1) s - 2 p + d (k - 1) + outputPadding + 1
      outputShape: (x) => [x[0]!, 6, 6, 2],
    });
    contract(ConvTranspose2d, 'ConvTranspose2d groups 2, dilation 2, no bias', {
      make: (generator) =>
        new ConvTranspose2d({
          inChannels: 4,
          outChannels: 2,
          kernelSize: 2,
          groups: 2,
          dilation: 2,
          bias: false,
          generator,
        }),
      input: () => uniformTensor([1, 3, 4, 4], 29),
      outputShape: (x) => [x[0]!, 3 - 1 + 2 * 1 + 1, 4 - 1 + 2 * 1 + 1, 2],
    });

    // --- Pooling (max pooling inputs are distinct values 0.1 apart: no ties within a step) ---
    contract(MaxPool2d, 'MaxPool2d k2', {
      make: () => new MaxPool2d({ kernelSize: 2 }),
      input: () => distinctTensor([2, 4, 4, 3], 31),
      outputShape: (x) => [x[0]!, 2, 2, x[3]!],
    });
    contract(MaxPool2d, 'MaxPool2d k3 stride 2 padding 1', {
      make: () => new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 }),
      input: () => distinctTensor([1, 5, 5, 2], 32),
      outputShape: (x) => [x[0]!, 3, 3, x[3]!],
    });
    contract(MaxPool1d, 'MaxPool1d k3 stride 2 padding 1', {
      make: () => new MaxPool1d({ kernelSize: 3, stride: 2, padding: 1 }),
      input: () => distinctTensor([2, 7, 3], 33),
      outputShape: (x) => [x[0]!, outSize(7, 3, 2, 1), x[2]!],
    });
    contract(AvgPool2d, 'AvgPool2d k2', {
      make: () => new AvgPool2d({ kernelSize: 2 }),
      input: () => uniformTensor([2, 4, 6, 3], 34),
      outputShape: (x) => [x[0]!, 2, 3, x[3]!],
    });
    contract(AvgPool2d, 'AvgPool2d k3 stride 1 padding 1, countIncludePad false', {
      make: () => new AvgPool2d({ kernelSize: 3, stride: 1, padding: 1, countIncludePad: false }),
      input: () => uniformTensor([1, 4, 4, 2], 35),
      outputShape: (x) => [x[0]!, 4, 4, x[3]!],
    });
    contract(AvgPool2d, 'AvgPool2d k2 stride 2 padding 1 (counting padded zeros)', {
      make: () => new AvgPool2d({ kernelSize: 2, stride: 2, padding: 1 }),
      input: () => uniformTensor([1, 4, 4, 2], 36),
      outputShape: (x) => [x[0]!, 3, 3, x[3]!],
    });
    contract(AdaptiveAvgPool2d, 'AdaptiveAvgPool2d to [2, 3] from [5, 7] (uneven bins)', {
      make: () => new AdaptiveAvgPool2d({ outputSize: [2, 3] }),
      input: () => uniformTensor([2, 5, 7, 3], 37),
      outputShape: (x) => [x[0]!, 2, 3, x[3]!],
    });
    contract(AdaptiveAvgPool2d, 'AdaptiveAvgPool2d to 2 from [4, 4] (even bins)', {
      make: () => new AdaptiveAvgPool2d({ outputSize: 2 }),
      input: () => uniformTensor([2, 4, 4, 3], 38),
      outputShape: (x) => [x[0]!, 2, 2, x[3]!],
    });
    contract(GlobalAvgPool2d, 'GlobalAvgPool2d', {
      make: () => new GlobalAvgPool2d(),
      input: () => uniformTensor([2, 3, 4, 5], 39),
      outputShape: (x) => [x[0]!, x[3]!],
    });
    contract(GlobalAvgPool2d, 'GlobalAvgPool2d keepDims', {
      make: () => new GlobalAvgPool2d({ keepDims: true }),
      input: () => uniformTensor([2, 3, 4, 5], 40),
      outputShape: (x) => [x[0]!, 1, 1, x[3]!],
    });

    // --- Normalization (inputs off-centre and scaled, so batch and running statistics differ) ---
    contract(BatchNorm1d, 'BatchNorm1d [N, C]', {
      make: () => new BatchNorm1d({ numFeatures: 3 }),
      input: () => uniformTensor([5, 3], 41, -1, 3),
      outputShape: (x) => x,
      modeDependent: true,
      randomInit: false,
    });
    contract(BatchNorm1d, 'BatchNorm1d [N, L, C], momentum null (cumulative average)', {
      make: () => new BatchNorm1d({ numFeatures: 4, momentum: null }),
      input: () => uniformTensor([2, 3, 4], 42, -1, 3),
      outputShape: (x) => x,
      modeDependent: true,
      randomInit: false,
    });
    contract(BatchNorm2d, 'BatchNorm2d', {
      make: () => new BatchNorm2d({ numFeatures: 3 }),
      input: () => uniformTensor([2, 3, 3, 3], 43, -1, 3),
      outputShape: (x) => x,
      modeDependent: true,
      randomInit: false,
    });
    contract(BatchNorm2d, 'BatchNorm2d without affine or running statistics', {
      make: () => new BatchNorm2d({ numFeatures: 2, affine: false, trackRunningStats: false }),
      input: () => uniformTensor([2, 2, 3, 2], 44, -1, 3),
      outputShape: (x) => x,
      // Always batch statistics: eval equals train.
      modeDependent: false,
    });
    contract(LayerNorm, 'LayerNorm over the last axis', {
      make: () => new LayerNorm({ normalizedShape: 4 }),
      input: () => uniformTensor([2, 3, 4], 45, -1, 3),
      outputShape: (x) => x,
      randomInit: false,
    });
    contract(LayerNorm, 'LayerNorm over [3, 4] without affine', {
      make: () => new LayerNorm({ normalizedShape: [3, 4], elementwiseAffine: false }),
      input: () => uniformTensor([2, 3, 4], 46, -1, 3),
      outputShape: (x) => x,
    });
    contract(GroupNorm, 'GroupNorm 2 groups of 2 channels, NHWC', {
      make: () => new GroupNorm({ numGroups: 2, numChannels: 4 }),
      input: () => uniformTensor([2, 3, 3, 4], 47, -1, 3),
      outputShape: (x) => x,
      randomInit: false,
    });
    contract(GroupNorm, 'GroupNorm 3 groups on [N, C]', {
      make: () => new GroupNorm({ numGroups: 3, numChannels: 6, affine: false }),
      input: () => uniformTensor([2, 6], 48, -1, 3),
      outputShape: (x) => x,
    });

    // --- Dropout, Embedding, Flatten, Upsample ------------------------------------------------
    contract(Dropout, 'Dropout p=0.5', {
      make: (generator) => new Dropout({ p: 0.5, generator }),
      input: () => uniformTensor([4, 8], 51),
      outputShape: (x) => x,
      stochastic: true,
      modeDependent: true,
    });
    contract(Dropout, 'Dropout p=0 (identity)', {
      make: (generator) => new Dropout({ p: 0, generator }),
      input: () => uniformTensor([3, 4], 52),
      outputShape: (x) => x,
    });
    contract(Embedding, 'Embedding', {
      make: (generator) => new Embedding({ numEmbeddings: 6, embeddingDim: 3, generator }),
      input: () => randomIndices([2, 5], 53, 6),
      outputShape: (x) => [...x, 3],
    });
    // The padding row's gradient is held at zero on purpose, which finite differences cannot
    // reproduce: the contract's indices avoid that row and the test below checks it.
    contract(Embedding, 'Embedding with paddingIdx -1', {
      make: (generator) =>
        new Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIdx: -1, generator }),
      input: () =>
        tf.tensor2d(
          [
            [0, 3, 1],
            [3, 2, 0],
          ],
          [2, 3],
          'int32',
        ),
      outputShape: (x) => [...x, 2],
    });
    it('Embedding paddingIdx: the row starts at zero and gets no gradient, even when looked up', () => {
      const emb = new Embedding({ numEmbeddings: 4, embeddingDim: 3, paddingIdx: 2 });
      expect(Array.from(emb.weight.dataSync().slice(6, 9))).toEqual([0, 0, 0]);
      const ids = tf.tensor1d([2, 0, 2, 3], 'int32');
      const { value, grads } = tf.variableGrads(
        () => tf.sum(emb.forward(ids)) as tf.Scalar,
        [emb.weight],
      );
      // Each row's gradient counts its lookups: row 0 once, row 1 never, row 2 (padding) held at 0.
      expect(Array.from(grads[emb.weight.name]!.dataSync())).toEqual([
        1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1,
      ]);
      tf.dispose([value, ids, ...Object.values(grads)]);
      emb.dispose();
    });
    contract(Flatten, "Flatten order 'torch'", {
      make: () => new Flatten(),
      input: () => uniformTensor([2, 3, 2, 4], 54),
      outputShape: (x) => [x[0]!, 24],
    });
    contract(Flatten, "Flatten order 'native'", {
      make: () => new Flatten({ order: 'native' }),
      input: () => uniformTensor([2, 5, 3], 55),
      outputShape: (x) => [x[0]!, 15],
    });
    contract(Upsample, 'Upsample nearest x2', {
      make: () => new Upsample({ scaleFactor: 2 }),
      input: () => uniformTensor([2, 2, 3, 2], 56),
      outputShape: (x) => [x[0]!, 4, 6, x[3]!],
    });
    contract(Upsample, 'Upsample bilinear to [5, 7]', {
      make: () => new Upsample({ size: [5, 7], mode: 'bilinear' }),
      input: () => uniformTensor([1, 3, 4, 2], 57),
      outputShape: (x) => [x[0]!, 5, 7, x[3]!],
    });
    contract(Upsample, 'Upsample bilinear x[2, 1.5] alignCorners', {
      make: () => new Upsample({ scaleFactor: [2, 1.5], mode: 'bilinear', alignCorners: true }),
      input: () => uniformTensor([1, 3, 4, 2], 58),
      outputShape: (x) => [x[0]!, 6, 6, x[3]!],
    });

    // --- Activations (inputs kept at least 0.25 from the kink at 0) --------------------------
    const activations: [string, new () => Module, () => Module][] = [
      ['ReLU', ReLU, () => new ReLU()],
      ['LeakyReLU slope 0.2', LeakyReLU, () => new LeakyReLU({ negativeSlope: 0.2 })],
      ['ELU', ELU, () => new ELU()],
      ['ELU alpha 0.5', ELU, () => new ELU({ alpha: 0.5 })],
      ['SELU', SELU, () => new SELU()],
      ['GELU', GELU, () => new GELU()],
      ["GELU approximate 'tanh'", GELU, () => new GELU({ approximate: 'tanh' })],
      ['Tanh', Tanh, () => new Tanh()],
      ['Sigmoid', Sigmoid, () => new Sigmoid()],
      ['Softmax', Softmax, () => new Softmax()],
      ['Softmax dim 1', Softmax, () => new Softmax({ dim: 1 })],
      ['LogSoftmax', LogSoftmax, () => new LogSoftmax()],
      ['LogSoftmax dim 0', LogSoftmax, () => new LogSoftmax({ dim: 0 })],
    ];
    for (const [name, cls, make] of activations) {
      contract(cls, name, {
        make,
        input: () => awayFromZero([2, 3, 4], 61),
        outputShape: (x) => x,
      });
    }

    // --- Containers (smooth activations: no kinks for the finite differences) ----------------
    contract(Sequential, 'Sequential MLP', {
      make: (generator) =>
        new Sequential(
          new Linear({ inFeatures: 3, outFeatures: 5, generator }),
          new GELU(),
          new Dropout({ p: 0.3, generator }),
          new Linear({ inFeatures: 5, outFeatures: 2, generator }),
          new Tanh(),
        ),
      input: () => uniformTensor([4, 3], 71),
      outputShape: (x) => [x[0]!, 2],
      stochastic: true,
      modeDependent: true,
    });
    contract(Sequential, 'Sequential conv net (named children)', {
      make: (generator) =>
        new Sequential({
          conv: new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, generator }),
          bn: new BatchNorm2d({ numFeatures: 3 }),
          act: new ELU(),
          pool: new AvgPool2d({ kernelSize: 2 }),
          flat: new Flatten(),
          fc: new Linear({ inFeatures: 12, outFeatures: 2, generator }),
        }),
      input: () => uniformTensor([2, 4, 4, 2], 72),
      outputShape: (x) => [x[0]!, 2],
      modeDependent: true,
    });
    contract(Sequential, 'Sequential, empty (identity)', {
      make: () => new Sequential(),
      input: () => uniformTensor([2, 3], 73),
      outputShape: (x) => x,
    });
    contract(ModuleList, 'ModuleList applied in order', {
      make: (generator) =>
        new ModuleList([
          new Linear({ inFeatures: 3, outFeatures: 4, generator }),
          new Linear({ inFeatures: 4, outFeatures: 2, generator }),
        ]),
      forward: (m, [x]) =>
        tf.tidy(() => {
          let y = x!;
          for (const layer of m) y = tf.tanh(layer.forward(y));
          return y;
        }),
      input: () => uniformTensor([3, 3], 74),
      outputShape: (x) => [x[0]!, 2],
    });
    contract(ModuleDict, 'ModuleDict, two heads with two outputs', {
      make: (generator) =>
        new ModuleDict<Linear>({
          mean: new Linear({ inFeatures: 3, outFeatures: 2, generator }),
          logVar: new Linear({ inFeatures: 3, outFeatures: 2, generator }),
        }),
      forward: (m, [x]) => ({
        mean: m.get('mean').forward(x!),
        logVar: m.get('logVar').forward(x!),
      }),
      input: () => uniformTensor([4, 3], 75),
      outputShape: (x) => [
        [x[0]!, 2],
        [x[0]!, 2],
      ],
    });
    contract(Module, 'custom module with two inputs and a loss hook', {
      make: (generator) => new TwoInputs(generator),
      input: () => [uniformTensor([3, 4], 76), randomIndices([3], 77, 5)],
      outputShape: (x, ids) => [
        [x[0]!, 2],
        [ids[0]!, 2],
      ],
      loss: (out) =>
        tf.tidy(() => {
          const [a, e] = out as [tf.Tensor, tf.Tensor];
          return tf.add(tf.sum(tf.square(a)), tf.sum(tf.sin(e))) as tf.Scalar;
        }),
    });
  });
}

/** Two inputs (float features and int ids), two outputs: exercises the suite's hooks. */
class TwoInputs extends Module {
  fc: Linear;
  emb: Embedding;
  constructor(generator: core.Generator) {
    super();
    this.fc = new Linear({ inFeatures: 4, outFeatures: 2, generator });
    this.emb = new Embedding({ numEmbeddings: 5, embeddingDim: 2, generator });
  }
  forward(x: tf.Tensor, ids: tf.Tensor): [tf.Tensor, tf.Tensor] {
    return [this.fc.forward(x), this.emb.forward(ids)];
  }
}

describe('coverage', () => {
  it('every module class exported by @archzoo/core has a contract', () => {
    const exported = Object.entries(core).filter(
      ([n, v]) => typeof v === 'function' && v.prototype instanceof Module && n !== 'BatchNormBase',
    );
    expect(exported.length).toBeGreaterThan(20);
    // Loss modules have their contract in losses/contract.test.ts.
    for (const cls of Object.values(losses)) covered.add(cls);
    const missing = exported.filter(([, v]) => !covered.has(v)).map(([n]) => n);
    expect(missing).toEqual([]);
  });
});
