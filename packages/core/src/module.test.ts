import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArchzooError,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Embedding,
  Generator,
  GroupNorm,
  LayerNorm,
  Linear,
  Module,
  ModuleDict,
  ModuleList,
  ReLU,
  Sequential,
} from './index.js';
import { testBackends, useBackend } from './testing/index.js';

/**
 * A small tree with every container kind. Its PyTorch twin:
 *
 *   class Net(nn.Module):
 *       def __init__(self):
 *           super().__init__()
 *           self.features = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
 *           self.heads = nn.ModuleDict({'cls': nn.Linear(4, 2), 'box': nn.Linear(4, 4, bias=False)})
 *           self.blocks = nn.ModuleList([nn.LayerNorm(4), nn.GroupNorm(2, 4)])
 *           self.embed = nn.Embedding(5, 4)
 */
class Net extends Module {
  features: Sequential;
  heads: ModuleDict<Linear>;
  blocks: ModuleList<LayerNorm | GroupNorm>;
  embed: Embedding;

  constructor(seed = 0) {
    super();
    const generator = new Generator(seed);
    this.features = new Sequential(
      new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, generator }),
      new BatchNorm2d({ numFeatures: 4 }),
      new ReLU(),
    );
    this.heads = new ModuleDict({
      cls: new Linear({ inFeatures: 4, outFeatures: 2, generator }),
      box: new Linear({ inFeatures: 4, outFeatures: 4, bias: false, generator }),
    });
    this.blocks = new ModuleList([
      new LayerNorm({ normalizedShape: 4 }),
      new GroupNorm({ numGroups: 2, numChannels: 4 }),
    ]);
    this.embed = new Embedding({ numEmbeddings: 5, embeddingDim: 4, generator });
  }

  /** x `[N, 3, 3, 3]` -> `[N, 2]` */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const f = tf.reshape(this.features.forward(x), [x.shape[0]!, 4]); // [N, 4]
      return this.heads.get('cls').forward(this.blocks.at(0).forward(f) as tf.Tensor);
    });
  }
}

/** `{k: v.shape for k, v in Net().state_dict().items()}` in PyTorch, in its order. */
const TORCH_STATE_DICT: Record<string, number[]> = {
  'features.0.weight': [4, 3, 3, 3],
  'features.0.bias': [4],
  'features.1.weight': [4],
  'features.1.bias': [4],
  'features.1.running_mean': [4],
  'features.1.running_var': [4],
  'features.1.num_batches_tracked': [],
  'heads.cls.weight': [2, 4],
  'heads.cls.bias': [2],
  'heads.box.weight': [4, 4],
  'blocks.0.weight': [4],
  'blocks.0.bias': [4],
  'blocks.1.weight': [4],
  'blocks.1.bias': [4],
  'embed.weight': [5, 4],
};
const BUFFERS = [
  'features.1.running_mean',
  'features.1.running_var',
  'features.1.num_batches_tracked',
];
// conv 4*3*3*3 + 4, bn 4 + 4, cls 4*2 + 2, box 4*4, ln 4 + 4, gn 4 + 4, embed 5*4
const NUM_PARAMETERS = 112 + 8 + 10 + 16 + 8 + 8 + 20;

/** Every parameter and buffer's values by name. */
function snapshot(m: Module): Record<string, number[]> {
  return Object.fromEntries(
    [...m.namedParameters(), ...m.namedBuffers()].map(([n, v]) => [n, Array.from(v.dataSync())]),
  );
}

function shapes(dict: Record<string, tf.Tensor>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, t.shape]));
}

/** The error thrown by `fn`, which must be an ArchzooError. */
function archzooError(fn: () => unknown): ArchzooError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ArchzooError);
    return e as ArchzooError;
  }
  throw new Error('expected an ArchzooError, nothing was thrown');
}

for (const b of testBackends()) {
  describe(b, () => {
    beforeAll(() => useBackend(b));

    describe('names', () => {
      it('namedParameters and namedBuffers use dotted PyTorch names through every container', () => {
        const net = new Net();
        const params = Object.keys(TORCH_STATE_DICT).filter((k) => !BUFFERS.includes(k));
        expect(net.namedParameters().map(([n]) => n)).toEqual(params);
        expect(net.namedBuffers().map(([n]) => n)).toEqual(BUFFERS);
        net.dispose();
      });

      it('stateDict keys, order and shapes equal those of PyTorch', () => {
        const net = new Net();
        const sd = net.stateDict();
        expect(Object.keys(sd)).toEqual(Object.keys(TORCH_STATE_DICT));
        expect(shapes(sd)).toEqual(TORCH_STATE_DICT);
        expect(sd['features.1.num_batches_tracked']!.dtype).toBe('int32');
        tf.dispose(Object.values(sd));
        net.dispose();
      });

      it("BatchNorm's buffers have PyTorch's snake_case keys, with and without affine / running stats", () => {
        const keys = (m: Module) => {
          const sd = m.stateDict();
          tf.dispose(Object.values(sd));
          m.dispose();
          return Object.keys(sd);
        };
        expect(keys(new BatchNorm1d({ numFeatures: 3 }))).toEqual([
          'weight',
          'bias',
          'running_mean',
          'running_var',
          'num_batches_tracked',
        ]);
        expect(keys(new BatchNorm2d({ numFeatures: 3, affine: false }))).toEqual([
          'running_mean',
          'running_var',
          'num_batches_tracked',
        ]);
        expect(keys(new BatchNorm2d({ numFeatures: 3, trackRunningStats: false }))).toEqual([
          'weight',
          'bias',
        ]);
      });

      it('namedModules lists the tree depth first with dotted names', () => {
        const net = new Net();
        expect(net.namedModules().map(([n, m]) => `${n}:${m.typeName}`)).toEqual([
          ':Net',
          'features:Sequential',
          'features.0:Conv2d',
          'features.1:BatchNorm2d',
          'features.2:ReLU',
          'heads:ModuleDict',
          'heads.cls:Linear',
          'heads.box:Linear',
          'blocks:ModuleList',
          'blocks.0:LayerNorm',
          'blocks.1:GroupNorm',
          'embed:Embedding',
        ]);
        net.dispose();
      });

      it('Sequential from a record names children by key; ModuleDict keeps insertion order', () => {
        const g = new Generator(0);
        const seq = new Sequential({
          fc1: new Linear({ inFeatures: 2, outFeatures: 3, generator: g }),
          act: new ReLU(),
        });
        expect(seq.namedParameters().map(([n]) => n)).toEqual(['fc1.weight', 'fc1.bias']);
        const dict = new ModuleDict<Module>({
          z: new ReLU(),
          a: new Linear({ inFeatures: 1, outFeatures: 1, generator: g }),
        });
        dict.set('m', new LayerNorm({ normalizedShape: 2 }));
        expect(dict.keys()).toEqual(['z', 'a', 'm']);
        expect(dict.namedParameters().map(([n]) => n)).toEqual([
          'a.weight',
          'a.bias',
          'm.weight',
          'm.bias',
        ]);
        const list = new ModuleList<Module>([new ReLU()]).append(
          new Linear({ inFeatures: 1, outFeatures: 2, generator: g }),
        );
        expect(list.namedParameters().map(([n]) => n)).toEqual(['1.weight', '1.bias']);
        for (const m of [seq, dict, list]) m.dispose();
      });

      it('a shared module: once in namedParameters, under each name in the state dict (as torch)', () => {
        const fc = new Linear({ inFeatures: 2, outFeatures: 2, generator: new Generator(0) });
        const seq = new Sequential(fc, new ReLU(), fc);
        expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias']);
        expect(seq.numParameters()).toBe(6);
        const sd = seq.stateDict();
        expect(Object.keys(sd)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
        // A model loads its own state dict.
        expect(seq.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
        tf.dispose(Object.values(sd));
        seq.dispose();
      });
    });

    it('numParameters counts every parameter element (buffers excluded)', () => {
      const net = new Net();
      expect(net.numParameters()).toBe(NUM_PARAMETERS);
      expect(net.numParameters({ trainableOnly: true })).toBe(NUM_PARAMETERS);
      expect(new ReLU().numParameters()).toBe(0);
      net.dispose();
    });

    it('train() and eval() reach every descendant and return the module', () => {
      const net = new Net();
      const modes = () => net.namedModules().map(([, m]) => m.training);
      expect(modes().every((t) => t)).toBe(true);
      expect(net.eval()).toBe(net);
      expect(modes().every((t) => !t)).toBe(true);
      expect(net.train()).toBe(net);
      expect(modes().every((t) => t)).toBe(true);
      net.train(false);
      expect(modes().every((t) => !t)).toBe(true);
      // On a subtree only.
      net.train();
      net.features.eval();
      expect(
        net
          .namedModules()
          .filter(([, m]) => !m.training)
          .map(([n]) => n),
      ).toEqual(['features', 'features.0', 'features.1', 'features.2']);
      net.dispose();
    });

    describe('freeze / unfreeze', () => {
      it('freezes by predicate: parameters() leaves the frozen out, the state dict keeps them', () => {
        const net = new Net();
        const before = net.parameters().length;
        expect(net.freeze((name) => name.startsWith('features.'))).toBe(net);
        const frozen = [
          'features.0.weight',
          'features.0.bias',
          'features.1.weight',
          'features.1.bias',
        ];
        const trainable = new Set(net.parameters());
        const names = net.namedParameters();
        expect(names.filter(([, v]) => !trainable.has(v)).map(([n]) => n)).toEqual(frozen);
        expect(net.parameters().length).toBe(before - 4);
        expect(net.numParameters()).toBe(NUM_PARAMETERS);
        expect(net.numParameters({ trainableOnly: true })).toBe(NUM_PARAMETERS - 120);
        const sd = net.stateDict();
        expect(Object.keys(sd)).toEqual(Object.keys(TORCH_STATE_DICT));
        tf.dispose(Object.values(sd));
        // The predicate also sees the variable.
        net.unfreeze((name, p) => name === 'features.0.bias' && p.shape.length === 1);
        expect(net.parameters().length).toBe(before - 3);
        expect(net.summary()).toContain('bias: param float32 [4]');
        expect(net.summary()).toContain('weight: param (frozen) float32 [3, 3, 3, 4]');
        net.dispose();
      });

      it('freeze() and unfreeze() without a predicate cover everything; buffers are never trainable', () => {
        const net = new Net();
        net.freeze();
        expect(net.parameters()).toEqual([]);
        expect(net.numParameters({ trainableOnly: true })).toBe(0);
        net.unfreeze();
        expect(net.parameters().length).toBe(net.namedParameters().length);
        expect(net.namedBuffers().every(([, v]) => !v.trainable)).toBe(true);
        expect(net.parameters()).not.toContain(net.namedBuffers()[0]![1]);
        net.dispose();
      });

      it('frozen parameters get no gradient from an optimizer-style variableGrads', () => {
        const fc = new Linear({ inFeatures: 2, outFeatures: 1, generator: new Generator(0) });
        fc.freeze((n) => n === 'weight');
        const x = tf.ones([3, 2]);
        const { value, grads } = tf.variableGrads(
          () => tf.sum(fc.forward(x)) as tf.Scalar,
          fc.parameters(),
        );
        expect(Object.keys(grads)).toEqual([fc.bias!.name]);
        tf.dispose([value, x, ...Object.values(grads)]);
        fc.dispose();
      });
    });

    it('apply() visits children before their parent, in PyTorch order', () => {
      const net = new Net();
      const visited: string[] = [];
      expect(net.apply((m, name) => visited.push(`${name}:${m.typeName}`))).toBe(net);
      // torch: for child in children(): child.apply(fn); fn(self)
      expect(visited).toEqual([
        'features.0:Conv2d',
        'features.1:BatchNorm2d',
        'features.2:ReLU',
        'features:Sequential',
        'heads.cls:Linear',
        'heads.box:Linear',
        'heads:ModuleDict',
        'blocks.0:LayerNorm',
        'blocks.1:GroupNorm',
        'blocks:ModuleList',
        'embed:Embedding',
        ':Net',
      ]);
      // The usual use: re-initialize one kind of layer.
      net.apply((m) => {
        if (m instanceof Linear) m.weight.assign(tf.zerosLike(m.weight));
      });
      expect(Array.from(net.heads.get('box').weight.dataSync()).every((v) => v === 0)).toBe(true);
      net.dispose();
    });

    it('dispose() frees every parameter and buffer', () => {
      const net = new Net();
      const vars = [...net.namedParameters(), ...net.namedBuffers()].map(([, v]) => v);
      const before = tf.memory().numTensors;
      net.dispose();
      expect(vars.every((v) => v.isDisposed)).toBe(true);
      expect(tf.memory().numTensors).toBe(before - vars.length);
    });

    it('summary() shows the tree, internal and PyTorch shapes, buffers and counts', () => {
      const net = new Net();
      const s = net.summary();
      const lines = s.split('\n');
      expect(lines[0]).toBe(`Net()  params=${NUM_PARAMETERS}`);
      expect(s).toContain('  (features): Sequential()  params=120');
      expect(s).toContain('    (0): Conv2d(3, 4, kernelSize=[3,3]');
      expect(s).toContain('weight: param float32 [3, 3, 3, 4]  torch [4, 3, 3, 3]');
      expect(s).toContain('running_mean: buffer float32 [4]');
      expect(s).toContain('num_batches_tracked: buffer int32 []');
      expect(s).toContain('(cls): Linear(inFeatures=4, outFeatures=2, bias=true)  params=10');
      expect(s).toContain('weight: param float32 [4, 2]  torch [2, 4]');
      expect(lines.at(-1)).toBe(
        `Total parameters: ${NUM_PARAMETERS} (trainable: ${NUM_PARAMETERS})`,
      );
      expect(String(net)).toBe(s);
      const big = new Linear({ inFeatures: 1000, outFeatures: 2, generator: new Generator(0) });
      expect(big.summary()).toContain('Total parameters: 2,002 (trainable: 2,002)');
      big.dispose();
      net.dispose();
    });

    describe('loadStateDict', () => {
      it('loads a PyTorch-layout dict: Linear weight [out, in] becomes the internal [in, out]', () => {
        const fc = new Linear({ inFeatures: 3, outFeatures: 2, generator: new Generator(0) });
        const w = tf.tensor2d([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        const bias = tf.tensor1d([0.5, -0.5]);
        expect(fc.loadStateDict({ weight: w, bias })).toEqual({
          missingKeys: [],
          unexpectedKeys: [],
        });
        expect(fc.weight.shape).toEqual([3, 2]);
        const y = fc.forward(tf.tensor2d([[1, 10, 100]]));
        expect(Array.from(y.dataSync())).toEqual([321.5, 653.5]);
        // The dict's tensors stay the caller's.
        expect(w.isDisposed || bias.isDisposed).toBe(false);
        tf.dispose([w, bias, y]);
        fc.dispose();
      });

      it('round-trips the nested net into one built from another seed', () => {
        const a = new Net(1);
        const b = new Net(2);
        const sd = a.stateDict();
        expect(b.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
        expect(snapshot(b)).toEqual(snapshot(a));
        tf.dispose(Object.values(sd));
        a.dispose();
        b.dispose();
      });

      it('strict (default): missing and unexpected keys throw one error listing each, and load nothing', () => {
        const net = new Net(1);
        const before = snapshot(net);
        const donor = new Net(2);
        const sd = donor.stateDict();
        const extra = tf.zeros([1]);
        const dict: Record<string, tf.Tensor> = { ...sd, 'heads.cls.extra': extra };
        delete dict['heads.box.weight'];
        delete dict['features.1.running_var'];
        const err = archzooError(() => net.loadStateDict(dict));
        expect(err.message).toMatch(/^Net\.loadStateDict: 3 problem\(s\), nothing was loaded/);
        expect(err.message).toContain("missing key 'heads.box.weight'");
        expect(err.message).toContain("missing key 'features.1.running_var'");
        expect(err.message).toContain("unexpected key 'heads.cls.extra'");
        expect(snapshot(net)).toEqual(before);
        tf.dispose([...Object.values(sd), extra]);
        net.dispose();
        donor.dispose();
      });

      it('non-strict: loads what matches and returns the missing and unexpected keys', () => {
        const net = new Net(1);
        const before = snapshot(net);
        const donor = new Net(2);
        const sd = donor.stateDict();
        const extra = tf.zeros([1]);
        const dict: Record<string, tf.Tensor> = { ...sd, 'heads.cls.extra': extra };
        delete dict['heads.box.weight'];
        const result = net.loadStateDict(dict, { strict: false });
        expect(result).toEqual({
          missingKeys: ['heads.box.weight'],
          unexpectedKeys: ['heads.cls.extra'],
        });
        const after = snapshot(net);
        const loaded = snapshot(donor);
        for (const k of Object.keys(TORCH_STATE_DICT)) {
          expect(after[k], k).toEqual(k === 'heads.box.weight' ? before[k] : loaded[k]);
        }
        tf.dispose([...Object.values(sd), extra]);
        net.dispose();
        donor.dispose();
      });

      it('wrong shape, wrong dtype, a disposed tensor, a non-tensor: one error lists them all, the model is untouched', () => {
        const net = new Net(1);
        const before = snapshot(net);
        const donor = new Net(2);
        const sd = donor.stateDict();
        const wrongShape = tf.zeros([3, 4, 3, 3]);
        const wrongDtype = tf.zeros([2, 4], 'int32');
        const floatCount = tf.scalar(3, 'float32');
        const disposed = tf.zeros([4]);
        disposed.dispose();
        const extra = tf.zeros([2]);
        const dict: Record<string, tf.Tensor> = {
          ...sd,
          'features.0.weight': wrongShape, // torch [4, 3, 3, 3]
          'heads.cls.weight': wrongDtype,
          'features.1.num_batches_tracked': floatCount,
          'blocks.0.bias': disposed,
          'blocks.1.weight': 7 as unknown as tf.Tensor,
          'not.a.key': extra,
        };
        delete dict['embed.weight'];
        const err = archzooError(() => net.loadStateDict(dict));
        const problems = err.message.split('\n').slice(1);
        expect(problems).toEqual([
          // In state-dict order.
          '  - features.0.weight: shape mismatch, expected [4, 3, 3, 3], got [3, 4, 3, 3]',
          '  - features.1.num_batches_tracked: dtype mismatch, expected int32, got float32',
          '  - heads.cls.weight: dtype mismatch, expected float32, got int32',
          '  - blocks.0.bias: the tensor is disposed',
          '  - blocks.1.weight: expected a tf.Tensor, got number',
          "  - missing key 'embed.weight'",
          "  - unexpected key 'not.a.key'",
        ]);
        expect(err.message).toMatch(/^Net\.loadStateDict: 7 problem\(s\), nothing was loaded/);
        expect(snapshot(net)).toEqual(before);
        // Non-strict still refuses bad tensors (as PyTorch does for size mismatches), listing only those.
        const err2 = archzooError(() => net.loadStateDict(dict, { strict: false }));
        expect(err2.message).toContain('5 problem(s)');
        expect(err2.message).not.toContain('missing key');
        expect(snapshot(net)).toEqual(before);
        // The model still works.
        const x = tf.ones([2, 3, 3, 3]);
        const y = net.forward(x);
        expect(y.shape).toEqual([2, 2]);
        tf.dispose([...Object.values(sd), wrongShape, wrongDtype, floatCount, extra, x, y]);
        net.dispose();
        donor.dispose();
      });
    });
  });
}
