/**
 * Seeded pseudo-random numbers that give the same stream on every backend and platform.
 *
 * The generator is xoshiro128** (Blackman & Vigna 2018), seeded through splitmix32 so that any
 * integer seed (including 0) gives a well-mixed state. Everything is computed in JavaScript on
 * 32-bit integers, so the numbers do not depend on the tfjs backend: same seed, same weights on
 * cpu, wasm and webgl.
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Box-Muller produces normals in pairs; the second one waits here. */
  private spare: number | null = null;
  private seedValue: number;

  constructor(seed = 0) {
    this.seedValue = seed;
    this.manualSeed(seed);
  }

  /** The seed this generator was last seeded with. */
  initialSeed(): number {
    return this.seedValue;
  }

  /** Re-seed in place, like `torch.Generator.manual_seed`. Returns `this`. */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`Generator.manualSeed: seed expected a finite number, got ${seed}`);
    }
    this.seedValue = seed;
    // splitmix32 over the low and high 32-bit halves of the seed.
    let x = (Math.floor(seed) >>> 0) ^ Math.floor(seed / 4294967296);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spare = null;
    return this;
  }

  /** Next unsigned 32-bit integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal N(0, 1) by the Box-Muller transform. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    // u1 in (0, 1] so that log(u1) is finite.
    const u1 = 1 - this.random();
    const u2 = this.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n). */
  randint(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** A fresh generator seeded from this one (for splitting streams). */
  fork(): Generator {
    return new Generator(this.nextUint32() * 4294967296 + this.nextUint32());
  }

  /** Serializable state, to save and restore a stream exactly. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spare ?? Number.NaN, this.seedValue];
  }

  setState(state: readonly number[]): this {
    if (state.length !== 6) {
      throw new RangeError(`Generator.setState: state expected 6 numbers, got ${state.length}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v >>> 0);
    this.spare = Number.isNaN(state[4]) ? null : state[4]!;
    this.seedValue = state[5]!;
    return this;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

let globalGenerator = new Generator(0);

/** The process-wide default generator, used when no `generator` option is given. */
export function defaultGenerator(): Generator {
  return globalGenerator;
}

/** Seed the default generator, like `torch.manual_seed`. Returns it. */
export function manualSeed(seed: number): Generator {
  globalGenerator = new Generator(seed);
  return globalGenerator;
}
