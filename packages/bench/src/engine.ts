import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Checks that `@tensorflow/tfjs-layers` runs on the same tfjs-core engine as archzoo. Its Node
 * entry (`dist/tf-layers.node.js`) does `require('@tensorflow/tfjs-core')`; this resolves that
 * require from tfjs-layers' own location and compares the engine and the active backend with
 * ours. A second engine would make the comparison meaningless (its own backend, its own kernels,
 * and none of archzoo's registrations), so a mismatch throws.
 */
export function assertSharedEngine(): void {
  const require = createRequire(import.meta.url);
  const layersEntry = require.resolve('@tensorflow/tfjs-layers');
  const theirs = createRequire(layersEntry)('@tensorflow/tfjs-core') as typeof tf;
  if (theirs.engine() !== tf.engine()) {
    throw new Error(
      `tfjs-layers (${layersEntry}) loaded a second tfjs-core engine; install a single @tensorflow/tfjs-core`,
    );
  }
  if (theirs.getBackend() !== tf.getBackend()) {
    throw new Error(
      `tfjs-layers sees backend '${theirs.getBackend()}' but archzoo has '${tf.getBackend()}'`,
    );
  }
}
