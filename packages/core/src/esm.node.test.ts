// Gradients in plain Node ESM, outside vitest and its transforms: a child `node` process imports
// the *built* @archzoo/core (dist, resolved through `exports` with no source condition) and
// computes tf.grad on wasm and on cpu. Importing @archzoo/core alone must register the gradients.
//
// Builds nothing itself: turbo builds core's dist before the tests run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import expected from '../test-apps/vite-grad/expected.json' with { type: 'json' };

const coreDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The child's program: f(x) = sum(x^3 + 2x), f'(x) = 3x^2 + 2, on each backend in turn. */
const program = `
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '@archzoo/core';
const x = ${JSON.stringify(expected.x)};
const out = { resolved: import.meta.resolve('@archzoo/core'), runs: {} };
for (const name of ['wasm', 'cpu']) {
  const active = await setBackend(name);
  const f = (t) => tf.sum(tf.add(tf.pow(t, 3), tf.mul(t, 2)));
  const xt = tf.tensor1d(x);
  const dx = tf.grad(f)(xt);
  // A second graph: d/dw of -log softmax(a w)[0, 0], through matMul and logSoftmax.
  const a = tf.tensor2d([[1, 2], [0.5, -1]]);
  const w = tf.tensor2d([[0.1, -0.2, 0.3], [0.4, 0, -0.1]]);
  const loss = (wt) => tf.neg(tf.sum(tf.slice(tf.logSoftmax(tf.matMul(a, wt)), [0, 0], [1, 1])));
  const { value, grad } = tf.valueAndGrad(loss)(w);
  // tf.unstack over an axis of size 1, whose stock tfjs 4.22 gradient throws.
  const row = tf.tensor2d([x]);
  const dRow = tf.grad((t) => tf.sum(tf.mul(tf.unstack(t)[0], 2)))(row);
  out.runs[name] = {
    active, engine: tf.getBackend(),
    grad: Array.from(await dx.data()),
    loss: (await value.data())[0], lossGrad: Array.from(await grad.data()),
    unstackGrad: Array.from(await dRow.data()),
  };
  tf.dispose([xt, dx, a, w, value, grad, row, dRow]);
}
console.log('RESULT ' + JSON.stringify(out));
`;

interface Run {
  active: string;
  engine: string;
  grad: number[];
  loss: number;
  lossGrad: number[];
  unstackGrad: number[];
}

describe('plain Node ESM import of the built @archzoo/core', () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('computes gradients on wasm and cpu', () => {
    for (const f of ['dist/index.js', 'dist/generated/tfjs-gradients.js']) {
      if (!existsSync(join(coreDir, f))) {
        throw new Error(`packages/core/${f} is missing: build first (pnpm turbo run build)`);
      }
    }
    // A directory outside the workspace where `@archzoo/core` is the package on disk, as in an
    // app that installed it, and tfjs-core is the same copy core uses.
    dir = mkdtempSync(join(tmpdir(), 'archzoo-esm-'));
    mkdirSync(join(dir, 'node_modules/@archzoo'), { recursive: true });
    mkdirSync(join(dir, 'node_modules/@tensorflow'), { recursive: true });
    symlinkSync(coreDir, join(dir, 'node_modules/@archzoo/core'), 'dir');
    const tfjsCore = realpathSync(join(coreDir, 'node_modules/@tensorflow/tfjs-core'));
    symlinkSync(tfjsCore, join(dir, 'node_modules/@tensorflow/tfjs-core'), 'dir');

    const env = { ...process.env };
    delete env.NODE_OPTIONS; // no loaders or conditions inherited from the test runner
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', program], {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, `no RESULT line in the child's output:\n${stdout}`).toBeDefined();
    const out = JSON.parse(line!.slice('RESULT '.length)) as {
      resolved: string;
      runs: Record<string, Run>;
    };

    expect(out.resolved).toBe(pathToFileURL(join(realpathSync(coreDir), 'dist/index.js')).href);
    // Reference for the softmax loss: row 0 of a w is [0.9, -0.2, 0.1]; d/dw = a[0]^T (p - onehot).
    const e = [0.9, -0.2, 0.1].map(Math.exp);
    const p = e.map((v) => v / e.reduce((s, u) => s + u, 0));
    const lossGrad = [1, 2].flatMap((ai) => p.map((pj, j) => ai * (pj - (j === 0 ? 1 : 0))));
    for (const name of ['wasm', 'cpu']) {
      const r = out.runs[name]!;
      expect(r.active).toBe(name);
      expect(r.engine).toBe(name);
      expect(r.grad).toHaveLength(expected.grad.length);
      r.grad.forEach((g, i) => expect(g, `${name} grad[${i}]`).toBeCloseTo(expected.grad[i]!, 4));
      expect(r.loss).toBeCloseTo(-Math.log(p[0]!), 5);
      r.lossGrad.forEach((g, i) =>
        expect(g, `${name} lossGrad[${i}]`).toBeCloseTo(lossGrad[i]!, 5),
      );
      expect(r.unstackGrad, `${name} unstackGrad`).toEqual(expected.x.map(() => 2));
    }
  });
});
