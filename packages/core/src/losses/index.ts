/**
 * Loss functions with PyTorch semantics (reductions, class weights, ignored indices, label
 * smoothing). Archzoo is channels-last: class axes are LAST (`[N, C]`, `[N, ..., C]`).
 * Each loss is a pure function plus a thin `Module` wrapper holding its options.
 */
export * from './bce.js';
export * from './cross_entropy.js';
export * from './kl_div.js';
export type { Reduction } from './reduction.js';
export * from './regression.js';
