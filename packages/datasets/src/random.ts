import { Generator } from '@archzoo/core';

/** Randomness options shared by every dataset: a generator, or a seed for a fresh one. */
export interface SeedOptions {
  /** Seed of a fresh generator (used when `generator` is absent). Default 0: datasets are reproducible by default. */
  seed?: number;
  /** Draw from this generator instead (it advances). Takes precedence over `seed`. */
  generator?: Generator;
}

/** The generator an options object asks for. */
export function generatorFrom(opts: SeedOptions): Generator {
  return opts.generator ?? new Generator(opts.seed ?? 0);
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates, drawn from `g`). */
export function permutation(n: number, g: Generator): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  shuffleInPlace(p, g);
  return p;
}

/** Shuffles an array in place (Fisher-Yates, drawn from `g`). */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(
  a: T,
  g: Generator,
): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = g.randint(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/**
 * Splits `total` into integer parts proportional to `weights` that sum exactly to `total`
 * (largest remainder; ties go to the earlier part).
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => [e - Math.floor(e), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    parts[i]!++;
  }
  return parts;
}
