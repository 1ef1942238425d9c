/**
 * The few dense operations the fused recurrent kernels need, over plain `Float32Array`s, on the
 * backend a kernel runs on: matrix products and an in-place sigmoid (the kernels take tanh as
 * tanh(a) = 2σ(2a) - 1, absolute error a few 1e-8: tfjs-wasm's Tanh is scalar code, ten times slower
 * than its vectorized Sigmoid). On wasm the products are tfjs-wasm's XNNPACK BatchMatMul (core's
 * `wasmMatMul`) and the sigmoid its XNNPACK Sigmoid (about 1 ns per element, against 10 to 30 ns
 * for `Math.exp` in JavaScript); on cpu they are JavaScript loops.
 */
import { hasWasmMatMul, makeOutput, type ValuesBackend, wasmMatMul } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';

/** A right-hand operand `[rows, cols]` kept for many products (made by `DenseMath.hold`). */
export interface HeldMatrix {
  readonly rows: number;
  readonly cols: number;
}

export interface DenseMath {
  /**
   * Keeps `values` (`[rows, cols]`, row-major) as the right operand of later products: on wasm a
   * heap tensor whose packed form XNNPACK keeps between products. Never change `values` after.
   * Free it with `release`.
   */
  hold(values: Float32Array, rows: number, cols: number): HeldMatrix;
  /** `out[offset, offset + m * n) = a [m, k] · w [k, n]` (overwrites). */
  matmul(a: Float32Array, m: number, w: HeldMatrix, out: Float32Array, offset?: number): void;
  /** `out[offset, offset + m * n) = σ(a [m, k] · w [k, n])`: the product, then `sigmoid`. */
  matmulSigmoid(
    a: Float32Array,
    m: number,
    w: HeldMatrix,
    out: Float32Array,
    offset?: number,
  ): void;
  /** `v = 1 / (1 + exp(-v))`, elementwise, in place. */
  sigmoid(v: Float32Array): void;
  release(w: HeldMatrix): void;
}

/** `a [m, k] · b [k, n]` once (into `out` when given): holds `b`, multiplies, releases. */
export function product(
  math: DenseMath,
  a: Float32Array,
  m: number,
  b: Float32Array,
  k: number,
  n: number,
  out: Float32Array = new Float32Array(m * n),
): Float32Array {
  const w = math.hold(b, k, n);
  try {
    math.matmul(a, m, w, out);
    return out;
  } finally {
    math.release(w);
  }
}

/** `dst += src`, elementwise. */
export function addInto(dst: Float32Array, src: Float32Array): void {
  for (let i = 0; i < dst.length; i++) dst[i]! += src[i]!;
}

/** `[rows, cols]` -> `[cols, rows]`, into a new array. */
export function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  return transposeInto(src, rows, cols, new Float32Array(rows * cols));
}

/** `src [rows, cols]` -> `dst [cols, rows]` (returns dst). */
export function transposeInto(
  src: Float32Array,
  rows: number,
  cols: number,
  dst: Float32Array,
): Float32Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[o + c]!;
  }
  return dst;
}

interface JsHeld extends HeldMatrix {
  values: Float32Array;
}

/** Plain JavaScript: row-major i-k-j products, `Math.exp`. */
const jsMath: DenseMath = {
  hold: (values, rows, cols): JsHeld => ({ rows, cols, values }),
  matmul(a, m, w, out, offset = 0) {
    const { rows: k, cols: n, values: b } = w as JsHeld;
    out.fill(0, offset, offset + m * n);
    for (let i = 0; i < m; i++) {
      const o = offset + i * n;
      let p = 0;
      // four rows of b per pass over the output row: a quarter of the loads and stores of out
      for (; p + 4 <= k; p += 4) {
        const a0 = a[i * k + p]!;
        const a1 = a[i * k + p + 1]!;
        const a2 = a[i * k + p + 2]!;
        const a3 = a[i * k + p + 3]!;
        const b0 = p * n;
        for (let j = 0; j < n; j++) {
          out[o + j]! +=
            a0 * b[b0 + j]! +
            a1 * b[b0 + n + j]! +
            a2 * b[b0 + 2 * n + j]! +
            a3 * b[b0 + 3 * n + j]!;
        }
      }
      for (; p < k; p++) {
        const av = a[i * k + p]!;
        const bo = p * n;
        for (let j = 0; j < n; j++) out[o + j]! += av * b[bo + j]!;
      }
    }
  },
  matmulSigmoid(a, m, w, out, offset = 0) {
    jsMath.matmul(a, m, w, out, offset);
    jsMath.sigmoid(out.subarray(offset, offset + m * w.cols));
  },
  sigmoid(v) {
    for (let i = 0; i < v.length; i++) v[i] = 1 / (1 + Math.exp(-v[i]!));
  },
  release() {},
};

/** What the wasm path uses of tfjs-backend-wasm's backend besides `ValuesBackend`. */
interface WasmBackend extends ValuesBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.DataId): boolean;
}

interface WasmHeld extends HeldMatrix {
  tensor: tf.TensorInfo;
}

/**
 * XNNPACK through tfjs-wasm's kernels. Every heap view is taken right after the allocation it
 * depends on (an allocation may grow the wasm memory, which detaches views taken before).
 */
function wasmMath(backend: WasmBackend): DenseMath {
  const sigmoidKernel = tf.getKernel(tf.Sigmoid, 'wasm')!.kernelFunc;
  const sigmoid = (v: Float32Array) => {
    const x = makeOutput(backend, [v.length], 'float32', v);
    const y = sigmoidKernel({ inputs: { x }, backend, attrs: {} }) as tf.TensorInfo;
    v.set(backend.typedArrayFromHeap(y));
    backend.disposeData(x.dataId);
    backend.disposeData(y.dataId);
  };
  return {
    hold: (values, rows, cols): WasmHeld => ({
      rows,
      cols,
      tensor: makeOutput(backend, [rows, cols], 'float32', values),
    }),
    matmul(a, m, w, out, offset = 0) {
      const { rows: k, cols: n, tensor } = w as WasmHeld;
      const y = wasmMatMul(backend, a, [m, k], tensor, [k, n]); // reads the first m * k of a
      out.set(backend.typedArrayFromHeap(y), offset);
      backend.disposeData(y.dataId);
    },
    matmulSigmoid(a, m, w, out, offset = 0) {
      const { rows: k, cols: n, tensor } = w as WasmHeld;
      const y = wasmMatMul(backend, a, [m, k], tensor, [k, n]);
      // σ straight on the product's heap tensor: one copy out instead of out, in and out again
      const s = sigmoidKernel({ inputs: { x: y }, backend, attrs: {} }) as tf.TensorInfo;
      backend.disposeData(y.dataId);
      out.set(backend.typedArrayFromHeap(s), offset);
      backend.disposeData(s.dataId);
    },
    sigmoid,
    release(w) {
      backend.disposeData((w as WasmHeld).tensor.dataId);
    },
  };
}

/** The dense operations for `backend`: XNNPACK on tfjs-wasm, JavaScript elsewhere. */
export function denseMath(backend: ValuesBackend): DenseMath {
  return hasWasmMatMul(backend) && tf.getKernel(tf.Sigmoid, 'wasm')
    ? wasmMath(backend as WasmBackend)
    : jsMath;
}
