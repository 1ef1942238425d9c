import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradients of tfjs-core 4.22's multi-output kernels Unpack and SplitV, corrected for a single
 * output.
 *
 * tfjs's engine hands a gradient function the array of dys only when the kernel has more than one
 * output (`gradientsFunc(dys.length > 1 ? dys : dys[0], ...)` in engine.ts); with one output it
 * gets the bare dy. The stock Unpack gradient (`stack(dy, axis)`) and SplitV gradient
 * (`concat(dy, axis)`) expect the array, so `tf.unstack(x, axis)` with `x.shape[axis] === 1` and
 * `tf.split(x, 1)` could not be differentiated ("Argument tensors passed to stack must be a
 * `Tensor[]`"). register.ts calls `registerGradientFixes()` once, after the bundled tfjs gradients.
 */

/** The kernels whose gradient functions are written for an array of dys. */
const MULTI_OUTPUT: readonly string[] = [tf.Unpack, tf.SplitV];

/**
 * Marks a config whose gradient function accepts a bare dy, and the guarded registry. Global
 * symbols, so that two copies of @archzoo/core (or a module graph loaded twice, as test runners
 * do) recognize each other's work instead of wrapping it again.
 */
const ACCEPTS_BARE_DY = Symbol.for('@archzoo/core/gradients: accepts a bare dy');
const GUARDED = Symbol.for('@archzoo/core/gradients: registry guarded');

type Marked = tf.GradConfig & { [ACCEPTS_BARE_DY]?: true };

/** dy as an array: tfjs passes one bare tensor for a kernel with a single output. */
function asArray(dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(dy) ? dy : [dy];
}

/** d unstack(x, axis) / dx: the output gradients stacked back along `axis`. */
export const unpackGradConfig: tf.GradConfig = {
  kernelName: tf.Unpack,
  gradFunc: (dy, _saved, attrs) => {
    const axis = attrs.axis as tf.UnpackAttrs['axis'];
    return { value: () => tf.stack(asArray(dy), axis) };
  },
  [ACCEPTS_BARE_DY]: true,
} as Marked;

/** d split(x, sizes, axis) / dx: the output gradients concatenated back along `axis`. */
export const splitVGradConfig: tf.GradConfig = {
  kernelName: tf.SplitV,
  gradFunc: (dy, _saved, attrs) => {
    const axis = attrs.axis as tf.SplitVAttrs['axis'];
    return { x: () => tf.concat(asArray(dy), axis) };
  },
  [ACCEPTS_BARE_DY]: true,
} as Marked;

/** `config` with its gradient function also given an array when tfjs passes one bare dy. */
function acceptBareDy(config: Marked): Marked {
  if (config[ACCEPTS_BARE_DY]) return config;
  const { gradFunc } = config;
  return {
    ...config,
    gradFunc: (dy, saved, attrs) => gradFunc(asArray(dy), saved, attrs),
    [ACCEPTS_BARE_DY]: true,
  };
}

/**
 * tfjs's gradient registry: one Map that every copy of tfjs-core keeps under `_tfGlobals` on the
 * first of window, global, process and self that exists (tfjs-core's `getGlobalNamespace`).
 */
function gradRegistry(): (Map<string, tf.GradConfig> & { [GUARDED]?: true }) | undefined {
  const g = globalThis as Record<string, unknown>;
  const ns = (['window', 'global', 'process', 'self'] as const)
    .map((name) => g[name])
    .find((v) => v !== undefined) as { _tfGlobals?: Map<string, unknown> } | undefined;
  const registry = ns?._tfGlobals?.get('gradRegistry');
  return registry instanceof Map ? (registry as Map<string, tf.GradConfig>) : undefined;
}

/**
 * Registers the corrected Unpack and SplitV gradients (idempotent), and keeps them correct
 * whatever is imported later: `@tensorflow/tfjs` and `@tensorflow/tfjs-layers` re-register all
 * of tfjs-core's stock gradients when they load, so a later registration of these two kernels
 * is stored wrapped to receive its dys as an array (a custom one registered on purpose still
 * runs, with the argument its multi-output contract promises).
 */
export function registerGradientFixes(): void {
  const registry = gradRegistry();
  if (registry && !registry[GUARDED]) {
    const set = registry.set.bind(registry);
    registry.set = (name, config) =>
      set(name, MULTI_OUTPUT.includes(name) ? acceptBareDy(config) : config);
    registry[GUARDED] = true;
  }
  tf.registerGradient(unpackGradConfig);
  tf.registerGradient(splitVGradConfig);
}
