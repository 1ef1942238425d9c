/**
 * Option types shared by the initializers, and the two helpers every one of them uses.
 */
import { calculateFanInAndFanOut, type Fans, type WeightLayout } from './fans.js';
import type { Generator } from './random.js';

/** Options shared by every random initializer. */
export interface RandomOptions {
  /** Source of randomness; default: the global generator (see `manualSeed`). */
  generator?: Generator;
}

/** Options of the fan-based initializers (Kaiming/He, Glorot/Xavier, LeCun, variance scaling). */
export interface FanOptions extends RandomOptions {
  /**
   * How to read `shape` to compute the fans (see `calculateFanInAndFanOut`).
   * Default 'torch': Linear `[out, in]`, Conv `[out, in/groups, ...k]`.
   * archzoo's own layers hold `[in, out]` and `[...k, in/groups, out]`: pass 'archzoo'.
   */
  layout?: WeightLayout;
  /** Explicit fans, overriding the ones computed from `shape`. */
  fanIn?: number;
  fanOut?: number;
}

/** Fans of `shape` read in `opts.layout`, with `opts.fanIn` / `opts.fanOut` taking precedence. */
export function resolveFans(shape: readonly number[], opts: FanOptions): Fans {
  if (opts.fanIn !== undefined && opts.fanOut !== undefined) {
    return { fanIn: opts.fanIn, fanOut: opts.fanOut };
  }
  const f = calculateFanInAndFanOut(shape, opts.layout ?? 'torch');
  return { fanIn: opts.fanIn ?? f.fanIn, fanOut: opts.fanOut ?? f.fanOut };
}

/** Number of elements of `shape`, checking that every dim is a non-negative integer. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`init: shape expected non-negative integers, got [${shape.join(', ')}]`);
    }
    n *= d;
  }
  return n;
}
