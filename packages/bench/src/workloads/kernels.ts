/**
 * Kernel micro-benchmarks: each tfjs kernel that @archzoo/core replaces, tfjs's stock kernel (the
 * reference) against archzoo's (the kernel registered with core's registration active), both
 * kernel functions called directly with the same inputs and attributes, on the same backend in the
 * same run. A step is `reps` calls, each output freed. Data-movement workloads set `bytesPerStep`
 * (bytes read plus written: the elements a call reads, once, and writes), so reports show their
 * effective bandwidth in GB/s.
 *
 * Both are called directly, not one through the tf op: the engine adds the same cost to whichever
 * kernel an op runs (about 1-2 us a call on 2 cores: the op, its Tensor and scope bookkeeping, the
 * dispose), which is 3x what a contiguous Slice costs on cpu (a view, no copy) and about 15% of a
 * 6.5 MB Concat on wasm, so an op-vs-kernel ratio reads as a regression of archzoo's kernel.
 *
 * Where archzoo keeps the stock kernel on a backend (BatchMatMul on cpu; Transpose on wasm hands
 * non-empty tensors to it), both impls run the same kernel: the ratio is noise, about 1. The extra
 * impls of the matrix-product case run tf ops (they include the engine's cost, small there).
 */
import { type BackendName, stockKernel } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Impl, ImplContext, Trainer, Workload } from '../harness.js';

/** Float32 bytes of a shape. */
const bytesOf = (shape: number[]) => 4 * tf.util.sizeFromShape(shape);

/** A seeded tensor of `shape` with values in [-1, 1) (a small LCG: the values do not matter). */
function seeded(shape: number[], seed: number): tf.Tensor {
  let s = (seed * 2654435761) >>> 0;
  const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
  return tf.tensor(values, shape);
}

/** What one kernel case runs, given its inputs. */
interface KernelCall {
  /** The kernel's inputs (a named map, or a list for Pack and Concat) and attributes. */
  inputs: Record<string, tf.Tensor> | tf.Tensor[];
  attrs: object;
  /** The call's attributes for repetition `rep` (default: `attrs`). */
  attrsAt?(rep: number): object;
  /** Extra tensors to free. */
  owned?: tf.Tensor[];
}

/** One kernel micro-benchmark. */
interface KernelCase {
  name: string;
  description: string;
  kernelName: string;
  /** Calls per step. */
  reps: number;
  /** Bytes one call reads plus writes; absent for compute kernels. */
  bytesPerCall?: number;
  make(seed: number): KernelCall;
}

/** Backends on which a stock kernel's `setupFunc` has run (tfjs stops running it once replaced). */
const SET_UP = new WeakMap<tf.KernelConfig, WeakSet<object>>();

/**
 * A kernel as a function of inputs and attributes returning its outputs, called directly on the
 * active backend. Its `setupFunc` (tfjs-wasm's Transpose and GatherV2 bind their C++ functions
 * there) runs first, once per backend: tfjs stops running a stock kernel's once it is replaced.
 */
function directCall(
  config: tf.KernelConfig,
): (inputs: KernelCall['inputs'], attrs: object) => tf.TensorInfo[] {
  const backend = tf.backend();
  const done = SET_UP.get(config) ?? new WeakSet<object>();
  SET_UP.set(config, done);
  if (config.setupFunc && !done.has(backend)) {
    config.setupFunc(backend);
    done.add(backend);
  }
  return (inputs, attrs) => {
    const out = config.kernelFunc({
      inputs: inputs as unknown as tf.NamedTensorInfoMap,
      backend,
      attrs: attrs as tf.NamedAttrMap,
    });
    return Array.isArray(out) ? out : [out];
  };
}

/** The registered `kernelName` of `backendName` (archzoo's, where it replaced the stock one). */
function registeredKernel(kernelName: string, backendName: BackendName): tf.KernelConfig {
  const config = tf.getKernel(kernelName, backendName);
  if (!config) throw new Error(`no ${kernelName} kernel on the ${backendName} backend`);
  return config;
}

/**
 * The stock `kernelName` of `backendName`: the kernel archzoo replaced, or the registered one
 * where archzoo keeps the stock.
 */
function stockKernelOf(kernelName: string, backendName: BackendName): tf.KernelConfig {
  return stockKernel(kernelName, backendName) ?? registeredKernel(kernelName, backendName);
}

/** A trainer whose step runs `call` `reps` times, freeing each output; it resolves to 0. */
function repeatTrainer(reps: number, call: (rep: number) => void, dispose: () => void): Trainer {
  return {
    step() {
      for (let r = 0; r < reps; r++) call(r);
      return 0;
    },
    dispose,
  };
}

/** An impl that calls `kernel` (of the active backend) directly, `c.reps` times a step. */
function directImpl(
  c: KernelCase,
  name: string,
  description: string,
  kernel: (backend: BackendName) => tf.KernelConfig,
): Impl {
  return {
    name,
    description,
    create({ backend, seed }: ImplContext): Trainer {
      const k = c.make(seed);
      const run = directCall(kernel(backend));
      const dataBackend = tf.backend();
      return repeatTrainer(
        c.reps,
        (rep) => {
          for (const info of run(k.inputs, k.attrsAt?.(rep) ?? k.attrs))
            dataBackend.disposeData(info.dataId);
        },
        () => tf.dispose([...Object.values(k.inputs), ...(k.owned ?? [])]),
      );
    },
  };
}

/** The two impls of a case: `stock` (the reference) and `archzoo`, both kernels called directly. */
function kernelWorkload(c: KernelCase): Workload {
  const stock = directImpl(
    c,
    'stock',
    `tfjs's own ${c.kernelName} kernel function, called directly`,
    (backend) => stockKernelOf(c.kernelName, backend),
  );
  const archzoo = directImpl(
    c,
    'archzoo',
    `the ${c.kernelName} kernel function registered with @archzoo/core's registration active, called directly`,
    (backend) => registeredKernel(c.kernelName, backend),
  );
  return {
    name: c.name,
    description: c.description,
    reference: stock.name,
    impls: [stock, archzoo],
    bytesPerStep: c.bytesPerCall === undefined ? undefined : c.bytesPerCall * c.reps,
  };
}

/** [T, B, C] of the sequence-shaped cases: 50 steps of a batch of 32, 512 features. */
const [T, B, C] = [50, 32, 512];
const SEQ = [T, B, C];
const SEQ_BT = [B, T, C];

const CASES: KernelCase[] = [
  {
    name: 'kernel_slice_50x32x512',
    description: `Slice: each of the ${T} steps [1, ${B}, ${C}] of a [${T}, ${B}, ${C}] tensor (one step per call)`,
    kernelName: tf.Slice,
    reps: T,
    bytesPerCall: 2 * bytesOf([B, C]),
    make(seed) {
      const x = seeded(SEQ, seed);
      const at = (t: number) => ({ begin: [t, 0, 0], size: [1, B, C] });
      return {
        inputs: { x },
        attrs: at(0),
        attrsAt: at,
      };
    },
  },
  {
    name: 'kernel_strided_slice_50x32x512',
    description: `StridedSlice: every other feature of a [${T}, ${B}, ${C}] tensor (strides [1, 1, 2])`,
    kernelName: tf.StridedSlice,
    reps: 1,
    bytesPerCall: 2 * bytesOf([T, B, C / 2]),
    make(seed) {
      const x = seeded(SEQ, seed);
      const attrs = {
        begin: [0, 0, 0],
        end: [T, B, C],
        strides: [1, 1, 2],
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      };
      return {
        inputs: { x },
        attrs,
      };
    },
  },
  {
    name: 'kernel_unpack_50x32x512_axis0',
    description: `Unpack: tf.unstack of a [${T}, ${B}, ${C}] tensor along axis 0 (${T} outputs)`,
    kernelName: tf.Unpack,
    reps: 1,
    bytesPerCall: 2 * bytesOf(SEQ),
    make(seed) {
      const value = seeded(SEQ, seed);
      return { inputs: { value }, attrs: { axis: 0 } };
    },
  },
  {
    name: 'kernel_unpack_32x50x512_axis1',
    description: `Unpack: tf.unstack of a [${B}, ${T}, ${C}] tensor along axis 1 (${T} outputs)`,
    kernelName: tf.Unpack,
    reps: 1,
    bytesPerCall: 2 * bytesOf(SEQ_BT),
    make(seed) {
      const value = seeded(SEQ_BT, seed);
      return { inputs: { value }, attrs: { axis: 1 } };
    },
  },
  {
    name: 'kernel_splitv_50x32x512',
    description: `SplitV: tf.split of a [${T}, ${B}, ${C}] tensor into ${T} along axis 0`,
    kernelName: tf.SplitV,
    reps: 1,
    bytesPerCall: 2 * bytesOf(SEQ),
    make(seed) {
      const x = seeded(SEQ, seed);
      return {
        inputs: { x },
        attrs: { numOrSizeSplits: T, axis: 0 },
      };
    },
  },
  {
    name: 'kernel_pack_50x32x512',
    description: `Pack: tf.stack of ${T} [${B}, ${C}] tensors along axis 0`,
    kernelName: tf.Pack,
    reps: 1,
    bytesPerCall: 2 * bytesOf(SEQ),
    make(seed) {
      const parts = Array.from({ length: T }, (_, t) => seeded([B, C], seed + t));
      return { inputs: parts, attrs: { axis: 0 } };
    },
  },
  {
    name: 'kernel_concat_50x32x512',
    description: `Concat: tf.concat of ${T} [${B}, ${C}] tensors along axis 0 (-> [${T * B}, ${C}])`,
    kernelName: tf.Concat,
    reps: 1,
    bytesPerCall: 2 * bytesOf(SEQ),
    make(seed) {
      const parts = Array.from({ length: T }, (_, t) => seeded([B, C], seed + t));
      return { inputs: parts, attrs: { axis: 0 } };
    },
  },
  {
    name: 'kernel_transpose_32x50x512',
    description: `Transpose: [${B}, ${T}, ${C}] -> [${T}, ${B}, ${C}] (perm [1, 0, 2])`,
    kernelName: tf.Transpose,
    reps: 1,
    bytesPerCall: 2 * bytesOf(SEQ_BT),
    make(seed) {
      const x = seeded(SEQ_BT, seed);
      return { inputs: { x }, attrs: { perm: [1, 0, 2] } };
    },
  },
  {
    name: 'kernel_gather_50x32x512',
    description: `GatherV2: the ${T} steps of a [${T}, ${B}, ${C}] tensor in reverse order (axis 0)`,
    kernelName: tf.GatherV2,
    reps: 1,
    bytesPerCall: 2 * bytesOf(SEQ) + 4 * T,
    make(seed) {
      const x = seeded(SEQ, seed);
      const indices = tf.tensor1d(
        Array.from({ length: T }, (_, t) => T - 1 - t),
        'int32',
      );
      return {
        inputs: { x, indices },
        attrs: { axis: 0, batchDims: 0 },
      };
    },
  },
];

/** Sizes of the matrix-product case: x [32, 512] times a [128, 512] weight, transposed. */
const [M, K, N] = [32, 512, 128];
/** Products per step. */
const MATMUL_REPS = 20;

/**
 * `kernel_matmul_32x512_128x512T`: x [32, 512] · w^T, w [128, 512] (a Linear layer's PyTorch
 * layout), the same weight tensor each product (inference) and a new one each time (a copy, as a
 * weight updated every step would be: XNNPACK's packing of the weights is paid each time); and
 * the same on a pre-transposed weight [512, 128] (tfjs-wasm caches the packed weights per tensor).
 */
function matMulWorkload(): Workload {
  const base = kernelWorkload({
    name: `kernel_matmul_${M}x${K}_${N}x${K}T`,
    description: `BatchMatMul: [${M}, ${K}] x [${N}, ${K}]^T (transposeB), ${MATMUL_REPS} products a step`,
    kernelName: tf.BatchMatMul,
    reps: MATMUL_REPS,
    make(seed) {
      const a = seeded([M, K], seed);
      const b = seeded([N, K], seed + 1);
      return {
        inputs: { a, b },
        attrs: { transposeA: false, transposeB: true },
      };
    },
  });
  const preTransposed = (fresh: boolean): Impl => ({
    name: fresh ? 'pre-transposed (new weight)' : 'pre-transposed',
    description: fresh
      ? `tf.matMul(x, copy of w^T [${K}, ${N}]): the weight a new tensor each product (copy included)`
      : `tf.matMul(x, w^T [${K}, ${N}]), the same weight tensor each product`,
    create({ seed }: ImplContext): Trainer {
      const a = seeded([M, K], seed);
      const bT = tf.tidy(() => tf.transpose(seeded([N, K], seed + 1)));
      return repeatTrainer(
        MATMUL_REPS,
        () => tf.dispose(tf.tidy(() => tf.matMul(a, fresh ? tf.clone(bT) : bT))),
        () => tf.dispose([a, bT]),
      );
    },
  });
  const archzooNewWeight: Impl = {
    name: 'archzoo (new weight)',
    description: `tf.matMul(x, copy of w, false, true): the weight a new tensor each product (copy included)`,
    create({ seed }: ImplContext): Trainer {
      const a = seeded([M, K], seed);
      const b = seeded([N, K], seed + 1);
      return repeatTrainer(
        MATMUL_REPS,
        () => tf.dispose(tf.tidy(() => tf.matMul(a, tf.clone(b), false, true))),
        () => tf.dispose([a, b]),
      );
    },
  };
  return {
    ...base,
    impls: [...base.impls, archzooNewWeight, preTransposed(false), preTransposed(true)],
  };
}

/** The kernel micro-benchmarks, in the order `archzoo bench` runs them. */
export const KERNEL_WORKLOADS: readonly Workload[] = [
  ...CASES.map(kernelWorkload),
  matMulWorkload(),
];
