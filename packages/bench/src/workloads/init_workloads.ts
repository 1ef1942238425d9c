/**
 * Init workloads: one initializer call of `@archzoo/init` against `@tensorflow/tfjs-layers` on the
 * same backend. A measured step is one call producing the weight tensor, read back (so the backend
 * has finished it) and disposed.
 */
// Importing @archzoo/core registers tfjs-core's chained tensor methods (`x.flatten()`,
// `x.sign()`), which tfjs-layers' orthogonal initializer calls; tfjs-core alone lacks them.
import { type BackendName, Generator } from '@archzoo/core';
import { deltaOrthogonal, orthogonal } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertSharedEngine } from '../engine.js';
import type { Impl, ImplContext, MeasureLimits, Trainer, Workload } from '../harness.js';

/** How tfjs-layers warns on every orthogonal call of more than 2,000 elements. */
const SLOW_WARNING = 'Orthogonal initializer is being called on a matrix with more than';

/** Runs `f` without tfjs-layers' "Slowness may result" warning (any other warning still shows). */
function withoutSlowWarning<T>(f: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith(SLOW_WARNING)) return;
    warn.apply(console, args);
  };
  try {
    return f();
  } finally {
    console.warn = warn;
  }
}

/** archzoo: `orthogonal([n, n], { generator })`, a Haar-orthogonal n x n float32 matrix. */
export function archzooOrthogonal(n: number, generator: Generator): tf.Tensor2D {
  return orthogonal([n, n], { generator }) as tf.Tensor2D;
}

/**
 * tfjs-layers: `tfl.initializers.orthogonal({ gain: 1, seed }).apply([n, n])` (a QR of a Gaussian
 * matrix by `tf.linalg.qr`, then the sign fix), without its slowness warning.
 */
export function tfjsLayersOrthogonal(n: number, seed?: number): tf.Tensor2D {
  return withoutSlowWarning(
    () => tfl.initializers.orthogonal({ gain: 1, seed }).apply([n, n]) as tf.Tensor2D,
  );
}

/** archzoo: `deltaOrthogonal([k, k, c, c], { layout: 'archzoo', generator })`. */
export function archzooDeltaOrthogonal(k: number, c: number, generator: Generator): tf.Tensor4D {
  return deltaOrthogonal([k, k, c, c], { layout: 'archzoo', generator }) as tf.Tensor4D;
}

/**
 * The tfjs-layers baseline of a delta-orthogonal `[k, k, c, c]` kernel (tfjs-layers has no
 * delta-orthogonal initializer): its orthogonal `[c, c]` matrix at the spatial centre of a zero
 * kernel, `tf.pad` of the matrix reshaped to `[1, 1, c, c]`. Centre `floor(k / 2)`, as archzoo's.
 */
export function tfjsLayersDeltaOrthogonal(k: number, c: number, seed?: number): tf.Tensor4D {
  const before = Math.floor(k / 2);
  const after = k - 1 - before;
  return tf.tidy(() =>
    tf.pad(tf.reshape(tfjsLayersOrthogonal(c, seed), [1, 1, c, c]), [
      [before, after],
      [before, after],
      [0, 0],
      [0, 0],
    ]),
  );
}

/**
 * A trainer whose step is one call of `init`: the tensor is read back (on an asynchronous backend
 * this waits for it) and disposed. Resolves to the tensor's first element (the harness checks that
 * it is finite). It holds no tensors between steps.
 */
function initTrainer(init: () => tf.Tensor): Trainer {
  return {
    async step() {
      const t = init();
      try {
        return (await t.data())[0]!;
      } finally {
        t.dispose();
      }
    },
    dispose() {},
  };
}

/**
 * Rough ms of one tfjs-layers orthogonal n x n call, for `MeasureLimits.estimateMs`: `tf.linalg.qr`
 * grows about as n^3. Measured on the shared 2-core development machine under load (5 to 7):
 * 128 x 128 took 2.8 s and 256 x 256 22 s on cpu (so about 23 min for 1024 x 1024); 1024 x 1024
 * took 63 to 94 s on wasm. Unknown (undefined: never skipped) on other backends.
 */
export function tfjsLayersOrthogonalEstimateMs(
  n: number,
  backend: BackendName,
): number | undefined {
  const cubed = (size: number) => (n / size) ** 3;
  if (backend === 'cpu') return 22_000 * cubed(256);
  if (backend === 'wasm') return 90_000 * cubed(1024);
  return undefined;
}

/**
 * Limits of a tfjs-layers orthogonal reference: no warm-up (a call takes seconds to minutes, and
 * its one-off setup is small beside that), at most 3 timed calls, and only 1 once the time budget
 * is spent. Skipped where an n x n call is estimated above the run's step limit (cpu at 1024).
 */
function referenceLimits(n: number): MeasureLimits {
  return {
    warmup: 0,
    steps: 3,
    minSteps: 1,
    estimateMs: (backend) => tfjsLayersOrthogonalEstimateMs(n, backend),
  };
}

/**
 * `orthogonal_NxN`: one orthogonal initializer call for an n x n matrix (gain 1). Reference:
 * tfjs-layers' `initializers.orthogonal`; archzoo: `orthogonal` of @archzoo/init.
 */
export function orthogonalWorkload(n: number): Workload {
  const reference: Impl = {
    name: 'tfjs-layers',
    description: `tfl.initializers.orthogonal({ gain: 1 }).apply([${n}, ${n}]) (tf.linalg.qr)`,
    create({ seed }: ImplContext): Trainer {
      assertSharedEngine();
      return initTrainer(() => tfjsLayersOrthogonal(n, seed));
    },
    limits: referenceLimits(n),
  };
  const archzoo: Impl = {
    name: 'archzoo',
    description: `orthogonal([${n}, ${n}], { generator }) of @archzoo/init (float64 Householder, Stewart 1980)`,
    create({ seed }: ImplContext): Trainer {
      const generator = new Generator(seed);
      return initTrainer(() => archzooOrthogonal(n, generator));
    },
  };
  return {
    name: `orthogonal_${n}x${n}`,
    description: `one orthogonal initializer call, ${n} x ${n} float32 (gain 1)`,
    reference: reference.name,
    impls: [reference, archzoo],
  };
}

/**
 * `delta_orthogonal_KxKxCxC`: one delta-orthogonal initializer call for a `[k, k, c, c]` conv
 * kernel (archzoo layout `[kh, kw, in, out]`, gain 1). archzoo: `deltaOrthogonal` of
 * @archzoo/init. tfjs-layers has no delta-orthogonal; its baseline is its orthogonal `[c, c]`
 * matrix padded into the kernel's centre (`tfjsLayersDeltaOrthogonal`).
 */
export function deltaOrthogonalWorkload(k: number, c: number): Workload {
  const shape = `[${k}, ${k}, ${c}, ${c}]`;
  const reference: Impl = {
    name: 'tfjs-layers',
    description: `no delta-orthogonal in tfjs-layers: tfl.initializers.orthogonal({ gain: 1 }).apply([${c}, ${c}]) at the centre of a zero ${shape} kernel (tf.pad)`,
    create({ seed }: ImplContext): Trainer {
      assertSharedEngine();
      return initTrainer(() => tfjsLayersDeltaOrthogonal(k, c, seed));
    },
    limits: referenceLimits(c),
  };
  const archzoo: Impl = {
    name: 'archzoo',
    description: `deltaOrthogonal(${shape}, { layout: 'archzoo', generator }) of @archzoo/init`,
    create({ seed }: ImplContext): Trainer {
      const generator = new Generator(seed);
      return initTrainer(() => archzooDeltaOrthogonal(k, c, generator));
    },
  };
  return {
    name: `delta_orthogonal_${k}x${k}x${c}x${c}`,
    description: `one delta-orthogonal initializer call, ${shape} float32 conv kernel (gain 1)`,
    reference: reference.name,
    impls: [reference, archzoo],
  };
}

/** Workload `orthogonal_1024x1024`: one tfjs-layers or archzoo orthogonal call of 1024 x 1024. */
export const orthogonal1024: Workload = orthogonalWorkload(1024);

/** Workload `delta_orthogonal_3x3x256x256`: one delta-orthogonal 3x3 conv kernel, 256 -> 256 channels. */
export const deltaOrthogonal3x3x256: Workload = deltaOrthogonalWorkload(3, 256);
