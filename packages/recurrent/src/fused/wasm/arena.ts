/**
 * A first-fit allocator of float arrays in a WebAssembly memory (the step module's): blocks are
 * 16-byte aligned, freed blocks merge with free neighbours, and the memory grows (at least
 * doubling) when nothing free fits. Growing detaches every view of the old buffer, so a block is
 * an address, and `view` makes the Float32Array of it from the current buffer.
 */

/** An allocated run of `length` floats at byte address `ptr`. */
export interface ArenaBlock {
  readonly ptr: number;
  readonly length: number;
}

const PAGE = 65536;
/** Bytes of zeros at the bottom of the memory, never allocated (`zeros`). */
const ZERO_BYTES = PAGE;
/** Floats in that run of zeros. */
export const ZERO_FLOATS = ZERO_BYTES / 4;

const bytesOf = (length: number) => Math.max(16, Math.ceil((length * 4) / 16) * 16);

export class Arena {
  readonly #memory: WebAssembly.Memory;
  /** Free runs [ptr, bytes], sorted by address, none touching another or the top. */
  readonly #free: [number, number][] = [];
  /** The end of the allocated region. */
  #top = ZERO_BYTES;

  constructor(memory: WebAssembly.Memory) {
    this.#memory = memory;
  }

  /** Byte address of `ZERO_BYTES / 4` floats that are always 0 (a stand-in for absent inputs). */
  get zeros(): number {
    return 0;
  }

  /** How many floats `zeros` holds. */
  get zeroLength(): number {
    return ZERO_FLOATS;
  }

  /** Bytes in use (allocated, not freed), for tests. */
  get used(): number {
    return this.#top - ZERO_BYTES - this.#free.reduce((s, [, n]) => s + n, 0);
  }

  /**
   * Blocks of these lengths (NOT zeroed). May grow the memory: views taken before are detached,
   * take them again with `view`.
   */
  alloc(lengths: readonly number[]): ArenaBlock[] {
    return lengths.map((length) => ({ ptr: this.#take(bytesOf(length)), length }));
  }

  /** The values of `block`, a view of the memory's current buffer. */
  view(block: ArenaBlock): Float32Array {
    return new Float32Array(this.#memory.buffer, block.ptr, block.length);
  }

  /** Gives blocks back (never use them after). */
  free(blocks: Iterable<ArenaBlock>): void {
    for (const b of blocks) this.#give(b.ptr, bytesOf(b.length));
  }

  #take(bytes: number): number {
    const i = this.#free.findIndex(([, n]) => n >= bytes);
    if (i >= 0) {
      const [ptr, n] = this.#free[i]!;
      if (n === bytes) this.#free.splice(i, 1);
      else this.#free[i] = [ptr + bytes, n - bytes];
      return ptr;
    }
    const ptr = this.#top;
    this.#top += bytes;
    const size = this.#memory.buffer.byteLength;
    if (this.#top > size) {
      const need = Math.ceil((this.#top - size) / PAGE);
      this.#memory.grow(Math.max(need, size / PAGE));
    }
    return ptr;
  }

  #give(ptr: number, bytes: number): void {
    let i = this.#free.findIndex(([p]) => p > ptr);
    if (i < 0) i = this.#free.length;
    this.#free.splice(i, 0, [ptr, bytes]);
    // merge with the next run, then with the previous one
    const next = this.#free[i + 1];
    if (next && ptr + bytes === next[0]) {
      this.#free[i] = [ptr, bytes + next[1]];
      this.#free.splice(i + 1, 1);
    }
    const prev = this.#free[i - 1];
    const cur = this.#free[i]!;
    if (prev && prev[0] + prev[1] === cur[0]) {
      this.#free[i - 1] = [prev[0], prev[1] + cur[1]];
      this.#free.splice(i, 1);
      i--;
    }
    // a run that ends at the top lowers the top
    const last = this.#free[this.#free.length - 1];
    if (last && last[0] + last[1] === this.#top) {
      this.#top = last[0];
      this.#free.pop();
    }
  }
}
