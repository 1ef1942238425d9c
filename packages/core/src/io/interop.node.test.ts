// Checkpoint interop with PyTorch, both ways, against fixtures made by fixtures/gen_interop.py
// (torch 1.13). torch -> archzoo: torch's state_dict()s load into the equivalent archzoo models,
// which reproduce torch's outputs. archzoo -> torch: archzoo's checkpoints (committed, and checked
// here to be byte for byte what archzoo writes today) were loaded by torch with a strict
// load_state_dict; archzoo's outputs equal the outputs torch recorded.
//
// Regenerate: ARCHZOO_UPDATE_FIXTURES=1 npx vitest run --project node packages/core/src/io/interop
// (writes the archzoo checkpoints), then `python3 fixtures/gen_interop.py archzoo`.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  Conv2d,
  Flatten,
  Generator,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  Tanh,
} from '../index.js';
import { maxAbsDiff, testBackends, useBackend } from '../testing/index.js';
import { saveCheckpoint } from './checkpoint.js';
import { encodeValues } from './dtypes.js';
import { loadCheckpointFile, loadSafetensorsFile } from './node.js';
import { decodeSafetensors, parseSafetensorsHeader } from './safetensors.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/interop');
const UPDATE = process.env.ARCHZOO_UPDATE_FIXTURES === '1';
/** float32 outputs of the same math in a different order (torch's kernels vs tfjs's). */
const TOL = 1e-5;

/** torch: Sequential(Linear(6, 16), ReLU(), Linear(16, 16), Tanh(), Linear(16, 3)). */
function mlp(generator?: Generator): Sequential {
  return new Sequential(
    new Linear({ inFeatures: 6, outFeatures: 16, generator }),
    new ReLU(),
    new Linear({ inFeatures: 16, outFeatures: 16, generator }),
    new Tanh(),
    new Linear({ inFeatures: 16, outFeatures: 3, generator }),
  );
}

/** torch: Sequential(Conv2d(3, 8, 3, padding=1), BatchNorm2d(8), ReLU(), MaxPool2d(2), Flatten(), Linear(128, 5)). */
function cnn(generator?: Generator): Sequential {
  return new Sequential(
    new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1, generator }),
    new BatchNorm2d({ numFeatures: 8 }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Flatten(), // PyTorch's (C, H, W) flattening order, so Linear loads torch's weight as is
    new Linear({ inFeatures: 8 * 4 * 4, outFeatures: 5, generator }),
  );
}

/**
 * The archzoo side of archzoo -> torch. Every entry is drawn here from one seeded generator (not
 * by the layers' initializers, so the committed bytes test the writer, not init): weights and
 * biases U(-0.5, 0.5), BatchNorm weight and running_var U(0.5, 2), num_batches_tracked 3.
 */
function archzooModels(): { mlp: Sequential; cnn: Sequential } {
  const g = new Generator(2024);
  const fill = (model: Sequential) => {
    const sd = model.stateDict();
    const drawn: Record<string, tf.Tensor> = {};
    for (const [key, t] of Object.entries(sd)) {
      const [lo, hi] =
        key.endsWith('running_var') || (key === '1.weight' && t.rank === 1)
          ? [0.5, 2]
          : [-0.5, 0.5];
      drawn[key] = key.endsWith('num_batches_tracked')
        ? tf.scalar(3, 'int32')
        : tf.tensor(
            Float32Array.from({ length: t.size }, () => lo + (hi - lo) * g.random()),
            t.shape,
          );
    }
    model.loadStateDict(drawn);
    tf.dispose([...Object.values(sd), ...Object.values(drawn)]);
    return model.eval();
  };
  return { mlp: fill(mlp()), cnn: fill(cnn()) };
}

async function fixture(name: string): Promise<Record<string, tf.Tensor>> {
  return (await loadSafetensorsFile(join(DIR, name))).tensors;
}

function forward(model: Sequential, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => model.forward(x));
}

for (const backend of testBackends()) {
  describe(`PyTorch interop [${backend}]`, () => {
    let io: Record<string, tf.Tensor>;
    beforeAll(async () => {
      await useBackend(backend);
      io = await fixture('torch_io.safetensors');
    });

    it('torch -> archzoo: an MLP state_dict loads strictly and reproduces torch', async () => {
      const model = mlp().eval();
      const result = await loadCheckpointFile(join(DIR, 'torch_mlp.safetensors'), { model });
      expect(result).toEqual({ missingKeys: [], unexpectedKeys: [], metadata: { format: 'pt' } });
      const y = forward(model, io['mlp.x']!);
      expect(y.shape).toEqual([4, 3]);
      expect(maxAbsDiff(y, io['mlp.y']!)).toBeLessThan(TOL);
      tf.dispose(y);
      model.dispose();
    });

    it('torch -> archzoo: a CNN with BatchNorm (I64 num_batches_tracked) reproduces torch on NHWC input', async () => {
      const header = parseSafetensorsHeader(await readFile(join(DIR, 'torch_cnn.safetensors')));
      expect(header.entries.find(([n]) => n === '1.num_batches_tracked')![1].dtype).toBe('I64');
      const model = cnn().eval();
      await loadCheckpointFile(join(DIR, 'torch_cnn.safetensors'), { model });
      const sd = model.stateDict();
      expect(sd['1.num_batches_tracked']!.dtype).toBe('int32');
      expect(sd['1.num_batches_tracked']!.dataSync()[0]).toBe(7);
      tf.dispose(Object.values(sd));
      const y = forward(model, io['cnn.x']!); // [2, 8, 8, 3] NHWC
      expect(y.shape).toEqual([2, 5]);
      expect(maxAbsDiff(y, io['cnn.y']!)).toBeLessThan(TOL);
      tf.dispose(y);
      model.dispose();
    });

    it('archzoo -> torch: the committed archzoo checkpoints are byte for byte what archzoo writes today', async () => {
      const models = archzooModels();
      for (const name of ['mlp', 'cnn'] as const) {
        const bytes = await saveCheckpoint({
          model: models[name],
          metadata: { source: 'archzoo interop fixture' },
        });
        const path = join(DIR, `archzoo_${name}.safetensors`);
        if (UPDATE && backend === 'cpu') await writeFile(path, bytes);
        expect(new Uint8Array(await readFile(path))).toEqual(bytes);
      }
      models.mlp.dispose();
      models.cnn.dispose();
    });

    it('archzoo -> torch: torch, running archzoo weights, computed what archzoo computes', async () => {
      const fromArchzoo = await fixture('torch_from_archzoo.safetensors');
      const models = archzooModels();
      for (const [name, x] of [
        ['mlp', io['mlp.x']!],
        ['cnn', io['cnn.x']!],
      ] as const) {
        const y = forward(models[name], x);
        expect(y.shape).toEqual(fromArchzoo[`${name}.y`]!.shape);
        expect(maxAbsDiff(y, fromArchzoo[`${name}.y`]!)).toBeLessThan(TOL);
        // The loaded checkpoint gives the same model again.
        const again = name === 'mlp' ? mlp().eval() : cnn().eval();
        await loadCheckpointFile(join(DIR, `archzoo_${name}.safetensors`), { model: again });
        const y2 = forward(again, x);
        expect(maxAbsDiff(y2, y)).toBe(0);
        tf.dispose([y, y2]);
        again.dispose();
      }
      models.mlp.dispose();
      models.cnn.dispose();
      tf.dispose(Object.values(fromArchzoo));
    });
  });
}

describe('PyTorch dtype conversions', () => {
  it('reads F16, BF16 and F64 as torch converts them, and writes F16 / BF16 bit-identical to torch', async () => {
    const bytes = new Uint8Array(await readFile(join(DIR, 'torch_dtypes.safetensors')));
    const header = parseSafetensorsHeader(bytes);
    const { tensors: t } = decodeSafetensors(bytes);
    const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      expect(Array.from(a).map(String)).toEqual(Array.from(b).map(String)); // NaN-aware
    same(t.x_f16!.values, t.x_f16_back!.values);
    same(t.x_bf16!.values, t.x_bf16_back!.values);
    same(t.x_f64!.values, t.x!.values);
    const raw = (name: string) => {
      const e = header.entries.find(([n]) => n === name)![1];
      return bytes.subarray(
        header.dataStart + e.dataOffsets[0],
        header.dataStart + e.dataOffsets[1],
      );
    };
    // Bit-identical to torch's conversions, except NaN payloads (torch's vectorized bfloat16 path
    // writes 0xffff, its scalar path 0x7fc0; any NaN is a NaN).
    const sameBits = (dtype: 'F16' | 'BF16' | 'F64', name: string) => {
      const size = dtype === 'F64' ? 8 : 2;
      const ours = encodeValues(dtype, t.x!.values, 'x');
      const theirs = raw(name);
      expect(ours.length).toBe(theirs.length);
      Array.from(t.x!.values).forEach((v, i) => {
        if (Number.isNaN(v)) return;
        expect(Array.from(ours.subarray(i * size, (i + 1) * size)), `${name}[${i}] = ${v}`).toEqual(
          Array.from(theirs.subarray(i * size, (i + 1) * size)),
        );
      });
    };
    sameBits('F16', 'x_f16');
    sameBits('BF16', 'x_bf16');
    sameBits('F64', 'x_f64');
    const ints = [0, 1, -1, 127, -128, 2147483647, -2147483648, 42];
    expect(Array.from(t.i64!.values)).toEqual(ints);
    expect(Array.from(t.i32!.values)).toEqual(ints);
    expect(encodeValues('I64', ints, 'i64')).toEqual(raw('i64'));
    expect(Array.from(t.i16!.values)).toEqual([0, 1, -1, 32767, -32768]);
    expect(Array.from(t.i8!.values)).toEqual([0, 1, -1, 127, -128]);
    expect(Array.from(t.u8!.values)).toEqual([0, 1, 128, 255]);
    expect(t.b!.dtype).toBe('bool');
    expect(Array.from(t.b!.values)).toEqual([1, 0, 1]);
    expect(t.empty!.shape).toEqual([0, 3]);
    expect(t.scalar!.shape).toEqual([]);
    expect(Array.from(t.scalar!.values)).toEqual([3.5]);
  });
});
