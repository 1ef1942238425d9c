import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  autoBackend,
  type BackendChoice,
  getBackend,
  hasWebGL2Float,
  isNode,
  setBackend,
} from './backend.js';
import { ArchzooError } from './errors.js';
import './index.js';

describe('setBackend', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  if (isNode()) {
    it('isNode() is true and WebGL2 is unavailable in Node', () => {
      expect(isNode()).toBe(true);
      expect(hasWebGL2Float()).toBe(false);
    });

    it("activates 'cpu'", async () => {
      await expect(setBackend('cpu')).resolves.toBe('cpu');
      expect(getBackend()).toBe('cpu');
      expect(tf.getBackend()).toBe('cpu');
    });

    it("activates 'wasm'", async () => {
      await expect(setBackend('wasm')).resolves.toBe('wasm');
      expect(getBackend()).toBe('wasm');
      // The backend really computes.
      const y = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
      expect(Array.from(y.dataSync())).toEqual([4, 6]);
      y.dispose();
    });

    it("resolves 'auto' (and the default) to wasm in Node", async () => {
      await setBackend('cpu');
      expect(autoBackend()).toBe('wasm');
      await expect(setBackend('auto')).resolves.toBe('wasm');
      expect(getBackend()).toBe('wasm');
      await setBackend('cpu');
      await expect(setBackend()).resolves.toBe('wasm');
      expect(getBackend()).toBe('wasm');
    });

    it('switches back and forth', async () => {
      await setBackend('wasm');
      await setBackend('cpu');
      expect(getBackend()).toBe('cpu');
      await setBackend('wasm');
      expect(getBackend()).toBe('wasm');
    });
  } else {
    it("resolves 'auto' to webgl in a browser with WebGL2 float targets", async () => {
      expect(isNode()).toBe(false);
      const expected = hasWebGL2Float() ? 'webgl' : 'wasm';
      expect(autoBackend()).toBe(expected);
      await expect(setBackend('auto')).resolves.toBe(expected);
      expect(getBackend()).toBe(expected);
    });

    it("activates 'cpu' in the browser", async () => {
      await expect(setBackend('cpu')).resolves.toBe('cpu');
      expect(getBackend()).toBe('cpu');
    });
  }

  it.each(['gpu', 'WASM', 'tensorflow'])(
    'rejects the unknown backend %j with an ArchzooError',
    async (name) => {
      const before = getBackend();
      const err = await setBackend(name as BackendChoice).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ArchzooError);
      const message = (err as Error).message;
      expect(message).toContain('setBackend');
      expect(message).toContain('backend');
      expect(message).toContain("'auto', 'webgl', 'wasm' or 'cpu'");
      expect(message.endsWith(`got '${name}'`)).toBe(true);
      // Nothing changed.
      expect(getBackend()).toBe(before);
    },
  );

  it('rejects a non-string backend', async () => {
    await expect(setBackend(42 as unknown as BackendChoice)).rejects.toThrow(
      /setBackend: backend expected .* got 42/,
    );
  });
});
