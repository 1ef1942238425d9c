// A minimal app as a user would write it: the published @archzoo/core (its dist, no source
// condition) and tfjs-core, bundled by Vite. It computes f'(x) for f(x) = sum(x^3 + 2x), i.e.
// 3x^2 + 2, on the backend 'auto' picks, and writes the result into the page.
import { setBackend } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import expected from './expected.json' with { type: 'json' };

async function main(): Promise<object> {
  const backend = await setBackend('auto');
  const f = (x: tf.Tensor) => tf.sum(tf.add(tf.pow(x, 3), tf.mul(x, 2)));
  const x = tf.tensor1d(expected.x);
  const dx = tf.grad(f)(x);
  const values = Array.from(await dx.data());
  // d/dx of sum(2 unstack(x)[0]) over an axis of size 1, whose stock tfjs 4.22 gradient throws.
  const row = tf.tensor2d(expected.x, [1, expected.x.length]);
  const dRow = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.unstack(t)[0]!, 2)))(row);
  const unstackGrad = Array.from(await dRow.data());
  tf.dispose([x, dx, row, dRow]);
  return { backend, activeBackend: tf.getBackend(), grad: values, unstackGrad };
}

const out = document.getElementById('result')!;
main()
  .then((r) => {
    out.textContent = JSON.stringify(r);
  })
  .catch((e: unknown) => {
    out.textContent = JSON.stringify({
      error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e),
    });
  })
  .finally(() => {
    out.dataset.done = '1';
  });
