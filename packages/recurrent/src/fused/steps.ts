/**
 * Where a fused recurrent kernel keeps its arrays, and who runs its per-step elementwise passes:
 *
 * - JavaScript (`jsSteps`, the cpu backend's): plain arrays, the passes of gru_steps.ts and
 *   lstm_steps.ts.
 * - WebAssembly SIMD (`wasmSteps`, the wasm backend's when the step module runs here and H is a
 *   multiple of 4): the arrays live in the step module's memory (wasm/arena.ts) and the passes are
 *   its functions (wasm/step_module.ts), about ten times faster than the JavaScript loops. The
 *   matrix products stay tfjs-wasm's XNNPACK (dense_math.ts), which read and write these arrays like
 *   any other.
 *
 * A kernel allocates all its blocks in ONE `alloc` call, then takes their views (an allocation
 * can move the wasm memory, which detaches views taken before it).
 */
import type { ValuesBackend } from '@archzoo/core';
import { hasWasmMatMul } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { transposeInto } from './dense_math.js';
import { gruCandidate, gruGrad, gruHidden } from './gru_steps.js';
import { releaseArrays, savedArray, savedBox } from './kernel_args.js';
import { lstmCell, lstmGrad, lstmHidden } from './lstm_steps.js';
import { Arena, type ArenaBlock, ZERO_FLOATS } from './wasm/arena.js';
import { type StepExports, stepModule } from './wasm/step_module.js';

/** An array a `Steps` allocated; `view` gives its values. */
export type Block = ArenaBlock | { readonly array: Float32Array; readonly length: number };

/** The per-step passes (signatures of the JavaScript functions they stand for). */
export interface StepPasses {
  gruCandidate: typeof gruCandidate;
  gruHidden: typeof gruHidden;
  gruGrad: typeof gruGrad;
  lstmCell: typeof lstmCell;
  lstmHidden: typeof lstmHidden;
  lstmGrad: typeof lstmGrad;
  /** `src [rows, cols]` -> `dst [cols, rows]`. */
  transpose(src: Float32Array, rows: number, cols: number, dst: Float32Array): void;
}

export interface Steps extends StepPasses {
  readonly kind: 'js' | 'wasm';
  /** Blocks of these lengths, NOT zeroed. Take views only after the kernel's last `alloc`. */
  alloc(lengths: readonly number[]): Block[];
  /** The values of a block (on wasm valid until the next `alloc`). */
  view(block: Block): Float32Array;
  free(blocks: Iterable<Block>): void;
  /**
   * Frees blocks whose values `output` (kernel_args.ts) made into output tensors: on wasm it
   * copied them to the tfjs heap; the cpu backend keeps the array itself as the tensor's storage,
   * so the JavaScript `Steps` lets them go instead of pooling them.
   */
  freeOutputs(blocks: Iterable<Block>): void;
  /**
   * A block of `length` floats for `role` that outlives the kernel call until the next call asks
   * for the same role (say dA^T, which the gradient function reads after the kernel): on wasm one
   * block kept per role; in JavaScript a new array (the cpu backend may keep a tensor's values
   * array as its storage, so a reused one could change a tensor). An allocation, like `alloc`.
   */
  scratch(role: string, length: number): Block;
  /** Bytes of blocks allocated and not freed (0 for the JavaScript `Steps`, which pool arrays). */
  bytesInUse(): number;
}

type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N
  ? R
  : Tuple<T, N, [...R, T]>;

/** N views, for destructuring a kernel's blocks. */
export type Views<N extends number> = Tuple<Float32Array, N>;

/** The JavaScript passes over plain arrays (pooled, see `savedArray`). */
export const jsSteps: Steps = {
  kind: 'js',
  alloc: (lengths) => lengths.map((length) => ({ array: savedArray(length), length })),
  view: (block) => (block as { array: Float32Array }).array,
  free: (blocks) => releaseArrays([...blocks].map((b) => (b as { array: Float32Array }).array)),
  freeOutputs: () => {},
  scratch: (_role, length) => ({ array: new Float32Array(length), length }),
  bytesInUse: () => 0,
  gruCandidate,
  gruHidden,
  gruGrad,
  lstmCell,
  lstmHidden,
  lstmGrad,
  transpose: transposeInto,
};

/** The wasm passes, built on the step module and its arena. */
function makeWasmSteps(mod: StepExports): Steps {
  const arena = new Arena(mod.memory);
  const scratch = new Map<string, ArenaBlock>();
  /** Byte address of element `offset` of `a`, a view of the module's memory. */
  const ptr = (a: Float32Array, offset = 0): number => {
    if (a.buffer !== mod.memory.buffer)
      throw new Error('wasmSteps: an array is not (or no longer) a view of the step memory');
    return a.byteOffset + 4 * offset;
  };
  /** dy's address and row stride: a row of zeros repeated where there is no dy. */
  const dyArg = (dy: Float32Array | null, q: number, H: number): [number, number] =>
    dy ? [ptr(dy, q), 4 * H] : [arena.zeros, 0];
  return {
    kind: 'wasm',
    alloc: (lengths) => arena.alloc(lengths),
    view: (block) => arena.view(block as ArenaBlock),
    free: (blocks) => arena.free(blocks as Iterable<ArenaBlock>),
    freeOutputs: (blocks) => arena.free(blocks as Iterable<ArenaBlock>),
    bytesInUse: () => arena.used,
    scratch(role, length) {
      let block = scratch.get(role);
      if (block?.length !== length) {
        if (block) arena.free([block]);
        block = arena.alloc([length])[0]!;
        scratch.set(role, block);
      }
      return block;
    },
    gruCandidate(n, hpn, ho, xpn, hn, rz, bHh, B, H) {
      mod.gru_candidate(
        ptr(n),
        ptr(hpn, ho),
        ptr(xpn, ho),
        ptr(hn),
        ptr(rz),
        ptr(bHh, 2 * H),
        B,
        H,
      );
    },
    gruHidden(rz, n, nAll, mask, mo, h, y, yo, B, H) {
      mod.gru_hidden(ptr(rz), ptr(n), ptr(nAll, yo), ptr(mask, mo), ptr(h), ptr(y, yo), B, H);
    },
    gruGrad(dAn, dAh, rz, n, hpn, hPrev, mask, dy, dH, rec, t, B, H) {
      const q = t * B * H;
      const [dyp, dys] = dyArg(dy, q, H);
      mod.gru_grad(
        ptr(dAn),
        ptr(dAh),
        ptr(rz, t * B * 2 * H),
        ptr(n, q),
        ptr(hpn, q),
        ptr(hPrev, q),
        ptr(mask, t * B),
        dyp,
        ptr(dH),
        ptr(rec),
        dys,
        B,
        H,
      );
    },
    lstmCell(a, c, cNew, tc, B, H) {
      mod.lstm_cell(ptr(a), ptr(c), ptr(cNew), ptr(tc), B, H);
    },
    lstmHidden(a, tc, cNew, mask, mo, h, c, y, yo, B, H) {
      mod.lstm_hidden(ptr(a), ptr(tc), ptr(cNew), ptr(mask, mo), ptr(h), ptr(c), ptr(y, yo), B, H);
    },
    lstmGrad(dA, gates, tanhC, cPrev, mask, dy, dH, rec, dC, t, B, H) {
      const q = t * B * H;
      const [dyp, dys] = dyArg(dy, q, H);
      mod.lstm_grad(
        ptr(dA),
        ptr(gates, t * B * 4 * H),
        ptr(tanhC, q),
        ptr(cPrev, q),
        ptr(mask, t * B),
        dyp,
        ptr(dH),
        ptr(rec),
        ptr(dC),
        dys,
        B,
        H,
      );
    },
    transpose(src, rows, cols, dst) {
      // the module's transpose moves 4 x 4 blocks
      if (rows % 4 === 0 && cols % 4 === 0) mod.transpose(ptr(src), rows, cols, ptr(dst));
      else transposeInto(src, rows, cols, dst);
    },
  };
}

let wasmStepsInstance: Steps | null | undefined;

/** The wasm passes, or null where the step module cannot run (no WebAssembly SIMD). */
export function wasmSteps(): Steps | null {
  if (wasmStepsInstance === undefined) {
    const mod = stepModule();
    wasmStepsInstance = mod ? makeWasmSteps(mod) : null;
  }
  return wasmStepsInstance;
}

/**
 * The passes a kernel of hidden size H runs on `backend`: the wasm ones on tfjs-wasm when the step
 * module runs and H is a multiple of 4 (their SIMD width) and at most `ZERO_FLOATS` (their row of
 * zeros standing in for an absent dy), else the JavaScript ones.
 */
export function stepsFor(backend: ValuesBackend, H: number): Steps {
  if (hasWasmMatMul(backend) && H % 4 === 0 && H <= ZERO_FLOATS) return wasmSteps() ?? jsSteps;
  return jsSteps;
}

/** Frees saved blocks whose op was dropped without a backward pass (its box was collected). */
const dropped =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<{ steps: Steps; blocks: Block[] }>(({ steps, blocks }) =>
        steps.free(blocks),
      )
    : null;

/** What a forward kernel leaves for its backward kernel in the attrs' box (kernel_args.ts). */
export interface SavedBlocks {
  steps: Steps;
  blocks: Record<string, Block>;
}

/**
 * Leaves `blocks` (the activations the backward kernel reads), named `names` in order, in the box
 * of `attrs`; when there is no box (no backward pass will run), frees them now. On wasm, blocks of
 * a box that is dropped unused are freed when it is garbage collected.
 */
export function keepBlocks(
  attrs: tf.NamedAttrMap | undefined,
  steps: Steps,
  names: readonly string[],
  blocks: Block[],
): void {
  const box = savedBox(attrs);
  if (!box) {
    steps.free(blocks);
    return;
  }
  box.blocks = { steps, blocks: Object.fromEntries(names.map((n, i) => [n, blocks[i]!])) };
  if (steps.kind === 'wasm') dropped?.register(box, { steps, blocks }, box);
}

/**
 * The blocks `names` the forward kernel left in the box of `attrs`, and the `Steps` that holds
 * them; the box is emptied (the blocks are the caller's now, to free when done).
 */
export function takeBlocks(
  where: string,
  attrs: tf.NamedAttrMap | undefined,
  names: readonly string[],
): { steps: Steps; blocks: Block[] } {
  const box = savedBox(attrs);
  const saved = box?.blocks;
  if (!saved || names.some((n) => !saved.blocks[n]))
    throw new Error(`${where}: the forward pass's saved activations are missing (already used?)`);
  box.blocks = undefined;
  dropped?.unregister(box);
  return { steps: saved.steps, blocks: names.map((n) => saved.blocks[n]!) };
}

/** The rows [h | x_t] of this step's operand `[B, H + I + 1]` (the ones column stays). */
export function stepOperand(
  operand: Float32Array,
  h: Float32Array,
  x: Float32Array,
  xo: number,
  B: number,
  H: number,
  I: number,
): void {
  const K = H + I + 1;
  for (let b = 0; b < B; b++) {
    operand.set(h.subarray(b * H, (b + 1) * H), b * K);
    operand.set(x.subarray(xo + b * I, xo + (b + 1) * I), b * K + H);
  }
}
