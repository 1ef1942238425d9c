// Parity with PyTorch 1.13 on everything deterministic for a given tensor: gains, fans, bounds,
// stds, module defaults, eye/dirac values, orthogonal's row/column convention, trunc_normal's
// bounds, and the tanh critical line. Fixture: fixtures/gen_fixtures.py (run once by hand).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import fixture from '../fixtures/torch_parity.json' with { type: 'json' };
import {
  calculateFanInAndFanOut,
  calculateGain,
  fromTorchShape,
  type Nonlinearity,
} from './fans.js';
import { truncatedNormalMoments } from './gaussian.js';
import { dirac, eye } from './identity.js';
import { kaimingStd, kaimingUniformBound } from './kaiming.js';
import { criticalTanhPoint } from './mean_field.js';
import { orthogonal } from './orthogonal.js';
import { Generator } from './random.js';
import { orthonormalColumnsError, orthonormalRowsError, useCpu } from './testing/cpu.js';
import {
  initLikeTorch,
  type NamedTensors,
  type TorchModuleSpec,
  torchDefaultBound,
} from './torch_defaults.js';
import { xavierStd, xavierUniformBound } from './xavier.js';

beforeAll(useCpu);

type Call = {
  op: string;
  low?: number;
  high?: number;
  mean?: number;
  std?: number;
  value?: number;
  shape: number[];
};
const ulp = (x: number) => Number.EPSILON * Math.abs(x);

describe('parity with PyTorch 1.13', () => {
  it('calculateGain equals calculate_gain bit for bit', () => {
    for (const { nonlinearity, param, gain } of fixture.gains) {
      expect(calculateGain(nonlinearity as Nonlinearity, param ?? undefined)).toBe(gain);
    }
  });

  it('fans equal _calculate_fan_in_and_fan_out, in torch and archzoo layouts', () => {
    for (const { shape, fanIn, fanOut } of [...fixture.fans, ...fixture.module_fans]) {
      expect(calculateFanInAndFanOut(shape)).toEqual({ fanIn, fanOut });
      expect(calculateFanInAndFanOut(fromTorchShape(shape), 'archzoo')).toEqual({ fanIn, fanOut });
    }
  });

  it('kaiming bounds and stds equal torch’s bit for bit', () => {
    for (const k of fixture.kaiming) {
      const opts = {
        a: k.a,
        mode: k.mode as 'fan_in' | 'fan_out',
        nonlinearity: k.nonlinearity as Nonlinearity,
      };
      expect(kaimingUniformBound(k.shape, opts)).toBe(k.bound);
      expect(kaimingStd(k.shape, opts)).toBe(k.std);
      expect(kaimingStd(fromTorchShape(k.shape), { ...opts, layout: 'archzoo' })).toBe(k.std);
    }
  });

  it('xavier bounds and stds equal torch’s bit for bit', () => {
    for (const x of fixture.xavier) {
      expect(xavierUniformBound(x.shape, { gain: x.gain })).toBe(x.bound);
      expect(xavierStd(x.shape, { gain: x.gain })).toBe(x.std);
    }
  });

  // Our spec for each module the fixture constructed.
  const specs: Record<string, TorchModuleSpec> = {
    'Linear(784, 10)': { module: 'Linear', inFeatures: 784, outFeatures: 10 },
    'Linear(3, 5, bias=False)': { module: 'Linear', inFeatures: 3, outFeatures: 5, bias: false },
    'Conv2d(3, 64, 7)': { module: 'Conv', inChannels: 3, outChannels: 64, kernelSize: [7, 7] },
    'Conv2d(8, 16, (3, 5), groups=2)': {
      module: 'Conv',
      inChannels: 8,
      outChannels: 16,
      kernelSize: [3, 5],
      groups: 2,
    },
    'Conv1d(4, 6, 5)': { module: 'Conv', inChannels: 4, outChannels: 6, kernelSize: [5] },
    'ConvTranspose2d(8, 12, (2, 3), groups=4)': {
      module: 'Conv',
      inChannels: 8,
      outChannels: 12,
      kernelSize: [2, 3],
      groups: 4,
      transposed: true,
    },
    'RNN(10, 20)': { module: 'RNN', inputSize: 10, hiddenSize: 20 },
    'LSTM(32, 128)': { module: 'RNN', mode: 'LSTM', inputSize: 32, hiddenSize: 128 },
    'LSTM(8, 16, num_layers=2, bidirectional=True, proj_size=4)': {
      module: 'RNN',
      mode: 'LSTM',
      inputSize: 8,
      hiddenSize: 16,
      numLayers: 2,
      bidirectional: true,
      projSize: 4,
    },
    'GRU(5, 7, num_layers=2, bias=False)': {
      module: 'RNN',
      mode: 'GRU',
      inputSize: 5,
      hiddenSize: 7,
      numLayers: 2,
      bias: false,
    },
    'MultiheadAttention(128, 4)': { module: 'MultiheadAttention', embedDim: 128, numHeads: 4 },
    'MultiheadAttention(16, 2, add_bias_kv=True, kdim=8, vdim=12)': {
      module: 'MultiheadAttention',
      embedDim: 16,
      numHeads: 2,
      addBiasKv: true,
      kdim: 8,
      vdim: 12,
    },
    'Embedding(50, 8, padding_idx=3)': {
      module: 'Embedding',
      numEmbeddings: 50,
      embeddingDim: 8,
      paddingIdx: 3,
    },
  };

  /** The distribution PyTorch leaves each parameter with: its last draw or fill of that shape. */
  function finalDraws(calls: Call[]): Call[] {
    // MultiheadAttention draws out_proj.bias, then fills it with 0: keep the last call per tensor.
    // Embedding fills its padding row, a view [dim] of the [num, dim] weight: not a parameter.
    const out: Call[] = [];
    for (const c of calls) {
      const prev = out[out.length - 1];
      if (
        c.op === 'fill' &&
        prev?.op === 'normal' &&
        prev.shape.length === 2 &&
        c.shape.join() === String(prev.shape[1])
      )
        continue;
      if (c.op === 'fill' && out.length > 0) {
        const i = out.findIndex(
          (d) => d.op !== 'fill' && d.shape.length === 1 && d.shape[0] === c.shape[0],
        );
        if (i >= 0 && c.shape.length === 1) {
          out[i] = c;
          continue;
        }
      }
      out.push(c);
    }
    return out;
  }

  function describeParam(t: tf.Tensor): { op: string; bound?: number; shape: number[] } {
    const v = t.dataSync();
    let m = 0;
    for (const x of v) m = Math.max(m, Math.abs(x));
    return { op: m === 0 ? 'fill' : 'random', bound: m, shape: t.shape };
  }

  it('module defaults: same parameters, shapes and bounds as the torch constructors', () => {
    for (const [name, calls] of Object.entries(fixture.modules) as [string, Call[]][]) {
      const spec = specs[name]!;
      const params: NamedTensors = initLikeTorch({
        ...spec,
        generator: new Generator(1),
      } as TorchModuleSpec);
      const ours = Object.values(params).map(describeParam);
      const theirs = finalDraws(calls);
      // The same multiset of (shape, kind) ...
      const key = (shape: number[], op: string) =>
        `${shape.join('x')}:${op === 'fill' ? 'fill' : 'random'}`;
      expect(ours.map((p) => key(p.shape, p.op)).sort(), name).toEqual(
        theirs.map((c) => key(c.shape, c.op)).sort(),
      );
      // ... and, shape by shape, every random parameter within torch's bound and near it (sorted
      // pairing: MultiheadAttention has two [E, E] weights with different bounds).
      const shapes = new Set(
        theirs.filter((c) => c.op === 'uniform').map((c) => c.shape.join('x')),
      );
      for (const shape of shapes) {
        const bounds = theirs
          .filter((c) => c.op === 'uniform' && c.shape.join('x') === shape)
          .map((c) => c.high!);
        const maxima = ours
          .filter((p) => p.op === 'random' && p.shape.join('x') === shape)
          .map((p) => p.bound!);
        bounds.sort((a, b) => a - b);
        maxima.sort((a, b) => a - b);
        const size = shape.split('x').reduce((a, b) => a * Number(b), 1);
        maxima.forEach((m, i) => {
          expect(m, `${name} ${shape}`).toBeLessThanOrEqual(bounds[i]! * (1 + 1e-7));
          // max |U(-b, b)| over n >= 64 draws is below b/2 with probability 2^-64.
          if (size >= 64) expect(m, `${name} ${shape}`).toBeGreaterThan(bounds[i]! / 2);
        });
      }
    }
  });

  it('module default bounds: 1/sqrt(fan_in) within 1 ulp of torch’s kaiming_uniform(a=sqrt(5)), biases and RNNs exact', () => {
    const m = fixture.modules as Record<string, Call[]>;
    const check = (calls: Call[], fanIn: number) => {
      const [w, b] = calls;
      expect(Math.abs(torchDefaultBound(fanIn) - w!.high!)).toBeLessThanOrEqual(ulp(w!.high!));
      if (b) expect(torchDefaultBound(fanIn)).toBe(b.high);
    };
    check(m['Linear(784, 10)']!, 784);
    check(m['Conv2d(3, 64, 7)']!, 3 * 49);
    check(m['Conv2d(8, 16, (3, 5), groups=2)']!, 4 * 15);
    check(m['Conv1d(4, 6, 5)']!, 4 * 5);
    check(m['ConvTranspose2d(8, 12, (2, 3), groups=4)']!, 3 * 6); // out/groups * k: torch's quirk
    for (const [name, h] of [
      ['RNN(10, 20)', 20],
      ['LSTM(32, 128)', 128],
      ['GRU(5, 7, num_layers=2, bias=False)', 7],
    ] as const) {
      for (const c of m[name]!) expect(torchDefaultBound(h)).toBe(c.high);
    }
    // MultiheadAttention: xavier_uniform on in_proj [3E, E] (or q/k/v separately), bias_k/v xavier_normal.
    const mha = m['MultiheadAttention(128, 4)']!;
    expect(mha.find((c) => c.shape.join('x') === '384x128')!.high).toBe(
      xavierUniformBound([384, 128]),
    );
    const kv = m['MultiheadAttention(16, 2, add_bias_kv=True, kdim=8, vdim=12)']!;
    expect(kv.find((c) => c.shape.join('x') === '16x8')!.high).toBe(xavierUniformBound([16, 8]));
    expect(kv.find((c) => c.op === 'normal')!.std).toBe(xavierStd([1, 1, 16]));
  });

  it('RNN and MultiheadAttention parameter names and shapes match named_parameters()', () => {
    const names: Record<string, string> = {
      'LSTM(8, 16, num_layers=2, bidirectional=True, proj_size=4)':
        'LSTM(8, 16, num_layers=2, bidirectional=True, proj_size=4)',
      'GRU(5, 7, num_layers=2, bias=False)': 'GRU(5, 7, num_layers=2, bias=False)',
      'MultiheadAttention(128, 4)': 'MultiheadAttention(128, 4)',
      'MultiheadAttention(16, 2, add_bias_kv=True, kdim=8, vdim=12)':
        'MultiheadAttention(16, 2, add_bias_kv=True, kdim=8, vdim=12)',
    };
    for (const [name, key] of Object.entries(names)) {
      const params = initLikeTorch(specs[name]!);
      const ours = Object.entries(params).map(([n, t]) => [n, t.shape]);
      const theirs = (fixture.module_params as unknown as Record<string, [string, number[]][]>)[
        key
      ]!;
      const sort = (a: (string | number[])[][]) =>
        [...a].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
      expect(sort(ours)).toEqual(sort(theirs));
      if (name.startsWith('LSTM') || name.startsWith('GRU'))
        expect(ours.map((p) => p[0])).toEqual(theirs.map((p) => p[0]));
    }
    // Embedding's padding row is zero.
    const e = initLikeTorch({
      module: 'Embedding',
      numEmbeddings: 50,
      embeddingDim: 8,
      paddingIdx: 3,
    }).weight!.dataSync();
    expect(Array.from(e.slice(24, 32))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(e.slice(16, 24).some((x) => x !== 0)).toBe(true);
  });

  it('eye_ and dirac_ values are identical, in both layouts', () => {
    for (const { shape, values } of fixture.eye)
      expect(Array.from(eye(shape).dataSync())).toEqual(values);
    for (const { shape, groups, values } of fixture.dirac) {
      expect(Array.from(dirac(shape, { groups }).dataSync())).toEqual(values);
      // archzoo [...k, in, out] permuted back to torch [out, in, ...k].
      const a = dirac(fromTorchShape(shape), { groups, layout: 'archzoo' });
      const n = shape.length;
      const perm = [n - 1, n - 2, ...Array.from({ length: n - 2 }, (_, i) => i)];
      expect(Array.from(tf.transpose(a, perm).dataSync())).toEqual(values);
    }
  });

  it('orthogonal makes the same Gram matrix the identity as orthogonal_', () => {
    for (const { shape, rowsOrthonormal, colsOrthonormal } of fixture.orthogonal) {
      const rows = shape[0]!;
      const cols = shape.reduce((a, b) => a * b, 1) / rows;
      const v = orthogonal(shape, { generator: new Generator(2) }).dataSync();
      expect(orthonormalRowsError(v, rows, cols) < 1e-5).toBe(rowsOrthonormal);
      expect(orthonormalColumnsError(v, rows, cols) < 1e-5).toBe(colsOrthonormal);
    }
  });

  it('trunc_normal_ bounds are absolute: torch’s sample moments match our closed form', () => {
    for (const t of fixture.trunc_normal) {
      const m = truncatedNormalMoments((t.a - t.mean) / t.std, (t.b - t.mean) / t.std);
      const mean = t.mean + t.std * m.mean;
      const variance = m.variance * t.std ** 2;
      expect(Math.abs(t.sampleMean - mean)).toBeLessThan(5 * Math.sqrt(variance / t.n));
      expect(Math.abs(t.sampleVar - variance)).toBeLessThan(
        5 * Math.sqrt((2 * variance ** 2) / t.n),
      );
      expect(t.min).toBeGreaterThanOrEqual(t.a);
      expect(t.max).toBeLessThanOrEqual(t.b);
    }
  });

  it('critical tanh points agree with Gauss-Hermite quadrature (numpy) to 1e-10', () => {
    for (const { qStar, sigmaW2, sigmaB2 } of fixture.critical_tanh) {
      const p = criticalTanhPoint({ qStar });
      expect(Math.abs(p.sigmaW2 - sigmaW2)).toBeLessThan(1e-10 * sigmaW2);
      expect(Math.abs(p.sigmaB2 - sigmaB2)).toBeLessThan(1e-10 * Math.max(sigmaB2, 1e-6));
    }
  });
});
