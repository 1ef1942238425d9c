/**
 * What the recurrent workloads (`lstm_b32_t50_h128`, `gru_b32_t50_h128`) share: their sizes and
 * data, the Adam trainer (the archzoo impls built on it, and the `Workload` builder, are in
 * rnn_impls.ts), the tfjs-layers impl, the PyTorch impl (a persistent
 * `/usr/bin/python3 py/rnn_bench.py --serve` child that takes one training step per request, so
 * that its row comes from the same run), and the peak tensor bytes of a step.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Adam, Generator, mseLoss, stockKernel, trainStep } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertSharedEngine } from '../engine.js';
import { type Impl, type ImplContext, readLoss, type Trainer } from '../harness.js';

/** Sizes of a recurrent workload: batch, steps, input features, hidden features. */
export interface RnnSizes {
  kind: 'lstm' | 'gru';
  B: number;
  T: number;
  I: number;
  H: number;
}

/** Adam's learning rate in every impl (torch.optim.Adam, core Adam and tf.train.adam defaults otherwise). */
export const RNN_LR = 1e-3;

/** Seeded inputs x ~ U(-1, 1) `[T, B, I]` (time first) and targets ~ U(-0.5, 0.5) `[B, H]`. */
export function rnnData(s: RnnSizes, seed: number): { x: tf.Tensor3D; target: tf.Tensor2D } {
  const g = new Generator(seed);
  const u = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => (2 * g.random() - 1) * scale);
  return {
    x: tf.tensor3d(u(s.T * s.B * s.I, 1), [s.T, s.B, s.I]),
    target: tf.tensor2d(u(s.B * s.H, 0.5), [s.B, s.H]),
  };
}

/** A trainer of `params` whose loss is `loss()`, with core's Adam; frees `owned` on dispose. */
export function adamTrainer(
  loss: () => tf.Tensor,
  params: tf.Variable[],
  owned: () => void,
): Trainer {
  const opt = new Adam(params, { lr: RNN_LR });
  return {
    step: () => trainStep(loss, params, opt),
    dispose() {
      opt.dispose();
      owned();
    },
  };
}

/** Stock kernels whose `setupFunc` has run, per backend object (tfjs runs only the registered one's). */
const STOCK_SET_UP = new WeakMap<object, Set<string>>();

/**
 * Runs `fn` with tfjs's stock kernels registered in place of every archzoo replacement on the
 * active backend (those `stockKernel` knows), and puts archzoo's back afterwards, also when `fn`
 * throws. A stock kernel's `setupFunc` (tfjs-wasm's binds its wasm function) runs before its first
 * call on a backend, as `setBackend` would have run it had archzoo not replaced it.
 */
export function withStockKernels<T>(fn: () => T): T {
  const backendName = tf.getBackend();
  const ours = tf
    .getKernelsForBackend(backendName)
    .filter((k) => stockKernel(k.kernelName, backendName) !== undefined);
  const swapped: tf.KernelConfig[] = [];
  try {
    for (const config of ours) {
      const stock = stockKernel(config.kernelName, backendName)!;
      tf.unregisterKernel(config.kernelName, backendName);
      swapped.push(config);
      tf.registerKernel({
        kernelName: config.kernelName,
        backendName,
        kernelFunc: (args) => {
          const be = args.backend as object;
          const done = STOCK_SET_UP.get(be) ?? new Set<string>();
          STOCK_SET_UP.set(be, done);
          if (stock.setupFunc && !done.has(config.kernelName)) {
            stock.setupFunc(args.backend as tf.KernelBackend);
            done.add(config.kernelName);
          }
          return stock.kernelFunc(args);
        },
      });
    }
    return fn();
  } finally {
    for (const config of swapped.reverse()) {
      if (tf.getKernel(config.kernelName, backendName))
        tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
}

/**
 * tfjs-layers: `tf.layers.lstm` / `tf.layers.gru` (returnSequences false: the last h) on batch-
 * first input `[B, T, I]` (transposed once up front), trained by `tf.train.adam(lr).minimize` on
 * the same backend, gates with the logistic sigmoid as PyTorch's. The recurrent kernel starts
 * glorot-uniform instead of tfjs-layers' default orthogonal (a QR that takes seconds per model and
 * changes nothing in a step). tfjs-layers' GRU has no `resetAfter`: it applies r before W_hn
 * (Keras' original GRU), the same cost as PyTorch's variant. With `kernels: 'stock'` (the row
 * 'tfjs-layers (stock tfjs kernels)') each step runs on tfjs's own kernels (`withStockKernels`):
 * tfjs-layers as shipped; otherwise on archzoo's replacements, which @archzoo/core registers
 * globally (its Slice, Unpack, Concat, BatchMatMul, ... make tfjs-layers itself ~3x faster on wasm).
 */
export function tfjsLayersImpl(s: RnnSizes, kernels: 'archzoo' | 'stock' = 'archzoo'): Impl {
  const stock = kernels === 'stock';
  return {
    name: stock ? 'tfjs-layers (stock tfjs kernels)' : 'tfjs-layers',
    description: `tf.layers.${s.kind}({ units: ${s.H} }); tf.train.adam(lr).minimize loop${
      stock
        ? "; tfjs's stock kernels swapped back in for this row's steps (as tfjs-layers runs without @archzoo/core)"
        : " (archzoo's kernel replacements active, as for every impl)"
    }`,
    create({ seed }: ImplContext): Trainer {
      assertSharedEngine();
      const opts = {
        units: s.H,
        inputShape: [s.T, s.I],
        recurrentInitializer: 'glorotUniform' as const,
        recurrentActivation: 'sigmoid' as const, // PyTorch's gates (tfjs-layers' default: hardSigmoid)
      };
      const layer = s.kind === 'lstm' ? tfl.layers.lstm(opts) : tfl.layers.gru(opts);
      const model = tfl.sequential({ layers: [layer] });
      const { x, target } = rnnData(s, seed);
      const xb = tf.transpose(x, [1, 0, 2]); // [B, T, I]
      x.dispose();
      const opt = tf.train.adam(RNN_LR);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const loss = () =>
        mseLoss(model.apply(xb, { training: true }) as tf.Tensor, target) as tf.Scalar;
      const minimize = () => opt.minimize(loss, true, vars);
      return {
        step: () => readLoss(stock ? withStockKernels(minimize) : minimize()),
        dispose() {
          model.dispose();
          opt.dispose();
          tf.dispose([xb, target]);
        },
      };
    },
  };
}

/** The Python that runs the PyTorch rows (Debian's python3-torch). */
export const PYTHON = '/usr/bin/python3';
/** The PyTorch side of the recurrent workloads (packages/bench/py/rnn_bench.py, from src/ or dist/). */
export const RNN_BENCH_PY = fileURLToPath(new URL('../../py/rnn_bench.py', import.meta.url));

let torchCheck: string | null | undefined;

/** Why the PyTorch rows cannot run here (no python3, no torch), or null when they can. Cached. */
export function torchUnavailable(): string | null {
  if (torchCheck === undefined) {
    const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    torchCheck =
      r.status === 0
        ? null
        : `PyTorch row unavailable: '${PYTHON} -c "import torch"' failed (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`;
  }
  return torchCheck;
}

/** A running `rnn_bench.py --serve` child: one line in ('step'), one line out (the loss). */
class TorchChild {
  readonly #child: ChildProcess;
  readonly #waiting: { resolve(line: string): void; reject(e: Error): void }[] = [];
  #buffer = '';
  #exited: Error | null = null;

  constructor(workload: string, seed: number) {
    this.#child = spawn(PYTHON, [RNN_BENCH_PY, '--serve', workload, '--seed', String(seed)], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: {
        ...process.env,
        OMP_NUM_THREADS: '1',
        MKL_NUM_THREADS: '1',
        OPENBLAS_NUM_THREADS: '1',
      },
    });
    this.#child.stdout!.setEncoding('utf8');
    this.#child.stdout!.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (let nl = this.#buffer.indexOf('\n'); nl >= 0; nl = this.#buffer.indexOf('\n')) {
        const line = this.#buffer.slice(0, nl).trim();
        this.#buffer = this.#buffer.slice(nl + 1);
        this.#waiting.shift()?.resolve(line);
      }
    });
    const fail = (e: Error) => {
      this.#exited = e;
      for (const w of this.#waiting.splice(0)) w.reject(e);
    };
    this.#child.on('error', fail);
    this.#child.on('exit', (code) => fail(new Error(`${RNN_BENCH_PY} exited (code ${code})`)));
  }

  /** Sends `command` and resolves to the child's answer line. */
  ask(command: string): Promise<string> {
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#child.stdin!.write(`${command}\n`);
    });
  }

  close(): void {
    if (!this.#exited) this.#child.stdin!.end('quit\n');
  }
}

/**
 * PyTorch 1.13 on one CPU thread (`torch.set_num_threads(1)`; OMP, MKL and OpenBLAS limited to one
 * thread too): `nn.LSTM` / `nn.GRU`, MSE on the last h, `torch.optim.Adam`, one step per request
 * to a persistent Python child, so the harness times it like the others (a pipe round trip, tens
 * of microseconds, is included). The row's note names the BLAS torch loaded ('openblas', or
 * 'reference BLAS': Debian's torch without libopenblas0-pthread, ~10x slower). Throws (a row with
 * the reason) when python3 with torch is not available.
 */
export function torchImpl(workload: string): Impl {
  return {
    name: 'pytorch-1thread',
    description: `PyTorch nn.${workload.startsWith('lstm') ? 'LSTM' : 'GRU'}, 1 CPU thread, torch.optim.Adam (py/rnn_bench.py --serve)`,
    async create({ seed }: ImplContext): Promise<Trainer> {
      const why = torchUnavailable();
      if (why) throw new Error(why);
      const child = new TorchChild(workload, seed);
      const ready = await child.ask('ready');
      if (ready !== 'ready') throw new Error(`${RNN_BENCH_PY}: expected 'ready', got '${ready}'`);
      const info = JSON.parse(await child.ask('info')) as { torch: string; blas: string };
      return {
        note: `torch ${info.torch}, ${info.blas}`,
        step: async () => Number(await child.ask('step')),
        dispose: () => child.close(),
      };
    },
  };
}

/**
 * The tensor bytes a training step of `impl` adds at its peak (tfjs engine accounting, measured by
 * `tf.profile` over one step after a warm-up step that creates the optimizer state): the peak of
 * `tf.memory().numBytes` during the step minus its value before. Memory a kernel uses inside
 * itself (JavaScript arrays of archzoo's fused kernels) is not tensor memory and is not counted.
 */
export async function stepPeakBytes(impl: Impl, ctx: ImplContext): Promise<number> {
  const trainer = await impl.create(ctx);
  try {
    await trainer.step();
    const start = tf.memory().numBytes;
    const info = await tf.profile(async () => {
      await trainer.step();
    });
    return info.peakBytes - start;
  } finally {
    trainer.dispose();
  }
}
