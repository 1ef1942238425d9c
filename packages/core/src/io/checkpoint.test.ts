import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchzooError } from '../errors.js';
import { BatchNorm2d, Conv2d, Flatten, Generator, Linear, ReLU, Sequential } from '../index.js';
import { Adam } from '../optim/index.js';
import { testBackends, useBackend } from '../testing/index.js';
import { loadCheckpoint, readCheckpoint, type Stateful, saveCheckpoint } from './checkpoint.js';
import { encodeSafetensors, parseSafetensorsHeader } from './safetensors.js';

function model(seed: number): Sequential {
  const generator = new Generator(seed);
  return new Sequential(
    new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, generator }),
    new BatchNorm2d({ numFeatures: 3 }),
    new ReLU(),
    new Flatten(),
    new Linear({ inFeatures: 3 * 4 * 4, outFeatures: 2, generator }),
  );
}

async function values(dict: Record<string, tf.Tensor>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(dict)) out[k] = Array.from(await t.data());
  return out;
}

async function stateValues(m: Sequential): Promise<Record<string, number[]>> {
  const sd = m.stateDict();
  const v = await values(sd);
  tf.dispose(Object.values(sd));
  return v;
}

/** A stand-in for an optimizer: PyTorch-shaped state with a tensor per parameter. */
class FakeOptimizer implements Stateful {
  step = 0;
  readonly expAvg: tf.Variable;
  failOnLoad = false;
  constructor(fill: number) {
    this.expAvg = tf.variable(tf.fill([2, 3], fill));
  }
  stateDict() {
    return {
      state: { '0': { step: this.step, expAvg: this.expAvg.clone() } },
      paramGroups: [
        {
          lr: 0.01,
          betas: [0.9, 0.999],
          params: [0],
          maxNorm: Number.POSITIVE_INFINITY,
          name: null,
        },
      ],
    };
  }
  loadStateDict(state: unknown): void {
    if (this.failOnLoad) throw new Error('FakeOptimizer: rejected');
    const s = state as ReturnType<FakeOptimizer['stateDict']>;
    this.expAvg.assign(s.state['0'].expAvg);
    this.step = s.state['0'].step;
  }
}

for (const backend of testBackends()) {
  describe(`checkpoints [${backend}]`, () => {
    beforeAll(() => useBackend(backend));

    it('round trips a model state dict with PyTorch dtypes and metadata, leaking nothing', async () => {
      const a = model(1);
      const before = tf.memory().numTensors;
      const bytes = await saveCheckpoint({ model: a, metadata: { epoch: '3', format: 'pt' } });
      expect(tf.memory().numTensors).toBe(before);
      const header = parseSafetensorsHeader(bytes);
      expect(header.metadata).toEqual({ format: 'pt', epoch: '3', 'archzoo.checkpoint': '1' });
      const dtypes = Object.fromEntries(header.entries.map(([n, e]) => [n, e.dtype]));
      expect(dtypes['1.num_batches_tracked']).toBe('I64'); // torch.long, as torch's own state_dict
      expect(dtypes['0.weight']).toBe('F32');
      expect(header.entries.find(([n]) => n === '0.weight')![1].shape).toEqual([3, 2, 3, 3]); // torch layout

      const ckpt = await readCheckpoint(bytes);
      expect(ckpt.metadata).toEqual({ format: 'pt', epoch: '3' });
      expect(ckpt.optimizer).toBeUndefined();
      expect(await values(ckpt.model)).toEqual(await stateValues(a));
      tf.dispose(Object.values(ckpt.model));

      const b = model(2);
      expect(await stateValues(b)).not.toEqual(await stateValues(a));
      const n0 = tf.memory().numTensors;
      const result = await loadCheckpoint(bytes, { model: b });
      expect(tf.memory().numTensors).toBe(n0);
      expect(result).toEqual({
        missingKeys: [],
        unexpectedKeys: [],
        metadata: { format: 'pt', epoch: '3' },
      });
      expect(await stateValues(b)).toEqual(await stateValues(a));
      a.dispose();
      b.dispose();
    });

    it('stores optimizer state: tensors under optimizer/<path>, the rest as JSON', async () => {
      const m = model(3);
      const opt = new FakeOptimizer(0.5);
      opt.step = 17;
      const bytes = await saveCheckpoint({ model: m, optimizer: opt });
      const header = parseSafetensorsHeader(bytes);
      const names = header.entries.map(([n]) => n);
      expect(names).toContain('optimizer/state.0.expAvg');
      expect(JSON.parse(header.metadata['archzoo.optimizer']!)).toEqual({
        state: { '0': { step: 17, expAvg: { $tensor: 'optimizer/state.0.expAvg' } } },
        paramGroups: [
          {
            lr: 0.01,
            betas: [0.9, 0.999],
            params: [0],
            maxNorm: { $number: 'Infinity' },
            name: null,
          },
        ],
      });

      const ckpt = await readCheckpoint(bytes);
      expect(Object.keys(ckpt.model).some((k) => k.startsWith('optimizer/'))).toBe(false);
      const tree = ckpt.optimizer as ReturnType<FakeOptimizer['stateDict']>;
      expect(tree.paramGroups[0]!.maxNorm).toBe(Number.POSITIVE_INFINITY);
      expect(Array.from(await tree.state['0'].expAvg.data())).toEqual(new Array(6).fill(0.5));
      tf.dispose([...Object.values(ckpt.model), tree.state['0'].expAvg]);

      const m2 = model(4);
      const opt2 = new FakeOptimizer(0);
      const n0 = tf.memory().numTensors;
      await loadCheckpoint(bytes, { model: m2, optimizer: opt2 });
      expect(tf.memory().numTensors).toBe(n0);
      expect(opt2.step).toBe(17);
      expect(Array.from(await opt2.expAvg.data())).toEqual(new Array(6).fill(0.5));
      expect(await stateValues(m2)).toEqual(await stateValues(m));
      tf.dispose([opt.expAvg, opt2.expAvg]);
      m.dispose();
      m2.dispose();
    });

    it("round trips archzoo's Adam: same state, and the next step is identical", async () => {
      const x = tf.tensor2d([
        [1, 2, 3],
        [-1, 0.5, 2],
      ]);
      const train = (m: Linear, opt: Adam) => {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.square(m.forward(x))) as tf.Scalar,
          m.parameters(),
        );
        opt.step(grads);
        tf.dispose([value, grads]);
      };
      const a = new Linear({ inFeatures: 3, outFeatures: 2, generator: new Generator(1) });
      const optA = new Adam(a.parameters(), { lr: 0.01 });
      train(a, optA);
      train(a, optA);
      const bytes = await saveCheckpoint({ model: a, optimizer: optA });
      const names = parseSafetensorsHeader(bytes).entries.map(([n]) => n);
      expect(names).toEqual(
        expect.arrayContaining([
          'weight',
          'bias',
          'optimizer/state.0.exp_avg',
          'optimizer/state.1.exp_avg_sq',
        ]),
      );

      const b = new Linear({ inFeatures: 3, outFeatures: 2, generator: new Generator(2) });
      const optB = new Adam(b.parameters(), { lr: 0.5 });
      const n0 = tf.memory().numTensors;
      await loadCheckpoint(bytes, { model: b, optimizer: optB });
      expect(tf.memory().numTensors).toBe(n0 + 4); // optB now holds exp_avg and exp_avg_sq for 2 params
      const [sa, sb] = [optA.stateDict(), optB.stateDict()];
      expect(sb.param_groups).toEqual(sa.param_groups); // lr 0.01 restored
      for (const i of [0, 1]) {
        expect(sb.state[i]!.step).toBe(2);
        for (const k of ['exp_avg', 'exp_avg_sq']) {
          expect(Array.from(await (sb.state[i]![k] as tf.Tensor).data())).toEqual(
            Array.from(await (sa.state[i]![k] as tf.Tensor).data()),
          );
        }
      }
      tf.dispose(
        [sa, sb].flatMap((s) =>
          Object.values(s.state).flatMap((p) =>
            Object.values(p).filter((v) => v instanceof tf.Tensor),
          ),
        ),
      );
      train(a, optA);
      train(b, optB);
      expect(Array.from(await b.weight.data())).toEqual(Array.from(await a.weight.data()));
      expect(Array.from(await b.bias!.data())).toEqual(Array.from(await a.bias!.data()));
      a.dispose();
      b.dispose();
      x.dispose();
    });

    it('accepts plain records for the model and the optimizer, and reads a Blob', async () => {
      const w = tf.tensor1d([1, 2, 3]);
      const exp = tf.tensor1d([0.1, 0.2]);
      const bytes = await saveCheckpoint({
        model: { w },
        optimizer: { exp, lr: 1e-3, note: 'adam' },
      });
      const ckpt = await readCheckpoint(new Blob([bytes as Uint8Array<ArrayBuffer>]));
      expect(await values(ckpt.model)).toEqual({ w: [1, 2, 3] });
      const tree = ckpt.optimizer as { exp: tf.Tensor; lr: number; note: string };
      expect(tree.lr).toBe(1e-3);
      expect(tree.note).toBe('adam');
      expect(Array.from(await tree.exp.data())).toEqual(Array.from(Float32Array.from([0.1, 0.2])));
      expect(w.isDisposed || exp.isDisposed).toBe(false); // the caller's tensors are kept
      tf.dispose([w, exp, ckpt.model.w!, tree.exp]);
    });

    it('all or nothing: a rejected model or optimizer state changes nothing', async () => {
      const src = model(5);
      const opt = new FakeOptimizer(0.25);
      const bytes = await saveCheckpoint({ model: src, optimizer: opt });

      const target = model(6);
      const targetBefore = await stateValues(target);
      const bad = new FakeOptimizer(0);
      bad.failOnLoad = true;
      const n0 = tf.memory().numTensors;
      await expect(loadCheckpoint(bytes, { model: target, optimizer: bad })).rejects.toThrow(
        'FakeOptimizer: rejected',
      );
      expect(tf.memory().numTensors).toBe(n0);
      expect(await stateValues(target)).toEqual(targetBefore); // model weights restored

      // A checkpoint of another architecture: loadStateDict lists the problems, changes nothing.
      const zeros = tf.zeros([1]);
      const other = await saveCheckpoint({ model: { '0.weight': zeros } });
      zeros.dispose();
      await expect(loadCheckpoint(other, { model: target })).rejects.toThrow(/nothing was loaded/);
      expect(await stateValues(target)).toEqual(targetBefore);

      // An optimizer but no optimizer state in the file.
      const noOpt = await saveCheckpoint({ model: src });
      await expect(loadCheckpoint(noOpt, { model: target, optimizer: bad })).rejects.toThrow(
        /the checkpoint holds no optimizer state/,
      );
      expect(await stateValues(target)).toEqual(targetBefore);
      expect(tf.memory().numTensors).toBe(n0);
      tf.dispose([opt.expAvg, bad.expAvg]);
      src.dispose();
      target.dispose();
    });

    it('rejects contents a checkpoint cannot hold, naming the problem', async () => {
      const t = tf.scalar(1);
      const cases: [Parameters<typeof saveCheckpoint>[0], RegExp][] = [
        [
          { model: { t }, metadata: { 'archzoo.checkpoint': '2' } },
          /metadata key 'archzoo.checkpoint' is reserved/,
        ],
        [
          { model: { t }, metadata: { epoch: 3 as unknown as string } },
          /metadata\['epoch'\] must be a string/,
        ],
        [
          { model: { 'optimizer/x': t } },
          /model key 'optimizer\/x' clashes with the optimizer prefix/,
        ],
        [
          { model: { t }, optimizer: { f: (() => 1) as unknown as number } },
          /state at 'f' is a function/,
        ],
        [
          { model: { t }, optimizer: { m: new Map() as unknown as number } },
          /state at 'm' is a \[object Map\]/,
        ],
        [
          { model: { t }, optimizer: { a: [1, undefined as unknown as number] } },
          /state at 'a.1' is undefined/,
        ],
        [{ model: { t }, optimizer: { x: { $tensor: 'w' } } }, /reserved key '\$tensor'/],
        [
          { model: { t }, optimizer: { v: new Float32Array(2) as unknown as number } },
          /\[object Float32Array\]/,
        ],
        [
          { model: null as unknown as Record<string, tf.Tensor> },
          /model expected a Module or a state dict/,
        ],
      ];
      for (const [contents, message] of cases) {
        await expect(saveCheckpoint(contents)).rejects.toThrow(ArchzooError);
        await expect(saveCheckpoint(contents)).rejects.toThrow(message);
      }
      t.dispose();
    });

    it('rejects a corrupt checkpoint with a clear error and no leak', async () => {
      const bad = (metadata: Record<string, string>, names = ['optimizer/a']) =>
        encodeSafetensors(
          Object.fromEntries(
            names.map((n) => [n, { dtype: 'F32' as const, shape: [1], values: [1] }]),
          ),
          metadata,
        );
      const cases: [Uint8Array, RegExp][] = [
        [bad({ 'archzoo.checkpoint': '9' }), /layout version '9' is not supported/],
        [
          bad({ 'archzoo.checkpoint': '1', 'archzoo.optimizer': '{"a":' }),
          /stored state is not valid JSON/,
        ],
        [
          bad({
            'archzoo.checkpoint': '1',
            'archzoo.optimizer': '{"a":{"$tensor":"optimizer/b"}}',
          }),
          /refers to a missing tensor "optimizer\/b"/,
        ],
        [
          bad({ 'archzoo.checkpoint': '1', 'archzoo.optimizer': '{"a":1}' }),
          /'optimizer\/a' are not referenced/,
        ],
        [
          bad({
            'archzoo.checkpoint': '1',
            'archzoo.optimizer': '[{"$tensor":"optimizer/a"},{"$tensor":"optimizer/a"}]',
          }),
          /uses tensor 'optimizer\/a' twice/,
        ],
        [
          bad({ 'archzoo.checkpoint': '1', 'archzoo.optimizer': '{"$number":"1e400"}' }, []),
          /bad number "1e400"/,
        ],
        [new Uint8Array(4), /safetensors: file is 4 bytes/],
      ];
      const n0 = tf.memory().numTensors;
      for (const [bytes, message] of cases)
        await expect(readCheckpoint(bytes)).rejects.toThrow(message);
      await expect(readCheckpoint('x' as unknown as Uint8Array)).rejects.toThrow(
        /readCheckpoint: expected a Uint8Array or ArrayBuffer/,
      );
      expect(tf.memory().numTensors).toBe(n0);
      // Without archzoo's metadata, 'optimizer/...' is just a model key (e.g. a foreign file).
      const foreign = await readCheckpoint(bad({}));
      expect(Object.keys(foreign.model)).toEqual(['optimizer/a']);
      tf.dispose(Object.values(foreign.model));
    });
  });
}
