import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d,
  ArchzooError,
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
} from './index.js';
import { expectArchzooError, testBackends, useBackend } from './testing/index.js';

/** Tensors made by a test, disposed after it. */
const made: tf.Tensor[] = [];
function t(shape: number[], dtype: 'float32' | 'int32' | 'bool' = 'float32'): tf.Tensor {
  const x = tf.zeros(shape, dtype);
  made.push(x);
  return x;
}

/** Which module classes have bad-input cases; checked against every module class below. */
const covered = new Set<unknown>();
function forLayer(cls: abstract new (...args: never[]) => Module, body: () => void): void {
  covered.add(cls);
  describe(cls.name, body);
}

for (const b of testBackends()) {
  describe(b, () => {
    beforeAll(() => useBackend(b));
    afterAll(() => {
      tf.dispose(made.splice(0));
    });

    forLayer(Linear, () => {
      it('rejects bad options', () => {
        expectArchzooError(
          () => new Linear({ inFeatures: -1, outFeatures: 2 }),
          'Linear',
          'inFeatures',
          'a positive integer',
          'got -1',
        );
        expectArchzooError(
          () => new Linear({ inFeatures: 3, outFeatures: 0 }),
          'Linear',
          'outFeatures',
          'a positive integer',
          'got 0',
        );
        expectArchzooError(
          () => new Linear({ inFeatures: 2.5, outFeatures: 2 }),
          'Linear',
          'inFeatures',
          'got 2.5',
        );
        expectArchzooError(
          () => new Linear({ inFeatures: '3' as unknown as number, outFeatures: 2 }),
          'Linear',
          'inFeatures',
          "got '3'",
        );
        expectArchzooError(() => new Linear({} as never), 'Linear', 'inFeatures', 'got undefined');
      });
      it('rejects wrong rank, size and dtype', () => {
        const fc = new Linear({ inFeatures: 3, outFeatures: 2 });
        expectArchzooError(
          () => fc.forward(t([2, 4])),
          'Linear.forward',
          'input',
          'last dimension (inFeatures) of size 3',
          'got 4',
          '[2, 4]',
        );
        expectArchzooError(
          () => fc.forward(t([])),
          'Linear.forward',
          'input',
          'rank 1 or 2',
          'got rank 0',
        );
        expectArchzooError(
          () => fc.forward(t([2, 3], 'int32')),
          'Linear.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
        expectArchzooError(
          () => fc.forward([1, 2, 3] as unknown as tf.Tensor),
          'Linear.forward',
          'input',
          'a tf.Tensor',
          'got [1, 2, 3]',
        );
        const gone = tf.zeros([2, 3]);
        gone.dispose();
        expectArchzooError(
          () => fc.forward(gone),
          'Linear.forward',
          'input',
          'a live tensor',
          'got a disposed tensor',
        );
        fc.dispose();
      });
    });

    forLayer(Conv2d, () => {
      const base = { inChannels: 4, outChannels: 6, kernelSize: 3 };
      it('rejects bad options', () => {
        expectArchzooError(
          () => new Conv2d({ ...base, inChannels: -4 }),
          'Conv2d',
          'inChannels',
          'a positive integer',
          'got -4',
        );
        expectArchzooError(
          () => new Conv2d({ ...base, kernelSize: 0 }),
          'Conv2d',
          'kernelSize',
          'an integer >= 1',
          'got 0',
        );
        expectArchzooError(
          () => new Conv2d({ ...base, kernelSize: [3] as unknown as number }),
          'Conv2d',
          'kernelSize',
          '2 of them',
          'got [3]',
        );
        expectArchzooError(
          () => new Conv2d({ ...base, stride: [1, 0] }),
          'Conv2d',
          'stride',
          'an integer >= 1',
          'got [1, 0]',
        );
        expectArchzooError(
          () => new Conv2d({ ...base, dilation: 0 }),
          'Conv2d',
          'dilation',
          'got 0',
        );
        expectArchzooError(
          () => new Conv2d({ ...base, padding: -1 }),
          'Conv2d',
          'padding',
          'an integer >= 0',
          'got -1',
        );
        expectArchzooError(
          () => new Conv2d({ ...base, padding: 'full' as 'same' }),
          'Conv2d',
          'padding',
          "'same'",
          "'valid'",
          "got 'full'",
        );
        expectArchzooError(
          () => new Conv2d({ ...base, groups: 4 }),
          'Conv2d',
          'groups',
          'divide inChannels and outChannels',
          'groups=4, inChannels=4, outChannels=6',
        );
        expectArchzooError(
          () => new Conv2d({ ...base, groups: 0 }),
          'Conv2d',
          'groups',
          'a positive integer',
          'got 0',
        );
        expectArchzooError(
          () => new Conv2d({ ...base, padding: 'same', stride: 2 }),
          'Conv2d',
          'padding',
          "'same' only with stride 1",
          'stride [2,2]',
        );
      });
      it('rejects wrong rank, channel count and dtype', () => {
        const conv = new Conv2d(base);
        expectArchzooError(
          () => conv.forward(t([8, 8, 4])),
          'Conv2d.forward',
          'input',
          'rank 4 [N, H, W, C] (NHWC)',
          'got rank 3',
          '[8, 8, 4]',
        );
        // An NCHW tensor by mistake: the channel axis is the last one.
        expectArchzooError(
          () => conv.forward(t([1, 4, 8, 8])),
          'Conv2d.forward',
          'input',
          'channel dimension (last, NHWC) of size 4',
          'got 8',
          '[1, 4, 8, 8]',
        );
        expectArchzooError(
          () => conv.forward(t([1, 8, 8, 4], 'int32')),
          'Conv2d.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
        expectArchzooError(
          () => conv.forward(t([1, 2, 2, 4])),
          'Conv2d.forward',
          'input',
          'spatial size',
          '2x2',
        );
        conv.dispose();
      });
    });

    forLayer(Conv1d, () => {
      const base = { inChannels: 4, outChannels: 2, kernelSize: 3 };
      it('rejects bad options', () => {
        expectArchzooError(
          () => new Conv1d({ ...base, outChannels: 0 }),
          'Conv1d',
          'outChannels',
          'a positive integer',
          'got 0',
        );
        expectArchzooError(
          () => new Conv1d({ ...base, kernelSize: -3 }),
          'Conv1d',
          'kernelSize',
          'got -3',
        );
        expectArchzooError(
          () => new Conv1d({ ...base, groups: 3 }),
          'Conv1d',
          'groups',
          'divide inChannels and outChannels',
          'groups=3',
        );
        expectArchzooError(
          () => new Conv1d({ ...base, padding: 'same', stride: 2 }),
          'Conv1d',
          'padding',
          "'same' only with stride 1",
          'stride 2',
        );
        expectArchzooError(
          () => new Conv1d({ ...base, padding: -2 }),
          'Conv1d',
          'padding',
          'got -2',
        );
      });
      it('rejects wrong rank, channel count and dtype', () => {
        const conv = new Conv1d(base);
        expectArchzooError(
          () => conv.forward(t([1, 5, 5, 4])),
          'Conv1d.forward',
          'input',
          'rank 3 [N, L, C]',
          'got rank 4',
        );
        expectArchzooError(
          () => conv.forward(t([1, 4, 10])),
          'Conv1d.forward',
          'input',
          'channel dimension (last) of size 4',
          'got 10',
        );
        expectArchzooError(
          () => conv.forward(t([1, 10, 4], 'int32')),
          'Conv1d.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
        expectArchzooError(
          () => conv.forward(t([1, 2, 4])),
          'Conv1d.forward',
          'input',
          'length',
          'got 2',
        );
        conv.dispose();
      });
    });

    forLayer(ConvTranspose2d, () => {
      const base = { inChannels: 4, outChannels: 2, kernelSize: 3 };
      it('rejects bad options', () => {
        expectArchzooError(
          () => new ConvTranspose2d({ ...base, inChannels: 0 }),
          'ConvTranspose2d',
          'inChannels',
          'got 0',
        );
        expectArchzooError(
          () => new ConvTranspose2d({ ...base, groups: 3 }),
          'ConvTranspose2d',
          'groups',
          'divide',
          'groups=3',
        );
        expectArchzooError(
          () => new ConvTranspose2d({ ...base, stride: 2, outputPadding: 2 }),
          'ConvTranspose2d',
          'outputPadding',
          'smaller than stride or dilation',
          'outputPadding=[2,2], stride=[2,2]',
        );
        expectArchzooError(
          () => new ConvTranspose2d({ ...base, padding: -1 }),
          'ConvTranspose2d',
          'padding',
          'got -1',
        );
      });
      it('rejects wrong rank, channel count, dtype and an empty output', () => {
        const conv = new ConvTranspose2d({ ...base, padding: 2 });
        expectArchzooError(
          () => conv.forward(t([3, 3, 4])),
          'ConvTranspose2d.forward',
          'input',
          'rank 4',
          'got rank 3',
        );
        expectArchzooError(
          () => conv.forward(t([1, 3, 3, 2])),
          'ConvTranspose2d.forward',
          'input',
          'channel dimension (last, NHWC) of size 4',
          'got 2',
        );
        expectArchzooError(
          () => conv.forward(t([1, 3, 3, 4], 'int32')),
          'ConvTranspose2d.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
        // (1 - 1) * 1 - 2 * 2 + 2 + 1 = -1
        expectArchzooError(
          () => conv.forward(t([1, 1, 1, 4])),
          'ConvTranspose2d.forward',
          'input',
          'positive output',
          '1x1',
        );
        conv.dispose();
      });
    });

    forLayer(MaxPool2d, () => {
      it('rejects bad options', () => {
        expectArchzooError(
          () => new MaxPool2d({ kernelSize: 0 }),
          'MaxPool2d',
          'kernelSize',
          'got 0',
        );
        expectArchzooError(
          () => new MaxPool2d({ kernelSize: 2, stride: 0 }),
          'MaxPool2d',
          'stride',
          'got 0',
        );
        expectArchzooError(
          () => new MaxPool2d({ kernelSize: 2, padding: 2 }),
          'MaxPool2d',
          'padding',
          'at most half the kernel size',
          'padding=[2,2], kernelSize=[2,2]',
        );
      });
      it('rejects wrong rank, dtype and a too small input', () => {
        const pool = new MaxPool2d({ kernelSize: 3 });
        expectArchzooError(
          () => pool.forward(t([4, 4, 3])),
          'MaxPool2d.forward',
          'input',
          'rank 4 [N, H, W, C] (NHWC)',
          'got rank 3',
        );
        expectArchzooError(
          () => pool.forward(t([1, 4, 4, 3], 'int32')),
          'MaxPool2d.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
        expectArchzooError(
          () => pool.forward(t([1, 2, 4, 3])),
          'MaxPool2d.forward',
          'input',
          'spatial size',
          '2x4',
        );
      });
    });

    forLayer(MaxPool1d, () => {
      it('rejects bad options', () => {
        expectArchzooError(
          () => new MaxPool1d({ kernelSize: -1 }),
          'MaxPool1d',
          'kernelSize',
          'got -1',
        );
        expectArchzooError(
          () => new MaxPool1d({ kernelSize: 2, stride: 0 }),
          'MaxPool1d',
          'stride',
          'got 0',
        );
        expectArchzooError(
          () => new MaxPool1d({ kernelSize: 2, padding: 2 }),
          'MaxPool1d',
          'padding',
          'at most half the kernel size',
          'padding=2, kernelSize=2',
        );
      });
      it('rejects wrong rank and dtype', () => {
        const pool = new MaxPool1d({ kernelSize: 2 });
        expectArchzooError(
          () => pool.forward(t([1, 4, 4, 3])),
          'MaxPool1d.forward',
          'input',
          'rank 3 [N, L, C]',
          'got rank 4',
        );
        expectArchzooError(
          () => pool.forward(t([1, 4, 3], 'int32')),
          'MaxPool1d.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
        expectArchzooError(
          () => pool.forward(t([1, 1, 3])),
          'MaxPool1d.forward',
          'input',
          'length',
          'got 1',
        );
      });
    });

    forLayer(AvgPool2d, () => {
      it('rejects bad options', () => {
        expectArchzooError(
          () => new AvgPool2d({ kernelSize: [2, -1] }),
          'AvgPool2d',
          'kernelSize',
          'got [2, -1]',
        );
        expectArchzooError(
          () => new AvgPool2d({ kernelSize: 3, padding: 2 }),
          'AvgPool2d',
          'padding',
          'at most half the kernel size',
        );
      });
      it('rejects wrong rank, dtype and a too small input', () => {
        const pool = new AvgPool2d({ kernelSize: 2 });
        expectArchzooError(
          () => pool.forward(t([2, 2])),
          'AvgPool2d.forward',
          'input',
          'rank 4',
          'got rank 2',
        );
        expectArchzooError(
          () => pool.forward(t([1, 2, 2, 1], 'int32')),
          'AvgPool2d.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
        expectArchzooError(
          () => pool.forward(t([1, 1, 4, 3])),
          'AvgPool2d.forward',
          'input',
          'spatial size',
          '1x4',
        );
      });
    });

    forLayer(AdaptiveAvgPool2d, () => {
      it('rejects bad options, wrong rank and dtype', () => {
        expectArchzooError(
          () => new AdaptiveAvgPool2d({ outputSize: 0 }),
          'AdaptiveAvgPool2d',
          'outputSize',
          'got 0',
        );
        expectArchzooError(
          () => new AdaptiveAvgPool2d({ outputSize: [1, 2, 3] as never }),
          'AdaptiveAvgPool2d',
          'outputSize',
          '2 of them',
          'got [1, 2, 3]',
        );
        const pool = new AdaptiveAvgPool2d({ outputSize: 2 });
        expectArchzooError(
          () => pool.forward(t([4, 4, 3])),
          'AdaptiveAvgPool2d.forward',
          'input',
          'rank 4',
          'got rank 3',
        );
        expectArchzooError(
          () => pool.forward(t([1, 4, 4, 3], 'int32')),
          'AdaptiveAvgPool2d.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
      });
    });

    forLayer(GlobalAvgPool2d, () => {
      it('rejects wrong rank and dtype', () => {
        const pool = new GlobalAvgPool2d();
        expectArchzooError(
          () => pool.forward(t([4, 3])),
          'GlobalAvgPool2d.forward',
          'input',
          'rank 4 [N, H, W, C] (NHWC)',
          'got rank 2',
        );
        expectArchzooError(
          () => pool.forward(t([1, 2, 2, 3], 'bool')),
          'GlobalAvgPool2d.forward',
          'input',
          'dtype float32',
          'got dtype bool',
        );
      });
    });

    for (const [cls, name] of [
      [BatchNorm1d, 'BatchNorm1d'],
      [BatchNorm2d, 'BatchNorm2d'],
    ] as const) {
      forLayer(cls, () => {
        it('rejects bad options', () => {
          expectArchzooError(
            () => new cls({ numFeatures: 0 }),
            name,
            'numFeatures',
            'a positive integer',
            'got 0',
          );
          expectArchzooError(
            () => new cls({ numFeatures: 3, momentum: 1.5 }),
            name,
            'momentum',
            'a number in [0, 1]',
            'got 1.5',
          );
          expectArchzooError(
            () => new cls({ numFeatures: 3, eps: -1e-5 }),
            name,
            'eps',
            'got -0.00001',
          );
          expectArchzooError(
            () => new cls({ numFeatures: 3, eps: Number.NaN }),
            name,
            'eps',
            'got NaN',
          );
        });
      });
    }
    describe('BatchNorm forward', () => {
      it('rejects wrong rank, channel count, dtype and a single value per channel in training', () => {
        const bn1 = new BatchNorm1d({ numFeatures: 3 });
        const bn2 = new BatchNorm2d({ numFeatures: 3 });
        expectArchzooError(
          () => bn1.forward(t([2, 2, 2, 3])),
          'BatchNorm1d.forward',
          'input',
          'rank 2 or 3',
          'got rank 4',
        );
        expectArchzooError(
          () => bn1.forward(t([4, 5])),
          'BatchNorm1d.forward',
          'input',
          'channel dimension (last) of size 3',
          'got 5',
        );
        expectArchzooError(
          () => bn2.forward(t([4, 3])),
          'BatchNorm2d.forward',
          'input',
          'rank 4 [N, H, W, C] (NHWC)',
          'got rank 2',
        );
        expectArchzooError(
          () => bn2.forward(t([1, 3, 2, 2])),
          'BatchNorm2d.forward',
          'input',
          'channel dimension (last) of size 3',
          'got 2',
        );
        expectArchzooError(
          () => bn2.forward(t([2, 2, 2, 3], 'int32')),
          'BatchNorm2d.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
        expectArchzooError(
          () => bn1.forward(t([1, 3])),
          'BatchNorm1d.forward',
          'input',
          'more than 1 value per channel in training',
          '[1, 3]',
        );
        // In eval mode the running statistics make one value enough.
        bn1.eval();
        const y = bn1.forward(t([1, 3]));
        expect(y.shape).toEqual([1, 3]);
        y.dispose();
        bn1.dispose();
        bn2.dispose();
      });
    });

    forLayer(LayerNorm, () => {
      it('rejects bad options and a mismatched trailing shape', () => {
        expectArchzooError(
          () => new LayerNorm({ normalizedShape: [] }),
          'LayerNorm',
          'normalizedShape',
          'non-empty',
          'got []',
        );
        expectArchzooError(
          () => new LayerNorm({ normalizedShape: [3, 0] }),
          'LayerNorm',
          'normalizedShape',
          'a positive integer',
          'got 0',
        );
        expectArchzooError(
          () => new LayerNorm({ normalizedShape: 4, eps: -1 }),
          'LayerNorm',
          'eps',
          'got -1',
        );
        const ln = new LayerNorm({ normalizedShape: [3, 4] });
        expectArchzooError(
          () => ln.forward(t([2, 4, 3])),
          'LayerNorm.forward',
          'input',
          'trailing shape [3, 4]',
          '[2, 4, 3]',
        );
        expectArchzooError(
          () => ln.forward(t([4])),
          'LayerNorm.forward',
          'input',
          'trailing shape [3, 4]',
          '[4]',
        );
        expectArchzooError(
          () => ln.forward(t([2, 3, 4], 'int32')),
          'LayerNorm.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
        ln.dispose();
      });
    });

    forLayer(GroupNorm, () => {
      it('rejects bad options, wrong rank, channel count and dtype', () => {
        expectArchzooError(
          () => new GroupNorm({ numGroups: 3, numChannels: 4 }),
          'GroupNorm',
          'numChannels',
          'a multiple of numGroups (3)',
          'got 4',
        );
        expectArchzooError(
          () => new GroupNorm({ numGroups: 0, numChannels: 4 }),
          'GroupNorm',
          'numGroups',
          'got 0',
        );
        const gn = new GroupNorm({ numGroups: 2, numChannels: 4 });
        expectArchzooError(
          () => gn.forward(t([4])),
          'GroupNorm.forward',
          'input',
          'rank 2 or 3 or 4 or 5',
          'got rank 1',
        );
        expectArchzooError(
          () => gn.forward(t([2, 3, 3, 6])),
          'GroupNorm.forward',
          'input',
          'channel dimension (last) of size 4',
          'got 6',
        );
        expectArchzooError(
          () => gn.forward(t([2, 4], 'int32')),
          'GroupNorm.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
        gn.dispose();
      });
    });

    forLayer(Dropout, () => {
      it('rejects p outside [0, 1] and a non-float input', () => {
        expectArchzooError(
          () => new Dropout({ p: 1.5 }),
          'Dropout',
          'option p',
          'a number in [0, 1]',
          'got 1.5',
        );
        expectArchzooError(
          () => new Dropout({ p: -0.1 }),
          'Dropout',
          'option p',
          'a number in [0, 1]',
          'got -0.1',
        );
        expectArchzooError(() => new Dropout({ p: Number.NaN }), 'Dropout', 'option p', 'got NaN');
        expectArchzooError(
          () => new Dropout().forward(t([2, 2], 'int32')),
          'Dropout.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
      });
    });

    forLayer(Embedding, () => {
      it('rejects bad options and float indices', () => {
        expectArchzooError(
          () => new Embedding({ numEmbeddings: 0, embeddingDim: 2 }),
          'Embedding',
          'numEmbeddings',
          'got 0',
        );
        expectArchzooError(
          () => new Embedding({ numEmbeddings: 4, embeddingDim: -2 }),
          'Embedding',
          'embeddingDim',
          'got -2',
        );
        expectArchzooError(
          () => new Embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: 4 }),
          'Embedding',
          'paddingIdx',
          'an integer in [-4, 3]',
          'got 4',
        );
        expectArchzooError(
          () => new Embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: -5 }),
          'Embedding',
          'paddingIdx',
          'got -5',
        );
        const emb = new Embedding({ numEmbeddings: 4, embeddingDim: 2 });
        expectArchzooError(
          () => emb.forward(t([2, 3])),
          'Embedding.forward',
          'indices',
          'dtype int32',
          'got dtype float32',
        );
        emb.dispose();
      });
    });

    forLayer(Flatten, () => {
      it('rejects a bad order and a scalar', () => {
        expectArchzooError(
          () => new Flatten({ order: 'nchw' as 'torch' }),
          'Flatten',
          'order',
          "one of 'torch', 'native'",
          "got 'nchw'",
        );
        expectArchzooError(
          () => new Flatten().forward(t([])),
          'Flatten.forward',
          'input',
          'rank 1',
          'got rank 0',
        );
      });
    });

    forLayer(Upsample, () => {
      it('rejects bad options, wrong rank and dtype', () => {
        expectArchzooError(
          () => new Upsample({}),
          'Upsample',
          'exactly one of size or scaleFactor',
          'got {}',
        );
        expectArchzooError(
          () => new Upsample({ size: 4, scaleFactor: 2 }),
          'Upsample',
          'exactly one of size or scaleFactor',
        );
        expectArchzooError(
          () => new Upsample({ scaleFactor: -2 }),
          'Upsample',
          'scaleFactor',
          'positive',
          'got -2',
        );
        expectArchzooError(
          () => new Upsample({ size: [4, 0] }),
          'Upsample',
          'size',
          'positive',
          'got 0',
        );
        expectArchzooError(
          () => new Upsample({ scaleFactor: 2, mode: 'bicubic' as 'nearest' }),
          'Upsample',
          'mode',
          "one of 'nearest', 'bilinear'",
          "got 'bicubic'",
        );
        expectArchzooError(
          () => new Upsample({ scaleFactor: 2, alignCorners: true }),
          'Upsample',
          'alignCorners',
          "false with mode 'nearest'",
          'got true',
        );
        const up = new Upsample({ scaleFactor: 2 });
        expectArchzooError(
          () => up.forward(t([2, 3, 4])),
          'Upsample.forward',
          'input',
          'rank 4 [N, H, W, C] (NHWC)',
          'got rank 3',
        );
        expectArchzooError(
          () => up.forward(t([1, 2, 3, 4], 'int32')),
          'Upsample.forward',
          'input',
          'dtype float32',
          'got dtype int32',
        );
      });
    });

    describe('activations', () => {
      it('reject bad options', () => {
        expectArchzooError(
          () => new LeakyReLU({ negativeSlope: Number.NaN }),
          'LeakyReLU',
          'negativeSlope',
          'a finite number',
          'got NaN',
        );
        expectArchzooError(
          () => new ELU({ alpha: Number.POSITIVE_INFINITY }),
          'ELU',
          'alpha',
          'a finite number',
          'got Infinity',
        );
        expectArchzooError(
          () => new GELU({ approximate: 'fast' as 'tanh' }),
          'GELU',
          'approximate',
          "one of 'none', 'tanh'",
          "got 'fast'",
        );
        expectArchzooError(
          () => new Softmax({ dim: 1.5 }),
          'Softmax',
          'dim',
          'an integer axis',
          'got 1.5',
        );
        expectArchzooError(
          () => new LogSoftmax({ dim: Number.NaN }),
          'LogSoftmax',
          'dim',
          'an integer axis',
          'got NaN',
        );
      });
      it('reject an axis out of range', () => {
        expectArchzooError(
          () => new Softmax({ dim: 3 }).forward(t([2, 3, 4])),
          'Softmax',
          'dim',
          'an axis in [-3, 2]',
          'got 3',
        );
        expectArchzooError(
          () => new LogSoftmax({ dim: -4 }).forward(t([2, 3, 4])),
          'LogSoftmax',
          'dim',
          'an axis in [-3, 2]',
          'got -4',
        );
      });
      const all: [
        abstract new (...args: never[]) => Module,
        () => Module & { forward(x: tf.Tensor): tf.Tensor },
      ][] = [
        [ReLU, () => new ReLU()],
        [LeakyReLU, () => new LeakyReLU()],
        [ELU, () => new ELU()],
        [SELU, () => new SELU()],
        [GELU, () => new GELU()],
        [Tanh, () => new Tanh()],
        [Sigmoid, () => new Sigmoid()],
        [Softmax, () => new Softmax()],
        [LogSoftmax, () => new LogSoftmax()],
      ];
      for (const [cls, make] of all) {
        covered.add(cls);
        it(`${cls.name} rejects int32 input and non-tensors`, () => {
          expectArchzooError(
            () => make().forward(t([2, 2], 'int32')),
            `${cls.name}.forward`,
            'input',
            'dtype float32',
            'got dtype int32',
          );
          expectArchzooError(
            () => make().forward(null as unknown as tf.Tensor),
            `${cls.name}.forward`,
            'input',
            'a tf.Tensor',
            'got null',
          );
        });
      }
    });

    describe('containers', () => {
      it('Sequential rejects a non-module and reports the failing layer', () => {
        covered.add(Sequential);
        expectArchzooError(
          () => new Sequential(new ReLU(), {} as Module as ReLU),
          'Sequential',
          "module '1'",
          'a Module',
          'got [object Object]',
        );
        const seq = new Sequential(
          new Linear({ inFeatures: 3, outFeatures: 4 }),
          new ReLU(),
          new Linear({ inFeatures: 5, outFeatures: 1 }),
        );
        expectArchzooError(
          () => seq.forward(t([2, 3])),
          'Linear.forward',
          'input',
          'last dimension (inFeatures) of size 5',
          'got 4',
        );
        expectArchzooError(
          () => seq.at(3),
          'Sequential.at',
          'index',
          'an index in [-3, 2]',
          'got 3',
        );
        seq.dispose();
      });
      it('ModuleList and ModuleDict reject bad indices and keys, and have no forward', () => {
        covered.add(ModuleList);
        covered.add(ModuleDict);
        const list = new ModuleList([new ReLU()]);
        expectArchzooError(
          () => list.at(-2),
          'ModuleList.at',
          'index',
          'an index in [-1, 0]',
          'got -2',
        );
        expect(() => list.forward()).toThrow(ArchzooError);
        const dict = new ModuleDict({ a: new ReLU(), b: new Tanh() });
        expectArchzooError(
          () => dict.get('c'),
          'ModuleDict.get',
          'key',
          "one of 'a', 'b'",
          "got 'c'",
        );
        expect(() => dict.forward()).toThrow(/ModuleDict\.forward: a ModuleDict has no forward/);
      });
    });
  });
}

describe('coverage', () => {
  it('every exported layer class has bad-input cases', async () => {
    const core = await import('./index.js');
    const modules = Object.entries(core).filter(
      ([n, v]) => typeof v === 'function' && v.prototype instanceof Module && n !== 'BatchNormBase',
    );
    // Loss modules have their contract and bad-input cases in losses/contract.test.ts.
    for (const cls of Object.values(await import('./losses/index.js'))) covered.add(cls);
    expect(modules.filter(([, v]) => !covered.has(v)).map(([n]) => n)).toEqual([]);
  });
});
